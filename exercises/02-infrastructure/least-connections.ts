/**
 * Exercise 02.1 — least-connections balancer (15 points). Graded by `npm test`
 * (test/02-infrastructure.test.ts), or alone with `npm run grade -- 02.1`.
 *
 * A load balancer stands between clients and a pool of backends. Clients send it
 * `{ type: "request", payload: "…", msg_id: 17 }`. Your balancer picks a backend, forwards
 * `{ type: "request", payload: "…" }` (the client's payload, your own msg_id) to it, waits for the
 * backend's reply `{ type: "response", result: "…", in_reply_to: <your msg_id> }`, and relays it to
 * the client as a reply to the client's request: `{ type: "response", result: "…", in_reply_to: 17 }`
 * (`node.reply(request, …)` sets `in_reply_to` and sends to the request's `src`). The `result` is
 * the backend's: copy it, never make one up.
 *
 * The policy is least connections: forward each request to a backend with the fewest
 * *outstanding* requests at that moment — forwarded by you and not yet answered to you. A counter
 * per backend goes up when you forward to it and down when that backend's response reaches you.
 * Ties may go to any of the tied backends. Round-robin is not enough: some backends are slow, and
 * requests pile up on them.
 *
 * How it is graded. The grader plays the clients (two or three, each sending 6–10 requests in
 * bursts, with msg_ids you cannot guess — two clients may use the same msg_id) and the backends
 * (three or four; each serves one or two requests at a time, with exponential service times drawn
 * per trial: most have a mean of 8–20 ms, one or two a mean of 60–150 ms, and they answer in any
 * order). Other nodes are spawned first (so `node.peers()[0]` is not a backend) and node names
 * change from run to run. The network loses nothing and duplicates nothing; one-way latency is
 * 5–15 ms, unordered. At every forward the grader recomputes, from the trace, how many requests
 * each backend had outstanding, and checks that you chose a minimum. It also checks that each
 * client request is forwarded exactly once, after it arrived, with its payload, and that each gets
 * exactly one response, to the client that asked, with `in_reply_to` = its msg_id and the result
 * of the backend's response to its forward. The run goes on 1 s after the last response: nothing
 * more may be sent. 27 trials for each of 5 seeds. Use `node.rng`, `node.sleep` and
 * `node.setTimer`, never `Math.random` or `setTimeout`.
 *
 * Tools: `node.on("request", handler)`, `await node.rpc(backend, body, { timeoutMs })` (returns
 * the backend's reply message; responses may take a few hundred ms, so give it a generous
 * timeout), `node.reply(request, body)`.
 */
import type { Node } from "../../lib/node";
import { NotImplementedError } from "../not-implemented";

/**
 * A least-connections load balancer in front of `backends`.
 *
 * @example
 * sim.spawn("lb", (node) => leastConnectionsBalancer(node, ["b1", "b2", "b3"]));
 */
export function leastConnectionsBalancer(node: Node, backends: readonly string[]): void {
  // Your code here (02.1)
  throw new NotImplementedError("02.1 least-connections", "exercises/02-infrastructure/least-connections.ts");
}
