// Misuse gets a clear error: a bad option names the option and the value, an unknown node names the
// known ones, and a runaway run names who sent the most, what, and the seed.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import { ConfigError, SimulationError } from "../../lib/sim";
import { latency, resolveNetworkOptions, type NetworkOptions } from "../../lib/net";

/** The error thrown by `fn`, or undefined if it did not throw. */
function thrown(fn: () => unknown): Error | undefined {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  return undefined;
}

describe("invalid options throw ConfigError naming the option and the value", () => {
  const cases: Array<[string, NetworkOptions, string]> = [
    ["loss 1.5", { lossProbability: 1.5 }, "invalid option network.lossProbability: got 1.5, expected a probability in [0, 1]"],
    ["loss -0.1", { lossProbability: -0.1 }, "invalid option network.lossProbability: got -0.1, expected a probability in [0, 1]"],
    ["loss NaN", { lossProbability: Number.NaN }, "invalid option network.lossProbability: got NaN"],
    ["loss as text", { lossProbability: "0.1" as never }, 'invalid option network.lossProbability: got "0.1"'],
    ["duplication 2", { duplicationProbability: 2 }, "invalid option network.duplicationProbability: got 2"],
    ["NaN latency", { latency: latency.constant(Number.NaN) }, "invalid option network.latency.ms: got NaN, expected a finite number of milliseconds ≥ 0"],
    ["negative latency", { latency: latency.uniform(-5, 10) }, "invalid option network.latency.msMin: got -5"],
    ["infinite latency", { latency: latency.exponential(Infinity) }, "invalid option network.latency.msMean: got Infinity"],
    ["uniform max < min", { latency: latency.uniform(10, 5) }, "invalid option network.latency.msMax: got 5, expected ≥ msMin (10)"],
    ["negative std dev", { latency: latency.normal(10, -1) }, "invalid option network.latency.msStdDev: got -1"],
    ["unknown latency kind", { latency: { kind: "pareto" } as never }, 'invalid option network.latency.kind: got "pareto", expected one of constant, uniform, normal, exponential'],
    ["latency a number", { latency: 5 as never }, "invalid option network.latency: got 5, expected a latency distribution such as latency.constant(5)"],
    ["unknown ordering", { ordering: "random" as never }, 'invalid option network.ordering: got "random", expected "fifo" or "unordered"'],
    ["unknown option key", { lossRate: 0.1 } as never, "invalid option network.lossRate: got 0.1, expected a known option (latency, links, lossProbability"],
    ["an Object.prototype name as key", { toString: 1 } as never, "invalid option network.toString: got 1, expected a known option"],
    ["zero bandwidth", { bandwidthBytesPerMs: 0 }, "invalid option network.bandwidthBytesPerMs: got 0, expected a number of bytes per ms > 0"],
    ["bad link latency", { links: [{ from: "a", to: "b", latency: latency.constant(-1) }] }, "invalid option network.links[0].latency.ms: got -1"],
    ["links not an array", { links: {} as never }, "invalid option network.links: got {}, expected an array of { from, to, latency }"],
  ];
  for (const [name, network, message] of cases) {
    it(name, () => {
      const err = thrown(() => new Simulation({ seed: 1, network }));
      expect(err).toBeInstanceOf(ConfigError);
      expect(err).toBeInstanceOf(SimulationError);
      expect(err!.name).toBe("ConfigError");
      expect(err!.message).toContain(message);
    });
  }

  it("configure() checks the same way and leaves the old options in force", () => {
    const sim = new Simulation({ seed: 1, network: { lossProbability: 0.2 } });
    expect(() => sim.network.configure({ lossProbability: 7 })).toThrow(ConfigError);
    expect(sim.network.options.lossProbability).toBe(0.2);
  });

  it("resolveNetworkOptions fills in defaults", () => {
    expect(resolveNetworkOptions({ lossProbability: 0.1 })).toEqual({
      latency: { kind: "constant", ms: 1 },
      links: [],
      lossProbability: 0.1,
      duplicationProbability: 0,
      ordering: "fifo",
      bandwidthBytesPerMs: Infinity,
    });
  });

  it("a link naming an unknown node is caught when the run starts", async () => {
    const sim = new Simulation({ seed: 1, network: { links: [{ from: "a", to: "ghost", latency: latency.constant(5) }] } });
    sim.spawn("a");
    await expect(sim.runFor(10)).rejects.toThrow(ConfigError);
    await expect(sim.run()).rejects.toThrow('invalid option network.links[0].to: got "ghost", expected the id of a spawned node');
    sim.spawn("ghost");
    await expect(sim.runFor(10)).resolves.toMatchObject({ timeMs: 10 });
  });

  it("simulation options: seed, maxEvents, onError", () => {
    for (const seed of [-1, 1.5, 2 ** 32, Number.NaN, "42"]) {
      const err = thrown(() => new Simulation({ seed: seed as number }));
      expect(err).toBeInstanceOf(ConfigError);
      expect(err!.message).toMatch(/^invalid option seed: got .*, expected a whole number in \[0, 2\^32\)$/);
    }
    expect(thrown(() => new Simulation({ seed: 2 ** 32 - 1 }))).toBeUndefined();
    expect(thrown(() => new Simulation({ maxEvents: 0 }))?.message).toBe("invalid option maxEvents: got 0, expected a number > 0");
    expect(thrown(() => new Simulation({ onError: "ignore" as never }))?.message).toBe('invalid option onError: got "ignore", expected "fail", "crash" or "record"');
    expect(() => new Simulation().setMaxEvents(-3)).toThrow(ConfigError);
  });
});

describe("unknown nodes and bad calls", () => {
  const sim = (): Simulation => {
    const s = new Simulation({ seed: 21 });
    s.spawn("a", (node) => node.on("m", () => {}));
    s.spawn("b", (node) => node.on("m", () => {}));
    return s;
  };

  it("send to an unknown node names it and the known ones", () => {
    expect(() => sim().node("a").send("c", { type: "m" })).toThrow('send m: unknown destination node "c" (known: a, b) (node "a", t=0ms, seed=21)');
  });

  it("invalid network options at construction name the option, the value and the seed", () => {
    expect(() => new Simulation({ seed: 4, network: { lossProbability: 2 } })).toThrow(
      "invalid option network.lossProbability: got 2, expected a probability in [0, 1] (t=0ms, seed=4)",
    );
    expect(() => new Simulation({ seed: 4, network: { lossProbability: 2 } })).toThrow(ConfigError);
  });

  it("an error from the simulator inside a handler is reported with its context once", async () => {
    const s = new Simulation({ seed: 3 });
    s.spawn("a", (node) => node.setTimer(1, () => node.send("zz", { type: "x" }), "t"));
    await expect(s.run()).rejects.toThrow(/^timer t: send x: unknown destination node "zz" \(known: a\) \(node "a", t=1ms, seed=3\)$/);
  });

  it("a behaviour that throws at spawn makes spawn throw (onError fail)", () => {
    const s = new Simulation({ seed: 8 });
    expect(() =>
      s.spawn("a", () => {
        throw new Error("broken start");
      }),
    ).toThrow('start: broken start (node "a", t=0ms, seed=8)');
    const lenient = new Simulation({ seed: 8, onError: "record" });
    expect(() => lenient.spawn("a", () => {
      throw new Error("broken start");
    })).not.toThrow();
    expect(lenient.trace.filter({ kinds: ["error"] })).toHaveLength(1);
  });

  it("a handler sending to an unknown node fails the run with that message", async () => {
    const s = new Simulation({ seed: 21 });
    s.spawn("a", (node) => node.setTimer(2, () => node.send("nobody", { type: "m" }), "oops"));
    await expect(s.run()).rejects.toThrow('timer oops: send m: unknown destination node "nobody" (known: a)');
  });

  it("crash, restart, node, isUp, partition, cut, isolate and defineGroup with an unknown id", () => {
    const s = sim();
    expect(() => s.crash("c")).toThrow('crash: unknown node "c" (known: a, b) (t=0ms, seed=21)');
    expect(() => s.restart("c")).toThrow('restart: unknown node "c"');
    expect(() => s.node("c")).toThrow('node: unknown node "c"');
    expect(() => s.isUp("c")).toThrow('isUp: unknown node "c"');
    expect(() => s.partition([["a"], ["c"]])).toThrow(ConfigError);
    expect(() => s.partition([["a"], ["c"]])).toThrow(
      'invalid option partition groups[1]: got "c", expected the id of a spawned node (known: a, b) (t=0ms, seed=21)',
    );
    expect(() => s.cut("c", "a")).toThrow('invalid option cut from: got "c", expected the id of a spawned node (known: a, b) (t=0ms, seed=21)');
    expect(() => s.isolate("c")).toThrow('invalid option isolate node: got "c", expected the id of a spawned node (known: a, b) (t=0ms, seed=21)');
    expect(() => s.network.isBlocked("a", "c")).toThrow(ConfigError);
    expect(() => s.defineGroup("g", ["a", "c"])).toThrow('defineGroup("g"): unknown node "c"');
  });

  it("spawn: bad id, duplicate id, behaviour not a function", () => {
    const s = sim();
    expect(() => s.spawn("a")).toThrow('spawn: a node with id "a" already exists');
    expect(() => s.spawn("")).toThrow("spawn: a node id must be a non-empty string");
    expect(() => s.spawn("z", "not a function" as never)).toThrow('spawn("z"): behaviour must be a function');
  });

  it("a body without a type is refused", () => {
    expect(() => sim().node("a").send("b", { kind: "m" } as never)).toThrow('send to "b": the body must be an object with a non-empty string "type", got {"kind":"m"}');
  });

  it("a negative, NaN or infinite timer delay is refused", () => {
    const node = sim().node("a");
    expect(() => node.setTimer(-1, () => {}, "t")).toThrow('timer "t": delay must be a finite number of ms ≥ 0, got -1 (node "a", t=0ms, seed=21)');
    expect(() => node.setTimer(Number.NaN, () => {})).toThrow(/got NaN/);
    expect(() => node.setTimer(Infinity, () => {})).toThrow(/got Infinity/);
    return expect(node.sleep(-5)).rejects.toThrow(/timer "sleep": delay must be a finite number of ms ≥ 0, got -5/);
  });

  it("scheduling in the past is refused", async () => {
    const s = sim();
    await s.runFor(100);
    expect(() => s.at(50, () => {}, "too late")).toThrow('at("too late"): time must be a finite number ≥ now (100ms), got 50 (t=100ms, seed=21)');
    expect(() => s.at(Number.NaN, () => {})).toThrow(/got NaN/);
    expect(() => s.after(-1, () => {})).toThrow(/after\("script"\): delay must be a finite number ≥ 0, got -1/);
  });

  it("a scripted action that throws fails the run, naming the action", async () => {
    const s = sim();
    s.at(5, () => {
      throw new Error("bad script");
    }, "step 3");
    await expect(s.run()).rejects.toThrow('scripted action "step 3" failed: bad script (t=5ms, seed=21)');
  });
});

describe("event budget", () => {
  it("a message storm exceeds the budget: the error names the node that sent most, the dominant types and the seed", async () => {
    const sim = new Simulation({ seed: 99, maxEvents: 5000 });
    // every gossip is forwarded to two peers: exponential growth
    const storm = (node: import("../../lib/node").Node) => {
      node.on("gossip", () => {
        node.send(node.rng.pick(node.peers()), { type: "gossip" });
        node.send(node.rng.pick(node.peers()), { type: "gossip" });
      });
      node.on("ack", () => {});
    };
    sim.spawnMany(["a", "b", "c"], storm);
    sim.spawn("loud", (node) => {
      storm(node);
      node.setPeriodic(0.01, () => {
        node.send("a", { type: "ack" });
        node.send("b", { type: "ack" });
        node.send("c", { type: "ack" });
      });
    });
    sim.node("a").send("b", { type: "gossip" });
    const err = await sim.run().then(
      () => undefined,
      (e: SimulationError) => e,
    );
    expect(err).toBeInstanceOf(SimulationError);
    expect(err!.message).toMatch(/^event budget of 5000 events exceeded — a message storm or a timer loop\? \d+ messages were sent; node "loud" sent the most \(\d+\); top message types: ack \d+%, gossip \d+%\. Raise the budget with new Simulation\(\{ maxEvents \}\) if this load is intended\. \(t=[\d.]+ms, seed=99\)$/);
    expect(err!.seed).toBe(99);
  });

  it("a timer loop exceeds the budget: the error says no message was sent", async () => {
    const sim = new Simulation({ seed: 5, maxEvents: 100 });
    sim.spawn("a", (node) => node.setPeriodic(1, () => {}));
    await expect(sim.runFor(1000)).rejects.toThrow(/event budget of 100 events exceeded.*No messages were sent: look for a timer that keeps rescheduling itself\. \(t=100ms, seed=5\)/);
  });

  it("after the budget error the queue is as it was: the event that hit the limit is still first", async () => {
    const sim = new Simulation({ seed: 5, maxEvents: 2 });
    const fired: string[] = [];
    sim.spawn("a", (node) => {
      for (const name of ["t1", "t2", "t3", "t4"]) node.setTimer(10, () => fired.push(name), name);
    });
    const before = sim.pending().map((e) => e.description);
    await expect(sim.run()).rejects.toThrow(/event budget of 2 events exceeded/);
    expect(fired).toEqual(["t1", "t2"]);
    expect(sim.pending().map((e) => e.description)).toEqual(before.slice(2));
    sim.setMaxEvents(10);
    await sim.run();
    expect(fired).toEqual(["t1", "t2", "t3", "t4"]);
  });
});
