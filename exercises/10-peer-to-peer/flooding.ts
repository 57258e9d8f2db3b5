/**
 * Exercise 10.3 — TTL flooding (15 points). Graded by `npm test` (test/10-peer-to-peer.test.ts),
 * or alone with `npm run grade -- 10.3`.
 *
 * An unstructured overlay (Gnutella 0.4, lecture 003 "unstructured P2P") finds things by flooding:
 * a query goes to every neighbour, each neighbour passes it on, and a time-to-live (TTL) counter
 * bounds how many overlay hops it travels. Write `floodingPeer(node, { neighbours }, deliver)`.
 *
 * Wire: `{ type: "flood", queryId, ttl, payload, origin }`. A query is identified by the pair
 * (origin, queryId): two origins may use the same queryId for different queries.
 * - `flood(queryId, ttl, payload)` (ttl an integer ≥ 1) makes this node the origin: it sends
 *   `{ type: "flood", queryId, ttl, payload, origin: node.id }` once to every neighbour. The origin
 *   does not call `deliver` for its own query, and ignores copies of it that come back.
 * - The FIRST copy of a query that reaches a node: call `deliver({ queryId, origin, payload })`
 *   once; then, if its `ttl` is greater than 1, send `{ …same fields, ttl: ttl - 1 }` once to every
 *   neighbour except the one it came from (`message.src`). A copy with ttl 1 is delivered but not
 *   passed on — so a query flooded with ttl T reaches exactly the nodes within T hops (when the
 *   shortest path is the fastest).
 * - Every later copy of the same query (a duplicate made by the network, or the query arriving
 *   along another path): do nothing at all — no deliver, no forward.
 * - Talk only to `neighbours` (not `node.peers()`: the grader spawns other nodes too).
 *
 * So every node forwards a query at most once, and a flood that reaches all N nodes of a connected
 * overlay with |E| links costs exactly deg(origin) + Σ (deg(v) − 1) = 2|E| − N + 1 sends
 * (sends, not copies: a copy the network duplicates is still one send).
 *
 * Graded: 27 trials for each of 5 seeds, overlays of 6–14 peers (a ring with random chords, or a
 * random tree with extra links), names drawn per trial, bystanders spawned first, some peers the
 * grader's (they speak this wire); the network duplicates 10% of messages. Full floods (ttl = N,
 * reordering latency 1–40 ms): every peer but the origin delivers once, 2|E| − N + 1 sends. Short
 * floods (ttl 1–3, every link 10 ms): exactly the peers within ttl hops deliver. Always checked,
 * message by message: at the first copy a node delivers and forwards with ttl − 1 to all
 * neighbours but the sender (or, at ttl 1, to none); later copies change nothing.
 */
import type { Node } from "../../lib/node";
import { NotImplementedError } from "../not-implemented";

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

/**
 * Run one peer of a flooding overlay on `node`.
 *
 * @example
 * sim.spawn("p1", (node) => {
 *   const peer = floodingPeer(node, { neighbours: ["p2", "p3"] }, (q) => node.log(`got ${q.queryId}`));
 *   node.setTimer(5, () => peer.flood("q1", 3, { find: "song.mp3" }));
 * });
 */
export function floodingPeer(node: Node, options: FloodingPeerOptions, deliver: (query: FloodQuery) => void): FloodingPeer {
  // Your code here (10.3)
  throw new NotImplementedError("10.3 flooding", "exercises/10-peer-to-peer/flooding.ts");
}
