// Ed25519 against RFC 8032 §7.1 (TEST 1 and TEST 2): the public key derived from the secret
// seed, and the exact (deterministic) signature.
import { describe, expect, it } from "vitest";
import { ed25519KeyPair, ed25519KeyPairFromSeed, ed25519Sign, ed25519Verify, fromHex, toHex } from "../../lib/security/index";
import { Prng } from "../../lib/sim/prng";

const TEST1 = {
  secret: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
  public: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
  message: "",
  signature: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
};
const TEST2 = {
  secret: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
  public: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
  message: "72",
  signature: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
};

describe("Ed25519 — RFC 8032 §7.1", () => {
  for (const [name, v] of [["TEST 1 (empty message)", TEST1], ["TEST 2 (one byte 0x72)", TEST2]] as const) {
    it(`${name}: public key from the secret, the signature, and verification`, () => {
      const pair = ed25519KeyPairFromSeed(fromHex(v.secret));
      expect(toHex(pair.publicKey)).toBe(v.public);
      const sig = ed25519Sign(pair, fromHex(v.message));
      expect(toHex(sig)).toBe(v.signature);
      expect(ed25519Verify(fromHex(v.public), fromHex(v.message), fromHex(v.signature))).toBe(true);
    });
  }

  it("a changed message, a flipped signature bit or another key does not verify", () => {
    const pair = ed25519KeyPairFromSeed(fromHex(TEST2.secret));
    const sig = fromHex(TEST2.signature);
    expect(ed25519Verify(pair.publicKey, fromHex("73"), sig)).toBe(false);
    const bad = sig.slice();
    bad[10] ^= 0x04;
    expect(ed25519Verify(pair.publicKey, fromHex("72"), bad)).toBe(false);
    expect(ed25519Verify(fromHex(TEST1.public), fromHex("72"), sig)).toBe(false);
    expect(ed25519Verify(pair.publicKey, fromHex("72"), sig.slice(0, 63))).toBe(false);
  });

  it("key pairs from labels and Prngs are deterministic and differ by source", () => {
    expect(ed25519KeyPair("svc:a").publicKey).toEqual(ed25519KeyPair("svc:a").publicKey);
    expect(ed25519KeyPair("svc:a").publicKey).not.toEqual(ed25519KeyPair("svc:b").publicKey);
    expect(ed25519KeyPair(new Prng(3)).seed).toEqual(ed25519KeyPair(new Prng(3)).seed);
  });

  it("malformed keys get errors naming what was wrong", () => {
    expect(() => ed25519KeyPairFromSeed(new Uint8Array(31))).toThrow(/seed must be 32 bytes, got 31 bytes/);
    expect(() => ed25519Verify(new Uint8Array(5), "m", new Uint8Array(64))).toThrow(/public key must be 32 bytes, got 5 bytes/);
    expect(() => ed25519Sign({} as never, "m")).toThrow(/expected a key pair or a 32-byte seed/);
  });
});
