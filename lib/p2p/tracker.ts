// A central index, as in Napster (1999) and a BitTorrent tracker (Cohen, "Incentives build
// robustness in BitTorrent", 2003, §1): peers register the objects they hold with one index
// server; a peer looks an object up at the index, then fetches it straight from a holder. Search
// costs two messages instead of a flood — but the index is a single point of failure. When it
// crashes, no peer can register or look anything up, although every object is still on its
// holders; what keeps working is the peer-to-peer part: a peer that already knows holders (from
// an earlier lookup) can still fetch from them (BitTorrent peers already in a swarm keep trading).
//
// Wire:
//   peer → tracker  { type: "p2p_register", objects }         → { type: "p2p_register_ok", count }
//   peer → tracker  { type: "p2p_lookup", key }                → { type: "p2p_lookup_ok", key, holders }
//   peer → holder   { type: "p2p_fetch", key }                 → { type: "p2p_fetch_ok", key, holder, found }
import type { Node } from "../node/index";
import { ConfigError } from "../sim/errors";

/** Counters of the tracker. */
export interface TrackerStats {
  registrations: number;
  lookups: number;
}

/**
 * The index server: who holds which object. Its table is volatile: a crash forgets it, and peers
 * must register again after a restart.
 *
 * @example
 * sim.spawn("tracker", (node) => { trackerNode(node); });
 */
export function trackerNode(node: Node): { readonly stats: TrackerStats; holdersOf(key: string): string[] } {
  const index = new Map<string, Set<string>>();
  const stats: TrackerStats = { registrations: 0, lookups: 0 };
  node.on("p2p_register", (msg) => {
    const objects = (msg.body as unknown as { objects: unknown }).objects;
    if (!Array.isArray(objects)) {
      node.log(`p2p_register from ${msg.src} at ${node.now()} ms: objects must be a list, got ${JSON.stringify(objects)}`);
      return;
    }
    stats.registrations++;
    for (const key of objects as string[]) {
      if (!index.has(key)) index.set(key, new Set());
      index.get(key)!.add(msg.src);
    }
    node.reply(msg, { type: "p2p_register_ok", count: objects.length });
  });
  node.on("p2p_lookup", (msg) => {
    stats.lookups++;
    const key = (msg.body as unknown as { key: string }).key;
    node.reply(msg, { type: "p2p_lookup_ok", key, holders: [...(index.get(key) ?? [])] });
  });
  return { stats, holdersOf: (key) => [...(index.get(key) ?? [])] };
}

/** How a fetch ended. */
export type FetchStatus = "fetched" | "not-found" | "tracker-unreachable" | "holders-unreachable";

/** What {@link trackedPeer}'s `fetch` returns. */
export interface FetchOutcome {
  status: FetchStatus;
  /** The peer it came from, when fetched. */
  holder?: string;
  /** Whether the holders came from this peer's cache of an earlier lookup (no tracker needed). */
  fromCache: boolean;
}

/** Options for {@link trackedPeer}. */
export interface TrackedPeerOptions {
  /** The tracker's id. */
  tracker: string;
  /** Objects this peer holds. */
  objects: string[];
  /** RPC timeout. Default 100 ms. */
  timeoutMs?: number;
  /** RPC retries. Default 1. */
  retries?: number;
}

/** What {@link trackedPeer} returns. */
export interface TrackedPeer {
  /** Register this peer's objects at the tracker; false if the tracker did not answer. */
  register(): Promise<boolean>;
  /** Find `key` (cache of earlier lookups first, else the tracker) and fetch it from a holder. */
  fetch(key: string): Promise<FetchOutcome>;
}

/**
 * A peer of a tracker-based system: registers, looks up, fetches from other peers, and serves
 * its own objects.
 *
 * @example
 * sim.spawn("p1", (node) => {
 *   const peer = trackedPeer(node, { tracker: "tracker", objects: ["o1"] });
 *   node.setTimer(0, async () => { await peer.register(); node.log((await peer.fetch("o2")).status); });
 * });
 */
export function trackedPeer(node: Node, options: TrackedPeerOptions): TrackedPeer {
  if (typeof options?.tracker !== "string") throw new ConfigError(`trackedPeer at ${node.id}: tracker`, options?.tracker, "the tracker's id");
  const mine = new Set(options.objects);
  const rpcOptions = { timeoutMs: options.timeoutMs ?? 100, retries: options.retries ?? 1 };
  const known = new Map<string, string[]>();
  node.on("p2p_fetch", (msg) => {
    const key = (msg.body as unknown as { key: string }).key;
    node.reply(msg, { type: "p2p_fetch_ok", key, holder: node.id, found: mine.has(key) });
  });
  const tryHolders = async (key: string, holders: string[]): Promise<string | undefined> => {
    for (const h of holders) {
      if (h === node.id) continue;
      try {
        const reply = await node.rpc(h, { type: "p2p_fetch", key }, rpcOptions);
        if ((reply.body as unknown as { found: boolean }).found) return h;
      } catch {
        // holder crashed or unreachable: try the next
      }
    }
    return undefined;
  };
  return {
    async register() {
      try {
        await node.rpc(options.tracker, { type: "p2p_register", objects: [...mine] }, rpcOptions);
        return true;
      } catch {
        return false;
      }
    },
    async fetch(key) {
      if (mine.has(key)) return { status: "fetched", holder: node.id, fromCache: true };
      const cached = known.get(key);
      if (cached) {
        const h = await tryHolders(key, cached);
        if (h) return { status: "fetched", holder: h, fromCache: true };
      }
      let holders: string[];
      try {
        const reply = await node.rpc(options.tracker, { type: "p2p_lookup", key }, rpcOptions);
        holders = (reply.body as unknown as { holders: string[] }).holders;
      } catch {
        return { status: "tracker-unreachable", fromCache: false };
      }
      if (holders.filter((h) => h !== node.id).length === 0) return { status: "not-found", fromCache: false };
      known.set(key, holders);
      const h = await tryHolders(key, holders);
      return h ? { status: "fetched", holder: h, fromCache: false } : { status: "holders-unreachable", fromCache: false };
    },
  };
}
