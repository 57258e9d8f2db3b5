// Replay protection: MAC envelopes detect change; a nonce cache with a time window refuses
// repeats and stale requests; its memory stays bounded by the window and survives a restart.
import { describe, expect, it } from "vitest";
import { NonceCache, canonicalJson, macEnvelope, secretFromLabel, verifyEnvelope } from "../../lib/security/index";

const key = secretFromLabel("test/alice");

describe("macEnvelope / verifyEnvelope", () => {
  const env = macEnvelope({ client: "alice", nonce: "n-1", timestampMs: 1200, payload: { op: "pay", to: "bob", amount: 10 } }, key);
  it("verifies unchanged, whatever the key order of the payload", () => {
    expect(verifyEnvelope(env, key)).toBe(true);
    const reordered = { ...env, payload: { amount: 10, to: "bob", op: "pay" } };
    expect(verifyEnvelope(reordered, key)).toBe(true);
  });
  it("any change to client, nonce, timestamp or payload, or another key, fails", () => {
    expect(verifyEnvelope({ ...env, client: "mallory" }, key)).toBe(false);
    expect(verifyEnvelope({ ...env, nonce: "n-2" }, key)).toBe(false);
    expect(verifyEnvelope({ ...env, timestampMs: 99_000 }, key)).toBe(false);
    expect(verifyEnvelope({ ...env, payload: { op: "pay", to: "mallory", amount: 10 } }, key)).toBe(false);
    expect(verifyEnvelope(env, secretFromLabel("other"))).toBe(false);
  });
  it("malformed envelopes are false, not exceptions", () => {
    for (const bad of [null, 7, {}, { ...env, mac: "%%%" }, { ...env, timestampMs: "1200" }]) expect(verifyEnvelope(bad, key)).toBe(false);
  });
  it("canonical JSON sorts keys at every depth and refuses what JSON cannot carry", () => {
    expect(canonicalJson({ b: { d: 1, c: [2, { f: 0, e: null }] }, a: "x", u: undefined })).toBe('{"a":"x","b":{"c":[2,{"e":null,"f":0}],"d":1}}');
    expect(() => canonicalJson({ n: NaN })).toThrow(/NaN cannot be encoded/);
  });
});

describe("NonceCache", () => {
  it("scenario: a request, its replay inside the window, a stale replay, and a fresh request", () => {
    const cache = new NonceCache({ windowMs: 5000 });
    expect(cache.check({ client: "alice", nonce: "n1", timestampMs: 1000, nowMs: 1010 })).toEqual({ kind: "fresh" });
    expect(cache.check({ client: "alice", nonce: "n1", timestampMs: 1000, nowMs: 1600 }).kind).toBe("replayed");
    expect(cache.check({ client: "alice", nonce: "n1", timestampMs: 1000, nowMs: 7000 }).kind).toBe("outside_window");
    expect(cache.check({ client: "bob", nonce: "n1", timestampMs: 6900, nowMs: 7000 }).kind).toBe("fresh"); // nonces are per client
    expect(cache.check({ client: "alice", nonce: "n9", timestampMs: 20_000, nowMs: 7000 }).kind).toBe("outside_window"); // from the future
  });
  it("memory stays bounded by the window: 10 000 requests at 10 per second keep about 50 nonces for a 5 s window", () => {
    const cache = new NonceCache({ windowMs: 5000 });
    let peak = 0;
    let fresh = 0;
    for (let i = 0; i < 10_000; i++) {
      const t = i * 100;
      if (cache.check({ client: "c", nonce: `n${i}`, timestampMs: t, nowMs: t + 5 }).kind === "fresh") fresh++;
      peak = Math.max(peak, cache.size);
    }
    expect(fresh).toBe(10_000);
    expect(peak).toBeLessThanOrEqual(52);
  });
  it("survives a restart through toJSON / fromJSON", () => {
    const cache = new NonceCache({ windowMs: 5000 });
    cache.check({ client: "alice", nonce: "n1", timestampMs: 100, nowMs: 100 });
    const copy = NonceCache.fromJSON(JSON.parse(JSON.stringify(cache.toJSON())));
    expect(copy.has("alice", "n1")).toBe(true);
    expect(copy.check({ client: "alice", nonce: "n1", timestampMs: 100, nowMs: 200 }).kind).toBe("replayed");
  });
  it("a bad window is a clear error", () => {
    expect(() => new NonceCache({ windowMs: 0 })).toThrow(/windowMs must be a positive number of ms, got 0/);
  });
});
