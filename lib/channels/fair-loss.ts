// Fair-loss point-to-point links: the raw simulated network seen as a link abstraction.
// Cachin, Guerraoui & Rodrigues, Introduction to Reliable and Secure Distributed Programming (2nd
// ed.), §2.4.2, Module 2.1.
import type { Node } from "../node/node";
import { checkDeliver, checkDest, checkFree, checkTag } from "./errors";

/** Options of {@link openFairLossLink}. */
export interface FairLossLinkOptions<P = unknown> {
  /** Called once for every copy that arrives (`fll-deliver`): a lost message never, a duplicated one twice. */
  deliver: (src: string, payload: P) => void;
  /** The message type on the wire (one link per type on a node). Default `"fll"`. */
  tag?: string;
}

/** What a fair-loss link has done so far (counted at this node). */
export interface FairLossCounters {
  /** Messages sent (each `send` once). */
  sent: number;
  /** Copies delivered to `deliver` (a duplicate counts twice). */
  delivered: number;
}

/** A fair-loss link endpoint on one node: send to any node, receive from any node. */
export interface FairLossLink<P = unknown> {
  /** `fll-send`: one transmission of `payload` to `dest`; the network may lose, duplicate or delay it. */
  send(dest: string, payload: P): void;
  /** Counters, updated in place. */
  readonly counters: FairLossCounters;
  /** The wire type of its messages. */
  readonly tag: string;
}

/**
 * Open a fair-loss link on `node`: a `send` is one message `{ type: tag, payload }` on the
 * simulated network, with whatever the network's options do to it — loss (`lossProbability`),
 * duplication (`duplicationProbability`), reordering (`ordering: "unordered"`), partitions.
 * Nothing is retransmitted. This is the weakest link of Cachin et al. (Module 2.1), and its
 * properties hold because of how the simulator's network works:
 *
 * - **FLL1 Fair-loss**: if a correct process p infinitely often sends m to a correct q, q delivers
 *   m infinitely often — each copy is lost independently with probability `lossProbability` < 1.
 * - **FLL2 Finite duplication**: a message sent a finite number of times is delivered a finite
 *   number of times — the network makes at most one extra copy of each send.
 * - **FLL3 No creation**: every delivered message was sent by its source — the network invents
 *   nothing (unless a test's message rule alters a message on purpose).
 *
 * The payload must be JSON (the network sends a copy).
 *
 * @example
 * const sim = new Simulation({ seed: 1, network: { lossProbability: 0.3 } });
 * const got: string[] = [];
 * sim.spawn("b", (node) => openFairLossLink<string>(node, { deliver: (src, text) => got.push(text) }));
 * sim.spawn("a", (node) => {
 *   const link = openFairLossLink<string>(node, { deliver: () => {} });
 *   for (let i = 0; i < 10; i++) link.send("b", `m${i}`);
 * });
 * await sim.runFor(100);
 * got.length; // about 7 of 10: the rest were lost
 */
export function openFairLossLink<P = unknown>(node: Node, options: FairLossLinkOptions<P>): FairLossLink<P> {
  const where = "openFairLossLink";
  checkDeliver(node, where, options?.deliver);
  const tag = options.tag ?? "fll";
  checkTag(node, where, tag);
  checkFree(node, where, [tag]);
  const deliver = options.deliver;
  const counters: FairLossCounters = { sent: 0, delivered: 0 };
  node.on(tag, (message) => {
    counters.delivered++;
    deliver(message.src, message.body.payload as P);
  });
  return {
    tag,
    counters,
    send(dest: string, payload: P): void {
      checkDest(node, `fair-loss link "${tag}" send`, dest);
      if (!node.isAlive()) return;
      counters.sent++;
      node.send(dest, { type: tag, payload });
    },
  };
}
