/**
 * Check of exercise 08.2 Chandy–Lamport snapshot. 3–5 bank branches, some running the student's
 * `bankBranch` and some the grader's ({@link graderBranch}, same wire; in one trial of five all
 * are the student's), with 50–500 units each; bystanders are spawned first and names are drawn per
 * trial. Links are unordered, with a latency drawn per trial (uniform 1–5 … 15–60 ms, or
 * exponential). Every branch's driver, a timer the grader sets on the branch's node, calls
 * `transfer(to, amount)` every 4–15 ms until {@link TRANSFERS_END_MS} with a random amount it has
 * (sometimes all of it). Two snapshots start at once at two different branches (a student's
 * first), a third later at a student's; the run goes on {@link DRAIN_MS} ms after the last
 * transfer. {@link TRIALS} trials per seed.
 *
 * Rules, in the order they are checked (within a group, the earliest broken one is reported):
 * 1. wire: a student branch sends only transfer / marker messages, with seq 1, 2, 3, … per
 *    directed channel; one transfer, sent at once, per `transfer` call, with its amount; exactly
 *    one marker per snapshot on each outgoing channel; its balance never goes negative;
 * 2. reports: every branch reports each snapshot exactly once, with its own id, a number balance,
 *    channels keyed by other branches, and only after the markers on all its incoming channels
 *    arrived;
 * 3. channel state: `channels[from]` is a tail of the transfers from → node sent before from's
 *    marker; and exactly those the branch had not received when it recorded (the moment it sent
 *    its first marker: it had processed, on each channel, the messages that had arrived in seq
 *    order — see {@link checkChannelExact});
 * 4. conservation at each branch: recorded balance + recorded in flight = its starting balance −
 *    transfers it sent before its markers + transfers sent to it before their senders' markers
 *    (so the snapshot's sum is the total money, also checked);
 * 5. at the end, every student branch's balance is its start − what it sent + what arrived.
 *
 * The truth comes from the trace: which transfers precede a marker on a channel is fixed by seq.
 * What the rules separate (test/meta/08-redundancy-and-recovery.test.ts): no channel state, no
 * hold-back (seq ignored), recording past the marker, channels keyed by the wrong id, markers
 * forwarded before recording, one snapshot at a time, one seq counter for all channels,
 * `node.peers()` as the branches.
 */
import { latency, type Latency } from "../../../lib/net";
import type { Node } from "../../../lib/node";
import { formatMs } from "../../../lib/sim";
import { graderRole, runScenarios, spawnBystanders, throwEarliest, trialsPerSeed, type CheckResult, type Scenario, type Trial } from "../check";
import { exercise } from "../exercises";
import { sentMessages } from "../messages";
import { graderBranch, type BranchHandle, type LocalSnapshotReport } from "./snapshot-branch";
import { checkChannel, checkChannelExact, checkConservation, checkFinal, checkTotal } from "./snapshot-cut";
import { activeAt, arrivedMs, channel, DRAIN_MS, q, reportIndex, TRANSFERS_END_MS, type Call, type Params, type Received, type Run, type SnapshotStart, type SnapshotStats } from "./snapshot-run";
import { checkReports, checkWire } from "./snapshot-wire";

export { DRAIN_MS, TRANSFERS_END_MS, type SnapshotStats } from "./snapshot-run";

/** What exercises/08-redundancy-and-recovery/snapshot.ts exports. */
export interface SnapshotApi {
  bankBranch(node: Node, options: { balance: number; branches: string[] }, report: (snapshot: LocalSnapshotReport) => void): BranchHandle;
}

// tsc checks that the stub and the reference both have this API.
type Implements<T extends SnapshotApi> = T;
export type StubImplementsSnapshot = Implements<typeof import("../../../exercises/08-redundancy-and-recovery/snapshot")>;
export type SolutionImplementsSnapshot = Implements<typeof import("../../../solutions/08-redundancy-and-recovery/snapshot")>;

/** Trials per seed: with the registry's seeds, ≥ 135 in all (see check.ts). */
export const TRIALS = trialsPerSeed(exercise("08.2").seeds.length);

const NAMES = ["A", "B", "C", "D", "E", "bank-1", "bank-2", "bank-3", "london", "paris", "tokyo", "nyc", "x", "y", "b1", "b2"];
const SNAPSHOT_PREFIXES = ["snap", "s", "audit", "cl", "cut"];

function params(trial: Trial): Params {
  const rng = trial.rng;
  const names = rng.shuffle(NAMES);
  const bystanders = names.slice(0, rng.int(1, 3));
  const count = rng.int(3, 6);
  const branches = names.slice(bystanders.length, bystanders.length + count);
  const allStudents = rng.chance(0.2);
  const studentCount = allStudents ? count : rng.int(1, count);
  const students = rng.shuffle(branches).slice(0, studentCount);
  const graders = branches.filter((id) => !students.includes(id));
  const balances: Record<string, number> = {};
  for (const id of branches) balances[id] = rng.int(50, 501);
  let lat: Latency;
  let latencyWords: string;
  if (rng.chance(0.7)) {
    const lo = rng.int(1, 6);
    const hi = rng.int(15, 61);
    lat = latency.uniform(lo, hi);
    latencyWords = `latency uniform ${lo}–${hi} ms`;
  } else {
    const mean = rng.int(8, 25);
    lat = latency.exponential(mean, 1);
    latencyWords = `latency 1 ms + exponential with mean ${mean} ms`;
  }
  const ids = new Set<string>();
  while (ids.size < 3) ids.add(`${rng.pick(SNAPSHOT_PREFIXES)}-${rng.int(1, 1000)}`);
  const [first, second, third] = Array.from(ids);
  const startA = Math.round(rng.uniform(60, 160) * 1000) / 1000;
  const initiatorA = rng.pick(students);
  const initiatorB = graders.length > 0 ? rng.pick(graders) : rng.pick(students.filter((id) => id !== initiatorA));
  const snapshots: SnapshotStart[] = [
    { id: first, initiator: initiatorA, atMs: startA },
    { id: second, initiator: initiatorB, atMs: Math.round((startA + rng.uniform(0, 15)) * 1000) / 1000 },
    { id: third, initiator: rng.pick(students), atMs: Math.round(rng.uniform(220, 320) * 1000) / 1000 },
  ];
  return { bystanders, branches, students, balances, latency: lat, latencyWords, snapshots };
}

/** All rules, in order (the header says why this order). */
function checkRun(run: Run, stats?: SnapshotStats): void {
  checkWire(run);
  checkReports(run);
  throwEarliest(run.reports.flatMap((r) => run.p.branches.filter((from) => from !== r.by).map((from) => () => checkChannel(run, r, from))));
  throwEarliest(run.reports.flatMap((r) => run.p.branches.filter((from) => from !== r.by).map((from) => () => checkChannelExact(run, r, from))));
  throwEarliest(run.reports.map((r) => () => checkConservation(run, r)));
  for (const s of run.p.snapshots) checkTotal(run, s);
  checkFinal(run);
  if (stats) collectStats(run, stats);
}

/** What the run contained, for the meta tests. */
function collectStats(run: Run, stats: SnapshotStats): void {
  stats.transfers += run.calls.length;
  stats.reports += run.reports.length;
  for (const r of run.reports) for (const xs of Object.values(r.snapshot.channels)) if (xs.length > 0) stats.channelsInFlight++;
  for (const from of run.p.branches) {
    for (const to of run.p.branches) {
      if (from === to) continue;
      const messages = channel(run, from, to);
      messages.forEach((m, i) => {
        const earlier = messages.slice(0, i);
        if (earlier.some((e) => arrivedMs(e) > arrivedMs(m))) {
          stats.arrivedEarly++;
          if (m.send.type === "marker") stats.markersOvertaking++;
        }
      });
    }
  }
  const [a, b] = run.p.snapshots;
  if (run.p.branches.some((node) => {
    const x = activeAt(run, node, a);
    const y = activeAt(run, node, b);
    return x.fromMs < y.toMs && y.fromMs < x.toMs;
  })) stats.overlapping++;
}

/**
 * Check exercise 08.2 with one grader seed.
 *
 * @example
 * const result = await checkSnapshot(await loadTarget("08-redundancy-and-recovery/snapshot"), 7);
 */
export function checkSnapshot(impl: SnapshotApi, seed: number, stats?: SnapshotStats): Promise<CheckResult> {
  const scenario: Scenario<SnapshotApi, Params> = {
    name: (p) =>
      `branches ${p.branches.map((id) => `${id}${p.students.includes(id) ? " (yours)" : " (grader's)"} ${p.balances[id]}`).join(", ")}; ` +
      `unordered links, ${p.latencyWords}; transfers every 4–15 ms until t=${TRANSFERS_END_MS}ms; snapshots ` +
      p.snapshots.map((s) => `${q(s.id)} by ${s.initiator} at t=${formatMs(s.atMs)}`).join(", ") +
      `; bystanders ${p.bystanders.join(", ")} spawned first`,
    trials: TRIALS,
    params,
    simulation: (p) => ({ network: { latency: p.latency, ordering: "unordered" } }),
    lanes: (p) => [...p.branches, ...p.bystanders],
    run: async (sim, impl, p, trial) => {
      if (stats) stats.trials++;
      spawnBystanders(sim, p.bystanders);
      const run: Run = { p, calls: [], reports: [], badBalances: [], finalBalances: new Map(), messages: [], errors: [] };
      const handles = new Map<string, BranchHandle>();
      for (const id of p.branches) {
        const student = p.students.includes(id);
        const driver = trial.rng.split(`driver:${id}`);
        const others = p.branches.filter((x) => x !== id);
        sim.spawn(
          id,
          (node: Node) => {
            const report = (snapshot: LocalSnapshotReport): void => {
              const copy: Received = { by: id, atMs: node.now(), snapshot: JSON.parse(JSON.stringify(snapshot ?? null)) ?? { snapshotId: undefined, node: undefined, balance: undefined, channels: {} } };
              reportIndex.set(copy, sim.trace.events.length);
              run.reports.push(copy);
            };
            const options = { balance: p.balances[id], branches: [...p.branches] };
            const branch = student ? impl.bankBranch(node, options, report) : graderBranch(node, options, report);
            handles.set(id, branch);
            const tick = (): void => {
              const value: unknown = branch.balance;
              if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
                run.badBalances.push({ node: id, atMs: node.now(), value });
                return; // this driver stops: the run is failed already
              }
              if (value > 0 && driver.chance(0.85)) {
                const amount = driver.chance(0.05) ? value : driver.int(1, Math.max(2, Math.ceil(value / 3)));
                const call: Call = { from: id, to: driver.pick(others), amount: Math.min(amount, value), atMs: node.now() };
                run.calls.push(call);
                branch.transfer(call.to, call.amount);
              }
              const next = driver.uniform(4, 15);
              if (node.now() + next < TRANSFERS_END_MS) node.setTimer(next, tick, "grader: transfer");
            };
            node.setTimer(driver.uniform(0, 10), tick, "grader: transfer");
            for (const s of p.snapshots) if (s.initiator === id) node.setTimer(s.atMs, () => branch.startSnapshot(s.id), `grader: start snapshot ${s.id}`);
          },
          { role: student ? "branch" : graderRole("branch") },
        );
      }
      await sim.runUntilTime(TRANSFERS_END_MS + DRAIN_MS);
      for (const [id, handle] of handles) run.finalBalances.set(id, handle.balance);
      const branchSet = new Set(p.branches);
      run.messages = sentMessages(sim.trace.events, (e) => branchSet.has(e.src) && branchSet.has(e.dest));
      for (const e of sim.trace.events) if (e.kind === "error") run.errors.push({ node: e.node, timeMs: e.timeMs, message: e.message });
      checkRun(run, stats);
    },
  };
  return runScenarios(impl, seed, [scenario], { functions: ["bankBranch"], exercise: "08.2 snapshot" });
}
