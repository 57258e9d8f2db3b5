/**
 * Reference solution of exercise 01.2 — crashed or slow? (see exercises/01-why-distributed/crashed-or-slow.ts).
 *
 * A heartbeat detector: ping the server every {@link PING_INTERVAL_MS} ms, whether or not the last
 * ping was answered, and conclude "crashed" only after {@link SILENCE_MS} ms without any pong.
 *
 * - The silence is longer than the slowest round trip (500 ms), so a slow server is never taken
 *   for a crashed one: its pongs are late, but they keep coming.
 * - During a lossy period 30% of messages are lost each way, so a round trip fails with
 *   probability 1 − 0.7² = 0.51. About 20 pings fall in a 1500 ms silence and can still be
 *   answered within it: all of them fail with probability 0.51^20 ≈ 10⁻⁶.
 * - After a real crash the last pong arrives at most 15 ms later, so "crashed" comes at most
 *   15 + 1500 + 50 ms (the next check) after the crash: under the 2000 ms bound.
 *
 * In the lecture's words: no timeout tells "crashed" from "slow" for sure; a timeout well above
 * the worst round trip, and many independent chances to hear back, make a mistake rare.
 */
import type { Node } from "../../lib/node";

/** How often the client pings, answered or not. */
export const PING_INTERVAL_MS = 50;

/** How long without any pong before the client concludes that the server crashed. */
export const SILENCE_MS = 1500;

/**
 * Ping `server` and keep the node's state: "alive", or "crashed" after {@link SILENCE_MS} ms
 * without a pong (and "alive" again when a pong arrives).
 *
 * @example
 * sim.spawn("server", (node) => node.on("ping", (m) => node.reply(m, { type: "pong" })));
 * sim.spawn("client", (node) => crashDetector(node, "server"));
 */
export function crashDetector(node: Node, server: string): void {
  let lastPongMs = node.now();
  node.setState("alive", "started");
  node.on("pong", (message) => {
    if (message.src !== server) return;
    lastPongMs = node.now();
    node.setState("alive", "a pong arrived");
  });
  node.send(server, { type: "ping" });
  node.setPeriodic(
    PING_INTERVAL_MS,
    () => {
      if (node.now() - lastPongMs >= SILENCE_MS) node.setState("crashed", `no pong for ${SILENCE_MS} ms`);
      node.send(server, { type: "ping" });
    },
    "ping",
  );
}
