// Message authentication codes: HMAC (RFC 2104) with SHA-256 (FIPS 180-4), as specified for
// HS256 in RFC 7518 §3.2 and checked against RFC 4231's test cases. A MAC lets a receiver who
// shares the key detect any change to the message — but it hides nothing: a MAC is not encryption.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { Prng } from "../sim/prng";
import { toBytes } from "./base64url";

/**
 * HMAC-SHA-256 of `data` under `key` (strings are UTF-8). 32 bytes.
 *
 * @example
 * toHex(hmacSha256("key", "The quick brown fox jumps over the lazy dog")).slice(0, 8); // "f7bc83f4"
 */
export function hmacSha256(key: Uint8Array | string, data: Uint8Array | string): Uint8Array {
  return new Uint8Array(createHmac("sha256", toBytes(key)).update(toBytes(data)).digest());
}

/**
 * SHA-256 digest of `data` (strings are UTF-8). 32 bytes.
 *
 * @example
 * toHex(sha256("abc")).slice(0, 8); // "ba7816bf"
 */
export function sha256(data: Uint8Array | string): Uint8Array {
  return new Uint8Array(createHash("sha256").update(toBytes(data)).digest());
}

/**
 * Compare two byte strings (or strings, as UTF-8) in time that does not depend on where they
 * differ, so an attacker cannot find a valid MAC byte by byte by timing the comparison. Different
 * lengths compare unequal (the length is not secret).
 *
 * @example
 * constantTimeEqual(hmacSha256("k", "m"), hmacSha256("k", "m")); // true
 */
export function constantTimeEqual(a: Uint8Array | string, b: Uint8Array | string): boolean {
  const x = toBytes(a);
  const y = toBytes(b);
  if (x.length !== y.length) return false;
  return timingSafeEqual(x, y);
}

/**
 * A deterministic secret of `bytes` bytes derived from a label (SHA-256 of "distlab-key:" + label,
 * extended by counter if longer). For simulations only: anyone who knows the label knows the key.
 *
 * @example
 * const key = secretFromLabel("bank/alice"); // 32 bytes, the same every run
 */
export function secretFromLabel(label: string, bytes = 32): Uint8Array {
  if (!Number.isInteger(bytes) || bytes <= 0) throw new RangeError(`secretFromLabel: bytes must be a positive integer, got ${bytes}`);
  const out = new Uint8Array(bytes);
  for (let i = 0, block = 0; i < bytes; block++) {
    const digest = sha256(`distlab-key:${block}:${label}`);
    for (let j = 0; j < digest.length && i < bytes; j++) out[i++] = digest[j];
  }
  return out;
}

/**
 * `n` bytes drawn from a seeded generator (for nonces, salts and key seeds in simulations).
 *
 * @example
 * const nonce = randomBytesFrom(node.rng, 16);
 */
export function randomBytesFrom(prng: Prng, n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`randomBytesFrom: n must be a non-negative integer, got ${n}`);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 4) {
    let word = prng.nextUint32();
    for (let j = 0; j < 4 && i + j < n; j++) {
      out[i + j] = word & 0xff;
      word >>>= 8;
    }
  }
  return out;
}
