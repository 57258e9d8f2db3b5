// The clerk (6.5840's Clerk): one operation at a time, numbered by seq; each is sent to the server
// believed to lead and retried — with the same clientId and seq — across servers until one answers
// ok. Exactly-once comes from the servers' duplicate table; the clerk's part is never to renumber
// a retry.
import type { Message, Node } from "../node/index";
import { RpcTimeoutError } from "../node/index";
import type { KvOp, KvReply, KvRequest } from "./wire";

/** Options of `kvRaftClerk`. */
export interface KvClerkOptions {
  /** Names this clerk for the servers' duplicate table. Default `<node id>#<incarnation>` (a restarted clerk is a new client). */
  clientId?: string;
  /** How long one attempt waits for a reply before trying the next server. Default 150 ms. */
  attemptTimeoutMs?: number;
  /** Pause after every server said not_leader or timed out once in a row. Default 20 ms. */
  retryPauseMs?: number;
}

/** A clerk: get / put / append promises that resolve once the operation took effect (exactly once). */
export interface KvClerk {
  readonly clientId: string;
  /** The value of `key` ("" if never written). @example await clerk.get("x") // "1" */
  get(key: string): Promise<string>;
  /** Set `key` to `value`. @example await clerk.put("x", "1") */
  put(key: string, value: string): Promise<void>;
  /** Append `value` to `key`'s value. @example await clerk.append("x", "2") */
  append(key: string, value: string): Promise<void>;
}

/**
 * A clerk on `node` for the key–value servers `servers` (see `KvRequest` / `KvReply` for the wire).
 * It keeps the index of the last server that answered ok, follows a `leaderHint` that names one of
 * `servers`, otherwise tries the next server; the promise settles only on success (it retries for
 * ever — give the run a deadline). One operation at a time: calling again before the previous
 * promise settled throws.
 *
 * @example
 * sim.spawn("c1", async (node) => {
 *   const clerk = kvRaftClerk(node, ["n1", "n2", "n3"]);
 *   await clerk.put("x", "1");
 *   await clerk.append("x", "2");
 *   node.log(await clerk.get("x")); // "12"
 * });
 */
export function kvRaftClerk(node: Node, servers: readonly string[], options: KvClerkOptions = {}): KvClerk {
  if (servers.length === 0) throw new RangeError(`kv clerk ${node.id} at t=${node.now()}ms: needs at least one server`);
  const clientId = options.clientId ?? `${node.id}#${node.incarnation}`;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 150;
  const retryPauseMs = options.retryPauseMs ?? 20;
  let seq = 0;
  let leader = 0;
  let busy: KvOp | undefined;

  const call = async (op: KvOp, key: string, value?: string): Promise<string> => {
    if (busy !== undefined) throw new Error(`kv clerk ${clientId} at t=${node.now()}ms: ${op}(${JSON.stringify(key)}) called while ${busy} is still running (one operation at a time)`);
    busy = op;
    seq += 1;
    const request: KvRequest = { type: "kv_request", op, key, clientId, seq };
    if (op !== "get") request.value = value;
    try {
      let failedInARow = 0;
      for (;;) {
        const dest = servers[leader];
        let reply: KvReply | undefined;
        try {
          const m: Message = await node.rpc(dest, { ...request } as never, { timeoutMs: attemptTimeoutMs });
          reply = m.body as unknown as KvReply;
        } catch (error) {
          if (!(error instanceof RpcTimeoutError)) throw error;
        }
        if (reply !== undefined && reply.status === "ok") return reply.value ?? "";
        const hint = reply?.leaderHint;
        const hinted = typeof hint === "string" ? servers.indexOf(hint) : -1;
        leader = hinted >= 0 && hinted !== leader && failedInARow < servers.length ? hinted : (leader + 1) % servers.length;
        failedInARow += 1;
        if (failedInARow % servers.length === 0) await node.sleep(retryPauseMs);
      }
    } finally {
      busy = undefined;
    }
  };

  return {
    clientId,
    get: (key) => call("get", key),
    put: async (key, value) => void (await call("put", key, value)),
    append: async (key, value) => void (await call("append", key, value)),
  };
}
