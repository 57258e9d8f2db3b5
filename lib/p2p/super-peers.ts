// Super-peers (Yang & Garcia-Molina, "Designing a super-peer network", ICDE 2003; KaZaA/FastTrack,
// Gnutella 0.6 ultrapeers). Peers with good bandwidth and uptime become super-peers: each keeps
// an index of the objects of its leaves, and the super-peers form a small unstructured overlay
// among themselves. A leaf sends its query to its super-peer only; the super-peer answers from
// its index and floods the query (TTL, duplicate suppression) to the other super-peers, each of
// which answers the leaf from its own index. Search traffic then stays among the few super-peers
// — which is exactly why each carries far more load than a leaf. When a super-peer crashes its
// leaves are cut off (and their objects unfindable) until they join another one.
//
// Wire:
//   leaf → super   { type: "p2p_sp_join", objects }                 → { type: "p2p_sp_join_ok" }
//   leaf → super   { type: "p2p_sp_query", queryId, key, ttl }      → { type: "p2p_sp_query_ok", queryId }
//   super → super  { type: "p2p_sp_flood", queryId, key, ttl, leaf } ttl = super-peer hops still allowed
//   super → leaf   { type: "p2p_sp_hit", queryId, key, holders }    from every super-peer with matches
import type { Node } from "../node/index";
import { ConfigError } from "../sim/errors";

/** Counters of one peer (super-peer or leaf). */
export interface PeerLoad {
  /** Messages this peer received. */
  received: number;
  /** Messages this peer sent (replies included). */
  sent: number;
}

/** Options for {@link superPeerNode}. */
export interface SuperPeerOptions {
  /** Neighbouring super-peers in the super-peer overlay. */
  superNeighbours: string[];
}

/**
 * A super-peer: indexes its leaves' objects, floods queries among super-peers.
 *
 * @example
 * sim.spawnMany(supers.ids, (node) => { superPeerNode(node, { superNeighbours: supers.neighbours[node.id] }); });
 */
export function superPeerNode(node: Node, options: SuperPeerOptions): { readonly load: PeerLoad; readonly leaves: () => string[] } {
  const neighbours = [...options.superNeighbours];
  const load: PeerLoad = { received: 0, sent: 0 };
  const index = new Map<string, Set<string>>(); // object → leaves holding it
  const leaves = new Set<string>();
  const seen = new Set<string>();
  const answer = (queryId: string, key: string, leaf: string) => {
    const holders = [...(index.get(key) ?? [])].filter((h) => h !== leaf);
    if (holders.length === 0) return;
    load.sent++;
    node.send(leaf, { type: "p2p_sp_hit", queryId, key, holders });
  };
  const flood = (queryId: string, key: string, ttl: number, leaf: string, except: string | null) => {
    if (ttl < 1) return;
    for (const nb of neighbours) {
      if (nb === except) continue;
      load.sent++;
      node.send(nb, { type: "p2p_sp_flood", queryId, key, ttl, leaf });
    }
  };
  node.on("p2p_sp_join", (msg) => {
    load.received++;
    const objects = (msg.body as unknown as { objects: string[] }).objects ?? [];
    leaves.add(msg.src);
    for (const key of objects) {
      if (!index.has(key)) index.set(key, new Set());
      index.get(key)!.add(msg.src);
    }
    load.sent++;
    node.reply(msg, { type: "p2p_sp_join_ok" });
  });
  node.on("p2p_sp_query", (msg) => {
    load.received++;
    const { queryId, key, ttl } = msg.body as unknown as { queryId: string; key: string; ttl: number };
    load.sent++;
    node.reply(msg, { type: "p2p_sp_query_ok", queryId });
    if (seen.has(queryId)) return;
    seen.add(queryId);
    answer(queryId, key, msg.src);
    flood(queryId, key, ttl, msg.src, null);
  });
  node.on("p2p_sp_flood", (msg) => {
    load.received++;
    const { queryId, key, ttl, leaf } = msg.body as unknown as { queryId: string; key: string; ttl: number; leaf: string };
    if (seen.has(queryId)) return;
    seen.add(queryId);
    answer(queryId, key, leaf);
    flood(queryId, key, ttl - 1, leaf, msg.src);
  });
  return { load, leaves: () => [...leaves] };
}

/** Options for {@link leafPeer}. */
export interface LeafPeerOptions {
  /** Super-peers to attach to, in order of preference; on a timeout the leaf moves to the next. */
  superPeers: string[];
  objects: string[];
  /** RPC timeout. Default 50 ms. */
  timeoutMs?: number;
}

/** What {@link leafPeer} returns. */
export interface LeafPeer {
  /** Join the first super-peer that answers; false if none does. */
  join(): Promise<boolean>;
  /**
   * Query `key` with a super-peer TTL, collect hits for `waitMs`, return the holders found. If the
   * super-peer does not acknowledge, the leaf joins the next one and asks again.
   */
  search(queryId: string, key: string, options: { ttl: number; waitMs: number }): Promise<string[]>;
  /** The super-peer this leaf is attached to (undefined before joining or when all are down). */
  superPeer(): string | undefined;
  readonly load: PeerLoad;
}

/**
 * A leaf of a super-peer network.
 *
 * @example
 * const leaf = leafPeer(node, { superPeers: ["sp1", "sp2"], objects: ["o3"] });
 * await leaf.join();
 * await leaf.search("q1", "o7", { ttl: 3, waitMs: 20 }); // ["l42", …]
 */
export function leafPeer(node: Node, options: LeafPeerOptions): LeafPeer {
  if (!Array.isArray(options?.superPeers) || options.superPeers.length === 0) {
    throw new ConfigError(`leafPeer at ${node.id}: superPeers`, options?.superPeers, "a non-empty list of super-peer ids");
  }
  const timeoutMs = options.timeoutMs ?? 50;
  const load: PeerLoad = { received: 0, sent: 0 };
  const found = new Map<string, Set<string>>();
  let current: number | undefined;
  node.on("p2p_sp_hit", (msg) => {
    load.received++;
    const { queryId, holders } = msg.body as unknown as { queryId: string; holders: string[] };
    const into = found.get(queryId);
    if (into) for (const h of holders) into.add(h);
  });
  const joinFrom = async (startAt: number): Promise<boolean> => {
    for (let i = startAt; i < options.superPeers.length; i++) {
      load.sent++;
      try {
        await node.rpc(options.superPeers[i], { type: "p2p_sp_join", objects: options.objects }, { timeoutMs });
        load.received++;
        current = i;
        return true;
      } catch {
        // that super-peer is down: try the next
      }
    }
    current = undefined;
    return false;
  };
  return {
    load,
    superPeer: () => (current === undefined ? undefined : options.superPeers[current]),
    join: () => joinFrom(0),
    async search(queryId, key, { ttl, waitMs }) {
      found.set(queryId, new Set());
      while (current !== undefined) {
        load.sent++;
        try {
          await node.rpc(options.superPeers[current], { type: "p2p_sp_query", queryId, key, ttl }, { timeoutMs });
          load.received++;
          break;
        } catch {
          if (!(await joinFrom(current + 1))) break;
        }
      }
      if (current !== undefined) await node.sleep(waitMs);
      const holders = [...found.get(queryId)!];
      found.delete(queryId);
      return holders;
    },
  };
}
