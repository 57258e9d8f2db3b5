/**
 * The picture of a failure: a Mermaid sequence diagram of the messages the failure is about and
 * what happened around them, written to `build/failures/<id>-<slug>-seed-<seed>.mmd` for the
 * student to open (`npm run diagrams -- build/failures`, VS Code's Mermaid preview,
 * https://mermaid.live, or the notebook's `showMermaid`).
 *
 * It carries the evidence in the words the grader prints:
 * - the window is chosen around the failure's evidence (the messages it names), not just the
 *   last messages before it, so "ping n=2 was sent before pong n=1 arrived" shows both;
 * - every arrow reads `t=sent→arrived`, `type #msg_id ↩in_reply_to`, and the body fields the
 *   grader checks (`n=2`, `echo="hi"`); the evidence's arrows are marked ★; a legend says so;
 * - the grader's finding is a note "grader found: expected …; got …" at the end, and every long
 *   note (the finding, a student error) is wrapped into lines of at most {@link NOTE_LINE_CHARS}
 *   characters, so the picture stays a few hundred pixels wide whatever the text.
 */
import fs from "node:fs";
import path from "node:path";
import { formatMs } from "../../lib/sim";
import { describeEvent, drawnAsNote, escapeMermaidText, toSequenceDiagram, type SequenceMessage, type TraceEvent } from "../../lib/trace";
import type { CheckResult } from "./check";
import type { Exercise } from "./exercises";
import { bodyFields } from "./messages";
import { REPO_ROOT } from "./target";

/** How many message arrows a failure diagram shows at most. */
export const FAILURE_MESSAGES_MAX = 30;

/**
 * How many notes (state changes, faults) it shows at most: a node that changes state all the time
 * shortens the window, so that toSequenceDiagram's limits never cut the final note.
 */
export const FAILURE_NOTES_MAX = 100;

/** Wrapped notes have lines of at most this many characters (about 450 px in the course's font). */
export const NOTE_LINE_CHARS = 56;

/** The grader's note has at most this many lines; the rest is cut with `…`. */
export const NOTE_LINES_MAX = 14;

/**
 * Any other note (a student's error, a state change) has at most this many lines: the finding
 * repeats what matters, and 100 notes stay far below Mermaid's 50,000-character limit.
 */
export const EVENT_NOTE_LINES_MAX = 4;

/** The label of the grader's note. */
export const FINDING_LABEL = "grader found:";

/** Marks the arrows of the messages the failure is about. */
export const EVIDENCE_MARK = "★";

/** Folder of failure diagrams, from the repository root. */
export const FAILURES_DIR = "build/failures";

/**
 * The diagram's path from the repository root.
 *
 * @example
 * failureDiagramPath(exercise("00.1"), 7); // "build/failures/00.1-ping-pong-seed-7.mmd"
 */
export function failureDiagramPath(ex: Exercise, seed: number): string {
  return `${FAILURES_DIR}/${ex.id}-${ex.slug}-seed-${seed}.mmd`;
}

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

/** The grader's note: what it expected and what it got, in at most {@link NOTE_LINES_MAX} lines. */
function findingLines(result: CheckResult): string[] {
  const got = wrapText(`got ${result.got ?? "?"}`, NOTE_LINE_CHARS, Math.floor(NOTE_LINES_MAX / 2));
  const expected = wrapText(`${FINDING_LABEL} expected ${result.expected ?? "?"}`, NOTE_LINE_CHARS, NOTE_LINES_MAX - got.length);
  return [...expected, ...got];
}

/** The first note: how to read the arrows, in the words the grader uses. */
export const LEGEND =
  "arrows: t=sent→arrived (or dropped), #N = msg_id, ↩N = in reply to msg_id N, then the body's fields; " +
  `${EVIDENCE_MARK} = a message the grader's finding is about`;

/** Longest field value on an arrow (longer ones are cut with `…`): arrows set the lanes' spacing. */
const ARROW_VALUE_CHARS = 24;

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
 * Mermaid text for a failed check: the messages the failure is about (marked ★) and those around
 * them, at most `maxMessages` arrows, each with the body fields the grader checks, then a note
 * with what the grader found.
 *
 * @example
 * const text = failureDiagram(result, "00.1 ping-pong, seed 7");
 */
export function failureDiagram(result: CheckResult, title: string, maxMessages = FAILURE_MESSAGES_MAX): string {
  const events = result.events ?? [];
  const atMs = result.atMs ?? (events.length ? events[events.length - 1].timeMs : 0);
  const evidence = new Set(result.evidence ?? []);
  const shown = chooseWindow(events, evidence, atMs, maxMessages).map((i) => events[i]);
  const total = events.filter(isArrow).length;
  const drawn = shown.filter(isArrow).length;

  // Lanes: the nodes the shown events involve and the finding's node, in spawn order.
  const involved = new Set<string>();
  for (const e of shown) {
    if ("src" in e) involved.add(e.src).add(e.dest);
    else if ("node" in e) involved.add(e.node);
  }
  const noteNode = result.node ?? result.nodeOrder?.find((n) => involved.has(n)) ?? result.nodeOrder?.[0] ?? "grader";
  involved.add(noteNode);
  const order = [...(result.nodeOrder ?? []), ...involved];
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
  const finding: TraceEvent = { kind: "error", timeMs: atMs, node: noteNode, during: "grading", message: marker(findingLines(result)) };
  const legend: TraceEvent = { kind: "error", timeMs: 0, node: laneIds[0], during: "legend", message: marker(wrapText(LEGEND)) };

  const bodies = new Map<number, Record<string, unknown>>();
  for (const e of events) if (e.kind === "send") bodies.set(e.id, JSON.parse(e.json));
  const label = (m: SequenceMessage, base: string): string => {
    const body = bodies.get(m.id);
    const fields = body ? bodyFields(body, undefined, ARROW_VALUE_CHARS) : "";
    const text = fields ? `${base} ${fields}` : base;
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

/**
 * Write the failure diagram of `result` and return its path from the repository root.
 *
 * @example
 * writeFailureDiagram(exercise("00.1"), result); // "build/failures/00.1-ping-pong-seed-7.mmd"
 */
export function writeFailureDiagram(ex: Exercise, result: CheckResult): string {
  const file = failureDiagramPath(ex, result.seed);
  const trial = result.trial && result.trial.count > 1 ? `, trial ${result.trial.index + 1}` : "";
  const text = failureDiagram(result, `${ex.id} ${ex.slug}, seed ${result.seed}${trial}`);
  const abs = path.join(REPO_ROOT, file);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, text + "\n");
  return file;
}

/**
 * Remove an old diagram for this exercise and seed, so no stale picture survives a passing run.
 *
 * @example
 * removeFailureDiagram(exercise("00.1"), 7);
 */
export function removeFailureDiagram(ex: Exercise, seed: number): void {
  fs.rmSync(path.join(REPO_ROOT, failureDiagramPath(ex, seed)), { force: true });
}
