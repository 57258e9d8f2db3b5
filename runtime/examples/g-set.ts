// A reference node for Maelstrom's g-set workload: `add { element }` → `add_ok`, `read` →
// `read_ok { value: [elements] }`. A state-based CRDT (a G-Set): each node gossips its whole set
// to every peer periodically and merges a set it receives by union. Elements are any JSON; two are
// the same element when their JSON texts are equal. Plain course node code (no real time).
import type { Node } from "../../lib/node";

/** Options of `gSetNode`. */
export interface GSetOptions {
  /** How often each node gossips its set to every peer. Default 100 ms. */
  gossipMs?: number;
}

/**
 * A grow-only set node. The set is kept in `node.storage`, so a restarted node (with
 * `--storage DIR`) still has every element it acknowledged.
 *
 * @example
 * sim.spawnMany(["n1", "n2"], gSetNode);
 * // distlab-node runtime/examples/g-set.ts gSetNode
 */
export function gSetNode(node: Node, options: GSetOptions = {}): void {
  const gossipMs = options.gossipMs ?? 100;
  /** JSON text → element. */
  const elements = new Map<string, unknown>();
  for (const element of node.storage.get<unknown[]>("elements") ?? []) elements.set(JSON.stringify(element), element);

  const addAll = (items: readonly unknown[]): void => {
    let added = false;
    for (const element of items) {
      const key = JSON.stringify(element);
      if (key === undefined || elements.has(key)) continue;
      elements.set(key, element);
      added = true;
    }
    if (added) node.storage.set("elements", Array.from(elements.values()));
  };

  node.on("add", (req) => {
    if (!("element" in req.body)) {
      node.reply(req, { type: "error", code: 12, text: "add: the body needs an element" });
      return;
    }
    addAll([req.body.element]);
    node.reply(req, { type: "add_ok" });
  });

  node.on("read", (req) => node.reply(req, { type: "read_ok", value: Array.from(elements.values()) }));

  node.on("elements", (m) => addAll(m.body.elements as unknown[]));

  node.setPeriodic(gossipMs, () => node.broadcast({ type: "elements", elements: Array.from(elements.values()) }), "gossip");
}
