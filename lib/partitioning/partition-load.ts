// Load per partition: the same request stream through hash and range partitioning. Each
// partition server serves one request at a time with a fixed service time (lib/simulation/
// service.ts), so a partition that gets more than its share of requests shows it as utilisation
// near 1, a growing queue and a long latency tail — a hot spot — while the others idle.
//
// Workloads (key popularity and key *order* both matter):
// - "uniform": every existing key equally likely.
// - "zipf": key i with probability ∝ 1/(i+1)^s (lib/patterns/zipf.ts), and the popular keys are
//   neighbours in key order (k0000, k0001, …), as recent ids or timestamps are: a range
//   partitioner puts them all on its first partition; hashing scatters them.
// - "sequential": writes of new, ever-increasing keys (an insert stream of auto-increment ids or
//   timestamps): every one falls past the last split point, on the last range partition.
import { latency } from "../net/index";
import { Simulation } from "../simulation/index";
import { percentiles } from "../trace/index";
import { ZipfSampler } from "../patterns/zipf";
import { keyNames, evenRangePartitioner } from "./keys";
import { modNPartitioner, type Partitioner } from "./partitioner";
import { partitionServer } from "./kv-service";
import type { Message } from "../node/index";

/** Which request stream {@link runPartitionLoad} sends. */
export type LoadWorkload = "uniform" | "zipf" | "sequential";

/** Options of {@link runPartitionLoad}. */
export interface PartitionLoadOptions {
  seed?: number;
  /**
   * `"hash"` (hash mod N), `"range"` (N ranges of equal key counts), or any Partitioner — for
   * instance a consistent-hash ring — whose partitions become the servers.
   */
  partitioner: "hash" | "range" | Partitioner;
  /** Servers for "hash" and "range" (s1…sN). Default 4. */
  partitions?: number;
  /** Distinct existing keys. Default 1000. */
  keyCount?: number;
  /** Default "zipf". */
  workload?: LoadWorkload;
  /** The Zipf skew s (workload "zipf"). Default 1. */
  zipfExponent?: number;
  /** Requests sent (Poisson arrivals). Default 2000. */
  requests?: number;
  /** Offered load as a share of all servers' capacity together, in (0, 1). Default 0.5. */
  utilisation?: number;
  /** Time a server takes per request. Default 1. */
  serviceTimeMs?: number;
  /** One-way network delay. Default 0.5. */
  networkLatencyMs?: number;
}

/** One partition's row. */
export interface PartitionLoadRow {
  partition: string;
  requests: number;
  /** requests / all requests. */
  share: number;
  /** Busy time / the run's length (1 = never idle). */
  utilisation: number;
  latencyMsMean: number;
  latencyMsP99: number;
}

/** What {@link runPartitionLoad} measured. */
export interface PartitionLoadResult {
  rows: PartitionLoadRow[];
  /** The busiest partition's share divided by the fair share 1/N (1 = perfectly even). */
  imbalance: number;
  latencyMsP99: number;
  /** Virtual time from the first request to the last answer. */
  durationMs: number;
}

/**
 * Send one request stream to a partitioned store and report the load on each partition.
 * Tracing is off; the defaults take some tens of ms.
 *
 * @example
 * const range = await runPartitionLoad({ partitioner: "range", workload: "zipf", seed: 1 });
 * const hash = await runPartitionLoad({ partitioner: "hash", workload: "zipf", seed: 1 });
 * console.log(formatTable(range.rows), range.imbalance, hash.imbalance); // range: one hot partition
 */
export async function runPartitionLoad(options: PartitionLoadOptions): Promise<PartitionLoadResult> {
  const {
    seed = 1,
    partitions = 4,
    keyCount = 1000,
    workload = "zipf",
    zipfExponent = 1,
    requests = 2000,
    utilisation = 0.5,
    serviceTimeMs = 1,
    networkLatencyMs = 0.5,
  } = options;
  const where = "runPartitionLoad";
  if (!(utilisation > 0 && utilisation < 1)) throw new RangeError(`${where}: utilisation must be in (0, 1), got ${String(utilisation)}`);
  if (!Number.isInteger(requests) || requests < 1) throw new RangeError(`${where}: requests must be a whole number ≥ 1, got ${String(requests)}`);
  if (!["uniform", "zipf", "sequential"].includes(workload)) throw new RangeError(`${where}: workload must be "uniform", "zipf" or "sequential", got ${String(workload)}`);
  if (!(serviceTimeMs > 0)) throw new RangeError(`${where}: serviceTimeMs must be > 0, got ${String(serviceTimeMs)}`);
  // one padded name space for the existing keys and the new ones a sequential stream inserts
  const names = keyNames(keyCount + (workload === "sequential" ? requests : 0));
  const existing = names.slice(0, keyCount);
  const ids = Array.from({ length: partitions }, (_, i) => `s${i + 1}`);
  let layout: Partitioner;
  if (options.partitioner === "hash") layout = modNPartitioner({ partitions: ids });
  else if (options.partitioner === "range") layout = evenRangePartitioner({ partitions: ids, keys: existing });
  else if (options.partitioner && typeof options.partitioner.ownerOf === "function") layout = options.partitioner;
  else throw new RangeError(`${where}: partitioner must be "hash", "range" or a Partitioner, got ${String(options.partitioner)}`);
  const servers = layout.partitions();

  const sim = new Simulation({ seed, trace: false, network: { latency: latency.constant(networkLatencyMs) }, maxEvents: 30 * requests + 1000 });
  for (const id of servers) sim.spawn(id, (node) => void partitionServer(node, { partitioner: layout }), { role: "partition", service: { timeMs: latency.constant(serviceTimeMs) } });
  const perPartition = new Map<string, number[]>(servers.map((s) => [s, []]));
  const all: number[] = [];
  let lastMs = 0;
  sim.spawn("client", (node) => {
    // plain messages and handlers rather than awaited requests: with a hot spot, a thousand
    // requests can be waiting at once, and pending promises make the simulator drain after each event
    const arrivals = sim.random("arrivals");
    const zipf = new ZipfSampler({ keyCount, exponent: workload === "zipf" ? zipfExponent : 0 }, sim.random("keys"));
    const gapMs = serviceTimeMs / (utilisation * servers.length);
    const waiting = new Map<number, { owner: string; startMs: number }>();
    const answered = (msg: Message): void => {
      const request = waiting.get(msg.body.in_reply_to as number);
      if (request === undefined) return;
      waiting.delete(msg.body.in_reply_to as number);
      const ms = node.now() - request.startMs;
      perPartition.get(request.owner)!.push(ms);
      all.push(ms);
      lastMs = node.now();
    };
    node.on("part_get_ok", answered);
    node.on("part_put_ok", answered);
    let sent = 0;
    const issue = (): void => {
      const i = sent++;
      const key = workload === "sequential" ? names[keyCount + i] : existing[zipf.next()];
      const owner = layout.ownerOf(key);
      const body = workload === "sequential" ? { type: "part_put", key, value: "v" } : { type: "part_get", key };
      waiting.set(node.send(owner, body), { owner, startMs: node.now() });
      if (sent < requests) node.setTimer(arrivals.exponential(gapMs), issue, "arrival");
    };
    node.setTimer(arrivals.exponential(gapMs), issue, "arrival");
  }, { role: "client" });
  await sim.run();

  const rows: PartitionLoadRow[] = servers.map((partition) => {
    const ms = perPartition.get(partition)!;
    const p = percentiles(ms);
    return {
      partition,
      requests: ms.length,
      share: ms.length / all.length,
      utilisation: lastMs > 0 ? (ms.length * serviceTimeMs) / lastMs : 0,
      latencyMsMean: ms.length === 0 ? 0 : ms.reduce((a, b) => a + b, 0) / ms.length,
      latencyMsP99: p?.p99 ?? 0,
    };
  });
  const shareMax = Math.max(...rows.map((r) => r.share));
  return { rows, imbalance: shareMax * servers.length, latencyMsP99: percentiles(all)?.p99 ?? 0, durationMs: lastMs };
}
