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
 * name of its `describe` block (`"00.1 ping-pong"`). Nothing is printed when no grader ran.
 */
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
  /** Seeds that passed, failed, were pending, or did not run (filtered out). */
  passed: number;
  failed: number;
  pending: number;
  /** The first failing seed's summary and diagram, or why the grader file did not load. */
  failure?: { summary: string; diagram?: string };
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
      s = { exercise: ex, status: "not run", points: 0, passed: 0, failed: 0, pending: 0 };
      scores.set(ex.id, s);
    }
    return s;
  };
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
        s.failure ??= { summary: meta?.summary ?? result.errors[0]?.message.split("\n")[0] ?? "failed", diagram: meta?.diagram };
      } else if (result.state === "skipped" && meta?.status === "pending") s.pending++;
    }
  }
  const out: ExerciseScore[] = [];
  for (const ex of EXERCISES) {
    if (!notebooks.has(ex.notebook)) continue;
    const s = score(ex);
    const loadError = loadErrors.get(ex.notebook);
    if (loadError && s.failed === 0) s.failure = { summary: loadError };
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

/**
 * The scoreboard as text (empty when no exercise was graded).
 *
 * @example
 * console.log(formatScoreboard(scoreExercises(testModules), "exercises"));
 */
export function formatScoreboard(scores: readonly ExerciseScore[], target: Target, color = chalk): string {
  if (scores.length === 0) return "";
  const nameWidth = Math.max(...scores.map((s) => suiteName(s.exercise).length));
  const lines = ["", color.bold(` Scoreboard (graded: ${target}/${target === "solutions" ? ", the reference" : ""})`)];
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
        detail = shorten(s.failure?.summary ?? "", 100);
        if (s.failure?.diagram) more = `diagram ${s.failure.diagram}`;
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
  lines.push("");
  return lines.join("\n");
}

/** The vitest reporter (`reporters: ["default", "./test/grading/scoreboard-reporter.ts"]`). */
export default class ScoreboardReporter implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const text = formatScoreboard(scoreExercises(testModules), currentTarget());
    if (!text) return;
    if (this.vitest) this.vitest.logger.log(text);
    else console.log(text);
  }
}
