/**
 * The picture of a failure: a Mermaid sequence diagram of the last messages before it, written to
 * `build/failures/<id>-<slug>-seed-<seed>.mmd` for the student to open (VS Code's Mermaid preview,
 * https://mermaid.live, or the notebook's `showMermaid`).
 */
import fs from "node:fs";
import path from "node:path";
import { drawnAsNote, toSequenceDiagram, type TraceEvent } from "../../lib/trace";
import type { CheckResult } from "./check";
import type { Exercise } from "./exercises";
import { REPO_ROOT } from "./target";

/** How many message arrows a failure diagram shows (the last ones before the failure). */
export const FAILURE_MESSAGES_MAX = 30;

/**
 * How many notes (state changes, faults) it shows at most: a node that changes state all the time
 * shortens the window, so that toSequenceDiagram's limits never cut the final "expected …" note.
 */
export const FAILURE_NOTES_MAX = 100;

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
 * Mermaid text for a failed check: the last `maxMessages` messages up to the failure, with a note
 * saying what was expected.
 *
 * @example
 * const text = failureDiagram(result, "00.1 ping-pong, seed 7");
 */
export function failureDiagram(result: CheckResult, title: string, maxMessages = FAILURE_MESSAGES_MAX): string {
  const events = result.events ?? [];
  const atMs = result.atMs ?? (events.length ? events[events.length - 1].timeMs : 0);
  let end = events.length;
  while (end > 0 && events[end - 1].timeMs > atMs) end--;
  let start = 0;
  let messages = 0;
  let notes = 0;
  let total = 0;
  for (let i = 0; i < end; i++) if (events[i].kind === "deliver" || events[i].kind === "drop") total++;
  for (let i = end - 1; i >= 0; i--) {
    const kind = events[i].kind;
    if (kind === "deliver" || kind === "drop") messages++;
    else if (drawnAsNote(events[i], {})) notes++;
    if (messages === maxMessages || notes === FAILURE_NOTES_MAX) {
      start = i;
      break;
    }
  }
  // Spawn events first: they fix the lanes in spawn order even when a node sent nothing lately.
  const spawns: TraceEvent[] = (result.nodeOrder ?? []).map((node) => ({ kind: "spawn", timeMs: 0, node, role: "node" }));
  const shown = events.slice(start, end).filter((e) => e.kind !== "spawn");
  const note: TraceEvent = {
    kind: "error",
    timeMs: atMs,
    node: result.node ?? result.nodeOrder?.[0] ?? "grader",
    during: "grading",
    message: `expected ${result.expected ?? "?"}`,
  };
  const heading = total > messages ? `${title} (last ${messages} of ${total} messages)` : title;
  return toSequenceDiagram([...spawns, ...shown, note], {
    title: heading,
    showTime: true,
    maxMessages: maxMessages + 1,
    maxNotes: FAILURE_NOTES_MAX + 1,
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
  const text = failureDiagram(result, `${ex.id} ${ex.slug}, seed ${result.seed}`);
  const abs = path.join(REPO_ROOT, file);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, text + "\n");
  return file;
}

/** Remove an old diagram for this exercise and seed, so no stale picture survives a passing run. */
export function removeFailureDiagram(ex: Exercise, seed: number): void {
  fs.rmSync(path.join(REPO_ROOT, failureDiagramPath(ex, seed)), { force: true });
}
