// Run controls for tests and notebooks: run for a while, until a time, for N events, one step at a
// time with the queue inspectable, until a condition holds (or fail clearly), until a promise settles.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";

/** a pings b every 10 ms; b answers. */
function pingPong(seed = 1): Simulation {
  const sim = new Simulation({ seed });
  sim.spawn("b", (node) => node.on("ping", (m) => node.reply(m, { type: "pong" })));
  sim.spawn("a", (node) => {
    node.on("pong", () => {});
    node.setPeriodic(10, () => node.send("b", { type: "ping" }), "ping");
  });
  return sim;
}

describe("run controls", () => {
  it("runFor and runUntilTime advance the clock exactly, running events up to and including the end", async () => {
    const sim = pingPong();
    expect(await sim.runFor(10)).toEqual({ events: 1, timeMs: 10, stoppedBy: "time" }); // the timer at 10
    expect(sim.now()).toBe(10);
    expect(await sim.runFor(1)).toEqual({ events: 1, timeMs: 11, stoppedBy: "time" }); // ping delivered at 11
    expect(await sim.runUntilTime(12.5)).toEqual({ events: 1, timeMs: 12.5, stoppedBy: "time" }); // pong at 12
    expect(sim.now()).toBe(12.5);
    expect(await sim.runFor(0)).toEqual({ events: 0, timeMs: 12.5, stoppedBy: "time" });
    await sim.runUntilTime(1000);
    expect(sim.now()).toBe(1000);
    expect(sim.counters.delivered).toBe(2 * 99); // pings sent at 10 … 990 and their pongs; the ping sent at 1000 is in flight
  });

  it("the clock moves to the end time even when nothing happens", async () => {
    const sim = new Simulation({ seed: 1 });
    await sim.runFor(250);
    expect(sim.now()).toBe(250);
  });

  it("fractional times stay whole microseconds: three runFor(0.1) end at 0.3, and a 0.1 ms timer ticks at 0.1, 0.2, …", async () => {
    const sim = new Simulation({ seed: 1 });
    const ticks: number[] = [];
    sim.spawn("a", (node) => node.setPeriodic(0.1, () => ticks.push(node.now()), "tick"));
    for (let i = 0; i < 3; i++) await sim.runFor(0.1);
    expect(sim.now()).toBe(0.3);
    expect(() => sim.at(0.3, () => {})).not.toThrow();
    await sim.runFor(0.5);
    expect(ticks).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]);
    expect(() => sim.after(Infinity, () => {})).toThrow(/finite/);
  });

  it("running into the past, or for a negative duration, is an error", async () => {
    const sim = pingPong(6);
    await sim.runFor(50);
    await expect(sim.runUntilTime(20)).rejects.toThrow("cannot run until 20ms: that is before now (t=50ms, seed=6)");
    await expect(sim.runFor(-1)).rejects.toThrow(/runFor: duration must be a finite number of ms ≥ 0, got -1/);
  });

  it("runEvents(n) runs exactly n events, or fewer when the queue empties", async () => {
    const sim = pingPong();
    expect(await sim.runEvents(5)).toEqual({ events: 5, timeMs: 21, stoppedBy: "events" }); // timer 10, ping 11, pong 12, timer 20, ping 21
    expect(sim.counters.delivered).toBe(3);
    const idle = new Simulation({ seed: 1 });
    idle.spawn("x", (node) => node.setTimer(5, () => {}));
    expect(await idle.runEvents(10)).toEqual({ events: 1, timeMs: 5, stoppedBy: "idle" });
  });

  it("step() runs one event; pending() shows what comes next, in order", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("b", (node) => node.on("ping", (m) => node.reply(m, { type: "pong" })));
    const a = sim.spawn("a", (node) => node.on("pong", () => {}));
    a.send("b", { type: "ping" });
    sim.at(0.5, () => {}, "halfway");
    a.setTimer(3, () => {}, "later");
    expect(sim.pending()).toEqual([
      { timeMs: 0.5, kind: "script", description: "halfway" },
      { timeMs: 1, kind: "deliver", node: "b", description: "a → b ping #1" },
      { timeMs: 3, kind: "timer", node: "a", description: "a timer later" },
    ]);
    expect(await sim.step()).toEqual({ timeMs: 0.5, kind: "script", description: "halfway" });
    expect(sim.now()).toBe(0.5);
    expect(await sim.step()).toEqual({ timeMs: 1, kind: "deliver", node: "b", description: "a → b ping #1" });
    expect(sim.pending().map((e) => e.description)).toEqual(["b → a pong #1", "a timer later"]);
    await sim.step();
    await sim.step();
    expect(sim.pending()).toEqual([]);
    expect(await sim.step()).toBeUndefined();
    expect(sim.now()).toBe(3);
  });

  it("pending() marks duplicates", () => {
    const sim = new Simulation({ seed: 1, network: { duplicationProbability: 1 } });
    sim.spawn("b", (node) => node.on("m", () => {}));
    sim.spawn("a").send("b", { type: "m" });
    expect(sim.pending().map((e) => e.description)).toEqual(["a → b m #1", "a → b m #1 (duplicate)"]);
  });

  it("runUntil stops as soon as the predicate holds", async () => {
    const sim = pingPong();
    const result = await sim.runUntil(() => sim.counters.delivered >= 5, { withinMs: 1000 });
    expect(sim.counters.delivered).toBe(5); // ping 11, pong 12, ping 21, pong 22, ping 31
    expect(result).toEqual({ events: 8, timeMs: 31, stoppedBy: "predicate" });
    expect(await sim.runUntil(() => true)).toEqual({ events: 0, timeMs: 31, stoppedBy: "predicate" });
  });

  it("runUntil with withinMs throws a clear non-convergence error naming the description, the time and the seed", async () => {
    const sim = pingPong(1234);
    await expect(sim.runUntil(() => false, { withinMs: 200, description: "one leader elected" })).rejects.toThrow(
      'runUntil: "one leader elected" never became true: 200ms of virtual time passed (t=200ms, seed=1234)',
    );
    expect(sim.now()).toBe(200);
  });

  it("runUntil says when nothing was left to run; throwOnTimeout: false returns instead", async () => {
    const sim = new Simulation({ seed: 9 });
    sim.spawn("a", (node) => node.setTimer(5, () => {}));
    await expect(sim.runUntil(() => false)).rejects.toThrow('runUntil: the condition never became true: nothing was left to run (t=5ms, seed=9)');
    const quiet = pingPong();
    expect(await quiet.runUntil(() => false, { withinMs: 25, throwOnTimeout: false })).toEqual({ events: 6, timeMs: 25, stoppedBy: "time" });
  });

  it("runUntilSettled returns the promise's value, or its rejection", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("b", (node) => node.on("ping", (m) => node.reply(m, { type: "pong", at: node.now() })));
    const a = sim.spawn("a");
    const reply = await sim.runUntilSettled(a.rpc("b", { type: "ping" }));
    expect(reply.body).toMatchObject({ type: "pong", at: 1 });
    expect(sim.now()).toBe(2);
    sim.spawn("silent", (node) => node.on("ping", () => {}));
    await expect(sim.runUntilSettled(a.rpc("silent", { type: "ping" }, { timeoutMs: 5 }))).rejects.toThrow(
      'rpc ping to "silent" got no reply after 1 attempt(s) (node "a", t=7ms, seed=1)',
    );
  });

  it("runUntilSettled fails clearly when the promise never settles", async () => {
    const sim = pingPong(3);
    const never = new Promise<void>(() => {});
    await expect(sim.runUntilSettled(never, { withinMs: 50 })).rejects.toThrow('"the promise settles" never became true: 50ms of virtual time passed (t=50ms, seed=3)');
  });

  it("run() drains the queue; a second run while one waits on async node code is refused", async () => {
    const sim = pingPong();
    sim.spawn("sleeper", (node) => node.setPeriodic(7, async () => (await node.sleep(1)))); // makes runs wait on promises
    const first = sim.runFor(100); // forgot the await
    await expect(sim.runFor(100)).rejects.toThrow(/a run is already in progress/);
    await first;
    expect(sim.now()).toBe(100);
    const finite = new Simulation({ seed: 1 });
    finite.spawn("a", (node) => node.setTimer(40, () => {}));
    expect(await finite.run()).toEqual({ events: 1, timeMs: 40, stoppedBy: "idle" });
  });

  it("calling a run from inside a handler is refused with a hint", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("a", (node) => node.setTimer(1, async () => (await sim.runFor(5))));
    await expect(sim.run()).rejects.toThrow(/a run is already in progress \(did you call run… inside a handler, or forget an await\?\)/);
  });

  it("scripted actions run at their time in scheduling order, and can be async", async () => {
    const sim = new Simulation({ seed: 1 });
    const log: string[] = [];
    sim.at(10, () => log.push(`first at ${sim.now()}`));
    sim.at(10, () => log.push(`second at ${sim.now()}`));
    sim.after(5, () => log.push(`after 5 at ${sim.now()}`));
    sim.at(20, async () => {
      log.push("async starts");
      await Promise.resolve();
      log.push(`async continues at ${sim.now()}`);
    });
    sim.at(21, () => log.push("next event"));
    await sim.run();
    expect(log).toEqual(["after 5 at 5", "first at 10", "second at 10", "async starts", "async continues at 20", "next event"]);
  });
});
