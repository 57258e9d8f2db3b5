// Best-effort broadcast: send to every member over point-to-point links, and nothing more.
// Cachin, Guerraoui & Rodrigues (2nd ed.), §3.2, Module 3.1 and Algorithm 3.1 "Basic Broadcast".
import type { Node } from "../node/node";
import { channelError, checkDeliver, checkTag } from "./errors";
import { openFairLossLink, type FairLossLink } from "./fair-loss";
import { openPerfectLink, type PerfectLink } from "./perfect";

/** Options of {@link openBestEffortBroadcast}. */
export interface BestEffortBroadcastOptions<P = unknown> {
  /** `beb-deliver`: called with the broadcaster's id and the payload. */
  deliver: (origin: string, payload: P) => void;
  /**
   * The members (this node may be one of them). Default: this node and `node.peers()` at the time
   * of each broadcast.
   */
  group?: readonly string[];
  /**
   * The links underneath: `"perfect"` (default, the book's choice: each copy is retransmitted until
   * acknowledged, so only a crash of the sender can lose it) or `"fair-loss"` (one send per member:
   * the network's loss loses it too).
   */
  transport?: "perfect" | "fair-loss";
  /** Retransmission period of the perfect links. Default 50 ms. */
  retransmitMs?: number;
  /** Prefix of the wire types. Default `"beb"` (`beb_data`/`beb_ack` over perfect links, `beb` over fair-loss). */
  tag?: string;
  /** Deliver this node's own broadcasts to itself at once (when it is in the group). Default true. */
  deliverToSelf?: boolean;
}

/** What a best-effort broadcast endpoint has done so far. */
export interface BroadcastCounters {
  /** Broadcasts started here. */
  broadcasts: number;
  /** Messages handed to `deliver` (own ones included). */
  delivered: number;
}

/** A best-effort broadcast endpoint on one node. */
export interface BestEffortBroadcast<P = unknown> {
  /** `beb-broadcast`: send `payload` to every member (and deliver it here if this node is one). */
  broadcast(payload: P): void;
  /** Copies not yet acknowledged (0 over fair-loss links). */
  readonly pending: number;
  /** Stop retransmitting (perfect links). */
  stop(): void;
  /** Counters, updated in place. */
  readonly counters: BroadcastCounters;
}

/**
 * Open best-effort broadcast on `node` (Algorithm 3.1): a broadcast sends the payload to each
 * other member over its own point-to-point link, one after the other, and delivers it locally.
 * Properties (Module 3.1):
 *
 * - **BEB1 Validity**: if a correct process broadcasts m, every correct process eventually
 *   delivers m — the perfect links retransmit until each member acknowledges.
 * - **BEB2 No duplication** and **BEB3 No creation** — from PL2 and PL3.
 *
 * Nothing is promised when the *sender* crashes: the copies it had not yet got through die with it,
 * so some members deliver the message and others never do. That gap is what reliable broadcast
 * (`openReliableBroadcast`) closes. Over `transport: "fair-loss"` even BEB1 fails under loss.
 *
 * Every member must have been spawned when a broadcast is sent (the simulator rejects a send to an
 * unknown node): when spawning a group, broadcast from `sim.at(…)` or a timer, not from the
 * behaviour of the first node spawned.
 *
 * @example
 * const sim = new Simulation({ seed: 2, network: { latency: latency.uniform(5, 15), lossProbability: 0.2 } });
 * const got = new Map<string, string[]>();
 * const nodes = sim.spawnMany(["n1", "n2", "n3"], () => {});
 * const bebs = nodes.map((node) => openBestEffortBroadcast<string>(node, { deliver: (origin, m) => got.set(node.id, [...(got.get(node.id) ?? []), m]) }));
 * bebs[0].broadcast("hello"); // from n1
 * await sim.runFor(200);
 * got.get("n3"); // ["hello"]
 */
export function openBestEffortBroadcast<P = unknown>(node: Node, options: BestEffortBroadcastOptions<P>): BestEffortBroadcast<P> {
  const where = "openBestEffortBroadcast";
  checkDeliver(node, where, options?.deliver);
  const tag = options.tag ?? "beb";
  checkTag(node, where, tag);
  const transport = options.transport ?? "perfect";
  if (transport !== "perfect" && transport !== "fair-loss") throw channelError(node, `${where}: transport must be "perfect" or "fair-loss", got ${JSON.stringify(transport)}`);
  const group = options.group;
  if (group !== undefined && (!Array.isArray(group) || group.some((m) => typeof m !== "string" || m === ""))) {
    throw channelError(node, `${where}: group must be an array of node ids, got ${JSON.stringify(group)}`);
  }
  const deliverToSelf = options.deliverToSelf ?? true;
  const counters: BroadcastCounters = { broadcasts: 0, delivered: 0 };
  const deliver = (origin: string, payload: P): void => {
    counters.delivered++;
    options.deliver(origin, payload);
  };
  const link: PerfectLink<P> | FairLossLink<P> =
    transport === "perfect"
      ? openPerfectLink<P>(node, { tag, retransmitMs: options.retransmitMs, deliver })
      : openFairLossLink<P>(node, { tag, deliver });

  return {
    counters,
    get pending(): number {
      return "pending" in link ? link.pending : 0;
    },
    broadcast(payload: P): void {
      if (!node.isAlive()) return;
      counters.broadcasts++;
      const members = group ?? [node.id, ...node.peers()];
      for (const member of members) if (member !== node.id) link.send(member, payload);
      if (deliverToSelf && members.includes(node.id)) deliver(node.id, payload);
    },
    stop(): void {
      if ("stop" in link) link.stop();
    },
  };
}
