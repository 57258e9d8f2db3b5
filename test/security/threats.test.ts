// The threats run: which defence stops which attack (the table of notebook 12).
import { describe, expect, it } from "vitest";
import { runThreatScenario, threatMatrix } from "../../lib/security/index";
import { toSequenceDiagram } from "../../lib/trace/index";

describe("runThreatScenario", () => {
  it("eavesdrop: MACs, tokens and signatures hide nothing; only encryption does", async () => {
    const plain = await runThreatScenario({ seed: 1, threat: "eavesdrop", defence: "signature" });
    expect(plain.attackerAchieved).toBe(true);
    expect(plain.attackerSaw.some((s) => s.includes("rent for flat 3B"))).toBe(true);
    const sealed = await runThreatScenario({ seed: 1, threat: "eavesdrop", defence: "encrypt" });
    expect(sealed.attackerAchieved).toBe(false);
    expect(sealed.accepted).toBe(3);
    expect(sealed.balances).toEqual({ alice: 70, bob: 30, mallory: 0 });
  });
  it("tamper: a token authenticates the sender but not the body; a MAC covers the body", async () => {
    const token = await runThreatScenario({ seed: 2, threat: "tamper", defence: "token" });
    expect(token.attackerAchieved).toBe(true);
    expect(token.balances.mallory).toBe(50);
    const mac = await runThreatScenario({ seed: 2, threat: "tamper", defence: "mac" });
    expect(mac.attackerAchieved).toBe(false);
    expect(mac.rows.find((r) => r.origin === "attacker")).toMatchObject({ verdict: "refused", reason: "bad_mac", request: "alice → mallory 50" });
    expect(mac.balances).toEqual({ alice: 80, bob: 20, mallory: 0 }); // the two untouched transfers went through
  });
  it("replay: a MAC alone accepts it; nonce + window refuses it; legitimate requests still pass", async () => {
    const mac = await runThreatScenario({ seed: 3, threat: "replay", defence: "mac" });
    expect(mac.attackerAccepted).toBe(2);
    expect(mac.balances.alice).toBe(50);
    const nonce = await runThreatScenario({ seed: 3, threat: "replay", defence: "nonce" });
    expect(nonce.attackerAchieved).toBe(false);
    expect(nonce.rows.filter((r) => r.origin === "attacker").map((r) => r.reason)).toEqual(["replayed", "outside_window"]);
    expect(nonce.rows.filter((r) => r.origin === "client").every((r) => r.verdict === "accepted")).toBe(true);
    const token = await runThreatScenario({ seed: 3, threat: "replay", defence: "token" });
    expect(token.attackerAccepted).toBe(1); // expiry bounds the damage, it does not prevent it
  });
  it("impostor: refused by every defence that needs a key mallory lacks", async () => {
    expect((await runThreatScenario({ seed: 4, threat: "impostor", defence: "none" })).balances.mallory).toBe(50);
    const r = await runThreatScenario({ seed: 4, threat: "impostor", defence: "token" });
    expect(r.attackerAchieved).toBe(false);
    expect(r.outcome).toMatch(/bad_signature/);
  });
  it("is deterministic for a seed and draws a sequence diagram", async () => {
    const a = await runThreatScenario({ seed: 7, threat: "replay", defence: "nonce" });
    const b = await runThreatScenario({ seed: 7, threat: "replay", defence: "nonce" });
    expect(a.rows).toEqual(b.rows);
    expect(a.sim.trace.length).toBe(b.sim.trace.length);
    expect(toSequenceDiagram(a.sim.trace)).toMatch(/mallory/);
  });
  it("bad options name what was wrong", async () => {
    await expect(runThreatScenario({ seed: 1, threat: "phishing" as never, defence: "none" })).rejects.toThrow(/threat/);
    await expect(runThreatScenario({ seed: 1, threat: "replay", defence: "prayer" as never })).rejects.toThrow(/defence/);
  });
});

describe("threatMatrix", () => {
  it("no single defence stops all four threats; nonce + encryption together would", async () => {
    const rows = await threatMatrix({ seed: 1 });
    const achieved = (t: string, d: string) => rows.find((r) => r.threat === t && r.defence === d)!.attackerAchieved;
    expect(rows).toHaveLength(24);
    for (const d of ["none", "mac", "nonce", "token", "signature", "encrypt"]) {
      expect(["eavesdrop", "tamper", "replay", "impostor"].some((t) => achieved(t, d))).toBe(true);
    }
    expect(["tamper", "replay", "impostor"].some((t) => achieved(t, "nonce"))).toBe(false);
    expect(achieved("eavesdrop", "encrypt")).toBe(false);
    expect(["eavesdrop", "tamper", "replay", "impostor"].every((t) => achieved(t, "none"))).toBe(true);
  }, 10_000);
});
