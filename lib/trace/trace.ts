import type { DropReason, TraceEvent, TraceEventKind, TraceEventOf } from "./events";
import { DELIVER_KIND, DROP_KIND, DUPLICATE_KIND, TraceStore, type WireCopy } from "./store";
import { EventHash } from "./hash";

export { EventHash, hashEvents } from "./hash";

/**
 * Which events to keep: every field is optional and all given fields must match. The kinds given
 * narrow the type of the result: `{ kinds: ["deliver"] }` keeps `DeliverEvent`s.
 */
export interface TraceFilter<K extends TraceEventKind = TraceEventKind> {
  /** Keep events that involve at least one of these nodes (for messages: src or dest). */
  nodes?: readonly string[];
  /** Keep message events whose `type` is one of these (other kinds pass unless `kinds` excludes them). */
  types?: readonly string[];
  /** Keep only these kinds of event. */
  kinds?: readonly K[];
  /** Keep events at or after this virtual time. */
  fromMs?: number;
  /** Keep events at or before this virtual time. */
  toMs?: number;
}

function involves(e: TraceEvent, nodes: ReadonlySet<string>): boolean {
  if ("src" in e) return nodes.has(e.src) || nodes.has(e.dest);
  if (e.kind === "heal") {
    const healed = e.isolated !== undefined ? [e.isolated] : e.between ?? (e.from !== undefined && e.to !== undefined ? [e.from, e.to] : []);
    return healed.length === 0 || healed.some((n) => nodes.has(n)); // a full heal concerns everyone
  }
  if ("node" in e) return nodes.has(e.node);
  if (e.kind === "partition") return e.groups.some((g) => g.some((n) => nodes.has(n)));
  if (e.kind === "cut") return nodes.has(e.from) || nodes.has(e.to);
  return true; // heal concerns everyone
}

/**
 * Keep the events of a trace that match a filter. With `kinds`, the result has their types.
 *
 * @example
 * filterEvents(sim.trace.events, { nodes: ["a"], types: ["ping"], fromMs: 0, toMs: 100 });
 * filterEvents(sim.trace.events, { kinds: ["drop"] }).map((e) => e.reason); // DropEvent[]
 */
export function filterEvents<K extends TraceEventKind = TraceEventKind>(events: readonly TraceEvent[], filter: TraceFilter<K> = {}): Array<TraceEventOf<K>> {
  const keep = matcher(filter);
  return events.filter(keep) as Array<TraceEventOf<K>>;
}

/** The test `filterEvents` applies, as a function of one event. */
function matcher(filter: TraceFilter<TraceEventKind>): (e: TraceEvent) => boolean {
  const nodes = filter.nodes ? new Set(filter.nodes) : undefined;
  const types = filter.types ? new Set(filter.types) : undefined;
  const kinds = filter.kinds ? new Set<string>(filter.kinds) : undefined;
  const { fromMs, toMs } = filter;
  return (e) => {
    if (fromMs !== undefined && e.timeMs < fromMs) return false;
    if (toMs !== undefined && e.timeMs > toMs) return false;
    if (kinds && !kinds.has(e.kind)) return false;
    if (types && "type" in e && !types.has(e.type)) return false;
    if (nodes && !involves(e, nodes)) return false;
    return true;
  };
}

/** How a trace records. */
export interface TraceOptions {
  /** Record events (default true). Off, nothing is stored: for benchmarks. */
  enabled?: boolean;
  /**
   * Keep only the last this-many events (a ring buffer), for long runs: `events`, `filter` and the
   * exporters see those; `recorded`, `countsByKind()` and `hash()` cover every event. Default: keep all.
   */
  eventsMax?: number;
}

/**
 * The record of one run. The simulator appends to it; exporters (Mermaid diagrams, timeline,
 * statistics) read it. With `enabled: false` nothing is stored (for benchmarks), but counters that
 * the simulator keeps for its own error messages still work. With `eventsMax`, only the last
 * events are kept (see `TraceOptions`).
 *
 * Events are stored compactly (message events as columns, each message body once) and built as
 * objects when read: `events` builds them once and keeps them, `filter` builds only the events
 * whose kind and time match. Treat them as read-only.
 *
 * @example
 * const sim = new Simulation({ seed: 1 });
 * // ... run ...
 * sim.trace.events.length;          // how many things happened
 * sim.trace.hash();                 // "9f2c…": compare two runs
 * sim.trace.filter({ nodes: ["a"] });
 * sim.trace.filter({ kinds: ["deliver"] }).map((e) => e.src); // DeliverEvent[]
 */
export class Trace {
  /** Node ids in the order they were spawned (a stable order for diagrams). */
  readonly nodeOrder: string[] = [];
  /** The seed of the run this trace records (printed by failing tests). */
  readonly seed: number;
  /** When false, `record` stores nothing. */
  enabled: boolean;
  /** The most events kept (Infinity: all). */
  readonly eventsMax: number;
  // Private fields (#) so that nothing outside sees the columns (and freezing a trace never reaches them).
  readonly #store: TraceStore;
  /** The hash of rows [0, #hashed): evicted rows are folded in as they go, the rest when asked. */
  readonly #hash = new EventHash();
  #hashed = 0;
  /** Built events of rows [#cacheFrom, #cacheFrom + #cacheRows). */
  #cache: TraceEvent[] = [];
  #cacheFrom = 0;
  #cacheRows = 0;

  constructor(options: { seed: number } & TraceOptions) {
    this.seed = options.seed;
    this.enabled = options.enabled ?? true;
    const eventsMax = options.eventsMax ?? Infinity;
    if (!(eventsMax >= 1) || (eventsMax !== Infinity && !Number.isInteger(eventsMax))) {
      throw new RangeError(`trace.eventsMax must be a whole number ≥ 1, got ${eventsMax}`);
    }
    this.eventsMax = eventsMax;
    this.#store = new TraceStore(eventsMax);
    if (eventsMax !== Infinity) {
      this.#store.onEvict = (row) => {
        if (row === this.#hashed) {
          this.#store.fold(row, this.#hash);
          this.#hashed++;
        }
      };
    }
  }

  /**
   * The recorded events (the last `eventsMax` of a bounded trace), in processing order. Built on
   * first read and kept; later reads add only what happened since.
   *
   * @example
   * sim.trace.events.filter((e) => e.kind === "log");
   */
  get events(): TraceEvent[] {
    const store = this.#store;
    if (this.#cacheFrom !== store.evicted || this.#cache.length !== this.#cacheRows) {
      this.#cache = [];
      this.#cacheFrom = store.evicted;
      this.#cacheRows = 0;
    }
    const cache = this.#cache;
    for (let r = this.#cacheFrom + this.#cacheRows; r < store.total; r++) cache.push(store.event(r));
    this.#cacheRows = cache.length;
    return cache;
  }

  /** How many events are kept (`events.length`, without building them). @example sim.trace.length */
  get length(): number {
    return this.#store.length;
  }

  /** How many events were recorded in all, the evicted ones of a bounded trace included. @example sim.trace.recorded */
  get recorded(): number {
    return this.#store.total;
  }

  /** How many old events a bounded trace has let go (`recorded - length`). @example sim.trace.evicted */
  get evicted(): number {
    return this.#store.evicted;
  }

  /**
   * Events recorded per kind, all of them (evicted ones included).
   *
   * @example
   * sim.trace.countsByKind(); // { spawn: 2, send: 40, deliver: 38, drop: 2 }
   */
  countsByKind(): Partial<Record<TraceEventKind, number>> {
    return this.#store.countsByKind();
  }

  /** Append an event (the simulator calls this; you rarely need to). @example trace.record({ kind: "heal", timeMs: 5 }) */
  record(event: TraceEvent): void {
    if (this.enabled) this.#store.object(event);
  }

  /**
   * @internal Record a `send` (the simulator's fast path: no event object is made).
   *
   * @example
   * trace.recordSend(0, 1, "a", "b", "ping", 1, undefined, 26, '{"type":"ping","msg_id":1}');
   */
  recordSend(timeMs: number, id: number, src: string, dest: string, type: string, msgId: number | undefined, inReplyTo: number | undefined, bytes: number, json: string): void {
    if (this.enabled) this.#store.send(timeMs, id, src, dest, type, msgId, inReplyTo, bytes, json);
  }

  /** @internal Record the delivery of a copy at `timeMs`. @example trace.recordDeliver(copy, 5) */
  recordDeliver(copy: WireCopy, timeMs: number): void {
    if (this.enabled) this.#store.arrive(DELIVER_KIND, copy, timeMs, undefined);
  }

  /** @internal Record the loss of a copy at `timeMs`. @example trace.recordDrop(copy, 5, "loss") */
  recordDrop(copy: WireCopy, timeMs: number, reason: DropReason): void {
    if (this.enabled) this.#store.arrive(DROP_KIND, copy, timeMs, reason);
  }

  /** @internal Record that the network will deliver a second copy. @example trace.recordDuplicate(copy, 0) */
  recordDuplicate(copy: WireCopy, timeMs: number): void {
    if (this.enabled) this.#store.arrive(DUPLICATE_KIND, copy, timeMs, undefined);
  }

  /**
   * Events matching a filter (see `TraceFilter`); with `kinds`, typed as those kinds. Only events
   * whose kind and time match are built (the objects `events` has built are reused).
   *
   * @example
   * sim.trace.filter({ kinds: ["drop"] }).map((e) => e.reason);            // DropEvent[]
   * sim.trace.filter({ kinds: ["send", "deliver"], nodes: ["a"], toMs: 100 }); // (SendEvent | DeliverEvent)[]
   */
  filter<K extends TraceEventKind = TraceEventKind>(filter: TraceFilter<K> = {}): Array<TraceEventOf<K>> {
    const store = this.#store;
    const keep = matcher(filter);
    if (this.#cacheFrom === store.evicted && this.#cacheRows === store.length && this.#cache.length === this.#cacheRows) {
      return this.#cache.filter(keep) as Array<TraceEventOf<K>>;
    }
    const kinds = filter.kinds ? new Set<string>(filter.kinds) : undefined;
    const { fromMs, toMs } = filter;
    const out: TraceEvent[] = [];
    for (let r = store.evicted; r < store.total; r++) {
      if (fromMs !== undefined || toMs !== undefined) {
        const t = store.timeOf(r);
        if ((fromMs !== undefined && t < fromMs) || (toMs !== undefined && t > toMs)) continue;
      }
      if (kinds && !kinds.has(store.kindOf(r))) continue;
      const cached = r - this.#cacheFrom;
      const e = cached >= 0 && cached < this.#cacheRows ? this.#cache[cached] : store.event(r); // the same object as in `events`, if built
      if (keep(e)) out.push(e);
    }
    return out as Array<TraceEventOf<K>>;
  }

  /**
   * Stable hash of every event recorded, in order (for a bounded trace too: evicted events were
   * folded in as they went), so the same seed gives the same hash. @example sim.trace.hash()
   */
  hash(): string {
    const store = this.#store;
    for (; this.#hashed < store.total; this.#hashed++) store.fold(this.#hashed, this.#hash);
    return this.#hash.digest();
  }
}
