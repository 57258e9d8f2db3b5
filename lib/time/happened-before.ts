// The true happened-before relation of a run, from its trace: Lamport (1978) §2, "→" is the smallest
// relation such that (1) a comes before b on the same process, (2) a is the send and b the receipt
// of one message, (3) it is transitive. Computed here from the simulator's record — sends,
// deliveries and each node's event order — independently of any clock, so that clocks can be
// checked against it: vector clocks must agree exactly (Mattern 1989, Fidge 1988); Lamport clocks
// only satisfy a → b ⇒ C(a) < C(b).
import type { Trace, TraceEvent } from "../trace/index";
import { SimulationError } from "../sim/index";
import { compareVectors, type VectorTimestamp } from "./vector";

/** One event of the happened-before relation. */
export interface HbEvent {
  /** Position in `HappenedBefore.events`. */
  index: number;
  /** Position in the trace's event list. */
  traceIndex: number;
  node: string;
  kind: "send" | "receive" | "local";
  /** This is the node's `indexOnNode`-th event (from 0) among the events kept. */
  indexOnNode: number;
  /** For message events: the wire id, the message type and the peer. For a local event: the log text. */
  messageId?: number;
  label: string;
  peer?: string;
  timeMs: number;
}

/** Options of {@link happenedBefore}. */
export interface HappenedBeforeOptions {
  /** Keep only messages of these types (default: all). */
  types?: readonly string[];
  /** Also count `node.log(…)` lines as local events (default false). */
  includeLogs?: boolean;
}

/** The happened-before relation over a run's events. */
export interface HappenedBefore {
  readonly events: readonly HbEvent[];
  /** The events of one node, in order. */
  eventsOf(node: string): HbEvent[];
  /** a → b (strict: an event does not happen before itself). */
  before(a: number, b: number): boolean;
  /** a ∥ b: different events, neither before the other. */
  concurrent(a: number, b: number): boolean;
}

/**
 * Compute → over a trace's message events (a send at its source, each delivery at its destination,
 * duplicates included; drops are no event). Each event's successors are the next event on its node
 * and, for a send, its deliveries; since the trace is in processing order, one backward pass with
 * bitsets gives the transitive closure (O(n²/32) words for n events).
 *
 * @example
 * const hb = happenedBefore(sim.trace, { types: ["ping", "pong"] });
 * hb.before(0, 1);  // the first event happened before the second?
 */
export function happenedBefore(trace: Trace | readonly TraceEvent[], options: HappenedBeforeOptions = {}): HappenedBefore {
  const all: readonly TraceEvent[] = Array.isArray(trace) ? (trace as readonly TraceEvent[]) : (trace as Trace).events;
  if (!Array.isArray(all)) throw new SimulationError(`happenedBefore: expected a Trace or an array of trace events, got ${typeof trace}`);
  const types = options.types === undefined ? undefined : new Set(options.types);
  const events: HbEvent[] = [];
  const perNode = new Map<string, HbEvent[]>();
  const deliveriesOf = new Map<number, number[]>();
  const add = (e: Omit<HbEvent, "index" | "indexOnNode">): HbEvent => {
    let mine = perNode.get(e.node);
    if (mine === undefined) perNode.set(e.node, (mine = []));
    const full: HbEvent = { ...e, index: events.length, indexOnNode: mine.length };
    events.push(full);
    mine.push(full);
    return full;
  };
  all.forEach((e, traceIndex) => {
    if (e.kind === "send" || e.kind === "deliver") {
      if (types !== undefined && !types.has(e.type)) return;
      if (e.kind === "send") {
        add({ traceIndex, node: e.src, kind: "send", messageId: e.id, label: e.type, peer: e.dest, timeMs: e.timeMs });
      } else {
        const d = add({ traceIndex, node: e.dest, kind: "receive", messageId: e.id, label: e.type, peer: e.src, timeMs: e.timeMs });
        const list = deliveriesOf.get(e.id);
        if (list === undefined) deliveriesOf.set(e.id, [d.index]);
        else list.push(d.index);
      }
    } else if (e.kind === "log" && options.includeLogs === true) {
      add({ traceIndex, node: e.node, kind: "local", label: e.text, timeMs: e.timeMs });
    }
  });

  const n = events.length;
  const words = Math.ceil(n / 32);
  const reach = new Uint32Array(n * words); // row a: the events b with a → b
  const nextOnNode = new Int32Array(n).fill(-1);
  for (const mine of perNode.values()) for (let i = 0; i + 1 < mine.length; i++) nextOnNode[mine[i].index] = mine[i + 1].index;
  const union = (into: number, from: number): void => {
    reach[into * words + (from >>> 5)] |= 1 << (from & 31);
    for (let w = 0; w < words; w++) reach[into * words + w] |= reach[from * words + w];
  };
  for (let a = n - 1; a >= 0; a--) {
    const next = nextOnNode[a];
    if (next >= 0) union(a, next);
    const e = events[a];
    if (e.kind === "send") for (const d of deliveriesOf.get(e.messageId as number) ?? []) union(a, d);
  }
  const check = (i: number, name: string): void => {
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new SimulationError(`happenedBefore: ${name} must be an event index in 0..${n - 1}, got ${JSON.stringify(i)}`);
  };
  const before = (a: number, b: number): boolean => {
    check(a, "a");
    check(b, "b");
    return (reach[a * words + (b >>> 5)] & (1 << (b & 31))) !== 0;
  };
  return {
    events,
    eventsOf: (node) => [...(perNode.get(node) ?? [])],
    before,
    concurrent: (a, b) => a !== b && !before(a, b) && !before(b, a),
  };
}

/** A pair of events on which a clock and happened-before disagree. */
export interface OrderMismatch<S> {
  a: HbEvent;
  b: HbEvent;
  stampA: S;
  stampB: S;
  /** What the true relation says: a → b, b → a, or a ∥ b. */
  truth: "before" | "after" | "concurrent";
  /** What the stamps say. */
  stamps: string;
}

/**
 * Check vector stamps against → on every pair of events: `stampOf(e)` gives the stamp the node
 * recorded for event e (e.g. `histories.get(e.node)[e.indexOnNode].stamp`). Vector clocks are
 * correct iff this returns no mismatch: V(a) < V(b) ⇔ a → b, and incomparable ⇔ a ∥ b.
 *
 * @example
 * const bad = checkVectorOrder(hb, (e) => vc.get(e.node)!.history[e.indexOnNode].stamp);
 * bad.length; // 0
 */
export function checkVectorOrder(hb: HappenedBefore, stampOf: (e: HbEvent) => VectorTimestamp): Array<OrderMismatch<VectorTimestamp>> {
  const out: Array<OrderMismatch<VectorTimestamp>> = [];
  const stamps = hb.events.map((e) => stampOf(e));
  for (let a = 0; a < stamps.length; a++) {
    for (let b = a + 1; b < stamps.length; b++) {
      const truth = hb.before(a, b) ? "before" : hb.before(b, a) ? "after" : "concurrent";
      const order = compareVectors(stamps[a], stamps[b]);
      if (order !== truth) out.push({ a: hb.events[a], b: hb.events[b], stampA: stamps[a], stampB: stamps[b], truth, stamps: order });
    }
  }
  return out;
}

/** What Lamport stamps say about a run, checked against →. */
export interface LamportCheck {
  /** Pairs with a → b but C(a) ≥ C(b): violations of the clock condition (a correct clock has none). */
  violations: Array<OrderMismatch<number>>;
  /** Pairs with C(a) < C(b) but not a → b: the converse failing (a ∥ b). Normal; the first `keep`, in event order. */
  counterexamples: Array<OrderMismatch<number>>;
  /** How many such counterexample pairs there are in all. */
  counterexampleCount: number;
  /** Pairs of distinct events in all. */
  pairs: number;
}

/**
 * Check Lamport stamps against →: the clock condition (a → b ⇒ C(a) < C(b)) must hold on every
 * pair, and the converse typically fails — a counterexample is a pair with C(a) < C(b) although
 * a ∥ b. Keeps the first `keep` counterexamples (default 5).
 *
 * @example
 * const { violations, counterexamples } = checkLamportOrder(hb, (e) => lc.get(e.node)!.history[e.indexOnNode].stamp);
 * violations.length;       // 0
 * counterexamples[0];      // e.g. C(a)=1 < C(b)=3 but a ∥ b
 */
export function checkLamportOrder(hb: HappenedBefore, stampOf: (e: HbEvent) => number, keep = 5): LamportCheck {
  const result: LamportCheck = { violations: [], counterexamples: [], counterexampleCount: 0, pairs: 0 };
  const stamps = hb.events.map((e) => stampOf(e));
  for (let a = 0; a < stamps.length; a++) {
    for (let b = 0; b < stamps.length; b++) {
      if (a === b) continue;
      if (a < b) result.pairs++;
      const ab = hb.before(a, b);
      const mismatch = (truth: OrderMismatch<number>["truth"]): OrderMismatch<number> => ({ a: hb.events[a], b: hb.events[b], stampA: stamps[a], stampB: stamps[b], truth, stamps: `C(a)=${stamps[a]}, C(b)=${stamps[b]}` });
      if (ab && !(stamps[a] < stamps[b])) result.violations.push(mismatch("before"));
      if (!ab && stamps[a] < stamps[b] && !hb.before(b, a)) {
        result.counterexampleCount++;
        if (result.counterexamples.length < keep) result.counterexamples.push(mismatch("concurrent"));
      }
    }
  }
  return result;
}
