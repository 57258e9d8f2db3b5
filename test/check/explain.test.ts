// What a student (and a grader) gets back: the explanation of a violation in words, the failure
// diagram, the "unknown" verdict when the step budget runs out (never a pass), and the same
// answer every time.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BLOCKED_MARK,
  LinearizabilityError,
  assertLinearizable,
  casRegisterModel,
  checkLinearizability,
  explainLinearizability,
  kvModel,
  linearizabilityDiagram,
  linearizabilityDiagramPath,
  linearizabilityFailure,
  parseJepsenEtcdLog,
  parseKvHistory,
  registerModel,
  writeLinearizabilityDiagram,
} from "../../lib/check";
import { MermaidRenderer, browserTestsSkipped } from "../../lib/render";
import { FIXTURES, ROOT, failed, history, ok, timedOut } from "./histories";

const etcd = (n: string) => parseJepsenEtcdLog(fs.readFileSync(path.join(FIXTURES, `etcd/etcd_${n}.log`), "utf8"));
const kv = (name: string) => parseKvHistory(fs.readFileSync(path.join(FIXTURES, `kv/${name}.txt`), "utf8"));

/**
 * A stale read with a concurrent writer:
 *   c1 |--write(1)--|
 *   c2                 |--write(2)------------|
 *   c3                    |--read → 1--|  (fine: write(2) may come later)
 *   c3                                  |--read → 1--|   (after read → 1 … fine too)
 *   c4                                                    |--read → 1--|  after write(2) completed: stale
 */
const staleRead = history(
  ok("c1", "write", 1, undefined, 0, 10),
  ok("c2", "write", 2, undefined, 15, 40),
  ok("c3", "read", null, 1, 18, 25),
  ok("c3", "read", null, 1, 27, 35),
  ok("c4", "read", null, 1, 45, 55),
  failed("c1", "write", 3, 12, 14),
);

describe("the explanation of a violation", () => {
  const result = checkLinearizability(staleRead, registerModel());

  it("names the longest linearizable prefix, in order, with the state after each operation", () => {
    const v = result.violation!;
    expect(result.verdict).toBe("not-linearizable");
    expect(v.prefix.map((op) => [op.id, op.text, op.stateAfter])).toEqual([
      [0, "write(1)", "1"],
      [3, "read → 1", "1"],
      [4, "read → 1", "1"],
      [2, "write(2)", "2"],
    ]);
    expect(v.stateAfterPrefix).toBe("2");
  });

  it("names the operation that cannot be placed, why, and the operations concurrent with it", () => {
    const v = result.violation!;
    expect(v.blocked).toMatchObject({ id: 5, process: "c4", text: "read → 1", invokeMs: 45, completeMs: 55 });
    expect(v.candidates.map((c) => [c.id, c.why])).toEqual([[5, "read 1, but the register holds 2"]]);
    expect(v.concurrent).toEqual([]);
    // the failed write(3) is not part of the check at all
    expect(v.operations.map((op) => op.id)).toEqual([0, 2, 3, 4, 5]);
  });

  it("reads as sentences a student can follow", () => {
    const text = explainLinearizability(result);
    expect(text).toContain("Not linearizable: no order of the 5 operations respects real time and the register's rules.");
    expect(text).toContain("The longest linearizable prefix it found places 4 of the 5 operations, in this order:");
    expect(text).toContain("1. #0 (c1: write(1), t=0ms–10ms)  ⇒ 1");
    expect(text).toContain("4. #2 (c2: write(2), t=15ms–40ms)  ⇒ 2");
    expect(text).toContain("#5 (c4: read → 1, t=45ms–55ms) completed first, so it must take effect next");
    expect(text).toContain("It does not fit: read 1, but the register holds 2.");
    expect(text).toContain("No operation overlaps #5 in time.");
    expect(linearizabilityFailure(result)).toBe(text);
  });

  it("lists the other operations that could go first, and why each does not fit", () => {
    // c1 |-write(1)-|   c2 |-------cas(2→3)-------|   c3 |---read → 3---|
    const h = history(ok("c1", "write", 1, undefined, 0, 10), ok("c2", "cas", [2, 3], undefined, 20, 50), ok("c3", "read", null, 3, 25, 40));
    const r = checkLinearizability(h, casRegisterModel());
    const text = explainLinearizability(r);
    expect(r.violation!.blocked.id).toBe(2);
    expect(text).toContain("It does not fit: read 3, but the register holds 1.");
    expect(text).toContain("Nor does any operation invoked before t=40ms fit first:");
    expect(text).toContain("- #1 (c2: cas(2→3), t=20ms–50ms): cas(2→3) succeeded, but the register holds 1");
    expect(text).toContain("Operations concurrent with #2: #1 cas(2→3) (not placed).");
  });

  it("shortens a long prefix to its last operations, and says where the rest is", () => {
    const text = explainLinearizability(checkLinearizability(etcd("000"), casRegisterModel()));
    expect(text).toContain("places 33 of the 65 operations");
    expect(text).toContain("… 23 earlier operations (result.violation.prefix has them all)");
    expect(text).toContain("#43 (11: read → 2, t=84ms–85ms) completed first");
    expect(text).toContain("#40 write(4) (no. 32 in the prefix)");
  });

  it("says which key a violation is on when the history is split by key", () => {
    const r = checkLinearizability(kv("c10-bad"), kvModel());
    expect(r.violation?.key).toBe("0");
    expect(explainLinearizability(r)).toMatch(/^Not linearizable: no order of the 36 operations on key "0"/);
  });

  it("a pass is one line", () => {
    expect(explainLinearizability(checkLinearizability(kv("c10-ok"), kvModel()))).toMatch(/^Linearizable: the 337 operations in 10 independent parts \(by key\) fit the key–value store/);
    expect(linearizabilityFailure(checkLinearizability(kv("c10-ok"), kvModel()))).toBeUndefined();
  });
});

describe("the step budget: unknown is never a pass", () => {
  it("a tiny budget gives unknown, with where it ran out", () => {
    const result = checkLinearizability(etcd("002"), casRegisterModel(), { maxSteps: 100 });
    expect(result).toMatchObject({ verdict: "unknown", steps: 100, maxSteps: 100, exhausted: { key: undefined, steps: 100 } });
    expect(result.violation).toBeUndefined();
  });

  it("the budget is exact: the steps a check took are enough, one fewer is not", () => {
    const full = checkLinearizability(staleRead, registerModel());
    expect(checkLinearizability(staleRead, registerModel(), { maxSteps: full.steps }).verdict).toBe("not-linearizable");
    expect(checkLinearizability(staleRead, registerModel(), { maxSteps: full.steps - 1 }).verdict).toBe("unknown");
  });

  it("parts share the budget; the part that used it up is named, the rest are not checked", () => {
    const result = checkLinearizability(kv("c10-ok"), kvModel(), { maxSteps: 200 });
    expect(result.verdict).toBe("unknown");
    // parts come in order of their first operation: keys "0", "1", "9", …; the first two take 43
    // and 127 steps, key "9" gets the 30 left and needs more
    expect(result.parts.map((p) => [p.key, p.verdict, p.steps])).toEqual([
      ["0", "linearizable", 43],
      ["1", "linearizable", 127],
      ["9", "unknown", 30],
      ...result.parts.slice(3).map((p) => [p.key, "not-checked", 0]),
    ]);
    expect(result.exhausted).toEqual({ key: "9", steps: 30 });
    expect(linearizabilityFailure(result)).toContain('The search used its whole budget of 200 steps (it ran out on key "9")');
  });

  it("the grader helper fails on unknown, saying the budget ran out and how to raise it", () => {
    const result = checkLinearizability(etcd("002"), casRegisterModel(), { maxSteps: 100 });
    const failure = linearizabilityFailure(result);
    expect(failure).toContain("UNKNOWN — this is not a pass.");
    expect(failure).toContain("The search used its whole budget of 100 steps");
    expect(failure).toContain("checkLinearizability(history, model, { maxSteps: 1000 })");
    expect(failure).toContain("counts search steps, not seconds");
    let thrown: unknown;
    try {
      assertLinearizable(etcd("002"), casRegisterModel(), { maxSteps: 100 });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(LinearizabilityError);
    expect((thrown as LinearizabilityError).message).toMatch(/UNKNOWN — this is not a pass[\s\S]*maxSteps/);
    expect((thrown as LinearizabilityError).result.verdict).toBe("unknown");
  });

  it("the grader helper returns the result on a pass and throws on a violation", () => {
    expect(assertLinearizable(etcd("002"), casRegisterModel()).verdict).toBe("linearizable");
    expect(() => assertLinearizable(staleRead, registerModel())).toThrow(/Not linearizable[\s\S]*read 1, but the register holds 2/);
  });

  it("refuses a budget that is not a whole number", () => {
    expect(() => checkLinearizability(staleRead, registerModel(), { maxSteps: -1 })).toThrow(/maxSteps must be a whole number/);
    expect(() => checkLinearizability(staleRead, registerModel(), { maxSteps: 1.5 })).toThrow(/maxSteps must be a whole number/);
  });
});

describe("determinism", () => {
  it("the same history gives the same result, explanation and diagram, byte for byte", () => {
    for (const [h, model] of [
      [etcd("057"), casRegisterModel()],
      [kv("c10-bad"), kvModel()],
      [etcd("002"), casRegisterModel()],
    ] as const) {
      const a = checkLinearizability(h, model);
      const b = checkLinearizability(JSON.parse(JSON.stringify(h)), model);
      expect(JSON.stringify(b)).toBe(JSON.stringify(a));
      expect(explainLinearizability(b)).toBe(explainLinearizability(a));
      expect(linearizabilityDiagram(b)).toBe(linearizabilityDiagram(a));
    }
  });

  it("an unknown result is the same every time, too", () => {
    const a = checkLinearizability(etcd("057"), casRegisterModel(), { maxSteps: 5000 });
    const b = checkLinearizability(etcd("057"), casRegisterModel(), { maxSteps: 5000 });
    expect(a.verdict).toBe("unknown");
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });
});

describe("the failure diagram", () => {
  const written: string[] = [];
  afterAll(() => {
    for (const file of written) fs.rmSync(path.join(ROOT, file), { force: true });
  });

  it("is a gantt chart: a section per client, the prefix numbered, the blocked operation marked in red", () => {
    const text = linearizabilityDiagram(checkLinearizability(staleRead, registerModel()));
    expect(text.split("\n").slice(0, 5)).toEqual([
      "gantt",
      `  title Not linearizable#58; ${BLOCKED_MARK} #35;5 cannot be placed after the numbered prefix (4 of 5 ops)`,
      "  dateFormat x",
      "  axisFormat %Q",
      "  todayMarker off",
    ]);
    expect(text).toContain("  section c1\n  1. #35;0 write(1), 0ms–10ms :done, op0, 0, 10\n");
    expect(text).toContain("  section c4\n  ✗ #35;5 read → 1 cannot be placed, 45ms–55ms :crit, op5, 45, 55\n");
  });

  it("shows operations of unknown outcome running to the right edge, and at most 30 operations", () => {
    const h = history(timedOut("c1", "write", 1, 0), ok("c2", "read", null, 1, 20, 30), ok("c2", "read", null, null, 40, 50));
    const text = linearizabilityDiagram(checkLinearizability(h, registerModel()));
    expect(text).toContain("1. #35;0 write(1) (outcome unknown), 0ms–? :done, op0, 0, 55");
    const big = linearizabilityDiagram(checkLinearizability(etcd("000"), casRegisterModel()));
    expect(big.split("\n").filter((l) => / :(done|crit|active)?,? ?op\d+, /.test(l))).toHaveLength(30);
  });

  it("is empty for a result that is not a violation", () => {
    expect(linearizabilityDiagram(checkLinearizability(kv("c01-ok"), kvModel()))).toBe("");
    expect(() => writeLinearizabilityDiagram(checkLinearizability(kv("c01-ok"), kvModel()), "x")).toThrow(/linearizable, not a violation/);
  });

  it("is saved under build/failures like the graders' diagrams, and named in the failure message", () => {
    expect(linearizabilityDiagramPath("05.2 kv, seed 7")).toBe("build/failures/05.2-kv-seed-7.mmd");
    let thrown: LinearizabilityError | undefined;
    try {
      assertLinearizable(staleRead, registerModel(), { diagram: "check-test stale read" });
    } catch (e) {
      thrown = e as LinearizabilityError;
    }
    expect(thrown?.diagramPath).toBe("build/failures/check-test-stale-read.mmd");
    written.push(thrown!.diagramPath!);
    expect(thrown!.message).toContain("Diagram: build/failures/check-test-stale-read.mmd (render it with npm run diagrams -- build/failures)");
    expect(fs.readFileSync(path.join(ROOT, thrown!.diagramPath!), "utf8")).toBe(linearizabilityDiagram(thrown!.result));
  });
});

describe.skipIf(browserTestsSkipped())("the failure diagram is valid Mermaid (rendered by Mermaid 11 in Chromium)", () => {
  const TIMEOUT_MS = 60_000;
  let renderer: MermaidRenderer;
  beforeAll(async () => {
    renderer = await MermaidRenderer.launch({ timeoutMs: TIMEOUT_MS });
  }, TIMEOUT_MS);
  afterAll(async () => {
    await renderer?.close();
  }, TIMEOUT_MS);

  it("renders the diagrams of a hand-made, an etcd and a key–value violation", async () => {
    for (const result of [
      checkLinearizability(staleRead, registerModel()),
      checkLinearizability(etcd("000"), casRegisterModel()),
      checkLinearizability(kv("c10-bad"), kvModel()),
    ]) {
      const svg = await renderer.renderSvg(linearizabilityDiagram(result));
      expect(svg).toContain("<svg");
      expect(svg).toContain("cannot be placed");
    }
  }, TIMEOUT_MS);

  it("renders nasty client names and values as they are", async () => {
    const nasty = history(
      ok("end", "put", { key: 'k:"1"; #x', value: "a;b#c%%d" }, undefined, 0, 10),
      ok("section x", "get", { key: 'k:"1"; #x' }, "title: <b>", 20, 30.5),
      ok("a:b", "get", { key: 'k:"1"; #x' }, "a;b#c%%d", 0.25, 35),
    );
    const result = checkLinearizability(nasty, kvModel());
    expect(result.verdict).toBe("not-linearizable");
    const svg = await renderer.renderSvg(linearizabilityDiagram(result));
    const shown = svg.replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d))).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&amp;/g, "&");
    expect(shown).toContain('get("k:\\"1\\"; #x") → "title: <b>" cannot be placed');
    expect(shown).toContain("section x");
  }, TIMEOUT_MS);
});
