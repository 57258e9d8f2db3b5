// The client of the primary–backup store: it asks the view service who is primary, sends its
// operation there, and on an error or a timeout asks again and retries with the same sequence
// number — so the servers' at-most-once table turns its retries into one operation.
import type { Node } from "../node/index";
import { ConfigError, SimulationError } from "../sim/index";
import type { View } from "./view-service";

/** Options of {@link pbClient}. */
export interface PbClientOptions {
  /** Node id of the view service. */
  viewServer: string;
  /** How long to wait for one answer before retrying. Default 50. */
  rpcTimeoutMs?: number;
  /** Pause before a retry. Default 10. */
  retryMs?: number;
}

/** A primary–backup client: one operation at a time, each retried until it is answered. */
export interface PbClient {
  /** The value of `key` (`""` if never written). */
  get(key: string): Promise<string>;
  /** Set `key` to `value`. */
  put(key: string, value: string): Promise<void>;
  /** Append `value` to `key`. */
  append(key: string, value: string): Promise<void>;
  /** Requests sent so far (first tries and retries) — retries = attempts − operations. */
  readonly attempts: number;
}

/**
 * A client of {@link pbServer} on `node`, identified by the node id. Each operation gets the next
 * `seq`; the client sends `pb_<op>` to the primary it believes in, and on `not_primary`, no answer
 * within `rpcTimeoutMs`, or no primary known, asks the view service (`get_view`) and retries with
 * the same `seq` after `retryMs` (`not_ready`: same primary, later). It never gives up: an
 * operation that cannot finish stays open, as an `info` operation in a history would.
 *
 * @example
 * sim.spawn("c1", async (node) => {
 *   const kv = pbClient(node, { viewServer: "vs" });
 *   await kv.put("x", "1");
 *   await kv.get("x"); // "1"
 * });
 */
export function pbClient(node: Node, options: PbClientOptions): PbClient {
  const context = () => ({ node: node.id, timeMs: node.now() });
  if (options === null || typeof options !== "object" || typeof options.viewServer !== "string" || options.viewServer === "") {
    throw new ConfigError("pbClient: viewServer", options?.viewServer, "the node id of the view service", context());
  }
  const rpcTimeoutMs = options.rpcTimeoutMs ?? 50;
  const retryMs = options.retryMs ?? 10;
  for (const [name, v] of [["rpcTimeoutMs", rpcTimeoutMs], ["retryMs", retryMs]] as const) {
    if (typeof v !== "number" || !(v > 0) || !Number.isFinite(v)) throw new ConfigError(`pbClient: ${name}`, v, "a finite number > 0", context());
  }
  let primary: string | null = null;
  let seq = 0;
  let busy = false;
  let attempts = 0;

  const learnPrimary = async (): Promise<void> => {
    try {
      const reply = await node.rpc(options.viewServer, { type: "get_view" }, { timeoutMs: rpcTimeoutMs });
      primary = (reply.body.view as View).primary;
    } catch {
      primary = null;
    }
  };

  const run = async (f: "get" | "put" | "append", key: string, value?: string): Promise<string> => {
    if (busy) throw new SimulationError(`pbClient: ${f}(${JSON.stringify(key)}) while another operation is open; one at a time`, context());
    if (typeof key !== "string") throw new SimulationError(`pbClient: ${f} needs a string key, got ${JSON.stringify(key)}`, context());
    busy = true;
    seq++;
    const body = f === "get" ? { type: `pb_${f}`, key, client: node.id, seq } : { type: `pb_${f}`, key, value, client: node.id, seq };
    try {
      for (;;) {
        if (primary === null) await learnPrimary();
        if (primary !== null) {
          attempts++;
          try {
            const reply = await node.rpc(primary, body, { timeoutMs: rpcTimeoutMs });
            if (reply.body.type === `pb_${f}_ok`) return f === "get" ? String(reply.body.value ?? "") : "";
            if (reply.body.code !== "not_ready") primary = null;
          } catch {
            primary = null;
          }
        }
        await node.sleep(retryMs);
      }
    } finally {
      busy = false;
    }
  };

  return {
    get: (key) => run("get", key),
    put: async (key, value) => void (await run("put", key, value)),
    append: async (key, value) => void (await run("append", key, value)),
    get attempts() {
      return attempts;
    },
  };
}
