/**
 * Exercise 08.4 — quorum reads and writes (15 points). Graded by `npm test`
 * (test/08-redundancy-and-recovery.test.ts), or alone with `npm run grade -- 08.4`.
 *
 * N replicas each keep, per key, a value and the version it was written with. A client that
 * reads from r of them and writes to w of them, with r + w > n, always meets the latest
 * completed write: every read quorum overlaps every write quorum (Gifford, "Weighted voting for
 * replicated data", 1979). That alone is not linearizable — two reads can see a write that is
 * still in progress in different orders — so a read also writes what it found back to w replicas
 * before it returns (Attiya, Bar-Noy & Dolev, "Sharing memory robustly in message-passing
 * systems", 1995; the multi-writer form of Lynch & Shvartsman, 1997). Write
 * `quorumClient(node, replicas, { r, w, timeoutMs })`, the client side; the replicas are the grader's.
 *
 * The replica wire (every request gets its answer with `in_reply_to` = the request's `msg_id`):
 * - `{ type: "q_read", key }` → `{ type: "q_read_ok", key, version, value }`, where `version` is
 *   `{ counter: number, writer: string }`, or `null` (and `value` null) for a key never written;
 * - `{ type: "q_write", key, version, value }` → `{ type: "q_write_ok" }`. The replica keeps the
 *   write only if `version` is higher than the one it has: versions compare by `counter`, then by
 *   `writer` (as strings, `"a" < "b"`), so two writers that pick the same counter are still ordered.
 *
 * The client:
 * - `put(key, value)`: phase 1 sends `q_read` to every replica and waits for the answers of r
 *   *different* replicas (a duplicated or repeated answer of one replica counts once); take the
 *   highest version among them. Phase 2 sends `q_write { key, version: { counter: highest
 *   counter + 1 (1 if none), writer: node.id }, value }` to every replica and waits for `q_write_ok`
 *   from w different replicas; then resolve.
 * - `get(key)`: phase 1 as above; the answer is the value of the highest version (null if every
 *   answer had version null — then return at once). Phase 2 writes that version and value back to
 *   every replica (read repair) and waits for w different `q_write_ok`; only then resolve with the value.
 * - Messages get lost: resend a phase's request to the replicas that have not answered yet (every
 *   timeoutMs / 5 or so). Count only answers to the current operation's own requests (match
 *   `in_reply_to`), never a late answer to an earlier one.
 * - A phase that has not heard from its quorum within `timeoutMs` rejects the operation (an Error);
 *   so an operation ends, one way or the other, within 2 × timeoutMs. It must never resolve
 *   without its quorums.
 *
 * How it is graded (27 runs of each of 3 scenarios for each of 5 seeds; names drawn per run,
 * other nodes spawned first, each client given the replicas in its own order; latency 5–15 ms,
 * unordered; timeoutMs 300–500): 3–4 clients of yours, each on its own node, run gets and puts
 * on 1–3 keys against 3 or 5 replicas of the grader, with (r, w) drawn so that r + w > n and
 * w > n/2.
 * (1) partial write: a put's q_write reaches one replica at once and the others 150 ms later (in
 * half the runs two clients put at once, with the same counter) while two clients take turns
 * reading; (2) crashes: n − max(r, w) replicas crash, another answers 20–60 ms late, 3% loss, 10%
 * duplication — every operation must succeed; (3) partition: one client is cut off with a
 * minority of the replicas for 300–500 ms, then all replicas but one crash for 200–300 ms and
 * restart (their state is durable) — operations that cannot reach a quorum must reject, the
 * others must succeed. Every operation must end within 2 × timeoutMs + 10 ms; the trace
 * must show its quorums (the answers of r, then w, different replicas to its own requests, before
 * it writes or returns), the put's version (counter above every counter it read, writer = node.id)
 * and the get's value (the highest version it read); and the history must be linearizable.
 */
import type { Node } from "../../lib/node";
import { NotImplementedError } from "../not-implemented";

/** What `quorumClient` returns. */
export interface QuorumClient {
  /** The value of `key` (null if never written), after writing it back to w replicas. */
  get(key: string): Promise<string | null>;
  /** Write `value` with a version higher than any of r replicas holds. */
  put(key: string, value: string): Promise<void>;
}

/**
 * A linearizable client of quorum-replicated registers (ABD, multi-writer): reads r replicas,
 * writes w replicas, and writes back what a get read.
 *
 * @example
 * sim.spawn("c1", async (node) => {
 *   const store = quorumClient(node, ["r1", "r2", "r3"], { r: 2, w: 2, timeoutMs: 200 });
 *   await store.put("x", "hello");
 *   await store.get("x"); // "hello"
 * });
 */
export function quorumClient(node: Node, replicas: string[], options: { r: number; w: number; timeoutMs: number }): QuorumClient {
  // Your code here (08.4)
  throw new NotImplementedError("08.4 quorum", "exercises/08-redundancy-and-recovery/quorum.ts");
}
