/**
 * Reference solution of exercise 03.3 — reliable broadcast (see exercises/03-interaction-patterns/reliable-broadcast.ts).
 *
 * Eager reliable broadcast (Cachin, Guerraoui & Rodrigues, *Introduction to Reliable and Secure
 * Distributed Programming*, 2nd ed., §3.3.3, Algorithm 3.3 "Eager Reliable Broadcast"): the first
 * time a node sees a message (origin, seq) it delivers it and relays it to every other member.
 * With n members a message costs up to n·(n−1) sends, the price of not trusting the origin to
 * finish its loop. Here the node relays first and delivers second; the other order is as correct
 * for the regular (non-uniform) variant.
 */
import type { Node } from "../../lib/node";

/** What a member can do: broadcast a payload to the whole group. */
export interface ReliableBroadcast {
  broadcast(payload: unknown): void;
}

/**
 * Join `group` as a reliable-broadcast member: relay every new message once, deliver it once.
 *
 * @example
 * const group = ["n1", "n2", "n3", "n4"];
 * const rb = new Map<string, ReliableBroadcast>();
 * for (const id of group) sim.spawn(id, (node) => void rb.set(id, reliableBroadcast(node, group, (origin, payload) => node.log(`${origin}: ${payload}`))));
 * sim.at(10, () => rb.get("n1")!.broadcast("hello"));
 */
export function reliableBroadcast(node: Node, group: readonly string[], deliver: (origin: string, payload: unknown) => void): ReliableBroadcast {
  const seen = new Set<string>();
  let nextSeq = 0;

  /** First sight of (origin, seq): relay to every other member, then deliver. */
  const accept = (origin: string, seq: number, payload: unknown): void => {
    const id = JSON.stringify([origin, seq]);
    if (seen.has(id)) return;
    seen.add(id);
    for (const member of group) if (member !== node.id) node.send(member, { type: "rb", origin, seq, payload });
    deliver(origin, payload);
  };

  node.on("rb", (m) => accept(m.body.origin, m.body.seq, m.body.payload));
  return { broadcast: (payload) => accept(node.id, nextSeq++, payload) };
}
