/**
 * Exercise 00.1 — ping-pong (10 points). Graded by `npm test` (test/00-getting-started.test.ts).
 *
 * Two nodes play ping-pong for a fixed number of rounds:
 *
 *     pinger                  ponger
 *       |---- ping n=1 -------->|
 *       |<--- pong n=1 ---------|      (a reply: in_reply_to = the ping's msg_id)
 *       |---- ping n=2 -------->|      (only after pong n=1 has arrived)
 *       |<--- pong n=2 ---------|
 *       ...                            after pong n=rounds: node.setState("done")
 *
 * The grader spawns them like this, with random latency, other nodes spawned first, node names
 * and round counts that change from run to run, and 27 runs for each of its 5 seeds:
 *
 *     sim.spawn("b", ponger);
 *     sim.spawn("a", (node) => pinger(node, "b", 5));
 *
 * and checks the trace: exactly `rounds` pings and pongs, strictly alternating, each pong a reply
 * carrying the same `n` as its ping, the pinger in state "done" after the last pong, and nothing
 * more for a while after that. It also plays your pinger against its own ponger, and pings your
 * ponger from its own pingers (with `n` values you cannot guess, and duplicated messages). So: talk
 * to the `peer` you were given (`node.peers()[0]` may be another node), answer a ping's `src`, and
 * take `n` from the message. Use `node.setTimer` / `node.rng` / `node.now()`, never `setTimeout`,
 * `Math.random` or `Date.now` (the grader fails those: they break replay by seed).
 *
 * Tools: `node.on(type, handler)`, `node.send(dest, body)`, `node.reply(request, body)`,
 * `node.setState(state)`. Run `npm test` to see how you are doing.
 */
import type { Node } from "../../lib/node";
import { NotImplementedError } from "../not-implemented";

/**
 * The ponger: answer every `{ type: "ping", n }` with a reply `{ type: "pong", n }` (same `n`).
 *
 * @example
 * sim.spawn("b", ponger);
 */
export function ponger(node: Node): void {
  // Your code here (00.1)
  throw new NotImplementedError("00.1 ping-pong", "exercises/00-getting-started/ping-pong.ts");
}

/**
 * The pinger: send `{ type: "ping", n: 1 }` to `peer`; each time a pong arrives, send the next ping
 * (`n + 1`), until `rounds` pongs have arrived; then call `node.setState("done")`.
 *
 * @example
 * sim.spawn("a", (node) => pinger(node, "b", 3));
 */
export function pinger(node: Node, peer: string, rounds: number): void {
  // Your code here (00.1)
  throw new NotImplementedError("00.1 ping-pong", "exercises/00-getting-started/ping-pong.ts");
}
