// sim.invariant: checked after every event, the first violation stops the run with the invariant's
// name, the time, the seed and a diagram of the last messages.
import { describe, expect, it } from "vitest";
import { InvariantViolation, Simulation } from "../../lib/simulation";
import { latency } from "../../lib/net";

/** n1 and n2 each become "leader" when a timer fires; n2's fires later. */
function twoLeaders(seed = 1): Simulation {
  const sim = new Simulation({ seed, network: { latency: latency.constant(2) } });
  for (const [id, atMs] of [["n1", 10], ["n2", 25]] as const) {
    sim.spawn(id, (node) => {
      node.on("hello", () => {});
      node.setPeriodic(5, () => node.broadcast({ type: "hello" }), "gossip");
      node.setTimer(atMs, () => node.setState("leader", "timer"), "elect");
    });
  }
  return sim;
}
const leaders = (sim: Simulation): string[] => sim.nodeIds().filter((id) => sim.node(id).state === "leader");

describe("sim.invariant", () => {
  it("stops the run at the first event after which it is violated, naming it, the time and the seed", async () => {
    const sim = twoLeaders(7);
    sim.invariant("at most one leader", () => leaders(sim).length <= 1 || `leaders: ${leaders(sim).join(", ")}`);
    const err = await sim.runFor(100).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvariantViolation);
    const v = err as InvariantViolation;
    expect(v.message).toBe('invariant "at most one leader" violated: leaders: n1, n2 (t=25ms, seed=7)');
    expect(v.invariant).toBe("at most one leader");
    expect(sim.now()).toBe(25);
    // the diagram shows the messages before it and the finding
    expect(v.diagram).toMatch(/^sequenceDiagram/m);
    expect(v.diagram).toContain("hello");
    expect(v.diagram).toContain("at most one leader");
  });

  it("a check returning false, or throwing, is a violation too; true and nothing are fine", async () => {
    for (const [check, problem] of [
      [() => false, "the check returned false"],
      [() => {
        throw new Error("boom");
      }, "the check threw: boom"],
    ] as const) {
      const sim = twoLeaders();
      sim.invariant("holds", () => true);
      sim.invariant("nothing", () => undefined);
      sim.invariant("bad", check);
      await expect(sim.runFor(100)).rejects.toThrow(`invariant "bad" violated: ${problem}`);
    }
  });

  it("sees the state after the continuations an event woke (async code), not before", async () => {
    const sim = new Simulation({ seed: 1 });
    let inFlight = 0;
    sim.spawn("b", (node) => node.on("q", (m) => node.reply(m, { type: "q_ok" })));
    sim.spawn("a", async (node) => {
      for (let i = 0; i < 5; i++) {
        inFlight++;
        await node.rpc("b", { type: "q" });
        inFlight--; // runs at the reply's delivery, before the invariant is checked
      }
    });
    sim.invariant("at most one request in flight", () => inFlight <= 1);
    await sim.run();
    expect(inFlight).toBe(0);
  });

  it("can be removed; bad declarations are clear errors", async () => {
    const sim = twoLeaders();
    const remove = sim.invariant("at most one leader", () => leaders(sim).length <= 1);
    remove();
    await sim.runFor(100);
    expect(leaders(sim)).toEqual(["n1", "n2"]);
    expect(() => sim.invariant("", () => true)).toThrow(/non-empty string/);
    sim.invariant("x", () => true);
    expect(() => sim.invariant("x", () => true)).toThrow(/already registered/);
    expect(() => sim.invariant("y", 5 as never)).toThrow(/must be a function/);
  });

  it("replays: the same seed violates at the same time with the same diagram", async () => {
    const run = async (): Promise<InvariantViolation> => {
      const sim = twoLeaders(3);
      sim.invariant("at most one leader", () => leaders(sim).length <= 1);
      return (await sim.runFor(100).catch((e: unknown) => e)) as InvariantViolation;
    };
    const [a, b] = [await run(), await run()];
    expect(a.timeMs).toBe(25);
    expect(a.diagram).toBe(b.diagram);
  });
});
