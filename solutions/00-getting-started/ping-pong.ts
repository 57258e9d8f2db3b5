/**
 * Reference solution of exercise 00.1 — ping-pong (see exercises/00-getting-started/ping-pong.ts).
 *
 * The pinger is a tiny state machine driven by messages: "pinging" until the last pong arrives,
 * then "done". Another correct pinger awaits each round trip with `rpc`:
 *
 *     for (let n = 1; n <= rounds; n++) await node.rpc(peer, { type: "ping", n });
 *     node.setState("done");
 */
import type { Node } from "../../lib/node";

/**
 * The ponger: answer every ping with a pong carrying the same `n`.
 *
 * @example
 * sim.spawn("b", ponger);
 */
export function ponger(node: Node): void {
  node.on("ping", (ping) => {
    node.reply(ping, { type: "pong", n: ping.body.n });
  });
}

/**
 * The pinger: ping `peer` with n = 1, 2, …, `rounds`, each after the previous pong; then "done".
 *
 * @example
 * sim.spawn("a", (node) => pinger(node, "b", 3));
 */
export function pinger(node: Node, peer: string, rounds: number): void {
  node.on("pong", (pong) => {
    if (pong.body.n < rounds) {
      node.send(peer, { type: "ping", n: pong.body.n + 1 });
    } else {
      node.setState("done", `pong n=${pong.body.n}`);
    }
  });
  node.setState("pinging");
  node.send(peer, { type: "ping", n: 1 });
}
