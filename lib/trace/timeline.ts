/**
 * A trace as terminal text, one line per event:
 *
 *     t=   12.0ms  a → b  ping #3 delivered (+2ms)
 *     t=   15.0ms  b      crashed
 *
 * Colour comes from a chalk 5 `Chalk` instance with an explicit level, so the output depends only
 * on the `color` option, never on the terminal or the environment.
 */
import { Chalk, type ChalkInstance } from "chalk";
import type { DeliverEvent, TraceEvent, TraceEventKind } from "./events";
import { filterEvents } from "./trace";
import { describeEvent, dropCause, messageLabel } from "./describe";
import { formatMs } from "../sim/errors";
import { eventsOf, type TraceSource } from "./source";

/** Options of {@link formatTimeline}; all optional. */
export interface TimelineOptions {
  /** ANSI colours, one per kind of event (default false: plain text). */
  color?: boolean;
  /** Only events involving these nodes. */
  nodes?: readonly string[];
  /** Only messages of these types. */
  types?: readonly string[];
  /** Only these kinds of event (default: all). */
  kinds?: readonly TraceEventKind[];
  /** Only events in this virtual-time window. */
  fromMs?: number;
  toMs?: number;
  /** Print at most this many lines (default: all); a last line counts the rest. */
  maxLines?: number;
}

type Paint = (chalk: ChalkInstance, text: string) => string;

/** How each kind of event is coloured. */
const PAINT: Record<TraceEventKind, Paint> = {
  send: (c, t) => c.dim(t),
  deliver: (c, t) => c.green(t),
  drop: (c, t) => c.red(t),
  duplicate: (c, t) => c.yellow(t),
  delay: (c, t) => c.yellow(t),
  unhandled: (c, t) => c.red(t),
  timer: (c, t) => c.blue(t),
  rpc: (c, t) => c.cyan(t),
  crash: (c, t) => c.bold.red(t),
  restart: (c, t) => c.bold.green(t),
  spawn: (c, t) => c.dim(t),
  leave: (c, t) => c.bold.magenta(t),
  partition: (c, t) => c.magenta(t),
  cut: (c, t) => c.magenta(t),
  isolate: (c, t) => c.magenta(t),
  heal: (c, t) => c.magenta(t),
  state: (c, t) => c.yellow(t),
  log: (c, t) => c.gray(t),
  error: (c, t) => c.bold.red(t),
  clock: (c, t) => c.cyan(t),
  queue: (c, t) => c.gray(t),
};

/**
 * Format events as an aligned timeline, one line per event.
 *
 * @example
 * console.log(formatTimeline(sim.trace, { nodes: ["a"], kinds: ["deliver", "drop"], maxLines: 20 }));
 * // t=    1.0ms  a → b  ping #1 delivered (+1ms)
 * // t=    2.0ms  b → a  pong #1 ↩1 dropped (partition)
 */
export function formatTimeline(source: TraceSource, options: TimelineOptions = {}): string {
  const { nodes, types, kinds, fromMs, toMs } = options;
  const events = filterEvents(eventsOf(source), { nodes, types, kinds, fromMs, toMs });
  const shown = options.maxLines === undefined ? events : events.slice(0, Math.max(0, options.maxLines));
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  let timeWidth = 7;
  let nodeWidth = 1;
  let pairs = false; // some line shows `a → b`: the node column is two names wide
  for (const e of shown) {
    timeWidth = Math.max(timeWidth, e.timeMs.toFixed(1).length);
    const names = columnNodes(e);
    pairs ||= names.length === 2;
    for (const n of names) nodeWidth = Math.max(nodeWidth, printable(n).length);
  }
  const column = { width: nodeWidth, total: pairs ? 2 * nodeWidth + 3 : nodeWidth };
  const lines = shown.map((e) => {
    const time = `t=${e.timeMs.toFixed(1).padStart(timeWidth)}ms`;
    const who = actors(e, column);
    return PAINT[e.kind](chalk, `${time}  ${who}  ${printable(what(e))}`.trimEnd());
  });
  if (shown.length < events.length) {
    const more = events.length - shown.length;
    lines.push(chalk.dim(`… ${more} more event${more === 1 ? "" : "s"}`));
  }
  return lines.join("\n");
}

/**
 * Who an event's line names in the node column: `src → dest` for a message on the wire, the node
 * it happened on otherwise (describeEvent's words name the other node of an rpc or an unhandled
 * message).
 */
function columnNodes(e: TraceEvent): string[] {
  switch (e.kind) {
    case "send":
    case "deliver":
    case "drop":
    case "duplicate":
    case "delay":
      return [e.src, e.dest];
    case "unhandled":
      return [e.dest];
    default:
      return "node" in e ? [e.node] : [];
  }
}

/** The node column: `a → b` for messages on the wire, `a` for node events, blank for network-wide events. */
function actors(e: TraceEvent, column: { width: number; total: number }): string {
  const [first = "", second] = columnNodes(e).map(printable);
  return second === undefined ? first.padEnd(column.total) : `${first.padEnd(column.width)} → ${second.padEnd(column.width)}`;
}

/**
 * The rest of the line. Messages on the wire are worded here (only the timeline lists sends and
 * each copy); every other event in {@link describeEvent}'s words, after a `[role]` or `log:` tag.
 */
function what(e: TraceEvent): string {
  switch (e.kind) {
    case "send":
      return `${messageLabel(e)} sent (${e.bytes} B)`;
    case "deliver":
      return `${messageLabel(e)} ${e.duplicate ? "delivered again (duplicate)" : "delivered"} (+${formatMs(e.timeMs - e.sentMs)}${served(e)})`;
    case "drop":
      return `${messageLabel(e)} ${e.duplicate ? "duplicate dropped" : "dropped"} (${dropCause(e)})`;
    case "duplicate":
      return `${messageLabel(e)} duplicated${e.rule === undefined ? "" : ` (rule "${e.rule}")`}`;
    case "delay":
      return `${messageLabel(e)} delayed +${formatMs(e.delayMs)} (rule "${e.rule}")`;
    case "state":
      return `[${e.role}] ${describeEvent(e)}`;
    case "log":
      return `log: ${describeEvent(e)}`;
    default:
      return describeEvent(e) ?? e.kind;
  }
}

/** At a node with service time: how long the copy waited in its queue and was served. */
function served(e: DeliverEvent): string {
  if (e.arrivedMs === undefined || e.serviceMs === undefined) return "";
  return `: waited ${formatMs(e.timeMs - e.arrivedMs - e.serviceMs)}, served ${formatMs(e.serviceMs)}`;
}

/** Control characters (line breaks, escape sequences) shown as `\n`, `\x1b`, … so one event stays one line. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (ch) => {
    if (ch === "\n") return "\\n";
    if (ch === "\t") return "\\t";
    if (ch === "\r") return "\\r";
    return `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}
