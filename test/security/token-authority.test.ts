// The token authority: login with a password check, short-lived tokens, refresh without the password.
import { describe, expect, it } from "vitest";
import { checkPassword, hs256Key, keySet, login, secretFromLabel, tokenAuthority, userRecord, verifyToken } from "../../lib/security/index";
import { Simulation } from "../../lib/simulation/simulation";
import { latency } from "../../lib/net/latency";

describe("passwords", () => {
  it("stored salted and hashed; checked in constant time", () => {
    const rec = userRecord("alice", "wonderland", ["customer"]);
    expect(JSON.stringify(rec)).not.toContain("wonderland");
    expect(checkPassword(rec, "wonderland")).toBe(true);
    expect(checkPassword(rec, "Wonderland")).toBe(false);
    expect(userRecord("bob", "wonderland", []).passwordHash).not.toBe(rec.passwordHash); // another salt
  });
});

describe("tokenAuthority", () => {
  it("scenario: wrong password refused, login, token valid at the bank until it expires, refresh gives a new one", async () => {
    const key = hs256Key("auth-1", secretFromLabel("test/auth"));
    const sim = new Simulation({ seed: 9, trace: false, network: { latency: latency.uniform(5, 15) } });
    let stats: any;
    sim.spawn("auth", (node) => {
      stats = tokenAuthority(node, { key, audience: "bank", tokenTtlMs: 1000, users: { alice: userRecord("alice", "wonderland", ["customer"]) } }).stats;
    });
    const out: Record<string, any> = {};
    sim.spawn("alice", (node) => {
      sim.at(0, async () => {
        out.bad = await login(node, { authority: "auth", user: "alice", password: "guess" });
        out.nobody = await login(node, { authority: "auth", user: "zed", password: "x" });
        out.good = await login(node, { authority: "auth", user: "alice", password: "wonderland" });
        out.loginAt = node.now();
        out.malformed = (await node.rpc("auth", { type: "login", user: 7 }, { timeoutMs: 200 })).body;
        await node.sleep(2000);
        out.refreshed = (await node.rpc("auth", { type: "refresh", refreshToken: out.good.refreshToken }, { timeoutMs: 200 })).body;
        out.refreshWithAccess = (await node.rpc("auth", { type: "refresh", refreshToken: out.good.token }, { timeoutMs: 200 })).body;
        out.refreshAt = node.now();
      });
    });
    await sim.runFor(5000);
    expect(out.bad).toEqual({ kind: "refused", text: "unknown user or wrong password" });
    expect(out.nobody.kind).toBe("refused");
    expect(out.good.kind).toBe("ok");
    expect(out.malformed).toMatchObject({ type: "error", code: 400 });
    const keys = keySet([key]);
    const atBank = (token: string, now: number) => verifyToken(token, { keys, now, issuer: "auth", audience: "bank" });
    const v = atBank(out.good.token, out.loginAt);
    expect(v.kind).toBe("valid");
    if (v.kind === "valid") expect(v.claims).toMatchObject({ sub: "alice", roles: ["customer"], jti: "auth-1" });
    expect(atBank(out.good.token, out.good.expMs)).toMatchObject({ reason: "expired" });
    expect(atBank(out.good.refreshToken, out.loginAt)).toMatchObject({ reason: "wrong_audience" }); // a refresh token is not an access token
    expect(out.refreshed.type).toBe("refresh_ok");
    expect(atBank(out.refreshed.token, out.refreshAt).kind).toBe("valid");
    expect(out.refreshWithAccess).toMatchObject({ type: "error", code: 401 });
    expect(stats).toEqual({ logins: 1, loginsRefused: 2, refreshes: 1, refreshesRefused: 1 });
  });
});
