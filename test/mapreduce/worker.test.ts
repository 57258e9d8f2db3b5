// The library's worker on its own: task loop, service time, faults, bad options.
import { describe, expect, it } from "vitest";
import { latency, MapReduceFs, mapReduceMaster, mapReduceWorker, Simulation, wordCount, type MapReduceMaster, type MapReduceWorker, type WorkerFault } from "../../lib/index";

function job(options: { fault?: (t: { kind: string; taskId: number; attempt: number }) => WorkerFault; restartAfterMs?: number; slowdown?: number } = {}) {
  const sim = new Simulation({ seed: 1, network: { latency: latency.constant(1) } });
  const fs = new MapReduceFs();
  fs.write("in-0", "to be or not to be");
  fs.write("in-1", "to do");
  let master!: MapReduceMaster;
  let worker!: MapReduceWorker;
  sim.spawn("master", (node) => { master = mapReduceMaster(node, { inputFiles: ["in-0", "in-1"], nReduce: 2, taskTimeoutMs: 300 }); });
  sim.spawn("w1", (node) => {
    worker = mapReduceWorker(node, { master: "master", app: wordCount, fs, msPerByte: 1, taskOverheadMs: 10, slowdown: options.slowdown, fault: options.fault, restartAfterMs: options.restartAfterMs, stallMs: 500 });
  });
  return { sim, fs, master: () => master, worker: () => worker };
}

describe("mapReduceWorker", () => {
  it("runs every task, one at a time, for (overhead + msPerByte × bytes) × slowdown each, then stops on exit", async () => {
    const { sim, fs, master, worker } = job({ slowdown: 2 });
    await sim.runUntil(() => worker().stopped(), { withinMs: 10_000 });
    expect(master().done()).toBe(true);
    expect(fs.output()).toBe("be 2\ndo 1\nnot 1\nor 1\nto 3\n");
    const maps = worker().attempts().filter((a) => a.kind === "map");
    expect(maps[0].endMs! - maps[0].startMs).toBe((10 + 18) * 2);
    expect(maps[1].endMs! - maps[1].startMs).toBe((10 + 5) * 2);
    expect(fs.list("mr-tmp")).toEqual([]); // every temporary file was renamed
    expect(sim.node("w1").state).toBe("done");
  });

  it("after an exit fault the process is gone; with restartAfterMs a new one finishes the job", async () => {
    const crashFirst = (t: { kind: string; taskId: number; attempt: number }): WorkerFault => (t.kind === "map" && t.attempt === 0 && t.taskId === 0 ? "exit" : "normal");
    const gone = job({ fault: crashFirst });
    await gone.sim.runFor(5_000);
    expect(gone.worker().stopped()).toBe(true);
    expect(gone.master().done()).toBe(false);
    expect(gone.worker().attempts()[0].end).toBe("crashed");

    const back = job({ fault: crashFirst, restartAfterMs: 100 });
    await back.sim.runUntil(() => back.master().done(), { withinMs: 10_000 });
    expect(back.fs.output()).toBe("be 2\ndo 1\nnot 1\nor 1\nto 3\n");
    expect(back.worker().counters.exits).toBe(1);
  });

  it("a stalled attempt still commits and reports, late; with nobody else to take the task, its report counts", async () => {
    const { sim, worker, master, fs } = job({ fault: (t) => (t.kind === "reduce" && t.taskId === 1 ? "stall" : "normal") });
    await sim.runUntil(() => worker().stopped(), { withinMs: 10_000 });
    const stalled = worker().attempts().find((a) => a.fault === "stall")!;
    expect(stalled.end).toBe("finished");
    const seen = master().attempts().find((a) => a.kind === "reduce" && a.taskId === 1)!;
    expect(seen.reportedMs! - seen.assignedMs).toBeGreaterThan(500); // the stall, well past the 300 ms timeout
    expect(seen.outcome).toBe("completed");
    expect(fs.output()).toBe("be 2\ndo 1\nnot 1\nor 1\nto 3\n");
  });

  it("stops when the master does not answer", async () => {
    const sim = new Simulation({ seed: 1 });
    const fs = new MapReduceFs();
    sim.spawn("master", () => {});
    sim.crash("master");
    let w!: MapReduceWorker;
    sim.spawn("w1", (node) => { w = mapReduceWorker(node, { master: "master", app: wordCount, fs, rpcTimeoutMs: 50 }); });
    await sim.runFor(1_000);
    expect(w.stopped()).toBe(true);
  });

  it("names the node and the option for bad input", () => {
    const sim = new Simulation({ seed: 1 });
    const node = sim.spawn("w7", () => {});
    const fs = new MapReduceFs();
    expect(() => mapReduceWorker(node, { master: "m", app: wordCount, fs, slowdown: 0 })).toThrow(/slowdown: got 0.*node "w7", t=0ms/);
    expect(() => mapReduceWorker(node, { master: "m", app: wordCount, fs, msPerByte: -1 })).toThrow(/msPerByte: got -1/);
    expect(() => mapReduceWorker(node, { master: "", app: wordCount, fs })).toThrow(/master/);
    expect(() => mapReduceWorker(node, { master: "m", app: wordCount, fs, commit: "copy" as never })).toThrow(/commit: got "copy"/);
  });
});
