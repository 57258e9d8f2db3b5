/**
 * A vitest reporter that ends a run with the scoreboard: per notebook, each exercise done,
 * pending or failing, with its points, and the totals.
 *
 *    Scoreboard (graded: exercises/)
 *    00 getting-started
 *      00.1 ping-pong  ✔ done     10/10
 *      00.2 echo       … pending   0/10  open exercises/00-getting-started/echo.ts
 *    Total 10/20 points · 1 done · 1 pending · 0 failing
 *
 * It reads the graded tests' `meta().distlab` (see grade.ts) and finds each exercise by the
 * name of its `describe` block (`"00.1 ping-pong"`). Nothing is printed when no grader ran;
 * exercises a `-t` filter left out are not listed. When a failure diagram was written, the last
 * line is the command that renders it.
 *
 * Option `failures`: "summary" (default; `npm test`, where vitest's own reporter has already
 * printed every failure in full) gives each failing exercise one line; "full" (`npm run grade`,
 * which shows nothing else) first prints each failing exercise's first failure in full, exactly
 * as the grader wrote it: expected, got, seed, replay command, diagram, hint.
 */
import path from "node:path";
import chalk from "chalk";
import type { Reporter, TestCase, TestModule, TestSuite, Vitest } from "vitest/node";
import { EXERCISES, NOTEBOOKS, exerciseFile, suiteName, type Exercise } from "./exercises";
import type { GradeMeta } from "./grade";
import { currentTarget, type Target } from "./target";

/** Where one exercise stands after a run. */
export interface ExerciseScore {
  exercise: Exercise;
  status: "done" | "pending" | "failing" | "partly run" | "not run";
  /** Points earned: all of them when every seed passed, else 0. */
  points: number;
  /** Seeds that passed, failed, were pending, or did not run (left out by a -t filter; 0 if unset). */
  passed: number;
  failed: number;
  pending: number;
  filtered?: number;
  /** The seeds that failed, in the order they ran (scoreExercises always sets it). */
  failedSeeds?: number[];
  /**
   * The first failing seed: its one-line summary, its full text (the grader's GradeError message;
   * the summary when unset), its diagram; or why the grader file did not load.
   */
  failure?: { summary: string; text?: string; diagram?: string };
}

/** Options of the reporter (and of {@link formatScoreboard}). */
export interface ScoreboardOptions {
  /** "summary": one line per failing exercise (default); "full": its first failure in full, too. */
  failures?: "summary" | "full";
}

function exerciseOf(test: TestCase): Exercise | undefined {
  const meta = test.meta().distlab;
  if (meta) return EXERCISES.find((e) => e.id === meta.exercise);
  for (let p: TestSuite | TestModule = test.parent; p.type === "suite"; p = p.parent) {
    const name = p.name;
    const found = EXERCISES.find((e) => suiteName(e) === name);
    if (found) return found;
  }
  return undefined;
}

/** The notebook a grader file belongs to: `test/00-getting-started.test.ts` → `00-getting-started`. */
function notebookOf(module: TestModule): string | undefined {
  const base = module.moduleId.split(/[\\/]/).pop() ?? "";
  return Object.keys(NOTEBOOKS).find((nb) => base.startsWith(nb) && base.endsWith(".test.ts"));
}

/**
 * Score every exercise whose grader took part in the run (empty when no grader ran).
 *
 * @example
 * const scores = scoreExercises(testModules); // [{ exercise: {id: "00.1", …}, status: "pending", points: 0, … }, …]
 */
export function scoreExercises(testModules: ReadonlyArray<TestModule>): ExerciseScore[] {
  const scores = new Map<string, ExerciseScore>();
  const notebooks = new Set<string>();
  const loadErrors = new Map<string, string>();
  const score = (ex: Exercise): ExerciseScore => {
    let s = scores.get(ex.id);
    if (!s) {
      s = { exercise: ex, status: "not run", points: 0, passed: 0, failed: 0, pending: 0, filtered: 0, failedSeeds: [] };
      scores.set(ex.id, s);
    }
    return s;
  };
  const filtered = new Map<string, number>();
  const failedSeeds = new Map<string, number[]>();
  for (const module of testModules) {
    const nb = notebookOf(module);
    const errors = module.errors();
    if (nb && errors.length > 0) {
      notebooks.add(nb);
      loadErrors.set(nb, `${module.relativeModuleId} did not load: ${errors[0].message}`);
    }
    for (const test of module.children.allTests()) {
      const ex = exerciseOf(test);
      if (!ex) continue;
      notebooks.add(ex.notebook);
      const s = score(ex);
      const meta: GradeMeta | undefined = test.meta().distlab;
      const result = test.result();
      if (result.state === "passed") s.passed++;
      else if (result.state === "failed") {
        s.failed++;
        if (meta) failedSeeds.set(ex.id, [...(failedSeeds.get(ex.id) ?? []), meta.seed]);
        const text = result.errors?.map((e) => e.message).join("\n") || "failed";
        s.failure ??= { summary: meta?.summary ?? text.split("\n")[0], text, diagram: meta?.diagram };
      } else if (result.state === "skipped" && meta?.status === "pending") s.pending++;
      else if (result.state === "skipped" && meta === undefined) filtered.set(ex.id, (filtered.get(ex.id) ?? 0) + 1);
    }
  }
  const out: ExerciseScore[] = [];
  for (const ex of EXERCISES) {
    if (!notebooks.has(ex.notebook)) continue;
    const s = score(ex);
    const loadError = loadErrors.get(ex.notebook);
    // a -t filter left every test of this exercise out: it was not graded, so it is not listed
    s.filtered = filtered.get(ex.id) ?? 0;
    s.failedSeeds = failedSeeds.get(ex.id) ?? [];
    if (!loadError && s.filtered > 0 && s.passed + s.failed + s.pending === 0) continue;
    if (loadError && s.failed === 0) s.failure = { summary: loadError, text: loadError };
    if (s.failed > 0 || loadError) s.status = "failing";
    else if (s.pending > 0) s.status = "pending";
    else if (s.passed === ex.seeds.length) s.status = "done";
    else if (s.passed > 0) s.status = "partly run";
    s.points = s.status === "done" ? ex.points : 0;
    out.push(s);
  }
  return out;
}

function shorten(text: string, charsMax: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length <= charsMax ? line : `${line.slice(0, charsMax - 1)}…`;
}

/** Each failing exercise's first failure in full, as the grader wrote it, with the seeds that failed. */
function fullFailures(scores: readonly ExerciseScore[], color: typeof chalk): string[] {
  const lines: string[] = [];
  for (const s of scores) {
    if (s.status !== "failing" || !s.failure) continue;
    const ex = s.exercise;
    const ran = s.passed + s.failed;
    const failed = s.failedSeeds ?? [];
    const seeds = failed.length > 0 ? `: failing seed${failed.length === 1 ? "" : "s"} ${failed.join(", ")} (${failed.length} of ${ran} run). The first:` : "";
    lines.push("", color.red.bold(` ✘ ${suiteName(ex)}${seeds}`));
    for (const line of (s.failure.text ?? s.failure.summary).split("\n")) lines.push(line === "" ? "" : `   ${line}`);
  }
  return lines;
}

/**
 * The scoreboard as text (empty when no exercise was graded). With `{ failures: "full" }` it
 * starts with each failing exercise's first failure in full.
 *
 * @example
 * console.log(formatScoreboard(scoreExercises(testModules), "exercises"));
 * console.log(formatScoreboard(scores, "exercises", chalk, { failures: "full" })); // npm run grade
 */
export function formatScoreboard(scores: readonly ExerciseScore[], target: Target, color = chalk, options: ScoreboardOptions = {}): string {
  if (scores.length === 0) return "";
  const nameWidth = Math.max(...scores.map((s) => suiteName(s.exercise).length));
  const lines = options.failures === "full" ? fullFailures(scores, color) : [];
  lines.push("", color.bold(` Scoreboard (graded: ${target}/${target === "solutions" ? ", the reference" : ""})`));
  let notebook = "";
  for (const s of scores) {
    const ex = s.exercise;
    if (ex.notebook !== notebook) {
      notebook = ex.notebook;
      lines.push(color.bold(` ${NOTEBOOKS[notebook] ?? notebook}`));
    }
    const points = `${s.points}/${ex.points}`.padStart(5);
    const name = suiteName(ex).padEnd(nameWidth);
    let mark: string;
    let detail = "";
    let more = "";
    switch (s.status) {
      case "done":
        mark = color.green("✔ done".padEnd(12));
        break;
      case "pending":
        mark = color.yellow("… pending".padEnd(12));
        detail = `open ${exerciseFile(ex, target)}`;
        break;
      case "failing":
        mark = color.red("✘ failing".padEnd(12));
        if (options.failures === "full") {
          detail = s.failedSeeds?.length ? `${s.failedSeeds.length} of ${s.passed + s.failed} seeds run failed: see above` : "see above";
        } else {
          detail = shorten(s.failure?.summary ?? "", 100);
          if (s.failure?.diagram) more = `diagram ${s.failure.diagram}`;
        }
        break;
      case "partly run":
        mark = color.cyan("◐ partly run".padEnd(12));
        detail = `${s.passed}/${ex.seeds.length} seeds passed; run every seed for the points`;
        break;
      default:
        mark = color.dim("– not run".padEnd(12));
    }
    const line = `   ${name}  ${mark} ${points}`;
    lines.push(`${line}${detail ? `  ${detail}` : ""}`);
    if (more) lines.push(`${" ".repeat(3 + nameWidth + 2 + 12 + 1 + 5 + 2)}${more}`);
  }
  const total = scores.reduce((n, s) => n + s.points, 0);
  const max = scores.reduce((n, s) => n + s.exercise.points, 0);
  const count = (status: ExerciseScore["status"]): number => scores.filter((s) => s.status === status).length;
  const parts = [`${count("done")} done`, `${count("pending")} pending`, `${count("failing")} failing`];
  if (count("partly run") + count("not run") > 0) parts.push(`${count("partly run") + count("not run")} not fully run`);
  lines.push(color.bold(` Total ${total}/${max} points · ${parts.join(" · ")}`));
  const pending = count("pending");
  if (pending > 0 && target === "exercises") {
    lines.push(color.dim(` ${pending} exercise${pending === 1 ? " is" : "s are"} pending: open the file shown, remove the NotImplementedError line and write your code.`));
  }
  const diagramDirs = [...new Set(scores.flatMap((s) => (s.status === "failing" && s.failure?.diagram ? [path.posix.dirname(s.failure.diagram)] : [])))];
  for (const dir of diagramDirs) {
    lines.push(` Failure diagrams are in ${dir}/: render them (.svg and .png next to each .mmd) with  ${color.bold(`npm run diagrams -- ${dir}`)}`);
  }
  lines.push("");
  return lines.join("\n");
}

/**
 * The vitest reporter: `reporters: ["default", "./test/grading/scoreboard-reporter.ts"]`, or for
 * `npm run grade`, `[["./test/grading/scoreboard-reporter.ts", { failures: "full" }]]`.
 */
export default class ScoreboardReporter implements Reporter {
  private vitest: Vitest | undefined;
  private readonly options: ScoreboardOptions;

  constructor(options: ScoreboardOptions = {}) {
    this.options = { failures: options.failures ?? "summary" };
  }

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const text = formatScoreboard(scoreExercises(testModules), currentTarget(), chalk, this.options);
    if (!text) return;
    if (this.vitest) this.vitest.logger.log(text);
    else console.log(text);
  }
}
