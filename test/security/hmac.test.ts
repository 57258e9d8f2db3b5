// HMAC-SHA-256 against RFC 4231 §4 (test cases 1–7), plus base64url and constant-time comparison.
import { describe, expect, it } from "vitest";
import { base64urlDecode, base64urlDecodeText, base64urlEncode, constantTimeEqual, fromHex, hmacSha256, randomBytesFrom, secretFromLabel, sha256, toHex } from "../../lib/security/index";
import { Prng } from "../../lib/sim/prng";

const fill = (n: number, byte: number) => new Uint8Array(n).fill(byte);

describe("HMAC-SHA-256 — RFC 4231 §4", () => {
  it("test case 1: 20-byte key of 0x0b, data \"Hi There\"", () => {
    expect(toHex(hmacSha256(fill(20, 0x0b), "Hi There"))).toBe("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  });
  it("test case 2: a key shorter than the output (\"Jefe\")", () => {
    expect(toHex(hmacSha256("Jefe", "what do ya want for nothing?"))).toBe("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  });
  it("test case 3: 50 bytes of 0xdd under 20 bytes of 0xaa", () => {
    expect(toHex(hmacSha256(fill(20, 0xaa), fill(50, 0xdd)))).toBe("773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  });
  it("test case 4: key 0x01..0x19, 50 bytes of 0xcd", () => {
    const key = fromHex("0102030405060708090a0b0c0d0e0f10111213141516171819");
    expect(toHex(hmacSha256(key, fill(50, 0xcd)))).toBe("82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
  });
  it("test case 5: output truncated to 128 bits", () => {
    expect(toHex(hmacSha256(fill(20, 0x0c), "Test With Truncation")).slice(0, 32)).toBe("a3b6167473100ee06e0c796c2955552b");
  });
  it("test cases 6 and 7: a 131-byte key, longer than SHA-256's 64-byte block, is hashed first", () => {
    const key = fill(131, 0xaa);
    expect(toHex(hmacSha256(key, "Test Using Larger Than Block-Size Key - Hash Key First"))).toBe(
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
    );
    const data =
      "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.";
    expect(toHex(hmacSha256(key, data))).toBe("9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
  });
  it("SHA-256 of \"abc\" (FIPS 180-4 example)", () => {
    expect(toHex(sha256("abc"))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});

describe("base64url (RFC 4648 §5)", () => {
  it("round-trips every byte value, without padding and with - and _", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const text = base64urlEncode(all);
    expect(text).not.toMatch(/[+/=]/);
    expect(base64urlDecode(text)).toEqual(all);
    expect(base64urlEncode(new Uint8Array([0xfb, 0xff]))).toBe("-_8");
    expect(base64urlDecodeText(base64urlEncode('{"alg":"HS256"}'))).toBe('{"alg":"HS256"}');
  });
  it("refuses characters outside the alphabet and impossible lengths, naming them", () => {
    expect(() => base64urlDecode("ab+c")).toThrow(/"\+" is not in the base64url alphabet/);
    expect(() => base64urlDecode("abc=")).toThrow(/"=" is not in the base64url alphabet/);
    expect(() => base64urlDecode("abcde")).toThrow(/length 5 is impossible/);
  });
});

describe("keys and comparison", () => {
  it("constantTimeEqual: equal, one bit different, different lengths", () => {
    const mac = hmacSha256("k", "m");
    const flipped = mac.slice();
    flipped[31] ^= 1;
    expect(constantTimeEqual(mac, hmacSha256("k", "m"))).toBe(true);
    expect(constantTimeEqual(mac, flipped)).toBe(false);
    expect(constantTimeEqual(mac, mac.slice(0, 16))).toBe(false);
  });
  it("secrets from labels and bytes from a seeded Prng are deterministic and distinct", () => {
    expect(secretFromLabel("a")).toEqual(secretFromLabel("a"));
    expect(secretFromLabel("a")).not.toEqual(secretFromLabel("b"));
    expect(secretFromLabel("a", 80).length).toBe(80);
    expect(randomBytesFrom(new Prng(5), 13)).toEqual(randomBytesFrom(new Prng(5), 13));
    expect(randomBytesFrom(new Prng(5), 13)).not.toEqual(randomBytesFrom(new Prng(6), 13));
  });
});
