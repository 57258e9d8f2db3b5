// seriesOverTime / chartMetric: a metric per virtual-time bucket, and its asciichart drawing.
import { describe, expect, it } from "vitest";
import { chartMetric, seriesOverTime, type TraceEvent } from "../../lib/trace";
import { EVENTS, fixtureTrace } from "./fixtures";

describe("seriesOverTime", () => {
  it("counts a named metric per bucket [from + i·bucket, from + (i+1)·bucket)", () => {
    // sends at 1, 3, 6, 8, 11, 12, 15, 28
    expect(seriesOverTime(fixtureTrace(), "sent", { bucketMs: 5 })).toEqual({ fromMs: 0, bucketMs: 5, values: [2, 2, 2, 1, 0, 1] });
    expect(seriesOverTime(EVENTS, "bytes", { bucketMs: 10 }).values).toEqual([30 + 50 + 20 + 25, 20 + 50 + 30, 10]);
    expect(seriesOverTime(EVENTS, "dropped", { bucketMs: 10 }).values).toEqual([0, 2, 0]);
    expect(seriesOverTime(EVENTS, "delivered", { bucketMs: 10 }).values).toEqual([3, 2, 1]);
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

describe("chartMetric", () => {
  it("draws the series with asciichart (one column per bucket) and a caption", () => {
    // values [2, 2, 2, 1, 0, 1]
    const text = chartMetric(fixtureTrace(), "sent", { bucketMs: 5, height: 2 });
    expect(text).toBe(
      ["        2 ┼──╮   ", "        1 ┤  ╰╮╭ ", "        0 ┤   ╰╯ ", "sent per 5ms, t=0ms…30ms"].join("\n"),
    );
  });

  it("draws a flat line for an empty trace", () => {
    expect(chartMetric([], "sent")).toBe(["        0 ┼─ ", "sent per 1ms, t=0ms…1ms"].join("\n"));
  });
});
