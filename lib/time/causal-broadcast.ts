// Causal broadcast with vector clocks: K. Birman, A. Schiper & P. Stephenson, "Lightweight Causal
// and Atomic Group Multicast", ACM TOCS 9(3), 1991, §4 (the CBCAST delivery rule); also Cachin,
// Guerraoui & Rodrigues (2nd ed.), §3.9, Algorithm 3.15 "No-Waiting Causal Broadcast" in its
// vector-clock form (Algorithm 3.17, "Waiting Causal Broadcast").
//
//   VT(p_j)[i] = how many messages from p_i p_j has delivered.
//   p_i broadcasts m: VT(p_i)[i] += 1, m carries VT(m) = VT(p_i), p_i delivers m at once.
//   p_j (≠ p_i) delivers m from p_i when
//       VT(m)[i] = VT(p_j)[i] + 1            (m is the next message from p_i), and
//       VT(m)[k] ≤ VT(p_j)[k] for all k ≠ i  (p_j has delivered everything p_i had delivered);
//   otherwise m waits in a buffer; after each delivery the buffer is scanned again.
import type { Node } from "../node/index";
import { SimulationError } from "../sim/index";
import { openPerfectLink } from "../channels/index";
import { Simulation } from "../simulation/index";
import { latency } from "../net/index";
import { checkVector, type VectorTimestamp } from "./vector";

/** Which delivery rule: causal (CBCAST), or only per-sender FIFO (the next from its sender, nothing more). */
export type BroadcastOrder = "causal" | "fifo";

/** Options of {@link openCausalBroadcast}. */
export interface CausalBroadcastOptions<P = unknown> {
  /** `crb-deliver`: called once per message, with its origin, in causal order. */
  deliver: (origin: string, payload: P, stamp: VectorTimestamp) => void;
  /** The members, this node included. */
  group: readonly string[];
  /** `"causal"` (default) or `"fifo"`: the weaker rule, for comparison. */
  order?: BroadcastOrder;
  /** Retransmission period of the perfect links underneath. Default 50 ms. */
  retransmitMs?: number;
  /** Prefix of the wire types. Default `"cb"` (`cb_data`, `cb_ack`). */
  tag?: string;
}

/** What a causal broadcast endpoint has done so far. */
export interface CausalBroadcastCounters {
  delivered: number;
  /** Messages held back now (arrived before one of their causal predecessors). */
  buffered: number;
  /** The most held back at once. */
  bufferedMax: number;
  /** Messages that ever had to wait. */
  delayed: number;
}

/** A causal broadcast endpoint on one node. */
export interface CausalBroadcast<P = unknown> {
  /** Broadcast `payload` to the group (delivered here at once). Returns its vector timestamp. */
  broadcast(payload: P): VectorTimestamp;
  /** VT(p_j): how many messages from each member this node has delivered. */
  readonly delivered: VectorTimestamp;
  readonly counters: CausalBroadcastCounters;
  /** Stop the perfect links' retransmissions. */
  stop(): void;
}

type CbData<P> = { stamp: VectorTimestamp; payload: P };

/**
 * Open causal broadcast on `node` (Birman, Schiper & Stephenson 1991, §4). Causal order: if the
 * broadcast of m1 happened before the broadcast of m2, no member delivers m2 before m1 — so a
 * reply is never seen before the question it answers, even when the network reorders. The copies
 * travel over perfect links (loss and duplication are absorbed); with `order: "fifo"` only the
 * first condition is checked, which keeps each sender's order but lets a reply from one member
 * overtake the question from another (see {@link questionAndReply}). Crash-stop; a member that
 * misses a message from a crashed sender waits for it forever (the reason for reliable causal
 * broadcast, which relays).
 *
 * @example
 * sim.spawnMany(["n1", "n2", "n3"], (node) => {
 *   const cb = openCausalBroadcast<string>(node, { group: ["n1", "n2", "n3"], deliver: (origin, text) => node.log(`${origin}: ${text}`) });
 *   if (node.id === "n1") cb.broadcast("question?");
 * });
 */
export function openCausalBroadcast<P = unknown>(node: Node, options: CausalBroadcastOptions<P>): CausalBroadcast<P> {
  const where = "openCausalBroadcast";
  const fail = (text: string): SimulationError => new SimulationError(`${where}: ${text}`, { node: node.id, timeMs: node.now() });
  if (typeof options?.deliver !== "function") throw fail(`options.deliver must be a function (origin, payload, stamp) => void, got ${typeof options?.deliver}`);
  if (!Array.isArray(options.group) || !options.group.includes(node.id)) throw fail(`options.group must be an array of node ids that includes this node, got ${JSON.stringify(options.group)}`);
  const order = options.order ?? "causal";
  if (order !== "causal" && order !== "fifo") throw fail(`options.order must be "causal" or "fifo", got ${JSON.stringify(order)}`);
  const group = [...options.group];
  const deliver = options.deliver;
  const vt: Record<string, number> = Object.fromEntries(group.map((m) => [m, 0]));
  const counters: CausalBroadcastCounters = { delivered: 0, buffered: 0, bufferedMax: 0, delayed: 0 };
  const buffer: Array<{ origin: string; data: CbData<P> }> = [];

  const deliverable = (origin: string, stamp: VectorTimestamp): boolean => {
    if ((stamp[origin] ?? 0) !== vt[origin] + 1) return false;
    if (order === "fifo") return true;
    return group.every((k) => k === origin || (stamp[k] ?? 0) <= vt[k]);
  };
  const doDeliver = (origin: string, data: CbData<P>): void => {
    vt[origin] = data.stamp[origin];
    counters.delivered++;
    deliver(origin, data.payload, data.stamp);
  };
  const drain = (): void => {
    for (let i = 0; i < buffer.length; ) {
      const held = buffer[i];
      if (deliverable(held.origin, held.data.stamp)) {
        buffer.splice(i, 1);
        counters.buffered--;
        doDeliver(held.origin, held.data);
        i = 0;
      } else i++;
    }
  };

  const pl = openPerfectLink<CbData<P>>(node, {
    tag: options.tag ?? "cb",
    retransmitMs: options.retransmitMs,
    deliver: (src, data) => {
      checkVector(data?.stamp, `${where}: message from ${src}: stamp`, { node: node.id, timeMs: node.now() });
      if (!group.includes(src)) throw fail(`message from ${src}, which is not in the group ${JSON.stringify(group)}`);
      if ((data.stamp[src] ?? 0) <= vt[src]) return; // already delivered (cannot happen over perfect links; kept for safety)
      if (deliverable(src, data.stamp)) {
        doDeliver(src, data);
        drain();
      } else {
        buffer.push({ origin: src, data });
        counters.buffered++;
        counters.delayed++;
        counters.bufferedMax = Math.max(counters.bufferedMax, counters.buffered);
      }
    },
  });

  return {
    counters,
    get delivered(): VectorTimestamp {
      return { ...vt };
    },
    broadcast(payload: P): VectorTimestamp {
      if (!node.isAlive()) return { ...vt };
      const stamp = { ...vt, [node.id]: vt[node.id] + 1 };
      for (const member of group) if (member !== node.id) pl.send(member, { stamp, payload });
      doDeliver(node.id, { stamp, payload });
      return stamp;
    },
    stop(): void {
      pl.stop();
    },
  };
}

/** Options of {@link questionAndReply}. */
export interface QuestionAndReplyOptions {
  seed: number;
  order: BroadcastOrder;
  /** Extra delay on n1 → n3, so that n2's reply can overtake n1's question. Default 40 ms. */
  slowLinkMs?: number;
}

/** What n3 saw in {@link questionAndReply}. */
export interface QuestionAndReplyResult {
  /** n3's deliveries, in order: `"n1: question"`, `"n2: reply"`. */
  seenAtN3: string[];
  /** True when n3 delivered the reply before the question: the anomaly. */
  anomaly: boolean;
  /** How many messages n3 held back. */
  delayedAtN3: number;
  sim: Simulation;
}

/**
 * The anomaly causal order prevents (Birman et al. 1991, §2): n1 broadcasts a question; n2
 * delivers it and broadcasts a reply; the copy of the question to n3 is slow. Under FIFO order, n3
 * delivers the reply first (nothing relates messages from different senders); under causal order
 * it holds the reply until the question is delivered.
 *
 * @example
 * (await questionAndReply({ seed: 1, order: "fifo" })).seenAtN3;   // ["n2: reply", "n1: question"]
 * (await questionAndReply({ seed: 1, order: "causal" })).seenAtN3; // ["n1: question", "n2: reply"]
 */
export async function questionAndReply(options: QuestionAndReplyOptions): Promise<QuestionAndReplyResult> {
  const sim = new Simulation({ seed: options.seed, network: { latency: latency.uniform(2, 10), ordering: "unordered" } });
  const group = ["n1", "n2", "n3"];
  const seenAtN3: string[] = [];
  let delayedAtN3 = 0;
  const endpoints = new Map<string, CausalBroadcast<string>>();
  sim.spawnMany(group, (node) => {
    const cb = openCausalBroadcast<string>(node, {
      group,
      order: options.order,
      deliver: (origin, text) => {
        if (node.id === "n3") seenAtN3.push(`${origin}: ${text}`);
        if (node.id === "n2" && text === "question") endpoints.get("n2")!.broadcast("reply");
      },
    });
    endpoints.set(node.id, cb);
    if (node.id === "n1") sim.at(0, () => cb.broadcast("question"), "n1 asks");
  });
  sim.addRule({ name: "slow n1→n3", match: { src: "n1", dest: "n3", type: "cb_data" }, action: "delay", delayMs: options.slowLinkMs ?? 40 });
  await sim.runFor(500);
  delayedAtN3 = endpoints.get("n3")!.counters.delayed;
  for (const cb of endpoints.values()) cb.stop();
  return { seenAtN3, anomaly: seenAtN3[0] === "n2: reply", delayedAtN3, sim };
}
