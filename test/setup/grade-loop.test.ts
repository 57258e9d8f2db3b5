// The student's fast loop, `npm run grade` (issue 6, part 6): `npm run grade -- 00` grades one
// notebook and `npm run grade -- 00.1` one exercise; a failing exercise's first failure is printed
// in full (the scoreboard line alone is cut with "…"), and the output ends with the command that
// renders the failure diagrams.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { Chalk } from "chalk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXERCISES, exercise, type Exercise } from "../grading/exercises";
import { formatScoreboard, type ExerciseScore } from "../grading/scoreboard-reporter";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const { gradeSelection } = createRequire(import.meta.url)(path.join(root, "scripts/grade.js")) as {
  gradeSelection(
    argv: string[],
    exercises: ReadonlyArray<Pick<Exercise, "id" | "notebook">>,
    files: string[],
  ): { files: string[]; args: string[] };
};

const GRADERS = ["test/00-getting-started.test.ts"];
/** The registry's notebook-00 exercises: these tests use a fixed, small registry of their own. */
const NB00 = EXERCISES.filter((e) => e.notebook === "00-getting-started");

/** The -t pattern of a selection, as vitest compiles it. */
function pattern(selection: { args: string[] }): RegExp {
  const i = selection.args.indexOf("-t");
  expect(i, `no -t in ${JSON.stringify(selection.args)}`).toBeGreaterThanOrEqual(0);
  return new RegExp(selection.args[i + 1]);
}

describe("npm run grade -- <notebook | exercise>", () => {
  it("no argument: every grader, no filter", () => {
    expect(gradeSelection([], NB00, GRADERS)).toEqual({ files: GRADERS, args: [] });
  });

  it("a notebook, by number or name: its grader file, every exercise in it", () => {
    expect(gradeSelection(["00"], NB00, GRADERS)).toEqual({ files: GRADERS, args: [] });
    expect(gradeSelection(["00-getting-started"], NB00, GRADERS)).toEqual({ files: GRADERS, args: [] });
    expect(gradeSelection(["test/00-getting-started.test.ts"], NB00, GRADERS)).toEqual({ files: GRADERS, args: [] });
  });

  it("an exercise: its notebook's grader file and a -t that keeps exactly its tests", () => {
    const one = gradeSelection(["00.1"], NB00, GRADERS);
    expect(one.files).toEqual(GRADERS);
    const t = pattern(one);
    expect(t.test("00.1 ping-pong seed 7")).toBe(true);
    expect(t.test("00.2 echo seed 7")).toBe(false);
    expect(t.test("00.10 later seed 7")).toBe(false);
    expect(t.test("x 00.1 ping-pong seed 7")).toBe(false);
  });

  it("several exercises, across notebooks", () => {
    const exercises = [...NB00, { id: "01.1", notebook: "01-time" }, { id: "01.2", notebook: "01-time" }];
    const files = [...GRADERS, "test/01-time.test.ts"];
    const both = gradeSelection(["00.2", "01.1"], exercises, files);
    expect(both.files).toEqual(files);
    const t = pattern(both);
    expect(["00.1 a seed 1", "00.2 b seed 1", "01.1 c seed 1", "01.2 d seed 1"].filter((n) => t.test(n))).toEqual(["00.2 b seed 1", "01.1 c seed 1"]);
    // a whole notebook and an exercise of another
    const mixed = pattern(gradeSelection(["01", "00.2"], exercises, files));
    expect(["00.1 a seed 1", "00.2 b seed 1", "01.1 c seed 1", "01.2 d seed 1"].filter((n) => mixed.test(n))).toEqual(["00.2 b seed 1", "01.1 c seed 1", "01.2 d seed 1"]);
    expect(gradeSelection(["01"], exercises, files)).toEqual({ files: ["test/01-time.test.ts"], args: [] });
  });

  it("lettered exercises (09A, 09B, …): one by id, and a whole notebook beside another's exercise", () => {
    const exercises = [...NB00, { id: "09A", notebook: "09-raft" }, { id: "09B", notebook: "09-raft" }];
    const files = [...GRADERS, "test/09-raft.test.ts"];
    const one = gradeSelection(["09B"], exercises, files);
    expect(one.files).toEqual(["test/09-raft.test.ts"]);
    expect(["09A a seed 1", "09B b seed 1", "09BC c seed 1"].filter((n) => pattern(one).test(n))).toEqual(["09B b seed 1"]);
    const mixed = pattern(gradeSelection(["09", "00.2"], exercises, files));
    expect(["00.1 a seed 1", "00.2 b seed 1", "09A c seed 1", "09B d seed 1"].filter((n) => mixed.test(n))).toEqual(["00.2 b seed 1", "09A c seed 1", "09B d seed 1"]);
  });

  it("an exercise and the caller's own -t: both must hold", () => {
    const t = pattern(gradeSelection(["00.1", "-t", "seed 7$"], NB00, GRADERS));
    expect(["00.1 ping-pong seed 7", "00.1 ping-pong seed 77", "00.2 echo seed 7"].filter((n) => t.test(n))).toEqual(["00.1 ping-pong seed 7"]);
    expect(gradeSelection(["-t", "seed 7$", "--bail=1"], NB00, GRADERS)).toEqual({ files: GRADERS, args: ["-t", "seed 7$", "--bail=1"] });
  });

  it("a selector that matches nothing names what there is", () => {
    expect(() => gradeSelection(["01"], NB00, GRADERS)).toThrow('nothing to grade for "01": the exercises are 00.1, 00.2; the notebooks with graders are 00-getting-started');
    expect(() => gradeSelection(["00.9"], NB00, GRADERS)).toThrow(/nothing to grade for "00\.9"/);
  });

});

describe("npm run grade, end to end, in a copy of the repository with a wrong 00.1 and a right 00.2", () => {
  // A copy, so that its failure diagrams (build/failures/) never touch the student's own.
  let copy: string;
  beforeAll(() => {
    copy = fs.mkdtempSync(path.join(os.tmpdir(), "distlab-grade-loop-"));
    for (const entry of ["lib", "test", "exercises", "solutions", "scripts", "package.json", "tsconfig.json", "vitest.config.ts"]) {
      fs.cpSync(path.join(root, entry), path.join(copy, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(root, "node_modules"), path.join(copy, "node_modules"), "dir");
    // a realistic mistake: the ponger answers with the next round number instead of the ping's own n
    fs.writeFileSync(
      path.join(copy, "exercises/00-getting-started/ping-pong.ts"),
      [
        'import type { Node } from "../../lib/node";',
        'export { pinger } from "../../solutions/00-getting-started/ping-pong";',
        "export function ponger(node: Node): void {",
        '  node.on("ping", (ping) => node.reply(ping, { type: "pong", n: ping.body.n + 1 }));',
        "}",
        "",
      ].join("\n"),
    );
    // and a right 00.2, whatever state the student's own is in
    fs.writeFileSync(path.join(copy, "exercises/00-getting-started/echo.ts"), 'export * from "../../solutions/00-getting-started/echo";\n');
  });
  afterAll(() => {
    if (copy) fs.rmSync(copy, { recursive: true, force: true });
  });

  function grade(args: string[]): { status: number | null; output: string; seconds: number } {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (value !== undefined && !key.startsWith("VITEST") && key !== "TEST" && key !== "NODE_ENV" && key !== "DISTLAB_TARGET") env[key] = value;
    }
    Object.assign(env, { FORCE_COLOR: "0", NO_COLOR: "1" });
    const started = performance.now();
    const run = spawnSync(process.execPath, [path.join(copy, "scripts/grade.js"), ...args], { cwd: copy, env, encoding: "utf8", timeout: 60_000 });
    return { status: run.status, output: `${run.stdout}\n${run.stderr}`, seconds: (performance.now() - started) / 1000 };
  }

  it("npm run grade -- 00.1: only that exercise, its first failure in full, the render command last, in seconds", () => {
    const run = grade(["00.1"]);
    expect(run.status, run.output).toBe(1);
    expect(run.output).toMatch(/ ✘ 00\.1 ping-pong: failing seeds? [\d, ]+ \(\d+ of 5 run\)\. The first:/);
    // the grader's whole message, not a line cut with "…"
    expect(run.output).toMatch(/00\.1 ping-pong failed with seed \d+ \(exercises\/00-getting-started\/ping-pong\.ts\)/);
    expect(run.output).toMatch(/^\s+expected\s/m);
    expect(run.output).toMatch(/^\s+got\s/m);
    expect(run.output).toMatch(/npm test -- test\/00-getting-started\.test\.ts -t "00\.1 ping-pong seed \d+\$"/);
    expect(run.output).toMatch(/^\s+hint\s+The ponger answers with node\.reply/m);
    expect(run.output).not.toContain("…");
    expect(run.output).not.toContain("00.2 echo"); // not selected
    const lines = run.output.trimEnd().split("\n");
    expect(lines[lines.length - 1]).toContain("npm run diagrams -- build/failures");
    expect(fs.readdirSync(path.join(copy, "build/failures")).some((f) => f.startsWith("00.1-ping-pong-seed-"))).toBe(true);
    expect(run.seconds, `npm run grade -- 00.1 took ${run.seconds.toFixed(1)} s`).toBeLessThan(30); // ~2 s when idle
  }, 60_000);

  it("npm run grade -- 00: the whole notebook", () => {
    const run = grade(["00"]);
    expect(run.status, run.output).toBe(1);
    expect(run.output).toMatch(/00\.1 ping-pong\s+✘ failing/);
    expect(run.output).toMatch(/00\.2 echo\s+✔ done\s+10\/10/);
  }, 60_000);
});

describe("the scoreboard of npm run grade prints the failure in full", () => {
  const ex = exercise("00.1");
  const text = [
    `00.1 ping-pong failed with seed 7 (exercises/00-getting-started/ping-pong.ts)`,
    `  expected  b → c pong n=1 (the same n as the ping), and a long explanation that goes on past the hundred characters the summary line keeps`,
    `  got       b → c pong n=2`,
    `  seed      7: the same seed replays the same run; rerun just this one with`,
    `            npm test -- test/00-getting-started.test.ts -t "00.1 ping-pong seed 7$"`,
    `  diagram   build/failures/00.1-ping-pong-seed-7.mmd`,
    `  hint      ${ex.hint}`,
  ].join("\n");
  const failing: ExerciseScore = {
    exercise: ex,
    status: "failing",
    points: 0,
    passed: 3,
    failed: 2,
    pending: 0,
    filtered: 0,
    failedSeeds: [7, 42],
    failure: { summary: `seed 7: expected ${"x".repeat(120)}`, text, diagram: "build/failures/00.1-ping-pong-seed-7.mmd" },
  };
  const plain = new Chalk({ level: 0 });

  it("with failures: \"full\", every line of the grader's message, uncut, before the table", () => {
    const out = formatScoreboard([failing], "exercises", plain, { failures: "full" });
    expect(out).toContain(" ✘ 00.1 ping-pong: failing seeds 7, 42 (2 of 5 run). The first:");
    for (const line of text.split("\n")) expect(out).toContain(`   ${line}`);
    expect(out).not.toContain("…");
    expect(out.indexOf("failed with seed 7")).toBeLessThan(out.indexOf("Scoreboard"));
    expect(out).toMatch(/00\.1 ping-pong\s+✘ failing\s+0\/10\s+2 of 5 seeds run failed: see above/);
  });

  it("by default (npm test, whose reporter printed the failures already) one line, cut", () => {
    const out = formatScoreboard([failing], "exercises", plain);
    expect(out).not.toContain("failed with seed 7");
    expect(out).toContain("…");
    expect(out).toContain("diagram build/failures/00.1-ping-pong-seed-7.mmd");
  });

  it("ends with the command that renders the failure diagrams", () => {
    for (const failures of ["summary", "full"] as const) {
      const lines = formatScoreboard([failing], "exercises", plain, { failures }).trimEnd().split("\n");
      expect(lines[lines.length - 1]).toContain("npm run diagrams -- build/failures");
    }
    const passing: ExerciseScore = { ...failing, status: "done", points: 10, passed: 5, failed: 0, failedSeeds: [], failure: undefined };
    expect(formatScoreboard([passing], "exercises", plain)).not.toContain("npm run diagrams");
  });
});
