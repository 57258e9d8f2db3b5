// Lamport clocks: L. Lamport, "Time, Clocks, and the Ordering of Events in a Distributed System",
// CACM 21(7), 1978, §2 (the clock condition, implementation rules IR1 and IR2).
//
//   IR1: each process increments its clock between any two successive events (we tick before
//        each send and each local event).
//   IR2: a message carries its sender's clock Tm; on receipt, Cj := max(Cj, Tm) + 1.
//
// Clock condition: a → b implies C(a) < C(b). The converse does not hold: C(a) < C(b) says
// nothing about whether a could have influenced b (see `lamportCounterexamples`).
import type { Node } from "../node/index";
import { SimulationError } from "../sim/index";

/**
 * A Lamport clock: one integer, ticked on every event.
 *
 * @example
 * const c = new LamportClock();
 * c.tick();        // 1: a local event
 * c.send();        // 2: the stamp to put on a message
 * c.receive(7);    // 8: max(2, 7) + 1
 */
export class LamportClock {
  /** The clock's current value C. */
  time = 0;

  /** IR1 for a local event: C := C + 1. Returns the event's stamp. @example new LamportClock().tick() // 1 */
  tick(): number {
    return ++this.time;
  }

  /** IR1 for a send: C := C + 1, and the message carries C. @example c.send() // the stamp Tm */
  send(): number {
    return ++this.time;
  }

  /**
   * IR2 for a receive of a message stamped `stampTm`: C := max(C, Tm) + 1. Returns the receive
   * event's stamp. Throws on a stamp that is not a non-negative integer.
   *
   * @example
   * new LamportClock().receive(4); // 5
   */
  receive(stampTm: number): number {
    if (!Number.isInteger(stampTm) || stampTm < 0) throw new SimulationError(`LamportClock.receive: stamp must be a non-negative integer, got ${JSON.stringify(stampTm)}`);
    this.time = Math.max(this.time, stampTm) + 1;
    return this.time;
  }
}

/** One event of a clocked node, with its stamp, in the order the node saw them. */
export interface StampedEvent<S> {
  kind: "send" | "receive" | "local";
  stamp: S;
  /** For a send or receive: the message type, and the peer (dest or src). For a local event: its label. */
  label: string;
  peer?: string;
}

/** A node whose messages carry a Lamport stamp in `body.lamport`. */
export interface LamportNode {
  readonly node: Node;
  readonly clock: LamportClock;
  /** Every send, receive and local event of this node through this helper, in order, with its stamp. */
  readonly history: Array<StampedEvent<number>>;
  /** Send `body` to `dest` stamped with C after a tick. Returns the stamp. */
  send(dest: string, body: { type: string; [field: string]: unknown }): number;
  /** Handle messages of `type`: the clock is advanced (IR2) before `handler` runs with the receive stamp. */
  on(type: string, handler: (message: { src: string; body: any }, stamp: number) => unknown): void;
  /** A local event (IR1). Returns its stamp. */
  local(label?: string): number;
}

/**
 * Give `node` a Lamport clock: messages sent through the helper carry `body.lamport`, handlers
 * registered through it merge the stamp first, and `history` keeps each event's stamp (the k-th
 * entry is the node's k-th message event in the trace, which is how tests compare stamps with
 * `happenedBefore`).
 *
 * @example
 * sim.spawn("a", (node) => {
 *   const lc = lamportNode(node);
 *   lc.on("ping", (m, stamp) => lc.send(m.src, { type: "pong" }));
 * });
 */
export function lamportNode(node: Node): LamportNode {
  const clock = new LamportClock();
  const history: Array<StampedEvent<number>> = [];
  return {
    node,
    clock,
    history,
    send(dest, body) {
      const stamp = clock.send();
      history.push({ kind: "send", stamp, label: body.type, peer: dest });
      node.send(dest, { ...body, lamport: stamp });
      return stamp;
    },
    on(type, handler) {
      node.on(type, (m) => {
        const tm = (m.body as { lamport?: unknown }).lamport;
        if (typeof tm !== "number") throw new SimulationError(`lamportNode: message "${type}" from ${m.src} has no numeric body.lamport (got ${JSON.stringify(tm)})`, { node: node.id, timeMs: node.now() });
        const stamp = clock.receive(tm);
        history.push({ kind: "receive", stamp, label: type, peer: m.src });
        return handler(m, stamp);
      });
    },
    local(label = "local") {
      const stamp = clock.tick();
      history.push({ kind: "local", stamp, label });
      return stamp;
    },
  };
}
