// A replicated block store for a job's input (GFS, SOSP 2003, §2.3 and §4.2: a file is stored
// as chunks, each chunk on several chunkservers, three replicas by default). Here one input file
// is one block — a split of the job, as in MapReduce §3.1 where the input is split in 16–64 MB
// pieces matching GFS chunks. Placement is deterministic: block b's replicas are the `replication`
// hosts that follow `ihash(b) mod n` in the host list (a ring), so the same hosts hold it in
// every run. The bytes themselves live in the shared {@link MapReduceFs}; the store records where
// the copies are, and counts local and remote reads so the notebook can show MapReduce §3.4
// ("Locality"): the master schedules a map task on a machine that holds a replica of its input,
// and most input is read from local disk instead of the network.
import { ConfigError, SimulationError } from "../sim/errors";
import { ihash, type InputFile } from "./app";
import type { MapReduceFs } from "./fs";

/** Options of {@link BlockStore}. */
export interface BlockStoreOptions {
  /** The chunk servers' node ids (hosts); workers co-located with them share their ids. */
  hosts: readonly string[];
  /** Copies of each block. Default 3 (GFS's default), at most the number of hosts. */
  replication?: number;
}

/** Local and remote reads of input blocks. */
export interface BlockCounters {
  localReads: number;
  remoteReads: number;
  localBytes: number;
  remoteBytes: number;
}

/**
 * Where the replicas of each input block are.
 *
 * @example
 * const fs = new MapReduceFs();
 * const blocks = new BlockStore({ hosts: ["w1", "w2", "w3", "w4"], replication: 3 });
 * blocks.put(fs, [{ file: "in-0", contents: "the cat" }]);
 * blocks.replicas("in-0");        // three of w1..w4, always the same three
 * blocks.isLocal("in-0", "w2");   // whether w2 holds a copy
 */
export class BlockStore {
  readonly hosts: readonly string[];
  readonly replication: number;
  readonly counters: BlockCounters = { localReads: 0, remoteReads: 0, localBytes: 0, remoteBytes: 0 };
  private readonly placement = new Map<string, string[]>();

  constructor(options: BlockStoreOptions) {
    const hosts = options.hosts;
    if (!Array.isArray(hosts) || hosts.length === 0) throw new ConfigError("BlockStore: hosts", hosts, "a non-empty list of node ids");
    if (new Set(hosts).size !== hosts.length) throw new ConfigError("BlockStore: hosts", hosts, "distinct node ids");
    const r = options.replication ?? Math.min(3, hosts.length);
    if (!Number.isInteger(r) || r < 1 || r > hosts.length) throw new ConfigError("BlockStore: replication", r, `a whole number in [1, ${hosts.length}]`);
    this.hosts = [...hosts];
    this.replication = r;
  }

  /** Store input files as blocks: write each to `fs` and place its replicas. @example blocks.put(fs, inputs) */
  put(fs: MapReduceFs, inputs: readonly InputFile[]): void {
    for (const { file, contents } of inputs) {
      const start = ihash(file) % this.hosts.length;
      const where: string[] = [];
      for (let k = 0; k < this.replication; k++) where.push(this.hosts[(start + k) % this.hosts.length]);
      this.placement.set(file, where);
      fs.write(file, contents, where[0]);
    }
  }

  /** The hosts holding a copy of `file` (empty if it is not a block). @example blocks.replicas("in-0") // ["w3", "w4", "w1"] */
  replicas(file: string): string[] {
    return [...(this.placement.get(file) ?? [])];
  }

  /** Whether `host` holds a copy of `file`. @example blocks.isLocal("in-0", "w3") // true */
  isLocal(file: string, host: string): boolean {
    return this.placement.get(file)?.includes(host) ?? false;
  }

  /** Whether `file` is stored here. @example blocks.has("in-0") */
  has(file: string): boolean {
    return this.placement.has(file);
  }

  /** Blocks per host: how evenly placement spreads them. @example blocks.load() // { w1: 3, w2: 3, ... } */
  load(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const h of this.hosts) out[h] = 0;
    for (const where of this.placement.values()) for (const h of where) out[h]++;
    return out;
  }

  /** Throw unless `host` holds `file` (a chunk server asked for a block it does not have). @example blocks.checkHolds("in-0", "w3", node.now()) */
  checkHolds(file: string, host: string, timeMs: number): void {
    if (!this.isLocal(file, host)) throw new SimulationError(`read_block: host does not hold a replica of "${file}"`, { node: host, timeMs });
  }
}
