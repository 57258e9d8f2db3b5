// Replay protection (file 002, Security: "replay attack"): an attacker who captured a valid,
// correctly MACed request can send it again later — the MAC still verifies. The defence is to
// make every request unique and fresh: the client adds a NONCE (a number used once) and a
// TIMESTAMP, both covered by the MAC. The server refuses a timestamp outside a window around
// its clock, and remembers the nonces it has seen inside that window; a nonce repeated in the
// window is a replay. Nonces older than the window can be forgotten, because a request carrying
// them would now fail the timestamp check — so the memory is bounded by the window.
import { base64urlDecode, base64urlEncode } from "./base64url";
import { constantTimeEqual, hmacSha256 } from "./hmac";

/** Options for {@link NonceCache}. */
export interface NonceCacheOptions {
  /** Accept timestamps within ±windowMs of the server's clock. */
  windowMs: number;
}

/** What {@link NonceCache.check} decided. */
export type NonceVerdict =
  | { kind: "fresh" }
  | { kind: "replayed"; detail: string }
  | { kind: "outside_window"; detail: string };

/** A nonce cache's contents, for `node.storage` (so it survives a restart). */
export interface NonceCacheState {
  windowMs: number;
  /** [client, nonce, timestampMs] triples still remembered. */
  entries: [string, string, number][];
}

/**
 * Remembers (client, nonce) pairs for a time window and refuses repeats and stale timestamps.
 *
 * @example
 * const cache = new NonceCache({ windowMs: 30_000 });
 * cache.check({ client: "alice", nonce: "n1", timestampMs: 1000, nowMs: 1200 }); // { kind: "fresh" }
 * cache.check({ client: "alice", nonce: "n1", timestampMs: 1000, nowMs: 1500 }); // { kind: "replayed", … }
 */
export class NonceCache {
  readonly windowMs: number;
  /** key "client\u0000nonce" → timestamp of the request that used it. */
  private readonly seen = new Map<string, number>();

  constructor(options: NonceCacheOptions) {
    if (!options || typeof options.windowMs !== "number" || !(options.windowMs > 0)) {
      throw new RangeError(`NonceCache: windowMs must be a positive number of ms, got ${options && options.windowMs}`);
    }
    this.windowMs = options.windowMs;
  }

  /**
   * Check a request and, if fresh, remember its nonce. Forgets nonces that left the window.
   *
   * @example
   * const v = cache.check({ client: msg.src, nonce: body.nonce, timestampMs: body.timestampMs, nowMs: node.now() });
   */
  check(request: { client: string; nonce: string; timestampMs: number; nowMs: number }): NonceVerdict {
    const { client, nonce, timestampMs, nowMs } = request;
    if (typeof timestampMs !== "number" || !Number.isFinite(timestampMs)) {
      return { kind: "outside_window", detail: `timestamp ${JSON.stringify(timestampMs)} is not a number` };
    }
    this.forgetBefore(nowMs - this.windowMs);
    if (Math.abs(nowMs - timestampMs) > this.windowMs) {
      return { kind: "outside_window", detail: `timestamp ${timestampMs} ms is more than ${this.windowMs} ms from now (${nowMs} ms)` };
    }
    const key = `${client}\u0000${nonce}`;
    if (this.seen.has(key)) return { kind: "replayed", detail: `nonce "${nonce}" of "${client}" was already used at ${this.seen.get(key)} ms` };
    this.seen.set(key, timestampMs);
    return { kind: "fresh" };
  }

  /**
   * Whether a (client, nonce) pair is remembered (without recording it).
   *
   * @example
   * cache.has("alice", "n1"); // true
   */
  has(client: string, nonce: string): boolean {
    return this.seen.has(`${client}\u0000${nonce}`);
  }

  /**
   * Forget nonces whose timestamp is before `cutoffMs` (they can no longer pass the window check).
   *
   * @example
   * cache.forgetBefore(node.now() - cache.windowMs);
   */
  forgetBefore(cutoffMs: number): void {
    for (const [key, ts] of this.seen) if (ts < cutoffMs) this.seen.delete(key);
  }

  /** How many nonces are remembered. @example cache.size */
  get size(): number {
    return this.seen.size;
  }

  /**
   * The contents as plain JSON, for `node.storage`.
   *
   * @example
   * node.storage.set("nonces", cache.toJSON());
   */
  toJSON(): NonceCacheState {
    return {
      windowMs: this.windowMs,
      entries: [...this.seen].map(([key, ts]) => {
        const i = key.indexOf("\u0000");
        return [key.slice(0, i), key.slice(i + 1), ts] as [string, string, number];
      }),
    };
  }

  /**
   * Rebuild a cache from {@link NonceCache.toJSON}'s output (after a restart).
   *
   * @example
   * const cache = NonceCache.fromJSON(node.storage.get("nonces"));
   */
  static fromJSON(state: NonceCacheState): NonceCache {
    if (!state || !Array.isArray(state.entries)) throw new TypeError("NonceCache.fromJSON: expected { windowMs, entries }");
    const cache = new NonceCache({ windowMs: state.windowMs });
    for (const [client, nonce, ts] of state.entries) cache.seen.set(`${client}\u0000${nonce}`, ts);
    return cache;
  }
}

/**
 * A deterministic JSON encoding: object keys sorted, no spaces, so sender and receiver MAC the
 * same bytes however the object was built. Throws on values JSON cannot carry (undefined
 * fields are dropped, as JSON.stringify does; functions, NaN and Infinity throw).
 *
 * @example
 * canonicalJson({ b: 1, a: [true, "x"] }); // '{"a":[true,"x"],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw new RangeError(`canonicalJson: ${value} cannot be encoded`);
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
    }
    default:
      throw new TypeError(`canonicalJson: a ${typeof value} cannot be encoded as JSON`);
  }
}

/** The fields an envelope's MAC covers. */
export interface EnvelopeFields {
  client: string;
  nonce: string;
  timestampMs: number;
  payload: unknown;
}

/** A request with its MAC (base64url of HMAC-SHA-256 over {@link envelopeSigningInput}). */
export interface MacEnvelope extends EnvelopeFields {
  mac: string;
}

/**
 * The exact text an envelope's MAC covers: the canonical JSON of [client, nonce, timestampMs, payload].
 *
 * @example
 * envelopeSigningInput({ client: "a", nonce: "n", timestampMs: 5, payload: { x: 1 } }); // '["a","n",5,{"x":1}]'
 */
export function envelopeSigningInput(fields: EnvelopeFields): string {
  return canonicalJson([fields.client, fields.nonce, fields.timestampMs, fields.payload]);
}

/**
 * Attach a MAC to a request (client id, nonce, timestamp and payload all covered).
 *
 * @example
 * const env = macEnvelope({ client: "alice", nonce: "n-1", timestampMs: node.now(), payload: { op: "pay", amount: 10 } }, key);
 * node.send("bank", { type: "request", ...env });
 */
export function macEnvelope(fields: EnvelopeFields, key: Uint8Array): MacEnvelope {
  if (!fields || typeof fields.client !== "string" || typeof fields.nonce !== "string" || typeof fields.timestampMs !== "number") {
    throw new TypeError(`macEnvelope: needs string client, string nonce and number timestampMs, got ${JSON.stringify(fields)}`);
  }
  if (!(key instanceof Uint8Array)) throw new TypeError("macEnvelope: key must be bytes (Uint8Array)");
  const mac = base64urlEncode(hmacSha256(key, envelopeSigningInput(fields)));
  return { client: fields.client, nonce: fields.nonce, timestampMs: fields.timestampMs, payload: fields.payload, mac };
}

/**
 * Check an envelope's MAC (constant-time). False for any change to client, nonce, timestamp or
 * payload, a missing field, or a MAC made with another key. It does NOT detect replays: pair it
 * with a {@link NonceCache}.
 *
 * @example
 * if (!verifyEnvelope(msg.body, keyOf(msg.body.client))) node.reply(msg, { type: "error", code: 401, text: "bad MAC" });
 */
export function verifyEnvelope(envelope: unknown, key: Uint8Array): boolean {
  if (!(key instanceof Uint8Array)) throw new TypeError("verifyEnvelope: key must be bytes (Uint8Array)");
  const e = envelope as MacEnvelope;
  if (!e || typeof e !== "object" || typeof e.client !== "string" || typeof e.nonce !== "string" || typeof e.timestampMs !== "number" || typeof e.mac !== "string") {
    return false;
  }
  let given: Uint8Array;
  let expected: Uint8Array;
  try {
    given = base64urlDecode(e.mac);
    expected = hmacSha256(key, envelopeSigningInput(e));
  } catch {
    return false;
  }
  return constantTimeEqual(expected, given);
}
