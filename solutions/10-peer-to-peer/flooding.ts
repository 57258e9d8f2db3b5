/**
 * Reference solution of exercise 10.3 — TTL flooding with duplicate suppression (Gnutella 0.4
 * style; lecture 003, unstructured P2P). The wire and the rules are in
 * exercises/10-peer-to-peer/flooding.ts.
 */
import type { Message, Node } from "../../lib/node";

/** What a peer delivers to its application: one query, once. */
export interface FloodQuery {
  queryId: string;
  /** The node that flooded it. */
  origin: string;
  /** The query's content, as the origin gave it. */
  payload: unknown;
}

/** A flooding peer, as the grader drives it. */
export interface FloodingPeer {
  /** Flood a new query from this node with the given TTL (an integer ≥ 1). */
  flood(queryId: string, ttl: number, payload: unknown): void;
}

/** Options of {@link floodingPeer}. */
export interface FloodingPeerOptions {
  /** This node's overlay neighbours (links are symmetric). */
  neighbours: string[];
}

interface FloodBody {
  type: "flood";
  queryId: string;
  ttl: number;
  payload: unknown;
  origin: string;
}

/**
 * Run one peer of a flooding overlay on `node`: deliver and pass on the first copy of each query
 * (origin, queryId) while its TTL lasts; drop every later copy.
 *
 * @example
 * sim.spawn("p1", (node) => {
 *   const peer = floodingPeer(node, { neighbours: ["p2", "p3"] }, (q) => node.log(`got ${q.queryId}`));
 *   node.setTimer(5, () => peer.flood("q1", 3, { find: "song.mp3" }));
 * });
 */
export function floodingPeer(node: Node, options: FloodingPeerOptions, deliver: (query: FloodQuery) => void): FloodingPeer {
  const neighbours = [...options.neighbours];
  /** Queries seen, keyed by origin and queryId (a NUL cannot occur in either). */
  const seen = new Set<string>();
  const keyOf = (origin: string, queryId: string): string => `${origin}\u0000${queryId}`;

  node.on("flood", (m: Message) => {
    const message = m as Message<FloodBody>;
    const { queryId, ttl, payload, origin } = message.body;
    const key = keyOf(origin, queryId);
    if (seen.has(key)) return; // a duplicate, or the query along a second path
    seen.add(key);
    deliver({ queryId, origin, payload });
    if (ttl <= 1) return; // its last hop
    for (const next of neighbours) {
      if (next !== message.src) node.send(next, { type: "flood", queryId, ttl: ttl - 1, payload, origin });
    }
  });

  return {
    flood(queryId, ttl, payload) {
      if (!Number.isInteger(ttl) || ttl < 1) {
        throw new Error(`${node.id} at t=${node.now()}ms: flood("${queryId}") needs an integer ttl ≥ 1, got ${ttl}`);
      }
      seen.add(keyOf(node.id, queryId));
      for (const next of neighbours) node.send(next, { type: "flood", queryId, ttl, payload, origin: node.id });
    },
  };
}
