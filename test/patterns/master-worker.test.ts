// Master–worker: the master hands out tasks, takes a task back from a worker that crashed or is too
// slow, keeps the first result of each task, and returns the complete result set.
import { describe, expect, it } from "vitest";
import { Simulation, farmMaster, farmWorker, latency } from "../../lib";
import type { FarmOutcome } from "../../lib";

const square = (x: number) => x * x;
const tasksOf = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `t${i + 1}`, input: i + 1 }));
const outputsOf = (o: FarmOutcome<number>) => o.results.map((r) => r.output);
const squares = (n: number) => Array.from({ length: n }, (_, i) => (i + 1) ** 2);

/** Workers w1..wN with the given service times; a master node "m". */
function farm(serviceMs: number[], options: { seed?: number; lossProbability?: number } = {}) {
  const sim = new Simulation({ seed: options.seed ?? 1, network: { latency: latency.constant(1), lossProbability: options.lossProbability ?? 0 } });
  const workers = serviceMs.map((_, i) => `w${i + 1}`);
  workers.forEach((id, i) => sim.spawn(id, (node) => farmWorker(node, { compute: square, master: "m" }), { role: "worker", service: { timeMs: latency.constant(serviceMs[i]) } }));
  const master = sim.spawn("m", () => {}, { role: "master" });
  return { sim, workers, master };
}

describe("farmMaster / farmWorker", () => {
  it("farms tasks out and returns one result per task, in task order", async () => {
    const f = farm([10, 10, 10]);
    const outcome = await f.sim.runUntilSettled(farmMaster<number, number>(f.master, { workers: f.workers, tasks: tasksOf(9), taskTimeoutMs: 50 }));
    expect(outputsOf(outcome)).toEqual(squares(9));
    expect(outcome).toMatchObject({ assignments: 9, reassignments: 0, duplicateResults: 0 });
    expect(outcome.finishedMs).toBe(3 * 12); // three rounds of 1 + 10 + 1 ms on three workers
    expect(new Set(outcome.results.map((r) => r.worker))).toEqual(new Set(f.workers));
  });

  it("a worker crashes mid-task: after the timeout its task goes to another worker, and the result set is complete", async () => {
    const f = farm([10, 10, 10]);
    f.sim.at(5, () => f.sim.crash("w2")); // w2 is working on t2
    const outcome = await f.sim.runUntilSettled(farmMaster<number, number>(f.master, { workers: f.workers, tasks: tasksOf(6), taskTimeoutMs: 30 }));
    expect(outputsOf(outcome)).toEqual(squares(6));
    expect(outcome.reassignments).toBeGreaterThanOrEqual(1);
    expect(outcome.results.find((r) => r.id === "t2")!.worker).not.toBe("w2");
    expect(outcome.results.every((r) => r.worker !== "w2")).toBe(true);
  });

  it("a restarted worker announces itself: its lost task is handed out at once, not after the timeout", async () => {
    const f = farm([10, 10]);
    f.sim.at(5, () => f.sim.crash("w1"));
    f.sim.at(6, () => void f.sim.restart("w1"));
    const outcome = await f.sim.runUntilSettled(farmMaster<number, number>(f.master, { workers: f.workers, tasks: tasksOf(2), taskTimeoutMs: 1000 }));
    expect(outputsOf(outcome)).toEqual([1, 4]);
    expect(outcome.reassignments).toBe(1);
    expect(outcome.finishedMs).toBeLessThan(50); // far below the 1000 ms timeout
  });

  it("a slow worker: its task is reassigned, both finish, the first result is kept and the late one ignored", async () => {
    const f = farm([100, 10]); // w1 takes 100 ms, above the 40 ms timeout
    const outcome = await f.sim.runUntilSettled(farmMaster<number, number>(f.master, { workers: f.workers, tasks: tasksOf(12), taskTimeoutMs: 40 }));
    expect(outputsOf(outcome)).toEqual(squares(12));
    expect(outcome.results[0]).toMatchObject({ id: "t1", worker: "w2" }); // w2 finished t1 first
    expect(outcome.reassignments).toBeGreaterThanOrEqual(1);
    expect(outcome.duplicateResults).toBeGreaterThanOrEqual(1); // w1's late answer for t1
    await f.sim.runFor(500); // past the moment the answer was returned: w1's late answers arrive
    expect(outcome.results[0].worker).toBe("w2"); // unchanged
  });

  it("under 20% message loss the result set is still complete and correct (lost work is redone)", async () => {
    for (const seed of [1, 2, 3, 4]) {
      const f = farm([5, 8, 12], { seed, lossProbability: 0.2 });
      const outcome = await f.sim.runUntilSettled(farmMaster<number, number>(f.master, { workers: f.workers, tasks: tasksOf(12), taskTimeoutMs: 40 }), { withinMs: 10_000 });
      expect(outputsOf(outcome), `seed ${seed}`).toEqual(squares(12));
    }
  });

  it("an empty task list is done at once; duplicate task ids and no workers are refused", async () => {
    const f = farm([10]);
    expect((await f.sim.runUntilSettled(farmMaster(f.master, { workers: f.workers, tasks: [] }))).results).toEqual([]);
    expect(() => farmMaster(f.master, { workers: f.workers, tasks: [{ id: "a", input: 1 }, { id: "a", input: 2 }] })).toThrow(/farmMaster on m at t=0ms: two tasks have the id "a"/);
    expect(() => farmMaster(f.master, { workers: [], tasks: tasksOf(1) })).toThrow(/at least one worker/);
  });
});
