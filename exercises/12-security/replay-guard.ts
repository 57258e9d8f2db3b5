/**
 * Exercise 12.2 — replay protection (20 points). Graded by `npm test`
 * (test/12-security.test.ts), or alone with `npm run grade -- 12.2`.
 *
 * A MAC proves that a request came from someone who holds the client's key and that nobody
 * changed it — but an attacker who captured a valid request can simply send it again, and the MAC
 * still verifies (a replay attack, lecture file 002, Security). The defence: every request carries
 * a NONCE (a value its client uses once) and a TIMESTAMP, both covered by the MAC. The server
 * refuses timestamps far from its clock and remembers the nonces it saw inside that window.
 * Write `replayGuardedServer(node, options)`.
 *
 * Wire: request `{ type: "signed_request", client, nonce, timestampMs, payload, mac }` where `mac`
 * is `base64urlEncode(hmacSha256(options.keys[client], envelopeSigningInput({ client, nonce,
 * timestampMs, payload })))` — the canonical JSON of `[client, nonce, timestampMs, payload]`
 * (lib/security's MAC envelope; `verifyEnvelope(body, key)` checks it in constant time).
 * - 400 `{ type: "error", code: 400, text }`: `client`, `nonce` or `mac` not a string, or
 *   `timestampMs` not a finite number. Never throw on a malformed body.
 * - 401: unknown client, a MAC that does not verify, or `|node.clock() − timestampMs| > windowMs`
 *   (use this node's own clock, `node.clock()`).
 * - A FRESH request (authentic, in the window, (client, nonce) not seen): call
 *   `options.execute(client, payload)` once and reply `{ type: "signed_request_ok", nonce, result }`.
 * - The SAME request again (same client, nonce and mac — the client retrying after a lost reply,
 *   or an attacker replaying a captured copy): do not execute it again and do not refuse it:
 *   reply with exactly the reply the first copy got. Nonces are per client: two clients may
 *   use the same nonce.
 * - A known (client, nonce) with a DIFFERENT mac (the nonce reused for another request): 409,
 *   execute nothing.
 * - Memory: forget a nonce once its timestamp has left the window (a request carrying it is now
 *   refused by the timestamp check anyway), so what you keep is bounded by the requests of one
 *   window. `rememberedNonces()` says how many (client, nonce) pairs you keep now; whatever you
 *   keep in `node.storage` must shrink the same way.
 * - Restart: `sim.crash` wipes memory, `node.storage` survives. Either keep the remembered
 *   requests and their replies in `node.storage` (a retry after the restart still gets its
 *   reply), or, at start, note `node.clock()` and refuse (401) every request whose timestamp is
 *   not later than that (nothing from before the crash can then be replayed; a retry of a request
 *   from before the crash is refused). Both are accepted. The grader's clocks differ by at most
 *   20 ms, a restart takes at least 50 ms, and no fresh request is sent in the first window after
 *   a restart.
 *
 * Use from `lib/security/index`: `verifyEnvelope` (or `envelopeSigningInput`, `hmacSha256`,
 * `base64urlDecode`, `constantTimeEqual`). `NonceCache` remembers nonces but not replies: the
 * point is to write the cache of replies yourself.
 *
 * Graded: 27 trials for each of 5 seeds, window 300–1000 ms, latency 5–15 ms. Grader clients send
 * fresh requests (two of them with one nonce), retry after a dropped reply, and resend after a
 * reply; a grader attacker replays captured requests at once, after half a window, after the
 * window and after a restart, moves a timestamp without re-signing, swaps a payload, and a client
 * reuses a nonce; malformed bodies. The grader's `execute` counts runs: each request must run
 * once, retries and replays never. Then a steady stream for 5 windows: at the end
 * `rememberedNonces()` must be at most the requests of the last 2 windows, and `node.storage` no
 * bigger than 2 windows into the stream (+25% and 512 bytes of slack).
 */
import type { Node } from "../../lib/node";
import { NotImplementedError } from "../not-implemented";

/** Options of {@link replayGuardedServer}. */
export interface ReplayGuardOptions {
  /** Each client's HMAC-SHA-256 key, by client id. */
  keys: Record<string, Uint8Array>;
  /** A request's timestampMs must be within ±windowMs of node.clock(). */
  windowMs: number;
  /** The protected operation: call it once per fresh request; it returns the reply's result. */
  execute(client: string, payload: unknown): unknown;
}

/** What the grader asks a running server. */
export interface ReplayGuardedServer {
  /** How many (client, nonce) pairs the server remembers now. */
  rememberedNonces(): number;
}

/**
 * Serve `signed_request`s on `node`, executing each fresh request once.
 *
 * @example
 * sim.spawn("bank", (node) =>
 *   replayGuardedServer(node, {
 *     keys: { alice: secretFromLabel("bank/alice") },
 *     windowMs: 500,
 *     execute: (client, payload) => ({ done: payload }),
 *   }),
 * );
 */
export function replayGuardedServer(node: Node, options: ReplayGuardOptions): ReplayGuardedServer {
  // Your code here (12.2)
  throw new NotImplementedError("12.2 replay-guard", "exercises/12-security/replay-guard.ts");
}
