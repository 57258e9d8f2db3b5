// JWS compact tokens: RFC 7515 Appendix A.1 (HS256) and RFC 8037 Appendix A.4 (EdDSA) as known
// answers, then the verifier's refusals: tampering, wrong key, expiry and not-before with skew,
// issuer and audience, alg "none" and algorithm confusion.
import { describe, expect, it } from "vitest";
import {
  base64urlDecode,
  base64urlEncode,
  decodeJws,
  ed25519KeyPair,
  ed25519KeyPairFromSeed,
  eddsaKey,
  hmacSha256,
  hs256Key,
  jwsSign,
  keySet,
  secretFromLabel,
  signToken,
  verifyJwsSignature,
  verifyToken,
  type TokenClaims,
} from "../../lib/security/index";

describe("RFC known answers", () => {
  it("RFC 7515 A.1: the HS256 example verifies with its key, and a changed payload does not", () => {
    const key = base64urlDecode("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow");
    const header = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9";
    const payload = "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
    const token = `${header}.${payload}.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk`;
    expect(verifyJwsSignature(token, { alg: "HS256", secret: key })).toBe(true);
    // its header and payload contain CR LF, so they are taken as encoded; the signature is recomputed too
    expect(base64urlEncode(hmacSha256(key, `${header}.${payload}`))).toBe("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    const decoded = decodeJws(token);
    expect(decoded.header).toEqual({ typ: "JWT", alg: "HS256" });
    expect(JSON.parse(Buffer.from(decoded.payload).toString("utf8"))).toEqual({ iss: "joe", exp: 1300819380, "http://example.com/is_root": true });
    const forged = `${header}.${base64urlEncode('{"iss":"joe","exp":1300819380,"http://example.com/is_root":false}')}.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk`;
    expect(verifyJwsSignature(forged, { alg: "HS256", secret: key })).toBe(false);
  });

  it("RFC 8037 A.4: signing \"Example of Ed25519 signing\" reproduces the published JWS exactly", () => {
    const pair = ed25519KeyPairFromSeed(base64urlDecode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"));
    expect(base64urlEncode(pair.publicKey)).toBe("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
    const jws = jwsSign('{"alg":"EdDSA"}', "Example of Ed25519 signing", { alg: "EdDSA", keyPair: pair });
    expect(jws).toBe(
      "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg",
    );
    expect(verifyJwsSignature(jws, { alg: "EdDSA", publicKey: pair.publicKey })).toBe(true);
  });
});

describe("verifyToken", () => {
  const hs = hs256Key("k-hs", secretFromLabel("test/hs"));
  const ed = eddsaKey("k-ed", ed25519KeyPair("test/ed"));
  const keys = keySet([hs, ed]);
  const claims: TokenClaims = { sub: "alice", roles: ["teller"], iss: "auth", aud: "bank", iat: 1000, nbf: 1000, exp: 61_000, jti: "t-1" };
  const opts = { keys, now: 5000, issuer: "auth", audience: "bank" };

  it("accepts valid HS256 and EdDSA tokens and returns their claims", () => {
    for (const key of [hs, ed]) {
      const v = verifyToken(signToken(claims, key), opts);
      expect(v.kind).toBe("valid");
      if (v.kind === "valid") expect(v.claims).toEqual(claims);
    }
  });

  it("the verifier holds only Ed25519's public key, yet verifies", () => {
    expect(keys["k-ed"]).toEqual({ alg: "EdDSA", publicKey: ed.alg === "EdDSA" ? ed.keyPair.publicKey : undefined });
  });

  it("tampered payload or signature → bad_signature; unknown kid → unknown_key", () => {
    const token = signToken(claims, hs);
    const [h, , s] = token.split(".");
    const richer = `${h}.${base64urlEncode(JSON.stringify({ ...claims, roles: ["admin"] }))}.${s}`;
    expect(verifyToken(richer, opts)).toMatchObject({ kind: "invalid", reason: "bad_signature" });
    const otherKey = hs256Key("k-hs", secretFromLabel("someone else"));
    expect(verifyToken(signToken(claims, otherKey), opts)).toMatchObject({ kind: "invalid", reason: "bad_signature" });
    expect(verifyToken(signToken(claims, hs256Key("k-new", secretFromLabel("x"))), opts)).toMatchObject({ kind: "invalid", reason: "unknown_key" });
  });

  it("expiry and not-before against the verifier's clock, with skew", () => {
    const t = signToken(claims, ed);
    expect(verifyToken(t, { ...opts, now: 60_999 }).kind).toBe("valid");
    expect(verifyToken(t, { ...opts, now: 61_000 })).toMatchObject({ kind: "invalid", reason: "expired" });
    expect(verifyToken(t, { ...opts, now: 61_500, clockSkewMs: 1000 }).kind).toBe("valid");
    expect(verifyToken(t, { ...opts, now: 999 })).toMatchObject({ kind: "invalid", reason: "not_yet_valid" });
    expect(verifyToken(t, { ...opts, now: 999, clockSkewMs: 1 }).kind).toBe("valid");
  });

  it("wrong issuer and wrong audience; aud may be a list", () => {
    expect(verifyToken(signToken({ ...claims, iss: "evil" }, hs), opts)).toMatchObject({ reason: "wrong_issuer" });
    expect(verifyToken(signToken(claims, hs), { ...opts, audience: "shop" })).toMatchObject({ reason: "wrong_audience" });
    expect(verifyToken(signToken({ ...claims, aud: ["shop", "bank"] }, hs), opts).kind).toBe("valid");
  });

  it("alg \"none\" is never accepted, and algorithms can be restricted", () => {
    const unsigned = `${base64urlEncode('{"alg":"none","kid":"k-hs"}')}.${base64urlEncode(JSON.stringify(claims))}.`;
    expect(verifyToken(unsigned, opts)).toMatchObject({ kind: "invalid", reason: "alg_not_allowed" });
    expect(verifyToken(unsigned, { ...opts, algorithms: ["none" as never] })).toMatchObject({ reason: "alg_not_allowed" });
    expect(verifyToken(signToken(claims, hs), { ...opts, algorithms: ["EdDSA"] })).toMatchObject({ reason: "alg_not_allowed" });
  });

  it("algorithm confusion: an HS256 token 'signed' with the Ed25519 PUBLIC key is refused", () => {
    const publicKey = ed.alg === "EdDSA" ? ed.keyPair.publicKey : new Uint8Array();
    const confused = jwsSign({ alg: "HS256", typ: "JWT", kid: "k-ed" }, JSON.stringify({ ...claims, roles: ["admin"] }), { alg: "HS256", secret: publicKey });
    const v = verifyToken(confused, opts);
    expect(v).toMatchObject({ kind: "invalid", reason: "alg_not_allowed" });
    if (v.kind === "invalid") expect(v.detail).toMatch(/algorithm confusion/);
  });

  it("malformed tokens are refused, never thrown", () => {
    for (const bad of ["", "a.b", "a.b.c.d", "!!!.e30.", `${base64urlEncode("[1]")}.e30.`, `${base64urlEncode('{"kid":"k-hs"}')}.e30.`]) {
      expect(verifyToken(bad, opts)).toMatchObject({ kind: "invalid", reason: "malformed" });
    }
    expect(verifyToken(undefined as never, opts)).toMatchObject({ reason: "malformed" });
    const noSub = signToken({ sub: "x" }, hs).split(".");
    const h = noSub[0];
    const p = base64urlEncode('{"name":"x"}');
    const sig = base64urlEncode(hmacSha256(hs.alg === "HS256" ? hs.secret : new Uint8Array(), `${h}.${p}`));
    expect(verifyToken(`${h}.${p}.${sig}`, opts)).toMatchObject({ reason: "malformed" });
  });

  it("bad configuration gets a clear error", () => {
    expect(() => hs256Key("short", "tiny")).toThrow(/at least 16 bytes, got 4/);
    expect(() => signToken({ sub: "a", exp: "soon" as never }, hs)).toThrow(/claim `exp` must be a number of virtual ms/);
    expect(() => verifyToken("x.y.z", { keys, now: NaN })).toThrow(/options.now must be the virtual time/);
    expect(() => keySet([hs, hs])).toThrow(/two keys have kid "k-hs"/);
  });
});
