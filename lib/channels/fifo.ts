// FIFO-order perfect links: per-sender sequence numbers over a perfect link.
// Cachin, Guerraoui & Rodrigues (2nd ed.), §2.4 exercises and §3.5 (the same sequence-number idea
// as "Broadcast with Sequence Number", Algorithm 3.12, applied to one link).
import type { Node } from "../node/node";
import { checkDeliver, checkDest } from "./errors";
import { openPerfectLink, type PerfectLinkCounters } from "./perfect";

/** Options of {@link openFifoLink}. */
export interface FifoLinkOptions<P = unknown> {
  /** Called once per message, for each sender in the order that sender sent them. */
  deliver: (src: string, payload: P) => void;
  /** Retransmission period of the perfect link underneath. Default 50 ms. */
  retransmitMs?: number;
  /** Prefix of the wire types of the perfect link underneath. Default `"fifo"` (`fifo_data`, `fifo_ack`). */
  tag?: string;
}

/** What a FIFO link has done so far. */
export interface FifoLinkCounters {
  /** Messages handed to `deliver`. */
  delivered: number;
  /** Messages now held back waiting for an earlier one, over all senders. */
  buffered: number;
  /** The most ever held back at once. */
  bufferedMax: number;
}

/** A FIFO perfect link endpoint on one node. */
export interface FifoLink<P = unknown> {
  /** Send `payload` to `dest`: delivered exactly once, after everything this node sent `dest` before. */
  send(dest: string, payload: P): void;
  /** Messages not yet acknowledged by the perfect link underneath. */
  readonly pending: number;
  /** Stop the perfect link's retransmissions (see `PerfectLink.stop`). */
  stop(): void;
  /** This layer's counters. */
  readonly counters: FifoLinkCounters;
  /** The perfect link's counters (data, acks, deliveries on the wire). */
  readonly linkCounters: PerfectLinkCounters;
}

/** What travels inside the perfect link's payload. */
type Sequenced<P> = { seq: number; payload: P };

/**
 * Open a FIFO perfect link on `node`. Each message to `dest` carries the next sequence number of the
 * (this node → dest) pair; the receiver delivers message `seq` only after `seq − 1` and holds any
 * that arrive early (a gap) until the gap is filled. On top of the perfect link's properties (PL1–3)
 * this adds **FIFO delivery**: if p sends m1 before m2 to q, q delivers m2 only after m1.
 *
 * The price of order is latency: one lost message holds back every later one from the same sender
 * until its retransmission arrives (head-of-line blocking, as in TCP). Sequence numbers live in
 * memory: a restart of either side starts a new, unrelated sequence (crash-stop only).
 *
 * @example
 * const sim = new Simulation({ seed: 5, network: { latency: latency.uniform(1, 30), ordering: "unordered", lossProbability: 0.2 } });
 * const order: number[] = [];
 * sim.spawn("b", (node) => openFifoLink<number>(node, { deliver: (src, n) => order.push(n) }));
 * const link = openFifoLink<number>(sim.spawn("a"), { deliver: () => {} });
 * for (let n = 1; n <= 10; n++) link.send("b", n);
 * await sim.runUntil(() => link.pending === 0);
 * order; // [1, 2, …, 10], although the network reordered and lost copies
 */
export function openFifoLink<P = unknown>(node: Node, options: FifoLinkOptions<P>): FifoLink<P> {
  const where = "openFifoLink";
  checkDeliver(node, where, options?.deliver);
  const deliver = options.deliver;
  const counters: FifoLinkCounters = { delivered: 0, buffered: 0, bufferedMax: 0 };
  /** Next sequence number to send, per destination. */
  const nextSeqTo = new Map<string, number>();
  /** Next sequence number to deliver, per sender, and the messages that arrived early. */
  const nextSeqFrom = new Map<string, number>();
  const early = new Map<string, Map<number, P>>();

  const pl = openPerfectLink<Sequenced<P>>(node, {
    tag: options.tag ?? "fifo",
    retransmitMs: options.retransmitMs,
    deliver: (src, { seq, payload }) => {
      let next = nextSeqFrom.get(src) ?? 1;
      if (seq !== next) {
        let held = early.get(src);
        if (held === undefined) early.set(src, (held = new Map()));
        held.set(seq, payload);
        counters.buffered++;
        counters.bufferedMax = Math.max(counters.bufferedMax, counters.buffered);
        return;
      }
      counters.delivered++;
      deliver(src, payload);
      next++;
      const held = early.get(src);
      while (held !== undefined && held.has(next)) {
        const waiting = held.get(next) as P;
        held.delete(next);
        counters.buffered--;
        counters.delivered++;
        deliver(src, waiting);
        next++;
      }
      nextSeqFrom.set(src, next);
    },
  });

  return {
    counters,
    linkCounters: pl.counters,
    get pending(): number {
      return pl.pending;
    },
    send(dest: string, payload: P): void {
      checkDest(node, "FIFO link send", dest);
      if (!node.isAlive()) return;
      const seq = nextSeqTo.get(dest) ?? 1;
      nextSeqTo.set(dest, seq + 1);
      pl.send(dest, { seq, payload });
    },
    stop(): void {
      pl.stop();
    },
  };
}
