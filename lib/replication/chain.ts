// Chain replication (van Renesse & Schneider, "Chain replication for supporting high throughput
// and availability", OSDI 2004): the replicas form a line. Updates enter at the head, which orders
// them and passes each down the chain; the tail applies it and answers the client. Queries go to
// the tail alone. So a query sees exactly the updates the tail has — each of them already at every
// replica — and the work is split: the head does the updates, the tail the queries.
import type { Message, Node } from "../node/index";
import { ConfigError, SimulationError } from "../sim/index";

/** Options of {@link chainNode}. */
export interface ChainNodeOptions {
  /** The chain in order, head first, tail last (this node must be in it): the initial one if there is a master. */
  chain: readonly string[];
  /** Node id of a {@link chainMaster} that removes crashed replicas; without one the chain never changes. */
  master?: string;
  /** With a master: ping it this often. Default 100. */
  pingIntervalMs?: number;
}

/** What a running chain node exposes to tests and notebooks (read-only). */
export interface ChainNodeHandle {
  /** `"head"`, `"middle"`, `"tail"`, `"head+tail"` for a chain of one, or `"removed"`. */
  position(): string;
  /** Updates applied here so far (the head's count is the number ordered). */
  applied(): number;
  /** The store (a copy). */
  store(): Record<string, string>;
  /** The chain as this node knows it now. */
  chain(): string[];
}

type ChainOp = { f: "put" | "append"; key: string; value: string; client: string; seq: number };
type Entry = { op: ChainOp; replyTo: string };

/**
 * Check a chain option (a non-empty array of distinct node ids, containing `me` if given) and
 * return a copy; a `ConfigError` names the caller, the node and the time.
 *
 * @example
 * const chain = checkChain("chainNode", options.chain, node.id, { node: node.id, timeMs: node.now() });
 */
export function checkChain(where: string, chain: unknown, me: string | null, context: { node?: string; timeMs?: number }): string[] {
  if (!Array.isArray(chain) || chain.length === 0 || chain.some((id) => typeof id !== "string" || id === "") || new Set(chain).size !== chain.length) {
    throw new ConfigError(`${where}: chain`, chain, "a non-empty array of distinct node ids, head first", context);
  }
  if (me !== null && !chain.includes(me)) throw new ConfigError(`${where}: chain`, chain, `a chain that contains this node ("${me}")`, context);
  return chain.slice();
}

/**
 * Run one chain replica on `node` (the chain paper's §2–3).
 *
 * Wire. Updates, to the head: `{ type: "chain_put" | "chain_append", key, value, client, seq }`;
 * the **tail** answers `{ type: "chain_put_ok" | "chain_append_ok", key, seq }` by a plain send to
 * the client (not a reply: the client sent to another node). Queries, to the tail:
 * `{ type: "chain_get", key }` → `{ type: "chain_get_ok", value }` (`""` for a missing key).
 * Wrong end: `{ type: "chain_error", code: "not_head" | "not_tail" }`. Down the chain:
 * `{ type: "chain_update", n, op, replyTo }` — the head's n-th update; each replica applies them
 * in order of n (holding back early ones), keeps them in its log, and passes them on.
 *
 * At most once: every replica keeps each client's latest (seq → n); a retried update is not
 * ordered again, but update n is sent down again and the tail answers it again. No
 * acknowledgements travel back up: a replica that gets a new predecessor tells it what it has
 * (`{ type: "chain_need", from }`) and is sent the rest from the predecessor's log instead.
 *
 * With a `master` ({@link chainMaster}) the replica pings it (`chain_ping`) and follows its
 * `{ type: "chain_config", version, chain }`: a crashed head is replaced by its successor, a
 * crashed tail by its predecessor, a crashed middle is skipped (paper §3). Fail-stop is assumed,
 * as in the paper: a live replica wrongly removed stops serving only when it hears the new chain.
 *
 * @example
 * const chain = ["a", "b", "c"];
 * for (const id of chain) sim.spawn(id, (node) => void chainNode(node, { chain }));
 * sim.spawn("c1", async (node) => {
 *   const kv = chainClient(node, { chain });
 *   await kv.put("x", "1"); // to a, answered by c
 *   await kv.get("x");      // "1", from c
 * });
 */
export function chainNode(node: Node, options: ChainNodeOptions): ChainNodeHandle {
  const context = () => ({ node: node.id, timeMs: node.now() });
  let chain = checkChain("chainNode", options?.chain, node.id, context());
  const master = options.master;
  const pingIntervalMs = options.pingIntervalMs ?? 100;
  if (master !== undefined && (typeof master !== "string" || master === "")) throw new ConfigError("chainNode: master", master, "the node id of the chain master", context());
  if (!(pingIntervalMs > 0) || !Number.isFinite(pingIntervalMs)) throw new ConfigError("chainNode: pingIntervalMs", pingIntervalMs, "a finite number > 0", context());
  let version = 1;

  const store = new Map<string, string>();
  let applied = 0;
  const early = new Map<number, Entry>();
  /** Every update applied here, by number: to pass on again after a retry or a new successor. */
  const log = new Map<number, Entry>();
  /** Each client's latest update (seq) and its number. */
  const latest = new Map<string, { seq: number; n: number }>();

  const index = (): number => chain.indexOf(node.id);
  const predecessor = (): string | null => (index() > 0 ? chain[index() - 1] : null);
  const successor = (): string | null => (index() >= 0 && index() < chain.length - 1 ? chain[index() + 1] : null);
  const isHead = (): boolean => index() === 0;
  const isTail = (): boolean => index() >= 0 && index() === chain.length - 1;
  const position = (): string => (index() < 0 ? "removed" : isHead() && isTail() ? "head+tail" : isHead() ? "head" : isTail() ? "tail" : "middle");

  const apply = (n: number, entry: Entry): void => {
    const op = entry.op;
    store.set(op.key, op.f === "put" ? op.value : (store.get(op.key) ?? "") + op.value);
    log.set(n, entry);
    latest.set(op.client, { seq: op.seq, n });
  };
  const passOn = (n: number, entry: Entry): void => {
    const next = successor();
    if (next !== null) node.send(next, { type: "chain_update", n, op: entry.op, replyTo: entry.replyTo });
    else if (isTail()) node.send(entry.replyTo, { type: `chain_${entry.op.f}_ok`, key: entry.op.key, seq: entry.op.seq });
  };

  for (const f of ["put", "append"] as const) {
    node.on(`chain_${f}`, (msg) => {
      if (!isHead()) return void node.reply(msg, { type: "chain_error", code: "not_head" });
      const { key, value, client, seq } = msg.body;
      if (typeof key !== "string" || typeof client !== "string" || !Number.isInteger(seq)) {
        throw new SimulationError(`chainNode: chain_${f} from ${msg.src} needs key (string), client (string) and seq (integer), got ${JSON.stringify(msg.body)}`, context());
      }
      const seen = latest.get(client);
      if (seen !== undefined && seq < seen.seq) return; // an old duplicate
      if (seen !== undefined && seq === seen.seq) return void passOn(seen.n, log.get(seen.n)!); // a retry: same update again
      const entry: Entry = { op: { f, key, value: String(value), client, seq }, replyTo: msg.src };
      const n = ++applied;
      apply(n, entry);
      passOn(n, entry);
    });
  }

  node.on("chain_update", (msg: Message) => {
    if (msg.src !== predecessor()) {
      if (master !== undefined) return; // from a replica no longer before this one: stale
      throw new SimulationError(`chainNode: chain_update from ${msg.src}, but the predecessor is ${predecessor() ?? "nobody (head)"}`, context());
    }
    const n: number = msg.body.n;
    const entry: Entry = { op: msg.body.op as ChainOp, replyTo: msg.body.replyTo as string };
    if (n <= applied) return void passOn(n, entry); // sent again after a retry: pass it on again
    early.set(n, entry);
    while (early.has(applied + 1)) {
      const next = early.get(applied + 1)!;
      early.delete(applied + 1);
      apply(++applied, next);
      passOn(applied, next);
    }
  });

  node.on("chain_get", (msg) => {
    if (!isTail()) return void node.reply(msg, { type: "chain_error", code: "not_tail" });
    node.reply(msg, { type: "chain_get_ok", value: store.get(msg.body.key) ?? "" });
  });

  // ---- reconfiguration (with a master) ----------------------------------------------------------
  const describe = (): string => `chain v${version}: ${chain.join(" → ")}`;
  node.on("chain_need", (msg) => {
    if (msg.src !== successor()) return; // not (yet) this replica's successor: it will ask again
    for (let n = msg.body.from; n <= applied; n++) passOn(n, log.get(n)!);
  });
  node.on("chain_ask", (msg) => {
    if (msg.src === predecessor()) node.send(msg.src, { type: "chain_need", from: applied + 1 });
  });
  node.on("chain_config", (msg) => {
    if (msg.body.version <= version) return;
    const before = { predecessor: predecessor(), successor: successor() };
    version = msg.body.version;
    chain = (msg.body.chain as string[]).slice();
    if (isHead()) early.clear(); // updates the old head sent but never got past here: never answered, clients retry
    const now = { predecessor: predecessor(), successor: successor() };
    if (now.predecessor !== null && now.predecessor !== before.predecessor) node.send(now.predecessor, { type: "chain_need", from: applied + 1 });
    if (now.successor !== null && now.successor !== before.successor) node.send(now.successor, { type: "chain_ask" });
    if (isTail() && before.successor !== null) for (const [n, entry] of log) if (latest.get(entry.op.client)?.n === n) passOn(n, entry); // answer what the old tail may not have
    node.setState(position(), describe());
  });
  if (master !== undefined) {
    const ping = () => void node.send(master, { type: "chain_ping", version });
    ping();
    node.setPeriodic(pingIntervalMs, ping, "chain-ping");
  }

  node.setState(position(), describe());
  return { position, applied: () => applied, store: () => Object.fromEntries(store), chain: () => chain.slice() };
}

/** Options of {@link chainClient}. */
export interface ChainClientOptions {
  /** The chain, head first (fixed). Give this or `master`. */
  chain?: readonly string[];
  /** A {@link chainMaster} to ask for the current chain (`chain_get_config`) at first and after every unanswered request. */
  master?: string;
  /** Wait this long for an answer before sending again. Default 50. */
  rpcTimeoutMs?: number;
}

/** A chain client: one operation at a time, each retried until answered. */
export interface ChainClient {
  get(key: string): Promise<string>;
  put(key: string, value: string): Promise<void>;
  append(key: string, value: string): Promise<void>;
  /** Requests sent so far (first tries and retries). */
  readonly attempts: number;
}

/**
 * A client of a {@link chainNode} chain on `node`: updates to the head (answered by the tail,
 * matched by `seq`), queries to the tail; each is sent again every `rpcTimeoutMs` until answered
 * (updates with the same `seq`, so they take effect once). With a `master` it asks for the
 * current chain first and again after every unanswered or refused request.
 *
 * @example
 * const kv = chainClient(node, { chain: ["a", "b", "c"] });
 * await kv.append("x", "1 ");
 * const viaMaster = chainClient(node, { master: "master" });
 */
export function chainClient(node: Node, options: ChainClientOptions): ChainClient {
  const context = () => ({ node: node.id, timeMs: node.now() });
  const master = options?.master;
  if (master === undefined && options?.chain === undefined) throw new ConfigError("chainClient: chain", undefined, "a chain (head first) or a master", context());
  let chain: string[] | null = options.chain === undefined ? null : checkChain("chainClient", options.chain, null, context());
  const rpcTimeoutMs = options.rpcTimeoutMs ?? 50;
  if (!(rpcTimeoutMs > 0) || !Number.isFinite(rpcTimeoutMs)) throw new ConfigError("chainClient: rpcTimeoutMs", rpcTimeoutMs, "a finite number > 0", context());
  let seq = 0;
  let attempts = 0;
  let busy = false;
  let waiting: { seq: number; done: () => void } | null = null;

  const answered = (msg: Message): void => {
    if (waiting !== null && msg.body.seq === waiting.seq) waiting.done();
  };
  node.on("chain_put_ok", answered);
  node.on("chain_append_ok", answered);
  node.on("chain_error", (msg) => {
    if (master !== undefined) return void (chain = null); // the chain changed: ask the master again
    throw new SimulationError(`chainClient: ${msg.src} answered ${msg.body.code}: the chain given (${chain!.join(" → ")}) is not the servers' chain`, context());
  });

  /** The chain to use now: the fixed one, or the master's (null if the master did not answer). */
  const current = async (): Promise<string[] | null> => {
    if (chain !== null || master === undefined) return chain;
    try {
      chain = (await node.rpc(master, { type: "chain_get_config" }, { timeoutMs: rpcTimeoutMs })).body.chain as string[];
    } catch {
      chain = null;
    }
    return chain;
  };
  const forget = (): void => {
    if (master !== undefined) chain = null;
  };

  const begin = (what: string): void => {
    if (busy) throw new SimulationError(`chainClient: ${what} while another operation is open; one at a time`, context());
    busy = true;
  };

  const update = async (f: "put" | "append", key: string, value: string): Promise<void> => {
    begin(`${f}(${JSON.stringify(key)})`);
    seq++;
    const body = { type: `chain_${f}`, key, value, client: node.id, seq };
    let done = false;
    const answer = new Promise<void>((resolve) => {
      waiting = { seq, done: () => ((done = true), resolve()) };
    });
    while (!done) {
      const now = await current();
      if (done) break;
      if (now !== null) {
        attempts++;
        node.send(now[0], body);
      }
      await Promise.race([answer, node.sleep(rpcTimeoutMs)]);
      if (!done) forget();
    }
    waiting = null;
    busy = false;
  };

  const get = async (key: string): Promise<string> => {
    begin(`get(${JSON.stringify(key)})`);
    try {
      for (;;) {
        const now = await current();
        if (now === null) continue;
        attempts++;
        try {
          const reply = await node.rpc(now[now.length - 1], { type: "chain_get", key }, { timeoutMs: rpcTimeoutMs });
          if (reply.body.type === "chain_get_ok") return String(reply.body.value);
        } catch {
          // no answer: ask again
        }
        forget();
      }
    } finally {
      busy = false;
    }
  };

  return {
    get,
    put: (key, value) => update("put", key, value),
    append: (key, value) => update("append", key, value),
    get attempts() {
      return attempts;
    },
  };
}
