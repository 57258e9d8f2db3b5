// Flooding with a TTL and duplicate suppression, Gnutella's search (Gnutella protocol 0.4;
// Lv, Cao, Cohen, Li & Shenker, ICS 2002, §4.1). The origin sends the query to every neighbour;
// a peer that sees a query id for the first time checks its own objects, then, while the TTL
// lasts, forwards the query to every neighbour but the one it came from. A copy of a query id
// already seen is dropped. A peer holding the object answers the origin directly with a hit
// (Gnutella routes the QueryHit back along the query's path; the count of query messages is the
// same).
//
// Cost: a flood that reaches every peer of a connected overlay sends exactly 2|E| − N + 1 query
// messages — the origin sends deg(origin), every other peer deg − 1 — whatever the TTL beyond the
// diameter. With varying latency a copy that took a longer path may arrive first with less TTL
// left and be the one kept; with constant latency "within TTL hops" is exact.
//
// Wire:
//   { type: "p2p_query", queryId, key, ttl, origin, hops }   ttl: hops still allowed (≥ 1 on arrival)
//   { type: "p2p_hit", queryId, key, holder, hops }          holder → origin, hops the query took
import type { Node } from "../node/index";
import { ConfigError } from "../sim/errors";

/** A query message of flooding (and of the expanding ring, which reuses it). */
export interface P2pQuery {
  type: "p2p_query";
  queryId: string;
  key: string;
  ttl: number;
  origin: string;
  hops: number;
}

/** A hit: `holder` has `key`; sent straight to the query's origin. */
export interface P2pHit {
  type: "p2p_hit";
  queryId: string;
  key: string;
  holder: string;
  hops: number;
}

/** Options for {@link floodingPeer}. */
export interface FloodingPeerOptions {
  /** This peer's overlay neighbours. */
  neighbours: string[];
  /** Whether this peer holds an object. Default: holds nothing. */
  holds?: (key: string) => boolean;
  /** Called at the origin for every hit that arrives (duplicates of a holder included). */
  onHit?: (hit: P2pHit) => void;
  /** Called once per query id this peer receives (the origin's own query excluded). */
  onQuery?: (query: P2pQuery) => void;
}

/** Counters of one flooding peer. */
export interface FloodingStats {
  /** `p2p_query` messages this peer sent (originated or forwarded). */
  queriesSent: number;
  /** Copies of queries received that were dropped as duplicates. */
  duplicatesDropped: number;
  /** `p2p_hit` messages this peer sent. */
  hitsSent: number;
  /** Distinct query ids this peer processed. */
  queriesSeen: number;
}

/** What {@link floodingPeer} returns. */
export interface FloodingPeer {
  /** Start a flood of `key` with this TTL (≥ 1) under a fresh `queryId`. */
  flood(queryId: string, key: string, ttl: number): void;
  readonly stats: FloodingStats;
}

/**
 * Run flooding search on `node` (Lv et al. 2002, §4.1).
 *
 * @example
 * sim.spawnMany(overlay.ids, (node) => {
 *   const peer = floodingPeer(node, { neighbours: overlay.neighbours[node.id], holds: (k) => k === "song", onHit: (h) => hits.push(h) });
 *   if (node.id === "p1") node.setTimer(0, () => peer.flood("q1", "song", 4));
 * });
 */
export function floodingPeer(node: Node, options: FloodingPeerOptions): FloodingPeer {
  const neighbours = [...options.neighbours];
  const holds = options.holds ?? (() => false);
  const seen = new Set<string>();
  const stats: FloodingStats = { queriesSent: 0, duplicatesDropped: 0, hitsSent: 0, queriesSeen: 0 };
  const forward = (q: P2pQuery, except: string | null) => {
    for (const nb of neighbours) {
      if (nb === except) continue;
      stats.queriesSent++;
      node.send(nb, { ...q });
    }
  };
  node.on("p2p_query", (msg) => {
    const q = msg.body as unknown as P2pQuery;
    if (seen.has(q.queryId)) { stats.duplicatesDropped++; return; }
    seen.add(q.queryId);
    stats.queriesSeen++;
    options.onQuery?.(q);
    if (holds(q.key)) {
      stats.hitsSent++;
      node.send(q.origin, { type: "p2p_hit", queryId: q.queryId, key: q.key, holder: node.id, hops: q.hops });
    }
    if (q.ttl > 1) forward({ ...q, ttl: q.ttl - 1, hops: q.hops + 1 }, msg.src);
  });
  node.on("p2p_hit", (msg) => options.onHit?.(msg.body as unknown as P2pHit));
  return {
    stats,
    flood(queryId, key, ttl) {
      if (!Number.isInteger(ttl) || ttl < 1) {
        throw new ConfigError(`flood at ${node.id} (t=${node.now()} ms): ttl`, ttl, "a whole number ≥ 1");
      }
      if (seen.has(queryId)) throw new ConfigError(`flood at ${node.id} (t=${node.now()} ms): queryId`, queryId, "an id not used before");
      seen.add(queryId);
      forward({ type: "p2p_query", queryId, key, ttl, origin: node.id, hops: 1 }, null);
    },
  };
}
