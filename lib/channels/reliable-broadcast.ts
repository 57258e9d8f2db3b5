// (Regular) reliable broadcast, the eager way: relay every message on its first delivery.
// Cachin, Guerraoui & Rodrigues (2nd ed.), §3.3, Module 3.2 and Algorithm 3.3 "Eager Reliable Broadcast".
import type { Node } from "../node/node";
import { checkDeliver, checkTag } from "./errors";
import { openBestEffortBroadcast, type BroadcastCounters } from "./best-effort-broadcast";

/** Options of {@link openReliableBroadcast}. */
export interface ReliableBroadcastOptions<P = unknown> {
  /** `rb-deliver`: called once per message, with the id of the node that broadcast it first. */
  deliver: (origin: string, payload: P) => void;
  /** The members. Default: this node and `node.peers()` at the time of each send. */
  group?: readonly string[];
  /** Retransmission period of the perfect links underneath. Default 50 ms. */
  retransmitMs?: number;
  /** Prefix of the wire types. Default `"rb"` (`rb_data` and `rb_ack`). */
  tag?: string;
}

/** What a reliable broadcast endpoint has done so far. */
export interface ReliableBroadcastCounters extends BroadcastCounters {
  /** Messages this node relayed (re-broadcast on their first delivery). */
  relayed: number;
}

/** A reliable broadcast endpoint on one node. */
export interface ReliableBroadcast<P = unknown> {
  /** `rb-broadcast`: deliver `payload` here and send it to every member. */
  broadcast(payload: P): void;
  /** Copies not yet acknowledged by the perfect links underneath. */
  readonly pending: number;
  /** Stop retransmitting (lets a run with a crashed member end). */
  stop(): void;
  /** Counters, updated in place. */
  readonly counters: ReliableBroadcastCounters;
}

/** What travels over best-effort broadcast: the message's identity and its payload. */
type RbData<P> = { origin: string; seq: number; payload: P };

/**
 * Open eager reliable broadcast on `node` (Algorithm 3.3). A message is identified by its origin
 * and the origin's sequence number. When a node receives a message for the first time it first
 * relays it to every member by best-effort broadcast, then delivers it; later copies are dropped.
 * Properties (Module 3.2), in the crash-stop model:
 *
 * - **RB1 Validity**, **RB2 No duplication**, **RB3 No creation** — as for best-effort broadcast,
 *   plus the (origin, seq) set.
 * - **RB4 Agreement**: if one correct process delivers m, every correct process does — because that
 *   process relayed m to all before delivering it, and its own perfect links keep retransmitting
 *   until each correct member has it. A sender that crashes midway cannot leave the group split.
 *
 * Choice made here: the relays travel over perfect links (retransmit until acknowledged), so the
 * guarantees hold on a lossy, duplicating, reordering network. The price is O(n²) messages per
 * broadcast (each of n members relays to n − 1 others, plus acknowledgements), the reason for
 * lazy variants with failure detectors and for gossip.
 *
 * @example
 * const sim = new Simulation({ seed: 4, network: { lossProbability: 0.2 } });
 * const got = new Map<string, string[]>();
 * sim.spawnMany(["n1", "n2", "n3", "n4"], (node) => {
 *   const rb = openReliableBroadcast<string>(node, { deliver: (origin, m) => got.set(node.id, [...(got.get(node.id) ?? []), m]) });
 *   if (node.id === "n1") sim.at(0, () => rb.broadcast("update")); // once every member exists
 * });
 * sim.at(2, () => sim.crash("n1"), "n1 crashes midway");
 * await sim.runFor(1000);
 * // n2, n3 and n4 all delivered "update", or none of them did
 */
export function openReliableBroadcast<P = unknown>(node: Node, options: ReliableBroadcastOptions<P>): ReliableBroadcast<P> {
  const where = "openReliableBroadcast";
  checkDeliver(node, where, options?.deliver);
  const tag = options.tag ?? "rb";
  checkTag(node, where, tag);
  const counters: ReliableBroadcastCounters = { broadcasts: 0, delivered: 0, relayed: 0 };
  /** Ids (`origin#seq`) of the messages delivered here. */
  const delivered = new Set<string>();
  let seq = 0;

  const rbDeliver = (message: RbData<P>): void => {
    counters.delivered++;
    options.deliver(message.origin, message.payload);
  };

  const beb = openBestEffortBroadcast<RbData<P>>(node, {
    tag,
    group: options.group,
    retransmitMs: options.retransmitMs,
    deliverToSelf: false, // this layer delivers its own broadcasts itself
    deliver: (_from, message) => {
      const id = `${message.origin}#${message.seq}`;
      if (delivered.has(id)) return;
      delivered.add(id);
      counters.relayed++;
      beb.broadcast(message); // relay first: even if this node crashes right after, the copies are out
      rbDeliver(message);
    },
  });

  return {
    counters,
    get pending(): number {
      return beb.pending;
    },
    broadcast(payload: P): void {
      if (!node.isAlive()) return;
      counters.broadcasts++;
      seq++;
      const message: RbData<P> = { origin: node.id, seq, payload };
      delivered.add(`${node.id}#${seq}`);
      beb.broadcast(message);
      rbDeliver(message);
    },
    stop(): void {
      beb.stop();
    },
  };
}
