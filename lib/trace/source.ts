/**
 * What the exporters read: a whole {@link Trace} (events plus the spawn order of its nodes) or a
 * plain list of events (for instance the result of `filterEvents`).
 */
import type { TraceEvent } from "./events";
import type { Trace } from "./trace";

/** A trace, or just its events. */
export type TraceSource = Trace | readonly TraceEvent[];

/**
 * The events of a source.
 *
 * @example
 * eventsOf(sim.trace).length === sim.trace.events.length; // true
 * eventsOf([]);                                          // []
 */
export function eventsOf(source: TraceSource): readonly TraceEvent[] {
  return isEventList(source) ? source : source.events;
}

/**
 * Every node named in a source, in a stable order: the trace's spawn order (`nodeOrder`), then
 * `spawn` events, then any other node in order of first appearance.
 *
 * @example
 * nodesOf([{ kind: "spawn", timeMs: 0, node: "b", role: "echo" }]); // ["b"]
 */
export function nodesOf(source: TraceSource): string[] {
  const seen = new Set<string>(isEventList(source) ? [] : source.nodeOrder);
  const events = eventsOf(source);
  for (const e of events) if (e.kind === "spawn") seen.add(e.node);
  for (const e of events) for (const n of nodesIn(e)) seen.add(n);
  return [...seen];
}

/**
 * The nodes an event concerns: `src` and `dest` of a message, the `node` of a node event, every
 * node of a partition, both ends of a cut; none for a full `heal` (a partial one names its nodes).
 *
 * @example
 * nodesIn({ kind: "cut", timeMs: 5, from: "a", to: "b" }); // ["a", "b"]
 */
export function nodesIn(e: TraceEvent): string[] {
  switch (e.kind) {
    case "send":
    case "deliver":
    case "drop":
    case "duplicate":
    case "delay":
    case "unhandled":
      return [e.src, e.dest];
    case "rpc":
      return [e.node, e.dest];
    case "partition":
      return e.groups.flat();
    case "cut":
      return [e.from, e.to];
    case "heal": // a partial heal concerns its nodes; a full one, everyone
      if (e.isolated !== undefined) return [e.isolated];
      if (e.between !== undefined) return [...e.between];
      return e.from !== undefined && e.to !== undefined ? [e.from, e.to] : [];
    default:
      return [e.node];
  }
}

function isEventList(source: TraceSource): source is readonly TraceEvent[] {
  return Array.isArray(source);
}
