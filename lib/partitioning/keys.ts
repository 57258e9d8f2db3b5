// Key names for the partitioning experiments, and range partitions cut to equal key counts.
// Keys are zero-padded ("k0007" before "k0042"), so string order equals number order: in a
// range partitioner, key i and key i + 1 are neighbours, just like consecutive ids or timestamps.
import { rangePartitioner, type RangePartitioner } from "./partitioner";

/**
 * `count` key names k0…k{count−1}, zero-padded to one width so that they sort like their numbers.
 *
 * @example
 * keyNames(3);     // ["k0", "k1", "k2"]
 * keyNames(12)[3]; // "k03"
 */
export function keyNames(count: number): string[] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`keyNames: count must be a whole number ≥ 1, got ${String(count)}`);
  const width = String(count - 1).length;
  return Array.from({ length: count }, (_, i) => `k${String(i).padStart(width, "0")}`);
}

/**
 * A range partitioner whose ranges hold equal shares of `keys` (sorted first): the split points
 * are the keys at positions ⌊i·K/N⌋. Balanced in *key count* — not in load, if some keys are hot.
 *
 * @example
 * const p = evenRangePartitioner({ partitions: ["s1", "s2"], keys: keyNames(100) });
 * p.splitPoints();   // ["k50"]
 * p.ownerOf("k07");  // "s1"
 */
export function evenRangePartitioner(options: { partitions: readonly string[]; keys: readonly string[] }): RangePartitioner {
  const sorted = [...new Set(options.keys)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const n = options.partitions.length;
  if (sorted.length < n) throw new RangeError(`evenRangePartitioner: ${n} partitions need at least ${n} distinct keys, got ${sorted.length}`);
  const splitPoints = Array.from({ length: n - 1 }, (_, i) => sorted[Math.floor(((i + 1) * sorted.length) / n)]);
  return rangePartitioner({ partitions: options.partitions, splitPoints });
}
