// An adapter for Maelstrom's broadcast workload over the course's reliable broadcast (exercise
// 03.3's reference, solutions/03-interaction-patterns/reliable-broadcast.ts). Needed because the
// names differ: the course's node is a library call (`reliableBroadcast(node, group, deliver)`)
// relaying `rb` messages, while Maelstrom's clients send `topology`, `broadcast { message }` and
// `read`. Import your own exercises/03-interaction-patterns/reliable-broadcast.ts instead to run yours.
//
// Eager reliable broadcast relays every message to every member once; it assumes links that do not
// lose messages, which Maelstrom's network gives unless a partition nemesis is on. The topology is
// acknowledged and otherwise ignored (every node relays to every other).
import type { Node } from "../../lib/node";
import { reliableBroadcast } from "../../solutions/03-interaction-patterns/reliable-broadcast";

/**
 * A Maelstrom broadcast node: `topology` → `topology_ok`, `broadcast { message }` →
 * `broadcast_ok` (the message is reliably broadcast to every node), `read` → `read_ok { messages }`
 * (every message delivered here, each once).
 *
 * @example
 * // distlab-node runtime/examples/broadcast.ts broadcastNode
 * sim.spawnMany(["n1", "n2", "n3"], broadcastNode);
 */
export function broadcastNode(node: Node): void {
  const messages = new Map<string, unknown>(); // JSON text → message, so a value delivered twice counts once
  const group = [node.id, ...node.peers()];
  const rb = reliableBroadcast(node, group, (_origin, payload) => void messages.set(JSON.stringify(payload), payload));

  node.on("topology", (req) => node.reply(req, { type: "topology_ok" }));
  node.on("broadcast", (req) => {
    rb.broadcast(req.body.message);
    node.reply(req, { type: "broadcast_ok" });
  });
  node.on("read", (req) => node.reply(req, { type: "read_ok", messages: Array.from(messages.values()) }));
}
