/**
 * Rules 1 and 2 of the 08.2 grader (snapshot.ts states them all): the wire a student branch sends
 * (seq per channel, one transfer per call, one marker per snapshot per channel, no negative
 * balance) and the reports (exactly one per branch and snapshot, well-formed, after the markers).
 */
import { formatMs } from "../../../lib/sim";
import { fail, throwEarliest } from "../check";
import { DRAIN_MS, TRANSFERS_END_MS, arrivedIndex, arrivedMs, channel, describe, list, markerOn, ordinal, overlapHint, q, reportIndex, type Run } from "./snapshot-run";

/**
 * Rule 1: the wire of every student branch, and its balance.
 *
 * @example
 * checkWire(run); // throws the earliest Expectation, if any
 */
export function checkWire(run: Run): void {
  const { p } = run;
  const checks: Array<() => void> = [];
  for (const from of p.students) {
    for (const to of p.branches) {
      if (to === from) continue;
      const messages = channel(run, from, to);
      checks.push(() => {
        messages.forEach((m, i) => {
          const at = { timeMs: m.send.timeMs, node: from, evidence: [m.send.id] };
          if (m.send.type !== "transfer" && m.send.type !== "marker") {
            fail(`only transfer and marker messages between branches`, describe(m), at);
          }
          if (m.body.seq !== i + 1) {
            fail(
              `seq 1, 2, 3, … on the channel ${from} → ${to}, in the order sent (transfers and markers of one channel share the count; each channel counts on its own)`,
              `${describe(m)}, the ${ordinal(i + 1)} message on that channel, carries seq=${JSON.stringify(m.body.seq)}`,
              at,
            );
          }
        });
      });
      const calls = run.calls.filter((c) => c.from === from && c.to === to);
      const transfers = messages.filter((m) => m.send.type === "transfer");
      checks.push(() => {
        calls.forEach((call, i) => {
          const m = transfers[i];
          const want = `transfer(${q(to)}, ${call.amount}) on ${from} at t=${formatMs(call.atMs)} to send one transfer amount=${call.amount} to ${to} at once`;
          if (m === undefined) {
            const error = run.errors.find((e) => e.node === from && e.timeMs === call.atMs);
            fail(want, `${from} sent ${transfers.length} transfer(s) to ${to} for ${calls.length} calls; none for this one${error ? ` — the call threw: ${error.message}` : ""}`, { timeMs: call.atMs, node: from });
          }
          if (m.body.amount !== call.amount || m.send.timeMs !== call.atMs) fail(want, describe(m), { timeMs: m.send.timeMs, node: from, evidence: [m.send.id] });
        });
        const extra = transfers[calls.length];
        if (extra) fail(`${from} to send ${to} only the ${calls.length} transfer(s) the grader asked for`, `an extra one: ${describe(extra)}`, { timeMs: extra.send.timeMs, node: from, evidence: [extra.send.id] });
      });
      checks.push(() => {
        for (const m of messages) {
          if (m.send.type === "marker" && !p.snapshots.some((s) => s.id === m.body.snapshotId)) {
            fail(`markers only of the snapshots started (${p.snapshots.map((s) => q(s.id)).join(", ")})`, describe(m), { timeMs: m.send.timeMs, node: from, evidence: [m.send.id] });
          }
        }
        for (const s of p.snapshots) {
          const markers = messages.filter((m) => m.send.type === "marker" && m.body.snapshotId === s.id);
          if (markers.length > 1) {
            fail(`one marker of ${q(s.id)} on the channel ${from} → ${to}`, `${markers.length}: ${describe(markers[1])} is the second`, { timeMs: markers[1].send.timeMs, node: from, evidence: markers.map((m) => m.send.id) });
          }
          if (markers.length === 0) {
            const end = TRANSFERS_END_MS + DRAIN_MS;
            const arrived = run.messages.filter((m) => m.send.dest === from && m.send.type === "marker" && m.body.snapshotId === s.id && m.delivered.length > 0);
            fail(
              `a marker of ${q(s.id)} on every outgoing channel of every branch, ${from} → ${to} included (started by ${s.initiator} at t=${formatMs(s.atMs)})`,
              `${from} never sent ${to} a marker of ${q(s.id)} by t=${formatMs(end)}` +
                (arrived.length > 0 ? `, although ${arrived.length} marker(s) of it reached ${from}, the first at t=${formatMs(Math.min(...arrived.map(arrivedMs)))}${overlapHint(run, from, s)}` : ""),
              { timeMs: arrived.length > 0 ? Math.min(...arrived.map(arrivedMs)) : end, node: from, evidence: arrived.map((m) => m.send.id) },
            );
          }
        }
      });
    }
  }
  for (const bad of run.badBalances) {
    checks.push(() =>
      fail(
        `the balance of ${bad.node} to stay a whole number ≥ 0 (the grader only transfers what a branch has)`,
        `${bad.node}'s balance read ${JSON.stringify(bad.value)} at t=${formatMs(bad.atMs)}`,
        { timeMs: bad.atMs, node: bad.node },
      ),
    );
  }
  throwEarliest(checks);
}

/**
 * Rule 2: one well-formed report per branch and snapshot, made after the markers on all its incoming channels arrived.
 *
 * @example
 * checkReports(run);
 */
export function checkReports(run: Run): void {
  const { p } = run;
  const checks: Array<() => void> = [];
  for (const r of run.reports) {
    if (!p.snapshots.some((s) => s.id === r.snapshot.snapshotId)) {
      checks.push(() => fail(`reports only of the snapshots started (${p.snapshots.map((s) => q(s.id)).join(", ")})`, `${r.by} reported snapshotId ${JSON.stringify(r.snapshot.snapshotId)} at t=${formatMs(r.atMs)}`, { timeMs: r.atMs, node: r.by }));
    }
  }
  for (const s of p.snapshots) {
    for (const node of p.branches) {
      const mine = run.reports.filter((r) => r.by === node && r.snapshot.snapshotId === s.id);
      const others = p.branches.filter((id) => id !== node);
      const markers = others.map((from) => ({ from, m: markerOn(channel(run, from, node), s.id) }));
      checks.push(() => {
        if (mine.length === 0) {
          const arrived = markers.filter((x) => x.m && x.m.delivered.length > 0);
          const missing = markers.filter((x) => !x.m || x.m.delivered.length === 0).map((x) => x.from);
          const lastMs = Math.max(...arrived.map((x) => arrivedMs(x.m!)));
          const got =
            missing.length === 0
              ? `${node} never reported ${q(s.id)}, although the markers of ${q(s.id)} from all of ${list(others)} had arrived by t=${formatMs(lastMs)}` +
                overlapHint(run, node, s)
              : `${node} never reported ${q(s.id)}; no marker of it arrived from ${list(missing)}`;
          fail(`every branch to report snapshot ${q(s.id)} (started by ${s.initiator} at t=${formatMs(s.atMs)}) exactly once`, got, {
            timeMs: Number.isFinite(lastMs) ? lastMs : TRANSFERS_END_MS + DRAIN_MS,
            node,
            evidence: arrived.map((x) => x.m!.send.id),
          });
        }
        if (mine.length > 1) {
          fail(`every branch to report snapshot ${q(s.id)} exactly once`, `${node} reported it ${mine.length} times, at t=${mine.map((r) => formatMs(r.atMs)).join(", t=")}`, { timeMs: mine[1].atMs, node });
        }
        const r = mine[0];
        const at = { timeMs: r.atMs, node };
        const snap = r.snapshot;
        if (snap.node !== node) fail(`report({ …, node: ${q(node)} }) from ${node}`, `node: ${JSON.stringify(snap.node)} in its report of ${q(s.id)}`, at);
        if (typeof snap.balance !== "number" || !Number.isFinite(snap.balance)) fail(`a number balance in ${node}'s report of ${q(s.id)}`, `balance: ${JSON.stringify(snap.balance)}`, at);
        if (typeof snap.channels !== "object" || snap.channels === null) fail(`channels: { [from]: amounts } in ${node}'s report of ${q(s.id)}`, `channels: ${JSON.stringify(snap.channels)}`, at);
        for (const [key, value] of Object.entries(snap.channels)) {
          if (!others.includes(key)) {
            fail(
              `${node}'s report of ${q(s.id)} to key channels by the branch each channel comes from (${list(others)}): channels[from] is what was in flight on from → ${node}`,
              `channels has the key ${q(key)}${key === node ? ` — ${node} itself (the channel's destination, not its source)` : ""}: ${JSON.stringify(snap.channels)}`,
              at,
            );
          }
          if (!Array.isArray(value) || value.some((x) => typeof x !== "number")) fail(`channels[${q(key)}] to be a list of amounts in ${node}'s report of ${q(s.id)}`, `${JSON.stringify(value)}`, at);
        }
        for (const { m } of markers) {
          if (m && arrivedIndex(m) > (reportIndex.get(r) ?? Infinity)) {
            fail(
              `${node} to report ${q(s.id)} only after the markers on all its incoming channels arrived`,
              `it reported at t=${formatMs(r.atMs)}, before ${describe(m)}`,
              { ...at, evidence: [m.send.id] },
            );
          }
        }
      });
    }
  }
  throwEarliest(checks);
}
