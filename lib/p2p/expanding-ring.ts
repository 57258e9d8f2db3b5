// Expanding ring (Lv, Cao, Cohen, Li & Shenker, ICS 2002, §4.1; also Chang & Liu): flood with TTL 1;
// if no hit comes back within the ring's wait, flood again with a larger TTL (1, 2, 4, …), until a
// hit arrives or the largest TTL has been tried. Popular objects, found close by, then cost a small
// flood instead of a full one; the price is the extra rounds (delay) and the re-flooding of the
// inner rings. Each ring is a new flood (query id `<queryId>/ttl<t>`), so duplicate suppression of
// one ring does not hide the next. Wire: that of flooding (`p2p_query`, `p2p_hit`).
import type { Node } from "../node/index";
import { ConfigError } from "../sim/errors";
import { floodingPeer, type FloodingStats, type P2pHit } from "./flooding";

/** Options for {@link expandingRingPeer}. */
export interface ExpandingRingPeerOptions {
  neighbours: string[];
  holds?: (key: string) => boolean;
  /** TTLs tried in turn. Default [1, 2, 4, 8] (Lv et al. double the TTL each ring). */
  ttls?: number[];
  /** Wait per ring = (ttl + 1) × hopMs: the query out ttl hops, the hit back in one. Default 15 ms (the largest latency). */
  hopMs?: number;
}

/** What one expanding-ring search found. */
export interface ExpandingRingOutcome {
  found: boolean;
  /** TTL of the ring that found it (undefined if none did). */
  ttl: number | undefined;
  /** Rings flooded. */
  rings: number;
  /** Hits received (all rings). */
  hits: P2pHit[];
}

/** What {@link expandingRingPeer} returns. */
export interface ExpandingRingPeer {
  /** Search `key`, ring after ring; resolves when a ring found it or the TTLs are used up. */
  search(queryId: string, key: string): Promise<ExpandingRingOutcome>;
  /** The underlying flooding peer's counters. */
  readonly stats: FloodingStats;
}

/**
 * Expanding-ring search on `node`, on top of {@link floodingPeer} (Lv et al. 2002, §4.1).
 *
 * @example
 * const peer = expandingRingPeer(node, { neighbours: overlay.neighbours[node.id], holds: (k) => mine.has(k) });
 * const outcome = await peer.search("q1", "song"); // { found: true, ttl: 2, rings: 2, hits: [...] }
 */
export function expandingRingPeer(node: Node, options: ExpandingRingPeerOptions): ExpandingRingPeer {
  const ttls = options.ttls ?? [1, 2, 4, 8];
  const hopMs = options.hopMs ?? 15;
  if (ttls.length === 0 || ttls.some((t) => !Number.isInteger(t) || t < 1)) {
    throw new ConfigError(`expandingRingPeer at ${node.id}: ttls`, ttls, "a non-empty list of whole numbers ≥ 1");
  }
  const hitsOf = new Map<string, P2pHit[]>();
  const flooding = floodingPeer(node, {
    neighbours: options.neighbours,
    holds: options.holds,
    onHit: (hit) => hitsOf.get(hit.queryId)?.push(hit),
  });
  return {
    stats: flooding.stats,
    async search(queryId, key) {
      const all: P2pHit[] = [];
      for (let i = 0; i < ttls.length; i++) {
        const ringId = `${queryId}/ttl${ttls[i]}`;
        const hits: P2pHit[] = [];
        hitsOf.set(ringId, hits);
        flooding.flood(ringId, key, ttls[i]);
        await node.sleep((ttls[i] + 1) * hopMs);
        hitsOf.delete(ringId);
        all.push(...hits);
        if (hits.length > 0) return { found: true, ttl: ttls[i], rings: i + 1, hits: all };
      }
      return { found: false, ttl: undefined, rings: ttls.length, hits: all };
    },
  };
}
