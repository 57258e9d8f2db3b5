/**
 * The Kappa architecture (Jay Kreps, "Questioning the Lambda Architecture", 2014), run on simulated
 * nodes for the same analytics as the Lambda run: page views per minute per page.
 *
 * There is no batch layer. Every event is appended to a partitioned log (lib/log's broker); **one
 * stream job** reads the log from its consumer group's committed offset, folds each record into a
 * serving table, and commits. The table stores the offsets it has consumed next to its counts, so
 * a record applied twice (a job that crashed between the table update and its commit) is applied
 * once: the offsets travel with the output.
 *
 * Reprocessing is a **replay**: to change the code, start job v2 with a new consumer group — it has
 * no committed offset, so it reads the log from offset 0 — into a new table, alongside v1. When v2
 * has caught up with the head of the log, the serving layer switches to v2's table; v1 can then be
 * stopped and its table dropped. With unchanged code the replayed table equals the live one; with
 * changed code it equals the new code's answer over the whole history.
 *
 * The requirement this rests on: **the log must retain every record a replay needs** (retention
 * by size or age, or compaction, breaks it). With `retentionRecords` set, the replay starts at the
 * log start offset instead, and its table misses the deleted records — the run reports how many.
 */
import { Simulation } from "../simulation/simulation";
import { latency } from "../net/latency";
import { ConfigError } from "../sim/errors";
import type { Node } from "../node/node";
import type { Message } from "../node/message";
import { logBroker } from "./broker";
import { makePartitioner } from "./partitioner";
import { LOG_ERRORS, type FetchOk, type FetchedRecord } from "./wire";
import { runLambda, type LambdaOptions, type LambdaRun, type SpeedLayerBug } from "./lambda";
import {
  addViews,
  compareViewCounts,
  generatePageViews,
  sortViewCounts,
  viewKey,
  viewsPerMinute,
  type PageView,
  type PageViewArrival,
  type PageViewOptions,
  type ViewComparison,
  type ViewCounts,
  type ViewsDefinition,
} from "./pageviews";

/** Options of {@link streamJob}. */
export interface StreamJobOptions {
  /** The broker node. */
  broker: string;
  topic: string;
  partitions: number;
  /** The consumer group: a new group starts at offset 0 (a replay). */
  group: string;
  /** The serving node and the table the job writes. */
  serving: string;
  table: string;
  /** The job's code: what it counts. */
  definition: ViewsDefinition;
  /** Records asked for per fetch (default 200). */
  pollMaxRecords?: number;
  /** Sleep between polls when the job has caught up (default 1000). */
  pollIdleMs?: number;
  /** Virtual processing time per record (default 2). */
  processMsPerRecord?: number;
}

/** A running stream job, as the runner sees it. */
export interface StreamJob {
  /** The next offset to read, per partition. */
  positions(): number[];
  /** Records folded into the table so far. */
  processed(): number;
  /** Records the job could not read because retention had deleted them. */
  skippedByRetention(): number;
  /** Virtual time when it first reached the head of every partition (undefined before). */
  caughtUpAtMs(): number | undefined;
  /** Records processed when it first caught up. */
  processedAtCatchUp(): number | undefined;
  /** Stop after the current poll. */
  stop(): void;
  stopped(): boolean;
}

/** A table in the serving layer: counts plus the offsets they cover, per partition. */
interface ServingTable {
  definition: ViewsDefinition;
  counts: ViewCounts;
  offsets: number[];
}

type Increment = [string, number];

/**
 * The Kappa stream job: reads `topic` from the group's committed offset (0 for a new group), folds
 * each record `{ value: PageView }` into per-window counts with its `definition`, writes them to
 * `table` on the serving node together with the offsets consumed (`table_update`), then commits
 * the offset to the broker. When every partition is at its high watermark for the first time it
 * tells the serving node `caught_up` (the cue to switch tables).
 *
 * @example
 * sim.spawn("job-v2", (node) => { streamJob(node, { broker: "broker", topic: "pageviews", partitions: 2,
 *   group: "views-v2", serving: "serving", table: "views_v2", definition: { excludeBots: true } }); });
 */
export function streamJob(node: Node, options: StreamJobOptions): StreamJob {
  const { broker, topic, partitions, group, serving, table, definition } = options;
  if (!Number.isInteger(partitions) || partitions < 1) throw new ConfigError(`streamJob on ${node.id}: partitions`, partitions, "a whole number ≥ 1", { node: node.id, timeMs: node.now() });
  const pollMaxRecords = options.pollMaxRecords ?? 200;
  const pollIdleMs = options.pollIdleMs ?? 1000;
  const processMsPerRecord = options.processMsPerRecord ?? 2;
  const positions: number[] = new Array(partitions).fill(0);
  let processed = 0;
  let skipped = 0;
  let caughtUpAt: number | undefined;
  let processedAtCatchUp: number | undefined;
  let stopped = false;
  const rpc = <R extends { type: string }>(dest: string, body: { type: string; [k: string]: unknown }) => node.rpc<R>(dest, body, { timeoutMs: 500, retries: 10 });

  const loop = async (): Promise<void> => {
    node.setState("starting");
    await rpc(serving, { type: "create_table", table, definition, partitions });
    for (let p = 0; p < partitions; p++) {
      const c = await rpc<{ type: "fetch_committed_ok"; offset: number }>(broker, { type: "fetch_committed", group, topic, partition: p });
      positions[p] = c.body.offset;
    }
    node.setState(positions.every((o) => o === 0) ? "replaying" : "running");
    while (!stopped) {
      let atHead = true;
      for (let p = 0; p < partitions && !stopped; p++) {
        const reply = await rpc<FetchOk | { type: "error"; code: number; text: string; logStartOffset?: number }>(broker, { type: "fetch", topic, partition: p, offset: positions[p], maxRecords: pollMaxRecords });
        const body = reply.body;
        if (body.type === "error") {
          if (body.code !== LOG_ERRORS.offsetOutOfRange) throw new Error(`streamJob on ${node.id} at t=${node.now()}: fetch of ${topic}-${p} failed: ${body.text}`);
          // deleted by retention: start again from the log start offset (Kafka's auto.offset.reset = earliest)
          const start = logStartOf(body, p);
          if (start <= positions[p]) throw new Error(`streamJob on ${node.id} at t=${node.now()}: fetch of ${topic}-${p} at ${positions[p]} out of range: ${body.text}`);
          skipped += Math.max(0, start - positions[p]);
          positions[p] = Math.max(positions[p], start);
          atHead = false;
          continue;
        }
        const records: FetchedRecord<PageView>[] = body.records;
        // a broker that serves from its log start offset instead of refusing: the gap was deleted
        if (records.length > 0 && records[0].offset > positions[p]) skipped += records[0].offset - positions[p];
        if (records.length === 0) continue;
        const counts: ViewCounts = new Map();
        for (const r of records) {
          const key = viewKey(r.value, definition);
          if (key !== undefined) addViews(counts, key, 1);
        }
        await node.sleep(records.length * processMsPerRecord);
        const fromOffset = positions[p];
        const throughOffset = records[records.length - 1].offset + 1;
        const increments: Increment[] = [...counts.entries()];
        await rpc(serving, { type: "table_update", table, partition: p, fromOffset, throughOffset, increments });
        positions[p] = throughOffset;
        processed += records.length;
        await rpc(broker, { type: "commit_offset", group, topic, partition: p, offset: throughOffset });
        if (throughOffset < body.highWatermark) atHead = false;
      }
      if (atHead && caughtUpAt === undefined && !stopped) {
        caughtUpAt = node.now();
        processedAtCatchUp = processed;
        node.setState("running");
        await rpc(serving, { type: "caught_up", table });
      }
      if (atHead) await node.sleep(pollIdleMs);
    }
    node.setState("stopped");
  };

  /**
   * The log start offset behind an OFFSET_OUT_OF_RANGE error: the error's `logStartOffset` if the
   * broker sends one, else the "log start offset N" its text names (the wire has no ListOffsets).
   */
  const logStartOf = (body: { text: string; logStartOffset?: number }, p: number): number => {
    if (typeof body.logStartOffset === "number") return body.logStartOffset;
    const m = /log start offset (\d+)/.exec(body.text);
    if (m === null) throw new Error(`streamJob on ${node.id} at t=${node.now()}: ${topic}-${p} offset ${positions[p]} is out of range and the broker did not say where the log starts: ${body.text}`);
    return Number(m[1]);
  };

  void loop();
  return {
    positions: () => positions.slice(),
    processed: () => processed,
    skippedByRetention: () => skipped,
    caughtUpAtMs: () => caughtUpAt,
    processedAtCatchUp: () => processedAtCatchUp,
    stop: () => { stopped = true; },
    stopped: () => stopped,
  };
}

/** What the serving node exposes to the runner. */
interface KappaServing {
  tables: Map<string, ServingTable>;
  current(): string | undefined;
  switchedAtMs(): number | undefined;
}

/**
 * The serving layer of the Kappa run: tables written by stream jobs (`create_table`,
 * `table_update` — applied only past the offsets the table already holds, so a re-sent update is
 * harmless), `caught_up` switches queries to the new table, `query` answers from the current one.
 */
function kappaServing(node: Node): KappaServing {
  const tables = new Map<string, ServingTable>();
  let current: string | undefined;
  let switchedAt: number | undefined;
  node.on("create_table", (raw) => {
      const msg = raw as unknown as Message<{ type: "create_table"; table: string; definition: ViewsDefinition; partitions: number }>;
    const { table, definition, partitions } = msg.body;
    if (!tables.has(table)) tables.set(table, { definition, counts: new Map(), offsets: new Array(partitions).fill(0) });
    if (current === undefined) current = table;
    node.reply(msg, { type: "create_table_ok" });
  });
  node.on("table_update", (raw) => {
      const msg = raw as unknown as Message<{ type: "table_update"; table: string; partition: number; fromOffset: number; throughOffset: number; increments: Increment[] }>;
    const { table, partition, throughOffset, increments } = msg.body;
    const t = tables.get(table);
    if (t === undefined) {
      node.reply(msg, { type: "error", code: 20, text: `no table ${table} on ${node.id}` });
      return;
    }
    if (throughOffset > t.offsets[partition]) {
      for (const [key, n] of increments) addViews(t.counts, key, n);
      t.offsets[partition] = throughOffset;
    }
    node.reply(msg, { type: "table_update_ok" });
  });
  node.on("caught_up", (raw) => {
      const msg = raw as unknown as Message<{ type: "caught_up"; table: string }>;
    if (current !== msg.body.table) {
      current = msg.body.table;
      switchedAt = node.now();
      node.setState(`serving ${current}`);
    }
    node.reply(msg, { type: "caught_up_ok", current });
  });
  node.on("query", (msg) => {
    const t = current === undefined ? undefined : tables.get(current);
    node.reply(msg, { type: "query_ok", table: current ?? "", offsets: t ? t.offsets.slice() : [], view: t ? [...sortViewCounts(t.counts).entries()] : [] });
  });
  return { tables, current: () => current, switchedAtMs: () => switchedAt };
}

/** Options of {@link runKappa}. All have defaults. */
export interface KappaOptions {
  /** Seed of the simulation and (unless `workload.seed` is set) of the workload. Default 1. */
  seed?: number;
  /** The page-view workload (see {@link generatePageViews}). */
  workload?: PageViewOptions;
  /** Use these arrivals instead of generating them (in arrival order). */
  arrivals?: PageViewArrival[];
  /** Job v1's code (default: every view, one-minute windows). */
  definition?: ViewsDefinition;
  /** Job v2's code (default: the same as v1 — a pure replay). */
  newDefinition?: ViewsDefinition;
  /** When job v2 is started to replay from offset 0 (default 150 000); `replay: false` starts none. */
  codeChangeAtMs?: number;
  /** Start job v2 at all (default true). */
  replay?: boolean;
  /** Partitions of the topic (default 2; records keyed by page). */
  partitions?: number;
  /** Virtual processing time per record in a job (default 2). */
  processMsPerRecord?: number;
  /** Records per fetch (default 200). */
  pollMaxRecords?: number;
  /** A caught-up job polls this often (default 1000). */
  pollIdleMs?: number;
  /** Broker retention by size, records per partition (default: none — keep everything, as a replay needs). */
  retentionRecords?: number;
  /** Records per log segment (default 100); retention deletes whole segments. */
  segmentRecords?: number;
  /** A client queries the serving layer this often (default 30 000). */
  queryEveryMs?: number;
  /** Record a trace for diagrams (default false; keep the workload small when on). */
  trace?: boolean;
}

/** One answer of the Kappa serving layer, with the truth for the records it covers. */
export interface KappaSnapshot {
  atMs: number;
  /** The table answering (`views_v1` or `views_v2`). */
  table: string;
  /** Records the table covers (Σ of its offsets over the partitions). */
  records: number;
  view: ViewCounts;
  /** The table's own definition applied directly to the records it covers. */
  truth: ViewCounts;
  comparison: ViewComparison;
}

/** Counters of a Kappa run. */
export interface KappaCounters {
  /** Records appended to the log. */
  events: number;
  /** Records job v1 processed. */
  v1Processed: number;
  /** Records job v2 processed (0 without a replay). */
  v2Processed: number;
  /** Records job v2 processed from offset 0 until it caught up: the replay's cost. */
  replayRecords: number;
  /** Virtual time from v2's start to catching up. */
  replayMs: number;
  /** When v2 started, caught up, and the serving layer switched (undefined without a replay). */
  replayStartMs?: number;
  caughtUpAtMs?: number;
  switchedAtMs?: number;
  /** Records v2 could not replay because retention had deleted them. */
  skippedByRetention: number;
  /** Queries answered. */
  queries: number;
}

/** What {@link runKappa} returns. */
export interface KappaRun {
  sim: Simulation;
  arrivals: PageViewArrival[];
  /** The table the serving layer answers from at the end (`views_v2` after a replay). */
  servingTable: string;
  /** The live table written by job v1, at the end (all records consumed). */
  liveTable: ViewCounts;
  /** The table job v2 replayed into, at the end (undefined without a replay). */
  replayedTable?: ViewCounts;
  /** The true views of all events under v1's code and under v2's code. */
  truth: ViewCounts;
  newTruth: ViewCounts;
  /** v1's table equals v1's code applied to the whole log. */
  liveMatchesCode: boolean;
  /** v2's table equals v2's code applied to the whole log (fails when retention deleted records). */
  replayMatchesNewCode: boolean;
  /** v2's table equals v1's (expected exactly when the code did not change and nothing was deleted). */
  replayEqualsLive: boolean;
  snapshots: KappaSnapshot[];
  counters: KappaCounters;
}

/**
 * Run the Kappa architecture on the page-view workload: a source produces each event (keyed by
 * page) at its arrival time to a broker; job v1 folds the log into `views_v1`; at
 * `codeChangeAtMs` job v2 starts with a new consumer group, replays from offset 0 into
 * `views_v2`, and the serving layer switches to it once it has caught up. A client queries every
 * `queryEveryMs`. At the end both jobs have consumed the whole log and their tables are compared.
 *
 * @example
 * const same = await runKappa({ seed: 1 });
 * same.replayEqualsLive;                   // true: replaying unchanged code rebuilds the same table
 * const changed = await runKappa({ seed: 1, newDefinition: { excludeBots: true } });
 * changed.replayMatchesNewCode;            // true: the whole history recounted without crawlers
 * changed.counters.replayMs;               // 1509: v2 replayed 702 records and caught up in 1.5 s
 */
export async function runKappa(options: KappaOptions = {}): Promise<KappaRun> {
  const seed = options.seed ?? 1;
  const positive = (name: keyof KappaOptions, v: unknown): void => {
    if (v !== undefined && !(typeof v === "number" && Number.isFinite(v) && v > 0)) throw new ConfigError(`runKappa: ${name}`, v, "a finite number > 0");
  };
  positive("queryEveryMs", options.queryEveryMs);
  positive("pollMaxRecords", options.pollMaxRecords);
  positive("pollIdleMs", options.pollIdleMs);
  positive("retentionRecords", options.retentionRecords);
  if (options.codeChangeAtMs !== undefined && !(options.codeChangeAtMs >= 0)) throw new ConfigError("runKappa: codeChangeAtMs", options.codeChangeAtMs, "a number ≥ 0");
  const partitions = options.partitions ?? 2;
  if (!Number.isInteger(partitions) || partitions < 1) throw new ConfigError("runKappa: partitions", partitions, "a whole number ≥ 1");
  const arrivals = options.arrivals ?? generatePageViews({ seed, ...options.workload });
  const definition: ViewsDefinition = { windowMs: 60_000, excludeBots: false, ...options.definition };
  const newDefinition: ViewsDefinition = { ...definition, ...options.newDefinition };
  const replay = options.replay ?? true;
  const codeChangeAtMs = options.codeChangeAtMs ?? 150_000;
  const queryEveryMs = options.queryEveryMs ?? 30_000;
  const lastArrivalMs = arrivals.length ? arrivals[arrivals.length - 1].arrivalMs : 0;
  const topic = "pageviews";
  const jobOptions = { broker: "broker", topic, partitions, serving: "serving", pollMaxRecords: options.pollMaxRecords, pollIdleMs: options.pollIdleMs, processMsPerRecord: options.processMsPerRecord };

  const sim = new Simulation({ seed, trace: options.trace ?? false, network: { latency: latency.uniform(1, 5) } });
  sim.spawn("broker", (node) => {
    logBroker(node, { topics: [{ name: topic, partitions }], retentionRecords: options.retentionRecords, segmentRecords: options.segmentRecords, retentionCheckMs: 1000 });
  }, { role: "broker" });

  // what was appended where: the runner's own copy, to compute the truth at any offsets
  const appended: PageView[][] = Array.from({ length: partitions }, () => []);
  const partitionOf = makePartitioner("key-hash", partitions);
  sim.spawn("source", (node) => {
    // one produce in flight at a time, so the records keep their arrival order and each
    // partition's idempotent-producer sequence numbers arrive in order
    const seqs: number[] = new Array(partitions).fill(0);
    let chain: Promise<void> = Promise.resolve();
    const produce = async (event: PageView): Promise<void> => {
      const partition = partitionOf(event.page);
      const seq = seqs[partition]++;
      for (let attempt = 1; ; attempt++) {
        const reply = await node.rpc<{ type: string; partition: number; offset: number; code?: number; text?: string }>("broker", { type: "produce", topic, partition, key: event.page, value: event, producerId: "source", seq }, { timeoutMs: 500, retries: 5 });
        const b = reply.body;
        if (b.type === "produce_ok") {
          appended[b.partition][b.offset] = event;
          return;
        }
        if (b.code !== LOG_ERRORS.temporarilyUnavailable || attempt >= 50) throw new Error(`source at t=${node.now()}: produce of ${event.eventId} failed: ${b.text}`);
        await node.sleep(10);
      }
    };
    for (const a of arrivals) {
      node.setTimer(a.arrivalMs - node.now(), () => { chain = chain.then(() => produce(a.event)); }, "arrival");
    }
  }, { role: "source" });

  let serving: KappaServing | undefined;
  sim.spawn("serving", (node) => { serving = kappaServing(node); }, { role: "serving-layer" });
  let v1: StreamJob | undefined;
  sim.spawn("job-v1", (node) => { v1 = streamJob(node, { ...jobOptions, group: "views-v1", table: "views_v1", definition }); }, { role: "stream-job" });
  let v2: StreamJob | undefined;
  if (replay) sim.at(codeChangeAtMs, () => {
    sim.spawn("job-v2", (node) => { v2 = streamJob(node, { ...jobOptions, group: "views-v2", table: "views_v2", definition: newDefinition }); }, { role: "stream-job" });
  }, "deploy job v2");

  const truthAt = (offsets: number[], def: ViewsDefinition): ViewCounts => {
    const events: PageView[] = [];
    offsets.forEach((o, p) => { for (let i = 0; i < o; i++) if (appended[p][i] !== undefined) events.push(appended[p][i]); });
    return viewsPerMinute(events, def);
  };
  const snapshots: KappaSnapshot[] = [];
  const client = sim.spawn("client", () => {}, { role: "client" });
  let queriesDone = false;
  const script = async (): Promise<void> => {
    for (let t = queryEveryMs; ; t += queryEveryMs) {
      if (client.now() < t) await client.sleep(t - client.now());
      const reply = await client.rpc<{ type: "query_ok"; table: string; offsets: number[]; view: [string, number][] }>("serving", { type: "query" }, { timeoutMs: 2000, retries: 3 });
      const { table, offsets } = reply.body;
      const view = sortViewCounts(new Map(reply.body.view));
      const truth = truthAt(offsets, table === "views_v2" ? newDefinition : definition);
      snapshots.push({ atMs: t, table, records: offsets.reduce((a, b) => a + b, 0), view, truth, comparison: compareViewCounts(truth, view) });
      if (t >= lastArrivalMs + SETTLE_MS) break;
    }
    queriesDone = true;
  };
  sim.at(0, () => { void script(); }, "client script");
  await sim.runUntil(() => queriesDone, { description: "the client's queries answered" });
  // let every job consume the whole log, then compare the tables
  const consumedAll = (job: StreamJob | undefined): boolean => job !== undefined && job.caughtUpAtMs() !== undefined && job.positions().every((o, p) => o >= appended[p].length);
  await sim.runUntil(() => consumedAll(v1) && (!replay || consumedAll(v2)), { withinMs: 10 * 60_000, description: "every stream job at the end of the log" });
  v1!.stop();
  v2?.stop();

  const tables = serving!.tables;
  const liveTable = sortViewCounts(tables.get("views_v1")!.counts);
  const replayedTable = replay ? sortViewCounts(tables.get("views_v2")!.counts) : undefined;
  const all = appended.flatMap((events) => events.filter((e) => e !== undefined));
  const truth = viewsPerMinute(all, definition);
  const newTruth = viewsPerMinute(all, newDefinition);
  const replayStartMs = replay ? codeChangeAtMs : undefined;
  const caughtUpAtMs = v2?.caughtUpAtMs();
  const counters: KappaCounters = {
    events: all.length,
    v1Processed: v1!.processed(),
    v2Processed: v2?.processed() ?? 0,
    replayRecords: v2?.processedAtCatchUp() ?? 0,
    replayMs: replayStartMs !== undefined && caughtUpAtMs !== undefined ? Math.round(caughtUpAtMs - replayStartMs) : 0,
    replayStartMs,
    caughtUpAtMs,
    switchedAtMs: serving!.switchedAtMs(),
    skippedByRetention: v2?.skippedByRetention() ?? 0,
    queries: snapshots.length,
  };
  return {
    sim,
    arrivals,
    servingTable: serving!.current() ?? "",
    liveTable,
    replayedTable,
    truth,
    newTruth,
    liveMatchesCode: compareViewCounts(truth, liveTable).equal,
    replayMatchesNewCode: replayedTable !== undefined && compareViewCounts(newTruth, replayedTable).equal,
    replayEqualsLive: replayedTable !== undefined && compareViewCounts(liveTable, replayedTable).equal,
    snapshots,
    counters,
  };
}

/** The last query comes at least this long after the last arrival, so every job has caught up. */
const SETTLE_MS = 2000;

/**
 * The run's snapshots as rows for `formatTable`: time, the table answering, records covered, and
 * whether the answer equals its code applied to those records.
 *
 * @example
 * console.log(formatTable(kappaTimelineRows(await runKappa({ newDefinition: { excludeBots: true } }))));
 */
export function kappaTimelineRows(run: KappaRun): { "t s": number; table: string; records: number; "wrong cells": number }[] {
  return run.snapshots.map((s) => ({ "t s": s.atMs / 1000, table: s.table, records: s.records, "wrong cells": s.comparison.wrongCells }));
}

/** Options of {@link compareLambdaAndKappa}. */
export interface LambdaKappaOptions {
  /** Seed of the workload and of both runs (default 1). */
  seed?: number;
  workload?: PageViewOptions;
  /** What both count (default: every view, one-minute windows). */
  definition?: ViewsDefinition;
  /** The Lambda speed layer's code (default `"arrival-time"`: drifted from the batch code). */
  speedLayerBug?: SpeedLayerBug;
  /** Both clients query this often (default 30 000); the answers compared are the last ones. */
  queryEveryMs?: number;
  /** More options for the Lambda run. */
  lambda?: Omit<LambdaOptions, "seed" | "arrivals" | "workload" | "definition" | "speedLayerBug" | "queryEveryMs">;
  /** More options for the Kappa run. */
  kappa?: Omit<KappaOptions, "seed" | "arrivals" | "workload" | "definition" | "queryEveryMs">;
}

/** One cell of {@link compareLambdaAndKappa}: the true count and each architecture's answer. */
export interface LambdaKappaRow {
  minute: string;
  page: string;
  true: number;
  lambda: number;
  kappa: number;
}

/** What {@link compareLambdaAndKappa} returns. */
export interface LambdaKappaComparison {
  lambda: LambdaRun;
  kappa: KappaRun;
  /** Virtual time of the compared answers: the first query after everything had arrived (before Lambda's final batch). */
  atMs: number;
  /** The true views of all events. */
  truth: ViewCounts;
  /** Every cell: true, Lambda's merged answer and Kappa's table at `atMs`. */
  rows: LambdaKappaRow[];
  /** Only the cells where Lambda or Kappa differs from the truth. */
  wrongRows: LambdaKappaRow[];
  /** One row per architecture, for `formatTable`. */
  summary: Record<string, string | number>[];
}

/**
 * The same page views through both architectures, answered at the same moment (just after the
 * last event arrived) next to the true answer; plus a summary of what each did: code paths,
 * records processed, recomputation against replay.
 *
 * @example
 * const c = await compareLambdaAndKappa({ seed: 1, speedLayerBug: "arrival-time" });
 * console.log(formatTable(c.wrongRows));   // Lambda wrong in the recent minutes, Kappa right
 * console.log(formatTable(c.summary));
 */
export async function compareLambdaAndKappa(options: LambdaKappaOptions = {}): Promise<LambdaKappaComparison> {
  const seed = options.seed ?? 1;
  const arrivals = generatePageViews({ seed, ...options.workload });
  const definition: ViewsDefinition = { windowMs: 60_000, excludeBots: false, ...options.definition };
  const speedLayerBug = options.speedLayerBug ?? "arrival-time";
  const queryEveryMs = options.queryEveryMs ?? 30_000;
  const lambda = await runLambda({ ...options.lambda, seed, arrivals, definition, speedLayerBug, queryEveryMs });
  const kappa = await runKappa({ ...options.kappa, seed, arrivals, definition, queryEveryMs });
  const kappaAnswer = kappa.snapshots[kappa.snapshots.length - 1];
  const atMs = kappaAnswer.atMs;
  const lambdaAnswer = lambda.snapshots.find((s) => s.atMs === atMs) ?? lambda.snapshots[lambda.snapshots.length - 1];
  const truth = viewsPerMinute(arrivals.map((a) => a.event), definition);
  const keys = [...new Set([...truth.keys(), ...lambdaAnswer.merged.keys(), ...kappaAnswer.view.keys()])].sort();
  const rows: LambdaKappaRow[] = keys.map((key) => {
    const space = key.indexOf(" ");
    return { minute: key.slice(0, space), page: key.slice(space + 1), true: truth.get(key) ?? 0, lambda: lambdaAnswer.merged.get(key) ?? 0, kappa: kappaAnswer.view.get(key) ?? 0 };
  });
  const wrong = (c: ViewCounts): number => compareViewCounts(truth, c).wrongCells;
  const summary: Record<string, string | number>[] = [
    {
      architecture: "Lambda",
      "code paths": speedLayerBug === "none" ? "2 (same function)" : `2 (speed: ${speedLayerBug})`,
      "wrong cells at end of stream": wrong(lambdaAnswer.merged),
      "wrong cells at the end": wrong(lambda.final.merged),
      "records processed": lambda.counters.recordsRecomputed + lambda.counters.speedUpdates,
      "recomputed / replayed": `${lambda.counters.recordsRecomputed} in ${lambda.counters.batchRuns} batch runs`,
    },
    {
      architecture: "Kappa",
      "code paths": "1",
      "wrong cells at end of stream": wrong(kappaAnswer.view),
      "wrong cells at the end": wrong(kappa.servingTable === "views_v2" && kappa.replayedTable ? kappa.replayedTable : kappa.liveTable),
      "records processed": kappa.counters.v1Processed + kappa.counters.v2Processed,
      "recomputed / replayed": kappa.counters.replayRecords > 0 ? `${kappa.counters.replayRecords} in one replay (${kappa.counters.replayMs} ms)` : "none",
    },
  ];
  return { lambda, kappa, atMs, truth, rows, wrongRows: rows.filter((r) => r.lambda !== r.true || r.kappa !== r.true), summary };
}
