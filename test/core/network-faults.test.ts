// The network's fault knobs, measured over many messages (20,000) with stated tolerances. Each
// tolerance is SIGMAS (6) standard errors of the sample statistic at that sample size (see
// distribution-checks.ts), so the tests never flake, even with another seed; they fail if a knob
// is ignored or applied twice, or a latency has the right mean but the wrong shape.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import { latency, type Latency, type NetworkOptions } from "../../lib/net";
import type { DeliverEvent } from "../../lib/trace/events";
import { SIGMAS, exponentialDeviations, meanTolerance, proportionTolerance, worstDeviation } from "./distribution-checks";

const N = 20_000;

/** Node "a" sends `count` messages to "b" at t=0 (each with its index), then the run drains. */
async function blast(network: NetworkOptions, count = N, seed = 1): Promise<Simulation> {
  const sim = new Simulation({ seed, network, maxEvents: 10 * count });
  sim.spawn("b", (node) => node.on("m", () => {}));
  const a = sim.spawn("a");
  for (let i = 0; i < count; i++) a.send("b", { type: "m", i });
  await sim.run();
  return sim;
}

const deliveries = (sim: Simulation): DeliverEvent[] => sim.trace.events.filter((e): e is DeliverEvent => e.kind === "deliver");
const delays = (sim: Simulation): number[] => deliveries(sim).map((e) => e.timeMs - e.sentMs);
const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

describe("network: loss and duplication", () => {
  it("lossProbability 0.1 drops 10% of 20,000 messages", async () => {
    const sim = await blast({ lossProbability: 0.1 });
    const c = sim.counters;
    expect(c.sent).toBe(N);
    // SE = √(0.1·0.9/N) ≈ 0.0021, tolerance ≈ 0.0127 (loss ignored: 0; applied twice: 0.19)
    expect(Math.abs(c.dropped / N - 0.1)).toBeLessThan(proportionTolerance(0.1, N));
    expect(c.delivered + c.dropped).toBe(N);
    const drops = sim.trace.filter({ kinds: ["drop"] });
    expect(drops).toHaveLength(c.dropped); // about 2,000: every() below does not pass on an empty list
    expect(drops.every((e) => e.kind === "drop" && e.reason === "loss")).toBe(true);
  });

  it("lossProbability 0 drops nothing and 1 drops everything", async () => {
    expect((await blast({ lossProbability: 0 }, 2000)).counters.dropped).toBe(0);
    expect((await blast({ lossProbability: 1 }, 2000)).counters.delivered).toBe(0);
  });

  it("duplicationProbability 0.05 delivers 5% of messages twice, the copy marked duplicate", async () => {
    const sim = await blast({ duplicationProbability: 0.05 });
    const c = sim.counters;
    // SE = √(0.05·0.95/N) ≈ 0.0015, tolerance ≈ 0.0092
    expect(Math.abs(c.duplicated / N - 0.05)).toBeLessThan(proportionTolerance(0.05, N));
    expect(c.delivered).toBe(N + c.duplicated);
    const copies = deliveries(sim).filter((e) => e.duplicate);
    expect(copies).toHaveLength(c.duplicated); // about 1,000 (checked above), so every() below is not vacuous
    // each copy follows an original with the same wire id
    const originals = new Set(deliveries(sim).filter((e) => !e.duplicate).map((e) => e.id));
    expect(copies.every((e) => originals.has(e.id))).toBe(true);
  });

  it("loss and duplication together: a lost message is never duplicated", async () => {
    const sim = await blast({ lossProbability: 0.1, duplicationProbability: 0.05 });
    const lost = new Set(sim.trace.filter({ kinds: ["drop"] }).map((e) => (e as { id: number }).id));
    expect(deliveries(sim).some((e) => lost.has(e.id))).toBe(false);
    // over the ≈ 18,000 messages not lost: SE ≈ 0.0016, tolerance ≈ 0.0097
    expect(Math.abs(sim.counters.duplicated / (N - lost.size) - 0.05)).toBeLessThan(proportionTolerance(0.05, N - lost.size));
  });
});

describe("network: latency distributions (20,000 messages, never negative)", () => {
  // Sample mean within SIGMAS standard errors: tolerance = 6·sd/√N, sd the distribution's own.
  // For a normal cut off at 0, Y = max(0, X) with X ~ N(μ, σ), a = μ/σ:
  //   E[Y] = μΦ(a) + σφ(a), E[Y²] = (μ² + σ²)Φ(a) + μσφ(a).
  // normal(2, 5): a = 0.4, Φ = 0.65542, φ = 0.36827 ⇒ E[Y] ≈ 3.152, sd(Y) ≈ 3.571.
  const cases: Array<[string, Latency, number, number, number]> = [
    // name, distribution, expected mean, standard deviation, minimum
    ["constant 5", latency.constant(5), 5, 0, 5],
    ["uniform 5..15", latency.uniform(5, 15), 10, 10 / Math.sqrt(12), 5], // tolerance ≈ 0.12
    ["normal 20±5", latency.normal(20, 5), 20, 5, 0], // the cut at 0 is 4σ away: negligible; tolerance ≈ 0.21
    ["normal 2±5 (cut off at 0)", latency.normal(2, 5), 3.152, 3.571, 0], // tolerance ≈ 0.15
    // with msMin 18: max(18, X) = 18 + max(0, N(2, 5))
    ["normal 20±5, msMin 18", latency.normal(20, 5, 18), 21.152, 3.571, 18],
    ["exponential mean 10 plus 2", latency.exponential(10, 2), 12, 10, 2], // tolerance ≈ 0.42
  ];
  for (const [name, dist, expected, sd, min] of cases) {
    const tolerance = meanTolerance(sd, N);
    it(`${name}: mean ${expected} ± ${tolerance.toFixed(3)} (6 SE), minimum ≥ ${min}`, async () => {
      const sim = await blast({ latency: dist, ordering: "unordered" });
      const d = delays(sim);
      expect(d).toHaveLength(N);
      // the expected means are rounded to 0.001; delivery times to the microsecond
      expect(Math.abs(mean(d) - expected)).toBeLessThanOrEqual(tolerance + 0.001);
      expect(Math.min(...d)).toBeGreaterThanOrEqual(min);
    });
  }

  /** The one-way delays of 20,000 messages under a latency distribution. */
  const delaysUnder = async (dist: Latency): Promise<number[]> => delays(await blast({ latency: dist, ordering: "unordered" }));

  it("exponential mean 10 plus 2 has an exponential shape: variance 100 and P(delay − 2 > 30) = e⁻³", async () => {
    // In standard errors at N = 20,000 (distribution-checks.ts): mean (SE = 10/√N ≈ 0.071),
    // variance (SE = √8·100/√N ≈ 2.0), fraction above 30 (SE ≈ 0.0015). Each within SIGMAS = 6.
    const d = exponentialDeviations((await delaysUnder(latency.exponential(10, 2))).map((x) => x - 2), 10);
    expect(worstDeviation(d), JSON.stringify(d)).toBeLessThan(SIGMAS);
  });

  it("the same check rejects latencies with the same mean and minimum but not exponential", async () => {
    // What a wrong sampleLatency for { exponential, msMean 10, msMin 2 } could produce: each has
    // mean 12 and minimum ≥ 2, so the mean-and-minimum check above passes it.
    for (const wrong of [latency.constant(12), latency.uniform(2, 22), latency.normal(12, 3, 2)]) {
      const d = (await delaysUnder(wrong)).map((x) => x - 2);
      const e = exponentialDeviations(d, 10);
      expect(Math.abs(mean(d) - 10), wrong.kind).toBeLessThan(meanTolerance(10, N));
      expect(worstDeviation(e), `${wrong.kind}: ${JSON.stringify(e)}`).toBeGreaterThan(5 * SIGMAS);
    }
  });

  it("uniform latency spreads over its whole range", async () => {
    const d = delays(await blast({ latency: latency.uniform(5, 15), ordering: "unordered" }));
    expect(Math.min(...d)).toBeLessThan(5.01);
    expect(Math.max(...d)).toBeGreaterThan(14.99);
    expect(Math.max(...d)).toBeLessThanOrEqual(15);
  });
});

describe("network: ordering", () => {
  it('"fifo" (default) keeps per-link order under uniform latency', async () => {
    const sim = await blast({ latency: latency.uniform(1, 50) }, 5000);
    const order = deliveries(sim).map((e) => e.msgId!);
    expect(order).toEqual(order.slice().sort((x, y) => x - y));
  });

  it('"fifo" keeps order on each link separately, while links interleave', async () => {
    const sim = new Simulation({ seed: 4, network: { latency: latency.uniform(1, 50) } });
    sim.spawn("c", (node) => node.on("m", () => {}));
    const senders = [sim.spawn("a"), sim.spawn("b")];
    for (let i = 0; i < 2000; i++) for (const s of senders) s.send("c", { type: "m", i });
    await sim.run();
    const ds = deliveries(sim);
    for (const src of ["a", "b"]) {
      const seq = ds.filter((e) => e.src === src).map((e) => e.msgId!);
      expect(seq).toEqual(seq.slice().sort((x, y) => x - y));
    }
    const sources = ds.map((e) => e.src).join("");
    expect(sources).not.toMatch(/^(a+b+|b+a+)$/); // the two links interleave
  });

  it('"fifo" also holds in a large network (links between nodes past the first 1,024)', async () => {
    const sim = new Simulation({ seed: 6, network: { latency: latency.uniform(1, 50) } });
    const ids = Array.from({ length: 1100 }, (_, i) => `n${i}`);
    for (const id of ids) sim.spawn(id, (node) => node.on("m", () => {}));
    const links: Array<[string, string]> = [["n1099", "n1098"], ["n1099", "n3"], ["n5", "n1050"], ["n7", "n8"]];
    for (let i = 0; i < 500; i++) for (const [from, to] of links) sim.node(from).send(to, { type: "m", i });
    await sim.run();
    for (const [from, to] of links) {
      const seq = deliveries(sim).filter((e) => e.src === from && e.dest === to).map((e) => e.msgId!);
      expect(seq).toHaveLength(500);
      expect(seq).toEqual(seq.slice().sort((x, y) => x - y));
    }
  });

  it('"unordered" lets later messages overtake earlier ones', async () => {
    const sim = await blast({ latency: latency.uniform(1, 50), ordering: "unordered" }, 5000);
    const order = deliveries(sim).map((e) => e.msgId!);
    let inversions = 0;
    for (let i = 1; i < order.length; i++) if (order[i] < order[i - 1]) inversions++;
    expect(inversions).toBeGreaterThan(1000);
  });
});

describe("network: delivery times", () => {
  it("virtual times are whole microseconds, and zero latency delivers at the instant of sending", async () => {
    const sim = new Simulation({ seed: 1, network: { latency: latency.constant(0) } });
    const got: number[] = [];
    sim.spawn("b", (node) => node.on("m", () => got.push(node.now())));
    const a = sim.spawn("a");
    sim.at(0.0004, () => a.send("b", { type: "m" }));
    sim.at(10 / 3, () => a.send("b", { type: "m" }));
    await sim.run();
    expect(got).toEqual([0, 3.333]);
    const delivered = sim.trace.filter({ kinds: ["deliver"] });
    expect(delivered).toHaveLength(2);
    for (const e of delivered) expect(e.timeMs).toBe((e as { sentMs: number }).sentMs);
  });

  it("delivery times are rounded to the microsecond", async () => {
    const sim = await blast({ latency: latency.uniform(1, 2), ordering: "unordered" }, 1000);
    const offGrid = deliveries(sim).filter((e) => Math.abs(e.timeMs * 1000 - Math.round(e.timeMs * 1000)) > 1e-6);
    expect(offGrid).toEqual([]);
  });
});

describe("network: per-link latency and bandwidth", () => {
  it("a link override applies to that one direction only", async () => {
    const sim = new Simulation({ seed: 1, network: { latency: latency.constant(3), links: [{ from: "a", to: "b", latency: latency.constant(80) }] } });
    for (const id of ["a", "b", "c"]) sim.spawn(id, (node) => node.on("m", () => {}));
    for (const [from, to] of [["a", "b"], ["b", "a"], ["a", "c"], ["c", "b"], ["b", "c"], ["c", "a"]]) {
      sim.node(from).send(to, { type: "m" });
    }
    await sim.run();
    const delayOf = Object.fromEntries(deliveries(sim).map((e) => [`${e.src}→${e.dest}`, e.timeMs - e.sentMs]));
    expect(delayOf).toEqual({ "a→b": 80, "b→a": 3, "a→c": 3, "c→b": 3, "b→c": 3, "c→a": 3 });
  });

  it("configure() changes options from now on and checks link node ids at once", async () => {
    const sim = new Simulation({ seed: 1 });
    for (const id of ["a", "b"]) sim.spawn(id, (node) => node.on("m", () => {}));
    sim.node("a").send("b", { type: "m" });
    sim.network.configure({ links: [{ from: "a", to: "b", latency: latency.constant(9) }] });
    sim.node("a").send("b", { type: "m" });
    await sim.run();
    expect(delays(sim)).toEqual([1, 9]);
    expect(() => sim.network.configure({ links: [{ from: "a", to: "zz", latency: latency.constant(1) }] })).toThrow(/network\.links\[0\]\.to: got "zz"/);
  });

  it("bandwidth: a message takes bytes / bandwidthBytesPerMs to send, after the messages queued before it on its link", async () => {
    const sim = new Simulation({ seed: 1, network: { latency: latency.constant(2), bandwidthBytesPerMs: 10 } });
    sim.spawn("b", (node) => node.on("m", () => {}));
    const a = sim.spawn("a");
    a.send("b", { type: "m", msg_id: 1 }); // {"type":"m","msg_id":1} = 23 bytes: on the wire 0…2.3 ms
    a.send("b", { type: "m", msg_id: 2, pad: "x".repeat(968) }); // 1,000 bytes: waits, then 2.3…102.3 ms
    await sim.run();
    const sends = sim.trace.filter({ kinds: ["send"] }) as Array<{ bytes: number }>;
    expect(sends.map((s) => s.bytes)).toEqual([23, 1000]);
    expect(delays(sim)).toEqual([2.3 + 2, 2.3 + 100 + 2]); // transmission (queued) + latency
  });
});
