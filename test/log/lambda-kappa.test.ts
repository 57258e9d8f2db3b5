// Lambda against Kappa (lecture 002, "Lambda architecture" and "Kappa architecture"): the same
// page views per minute, computed by a batch + speed + serving layer and by one stream job over a
// replayable log. Scenarios: both right when the code is the same; Lambda's speed layer drifting
// from its batch code gives a wrong merged answer until the next batch run heals it; a Kappa replay
// from offset 0 rebuilds the live table, or the new code's table; retention breaks the replay.
import { describe, expect, it } from "vitest";
import { runSequential } from "../../lib/mapreduce/index";
import {
  compareViewCounts,
  generatePageViews,
  pageViewLines,
  pageViewsPerMinuteApp,
  parseViewCounts,
  viewsPerMinute,
  viewsPerMinuteApp,
  windowLabel,
  type PageViewOptions,
  type ViewCounts,
} from "../../lib/log/pageviews";
import { lambdaAnswerRows, runLambda, type LambdaRun } from "../../lib/log/lambda";
import { compareLambdaAndKappa, runKappa } from "../../lib/log/kappa";

// two and a half minutes of views, two per second; late events up to ~90 s behind
const workload: PageViewOptions = { durationMs: 150_000, ratePerSecond: 2, lateProbability: 0.08, lateDelayMsMin: 60_000, lateDelayMsMax: 90_000 };
const lambdaBase = { workload, batchIntervalMs: 50_000, queryEveryMs: 20_000 };
const kappaBase = { workload, codeChangeAtMs: 80_000, queryEveryMs: 20_000 };

const json = (m: ViewCounts): string => JSON.stringify([...m]);

/** The batch view is MapReduce over the first `cutoff` records: check it against a direct count. */
function batchViewsExact(run: LambdaRun): boolean {
  const inMasterOrder = run.arrivals.map((a) => a.event); // one source, FIFO link: master order = arrival order
  return run.snapshots.every((s) => compareViewCounts(viewsPerMinute(inMasterOrder.slice(0, s.batchCutoffSeq), { excludeBots: false }), s.batchView).equal);
}

describe("page-view workload and analytics", () => {
  it("events arrive after their event time, out of order, some a minute or more late; pages are skewed", () => {
    const arrivals = generatePageViews({ seed: 4, ...workload });
    expect(arrivals.length).toBeGreaterThan(250);
    let outOfOrder = 0;
    for (let i = 1; i < arrivals.length; i++) {
      expect(arrivals[i].arrivalMs).toBeGreaterThanOrEqual(arrivals[i - 1].arrivalMs);
      if (arrivals[i].event.tsMs < arrivals[i - 1].event.tsMs) outOfOrder++;
    }
    expect(outOfOrder).toBeGreaterThan(20);
    for (const a of arrivals) expect(a.arrivalMs).toBeGreaterThanOrEqual(a.event.tsMs);
    const late = arrivals.filter((a) => a.late);
    expect(late.length).toBeGreaterThan(10);
    for (const a of late) expect(a.arrivalMs - a.event.tsMs).toBeGreaterThanOrEqual(60_000);
    const perPage = new Map<string, number>();
    for (const a of arrivals) perPage.set(a.event.page, (perPage.get(a.event.page) ?? 0) + 1);
    expect(Math.max(...perPage.values())).toBe(perPage.get("/home")); // Zipf rank 1
  });

  it("the MapReduce app gives the direct count, with and without crawlers", () => {
    const events = generatePageViews({ seed: 5, ...workload }).map((a) => a.event);
    const inputs = [0, 1, 2].map((i) => ({ file: `part-${i}`, contents: pageViewLines(events.filter((_, j) => j % 3 === i)) }));
    expect(json(parseViewCounts(runSequential(pageViewsPerMinuteApp, inputs)))).toBe(json(viewsPerMinute(events)));
    const humans = parseViewCounts(runSequential(viewsPerMinuteApp({ excludeBots: true }), inputs));
    expect(json(humans)).toBe(json(viewsPerMinute(events, { excludeBots: true })));
    expect([...humans.values()].reduce((a, b) => a + b, 0)).toBeLessThan(events.length);
    expect(windowLabel(185_000)).toBe("00:03");
  });
});

describe("Lambda: batch layer + speed layer + serving layer", () => {
  it("same code in both layers: every merged answer equals the truth for the records it covers", async () => {
    const run = await runLambda({ seed: 1, ...lambdaBase });
    expect(run.snapshots.length).toBeGreaterThan(8);
    for (const s of run.snapshots) expect(s.comparison.wrongCells, `t=${s.atMs}`).toBe(0);
    expect(run.final.asOfSeq).toBe(run.arrivals.length);
    expect(json(run.final.merged)).toBe(json(run.truth));
    expect(batchViewsExact(run)).toBe(true);
    // recomputation from scratch: the batch runs together read the dataset several times over
    expect(run.counters.batchRuns).toBeGreaterThanOrEqual(3);
    expect(run.counters.recordsRecomputed).toBeGreaterThan(2 * run.counters.events);
    expect(run.counters.speedUpdates).toBe(run.counters.events);
  });

  it("speed layer buckets by arrival time: the merged answer is wrong for recent minutes, the next batch run heals it", async () => {
    const run = await runLambda({ seed: 1, ...lambdaBase, speedLayerBug: "arrival-time" });
    expect(run.worst.comparison.wrongCells).toBeGreaterThan(0);
    // the error sits in the speed layer's part only: the batch view is exact at every point
    expect(batchViewsExact(run)).toBe(true);
    for (const row of lambdaAnswerRows(run.worst, { onlyWrong: true })) expect(row.realtime + row.batch).toBe(row.merged);
    expect(run.worst.realtimeView.size).toBeGreaterThan(0);
    // views are moved between minutes, never lost or invented
    const total = (m: ViewCounts): number => [...m.values()].reduce((a, b) => a + b, 0);
    expect(total(run.worst.merged)).toBe(total(run.worst.truth));
    // healed: after the final batch run the answer is exactly right
    expect(run.final.comparison.equal).toBe(true);
    expect(json(run.final.merged)).toBe(json(run.truth));
  });

  it("speed layer drops late events (a watermark): recent cells are too low until the batch run counts them", async () => {
    const run = await runLambda({ seed: 2, ...lambdaBase, speedLayerBug: "drop-late", allowedLatenessMs: 30_000 });
    expect(run.counters.speedDropped).toBeGreaterThan(0);
    expect(run.worst.comparison.wrongViews).toBeGreaterThan(0);
    for (const s of run.snapshots) for (const r of s.comparison.rows) expect(r.actual).toBeLessThan(r.expected);
    expect(run.final.comparison.equal).toBe(true);
  });

  it("a code change deployed to the batch layer only (leave out crawlers): recent cells too high, healed by the batch run", async () => {
    const run = await runLambda({ seed: 3, ...lambdaBase, speedLayerBug: "one-path-deploy" });
    expect(run.worst.comparison.wrongCells).toBeGreaterThan(0);
    for (const s of run.snapshots) for (const r of s.comparison.rows) expect(r.actual).toBeGreaterThan(r.expected);
    expect(run.final.comparison.equal).toBe(true);
    expect(json(run.truth)).toBe(json(viewsPerMinute(run.arrivals.map((a) => a.event), { excludeBots: true })));
  });

  it("rejects a bad option with its name", async () => {
    await expect(runLambda({ batchIntervalMs: 0 })).rejects.toThrow(/batchIntervalMs/);
    // @ts-expect-error not a variant
    await expect(runLambda({ speedLayerBug: "typo" })).rejects.toThrow(/speedLayerBug/);
  });
});

describe("Kappa: one stream job over a replayable log", () => {
  it("replaying unchanged code from offset 0 into a new table gives the live table; the switch waits for the catch-up", async () => {
    const run = await runKappa({ seed: 1, ...kappaBase });
    expect(run.liveMatchesCode).toBe(true);
    expect(run.replayEqualsLive).toBe(true);
    expect(run.replayMatchesNewCode).toBe(true);
    expect(run.servingTable).toBe("views_v2");
    const c = run.counters;
    expect(c.events).toBe(run.arrivals.length);
    expect(c.v1Processed).toBe(c.events);
    expect(c.v2Processed).toBe(c.events);
    expect(c.replayRecords).toBeGreaterThan(0.3 * c.events); // the history up to the code change
    expect(c.replayMs).toBeGreaterThan(0);
    expect(c.switchedAtMs!).toBeGreaterThanOrEqual(c.caughtUpAtMs!);
    expect(c.skippedByRetention).toBe(0);
    for (const s of run.snapshots) {
      expect(s.comparison.wrongCells, `t=${s.atMs}`).toBe(0);
      expect(s.table).toBe(s.atMs < c.switchedAtMs! ? "views_v1" : "views_v2");
    }
  });

  it("changed code (leave out crawlers): the replay recounts the whole history with the new semantics", async () => {
    const run = await runKappa({ seed: 2, ...kappaBase, newDefinition: { excludeBots: true } });
    expect(run.liveMatchesCode).toBe(true);
    expect(run.replayMatchesNewCode).toBe(true);
    expect(run.replayEqualsLive).toBe(false);
    expect(json(run.replayedTable!)).toBe(json(viewsPerMinute(run.arrivals.map((a) => a.event), { excludeBots: true })));
    for (const [key, n] of run.replayedTable!) expect(n).toBeLessThanOrEqual(run.liveTable.get(key)!);
    const afterSwitch = run.snapshots.filter((s) => s.table === "views_v2");
    expect(afterSwitch.length).toBeGreaterThan(0);
    for (const s of afterSwitch) expect(s.comparison.equal).toBe(true);
  });

  it("a log with retention cannot be replayed: the records it deleted are missing from the new table", async () => {
    const run = await runKappa({ seed: 1, ...kappaBase, retentionRecords: 30, segmentRecords: 10 });
    expect(run.counters.skippedByRetention).toBeGreaterThan(0);
    expect(run.liveMatchesCode).toBe(true); // v1 read everything before it was deleted
    expect(run.replayMatchesNewCode).toBe(false);
    expect(run.replayEqualsLive).toBe(false);
    expect(run.counters.v2Processed).toBe(run.counters.events - run.counters.skippedByRetention);
  });
});

describe("Lambda against Kappa, and determinism", () => {
  it("same events: Lambda (drifted) wrong at the end of the stream, Kappa right; both right after Lambda's last batch", async () => {
    const c = await compareLambdaAndKappa({ seed: 1, workload, queryEveryMs: 20_000, lambda: { batchIntervalMs: 50_000 }, kappa: { codeChangeAtMs: 80_000 } });
    expect(c.wrongRows.length).toBeGreaterThan(0);
    for (const r of c.wrongRows) expect(r.kappa).toBe(r.true);
    expect(c.summary[0]["wrong cells at end of stream"]).toBeGreaterThan(0);
    expect(c.summary[1]["wrong cells at end of stream"]).toBe(0);
    expect(c.summary[0]["wrong cells at the end"]).toBe(0);
    expect(c.summary[1]["wrong cells at the end"]).toBe(0);
  });

  it("same seed, same run (byte-identical traces); another seed, another workload", async () => {
    const small = { durationMs: 40_000, ratePerSecond: 2 };
    const a = await runLambda({ seed: 9, workload: small, batchIntervalMs: 20_000, queryEveryMs: 10_000, speedLayerBug: "arrival-time", trace: true });
    const b = await runLambda({ seed: 9, workload: small, batchIntervalMs: 20_000, queryEveryMs: 10_000, speedLayerBug: "arrival-time", trace: true });
    expect(a.sim.trace.hash()).toBe(b.sim.trace.hash());
    expect(JSON.stringify(a.snapshots.map((s) => [s.atMs, json(s.merged)]))).toBe(JSON.stringify(b.snapshots.map((s) => [s.atMs, json(s.merged)])));
    const k1 = await runKappa({ seed: 9, workload: small, codeChangeAtMs: 20_000, queryEveryMs: 10_000, trace: true });
    const k2 = await runKappa({ seed: 9, workload: small, codeChangeAtMs: 20_000, queryEveryMs: 10_000, trace: true });
    expect(k1.sim.trace.hash()).toBe(k2.sim.trace.hash());
    expect(k1.counters).toEqual(k2.counters);
    expect(JSON.stringify(generatePageViews({ seed: 10, ...small }))).not.toBe(JSON.stringify(generatePageViews({ seed: 9, ...small })));
  });
});
