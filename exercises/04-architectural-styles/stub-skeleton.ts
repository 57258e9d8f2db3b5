/**
 * Exercise 04.2 — stub and skeleton (15 points). Graded by `npm test`
 * (test/04-architectural-styles.test.ts), or alone with `npm run grade -- 04.2`.
 *
 * Distributed objects (Java RMI, CORBA, .NET remoting) hide the network behind two pieces of
 * generated code: a **stub** on the client, which looks like the object but marshals each call
 * into a message, and a **skeleton** on the server, which unmarshals it, calls the real object and
 * marshals the answer back. You write both, for any object.
 *
 * The messages:
 * - request `{ type: "invoke", method: "add", args: [2, 3] }` — `args` is the array of arguments,
 *   in order (JSON values);
 * - reply `{ type: "result", value }` — what the method returned (if it returned a Promise: the
 *   value it resolved to), or
 * - reply `{ type: "error", name, message }` — the `name` and `message` of the Error the method
 *   threw (or rejected with). A method the target does not have (`typeof target[method] !==
 *   "function"`; methods of a class live on its prototype and count) gets
 *   `{ type: "error", name: "NoSuchMethodError", message: <any text> }`.
 *
 * `skeleton(node, target)`: answer every `invoke` with `node.reply(request, …)` — to the request's
 * `src`, `in_reply_to` = its `msg_id`, at least one reply per request and at most one per copy that
 * arrives (the network duplicates: answering every copy is simplest). Call the method on
 * the target (`this` must be the target) with the arguments spread, not as one array. A method
 * that throws must not crash your node: catch it and reply `error`. A method that never returns
 * (a Promise that never settles) gets no reply.
 *
 * `stub(node, server, { timeoutMs, retries })`: return a Proxy whose every method `m(...args)` sends
 * `{ type: "invoke", method: "m", args }` to `server` and returns a Promise that
 * - resolves to `value` of the `result` reply;
 * - rejects with an `Error` whose `name` and `message` are the `error` reply's;
 * - rejects with `RpcTimeoutError` when no reply came after `1 + retries` attempts of
 *   `timeoutMs` each — `node.rpc(server, body, { timeoutMs, retries })` does exactly this (it
 *   resends with the same msg_id, then rejects with that error: let it through). Should you need
 *   the class itself, import it from "../../lib/node/rpc".
 * Leave the property `then` undefined (otherwise `await stub(...)` would call a remote `then`).
 *
 * How it is graded, in three scenarios (27, 27 and 9 trials for each of 5 seeds), node names drawn
 * per trial and bystanders spawned first (so `node.peers()[0]` is never the node to talk to):
 * 1. your skeleton, over the grader's object, against the grader's two clients: about 16
 *    invokes with args and `msg_id`s you cannot guess (the two clients share msg_ids), of sync,
 *    async, variadic and throwing methods, methods that do not exist and one that never returns;
 *    no loss, 10% duplication, unordered, latency 5–15 ms. Every reply must match what the object
 *    returns or throws for those args.
 * 2. your stub against the grader's skeleton, which answers most copies within 0.4 × timeoutMs
 *    and one in seven after 1–1.5 × timeoutMs (a late reply to an earlier attempt still counts):
 *    seven calls (results, a remote error, a missing method, one call that is never answered),
 *    timeoutMs 80–150 and retries 9–12, 10% loss, 5% duplication. Each promise must settle as
 *    above, its value or error tied to a reply that reached your node; the unanswered call must
 *    reject with RpcTimeoutError after at least timeoutMs and at most (1 + retries) × timeoutMs.
 * 3. your stub against your skeleton, the same seven calls (9 trials per seed).
 * The run goes on 1 s after the last call settled: no invoke may be sent for a call whose
 * promise has settled. An attempt goes unanswered within its timeout about 31% of the time
 * (loss either way, or a slow copy), so with 1 + retries ≥ 10 attempts a call fails with
 * probability below 0.31^10 ≈ 10⁻⁵, and all of the grader's 1,260 calls (7 per trial in
 * scenarios 2 and 3) succeed with probability about 99%. Use the retries you are given.
 *
 * Tools: `node.on("invoke", async (request) => …)`, `fn.apply(target, args)`, `await`, `try`/`catch`,
 * `new Proxy({}, { get: (_, property) => … })`, `node.rpc`.
 */
import type { Node } from "../../lib/node";
import { NotImplementedError } from "../not-implemented";

/** The remote view of `T`: each method returns a Promise of its (awaited) result. */
export type Remote<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

/**
 * The server side: invoke methods of `target` for remote callers.
 *
 * @example
 * sim.spawn("server", (node) => skeleton(node, new Calculator()));
 */
export function skeleton(node: Node, target: object): void {
  // Your code here (04.2)
  throw new NotImplementedError("04.2 stub-skeleton", "exercises/04-architectural-styles/stub-skeleton.ts");
}

/**
 * The client side: a local object whose methods call `server`'s skeleton.
 *
 * @example
 * const calc = stub<Calculator>(node, "server", { timeoutMs: 100, retries: 5 });
 * const sum = await calc.add(2, 3);
 */
export function stub<T>(node: Node, server: string, options: { timeoutMs: number; retries?: number }): Remote<T> {
  // Your code here (04.2)
  throw new NotImplementedError("04.2 stub-skeleton", "exercises/04-architectural-styles/stub-skeleton.ts");
}
