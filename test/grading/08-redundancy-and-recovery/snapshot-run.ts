/**
 * What one run of the 08.2 grader produced (the grader's calls, the reports, the messages between
 * branches) and the trace helpers its rules share: a directed channel's messages, a snapshot's
 * marker on it, the transfers the marker cuts off, and when a snapshot was in progress at a branch.
 */
import { describeMessage, type SentMessage } from "../messages";
import type { Latency } from "../../../lib/net";
import type { LocalSnapshotReport } from "./snapshot-branch";

/** The drivers stop transferring at this time. */
export const TRANSFERS_END_MS = 550;
/** The run goes on this long after the last transfer. */
export const DRAIN_MS = 250;

/** What the checks of a seed met (for the meta tests). */
export interface SnapshotStats {
  trials: number;
  transfers: number;
  reports: number;
  /** Recorded channels that held money in flight. */
  channelsInFlight: number;
  /** Messages that arrived before a lower seq of their channel (so a branch had to hold them back). */
  arrivedEarly: number;
  /** Markers that arrived before a transfer sent ahead of them on their channel. */
  markersOvertaking: number;
  /** Trials in which the two concurrent snapshots were both in progress at one branch. */
  overlapping: number;
}

/** A snapshot the grader starts. */
export interface SnapshotStart {
  id: string;
  initiator: string;
  atMs: number;
}

/** The choices of one trial. */
export interface Params {
  bystanders: string[];
  branches: string[];
  students: string[];
  balances: Record<string, number>;
  latency: Latency;
  latencyWords: string;
  snapshots: SnapshotStart[];
}

/** A transfer the grader asked for. */
export interface Call {
  from: string;
  to: string;
  amount: number;
  atMs: number;
}

/** A report as the grader received it (a copy, taken at once). */
export interface Received {
  by: string;
  atMs: number;
  snapshot: LocalSnapshotReport;
}

/** The trace length at the moment each report was made. */
export const reportIndex = new WeakMap<Received, number>();

/** A balance read that broke the rules. */
export interface BadBalance {
  node: string;
  atMs: number;
  value: unknown;
}

/** What a run produced, for the checks. */
export interface Run {
  p: Params;
  calls: Call[];
  reports: Received[];
  badBalances: BadBalance[];
  finalBalances: Map<string, unknown>;
  /** Messages between branches, in send order. */
  messages: SentMessage[];
  /** Errors the student's nodes threw: node, time, text. */
  errors: Array<{ node: string; timeMs: number; message: string }>;
}

/**
 * A string as the failures quote it.
 *
 * @example
 * q("snap-1"); // "\"snap-1\""
 */
export const q = (s: string): string => JSON.stringify(s);

/**
 * The sum of some amounts.
 *
 * @example
 * sum([1, 2, 3]); // 6
 */
export const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/**
 * A list of amounts or ids, as the failures print it.
 *
 * @example
 * list([12, 7]); // "[12, 7]"
 */
export const list = (xs: readonly unknown[]): string => `[${xs.map((x) => (typeof x === "number" ? String(x) : JSON.stringify(x))).join(", ")}]`;

/**
 * When a message arrived (its first copy).
 *
 * @example
 * arrivedMs(marker); // when its first copy arrived (Infinity if none did)
 */
export const arrivedMs = (m: SentMessage): number => m.delivered[0]?.event.timeMs ?? Infinity;

/**
 * The trace index at which a message arrived (its first copy).
 *
 * @example
 * arrivedIndex(marker); // the trace index of its first arrival (Infinity if none)
 */
export const arrivedIndex = (m: SentMessage): number => m.delivered[0]?.index ?? Infinity;

/**
 * A message in the failure diagram's words, with the fields this exercise checks.
 *
 * @example
 * describe(m); // "a → b transfer amount=12 seq=3 (msg_id #7), sent at t=4ms, arrived at t=9ms"
 */
export const describe = (m: SentMessage): string => describeMessage(m, m.send.type === "marker" ? ["snapshotId", "seq"] : ["amount", "seq"]);

/**
 * The messages of one directed channel, in send order.
 *
 * @example
 * channel(run, "a", "b").map((m) => m.body.seq); // [1, 2, 3, …]
 */
export function channel(run: Run, from: string, to: string): SentMessage[] {
  return run.messages.filter((m) => m.send.src === from && m.send.dest === to);
}

/**
 * The marker of `snapshotId` on a channel, if one was sent.
 *
 * @example
 * markerOn(channel(run, "a", "b"), "snap-1")?.body.seq; // 5
 */
export function markerOn(messages: readonly SentMessage[], snapshotId: string): SentMessage | undefined {
  return messages.find((m) => m.send.type === "marker" && m.body.snapshotId === snapshotId);
}

/**
 * Transfers of a channel sent before its marker of `snapshotId` (by seq), in seq order.
 *
 * @example
 * transfersBefore(messages, marker).map((m) => m.body.amount); // the amounts sent ahead of the marker
 */
export function transfersBefore(messages: readonly SentMessage[], marker: SentMessage): SentMessage[] {
  const seq = marker.body.seq as number;
  return messages.filter((m) => m.send.type === "transfer" && (m.body.seq as number) < seq).sort((a, b) => (a.body.seq as number) - (b.body.seq as number));
}

/**
 * When the snapshot was in progress at a branch: from its first marker's arrival (or its start) to its report (or the run's end).
 *
 * @example
 * activeAt(run, "b", snapshot); // { fromMs: 104.2, toMs: 131.9 }
 */
export function activeAt(run: Run, node: string, s: SnapshotStart): { fromMs: number; toMs: number } {
  const arrivals = run.messages.filter((m) => m.send.dest === node && m.send.type === "marker" && m.body.snapshotId === s.id).map(arrivedMs);
  const fromMs = Math.min(...arrivals, s.initiator === node ? s.atMs : Infinity);
  const report = run.reports.find((r) => r.by === node && r.snapshot.snapshotId === s.id);
  return { fromMs, toMs: report ? report.atMs : Number.isFinite(fromMs) ? TRANSFERS_END_MS + DRAIN_MS : fromMs };
}

/**
 * " — snapshot … was in progress at node at the same time: …" when another snapshot overlapped s there.
 *
 * @example
 * overlapHint(run, "b", snapshot); // " — snapshot \"s-2\" was in progress at b at the same time: …" or ""
 */
export function overlapHint(run: Run, node: string, s: SnapshotStart): string {
  const span = activeAt(run, node, s);
  const overlap = run.p.snapshots.filter((o) => {
    if (o.id === s.id) return false;
    const other = activeAt(run, node, o);
    return other.fromMs <= span.toMs && span.fromMs <= other.toMs;
  });
  if (overlap.length === 0) return "";
  const ids = overlap.map((o) => q(o.id)).join(" and ");
  return ` — ${overlap.length > 1 ? `snapshots ${ids} were` : `snapshot ${ids} was`} in progress at ${node} at the same time: keep each snapshot's recording apart`;
}

/**
 * 1st, 2nd, 3rd, 4th, …
 *
 * @example
 * ordinal(2); // "2nd"
 */
export function ordinal(k: number): string {
  const suffix = k % 10 === 1 && k % 100 !== 11 ? "st" : k % 10 === 2 && k % 100 !== 12 ? "nd" : k % 10 === 3 && k % 100 !== 13 ? "rd" : "th";
  return `${k}${suffix}`;
}

