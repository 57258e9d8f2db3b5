/**
 * Numbers about a run, the budgets Maelstrom reports: messages sent, delivered, lost and dropped
 * (by reason) and duplicated, per type with bytes; one-way latency and RPC latency quantiles
 * (virtual ms); messages per operation; errors.
 *
 * Two units, never mixed: a **message** is one `send`; a **copy** is what travels: one per
 * message, two when the network duplicates it, each delivered or dropped on its own. The
 * simulator's counters (`sim.counters.delivered`, `.dropped`, `.duplicated`) count copies.
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

/**
 * What became of messages, counted **per message**: one per `send`, however many copies the
 * network made of it. Only messages whose `send` is in the source are counted, so
 * `sent = delivered + lost + inFlight`.
 */
export interface MessageCounts {
  /** Messages sent: one per `send` (`sim.counters.sent`). */
  sent: number;
  /** Messages of which at least one copy was delivered (the original, the duplicate, or both). */
  delivered: number;
  /** Messages every copy of which was dropped. */
  lost: number;
  /** Messages with no copy delivered yet and a copy still on the way when the source ends. */
  inFlight: number;
}

/**
 * What became of copies, counted **per copy**: a message has one copy, or two when the network
 * duplicated it, and each copy is delivered or dropped on its own. These are the simulator's
 * counters: `delivered`, `dropped` and `duplicated` equal `sim.counters.delivered`, `.dropped` and
 * `.duplicated` for a whole trace, and `sent = delivered + dropped + inFlight`.
 */
export interface CopyCounts {
  /** Copies put on the wire: one per message sent, plus the duplicates. */
  sent: number;
  /** Extra copies made by the duplication fault (`sim.counters.duplicated`). */
  duplicated: number;
  /** Copies delivered, duplicates included (`sim.counters.delivered`). */
  delivered: number;
  /** Copies dropped, duplicates included (`sim.counters.dropped`). */
  dropped: number;
  /** `dropped` by reason (sums to `dropped`). */
  droppedByReason: Record<DropReason, number>;
  /**
   * Copies neither delivered nor dropped when the source ends: `sent − delivered − dropped`, never
   * below 0 (a source cut in time counts copies of earlier messages when they arrive, not as sent).
   */
  inFlight: number;
}

/** The numbers of one message type, per message and per copy. */
export interface TypeStats {
  type: string;
  messages: MessageCounts;
  copies: CopyCounts;
  /** Bytes of the bodies sent (JSON, UTF-8), once per message: a duplicate adds none. */
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
  /** Per message (one per `send`). */
  messages: MessageCounts;
  /** Per copy (duplicates included): the simulator's counters. */
  copies: CopyCounts;
  /** Bytes of all bodies sent, once per message (`sim.counters.bytesSent`). */
  bytes: number;
  /** Per message type, in order of first appearance. */
  byType: TypeStats[];
  /**
   * One-way latency per message: from its send to the delivery of its first delivered copy;
   * `undefined` when none was delivered.
   */
  latencyMs: Percentiles | undefined;
  rpc: { ok: number; timeout: number; latencyMs: Percentiles | undefined };
  operations: {
    count: number;
    source: OperationSource;
    /** Messages sent (per message, not per copy) / operations; `undefined` with no operations. */
    messagesPerOperation: number | undefined;
    /** Messages sent between non-client nodes / operations (only with `clientNodes`). */
    serverMessagesPerOperation: number | undefined;
  };
  /** Handlers that threw, API misuse (`error` events). */
  errors: number;
  /** Delivered copies nobody handled: `noHandler` is a bug, `lateReply` an RPC that gave up. */
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

/** The copies of one message (one wire id) seen so far. */
interface Fate {
  type: string;
  sent: boolean;
  /** 1, or 2 once the network duplicated it. */
  copies: number;
  delivered: number;
  dropped: number;
}

/** Counts being gathered for the whole source or for one message type. */
interface Tally {
  messages: MessageCounts;
  copies: CopyCounts;
  bytes: number;
}

const newTally = (): Tally => ({
  messages: { sent: 0, delivered: 0, lost: 0, inFlight: 0 },
  copies: { sent: 0, duplicated: 0, delivered: 0, dropped: 0, droppedByReason: { loss: 0, partition: 0, crashed: 0, rule: 0, left: 0, "queue-full": 0 }, inFlight: 0 },
  bytes: 0,
});

/**
 * Compute the statistics of a run. Messages are counted twice over, and the two never mix:
 * `messages` per message (one per `send`) and `copies` per copy (a duplicated message has two
 * copies, each delivered or dropped); `copies` equals `sim.counters` for a whole trace.
 *
 * @example
 * const stats = summarize(sim.trace, { clientNodes: ["c1", "c2"] });
 * stats.messages.lost;                        // messages every copy of which was dropped
 * stats.copies.delivered === sim.counters.delivered; // true
 * stats.latencyMs?.p99;                       // 12.5
 * stats.operations.messagesPerOperation;      // 4.2
 * console.log(formatStats(stats));
 */
export function summarize(source: TraceSource, options: SummarizeOptions = {}): TraceStats {
  const clients = options.clientNodes ? new Set(options.clientNodes) : undefined;
  const total = newTally();
  const types = new Map<string, Tally>();
  const tallyOf = (type: string): Tally => {
    let t = types.get(type);
    if (t === undefined) types.set(type, (t = newTally()));
    return t;
  };
  const fates = new Map<number, Fate>();
  const fateOf = (id: number, type: string): Fate => {
    let f = fates.get(id);
    if (f === undefined) fates.set(id, (f = { type, sent: false, copies: 1, delivered: 0, dropped: 0 }));
    return f;
  };
  const latencies: number[] = [];
  const rpcLatencies: number[] = [];
  const n = {
    durationMs: 0, rpcOk: 0, rpcTimeout: 0, clientOps: 0, serverMessages: 0,
    errors: 0, noHandler: 0, lateReply: 0, crashes: 0, restarts: 0,
  };

  for (const e of eventsOf(source)) {
    n.durationMs = Math.max(n.durationMs, e.timeMs);
    switch (e.kind) {
      case "send": {
        fateOf(e.id, e.type).sent = true;
        for (const t of [total, tallyOf(e.type)]) {
          t.messages.sent++;
          t.bytes += e.bytes;
        }
        if (clients?.has(e.src) && e.inReplyTo === undefined) n.clientOps++;
        if (clients && !clients.has(e.src) && !clients.has(e.dest)) n.serverMessages++;
        break;
      }
      case "duplicate":
        fateOf(e.id, e.type).copies++; // the duplication fault and duplicate rules may each add one
        for (const t of [total, tallyOf(e.type)]) t.copies.duplicated++;
        break;
      case "deliver": {
        const f = fateOf(e.id, e.type);
        if (f.delivered === 0) latencies.push(e.timeMs - e.sentMs);
        f.delivered++;
        for (const t of [total, tallyOf(e.type)]) t.copies.delivered++;
        break;
      }
      case "drop":
        fateOf(e.id, e.type).dropped++;
        for (const t of [total, tallyOf(e.type)]) {
          t.copies.dropped++;
          t.copies.droppedByReason[e.reason]++;
        }
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

  for (const f of fates.values()) {
    if (!f.sent) continue; // sent before the source begins: its copies count, the message does not
    const fate: keyof MessageCounts = f.delivered > 0 ? "delivered" : f.dropped >= f.copies ? "lost" : "inFlight";
    total.messages[fate]++;
    tallyOf(f.type).messages[fate]++;
  }
  for (const t of [total, ...types.values()]) {
    const c = t.copies;
    c.sent = t.messages.sent + c.duplicated;
    c.inFlight = Math.max(0, c.sent - c.delivered - c.dropped);
  }

  const opSource: OperationSource = clients ? "clients" : n.rpcOk + n.rpcTimeout > 0 ? "rpcs" : "none";
  const operations = opSource === "clients" ? n.clientOps : n.rpcOk + n.rpcTimeout;
  const sent = total.messages.sent;
  return {
    durationMs: n.durationMs,
    messages: total.messages,
    copies: total.copies,
    bytes: total.bytes,
    byType: [...types].map(([type, t]) => ({ type, messages: t.messages, copies: t.copies, bytes: t.bytes })),
    latencyMs: percentiles(latencies),
    rpc: { ok: n.rpcOk, timeout: n.rpcTimeout, latencyMs: percentiles(rpcLatencies) },
    operations: {
      count: operations,
      source: opSource,
      messagesPerOperation: operations > 0 ? sent / operations : undefined,
      serverMessagesPerOperation: clients && operations > 0 ? n.serverMessages / operations : undefined,
    },
    errors: n.errors,
    unhandled: { noHandler: n.noHandler, lateReply: n.lateReply },
    crashes: n.crashes,
    restarts: n.restarts,
  };
}

/**
 * The statistics as a small aligned text table. Each row says whether it counts messages (one per
 * `send`) or copies (duplicates included, as `sim.counters` does).
 *
 * @example
 * console.log(formatStats(summarize(sim.trace)));
 * // duration    120ms
 * // messages    sent 12  delivered 10  lost 2  in flight 0  (per message: one per send)
 * // copies      sent 13  delivered 11  dropped 2  in flight 0  (per copy: 1 duplicated)
 * // dropped     loss 2  partition 0  crashed 0  (copies)
 * // …
 */
export function formatStats(stats: TraceStats): string {
  const m = stats.messages;
  const c = stats.copies;
  const d = c.droppedByReason;
  const q = (p: Percentiles | undefined): string =>
    p === undefined ? "-" : `p50 ${formatMs(p.p50)}  p90 ${formatMs(p.p90)}  p99 ${formatMs(p.p99)}  max ${formatMs(p.max)}`;
  const ratio = (x: number | undefined): string => (x === undefined ? "-" : `${Math.round(x * 100) / 100}`);
  const ops = stats.operations;
  const opsFrom = { clients: "client requests", rpcs: "RPCs", none: "none counted" }[ops.source];
  const latencyCount = stats.latencyMs?.count ?? 0;
  const rows: [string, string][] = [
    ["duration", formatMs(stats.durationMs)],
    ["messages", `sent ${m.sent}  delivered ${m.delivered}  lost ${m.lost}  in flight ${m.inFlight}  (per message: one per send)`],
    ["copies", `sent ${c.sent}  delivered ${c.delivered}  dropped ${c.dropped}  in flight ${c.inFlight}  (per copy: ${c.duplicated} duplicated)`],
    ["dropped", `loss ${d.loss}  partition ${d.partition}  crashed ${d.crashed}${d.rule ? `  rule ${d.rule}` : ""}${d.left ? `  left ${d.left}` : ""}${d["queue-full"] ? `  queue-full ${d["queue-full"]}` : ""}  (copies)`],
    ["bytes", `${stats.bytes}  (bodies sent, once per message)`],
    ["latency", `${q(stats.latencyMs)}  (send → first delivered copy, ${latencyCount} message${latencyCount === 1 ? "" : "s"})`],
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
  if (stats.byType.length > 0) lines.push("", ...typeTable(stats.byType));
  return lines.join("\n");
}

/**
 * The per-type table: message columns, then copy columns, under a group header.
 *
 *                messages              copies
 *     type       sent  delivered  lost  duplicated  delivered  dropped  bytes
 */
function typeTable(byType: readonly TypeStats[]): string[] {
  const header = ["type", "sent", "delivered", "lost", "duplicated", "delivered", "dropped", "bytes"];
  const body = byType.map((t) =>
    [t.type, t.messages.sent, t.messages.delivered, t.messages.lost, t.copies.duplicated, t.copies.delivered, t.copies.dropped, t.bytes].map(String),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const row = (r: string[]): string => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
  // "messages" starts over the first message column, "copies" over the first copy column.
  const at = (column: number): number => widths.slice(0, column).reduce((sum, w) => sum + w + 2, 0);
  const groups = `${" ".repeat(at(1))}${"messages".padEnd(at(4) - at(1))}copies`;
  return [groups, row(header), ...body.map(row)];
}
