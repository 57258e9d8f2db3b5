// A Kademlia sketch (Maymounkov & Mazières, IPTPS 2002): XOR distance, k-buckets and the iterative
// FIND_NODE lookup with α parallel requests, as a pure model (no messages, no failures).
//
// Ids are m-bit integers (m ≤ 32). The distance between two ids is their XOR read as a number
// (§2.1): it is symmetric, zero only for equal ids, and for any id and distance there is exactly
// one id at that distance. Bucket i of a node holds up to k contacts at distance in [2^i, 2^(i+1))
// — the nodes that share the node's top m − 1 − i bits and differ in bit i (§2.2). With ids
// sorted, each bucket is one contiguous range, which makes building a routing table for every
// node cheap. Real nodes fill buckets from the traffic they see and prefer old live contacts; the
// model picks up to k members of each range at random, which is what a table looks like once the
// network is warm.
//
// Lookup (§2.3): start from the k closest contacts the node knows; repeatedly send FIND_NODE to α
// of the k closest not yet asked (one *round*, the α requests travel in parallel); each reply is
// the k closest contacts the asked node knows; stop when the k closest known have all been asked.
// Each round at least halves the distance in the worst case, so rounds ≤ about log₂ N; with
// k-contact buckets it is usually far fewer.
import { Prng } from "../sim/prng";

/**
 * The Kademlia distance between two ids: `a XOR b` as an unsigned integer.
 *
 * @example
 * xorDistance(0b1010, 0b1000); // 2
 * xorDistance(5, 5);           // 0
 */
export function xorDistance(a: number, b: number): number {
  return (a ^ b) >>> 0;
}

/**
 * The k-bucket of `self` that `other` falls in: ⌊log₂(self XOR other)⌋, i.e. the index of the
 * highest bit in which they differ. Throws for `self === other` (no bucket).
 *
 * @example
 * bucketIndex(0b0000, 0b0001); // 0
 * bucketIndex(0b0000, 0b1000); // 3
 */
export function bucketIndex(self: number, other: number): number {
  const d = xorDistance(self, other);
  if (d === 0) throw new RangeError(`bucketIndex: node ${self} has no bucket for itself`);
  return 31 - Math.clz32(d);
}

/** Options of {@link kademliaNetwork}. */
export interface KademliaNetworkOptions {
  /** Node ids (distinct, in [0, 2^m)). Use {@link randomIds} for random ones. */
  ids: readonly number[];
  /** Id bits, 1 … 32. */
  m: number;
  /** Bucket size k (paper: 20). */
  k: number;
  /** Seed for which contacts fill each bucket. */
  seed: number;
}

/** A modelled Kademlia network: every node's routing table. */
export interface KademliaNetwork {
  m: number;
  k: number;
  /** All ids, ascending. */
  ids: number[];
  /** The contacts (all buckets together) of a node. */
  contactsOf(id: number): readonly number[];
}

/**
 * `count` distinct random m-bit ids from `seed`.
 *
 * @example
 * randomIds({ count: 1000, m: 32, seed: 1 }); // 1000 distinct numbers in [0, 2³²)
 */
export function randomIds(options: { count: number; m: number; seed: number; exclude?: readonly number[] }): number[] {
  const { count, m, seed, exclude = [] } = options;
  if (!Number.isInteger(m) || m < 1 || m > 32) throw new RangeError(`randomIds: m must be an integer in [1, 32], got ${m}`);
  if (count + exclude.length > 2 ** m) throw new RangeError(`randomIds: cannot draw ${count} distinct ${m}-bit ids`);
  const rng = new Prng(seed).split("kademlia-ids");
  const taken = new Set<number>(exclude);
  const ids: number[] = [];
  while (ids.length < count) {
    const id = m === 32 ? rng.nextUint32() : rng.nextUint32() % 2 ** m;
    if (taken.has(id)) continue;
    taken.add(id);
    ids.push(id);
  }
  return ids;
}

function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Builds every node's k-buckets: bucket i of node x gets up to k nodes, chosen at random, among
 * those at XOR distance [2^i, 2^(i+1)) from x.
 *
 * @example
 * const net = kademliaNetwork({ ids: randomIds({ count: 1024, m: 32, seed: 1 }), m: 32, k: 20, seed: 1 });
 * net.contactsOf(net.ids[0]).length; // ≈ 20 · log₂(1024 / 20) + 20
 */
export function kademliaNetwork(options: KademliaNetworkOptions): KademliaNetwork {
  const { ids, m, k, seed } = options;
  if (!Number.isInteger(m) || m < 1 || m > 32) throw new RangeError(`kademliaNetwork: m must be an integer in [1, 32], got ${m}`);
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`kademliaNetwork: k must be an integer ≥ 1, got ${k}`);
  const sorted = [...ids].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i++) {
    if (!Number.isInteger(sorted[i]) || sorted[i] < 0 || sorted[i] >= 2 ** m) throw new RangeError(`kademliaNetwork: id ${sorted[i]} is not in [0, 2^${m})`);
    if (i > 0 && sorted[i] === sorted[i - 1]) throw new RangeError(`kademliaNetwork: id ${sorted[i]} appears twice`);
  }
  // Tables are built on first use (a lookup touches few nodes), each from its own seeded stream,
  // so a node's table does not depend on which nodes were asked before it.
  const tables = new Map<number, number[]>();
  const buildTable = (self: number): number[] => {
    const rng = new Prng(seed).split(`kademlia-buckets:${self}`);
    const contacts: number[] = [];
    for (let i = 0; i < m; i++) {
      const width = 2 ** i;
      const flipped = xorDistance(self, width);
      const base = Math.floor(flipped / width) * width;
      const lo = lowerBound(sorted, base);
      const hi = lowerBound(sorted, base + width);
      const size = hi - lo;
      if (size <= k) {
        for (let j = lo; j < hi; j++) contacts.push(sorted[j]);
      } else {
        const chosen = new Set<number>();
        while (chosen.size < k) chosen.add(lo + rng.int(0, size));
        for (const j of [...chosen].sort((a, b) => a - b)) contacts.push(sorted[j]);
      }
    }
    return contacts;
  };
  const members = new Set(sorted);
  return {
    m,
    k,
    ids: sorted,
    contactsOf(id: number): readonly number[] {
      let table = tables.get(id);
      if (table === undefined) {
        if (!members.has(id)) throw new Error(`kademlia: node ${id} is not in the network`);
        table = buildTable(id);
        tables.set(id, table);
      }
      return table;
    },
  };
}

/**
 * The `count` ids of `candidates` closest to `target` by XOR distance, closest first.
 *
 * @example
 * closestIds({ candidates: [1, 2, 8, 9], target: 0, count: 2 }); // [1, 2]
 */
export function closestIds(options: { candidates: Iterable<number>; target: number; count: number }): number[] {
  const { candidates, target, count } = options;
  // XOR with a fixed target is a bijection, so sorting the distances sorts the ids, and each id is
  // its distance XOR the target again.
  const distances: number[] = [];
  for (const id of candidates) distances.push(xorDistance(id, target));
  const sortedDistances = Float64Array.from(distances).sort();
  const result: number[] = [];
  for (let i = 0; i < sortedDistances.length && result.length < count; i++) {
    if (i > 0 && sortedDistances[i] === sortedDistances[i - 1]) continue;
    result.push(xorDistance(sortedDistances[i], target));
  }
  return result;
}

/** Result of {@link kademliaLookup}. */
export interface KademliaLookupResult {
  /** The k closest nodes found, closest first. */
  closest: number[];
  /** Rounds of (up to α parallel) FIND_NODE requests: the lookup's latency in round trips. */
  rounds: number;
  /**
   * The round in which the final `closest[0]` first appeared in a reply (0: the starting node
   * already knew it): the hops needed to *find* the closest node; the remaining rounds only confirm
   * that nobody closer exists.
   */
  roundsToClosest: number;
  /** FIND_NODE requests sent in total. */
  queried: number;
  /** The nodes asked, in order. */
  path: number[];
}

/**
 * Iterative FIND_NODE (§2.3) from node `from` for `target`, with `alpha` requests per round; the
 * shortlist is the k closest nodes known. Ends when the k closest known have all answered.
 *
 * @example
 * const net = kademliaNetwork({ ids: randomIds({ count: 1024, m: 32, seed: 1 }), m: 32, k: 20, seed: 1 });
 * const r = kademliaLookup(net, { from: net.ids[0], target: 12345, alpha: 3 });
 * r.closest[0];  // the node closest to 12345 in the whole network
 * r.rounds;      // a few — compare log₂ 1024 = 10
 */
export function kademliaLookup(network: KademliaNetwork, options: { from: number; target: number; alpha: number }): KademliaLookupResult {
  const { from, target, alpha } = options;
  if (!Number.isInteger(alpha) || alpha < 1) throw new RangeError(`kademliaLookup: alpha must be an integer ≥ 1, got ${alpha}`);
  const k = network.k;
  const known = new Set<number>(network.contactsOf(from));
  const learnedAt = new Map<number, number>();
  for (const id of known) learnedAt.set(id, 0);
  learnedAt.set(from, 0);
  const asked = new Set<number>([from]);
  const path: number[] = [];
  let rounds = 0;
  for (;;) {
    const shortlist = closestIds({ candidates: known, target, count: k });
    const toAsk = shortlist.filter((id) => !asked.has(id)).slice(0, alpha);
    if (toAsk.length === 0) break;
    rounds++;
    for (const id of toAsk) {
      asked.add(id);
      path.push(id);
      for (const c of closestIds({ candidates: network.contactsOf(id), target, count: k })) {
        known.add(c);
        if (!learnedAt.has(c)) learnedAt.set(c, rounds);
      }
    }
  }
  known.add(from);
  const closest = closestIds({ candidates: known, target, count: k });
  return { closest, rounds, roundsToClosest: learnedAt.get(closest[0]) ?? 0, queried: path.length, path };
}

/** One row of {@link kademliaLookupTable}. */
export interface KademliaLookupRow {
  nodes: number;
  log2N: number;
  /** Mean rounds until the lookup stopped (includes the confirming rounds). */
  meanRounds: number;
  maxRounds: number;
  /** Mean rounds until the closest node was first learned: compare with log₂ N. */
  meanRoundsToClosest: number;
  maxRoundsToClosest: number;
  meanQueried: number;
  /** Fraction of lookups whose closest[0] is the true closest node. */
  correct: number;
}

/**
 * Lookup rounds vs network size: for each N in `sizes`, `lookups` lookups from random nodes for
 * random targets, beside log₂ N.
 *
 * @example
 * kademliaLookupTable({ sizes: [64, 256, 1024], m: 32, k: 20, alpha: 3, lookups: 50, seed: 1 });
 * // [{ nodes: 64, log2N: 6, meanRounds: ~2, ... }, ...]
 */
export function kademliaLookupTable(options: { sizes: readonly number[]; m: number; k: number; alpha: number; lookups: number; seed: number }): KademliaLookupRow[] {
  const { sizes, m, k, alpha, lookups, seed } = options;
  return sizes.map((n) => {
    const ids = randomIds({ count: n, m, seed: seed + n });
    const net = kademliaNetwork({ ids, m, k, seed: seed + n });
    const rng = new Prng(seed).split(`kademlia-lookups:${n}`);
    let rounds = 0;
    let maxRounds = 0;
    let queried = 0;
    let correct = 0;
    let toClosest = 0;
    let maxToClosest = 0;
    for (let i = 0; i < lookups; i++) {
      const from = rng.pick(net.ids);
      const target = m === 32 ? rng.nextUint32() : rng.nextUint32() % 2 ** m;
      const r = kademliaLookup(net, { from, target, alpha });
      rounds += r.rounds;
      maxRounds = Math.max(maxRounds, r.rounds);
      queried += r.queried;
      toClosest += r.roundsToClosest;
      maxToClosest = Math.max(maxToClosest, r.roundsToClosest);
      if (r.closest[0] === closestIds({ candidates: net.ids, target, count: 1 })[0]) correct++;
    }
    return { nodes: n, log2N: Math.log2(n), meanRounds: rounds / lookups, maxRounds, meanRoundsToClosest: toClosest / lookups, maxRoundsToClosest: maxToClosest, meanQueried: queried / lookups, correct: correct / lookups };
  });
}
