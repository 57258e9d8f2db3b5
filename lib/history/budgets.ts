// Budgets a student can aim at, read from a history and the trace of the same run: messages per
// operation and latency quantiles (as Maelstrom reports them), RPCs per committed command (as the
// 6.5840 Raft tests count them), throughput — and matchers that turn limits into sentences.
import { percentiles, eventsOf } from "../trace/index";
import type { Percentiles } from "../trace/stats";
import type { TraceSource } from "../trace/source";
import type { History } from "./history";

/**
 * What `measureBudgets` reads: a history and the run's window. A `ClientRun` from `runClients`
 * is one; for a history made by hand, give at least `history`.
 */
export interface BudgetRun {
  history: History;
  /**
   * The client nodes: messages between other nodes are "server" messages. Default: the history's
   * processes without their `#n` suffix (`c1#2` → `c1`).
   */
  clientNodes?: readonly string[];
  /** Start of the window in which messages are counted. Default: the first invocation (0 if none). */
  startMs?: number;
  /** End of the window (inclusive). Default: the last event of the trace. */
  endMs?: number;
  /** The time throughput is divided by. Default `endMs − startMs`. */
  durationMs?: number;
}

/** Everything `measureBudgets` computes. Ratios are `undefined` when there is nothing to divide by. */
export interface Budgets {
  operations: { invoked: number; ok: number; fail: number; info: number };
  /** Messages sent (one per `send`, duplicates not counted) in the window, by any node. */
  messages: number;
  /** `messages` / ok operations. */
  messagesPerOp: number | undefined;
  /** Messages sent from a non-client node to a non-client node in the window. */
  serverMessages: number;
  /** `serverMessages` / ok operations. */
  serverMessagesPerOp: number | undefined;
  /**
   * Requests sent between servers in the window: messages from a non-client node to a non-client
   * node that are not replies (no `in_reply_to`). Each rpc attempt counts once (a retry again),
   * a one-way message such as a heartbeat counts too, replies and network duplicates do not —
   * what 6.5840's labrpc counts as RPCs (every call it carries, each counted when sent).
   */
  serverRpcs: number;
  /**
   * `serverRpcs` / ok operations: the 6.5840 "RPCs per committed command" (its Raft tests allow
   * about 3 per agreement among 3 servers). Every ok operation counts as committed, reads too,
   * as in 6.5840's key–value service where reads go through the log.
   */
  rpcsPerCommit: number | undefined;
  /** Nearest-rank quantiles of `completeMs − invokeMs` over ok operations; undefined without any. */
  latencyMs: Percentiles | undefined;
  /** Ok operations per second of `durationMs`. */
  throughputPerSecond: number | undefined;
  /** The window messages were counted in, and the duration throughput was divided by. */
  startMs: number;
  endMs: number;
  durationMs: number;
}

/**
 * Measure a run: operation counts, messages and server RPCs per ok operation, latency quantiles
 * of ok operations, throughput. Counts sends in `[startMs, endMs]`, so traffic before the clients
 * started (an election, say) is left out. Needs the trace (a simulation with `trace: false`
 * records no messages: this throws rather than report zero).
 *
 * @example
 * const run = await runClients(sim, { clients: 2, ops: kvOps(), target: "server", durationMs: 100 });
 * const b = measureBudgets(run, sim.trace);
 * b.messagesPerOp;       // 2: a request and its reply
 * b.latencyMs?.p99;      // 10
 * console.log(formatBudgets(b));
 */
export function measureBudgets(run: BudgetRun, trace: TraceSource): Budgets {
  if (!run || !run.history || !Array.isArray(run.history.operations)) {
    throw new Error("measureBudgets: the first argument must be a run ({ history, … }, e.g. what runClients returns)");
  }
  if (!Array.isArray(trace) && (trace as { enabled?: boolean }).enabled === false) {
    throw new Error("measureBudgets: this simulation's trace is off (trace: false), so no message was recorded; budgets need the trace");
  }
  const ops = run.history.operations;
  const events = eventsOf(trace);
  const clients = new Set(run.clientNodes ?? ops.map((op) => op.process.replace(/#\d+$/, "")));
  const startMs = run.startMs ?? ops.reduce((min, op) => Math.min(min, op.invokeMs), ops.length > 0 ? Infinity : 0);
  const endMs = run.endMs ?? (events.length > 0 ? events[events.length - 1].timeMs : ops.reduce((max, op) => Math.max(max, op.completeMs ?? op.invokeMs), startMs));
  const durationMs = run.durationMs ?? endMs - startMs;

  const count = { ok: 0, fail: 0, info: 0 };
  const latencies: number[] = [];
  for (const op of ops) {
    count[op.completion]++;
    if (op.completion === "ok" && op.completeMs !== undefined) latencies.push(op.completeMs - op.invokeMs);
  }
  let messages = 0;
  let serverMessages = 0;
  let serverRpcs = 0;
  for (const e of events) {
    if (e.kind !== "send" || e.timeMs < startMs || e.timeMs > endMs) continue;
    messages++;
    if (clients.has(e.src) || clients.has(e.dest)) continue;
    serverMessages++;
    if (e.inReplyTo === undefined) serverRpcs++;
  }
  const perOk = (n: number): number | undefined => (count.ok > 0 ? n / count.ok : undefined);
  return {
    operations: { invoked: ops.length, ...count },
    messages,
    messagesPerOp: perOk(messages),
    serverMessages,
    serverMessagesPerOp: perOk(serverMessages),
    serverRpcs,
    rpcsPerCommit: perOk(serverRpcs),
    latencyMs: percentiles(latencies),
    throughputPerSecond: durationMs > 0 ? count.ok / (durationMs / 1000) : undefined,
    startMs,
    endMs,
    durationMs,
  };
}

/**
 * Limits a grader sets; every field is optional, units and Max/Min last. `latencyMsMax` bounds
 * the slowest ok operation.
 */
export interface BudgetLimits {
  messagesPerOpMax?: number;
  serverMessagesPerOpMax?: number;
  rpcsPerCommitMax?: number;
  latencyMsP50Max?: number;
  latencyMsP90Max?: number;
  latencyMsP99Max?: number;
  latencyMsMax?: number;
  throughputPerSecondMin?: number;
  okOpsMin?: number;
  failOpsMax?: number;
  infoOpsMax?: number;
}

/** Each limit: what it reads, its words, its unit, and whether it is an upper bound. */
const LIMITS: Record<keyof BudgetLimits, { read: (b: Budgets) => number | undefined; words: string; unit: string; upper: boolean }> = {
  messagesPerOpMax: { read: (b) => b.messagesPerOp, words: "messages per operation", unit: "", upper: true },
  serverMessagesPerOpMax: { read: (b) => b.serverMessagesPerOp, words: "server messages per operation", unit: "", upper: true },
  rpcsPerCommitMax: { read: (b) => b.rpcsPerCommit, words: "RPCs between servers per committed operation", unit: "", upper: true },
  latencyMsP50Max: { read: (b) => b.latencyMs?.p50, words: "latency p50", unit: "ms", upper: true },
  latencyMsP90Max: { read: (b) => b.latencyMs?.p90, words: "latency p90", unit: "ms", upper: true },
  latencyMsP99Max: { read: (b) => b.latencyMs?.p99, words: "latency p99", unit: "ms", upper: true },
  latencyMsMax: { read: (b) => b.latencyMs?.max, words: "latency max", unit: "ms", upper: true },
  throughputPerSecondMin: { read: (b) => b.throughputPerSecond, words: "throughput", unit: " ok ops/s", upper: false },
  okOpsMin: { read: (b) => b.operations.ok, words: "ok operations", unit: "", upper: false },
  failOpsMax: { read: (b) => b.operations.fail, words: "failed operations", unit: "", upper: true },
  infoOpsMax: { read: (b) => b.operations.info, words: "info (unknown) operations", unit: "", upper: true },
};

/**
 * Compare budgets with limits: one sentence per limit broken, in the order of `BudgetLimits`
 * (empty when all hold), e.g. `"messages per operation 8.4 > 6"`. A limit on something not
 * measured (no ok operation, so no latency) is a violation too, never a silent pass. A limit
 * that is not a known name or not a finite number throws: a grader's typo must not pass.
 *
 * @example
 * const violations = checkBudget(measureBudgets(run, sim.trace), { messagesPerOpMax: 6, latencyMsP99Max: 50 });
 * expect(violations).toEqual([]); // or: ["messages per operation 8.4 > 6", "latency p99 62ms > 50ms"]
 */
export function checkBudget(budgets: Budgets, limits: BudgetLimits): string[] {
  if (!limits || typeof limits !== "object") throw new Error(`checkBudget: limits must be an object such as { messagesPerOpMax: 6 }, got ${String(limits)}`);
  for (const [name, limit] of Object.entries(limits)) {
    if (!(name in LIMITS)) throw new Error(`checkBudget: unknown limit "${name}" (known: ${Object.keys(LIMITS).join(", ")})`);
    if (limit !== undefined && (typeof limit !== "number" || !Number.isFinite(limit))) throw new Error(`checkBudget: limit ${name} must be a finite number, got ${String(limit)}`);
  }
  const violations: string[] = [];
  for (const name of Object.keys(LIMITS) as Array<keyof BudgetLimits>) {
    const limit = limits[name];
    if (limit === undefined) continue;
    const { read, words, unit, upper } = LIMITS[name];
    const value = read(budgets);
    if (value === undefined) {
      violations.push(`${words}: not measured (${budgets.operations.ok === 0 ? "no ok operations" : "no duration"}), limit ${upper ? "≤" : "≥"} ${round(limit)}${unit}`);
    } else if (upper ? value > limit : value < limit) {
      violations.push(`${words} ${round(value)}${unit} ${upper ? ">" : "<"} ${round(limit)}${unit}`);
    }
  }
  return violations;
}

/**
 * The budgets as a few aligned lines, for a notebook.
 *
 * @example
 * console.log(formatBudgets(measureBudgets(run, sim.trace)));
 * // operations  20 invoked: 20 ok, 0 fail, 0 info
 * // throughput  200 ok ops/s over 100ms
 * // latency     p50 10ms  p90 10ms  p99 10ms  max 10ms  (ok operations)
 * // messages    40 sent, 2 per ok op; between servers 0, 0 per ok op
 * // rpcs        0 requests between servers, 0 per committed op
 */
export function formatBudgets(budgets: Budgets): string {
  const r = (x: number | undefined): string => (x === undefined ? "-" : String(round(x)));
  const o = budgets.operations;
  const q = budgets.latencyMs;
  const rows: Array<[string, string]> = [
    ["operations", `${o.invoked} invoked: ${o.ok} ok, ${o.fail} fail, ${o.info} info`],
    ["throughput", `${r(budgets.throughputPerSecond)} ok ops/s over ${round(budgets.durationMs)}ms`],
    ["latency", q === undefined ? "- (no ok operations)" : `p50 ${round(q.p50)}ms  p90 ${round(q.p90)}ms  p99 ${round(q.p99)}ms  max ${round(q.max)}ms  (ok operations)`],
    ["messages", `${budgets.messages} sent, ${r(budgets.messagesPerOp)} per ok op; between servers ${budgets.serverMessages}, ${r(budgets.serverMessagesPerOp)} per ok op`],
    ["rpcs", `${budgets.serverRpcs} requests between servers, ${r(budgets.rpcsPerCommit)} per committed op`],
  ];
  return rows.map(([k, v]) => `${k.padEnd(12)}${v}`).join("\n");
}

/** Two decimals at most, for sentences. */
function round(x: number): number {
  return Math.round(x * 100) / 100;
}
