/**
 * Exercise 09D — a key–value service on Raft with exactly-once retries (15 points). Graded by
 * `npm test` (test/09-consensus-raft.test.ts), or alone with `npm run grade -- 09D`.
 *
 * 6.5840's kvraft on the library's Raft (`raftNode` from lib/raft): five servers replicate a map
 * of string keys to string values; clerks call get / put / append. Clients retry — a reply can be
 * lost after the operation took effect — so the service must apply each request **exactly once**,
 * and every operation, reads included, must be **linearizable**.
 *
 * The wire (fixed: the grader's clerks talk to your servers and its servers to your clerk):
 *
 *   clerk → server  { type: "kv_request", op: "get" | "put" | "append", key, value?, clientId, seq }
 *   server → clerk  { type: "kv_reply", status: "ok", value? }              (node.reply; value: a get's result, "" if unset)
 *                   { type: "kv_reply", status: "not_leader", leaderHint }   (not done here: try the hint, or another server)
 *
 * The exactly-once rule: a clerk has one `clientId` for its life (default `${node.id}#${node.incarnation}`)
 * and numbers its operations seq = 1, 2, 3, … — every retry of one operation carries the same seq.
 * A server keeps, per clientId, the last seq it applied and the reply it gave (the duplicate
 * table); a command with seq ≤ that is not applied again, and the stored reply is returned. The
 * table is part of the service's state: it goes into snapshots with the store and comes back from them.
 *
 * Write both:
 * - `kvServer(node, options)`: start `raftNode(node, { ...options, onApply, snapshotData })` and
 *   return `{ raft }` (its handle; the grader checks Raft's safety through it). Handle
 *   `kv_request`: propose the command (a get too: reads go through the log); if Raft says
 *   not_leader, reply so with its hint; else remember the request under the index and term
 *   propose returned. In `onApply`, apply each committed command once (the rule above), then answer
 *   the request waiting at that index — ok only if the entry applied there has the term it was
 *   proposed in and is that request; not_leader otherwise, and also when the server stops being
 *   leader of that term while the request waits. With `options.snapshotEntriesMax`, `snapshotData`
 *   returns `{ store, sessions }`; a `{ kind: "snapshot" }` apply message replaces both.
 * - `kvClerk(node, servers, options?)`: `get(key)`, `put(key, value)`, `append(key, value)`
 *   promises that settle only once the operation took effect: send to the server that last
 *   answered ok (with `node.rpc` and a timeout, e.g. 150 ms), follow a not_leader's hint when it
 *   names one of `servers`, otherwise try the next server; pause a little after a round of failures.
 *
 * How it is graded (5 seeds × 27 trials; lib/raft underneath; Raft's safety checked after every
 * event; after the faults end every operation must complete within 3 s; each history is checked
 * with `checkLinearizability(history, kvModel())` — an "unknown" verdict fails too): your server ×5
 * with the grader's clerks — one client; five clients; 20% message loss; partitions of servers and
 * clients every 400 ms; servers crashed and restarted with 10% loss and snapshotEntriesMax=10 (the
 * log must stay ≤ 20 entries); one partition (the leader's majority completes operations, the
 * minority's clients complete none until healed); and your clerk with the grader's servers ×5 —
 * 25% loss; partitions and crashes; one partition.
 */
import type { KvClerk, KvClerkOptions, KvServerOptions } from "../../lib/kv";
import type { Node } from "../../lib/node";
import type { RaftHandle } from "../../lib/raft";
import { NotImplementedError } from "../not-implemented";

/**
 * A key–value server on `node`: Raft underneath, each request applied once, reads through the log.
 *
 * @example
 * sim.spawn("n1", (node) => kvServer(node, { peers: ["n2", "n3", "n4", "n5"], tickMs: 10 }));
 */
export function kvServer(node: Node, options: KvServerOptions): { raft: RaftHandle } {
  // Your code here (09D)
  throw new NotImplementedError("09D kv", "exercises/09-consensus-raft/kv.ts");
}

/**
 * A clerk for `servers`: operations that retry with the same seq until they took effect.
 *
 * @example
 * const clerk = kvClerk(node, ["n1", "n2", "n3", "n4", "n5"]);
 * await clerk.append("x", "a");
 */
export function kvClerk(node: Node, servers: readonly string[], options?: KvClerkOptions): KvClerk {
  // Your code here (09D)
  throw new NotImplementedError("09D kv", "exercises/09-consensus-raft/kv.ts");
}
