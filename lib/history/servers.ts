// Reference servers for demos and tests: one node, one copy of the data, every request applied
// in the order it arrives — linearizable by construction (the linearization point of an operation
// is its arrival). The data lives in durable storage, so a crash and restart loses nothing: an
// operation whose reply was lost in a crash still took effect, which is exactly what `info` allows.
import type { Behaviour } from "../simulation/simulation";
import type { Message } from "../node/message";
import type { Node } from "../node/node";
import { ConfigError } from "../sim/index";
import { errorBody } from "./maelstrom";

/** Options shared by the reference servers. */
export interface ReferenceServerOptions {
  /**
   * Wait this long before replying (the operation still takes effect on arrival): a slow server,
   * to make clients time out or fall behind an open-loop rate. Default 0.
   */
  replyDelayMs?: number;
}

/**
 * A key–value store speaking `get` / `put` / `append` (`{ type, key, value }`), replying
 * `get_ok { value }` (`""` for a key never written), `put_ok`, `append_ok`. Pairs with `kvOps`.
 *
 * @example
 * sim.spawn("server", kvServer());
 * const run = await runClients(sim, { clients: 2, ops: kvOps({ keys: ["x"] }), target: "server", durationMs: 100 });
 */
export function kvServer(options: ReferenceServerOptions = {}): Behaviour {
  const delayMs = replyDelay("kvServer", options);
  return (node) => {
    const reply = replier(node, delayMs);
    const key = (k: unknown): string => `kv:${String(k)}`;
    node.on("get", (req) => reply(req, { type: "get_ok", value: node.storage.get<string>(key(req.body.key)) ?? "" }));
    node.on("put", (req) => {
      node.storage.set(key(req.body.key), String(req.body.value));
      reply(req, { type: "put_ok" });
    });
    node.on("append", (req) => {
      node.storage.set(key(req.body.key), (node.storage.get<string>(key(req.body.key)) ?? "") + String(req.body.value));
      reply(req, { type: "append_ok" });
    });
  };
}

/**
 * One compare-and-set register speaking `read` / `write { value }` / `cas { from, to }`, replying
 * `read_ok { value }` (`null` before the first write), `write_ok`, `cas_ok`, or Maelstrom's error
 * 22 (precondition-failed) when the value is not `from`, 20 (key-does-not-exist) when the register
 * was never written. Pairs with `registerOps`.
 *
 * @example
 * sim.spawn("server", registerServer({ replyDelayMs: 2 }));
 */
export function registerServer(options: ReferenceServerOptions = {}): Behaviour {
  const delayMs = replyDelay("registerServer", options);
  return (node) => {
    const reply = replier(node, delayMs);
    const value = (): number | null => node.storage.get<number>("register") ?? null;
    node.on("read", (req) => reply(req, { type: "read_ok", value: value() }));
    node.on("write", (req) => {
      node.storage.set("register", req.body.value);
      reply(req, { type: "write_ok" });
    });
    node.on("cas", (req) => {
      const now = value();
      if (now === null) return reply(req, errorBody(20, "the register was never written"));
      if (now !== req.body.from) return reply(req, errorBody(22, `expected ${JSON.stringify(req.body.from)}, found ${JSON.stringify(now)}`));
      node.storage.set("register", req.body.to);
      reply(req, { type: "cas_ok" });
    });
  };
}

/**
 * A counter speaking `add { delta }` and `read`, replying `add_ok` and `read_ok { value }`
 * (starts at 0). Pairs with `counterOps`.
 *
 * @example
 * sim.spawn("server", counterServer());
 */
export function counterServer(options: ReferenceServerOptions = {}): Behaviour {
  const delayMs = replyDelay("counterServer", options);
  return (node) => {
    const reply = replier(node, delayMs);
    const total = (): number => node.storage.get<number>("counter") ?? 0;
    node.on("add", (req) => {
      node.storage.set("counter", total() + Number(req.body.delta));
      reply(req, { type: "add_ok" });
    });
    node.on("read", (req) => reply(req, { type: "read_ok", value: total() }));
  };
}

/** The checked `replyDelayMs` option. */
function replyDelay(fn: string, options: ReferenceServerOptions): number {
  const delayMs = options.replyDelayMs ?? 0;
  if (typeof delayMs !== "number" || !(delayMs >= 0) || !Number.isFinite(delayMs)) {
    throw new ConfigError(`${fn}.replyDelayMs`, delayMs, "a finite number of ms ≥ 0");
  }
  return delayMs;
}

/** `node.reply`, after `delayMs` when it is not 0. */
function replier(node: Node, delayMs: number): (req: Message, body: { type: string; [field: string]: unknown }) => void {
  return (req, body) => {
    if (delayMs === 0) node.reply(req, body);
    else node.setTimer(delayMs, () => node.reply(req, body), "reply-delay");
  };
}
