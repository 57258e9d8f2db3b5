// Partitioners: which partition (shard) owns a key. Three classic ways (Kleppmann, "Designing
// Data-Intensive Applications", ch. 6; lecture 000, "sharding" and "About Data Partitioning"):
//
// - by hash, `modNPartitioner`: owner = partitions[hash(key) mod N]. Keys spread evenly whatever
//   their names, but neighbouring keys land far apart (no range scans), and changing N moves
//   almost every key (see keys-moved.ts).
// - by key range, `rangePartitioner`: sorted split points cut the key space into N contiguous
//   ranges (Bigtable's tablets, HBase regions). Range scans stay on one partition, a range can be
//   split where it is hot, but keys that are popular together (recent ids, one prefix) all hit one
//   partition: a hot spot.
// - by region, `regionPartitioner`: a field of the key (here a prefix such as "eu:") says where
//   the data's users live, and the data is kept there, so most reads stay inside one region, a
//   fault in one region stays there, and data can be kept where regulation demands it (the
//   lecture cites GDPR art. 44 on transfers out of the EU).
//
// All three are pure and share one interface, `Partitioner`: `ownerOf(key)` and `partitions()`.
// A consistent-hash ring (exercise 08.3) has the same two methods, so it can be passed wherever a
// Partitioner is asked for.
import { spreadHash } from "./hash";

/** Anything that assigns each key exactly one owner among a fixed list of partitions. */
export interface Partitioner {
  /** The partition (a node id) that owns `key`. */
  ownerOf(key: string): string;
  /** Every partition, in a fixed order. */
  partitions(): string[];
}

/** Options of {@link modNPartitioner}. */
export interface ModNOptions {
  /** Partition ids (node ids), at least one, no repeats. The index of each is its residue. */
  partitions: readonly string[];
  /** The hash of a key. Default {@link spreadHash} (FNV-1a with a final mix). */
  hash?: (key: string) => number;
}

function checkPartitions(where: string, partitions: readonly string[]): void {
  if (!Array.isArray(partitions) || partitions.length === 0) throw new RangeError(`${where}: partitions must list at least one partition id, got ${JSON.stringify(partitions)}`);
  const seen = new Set<string>();
  for (const p of partitions) {
    if (typeof p !== "string" || p === "") throw new RangeError(`${where}: partition ids must be non-empty strings, got ${JSON.stringify(p)}`);
    if (seen.has(p)) throw new RangeError(`${where}: partition ${JSON.stringify(p)} is listed twice`);
    seen.add(p);
  }
}

function checkKey(where: string, key: unknown): void {
  if (typeof key !== "string") throw new TypeError(`${where}: a key must be a string, got ${typeof key} ${String(key)}`);
}

/**
 * Partitioning by hash: key → `partitions[hash(key) mod N]`.
 *
 * @example
 * const p = modNPartitioner({ partitions: ["s1", "s2", "s3", "s4"] });
 * p.ownerOf("user:42");  // one of s1..s4, the same on every call
 * p.partitions();        // ["s1", "s2", "s3", "s4"]
 */
export function modNPartitioner(options: ModNOptions): Partitioner {
  const where = "modNPartitioner";
  const list = [...options.partitions];
  checkPartitions(where, list);
  const hash = options.hash ?? spreadHash;
  return {
    ownerOf(key) {
      checkKey(where, key);
      return list[hash(key) % list.length];
    },
    partitions: () => [...list],
  };
}

/** Options of {@link rangePartitioner}. */
export interface RangeOptions {
  /** Partition ids in key order: partitions[0] owns the lowest keys. */
  partitions: readonly string[];
  /**
   * N − 1 strictly increasing split points (compared as strings, code unit by code unit):
   * partitions[i] owns the keys k with splitPoints[i − 1] ≤ k < splitPoints[i].
   */
  splitPoints: readonly string[];
}

/** A range partitioner: also tells its split points, so a range can be split further. */
export interface RangePartitioner extends Partitioner {
  /** The split points, sorted. */
  splitPoints(): string[];
}

/**
 * Partitioning by key range: sorted split points, binary search for the owner.
 *
 * @example
 * const p = rangePartitioner({ partitions: ["a-f", "g-p", "q-z"], splitPoints: ["g", "q"] });
 * p.ownerOf("alice");  // "a-f"
 * p.ownerOf("grace");  // "g-p"  ("g" itself belongs to the range it starts)
 * p.ownerOf("zoe");    // "q-z"
 */
export function rangePartitioner(options: RangeOptions): RangePartitioner {
  const where = "rangePartitioner";
  const list = [...options.partitions];
  const splits = [...options.splitPoints];
  checkPartitions(where, list);
  if (splits.length !== list.length - 1) throw new RangeError(`${where}: ${list.length} partitions need ${list.length - 1} split points, got ${splits.length}`);
  for (let i = 0; i < splits.length; i++) {
    if (typeof splits[i] !== "string") throw new TypeError(`${where}: splitPoints[${i}] must be a string, got ${typeof splits[i]}`);
    if (i > 0 && !(splits[i - 1] < splits[i])) throw new RangeError(`${where}: split points must be strictly increasing, but ${JSON.stringify(splits[i - 1])} ≥ ${JSON.stringify(splits[i])}`);
  }
  return {
    ownerOf(key) {
      checkKey(where, key);
      let lo = 0; // the first split point > key is the partition's index
      let hi = splits.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (key < splits[mid]) hi = mid;
        else lo = mid + 1;
      }
      return list[lo];
    },
    partitions: () => [...list],
    splitPoints: () => [...splits],
  };
}

/**
 * A range partitioner with one range cut in two at `atKey`: the keys of `partition` from `atKey`
 * on go to `newPartition`, every other key keeps its owner. This is how a hot range is split.
 *
 * @example
 * const before = rangePartitioner({ partitions: ["r1", "r2"], splitPoints: ["m"] });
 * const after = splitRange(before, { partition: "r1", newPartition: "r3", atKey: "g" });
 * after.ownerOf("h");  // "r3" (was "r1"); "a" stays on r1, "x" stays on r2
 */
export function splitRange(range: RangePartitioner, options: { partition: string; newPartition: string; atKey: string }): RangePartitioner {
  const list = range.partitions();
  const splits = range.splitPoints();
  const i = list.indexOf(options.partition);
  if (i < 0) throw new RangeError(`splitRange: unknown partition ${JSON.stringify(options.partition)} (partitions: ${list.join(", ")})`);
  const lowKey = i === 0 ? undefined : splits[i - 1];
  const highKey = i === splits.length ? undefined : splits[i];
  if ((lowKey !== undefined && !(options.atKey > lowKey)) || (highKey !== undefined && !(options.atKey < highKey))) {
    throw new RangeError(`splitRange: atKey ${JSON.stringify(options.atKey)} is not strictly inside the range of ${options.partition} [${lowKey ?? "−∞"}, ${highKey ?? "+∞"})`);
  }
  return rangePartitioner({
    partitions: [...list.slice(0, i + 1), options.newPartition, ...list.slice(i + 1)],
    splitPoints: [...splits.slice(0, i), options.atKey, ...splits.slice(i)],
  });
}

/** Options of {@link regionPartitioner}. */
export interface RegionOptions {
  /** Region name → the partition (node id) that holds the region's data, e.g. { eu: "db-eu" }. */
  regions: Readonly<Record<string, string>>;
  /** The region a key belongs to. Default: the text before the first ":" ("eu:alice" → "eu"). */
  regionOf?: (key: string) => string;
}

/**
 * Partitioning by region: the key names where its data lives (a user's home region), and that
 * region's partition owns it. A key of no known region is an error, not a silent default.
 *
 * @example
 * const p = regionPartitioner({ regions: { eu: "db-eu", us: "db-us", asia: "db-asia" } });
 * p.ownerOf("eu:alice");  // "db-eu"
 * p.ownerOf("asia:ken");  // "db-asia"
 * p.ownerOf("mars:x");    // throws: key "mars:x" is in region "mars", which has no partition
 */
export function regionPartitioner(options: RegionOptions): Partitioner {
  const where = "regionPartitioner";
  const regions = { ...options.regions };
  const list = [...new Set(Object.values(regions))];
  checkPartitions(where, list);
  const regionOf = options.regionOf ?? ((key: string) => {
    const colon = key.indexOf(":");
    return colon < 0 ? key : key.slice(0, colon);
  });
  return {
    ownerOf(key) {
      checkKey(where, key);
      const region = regionOf(key);
      const owner = Object.prototype.hasOwnProperty.call(regions, region) ? regions[region] : undefined;
      if (owner === undefined) throw new RangeError(`${where}: key ${JSON.stringify(key)} is in region ${JSON.stringify(region)}, which has no partition (known: ${Object.keys(regions).join(", ")})`);
      return owner;
    },
    partitions: () => [...list],
  };
}
