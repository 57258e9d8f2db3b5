/**
 * The Lambda architecture (Nathan Marz, 2011; Marz & Warren, "Big Data", 2015), run on simulated
 * nodes for one analytics: page views per minute per page.
 *
 * - **master dataset** (`master`): every event ever received, immutable and append-only; each
 *   gets a sequence number. New data goes to the master dataset *and* to the speed layer.
 * - **batch layer** (`batch`): every `batchIntervalMs` it takes a cut-off (the dataset's size now)
 *   and recomputes the whole batch view from scratch with MapReduce (`runSequential` of
 *   {@link viewsPerMinuteApp}) over everything below the cut-off. That takes virtual time
 *   (`batchMsPerRecord` per record), and the cost grows with the dataset: recomputation is the
 *   price of its simplicity and of its fault tolerance (a wrong view is fixed by running again).
 * - **speed layer** (`speed`): updates a real-time view incrementally, one event at a time, and
 *   forgets the events below a cut-off once a batch view that covers them is published.
 * - **serving layer** (`serving`): holds the newest batch view; a query merges it with the speed
 *   layer's view of the events at or past that batch's cut-off.
 *
 * The speed layer is a second implementation of the same function, and the two can drift apart:
 * `speedLayerBug` deploys a speed layer that differs from the batch code. The merged answer is then
 * wrong for the minutes the speed layer covers, and **heals** when the next batch run covers them —
 * the lecture's "merging views can be inaccurate" and "inherent complexity", run.
 */
import { Simulation } from "../simulation/simulation";
import { latency } from "../net/latency";
import { ConfigError } from "../sim/errors";
import type { Node } from "../node/node";
import type { Message } from "../node/message";
import { runSequential } from "../mapreduce/index";
import {
  addViews,
  compareViewCounts,
  generatePageViews,
  mergeViewCounts,
  pageViewLines,
  parseViewCounts,
  sortViewCounts,
  viewKey,
  viewsPerMinute,
  viewsPerMinuteApp,
  windowLabel,
  type PageView,
  type PageViewArrival,
  type PageViewOptions,
  type ViewComparison,
  type ViewCounts,
  type ViewsDefinition,
} from "./pageviews";

/**
 * How the speed layer's code relates to the batch layer's:
 * - `"none"`: the same function (bucket by event time) — the merged answer is right;
 * - `"arrival-time"`: the speed layer buckets each event by the minute it *arrived* (a common
 *   shortcut in stream code) — late and jittered events land in the wrong minute;
 * - `"drop-late"`: the speed layer drops events older than `allowedLatenessMs` behind its clock
 *   (a watermark) — late events are missing until the batch run counts them;
 * - `"one-path-deploy"`: a code change (leave out crawler views) was deployed to the batch layer
 *   only — the speed layer still counts crawlers, so recent minutes are too high. (The definition
 *   then defaults to `excludeBots: true`; the speed layer always runs the opposite crawler rule.)
 */
export type SpeedLayerBug = "none" | "arrival-time" | "drop-late" | "one-path-deploy";

/** Options of {@link runLambda}. All have defaults. */
export interface LambdaOptions {
  /** Seed of the simulation and (unless `workload.seed` is set) of the workload. Default 1. */
  seed?: number;
  /** The page-view workload (see {@link generatePageViews}). */
  workload?: PageViewOptions;
  /** Use these arrivals instead of generating them (they must be in arrival order). */
  arrivals?: PageViewArrival[];
  /** What is counted (window, crawlers). The batch layer always runs this definition. */
  definition?: ViewsDefinition;
  /** Time between batch runs (default 120 000). A run that is still busy makes the next one wait. */
  batchIntervalMs?: number;
  /** Virtual compute time of a batch run per record of the master dataset (default 10). */
  batchMsPerRecord?: number;
  /** Records per MapReduce input file (default 500). */
  splitRecords?: number;
  /** The speed layer's code (default `"none"`: the same function as the batch layer). */
  speedLayerBug?: SpeedLayerBug;
  /** For `"drop-late"`: how far behind its clock the speed layer still counts an event (default 30 000). */
  allowedLatenessMs?: number;
  /** A client queries the serving layer this often (default 30 000). */
  queryEveryMs?: number;
  /** After the last arrival, run one more batch and query again (default true). */
  finalBatch?: boolean;
  /** Record a trace for diagrams (default false; keep the workload small when on). */
  trace?: boolean;
}

/** One answer of the serving layer, next to the truth at the same point. */
export interface LambdaSnapshot {
  /** Virtual time of the query. */
  atMs: number;
  /** Batch views published so far. */
  batchRuns: number;
  /** The batch view covers master-dataset records [0, batchCutoffSeq). */
  batchCutoffSeq: number;
  /** The answer covers records [0, asOfSeq): the batch view plus the speed layer from the cut-off on. */
  asOfSeq: number;
  batchView: ViewCounts;
  realtimeView: ViewCounts;
  /** batchView + realtimeView: what the serving layer answered. */
  merged: ViewCounts;
  /** The true views of records [0, asOfSeq), computed directly. */
  truth: ViewCounts;
  /** merged against truth. */
  comparison: ViewComparison;
}

/** Counters of a Lambda run. */
export interface LambdaCounters {
  /** Events appended to the master dataset. */
  events: number;
  /** Batch views published. */
  batchRuns: number;
  /** Σ over batch runs of the records each recomputed (the cost of recomputing from scratch). */
  recordsRecomputed: number;
  /** Σ virtual time the batch runs took. */
  batchComputeMs: number;
  /** Events the speed layer took in (incremental updates). */
  speedUpdates: number;
  /** Events the speed layer forgot because a batch view covered them. */
  speedExpired: number;
  /** Events the speed layer dropped (only with `"drop-late"`). */
  speedDropped: number;
  /** Queries answered by the serving layer. */
  queries: number;
}

/** One batch run. */
export interface BatchRun {
  run: number;
  startMs: number;
  endMs: number;
  cutoffSeq: number;
  records: number;
  inputFiles: number;
}

/** What {@link runLambda} returns. */
export interface LambdaRun {
  /** The simulation, for diagrams (traced only with `trace: true`). */
  sim: Simulation;
  /** The arrivals that were fed in, in arrival order. */
  arrivals: PageViewArrival[];
  /** Every answer of the serving layer, in time order. */
  snapshots: LambdaSnapshot[];
  /** The snapshot with the most wrong views (the first such), or the last one if none is wrong. */
  worst: LambdaSnapshot;
  /** The last snapshot (after the final batch run when `finalBatch`). */
  final: LambdaSnapshot;
  /** The true views of all events. */
  truth: ViewCounts;
  batchRuns: BatchRun[];
  counters: LambdaCounters;
}

/**
 * The master dataset: immutable, append-only. `append` freezes the event and gives it the next
 * sequence number; nothing is ever changed or removed. The batch layer reads it directly, as a
 * MapReduce job reads a distributed file system.
 *
 * @example
 * const master = new MasterDataset();
 * master.append({ eventId: "e1", page: "/", user: "u1", tsMs: 5 }); // 0
 * master.size;          // 1
 * master.read(0, 1);    // [ the frozen event ]
 */
export class MasterDataset {
  private readonly events: PageView[] = [];

  /** Records so far (= the next sequence number). @example master.size */
  get size(): number {
    return this.events.length;
  }

  /** Append one event; returns its sequence number. @example master.append(event) */
  append(event: PageView): number {
    this.events.push(Object.freeze({ ...event }));
    return this.events.length - 1;
  }

  /** Records [fromSeq, toSeq). @example master.read(0, master.size) */
  read(fromSeq: number, toSeq: number): readonly PageView[] {
    if (!(Number.isInteger(fromSeq) && Number.isInteger(toSeq) && 0 <= fromSeq && fromSeq <= toSeq && toSeq <= this.events.length)) {
      throw new RangeError(`MasterDataset.read: need 0 ≤ fromSeq ≤ toSeq ≤ ${this.events.length}, got [${fromSeq}, ${toSeq})`);
    }
    return this.events.slice(fromSeq, toSeq);
  }
}

/** The batch view recomputed from scratch: MapReduce over master-dataset records [0, cutoffSeq). */
function recomputeBatchView(master: MasterDataset, cutoffSeq: number, definition: ViewsDefinition, splitRecords: number): { view: ViewCounts; inputFiles: number } {
  const inputs: { file: string; contents: string }[] = [];
  for (let from = 0; from < cutoffSeq; from += splitRecords) {
    inputs.push({ file: `master/part-${String(inputs.length).padStart(5, "0")}`, contents: pageViewLines(master.read(from, Math.min(cutoffSeq, from + splitRecords))) });
  }
  return { view: parseViewCounts(runSequential(viewsPerMinuteApp(definition), inputs)), inputFiles: inputs.length };
}

const toPairs = (view: ViewCounts): [string, number][] => [...view.entries()];
const fromPairs = (pairs: [string, number][]): ViewCounts => sortViewCounts(new Map(pairs));

/** Speed layer state: one entry per event taken in (seq and the key it was counted under). */
class RealtimeView {
  private readonly entries: { seq: number; key: string }[] = [];
  private head = 0;
  readonly counts: ViewCounts = new Map();
  /** The speed layer has seen records [.., throughSeq). */
  throughSeq = 0;
  /** Records below this are covered by a published batch view and forgotten here. */
  expiredUpTo = 0;

  add(seq: number, key: string | undefined): void {
    this.throughSeq = Math.max(this.throughSeq, seq + 1);
    if (key === undefined) return;
    this.entries.push({ seq, key });
    addViews(this.counts, key, 1);
  }

  /** Forget every entry below `cutoffSeq`; returns how many. Entries arrive in seq order. */
  expire(cutoffSeq: number): number {
    this.expiredUpTo = Math.max(this.expiredUpTo, cutoffSeq);
    let n = 0;
    while (this.head < this.entries.length && this.entries[this.head].seq < cutoffSeq) {
      addViews(this.counts, this.entries[this.head].key, -1);
      this.head++;
      n++;
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
    return n;
  }
}

function checkLambdaOptions(o: LambdaOptions): void {
  const positive = (name: keyof LambdaOptions, v: unknown): void => {
    if (v !== undefined && !(typeof v === "number" && Number.isFinite(v) && v > 0)) throw new ConfigError(`runLambda: ${name}`, v, "a finite number > 0");
  };
  positive("batchIntervalMs", o.batchIntervalMs);
  positive("queryEveryMs", o.queryEveryMs);
  positive("splitRecords", o.splitRecords);
  if (o.batchMsPerRecord !== undefined && !(o.batchMsPerRecord >= 0)) throw new ConfigError("runLambda: batchMsPerRecord", o.batchMsPerRecord, "a number ≥ 0");
  if (o.allowedLatenessMs !== undefined && !(o.allowedLatenessMs >= 0)) throw new ConfigError("runLambda: allowedLatenessMs", o.allowedLatenessMs, "a number ≥ 0");
  const bugs: SpeedLayerBug[] = ["none", "arrival-time", "drop-late", "one-path-deploy"];
  if (o.speedLayerBug !== undefined && !bugs.includes(o.speedLayerBug)) throw new ConfigError("runLambda: speedLayerBug", o.speedLayerBug, bugs.map((b) => `"${b}"`).join(" | "));
}

/**
 * Run the Lambda architecture on the page-view workload: a source feeds each event at its arrival
 * time to the master dataset, which appends it and passes it to the speed layer; the batch layer
 * recomputes every `batchIntervalMs`; a client queries the serving layer every `queryEveryMs`.
 * Each answer is kept with the truth for the same records, so a drifted speed layer shows as
 * wrong cells that disappear after the next batch run.
 *
 * @example
 * const right = await runLambda({ seed: 1 });
 * right.final.comparison.equal;                 // true
 * const drift = await runLambda({ seed: 1, speedLayerBug: "arrival-time" });
 * drift.worst.comparison.wrongCells;            // 25 at t = 360 s: late events counted in the minute they arrived
 * drift.final.comparison.equal;                 // true: the final batch run healed it
 * console.log(formatTable(drift.worst.comparison.rows));
 */
export async function runLambda(options: LambdaOptions = {}): Promise<LambdaRun> {
  checkLambdaOptions(options);
  const seed = options.seed ?? 1;
  const arrivals = options.arrivals ?? generatePageViews({ seed, ...options.workload });
  const bug = options.speedLayerBug ?? "none";
  // "one-path-deploy": the new code (crawlers left out) reached the batch layer only
  const definition: ViewsDefinition = { windowMs: 60_000, excludeBots: bug === "one-path-deploy", ...options.definition };
  const speedDefinition: ViewsDefinition = bug === "one-path-deploy" ? { ...definition, excludeBots: !definition.excludeBots } : definition;
  const batchIntervalMs = options.batchIntervalMs ?? 120_000;
  const batchMsPerRecord = options.batchMsPerRecord ?? 10;
  const splitRecords = options.splitRecords ?? 500;
  const allowedLatenessMs = options.allowedLatenessMs ?? 30_000;
  const queryEveryMs = options.queryEveryMs ?? 30_000;
  const lastArrivalMs = arrivals.length ? arrivals[arrivals.length - 1].arrivalMs : 0;

  const sim = new Simulation({ seed, trace: options.trace ?? false, network: { latency: latency.uniform(1, 5) } });
  const master = new MasterDataset();
  const counters: LambdaCounters = { events: 0, batchRuns: 0, recordsRecomputed: 0, batchComputeMs: 0, speedUpdates: 0, speedExpired: 0, speedDropped: 0, queries: 0 };
  const batchRuns: BatchRun[] = [];
  const snapshots: LambdaSnapshot[] = [];

  // source: replays the workload, each event at its arrival time
  sim.spawn("source", (node) => {
    for (const a of arrivals) node.setTimer(a.arrivalMs - node.now(), () => node.send("master", { type: "new_data", event: a.event }), "arrival");
  }, { role: "source" });

  // master dataset: append, then dispatch the new data to the speed layer
  sim.spawn("master", (node) => {
    node.on("new_data", (raw) => {
      const msg = raw as unknown as Message<{ type: "new_data"; event: PageView }>;
      const seq = master.append(msg.body.event);
      counters.events++;
      node.send("speed", { type: "new_data", seq, event: msg.body.event });
    });
  }, { role: "master-dataset" });

  // batch layer: recompute from scratch over [0, cutoff), publish to the serving layer
  let running: Promise<void> | undefined;
  const recompute = async (node: Node): Promise<void> => {
    node.setState("computing");
    const startMs = node.now();
    const cutoffSeq = master.size;
    const { view, inputFiles } = recomputeBatchView(master, cutoffSeq, definition, splitRecords);
    await node.sleep(cutoffSeq * batchMsPerRecord);
    const run = batchRuns.length + 1;
    batchRuns.push({ run, startMs, endMs: node.now(), cutoffSeq, records: cutoffSeq, inputFiles });
    counters.recordsRecomputed += cutoffSeq;
    counters.batchComputeMs += node.now() - startMs;
    await node.rpc("serving", { type: "batch_view", run, cutoffSeq, view: toPairs(view) }, { timeoutMs: 1000, retries: 5 });
    node.setState("idle");
  };
  /** One batch run at a time: a run asked for while another is busy starts when that one ends. */
  const runBatch = (node: Node): Promise<void> => {
    const next = (running ?? Promise.resolve()).then(() => recompute(node));
    const tail: Promise<void> = next.then(() => { if (running === tail) running = undefined; });
    running = tail;
    return next;
  };
  sim.spawn("batch", (node) => {
    node.setState("idle");
    node.setPeriodic(batchIntervalMs, () => { if (running === undefined) void runBatch(node); }, "batch-run");
    node.on("run_batch", (msg) => {
      void runBatch(node).then(() => node.reply(msg, { type: "run_batch_ok" }));
    });
  }, { role: "batch-layer" });

  // speed layer: incremental real-time view of the records past the last batch cut-off
  sim.spawn("speed", (node) => {
    const rt = new RealtimeView();
    node.on("new_data", (raw) => {
      const msg = raw as unknown as Message<{ type: "new_data"; seq: number; event: PageView }>;
      const { seq, event } = msg.body;
      let key = viewKey(event, speedDefinition);
      if (key !== undefined && bug === "arrival-time") key = `${windowLabel(node.now(), speedDefinition.windowMs)} ${event.page}`;
      if (key !== undefined && bug === "drop-late" && event.tsMs < node.now() - allowedLatenessMs) {
        counters.speedDropped++;
        key = undefined;
      }
      rt.add(seq, key);
      counters.speedUpdates++;
    });
    node.on("expire", (raw) => {
      const msg = raw as unknown as Message<{ type: "expire"; cutoffSeq: number }>;
      counters.speedExpired += rt.expire(msg.body.cutoffSeq);
    });
    node.on("realtime_view", (raw) => {
      const msg = raw as unknown as Message<{ type: "realtime_view"; fromSeq: number }>;
      counters.speedExpired += rt.expire(msg.body.fromSeq);
      node.reply(msg, { type: "realtime_view_ok", fromSeq: rt.expiredUpTo, view: toPairs(rt.counts), throughSeq: rt.throughSeq });
    });
  }, { role: "speed-layer" });

  // serving layer: newest batch view + the speed layer's view from its cut-off on
  sim.spawn("serving", (node) => {
    let batchView: ViewCounts = new Map();
    let cutoffSeq = 0;
    let runs = 0;
    node.on("batch_view", (raw) => {
      const msg = raw as unknown as Message<{ type: "batch_view"; run: number; cutoffSeq: number; view: [string, number][] }>;
      batchView = fromPairs(msg.body.view);
      cutoffSeq = msg.body.cutoffSeq;
      runs = msg.body.run;
      counters.batchRuns = runs;
      node.send("speed", { type: "expire", cutoffSeq });
      node.reply(msg, { type: "batch_view_ok" });
    });
    node.on("query", async (msg) => {
      // the two views must meet exactly at the batch cut-off: if a new batch view lands while the
      // speed layer is asked, ask again
      for (;;) {
        const fromSeq = cutoffSeq;
        const batch = batchView;
        const batchRunsSeen = runs;
        const rt = await node.rpc<{ type: "realtime_view_ok"; fromSeq: number; view: [string, number][]; throughSeq: number }>("speed", { type: "realtime_view", fromSeq }, { timeoutMs: 1000, retries: 5 });
        if (rt.body.fromSeq !== fromSeq || cutoffSeq !== fromSeq) continue;
        const realtime = fromPairs(rt.body.view);
        counters.queries++;
        node.reply(msg, { type: "query_ok", batchRuns: batchRunsSeen, batchCutoffSeq: fromSeq, asOfSeq: Math.max(fromSeq, rt.body.throughSeq), batchView: toPairs(batch), realtimeView: toPairs(realtime), merged: toPairs(mergeViewCounts(batch, realtime)) });
        return;
      }
    });
  }, { role: "serving-layer" });

  // client: asks the serving layer, and records the answer beside the truth
  type QueryOk = { type: "query_ok"; batchRuns: number; batchCutoffSeq: number; asOfSeq: number; batchView: [string, number][]; realtimeView: [string, number][]; merged: [string, number][] };
  const client = sim.spawn("client", () => {}, { role: "client" });
  const query = async (atMs: number): Promise<void> => {
    const reply = await client.rpc<QueryOk>("serving", { type: "query" }, { timeoutMs: 2000, retries: 3 });
    const b = reply.body;
    const merged = fromPairs(b.merged);
    const truth = viewsPerMinute(master.read(0, b.asOfSeq), definition);
    snapshots.push({ atMs, batchRuns: b.batchRuns, batchCutoffSeq: b.batchCutoffSeq, asOfSeq: b.asOfSeq, batchView: fromPairs(b.batchView), realtimeView: fromPairs(b.realtimeView), merged, truth, comparison: compareViewCounts(truth, merged) });
  };
  let queriesDone = false;
  const script = async (): Promise<void> => {
    // every queryEveryMs, the last one at least SETTLE_MS after the last arrival
    for (let t = queryEveryMs; ; t += queryEveryMs) {
      if (client.now() < t) await client.sleep(t - client.now());
      await query(t);
      if (t >= lastArrivalMs + SETTLE_MS) break;
    }
    if (options.finalBatch ?? true) {
      await client.rpc("batch", { type: "run_batch" }, { timeoutMs: 10 * batchIntervalMs + master.size * batchMsPerRecord * 2 });
      await query(client.now());
    }
    queriesDone = true;
  };
  sim.at(0, () => { void script(); }, "client script");
  await sim.runUntil(() => queriesDone, { description: "the client's queries answered" });

  const all = master.read(0, master.size);
  let worst = snapshots[snapshots.length - 1];
  for (const s of snapshots) if (s.comparison.wrongViews > worst.comparison.wrongViews) worst = s;
  return { sim, arrivals, snapshots, worst, final: snapshots[snapshots.length - 1], truth: viewsPerMinute(all, definition), batchRuns, counters };
}

/** The last query comes at least this long after the last arrival, when everything has arrived. */
const SETTLE_MS = 2000;

/** One row of {@link lambdaAnswerRows}. */
export interface LambdaAnswerRow {
  minute: string;
  page: string;
  batch: number;
  realtime: number;
  merged: number;
  true: number;
  wrong: string;
}

/**
 * A snapshot as rows for `formatTable`: each cell's batch part, real-time part, merged answer and
 * true answer side by side, marked `✗` where merged ≠ true. `onlyWrong` keeps only those;
 * `pages` / `minutes` keep only those pages or windows.
 *
 * @example
 * const run = await runLambda({ seed: 1, speedLayerBug: "arrival-time" });
 * console.log(formatTable(lambdaAnswerRows(run.worst, { onlyWrong: true })));
 */
export function lambdaAnswerRows(snapshot: LambdaSnapshot, options: { onlyWrong?: boolean; pages?: string[]; minutes?: string[] } = {}): LambdaAnswerRow[] {
  const keys = [...new Set([...snapshot.merged.keys(), ...snapshot.truth.keys()])].sort();
  const rows: LambdaAnswerRow[] = [];
  for (const key of keys) {
    const space = key.indexOf(" ");
    const minute = key.slice(0, space);
    const page = key.slice(space + 1);
    if (options.pages && !options.pages.includes(page)) continue;
    if (options.minutes && !options.minutes.includes(minute)) continue;
    const merged = snapshot.merged.get(key) ?? 0;
    const truth = snapshot.truth.get(key) ?? 0;
    if (options.onlyWrong && merged === truth) continue;
    rows.push({ minute, page, batch: snapshot.batchView.get(key) ?? 0, realtime: snapshot.realtimeView.get(key) ?? 0, merged, true: truth, wrong: merged === truth ? "" : "✗" });
  }
  return rows;
}

/**
 * The run's snapshots as one row each for `formatTable` (or a chart of wrong views over time):
 * time, batch runs so far, the batch cut-off, records covered, and how wrong the merged answer was.
 *
 * @example
 * console.log(formatTable(lambdaTimelineRows(await runLambda({ speedLayerBug: "drop-late" }))));
 */
export function lambdaTimelineRows(run: LambdaRun): { "t s": number; "batch runs": number; "batch cut-off": number; records: number; "wrong cells": number; "wrong views": number }[] {
  return run.snapshots.map((s) => ({ "t s": s.atMs / 1000, "batch runs": s.batchRuns, "batch cut-off": s.batchCutoffSeq, records: s.asOfSeq, "wrong cells": s.comparison.wrongCells, "wrong views": s.comparison.wrongViews }));
}
