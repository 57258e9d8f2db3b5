/**
 * The state machine a role actually went through, recovered from the `state` events of a run and
 * drawn as a Mermaid `stateDiagram-v2`: each observed transition once, labelled with its causes
 * and how often each happened (`follower --> candidate: election timeout (×3)`).
 *
 * Optionally crashes and restarts appear as a `crashed` pseudo-state: `leader --> crashed: crash`,
 * then `crashed --> follower: restart` when the node comes back.
 */
import type { TraceEvent } from "./events";
import { MermaidIds, escapeMermaidText, mermaidLabel } from "./mermaid-escape";
import { eventsOf, type TraceSource } from "./source";

/** Options of {@link stateGraph} and {@link toStateDiagram}. */
export interface StateDiagramOptions {
  /** Which state machine (the `role` of the state events). May be left out if there is only one. */
  role?: string;
  /** Only these nodes' transitions. */
  nodes?: readonly string[];
  /** Add a `crashed` pseudo-state entered on crash and left on restart (default false). */
  showCrashes?: boolean;
}

/** One cause of a transition and how many times it was observed. */
export interface TransitionCause {
  /** `undefined` when the node gave no cause. */
  cause: string | undefined;
  count: number;
}

/** One observed transition; `from` undefined means the initial pseudo-state `[*]`. */
export interface StateTransition {
  from: string | undefined;
  to: string;
  /** Causes in order of first appearance. */
  causes: TransitionCause[];
  /** Total observations. */
  count: number;
}

/** The observed graph of a role: states in order of first appearance and transitions. */
export interface StateGraph {
  role: string;
  states: string[];
  transitions: StateTransition[];
}

/** Name of the pseudo-state used for crashes (`showCrashes`). */
export const CRASHED_STATE = "crashed";

/** Key of the crashed pseudo-state: a string no node could use as a state name collides with. */
const CRASHED_KEY = "\u0000crashed";

/**
 * The roles that declared states in a trace, in order of first appearance.
 *
 * @example
 * stateRoles(sim.trace); // ["raft", "client"]
 */
export function stateRoles(source: TraceSource): string[] {
  const roles = new Set<string>();
  for (const e of eventsOf(source)) if (e.kind === "state") roles.add(e.role);
  return [...roles];
}

/**
 * The states and transitions a role went through, as data. The crashed pseudo-state (with
 * `showCrashes`) is named {@link CRASHED_STATE}.
 *
 * @example
 * const g = stateGraph(sim.trace, { role: "raft" });
 * g.transitions.find((t) => t.from === "follower" && t.to === "candidate")?.count; // 3
 */
export function stateGraph(source: TraceSource, options: StateDiagramOptions = {}): StateGraph {
  const graph = observe(eventsOf(source), options);
  const name = (s: string): string => (s === CRASHED_KEY ? CRASHED_STATE : s);
  return {
    role: graph.role,
    states: [...new Set(graph.states.map(name))],
    transitions: graph.transitions.map((t) => ({
      from: t.from === undefined ? undefined : name(t.from),
      to: name(t.to),
      causes: t.causes.map((c) => ({ ...c })),
      count: t.count,
    })),
  };
}

/**
 * Draw the observed state machine of a role as a Mermaid `stateDiagram-v2`. States whose names
 * are not plain identifiers get a generated id and a quoted label (`state "a b" as s0`).
 *
 * @example
 * toStateDiagram(sim.trace, { role: "raft", showCrashes: true });
 * // stateDiagram-v2
 * //   [*] --> follower: ×5
 * //   follower --> candidate: election timeout (×3)
 * //   candidate --> leader: won election (×2)
 * //   leader --> s0: crash
 */
export function toStateDiagram(source: TraceSource, options: StateDiagramOptions = {}): string {
  const graph = observe(eventsOf(source), options);
  const ids = new MermaidIds("s");
  const lines = ["stateDiagram-v2"];
  if (graph.states.includes(CRASHED_KEY)) lines.push("  classDef crashedState fill:#fdd,stroke:#c33");
  for (const state of graph.states) {
    const id = ids.idFor(state);
    if (state === CRASHED_KEY) lines.push(`  state "${CRASHED_STATE}" as ${id}`, `  class ${id} crashedState`);
    else if (ids.needsLabel(state)) lines.push(`  state "${mermaidLabel(state, { markdown: true })}" as ${id}`);
  }
  for (const t of graph.transitions) {
    const from = t.from === undefined ? "[*]" : ids.idFor(t.from);
    const label = causesLabel(t.causes);
    lines.push(`  ${from} --> ${ids.idFor(t.to)}${label === "" ? "" : `: ${label}`}`);
  }
  return lines.join("\n");
}

/** The graph with the crashed pseudo-state under {@link CRASHED_KEY}. */
function observe(events: readonly TraceEvent[], options: StateDiagramOptions): StateGraph {
  const role = pickRole(events, options.role);
  const nodes = options.nodes ? new Set(options.nodes) : undefined;
  const states = new Set<string>();
  const transitions = new Map<string, StateTransition>();
  const current = new Map<string, string>();
  const crashed = new Set<string>();

  const add = (from: string | undefined, to: string, cause: string | undefined): void => {
    if (from !== undefined) states.add(from);
    states.add(to);
    const key = JSON.stringify([from ?? null, to]);
    let t = transitions.get(key);
    if (t === undefined) transitions.set(key, (t = { from, to, causes: [], count: 0 }));
    t.count++;
    const c = t.causes.find((x) => x.cause === cause);
    if (c) c.count++;
    else t.causes.push({ cause, count: 1 });
  };

  for (const e of events) {
    if (e.kind === "state") {
      if (e.role !== role || (nodes && !nodes.has(e.node))) continue;
      if (e.from === undefined && crashed.delete(e.node)) add(CRASHED_KEY, e.to, "restart");
      else add(e.from, e.to, e.cause);
      current.set(e.node, e.to);
    } else if (e.kind === "crash" && options.showCrashes) {
      const before = current.get(e.node);
      if (before === undefined || crashed.has(e.node)) continue;
      add(before, CRASHED_KEY, "crash");
      current.delete(e.node);
      crashed.add(e.node);
    }
  }
  return { role, states: [...states], transitions: [...transitions.values()] };
}

/** The role asked for, or the only role present. */
function pickRole(events: readonly TraceEvent[], role: string | undefined): string {
  if (role !== undefined) return role;
  const roles = stateRoles(events);
  if (roles.length === 1) return roles[0];
  throw new RangeError(
    roles.length === 0
      ? "toStateDiagram: the trace has no state events (call node.setState(...) in your node)"
      : `toStateDiagram: several roles have states (${roles.join(", ")}); pass { role }`,
  );
}

/** A transition lists at most this many causes; past it, the first ones and a count of the others. */
const CAUSES_SHOWN_MAX = 4;

/** Causes longer than this are cut with `…`. */
const CAUSE_CHARS_MAX = 60;

/**
 * `election timeout (×3) / higher term`; empty when the only cause is unknown and seen once. Many
 * different causes (`term 1`, `term 2`, …) become `term 1 / term 2 / term 3 / 997 other causes (×1200)`,
 * so that the diagram stays far below Mermaid's 50 000 characters.
 */
function causesLabel(causes: readonly TransitionCause[]): string {
  const shown = causes.length > CAUSES_SHOWN_MAX ? causes.slice(0, CAUSES_SHOWN_MAX - 1) : causes;
  const parts = shown
    .map(({ cause, count }) => {
      const times = count > 1 ? `×${count}` : "";
      if (cause === undefined) return times;
      const chars = Array.from(cause);
      const text = chars.length > CAUSE_CHARS_MAX ? `${chars.slice(0, CAUSE_CHARS_MAX - 1).join("")}…` : cause;
      return escapeMermaidText(text).trim() + (times ? ` (${times})` : "");
    })
    .filter((s) => s !== "");
  const others = causes.slice(shown.length);
  if (others.length > 0) parts.push(`${others.length} other causes (×${others.reduce((n, c) => n + c.count, 0)})`);
  return parts.join(" / ");
}
