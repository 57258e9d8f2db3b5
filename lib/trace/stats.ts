/**
 * Numbers about a run, the budgets Maelstrom reports: messages sent, delivered, dropped (by
 * reason) and duplicated, per type with bytes; one-way latency and RPC latency quantiles (virtual
 * ms); messages per operation; errors.
 *
 * Quantiles use the nearest-rank method: p-quantile of n sorted values is the ⌈p·n⌉-th value, so
 * every reported number is one that was actually observed.
 */
import type { DropReason } from "./events";
import { formatMs } from "../sim/errors";
import { eventsOf, type TraceSource } from "./source";

/** Nearest-rank quantiles of a set of values. */
export interface Percentiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Counts and bytes of one message type. */
export interface TypeStats {
  type: string;
  sent: number;
  delivered: number;
  dropped: number;
  /** Bytes sent (JSON bodies, UTF-8). */
  bytes: number;
}

/**
 * How operations were counted:
 * - `clients`: requests (no `in_reply_to`) sent by the `clientNodes` given;
 * - `rpcs`: finished RPCs (`rpc` events, ok or timed out, from every node, servers included);
 * - `none`: no client nodes given and no RPCs in the trace.
 */
export type OperationSource = "clients" | "rpcs" | "none";

/** Everything {@link summarize} computes. */
export interface TraceStats {
  /** Virtual time of the last event. */
  durationMs: number;
  messages: {
    sent: number;
    /** Deliveries of original messages (duplicate copies not counted). */
    delivered: number;
    dropped: number;
    droppedByReason: Record<DropReason, number>;
    /** Extra copies made by the duplication fault. */
    duplicated: number;
  };
  /** Bytes of all bodies sent. */
  bytes: number;
  /** Per message type, in order of first send. */
  byType: TypeStats[];
  /** From send to delivery of original messages; `undefined` when none was delivered. */
  latencyMs: Percentiles | undefined;
  rpc: { ok: number; timeout: number; latencyMs: Percentiles | undefined };
  operations: {
    count: number;
    source: OperationSource;
    /** All messages sent / operations; `undefined` with no operations. */
    messagesPerOperation: number | undefined;
    /** Messages between non-client nodes / operations (only with `clientNodes`). */
    serverMessagesPerOperation: number | undefined;
  };
  /** Handlers that threw, API misuse (`error` events). */
  errors: number;
  /** Delivered messages nobody handled: `noHandler` is a bug, `lateReply` an RPC that gave up. */
  unhandled: { noHandler: number; lateReply: number };
  crashes: number;
  restarts: number;
}

/** Options of {@link summarize}. */
export interface SummarizeOptions {
  /** The clients: their requests are the operations (see {@link OperationSource}). */
  clientNodes?: readonly string[];
}

/**
 * Nearest-rank p50/p90/p99/max of a list of numbers, or `undefined` for an empty list.
 *
 * @example
 * percentiles([5, 1, 3, 2, 4]); // { count: 5, p50: 3, p90: 5, p99: 5, max: 5 }
 */
export function percentiles(values: readonly number[]): Percentiles | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number): number => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
  return { count: sorted.length, p50: rank(0.5), p90: rank(0.9), p99: rank(0.99), max: sorted[sorted.length - 1] };
}

/**
 * Compute the statistics of a run.
 *
 * @example
 * const stats = summarize(sim.trace, { clientNodes: ["c1", "c2"] });
 * stats.latencyMs?.p99;                       // 12.5
 * stats.operations.messagesPerOperation;       // 4.2
 * console.log(formatStats(stats));
 */
export function summarize(source: TraceSource, options: SummarizeOptions = {}): TraceStats {
  const clients = options.clientNodes ? new Set(options.clientNodes) : undefined;
  const droppedByReason: Record<DropReason, number> = { loss: 0, partition: 0, crashed: 0 };
  const types = new Map<string, TypeStats>();
  const typeOf = (type: string): TypeStats => {
    let t = types.get(type);
    if (t === undefined) types.set(type, (t = { type, sent: 0, delivered: 0, dropped: 0, bytes: 0 }));
    return t;
  };
  const latencies: number[] = [];
  const rpcLatencies: number[] = [];
  const n = {
    durationMs: 0, sent: 0, delivered: 0, dropped: 0, duplicated: 0, bytes: 0, rpcOk: 0, rpcTimeout: 0,
    clientOps: 0, serverMessages: 0, errors: 0, noHandler: 0, lateReply: 0, crashes: 0, restarts: 0,
  };

  for (const e of eventsOf(source)) {
    n.durationMs = Math.max(n.durationMs, e.timeMs);
    switch (e.kind) {
      case "send": {
        n.sent++;
        n.bytes += e.bytes;
        const t = typeOf(e.type);
        t.sent++;
        t.bytes += e.bytes;
        if (clients?.has(e.src) && e.inReplyTo === undefined) n.clientOps++;
        if (clients && !clients.has(e.src) && !clients.has(e.dest)) n.serverMessages++;
        break;
      }
      case "deliver":
        if (e.duplicate) break;
        n.delivered++;
        typeOf(e.type).delivered++;
        latencies.push(e.timeMs - e.sentMs);
        break;
      case "drop":
        n.dropped++;
        droppedByReason[e.reason]++;
        typeOf(e.type).dropped++;
        break;
      case "duplicate":
        n.duplicated++;
        break;
      case "rpc":
        if (e.outcome === "ok") {
          n.rpcOk++;
          rpcLatencies.push(e.latencyMs);
        } else n.rpcTimeout++;
        break;
      case "unhandled":
        if (e.reason === "no-handler") n.noHandler++;
        else n.lateReply++;
        break;
      case "error":
        n.errors++;
        break;
      case "crash":
        n.crashes++;
        break;
      case "restart":
        n.restarts++;
        break;
    }
  }

  const opSource: OperationSource = clients ? "clients" : n.rpcOk + n.rpcTimeout > 0 ? "rpcs" : "none";
  const operations = opSource === "clients" ? n.clientOps : n.rpcOk + n.rpcTimeout;
  return {
    durationMs: n.durationMs,
    messages: { sent: n.sent, delivered: n.delivered, dropped: n.dropped, droppedByReason, duplicated: n.duplicated },
    bytes: n.bytes,
    byType: [...types.values()],
    latencyMs: percentiles(latencies),
    rpc: { ok: n.rpcOk, timeout: n.rpcTimeout, latencyMs: percentiles(rpcLatencies) },
    operations: {
      count: operations,
      source: opSource,
      messagesPerOperation: operations > 0 ? n.sent / operations : undefined,
      serverMessagesPerOperation: clients && operations > 0 ? n.serverMessages / operations : undefined,
    },
    errors: n.errors,
    unhandled: { noHandler: n.noHandler, lateReply: n.lateReply },
    crashes: n.crashes,
    restarts: n.restarts,
  };
}

/**
 * The statistics as a small aligned text table.
 *
 * @example
 * console.log(formatStats(summarize(sim.trace)));
 * // duration     120ms
 * // messages     sent 12  delivered 10  dropped 2  duplicated 0
 * // …
 */
export function formatStats(stats: TraceStats): string {
  const m = stats.messages;
  const d = m.droppedByReason;
  const q = (p: Percentiles | undefined): string =>
    p === undefined ? "-" : `p50 ${formatMs(p.p50)}  p90 ${formatMs(p.p90)}  p99 ${formatMs(p.p99)}  max ${formatMs(p.max)}`;
  const ratio = (x: number | undefined): string => (x === undefined ? "-" : `${Math.round(x * 100) / 100}`);
  const ops = stats.operations;
  const opsFrom = { clients: "client requests", rpcs: "RPCs", none: "none counted" }[ops.source];
  const rows: [string, string][] = [
    ["duration", formatMs(stats.durationMs)],
    ["messages", `sent ${m.sent}  delivered ${m.delivered}  dropped ${m.dropped}  duplicated ${m.duplicated}`],
    ["dropped", `loss ${d.loss}  partition ${d.partition}  crashed ${d.crashed}`],
    ["bytes", `${stats.bytes}`],
    ["latency", `${q(stats.latencyMs)}  (${stats.latencyMs?.count ?? 0} delivered)`],
    ["rpc", `ok ${stats.rpc.ok}  timeout ${stats.rpc.timeout}  latency ${q(stats.rpc.latencyMs)}`],
    [
      "operations",
      `${ops.count} (${opsFrom})  messages/op ${ratio(ops.messagesPerOperation)}` +
        (ops.source === "clients" ? `  server messages/op ${ratio(ops.serverMessagesPerOperation)}` : ""),
    ],
    ["errors", `${stats.errors}  unhandled ${stats.unhandled.noHandler}  late replies ${stats.unhandled.lateReply}`],
    ["faults", `crashes ${stats.crashes}  restarts ${stats.restarts}`],
  ];
  const keyWidth = Math.max(...rows.map(([k]) => k.length)) + 2;
  const lines = rows.map(([k, v]) => `${k.padEnd(keyWidth)}${v}`);
  if (stats.byType.length > 0) {
    const header = ["type", "sent", "delivered", "dropped", "bytes"];
    const body = stats.byType.map((t) => [t.type, `${t.sent}`, `${t.delivered}`, `${t.dropped}`, `${t.bytes}`]);
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
    const row = (r: string[]): string => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
    lines.push("", row(header), ...body.map(row));
  }
  return lines.join("\n");
}
