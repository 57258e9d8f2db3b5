// Service time and capacity: a node takes time to handle each message. Queueing numbers derived by
// hand, FIFO order, concurrency, the queue in the trace and in charts, crashes, a bounded queue,
// changing the service mid-run, per-node random streams, bad input and determinism.
import { describe, expect, it } from "vitest";
import {
  Simulation,
  latency,
  ConfigError,
  SimulationError,
  chartMetric,
  formatTimeline,
  seriesOverTime,
  summarize,
  toSequenceDiagram,
} from "../../lib";
import type { DeliverEvent, DropEvent, Node, QueueEvent, ServiceOptions, TraceEvent } from "../../lib";

const of = <K extends TraceEvent["kind"]>(events: readonly TraceEvent[], kind: K) => events.filter((e) => e.kind === kind) as Extract<TraceEvent, { kind: K }>[];

/** A server with `service` that records when each job's handler ran; a client that sends `jobs` jobs at time 0. */
function jobs(service: ServiceOptions, count: number, options: { seed?: number } = {}) {
  const sim = new Simulation({ seed: options.seed ?? 1, network: { latency: latency.constant(1) } });
  const handled: Array<[number, number]> = []; // [job, time]
  sim.spawn("server", (node) => node.on("job", (m) => {
    handled.push([m.body.n as number, node.now()]);
    node.reply(m, { type: "done" });
  }), { service });
  const client = sim.spawn("client", (node) => node.on("done", () => {}));
  for (let n = 1; n <= count; n++) client.send("server", { type: "job", n });
  return { sim, handled, client };
}

describe("queueing you can derive by hand", () => {
  it("3 messages arriving together, constant 10 ms, concurrency 1: handled at +10, +20, +30, in FIFO order", async () => {
    const { sim, handled } = jobs({ timeMs: latency.constant(10) }, 3);
    await sim.run();
    expect(handled).toEqual([[1, 11], [2, 21], [3, 31]]); // they arrive at 1
  });

  it("with concurrency 2: +10, +10, +20", async () => {
    const { sim, handled } = jobs({ timeMs: latency.constant(10), concurrency: 2 }, 3);
    await sim.run();
    expect(handled).toEqual([[1, 11], [2, 11], [3, 21]]);
  });

  it("with unbounded concurrency a node is a pure delay: nothing waits", async () => {
    const { sim, handled } = jobs({ timeMs: latency.constant(10), concurrency: Infinity }, 5);
    await sim.run();
    expect(handled.map(([, t]) => t)).toEqual([11, 11, 11, 11, 11]);
    expect(of(sim.trace.events, "queue")).toEqual([]);
  });

  it("the reply leaves when the work is done: response time = waiting + service + the network", async () => {
    const { sim, client } = jobs({ timeMs: latency.constant(10) }, 0);
    const times: number[] = [];
    for (let i = 0; i < 3; i++) client.rpc("server", { type: "job", n: i }).then(() => times.push(sim.now()));
    await sim.run();
    expect(times).toEqual([12, 22, 32]);
  });

  it("the deliver event is the handler's time; it says when the copy arrived and how long it was served", async () => {
    const { sim } = jobs({ timeMs: latency.constant(10) }, 3);
    await sim.run();
    const delivered = of(sim.trace.events, "deliver").filter((e) => e.dest === "server");
    expect(delivered.map((e) => [e.timeMs, e.sentMs, e.arrivedMs, e.serviceMs])).toEqual([
      [11, 0, 1, 10],
      [21, 0, 1, 10],
      [31, 0, 1, 10],
    ]);
    // a node without service time: the plain event, no extra fields
    const reply = of(sim.trace.events, "deliver").find((e) => e.dest === "client")!;
    expect(Object.keys(reply)).not.toContain("arrivedMs");
    expect(formatTimeline(sim.trace, { kinds: ["deliver"], types: ["job"] }).split("\n")[2]).toBe(
      "t=   31.0ms  client → server  job #3 delivered (+31ms: waited 20ms, served 10ms)",
    );
  });

  it("queue events when the number waiting changes, and sim.queueLength / sim.inService at any moment", async () => {
    const { sim } = jobs({ timeMs: latency.constant(10) }, 3);
    await sim.runUntilTime(1);
    expect([sim.queueLength("server"), sim.inService("server")]).toEqual([2, 1]);
    await sim.runUntilTime(11);
    expect([sim.queueLength("server"), sim.inService("server")]).toEqual([1, 1]);
    await sim.run();
    expect([sim.queueLength("server"), sim.inService("server")]).toEqual([0, 0]);
    expect(sim.queueLength("client")).toBe(0); // no service time: never a queue
    expect(of(sim.trace.events, "queue").map((e: QueueEvent) => [e.timeMs, e.length])).toEqual([
      [1, 1],
      [1, 2],
      [11, 1],
      [21, 0],
    ]);
    expect(formatTimeline(sim.trace, { kinds: ["queue"] })).toBe(
      ["t=    1.0ms  server  1 message waiting", "t=    1.0ms  server  2 messages waiting", "t=   11.0ms  server  1 message waiting", "t=   21.0ms  server  queue empty"].join("\n"),
    );
    expect(toSequenceDiagram(sim.trace)).not.toMatch(/waiting|queue empty/); // charted, not drawn as notes
  });

  it('chartMetric "queue": the most waiting per bucket, carried over between buckets, per node with `nodes`', async () => {
    const sim = new Simulation({ seed: 1, network: { latency: latency.constant(1) } });
    const serve = (node: Node) => node.on("job", () => {});
    sim.spawn("s1", serve, { service: { timeMs: latency.constant(10) } });
    sim.spawn("s2", serve, { service: { timeMs: latency.constant(10) } });
    const c = sim.spawn("c");
    for (let i = 0; i < 4; i++) c.send("s1", { type: "job" }); // s1: 3 wait from t=1, then one fewer at 11, 21, 31
    sim.at(25, () => c.send("s2", { type: "job" }) && c.send("s2", { type: "job" })); // s2: 1 waits from 26 to 36
    await sim.run();
    // bucket [10, 20) starts with the 3 still waiting until 11: the most at once is 3
    expect(seriesOverTime(sim.trace, "queue", { bucketMs: 10, nodes: ["s1"] }).values).toEqual([3, 3, 2, 1, 0]);
    expect(seriesOverTime(sim.trace, "queue", { bucketMs: 10, nodes: ["s2"] }).values).toEqual([0, 0, 1, 1, 0]);
    expect(seriesOverTime(sim.trace, "queue", { bucketMs: 10 }).values).toEqual([3, 3, 2, 2, 0]); // summed: from 26 to 31 both have 1
    expect(seriesOverTime(sim.trace, "queue", { bucketMs: 10, fromMs: 20, nodes: ["s1"] }).values).toEqual([2, 1, 0]); // the level carried in
    const chart = chartMetric(sim.trace, "queue", { bucketMs: 10, nodes: ["s1"], height: 3 });
    expect(chart.split("\n").at(-1)).toBe("queue (messages waiting, most at once) at s1 per 10ms, t=0ms…50ms");
  });

  it("timers are not subject to service time", async () => {
    const sim = new Simulation({ seed: 1 });
    const fired: number[] = [];
    const busy = sim.spawn("busy", (node) => {
      node.on("job", () => {});
      node.setTimer(5, () => fired.push(node.now()));
    }, { service: { timeMs: latency.constant(100) } });
    sim.spawn("c").send("busy", { type: "job" });
    await sim.run();
    expect(fired).toEqual([5]);
    expect(busy.isAlive()).toBe(true);
  });

  it("replies to a node's own rpcs wait in its queue too (the node handles every message)", async () => {
    const sim = new Simulation({ seed: 1, network: { latency: latency.constant(1) } });
    sim.spawn("server", (node) => node.on("ping", (m) => node.reply(m, { type: "pong" })));
    const client = sim.spawn("client", () => {}, { service: { timeMs: latency.constant(5) } });
    await sim.runUntilSettled(client.rpc("server", { type: "ping" }));
    expect(sim.now()).toBe(7);
  });
});

describe("failures", () => {
  it("a crash empties the queue: waiting and in-service messages are dropped (reason crashed); every copy has one fate", async () => {
    const { sim } = jobs({ timeMs: latency.constant(10) }, 4);
    sim.at(15, () => sim.crash("server")); // job 1 done at 11; job 2 in service; 3 and 4 waiting
    await sim.run();
    const drops = of(sim.trace.events, "drop") as DropEvent[];
    expect(drops.map((e) => [e.timeMs, e.type, e.msgId, e.reason])).toEqual([
      [15, "job", 2, "crashed"],
      [15, "job", 3, "crashed"],
      [15, "job", 4, "crashed"],
    ]);
    expect(of(sim.trace.events, "queue").at(-1)).toEqual({ kind: "queue", timeMs: 15, node: "server", length: 0 });
    expect(sim.queueLength("server")).toBe(0);
    const c = sim.counters;
    expect(c.delivered + c.dropped).toBe(c.sent);
    const s = summarize(sim.trace);
    expect(s.copies.droppedByReason.crashed).toBe(3);
    expect(s.copies.delivered + s.copies.dropped + s.copies.inFlight).toBe(s.copies.sent);
  });

  it("after a restart the node serves again, with the same service settings and a fresh queue", async () => {
    const { sim, handled, client } = jobs({ timeMs: latency.constant(10) }, 2);
    sim.at(5, () => sim.crash("server"));
    sim.at(6, () => sim.restart("server"));
    sim.at(7, () => client.send("server", { type: "job", n: 3 }) && client.send("server", { type: "job", n: 4 }));
    await sim.run();
    expect(handled).toEqual([[3, 18], [4, 28]]);
  });

  it("a bounded queue drops what does not fit (reason queue-full), traced and counted", async () => {
    const { sim, handled } = jobs({ timeMs: latency.constant(10), queueLengthMax: 2 }, 5);
    await sim.run();
    expect(handled.map(([n]) => n)).toEqual([1, 2, 3]); // one served, two waiting, two dropped
    const drops = of(sim.trace.events, "drop");
    expect(drops.map((e) => [e.timeMs, e.msgId, e.reason])).toEqual([[1, 4, "queue-full"], [1, 5, "queue-full"]]);
    expect(summarize(sim.trace).copies.droppedByReason["queue-full"]).toBe(2);
    expect(formatTimeline(sim.trace, { kinds: ["drop"] })).toContain("job #4 dropped (queue-full)");
    const s = summarize(sim.trace);
    expect(s.copies.dropped).toBe(sim.counters.dropped);
  });

  it("a node that leaves loses its queue (reason left)", async () => {
    const { sim } = jobs({ timeMs: latency.constant(10) }, 2);
    sim.at(5, () => sim.leave("server"));
    await sim.run();
    expect(of(sim.trace.events, "drop").map((e) => [e.timeMs, e.msgId, e.reason])).toEqual([[5, 1, "left"], [5, 2, "left"]]);
  });

  it("a handler that crashes its node (onError crash) while others wait: the rest are dropped", async () => {
    const sim = new Simulation({ seed: 1, onError: "crash", network: { latency: latency.constant(1) } });
    sim.spawn("s", (node) => node.on("job", () => {
      throw new Error("boom");
    }), { service: { timeMs: latency.constant(10) } });
    const c = sim.spawn("c");
    for (let i = 0; i < 3; i++) c.send("s", { type: "job" });
    await sim.run();
    expect(of(sim.trace.events, "drop").map((e) => [e.timeMs, e.msgId, e.reason])).toEqual([[11, 2, "crashed"], [11, 3, "crashed"]]);
  });
});

describe("changing the service mid-run", () => {
  it("setService changes service times for later services; in-progress ones keep theirs", async () => {
    const { sim, handled } = jobs({ timeMs: latency.constant(10) }, 3);
    sim.at(5, () => sim.setService("server", { timeMs: latency.constant(50) })); // a straggler from now on
    await sim.run();
    expect(handled).toEqual([[1, 11], [2, 61], [3, 111]]);
  });

  it("a larger concurrency starts waiting messages at once", async () => {
    const { sim, handled } = jobs({ timeMs: latency.constant(10) }, 4);
    sim.at(5, () => sim.setService("server", { concurrency: 3 }));
    await sim.run();
    expect(handled).toEqual([[1, 11], [2, 15], [3, 15], [4, 21]]);
  });

  it("service can be given to a running node, and taken back to zero time", async () => {
    const sim = new Simulation({ seed: 1, network: { latency: latency.constant(1) } });
    const handled: number[] = [];
    sim.spawn("s", (node) => node.on("job", () => handled.push(node.now())));
    const c = sim.spawn("c");
    c.send("s", { type: "job" });
    sim.at(10, () => sim.setService("s", { timeMs: latency.constant(7) }));
    sim.at(10, () => c.send("s", { type: "job" }));
    sim.at(20, () => sim.setService("s", { timeMs: latency.constant(0) }));
    sim.at(20, () => c.send("s", { type: "job" }));
    await sim.run();
    expect(handled).toEqual([1, 18, 21]);
  });

  it("a service time that depends on the message (a map task's size)", async () => {
    const sim = new Simulation({ seed: 1, network: { latency: latency.constant(1) } });
    const done: Array<[number, number]> = [];
    sim.spawn("mapper", (node) => node.on("map", (m) => done.push([m.body.sizeMb as number, node.now()])), {
      service: { timeMs: (m) => 2 * (m.body.sizeMb as number) },
    });
    const c = sim.spawn("c");
    for (const sizeMb of [5, 1, 3]) c.send("mapper", { type: "map", sizeMb });
    await sim.run();
    expect(done).toEqual([[5, 11], [1, 13], [3, 19]]);
  });
});

describe("randomness", () => {
  async function run(seed: number, service: boolean) {
    const sim = new Simulation({ seed, network: { latency: latency.uniform(1, 10), lossProbability: 0.1 } });
    sim.spawn("server", (node) => node.on("job", (m) => node.reply(m, { type: "done" })), service ? { service: { timeMs: latency.exponential(5) } } : {});
    sim.spawn("other", (node) => node.on("job", (m) => node.reply(m, { type: "done" })), service ? { service: { timeMs: latency.exponential(5) } } : {});
    sim.spawn("client", (node) => {
      node.on("done", () => {});
      node.setPeriodic(10, () => {
        node.send("server", { type: "job", r: node.rng.int(0, 1000) });
        node.send("other", { type: "job" });
      });
    });
    await sim.runFor(300);
    return sim;
  }

  it("the same seed gives the same trace hash; another seed another", async () => {
    expect((await run(3, true)).trace.hash()).toBe((await run(3, true)).trace.hash());
    expect((await run(3, true)).trace.hash()).not.toBe((await run(4, true)).trace.hash());
  });

  it("service times come from a per-node stream: turning service on changes no other random choice", async () => {
    const [plain, served] = [await run(8, false), await run(8, true)];
    // what the client sent (its random bodies) and what the network did to it (losses, delays), by msg_id
    const fates = (sim: Simulation) =>
      sim.trace.filter({ kinds: ["send", "drop"] }).filter((e) => "src" in e && e.src === "client").map(({ id: _wireId, ...e }) => JSON.stringify(e));
    expect(fates(served)).toEqual(fates(plain));
    // the network's delays are untouched: each served copy arrived when it was delivered without service
    const arrivals = (sim: Simulation) => new Map((of(sim.trace.events, "deliver") as DeliverEvent[]).filter((e) => e.src === "client").map((e) => [`${e.dest} ${e.msgId}`, e.arrivedMs ?? e.timeMs]));
    const [before, after] = [arrivals(plain), arrivals(served)];
    expect(after.size).toBeGreaterThan(0.9 * before.size); // the rest are still queued at the end
    for (const [msg, arrivedMs] of after) expect(arrivedMs, msg).toBe(before.get(msg));
    expect(serviceTimesOf(served, "server")).not.toEqual(serviceTimesOf(served, "other")); // each node its own stream
  });

  it("exponential service times have the mean asked for", async () => {
    const { sim } = jobs({ timeMs: latency.exponential(5) }, 2000, { seed: 11 });
    await sim.run();
    const times = serviceTimesOf(sim, "server");
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    expect(mean).toBeGreaterThan(5 * (1 - 4 / Math.sqrt(2000))); // 4 standard errors
    expect(mean).toBeLessThan(5 * (1 + 4 / Math.sqrt(2000)));
  });
});

function serviceTimesOf(sim: Simulation, node: string): number[] {
  return (of(sim.trace.events, "deliver") as DeliverEvent[]).filter((e) => e.dest === node).map((e) => e.serviceMs!);
}

describe("bad input", () => {
  it("a negative service time at spawn: a ConfigError naming the option, the value, the node, the time and the seed", () => {
    const sim = new Simulation({ seed: 42 });
    expect(() => sim.spawn("s", () => {}, { service: { timeMs: latency.constant(-1) } })).toThrow(ConfigError);
    expect(() => sim.spawn("s", () => {}, { service: { timeMs: latency.constant(-1) } })).toThrow(
      'invalid option spawn("s").service.timeMs.ms: got -1, expected a finite number of milliseconds ≥ 0 (node "s", t=0ms, seed=42)',
    );
    expect(sim.nodeIds()).toEqual([]);
    expect(() => sim.spawn("s", () => {}, { service: { timeMs: latency.exponential(5, -2) } })).toThrow(/service\.timeMs\.msMin: got -2/);
    expect(() => sim.spawn("s", () => {}, { service: { timeMs: latency.uniform(5, 2) } })).toThrow(/service\.timeMs\.msMax: got 2, expected ≥ msMin \(5\)/);
    expect(() => sim.spawn("s", () => {}, { service: { timeMs: 5 as never } })).toThrow(/service\.timeMs: got 5, expected a distribution such as latency\.constant\(5\)/);
    expect(() => sim.spawn("s", () => {}, { service: { timeMs: latency.constant(1), concurrency: 0 } })).toThrow(/service\.concurrency: got 0, expected a whole number ≥ 1/);
    expect(() => sim.spawn("s", () => {}, { service: { timeMs: latency.constant(1), concurrency: 1.5 } })).toThrow(/service\.concurrency: got 1\.5/);
    expect(() => sim.spawn("s", () => {}, { service: { timeMs: latency.constant(1), queueLengthMax: -1 } })).toThrow(/service\.queueLengthMax: got -1/);
    expect(() => sim.spawn("s", () => {}, { service: { timeMs: latency.constant(1), capacity: 3 } as never })).toThrow(/service\.capacity: got 3, expected a known option/);
  });

  it("setService: the same checks, and a service time is needed the first time", async () => {
    const sim = new Simulation({ seed: 5 });
    sim.spawn("s");
    await sim.runFor(3);
    expect(() => sim.setService("s", { concurrency: 2 })).toThrow(
      'invalid option setService.timeMs: got undefined, expected a service time such as latency.constant(5) (the node has none yet) (node "s", t=3ms, seed=5)',
    );
    expect(() => sim.setService("s", { timeMs: latency.normal(5, -1) })).toThrow(/setService\.timeMs\.msStdDev: got -1/);
    expect(() => sim.setService("nobody", { timeMs: latency.constant(1) })).toThrow(/setService: unknown node "nobody"/);
    expect(() => sim.queueLength("nobody")).toThrow(SimulationError);
  });

  it("a service-time function that returns a negative time stops the run: ConfigError naming the node, the time, the seed and the message", async () => {
    const sim = new Simulation({ seed: 77, network: { latency: latency.constant(1) } });
    sim.spawn("s", (node) => node.on("job", () => {}), { service: { timeMs: (m) => (m.body.n as number) - 2 } });
    const c = sim.spawn("c");
    c.send("s", { type: "job", n: 5 });
    c.send("s", { type: "job", n: 1 });
    const err = await sim.run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe(
      'invalid option service.timeMs: got -1, expected a finite number of milliseconds ≥ 0 (drawn for message job from c) (node "s", t=4ms, seed=77)',
    );
  });

  it("a service-time function that throws stops the run with the node, the time and the seed", async () => {
    const sim = new Simulation({ seed: 7 });
    sim.spawn("s", (node) => node.on("job", () => {}), { service: { timeMs: () => { throw new Error("no size"); } } });
    sim.spawn("c").send("s", { type: "job" });
    await expect(sim.run()).rejects.toThrow('the service-time function failed for message job from c: no size (node "s", t=1ms, seed=7)');
  });

  it("sim.pending() describes the end of a service", async () => {
    const { sim } = jobs({ timeMs: latency.constant(10) }, 1);
    await sim.runUntilTime(1);
    expect(sim.pending()).toEqual([{ timeMs: 11, kind: "serve", node: "server", description: "server finishes serving client → server job #1" }]);
  });
});
