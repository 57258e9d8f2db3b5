// Whole jobs: master + workers + block store + network. Whatever the faults, the output must be
// byte-identical to the sequential run — except with the broken "append" commit.
import { describe, expect, it } from "vitest";
import { generateCorpus, invertedIndex, runMapReduceJob, runSequential, wordCount, type MapReduceJobResult } from "../../lib/mapreduce/index";

const inputs = generateCorpus({ seed: 7, files: 6, wordsPerFile: 150, vocabulary: 60 });
const base = { app: wordCount, inputs, workers: 3, nReduce: 3, taskTimeoutMs: 200, trace: false };

/** The time the last map task completed (the master's view). */
function mapsDoneMs(r: MapReduceJobResult): number {
  return Math.max(...r.tasks.filter((t) => t.kind === "map").map((t) => t.completedMs!));
}

describe("runMapReduceJob", () => {
  it("without faults gives exactly the sequential output, for both apps", async () => {
    const wc = await runMapReduceJob({ ...base, seed: 1 });
    expect(wc.output).toBe(runSequential(wordCount, inputs));
    expect(wc.matchesSequential).toBe(true);
    expect(wc.counters).toMatchObject({ reassignments: 0, duplicatesIgnored: 0, attempts: 9 });
    expect(wc.attempts.every((a) => a.outcome === "completed")).toBe(true);
    const ii = await runMapReduceJob({ ...base, seed: 1, app: invertedIndex });
    expect(ii.output).toBe(runSequential(invertedIndex, inputs));
  });

  it("with the map-side combiner (§4.3), the same output from fewer shuffled bytes", async () => {
    const plain = await runMapReduceJob({ ...base, seed: 1 });
    const combined = await runMapReduceJob({ ...base, seed: 1, combiner: true });
    expect(combined.output).toBe(plain.output);
    expect(combined.counters.bytesShuffled).toBeLessThan(plain.counters.bytesShuffled);
  });

  it("carries keys and values with tabs, newlines and backslashes through the intermediate files intact", async () => {
    const odd = { name: "odd", map: (_f: string, c: string) => c.split("|").map((k) => ({ key: k, value: `v\\${k.length}\t` })), reduce: (_k: string, vs: string[]) => String(vs.length) };
    const inputs2 = [{ file: "a", contents: "x\ty|x\\n|x\ty" }, { file: "b", contents: "é|🚀" }];
    const r = await runMapReduceJob({ ...base, app: odd, inputs: inputs2, seed: 1 });
    expect(r.output).toBe(runSequential(odd, inputs2));
  });

  it("survives workers that crash mid-task: the task is reassigned after the timeout", async () => {
    const r = await runMapReduceJob({ ...base, seed: 2, faults: [{ kind: "map", taskId: 0, fault: "exit" }, { kind: "reduce", taskId: 1, fault: "exit" }] });
    expect(r.matchesSequential).toBe(true);
    const crashed = r.attempts.filter((a) => a.outcome === "crashed");
    expect(crashed.map((a) => `${a.kind} ${a.taskId}.${a.attempt}`)).toEqual(["map 0.0", "reduce 1.0"]);
    // the second attempt of each came only after the first one's timeout
    for (const c of crashed) {
      const next = r.master.attempts().find((a) => a.kind === c.kind && a.taskId === c.taskId && a.attempt === 1)!;
      const first = r.master.attempts().find((a) => a.kind === c.kind && a.taskId === c.taskId && a.attempt === 0)!;
      expect(next.assignedMs - first.assignedMs).toBeGreaterThanOrEqual(200);
      expect(first.outcome).toBe("timed-out");
    }
    expect(r.counters.reassignments).toBe(2);
  });

  it("ignores the late duplicate of a stalled attempt, and the output holds each key once", async () => {
    const r = await runMapReduceJob({ ...base, seed: 3, stallMs: 1000, faults: [{ kind: "map", taskId: 2, fault: "stall" }, { kind: "reduce", taskId: 0, fault: "stall" }] });
    expect(r.matchesSequential).toBe(true);
    expect(r.counters.duplicatesIgnored).toBe(2);
    const dup = r.attempts.filter((a) => a.outcome === "duplicate");
    expect(dup.map((a) => `${a.kind} ${a.taskId}.${a.attempt}`)).toEqual(["map 2.0", "reduce 0.0"]);
    // the stalled reduce committed after the job was done: its rename replaced mr-out-0 with the same bytes
    expect(dup[1].endMs!).toBeGreaterThan(r.jobTimeMs);
  });

  it("with the broken append commit, a late duplicate's output lands twice", async () => {
    const opts = { ...base, seed: 3, stallMs: 1000, commit: "append" as const, faults: [{ kind: "reduce" as const, taskId: 0, fault: "stall" as const }] };
    const r = await runMapReduceJob(opts);
    expect(r.matchesSequential).toBe(false);
    const lines = r.output.trimEnd().split("\n");
    const doubled = lines.filter((l, i) => l === lines[i + 1]);
    expect(doubled.length).toBeGreaterThan(0);
    expect(lines.length).toBe(r.expected.trimEnd().split("\n").length + r.fs.read("mr-out-0").trimEnd().split("\n").length / 2);
    // the same run with rename is fine
    expect((await runMapReduceJob({ ...opts, commit: "atomic-rename" })).matchesSequential).toBe(true);
  });

  it("matches the sequential output under 6.5840's seeded crash model, with and without backup tasks", async () => {
    for (const seed of [11, 12, 13]) {
      for (const backupTasks of [false, true]) {
        const r = await runMapReduceJob({ ...base, seed, backupTasks, stallMs: 600, restartAfterMs: 100, faults: { exitRate: 0.25, stallRate: 0.25 } });
        expect(r.matchesSequential, `seed ${seed} backups ${backupTasks}`).toBe(true);
        expect(r.counters.exits + r.counters.stalls).toBeGreaterThan(0);
        // no reduce attempt was handed out before the last map completed
        const firstReduce = Math.min(...r.master.attempts().filter((a) => a.kind === "reduce").map((a) => a.assignedMs));
        expect(firstReduce).toBeGreaterThanOrEqual(mapsDoneMs(r));
      }
    }
  });

  it("backup tasks cut the tail a straggler adds, and the output stays the same", async () => {
    const slow = { ...base, seed: 4, taskTimeoutMs: 100_000, stragglers: { w3: 10 } };
    const without = await runMapReduceJob({ ...slow, backupTasks: false });
    const withB = await runMapReduceJob({ ...slow, backupTasks: true });
    expect(without.matchesSequential && withB.matchesSequential).toBe(true);
    expect(withB.counters.backupAttempts).toBeGreaterThan(0);
    expect(withB.jobTimeMs).toBeLessThan(without.jobTimeMs);
  });

  it("reads most map input locally; without locality or with one replica, more crosses the network", async () => {
    const big = generateCorpus({ seed: 8, files: 12, wordsPerFile: 100 });
    const local = await runMapReduceJob({ ...base, inputs: big, workers: 4, seed: 5 });
    const remote = await runMapReduceJob({ ...base, inputs: big, workers: 4, seed: 5, replication: 1, locality: false });
    expect(local.counters.localReads + local.counters.remoteReads).toBe(12);
    expect(local.counters.localReads).toBeGreaterThan(local.counters.remoteReads);
    expect(remote.counters.remoteReads).toBeGreaterThan(local.counters.remoteReads);
    expect(remote.counters.remoteReadBytes).toBeGreaterThan(0);
    expect(remote.matchesSequential).toBe(true);
  });

  it("the shuffle is limited by link capacity: less bandwidth, later reduces", async () => {
    const fast = await runMapReduceJob({ ...base, seed: 6, taskTimeoutMs: 100_000 });
    const slow = await runMapReduceJob({ ...base, seed: 6, taskTimeoutMs: 100_000, bandwidthBytesPerMs: 5 });
    expect(slow.counters.bytesShuffled).toBeGreaterThan(1000);
    const reduceEnd = (r: MapReduceJobResult) => r.jobTimeMs - mapsDoneMs(r);
    // a reduce that fetches B bytes over one link of 5 bytes/ms waits at least B / 5 ms
    expect(reduceEnd(slow)).toBeGreaterThan(reduceEnd(fast) + slow.counters.bytesShuffled / 3 / 5 / 2);
    expect(slow.matchesSequential).toBe(true);
  });

  it("is deterministic: the same seed gives the same trace, another seed another one", async () => {
    const run = (seed: number) => runMapReduceJob({ ...base, seed, trace: true, faults: { exitRate: 0.2, stallRate: 0.2 }, stallMs: 500 });
    const a = await run(9);
    const b = await run(9);
    const c = await run(10);
    expect(b.sim.trace.hash()).toBe(a.sim.trace.hash());
    expect(b.attempts).toEqual(a.attempts);
    expect(c.sim.trace.hash()).not.toBe(a.sim.trace.hash());
  });

  it("names the node, the time and what is wrong for bad input", async () => {
    await expect(runMapReduceJob({ ...base, nReduce: 0 })).rejects.toThrow(/nReduce: got 0, expected a whole number ≥ 1 \(node "master", t=0ms, seed=1\)/);
    await expect(runMapReduceJob({ ...base, taskTimeoutMs: -1 })).rejects.toThrow(/taskTimeoutMs: got -1.*node "master", t=0ms/);
    await expect(runMapReduceJob({ ...base, stragglers: { w9: 5 } })).rejects.toThrow(/stragglers: got "w9".*unknown worker \(node "w9", t=0ms/);
    await expect(runMapReduceJob({ ...base, faults: [{ kind: "reduce", taskId: 5, fault: "exit" }] })).rejects.toThrow(/faults\[\]/);
    await expect(runMapReduceJob({ ...base, faults: { exitRate: 2 } })).rejects.toThrow(/exitRate: got 2/);
  });
});
