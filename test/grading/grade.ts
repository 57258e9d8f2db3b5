/**
 * Turning a check into graded vitest tests: one test per seed, named `<id> <slug> seed <n>`.
 *
 * - pass: the test passes;
 * - pending (the stub still throws NotImplementedError): the test is skipped with a note naming
 *   the file to open — except under `DISTLAB_TARGET=solutions`, where it fails;
 * - fail: the test fails with a `GradeError` saying what was expected, the seed that replays it,
 *   the failure diagram written to build/failures/ (and the run's trace beside it, for the run
 *   viewer), and the hint. The error carries no stack
 *   frames, so vitest shows no code frame of the grader.
 *
 * The scoreboard reporter reads each test's `meta().distlab`.
 */
import { describe, it } from "vitest";
import type { CheckResult } from "./check";
import { removeFailureDiagram, viewerCommand, writeFailureDiagram, writeFailureTrace, EVIDENCE_MARK, FAILURES_DIR } from "./diagram";
import { exercise, exerciseFile, graderFile, suiteName, type Exercise } from "./exercises";
import { currentTarget, loadTarget, type Target } from "./target";

/** What a graded test tells the scoreboard (in `testCase.meta().distlab`). */
export interface GradeMeta {
  exercise: string;
  seed: number;
  status: "pass" | "fail" | "pending";
  /** One line for the scoreboard: the seed and what was expected. */
  summary?: string;
  /** Failure diagram path from the repository root. */
  diagram?: string;
  /** The file to open (pending) or the file graded. */
  file: string;
}

declare module "vitest" {
  interface TaskMeta {
    distlab?: GradeMeta;
  }
}

/**
 * An error that prints only its message: no stack frames, so vitest prints no code frame.
 *
 * @example
 * throw new GradeError("00.1 ping-pong failed with seed 7 …");
 */
export class GradeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GradeError";
    this.stack = `${this.name}: ${message}`;
  }
}

/** Break `text` into lines of at most `width` characters, the later ones indented by `indent`. */
function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines.join(`\n${indent}`);
}

/**
 * The command that reruns exactly one seed of an exercise.
 *
 * @example
 * replayCommand(exercise("00.1"), 7); // 'npm test -- test/00-getting-started.test.ts -t "00.1 ping-pong seed 7$"'
 */
export function replayCommand(ex: Exercise, seed: number): string {
  return `npm test -- ${graderFile(ex)} -t "${suiteName(ex)} seed ${seed}$"`;
}

/**
 * The text a failing grader prints.
 *
 * @example
 * formatFailure(exercise("00.1"), result, "build/failures/00.1-ping-pong-seed-7.mmd");
 * formatFailure(exercise("00.1"), result, diagram, "exercises", "full", "build/failures/00.1-ping-pong-seed-7.trace.json");
 */
export function formatFailure(
  ex: Exercise,
  result: CheckResult,
  diagram: string | undefined,
  target: Target = "exercises",
  hint: "full" | "short" = "full",
  trace?: string,
): string {
  const pad = "            ";
  const lines = [
    `${ex.id} ${ex.slug} failed with seed ${result.seed} (${exerciseFile(ex, target)})`,
    `  scenario  ${wrap(result.scenario ?? "?", 86, pad)}`,
    `  expected  ${wrap(result.expected ?? "?", 86, pad)}`,
    `  got       ${wrap(result.got ?? "?", 86, pad)}`,
    `  seed      ${result.seed}: the same seed replays the same run; rerun just this one with`,
    `            ${replayCommand(ex, result.seed)}`,
  ];
  if (diagram) {
    lines.push(`  diagram   ${diagram} (${EVIDENCE_MARK} marks the messages this is about)`);
    lines.push(`            render it: npm run diagrams -- ${FAILURES_DIR} (or paste it into https://mermaid.live)`);
  }
  if (trace) {
    lines.push(`  trace     ${trace} (the whole run)`);
    lines.push(`            watch it: ${viewerCommand(trace)}, then open the .html it writes`);
  }
  lines.push(`  hint      ${hint === "full" ? wrap(ex.hint, 86, pad) : "(printed with the first failing seed above)"}`);
  return lines.join("\n");
}

/**
 * Register the graded tests of one exercise: `describe("<id> <slug>")` with one test per seed that
 * loads the implementation from the current target and runs `check(impl, seed)`.
 *
 * @example
 * gradeExercise("00.1", checkPingPong);
 */
export function gradeExercise<Impl extends object>(id: string, check: (impl: Impl, seed: number) => Promise<CheckResult>): void {
  const ex = exercise(id);
  const target = currentTarget();
  const file = exerciseFile(ex, target);
  let hintShown = false; // the hint is printed in full with the first failing seed only
  describe(suiteName(ex), () => {
    for (const seed of ex.seeds) {
      it(`seed ${seed}`, async (ctx) => {
        const meta: GradeMeta = { exercise: ex.id, seed, status: "fail", file };
        ctx.task.meta.distlab = meta;
        removeFailureDiagram(ex, seed);
        let impl: Impl;
        try {
          impl = await loadTarget<Impl>(ex.module);
        } catch (error) {
          meta.summary = `${file} does not load`;
          const text = error instanceof Error ? error.message : String(error);
          throw new GradeError(`${ex.id} ${ex.slug}: ${file} does not load:\n${text}`);
        }
        const result = await check(impl, seed);
        if (result.status === "pass") {
          meta.status = "pass";
          return;
        }
        if (result.status === "pending") {
          if (target === "solutions") {
            meta.summary = `${file} is not implemented`;
            throw new GradeError(`${ex.id} ${ex.slug}: the reference ${file} is not implemented: ${result.pendingMessage}`);
          }
          meta.status = "pending";
          meta.summary = `open ${file}`;
          ctx.skip(`pending: ${result.pendingMessage ?? `open ${file}`}`);
        }
        const diagram = writeFailureDiagram(ex, result);
        const trace = writeFailureTrace(ex, result);
        meta.summary = `seed ${seed}: expected ${result.expected}; got ${result.got}`;
        meta.diagram = diagram;
        const text = formatFailure(ex, result, diagram, target, hintShown ? "short" : "full", trace);
        hintShown = true;
        throw new GradeError(text);
      });
    }
  });
}
