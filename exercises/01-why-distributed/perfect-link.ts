/**
 * Exercise 01.1 — perfect link (15 points). Graded by `npm test` (test/01-why-distributed.test.ts);
 * `npm run grade -- 01.1` runs only this grader.
 *
 * The network loses, duplicates and reorders messages; a node may crash and restart with only
 * what it kept in `node.storage`. Build on it a *perfect link* (Cachin, Guerraoui & Rodrigues,
 * §2.4): every message sent is delivered to the application at its destination exactly once —
 * not lost, not twice, not made up.
 *
 * Write `perfectLink(node, deliver)`. It registers the handlers the link needs on `node` and
 * returns `{ send(dest, payload) }`. The grader calls it on every node that takes part, again
 * after each restart (the spawn function runs again), and calls `send` for the application:
 *
 *     sim.spawn("b", (node) => perfectLink(node, (src, payload) => console.log(src, payload)));
 *     sim.spawn("a", (node) => { perfectLink(node, () => {}).send("b", { text: "hello" }); });
 *
 * Wire protocol (the grader's own senders and receivers speak it too):
 *
 * - data `{ type: "pl_data", id, payload }` from sender to receiver; `id` is a number or a
 *   string, never used twice by the same sender — **also across the sender's restarts**;
 * - ack `{ type: "pl_ack", id }` from receiver back to the sender (`message.src`), for every
 *   copy of `pl_data` that arrives (the ack of the first copy may have been lost).
 *
 * The sender sends again until the ack for that id arrives, then stops. The receiver calls
 * `deliver(src, payload)` only the first time it sees the pair (src, id), and remembers that pair
 * in `node.storage`, which survives a crash (memory does not).
 *
 * How it is graded, 5 seeds × 27 trials of three scenarios, all with 20% loss, 20% duplication,
 * reordering and latency 5–15 ms, other nodes spawned first (`node.peers()[0]` is never the node to
 * talk to) and node names that change from run to run:
 *
 * 1. your receiver against two of the grader's senders, whose ids you cannot guess (large random
 *    numbers or random strings, in no order; the two senders use some of the same ids), which
 *    retransmit every 40–80 ms until acked and sometimes send a late copy after the ack; your
 *    receiver crashes mid-run and restarts. Each message must be delivered exactly once, with the
 *    sender's id as `src`, and every copy that arrives must be acked;
 * 2. your sender against the grader's receiver (it acks every copy, after up to 40 ms, sometimes
 *    twice): a first batch, then your sender crashes and restarts, then a second batch. Every
 *    payload must arrive, under one id, no id may carry two payloads, and no `pl_data` with an id
 *    may be sent after its ack has arrived;
 * 3. two of your senders and your receiver together, the receiver crashing mid-run.
 *
 * Use `node.setPeriodic` / `node.setTimer` / `node.rng`, never `setTimeout` or `Math.random`
 * (the grader fails those: they break replay by seed).
 *
 * Tools: `node.on(type, handler)`, `node.send(dest, body)`, `node.setPeriodic(ms, fn)`,
 * `node.cancelTimer(id)`, `node.storage.get(key)` / `.set(key, value)` / `.has(key)`.
 */
import type { Node } from "../../lib/node";
import { NotImplementedError } from "../not-implemented";

/** What `perfectLink` returns: the sending half (the receiving half calls `deliver`). */
export interface PerfectLink {
  /** Send `payload` to `dest`: it must be delivered there exactly once. */
  send(dest: string, payload: unknown): void;
}

/**
 * A perfect link on `node`: `send` delivers each payload exactly once at its destination, where
 * `deliver(src, payload)` is called.
 *
 * @example
 * sim.spawn("b", (node) => perfectLink(node, (src, payload) => node.log(`from ${src}: ${payload}`)));
 * sim.spawn("a", (node) => perfectLink(node, () => {}).send("b", "hello"));
 */
export function perfectLink(node: Node, deliver: (src: string, payload: unknown) => void): PerfectLink {
  // Your code here (01.1)
  throw new NotImplementedError("01.1 perfect-link", "exercises/01-why-distributed/perfect-link.ts");
}
