// Per-link loss (issue 7, part 4): a directed link may override the network's lossProbability,
// beside the per-link latency that already existed, with the same checks.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import { ConfigError } from "../../lib/sim";
import { latency, type NetworkOptions } from "../../lib/net";
import { drops, thrown } from "./helpers";
import { proportionTolerance } from "../core/distribution-checks";

const N = 2000;

/** a sends N messages to b and N to c, b sends N to a; returns the drops per link. */
async function blast(network: NetworkOptions, seed = 1): Promise<{ sim: Simulation; lost: Record<string, number> }> {
  const sim = new Simulation({ seed, network, maxEvents: 20 * N });
  for (const id of ["a", "b", "c"]) sim.spawn(id, (node) => node.on("m", () => {}));
  for (let i = 0; i < N; i++) {
    sim.node("a").send("b", { type: "m", i });
    sim.node("a").send("c", { type: "m", i });
    sim.node("b").send("a", { type: "m", i });
  }
  await sim.run();
  const lost: Record<string, number> = { "a->b": 0, "a->c": 0, "b->a": 0 };
  for (const e of drops(sim.trace.events)) lost[`${e.src}->${e.dest}`]++;
  return { sim, lost };
}

describe("per-link loss probability", () => {
  it("only the named direction loses messages, at its own rate", async () => {
    const { lost } = await blast({ links: [{ from: "a", to: "b", lossProbability: 0.5 }] });
    // 6 standard errors: √(0.25/2000) ≈ 0.011, tolerance ≈ 0.067 (ignored: 0; the global rate: 0)
    expect(Math.abs(lost["a->b"] / N - 0.5)).toBeLessThan(proportionTolerance(0.5, N));
    expect(lost["b->a"]).toBe(0);
    expect(lost["a->c"]).toBe(0);
  });

  it("a link's loss replaces the network's (0 makes one reliable link in a lossy network)", async () => {
    const { sim, lost } = await blast({ lossProbability: 0.2, links: [{ from: "a", to: "b", lossProbability: 0 }] });
    expect(lost["a->b"]).toBe(0);
    expect(Math.abs(lost["a->c"] / N - 0.2)).toBeLessThan(proportionTolerance(0.2, N));
    expect(drops(sim.trace.events).every((e) => e.reason === "loss")).toBe(true);
  });

  it("latency and loss may be overridden together or in separate entries", async () => {
    const together = await blast({ links: [{ from: "a", to: "b", latency: latency.constant(7), lossProbability: 1 }] });
    expect(together.lost["a->b"]).toBe(N);
    const apart = await blast({ links: [{ from: "a", to: "c", latency: latency.constant(7) }, { from: "a", to: "c", lossProbability: 0.5 }] });
    const toC = apart.sim.trace.events.filter((e) => e.kind === "deliver" && e.dest === "c");
    expect(toC.length).toBeGreaterThan(0);
    expect(toC.every((e) => e.kind === "deliver" && e.timeMs - e.sentMs === 7)).toBe(true);
    expect(Math.abs(apart.lost["a->c"] / N - 0.5)).toBeLessThan(proportionTolerance(0.5, N));
  });

  it("making one link lossy changes nothing on the other links", async () => {
    const fates = async (network: NetworkOptions) => {
      const { sim } = await blast({ latency: latency.uniform(1, 10), ordering: "unordered", lossProbability: 0.1, ...network }, 3);
      return sim.trace.events.filter((e) => "dest" in e && e.dest !== "b").map((e) => [e.kind, e.timeMs]);
    };
    expect(await fates({ links: [{ from: "a", to: "b", lossProbability: 0.9 }] })).toEqual(await fates({}));
  });

  it("configure() can make a link lossy mid-run, and the same seed gives the same trace", async () => {
    const run = async () => {
      const sim = new Simulation({ seed: 4 });
      sim.spawn("b", (node) => node.on("m", () => {}));
      sim.spawn("a", (node) => node.setPeriodic(1, () => node.send("b", { type: "m" })));
      sim.at(100, () => sim.network.configure({ links: [{ from: "a", to: "b", lossProbability: 0.5 }] }));
      await sim.runFor(300);
      return sim;
    };
    const sim = await run();
    const lost = drops(sim.trace.events);
    expect(lost.length).toBeGreaterThan(50);
    expect(lost.every((e) => e.timeMs >= 100)).toBe(true);
    expect((await run()).trace.hash()).toBe(sim.trace.hash());
  });
});

describe("bad link options are refused", () => {
  const cases: Array<[string, NetworkOptions, string]> = [
    ["loss above 1", { links: [{ from: "a", to: "b", lossProbability: 1.5 }] }, "invalid option network.links[0].lossProbability: got 1.5, expected a probability in [0, 1]"],
    ["negative loss", { links: [{ from: "a", to: "b", latency: latency.constant(1) }, { from: "b", to: "a", lossProbability: -1 }] }, "invalid option network.links[1].lossProbability: got -1"],
    ["nothing to override", { links: [{ from: "a", to: "b" }] }, 'invalid option network.links[0]: got {"from":"a","to":"b"}, expected a latency, a lossProbability or both'],
    ["an unknown field", { links: [{ from: "a", to: "b", loss: 0.5 } as never] }, "invalid option network.links[0].loss: got 0.5, expected a known field (from, to, latency, lossProbability)"],
  ];
  for (const [what, network, message] of cases) {
    it(what, () => {
      const err = thrown(() => new Simulation({ seed: 2, network }));
      expect(err).toBeInstanceOf(ConfigError);
      expect(err!.message).toContain(message);
      expect(err!.message).toMatch(/\(t=0ms, seed=2\)$/);
    });
  }

  it("a lossy link to an unknown node is refused when the run starts", async () => {
    const sim = new Simulation({ seed: 2, network: { links: [{ from: "a", to: "ghost", lossProbability: 0.5 }] } });
    sim.spawn("a");
    await expect(sim.run()).rejects.toThrow('invalid option network.links[0].to: got "ghost", expected the id of a spawned node');
  });
});
