/**
 * Reference solution of exercise 02.1 — least-connections balancer (see
 * exercises/02-infrastructure/least-connections.ts).
 *
 * One counter per backend: up when a request is forwarded to it, down when its response comes
 * back. The request is forwarded with `rpc`, so the response is paired with its forward by
 * `in_reply_to`, and the counter that goes down is always the chosen backend's. Ties go to the
 * backend listed first. The timeout is generous: the network loses nothing, and a slow backend's
 * queue can hold a request for a few hundred milliseconds.
 */
import type { Node } from "../../lib/node";

/**
 * A least-connections load balancer in front of `backends`.
 *
 * @example
 * sim.spawn("lb", (node) => leastConnectionsBalancer(node, ["b1", "b2", "b3"]));
 */
export function leastConnectionsBalancer(node: Node, backends: readonly string[]): void {
  const outstanding = new Map<string, number>(backends.map((b) => [b, 0]));
  const leastLoaded = (): string => backends.reduce((best, b) => (outstanding.get(b)! < outstanding.get(best)! ? b : best));

  node.on("request", async (request) => {
    const backend = leastLoaded();
    outstanding.set(backend, outstanding.get(backend)! + 1);
    const response = await node.rpc(backend, { type: "request", payload: request.body.payload }, { timeoutMs: 60_000 });
    outstanding.set(backend, outstanding.get(backend)! - 1);
    node.reply(request, { type: "response", result: response.body.result });
  });
}
