import type { TraceEvent, TraceEventKind } from "./events";

/** Which events to keep: every field is optional and all given fields must match. */
export interface TraceFilter {
  /** Keep events that involve at least one of these nodes (for messages: src or dest). */
  nodes?: readonly string[];
  /** Keep message events whose `type` is one of these (other kinds pass unless `kinds` excludes them). */
  types?: readonly string[];
  /** Keep only these kinds of event. */
  kinds?: readonly TraceEventKind[];
  /** Keep events at or after this virtual time. */
  fromMs?: number;
  /** Keep events at or before this virtual time. */
  toMs?: number;
}

function involves(e: TraceEvent, nodes: ReadonlySet<string>): boolean {
  if ("src" in e) return nodes.has(e.src) || nodes.has(e.dest);
  if ("node" in e) return nodes.has(e.node);
  if (e.kind === "partition") return e.groups.some((g) => g.some((n) => nodes.has(n)));
  if (e.kind === "cut") return nodes.has(e.from) || nodes.has(e.to);
  return true; // heal concerns everyone
}

/**
 * Keep the events of a trace that match a filter.
 *
 * @example
 * filterEvents(sim.trace.events, { nodes: ["a"], types: ["ping"], fromMs: 0, toMs: 100 });
 */
export function filterEvents(events: readonly TraceEvent[], filter: TraceFilter = {}): TraceEvent[] {
  const nodes = filter.nodes ? new Set(filter.nodes) : undefined;
  const types = filter.types ? new Set(filter.types) : undefined;
  const kinds = filter.kinds ? new Set<string>(filter.kinds) : undefined;
  return events.filter((e) => {
    if (filter.fromMs !== undefined && e.timeMs < filter.fromMs) return false;
    if (filter.toMs !== undefined && e.timeMs > filter.toMs) return false;
    if (kinds && !kinds.has(e.kind)) return false;
    if (types && "type" in e && !types.has(e.type)) return false;
    if (nodes && !involves(e, nodes)) return false;
    return true;
  });
}

/**
 * A stable 64-bit hash (two 32-bit lanes, hex) of a list of trace events. Equal traces give equal
 * hashes on every machine and process; use it to check that a seed replays a run exactly.
 *
 * @example
 * hashEvents(simA.trace.events) === hashEvents(simB.trace.events); // same seed, same program ⇒ true
 */
export function hashEvents(events: readonly TraceEvent[]): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (const e of events) {
    const s = JSON.stringify(e);
    for (let i = 0; i < s.length; i++) {
      const ch = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    h1 = Math.imul(h1 ^ 10, 2654435761); // event separator
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h2 >>> 0).toString(16).padStart(8, "0") + (h1 >>> 0).toString(16).padStart(8, "0");
}

/**
 * The record of one run. The simulator appends to it; exporters (Mermaid diagrams, timeline,
 * statistics) read it. With `enabled: false` nothing is stored (for benchmarks), but counters that
 * the simulator keeps for its own error messages still work.
 *
 * @example
 * const sim = new Simulation({ seed: 1 });
 * // ... run ...
 * sim.trace.events.length;          // how many things happened
 * sim.trace.hash();                 // "9f2c…": compare two runs
 * sim.trace.filter({ nodes: ["a"] });
 */
export class Trace {
  /** Every recorded event, in processing order. */
  readonly events: TraceEvent[] = [];
  /** Node ids in the order they were spawned (a stable order for diagrams). */
  readonly nodeOrder: string[] = [];
  /** The seed of the run this trace records (printed by failing tests). */
  readonly seed: number;
  /** When false, `record` stores nothing. */
  enabled: boolean;

  constructor(options: { seed: number; enabled?: boolean }) {
    this.seed = options.seed;
    this.enabled = options.enabled ?? true;
  }

  /** Append an event (the simulator calls this; you rarely need to). */
  record(event: TraceEvent): void {
    if (this.enabled) this.events.push(event);
  }

  /** Events matching a filter. @example sim.trace.filter({ kinds: ["drop"] }) */
  filter(filter: TraceFilter = {}): TraceEvent[] {
    return filterEvents(this.events, filter);
  }

  /** Stable hash of all events. @example sim.trace.hash() */
  hash(): string {
    return hashEvents(this.events);
  }
}
