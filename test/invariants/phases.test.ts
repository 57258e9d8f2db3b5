// runPhases: a fault phase driven by a seeded nemesis, then a healed phase with a liveness bound.
import { describe, expect, it } from "vitest";
import { InvariantViolation, Simulation, runPhases } from "../../lib/simulation";
import { latency } from "../../lib/net";

/** Every node gossips its highest seen counter every 10 ms; node n1 increments its own. */
function gossip(seed: number, ids = ["n1", "n2", "n3", "n4", "n5"]): { sim: Simulation; seen: Map<string, number> } {
  const sim = new Simulation({ seed, network: { latency: latency.uniform(1, 5) } });
  const seen = new Map<string, number>();
  sim.spawnMany(ids, (node) => {
    let max = node.storage.get<number>("max") ?? 0;
    seen.set(node.id, max);
    node.on("gossip", (m) => {
      const v = m.body.max as number;
      if (v > max) {
        max = v;
        seen.set(node.id, max);
        node.storage.set("max", max);
      }
    });
    node.setPeriodic(10, () => {
      if (node.id === "n1" && max < 100) {
        max++;
        seen.set(node.id, max);
        node.storage.set("max", max);
      }
      node.broadcast({ type: "gossip", max });
    }, "gossip");
  });
  return { sim, seen };
}
const converged = (seen: Map<string, number>): boolean => new Set(seen.values()).size === 1;

describe("runPhases", () => {
  it("partitions, crashes and loses messages, then heals; liveness holds in the healed phase", async () => {
    const { sim, seen } = gossip(11);
    sim.invariant("counters never go backwards", () => Array.from(seen.values()).every((v) => v >= 0 && v <= 100));
    const result = await runPhases(sim, {
      nemesis: { partitionEveryMs: 100, crashEveryMs: 150, downMs: 120, lossProbability: 0.2 },
      faultMs: 1000,
      liveness: { description: "every node has seen the same counter", holds: () => converged(seen), withinMs: 500 },
    });
    expect(result.healedAtMs).toBe(1000);
    expect(result.livenessAtMs).toBeGreaterThan(1000);
    expect(result.livenessAtMs! - 1000).toBeLessThanOrEqual(500);
    expect(result.faults.some((f) => / partition /.test(f))).toBe(true);
    expect(result.faults.some((f) => / crash n\d/.test(f))).toBe(true);
    expect(result.faults.some((f) => / restart n\d/.test(f))).toBe(true);
    expect(result.faults.at(-1)).toMatch(/^t=1000ms healed/);
    // the trace shows the faults; afterwards everyone is up and the loss is back to 0
    expect(sim.trace.filter({ kinds: ["partition"] }).length).toBeGreaterThan(0);
    expect(sim.nodeIds().every((id) => sim.isUp(id))).toBe(true);
    expect(sim.network.options.lossProbability).toBe(0);
    // never more than a minority (2 of 5) down at once
    let downNow = 0;
    let downMost = 0;
    for (const e of sim.trace.events) {
      if (e.kind === "crash") downMost = Math.max(downMost, ++downNow);
      if (e.kind === "restart") downNow--;
    }
    expect(downMost).toBeLessThanOrEqual(2);
    expect(downMost).toBeGreaterThan(0);
  });

  it("is deterministic: the same seed gives the same faults and the same trace", async () => {
    const run = async (seed: number): Promise<[string[], string]> => {
      const { sim, seen } = gossip(seed);
      const r = await runPhases(sim, {
        nemesis: { partitionEveryMs: 80, crashEveryMs: 200 },
        faultMs: 800,
        liveness: { description: "converged", holds: () => converged(seen), withinMs: 1000 },
      });
      return [r.faults, sim.trace.hash()];
    };
    expect(await run(5)).toEqual(await run(5));
    expect((await run(6))[0]).not.toEqual((await run(5))[0]);
  });

  it("fails clearly when liveness does not hold in time, naming the predicate, the heal time and the seed", async () => {
    const { sim } = gossip(2);
    await expect(
      runPhases(sim, {
        nemesis: { partitionEveryMs: 100 },
        faultMs: 300,
        liveness: { description: "pigs fly", holds: () => false, withinMs: 200 },
      }),
    ).rejects.toThrow(/runPhases: liveness: "pigs fly" did not hold within 200ms after the faults ended at t=300ms .*seed=2\)$/);
  });

  it("a safety violation during the fault phase stops it", async () => {
    const { sim, seen } = gossip(4);
    sim.invariant("n3 never reaches 5", () => (seen.get("n3") ?? 0) < 5);
    await expect(runPhases(sim, { nemesis: { crashEveryMs: 100 }, faultMs: 2000 })).rejects.toBeInstanceOf(InvariantViolation);
  });

  it("rejects bad options with the option's name", async () => {
    const { sim } = gossip(1);
    await expect(runPhases(sim, { nemesis: {}, faultMs: -1 })).rejects.toThrow(/faultMs must be a number of ms > 0, got -1/);
    await expect(runPhases(sim, { nemesis: { lossProbability: 2 }, faultMs: 10 })).rejects.toThrow(/lossProbability must be a probability in \[0, 1\], got 2/);
    await expect(runPhases(sim, { nemesis: { nodes: ["zz"] }, faultMs: 10 })).rejects.toThrow(/unknown node "zz"/);
  });
});
