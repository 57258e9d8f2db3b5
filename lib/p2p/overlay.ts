// An unstructured overlay: every peer knows a few random neighbours, as in Gnutella. The graph
// is built from a seed so that a run can be repeated: first a random ring through all peers (so
// the graph is always connected), then random chords until every peer has about `degree`
// neighbours. Lv, Cao, Cohen, Li & Shenker ("Search and replication in unstructured peer-to-peer
// networks", ICS 2002, §3.1) use such "random graphs" as one of their topologies.
import { Prng } from "../sim/prng";
import { ConfigError } from "../sim/errors";

/** A peer-to-peer overlay: peers and their (undirected) neighbour lists. */
export interface Overlay {
  /** Peer ids, `p1` … `pN`. */
  ids: string[];
  /** Each peer's neighbours (the relation is symmetric). */
  neighbours: Record<string, string[]>;
  /** Number of undirected edges |E|. */
  edges: number;
}

/** Options for {@link randomOverlay}. */
export interface RandomOverlayOptions {
  /** Number of peers N (≥ 3). */
  n: number;
  /** Target neighbours per peer (≥ 2, < n). Most peers get exactly this many; a few may get one less. */
  degree: number;
  seed: number;
  /** Id prefix. Default `"p"`. */
  prefix?: string;
}

/**
 * A connected random overlay with about `degree` neighbours per peer (Lv et al. 2002, §3.1:
 * random graph). Same seed ⇒ same graph.
 *
 * @example
 * const o = randomOverlay({ n: 100, degree: 4, seed: 1 });
 * o.neighbours.p1; // ["p57", "p12", "p88", "p3"] (depends on the seed)
 * o.edges;         // ≈ n·degree/2 = 200
 */
export function randomOverlay(options: RandomOverlayOptions): Overlay {
  const { n, degree, seed } = options;
  if (!Number.isInteger(n) || n < 3) throw new ConfigError("randomOverlay: n", n, "a whole number ≥ 3");
  if (!Number.isInteger(degree) || degree < 2 || degree >= n) throw new ConfigError("randomOverlay: degree", degree, `a whole number in [2, ${n - 1}]`);
  const prefix = options.prefix ?? "p";
  const rng = new Prng(seed);
  const ids = Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
  const adj: Array<Set<number>> = ids.map(() => new Set<number>());
  const link = (a: number, b: number) => { adj[a].add(b); adj[b].add(a); };
  // 1. A random Hamiltonian cycle: connected, degree 2.
  const order = ids.map((_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(0, i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  for (let i = 0; i < n; i++) link(order[i], order[(i + 1) % n]);
  // 2. Random chords between peers that still lack neighbours.
  const open = ids.map((_, i) => i).filter((i) => adj[i].size < degree);
  const close = (pos: number) => { open[pos] = open[open.length - 1]; open.pop(); };
  let stale = 0;
  while (open.length > 1 && stale < 50) {
    const pa = rng.int(0, open.length);
    const pb = rng.int(0, open.length);
    const a = open[pa];
    const b = open[pb];
    if (a === b || adj[a].has(b)) { stale++; continue; }
    link(a, b);
    stale = 0;
    // drop full peers from `open`, the later position first so the earlier stays valid
    for (const pos of pa > pb ? [pa, pb] : [pb, pa]) if (adj[open[pos]].size >= degree) close(pos);
  }
  const neighbours: Record<string, string[]> = {};
  let ends = 0;
  ids.forEach((id, i) => { neighbours[id] = [...adj[i]].map((j) => ids[j]); ends += adj[i].size; });
  return { ids, neighbours, edges: ends / 2 };
}

/**
 * Hop distance from `source` to every peer it can reach (breadth-first search).
 *
 * @example
 * const hops = hopDistances(randomOverlay({ n: 50, degree: 4, seed: 1 }), "p1");
 * hops.get("p1"); // 0
 */
export function hopDistances(overlay: Overlay, source: string): Map<string, number> {
  if (!overlay.neighbours[source]) throw new ConfigError("hopDistances: source", source, "a peer of the overlay");
  const dist = new Map<string, number>([[source, 0]]);
  const queue = [source];
  for (let head = 0; head < queue.length; head++) {
    const at = queue[head];
    for (const nb of overlay.neighbours[at]) {
      if (!dist.has(nb)) { dist.set(nb, dist.get(at)! + 1); queue.push(nb); }
    }
  }
  return dist;
}
