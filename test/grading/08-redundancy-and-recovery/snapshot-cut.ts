/**
 * Rules 3–5 of the 08.2 grader (snapshot.ts states them all): each recorded channel against the
 * transfers its marker cuts off, each branch's recorded money, the snapshot's total, and the
 * balances at the end. Every failure says which mistake it matches, when one does (no channel
 * state, no hold-back, recording past the marker, recording after sending the markers).
 */
import { formatMs } from "../../../lib/sim";
import { fail } from "../check";
import type { SentMessage } from "../messages";
import {
  DRAIN_MS,
  TRANSFERS_END_MS,
  arrivedIndex,
  arrivedMs,
  channel,
  describe,
  list,
  markerOn,
  q,
  reportIndex,
  sum,
  transfersBefore,
  type Received,
  type Run,
  type SnapshotStart,
} from "./snapshot-run";

/**
 * The channel state `node` recorded for `from` in snapshot `s`, checked against the tail rule.
 *
 * @example
 * checkChannel(run, report, "a"); // channels["a"] of the report against a → its branch
 */
export function checkChannel(run: Run, r: Received, from: string): void {
  const node = r.by;
  const s = r.snapshot.snapshotId;
  const messages = channel(run, from, node);
  const marker = markerOn(messages, s)!;
  const before = transfersBefore(messages, marker);
  const recorded = r.snapshot.channels[from] ?? [];
  const tail = before.slice(Math.max(0, before.length - recorded.length));
  if (recorded.length <= before.length && tail.every((m, i) => m.body.amount === recorded[i])) return;
  const at = { timeMs: r.atMs, node, evidence: [marker.send.id] };
  const seq = marker.body.seq as number;
  const expected =
    `snapshot ${q(s)}: channels[${q(from)}] reported by ${node} to be a tail of the transfers ${from} sent ${node} before its marker ` +
    `(seq ${seq}): of ${list(before.map((m) => m.body.amount))} (seq ${before.map((m) => m.body.seq).join(", ") || "none"}), ` +
    `those ${node} had not received when it recorded — [] if none`;
  // A transfer sent after the marker, recorded: which one, and did it overtake the marker? The
  // recorded amounts are a run of the channel's transfers in seq order (or in arrival order).
  const transfers = messages.filter((m) => m.send.type === "transfer");
  const bySeq = [...transfers].sort((a, b) => (a.body.seq as number) - (b.body.seq as number));
  const byArrival = [...transfers].sort((a, b) => arrivedIndex(a) - arrivedIndex(b));
  let late: SentMessage | undefined;
  for (const order of [bySeq, byArrival]) {
    for (let i = 0; late === undefined && i + recorded.length <= order.length; i++) {
      const window = order.slice(i, i + recorded.length);
      if (recorded.length > 0 && window.every((m, k) => m.body.amount === recorded[k])) late = window.find((m) => (m.body.seq as number) > seq);
    }
  }
  let why = "";
  if (late) {
    at.evidence.push(late.send.id);
    why =
      arrivedMs(late) < arrivedMs(marker)
        ? ` — ${describe(late)} was sent after the marker but arrived before it (at t=${formatMs(arrivedMs(marker))}): process each channel's messages in seq order, holding back early ones`
        : ` — ${describe(late)} was sent after the marker: stop recording a channel once its marker has been processed`;
  }
  fail(expected, `channels[${q(from)}] = ${list(recorded)}${why}`, at);
}

/** The trace index at which `node` recorded snapshot `s`: its first marker of s sent (rule 1 checked they exist). */
function recordIndexOf(run: Run, node: string, s: string): SentMessage {
  const markers = run.p.branches.filter((to) => to !== node).map((to) => markerOn(channel(run, node, to), s)!);
  return markers.reduce((a, b) => (b.index < a.index ? b : a));
}

/**
 * If `r` is exactly the state of its branch at a later moment than its cut (after some message
 * arrived, with every channel processed in seq order), the message after whose arrival it was
 * recorded: the branch sent its markers first and recorded its state later.
 */
function recordedLater(run: Run, r: Received): SentMessage | undefined {
  const node = r.by;
  const s = r.snapshot.snapshotId;
  const others = run.p.branches.filter((id) => id !== node);
  const cut = recordIndexOf(run, node, s).index;
  const reported = reportIndex.get(r) ?? Infinity;
  const arrivals = run.messages.filter((m) => m.send.dest === node && arrivedIndex(m) > cut && arrivedIndex(m) < reported).sort((a, b) => arrivedIndex(a) - arrivedIndex(b));
  for (const after of arrivals) {
    const R = arrivedIndex(after) + 1;
    let balance = run.p.balances[node];
    for (const to of others) balance -= sum(channel(run, node, to).filter((m) => m.send.type === "transfer" && m.index < R).map((m) => m.body.amount as number));
    let matches = true;
    for (const from of others) {
      const messages = channel(run, from, node);
      const arrived = new Set(messages.filter((m) => arrivedIndex(m) < R).map((m) => m.body.seq as number));
      let j = 0;
      while (arrived.has(j + 1)) j++;
      const marker = markerOn(messages, s)!;
      balance += sum(messages.filter((m) => m.send.type === "transfer" && (m.body.seq as number) <= j).map((m) => m.body.amount as number));
      const want = transfersBefore(messages, marker).filter((m) => (m.body.seq as number) > j);
      const recorded = r.snapshot.channels[from] ?? [];
      if (recorded.length !== want.length || want.some((m, i) => m.body.amount !== recorded[i])) {
        matches = false;
        break;
      }
    }
    if (matches && balance === r.snapshot.balance) return after;
  }
  return undefined;
}

/** " — X's report is its state after … arrived: it recorded after sending its markers …", or "". */
function recordedLaterHint(run: Run, r: Received, at: { evidence: number[] }): string {
  const after = recordedLater(run, r);
  if (after === undefined) return "";
  const cut = recordIndexOf(run, r.by, r.snapshot.snapshotId);
  at.evidence.push(cut.send.id, after.send.id);
  return (
    ` — ${r.by}'s report is exactly its state after ${describe(after)}, not at t=${formatMs(cut.send.timeMs)} when it sent its markers: ` +
    `it recorded its state after sending its markers — record the balance, then send the markers, in one step`
  );
}

/**
 * Rule 3, exactly: a branch records and sends its markers in one step and processes every message
 * as soon as those before it on its channel have arrived, so when it sent its first marker it had
 * processed, on each channel, seq 1…j for the largest j all of whose messages had arrived. The
 * channel state is the transfers after j and before the marker.
 *
 * @example
 * checkChannelExact(run, report, "a");
 */
export function checkChannelExact(run: Run, r: Received, from: string): void {
  const node = r.by;
  const s = r.snapshot.snapshotId;
  const messages = channel(run, from, node);
  const marker = markerOn(messages, s)!;
  const cut = recordIndexOf(run, node, s);
  const arrived = new Set(messages.filter((m) => arrivedIndex(m) < cut.index).map((m) => m.body.seq as number));
  let j = 0;
  while (arrived.has(j + 1)) j++;
  const want = transfersBefore(messages, marker).filter((m) => (m.body.seq as number) > j);
  const recorded = r.snapshot.channels[from] ?? [];
  if (recorded.length === want.length && want.every((m, i) => m.body.amount === recorded[i])) return;
  const seq = marker.body.seq as number;
  const at = { timeMs: r.atMs, node, evidence: [marker.send.id, cut.send.id] };
  const expected =
    `snapshot ${q(s)}: channels[${q(from)}] reported by ${node} to be exactly ${list(want.map((m) => m.body.amount))}: the transfers ${from} sent ${node} ` +
    `before its marker (seq ${seq}) that ${node} had not received when it recorded and sent its markers at t=${formatMs(cut.send.timeMs)} ` +
    `(${j === 0 ? "no message of the channel had arrived yet" : `seq 1–${j} had arrived in order`})`;
  const recordedNothing = run.p.branches.every((id) => id === node || (r.snapshot.channels[id] ?? []).length === 0);
  const missing = want.slice(0, Math.max(0, want.length - recorded.length));
  const isTail = recorded.length < want.length && want.slice(want.length - recorded.length).every((m, i) => m.body.amount === recorded[i]);
  const overtaken = want.find((m) => arrivedIndex(m) > arrivedIndex(marker) && !recorded.includes(m.body.amount as number));
  let why = recordedLaterHint(run, r, at);
  if (why) {
    // the branch recorded late: said above
  } else if (recordedNothing && want.length > 0) {
    at.evidence.push(want[0].send.id);
    why = ` — ${node} recorded no channel state, but ${describe(want[0])} was in flight when ${node} recorded: money in flight belongs in channels[${q(from)}]`;
  } else if (overtaken) {
    at.evidence.push(overtaken.send.id);
    why = ` — ${describe(overtaken)} was sent before the marker ${describe(marker)} but arrived after it: process each channel's messages in seq order, holding back early ones`;
  } else if (isTail && missing.length > 0) {
    at.evidence.push(...missing.map((m) => m.send.id));
    why =
      ` — ${describe(missing[0])} arrived after ${node} sent its markers, yet it is not in channels[${q(from)}]: ${node} recorded its state later than it sent its markers — ` +
      `record the balance, then send the markers, in one step`;
  }
  fail(expected, `channels[${q(from)}] = ${list(recorded)}${why}`, at);
}

/**
 * Rule 4 at one branch.
 *
 * @example
 * checkConservation(run, report);
 */
export function checkConservation(run: Run, r: Received): void {
  const { p } = run;
  const node = r.by;
  const s = r.snapshot.snapshotId;
  const others = p.branches.filter((id) => id !== node);
  let sentBefore = 0;
  let receivedBefore = 0;
  const outMarkers: SentMessage[] = [];
  for (const to of others) {
    const messages = channel(run, node, to);
    const marker = markerOn(messages, s)!;
    outMarkers.push(marker);
    sentBefore += sum(transfersBefore(messages, marker).map((m) => m.body.amount as number));
  }
  for (const from of others) {
    const messages = channel(run, from, node);
    receivedBefore += sum(transfersBefore(messages, markerOn(messages, s)!).map((m) => m.body.amount as number));
  }
  const start = p.balances[node];
  const money = start - sentBefore + receivedBefore;
  const inFlight = sum(others.map((from) => sum(r.snapshot.channels[from] ?? [])));
  const got = r.snapshot.balance + inFlight;
  if (got === money) return;
  const missing = money - got;
  const at = { timeMs: r.atMs, node, evidence: [] as number[] };
  const expected =
    `snapshot ${q(s)}: ${node}'s recorded balance + what it recorded in flight to it = its money at its cut: ` +
    `${start} at the start − ${sentBefore} it sent before its markers + ${receivedBefore} sent to it before its senders' markers = ${money}`;
  let why = "";
  const recordedNothing = others.every((from) => (r.snapshot.channels[from] ?? []).length === 0);
  const firstMarkerSentMs = Math.min(...outMarkers.map((m) => m.send.timeMs));
  const incomingBefore = others.flatMap((from) => {
    const messages = channel(run, from, node);
    return transfersBefore(messages, markerOn(messages, s)!).map((m) => ({ m, marker: markerOn(messages, s)! }));
  });
  const overtaken = incomingBefore.filter((x) => arrivedMs(x.m) > arrivedMs(x.marker) && x.m.delivered.length > 0);
  const afterCut = incomingBefore.filter((x) => arrivedMs(x.m) > firstMarkerSentMs);
  const sentAfterMarkers = others
    .flatMap((to) => {
      const messages = channel(run, node, to);
      const marker = markerOn(messages, s)!;
      return messages.filter((m) => m.send.type === "transfer" && (m.body.seq as number) > (marker.body.seq as number));
    })
    .sort((a, b) => a.index - b.index);
  const prefix = (() => {
    let total = 0;
    for (let i = 0; i < sentAfterMarkers.length; i++) {
      total += sentAfterMarkers[i].body.amount as number;
      if (total === missing) return sentAfterMarkers.slice(0, i + 1);
      if (total > missing) break;
    }
    return undefined;
  })();
  const afterCutExact = sum(afterCut.map((x) => x.m.body.amount as number)) === missing;
  why = recordedLaterHint(run, r, at);
  if (why) {
    // the branch recorded late: said above
  } else if (missing > 0 && prefix && !(recordedNothing && afterCutExact)) {
    at.evidence.push(...outMarkers.map((m) => m.send.id), ...prefix.map((m) => m.send.id));
    why =
      ` — exactly what ${node} transferred after sending its markers (${prefix.map(describe).join("; ")}): ` +
      `the recorded balance must be the one the markers cut at — record the balance, then send the markers, in one step`;
  } else if (missing > 0 && recordedNothing && afterCut.length > 0) {
    const x = afterCut[0];
    at.evidence.push(x.m.send.id, x.marker.send.id);
    why = ` — ${node} recorded no channel state, but ${describe(x.m)} was sent before ${x.m.send.src}'s marker and arrived after ${node} recorded: money in flight belongs in channels[${q(x.m.send.src)}]`;
  } else if (missing > 0 && overtaken.length > 0) {
    const x = overtaken[0];
    at.evidence.push(x.m.send.id, x.marker.send.id);
    why = ` — ${describe(x.m)} was sent before the marker ${describe(x.marker)} but arrived after it: process each channel's messages in seq order, holding back early ones`;
  }
  fail(expected, `balance ${r.snapshot.balance} + in flight ${inFlight} = ${got}, ${Math.abs(missing)} ${missing > 0 ? "missing" : "too much"}${why}`, at);
}

/**
 * The snapshot's sum: recorded balances + in flight = the total money.
 *
 * @example
 * checkTotal(run, run.p.snapshots[0]);
 */
export function checkTotal(run: Run, s: SnapshotStart): void {
  const total = sum(run.p.branches.map((id) => run.p.balances[id]));
  const mine = run.reports.filter((r) => r.snapshot.snapshotId === s.id);
  const recorded = sum(mine.map((r) => r.snapshot.balance + sum(Object.values(r.snapshot.channels).map((xs) => sum(xs)))));
  if (recorded !== total) {
    fail(`snapshot ${q(s.id)}: recorded balances + recorded in flight = the total money, ${total}`, `${recorded}`, { timeMs: Math.max(...mine.map((r) => r.atMs)) });
  }
}

/**
 * Rule 5: at the end, every student branch holds its start − sent + received.
 *
 * @example
 * checkFinal(run);
 */
export function checkFinal(run: Run): void {
  for (const node of run.p.students) {
    const sent = sum(run.messages.filter((m) => m.send.src === node && m.send.type === "transfer").map((m) => m.body.amount as number));
    const received = sum(run.messages.filter((m) => m.send.dest === node && m.send.type === "transfer" && m.delivered.length > 0).map((m) => m.body.amount as number));
    const want = run.p.balances[node] - sent + received;
    const value = run.finalBalances.get(node);
    if (value !== want) {
      fail(
        `${node}'s balance after every transfer arrived: ${run.p.balances[node]} at the start − ${sent} sent + ${received} received = ${want} (no money created or lost)`,
        `balance ${JSON.stringify(value)}`,
        { timeMs: TRANSFERS_END_MS + DRAIN_MS, node },
      );
    }
  }
}
