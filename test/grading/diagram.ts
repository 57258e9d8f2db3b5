/**
 * The picture of a failure: a Mermaid sequence diagram of the messages the failure is about and
 * what happened around them, written to `build/failures/<id>-<slug>-seed-<seed>.mmd` for the
 * student to open (`npm run diagrams -- build/failures`, VS Code's Mermaid preview,
 * https://mermaid.live, or the notebook's `showMermaid`). Beside it, the failing run's whole trace is
 * saved as `<id>-<slug>-seed-<seed>.trace.json`, to play in the run viewer (`npm run viewer -- <file>`).
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
import {
  EVENT_NOTE_LINES_MAX,
  EVIDENCE_MARK,
  FAILURE_LEGEND,
  FAILURE_MESSAGES_MAX,
  FAILURE_NOTES_MAX,
  NOTE_LINE_CHARS,
  NOTE_LINES_MAX,
  failureDiagram as drawFailure,
  wrapText,
} from "../../lib/trace";
import { traceToJson } from "../../lib/viewer";
import type { CheckResult } from "./check";
import type { Exercise } from "./exercises";
import { bodyFields } from "./messages";
import { REPO_ROOT } from "./target";

export { EVENT_NOTE_LINES_MAX, EVIDENCE_MARK, FAILURE_MESSAGES_MAX, FAILURE_NOTES_MAX, NOTE_LINE_CHARS, NOTE_LINES_MAX, wrapText };

/** The label of the grader's note. */
export const FINDING_LABEL = "grader found:";

/** The first note of a grader's failure diagram: how to read the arrows. */
export const LEGEND = FAILURE_LEGEND;

/** Longest field value on an arrow (longer ones are cut with `…`): arrows set the lanes' spacing. */
const ARROW_VALUE_CHARS = 24;

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
 * The saved trace's path from the repository root (beside the diagram).
 *
 * @example
 * failureTracePath(exercise("00.1"), 7); // "build/failures/00.1-ping-pong-seed-7.trace.json"
 */
export function failureTracePath(ex: Exercise, seed: number): string {
  return `${FAILURES_DIR}/${ex.id}-${ex.slug}-seed-${seed}.trace.json`;
}

/** The command that opens a saved trace in the run viewer. @example viewerCommand("build/failures/x.trace.json") */
export function viewerCommand(traceFile: string): string {
  return `npm run viewer -- ${traceFile}`;
}

/** The grader's note: what it expected and what it got, in at most {@link NOTE_LINES_MAX} lines. */
function findingLines(result: CheckResult): string[] {
  const got = wrapText(`got ${result.got ?? "?"}`, NOTE_LINE_CHARS, Math.floor(NOTE_LINES_MAX / 2));
  const expected = wrapText(`${FINDING_LABEL} expected ${result.expected ?? "?"}`, NOTE_LINE_CHARS, NOTE_LINES_MAX - got.length);
  return [...expected, ...got];
}

/**
 * Mermaid text for a failed check (see lib/trace's `failureDiagram`): the messages the failure is
 * about (marked ★) and those around them, each with the body fields the grader checks, then a
 * note with what the grader found.
 *
 * @example
 * const text = failureDiagram(result, "00.1 ping-pong, seed 7");
 */
export function failureDiagram(result: CheckResult, title: string, maxMessages = FAILURE_MESSAGES_MAX): string {
  const events = result.events ?? [];
  const bodies = new Map<number, Record<string, unknown>>();
  for (const e of events) if (e.kind === "send") bodies.set(e.id, JSON.parse(e.json));
  return drawFailure({
    events,
    title,
    findingLines: findingLines(result),
    nodeOrder: result.nodeOrder,
    atMs: result.atMs,
    node: result.node,
    evidence: result.evidence,
    maxMessages,
    label: (m, base) => {
      const body = bodies.get(m.id);
      const fields = body ? bodyFields(body, undefined, ARROW_VALUE_CHARS) : "";
      return fields ? `${base} ${fields}` : base;
    },
  });
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
 * Save the failing run of `result` (all its events) for the run viewer and return the file's path
 * from the repository root.
 *
 * @example
 * writeFailureTrace(exercise("00.1"), result); // "build/failures/00.1-ping-pong-seed-7.trace.json"
 */
export function writeFailureTrace(ex: Exercise, result: CheckResult): string {
  const file = failureTracePath(ex, result.seed);
  const trial = result.trial && result.trial.count > 1 ? `, trial ${result.trial.index + 1}` : "";
  const meta = {
    title: `${ex.id} ${ex.slug} failed, seed ${result.seed}${trial}`,
    note: `expected ${result.expected ?? "?"}; got ${result.got ?? "?"}`,
    seed: result.trial?.seed ?? result.seed,
    graderSeed: result.seed,
    ...(result.nodeOrder && result.nodeOrder.length > 0 ? { nodes: [...result.nodeOrder] } : {}),
    scenario: result.scenario,
    expected: result.expected,
    got: result.got,
  };
  const abs = path.join(REPO_ROOT, file);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, traceToJson(result.events ?? [], meta));
  return file;
}

/**
 * Remove an old diagram and trace for this exercise and seed, so no stale picture survives a passing run.
 *
 * @example
 * removeFailureDiagram(exercise("00.1"), 7);
 */
export function removeFailureDiagram(ex: Exercise, seed: number): void {
  fs.rmSync(path.join(REPO_ROOT, failureDiagramPath(ex, seed)), { force: true });
  fs.rmSync(path.join(REPO_ROOT, failureTracePath(ex, seed)), { force: true });
}
