/**
 * Reference solution of exercise 01.1 — perfect link (see exercises/01-why-distributed/perfect-link.ts).
 *
 * A perfect link (Cachin, Guerraoui & Rodrigues, *Introduction to Reliable and Secure
 * Distributed Programming*, §2.4: reliable delivery, no duplication, no creation) built on a link
 * that loses, duplicates and reorders:
 *
 * - the sender numbers each message with an id it never uses again (a counter kept in
 *   `node.storage`, so a restarted sender goes on from where it stopped) and sends it again every
 *   {@link RETRANSMIT_MS} ms until a `pl_ack` with that id comes back;
 * - the receiver acknowledges every copy it gets (an ack can be lost too, and then the sender's
 *   next copy needs one) but hands a message to the application only the first time, remembering
 *   the pair (sender, id) in `node.storage`, so a copy that turns up after a restart is still
 *   recognised.
 *
 * The simulator runs a handler to its end before a crash can happen, so "remember, then deliver"
 * in one handler is atomic here; a real receiver must write the id to disk before it delivers.
 */
import type { Node } from "../../lib/node";

/** What `perfectLink` returns: the sending half (the receiving half calls `deliver`). */
export interface PerfectLink {
  /** Send `payload` to `dest`: it is delivered there exactly once, however the network behaves. */
  send(dest: string, payload: unknown): void;
}

/** How long the sender waits for an ack before it sends a message again. */
export const RETRANSMIT_MS = 50;

/** Storage key of the sender's next id. */
const NEXT_ID_KEY = "pl/next-id";

/** Storage key that records that (src, id) was delivered. */
function deliveredKey(src: string, id: unknown): string {
  return `pl/delivered/${src}/${JSON.stringify(id)}`;
}

/**
 * A perfect link on `node`: `send` delivers each payload exactly once at its destination, where
 * `deliver(src, payload)` is called.
 *
 * @example
 * sim.spawn("b", (node) => perfectLink(node, (src, payload) => node.log(`from ${src}: ${payload}`)));
 * sim.spawn("a", (node) => perfectLink(node, () => {}).send("b", "hello"));
 */
export function perfectLink(node: Node, deliver: (src: string, payload: unknown) => void): PerfectLink {
  /** Unacknowledged messages by id, with their retransmission timer. */
  const unacked = new Map<number, { dest: string; timer: number }>();

  node.on("pl_data", (message) => {
    const { id, payload } = message.body;
    node.send(message.src, { type: "pl_ack", id }); // every copy: the ack of an earlier one may be lost
    const key = deliveredKey(message.src, id);
    if (node.storage.has(key)) return; // a duplicate or a retransmission
    node.storage.set(key, true);
    deliver(message.src, payload);
  });

  node.on("pl_ack", (message) => {
    const pending = unacked.get(message.body.id);
    if (pending === undefined || pending.dest !== message.src) return; // a late or duplicated ack
    node.cancelTimer(pending.timer);
    unacked.delete(message.body.id);
  });

  return {
    send(dest, payload) {
      const id = node.storage.get<number>(NEXT_ID_KEY) ?? 1;
      node.storage.set(NEXT_ID_KEY, id + 1); // before sending: a restart must never reuse it
      const data = { type: "pl_data", id, payload };
      node.send(dest, data);
      const timer = node.setPeriodic(RETRANSMIT_MS, () => node.send(dest, data), `retransmit pl_data ${id}`);
      unacked.set(id, { dest, timer });
    },
  };
}
