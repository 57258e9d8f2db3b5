/**
 * The picture of a failure: a Mermaid sequence diagram of the messages a failure is about (its
 * evidence) and what happened around them, with a note saying what was found. Graders draw their
 * failures with it, and so does `sim.invariant` when an invariant breaks.
 *
 * - the window is chosen around the evidence (the messages the failure names), not just the last
 *   messages before it, so "ping n=2 was sent before pong n=1 arrived" shows both;
 * - every arrow reads `t=sent→arrived`, `type #msg_id ↩in_reply_to` (and whatever `label` adds);
 *   the evidence's arrows are marked ★; a legend says so;
 * - the finding is a note at the end, and every long note is wrapped into lines of at most
 *   {@link NOTE_LINE_CHARS} characters, so the picture stays a few hundred pixels wide.
 */
import { formatMs } from "../sim/errors";
import { describeEvent } from "./describe";
import { escapeMermaidText } from "./mermaid-escape";
import { drawnAsNote, toSequenceDiagram, type SequenceMessage } from "./sequence-diagram";
import type { TraceEvent } from "./events";

/** How many message arrows a failure diagram shows at most. */
export const FAILURE_MESSAGES_MAX = 30;

/**
 * How many notes (state changes, faults) it shows at most: a node that changes state all the time
 * shortens the window, so that toSequenceDiagram's limits never cut the final note.
 */
export const FAILURE_NOTES_MAX = 100;

/** Wrapped notes have lines of at most this many characters (about 450 px in the course's font). */
export const NOTE_LINE_CHARS = 56;

/** The finding's note has at most this many lines; the rest is cut with `…`. */
export const NOTE_LINES_MAX = 14;

/**
 * Any other note (a student's error, a state change) has at most this many lines: the finding
 * repeats what matters, and 100 notes stay far below Mermaid's 50,000-character limit.
 */
export const EVENT_NOTE_LINES_MAX = 4;

/** Marks the arrows of the messages the failure is about. */
export const EVIDENCE_MARK = "★";

/**
 * Break text into lines of at most `width` characters (a longer word is cut), at most `linesMax`
 * lines (the last one then ends with `…`).
 *
 * @example
 * wrapText("expected a to wait for pong n=1", 16); // ["expected a to", "wait for pong", "n=1"]
 */
export function wrapText(text: string, width = NOTE_LINE_CHARS, linesMax = NOTE_LINES_MAX): string[] {
  const lines: string[] = [];
  let line = "";
  for (let word of text.split(/\s+/).filter(Boolean)) {
    while (Array.from(word).length > width) {
      if (line) lines.push(line), (line = "");
      const chars = Array.from(word);
      lines.push(chars.slice(0, width).join(""));
      word = chars.slice(width).join("");
    }
    if (line && Array.from(line).length + 1 + Array.from(word).length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  if (lines.length > linesMax) {
    const kept = lines.slice(0, linesMax);
    const last = Array.from(kept[linesMax - 1]);
    kept[linesMax - 1] = `${last.slice(0, width - 1).join("")}…`;
    return kept;
  }
  return lines;
}

/** Mermaid text of a note of several lines: each line escaped, joined by `<br/>`. */
function noteText(lines: readonly string[]): string {
  return lines.map((l) => escapeMermaidText(l)).join("<br/>");
}

/** The first note: how to read the arrows. */
export const FAILURE_LEGEND =
  "arrows: t=sent→arrived (or dropped), #N = msg_id, ↩N = in reply to msg_id N, then the body's fields; " +
  `${EVIDENCE_MARK} = a message the finding is about`;

/** What a failure diagram is drawn from. */
export interface FailureDiagramInput {
  /** The run's events (a trace's `events`). */
  events: readonly TraceEvent[];
  /** The diagram's title. */
  title: string;
  /** The finding, already in lines (see `wrapText`), drawn as the last note. */
  findingLines: readonly string[];
  /** Nodes in spawn order (lanes keep this order). */
  nodeOrder?: readonly string[];
  /** When the failure was seen (default: the last event's time). */
  atMs?: number;
  /** The node the finding's note goes beside (default: the first node involved). */
  node?: string;
  /** Wire ids (`send` event ids) of the messages the failure is about: drawn, and marked ★. */
  evidence?: readonly number[];
  /** Extra words on an arrow, e.g. the body fields a checker looks at (`base` is the default label). */
  label?: (message: SequenceMessage, base: string) => string;
  /** Most message arrows to draw. Default {@link FAILURE_MESSAGES_MAX}. */
  maxMessages?: number;
}

const isArrow = (e: TraceEvent): boolean => e.kind === "deliver" || e.kind === "drop";

/**
 * The indices of `events` to draw: every arrow of the evidence, the other arrows nearest to the
 * evidence and to the failure (up to `maxMessages` arrows in all), and the notes among them.
 */
function chooseWindow(events: readonly TraceEvent[], evidence: ReadonlySet<number>, atMs: number, maxMessages: number): number[] {
  if (events.length === 0) return [];
  let failAt = events.length - 1;
  while (failAt > 0 && events[failAt].timeMs > atMs) failAt--;
  const anchors = [failAt];
  events.forEach((e, i) => {
    if (isArrow(e) && evidence.has((e as { id: number }).id)) anchors.push(i);
  });
  const first = Math.min(...anchors);
  const last = Math.max(...anchors);
  const arrows = events.map((e, i) => (isArrow(e) ? i : -1)).filter((i) => i >= 0 && i <= last);
  // Evidence first, then the arrows inside [first, last], then the ones before it, nearest first.
  const distance = (i: number): number => (i >= first ? 0 : first - i);
  const ranked = arrows
    .map((i) => ({ i, evidence: evidence.has((events[i] as { id: number }).id) }))
    .sort((a, b) => Number(b.evidence) - Number(a.evidence) || distance(a.i) - distance(b.i) || b.i - a.i);
  const chosen = new Set(ranked.slice(0, maxMessages).map((x) => x.i));
  // Every arrow up to the end fits: start at the beginning (the notes cap still applies).
  const from = chosen.size === arrows.length ? 0 : Math.min(first, ...chosen);
  // Walk back from the end; once the notes are used up (a node changing state all the time), only
  // the evidence is drawn any more, so the picture never shows arrows without what happened between.
  const shown: number[] = [];
  let notes = 0;
  for (let i = last; i >= from; i--) {
    const e = events[i];
    if (isArrow(e)) {
      if (chosen.has(i) && (notes < FAILURE_NOTES_MAX || evidence.has((e as { id: number }).id))) shown.push(i);
    } else if (e.kind !== "spawn" && e.kind !== "send" && drawnAsNote(e, {}) && notes < FAILURE_NOTES_MAX) {
      shown.push(i);
      notes++;
    }
  }
  return shown.reverse();
}

/**
 * Mermaid text for a failure: the messages it is about (marked ★) and those around them, at most
 * `maxMessages` arrows, then a note with the finding.
 *
 * @example
 * const text = failureDiagram({ events: sim.trace.events, title: "seed 7", findingLines: wrapText("two leaders in term 3") });
 */
export function failureDiagram(input: FailureDiagramInput): string {
  const { title, label: extraLabel } = input;
  const maxMessages = input.maxMessages ?? FAILURE_MESSAGES_MAX;
  const events = input.events;
  const atMs = input.atMs ?? (events.length ? events[events.length - 1].timeMs : 0);
  const evidence = new Set(input.evidence ?? []);
  const shown = chooseWindow(events, evidence, atMs, maxMessages).map((i) => events[i]);
  const total = events.filter(isArrow).length;
  const drawn = shown.filter(isArrow).length;

  // Lanes: the nodes the shown events involve and the finding's node, in spawn order.
  const involved = new Set<string>();
  for (const e of shown) {
    if ("src" in e) involved.add(e.src).add(e.dest);
    else if ("node" in e) involved.add(e.node);
  }
  const noteNode = input.node ?? input.nodeOrder?.find((n) => involved.has(n)) ?? input.nodeOrder?.[0] ?? "finding";
  involved.add(noteNode);
  const order = [...(input.nodeOrder ?? []), ...involved];
  const laneIds = Array.from(new Set(order)).filter((n) => involved.has(n));
  const spawns: TraceEvent[] = laneIds.map((node) => ({ kind: "spawn", timeMs: 0, node, role: "node" }));

  // Notes this file writes itself (wrapped): replaced after rendering through a marker.
  const wrapped = new Map<string, string>();
  const marker = (lines: string[]): string => {
    const key = `distlabwrappednote${wrapped.size}x`;
    wrapped.set(key, noteText(lines));
    return key;
  };
  // Every note on one lane (errors, state changes, timeouts…) is wrapped; partitions, heals and
  // cuts keep the library's note across the lanes they concern.
  const withMarkers = shown.map((e): TraceEvent => {
    const words = describeEvent(e);
    if (isArrow(e) || words === undefined || e.kind === "partition" || e.kind === "heal" || e.kind === "cut") return e;
    const node = e.kind === "unhandled" ? e.dest : "node" in e ? e.node : noteNode;
    const lines = wrapText(`t=${formatMs(e.timeMs)} ${words}`, NOTE_LINE_CHARS, EVENT_NOTE_LINES_MAX);
    return { kind: "error", timeMs: e.timeMs, node, during: e.kind, message: marker(lines) };
  });
  const finding: TraceEvent = { kind: "error", timeMs: atMs, node: noteNode, during: "finding", message: marker([...input.findingLines]) };
  const legend: TraceEvent = { kind: "error", timeMs: 0, node: laneIds[0], during: "legend", message: marker(wrapText(FAILURE_LEGEND)) };

  const label = (m: SequenceMessage, base: string): string => {
    const text = extraLabel ? extraLabel(m, base) : base;
    return evidence.has(m.id) ? `${EVIDENCE_MARK} ${text}` : text;
  };
  const heading = total > drawn ? `${title} (${drawn} of ${total} messages)` : title;
  const text = toSequenceDiagram([...spawns, legend, ...withMarkers, finding], {
    title: heading,
    showSentTime: true,
    label,
    maxMessages: maxMessages + 1,
    maxNotes: FAILURE_NOTES_MAX + 3,
  });
  // Wrapped notes go beside their lane ("right of", or "left of" the last lane), not over it: a
  // note over a lane sticks out on both sides (off the left edge for the first lane), and Mermaid
  // does not widen a note over several lanes to fit its text.
  const lines = text.split("\n");
  const lanesShown = lines.map((l) => /^\s*participant (\S+)/.exec(l)?.[1]).filter((id): id is string => id !== undefined);
  return lines
    .map((line) => {
      const key = /distlabwrappednote\d+x/.exec(line)?.[0];
      const over = /^(\s*)Note over ([^:,]+): /.exec(line);
      if (key === undefined || over === null) return line;
      const side = over[2] === lanesShown[lanesShown.length - 1] && lanesShown.length > 1 ? "left of" : "right of";
      return `${over[1]}Note ${side} ${over[2]}: ${wrapped.get(key)}`;
    })
    .join("\n");
}

