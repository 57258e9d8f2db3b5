/**
 * Check of exercise 09C persistence and crash recovery: the student's Raft (beside the grader's
 * reference servers, trial by trial) in 6.5840's 3C scenarios on buffered disks — persist 1–3,
 * Figure 8, unreliable agreement, Figure 8 unreliable, reliable and unreliable churn — and two
 * scenarios built for the bugs random runs seldom meet: a voter crashes the moment it has voted
 * (a vote it forgot elects a second leader of the term), and Figure 8 played by hand (a leader
 * that counts replicas of an old-term entry commits it). Safety (`RaftMonitor`, the applies) after
 * every event; every restart is compared with the server's state at its crash (Figure 2's
 * persistent state must come back exactly); liveness only after the network healed.
 * {@link TRIALS_PER_SCENARIO} trials of each of the {@link SCENARIOS} scenarios per seed.
 */
import { latency } from "../../../lib/net";
import { termAt, type RaftEntry, type RaftState } from "../../../lib/raft/index";
import { formatMs, type Prng } from "../../../lib/sim";
import { Expectation, fail, runScenarios, type CheckResult, type Scenario, type ScenarioSimulation } from "../check";
import { raftScenario, RAFT_LATENCY, RAFT_MS, type RaftApi, type RaftTester } from "./raft-tester";

/** The scenarios of the check. */
export const SCENARIOS = 10;
/** Trials of each scenario per seed: 10 × 3 = 30 per seed, 150 over the 5 seeds (≥ 135: a 5% bug is caught with probability ≥ 99.9%). */
export const TRIALS_PER_SCENARIO = 3;
/** Trials per seed, all scenarios together (what the meta tests count). */
export const TRIALS = SCENARIOS * TRIALS_PER_SCENARIO;

/** Proposals (and leader crashes) of the Figure 8 scenarios (6.5840: 1000; a crash every few ms of virtual time is as many chances). */
export const FIGURE8_ITERATIONS = 40;

/** 6.5840's unreliable network: loss, duplication, reordering, delays up to 27 ms. */
export const UNRELIABLE: ScenarioSimulation = {
  network: { latency: latency.uniform(1, 27), lossProbability: 0.1, duplicationProbability: 0.05, ordering: "unordered" },
};
/** The network once a scenario heals it. */
const RELIABLE = { latency: RAFT_LATENCY, lossProbability: 0, duplicationProbability: 0, ordering: "fifo" as const };

// ---- persistent state across a crash -----------------------------------------------------------

/** Figure 2's persistent state of a server (and §7's snapshot position), as the grader compares it. */
export interface Durable {
  currentTerm: number;
  votedFor: string | null;
  snapshotIndex: number;
  snapshotTerm: number;
  log: RaftEntry[];
}

/**
 * The persistent part of a server's state, copied.
 *
 * @example durableOf(t.handle("n1")!.state()).votedFor // "n2"
 */
export function durableOf(s: RaftState): Durable {
  return { currentTerm: s.currentTerm, votedFor: s.votedFor ?? null, snapshotIndex: s.snapshotIndex ?? 0, snapshotTerm: s.snapshotTerm ?? 0, log: (s.log ?? []).slice() };
}

function describeLog(d: Durable): string {
  const snap = d.snapshotIndex > 0 ? `snapshot up to ${d.snapshotIndex} (term ${d.snapshotTerm}), ` : "";
  if (d.log.length === 0) return `${snap}log empty`;
  const first = d.log[0];
  const last = d.log[d.log.length - 1];
  return `${snap}log ${first.index}–${last.index} (last term ${last.term})`;
}

/**
 * A persistent state in words, for got-texts.
 *
 * @example describeDurable(d) // 'currentTerm 3, votedFor "n2", log 1–7 (last term 3)'
 */
export function describeDurable(d: Durable): string {
  return `currentTerm ${d.currentTerm}, votedFor ${d.votedFor === null ? "null" : JSON.stringify(d.votedFor)}, ${describeLog(d)}`;
}

/**
 * What differs between the state at the crash and after the restart, by Figure 2's field names.
 *
 * @example lost(atCrash, afterRestart) // ["votedFor"]
 */
export function lost(before: Durable, after: Durable): string[] {
  const out: string[] = [];
  if (after.currentTerm !== before.currentTerm) out.push("currentTerm");
  if (after.votedFor !== before.votedFor) out.push("votedFor");
  if (after.snapshotIndex !== before.snapshotIndex || after.snapshotTerm !== before.snapshotTerm) out.push("snapshotIndex/snapshotTerm");
  const key = (e: RaftEntry | undefined): string => (e === undefined ? "none" : `${e.index}:${e.term}:${JSON.stringify(e.command)}`);
  const n = Math.max(before.log.length, after.log.length);
  for (let i = 0; i < n; i++) {
    if (key(before.log[i]) !== key(after.log[i])) {
      const at = before.log[i]?.index ?? after.log[i]?.index;
      out.push(`the log (from index ${at}: had ${before.log[i] === undefined ? "nothing" : `term ${before.log[i].term} ${JSON.stringify(before.log[i].command)}`}, now ${after.log[i] === undefined ? "nothing" : `term ${after.log[i].term} ${JSON.stringify(after.log[i].command)}`})`);
      break;
    }
  }
  return out;
}

/** The expected-text of every restart check. */
export const RESTART_EXPECTED =
  "every server to restart with what it had when it crashed: currentTerm, votedFor and the log (Figure 2's persistent state; " +
  "the disks are buffered, so what a Ready's persist did not write before its messages left is lost in a crash)";

/**
 * Crashes and restarts that remember each server's persistent state at its crash and compare it
 * with the restored one. A difference fails the scenario at once, or — `deferred` — is kept and
 * told with whatever goes wrong next (the vote scenario shows the second leader it causes).
 */
export class Recovery {
  private readonly saved = new Map<string, { durable: Durable; atMs: number }>();
  /** The first difference seen (deferred mode). */
  problem: { text: string; timeMs: number; node: string } | undefined;

  constructor(
    private readonly t: RaftTester,
    private readonly deferred = false,
  ) {}

  /** Crash `id`, remembering its persistent state. @example rec.crash("n2") */
  crash(id: string): void {
    const s = this.t.states()[id];
    if (s !== undefined) this.saved.set(id, { durable: durableOf(s), atMs: this.t.sim.now() });
    this.t.crash(id);
  }

  /** Restart `id` and compare what it restored with what it had. @example rec.restart("n2") */
  restart(id: string): void {
    this.t.restart(id);
    endIfPending(this.t);
    const before = this.saved.get(id);
    const s = this.t.handle(id)?.state();
    if (before === undefined || s === undefined || this.problem !== undefined) return;
    const after = durableOf(s);
    const differs = lost(before.durable, after);
    if (differs.length === 0) return;
    const who = this.t.studentIds.includes(id) ? "" : " (a grader's server)";
    const text =
      `${id}${who} restarted at t=${formatMs(this.t.sim.now())} with ${describeDurable(after)}; when it crashed at t=${formatMs(before.atMs)} it had ` +
      `${describeDurable(before.durable)} — lost: ${differs.join(", ")}`;
    this.problem = { text, timeMs: this.t.sim.now(), node: id };
    if (!this.deferred) fail(RESTART_EXPECTED, text, { timeMs: this.t.sim.now(), node: id });
  }

  /** Run a scenario body: a deferred difference is told with the failure it led to, or alone at the end. */
  async guard(body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (error) {
      const p = this.problem;
      if (p !== undefined && error instanceof Expectation && error.got !== p.text && error.at.timeMs !== undefined && error.at.timeMs >= p.timeMs) {
        throw new Expectation(error.expected, `${error.got}; what led to it: ${p.text}`, error.at);
      }
      throw error;
    }
    if (this.problem !== undefined) fail(RESTART_EXPECTED, this.problem.text, { timeMs: this.problem.timeMs, node: this.problem.node });
  }
}

/**
 * End the run at once when a student's server hit an unimplemented function (the untouched stub, or
 * `restore` not written yet): the check then reports the exercise as pending without running the
 * scenario's remaining seconds against dead servers.
 *
 * @example endIfPending(t); // after spawning, and after every restart
 */
export function endIfPending(t: RaftTester): void {
  if (t.sim.counters.errors === 0) return;
  for (const e of t.sim.trace.events) {
    if (e.kind === "error" && /is not implemented yet: open \S+/.test(e.message)) throw new Error(e.message);
  }
}

// ---- the Figure 8 rule, after every event --------------------------------------------------------

/**
 * Figure 2's commit rule on the student's leaders: a leader moves commitIndex (by counting
 * matchIndex) only to an entry of its own term. Checked after every event.
 *
 * @example watchCommitRule(t);
 */
export function watchCommitRule(t: RaftTester): void {
  const last = new Map<string, { bootId: number; role: string; term: number; commitIndex: number }>();
  t.sim.invariant("a leader commits by counting only entries of its term (§5.4.2)", () => {
    for (const id of t.studentIds) {
      const s = t.handle(id)?.state();
      if (s === undefined) continue;
      const before = last.get(id);
      last.set(id, { bootId: s.bootId, role: s.role, term: s.currentTerm, commitIndex: s.commitIndex });
      if (before === undefined || before.bootId !== s.bootId || before.role !== "leader" || s.role !== "leader" || before.term !== s.currentTerm) continue;
      if (s.commitIndex <= before.commitIndex) continue;
      const term = termAt(s, s.commitIndex);
      if (term !== undefined && term !== s.currentTerm) {
        return (
          `${id}, leader of term ${s.currentTerm}, moved commitIndex from ${before.commitIndex} to ${s.commitIndex}, an entry of term ${term}: ` +
          `a leader commits by counting replicas only an entry of its own term (Figure 2, §5.4.2) — Figure 8: an older entry on a majority can still be overwritten by a later leader`
        );
      }
    }
    return true;
  });
}

// ---- what the built scenarios reached (the meta tests read it) ---------------------------------

/**
 * What the two built scenarios reached since the counts were last reset: vote trials in which the
 * third server asked the restarted voter for its vote in the very term of that vote, and Figure 8
 * trials in which the student's leader had the old-term entry on a majority (Figure 8 (c)).
 */
export const builtMeasured = { voteTrials: 0, voteAskedSameTerm: 0, figure8Trials: 0, figure8Majority: 0 };

// ---- helpers of the scenarios --------------------------------------------------------------------

/** `ids[(index of id + k) mod n]`: 6.5840's `(leader + k) % servers`. */
function plus(t: RaftTester, id: string, k: number): string {
  const i = t.ids.indexOf(id);
  return t.ids[(i + k) % t.ids.length];
}

/** Run until `n` servers applied `index` (6.5840's wait without a term), or fail. */
async function waitApplied(t: RaftTester, index: number, n: number, withinMs = 5000): Promise<void> {
  if (await t.runUntil(() => t.nCommitted(index).count >= n, withinMs)) return;
  t.fail(`${n} servers apply index ${index} within ${withinMs} ms`, `${t.nCommitted(index).count} did, at t=${formatMs(t.sim.now())}: ${t.describe()}`);
}

/** A unique command: 6.5840 uses rand.Int(). */
function command(rng: Prng, tag: string): string {
  return `${tag}-${rng.int(0, 1_000_000)}`;
}

/** The network back to reliable, every server up and connected. */
function healAll(t: RaftTester, rec: Recovery): void {
  t.sim.network.configure(RELIABLE);
  for (const id of t.ids) if (t.handle(id) === undefined) rec.restart(id);
  t.connectAll();
}

/**
 * Clients that propose at whichever connected server accepts, every 40–100 ms (6.5840's churn
 * clients, one goroutine each); `accepted` lists the proposals a leader took, to check at the end.
 */
function startClients(t: RaftTester, count: number, rng: Prng): { stop(): void; accepted: Array<{ index: number; command: string }> } {
  let stopped = false;
  let n = 0;
  const accepted: Array<{ index: number; command: string }> = [];
  const client = (c: number): void => {
    if (stopped) return;
    const cmd = `client${c}-${n++}`;
    for (const id of t.ids) {
      if (!t.isConnected(id)) continue;
      const r = t.handle(id)?.propose(cmd);
      if (r?.kind === "accepted") {
        accepted.push({ index: r.index, command: cmd });
        break;
      }
    }
    t.sim.after(rng.int(40, 100), () => client(c), `client ${c}`);
  };
  for (let c = 0; c < count; c++) t.sim.after(rng.int(0, 20), () => client(c), `client ${c}`);
  return { stop: () => void (stopped = true), accepted };
}

// ---- the scenarios ---------------------------------------------------------------------------

const buffered = { disk: "buffered" as const };

/** TestPersist13C: all crash and restart, then the leader, then a follower; agreement every time. */
const persist1 = raftScenario({
  name: "persist 1: 3 servers, all crash and restart, then the leader, then a follower (buffered disks)",
  trials: TRIALS_PER_SCENARIO,
  servers: 3,
  tester: { ...buffered },
  run: async (t) => {
    const rec = new Recovery(t);
    endIfPending(t);
    watchCommitRule(t);
    await rec.guard(async () => {
      await t.one(11, 3, true);
      for (const id of t.ids) rec.crash(id);
      for (const id of t.ids) rec.restart(id);
      await t.one(12, 3, true);
      const leader1 = await t.checkOneLeader();
      rec.crash(leader1);
      rec.restart(leader1);
      await t.one(13, 3, true);
      const leader2 = await t.checkOneLeader();
      rec.crash(leader2);
      await t.one(14, 2, true);
      rec.restart(leader2);
      await waitApplied(t, 4, 3);
      const i3 = plus(t, await t.checkOneLeader(), 1);
      rec.crash(i3);
      await t.one(15, 2, true);
      rec.restart(i3);
      await t.one(16, 3, true);
    });
  },
});

/** TestPersist23C (two rounds; 6.5840 runs five): two followers down, then the leader and two more, restarts in between. */
const persist2 = raftScenario({
  name: "persist 2: 5 servers, repeated crashes of two and three servers with restarts (buffered disks)",
  trials: TRIALS_PER_SCENARIO,
  servers: 5,
  tester: { ...buffered },
  run: async (t) => {
    const rec = new Recovery(t);
    endIfPending(t);
    watchCommitRule(t);
    await rec.guard(async () => {
      let index = 1;
      for (let iter = 0; iter < 2; iter++) {
        await t.one(10 + index++, 5, true);
        const leader1 = await t.checkOneLeader();
        rec.crash(plus(t, leader1, 1));
        rec.crash(plus(t, leader1, 2));
        await t.one(10 + index++, 3, true);
        t.disconnect(leader1);
        rec.crash(plus(t, leader1, 3));
        t.disconnect(plus(t, leader1, 4));
        rec.restart(plus(t, leader1, 1));
        rec.restart(plus(t, leader1, 2));
        await t.run(RAFT_MS.electionMsMax);
        rec.restart(plus(t, leader1, 3));
        await t.one(10 + index++, 3, true);
        t.connect(plus(t, leader1, 4));
        t.connect(leader1);
      }
      await t.one(1000, 5, true);
    });
  },
});

/** TestPersist33C, with the leader crashing right after it took a command. */
const persist3 = raftScenario({
  name: "persist 3: 3 servers, a partitioned leader and a follower crash (the leader right after a proposal) and restart (buffered disks)",
  trials: TRIALS_PER_SCENARIO,
  servers: 3,
  tester: { ...buffered },
  run: async (t, _p, trial) => {
    const rec = new Recovery(t);
    endIfPending(t);
    watchCommitRule(t);
    await rec.guard(async () => {
      await t.one(101, 3, true);
      const leader = await t.checkOneLeader();
      t.disconnect(plus(t, leader, 2));
      await t.one(102, 2, true);
      t.handle(leader)?.propose(103); // and crash before (or while) it reaches the others
      await t.run(trial.rng.int(0, 6));
      rec.crash(leader);
      rec.crash(plus(t, leader, 1));
      t.connect(plus(t, leader, 2));
      rec.restart(leader);
      await t.one(104, 2, true);
      rec.restart(plus(t, leader, 1));
      await t.one(105, 3, true);
    });
  },
});

/**
 * Built for a forgotten vote: two servers elect a leader while the third is down; the voter
 * crashes the moment it has voted and restarts; the third comes back, cut off from the leader,
 * and asks the voter for its vote in the same term. A voter that lost its vote (or its term)
 * grants it, and the term has two leaders.
 */
const voteSurvives = raftScenario({
  name: "a vote survives a crash: 3 servers, the voter crashes right after voting, the third asks for its vote in the same term",
  trials: TRIALS_PER_SCENARIO,
  servers: 3,
  tester: { ...buffered },
  run: async (t) => {
    const rec = new Recovery(t, true);
    endIfPending(t);
    watchCommitRule(t);
    await rec.guard(async () => {
      // Two of the student's servers elect; the third (anyone's) is down, so its term stays 0.
      const pair = t.studentIds.length >= 2 ? t.studentIds.slice(0, 2) : t.ids.slice(0, 2);
      const third = t.ids.find((id) => !pair.includes(id))!;
      t.crash(third);
      let voter: string | undefined;
      const voted = (): boolean => {
        for (const id of pair) {
          const s = t.handle(id)?.state();
          if (s !== undefined && s.votedFor !== null && s.votedFor !== id) voter = id;
        }
        return voter !== undefined;
      };
      if (!(await t.runUntil(voted, 5000))) {
        t.fail(`one of ${pair.join(", ")} votes for the other within 5000 ms (${third} is down)`, `no vote at t=${formatMs(t.sim.now())}: ${t.describe()}`);
      }
      const candidate = t.handle(voter!)!.state().votedFor!;
      const votedTerm = t.handle(voter!)!.state().currentTerm;
      builtMeasured.voteTrials++;
      rec.crash(voter!); // right after the vote left
      rec.restart(voter!);
      t.sim.cut(candidate, third);
      t.sim.cut(third, candidate);
      t.restart(third); // term 0: its first election is in term 1
      // The third asks the voter; with its vote remembered, the voter refuses in `term`.
      await t.runUntil(() => Object.values(t.states()).some((s) => s.id === third && s.role === "leader"), 3 * RAFT_MS.electionMsMax + 200);
      await t.run(100);
      const asked = t.sim.trace.events.some((e) => e.kind === "send" && e.src === third && e.dest === voter && e.type === "request_vote" && (JSON.parse(e.json) as { term: number }).term === votedTerm);
      if (asked) builtMeasured.voteAskedSameTerm++;
      t.connectAll();
      await t.checkOneLeader();
      await t.one("after", 3, true);
    });
  },
});

/**
 * Figure 8 played by hand (5 servers): x, of term T1, reaches only a pair that includes the
 * student's server P; a leader of a later term among the other three takes y at the same index
 * and crashes; P's partner crashes; P is then the only server that can win (its log is the most
 * up-to-date) and replicates x to a majority — it must not commit x by counting, since the leader
 * of y can still win and overwrite it, which it does next.
 */
const figure8ByHand = raftScenario({
  name: "Figure 8 by hand: 5 servers, an old-term entry replicated to a majority by the student's leader, then overwritten",
  trials: TRIALS_PER_SCENARIO,
  servers: 5,
  tester: { ...buffered },
  run: async (t, _p, trial) => {
    const rec = new Recovery(t);
    endIfPending(t);
    watchCommitRule(t);
    await rec.guard(async () => {
      const P = t.studentIds[0];
      builtMeasured.figure8Trials++;
      await t.one(command(trial.rng, "a"), 5, true);
      const L1 = await t.checkOneLeader();
      const partner = L1 !== P ? P : t.ids.find((id) => id !== P)!;
      const pair = [L1, partner];
      const others = t.ids.filter((id) => !pair.includes(id));
      t.partition([pair, others]);
      const x = t.handle(L1)?.propose(command(trial.rng, "x"));
      if (x?.kind !== "accepted") return t.fail(`${L1}, leader, accepts a proposal`, `${JSON.stringify(x)} at t=${formatMs(t.sim.now())}: ${t.describe()}`, L1);
      const idx = x.index;
      const holds = (id: string, term: number): boolean => {
        const s = t.handle(id)?.state();
        return s !== undefined && termAt(s, idx) === term;
      };
      const T1 = x.term;
      if (!(await t.runUntil(() => holds(partner, T1), 1000))) t.fail(`${partner} gets entry ${idx} from ${L1}`, `it did not by t=${formatMs(t.sim.now())}: ${t.describe()}`, partner);
      // (b) a leader of a later term among the other three takes y at the same index, alone.
      let L2: string | undefined;
      const elected = (): boolean => {
        L2 = others.find((id) => {
          const s = t.handle(id)?.state();
          return s !== undefined && s.role === "leader" && s.currentTerm > T1;
        });
        return L2 !== undefined;
      };
      if (!(await t.runUntil(elected, 5000))) t.fail(`a leader among ${others.join(", ")} within 5000 ms`, `none at t=${formatMs(t.sim.now())}: ${t.describe()}`);
      t.partition([pair, [L2!], others.filter((id) => id !== L2)]);
      const y = t.handle(L2!)?.propose(command(trial.rng, "y"));
      if (y?.kind !== "accepted" || y.index !== idx) {
        // The new leader's log differs from Figure 8's (it already had more entries): no Figure 8 this trial.
        healAll(t, rec);
        await t.one(command(trial.rng, "z"), 5, true);
        return;
      }
      await t.run(10);
      rec.crash(L2!);
      // (c) P's partner goes too: P is the only server that can win, and sends x to the other two.
      const other = pair.find((id) => id !== P)!;
      rec.crash(other);
      t.connectAll();
      const pLeads = (): boolean => {
        const s = t.handle(P)?.state();
        return s !== undefined && s.role === "leader" && s.currentTerm > y.term;
      };
      if (!(await t.runUntil(pLeads, 5000))) {
        t.fail(`${P} elected within 5000 ms (with ${L2} and ${other} down, its log is the most up-to-date of the live servers)`, `at t=${formatMs(t.sim.now())}: ${t.describe()}`, P);
      }
      await t.run(6 * RAFT_MS.heartbeatMs); // x reaches a majority; it must stay uncommitted
      if (t.ids.filter((id) => holds(id, T1)).length * 2 > t.ids.length) builtMeasured.figure8Majority++;
      // (d) P crashes; the leader of y comes back and may win, overwriting x at idx.
      rec.crash(P);
      rec.restart(L2!);
      rec.restart(other);
      await t.checkOneLeader();
      rec.restart(P);
      await t.one(command(trial.rng, "z"), 5, true);
    });
  },
});

/** TestFigure83C: propose at the leader, crash it after a random time, keep three up. */
function figure8Random(unreliable: boolean) {
  return raftScenario({
    name: unreliable
      ? "Figure 8 unreliable: 5 servers, leaders cut off at random while proposing, loss, duplication and reordering"
      : "Figure 8: 5 servers, leaders crash at random while proposing, at most two down (buffered disks)",
    trials: TRIALS_PER_SCENARIO,
    servers: 5,
    simulation: unreliable ? UNRELIABLE : undefined,
    tester: { ...buffered },
    run: async (t, _p, trial) => {
      const rec = new Recovery(t);
      endIfPending(t);
      watchCommitRule(t);
      await rec.guard(async () => {
        const rng = trial.rng;
        await t.one(command(rng, "first"), 1, true);
        let up = t.ids.length;
        for (let iter = 0; iter < FIGURE8_ITERATIONS; iter++) {
          if (unreliable && iter === FIGURE8_ITERATIONS / 2) t.sim.network.configure({ latency: latency.uniform(1, 120) }); // long reordering
          let leader: string | undefined;
          for (const id of t.ids) {
            if (unreliable && !t.isConnected(id)) continue;
            const r = t.handle(id)?.propose(command(rng, `r${iter}`));
            if (r?.kind === "accepted") leader = id;
          }
          await t.run(rng.chance(0.1) ? rng.int(0, RAFT_MS.electionMsMax) : rng.int(0, 13));
          if (leader !== undefined && t.handle(leader) !== undefined && t.isConnected(leader) && (!unreliable || rng.chance(0.5))) {
            if (unreliable) t.disconnect(leader);
            else rec.crash(leader);
            up--;
          }
          if (up < 3) {
            const down = t.ids.filter((id) => (unreliable ? !t.isConnected(id) : t.handle(id) === undefined));
            const back = rng.pick(down);
            if (unreliable) t.connect(back);
            else rec.restart(back);
            up++;
          }
        }
        healAll(t, rec);
        await t.one(command(rng, "last"), 5, true, 20_000);
      });
    },
  });
}

/** TestUnreliableAgree3C: bursts of proposals on a lossy, duplicating, reordering network. */
const unreliableAgree = raftScenario({
  name: "unreliable agreement: 5 servers, bursts of proposals with loss, duplication and reordering",
  trials: TRIALS_PER_SCENARIO,
  servers: 5,
  simulation: UNRELIABLE,
  tester: { ...buffered },
  run: async (t, _p, trial) => {
    const rec = new Recovery(t);
    endIfPending(t);
    watchCommitRule(t);
    await rec.guard(async () => {
      for (let iter = 1; iter <= 6; iter++) {
        for (let j = 0; j < 4; j++) for (const id of t.ids) t.handle(id)?.propose(100 * iter + j);
        await t.one(iter, 1, true);
      }
      t.sim.network.configure(RELIABLE);
      await t.one(command(trial.rng, "last"), 5, true);
    });
  },
});

/** internalChurn: clients propose throughout while servers are cut off, reconnected, crashed and restarted at random. */
function churn(unreliable: boolean) {
  return raftScenario({
    name: unreliable
      ? "unreliable churn: 5 servers, 3 clients, random disconnects, crashes and restarts, loss, duplication and reordering"
      : "reliable churn: 5 servers, 3 clients, random disconnects, crashes and restarts (buffered disks)",
    trials: TRIALS_PER_SCENARIO,
    servers: 5,
    simulation: unreliable ? UNRELIABLE : undefined,
    tester: { ...buffered },
    run: async (t, _p, trial) => {
      const rec = new Recovery(t);
      endIfPending(t);
      watchCommitRule(t);
      await rec.guard(async () => {
        const rng = trial.rng;
        const clients = startClients(t, 3, rng);
        for (let iter = 0; iter < 5; iter++) {
          if (rng.chance(0.2)) t.disconnect(rng.pick(t.ids.slice()));
          if (rng.chance(0.5)) {
            const id = rng.pick(t.ids.slice());
            if (t.handle(id) === undefined) rec.restart(id);
            t.connect(id);
          }
          if (rng.chance(0.2)) {
            const id = rng.pick(t.ids.slice());
            if (t.handle(id) !== undefined) rec.crash(id);
          }
          await t.run(Math.round(0.7 * RAFT_MS.electionMsMax));
        }
        await t.run(RAFT_MS.electionMsMax);
        healAll(t, rec);
        clients.stop();
        await t.run(RAFT_MS.electionMsMax);
        const lastIdx = await t.one(command(rng, "last"), 5, true);
        // Every proposal some server applied at its index is there on every server at the end.
        for (const a of clients.accepted) {
          if (a.index > lastIdx) continue;
          const c = t.nCommitted(a.index);
          if (c.count > 0 && c.command === a.command && c.count < t.ids.length) {
            t.fail(`every server to have applied index ${a.index} (${JSON.stringify(a.command)}, committed during the churn) by the end`, `${c.count} did: ${t.describe()}`);
          }
        }
      });
    },
  });
}

/** The scenarios, in 6.5840's order, the vote scenario first (the notebook's lesson: a forgotten vote, two leaders) and Figure 8 by hand before the random one. */
export const PERSISTENCE_SCENARIOS: ReadonlyArray<Scenario<RaftApi, any>> = [
  voteSurvives,
  persist1,
  persist2,
  persist3,
  figure8ByHand,
  figure8Random(false),
  unreliableAgree,
  figure8Random(true),
  churn(false),
  churn(true),
];

/**
 * Grade 09C persistence and crash recovery for one seed.
 *
 * @example
 * const result = await checkPersistence(await loadTarget<RaftApi>("09-consensus-raft/raft"), 7);
 */
export function checkPersistence(impl: RaftApi, seed: number): Promise<CheckResult> {
  return runScenarios(impl, seed, PERSISTENCE_SCENARIOS, { exercise: "09C persistence" });
}
