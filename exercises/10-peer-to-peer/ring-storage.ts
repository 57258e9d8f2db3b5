/**
 * Exercise 10.1 — ring storage with key hand-off (15 points). Graded by `npm test`
 * (test/10-peer-to-peer.test.ts), or alone with `npm run grade -- 10.1`.
 *
 * In exercise 08.3 you built the consistent-hash ring as a pure class; here it runs as a DHT
 * (Karger et al. 1997; Chord §6.1; lecture 003, structured P2P). Each storage node keeps the
 * keys it owns. Ownership is the library's ring: `ringOwnerOf(key, ring, virtualNodes)` from
 * `lib/dht/index` — given, use it. When a node joins or leaves, each node sends exactly the keys
 * it no longer owns to their new owners, and nothing else: that is the whole point of consistent
 * hashing (a join of the 5th node moves about 1/5 of the keys, not 4/5 as hash mod N would).
 *
 * Wire (every request is answered with `node.reply`):
 * - `{ type: "put", key, value }` → `{ type: "put_ok", key }`, and `{ type: "get", key }` →
 *   `{ type: "get_ok", key, value }` (`value` a string, or null for a key never put). A client
 *   may ask any node: the owner (by this node's current ring) stores or reads its own store; any
 *   other node forwards the same request to the owner (`node.rpc`, with a timeout and retries: the
 *   network loses messages) and answers the client with the owner's answer.
 * - `{ type: "ring_change", ring }` → `{ type: "ring_change_ok" }`: the membership changed (a node
 *   joined, or one is leaving — then it gets the new ring without itself). Adopt the new ring and
 *   answer; then, for every key in your store whose owner by the NEW ring is another node, hand it
 *   off to that owner. A copy of the same ring_change (a duplicate, a retry) changes nothing more.
 * - `{ type: "handoff", entries }` → `{ type: "handoff_ok", keys }`: `entries` is a list of
 *   `[key, value]` pairs; the receiver stores every entry (it is their new owner, even if its own
 *   ring_change has not arrived yet) and acknowledges with the list of keys. The sender deletes a
 *   key only once an acknowledgement naming it came back — until then it resends (a lost handoff
 *   must not lose the key). Group the keys for one owner in one message, or send one per key.
 * - Talk only to the nodes of the ring and to whoever asked (not `node.peers()`).
 *
 * Graded: 27 trials for each of 5 seeds. 3–5 storage nodes (names drawn per trial; some yours, some
 * the grader's, which speak this wire), bystanders spawned first, grader clients, 5% loss and 5%
 * duplication, latency 2–12 ms. Keys are put (20–40 of them), then a node joins, then one leaves,
 * then more puts; virtualNodes is 8–32. After each step has settled: every key is in the store of
 * exactly its owner (`stored()` of every node), the leaving node kept nothing, every get returns the
 * last value put; and each of your nodes sent in handoffs exactly the keys it held that changed
 * owner — each to its new owner — no more, no fewer.
 */
import type { Node } from "../../lib/node";
import { NotImplementedError } from "../not-implemented";

/** A storage node, as the grader inspects it. */
export interface RingStorage {
  /** This node's store now: key → value (every key it holds, owned or not yet handed off). */
  stored(): Record<string, string>;
}

/** Options of {@link ringStorageNode}. */
export interface RingStorageOptions {
  /** Points per node on the ring (give it to ringOwnerOf). */
  virtualNodes: number;
  /** The ring's members now (this node included). */
  ring: string[];
}

/**
 * Run one storage node of a consistent-hashing DHT on `node`.
 *
 * @example
 * sim.spawn("s1", (node) => {
 *   const storage = ringStorageNode(node, { virtualNodes: 16, ring: ["s1", "s2", "s3"] });
 *   node.setTimer(500, () => node.log(JSON.stringify(storage.stored())));
 * });
 */
export function ringStorageNode(node: Node, options: RingStorageOptions): RingStorage {
  // Your code here (10.1)
  throw new NotImplementedError("10.1 ring-storage", "exercises/10-peer-to-peer/ring-storage.ts");
}
