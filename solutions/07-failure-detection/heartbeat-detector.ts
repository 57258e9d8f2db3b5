/**
 * Exercise 07.1 — heartbeat detector (15 points). Graded by `npm test` (test/07-failure-detection.test.ts),
 * or alone with `npm run grade -- 07.1`.
 *
 * The simplest failure detector: the monitored nodes send heartbeats; a node silent for longer
 * than a timeout is suspected, and trusted again as soon as it is heard from. Write
 * `heartbeatDetector(node, monitored, { timeoutMs }, report)`, run on the monitoring node.
 *
 * - The grader's monitored nodes send `{ type: "heartbeat", seq }` to you (seq counts up; ignore it).
 *   Other nodes may send heartbeats too: watch only the ids in `monitored` (not `node.peers()`).
 * - Call `report(id, true)` when `id` becomes suspected and `report(id, false)` when a suspected
 *   `id` is heard from again. Every node starts trusted (no report at creation); report changes
 *   only (never `true` twice in a row for one id, never `false` for a trusted id).
 *
 * The rules the grader checks for every monitored id, with `last` the arrival of its last
 * heartbeat (or the moment the detector was created, if none arrived yet):
 * - accuracy: `report(id, true)` at time T only if T − last ≥ timeoutMs — on the grader's
 *   slow-but-alive network, heartbeats arrive at most 0.8 × timeoutMs apart, so a correct
 *   detector makes **0 false suspicions**;
 * - completeness: once T − last > timeoutMs + 50 ms, `id` must have been reported suspected
 *   (check at least every 50 ms: `node.setPeriodic`, or a timer per node; never `setInterval`);
 * - recovery: a suspected id must be reported `false` within 50 ms of its next heartbeat's arrival.
 *
 * Graded: 27 trials for each of 5 seeds, 3 s each. timeoutMs is drawn per trial (200–600 ms);
 * 3–5 monitored nodes send a heartbeat every timeoutMs/4, each delayed by up to 0.5 × timeoutMs;
 * each node is steady, crashes, crashes and restarts (heartbeating again), or never sends at all;
 * a node outside `monitored` heartbeats you too; bystanders are spawned first; latency 2–10 ms.
 */
import type { Node } from "../../lib/node";

/**
 * Watch the monitored nodes' heartbeats; report each change of suspicion.
 *
 * @example
 * sim.spawn("m", (node) => heartbeatDetector(node, ["a", "b"], { timeoutMs: 300 }, (id, s) => console.log(id, s)));
 */
export function heartbeatDetector(
  node: Node,
  monitored: readonly string[],
  options: { timeoutMs: number },
  report: (id: string, suspected: boolean) => void,
): void {
  const lastMs = new Map<string, number>();
  const suspected = new Set<string>();
  for (const id of monitored) lastMs.set(id, node.now()); // a node never heard from is suspected too
  node.on("heartbeat", (message) => {
    const id = message.src;
    if (!lastMs.has(id)) return; // not ours to watch
    lastMs.set(id, node.now());
    if (suspected.delete(id)) report(id, false);
  });
  node.setPeriodic(10, () => {
    for (const [id, last] of lastMs) {
      if (!suspected.has(id) && node.now() - last > options.timeoutMs) {
        suspected.add(id);
        report(id, true);
      }
    }
  }, "check heartbeats");
}
