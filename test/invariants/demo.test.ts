// Demonstration, written the way a notebook cell would use it: declare safety as invariants, run a
// fault phase and a healed phase, and show the picture when something breaks.
import { expect, it } from "vitest";
import { InvariantViolation, Simulation, latency, runPhases } from "../../lib";

it("demo: an invariant over a replicated counter, under a nemesis, then liveness", async () => {
  const sim = new Simulation({ seed: 42, network: { latency: latency.uniform(1, 4) } });
  const values = new Map<string, number>();
  sim.spawnMany(["r1", "r2", "r3"], (node) => {
    let value = node.storage.get<number>("value") ?? 0;
    values.set(node.id, value);
    node.on("value", (m) => {
      if ((m.body.value as number) > value) {
        value = m.body.value as number;
        values.set(node.id, value);
        node.storage.set("value", value);
      }
    });
    node.setPeriodic(20, () => node.multicast("replicas", { type: "value", value }), "gossip");
  }, { groups: ["replicas"] });
  sim.spawn("writer", (node) => {
    let next = 1;
    node.setPeriodic(50, () => node.send("r1", { type: "value", value: next++ }), "write");
  });

  // Safety, checked after every event of both phases:
  sim.invariant("no replica is ahead of the writer", () => Math.max(...values.values()) <= sim.now() / 50 || "a replica invented a value");

  const result = await runPhases(sim, {
    nemesis: { partitionEveryMs: 200, crashEveryMs: 300, lossProbability: 0.1 },
    faultMs: 2000,
    liveness: { description: "all replicas agree", holds: () => new Set(values.values()).size === 1, withinMs: 1000 },
  });
  console.log(result.faults.join("\n")); // what the nemesis did
  expect(result.livenessAtMs).toBeDefined();

  // And when an invariant breaks, the error carries a diagram of the last messages:
  sim.invariant("r2 never passes 30", () => (values.get("r2") ?? 0) <= 30);
  const err = await sim.runFor(5000).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(InvariantViolation);
  // in a notebook: await showMermaid((err as InvariantViolation).diagram, { file: "diagrams/NN-topic/violation.mmd" })
  expect((err as InvariantViolation).diagram).toContain("r2 never passes 30");
});
