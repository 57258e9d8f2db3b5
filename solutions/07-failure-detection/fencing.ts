/**
 * Exercise 07.4 — failover with fencing (15 points). Graded by `npm test` (test/07-failure-detection.test.ts),
 * or alone with `npm run grade -- 07.4`.
 *
 * An active–passive pair fails over when the backup suspects the primary. But a suspicion can be
 * wrong (lecture 000: failover; Kleppmann, "How to do distributed locking", 2016): the primary
 * was only slow, or only its heartbeats were lost, and it keeps writing — two primaries, split
 * brain. Fencing stops it: every primary writes with its **epoch**, a new primary takes a higher
 * one, and the storage refuses any write whose epoch is below the highest it has seen. Write both:
 *
 * - `fencedStorage(node)`: one store of key → value and one highest epoch for the whole store
 *   (starting at 0). On `write { epoch, key, value }`: if epoch ≥ the highest epoch seen, the
 *   highest becomes epoch, store the value and reply `write_ok { epoch }`; else store nothing and
 *   reply `write_refused { epoch }` with the highest epoch. On `read { key }` reply
 *   `read_ok { key, value }` with the value of the last accepted write of the key (null if none).
 *   Reply with `node.reply(request, …)`.
 * - `backup(node, primary, storage, { timeoutMs })`: the primary sends `heartbeat { epoch }` every
 *   50 ms. Remember the highest epoch heard. Suspect the primary when no heartbeat has arrived for
 *   `timeoutMs` (counted from the last one, or from the start); then take over, once: choose an
 *   epoch higher than any heard, and write the claim `write { epoch, key: "primary", value:
 *   node.id }` to `storage` (node.rpc or node.send). That write is what fences the old primary: the
 *   storage learns the new epoch only from a write.
 *
 * How it is graded, 27 runs of each scenario for each of 5 seeds (names drawn per run, other nodes
 * spawned first; latency 5–15 ms): (1) your storage against 2–3 writers of the grader, with
 * epochs that rise, repeat and go back, over 3 keys, on an unordered network, and reads: every
 * reply must follow the rule above for the writes in the order they arrived; (2) your backup
 * against the grader's primary (epoch 1–9 drawn per run, writing every 20–40 ms) and the grader's
 * storage: at a drawn moment (300–800 ms) the primary's heartbeats stop but it goes on writing (a
 * false suspicion); timeoutMs is 150–400 ms. No claim while heartbeats arrive (before
 * timeoutMs since the last one), a claim within timeoutMs + 50 ms after the last heartbeat, with an
 * epoch above the primary's; (3) your backup and your storage with the grader's primary: after the
 * storage accepted the claim, no write of the old primary may be accepted — split-brain writes = 0.
 */
import type { Node } from "../../lib/node";

/**
 * A storage that fences: it refuses writes whose epoch is below the highest it has seen.
 *
 * @example
 * sim.spawn("storage", (node) => fencedStorage(node));
 */
export function fencedStorage(node: Node): void {
  const values = new Map<string, unknown>();
  let epochHighest = 0; // one for the whole store: a new primary's claim fences every key
  node.on("write", (request) => {
    const epoch = Number(request.body.epoch);
    const key = String(request.body.key);
    const value = request.body.value;
    if (epoch < epochHighest) {
      node.reply(request, { type: "write_refused", epoch: epochHighest });
      return;
    }
    epochHighest = epoch;
    values.set(key, value);
    node.reply(request, { type: "write_ok", epoch });
  });
  node.on("read", (request) => {
    const key = String(request.body.key);
    node.reply(request, { type: "read_ok", key, value: values.has(key) ? values.get(key) : null });
  });
}

/**
 * A backup that takes over from `primary`, with a higher epoch, when its heartbeats stop for `timeoutMs`.
 *
 * @example
 * sim.spawn("backup", (node) => backup(node, "primary", "storage", { timeoutMs: 200 }));
 */
export function backup(node: Node, primary: string, storage: string, options: { timeoutMs: number }): void {
  let epochHeard = 0;
  let tookOver = false;
  let timer = node.setTimer(options.timeoutMs, takeOver, "suspect");
  node.on("heartbeat", (message) => {
    if (message.src !== primary || tookOver) return;
    epochHeard = Math.max(epochHeard, Number(message.body.epoch));
    node.cancelTimer(timer);
    timer = node.setTimer(options.timeoutMs, takeOver, "suspect");
  });
  function takeOver(): void {
    tookOver = true;
    const epoch = epochHeard + 1; // strictly higher: the storage accepts equal epochs
    node.setState("primary");
    node.rpc(storage, { type: "write", epoch, key: "primary", value: node.id }, { timeoutMs: 200, retries: 5 }).catch(() => {});
  }
}
