// Which keys move when a node joins or leaves a consistent-hash ring (Karger et al. 1997; Chord,
// SIGCOMM 2001, §4: "when the (N+1)st node joins or leaves, only O(1/N) of the keys move").
//
// A joining node's points split arcs that others owned, so it only takes keys, and only from
// them; a leaving node's keys go to the next point clockwise, and nobody else's keys change
// owner. On average the joiner gets 1/(N + 1) of the keys. These helpers list the moved keys,
// which is exactly what a DHT node must hand off (exercise 10.1).
import { HashRing } from "./ring";

/** One key that changes owner between two rings. */
export interface KeyMove {
  key: string;
  from: string;
  to: string;
}

/** Options of {@link ringMoves}. */
export interface RingMovesOptions {
  /** Node ids before the change. */
  before: readonly string[];
  /** Node ids after the change. */
  after: readonly string[];
  /** The keys stored. */
  keys: readonly string[];
  /** Virtual nodes per node (the same before and after). */
  virtualNodes: number;
}

/** Result of {@link ringMoves}. */
export interface RingMovesResult {
  /** The keys whose owner differs, in the order of `keys`. */
  moves: KeyMove[];
  /** moves.length / keys.length. */
  fraction: number;
}

/**
 * The keys whose owner changes between the ring of `before` and the ring of `after`.
 *
 * @example
 * const keys = keyNames(10_000);
 * const { moves, fraction } = ringMoves({ before: ["a", "b", "c"], after: ["a", "b", "c", "d"], keys, virtualNodes: 20 });
 * fraction;                              // ≈ 1/4
 * moves.every((m) => m.to === "d");      // true: the joiner only takes keys
 */
export function ringMoves(options: RingMovesOptions): RingMovesResult {
  const { before, after, keys, virtualNodes } = options;
  const ringBefore = new HashRing({ nodes: before, virtualNodes });
  const ringAfter = new HashRing({ nodes: after, virtualNodes });
  const moves: KeyMove[] = [];
  for (const key of keys) {
    const from = ringBefore.ownerOf(key);
    const to = ringAfter.ownerOf(key);
    if (from !== to) moves.push({ key, from, to });
  }
  return { moves, fraction: keys.length === 0 ? 0 : moves.length / keys.length };
}

/** One row of {@link joinMovesTable}. */
export interface JoinMovesRow {
  /** Nodes before the join. */
  nodesBefore: number;
  /** Fraction of keys that moved. */
  movedFraction: number;
  /** The ideal, 1/(N + 1). */
  ideal: number;
  /** Whether every moved key went to the joiner. */
  onlyToJoiner: boolean;
}

/**
 * For N = `nodesMin` … `nodesMax`: the fraction of `keys` that move when node N + 1 joins, beside the
 * ideal 1/(N + 1). Node ids are `n1`, `n2`, ….
 *
 * @example
 * joinMovesTable({ nodesMin: 4, nodesMax: 8, keys: keyNames(10_000), virtualNodes: 20 });
 * // [{ nodesBefore: 4, movedFraction: ≈0.2, ideal: 0.2, onlyToJoiner: true }, ...]
 */
export function joinMovesTable(options: { nodesMin: number; nodesMax: number; keys: readonly string[]; virtualNodes: number }): JoinMovesRow[] {
  const { nodesMin, nodesMax, keys, virtualNodes } = options;
  if (!Number.isInteger(nodesMin) || nodesMin < 1 || !Number.isInteger(nodesMax) || nodesMax < nodesMin) {
    throw new RangeError(`joinMovesTable: need integers 1 ≤ nodesMin ≤ nodesMax, got ${nodesMin}, ${nodesMax}`);
  }
  const ids = (n: number) => Array.from({ length: n }, (_, i) => `n${i + 1}`);
  const rows: JoinMovesRow[] = [];
  for (let n = nodesMin; n <= nodesMax; n++) {
    const { moves, fraction } = ringMoves({ before: ids(n), after: ids(n + 1), keys, virtualNodes });
    const joiner = `n${n + 1}`;
    rows.push({ nodesBefore: n, movedFraction: fraction, ideal: 1 / (n + 1), onlyToJoiner: moves.every((m) => m.to === joiner) });
  }
  return rows;
}
