// Ed25519 signatures (RFC 8032 §5.1) through node:crypto, with key pairs made deterministically
// from a 32-byte seed (the RFC's "private key"). Node accepts a raw seed only inside a PKCS#8
// structure (RFC 8410 §7), so we wrap it: a fixed 16-byte DER prefix followed by the seed. The
// public key comes back as an SPKI structure whose last 32 bytes are the raw key (RFC 8410 §4).
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { Prng } from "../sim/prng";
import { toBytes } from "./base64url";
import { randomBytesFrom, secretFromLabel } from "./hmac";

/** PKCS#8 v1 PrivateKeyInfo for id-Ed25519 (1.3.101.112), up to the OCTET STRING holding the seed. */
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
/** SubjectPublicKeyInfo for id-Ed25519, up to the BIT STRING holding the 32-byte key. */
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** An Ed25519 key pair as raw bytes: the 32-byte secret seed and the 32-byte public key. */
export interface Ed25519KeyPair {
  /** The secret: RFC 8032's 32-byte private key. Never send it. */
  seed: Uint8Array;
  /** The public key (RFC 8032 §5.1.5), safe to publish. */
  publicKey: Uint8Array;
}

/**
 * The key pair for a 32-byte seed. Deterministic: the same seed always gives the same keys.
 *
 * @example
 * const pair = ed25519KeyPairFromSeed(fromHex("9d61b1…7f60")); // RFC 8032 §7.1 test 1
 * toHex(pair.publicKey); // "d75a98…511a"
 */
export function ed25519KeyPairFromSeed(seed: Uint8Array): Ed25519KeyPair {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) {
    throw new RangeError(`ed25519KeyPairFromSeed: the seed must be 32 bytes, got ${describe(seed)}`);
  }
  const spki = createPublicKey(privateKeyObject(seed)).export({ format: "der", type: "spki" });
  return { seed: new Uint8Array(seed), publicKey: new Uint8Array(spki.subarray(SPKI_PREFIX.length)) };
}

/**
 * A key pair derived from a label ("service:payments") or drawn from a seeded generator — the
 * deterministic way to give each simulated node its keys. A Uint8Array is used as the seed itself.
 *
 * @example
 * const payments = ed25519KeyPair("service:payments");
 * const fromRng = ed25519KeyPair(new Prng(7));
 */
export function ed25519KeyPair(source: string | Prng | Uint8Array): Ed25519KeyPair {
  if (typeof source === "string") return ed25519KeyPairFromSeed(secretFromLabel(`ed25519:${source}`));
  if (source instanceof Prng) return ed25519KeyPairFromSeed(randomBytesFrom(source, 32));
  if (source instanceof Uint8Array) return ed25519KeyPairFromSeed(source);
  throw new TypeError(`ed25519KeyPair: expected a label, a Prng or a 32-byte seed, got ${describe(source)}`);
}

/**
 * Sign `data` (strings as UTF-8) with the key pair's secret. Ed25519 is deterministic: the same
 * key and data always give the same 64-byte signature (RFC 8032 §5.1.6).
 *
 * @example
 * const sig = ed25519Sign(pair, "transfer 10 to bob"); // 64 bytes
 */
export function ed25519Sign(keyPair: Ed25519KeyPair | Uint8Array, data: Uint8Array | string): Uint8Array {
  const seed = keyPair instanceof Uint8Array ? keyPair : keyPair?.seed;
  if (!(seed instanceof Uint8Array) || seed.length !== 32) {
    throw new RangeError(`ed25519Sign: expected a key pair or a 32-byte seed, got ${describe(keyPair)}`);
  }
  return new Uint8Array(sign(null, toBytes(data), privateKeyObject(seed)));
}

/**
 * Check an Ed25519 signature with a 32-byte public key. False for a wrong or malformed
 * signature; throws only when the public key itself is malformed (a configuration error).
 *
 * @example
 * ed25519Verify(pair.publicKey, "transfer 10 to bob", sig); // true
 */
export function ed25519Verify(publicKey: Uint8Array, data: Uint8Array | string, signature: Uint8Array): boolean {
  const key = publicKeyObject(publicKey);
  if (!(signature instanceof Uint8Array) || signature.length !== 64) return false;
  try {
    return verify(null, toBytes(data), key, signature);
  } catch {
    return false;
  }
}

/**
 * Node's KeyObject for a raw 32-byte Ed25519 public key (throws a clear error if malformed).
 *
 * @example
 * const key = publicKeyObject(pair.publicKey);
 */
export function publicKeyObject(publicKey: Uint8Array): KeyObject {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) {
    throw new RangeError(`Ed25519 public key must be 32 bytes, got ${describe(publicKey)}`);
  }
  return cached(publicKeyObjects, publicKey, () => {
    try {
      return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: "der", type: "spki" });
    } catch (e) {
      throw new RangeError(`Ed25519 public key is not a valid curve point: ${(e as Error).message}`);
    }
  });
}

function privateKeyObject(seed: Uint8Array): KeyObject {
  return cached(privateKeyObjects, seed, () => createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" }));
}

/** Parsed keys by their bytes (hex): building a KeyObject costs about as much as a signature. */
const publicKeyObjects = new Map<string, KeyObject>();
const privateKeyObjects = new Map<string, KeyObject>();
const KEY_CACHE_SIZE_MAX = 256;

function cached(cache: Map<string, KeyObject>, bytes: Uint8Array, make: () => KeyObject): KeyObject {
  const id = Buffer.from(bytes).toString("hex");
  let key = cache.get(id);
  if (key === undefined) {
    key = make();
    if (cache.size >= KEY_CACHE_SIZE_MAX) cache.delete(cache.keys().next().value as string);
    cache.set(id, key);
  }
  return key;
}

function describe(value: unknown): string {
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (value === null) return "null";
  return typeof value;
}
