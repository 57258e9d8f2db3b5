/**
 * Exercise 10.2 — Chord lookup with finger tables (15 points). Graded by `npm test`
 * (test/10-peer-to-peer.test.ts), or alone with `npm run grade -- 10.2`.
 *
 * Chord (Stoica et al., SIGCOMM 2001, §4.2–4.3) places nodes and keys on one circle of 2^m
 * identifiers. A key belongs to its successor: the first node whose id is ≥ the key, wrapping
 * past 2^m − 1 to the lowest node. Each node keeps m fingers; finger i points half-way, a quarter,
 * an eighth… around the circle, so a lookup halves the distance to the key with every hop. Both
 * functions are pure (no node, no messages): the grader builds the rings.
 *
 * - `fingerTable(self, nodes, m)`: an array of m ids; entry i (0 ≤ i < m) is
 *   successor((self + 2^i) mod 2^m) among `nodes` (in any order; self is one of them). Entry 0 is
 *   self's successor on the ring.
 * - `lookupPath(start, key, fingers, m)`: the iterative lookup of `key` (0 ≤ key < 2^m) from the
 *   node `start`; `fingers(id)` returns node id's finger table (ask only ids of nodes you visit).
 *   Return the nodes visited in order: `start` first, the key's successor last. At the current node n:
 *   1. if key = n, n owns the key: stop;
 *   2. with s = fingers(n)[0] (n's successor): if key ∈ (n, s] — open at n, closed at s, wrapping
 *      around 0; all of the circle when s = n — append s and stop;
 *   3. otherwise append the closest preceding finger — the finger f ∈ (n, key), open at both ends
 *      and wrapping, that is closest to the key (scan i from m − 1 down to 0) — and continue there.
 *
 * Graded: 27 random rings for each of 5 seeds (m 16–24, 1–1,024 nodes, node ids unordered), finger
 * tables of up to 24 nodes per ring (the lowest and highest among them), 200 lookups per ring
 * (random keys, keys equal to node ids and one past them, keys past the highest node and below the
 * lowest, which wrap). Checked: every finger; the owner; the number of hops (path length − 1)
 * ≤ ⌈log₂ N⌉ + 2; and every hop is the one rule 2 or 3 gives.
 */
import { NotImplementedError } from "../not-implemented";

/**
 * The finger table of node `self` on the ring of `nodes` with 2^m identifiers.
 *
 * @example
 * fingerTable(1, [1, 3, 6], 3); // [3, 3, 6]: successors of 2, 3 and 5
 */
export function fingerTable(self: number, nodes: number[], m: number): number[] {
  // Your code here (10.2)
  throw new NotImplementedError("10.2 chord-lookup", "exercises/10-peer-to-peer/chord-lookup.ts");
}

/**
 * The nodes an iterative Chord lookup of `key` visits from `start`; the last owns the key.
 *
 * @example
 * const ring = [1, 3, 6];
 * lookupPath(1, 7, (id) => fingerTable(id, ring, 3), 3); // [1, 6, 1]: 7 wraps around to node 1
 */
export function lookupPath(start: number, key: number, fingers: (id: number) => number[], m: number): number[] {
  // Your code here (10.2)
  throw new NotImplementedError("10.2 chord-lookup", "exercises/10-peer-to-peer/chord-lookup.ts");
}
