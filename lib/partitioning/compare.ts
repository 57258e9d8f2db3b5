// What replication and partitioning each buy and cost, on one workload and the same number of
// nodes (lecture 000 on redundancy: replication gives every node all the data, sharding gives
// each node a part of it; Kleppmann, DDIA ch. 5–6):
//
// - full replication: every node holds every key. Reads can go anywhere and survive any node's
//   crash, but the cluster stores no more than one node can, and a write costs a message pair
//   per node.
// - partitioning: each node holds one shard (hash mod N). N times the capacity and one message
//   pair per write, but a crash makes that node's keys unreadable, and a hot key's shard caps
//   the read throughput.
// - partitioning with 2 replicas per shard: shard i on nodes i and i + 1 (mod N). Half the
//   capacity of plain partitioning, two message pairs per write, and any single crash survived.
//
// Wire of the small store used here (internal; every field):
//   client → first replica  { type: "shard_put", key, value } → { type: "shard_put_ok" } | { type: "shard_full" }
//   first → other replicas  { type: "shard_copy", key, value } → { type: "shard_copy_ok" } | { type: "shard_full" }
//   client → any replica    { type: "shard_get", key }        → { type: "shard_get_ok", key, value: string | null }
import { latency } from "../net/index";
import type { Message, Node } from "../node/index";
import { Simulation } from "../simulation/index";
import { ZipfSampler } from "../patterns/zipf";
import { spreadHash } from "./hash";
import { keyNames } from "./keys";

/** Options of {@link compareReplicationAndPartitioning}. */
export interface ReplicationPartitioningOptions {
  seed?: number;
  /** Nodes in every set-up. Default 4. */
  nodes?: number;
  /** Distinct keys the workload tries to store. Default 600. */
  keyCount?: number;
  /** Keys one node can hold. Default 200. */
  capacityKeysPerNode?: number;
  /** Reads in the throughput burst. Default 1000. */
  reads?: number;
  /** Updates of stored keys whose messages are counted. Default 100. */
  writes?: number;
  /** Skew of the reads (Zipf s over the stored keys; 0 = uniform). Default 0.8. */
  zipfExponent?: number;
  /** Nodes crashed (n1, n2, …) before the availability check. Default 1. */
  crashes?: number;
  /** Server time per request. Default 1. */
  serviceTimeMs?: number;
  /** One-way network delay. Default 0.5. */
  networkLatencyMs?: number;
  /** How long the availability check waits for one replica before it asks the next. Default 20. */
  readTimeoutMs?: number;
}

/** One set-up's row. */
export interface ReplicationPartitioningRow {
  setup: string;
  copiesPerKey: number;
  /** Distinct keys stored with every copy (of `keyCount` tried): the capacity. */
  keysStored: number;
  /** Reads answered per ms in a burst of `reads` reads, each sent to a random replica of its key. */
  readsPerMs: number;
  /** Messages (requests and replies) per write of a stored key. */
  messagesPerWrite: number;
  /** Share of the stored keys still readable after `crashes` node crashes. */
  readableAfterCrash: number;
}

const SETUPS: ReadonlyArray<{ setup: string; copies: (nodes: number) => number }> = [
  { setup: "full replication", copies: (n) => n },
  { setup: "partitioned", copies: () => 1 },
  { setup: "partitioned, 2 replicas", copies: (n) => Math.min(2, n) },
];

/**
 * A store server holding at most `capacity` keys; the first replica of a key copies each write to
 * the others and answers once all of them did. Written with callbacks, not awaited rpcs: a burst of
 * a thousand pending promises would make the simulator drain microtasks after every event.
 */
function shardServer(node: Node, capacity: number, replicasOf: (key: string) => string[]): void {
  const store = new Map<string, string>();
  /** Writes waiting for their copies, by the msg_id of each shard_copy sent. */
  const copying = new Map<number, { request: Message; waiting: number; full: boolean }>();
  const fits = (key: string): boolean => store.has(key) || store.size < capacity;
  node.on("shard_get", (msg) => node.reply(msg, { type: "shard_get_ok", key: msg.body.key, value: store.get(msg.body.key as string) ?? null }));
  node.on("shard_copy", (msg) => {
    const key = msg.body.key as string;
    if (!fits(key)) return node.reply(msg, { type: "shard_full" });
    store.set(key, msg.body.value as string);
    node.reply(msg, { type: "shard_copy_ok" });
  });
  const copied = (msg: Message): void => {
    const write = copying.get(msg.body.in_reply_to as number);
    if (write === undefined) return;
    copying.delete(msg.body.in_reply_to as number);
    if (msg.body.type === "shard_full") write.full = true;
    if (--write.waiting === 0) node.reply(write.request, { type: write.full ? "shard_full" : "shard_put_ok" });
  };
  node.on("shard_copy_ok", copied);
  node.on("shard_full", copied);
  node.on("shard_put", (msg) => {
    const key = msg.body.key as string;
    if (!fits(key)) return node.reply(msg, { type: "shard_full" });
    store.set(key, msg.body.value as string);
    const others = replicasOf(key).filter((r) => r !== node.id);
    if (others.length === 0) return node.reply(msg, { type: "shard_put_ok" });
    const write = { request: msg, waiting: others.length, full: false };
    for (const r of others) copying.set(node.send(r, { type: "shard_copy", key, value: msg.body.value }), write);
  });
}

/**
 * One workload, three set-ups of the same nodes: full replication, partitioning, and partitioning
 * with 2 replicas per shard. Each set-up stores as many of `keyCount` keys as fit, then answers a
 * burst of skewed reads, then takes `writes` updates, then loses `crashes` nodes and is asked for
 * every stored key. Tracing is off; the defaults take some tens of ms.
 *
 * @example
 * const rows = await compareReplicationAndPartitioning({ seed: 1 });
 * console.log(formatTable(rows));
 * // full replication: 200 keys stored, 8 messages per write, every key readable after a crash
 * // partitioned: about 600 keys, 2 messages per write, about 3/4 readable after a crash
 * // partitioned, 2 replicas: about 400 keys, 4 messages per write, every key readable
 */
export async function compareReplicationAndPartitioning(options: ReplicationPartitioningOptions = {}): Promise<ReplicationPartitioningRow[]> {
  const {
    seed = 1,
    nodes = 4,
    keyCount = 600,
    capacityKeysPerNode = 200,
    reads = 1000,
    writes = 100,
    zipfExponent = 0.8,
    crashes = 1,
    serviceTimeMs = 1,
    networkLatencyMs = 0.5,
    readTimeoutMs = 20,
  } = options;
  const where = "compareReplicationAndPartitioning";
  if (!Number.isInteger(nodes) || nodes < 1) throw new RangeError(`${where}: nodes must be a whole number ≥ 1, got ${String(nodes)}`);
  if (!Number.isInteger(crashes) || crashes < 0 || crashes > nodes) throw new RangeError(`${where}: crashes must be a whole number in [0, ${nodes}], got ${String(crashes)}`);
  if (!Number.isInteger(capacityKeysPerNode) || capacityKeysPerNode < 1) throw new RangeError(`${where}: capacityKeysPerNode must be a whole number ≥ 1, got ${String(capacityKeysPerNode)}`);
  const ids = Array.from({ length: nodes }, (_, i) => `n${i + 1}`);
  const keys = keyNames(keyCount);
  const rows: ReplicationPartitioningRow[] = [];
  for (const { setup, copies: copiesOf } of SETUPS) {
    const copies = copiesOf(nodes);
    const replicasOf = (key: string): string[] => {
      const first = spreadHash(key) % nodes;
      return Array.from({ length: copies }, (_, j) => ids[(first + j) % nodes]);
    };
    const sim = new Simulation({ seed, trace: false, network: { latency: latency.constant(networkLatencyMs) }, maxEvents: 2_000_000 });
    for (const id of ids) sim.spawn(id, (node) => shardServer(node, capacityKeysPerNode, replicasOf), { role: "server", service: { timeMs: latency.constant(serviceTimeMs) } });
    const row: ReplicationPartitioningRow = { setup, copiesPerKey: copies, keysStored: 0, readsPerMs: 0, messagesPerWrite: 0, readableAfterCrash: 0 };
    let clientDone = false;
    sim.spawn("client", (node) => {
      const rng = sim.random("workload");
      const stored: string[] = [];
      /** What each request in flight is waiting for, by msg_id. */
      const pending = new Map<number, (reply: Message | undefined) => void>();
      const request = (dest: string, body: { type: string; [field: string]: unknown }, then: (reply: Message | undefined) => void, timeoutMs?: number): void => {
        const id = node.send(dest, body);
        if (timeoutMs === undefined) return void pending.set(id, then);
        const timer = node.setTimer(timeoutMs, () => {
          pending.delete(id);
          then(undefined);
        }, "read timeout");
        pending.set(id, (reply) => {
          node.cancelTimer(timer);
          then(reply);
        });
      };
      const answered = (msg: Message): void => {
        const then = pending.get(msg.body.in_reply_to as number);
        if (then === undefined) return;
        pending.delete(msg.body.in_reply_to as number);
        then(msg);
      };
      for (const type of ["shard_put_ok", "shard_full", "shard_get_ok"]) node.on(type, answered);
      /** Run `count` requests made by `each`, one after the other; then `done`. */
      const sequence = (count: number, each: (i: number, finish: () => void) => void, done: () => void): void => {
        const step = (i: number): void => (i === count ? done() : each(i, () => step(i + 1)));
        step(0);
      };
      /** Run `count` requests made by `each`, all at once; call `done` when every one has finished. */
      const burst = (count: number, each: (i: number, finish: () => void) => void, done: () => void): void => {
        let left = count;
        if (left === 0) return done();
        for (let i = 0; i < count; i++) each(i, () => void (--left === 0 && done()));
      };
      // 1. capacity: try to store every key, one after the other
      sequence(keys.length, (i, finish) => request(replicasOf(keys[i])[0], { type: "shard_put", key: keys[i], value: `${keys[i]}:v0` }, (reply) => {
        if (reply?.body.type === "shard_put_ok") stored.push(keys[i]);
        finish();
      }), () => {
        stored.sort();
        row.keysStored = stored.length;
        if (stored.length === 0) return void (clientDone = true);
        // 2. read throughput: a burst of Zipf-skewed reads, each to a random replica of its key
        const zipf = new ZipfSampler({ keyCount: stored.length, exponent: zipfExponent }, rng);
        const startMs = node.now();
        burst(reads, (_, finish) => {
          const key = stored[zipf.next()];
          request(rng.pick(replicasOf(key)), { type: "shard_get", key }, finish);
        }, () => {
          row.readsPerMs = reads / Math.max(1e-9, node.now() - startMs);
          // 3. write cost: updates of stored keys, counting every message sent meanwhile
          const sentBefore = sim.counters.sent;
          burst(writes, (i, finish) => {
            const key = stored[i % stored.length];
            request(replicasOf(key)[0], { type: "shard_put", key, value: `${key}:v${i + 1}` }, finish);
          }, () => {
            row.messagesPerWrite = writes > 0 ? (sim.counters.sent - sentBefore) / writes : 0;
            // 4. availability: crash n1…, then ask each replica of every stored key in turn
            for (let i = 0; i < crashes; i++) sim.crash(ids[i]);
            let readable = 0;
            sequence(stored.length, (i, finish) => {
              const replicas = replicasOf(stored[i]);
              const attempt = (j: number): void => {
                if (j === replicas.length) return finish();
                request(replicas[j], { type: "shard_get", key: stored[i] }, (reply) => {
                  if (reply !== undefined && reply.body.value !== null) {
                    readable++;
                    finish();
                  } else attempt(j + 1);
                }, readTimeoutMs);
              };
              attempt(0);
            }, () => {
              row.readableAfterCrash = readable / stored.length;
              clientDone = true;
            });
          });
        });
      });
    }, { role: "client" });
    await sim.runUntil(() => clientDone, { withinMs: 1e7 });
    rows.push(row);
  }
  return rows;
}
