// The reference master, driven message by message by hand-made workers.
import { describe, expect, it } from "vitest";
import { BlockStore, MapReduceFs, latency, mapReduceMaster, Simulation, type MapReduceMaster, type MapReduceTask } from "../../lib/index";

function setup(options: { nMap?: number; nReduce?: number; taskTimeoutMs?: number; backupTasks?: boolean; blocks?: BlockStore } = {}) {
  const sim = new Simulation({ seed: 3, network: { latency: latency.constant(1) } });
  let master!: MapReduceMaster;
  const inputFiles = Array.from({ length: options.nMap ?? 2 }, (_, i) => `in-${i}`);
  sim.spawn("master", (node) => {
    master = mapReduceMaster(node, { inputFiles, nReduce: options.nReduce ?? 2, taskTimeoutMs: options.taskTimeoutMs ?? 100, backupTasks: options.backupTasks, blocks: options.blocks });
  });
  sim.spawnMany(["w1", "w2", "w3"], () => {});
  const ask = async (w: string): Promise<MapReduceTask> => (await sim.runUntilSettled(sim.node(w).rpc("master", { type: "get_task", worker: w }))).body.task as MapReduceTask;
  const report = async (w: string, t: MapReduceTask) => {
    if (t.kind !== "map" && t.kind !== "reduce") throw new Error(`not a task: ${t.kind}`);
    return (await sim.runUntilSettled(sim.node(w).rpc("master", { type: "task_done", kind: t.kind, taskId: t.taskId, attempt: t.attempt }))).body;
  };
  return { sim, master: () => master, ask, report };
}

describe("mapReduceMaster", () => {
  it("hands out every map, then waits, and no reduce before every map is done", async () => {
    const { master, ask, report } = setup();
    const m0 = await ask("w1");
    const m1 = await ask("w2");
    expect([m0.kind, m1.kind]).toEqual(["map", "map"]);
    expect(m0).toMatchObject({ taskId: 0, attempt: 0, file: "in-0", nReduce: 2 });
    expect((await ask("w3")).kind).toBe("wait");
    expect(await report("w1", m0)).toMatchObject({ type: "task_done_ok" });
    expect((await ask("w3")).kind).toBe("wait"); // map 1 still in progress
    expect(master().phase()).toBe("map");
    await report("w2", m1);
    expect(master().phase()).toBe("reduce");
    expect(await ask("w3")).toEqual({ kind: "reduce", taskId: 0, attempt: 0, nMap: 2 });
  });

  it("reassigns a task only after its timeout, with a new attempt number", async () => {
    const { sim, master, ask } = setup({ nMap: 1, taskTimeoutMs: 100 });
    const first = await ask("w1");
    await sim.runFor(90);
    expect((await ask("w2")).kind).toBe("wait");
    expect(master().tasks()[0]).toMatchObject({ state: "in-progress", workers: ["w1"], attempts: 1 });
    await sim.runFor(20);
    expect(master().tasks()[0].state).toBe("idle");
    const second = await ask("w2");
    expect(second).toMatchObject({ kind: "map", taskId: 0, attempt: 1 });
    expect(first).toMatchObject({ attempt: 0 });
    expect(master().counters.reassignments).toBe(1);
  });

  it("ignores a late duplicate: the first report counts, the second is acknowledged and counted as ignored", async () => {
    const { sim, master, ask, report } = setup({ nMap: 1, nReduce: 1, taskTimeoutMs: 50 });
    const slow = await ask("w1");
    await sim.runFor(60);
    const fast = await ask("w2");
    await report("w2", fast);
    expect(await report("w1", slow)).toMatchObject({ type: "task_done_ok" }); // the stalled attempt comes back
    expect(master().counters.duplicatesIgnored).toBe(1);
    expect(master().tasks()[0]).toMatchObject({ state: "completed", completedBy: "w2" });
    expect(master().attempts().map((a) => a.outcome)).toEqual(["duplicate", "completed"]);
  });

  it("is done exactly after the last reduce report and then says exit", async () => {
    const { master, ask, report } = setup({ nMap: 1, nReduce: 2 });
    await report("w1", await ask("w1"));
    const r0 = await ask("w1");
    const r1 = await ask("w2");
    await report("w1", r0);
    expect(master().done()).toBe(false);
    expect((await ask("w3")).kind).toBe("wait");
    await report("w2", r1);
    expect(master().done()).toBe(true);
    expect(await ask("w3")).toEqual({ kind: "exit" });
    expect(master().doneAtMs()).toBeGreaterThan(0);
  });

  it("with backup tasks, gives an idle worker a second attempt of an in-progress task near the end", async () => {
    const { master, ask, report } = setup({ nMap: 2, nReduce: 1, backupTasks: true });
    const a = await ask("w1");
    const b = await ask("w2");
    const backup = await ask("w3");
    expect(backup).toMatchObject({ kind: "map", taskId: (a as { taskId: number }).taskId, attempt: 1 });
    expect(master().attempts()[2].backup).toBe(true);
    expect(master().tasks()[0].workers).toEqual(["w1", "w3"]);
    // only one backup per task; a worker never backs itself up
    expect((await ask("w3")).kind).toBe("map"); // the backup of map 1
    expect((await ask("w3")).kind).toBe("wait");
    await report("w3", backup);
    await report("w1", a); // the original loses the race
    await report("w2", b);
    expect(master().counters).toMatchObject({ backupAttempts: 2, duplicatesIgnored: 1, reassignments: 0 });
  });

  it("prefers a map task whose block is on the asking worker's host", async () => {
    const blocks = new BlockStore({ hosts: ["w1", "w2", "w3"], replication: 1 });
    const inputs = Array.from({ length: 6 }, (_, i) => ({ file: `in-${i}`, contents: "x" }));
    blocks.put(new MapReduceFs(), inputs);
    const { ask, master } = setup({ nMap: 6, blocks });
    for (const w of ["w3", "w2", "w1"]) {
      const t = await ask(w);
      if (t.kind !== "map") throw new Error("expected a map task");
      if (blocks.load()[w] > 0) expect(blocks.isLocal(t.file, w)).toBe(true);
    }
    expect(master().counters.localAssignments).toBeGreaterThan(0);
  });

  it("names the node, the time and the option for bad input", () => {
    const sim = new Simulation({ seed: 1 });
    const node = sim.spawn("m", () => {});
    expect(() => mapReduceMaster(node, { inputFiles: ["a"], nReduce: 0, taskTimeoutMs: 10 })).toThrow(/nReduce: got 0.*node "m", t=0ms/);
    expect(() => mapReduceMaster(node, { inputFiles: ["a"], nReduce: 1, taskTimeoutMs: -5 })).toThrow(/taskTimeoutMs: got -5.*node "m"/);
    expect(() => mapReduceMaster(node, { inputFiles: [], nReduce: 1, taskTimeoutMs: 10 })).toThrow(/inputFiles/);
  });
});
