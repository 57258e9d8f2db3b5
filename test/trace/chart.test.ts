// seriesOverTime / chartMetric: a metric per virtual-time bucket, and its asciichart drawing.
import { describe, expect, it } from "vitest";
import { chartMetric, seriesOverTime, type MetricName, type TraceEvent } from "../../lib/trace";
import { Simulation } from "../../lib/simulation";
import { latency } from "../../lib/net";
import { EVENTS, fixtureTrace } from "./fixtures";

describe("seriesOverTime", () => {
  it("counts a named metric per bucket [from + i·bucket, from + (i+1)·bucket)", () => {
    // sends at 1, 3, 6, 8, 11, 12, 15, 28
    expect(seriesOverTime(fixtureTrace(), "sent", { bucketMs: 5 })).toEqual({ fromMs: 0, bucketMs: 5, values: [2, 2, 2, 1, 0, 1] });
    expect(seriesOverTime(EVENTS, "bytes", { bucketMs: 10 }).values).toEqual([30 + 50 + 20 + 25, 20 + 50 + 30, 10]);
    expect(seriesOverTime(EVENTS, "dropped", { bucketMs: 10 }).values).toEqual([0, 2, 0]);
    // copies: append_ok's duplicate, delivered at 8ms, counts (as in sim.counters.delivered)
    expect(seriesOverTime(EVENTS, "delivered", { bucketMs: 10 }).values).toEqual([4, 2, 1]);
    expect(seriesOverTime(EVENTS, "duplicated", { bucketMs: 10 }).values).toEqual([1, 0, 0]);
    expect(seriesOverTime(EVENTS, "errors", { bucketMs: 10 }).values).toEqual([0, 0, 1]);
  });

  it("takes a custom metric and a window", () => {
    const timers = (bucket: readonly TraceEvent[]) => bucket.filter((e) => e.kind === "timer").length;
    expect(seriesOverTime(EVENTS, timers, { bucketMs: 4, fromMs: 10, toMs: 19 })).toEqual({ fromMs: 10, bucketMs: 4, values: [1, 1, 0] });
  });

  it("picks a round bucket width when none is given", () => {
    expect(seriesOverTime(EVENTS, "events").bucketMs).toBe(0.5); // 29ms / 60 → 0.483 → 0.5
    const long: TraceEvent[] = [{ kind: "heal", timeMs: 12_000 }];
    expect(seriesOverTime(long, "events").bucketMs).toBe(200);
  });

  it("refuses a bad bucket width", () => {
    expect(() => seriesOverTime(EVENTS, "sent", { bucketMs: 0 })).toThrow(/bucketMs must be > 0/);
    expect(() => seriesOverTime(EVENTS, "sent", { bucketMs: 0.001 })).toThrow(/buckets/);
  });
});

describe("seriesOverTime on a real run", () => {
  it("named metrics add up to the simulator's counters: messages sent, copies delivered, dropped, duplicated", async () => {
    const sim = new Simulation({ seed: 3, network: { lossProbability: 0.2, duplicationProbability: 0.4, latency: latency.uniform(1, 9) } });
    sim.spawn("b", (node) => node.on("m", () => {}));
    sim.spawn("a", (node) => node.setPeriodic(1, () => node.send("b", { type: "m" }), "tick"));
    sim.at(30, () => sim.partition([["a"], ["b"]]));
    sim.at(45, () => sim.heal());
    await sim.runFor(100);
    const total = (metric: MetricName) => seriesOverTime(sim.trace, metric, { bucketMs: 10 }).values.reduce((a, b) => a + b, 0);
    const c = sim.counters;
    expect(c.duplicated).toBeGreaterThan(0);
    expect(sim.trace.events.some((e) => e.kind === "drop" && e.duplicate)).toBe(true);
    expect([total("sent"), total("delivered"), total("dropped"), total("duplicated"), total("bytes")]).toEqual([c.sent, c.delivered, c.dropped, c.duplicated, c.bytesSent]);
  });
});

describe("chartMetric", () => {
  it("draws the series with asciichart (one column per bucket) and a caption", () => {
    // values [2, 2, 2, 1, 0, 1]
    const text = chartMetric(fixtureTrace(), "sent", { bucketMs: 5, height: 2 });
    expect(text).toBe(
      ["        2 ┼──╮   ", "        1 ┤  ╰╮╭ ", "        0 ┤   ╰╯ ", "sent (messages) per 5ms, t=0ms…30ms"].join("\n"),
    );
  });

  it("draws a flat line for an empty trace", () => {
    expect(chartMetric([], "sent")).toBe(["        0 ┼─ ", "sent (messages) per 1ms, t=0ms…1ms"].join("\n"));
  });

  /** The tick labels of a chart: the number before each axis mark. */
  const ticks = (chart: string): string[] => chart.split("\n").flatMap((line) => line.match(/^\s*(\S+) [┼┤]/)?.slice(1) ?? []);
  /** `count` deliveries in bucket i of 10 ms, for each count. */
  const deliveries = (counts: number[]): TraceEvent[] =>
    counts.flatMap((n, i) => Array.from({ length: n }, (_, k): TraceEvent => ({ kind: "deliver", timeMs: 10 * i, id: 100 * i + k, src: "a", dest: "b", type: "m", sentMs: 0, duplicate: false })));

  it("labels a count chart with whole numbers only, evenly spaced, whatever the height", () => {
    // 0…4 on 6 rows used to read 4, 3.33, 2.67, 2, 1.33, 0.67, 0
    for (const [counts, height] of [[[0, 4, 4, 0], 6], [[0, 7, 3], 6], [[2, 13, 5], 10], [[1, 3], 10], [[0, 50, 10], 4]] as const) {
      const labels = ticks(chartMetric(deliveries([...counts]), "delivered", { bucketMs: 10, height }));
      const values = labels.map(Number);
      expect(values.every(Number.isInteger), `${counts} height ${height}: ${labels}`).toBe(true);
      expect(values.length).toBeGreaterThanOrEqual(2); // an empty list would pass every check below
    expect(values.length).toBeLessThanOrEqual(height + 1);
      const steps = new Set(values.slice(1).map((v, i) => values[i] - v));
      expect(steps.size, `${labels}`).toBe(1);
      expect(values[values.length - 1]).toBe(Math.min(...counts));
      expect(values[0]).toBeGreaterThanOrEqual(Math.max(...counts));
    }
    expect(ticks(chartMetric(deliveries([0, 4, 4, 0]), "delivered", { bucketMs: 10, height: 6 }))).toEqual(["4", "3", "2", "1", "0"]);
  });

  it("keeps fractional labels for a metric that is not a count", () => {
    const half = (bucket: readonly TraceEvent[]) => bucket.length / 2;
    expect(ticks(chartMetric(deliveries([0, 3]), half, { bucketMs: 10, height: 3 }))).toEqual(["1.50", "1", "0.50", "0"]);
  });

  it("says in the caption whether a metric counts messages or copies", () => {
    const caption = (metric: MetricName) => chartMetric(EVENTS, metric, { bucketMs: 10 }).split("\n").pop();
    expect(caption("sent")).toBe("sent (messages) per 10ms, t=0ms…30ms");
    expect(caption("delivered")).toBe("delivered (copies, duplicates included) per 10ms, t=0ms…30ms");
    expect(caption("dropped")).toBe("dropped (copies, duplicates included) per 10ms, t=0ms…30ms");
    expect(caption("duplicated")).toBe("duplicated (extra copies) per 10ms, t=0ms…30ms");
  });
});
