/**
 * A trace on disk: a stable, versioned JSON file that the viewer (and any exporter) can load again.
 *
 *     {"format":"distlab-trace","version":1,"meta":{"seed":7,"nodes":["a","b"]},"events":[
 *     {"kind":"send","timeMs":0,…},
 *     …
 *     ]}
 *
 * One event a line, in the order the simulator recorded them, with the fields of `lib/trace`'s
 * event types (events.ts). Writing what was read gives the same bytes again. A reader refuses a
 * file of another format or of a version it does not know, with a message that says which.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Trace, nodesOf, type TraceEvent, type TraceSource } from "../trace/index";
import { repoPath } from "../render/index";

/** The `format` field of a saved trace. @example JSON.parse(traceToJson(sim.trace)).format === TRACE_FORMAT */
export const TRACE_FORMAT = "distlab-trace";
/** The version this library writes and reads. @example JSON.parse(traceToJson(sim.trace)).version === TRACE_VERSION */
export const TRACE_VERSION = 1;

/** What a saved trace says about its run besides the events. */
export interface TraceMeta {
  /** The run's seed (printed by failing tests; `npm run grade` replays it). */
  seed?: number;
  /** A caption for the viewer. */
  title?: string;
  /** A line the viewer shows under the caption (a grader's finding, say). */
  note?: string;
  /** Every node, in spawn order (the viewer's order around the circle). */
  nodes: string[];
  /** Named groups of nodes, drawn apart (e.g. `{ clients: ["c1"], servers: ["s1", "s2"] }`). */
  groups?: Record<string, string[]>;
  /** Anything else worth keeping with the run (JSON values). */
  [key: string]: unknown;
}

/** A saved trace, as read from its file. */
export interface SavedTrace {
  format: typeof TRACE_FORMAT;
  version: typeof TRACE_VERSION;
  meta: TraceMeta;
  events: TraceEvent[];
}

/** What can be saved, or shown in the viewer: a trace, a list of events, or a saved trace. */
export type ViewerSource = TraceSource | SavedTrace;

/** True for a saved trace (as read by {@link loadTrace}). @example isSavedTrace(loadTrace("run.trace.json")) // true */
export function isSavedTrace(source: unknown): source is SavedTrace {
  return typeof source === "object" && source !== null && !Array.isArray(source) && (source as { format?: unknown }).format === TRACE_FORMAT;
}

/**
 * The events and meta of any source; `meta` fields given override those found in the source.
 *
 * @example
 * savedTraceOf(sim.trace, { title: "rpc under loss" }).meta.nodes; // ["client", "server"]
 */
export function savedTraceOf(source: ViewerSource, meta: Partial<TraceMeta> = {}): SavedTrace {
  if (isSavedTrace(source)) return { ...source, meta: withoutUndefined({ ...source.meta, ...meta }) };
  const events = Array.isArray(source) ? [...(source as readonly TraceEvent[])] : (source as Trace).events;
  const seed = source instanceof Trace ? source.seed : undefined;
  const nodes = nodesOf(source as TraceSource);
  return { format: TRACE_FORMAT, version: TRACE_VERSION, meta: withoutUndefined({ seed, nodes, ...meta }), events };
}

function withoutUndefined(meta: Record<string, unknown>): TraceMeta {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(meta)) if (v !== undefined) out[k] = v;
  return out as TraceMeta;
}

/**
 * A trace as the text of a saved trace file: one event a line (see the module comment).
 *
 * @example
 * const text = traceToJson(sim.trace, { title: "ping under loss" });
 * traceToJson(traceFromJson(text)) === text; // true
 */
export function traceToJson(source: ViewerSource, meta: Partial<TraceMeta> = {}): string {
  const saved = savedTraceOf(source, meta);
  const head = `{"format":${JSON.stringify(TRACE_FORMAT)},"version":${TRACE_VERSION},"meta":${JSON.stringify(saved.meta)},"events":[`;
  const lines = saved.events.map((e) => JSON.stringify(e));
  return lines.length === 0 ? `${head}]}\n` : `${head}\n${lines.join(",\n")}\n]}\n`;
}

/**
 * Reads the text of a saved trace. Throws a clear error for another format, an unknown version
 * or a malformed file.
 *
 * @example
 * const saved = traceFromJson(fs.readFileSync("run.trace.json", "utf8"));
 * saved.events.length;
 */
export function traceFromJson(json: string, file = "trace"): SavedTrace {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (error) {
    throw new Error(`${file} is not a distlab trace: it is not JSON (${(error as Error).message})`);
  }
  const fail = (what: string): never => {
    throw new Error(`${file} is not a valid distlab trace: ${what}`);
  };
  if (typeof data !== "object" || data === null || Array.isArray(data)) return fail("expected a JSON object");
  const d = data as Record<string, unknown>;
  if (d.format !== TRACE_FORMAT) return fail(`"format" is ${JSON.stringify(d.format)}, expected "${TRACE_FORMAT}"`);
  if (d.version !== TRACE_VERSION) {
    const newer = typeof d.version === "number" && d.version > TRACE_VERSION;
    throw new Error(
      `${file}: unknown distlab trace version ${JSON.stringify(d.version)}; this distlab reads version ${TRACE_VERSION}` +
        (newer ? " (the file was written by a newer distlab: update this checkout)" : ""),
    );
  }
  const meta = d.meta as Record<string, unknown> | undefined;
  if (typeof meta !== "object" || meta === null || Array.isArray(meta)) return fail(`"meta" must be an object`);
  if (!Array.isArray(meta.nodes) || !meta.nodes.every((n) => typeof n === "string")) return fail(`"meta.nodes" must be a list of node ids`);
  if (meta.seed !== undefined && typeof meta.seed !== "number") return fail(`"meta.seed" must be a number`);
  if (meta.title !== undefined && typeof meta.title !== "string") return fail(`"meta.title" must be a string`);
  if (meta.note !== undefined && typeof meta.note !== "string") return fail(`"meta.note" must be a string`);
  if (!Array.isArray(d.events)) return fail(`"events" must be a list`);
  d.events.forEach((e: unknown, i: number) => {
    const ev = e as Record<string, unknown> | null;
    if (typeof ev !== "object" || ev === null || typeof ev.kind !== "string" || typeof ev.timeMs !== "number") {
      fail(`event ${i} must be an object with a "kind" and a numeric "timeMs"`);
    }
  });
  return data as SavedTrace;
}

/**
 * Saves a trace to a file (folders are created; a relative path is taken from the repository root).
 * Returns the absolute path.
 *
 * @example
 * saveTrace(sim.trace, "build/runs/ping.trace.json", { title: "ping under loss" });
 */
export function saveTrace(source: ViewerSource, file: string, meta: Partial<TraceMeta> = {}): string {
  const target = repoPath(file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, traceToJson(source, meta));
  return target;
}

/**
 * Loads a saved trace (a relative path is taken from the current directory, then the repository root).
 *
 * @example
 * const saved = loadTrace("build/failures/00.1-ping-pong-seed-7.trace.json");
 * toSequenceDiagram(saved.events);
 */
export function loadTrace(file: string): SavedTrace {
  const target = fs.existsSync(file) ? file : repoPath(file);
  return traceFromJson(fs.readFileSync(target, "utf8"), file);
}

/**
 * A `Trace` with a saved trace's events, seed and node order, for anything that wants one.
 *
 * @example
 * restoreTrace(loadTrace("run.trace.json")).hash();
 */
export function restoreTrace(saved: SavedTrace): Trace {
  const trace = new Trace({ seed: saved.meta.seed ?? 0 });
  trace.nodeOrder.push(...saved.meta.nodes);
  for (const e of saved.events) trace.record(e);
  return trace;
}
