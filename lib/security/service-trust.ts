// Trust between services with public-key signatures (WS-Security's signed messages, file 003;
// today: signed service-to-service requests). Each service holds an Ed25519 key pair and signs
// its requests; a receiver keeps the PUBLIC keys of the services it trusts and verifies. Unlike a
// shared MAC key, a public key lets the receiver check — but not forge — the sender's requests,
// and one leaked receiver does not let an attacker impersonate the senders.
// A signed request carries a timestamp and a nonce under the signature, so a receiver that also
// keeps a NonceCache refuses replays.
import { base64urlDecode, base64urlEncode } from "./base64url";
import { ed25519Sign, ed25519Verify, type Ed25519KeyPair } from "./ed25519";
import { canonicalJson, type NonceCache } from "./replay";

/** A request signed by a service. */
export interface SignedRequest {
  /** The signing service's name (the receiver looks up its public key by it). */
  service: string;
  timestampMs: number;
  nonce: string;
  /** The request itself (any JSON). */
  body: unknown;
  /** base64url Ed25519 signature over canonical JSON of [service, timestampMs, nonce, body]. */
  signature: string;
}

/** Why a signed request was refused. */
export type ServiceRequestRejection = "malformed" | "unknown_service" | "bad_signature" | "outside_window" | "replayed";

/** The verdict of {@link verifyServiceRequest}. */
export type ServiceRequestVerdict =
  | { kind: "valid"; service: string; body: unknown }
  | { kind: "invalid"; reason: ServiceRequestRejection; detail: string };

/** Options for {@link verifyServiceRequest}. */
export interface VerifyServiceRequestOptions {
  /** Public keys of the trusted services, by name. */
  trusted: Record<string, Uint8Array>;
  /** The receiver's time (virtual ms). */
  now: number;
  /** Refuse timestamps more than this far from `now`. Default: no window check. */
  windowMs?: number;
  /** If given, a (service, nonce) seen before is a replay (the cache's window applies too). */
  nonces?: NonceCache;
}

/**
 * Sign a request as a service.
 *
 * @example
 * const req = signServiceRequest({ service: "orders", keyPair: ordersKeys, timestampMs: node.now(),
 *   nonce: `o-${n++}`, body: { op: "charge", amount: 5 } });
 * node.send("payments", { type: "signed_request", request: req });
 */
export function signServiceRequest(options: { service: string; keyPair: Ed25519KeyPair; timestampMs: number; nonce: string; body: unknown }): SignedRequest {
  const { service, keyPair, timestampMs, nonce, body } = options;
  if (typeof service !== "string" || typeof nonce !== "string" || typeof timestampMs !== "number") {
    throw new TypeError(`signServiceRequest: needs string service, string nonce and number timestampMs`);
  }
  const signature = base64urlEncode(ed25519Sign(keyPair, canonicalJson([service, timestampMs, nonce, body])));
  return { service, timestampMs, nonce, body, signature };
}

/**
 * Verify a signed request: known service, valid signature, then (optionally) the time window
 * and the nonce. Never throws on a bad request.
 *
 * @example
 * const v = verifyServiceRequest(msg.body.request, { trusted: { orders: ordersKeys.publicKey }, now: node.now(), windowMs: 5000, nonces });
 */
export function verifyServiceRequest(request: unknown, options: VerifyServiceRequestOptions): ServiceRequestVerdict {
  const invalid = (reason: ServiceRequestRejection, detail: string): ServiceRequestVerdict => ({ kind: "invalid", reason, detail });
  const r = request as SignedRequest;
  if (!r || typeof r !== "object" || typeof r.service !== "string" || typeof r.nonce !== "string" || typeof r.timestampMs !== "number" || typeof r.signature !== "string") {
    return invalid("malformed", "a signed request needs string service, nonce, signature and number timestampMs");
  }
  if (!Object.prototype.hasOwnProperty.call(options.trusted, r.service)) return invalid("unknown_service", `no trusted public key for "${r.service}"`);
  let sig: Uint8Array;
  let input: string;
  try {
    sig = base64urlDecode(r.signature);
    input = canonicalJson([r.service, r.timestampMs, r.nonce, r.body]);
  } catch (e) {
    return invalid("malformed", (e as Error).message);
  }
  if (!ed25519Verify(options.trusted[r.service], input, sig)) return invalid("bad_signature", `signature does not match the public key of "${r.service}"`);
  if (options.windowMs !== undefined && Math.abs(options.now - r.timestampMs) > options.windowMs) {
    return invalid("outside_window", `timestamp ${r.timestampMs} ms is more than ${options.windowMs} ms from now (${options.now} ms)`);
  }
  if (options.nonces) {
    const v = options.nonces.check({ client: r.service, nonce: r.nonce, timestampMs: r.timestampMs, nowMs: options.now });
    if (v.kind === "replayed") return invalid("replayed", v.detail);
    if (v.kind === "outside_window") return invalid("outside_window", v.detail);
  }
  return { kind: "valid", service: r.service, body: r.body };
}
