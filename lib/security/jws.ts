// Signed tokens in JWS compact serialization (RFC 7515 §7.1):
//   BASE64URL(header) "." BASE64URL(payload) "." BASE64URL(signature)
// where the signature covers the ASCII bytes of the first two parts. Two algorithms:
//   HS256 — HMAC-SHA-256 with a secret shared by issuer and verifier (RFC 7518 §3.2);
//   EdDSA — Ed25519 with the issuer's secret key, verified with its public key (RFC 8037 §3.1).
// The payload carries JWT claims (RFC 7519 §4.1) — but times (iat, nbf, exp) are in VIRTUAL
// MILLISECONDS (node.now()), not in seconds since 1970 as RFC 7519 has them.
//
// The verifier never trusts the header's `alg` on its own: the key it looks up by `kid` fixes the
// algorithm. That defeats the two classic attacks on JWT libraries: `alg: "none"` (an unsigned
// token accepted as valid) and algorithm confusion (an HS256 token whose "secret" is the issuer's
// PUBLIC Ed25519 key, which the attacker knows).
import { base64urlDecode, base64urlDecodeText, base64urlEncode, toBytes } from "./base64url";
import { constantTimeEqual, hmacSha256 } from "./hmac";
import { ed25519Sign, ed25519Verify, publicKeyObject, type Ed25519KeyPair } from "./ed25519";

/** The algorithms this library signs and verifies. */
export type JwsAlgorithm = "HS256" | "EdDSA";

/** A JWS protected header. */
export interface JwsHeader {
  alg: string;
  kid?: string;
  typ?: string;
  [name: string]: unknown;
}

/** The claims of a session token. Times are virtual milliseconds (node.now()), not seconds. */
export interface TokenClaims {
  /** Subject: the user or service the token speaks for. */
  sub: string;
  /** Roles for RBAC. */
  roles?: string[];
  /** Issuer: who signed it. */
  iss?: string;
  /** Audience: the service(s) it is meant for. */
  aud?: string | string[];
  /** Issued at (virtual ms). */
  iat?: number;
  /** Not valid before (virtual ms). */
  nbf?: number;
  /** Expires at (virtual ms); invalid from this instant on. */
  exp?: number;
  /** Token id (unique per token; lets a server revoke or deduplicate one). */
  jti?: string;
  [claim: string]: unknown;
}

/** A key that signs: a shared HMAC secret or an Ed25519 key pair, named by `kid`. */
export type SigningKey =
  | { kid: string; alg: "HS256"; secret: Uint8Array }
  | { kid: string; alg: "EdDSA"; keyPair: Ed25519KeyPair };

/** A key that verifies: the same HMAC secret, or only the Ed25519 PUBLIC key. */
export type VerificationKey = { alg: "HS256"; secret: Uint8Array } | { alg: "EdDSA"; publicKey: Uint8Array };

/** Why a token was refused. */
export type TokenRejection =
  | "malformed"
  | "bad_signature"
  | "expired"
  | "not_yet_valid"
  | "wrong_audience"
  | "wrong_issuer"
  | "unknown_key"
  | "alg_not_allowed";

/** The verdict of {@link verifyToken}. */
export type TokenVerdict =
  | { kind: "valid"; claims: TokenClaims; header: JwsHeader }
  | { kind: "invalid"; reason: TokenRejection; detail: string };

/** Options for {@link verifyToken}. */
export interface VerifyTokenOptions {
  /** Verification keys by `kid`. The key, not the token, decides the algorithm. */
  keys: Record<string, VerificationKey>;
  /** The verifier's current time in virtual ms (node.now()). */
  now: number;
  /** Tolerated clock difference between issuer and verifier. Default 0. */
  clockSkewMs?: number;
  /** Required `iss`, if given. */
  issuer?: string;
  /** This service's name: `aud` must be it or contain it, if given. */
  audience?: string;
  /** Algorithms accepted. Default ["HS256", "EdDSA"]. "none" is never accepted. */
  algorithms?: JwsAlgorithm[];
}

/** The three parts of a compact JWS, decoded. */
export interface DecodedJws {
  header: JwsHeader;
  /** The payload bytes (JSON text for a token). */
  payload: Uint8Array;
  /** The ASCII text the signature covers: `<header b64>.<payload b64>`. */
  signingInput: string;
  signature: Uint8Array;
}

/**
 * An HS256 signing key (also its own verification key) with id `kid`.
 *
 * @example
 * const key = hs256Key("k1", secretFromLabel("auth/k1"));
 */
export function hs256Key(kid: string, secret: Uint8Array | string): SigningKey {
  const bytes = toBytes(secret);
  if (bytes.length < 16) throw new RangeError(`hs256Key "${kid}": the secret must be at least 16 bytes, got ${bytes.length}`);
  return { kid, alg: "HS256", secret: bytes };
}

/**
 * An EdDSA (Ed25519) signing key with id `kid`.
 *
 * @example
 * const key = eddsaKey("auth-ed", ed25519KeyPair("auth"));
 */
export function eddsaKey(kid: string, keyPair: Ed25519KeyPair): SigningKey {
  if (!keyPair || !(keyPair.seed instanceof Uint8Array) || !(keyPair.publicKey instanceof Uint8Array)) {
    throw new TypeError(`eddsaKey "${kid}": expected an Ed25519 key pair { seed, publicKey }`);
  }
  return { kid, alg: "EdDSA", keyPair };
}

/**
 * What a verifier needs for a signing key: the secret for HS256, only the public key for EdDSA.
 *
 * @example
 * const keys = { [key.kid]: verificationKeyOf(key) };
 */
export function verificationKeyOf(key: SigningKey): VerificationKey {
  return key.alg === "HS256" ? { alg: "HS256", secret: key.secret } : { alg: "EdDSA", publicKey: key.keyPair.publicKey };
}

/**
 * The verification keys of several signing keys, by kid (what a server is configured with).
 *
 * @example
 * verifyToken(token, { keys: keySet([hsKey, edKey]), now: node.now() });
 */
export function keySet(keys: SigningKey[]): Record<string, VerificationKey> {
  const out: Record<string, VerificationKey> = {};
  for (const k of keys) {
    if (out[k.kid]) throw new RangeError(`keySet: two keys have kid "${k.kid}"`);
    out[k.kid] = verificationKeyOf(k);
  }
  return out;
}

/**
 * Sign arbitrary header and payload as a compact JWS with an explicit algorithm and raw key
 * (the low-level form used by the RFC test vectors). The header is used byte for byte when given
 * as a string.
 *
 * @example
 * jwsSign('{"alg":"EdDSA"}', "Example of Ed25519 signing", { alg: "EdDSA", keyPair });
 */
export function jwsSign(
  header: JwsHeader | string,
  payload: Uint8Array | string,
  key: { alg: "HS256"; secret: Uint8Array } | { alg: "EdDSA"; keyPair: Ed25519KeyPair },
): string {
  const headerText = typeof header === "string" ? header : JSON.stringify(header);
  const signingInput = `${base64urlEncode(headerText)}.${base64urlEncode(payload)}`;
  const signature = key.alg === "HS256" ? hmacSha256(key.secret, signingInput) : ed25519Sign(key.keyPair, signingInput);
  return `${signingInput}.${base64urlEncode(signature)}`;
}

/**
 * Split and decode a compact JWS without checking anything but its shape. Throws a clear
 * error on a malformed token (not three parts, bad base64url, header not a JSON object, no alg).
 *
 * @example
 * decodeJws(token).header.kid; // "k1"
 */
export function decodeJws(token: string): DecodedJws {
  if (typeof token !== "string") throw new TypeError(`JWS must be a string, got ${typeof token}`);
  const parts = token.split(".");
  if (parts.length !== 3) throw new RangeError(`JWS must have 3 dot-separated parts, got ${parts.length}`);
  let header: unknown;
  try {
    header = JSON.parse(base64urlDecodeText(parts[0]));
  } catch (e) {
    throw new RangeError(`JWS header is not base64url JSON: ${(e as Error).message}`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) throw new RangeError("JWS header is not a JSON object");
  if (typeof (header as JwsHeader).alg !== "string") throw new RangeError("JWS header has no string `alg`");
  return {
    header: header as JwsHeader,
    payload: base64urlDecode(parts[1]),
    signingInput: `${parts[0]}.${parts[1]}`,
    signature: base64urlDecode(parts[2]),
  };
}

/**
 * Check only the signature of a compact JWS with one key, whose algorithm must equal the
 * header's `alg`. No claims are checked (use {@link verifyToken} for tokens).
 *
 * @example
 * verifyJwsSignature(token, { alg: "HS256", secret }); // true or false
 */
export function verifyJwsSignature(token: string, key: VerificationKey): boolean {
  let jws: DecodedJws;
  try {
    jws = decodeJws(token);
  } catch {
    return false;
  }
  if (jws.header.alg !== key.alg) return false;
  return checkSignature(jws, key);
}

/**
 * Sign a token's claims with a key: header `{ alg, typ: "JWT", kid }`. Times in the claims are
 * virtual milliseconds.
 *
 * @example
 * const token = signToken({ sub: "alice", roles: ["teller"], iss: "auth", aud: "bank",
 *   iat: node.now(), exp: node.now() + 60_000, jti: "t-1" }, key);
 */
export function signToken(claims: TokenClaims, key: SigningKey): string {
  if (!claims || typeof claims.sub !== "string") throw new TypeError(`signToken: claims need a string \`sub\`, got ${JSON.stringify(claims)}`);
  for (const name of ["iat", "nbf", "exp"] as const) {
    const v = claims[name];
    if (v !== undefined && (typeof v !== "number" || !Number.isFinite(v))) {
      throw new TypeError(`signToken: claim \`${name}\` must be a number of virtual ms, got ${JSON.stringify(v)}`);
    }
  }
  if (!key || (key.alg !== "HS256" && key.alg !== "EdDSA")) throw new TypeError(`signToken: unknown key ${JSON.stringify(key && (key as SigningKey).alg)}`);
  const header: JwsHeader = { alg: key.alg, typ: "JWT", kid: key.kid };
  return jwsSign(header, JSON.stringify(claims), key.alg === "HS256" ? { alg: "HS256", secret: key.secret } : { alg: "EdDSA", keyPair: key.keyPair });
}

/**
 * Verify a token: shape, algorithm (allowed AND equal to the key's), key by `kid`, signature,
 * then `exp` / `nbf` against `now` with `clockSkewMs`, then `iss` and `aud`. Returns the claims
 * or the first reason for refusal. Never throws on a bad token.
 *
 * Checks in order: malformed → alg_not_allowed ("none", not in `algorithms`) → unknown_key →
 * alg_not_allowed (header alg differs from the key's: algorithm confusion) → bad_signature →
 * malformed (claims not a JSON object with a string `sub`) → expired (now ≥ exp + skew) →
 * not_yet_valid (now < nbf − skew) → wrong_issuer → wrong_audience.
 *
 * @example
 * const v = verifyToken(token, { keys, now: node.now(), clockSkewMs: 1000, issuer: "auth", audience: "bank" });
 * if (v.kind === "invalid") node.reply(msg, { type: "error", code: 401, text: v.reason });
 */
export function verifyToken(token: string, options: VerifyTokenOptions): TokenVerdict {
  const invalid = (reason: TokenRejection, detail: string): TokenVerdict => ({ kind: "invalid", reason, detail });
  if (!options || typeof options.keys !== "object" || options.keys === null) throw new TypeError("verifyToken: options.keys (keys by kid) is required");
  if (typeof options.now !== "number" || !Number.isFinite(options.now)) throw new TypeError(`verifyToken: options.now must be the virtual time in ms, got ${options.now}`);
  const skew = options.clockSkewMs ?? 0;
  const allowed: string[] = options.algorithms ?? ["HS256", "EdDSA"];
  let jws: DecodedJws;
  try {
    jws = decodeJws(token);
  } catch (e) {
    return invalid("malformed", (e as Error).message);
  }
  const alg = jws.header.alg;
  if (alg.toLowerCase() === "none") return invalid("alg_not_allowed", `alg "${alg}" (an unsigned token) is never accepted`);
  if (!allowed.includes(alg)) return invalid("alg_not_allowed", `alg "${alg}" is not among the allowed ${JSON.stringify(allowed)}`);
  const kid = jws.header.kid;
  if (typeof kid !== "string" || !Object.prototype.hasOwnProperty.call(options.keys, kid)) {
    return invalid("unknown_key", kid === undefined ? "token header has no kid" : `no key with kid ${JSON.stringify(kid)}`);
  }
  const key = options.keys[kid];
  if (key.alg !== alg) return invalid("alg_not_allowed", `key "${kid}" is for ${key.alg}, the token claims ${alg} (algorithm confusion)`);
  if (!checkSignature(jws, key)) return invalid("bad_signature", `the ${alg} signature does not match key "${kid}"`);
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(jws.payload).toString("utf8"));
  } catch {
    return invalid("malformed", "payload is not JSON");
  }
  if (typeof claims !== "object" || claims === null || Array.isArray(claims)) return invalid("malformed", "payload is not a JSON object");
  const c = claims as TokenClaims;
  if (typeof c.sub !== "string") return invalid("malformed", "claims have no string `sub`");
  for (const name of ["iat", "nbf", "exp"] as const) {
    if (c[name] !== undefined && typeof c[name] !== "number") return invalid("malformed", `claim \`${name}\` is not a number`);
  }
  const now = options.now;
  if (c.exp !== undefined && now >= c.exp + skew) return invalid("expired", `expired at ${c.exp} ms, now ${now} ms (skew ${skew} ms)`);
  if (c.nbf !== undefined && now < c.nbf - skew) return invalid("not_yet_valid", `valid from ${c.nbf} ms, now ${now} ms (skew ${skew} ms)`);
  if (options.issuer !== undefined && c.iss !== options.issuer) {
    return invalid("wrong_issuer", `iss ${JSON.stringify(c.iss)}, expected ${JSON.stringify(options.issuer)}`);
  }
  if (options.audience !== undefined) {
    const aud = Array.isArray(c.aud) ? c.aud : [c.aud];
    if (!aud.includes(options.audience)) return invalid("wrong_audience", `aud ${JSON.stringify(c.aud)} does not include ${JSON.stringify(options.audience)}`);
  }
  return { kind: "valid", claims: c, header: jws.header };
}

function checkSignature(jws: DecodedJws, key: VerificationKey): boolean {
  if (key.alg === "HS256") {
    if (!(key.secret instanceof Uint8Array)) throw new TypeError("HS256 verification key has no secret bytes");
    return constantTimeEqual(hmacSha256(key.secret, jws.signingInput), jws.signature);
  }
  publicKeyObject(key.publicKey); // throws a clear error for a malformed configured key
  return ed25519Verify(key.publicKey, jws.signingInput, jws.signature);
}
