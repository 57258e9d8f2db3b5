// Bulkheads (Nygard, "Release It!"): a bounded pool per dependency; a hanging dependency fills
// only its own compartment.
import { describe, expect, it } from "vitest";
import { Simulation, latency, openBulkhead, BulkheadFullError, runBulkheadExperiment } from "../../lib";

describe("bulkhead", () => {
  it("admits maxConcurrent calls, rejects the next one at once, and frees a slot when a call ends", async () => {
    const sim = new Simulation({ seed: 2, network: { latency: latency.constant(1) } });
    sim.spawn("slow", (node) => node.on("q", async (m) => { await node.sleep(50); node.reply(m, { type: "q_ok" }); }));
    const app = sim.spawn("app");
    const pool = openBulkhead(app, { name: "slow", target: "slow", maxConcurrent: 2, callTimeoutMs: 100 });
    const a = pool.call({ type: "q" });
    const b = pool.call({ type: "q" });
    expect(pool.active).toBe(2);
    const refused = await sim.runUntilSettled(pool.call({ type: "q" }).catch((e) => e));
    expect(refused).toBeInstanceOf(BulkheadFullError);
    expect(sim.now()).toBe(0);
    await sim.runUntilSettled(Promise.all([a, b]));
    expect(pool.active).toBe(0);
    expect((await sim.runUntilSettled(pool.call({ type: "q" }))).body.type).toBe("q_ok");
    expect(pool.counters).toEqual({ admitted: 3, rejected: 1, activeMax: 2 });
  });

  it("a hanging dependency takes a shared pool down with it; with bulkheads the healthy calls all succeed", async () => {
    const shared = await runBulkheadExperiment({ mode: "shared", durationMs: 5000 });
    const split = await runBulkheadExperiment({ mode: "bulkheads", durationMs: 5000 });
    expect(shared.hangingSuccessRate).toBe(0);
    expect(split.hangingSuccessRate).toBe(0);
    expect(shared.healthySuccessRate).toBeLessThan(0.7);
    expect(split.healthySuccessRate).toBe(1);
    expect(shared.healthyRequests).toBe(split.healthyRequests); // the same arrivals
  });
});
