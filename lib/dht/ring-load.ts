// Load balance of consistent hashing: how many keys each node gets (Chord, SIGCOMM 2001, §6.1,
// Figures 8 and 9).
//
// With one point per node, a node owns the arc from its predecessor's point to its own. Arc
// lengths of N random points are roughly exponential with mean 1/N, so the largest arc is about
// ln N times the mean and many arcs are tiny: the 99th percentile of keys per node is several
// times the mean and the 1st percentile is 0. With r virtual nodes a node owns the sum of r
// arcs, whose spread shrinks like 1/√r. Chord's experiment measures exactly this, and
// `chordLoadBalance` repeats it without hashing strings: node points and key points are drawn
// from a seeded Prng (the paper also used random identifiers), sorted once, and every key is
// assigned by binary search. 10⁴ nodes × 20 points and 10⁵ keys take well under a second.
import { Prng } from "../sim/prng";
import type { HashRing } from "./ring";

/**
 * Keys per node on `ring`: every member appears, with 0 if it owns none of `keys`.
 *
 * @example
 * const ring = new HashRing({ nodes: ["a", "b", "c"], virtualNodes: 20 });
 * keysPerNode(ring, keyNames(3000)); // Map { "a" => ~1000, "b" => ~1000, "c" => ~1000 }
 */
export function keysPerNode(ring: HashRing, keys: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const node of ring.nodes()) counts.set(node, 0);
  for (const key of keys) {
    const owner = ring.ownerOf(key);
    counts.set(owner, (counts.get(owner) ?? 0) + 1);
  }
  return counts;
}

/** Summary of a load distribution (see {@link loadSummary}). */
export interface LoadSummary {
  /** Number of nodes. */
  nodes: number;
  mean: number;
  min: number;
  max: number;
  /** 1st percentile of keys per node (nearest-rank). */
  p1: number;
  /** 99th percentile of keys per node (nearest-rank). */
  p99: number;
  /** p99 / mean, the number Chord's Figure 9 plots. */
  p99OverMean: number;
  /** p1 / mean. */
  p1OverMean: number;
}

function nearestRank(sorted: ArrayLike<number>, fraction: number): number {
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[rank - 1];
}

/**
 * Mean, extremes and 1st / 99th percentiles (nearest-rank) of per-node key counts.
 *
 * @example
 * loadSummary({ counts: [0, 10, 10, 20] }); // { nodes: 4, mean: 10, min: 0, max: 20, p1: 0, p99: 20, ... }
 * loadSummary({ counts: keysPerNode(ring, keys).values() });
 */
export function loadSummary(options: { counts: Iterable<number> }): LoadSummary {
  const sorted = Float64Array.from(options.counts).sort();
  if (sorted.length === 0) throw new Error(`loadSummary: no counts given`);
  let total = 0;
  for (let i = 0; i < sorted.length; i++) total += sorted[i];
  const mean = total / sorted.length;
  const p1 = nearestRank(sorted, 0.01);
  const p99 = nearestRank(sorted, 0.99);
  return {
    nodes: sorted.length,
    mean,
    min: sorted[0],
    max: sorted[sorted.length - 1],
    p1,
    p99,
    p99OverMean: mean === 0 ? 0 : p99 / mean,
    p1OverMean: mean === 0 ? 0 : p1 / mean,
  };
}

/** Options of {@link chordLoadBalance}. */
export interface ChordLoadBalanceOptions {
  /** Physical nodes (Chord: 10⁴). At most 2²⁰. */
  nodes: number;
  /** Keys (Chord: 10⁵ … 10⁶). */
  keys: number;
  /** Virtual nodes per physical node (Chord: 1 … 20). */
  virtualNodes: number;
  /** Seed of the random node and key identifiers. */
  seed: number;
}

/** One row of {@link chordLoadBalance}: the load distribution for one setting. */
export interface ChordLoadBalanceRow extends LoadSummary {
  virtualNodes: number;
  keys: number;
}

/**
 * Chord's load-balance experiment (§6.1): `nodes` nodes with `virtualNodes` random points each on
 * a 2³² circle, `keys` random keys, each owned by its successor point; returns the distribution of
 * keys per physical node. Pure and deterministic in `seed`.
 *
 * @example
 * chordLoadBalance({ nodes: 10_000, keys: 100_000, virtualNodes: 1, seed: 1 });
 * // { mean: 10, p1: 0, p99: ~46, p99OverMean: ~4.6, ... }
 * chordLoadBalance({ nodes: 10_000, keys: 100_000, virtualNodes: 20, seed: 1 });
 * // p99OverMean much smaller, p1 > 0
 */
export function chordLoadBalance(options: ChordLoadBalanceOptions): ChordLoadBalanceRow {
  const { nodes, keys, virtualNodes, seed } = options ?? ({} as ChordLoadBalanceOptions);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 2 ** 20) throw new RangeError(`chordLoadBalance: nodes must be an integer in [1, 2^20], got ${nodes}`);
  if (!Number.isInteger(keys) || keys < 0) throw new RangeError(`chordLoadBalance: keys must be an integer ≥ 0, got ${keys}`);
  if (!Number.isInteger(virtualNodes) || virtualNodes < 1) throw new RangeError(`chordLoadBalance: virtualNodes must be an integer ≥ 1, got ${virtualNodes}`);
  const rng = new Prng(seed).split(`chord-load:${nodes}:${virtualNodes}`);
  const keyRng = new Prng(seed).split(`chord-load-keys:${keys}`);
  // Pack (point, node) into one double: point · 2²⁰ + node < 2⁵², exact; sorting sorts by point.
  const packed = new Float64Array(nodes * virtualNodes);
  let i = 0;
  for (let node = 0; node < nodes; node++) {
    for (let v = 0; v < virtualNodes; v++) packed[i++] = rng.nextUint32() * 2 ** 20 + node;
  }
  packed.sort();
  const points = new Float64Array(packed.length);
  const owner = new Int32Array(packed.length);
  for (let j = 0; j < packed.length; j++) {
    points[j] = Math.floor(packed[j] / 2 ** 20);
    owner[j] = packed[j] - points[j] * 2 ** 20;
  }
  const counts = new Float64Array(nodes);
  const n = points.length;
  for (let k = 0; k < keys; k++) {
    const p = keyRng.nextUint32();
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (points[mid] < p) lo = mid + 1;
      else hi = mid;
    }
    counts[owner[lo === n ? 0 : lo]]++;
  }
  return { virtualNodes, keys, ...loadSummary({ counts }) };
}
