// Stubborn point-to-point links: retransmit forever over a fair-loss link.
// Cachin, Guerraoui & Rodrigues (2nd ed.), §2.4.3, Module 2.2 and Algorithm 2.1 "Retransmit Forever".
import type { Node } from "../node/node";
import { checkDeliver, checkDest, checkPositive, checkTag } from "./errors";
import { openFairLossLink } from "./fair-loss";

/** Options of {@link openStubbornLink}. */
export interface StubbornLinkOptions<P = unknown> {
  /** Called for every copy that arrives (`sl-deliver`): each message again and again. */
  deliver: (src: string, payload: P) => void;
  /** Period of the retransmission timer (Δ in the book). Default 50 ms. */
  retransmitMs?: number;
  /** The message type on the wire. Default `"sl"`. */
  tag?: string;
}

/** What a stubborn link has done so far (counted at this node). */
export interface StubbornCounters {
  /** Distinct messages given to `send`. */
  messages: number;
  /** Transmissions: first sends plus every retransmission. */
  sent: number;
  /** Copies delivered to `deliver` (every retransmission that arrives counts). */
  delivered: number;
}

/** A stubborn link endpoint on one node. */
export interface StubbornLink<P = unknown> {
  /** `sl-send`: send `payload` to `dest` now and again every `retransmitMs`, until `stop()`. */
  send(dest: string, payload: P): void;
  /** Stop retransmitting and forget every message (so that a simulation can become idle). */
  stop(): void;
  /** Counters, updated in place. */
  readonly counters: StubbornCounters;
  /** The wire type of its messages. */
  readonly tag: string;
}

/**
 * Open a stubborn link on `node` (Algorithm 2.1, "Retransmit Forever"): every message given to
 * `send` goes out at once over a fair-loss link, and then again, together with every other message
 * ever sent, each `retransmitMs`, forever. It never learns whether a message arrived, so the
 * receiver delivers each message many times. Properties (Module 2.2):
 *
 * - **SL1 Stubborn delivery**: if a correct p sends m once to a correct q, q delivers m an
 *   infinite number of times — fair loss (FLL1) plus retransmitting forever.
 * - **SL2 No creation**: every delivered message was sent — inherited from FLL3.
 *
 * "Forever" means a simulation with a stubborn link never runs out of events: run it for a bounded
 * time (`sim.runFor`) or call `stop()`, which is not part of the abstraction but lets a run end.
 * The cost is the point: after t ms, each message has cost about t / retransmitMs transmissions.
 *
 * @example
 * const sim = new Simulation({ seed: 1, network: { lossProbability: 0.5 } });
 * let copies = 0;
 * sim.spawn("b", (node) => openStubbornLink(node, { deliver: () => copies++ }));
 * sim.spawn("a", (node) => openStubbornLink(node, { deliver: () => {}, retransmitMs: 10 }).send("b", "hello"));
 * await sim.runFor(1000);
 * copies; // about 50: 100 transmissions, half of them lost
 */
export function openStubbornLink<P = unknown>(node: Node, options: StubbornLinkOptions<P>): StubbornLink<P> {
  const where = "openStubbornLink";
  checkDeliver(node, where, options?.deliver);
  const retransmitMs = options.retransmitMs ?? 50;
  checkPositive(node, where, "retransmitMs", retransmitMs);
  const tag = options.tag ?? "sl";
  checkTag(node, where, tag);
  const deliver = options.deliver;
  const counters: StubbornCounters = { messages: 0, sent: 0, delivered: 0 };
  const fll = openFairLossLink<P>(node, {
    tag,
    deliver: (src, payload) => {
      counters.delivered++;
      deliver(src, payload);
    },
  });
  /** `sent` of the book: every (destination, message) pair ever sent. */
  let sent: Array<[dest: string, payload: P]> = [];
  let timer: number | undefined;

  const transmit = (dest: string, payload: P): void => {
    counters.sent++;
    fll.send(dest, payload);
  };
  const timeout = (): void => {
    for (const [dest, payload] of sent) transmit(dest, payload);
  };

  return {
    tag,
    counters,
    send(dest: string, payload: P): void {
      checkDest(node, `stubborn link "${tag}" send`, dest);
      if (!node.isAlive()) return;
      counters.messages++;
      sent.push([dest, payload]);
      transmit(dest, payload);
      // The timer starts with the first message, so a node that never sends never ticks.
      timer ??= node.setPeriodic(retransmitMs, timeout, `${tag} retransmit`);
    },
    stop(): void {
      if (timer !== undefined) node.cancelTimer(timer);
      timer = undefined;
      sent = [];
    },
  };
}
