// The shared data-space style: a Linda tuple space (lib/styles/tuple-space.ts; lecture 001 §4, Gelernter 1985).
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation/index";
import { latency } from "../../lib/net/index";
import { RpcTimeoutError } from "../../lib/node/index";
import { measureTupleSpaceLoad, tupleMatches, tupleSpaceClient, tupleSpaceNode, type TupleSpace } from "../../lib/styles/index";

function world(seed: number, network = {}) {
  const sim = new Simulation({ seed, network: { latency: latency.uniform(2, 6), ...network } });
  let space!: TupleSpace;
  sim.spawn("space", (node) => { space = tupleSpaceNode(node); });
  return { sim, space: () => space };
}

describe("pattern matching", () => {
  it("null is a wildcard; length and every actual field must agree", () => {
    expect(tupleMatches(["job", null], ["job", 7])).toBe(true);
    expect(tupleMatches(["job", null], ["done", 7])).toBe(false);
    expect(tupleMatches(["job", null], ["job", 7, 8])).toBe(false);
    expect(tupleMatches([null, { a: 1 }], ["x", { a: 1 }])).toBe(true);
  });
});

describe("out, rd, in", () => {
  it("rd reads without removing; in removes; rdp/inp answer null at once when nothing matches", async () => {
    const { sim, space } = world(1);
    const ts = tupleSpaceClient(sim.spawn("p"), "space");
    await sim.runUntilSettled(ts.out(["temp", "kitchen", 21]));
    expect(await sim.runUntilSettled(ts.rd(["temp", "kitchen", null]))).toEqual(["temp", "kitchen", 21]);
    expect(space().tuples()).toEqual([["temp", "kitchen", 21]]);
    expect(await sim.runUntilSettled(ts.in(["temp", null, null]))).toEqual(["temp", "kitchen", 21]);
    expect(space().tuples()).toEqual([]);
    expect(await sim.runUntilSettled(ts.rdp(["temp", null, null]))).toBeNull();
    expect(await sim.runUntilSettled(ts.inp(["temp", null, null]))).toBeNull();
  });

  it("a blocked in is answered when a matching tuple arrives later: decoupled in time", async () => {
    const { sim, space } = world(2);
    let got: unknown;
    sim.spawn("worker", async (node) => { got = await tupleSpaceClient(node, "space").in(["job", null]); });
    await sim.runFor(50);
    expect(space().blocked).toBe(1);
    sim.spawn("master", async (node) => { await tupleSpaceClient(node, "space").out(["job", 42]); });
    await sim.runFor(50);
    expect(got).toEqual(["job", 42]);
    expect(space().tuples()).toEqual([]); // taken, not stored
  });

  it("a tuple is taken by exactly one of two competing in's; rd's waiting before the taker see it", async () => {
    const sim = new Simulation({ seed: 3, network: { latency: latency.constant(2) } });
    let space!: TupleSpace;
    sim.spawn("space", (node) => { space = tupleSpaceNode(node); });
    const got: Record<string, unknown> = {};
    for (const [id, op] of [["r1", "rd"], ["w1", "in"], ["w2", "in"], ["r2", "rd"]] as const) {
      sim.spawn(id, async (node) => { got[id] = await tupleSpaceClient(node, "space")[op](["job", null]); });
    }
    await sim.runFor(30);
    expect(space.blocked).toBe(4);
    sim.spawn("master", async (node) => { await tupleSpaceClient(node, "space").out(["job", 1]); });
    await sim.runFor(50);
    expect(got).toEqual({ r1: ["job", 1], w1: ["job", 1] }); // w2 and r2 queued behind the taker
    expect(space.blocked).toBe(2);
    expect(space.tuples()).toEqual([]);
  });

  it("under duplication and loss with retries, no tuple is taken twice or stored twice (seeds 1–5)", async () => {
    for (let seed = 1; seed <= 5; seed++) {
      const { sim, space } = world(seed, { duplicationProbability: 0.3, lossProbability: 0.1 });
      const taken: unknown[] = [];
      sim.spawn("producer", async (node) => {
        const ts = tupleSpaceClient(node, "space", { timeoutMs: 30, retries: 10 });
        for (let i = 0; i < 10; i++) await ts.out(["item", i]);
      });
      for (const id of ["c1", "c2"]) {
        sim.spawn(id, async (node) => {
          const ts = tupleSpaceClient(node, "space", { timeoutMs: 30, retries: 10, blockingTimeoutMs: 200 });
          try {
            for (;;) taken.push((await ts.in(["item", null]))[1]);
          } catch (error) {
            if (!(error instanceof RpcTimeoutError)) throw error; // nothing left to take: stop
          }
        });
      }
      await sim.runFor(3000);
      expect([...taken].sort((a, b) => Number(a) - Number(b)), `seed ${seed}`).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(space().tuples(), `seed ${seed}`).toEqual([]);
    }
  });
});

describe("one space: a bottleneck and a single point of failure", () => {
  it("response time grows with the number of processes; throughput saturates at 1000/serviceMs", async () => {
    const one = await measureTupleSpaceLoad({ clients: 1, serviceMs: 1 });
    const many = await measureTupleSpaceLoad({ clients: 16, serviceMs: 1 });
    expect(many.operations).toBe(320);
    expect(many.responseMsMean).toBeGreaterThan(2 * one.responseMsMean);
    expect(many.throughputPerSec).toBeLessThanOrEqual(1000);
    expect(many.throughputPerSec).toBeGreaterThan(900);
  });

  it("when the space crashes every process stalls, and its tuples are gone after the restart", async () => {
    const { sim, space } = world(9);
    const p = sim.spawn("p");
    const ts = tupleSpaceClient(p, "space", { timeoutMs: 20, retries: 1, blockingTimeoutMs: 50 });
    await sim.runUntilSettled(ts.out(["state", 1]));
    sim.crash("space");
    await expect(sim.runUntilSettled(ts.rd(["state", null]))).rejects.toBeInstanceOf(RpcTimeoutError);
    await expect(sim.runUntilSettled(ts.out(["state", 2]))).rejects.toBeInstanceOf(RpcTimeoutError);
    sim.restart("space");
    expect(await sim.runUntilSettled(ts.rdp(["state", null]))).toBeNull();
    expect(space().tuples()).toEqual([]);
  });
});
