/**
 * Exercise 06.1 — vector clock (15 points). Graded by `npm test` (test/06-time-and-concurrency.test.ts),
 * or alone with `npm run grade -- 06.1`.
 *
 * A vector clock (Mattern 1989, Fidge 1988) gives every event a vector of counters, one per node,
 * such that event a happened before event b exactly when a's vector is ≤ b's in every entry and
 * different. Write `vectorClock(node, report)`: it returns `{ send(dest, body) }`, which the grader
 * calls to send application messages, and it handles the application messages that arrive.
 *
 * Messages: application messages have `type: "app"` and fields of the grader's (keep them); your
 * `send` adds the field `vc`, the sender's vector after the send: `{ type: "app", text: "…", vc: { a: 2, b: 1 } }`.
 * The grader's own node sends you such messages too, with its vector in `vc`.
 *
 * The rules (Mattern's algorithm); a missing entry counts as 0; the entries are keyed by node id:
 * - on `send(dest, body)`: increment your own entry, send `{ ...body, vc }` to dest, and call
 *   `report("send", vector)` with that same vector;
 * - on an `app` message: set every entry to the maximum of yours and the message's `vc`, then
 *   increment your own entry, and call `report("receive", vector)`.
 * Report a copy that you never change afterwards: the grader keeps the objects and reads them when
 * the trial ends. Send nothing else, and report nothing else (one report per send and per arrival,
 * also for a duplicated copy).
 *
 * How it is graded: for every pair of events (a, b) of a trial, compareVectors(a, b) must say
 * "before" exactly when a → b in the true happened-before relation that the grader computes from
 * the trace, "after" when b → a, and "concurrent" otherwise; and the `vc` a message carries must
 * equal the vector reported for its send. 27 trials for each of 5 seeds: 3–4 of your nodes and one
 * of the grader's, their names drawn per trial, other nodes spawned first; each node sends 5–9
 * messages at random times in the first 400 ms to random other nodes; 5% loss, 5% duplication,
 * unordered links, latency 5–40 ms.
 */
import type { Node } from "../../lib/node";
import { NotImplementedError } from "../not-implemented";

/** A vector timestamp: node id → count (a missing entry is 0). */
export type Vector = Record<string, number>;

/** What the grader calls to send an application message. */
export interface VectorClockNode {
  /** Stamp and send `{ ...body, vc }` to `dest`, and report the send. */
  send(dest: string, body: { type: "app"; [field: string]: unknown }): void;
}

/**
 * A vector clock on `node`: stamps sends, merges on receives, reports every event's vector.
 *
 * @example
 * sim.spawn("a", (node) => {
 *   const clock = vectorClock(node, (kind, vector) => node.log(`${kind} ${JSON.stringify(vector)}`));
 *   node.setTimer(10, () => clock.send("b", { type: "app", text: "hi" }));
 * });
 */
export function vectorClock(node: Node, report: (kind: "send" | "receive", vector: Vector) => void): VectorClockNode {
  // Your code here (06.1)
  throw new NotImplementedError("06.1 vector-clock", "exercises/06-time-and-concurrency/vector-clock.ts");
}
