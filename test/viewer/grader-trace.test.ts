// A failing grader saves the failing run's trace beside its diagram (build/failures/<id>-<slug>-
// seed-<seed>.trace.json), names it in the failure output with the command that opens it in the
// viewer, and removes it when the seed passes again; the file loads, and makes a viewer page.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { loadTrace, viewerHtml } from "../../lib/viewer";
import { exercise, failureTracePath, formatFailure, removeFailureDiagram, viewerCommand, writeFailureTrace, type CheckResult } from "../grading";
import { REPO_ROOT } from "../grading/target";
import { VIEWER_EVENTS } from "./fixtures";

/** A seed no grader uses, so that this test's files never meet a real failure's. */
const SEED = 990_017;

describe("a failing grader's trace", () => {
  const ex = exercise("00.1");
  const result: CheckResult = {
    status: "fail",
    seed: SEED,
    scenario: "ping-pong with 3 rounds",
    trial: { index: 2, count: 5, seed: 123 },
    expected: "b → a pong n=1",
    got: "nothing",
    events: VIEWER_EVENTS,
    nodeOrder: ["a", "b", "c"],
    traceHashes: [],
  };

  it("is saved beside the diagram with the run's seed, named in the output with the viewer command, and removed on a pass", () => {
    const file = writeFailureTrace(ex, result);
    const abs = path.join(REPO_ROOT, file);
    try {
      expect(file).toBe(`build/failures/00.1-ping-pong-seed-${SEED}.trace.json`);
      expect(failureTracePath(ex, SEED)).toBe(file);
      const saved = loadTrace(abs);
      expect(saved.events).toEqual(VIEWER_EVENTS);
      expect(saved.meta).toMatchObject({ seed: 123, graderSeed: SEED, nodes: ["a", "b", "c"], expected: "b → a pong n=1", got: "nothing" });
      expect(saved.meta.title).toBe(`00.1 ping-pong failed, seed ${SEED}, trial 3`);
      expect(saved.meta.scenario).toBe("ping-pong with 3 rounds");
      const page = viewerHtml(saved);
      expect(page).toContain(`00.1 ping-pong failed, seed ${SEED}, trial 3 · seed 123`);
      expect(page).toContain(`expected b → a pong n=1; got nothing`);

      const text = formatFailure(ex, result, `build/failures/00.1-ping-pong-seed-${SEED}.mmd`, "exercises", "full", file);
      const lines = text.split("\n");
      const at = lines.findIndex((l) => l.startsWith("  trace     "));
      expect(lines[at]).toBe(`  trace     ${file} (the whole run)`);
      expect(lines[at + 1]).toBe(`            watch it: ${viewerCommand(file)}, then open the .html it writes`);
      expect(viewerCommand(file)).toBe(`npm run viewer -- ${file}`);
      expect(at).toBeGreaterThan(lines.findIndex((l) => l.startsWith("  diagram   ")));
      expect(formatFailure(ex, result, undefined)).not.toContain("trace ");

      removeFailureDiagram(ex, SEED);
      expect(fs.existsSync(abs)).toBe(false);
    } finally {
      fs.rmSync(abs, { force: true });
    }
  });
});
