/**
 * Exercise 00.2 — echo (10 points). Graded by `npm test` (test/00-getting-started.test.ts).
 *
 * Part 1, the server. A client sends `{ type: "echo", echo: "hello", msg_id: 3 }`; the server
 * answers the client that asked (`dest` = the request's `src`) with
 * `{ type: "echo_ok", echo: "hello", in_reply_to: 3 }`. It must answer every copy it receives:
 * a client that retries sends the same request (same msg_id) again, and the network may
 * duplicate messages.
 *
 * Part 2, the client. Over a network that loses 30% of all messages, a single request gets
 * through with its reply only about half the time (0.7 × 0.7). `echoWithRetries` must still
 * return the echoed text: use `node.rpc` with a timeout and retries.
 *
 * The grader checks each part against its own counterpart, with other nodes spawned first and
 * node names that change from run to run: the server with two or three clients whose requests
 * (some retried) have texts and msg_ids you cannot guess, on a network that loses, duplicates and
 * reorders; the client against its own server with 30% loss, duplication, reordering and one-way
 * latency of 5–15 ms, 3 calls one after another, 27 times for each of 5 seeds (405 calls). Each
 * call must return the text of an `echo_ok` that answered one of its own requests and arrived
 * before it returned, and send nothing once it has returned. Use `node.sleep` / `node.rng`, never
 * `setTimeout` or `Math.random` (the grader fails those: they break replay by seed).
 *
 * Tools: `node.on(type, handler)`, `node.reply(request, body)`,
 * `await node.rpc(dest, body, { timeoutMs, retries })` which returns the reply message.
 */
import type { Node } from "../../lib/node";
import { NotImplementedError } from "../not-implemented";

/**
 * The echo server: answer each `{ type: "echo", echo }` with a reply `{ type: "echo_ok", echo }`.
 *
 * @example
 * sim.spawn("server", echoServer);
 */
export function echoServer(node: Node): void {
  // Your code here (00.2)
  throw new NotImplementedError("00.2 echo", "exercises/00-getting-started/echo.ts");
}

/**
 * The client: ask `server` to echo `text` and return the text from its `echo_ok` reply, retrying
 * when a request or its reply is lost.
 *
 * @example
 * const client = sim.spawn("client");
 * const text = await sim.runUntilSettled(echoWithRetries(client, "server", "hello")); // "hello"
 */
export async function echoWithRetries(node: Node, server: string, text: string): Promise<string> {
  // Your code here (00.2)
  throw new NotImplementedError("00.2 echo", "exercises/00-getting-started/echo.ts");
}
