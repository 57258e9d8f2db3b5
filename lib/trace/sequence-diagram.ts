/**
 * A run as a Mermaid `sequenceDiagram` (a Lamport diagram, as Maelstrom draws one per run).
 *
 * One lane per node, in spawn order. Each copy of a message is drawn once, **at the time it
 * arrived or was dropped** (not when it was sent), from `src` to `dest`: delivered `->>`, duplicate
 * copies `-->>` marked `(duplicate)`, dropped `-x` with the reason (`loss`, `partition`,
 * `crashed`). An arrow reads `type #N ↩M`: `#N` is the body's `msg_id`, `↩M` its `in_reply_to`
 * (a reply to the message whose `msg_id` is M). The `legend` option writes this into the diagram;
 * `showTime` stamps each arrow with its arrival time, `showSentTime` adds the send time.
 * Crashes, restarts, partitions, heals, state changes, errors, RPC timeouts and (optionally)
 * timers and log lines are notes.
 */
import type { MessageRef, TraceEvent } from "./events";
import { filterEvents } from "./trace";
import { describeEvent, dropCause, messageLabel } from "./describe";
import { formatMs, toMicros } from "../sim/errors";
import { MermaidIds, escapeMermaidText, mermaidLabel } from "./mermaid-escape";
import { eventsOf, nodesIn, nodesOf, type TraceSource } from "./source";

/** A message as the `label` option sees it. */
export interface SequenceMessage extends MessageRef {
  /** Virtual time the arrow is drawn at: when the copy arrived or was dropped. */
  timeMs: number;
  sentMs: number;
  /** The parsed body, or `undefined` if its `send` event is not in the trace. */
  body: unknown;
}

/** Options of {@link toSequenceDiagram}; all optional. */
export interface SequenceDiagramOptions {
  /**
   * Show only events involving these nodes (for messages: `src` or `dest`). They become the first
   * lanes, in this order; their peers follow in spawn order.
   */
  nodes?: readonly string[];
  /** Show only messages of these types. */
  types?: readonly string[];
  /** Show events at or after this virtual time. */
  fromMs?: number;
  /** Show events at or before this virtual time. */
  toMs?: number;
  /**
   * Draw at most this many message arrows (default 250). The diagram ends where the first limit
   * (`maxMessages`, `maxNotes`, `maxChars`) is reached; one note at the end counts what is left out.
   */
  maxMessages?: number;
  /** Draw at most this many notes (default 250): state changes, faults, timers, log lines. */
  maxNotes?: number;
  /**
   * Keep the whole text at or under this many characters (default 45 000, counted as Mermaid
   * counts them: UTF-16 units). Mermaid draws "Maximum text size in diagram exceeded" instead of
   * any diagram over its `maxTextSize` (50 000); the default leaves room for a few lines of your own.
   */
  maxChars?: number;
  /** Number the arrows (Mermaid's `autonumber`). */
  autonumber?: boolean;
  /** Start every arrow and note with its virtual time, `t=12ms` (for an arrow: when it arrived or was dropped). */
  showTime?: boolean;
  /** Like `showTime`, and arrows show when they were sent, too: `t=10→12ms` (sent → arrived or dropped). */
  showSentTime?: boolean;
  /**
   * Start the diagram with a note that explains its notation: arrows at arrival (or drop) time,
   * `#N` = `msg_id`, `↩N` = in reply to `msg_id` N (default false).
   */
  legend?: boolean;
  /** Draw state changes as notes (default true). */
  showStates?: boolean;
  /** Draw timers that fired as notes (default false). */
  showTimers?: boolean;
  /** Draw log lines as notes (default false). */
  showLogs?: boolean;
  /** A title above the diagram (the notation is explained by `legend`, not here). */
  title?: string;
  /**
   * The text of an arrow, given the message and the default text (`ping #3 ↩1`). Use it to add a
   * key field: `(m, base) => \`${base} key=${(m.body as any).key}\``.
   */
  label?: (message: SequenceMessage, base: string) => string;
}

/** Default of {@link SequenceDiagramOptions.maxMessages}: Mermaid refuses sources over 50 000 characters. */
export const SEQUENCE_MESSAGES_MAX = 250;

/** Default of {@link SequenceDiagramOptions.maxNotes}. */
export const SEQUENCE_NOTES_MAX = 250;

/** Default of {@link SequenceDiagramOptions.maxChars}: under Mermaid's default `maxTextSize`, 50 000. */
export const SEQUENCE_CHARS_MAX = 45_000;

/** Notes longer than this are cut with `…`. */
const NOTE_CHARS_MAX = 120;

/** Arrow texts, participant names and the title are cut with `…` past these lengths. */
const ARROW_CHARS_MAX = 200;
const LANE_CHARS_MAX = 80;
const TITLE_CHARS_MAX = 200;

/** Room kept for the final "… not shown" note when checking `maxChars`. */
const ELISION_NOTE_CHARS = 200;

/**
 * Draw a trace as a Mermaid `sequenceDiagram`. Arrows are drawn at the time each copy arrived or
 * was dropped; `#N` is the body's `msg_id` and `↩N` means "in reply to `msg_id` N" (pass
 * `legend: true` to say so in the diagram).
 *
 * @example
 * const text = toSequenceDiagram(sim.trace, { nodes: ["c1", "n1"], fromMs: 0, toMs: 500, maxMessages: 50 });
 * // sequenceDiagram
 * //   participant c1
 * //   participant n1
 * //   c1->>n1: write #35;1
 * //   n1-xc1: write_ok #35;2 ↩1 (dropped#58; partition)
 * // (#35; and #58; are Mermaid's codes for "#" and ":"; the diagram shows "write #1")
 */
export function toSequenceDiagram(source: TraceSource, options: SequenceDiagramOptions = {}): string {
  const all = eventsOf(source);
  const events = filterEvents(all, {
    nodes: options.nodes,
    types: options.types,
    fromMs: options.fromMs,
    toMs: options.toMs,
  });
  const maxMessages = options.maxMessages ?? SEQUENCE_MESSAGES_MAX;
  const maxNotes = options.maxNotes ?? SEQUENCE_NOTES_MAX;
  const maxChars = options.maxChars ?? SEQUENCE_CHARS_MAX;
  const ids = new MermaidIds("p");
  const lines = ["sequenceDiagram"];
  if (options.title !== undefined) lines.push(`  title ${mermaidLabel(truncate(options.title, TITLE_CHARS_MAX))}`);
  if (options.autonumber) lines.push("  autonumber");
  let chars = lines.join("\n").length;

  // Lanes take at most half of maxChars (thousands of nodes); events on the others are left out.
  const allLanes = laneOrder(source, events, options.nodes);
  const lanes: string[] = [];
  for (const node of allLanes) {
    const id = ids.idFor(node);
    const line = ids.needsLabel(node) ? `  participant ${id} as ${mermaidLabel(truncate(node, LANE_CHARS_MAX))}` : `  participant ${id}`;
    if (lanes.length > 0 && chars + 1 + line.length > maxChars / 2) break;
    lines.push(line);
    lanes.push(node);
    chars += 1 + line.length;
  }
  if (lanes.length === 0) return lines.join("\n");
  const onLanes = new Set(lanes);
  const elidedLanes = allLanes.length - lanes.length;

  const span = lanes.length === 1 ? ids.idFor(lanes[0]) : `${ids.idFor(lanes[0])},${ids.idFor(lanes[lanes.length - 1])}`;
  const charsMax = maxChars - ELISION_NOTE_CHARS - span.length;
  const bodies = options.label ? bodiesById(all) : undefined;
  const delays = delaysById(all);
  const stamp = (e: TraceEvent): string => {
    if (!options.showTime && !options.showSentTime) return "";
    if (options.showSentTime && (e.kind === "deliver" || e.kind === "drop")) return `t=${toMicros(e.sentMs)}→${formatMs(e.timeMs)} `;
    return `t=${formatMs(e.timeMs)} `;
  };
  if (options.legend) {
    // Beside the first lane, one short line per part: a note over several lanes is sized by the
    // lanes' span, not by its text, so in a narrow diagram a one-line legend spills out of its box.
    const line = `  Note right of ${ids.idFor(lanes[0])}: ${legendParts(options).map((part) => mermaidLabel(part)).join("<br/>")}`;
    lines.push(line);
    chars += 1 + line.length;
  }
  let messages = 0;
  let notes = 0;
  let elidedMessages = 0;
  let elidedNotes = 0;
  let full = false; // a limit was reached: everything after is left out
  let tooLong = false;

  for (const e of events) {
    const isMessage = e.kind === "deliver" || e.kind === "drop";
    const note = isMessage ? undefined : noteText(e, options);
    if (!isMessage && note === undefined) continue;
    if (!full && (messages >= maxMessages || notes >= maxNotes)) full = true;
    if (full || !drawnOn(e, onLanes)) {
      if (isMessage) elidedMessages++;
      else elidedNotes++;
      continue;
    }
    let line: string;
    if (isMessage) {
      let text = messageLabel(e);
      if (options.label) {
        const message: SequenceMessage = { ...refOf(e), timeMs: e.timeMs, sentMs: e.sentMs, body: bodies?.get(e.id) };
        text = options.label(message, text);
      }
      const arrow = e.kind === "drop" ? "-x" : e.duplicate ? "-->>" : "->>";
      text = truncate(text, ARROW_CHARS_MAX);
      if (e.kind === "drop") text += ` (dropped: ${dropCause(e)})`;
      else if (e.duplicate) text += " (duplicate)";
      if (e.kind === "deliver" && delays !== undefined && delays.has(e.id)) text += ` (${delays.get(e.id)})`;
      line = `  ${ids.idFor(e.src)}${arrow}${ids.idFor(e.dest)}: ${mermaidLabel(stamp(e) + text)}`;
    } else {
      line = `  Note over ${noteSpan(e, ids, span)}: ${mermaidLabel(stamp(e) + truncate(note as string, NOTE_CHARS_MAX))}`;
    }
    if (chars + 1 + line.length > charsMax) {
      full = tooLong = true;
      if (isMessage) elidedMessages++;
      else elidedNotes++;
      continue;
    }
    lines.push(line);
    chars += 1 + line.length;
    if (isMessage) messages++;
    else notes++;
  }
  const left = [
    [elidedLanes, "lane"],
    [elidedMessages, "message"],
    [elidedNotes, "note"],
  ] as const;
  const parts = left.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}${n === 1 ? "" : "s"}`);
  if (parts.length > 0) {
    parts[0] = parts[0].replace(" ", " more ");
    const what = parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
    const why = tooLong ? ` (diagram text limit, ${maxChars} characters)` : "";
    lines.push(`  Note over ${span}: ${escapeMermaidText(`… ${what} not shown${why}`)}`);
  }
  return lines.join("\n");
}

/** The lines of the `legend` option's note. */
function legendParts(options: SequenceDiagramOptions): string[] {
  const when = options.showSentTime
    ? "t=sent→arrival (or drop) time"
    : options.showTime
      ? "t= arrival (or drop) time"
      : "arrows are drawn when the message arrived (or was dropped)";
  return [when, "#N = msg_id", "↩N = in reply to msg_id N"];
}

/** True when every lane an event is drawn on is shown (partitions and full heals span the shown lanes). */
function drawnOn(e: TraceEvent, lanes: ReadonlySet<string>): boolean {
  switch (e.kind) {
    case "partition":
      return true;
    case "deliver":
    case "drop":
    case "cut":
    case "heal": // a full heal names no node: every lane
      return nodesIn(e).every((n) => lanes.has(n));
    case "unhandled":
      return lanes.has(e.dest);
    default:
      return lanes.has(nodesIn(e)[0]);
  }
}

/** Lanes: the requested nodes first, then everyone else who takes part, in spawn order. */
function laneOrder(source: TraceSource, events: readonly TraceEvent[], nodes: readonly string[] | undefined): string[] {
  if (nodes === undefined) return nodesOf(source);
  const lanes = new Set(nodes);
  const involved = new Set<string>();
  for (const e of events) {
    if ("src" in e) involved.add(e.src).add(e.dest);
    else if (e.kind === "rpc") involved.add(e.node);
    else if (e.kind === "cut") involved.add(e.from).add(e.to);
  }
  for (const n of nodesOf(source)) if (involved.has(n)) lanes.add(n);
  return [...lanes];
}

/**
 * Whether `toSequenceDiagram` with these options draws the event as a note (a state change, a
 * crash, a partition, an RPC timeout…), as opposed to an arrow or nothing.
 *
 * @example
 * events.filter((e) => drawnAsNote(e, {})).length; // how many notes the default diagram has
 */
export function drawnAsNote(e: TraceEvent, options: SequenceDiagramOptions = {}): boolean {
  return noteText(e, options) !== undefined;
}

/** The note an event becomes, or `undefined` if it is not drawn. */
function noteText(e: TraceEvent, options: SequenceDiagramOptions): string | undefined {
  switch (e.kind) {
    case "send":
    case "deliver":
    case "drop":
    case "duplicate":
    case "delay": // said on the arrow when the message arrives
    case "queue": // queue lengths are charted (chartMetric "queue"), not drawn
      return undefined;
    case "spawn": // a node that joins a running system is drawn; the first nodes are just lanes
      return e.timeMs > 0 ? describeEvent(e) : undefined;
    case "rpc":
      return e.outcome === "timeout" ? describeEvent(e) : undefined;
    case "state":
      return options.showStates === false ? undefined : describeEvent(e);
    case "timer":
      return options.showTimers ? describeEvent(e) : undefined;
    case "log":
      return options.showLogs ? describeEvent(e) : undefined;
    default:
      return describeEvent(e);
  }
}

/** `Note over …` target: the node itself, both ends of a cut, or every lane for network-wide events. */
function noteSpan(e: TraceEvent, ids: MermaidIds, span: string): string {
  switch (e.kind) {
    case "partition":
      return span;
    case "heal": {
      const healed = nodesIn(e); // none for a full heal
      if (healed.length === 0) return span;
      return healed.length === 1 || healed[0] === healed[1] ? ids.idFor(healed[0]) : `${ids.idFor(healed[0])},${ids.idFor(healed[1])}`;
    }
    case "cut":
      return e.from === e.to ? ids.idFor(e.from) : `${ids.idFor(e.from)},${ids.idFor(e.to)}`;
    case "unhandled":
      return ids.idFor(e.dest);
    default:
      return ids.idFor(nodesIn(e)[0]);
  }
}

function refOf(e: MessageRef): MessageRef {
  const ref: MessageRef = { id: e.id, src: e.src, dest: e.dest, type: e.type };
  if (e.msgId !== undefined) ref.msgId = e.msgId;
  if (e.inReplyTo !== undefined) ref.inReplyTo = e.inReplyTo;
  return ref;
}

/** What message fault rules added to each delayed message's arrival, by wire id (`+50ms rule "slow"`); undefined when none was. */
function delaysById(events: readonly TraceEvent[]): Map<number, string> | undefined {
  let delays: Map<number, string> | undefined;
  for (const e of events) {
    if (e.kind !== "delay") continue;
    delays ??= new Map();
    const words = `+${formatMs(e.delayMs)} rule "${e.rule}"`;
    const before = delays.get(e.id);
    delays.set(e.id, before === undefined ? `delayed ${words}` : `${before}, ${words}`);
  }
  return delays;
}

/** Parsed bodies of every send, by wire id (only computed when a `label` callback needs them). */
function bodiesById(events: readonly TraceEvent[]): Map<number, unknown> {
  const bodies = new Map<number, unknown>();
  for (const e of events) if (e.kind === "send") bodies.set(e.id, JSON.parse(e.json));
  return bodies;
}

function truncate(text: string, charsMax: number): string {
  const chars = Array.from(text);
  return chars.length <= charsMax ? text : `${chars.slice(0, charsMax - 1).join("")}…`;
}
