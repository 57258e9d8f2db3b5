// Flooding and random walks counted on the graph itself, without the simulator: for overlays of
// 10⁴ peers and more (the bench, and charts over many queries). The counts are those of the
// simulated protocols (flooding.ts, random-walk.ts) when every message takes the same time:
//   - a flood of TTL t reaches exactly the peers within t hops; it sends deg(source) messages
//     plus deg(v) − 1 for every other peer v reached at fewer than t hops (2|E| − N + 1 when it
//     covers a connected graph);
//   - k walkers move in lockstep, one hop per step; a walker that finds the object stops; with
//     checking back every c hops a walker also stops once any walker has found it (the check is
//     counted as two messages — question and answer — and taken to be answered at once).
// Lv, Cao, Cohen, Li & Shenker, ICS 2002, §4.
import { Prng } from "../sim/prng";
import { ConfigError } from "../sim/errors";
import type { Overlay } from "./overlay";

interface Compiled {
  index: Map<string, number>;
  /** Neighbour lists as peer indices, in CSR form. */
  start: Int32Array;
  adj: Int32Array;
}

const compiledCache = new WeakMap<Overlay, Compiled>();

function compile(overlay: Overlay): Compiled {
  const cached = compiledCache.get(overlay);
  if (cached) return cached;
  const index = new Map<string, number>();
  overlay.ids.forEach((id, i) => index.set(id, i));
  const start = new Int32Array(overlay.ids.length + 1);
  overlay.ids.forEach((id, i) => { start[i + 1] = start[i] + overlay.neighbours[id].length; });
  const adj = new Int32Array(start[overlay.ids.length]);
  overlay.ids.forEach((id, i) => overlay.neighbours[id].forEach((nb, k) => { adj[start[i] + k] = index.get(nb)!; }));
  const compiled = { index, start, adj };
  compiledCache.set(overlay, compiled);
  return compiled;
}

function indexOf(c: Compiled, id: string, what: string): number {
  const i = c.index.get(id);
  if (i === undefined) throw new ConfigError(`${what}: source`, id, "a peer of the overlay");
  return i;
}

/** What {@link countFlood} counted. */
export interface FloodCount {
  /** Query messages sent (duplicates included). */
  messages: number;
  /** Peers that received the query (the source excluded). */
  reached: number;
  /** Whether some holder was within TTL hops (the source counts, at 0 hops). */
  found: boolean;
  /** Hops to the nearest holder, if found. */
  hopsToHit: number | undefined;
}

/**
 * Count one flood of TTL `ttl` from `source` (see the file header for the rule).
 *
 * @example
 * const o = randomOverlay({ n: 10_000, degree: 4, seed: 1 });
 * countFlood(o, { source: "p1", ttl: 100 }).messages; // 2|E| − N + 1
 */
export function countFlood(overlay: Overlay, options: { source: string; ttl: number; holders?: ReadonlySet<string> }): FloodCount {
  const c = compile(overlay);
  const src = indexOf(c, options.source, "countFlood");
  const ttl = options.ttl;
  if (!Number.isInteger(ttl) || ttl < 1) throw new ConfigError("countFlood: ttl", ttl, "a whole number ≥ 1");
  const n = overlay.ids.length;
  const dist = new Int32Array(n).fill(-1);
  dist[src] = 0;
  const queue = new Int32Array(n);
  let tail = 0;
  queue[tail++] = src;
  let messages = 0;
  let hopsToHit: number | undefined = options.holders?.has(options.source) ? 0 : undefined;
  for (let head = 0; head < tail; head++) {
    const v = queue[head];
    const d = dist[v];
    if (d >= ttl) continue;
    const degree = c.start[v + 1] - c.start[v];
    messages += v === src ? degree : degree - 1;
    for (let k = c.start[v]; k < c.start[v + 1]; k++) {
      const w = c.adj[k];
      if (dist[w] !== -1) continue;
      dist[w] = d + 1;
      queue[tail++] = w;
      if (hopsToHit === undefined && options.holders?.has(overlay.ids[w])) hopsToHit = d + 1;
    }
  }
  return { messages, reached: tail - 1, found: hopsToHit !== undefined, hopsToHit };
}

/** What {@link countWalk} counted. */
export interface WalkCount {
  /** Walker steps plus check-back messages (2 per check). */
  messages: number;
  /** Walker steps alone. */
  steps: number;
  /** Check-backs (each a question and an answer). */
  checks: number;
  found: boolean;
  /** Hops of the first walker to find it (0 if the source holds it). */
  hopsToHit: number | undefined;
  /** Distinct peers visited (the source excluded). */
  visited: number;
}

/** Options for {@link countWalk}. */
export interface CountWalkOptions {
  source: string;
  walkers: number;
  ttl: number;
  holders: ReadonlySet<string>;
  /** Check back every this many hops; 0 = never. Default 4. */
  checkEvery?: number;
  seed: number;
}

/**
 * Count one k-walker random walk (see the file header for the rule).
 *
 * @example
 * countWalk(o, { source: "p1", walkers: 16, ttl: 1024, holders: new Set(["p99"]), seed: 1 }); // { found, messages, … }
 */
export function countWalk(overlay: Overlay, options: CountWalkOptions): WalkCount {
  const c = compile(overlay);
  const src = indexOf(c, options.source, "countWalk");
  const { walkers, ttl, holders } = options;
  const checkEvery = options.checkEvery ?? 4;
  if (!Number.isInteger(walkers) || walkers < 1) throw new ConfigError("countWalk: walkers", walkers, "a whole number ≥ 1");
  if (!Number.isInteger(ttl) || ttl < 1) throw new ConfigError("countWalk: ttl", ttl, "a whole number ≥ 1");
  if (holders.has(options.source)) return { messages: 0, steps: 0, checks: 0, found: true, hopsToHit: 0, visited: 0 };
  const rng = new Prng(options.seed);
  const at = new Int32Array(walkers).fill(src);
  const from = new Int32Array(walkers).fill(-1);
  const alive = new Array<boolean>(walkers).fill(true);
  const visited = new Set<number>();
  let steps = 0;
  let checks = 0;
  let hopsToHit: number | undefined;
  for (let hop = 1; hop <= ttl; hop++) {
    let moving = 0;
    for (let k = 0; k < walkers; k++) {
      if (!alive[k]) continue;
      const v = at[k];
      const s = c.start[v];
      const degree = c.start[v + 1] - s;
      if (degree === 0) { alive[k] = false; continue; }
      let w: number;
      if (from[k] === -1 || degree === 1) w = c.adj[s + rng.int(0, degree)];
      else {
        // uniform among the neighbours but the one it came from: draw from degree − 1 slots,
        // the slot of `from` standing for the last neighbour
        w = c.adj[s + rng.int(0, degree - 1)];
        if (w === from[k]) w = c.adj[s + degree - 1];
      }
      steps++;
      from[k] = v;
      at[k] = w;
      visited.add(w);
      moving++;
      if (holders.has(overlay.ids[w])) {
        alive[k] = false;
        if (hopsToHit === undefined) hopsToHit = hop;
      }
    }
    if (moving === 0) break;
    if (checkEvery > 0 && hop % checkEvery === 0 && hop < ttl) {
      for (let k = 0; k < walkers; k++) {
        if (!alive[k]) continue;
        checks++;
        if (hopsToHit !== undefined) alive[k] = false;
      }
    }
  }
  visited.delete(src);
  return { messages: steps + 2 * checks, steps, checks, found: hopsToHit !== undefined, hopsToHit, visited: visited.size };
}
