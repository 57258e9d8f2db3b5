// Vector clocks: C. Fidge, "Timestamps in Message-Passing Systems That Preserve the Partial
// Ordering" (1988); F. Mattern, "Virtual Time and Global States of Distributed Systems" (1989), §4.
//
//   on each local event or send, p_i increments V[i]; a message carries V;
//   on receive of V_m, p_i sets V := max(V, V_m) and then increments V[i].
//
// Then a → b iff V(a) < V(b) (every entry ≤, at least one <), and a ∥ b iff neither is below the
// other: vector clocks characterise happened-before exactly, which Lamport clocks do not.
import type { Node } from "../node/index";
import { SimulationError } from "../sim/index";
import type { StampedEvent } from "./lamport";

/** A vector timestamp, keyed by node id; a missing entry is 0. */
export type VectorTimestamp = Readonly<Record<string, number>>;

/** How two vector timestamps relate. */
export type VectorOrder = "before" | "after" | "equal" | "concurrent";

/**
 * Compare two vector timestamps (Mattern 1989, Def. 4): `"before"` when a < b (a → b), `"after"`
 * when b < a, `"equal"`, or `"concurrent"` (a ∥ b).
 *
 * @example
 * compareVectors({ a: 1 }, { a: 1, b: 1 });       // "before"
 * compareVectors({ a: 2 }, { a: 1, b: 1 });       // "concurrent"
 */
export function compareVectors(a: VectorTimestamp, b: VectorTimestamp): VectorOrder {
  let less = false;
  let greater = false;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[key] ?? 0;
    const y = b[key] ?? 0;
    if (x < y) less = true;
    else if (x > y) greater = true;
  }
  if (less && greater) return "concurrent";
  if (less) return "before";
  if (greater) return "after";
  return "equal";
}

/**
 * The entry-wise maximum of two vector timestamps.
 *
 * @example
 * mergeVectors({ a: 2, b: 0 }, { b: 3 }); // { a: 2, b: 3 }
 */
export function mergeVectors(a: VectorTimestamp, b: VectorTimestamp): Record<string, number> {
  const out: Record<string, number> = { ...a };
  for (const [key, value] of Object.entries(b)) out[key] = Math.max(out[key] ?? 0, value);
  return out;
}

/**
 * The vector clock of process `self` (Fidge 1988; Mattern 1989 §4).
 *
 * @example
 * const v = new VectorClock("a");
 * v.tick();                 // { a: 1 }
 * v.receive({ b: 3 });      // { a: 2, b: 3 }
 */
export class VectorClock {
  private entries: Record<string, number> = {};

  constructor(readonly self: string) {
    if (typeof self !== "string" || self === "") throw new SimulationError(`VectorClock: self must be a node id, got ${JSON.stringify(self)}`);
  }

  /** A copy of the current timestamp. @example v.read() // { a: 2, b: 3 } */
  read(): Record<string, number> {
    return { ...this.entries };
  }

  /** A local event or a send: V[self] += 1. Returns a copy. @example v.tick() */
  tick(): Record<string, number> {
    this.entries[this.self] = (this.entries[this.self] ?? 0) + 1;
    return this.read();
  }

  /**
   * A receive of a message stamped `stamp`: V := max(V, stamp), then V[self] += 1. Returns a copy.
   * Throws on a stamp whose entries are not non-negative integers.
   *
   * @example
   * new VectorClock("a").receive({ b: 1 }); // { a: 1, b: 1 }
   */
  receive(stamp: VectorTimestamp): Record<string, number> {
    checkVector(stamp, `VectorClock(${this.self}).receive`);
    this.entries = mergeVectors(this.entries, stamp);
    return this.tick();
  }
}

/**
 * Throw unless `stamp` is an object of non-negative integers.
 *
 * @example
 * checkVector({ a: 1 }, "receive"); // ok
 */
export function checkVector(stamp: unknown, where: string, context: { node?: string; timeMs?: number } = {}): asserts stamp is VectorTimestamp {
  if (stamp === null || typeof stamp !== "object" || Array.isArray(stamp)) throw new SimulationError(`${where}: a vector timestamp must be an object such as { a: 1, b: 0 }, got ${JSON.stringify(stamp)}`, context);
  for (const [key, value] of Object.entries(stamp)) {
    if (!Number.isInteger(value) || (value as number) < 0) throw new SimulationError(`${where}: entry ${key} of a vector timestamp must be a non-negative integer, got ${JSON.stringify(value)}`, context);
  }
}

/** A node whose messages carry a vector timestamp in `body.vc`. */
export interface VectorNode {
  readonly node: Node;
  readonly clock: VectorClock;
  /** Every send, receive and local event of this node through this helper, in order, with its stamp. */
  readonly history: Array<StampedEvent<VectorTimestamp>>;
  /** Tick, then send `body` to `dest` with `body.vc`. Returns the send's stamp. */
  send(dest: string, body: { type: string; [field: string]: unknown }): VectorTimestamp;
  /** Handle messages of `type`: merge and tick before `handler` runs with the receive stamp. */
  on(type: string, handler: (message: { src: string; body: any }, stamp: VectorTimestamp) => unknown): void;
  /** A local event: tick. Returns its stamp. */
  local(label?: string): VectorTimestamp;
}

/**
 * Give `node` a vector clock: messages sent through the helper carry `body.vc`, handlers
 * registered through it merge first, and `history` keeps each event's stamp (the k-th entry is the
 * node's k-th message event in the trace, for comparison with `happenedBefore`).
 *
 * @example
 * sim.spawn("b", (node) => {
 *   const vc = vectorNode(node);
 *   vc.on("ping", (m) => vc.send(m.src, { type: "pong" }));
 * });
 */
export function vectorNode(node: Node): VectorNode {
  const clock = new VectorClock(node.id);
  const history: Array<StampedEvent<VectorTimestamp>> = [];
  return {
    node,
    clock,
    history,
    send(dest, body) {
      const stamp = clock.tick();
      history.push({ kind: "send", stamp, label: body.type, peer: dest });
      node.send(dest, { ...body, vc: stamp });
      return stamp;
    },
    on(type, handler) {
      node.on(type, (m) => {
        const vm = (m.body as { vc?: unknown }).vc;
        checkVector(vm, `vectorNode: message "${type}" from ${m.src}: body.vc`, { node: node.id, timeMs: node.now() });
        const stamp = clock.receive(vm);
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
