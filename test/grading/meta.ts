/**
 * The meta tests every grader gets (`metaTests(graded)`, one call per exercise in
 * `test/meta/NN-topic.test.ts`): it accepts the reference and the correct variants in
 * test/fixtures/accepted/ for every seed, reports the untouched stub as pending, is deterministic,
 * runs enough trials, and rejects every buggy variant in test/fixtures/buggy/ for its stated reason
 * (the regex is matched against "expected …; got …"), with the seed, the replay command, the hint
 * and a failure diagram that shows the evidence. These always load solutions/ and the fixtures,
 * whatever DISTLAB_TARGET says.
 */
import { describe, expect, it } from "vitest";
import { NotImplementedError } from "../../exercises/not-implemented";
import { escapeMermaidText } from "../../lib/trace";
import {
  EVIDENCE_MARK,
  failureDiagram,
  FINDING_LABEL,
  formatFailure,
  loadModule,
  NOTE_LINE_CHARS,
  TRIALS_PER_GRADER_MIN,
  type CheckResult,
  type Exercise,
} from "./index";

/** Each exercise has at least this many deliberately wrong solutions that its grader rejects. */
export const BUGGY_FIXTURES_MIN = 4;

/** One exercise's grader with what its meta tests need. */
export interface Graded<Impl> {
  exercise: Exercise;
  check: (impl: Impl, seed: number) => Promise<CheckResult>;
  /** Trials per seed of each scenario. */
  trials: number;
  /** A stand-in for the untouched stub (the real stub may already be solved by the student). */
  stub: Impl;
  /** Buggy variants: fixture module under test/fixtures/buggy/, and the reason its failure must give. */
  buggy: ReadonlyArray<[fixture: string, because: RegExp]>;
  /** Other correct solutions, written in another style: fixture modules under test/fixtures/accepted/. */
  accepted?: readonly string[];
}

/**
 * What an untouched stub does: throw `NotImplementedError` for this exercise.
 *
 * @example
 * stub: { server: () => notImplemented(exercise("02.1")) },
 */
export function notImplemented(ex: Exercise): never {
  throw new NotImplementedError(`${ex.id} ${ex.slug}`, `exercises/${ex.module}.ts`);
}

/** "node.peers()[0] is a bystander" — the reason for every wrong-recipient mistake (a regex source). */
export const BYSTANDER = String.raw`no message to \w+: it is a bystander the grader spawned first, so node\.peers\(\)\[0\] is "\w+"`;

/** Runs the check with every seed of the exercise. */
export async function allSeeds<Impl>(g: Graded<Impl>, impl: Impl): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const seed of g.exercise.seeds) results.push(await g.check(impl, seed));
  return results;
}

/** One line per result: "seed 7 fail: expected …; got …". */
export function explain(r: CheckResult): string {
  return `seed ${r.seed} ${r.status}${r.expected ? `: expected ${r.expected}; got ${r.got}` : ""}${r.pendingMessage ? `: ${r.pendingMessage}` : ""}`;
}

/**
 * Declares the meta tests of one exercise's grader.
 *
 * @example
 * metaTests(pingPong); // in test/meta/00-getting-started.test.ts
 */
export function metaTests<Impl extends object>(g: Graded<Impl>): void {
  const ex = g.exercise;
  describe(`grader ${ex.id} ${ex.slug}`, () => {
    it("follows the harness's rules: enough trials, at least four buggy fixtures", () => {
      // A bug in 5% of trials passes n trials with probability 0.95^n: n ≥ 135 keeps it below 0.001.
      const trials = ex.seeds.length * g.trials;
      expect(trials).toBeGreaterThanOrEqual(TRIALS_PER_GRADER_MIN);
      expect(0.95 ** trials).toBeLessThan(0.001);
      expect(g.buggy.length).toBeGreaterThanOrEqual(BUGGY_FIXTURES_MIN);
    });

    it("accepts the reference solution for every seed", async () => {
      const impl = await loadModule<Impl>(`solutions/${ex.module}`);
      const results = await allSeeds(g, impl);
      expect(results.map(explain)).toEqual(ex.seeds.map((seed) => `seed ${seed} pass`));
    });

    for (const fixture of g.accepted ?? []) {
      it(`accepts the correct variant ${fixture} for every seed`, async () => {
        const impl = await loadModule<Impl>(`test/fixtures/accepted/${ex.notebook}/${fixture}`);
        const results = await allSeeds(g, impl);
        expect(results.map(explain)).toEqual(ex.seeds.map((seed) => `seed ${seed} pass`));
      });
    }

    it("reports an untouched stub as pending, naming the file to open", async () => {
      const results = await allSeeds(g, g.stub);
      for (const r of results) {
        expect(r.status, explain(r)).toBe("pending");
        expect(r.pendingMessage).toBe(`Exercise ${ex.id} (${ex.slug}) is not implemented yet: open exercises/${ex.module}.ts`);
      }
    });

    it("is deterministic: one seed, the same runs", async () => {
      const impl = await loadModule<Impl>(`solutions/${ex.module}`);
      const seed = ex.seeds[1];
      const a = await g.check(impl, seed);
      const b = await g.check(impl, seed);
      expect(a.traceHashes.length).toBeGreaterThan(0);
      expect(b.traceHashes).toEqual(a.traceHashes);
    });

    for (const [fixture, because] of g.buggy) {
      it(`rejects buggy variant ${fixture}`, async () => {
        const impl = await loadModule<Impl>(`test/fixtures/buggy/${ex.notebook}/${fixture}`);
        // Seeds in order, up to the first that fails: that is the failure a student would see first.
        const results: CheckResult[] = [];
        for (const seed of ex.seeds) {
          results.push(await g.check(impl, seed));
          if (results[results.length - 1].status === "fail") break;
        }
        const failures = results.filter((r) => r.status === "fail");
        expect(failures.length, results.map(explain).join("\n")).toBeGreaterThan(0);
        const first = failures[0];
        expect(`expected ${first.expected}; got ${first.got}`).toMatch(because);
        // What a student would see: seed, replay command, diagram, hint; a diagram with a note.
        const text = formatFailure(ex, first, `build/failures/${ex.id}-${ex.slug}-seed-${first.seed}.mmd`);
        expect(text).toContain(`failed with seed ${first.seed}`);
        expect(text).toContain(`-t "${ex.id} ${ex.slug} seed ${first.seed}$"`);
        expect(text).toContain(`hint      ${ex.hint.slice(0, 20)}`);
        const diagram = failureDiagram(first, `${ex.id} ${ex.slug}, seed ${first.seed}`);
        expect(diagram.startsWith("sequenceDiagram")).toBe(true);
        expect(diagram).toContain(escapeMermaidText(FINDING_LABEL));
        expect(diagram).not.toContain("error in grading");
        // The picture shows every message the finding names (marked ★ on its arrow).
        for (const id of first.evidence ?? []) {
          const e = first.events?.find((x) => x.kind === "send" && x.id === id);
          if (e?.kind === "send" && e.msgId !== undefined) expect(diagram).toMatch(new RegExp(`${EVIDENCE_MARK} ${e.type} #35;${e.msgId}\\b`));
        }
        for (const line of noteLines(diagram)) expect(line.length, line).toBeLessThanOrEqual(NOTE_LINE_CHARS);
      });
    }
  });
}

/** The text lines of every wrapped note (entity codes decoded), to check their width. */
/** The text lines of every wrapped note, to check their width. */
export function noteLines(diagram: string): string[] {
  return diagram
    .split("\n")
    .filter((l) => l.includes("  Note ") && l.includes("<br/>"))
    .flatMap((l) => l.slice(l.indexOf(": ") + 2).split("<br/>"))
    .map((l) => l.replace(/#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code))));
}

/**
 * Wraps a check that can fill in statistics (`check(impl, seed, stats)`) so that the meta tests
 * collect them once per implementation and seed, in `measured`, while the runs go on as usual;
 * a meta test then asserts what the trials contained (e.g. "some answers had an expired instance").
 *
 * @example
 * const checkMeasured = measuring(registryMeasured, () => ({ trials: 0 }), checkServiceRegistry);
 */
export function measuring<Impl extends object, S>(
  measured: WeakMap<object, Map<number, S>>,
  fresh: () => S,
  check: (impl: Impl, seed: number, stats?: S) => Promise<CheckResult>,
): (impl: Impl, seed: number) => Promise<CheckResult> {
  return (impl, seed) => {
    let bySeed = measured.get(impl);
    if (bySeed === undefined) measured.set(impl, (bySeed = new Map()));
    if (bySeed.has(seed)) return check(impl, seed);
    const stats = fresh();
    bySeed.set(seed, stats);
    return check(impl, seed, stats);
  };
}
