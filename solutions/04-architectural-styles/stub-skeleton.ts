/**
 * Reference solution of exercise 04.2 — stub and skeleton (see
 * exercises/04-architectural-styles/stub-skeleton.ts).
 *
 * The skeleton unmarshals an `invoke`, calls the method on the target with `this` bound and the
 * arguments spread, awaits the result (a method may be async) and marshals either the value or
 * the thrown error. The stub is a Proxy: any property is a function that marshals its arguments
 * into one `node.rpc`, which retransmits with the same `msg_id` and rejects with
 * `RpcTimeoutError`; an `error` reply becomes a rejected promise (Birrell & Nelson 1984,
 * "Implementing Remote Procedure Calls").
 */
import type { Node } from "../../lib/node";

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
  node.on("invoke", async (request) => {
    const method: string = request.body.method;
    const args: unknown[] = request.body.args;
    const fn = (target as Record<string, unknown>)[method];
    if (typeof fn !== "function") {
      node.reply(request, { type: "error", name: "NoSuchMethodError", message: `no method "${method}" on this object` });
      return;
    }
    try {
      const value = await fn.apply(target, args);
      node.reply(request, { type: "result", value });
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      node.reply(request, { type: "error", name: e.name, message: e.message });
    }
  });
}

/**
 * The client side: a local object whose methods call `server`'s skeleton.
 *
 * @example
 * const calc = stub<Calculator>(node, "server", { timeoutMs: 100, retries: 5 });
 * const sum = await calc.add(2, 3);
 */
export function stub<T>(node: Node, server: string, options: { timeoutMs: number; retries?: number }): Remote<T> {
  const call = async (method: string, args: unknown[]): Promise<unknown> => {
    const reply = await node.rpc(server, { type: "invoke", method, args }, { timeoutMs: options.timeoutMs, retries: options.retries ?? 0 });
    if (reply.body.type === "error") {
      const error = new Error(reply.body.message);
      error.name = reply.body.name;
      throw error;
    }
    return reply.body.value;
  };
  return new Proxy({} as Remote<T>, {
    // "then" stays undefined, so a stub can be returned from an async function without being taken for a promise.
    get: (_, property) => (typeof property !== "string" || property === "then" ? undefined : (...args: unknown[]) => call(property, args)),
  });
}
