/**
 * Reference solution of exercise 06.1 — vector clock (see exercises/06-time-and-concurrency/vector-clock.ts).
 *
 * Mattern's rules: increment your own entry on every event; a send carries the vector; a receive
 * first takes the entry-wise maximum with the message's vector. Every report is a fresh copy.
 */
import type { Message, Node } from "../../lib/node";

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
  const vc: Vector = {};
  const tick = (): void => {
    vc[node.id] = (vc[node.id] ?? 0) + 1;
  };
  node.on("app", (message: Message) => {
    const theirs = (message.body.vc ?? {}) as Vector;
    for (const [id, count] of Object.entries(theirs)) vc[id] = Math.max(vc[id] ?? 0, count);
    tick();
    report("receive", { ...vc });
  });
  return {
    send(dest, body) {
      tick();
      node.send(dest, { ...body, vc: { ...vc } });
      report("send", { ...vc });
    },
  };
}
