/**
 * Which message leads to which: a Mermaid `flowchart LR` with one vertex per message type.
 *
 * - Reply edges (solid): request type → reply type, found through `in_reply_to`: a reply from `b`
 *   to `a` with `in_reply_to = k` answers the request `a` sent to `b` with `msg_id = k`.
 * - Causal edges (dotted, option `causal`): "a handler for X sent Y": a node sent Y at the same
 *   virtual time as the last message X delivered to it (or the last timer that fired on it, shown
 *   as a rounded `timer …` vertex). A reply to the very message delivered is not repeated as a
 *   causal edge.
 *
 * Each edge carries how often it was observed; each vertex how many messages of the type were sent.
 */
import type { MessageRef, SendEvent } from "./events";
import { filterEvents } from "./trace";
import { MermaidIds, mermaidLabel } from "./mermaid-escape";
import { timerLabel } from "./describe";
import { eventsOf, type TraceSource } from "./source";

/** Options of {@link messageFlow} and {@link toMessageFlowGraph}. */
export interface MessageFlowOptions {
  /** Only messages sent or received by these nodes. */
  nodes?: readonly string[];
  /** Only these message types. */
  types?: readonly string[];
  /** Only events in this virtual-time window. */
  fromMs?: number;
  toMs?: number;
  /** Add "delivered X, then the handler sent Y" edges (default false). */
  causal?: boolean;
  /** Layout direction (default "LR"). */
  direction?: "LR" | "RL" | "TB" | "BT";
}

/** A vertex: a message type (with how many were sent), or a timer name that caused sends. */
export interface MessageFlowVertex {
  kind: "type" | "timer";
  name: string;
  /** Messages of this type sent (0 for timers). */
  sent: number;
}

/**
 * One edge: `reply` (request type → reply type), `causal` (delivered type → type its handler
 * sent) or `timer` (timer name → type sent when it fired).
 */
export interface MessageFlowEdge {
  kind: "reply" | "causal" | "timer";
  from: string;
  to: string;
  count: number;
}

/** Message types and timers, and the edges between them, in order of first appearance. */
export interface MessageFlow {
  vertices: MessageFlowVertex[];
  edges: MessageFlowEdge[];
}

/**
 * The message-flow graph as data.
 *
 * @example
 * messageFlow(sim.trace).edges; // [{ from: "read", to: "read_ok", kind: "reply", count: 12 }]
 */
export function messageFlow(source: TraceSource, options: MessageFlowOptions = {}): MessageFlow {
  const { nodes, types, fromMs, toMs } = options;
  const events = filterEvents(eventsOf(source), { nodes, types, fromMs, toMs });
  const vertices = new Map<string, MessageFlowVertex>();
  const edges = new Map<string, MessageFlowEdge>();
  const vertex = (kind: MessageFlowVertex["kind"], name: string): MessageFlowVertex => {
    const key = vertexKey(kind, name);
    let v = vertices.get(key);
    if (v === undefined) vertices.set(key, (v = { kind, name, sent: 0 }));
    return v;
  };
  const edge = (kind: MessageFlowEdge["kind"], from: string, to: string): void => {
    vertex(kind === "timer" ? "timer" : "type", from);
    vertex("type", to);
    const key = JSON.stringify([kind, from, to]);
    const e = edges.get(key);
    if (e) e.count++;
    else edges.set(key, { from, to, kind, count: 1 });
  };

  const requests = new Map<string, SendEvent>(); // requester, responder, msg_id → request
  // node → what last ran on it: a delivered message or a timer
  const trigger = new Map<string, { timeMs: number; name: string; message?: MessageRef }>();
  for (const e of events) {
    if (e.kind === "deliver") {
      trigger.set(e.dest, { timeMs: e.timeMs, name: e.type, message: e });
    } else if (e.kind === "timer") {
      trigger.set(e.node, { timeMs: e.timeMs, name: e.name });
    } else if (e.kind === "send") {
      vertex("type", e.type).sent++;
      if (e.msgId !== undefined) requests.set(pairKey(e.src, e.dest, e.msgId), e);
      const request = e.inReplyTo === undefined ? undefined : requests.get(pairKey(e.dest, e.src, e.inReplyTo));
      if (request) edge("reply", request.type, e.type);
      const cause = options.causal ? trigger.get(e.src) : undefined;
      if (cause && cause.timeMs === e.timeMs && !answers(e, cause.message)) {
        edge(cause.message ? "causal" : "timer", cause.name, e.type);
      }
    }
  }
  return { vertices: [...vertices.values()], edges: [...edges.values()] };
}

/**
 * Draw which message types lead to which as a Mermaid `flowchart`.
 *
 * @example
 * toMessageFlowGraph(sim.trace, { causal: true });
 * // flowchart LR
 * //   read["read ×12"]
 * //   read_ok["read_ok ×12"]
 * //   read -->|"×12"| read_ok
 */
export function toMessageFlowGraph(source: TraceSource, options: MessageFlowOptions = {}): string {
  const flow = messageFlow(source, options);
  const ids = new MermaidIds("t");
  const lines = [`flowchart ${options.direction ?? "LR"}`];
  const idOf = (kind: MessageFlowVertex["kind"], name: string): string => ids.idFor(vertexKey(kind, name));
  for (const v of flow.vertices) {
    const id = idOf(v.kind, v.name);
    lines.push(
      v.kind === "timer"
        ? `  ${id}(["${mermaidLabel(timerLabel(v.name))}"])`
        : `  ${id}["${mermaidLabel(`${v.name} ×${v.sent}`)}"]`,
    );
  }
  for (const e of flow.edges) {
    const from = idOf(e.kind === "timer" ? "timer" : "type", e.from);
    const arrow = e.kind === "reply" ? "-->" : "-.->";
    lines.push(`  ${from} ${arrow}|"×${e.count}"| ${idOf("type", e.to)}`);
  }
  return lines.join("\n");
}

/** Message types keep their own name as key (so plain names stay readable ids); timers don't. */
function vertexKey(kind: MessageFlowVertex["kind"], name: string): string {
  return kind === "type" ? name : `\u0000timer:${name}`;
}

function pairKey(src: string, dest: string, msgId: number): string {
  return JSON.stringify([src, dest, msgId]);
}

/** True when `send` is a reply to `delivered` (already drawn as a reply edge). */
function answers(send: SendEvent, delivered: MessageRef | undefined): boolean {
  return delivered !== undefined && send.inReplyTo !== undefined && send.inReplyTo === delivered.msgId && send.dest === delivered.src;
}
