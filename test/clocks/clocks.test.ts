// Local clocks: what a node can know about time (node.clock()) against the simulator's true time
// (node.now(), sim.now()). Offsets, drift, steps and slews; timers on the local clock, including
// when the clock changes while they are pending; crashes; bad input; determinism.
import { describe, expect, it } from "vitest";
import { Simulation, latency, ConfigError, SimulationError, formatTimeline, toSequenceDiagram, RpcTimeoutError } from "../../lib";
import type { ClockEvent, TraceEvent } from "../../lib";

const clockEvents = (events: readonly TraceEvent[]) => events.filter((e): e is ClockEvent => e.kind === "clock");

describe("clock readings", () => {
  it("a node without a clock reads true time; node.now() is always true time", async () => {
    const sim = new Simulation({ seed: 1 });
    const a = sim.spawn("a");
    await sim.runFor(123.456);
    expect(a.clock()).toBe(123.456);
    expect(a.now()).toBe(123.456);
    expect(sim.clockOffset("a")).toBe(0);
    expect(sim.trace.filter({ kinds: ["clock"] })).toEqual([]); // nothing traced for a node without a clock
  });

  it("reading = offset + true time × (1 + drift/1e6), on the microsecond grid", async () => {
    const sim = new Simulation({ seed: 1 });
    const a = sim.spawn("a", () => {}, { clock: { offsetMs: 5, driftPpm: 100 } });
    expect(a.clock()).toBe(5);
    await sim.runFor(1000);
    expect(a.now()).toBe(1000);
    expect(a.clock()).toBe(1005.1); // 5 + 1000 × 1.0001
    expect(sim.clockOffset("a")).toBe(5.1);
    await sim.runFor(0.0123);
    expect(a.clock()).toBe(1005.112); // 5 + 1000.0123 × 1.0001 = 1005.1123…, on the µs grid
  });

  it("a negative offset is fine: the clock is behind (and reads negative times at first)", async () => {
    const sim = new Simulation({ seed: 1 });
    const a = sim.spawn("a", () => {}, { clock: { offsetMs: -20 } });
    expect(a.clock()).toBe(-20);
    await sim.runFor(50);
    expect(a.clock()).toBe(30);
    expect(sim.clockOffset("a")).toBe(-20);
  });

  it("a node spawned later: the offset is the offset at spawn, drift counts from then", async () => {
    const sim = new Simulation({ seed: 1 });
    await sim.runFor(1000);
    const late = sim.spawn("late", () => {}, { clock: { offsetMs: 3, driftPpm: 10_000 } });
    expect(late.clock()).toBe(1003);
    await sim.runFor(100);
    expect(late.clock()).toBe(1104); // 1003 + 100 × 1.01
  });

  it("two nodes with opposite drift measure the same true interval differently", async () => {
    const sim = new Simulation({ seed: 1 });
    const fast = sim.spawn("fast", () => {}, { clock: { driftPpm: 50_000 } }); // +5%
    const slow = sim.spawn("slow", () => {}, { clock: { driftPpm: -50_000 } }); // −5%
    const start = { fast: 0, slow: 0, trueMs: 0 };
    sim.at(100, () => Object.assign(start, { fast: fast.clock(), slow: slow.clock(), trueMs: sim.now() }));
    await sim.runUntilTime(1100);
    expect(sim.now() - start.trueMs).toBe(1000);
    expect(fast.clock() - start.fast).toBeCloseTo(1050, 9);
    expect(slow.clock() - start.slow).toBeCloseTo(950, 9);
  });

  it("setClock steps the offset and/or changes the drift from now on, and is traced", async () => {
    const sim = new Simulation({ seed: 3 });
    const a = sim.spawn("a", () => {}, { clock: { driftPpm: 1000 } });
    await sim.runFor(1000);
    expect(a.clock()).toBe(1001);
    sim.setClock("a", { offsetMs: -10 }); // step: drift kept
    expect(a.clock()).toBe(990);
    await sim.runFor(1000);
    expect(a.clock()).toBe(1991);
    sim.setClock("a", { driftPpm: 0 }); // rate only: the reading is kept
    expect(a.clock()).toBe(1991);
    await sim.runFor(9);
    expect(a.clock()).toBe(2000);
    expect(clockEvents(sim.trace.events).map(({ timeMs, change, offsetMs, driftPpm }) => [timeMs, change, offsetMs, driftPpm])).toEqual([
      [0, "set", 0, 1000],
      [1000, "set", -10, 1000],
      [2000, "set", -9, 0],
    ]);
  });

  it("node.adjustClock steps the clock (it may go backwards) and is traced", async () => {
    const sim = new Simulation({ seed: 3 });
    const a = sim.spawn("a", () => {}, { clock: { offsetMs: 7 } });
    await sim.runFor(10);
    a.adjustClock(-7);
    expect(a.clock()).toBe(10);
    expect(sim.clockOffset("a")).toBe(0);
    const e = clockEvents(sim.trace.events).at(-1)!;
    expect(e).toEqual({ kind: "clock", timeMs: 10, node: "a", change: "step", offsetMs: 0, driftPpm: 0, deltaMs: -7 });
    expect(formatTimeline(sim.trace, { kinds: ["clock"] })).toBe(
      ["t=    0.0ms  a  clock set: offset +7ms, drift 0ppm", "t=   10.0ms  a  clock stepped -7ms (offset now 0ms)"].join("\n"),
    );
  });

  it("a slew absorbs a correction gradually: the clock never jumps and never goes backwards", async () => {
    const sim = new Simulation({ seed: 3 });
    const a = sim.spawn("a", () => {}, { clock: { offsetMs: 10 } });
    a.adjustClock(-10, { slewMs: 1000 }); // 1% slow for one second
    const readings: number[] = [];
    for (let i = 0; i < 15; i++) {
      readings.push(a.clock());
      await sim.runFor(100);
    }
    for (let i = 1; i < readings.length; i++) expect(readings[i]).toBeGreaterThan(readings[i - 1]);
    expect(readings[5]).toBe(10 + 500 * 0.99); // halfway: 5 ms absorbed
    expect(readings[10]).toBe(1000); // done: offset 0
    expect(readings[14]).toBe(1400); // back to the plain drift (0)
    expect(sim.clockOffset("a")).toBe(0);
    expect(describeLast(sim)).toBe("clock slewing -10ms over 1000ms (offset now +10ms)");
  });

  it("the clock is the machine's: it survives a crash and a restart", async () => {
    const sim = new Simulation({ seed: 3 });
    sim.spawn("a", () => {}, { clock: { offsetMs: 4, driftPpm: 100_000 } });
    await sim.runFor(100);
    sim.crash("a");
    await sim.runFor(100);
    const a2 = sim.restart("a");
    expect(a2.clock()).toBe(224); // 4 + 200 × 1.1
  });
});

function describeLast(sim: Simulation): string {
  const line = formatTimeline(sim.trace, { kinds: ["clock"] }).split("\n").at(-1)!;
  return line.replace(/^t=\s*[\d.]+ms\s+\S+\s+/, "");
}

describe("local-clock timers", () => {
  /** When a timer set at true time 0 fires, on a node with this clock. */
  async function fireTime(clock: { offsetMs?: number; driftPpm?: number }, delayMs: number, timerClock: "local" | "true" = "local"): Promise<number> {
    const sim = new Simulation({ seed: 1 });
    let firedMs = -1;
    sim.spawn("a", (node) => node.setTimer(delayMs, () => (firedMs = node.now()), "t", { clock: timerClock }), { clock });
    await sim.run();
    return firedMs;
  }

  it("a local timer of d ms fires after d / (1 + drift) true ms; a true-time timer is unaffected", async () => {
    expect(await fireTime({ driftPpm: 250_000 }, 100)).toBe(80); // fast clock: early
    expect(await fireTime({ driftPpm: -200_000 }, 100)).toBe(125); // slow clock: late
    expect(await fireTime({ driftPpm: 0, offsetMs: 1234 }, 100)).toBe(100); // an offset alone changes nothing
    expect(await fireTime({ driftPpm: 250_000 }, 100, "true")).toBe(100);
  });

  it("it fires at the first microsecond at which the local clock has advanced by the delay", async () => {
    const sim = new Simulation({ seed: 1 });
    const seen: Array<[number, number]> = [];
    sim.spawn("a", (node) => {
      const start = node.clock();
      node.setTimer(10, () => seen.push([node.now(), node.clock() - start]), "t", { clock: "local" });
    }, { clock: { offsetMs: 0.5, driftPpm: 333 } });
    await sim.run();
    const [trueMs, advancedMs] = seen[0];
    expect(advancedMs).toBeGreaterThanOrEqual(10);
    expect(trueMs).toBe(9.997); // 10 / 1.000333 = 9.99667 → the next µs
  });

  it("the node's `timers: \"local\"` option puts setTimer, setPeriodic, sleep and rpc timeouts on the local clock", async () => {
    const sim = new Simulation({ seed: 1, onError: "record" });
    const log: string[] = [];
    sim.spawn("silent", (node) => node.on("ping", () => {}));
    sim.spawn("fast", async (node) => {
      node.setTimer(100, () => log.push(`timer ${node.now()}`));
      const p = node.setPeriodic(100, () => log.push(`periodic ${node.now()}`));
      node.setTimer(100, () => log.push(`true-time timer ${node.now()}`), "t", { clock: "true" });
      node.setTimer(250, () => node.cancelTimer(p), "stop");
      await node.sleep(100);
      log.push(`slept ${node.now()}`);
      try {
        await node.rpc("silent", { type: "ping" }, { timeoutMs: 100 });
      } catch (err) {
        log.push(`rpc ${err instanceof RpcTimeoutError ? "timed out" : err} ${node.now()}`);
      }
    }, { clock: { driftPpm: 1_000_000, timers: "local" } }); // runs twice as fast
    await sim.run();
    expect(log).toEqual(["timer 50", "periodic 50", "slept 50", "true-time timer 100", "periodic 100", "rpc timed out 100"]);
  });

  it("a step while a local timer is pending moves it: it fires when the clock reads its deadline", async () => {
    const fired = async (stepMs: number): Promise<number> => {
      const sim = new Simulation({ seed: 1 });
      let at = -1;
      const a = sim.spawn("a", (node) => node.setTimer(100, () => (at = node.now()), "t", { clock: "local" }));
      sim.at(50, () => a.adjustClock(stepMs));
      await sim.run();
      return at;
    };
    expect(await fired(+30)).toBe(70); // the clock jumped ahead: the timeout comes early
    expect(await fired(-30)).toBe(130); // set back: late
    expect(await fired(+80)).toBe(50); // past the deadline: at once
  });

  it("a drift change re-arms pending local timers at the new rate", async () => {
    const sim = new Simulation({ seed: 1 });
    let at = -1;
    sim.spawn("a", (node) => node.setTimer(100, () => (at = node.now()), "t", { clock: "local" }));
    sim.at(40, () => sim.setClock("a", { driftPpm: 500_000 })); // 60 local ms left, now 1.5× fast
    await sim.run();
    expect(at).toBe(80);
  });

  it("a periodic local timer after a forward step: no double run from the stale arming, no burst", async () => {
    const sim = new Simulation({ seed: 1 });
    const runs: Array<[number, number]> = [];
    const a = sim.spawn("a", (node) => node.setPeriodic(100, () => runs.push([node.now(), node.clock()]), "tick", { clock: "local" }));
    sim.at(50, () => a.adjustClock(+100)); // reads 150: the deadline 100 has passed
    await sim.runUntilTime(350);
    expect(runs).toEqual([
      [50, 150], // at once
      [100, 200], // next local deadline 200 — the same true time the stale arming had: runs once
      [200, 300],
      [300, 400],
    ]);
    expect(sim.trace.filter({ kinds: ["timer"] })).toHaveLength(4);
  });

  it("cancelTimer cancels a local timer, also after it was re-armed", async () => {
    const sim = new Simulation({ seed: 1 });
    let fired = 0;
    const a = sim.spawn("a", (node) => {
      const t = node.setTimer(100, () => fired++, "t", { clock: "local" });
      node.setTimer(60, () => node.cancelTimer(t), "cancel");
    });
    sim.at(50, () => a.adjustClock(-20));
    await sim.run();
    expect(fired).toBe(0);
  });

  it("a crash drops pending local timers; the restarted incarnation's timers use the same clock", async () => {
    const sim = new Simulation({ seed: 1 });
    const fired: Array<[number, number]> = [];
    sim.spawn("a", (node) => node.setTimer(100, () => fired.push([node.incarnation, node.now()]), "t", { clock: "local" }), { clock: { driftPpm: -500_000 } });
    sim.at(150, () => sim.crash("a"));
    sim.at(160, () => sim.restart("a"));
    await sim.run();
    expect(fired).toEqual([[2, 360]]); // incarnation 1's (due at 200) never ran; incarnation 2's: 160 + 100 / 0.5
  });

  it("clock changes on a crashed node are kept and traced", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("a");
    sim.crash("a");
    sim.setClock("a", { offsetMs: 9 });
    expect(sim.restart("a").clock()).toBe(9);
  });
});

describe("clock misuse", () => {
  it("drift must be > -1,000,000 ppm: a ConfigError naming the option, the value, the node, the time and the seed", () => {
    const sim = new Simulation({ seed: 42 });
    expect(() => sim.spawn("a", () => {}, { clock: { driftPpm: -1_000_000 } })).toThrow(ConfigError);
    expect(() => sim.spawn("a", () => {}, { clock: { driftPpm: -1_000_000 } })).toThrow(
      /invalid option spawn\("a"\)\.clock\.driftPpm: got -1000000, expected a finite number of parts per million > -1000000 .*\(node "a", t=0ms, seed=42\)/,
    );
    expect(sim.nodeIds()).toEqual([]); // nothing half-made
    sim.spawn("b");
    expect(() => sim.setClock("b", { driftPpm: NaN })).toThrow(/setClock\.driftPpm: got NaN/);
    expect(() => sim.setClock("b", { offsetMs: Infinity })).toThrow(/setClock\.offsetMs: got Infinity/);
    expect(() => sim.setClock("b", { driftPPM: 5 } as never)).toThrow(/setClock\.driftPPM: got 5, expected a known option \(offsetMs, driftPpm, timers\)/);
    expect(() => sim.setClock("b", { timers: "wall" } as never)).toThrow(/setClock\.timers: got "wall", expected "local" or "true"/);
    expect(() => sim.setClock("nobody", {})).toThrow(/setClock: unknown node "nobody"/);
    expect(() => sim.clockOffset("nobody")).toThrow(SimulationError);
  });

  it("adjustClock and timers reject bad numbers with the node, time and seed", async () => {
    const sim = new Simulation({ seed: 9 });
    const a = sim.spawn("a");
    await sim.runFor(5);
    expect(() => a.adjustClock(NaN)).toThrow(/adjustClock: deltaMs must be a finite number of ms, got NaN \(node "a", t=5ms, seed=9\)/);
    expect(() => a.adjustClock(1, { slewMs: 0 })).toThrow(/slewMs must be a finite number of ms > 0/);
    expect(() => a.adjustClock(-2000, { slewMs: 1000 })).toThrow(/would stop the clock or run it backwards/);
    expect(() => a.setTimer(10, () => {}, "t", { clock: "wall" as never })).toThrow(/timer "t": clock must be "local" or "true", got "wall"/);
    expect(sim.trace.filter({ kinds: ["clock"] })).toEqual([]); // nothing happened
  });

  it("a dead incarnation cannot touch the clock", async () => {
    const sim = new Simulation({ seed: 1 });
    const a = sim.spawn("a");
    sim.crash("a");
    a.adjustClock(100);
    expect(sim.clockOffset("a")).toBe(0);
  });
});

describe("clocks in the trace and determinism", () => {
  async function run(seed: number): Promise<Simulation> {
    const sim = new Simulation({ seed, network: { latency: latency.uniform(1, 20) } });
    sim.spawn("server", (node) => node.on("time", (m) => node.reply(m, { type: "time_ok", clockMs: node.clock() })), { clock: { driftPpm: 20 } });
    sim.spawn("client", (node) => {
      node.setPeriodic(100, async () => {
        const t0 = node.clock();
        const r = await node.rpc<{ type: string; clockMs: number }>("server", { type: "time" });
        const t1 = node.clock();
        node.adjustClock(r.body.clockMs + (t1 - t0) / 2 - t1);
      }, "sync", { clock: "local" });
    }, { clock: { offsetMs: -40, driftPpm: driftFor(seed) } });
    await sim.runFor(1000);
    return sim;
  }
  const driftFor = (seed: number) => 1000 + seed;

  it("the same seed gives the same trace hash; another seed another", async () => {
    const [a, b, c] = [await run(5), await run(5), await run(6)];
    expect(a.trace.hash()).toBe(b.trace.hash());
    expect(a.trace.hash()).not.toBe(c.trace.hash());
    expect(a.trace.filter({ kinds: ["clock"] }).length).toBeGreaterThan(5);
  });

  it("clock changes are notes in the sequence diagram", async () => {
    const sim = await run(5);
    const diagram = toSequenceDiagram(sim.trace, { fromMs: 0, toMs: 150 });
    expect(diagram).toMatch(/Note over client: clock set#58; offset -40ms, drift \+1005ppm/); // Mermaid-escaped colon
    expect(diagram).toMatch(/Note over client: clock stepped \+/);
  });
});
