// A reference node for Maelstrom's g-counter workload: `add { delta }` → `add_ok`, `read` →
// `read_ok { value }`. A state-based CRDT (a G-Counter: Shapiro et al., "Conflict-free Replicated
// Data Types", 2011), not Maelstrom's seq-kv service: each node counts its own adds, gossips its
// whole vector of per-node counts to every peer periodically, and merges a vector it receives by
// taking the maximum per node. The value is the sum. Plain course node code (no real time): it
// runs in the simulator and, with bin/distlab-node.js, under Maelstrom.
import type { Node } from "../../lib/node";

/** Options of `gCounterNode`. */
export interface GCounterOptions {
  /** How often each node gossips its counts to every peer. Default 100 ms. */
  gossipMs?: number;
}

/**
 * A grow-only counter node. Its own count is kept in `node.storage`, so a restarted node (with
 * `--storage DIR`) does not lose the adds it acknowledged; other nodes' counts come back by gossip.
 *
 * @example
 * sim.spawnMany(["n1", "n2", "n3"], gCounterNode);
 * // distlab-node runtime/examples/g-counter.ts gCounterNode
 */
export function gCounterNode(node: Node, options: GCounterOptions = {}): void {
  const gossipMs = options.gossipMs ?? 100;
  const counts = new Map<string, number>(Object.entries(node.storage.get<Record<string, number>>("counts") ?? {}));

  const value = (): number => {
    let sum = 0;
    for (const count of counts.values()) sum += count;
    return sum;
  };

  node.on("add", (req) => {
    const delta = req.body.delta;
    if (!Number.isInteger(delta) || delta < 0) {
      node.reply(req, { type: "error", code: 12, text: `add: delta must be a non-negative integer, got ${JSON.stringify(delta)}` });
      return;
    }
    counts.set(node.id, (counts.get(node.id) ?? 0) + delta);
    node.storage.set("counts", Object.fromEntries(counts));
    node.reply(req, { type: "add_ok" });
  });

  node.on("read", (req) => node.reply(req, { type: "read_ok", value: value() }));

  node.on("counts", (m) => {
    let changed = false;
    for (const [id, count] of Object.entries(m.body.counts as Record<string, number>)) {
      if (count > (counts.get(id) ?? 0)) {
        counts.set(id, count);
        changed = true;
      }
    }
    if (changed) node.storage.set("counts", Object.fromEntries(counts));
  });

  node.setPeriodic(gossipMs, () => node.broadcast({ type: "counts", counts: Object.fromEntries(counts) }), "gossip");
}
