// Rebalancing: when the partition layout changes, keys really have to travel between servers, and
// the network's bandwidth turns "how many keys move" into "how long the move takes". This runner
// switches every server and the client to a new layout at one virtual instant (a real system would
// push the layout through a configuration service), lets the servers hand off their keys
// (kv-service.ts: batches, acknowledged, sent again until acknowledged), and keeps a client reading
// and writing throughout: reads that reach a new owner before their key are forwarded to the old
// owner, writes go to the new owner at once.
//
// Crashes: values live in durable storage and a batch is deleted at its sender only once
// acknowledged, so a crash of a sender or a receiver delays the move but loses nothing; a server
// restarted in the middle of the move resumes its hand-off. While a server is down its keys cannot
// be read (there is one copy of each key: partitioning alone buys no availability).
import { latency } from "../net/index";
import type { Node } from "../node/index";
import { Simulation } from "../simulation/index";
import { keyNames } from "./keys";
import { keysMoved as countMoved } from "./keys-moved";
import type { Partitioner } from "./partitioner";
import { partitionClient, partitionServer, type PartitionServer } from "./kv-service";

/** Options of {@link runRebalance}. */
export interface RebalanceOptions {
  seed?: number;
  /** The layout before. Servers are the partitions of `from` and `to` together. */
  from: Partitioner;
  /** The layout after. */
  to: Partitioner;
  /** The keys stored (names), or how many (keyNames(n)). Default 1000. */
  keys?: number | readonly string[];
  /** Characters (= bytes, ASCII) of each value. Default 100. */
  valueBytes?: number;
  /** Capacity of each directed link. Default 1000 bytes per ms (1 MB/s). */
  bandwidthBytesPerMs?: number;
  /** Keys per hand-off batch. Default 50. */
  batchKeys?: number;
  /** One-way network delay. Default 1. */
  networkLatencyMs?: number;
  /** Probability that a message is lost (batches are then sent again). Default 0. */
  lossProbability?: number;
  /** When the layout changes. Default 10. */
  startMs?: number;
  /** Client requests per ms (Poisson), before, during and a little after the move. Default 1. */
  requestsPerMs?: number;
  /** Share of the client's requests that are writes (each to the next key in turn). Default 0.2. */
  writeShare?: number;
  /** Crash this server at `atMs` and restart it at `restartAtMs` (optional). */
  crash?: { node: string; atMs: number; restartAtMs: number };
  /** Give up the run after this long. Default 60 000. */
  runMsMax?: number;
}

/** What {@link runRebalance} measured. */
export interface RebalanceResult {
  /** Keys whose owner differs between the layouts (each crosses the network once). */
  keysMoved: number;
  keys: number;
  /** keysMoved / keys. */
  movedShare: number;
  /** Characters of the moved keys and values (= bytes for ASCII). */
  bytesMoved: number;
  /** From the layout change until every server had handed off its keys. */
  durationMs: number;
  /** Server pairs (sender → receiver) that exchanged keys: how much of the cluster the move disturbs. */
  transfers: number;
  /** The client's reads: answered correctly, answered wrongly (a missing or foreign value), failed (timeout, unavailable). */
  reads: { sent: number; answered: number; wrong: number; failed: number };
  writes: { sent: number; acknowledged: number; failed: number };
  /** Reads new owners forwarded to old owners during the move. */
  readsForwarded: number;
  /** After the move: keys not stored at their new owner, or stored elsewhere too. */
  keysMisplaced: number;
  /**
   * After the move: keys whose value is not the last acknowledged write (or the original), nor a
   * later write that failed (a write whose answer was lost may have been applied).
   */
  keysWrong: number;
}

/**
 * Move a store from one layout to another in the simulator and measure keys and bytes moved, the
 * time it takes, and the reads and writes served meanwhile.
 *
 * @example
 * const ids = (n: number) => Array.from({ length: n }, (_, i) => `s${i + 1}`);
 * const r = await runRebalance({ seed: 1, from: modNPartitioner({ partitions: ids(4) }), to: modNPartitioner({ partitions: ids(5) }) });
 * r.movedShare;   // ≈ 0.8
 * r.durationMs;   // how long 80% of the data took to cross the links
 * r.reads;        // { sent, answered, wrong: 0, failed: 0 }: reads kept working during the move
 */
export async function runRebalance(options: RebalanceOptions): Promise<RebalanceResult> {
  const {
    seed = 1,
    from,
    to,
    valueBytes = 100,
    bandwidthBytesPerMs = 1000,
    batchKeys = 50,
    networkLatencyMs = 1,
    lossProbability = 0,
    startMs = 10,
    requestsPerMs = 1,
    writeShare = 0.2,
    crash,
    runMsMax = 60_000,
  } = options;
  const where = "runRebalance";
  for (const [name, p] of [["from", from], ["to", to]] as const) {
    if (!p || typeof p.ownerOf !== "function" || typeof p.partitions !== "function") throw new RangeError(`${where}: options.${name} must be a Partitioner (ownerOf, partitions)`);
  }
  const keysOption = options.keys ?? 1000;
  const keys = typeof keysOption === "number" ? keyNames(keysOption) : [...keysOption];
  if (!Number.isInteger(valueBytes) || valueBytes < 1) throw new RangeError(`${where}: valueBytes must be a whole number ≥ 1, got ${String(valueBytes)}`);
  if (!(bandwidthBytesPerMs > 0)) throw new RangeError(`${where}: bandwidthBytesPerMs must be > 0, got ${String(bandwidthBytesPerMs)}`);
  if (!(writeShare >= 0 && writeShare <= 1)) throw new RangeError(`${where}: writeShare must be in [0, 1], got ${String(writeShare)}`);
  const servers = [...new Set([...from.partitions(), ...to.partitions()])].sort();
  if (crash !== undefined) {
    if (!servers.includes(crash.node)) throw new RangeError(`${where}: crash.node ${JSON.stringify(crash.node)} is not a server (${servers.join(", ")})`);
    if (!(crash.restartAtMs > crash.atMs)) throw new RangeError(`${where}: crash.restartAtMs (${crash.restartAtMs}) must be after crash.atMs (${crash.atMs})`);
  }
  /** A value names its key (so a read can tell a foreign value) and is padded to valueBytes. */
  const valueOf = (key: string, version: number): string => `${key}#${version}#`.padEnd(valueBytes, ".");
  /** Values a key may end with: the last acknowledged one, and any whose write failed after it (it may have been applied). */
  const possible = new Map(keys.map((k) => [k, new Set([valueOf(k, 0)])]));

  const sim = new Simulation({ seed, trace: false, network: { latency: latency.constant(networkLatencyMs), bandwidthBytesPerMs, lossProbability }, maxEvents: 5_000_000 });
  let switched = false;
  const live = new Map<string, PartitionServer>();
  const done = new Map<string, number>();
  for (const id of servers) {
    sim.spawn(id, (node: Node) => {
      if (!node.storage.has("preloaded")) {
        for (const k of keys) if (from.ownerOf(k) === id) node.storage.set("kv:" + k, valueOf(k, 0));
        node.storage.set("preloaded", true);
      }
      const onHandoffDone = (): void => void done.set(id, node.now());
      live.set(id, partitionServer(node, switched ? { partitioner: to, previous: from, batchKeys, onHandoffDone } : { partitioner: from, batchKeys, onHandoffDone }));
    }, { role: "partition" });
  }
  const reads = { sent: 0, answered: 0, wrong: 0, failed: 0 };
  const writes = { sent: 0, acknowledged: 0, failed: 0 };
  let finishedMs: number | undefined;
  const finished = (): boolean => {
    if (finishedMs === undefined && switched && done.size === servers.length) finishedMs = sim.now();
    return finishedMs !== undefined;
  };
  sim.spawn("client", (node) => {
    const kv = partitionClient(node, { partitioner: from, timeoutMs: 500 });
    const rng = sim.random("requests");
    let nextWrite = 0;
    let quietAfterMs = Infinity;
    const issue = (): void => {
      if (finished() && quietAfterMs === Infinity) quietAfterMs = node.now() + 20;
      if (node.now() > quietAfterMs || node.now() > runMsMax) return;
      if (rng.chance(writeShare)) {
        const key = keys[nextWrite++ % keys.length];
        const value = valueOf(key, nextWrite);
        writes.sent++;
        kv.put(key, value).then(() => {
          writes.acknowledged++;
          possible.set(key, new Set([value]));
        }, () => {
          writes.failed++;
          possible.get(key)!.add(value);
        });
      } else {
        const key = keys[rng.int(0, keys.length)];
        reads.sent++;
        kv.get(key).then((value) => {
          if (value !== null && value.startsWith(`${key}#`)) reads.answered++;
          else reads.wrong++;
        }, () => void reads.failed++);
      }
      node.setTimer(rng.exponential(1 / requestsPerMs), issue, "request");
    };
    if (requestsPerMs > 0) node.setTimer(rng.exponential(1 / requestsPerMs), issue, "request");
    sim.at(startMs, () => kv.setPartitioner(to), "client switches layout");
  }, { role: "client" });
  sim.at(startMs, () => {
    switched = true;
    for (const id of servers) live.get(id)!.moveTo(to);
  }, "layout change");
  if (crash !== undefined) {
    sim.at(crash.atMs, () => {
      sim.crash(crash.node);
      if (!finished()) done.delete(crash.node); // it reports again once it has finished after the restart
    }, `crash ${crash.node}`);
    sim.at(crash.restartAtMs, () => sim.restart(crash.node), `restart ${crash.node}`);
  }
  await sim.runUntil(finished, { withinMs: runMsMax });
  await sim.runFor(600); // let the last requests answer or time out
  for (const id of servers) live.get(id)!.finishRebalance();

  let keysMisplaced = 0;
  let keysWrong = 0;
  for (const k of keys) {
    const owner = to.ownerOf(k);
    const holders = servers.filter((s) => live.get(s)!.valueOf(k) !== null);
    if (holders.length !== 1 || holders[0] !== owner) keysMisplaced++;
    if (!possible.get(k)!.has(live.get(owner)!.valueOf(k) ?? "")) keysWrong++;
  }
  const moved = countMoved(from, to, keys);
  let bytesMoved = 0;
  const pairs = new Set<string>();
  for (const k of keys) {
    if (from.ownerOf(k) === to.ownerOf(k)) continue;
    bytesMoved += k.length + valueBytes;
    pairs.add(`${from.ownerOf(k)}→${to.ownerOf(k)}`);
  }
  let readsForwarded = 0;
  for (const s of live.values()) readsForwarded += s.forwarded;
  return {
    keysMoved: moved,
    keys: keys.length,
    movedShare: moved / keys.length,
    bytesMoved,
    durationMs: (finishedMs ?? sim.now()) - startMs,
    transfers: pairs.size,
    reads,
    writes,
    readsForwarded,
    keysMisplaced,
    keysWrong,
  };
}
