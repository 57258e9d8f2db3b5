/**
 * A metric of a run over virtual time: events are put in buckets of `bucketMs`
 * (`[fromMs + i·bucketMs, fromMs + (i+1)·bucketMs)`), a metric turns each bucket into a number,
 * and asciichart draws the series as a terminal line chart.
 *
 * `sent` counts messages (one per `send`); `delivered`, `dropped` and `duplicated` count copies
 * (a duplicated message has two, each delivered or dropped), like `sim.counters`.
 */
import { plot } from "asciichart";
import type { TraceEvent } from "./events";
import { formatMs } from "../sim/errors";
import { eventsOf, type TraceSource } from "./source";
import { filterEvents } from "./trace";
import { queueLevels } from "./queue-level";

/**
 * The metrics known by name:
 * - `sent`: messages sent (one per `send`);
 * - `delivered`, `dropped`: copies delivered or dropped, duplicates included;
 * - `duplicated`: extra copies made by the duplication fault;
 * - `bytes`: bytes of the bodies sent; `errors`: `error` events; `events`: every trace event;
 * - `queue`: the most messages waiting at once in the service queues of nodes with service time
 *   (summed over the nodes, or over the `nodes` option's), a level that carries over between buckets.
 */
export type MetricName = "sent" | "delivered" | "dropped" | "duplicated" | "bytes" | "errors" | "events" | "queue";

/** A named metric, or any function from the events of one bucket to a number. */
export type Metric = MetricName | ((bucket: readonly TraceEvent[]) => number);

/** Options of {@link seriesOverTime}. */
export interface SeriesOptions {
  /** Width of a bucket in virtual ms (default: the run split into about 60 buckets of a round size). */
  bucketMs?: number;
  /** Start of the first bucket (default 0). */
  fromMs?: number;
  /** Events after this time are left out (default: the last event's time). */
  toMs?: number;
  /** Only events involving these nodes, as in `trace.filter` (e.g. the queue of one server). */
  nodes?: readonly string[];
}

/** Options of {@link chartMetric}. */
export interface ChartOptions extends SeriesOptions {
  /**
   * Rows of the chart at most (default 10). A chart whose values are all whole numbers (every
   * named metric) steps its axis by a whole number, so it may use fewer rows.
   */
  height?: number;
}

/** A metric per bucket: `values[i]` covers `[fromMs + i·bucketMs, fromMs + (i+1)·bucketMs)`. */
export interface TimeSeries {
  fromMs: number;
  bucketMs: number;
  values: number[];
}

/** Buckets above this are refused: a chart that wide is not readable. */
export const CHART_BUCKETS_MAX = 10_000;

const METRICS: Record<Exclude<MetricName, "queue">, (bucket: readonly TraceEvent[]) => number> = {
  sent: (b) => count(b, (e) => e.kind === "send"),
  delivered: (b) => count(b, (e) => e.kind === "deliver"),
  dropped: (b) => count(b, (e) => e.kind === "drop"),
  duplicated: (b) => count(b, (e) => e.kind === "duplicate"),
  bytes: (b) => b.reduce((sum, e) => sum + (e.kind === "send" ? e.bytes : 0), 0),
  errors: (b) => count(b, (e) => e.kind === "error"),
  events: (b) => b.length,
};

/** What a named metric counts, for the caption. */
const METRIC_UNITS: Record<MetricName, string> = {
  sent: "messages",
  delivered: "copies, duplicates included",
  dropped: "copies, duplicates included",
  duplicated: "extra copies",
  bytes: "of bodies sent",
  errors: "error events",
  events: "trace events",
  queue: "messages waiting, most at once",
};

/**
 * A metric per time bucket, as numbers.
 *
 * @example
 * seriesOverTime(sim.trace, "dropped", { bucketMs: 100 }).values; // [0, 0, 12, 30, 2, 0]
 * seriesOverTime(sim.trace, (b) => b.filter((e) => e.kind === "timer").length, { bucketMs: 50 });
 * seriesOverTime(sim.trace, "queue", { bucketMs: 10, nodes: ["server"] }).values; // [0, 3, 5, 2, 0]
 */
export function seriesOverTime(source: TraceSource, metric: Metric, options: SeriesOptions = {}): TimeSeries {
  const all = eventsOf(source);
  const events = options.nodes === undefined ? all : filterEvents(all, { nodes: options.nodes });
  const fromMs = options.fromMs ?? 0;
  const lastMs = all.reduce((t, e) => Math.max(t, e.timeMs), fromMs);
  const toMs = options.toMs ?? lastMs;
  const bucketMs = options.bucketMs ?? niceBucketMs(toMs - fromMs);
  if (!(bucketMs > 0) || !Number.isFinite(bucketMs)) throw new RangeError(`seriesOverTime: bucketMs must be > 0, got ${bucketMs}`);
  const buckets = Math.max(1, Math.floor((toMs - fromMs) / bucketMs) + 1);
  if (buckets > CHART_BUCKETS_MAX) {
    throw new RangeError(`seriesOverTime: ${buckets} buckets of ${bucketMs}ms (max ${CHART_BUCKETS_MAX}); use a larger bucketMs`);
  }
  const grouped: TraceEvent[][] = Array.from({ length: buckets }, () => []);
  for (const e of events) {
    if (e.timeMs < fromMs || e.timeMs > toMs) continue;
    grouped[Math.min(buckets - 1, Math.floor((e.timeMs - fromMs) / bucketMs))].push(e);
  }
  const f = typeof metric === "function" ? metric : metric === "queue" ? queueLevels() : METRICS[metric];
  if (metric === "queue") f(events.filter((e) => e.timeMs < fromMs)); // the level when the first bucket starts
  return { fromMs, bucketMs, values: grouped.map((b) => f(b)) };
}

/**
 * A metric over virtual time as an asciichart line chart, with a caption line that says what is
 * counted. When every value is a whole number, so is every axis label.
 *
 * @example
 * console.log(chartMetric(sim.trace, "sent", { bucketMs: 10, height: 8 }));
 * //        4 ┤   ╭╮
 * //     …
 * // sent (messages) per 10ms, t=0ms…200ms
 */
export function chartMetric(source: TraceSource, metric: Metric, options: ChartOptions = {}): string {
  const series = seriesOverTime(source, metric, options);
  const values = series.values.length === 1 ? [series.values[0], series.values[0]] : series.values;
  const axis = wholeAxis(values, options.height ?? 10);
  const chart = plot(values, { ...axis, format: (x: number) => formatTick(x).padStart(9) });
  const name = (typeof metric === "function" ? "metric" : `${metric} (${METRIC_UNITS[metric]})`) + (options.nodes ? ` at ${options.nodes.join(", ")}` : "");
  const endMs = series.fromMs + series.values.length * series.bucketMs;
  return `${chart}\n${name} per ${formatMs(series.bucketMs)}, t=${formatMs(series.fromMs)}…${formatMs(endMs)}`;
}

/**
 * asciichart labels row k with `max − k·(max − min)/rows`. For whole-number values, pick a whole
 * step (the smallest giving at most `heightMax` rows) and raise the top to `min + step·rows`, so
 * every label is a whole number. Other values keep asciichart's own axis.
 */
function wholeAxis(values: readonly number[], heightMax: number): { height: number; min?: number; max?: number } {
  if (!values.every(Number.isInteger)) return { height: heightMax };
  const min = Math.min(...values);
  const range = Math.max(...values) - min;
  if (range === 0) return { height: heightMax };
  const step = Math.ceil(range / Math.max(1, Math.floor(heightMax)));
  const rows = Math.ceil(range / step);
  return { height: rows, min, max: min + step * rows };
}

function count(bucket: readonly TraceEvent[], keep: (e: TraceEvent) => boolean): number {
  let n = 0;
  for (const e of bucket) if (keep(e)) n++;
  return n;
}

/** A round bucket width (1, 2 or 5 × 10^k ms) giving at most about 60 buckets. */
function niceBucketMs(spanMs: number): number {
  const raw = spanMs / 60;
  if (!(raw > 0)) return 1;
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

/** Axis labels: integers as they are, otherwise two decimals. */
function formatTick(x: number): string {
  return Number.isInteger(x) ? `${x}` : x.toFixed(2);
}
