// A partitioned key–value service: every server holds the keys its partitioner gives it, and
// clients route each request straight to the key's owner (client-side routing, as the drivers of
// Cassandra or Redis Cluster do). Values live in `node.storage`, so a crashed server keeps them.
//
// Changing the layout (rebalancing): `server.moveTo(next)` switches the server to a new
// partitioner at once. From then on it accepts requests only for keys it owns under `next`, and
// hands every stored key it no longer owns to the new owner, in batches (`part_move`), deleting
// each batch once acknowledged; a batch that gets no answer is sent again until it is (so a
// target that crashes and restarts still gets it). A read that reaches the new owner before its
// key did is **forwarded to the previous owner** (which keeps the key until the move is
// acknowledged) and answered from there. A write at the new owner is stored at once, and a moved
// value never overwrites a key that is already there: the old owner's copy is frozen from the
// switch on, so the new owner's value is the newer one.
//
// Wire (every field):
//   client → server  { type: "part_get", key }          → { type: "part_get_ok", key, value: string | null }
//   client → server  { type: "part_put", key, value }   → { type: "part_put_ok", key }
//   either answer may instead be { type: "part_error", key, code, owner? }, code "wrong_partition"
//   (then `owner` is the right server) or "unavailable" (a forward to the previous owner failed).
//   server → server  { type: "part_move", entries: [[key, value], …] } → { type: "part_move_ok", count }
//   server → server  { type: "part_get", key, forwarded: true } → { type: "part_get_ok", key, value }
//     (a forwarded read is answered from whatever the previous owner still holds)
import type { Message, Node } from "../node/index";
import type { Partitioner } from "./partitioner";

/** Prefix of the storage keys that hold the service's values (other storage keys are left alone). */
const VALUE_PREFIX = "kv:";

/** Options of {@link partitionServer}. */
export interface PartitionServerOptions {
  /** The layout this server starts with. */
  partitioner: Partitioner;
  /**
   * The layout before `partitioner`, when the server (re)starts in the middle of a rebalance: it
   * then forwards misses there and hands off stored keys it does not own. Default none.
   */
  previous?: Partitioner;
  /** Keys per `part_move` batch. Default 50. */
  batchKeys?: number;
  /** How long a batch waits for its acknowledgement before it is sent again. Default 200. */
  moveTimeoutMs?: number;
  /** How long a forwarded read waits for the previous owner. Default 200. */
  forwardTimeoutMs?: number;
  /** Called each time this server has handed off every key it no longer owns. */
  onHandoffDone?: (stats: HandoffStats) => void;
}

/** What one server moved out during a rebalance. */
export interface HandoffStats {
  server: string;
  /** Keys handed to their new owners (acknowledged). */
  keysMoved: number;
  /** Characters of those keys and values (= bytes for ASCII data; the wire adds JSON framing). */
  bytesMoved: number;
  /** Virtual time the last batch was acknowledged. */
  doneMs: number;
}

/** Counters and controls of one server incarnation. */
export interface PartitionServer {
  /** Change the layout now and start handing off keys that belong elsewhere. */
  moveTo(next: Partitioner): void;
  /** Forget the previous layout (after every server finished its hand-off): misses are misses again. */
  finishRebalance(): void;
  /** The value stored here for `key`, or null. */
  valueOf(key: string): string | null;
  /** Keys stored here, sorted. */
  keys(): string[];
  /** Requests answered here (`part_get` and `part_put`, forwarded reads included). */
  readonly served: number;
  /** Reads this server forwarded to the previous owner. */
  readonly forwarded: number;
}

/**
 * A server of the partitioned key–value store (wire in the module comment). Give it a service time
 * at spawn to make load visible.
 *
 * @example
 * const layout = modNPartitioner({ partitions: ["s1", "s2", "s3"] });
 * for (const id of layout.partitions()) sim.spawn(id, (node) => partitionServer(node, { partitioner: layout }), { service: { timeMs: latency.constant(1) } });
 */
export function partitionServer(node: Node, options: PartitionServerOptions): PartitionServer {
  const { batchKeys = 50, moveTimeoutMs = 200, forwardTimeoutMs = 200, onHandoffDone } = options;
  const where = (): string => `partitionServer on ${node.id} at t=${node.now()}ms`;
  if (!options.partitioner || typeof options.partitioner.ownerOf !== "function") throw new Error(`${where()}: options.partitioner must be a Partitioner (ownerOf, partitions)`);
  if (!Number.isInteger(batchKeys) || batchKeys < 1) throw new Error(`${where()}: batchKeys must be a whole number ≥ 1, got ${String(batchKeys)}`);
  let current = options.partitioner;
  let previous = options.previous;
  let served = 0;
  let forwarded = 0;
  let handoffRound = 0;

  const valueOf = (key: string): string | null => node.storage.get<string>(VALUE_PREFIX + key) ?? null;
  const storedKeys = (): string[] =>
    node.storage.keys().filter((k) => k.startsWith(VALUE_PREFIX)).map((k) => k.slice(VALUE_PREFIX.length)).sort();
  const wrong = (msg: Message, key: string): void => {
    node.reply(msg, { type: "part_error", key, code: "wrong_partition", owner: current.ownerOf(key) });
  };

  node.on("part_get", async (msg) => {
    const key = msg.body.key as string;
    if (msg.body.forwarded === true) {
      served++;
      node.reply(msg, { type: "part_get_ok", key, value: valueOf(key) });
      return;
    }
    if (current.ownerOf(key) !== node.id) return wrong(msg, key);
    served++;
    const here = valueOf(key);
    const before = previous?.ownerOf(key);
    if (here !== null || before === undefined || before === node.id) {
      node.reply(msg, { type: "part_get_ok", key, value: here });
      return;
    }
    forwarded++; // the key may still be on its way: ask the previous owner
    try {
      const answer = await node.rpc(before, { type: "part_get", key, forwarded: true }, { timeoutMs: forwardTimeoutMs });
      const arrived = valueOf(key); // the move may have landed while we waited
      node.reply(msg, { type: "part_get_ok", key, value: arrived ?? ((answer.body.value as string | null) ?? null) });
    } catch {
      node.reply(msg, { type: "part_error", key, code: "unavailable" });
    }
  });

  node.on("part_put", (msg) => {
    const key = msg.body.key as string;
    if (current.ownerOf(key) !== node.id) return wrong(msg, key);
    served++;
    node.storage.set(VALUE_PREFIX + key, String(msg.body.value));
    node.reply(msg, { type: "part_put_ok", key });
  });

  node.on("part_move", (msg) => {
    const entries = msg.body.entries as Array<[string, string]>;
    for (const [key, value] of entries) {
      if (!node.storage.has(VALUE_PREFIX + key)) node.storage.set(VALUE_PREFIX + key, value); // never over a newer write
    }
    node.reply(msg, { type: "part_move_ok", count: entries.length });
  });

  /** Send one batch until it is acknowledged; then delete it here. */
  async function moveBatch(dest: string, batch: string[]): Promise<number> {
    const entries: Array<[string, string]> = [];
    for (const key of batch) {
      const value = valueOf(key);
      if (value !== null) entries.push([key, value]);
    }
    for (;;) {
      try {
        await node.rpc(dest, { type: "part_move", entries }, { timeoutMs: moveTimeoutMs });
        break;
      } catch {
        // no answer (the target is down or the batch was lost): send it again
      }
    }
    let bytes = 0;
    for (const [key, value] of entries) {
      node.storage.delete(VALUE_PREFIX + key);
      bytes += key.length + value.length;
    }
    return bytes;
  }

  /** Hand every stored key this server does not own to its owner: one batch in flight per target. */
  async function handoff(): Promise<void> {
    const round = ++handoffRound;
    const layout = current;
    const byOwner = new Map<string, string[]>();
    for (const key of storedKeys()) {
      const owner = layout.ownerOf(key);
      if (owner === node.id) continue;
      let list = byOwner.get(owner);
      if (list === undefined) byOwner.set(owner, (list = []));
      list.push(key);
    }
    let keysMoved = 0;
    let bytesMoved = 0;
    await Promise.all(
      [...byOwner.keys()].sort().map(async (dest) => {
        const keys = byOwner.get(dest)!;
        for (let i = 0; i < keys.length; i += batchKeys) {
          if (round !== handoffRound) return; // a newer layout took over
          const batch = keys.slice(i, i + batchKeys);
          bytesMoved += await moveBatch(dest, batch);
          keysMoved += batch.length;
        }
      }),
    );
    if (round === handoffRound && node.isAlive()) onHandoffDone?.({ server: node.id, keysMoved, bytesMoved, doneMs: node.now() });
  }

  if (previous !== undefined) void handoff(); // restarted in the middle of a rebalance: carry on

  return {
    moveTo(next) {
      if (!next || typeof next.ownerOf !== "function") throw new Error(`${where()}: moveTo needs a Partitioner`);
      previous = current;
      current = next;
      void handoff();
    },
    finishRebalance() {
      previous = undefined;
    },
    valueOf,
    keys: storedKeys,
    get served() {
      return served;
    },
    get forwarded() {
      return forwarded;
    },
  };
}

/** Options of {@link partitionClient}. */
export interface PartitionClientOptions {
  /** The layout the client routes by (change it with `setPartitioner`). */
  partitioner: Partitioner;
  /** How long one request waits for its answer. Default 500. */
  timeoutMs?: number;
  /** How many times a `wrong_partition` answer is followed to the owner it names. Default 2. */
  redirectsMax?: number;
}

/** A routing client of the partitioned store. */
export interface PartitionClient {
  /** The value of `key` (null if none); rejects on timeout or an error answer. */
  get(key: string): Promise<string | null>;
  /** Store `value` under `key`; rejects on timeout or an error answer. */
  put(key: string, value: string): Promise<void>;
  /** Route by a new layout from now on. */
  setPartitioner(next: Partitioner): void;
  /** Requests redirected by a `wrong_partition` answer so far. */
  readonly redirects: number;
}

/**
 * A client that sends each request to the owner of its key, following `wrong_partition`
 * redirects (a server that already switched layout tells where the key went).
 *
 * @example
 * sim.spawn("c", async (node) => {
 *   const kv = partitionClient(node, { partitioner: layout });
 *   await kv.put("k1", "v");
 *   await kv.get("k1");  // "v", answered by layout.ownerOf("k1")
 * });
 */
export function partitionClient(node: Node, options: PartitionClientOptions): PartitionClient {
  const { timeoutMs = 500, redirectsMax = 2 } = options;
  let layout = options.partitioner;
  let redirects = 0;
  async function request(key: string, body: { type: string; [field: string]: unknown }): Promise<Message> {
    if (typeof key !== "string") throw new TypeError(`partitionClient on ${node.id} at t=${node.now()}ms: a key must be a string, got ${typeof key}`);
    let dest = layout.ownerOf(key);
    for (let hop = 0; ; hop++) {
      const answer = await node.rpc(dest, body, { timeoutMs });
      if (answer.body.type !== "part_error") return answer;
      if (answer.body.code === "wrong_partition" && hop < redirectsMax && typeof answer.body.owner === "string") {
        redirects++;
        dest = answer.body.owner;
        continue;
      }
      throw new Error(`partitionClient on ${node.id} at t=${node.now()}ms: ${body.type} ${JSON.stringify(key)} at ${dest} failed: ${String(answer.body.code)}`);
    }
  }
  return {
    async get(key) {
      const answer = await request(key, { type: "part_get", key });
      return (answer.body.value as string | null) ?? null;
    },
    async put(key, value) {
      await request(key, { type: "part_put", key, value });
    },
    setPartitioner(next) {
      layout = next;
    },
    get redirects() {
      return redirects;
    },
  };
}
