// Promise continuations run at the virtual time of the event that settled their promise, however
// the promise was made: by rpc or sleep, by a handler resolving a promise of its own, by an async
// behaviour, or before the run started. And a run never lets the clock pass a pending continuation.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import { latency } from "../../lib/net";

describe("async node code resumes at the right virtual time", () => {
  it("a promise resolved by a plain (sync) handler wakes its awaiting code at the delivery time", async () => {
    const sim = new Simulation({ seed: 1, network: { latency: latency.constant(5) } });
    const log: string[] = [];
    sim.spawn("b", (node) => node.on("ping", (m) => node.reply(m, { type: "pong" })));
    sim.spawn("a", (node) => {
      let wake: () => void = () => {};
      node.on("pong", () => wake()); // returns nothing: no promise to see
      void (async () => {
        for (let i = 0; i < 3; i++) {
          const pong = new Promise<void>((resolve) => (wake = resolve));
          node.send("b", { type: "ping" });
          await pong;
          log.push(`pong ${i} at ${node.now()}`);
        }
      })();
    });
    await sim.runFor(100);
    expect(log).toEqual(["pong 0 at 10", "pong 1 at 20", "pong 2 at 30"]);
    expect(sim.pending()).toEqual([]);
  });

  it("the idiomatic 'await a pong' pinger passes the 00.1 checks' timing: each ping leaves when the pong arrives", async () => {
    const sim = new Simulation({ seed: 7, network: { latency: latency.uniform(5, 15) } });
    sim.spawn("b", (node) => node.on("ping", (m) => node.reply(m, { type: "pong", n: m.body.n })));
    sim.spawn("a", async (node) => {
      let wake: () => void = () => {};
      node.on("pong", () => wake());
      for (let n = 1; n <= 4; n++) {
        const pong = new Promise<void>((resolve) => (wake = resolve));
        node.send("b", { type: "ping", n });
        await pong;
      }
      node.setState("done");
    });
    await sim.runFor(500);
    const pongsIn = sim.trace.filter({ kinds: ["deliver"], types: ["pong"] }).map((e) => e.timeMs);
    const pingsOut = sim.trace.filter({ kinds: ["send"], types: ["ping"] }).map((e) => e.timeMs);
    expect(pingsOut.slice(1)).toEqual(pongsIn.slice(0, 3));
    expect(sim.trace.filter({ kinds: ["state"] }).map((e) => e.timeMs)).toEqual([pongsIn[3]]);
  });

  it("continuations of an async behaviour run at spawn time, before the first event", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("b", (node) => node.on("go", () => {}));
    sim.spawn("a", async (node) => {
      await Promise.resolve();
      node.send("b", { type: "go" });
      node.setTimer(50, () => {}, "later");
    });
    await sim.runFor(100);
    expect(sim.trace.filter({ kinds: ["send"] }).map((e) => e.timeMs)).toEqual([0]);
  });

  it("runUntilSettled returns an already settled promise without running anything", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("a", (node) => node.setPeriodic(10, () => {}, "tick"));
    expect(await sim.runUntilSettled(Promise.resolve(5))).toBe(5);
    await expect(sim.runUntilSettled(Promise.reject(new Error("no")))).rejects.toThrow("no");
    expect(sim.now()).toBe(0);
  });

  it("a run never ends with the clock past a continuation's sends", async () => {
    const sim = new Simulation({ seed: 1, network: { latency: latency.constant(5) } });
    sim.spawn("b", (node) => node.on("go", () => {}));
    sim.spawn("a", (node) => {
      let wake: () => void = () => {};
      void new Promise<void>((resolve) => (wake = resolve)).then(() => node.send("b", { type: "go" }));
      node.on("kick", () => wake());
    });
    sim.spawn("k").send("a", { type: "kick" }); // arrives at 5; the continuation sends at 5
    await sim.runFor(100);
    expect(sim.trace.filter({ kinds: ["send"], types: ["go"] }).map((e) => e.timeMs)).toEqual([5]);
    expect(sim.trace.filter({ kinds: ["deliver"], types: ["go"] }).map((e) => e.timeMs)).toEqual([10]);
    const times = sim.trace.events.map((e) => e.timeMs);
    expect(times).toEqual([...times].sort((x, y) => x - y)); // the trace never goes back in time
  });
});
