/**
 * Reference solution of exercise 10.2 — Chord lookup with finger tables (Stoica et al.,
 * SIGCOMM 2001, §4.3, find_successor / closest_preceding_finger, iterative form).
 */

/**
 * True if x lies in the circular interval (a, b] of the identifier circle; (a, a] is all of it.
 *
 * @example
 * inHalfOpen(7, 6, 1); // true: the interval wraps past 0
 */
export function inHalfOpen(x: number, a: number, b: number): boolean {
  if (a === b) return true;
  return a < b ? a < x && x <= b : a < x || x <= b;
}

/**
 * True if x lies in the circular open interval (a, b); (a, a) is all of it but a.
 *
 * @example
 * inOpen(0, 6, 1); // true
 */
export function inOpen(x: number, a: number, b: number): boolean {
  if (a === b) return x !== a;
  return a < b ? a < x && x < b : a < x || x < b;
}

/**
 * The finger table of node `self` on the ring of `nodes` with 2^m identifiers.
 *
 * @example
 * fingerTable(1, [1, 3, 6], 3); // [3, 3, 6]: successors of 2, 3 and 5
 */
export function fingerTable(self: number, nodes: number[], m: number): number[] {
  const sorted = [...nodes].sort((a, b) => a - b);
  const size = 2 ** m;
  const successor = (x: number): number => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo === sorted.length ? sorted[0] : sorted[lo];
  };
  return Array.from({ length: m }, (_, i) => successor((self + 2 ** i) % size));
}

/**
 * The nodes an iterative Chord lookup of `key` visits from `start`; the last owns the key.
 *
 * @example
 * const ring = [1, 3, 6];
 * lookupPath(1, 7, (id) => fingerTable(id, ring, 3), 3); // [1, 6, 1]: 7 wraps around to node 1
 */
export function lookupPath(start: number, key: number, fingers: (id: number) => number[], m: number): number[] {
  const path = [start];
  let n = start;
  if (key === n) return path;
  for (;;) {
    const table = fingers(n);
    const successor = table[0];
    if (inHalfOpen(key, n, successor)) {
      path.push(successor);
      return path;
    }
    let next = successor;
    for (let i = m - 1; i >= 0; i--) {
      if (inOpen(table[i], n, key)) {
        next = table[i];
        break;
      }
    }
    path.push(next);
    n = next;
  }
}
