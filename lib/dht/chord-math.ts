// Chord's arithmetic, without a network: identifiers on a circle of 2^m, the successor of a key,
// finger tables and the iterative lookup through the closest preceding finger (Stoica et al.,
// "Chord: A Scalable Peer-to-peer Lookup Service for Internet Applications", SIGCOMM 2001 §4, and
// the ToN 2003 version §IV). Used by the simulated protocol (chord-node.ts), the runners and bench.
import { mix32 } from "../partitioning/hash";
import { ConfigError, Prng } from "../sim/index";

/** Check the identifier width; Chord's arithmetic here is exact up to m = 48. */
function checkM(m: number): number {
  if (!Number.isInteger(m) || m < 1 || m > 48) throw new ConfigError("m", m, "an integer in 1..48");
  return 2 ** m;
}

/**
 * `x` reduced onto the identifier circle of size 2^m.
 * @example chordMod(-1, 4) // 15
 */
export function chordMod(x: number, m: number): number {
  const size = checkM(m);
  return ((x % size) + size) % size;
}

/**
 * Is `x` in the open arc (a, b) going clockwise? With a = b the arc is the whole circle but a.
 * @example inOpenArc(1, 14, 3) // true: 14 → 15 → 0 → 1 → 2 → 3
 */
export function inOpenArc(x: number, a: number, b: number): boolean {
  if (a < b) return a < x && x < b;
  return x > a || x < b ? x !== a : false;
}

/**
 * Is `x` in the half-open arc (a, b]? With a = b it is the whole circle (one node owns everything).
 * @example inHalfOpenArc(3, 14, 3) // true
 */
export function inHalfOpenArc(x: number, a: number, b: number): boolean {
  if (a === b) return true;
  return x === b || inOpenArc(x, a, b);
}

/**
 * A label's identifier on 2^m: FNV-1a over the label, mixed, folded to m bits (Chord uses SHA-1;
 * any well-spread hash gives the same behaviour).
 * @example chordId("n17", 16) // a number in [0, 65536)
 */
export function chordId(label: string, m: number): number {
  checkM(m);
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  const hi = mix32(a ^ Math.imul(b, 0x27d4eb2f));
  const lo = mix32(b + hi);
  // 48 well-mixed bits; keep the top m.
  const bits48 = hi * 0x10000 + (lo >>> 16);
  return Math.floor(bits48 / 2 ** (48 - m));
}

/**
 * The successor of `key`: the first node identifier equal to or clockwise after it.
 * `sortedIds` ascending, non-empty.
 * @example successorOf([2, 7, 12], 8) // 12
 * successorOf([2, 7, 12], 13) // 2 (wraps around)
 */
export function successorOf(sortedIds: readonly number[], key: number): number {
  if (sortedIds.length === 0) throw new ConfigError("sortedIds", "[]", "at least one node identifier");
  let lo = 0;
  let hi = sortedIds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sortedIds[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo === sortedIds.length ? sortedIds[0] : sortedIds[lo];
}

/**
 * Node `self`'s finger table: finger[i] = successor(self + 2^i mod 2^m), i = 0..m−1 (paper §4.3;
 * finger[0] is the successor).
 * @example chordFingerTable(0, [0, 5, 9], 4) // [5, 5, 5, 9]
 */
export function chordFingerTable(self: number, sortedIds: readonly number[], m: number): number[] {
  const size = checkM(m);
  const fingers = new Array<number>(m);
  for (let i = 0; i < m; i++) fingers[i] = successorOf(sortedIds, (self + 2 ** i) % size);
  return fingers;
}

/**
 * The closest finger preceding `key` (the highest finger in the open arc (self, key)), or `self`.
 * @example closestPrecedingFinger(0, [5, 5, 5, 9], 11) // 9
 */
export function closestPrecedingFinger(self: number, fingers: readonly number[], key: number): number {
  for (let i = fingers.length - 1; i >= 0; i--) if (inOpenArc(fingers[i], self, key)) return fingers[i];
  return self;
}

/** Options of `chordLookupPath`. */
export interface ChordLookupOptions {
  /** The node the lookup starts at. */
  start: number;
  /** The key looked up. */
  key: number;
  /** Each node's finger table (finger[0] its successor). */
  fingers: (id: number) => readonly number[];
}

/**
 * Iterative lookup (paper Fig. 5 `find_successor`): from `start`, while the key is not in
 * (n, successor(n)], move to n's closest preceding finger. Returns the nodes visited, the last one
 * the key's successor; hops = path.length − 1.
 * @example
 * const ids = [0, 5, 9]; const ft = (n: number) => chordFingerTable(n, ids, 4);
 * chordLookupPath({ start: 0, key: 11, fingers: ft }) // [0, 9, 0]
 */
export function chordLookupPath(options: ChordLookupOptions): number[] {
  const { start, key, fingers } = options;
  const path = [start];
  let n = start;
  for (let guard = 0; guard < 4096; guard++) {
    const table = fingers(n);
    const successor = table[0];
    if (inHalfOpenArc(key, n, successor)) {
      if (successor !== n) path.push(successor);
      return path;
    }
    const next = closestPrecedingFinger(n, table, key);
    if (next === n) {
      path.push(successor);
      return path;
    }
    path.push(next);
    n = next;
  }
  throw new Error(`chordLookupPath: no progress from ${start} towards key ${key} (inconsistent finger tables)`);
}

/** Options of `chordPathLengths`. */
export interface ChordPathLengthsOptions {
  /** Network sizes to try, e.g. [16, 64, …, 16384]. */
  nodes: readonly number[];
  /** Lookups per size (random start node, random key). */
  lookups: number;
  seed: number;
  /** Identifier bits; default 24. */
  m?: number;
}

/** One row of `chordPathLengths`. */
export interface ChordPathLengthRow {
  nodes: number;
  /** Mean hops (messages a lookup sends, path.length − 1). */
  meanHops: number;
  /** 1st and 99th percentile of hops. */
  p1Hops: number;
  p99Hops: number;
  maxHops: number;
  /** The paper's prediction: ½·log₂N. */
  halfLog2N: number;
}

/**
 * The path-length experiment of the paper (ToN §V-D Fig. 10, SIGCOMM §6.3): N random node
 * identifiers, every finger table exact, random lookups. The paper finds the mean path length is
 * about ½·log₂N (each hop halves the remaining distance, and a random key starts half-way on average).
 * @example chordPathLengths({ nodes: [16, 1024], lookups: 1000, seed: 1 })
 */
export function chordPathLengths(options: ChordPathLengthsOptions): ChordPathLengthRow[] {
  const m = options.m ?? 24;
  const size = checkM(m);
  if (!(options.lookups >= 1)) throw new ConfigError("lookups", options.lookups, "a number ≥ 1");
  const rows: ChordPathLengthRow[] = [];
  for (const n of options.nodes) {
    if (!(n >= 1 && n <= size)) throw new ConfigError("nodes", n, `a count in 1..2^${m}`);
    const rng = new Prng(options.seed).split(`chord-${n}`);
    const set = new Set<number>();
    while (set.size < n) set.add(rng.int(0, size));
    const ids = [...set].sort((a, b) => a - b);
    const tables = new Map<number, number[]>();
    const fingers = (id: number) => {
      let t = tables.get(id);
      if (!t) tables.set(id, (t = chordFingerTable(id, ids, m)));
      return t;
    };
    const hops: number[] = [];
    for (let i = 0; i < options.lookups; i++) {
      const path = chordLookupPath({ start: ids[rng.int(0, n)], key: rng.int(0, size), fingers });
      hops.push(path.length - 1);
    }
    hops.sort((a, b) => a - b);
    const at = (q: number) => hops[Math.min(hops.length - 1, Math.floor(q * hops.length))];
    rows.push({
      nodes: n,
      meanHops: hops.reduce((s, h) => s + h, 0) / hops.length,
      p1Hops: at(0.01),
      p99Hops: at(0.99),
      maxHops: hops[hops.length - 1],
      halfLog2N: Math.log2(n) / 2,
    });
  }
  return rows;
}
