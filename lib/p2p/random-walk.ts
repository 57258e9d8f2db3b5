// k-walker random walks with checking back (Lv, Cao, Cohen, Li & Shenker, ICS 2002, §4.2). The
// origin sends k walkers; each walker, at every peer it reaches, looks in that peer's objects and
// otherwise moves on to one neighbour chosen at random (not the one it came from, when there is
// another). A walker dies when it finds the object or its TTL runs out. With checking back, every
// `checkEvery` hops the walker's current peer asks the origin whether the search is already
// satisfied, and stops the walker if so: the walkers then stop soon after the first hit instead of
// each running to its TTL. Lv et al. find 16–64 walkers cut the messages of flooding by one to two
// orders of magnitude for a small increase in hops.
//
// Wire:
//   { type: "p2p_walk", queryId, key, ttl, origin, walker, hops }   one walker; ttl = hops left (≥ 1)
//   { type: "p2p_hit", queryId, key, holder, hops }                 holder → origin (as in flooding)
//   { type: "p2p_walk_check", queryId }  → reply { type: "p2p_walk_status", queryId, done }
import type { Node } from "../node/index";
import { ConfigError } from "../sim/errors";
import type { P2pHit } from "./flooding";

/** One walker in flight. */
export interface P2pWalk {
  type: "p2p_walk";
  queryId: string;
  key: string;
  ttl: number;
  origin: string;
  walker: number;
  hops: number;
}

/** Options for {@link randomWalkPeer}. */
export interface RandomWalkPeerOptions {
  neighbours: string[];
  /** Whether this peer holds an object. Default: holds nothing. */
  holds?: (key: string) => boolean;
  /** Called at the origin for every hit. */
  onHit?: (hit: P2pHit) => void;
  /** Ask the origin every this many hops whether to go on; 0 = never check back. Default 4 (Lv et al.). */
  checkEvery?: number;
  /** How long a walker waits for the origin's answer before walking on. Default 100 ms. */
  checkTimeoutMs?: number;
}

/** Counters of one random-walk peer. */
export interface RandomWalkStats {
  /** `p2p_walk` messages sent (walker steps). */
  walkSteps: number;
  /** `p2p_walk_check` messages sent. */
  checks: number;
  /** `p2p_walk_status` replies sent (at origins). */
  statusReplies: number;
  hitsSent: number;
}

/** What {@link randomWalkPeer} returns. */
export interface RandomWalkPeer {
  /** Send `walkers` walkers for `key`, each with `ttl` hops. */
  search(queryId: string, key: string, options: { walkers: number; ttl: number }): void;
  /** Mark a search satisfied (the origin does it itself on its first hit); checking walkers then stop. */
  satisfy(queryId: string): void;
  readonly stats: RandomWalkStats;
}

/**
 * Run k-walker random-walk search with checking back on `node` (Lv et al. 2002, §4.2).
 *
 * @example
 * const peer = randomWalkPeer(node, { neighbours: overlay.neighbours[node.id], holds: (k) => mine.has(k), onHit: (h) => hits.push(h) });
 * peer.search("q1", "song", { walkers: 16, ttl: 64 });
 */
export function randomWalkPeer(node: Node, options: RandomWalkPeerOptions): RandomWalkPeer {
  const neighbours = [...options.neighbours];
  const holds = options.holds ?? (() => false);
  const checkEvery = options.checkEvery ?? 4;
  const checkTimeoutMs = options.checkTimeoutMs ?? 100;
  if (!Number.isInteger(checkEvery) || checkEvery < 0) throw new ConfigError(`randomWalkPeer at ${node.id}: checkEvery`, checkEvery, "a whole number ≥ 0");
  const stats: RandomWalkStats = { walkSteps: 0, checks: 0, statusReplies: 0, hitsSent: 0 };
  /** Searches this peer started: query id → satisfied yet. */
  const mine = new Map<string, boolean>();

  const step = (w: P2pWalk, from: string | null) => {
    if (neighbours.length === 0) return;
    const choices = neighbours.length > 1 && from !== null ? neighbours.filter((nb) => nb !== from) : neighbours;
    const next = choices[node.rng.int(0, choices.length)];
    stats.walkSteps++;
    node.send(next, { ...w });
  };

  node.on("p2p_walk", async (msg) => {
    const w = msg.body as unknown as P2pWalk;
    if (holds(w.key)) {
      stats.hitsSent++;
      node.send(w.origin, { type: "p2p_hit", queryId: w.queryId, key: w.key, holder: node.id, hops: w.hops });
      return;
    }
    if (w.ttl <= 1) return;
    if (checkEvery > 0 && w.hops % checkEvery === 0) {
      stats.checks++;
      try {
        const reply = await node.rpc(w.origin, { type: "p2p_walk_check", queryId: w.queryId }, { timeoutMs: checkTimeoutMs });
        if ((reply.body as { done?: boolean }).done) return;
      } catch {
        // no answer from the origin (lost or crashed): walk on
      }
    }
    step({ ...w, ttl: w.ttl - 1, hops: w.hops + 1 }, msg.src);
  });
  node.on("p2p_walk_check", (msg) => {
    stats.statusReplies++;
    const queryId = (msg.body as unknown as { queryId: string }).queryId;
    node.reply(msg, { type: "p2p_walk_status", queryId, done: mine.get(queryId) === true });
  });
  node.on("p2p_hit", (msg) => {
    const hit = msg.body as unknown as P2pHit;
    if (mine.has(hit.queryId)) mine.set(hit.queryId, true);
    options.onHit?.(hit);
  });
  return {
    stats,
    search(queryId, key, { walkers, ttl }) {
      const where = `randomWalkPeer.search at ${node.id} (t=${node.now()} ms)`;
      if (!Number.isInteger(walkers) || walkers < 1) throw new ConfigError(`${where}: walkers`, walkers, "a whole number ≥ 1");
      if (!Number.isInteger(ttl) || ttl < 1) throw new ConfigError(`${where}: ttl`, ttl, "a whole number ≥ 1");
      if (mine.has(queryId)) throw new ConfigError(`${where}: queryId`, queryId, "an id not used before");
      mine.set(queryId, false);
      for (let k = 0; k < walkers; k++) step({ type: "p2p_walk", queryId, key, ttl, origin: node.id, walker: k, hops: 1 }, null);
    },
    satisfy(queryId) { mine.set(queryId, true); },
  };
}
