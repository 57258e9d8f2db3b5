// What moves when the partition count changes.
//
// Under hash mod N a key stays put going from N to N + 1 partitions only if
// h mod N = h mod (N + 1). Over one period of N(N + 1) hash values that holds for exactly the N
// values h = 0 … N − 1 (a common residue r means N(N + 1) divides h − r, so h = r < N). So for
// well-spread hashes a fraction 1/(N + 1) stays and **N/(N + 1) of all keys move** — 80% going from
// 4 to 5 partitions — although only 1/(N + 1) of them have to move to give the new partition its
// fair share. Consistent hashing (Karger et al., STOC 1997; exercise 08.3) reaches that ideal: a
// new partition takes keys only from the others, about 1/(N + 1) of them.
import { spreadHash } from "./hash";
import { keyNames } from "./keys";
import { modNPartitioner, type Partitioner } from "./partitioner";

/**
 * How many of `keys` have a different owner under `after` than under `before`.
 *
 * @example
 * const ids = (n: number) => Array.from({ length: n }, (_, i) => `s${i + 1}`);
 * keysMoved(modNPartitioner({ partitions: ids(4) }), modNPartitioner({ partitions: ids(5) }), keyNames(10_000));
 * // ≈ 8000: about 4/5 of the keys change owner
 */
export function keysMoved(before: Partitioner, after: Partitioner, keys: readonly string[]): number {
  let moved = 0;
  for (const key of keys) if (before.ownerOf(key) !== after.ownerOf(key)) moved++;
  return moved;
}

/** One row of {@link modNMovement}: going from `partitionCount` to `partitionCount + 1`. */
export interface MovementRow {
  /** N, the partition count before. */
  partitionCount: number;
  /** Keys that changed owner going N → N + 1. */
  moved: number;
  /** moved / keys. */
  movedShare: number;
  /** N / (N + 1): the share mod N moves, by the formula above. */
  formulaShare: number;
  /** 1 / (N + 1): the least that must move (the new partition's fair share), what a ring achieves. */
  idealShare: number;
}

/**
 * Measure hash-mod-N movement for N = `partitionCountMin` … `partitionCountMax` (each N → N + 1)
 * over `keyCount` keys, beside the formula N/(N + 1) and the ideal 1/(N + 1).
 *
 * @example
 * const rows = modNMovement({ partitionCountMin: 2, partitionCountMax: 16, keyCount: 10_000 });
 * rows[2];  // { partitionCount: 4, moved: ≈ 8000, movedShare: ≈ 0.80, formulaShare: 0.8, idealShare: 0.2 }
 */
export function modNMovement(options: { partitionCountMin?: number; partitionCountMax?: number; keyCount?: number; hash?: (key: string) => number } = {}): MovementRow[] {
  const { partitionCountMin = 2, partitionCountMax = 16, keyCount = 10_000, hash = spreadHash } = options;
  if (!Number.isInteger(partitionCountMin) || partitionCountMin < 1 || !Number.isInteger(partitionCountMax) || partitionCountMax < partitionCountMin) {
    throw new RangeError(`modNMovement: need whole numbers 1 ≤ partitionCountMin ≤ partitionCountMax, got ${partitionCountMin} and ${partitionCountMax}`);
  }
  const keys = keyNames(keyCount);
  const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `s${i + 1}`);
  const rows: MovementRow[] = [];
  for (let n = partitionCountMin; n <= partitionCountMax; n++) {
    const moved = keysMoved(modNPartitioner({ partitions: ids(n), hash }), modNPartitioner({ partitions: ids(n + 1), hash }), keys);
    rows.push({ partitionCount: n, moved, movedShare: moved / keyCount, formulaShare: n / (n + 1), idealShare: 1 / (n + 1) });
  }
  return rows;
}
