// The corpus generator, the gantt chart and the straggler experiment.
import { describe, expect, it } from "vitest";
import { generateCorpus, mapReduceGantt, runMapReduceJob, runSequential, stragglerExperiment, wordCount } from "../../lib/mapreduce/index";

describe("generateCorpus", () => {
  it("is deterministic, has the asked shape, and a heavy head", () => {
    const a = generateCorpus({ seed: 2, files: 3, wordsPerFile: 500 });
    expect(generateCorpus({ seed: 2, files: 3, wordsPerFile: 500 })).toEqual(a);
    expect(generateCorpus({ seed: 3, files: 3, wordsPerFile: 500 })).not.toEqual(a);
    expect(a.map((f) => f.file)).toEqual(["text-00.txt", "text-01.txt", "text-02.txt"]);
    for (const f of a) expect(f.contents.match(/\p{L}+/gu)!.length).toBe(500);
    const counts = runSequential(wordCount, a).trimEnd().split("\n").map((l) => Number(l.split(" ")[1])).sort((x, y) => y - x);
    const total = counts.reduce((s, c) => s + c, 0);
    expect(total).toBe(1500);
    expect(counts[0] / total).toBeGreaterThan(0.08); // the most common word
    expect(counts.filter((c) => c <= 2).length).toBeGreaterThan(counts.length / 3); // a long tail
  });
  it("rejects a bad option by name", () => {
    expect(() => generateCorpus({ files: 0 })).toThrow(/files: got 0/);
    expect(() => generateCorpus({ zipf: -1 })).toThrow(/zipf: got -1/);
  });
});

describe("mapReduceGantt", () => {
  it("draws one section per worker with map and reduce bars; crashed and duplicate attempts marked", async () => {
    const r = await runMapReduceJob({ seed: 1, app: wordCount, inputs: generateCorpus({ seed: 1, files: 4, wordsPerFile: 80 }), workers: 2, nReduce: 2, taskTimeoutMs: 200, stallMs: 600, trace: false,
      faults: [{ kind: "map", taskId: 1, fault: "exit" }, { kind: "reduce", taskId: 0, fault: "stall" }] });
    const g = mapReduceGantt(r, { title: "crash: and stall" });
    const lines = g.trimEnd().split("\n");
    expect(lines.slice(0, 4)).toEqual(["gantt", "  title crash and stall", "  dateFormat x", "  axisFormat %S.%L"]);
    expect(lines).toContain("  section w1");
    expect(lines).toContain("  section w2");
    expect(lines).toContain("  section master");
    expect(g).toMatch(/ {2}map 1 crashed :crit, a\d+, \d+, \d+/);
    expect(g).toMatch(/ {2}reduce 0 duplicate ignored stalled :active, a\d+, \d+, \d+/);
    expect(lines.filter((l) => /:(done|crit|active, )?/.test(l) && /, \d+, \d+$/.test(l))).toHaveLength(r.attempts.length + 2);
    for (const l of lines.filter((x) => /, \d+, \d+$/.test(x))) {
      const [s, e] = l.split(", ").slice(-2).map(Number);
      expect(e).toBeGreaterThan(s);
    }
  });
});

describe("stragglerExperiment", () => {
  it("a 10× slower worker stretches the job without backup tasks; backups bring it back", async () => {
    const r = await stragglerExperiment({ seed: 1, slowdown: 10, inputs: generateCorpus({ seed: 1, files: 8, wordsPerFile: 200 }) });
    expect(r.bothMatchSequential).toBe(true);
    expect(r.withoutBackupMs).toBeGreaterThan(r.withBackupMs);
    expect(r.slowdownPercent).toBeGreaterThan(44);
    expect(r.paperSlowdownPercent).toBe(44);
    expect(r.backupAttempts).toBeGreaterThan(0);
  });
});
