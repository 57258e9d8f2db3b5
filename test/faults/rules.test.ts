// Message fault rules (issue 7, part 4): drop, delay or duplicate the messages that match — by
// type, source, destination or a predicate — during a window of virtual time. Every message a
// rule touches is in the trace under the rule's name; random choices come from the rule's own
// stream; bad options name the option, the virtual time and the seed.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import { ConfigError } from "../../lib/sim";
import { latency, type MessageRuleOptions } from "../../lib/net";
import { formatTimeline, summarize, toSequenceDiagram, type DelayEvent, type DuplicateEvent } from "../../lib/trace";
import { deliveries, drops, pingScenario, ponger, sendTimes, thrown } from "./helpers";
import { proportionTolerance } from "../core/distribution-checks";

describe("drop rules", () => {
  it("drop every pong from n2 sent between 100 and 300 ms, and nothing else", async () => {
    const { sim, got } = pingScenario();
    const rule = sim.addRule({ name: "lose n2's replies", match: { type: "pong", src: "n2" }, action: "drop", fromMs: 100, toMs: 300 });
    await sim.runFor(400);
    const events = sim.trace.events;
    const lost = drops(events);
    // n2 answers round k at 10k + 1 ms: rounds 10..29 are answered inside [100, 300)
    expect(lost.map((e) => e.timeMs)).toEqual(Array.from({ length: 20 }, (_, i) => 101 + 10 * i));
    expect(lost.every((e) => e.reason === "rule" && e.rule === "lose n2's replies" && e.src === "n2" && e.type === "pong")).toBe(true);
    expect(got.get("n2")).toEqual([...range(1, 9), ...range(30, 39)]);
    expect(got.get("n3")).toEqual(range(1, 39)); // n3's replies are untouched
    expect(rule.affected).toBe(20);
    expect(sim.counters.dropped).toBe(20);
    expect(summarize(sim.trace).copies.droppedByReason.rule).toBe(20);
  });

  it("the window is [fromMs, toMs): a message sent at fromMs is affected, one sent at toMs is not", async () => {
    const { sim, got } = pingScenario();
    sim.addRule({ match: { type: "pong", src: "n2" }, action: "drop", fromMs: 111, toMs: 291 });
    await sim.runFor(300);
    expect(got.get("n2")).toEqual([...range(1, 10), ...range(29, 29)]); // 111 (round 11) lost, 291 (round 29) kept
  });

  it("matches by destination, by a list of types, and by a predicate on the body", async () => {
    const { sim, got } = pingScenario();
    sim.addRule({ name: "odd pings to n3", match: { type: ["ping", "nothing"], dest: "n3", where: (m) => m.body.n % 2 === 1 }, action: "drop" });
    await sim.runFor(100);
    expect(got.get("n3")).toEqual([2, 4, 6, 8]);
    expect(got.get("n2")).toEqual(range(1, 9));
    expect(drops(sim.trace.events).every((e) => e.dest === "n3" && e.type === "ping")).toBe(true);
  });

  it("a predicate sees a copy: changing it changes nothing that is delivered", async () => {
    const sim = new Simulation({ seed: 1 });
    const seen: unknown[] = [];
    sim.spawn("b", (node) => node.on("note", (m) => void seen.push(m.body.text)));
    const a = sim.spawn("a");
    sim.addRule({ match: { where: (m) => ((m.body.text = "changed"), false) }, action: "drop" });
    a.send("b", { type: "note", text: "original" });
    await sim.run();
    expect(seen).toEqual(["original"]);
  });

  it("with probability p a rule drops about p of the matching messages, from its own stream", async () => {
    const count = 4000;
    const run = async (seed: number) => {
      const sim = new Simulation({ seed, maxEvents: 10 * count });
      sim.spawn("b", (node) => node.on("m", () => {}));
      const a = sim.spawn("a");
      const rule = sim.addRule({ name: "coin", match: { type: "m" }, action: "drop", probability: 0.25 });
      for (let i = 0; i < count; i++) a.send("b", { type: "m", i });
      await sim.run();
      return { sim, rule };
    };
    const { sim, rule } = await run(3);
    // 6 standard errors: √(0.25·0.75/4000) ≈ 0.0068, tolerance ≈ 0.041 (ignored: 0.75 off; always: 0.75 off)
    expect(Math.abs(rule.affected / count - 0.25)).toBeLessThan(proportionTolerance(0.25, count));
    expect(drops(sim.trace.events)).toHaveLength(rule.affected);
    const again = await run(3);
    expect(again.sim.trace.hash()).toBe(sim.trace.hash());
    expect((await run(4)).sim.trace.hash()).not.toBe(sim.trace.hash());
  });

  it("a rule never changes the fate of messages it does not match (network loss and latency draws are the link's own)", async () => {
    const run = async (withRule: boolean) => {
      const sim = new Simulation({ seed: 11, network: { latency: latency.uniform(1, 20), lossProbability: 0.2, duplicationProbability: 0.1, ordering: "unordered" } });
      sim.spawn("b", (node) => {
        node.on("keep", () => {});
        node.on("lose", () => {});
      });
      const a = sim.spawn("a");
      if (withRule) sim.addRule({ match: { type: "lose" }, action: "drop", probability: 0.5 });
      for (let i = 0; i < 300; i++) a.send("b", { type: i % 3 === 0 ? "lose" : "keep", i });
      await sim.run();
      return sim.trace.events.filter((e) => "type" in e && e.type === "keep").map((e) => [e.kind, e.timeMs, "id" in e ? e.id : 0]);
    };
    expect(await run(true)).toEqual(await run(false));
  });
});

describe("delay rules", () => {
  it("a fixed delay: matching messages arrive delayMs later, with a delay event naming the rule", async () => {
    const { sim } = pingScenario();
    sim.addRule({ name: "slow n3", match: { src: "n3" }, action: "delay", delayMs: 50, fromMs: 0, toMs: 35 });
    await sim.runFor(100);
    const events = sim.trace.events;
    const delayed = events.filter((e): e is DelayEvent => e.kind === "delay");
    expect(delayed.map((e) => [e.timeMs, e.src, e.rule, e.delayMs])).toEqual([
      [11, "n3", "slow n3", 50],
      [21, "n3", "slow n3", 50],
      [31, "n3", "slow n3", 50],
    ]);
    // The link n3 → n1 is FIFO: the pongs sent after the last delayed one (at 31, arriving at 82)
    // wait for it, like TCP's head-of-line blocking, until the link catches up.
    const fromN3 = deliveries(events).filter((e) => e.src === "n3");
    expect(fromN3.slice(0, 9).map((e) => e.timeMs - e.sentMs)).toEqual([51, 51, 51, 41, 31, 21, 11, 1, 1]);
  });

  it("on a FIFO link a delayed message holds back the messages sent after it, like TCP", async () => {
    const run = async (ordering: "fifo" | "unordered") => {
      const sim = new Simulation({ seed: 1, network: { ordering } });
      const order: number[] = [];
      sim.spawn("b", (node) => node.on("m", (m) => void order.push(m.body.i)));
      const a = sim.spawn("a");
      sim.addRule({ match: { type: "m", where: (m) => m.body.i === 0 }, action: "delay", delayMs: 30 });
      for (let i = 0; i < 3; i++) a.send("b", { type: "m", i });
      await sim.run();
      return { order, times: deliveries(sim.trace.events).map((e) => e.timeMs) };
    };
    expect(await run("fifo")).toEqual({ order: [0, 1, 2], times: [31, 31, 31] });
    expect(await run("unordered")).toEqual({ order: [1, 2, 0], times: [1, 1, 31] });
  });

  it("a sampled delay comes from the rule's stream: within the distribution, the same for the same seed", async () => {
    const run = async (seed: number) => {
      const sim = new Simulation({ seed, network: { ordering: "unordered" } });
      sim.spawn("b", (node) => node.on("m", () => {}));
      const a = sim.spawn("a");
      sim.addRule({ name: "jitter", match: { type: "m" }, action: "delay", delayMs: latency.uniform(20, 80) });
      for (let i = 0; i < 200; i++) a.send("b", { type: "m", i });
      await sim.run();
      return sim;
    };
    const sim = await run(5);
    const extra = sim.trace.events.filter((e): e is DelayEvent => e.kind === "delay").map((e) => e.delayMs);
    expect(extra).toHaveLength(200);
    expect(Math.min(...extra)).toBeGreaterThanOrEqual(20);
    expect(Math.max(...extra)).toBeLessThan(80);
    expect(new Set(extra).size).toBeGreaterThan(150); // sampled per message, not once
    const byId = new Map(sim.trace.events.filter((e): e is DelayEvent => e.kind === "delay").map((e) => [e.id, e.delayMs]));
    for (const d of deliveries(sim.trace.events)) expect(d.timeMs - d.sentMs).toBeCloseTo(1 + byId.get(d.id)!, 6);
    expect((await run(5)).trace.hash()).toBe(sim.trace.hash());
  });

  it("delays of several rules add up; a drop rule wins over the rules after it", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("b", (node) => node.on("m", () => {}));
    const a = sim.spawn("a");
    sim.addRule({ name: "first", match: { type: "m" }, action: "delay", delayMs: 10 });
    sim.addRule({ name: "second", match: { type: "m" }, action: "delay", delayMs: 5 });
    sim.addRule({ name: "no threes", match: { where: (m) => m.body.i === 3 }, action: "drop" });
    const after = sim.addRule({ name: "after the drop", match: { type: "m" }, action: "delay", delayMs: 1 });
    a.send("b", { type: "m", i: 1 });
    a.send("b", { type: "m", i: 3 });
    await sim.run();
    expect(deliveries(sim.trace.events).map((e) => e.timeMs)).toEqual([17]);
    expect(drops(sim.trace.events).map((e) => e.rule)).toEqual(["no threes"]);
    expect(after.affected).toBe(1); // only the message that was not dropped
  });
});

describe("duplicate rules", () => {
  it("each matching message arrives twice, the copy delayMs after the original and marked duplicate", async () => {
    const sim = new Simulation({ seed: 1 });
    const seen: Array<[number, number]> = [];
    sim.spawn("b", (node) => node.on("m", (m) => void seen.push([node.now(), m.body.i])));
    const a = sim.spawn("a");
    sim.addRule({ name: "twice", match: { type: "m" }, action: "duplicate", delayMs: 7 });
    a.send("b", { type: "m", i: 1 });
    await sim.run();
    expect(seen).toEqual([[1, 1], [8, 1]]);
    const copies = deliveries(sim.trace.events);
    expect(copies.map((e) => e.duplicate)).toEqual([false, true]);
    const dup = sim.trace.events.find((e): e is DuplicateEvent => e.kind === "duplicate")!;
    expect(dup.rule).toBe("twice");
    expect(sim.counters).toMatchObject({ sent: 1, delivered: 2, duplicated: 1 });
    expect(summarize(sim.trace).messages.delivered).toBe(1);
  });

  it("with the network's duplication fault too, a message may arrive three times and the stats count every copy", async () => {
    const sim = new Simulation({ seed: 2, network: { duplicationProbability: 1 } });
    sim.spawn("b", (node) => node.on("m", () => {}));
    const a = sim.spawn("a");
    sim.addRule({ match: { type: "m" }, action: "duplicate" });
    a.send("b", { type: "m" });
    await sim.run();
    expect(sim.counters).toMatchObject({ delivered: 3, duplicated: 2 });
    const stats = summarize(sim.trace);
    expect(stats.copies).toMatchObject({ sent: 3, delivered: 3, inFlight: 0 });
  });
});

describe("adding and removing rules", () => {
  it("sim.at adds a rule at a virtual time (its window opens then), and the handle or the name removes it", async () => {
    const { sim, got } = pingScenario();
    sim.at(50, () => {
      const rule = sim.addRule({ name: "mute n2", match: { src: "n2" }, action: "drop" });
      expect(rule.window).toEqual({ fromMs: 50, toMs: Infinity });
      sim.at(80, () => rule.remove());
    });
    sim.at(120, () => sim.addRule({ name: "mute n3", match: { src: "n3" }, action: "drop" }));
    sim.at(150, () => sim.removeRule("mute n3"));
    await sim.runFor(200);
    expect(got.get("n2")).toEqual([...range(1, 4), ...range(8, 19)]);
    expect(got.get("n3")).toEqual([...range(1, 11), ...range(15, 19)]);
    expect(sim.network.ruleNames()).toEqual([]);
  });

  it("a removed rule says so, and removing an unknown rule is an error naming the rules in force", () => {
    const sim = new Simulation({ seed: 9 });
    sim.spawn("a");
    const rule = sim.addRule({ name: "r", action: "drop" });
    expect(rule.active).toBe(true);
    expect(String(rule)).toBe('rule "r": drop every message * → *, 0ms–∞');
    rule.remove();
    expect(rule.active).toBe(false);
    rule.remove(); // no effect
    sim.addRule({ name: "other", action: "drop" });
    expect(() => sim.removeRule("r")).toThrow('removeRule: no rule "r" is in force (rules: "other") (t=0ms, seed=9)');
  });

  it("names default to rule 1, rule 2, …; a name can be reused once its rule is removed", () => {
    const sim = new Simulation();
    sim.spawn("a");
    expect(sim.addRule({ action: "drop" }).name).toBe("rule 1");
    const second = sim.addRule({ action: "duplicate" });
    expect(second.name).toBe("rule 2");
    second.remove();
    expect(sim.addRule({ name: "rule 2", action: "drop" }).name).toBe("rule 2");
  });
});

describe("every affected message is visible in the trace and its pictures", () => {
  it("the timeline and the sequence diagram name the rule of each drop, delay and duplicate", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("b", (node) => node.on("m", () => {}));
    const a = sim.spawn("a");
    sim.addRule({ name: "lose one", match: { where: (m) => m.body.i === 1 }, action: "drop" });
    sim.addRule({ name: "slow two", match: { where: (m) => m.body.i === 2 }, action: "delay", delayMs: 50 });
    sim.addRule({ name: "three twice", match: { where: (m) => m.body.i === 3 }, action: "duplicate" });
    for (const i of [1, 2, 3]) a.send("b", { type: "m", i });
    await sim.run();
    const timeline = formatTimeline(sim.trace);
    expect(timeline).toContain('m #1 dropped (rule "lose one")');
    expect(timeline).toContain('m #2 delayed +50ms (rule "slow two")');
    expect(timeline).toContain('m #3 duplicated (rule "three twice")');
    const diagram = toSequenceDiagram(sim.trace);
    expect(diagram).toContain("a-xb: m #35;1 (dropped#58; rule #34;lose one#34;)"); // #58; is ":", #34; is a quote
    expect(diagram).toContain("a->>b: m #35;2 (delayed +50ms rule #34;slow two#34;)");
    expect(diagram.match(/m #35;3/g)).toHaveLength(2);
    // every send has its fate: nothing silently dropped
    const times = sendTimes(sim.trace.events);
    const fated = new Set([...deliveries(sim.trace.events), ...drops(sim.trace.events)].map((e) => e.id));
    expect([...times.keys()].every((id) => fated.has(id))).toBe(true);
  });

  it("same seed, same rules ⇒ the same trace hash", async () => {
    const run = async (seed: number) => {
      const { sim } = pingScenario({ seed, network: { latency: latency.uniform(1, 5), lossProbability: 0.1 } });
      sim.addRule({ name: "flaky n2", match: { src: "n2" }, action: "drop", probability: 0.3, fromMs: 50, toMs: 250 });
      sim.addRule({ name: "jitter", match: { type: "ping" }, action: "delay", delayMs: latency.exponential(5), probability: 0.5 });
      sim.addRule({ name: "echo", match: { dest: "n3" }, action: "duplicate", delayMs: latency.uniform(0, 3), probability: 0.2 });
      await sim.runFor(400);
      return sim.trace.hash();
    };
    const first = await run(21);
    expect(await run(21)).toBe(first);
    expect(await run(22)).not.toBe(first);
  });
});

describe("bad rules are refused with the option, the virtual time and the seed", () => {
  const sim = new Simulation({ seed: 5 });
  sim.spawnMany(["n1", "n2"], ponger);
  const cases: Array<[string, MessageRuleOptions, string]> = [
    ["an unknown node", { name: "r", match: { src: "n9" }, action: "drop" }, 'invalid option rule "r".match.src: got "n9", expected the id of a spawned node'],
    ["an unknown destination in a list", { name: "r", match: { dest: ["n1", "zz"] }, action: "drop" }, 'invalid option rule "r".match.dest: got "zz"'],
    ["a negative delay", { name: "r", action: "delay", delayMs: -5 }, 'invalid option rule "r".delayMs: got -5, expected a finite number of ms ≥ 0'],
    ["a negative sampled delay", { name: "r", action: "delay", delayMs: latency.uniform(-1, 5) }, 'invalid option rule "r".delayMs.msMin: got -1'],
    ["a delay rule without delayMs", { name: "r", action: "delay" }, 'invalid option rule "r".delayMs: got undefined, expected for a delay rule'],
    ["a drop rule with delayMs", { name: "r", action: "drop", delayMs: 5 }, 'invalid option rule "r".delayMs: got 5, expected no delayMs'],
    ["a probability above 1", { name: "r", action: "drop", probability: 1.5 }, 'invalid option rule "r".probability: got 1.5, expected a probability in [0, 1]'],
    ["a negative probability", { name: "r", action: "drop", probability: -0.1 }, 'invalid option rule "r".probability: got -0.1'],
    ["toMs before fromMs", { name: "r", action: "drop", fromMs: 300, toMs: 100 }, 'invalid option rule "r".toMs: got 100, expected ≥ fromMs (300)'],
    ["a negative fromMs", { name: "r", action: "drop", fromMs: -1 }, 'invalid option rule "r".fromMs: got -1'],
    ["an unknown action", { name: "r", action: "corrupt" as never }, 'invalid option rule "r".action: got "corrupt", expected "drop", "delay" or "duplicate"'],
    ["an unknown option", { name: "r", action: "drop", lossProbability: 1 } as never, 'invalid option rule "r".lossProbability: got 1, expected a known option'],
    ["an unknown match field", { name: "r", action: "drop", match: { from: "n1" } } as never, 'invalid option rule "r".match.from: got "n1", expected a known field (type, src, dest, where)'],
    ["an empty type list", { name: "r", action: "drop", match: { type: [] } }, 'invalid option rule "r".match.type: got [], expected a message type'],
    ["a predicate that is not a function", { name: "r", action: "drop", match: { where: true as never } }, 'invalid option rule "r".match.where: got true'],
    ["an empty name", { name: "", action: "drop" }, 'invalid option rule.name: got "", expected a non-empty string'],
  ];
  for (const [what, options, message] of cases) {
    it(what, () => {
      const err = thrown(() => sim.addRule(options));
      expect(err).toBeInstanceOf(ConfigError);
      expect(err!.message).toContain(message);
      expect(err!.message).toMatch(/\(t=0ms, seed=5\)$/);
    });
  }

  it("two rules in force cannot share a name", () => {
    const s = new Simulation({ seed: 5 });
    s.spawn("a");
    s.addRule({ name: "same", action: "drop" });
    expect(() => s.addRule({ name: "same", action: "duplicate" })).toThrow('invalid option rule "same".name: got "same", expected a name no other rule in force has');
  });

  it("an error inside sim.at names the time it happened", async () => {
    const s = new Simulation({ seed: 8 });
    s.spawn("a");
    s.at(40, () => s.addRule({ name: "late", action: "drop", fromMs: 100, toMs: 50 }));
    await expect(s.runFor(100)).rejects.toThrow(/invalid option rule "late".toMs: got 50, expected ≥ fromMs \(100\) \(t=40ms, seed=8\)/);
  });

  it("a predicate that throws stops the run with the rule's name, the sender, the time and the seed", async () => {
    const s = new Simulation({ seed: 3 });
    s.spawn("b", (node) => node.on("m", () => {}));
    s.spawn("a", (node) => node.setTimer(5, () => node.send("b", { type: "m" })));
    s.addRule({ name: "buggy", match: { where: (m) => m.body.missing.field }, action: "drop" });
    await expect(s.run()).rejects.toThrow(/rule "buggy": match.where threw: .*\(node "a", t=5ms, seed=3\)/);
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
