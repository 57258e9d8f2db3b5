/**
 * Exercise 08.1 — a primary–backup key–value store (15 points). Graded by `npm test`
 * (test/08-redundancy-and-recovery.test.ts), or alone with `npm run grade -- 08.1`.
 *
 * Write `primaryBackupServer(node, { viewServer, pingIntervalMs })`: one server of a replicated
 * key–value store. Several servers run it; a view service (the library's `viewService`, already
 * running on node `viewServer`) says which one is the **primary** and which the **backup**, as a
 * numbered view (lecture 000, "about failover"; DSLabs lab 2, MIT 6.824 2014 lab 2).
 *
 * The view service's wire. Every `pingIntervalMs` send `{ type: "ping", viewNum }` to `viewServer`
 * (`node.setPeriodic` and `node.send`); it answers `{ type: "view", view: { viewNum, primary,
 * backup } }` (node ids, or null). Ping with 0 until you know a view, then with the number of the
 * latest view you have **taken up**. Its rules: view 0 is empty; the first server to ping is
 * primary of view 1; it moves to view n+1 only after the primary of view n pinged with n (the
 * acknowledgement); a server silent for 3 ping intervals is dead, and one that pings 0 again after
 * having pinged a later view has restarted (treated as dead); then the backup becomes primary and an
 * idle server becomes backup. Keep the view with the highest viewNum you have received.
 *
 * The clients' wire (the grader's clients send to the server they think is primary, and reply
 * with `node.reply(request, …)`):
 *   { type: "get", key, client, seq }           → { type: "get_ok", value }  ("" for a missing key)
 *   { type: "put", key, value, client, seq }    → { type: "put_ok" }
 *   { type: "append", key, value, client, seq } → { type: "append_ok" }     (value added at the end)
 *   any of them at a server that is not the primary of its view → { type: "error", code: "not_primary" }
 * `client` is the client's id (not its node id), `seq` grows with each of its operations; a retry
 * (after a timeout, or a copy the network duplicated) reuses the seq. Each (client, seq) must take
 * effect at most once, and a retry gets the original answer: keep, per client, the last seq and its
 * reply (a "dedup table").
 *
 * The rules that make it safe (each one is a scenario of the grader):
 * - The primary forwards every operation — gets too — to the backup of its view and answers the
 *   client only after the backup acknowledged it. So an old primary that lost touch with the view
 *   service cannot answer anything once its backup has moved on: no stale read, no lost write.
 * - Run one operation at a time at the primary, so the backup applies them in the same order.
 * - The backup accepts a forward only from the primary of its own view, carrying that view's
 *   number; otherwise it refuses, and the primary waits for a newer view (ping) and tries again.
 *   With no backup in its view, the primary answers alone.
 * - A new backup first receives the whole state (the store and the dedup table) from the primary,
 *   before the primary serves any further operation; acknowledge the new view (ping its number)
 *   only once the backup has the state, or the view service may promote an empty backup. The
 *   network can deliver a copy of any message late: install one state transfer per view, and treat
 *   a seq at or below the client's last one as already done.
 * - There is no durable storage: a server that restarts starts empty and pings 0.
 * The wire between your servers (forward, state transfer, their answers) is yours: use
 * `node.rpc(backup, …, { timeoutMs })` and message types of your own.
 *
 * How it is graded: 9 scenarios, 3 runs each for each of 5 seeds (135 runs), latency 5–15 ms on
 * an unordered network, pingIntervalMs 40–60 drawn per run, node names drawn per run with other
 * nodes spawned first. In each, 2 or 3 of your servers and the grader's view service serve 3
 * grader clients, each doing 6–10 operations (get, put, append of values unique in the run, on 2
 * keys) and retrying with the same seq after 120 ms without answer or after not_primary. The
 * scenarios: (1) no faults; (2) the primary crashes; (3) the backup crashes; (4) the primary
 * crashes and restarts empty, rejoins as backup, and then the primary of that time crashes; (5) an
 * idle third server joins late, becomes backup when the backup crashes (it must get the state),
 * then primary when the primary crashes; (6) the primary is cut off from the view service and the
 * other clients for 500–900 ms while one client reaches only it — it must answer nothing: no stale
 * read, no lost write; (7) 10–20% message loss and duplication (pings and views spared); (8) three
 * failovers in a row; (9) clients that send every request twice and retry after 50 ms, while the
 * network delivers late copies (20–100 ms) of most messages between your servers, and the backup,
 * then the primary crashes. Every run's history (each operation from its first send to its answer)
 * must be linearizable — the library's linearizability checker with the key–value model — and,
 * once the last fault is over, every client must finish all its operations within 2000 ms.
 */
import type { Node } from "../../lib/node";
import { NotImplementedError } from "../not-implemented";

/**
 * One server of the primary–backup store: pings the view service, serves as primary, follows as
 * backup, waits when idle.
 *
 * @example
 * sim.spawn("vs", (node) => viewService(node, { pingIntervalMs: 50 }));
 * sim.spawn("s1", (node) => primaryBackupServer(node, { viewServer: "vs", pingIntervalMs: 50 }));
 */
export function primaryBackupServer(node: Node, options: { viewServer: string; pingIntervalMs: number }): void {
  // Your code here (08.1)
  throw new NotImplementedError("08.1 primary-backup", "exercises/08-redundancy-and-recovery/primary-backup.ts");
}
