/**
 * Check of exercise 09E snapshots (optional): the student's Raft with a service that snapshots
 * every {@link SNAPSHOT_INTERVAL} entries, in 6.5840's 3D scenarios — snapshot basic, install
 * snapshot by a disconnected or crashed follower on a reliable and an unreliable network, all crash
 * and restart from snapshots — and, first, the grader playing a leader against one student follower
 * (Figure 13 receiver rules: entries, a snapshot inside them, more entries, a snapshot past the log,
 * a stale snapshot, a restart). The service's applies are checked in order (after a snapshot, the
 * entry just after it; never an entry the snapshot holds), every snapshot's data against the
 * committed commands, each restart against the state at the crash, the log's length against the
 * snapshot interval, and Raft's safety after every event. {@link TRIALS_PER_SCENARIO} trials of each
 * of the {@link SCENARIOS} scenarios per seed.
 */
import type { Node } from "../../../lib/node";
import { raftNode, type RaftApplyMsg, type RaftHandle, type RaftMessage, type RaftState } from "../../../lib/raft/index";
import { formatMs, type Prng } from "../../../lib/sim";
import type { Simulation } from "../../../lib/simulation";
import { fail, graderRole, runScenarios, spawnBystanders, type CheckResult, type Scenario, type Trial } from "../check";
import { sentMessages } from "../messages";
import { describeDurable, durableOf, endIfPending, lost, Recovery, RESTART_EXPECTED, UNRELIABLE, watchCommitRule } from "./raft-persistence";
import { raftScenario, RAFT_LATENCY, RAFT_MS, RAFT_NAMES, RAFT_TIMING, type RaftApi, type RaftTester } from "./raft-tester";

/** The scenarios of the check. */
export const SCENARIOS = 7;
/** Trials of each scenario per seed: 7 × 4 = 28 per seed, 140 over the 5 seeds (≥ 135: a 5% bug is caught with probability ≥ 99.9%). */
export const TRIALS_PER_SCENARIO = 4;
/** Trials per seed, all scenarios together (what the meta tests count). */
export const TRIALS = SCENARIOS * TRIALS_PER_SCENARIO;
/** The service snapshots when more than this many entries follow the snapshot (6.5840's SnapShotInterval). */
export const SNAPSHOT_INTERVAL = 10;
/** A student server's log may hold at most this many entries once everything is applied (6.5840: "log size too large"). */
export const LOG_ENTRIES_MAX = 3 * SNAPSHOT_INTERVAL;

// ---- the service --------------------------------------------------------------------------------

/**
 * Each server's service: the commands applied, in order, rebuilt from the snapshot after a restart
 * (its snapshot data is that list up to the index). Checks every snapshot it is given: data equal
 * to the committed commands up to its index, and never behind what the service has applied.
 */
class Services {
  private readonly lists = new Map<string, unknown[]>();
  private readonly incarnations = new Map<string, number>();
  private t: RaftTester | undefined;
  problem: { text: string; node: string } | undefined;

  /** The tester options that wire the service in: buffered disks, a snapshot every SNAPSHOT_INTERVAL entries. */
  options() {
    return { disk: "buffered" as const, node: { snapshotEntriesMax: SNAPSHOT_INTERVAL, snapshotData: this.data }, onApply: this.onApply };
  }

  /** Check the service after every event of `t`'s run (and read what `t` saw committed). */
  watch(t: RaftTester): void {
    this.t = t;
    t.sim.invariant("the service's snapshots", () => (this.problem === undefined ? true : this.problem.text));
  }

  /** The tester's onApply. */
  readonly onApply = (m: RaftApplyMsg, node: Node): void => {
    const id = node.id;
    if (this.incarnations.get(id) !== node.incarnation) {
      this.incarnations.set(id, node.incarnation);
      this.lists.set(id, []); // a restart: the service starts empty, the snapshot (if any) comes first
    }
    const list = this.lists.get(id)!;
    if (m.kind === "command") {
      list.push(m.command);
      return;
    }
    if (this.problem !== undefined) return;
    const data = m.data;
    if (m.index < list.length) {
      this.problem = { node: id, text: `${id} handed its service a snapshot up to index ${m.index} after the service had applied up to ${list.length}: a snapshot must never take the service back (ignore an InstallSnapshot whose lastIncludedIndex ≤ commitIndex)` };
      return;
    }
    if (!Array.isArray(data) || data.length !== m.index) {
      this.problem = { node: id, text: `${id} handed its service a snapshot up to index ${m.index} whose data is ${Array.isArray(data) ? `a state of ${data.length} command(s)` : JSON.stringify(data)}: the data must be what the service gave snapshot() for that index (here the list of its ${m.index} commands)` };
      return;
    }
    for (let i = 1; i <= m.index && this.t !== undefined; i++) {
      const c = this.t.nCommitted(i);
      if (c.count > 0 && JSON.stringify(c.command) !== JSON.stringify(data[i - 1])) {
        this.problem = { node: id, text: `${id} handed its service a snapshot up to index ${m.index} holding ${JSON.stringify(data[i - 1])} at index ${i}, but ${JSON.stringify(c.command)} was committed there` };
        return;
      }
    }
    this.lists.set(id, data.slice());
  };

  /** The raftNode's snapshotData: the service's state up to `index`. */
  readonly data = (index: number, node: Node): unknown => (this.lists.get(node.id) ?? []).slice(0, index);
}

/** 6.5840's "log size too large": every live student server's log holds at most LOG_ENTRIES_MAX entries after the snapshot. */
function checkLogSize(t: RaftTester): void {
  for (const id of t.studentIds) {
    const s = t.handle(id)?.state();
    if (s !== undefined && s.log.length > LOG_ENTRIES_MAX) {
      t.fail(
        `every server's log to hold at most ${LOG_ENTRIES_MAX} entries after its snapshot once everything is applied (the service calls snapshot() every ${SNAPSHOT_INTERVAL} entries: drop the entries up to its index)`,
        `${id} holds ${s.log.length} entries (${s.log[0].index}–${s.log[s.log.length - 1].index}), snapshotIndex ${s.snapshotIndex}, lastApplied ${s.lastApplied}`,
        id,
      );
    }
  }
}

/** `ids[(index of id + k) mod n]`: 6.5840's `(leader + k) % servers`. */
function plus(t: RaftTester, id: string, k: number): string {
  return t.ids[(t.ids.indexOf(id) + k) % t.ids.length];
}

function command(rng: Prng, tag: string): string {
  return `${tag}-${rng.int(0, 1_000_000)}`;
}

/** t.one, and when it fails, how many install_snapshot messages were sent (a leader that repeats the snapshot for ever). */
async function oneAll(t: RaftTester, cmd: unknown, n: number): Promise<number> {
  const before = t.ids.map((id) => t.rpcs(id).byType.install_snapshot ?? 0);
  try {
    return await t.one(cmd, n, true);
  } catch (error) {
    if (error instanceof Error && error.name === "Expectation") {
      const sent = t.ids.map((id, i) => `${id} ${(t.rpcs(id).byType.install_snapshot ?? 0) - before[i]}`).join(", ");
      const e = error as Error & { got: string };
      Object.defineProperty(e, "got", { value: `${e.got}; install_snapshot messages sent meanwhile: ${sent}` });
    }
    throw error;
  }
}

// ---- 6.5840's snapcommon -------------------------------------------------------------------------

type Fault = "none" | "disconnect" | "crash";

/**
 * 6.5840's snapcommon: 3 servers; each iteration a victim (a follower, or every third time the
 * leader) is cut off or crashed, the sender proposes 5–14 commands (a snapshot or two), and the
 * victim rejoins — from a snapshot sent by InstallSnapshot when it missed compacted entries.
 */
function snapcommon(name: string, fault: Fault, unreliable: boolean, iterations: number) {
  return raftScenario<{ services: Services }>({
    name,
    trials: TRIALS_PER_SCENARIO,
    servers: 3,
    params: () => ({ services: new Services() }),
    simulation: unreliable ? UNRELIABLE : undefined,
    tester: (p) => p.services.options(),
    run: async (t, p, trial) => {
      p.services.watch(t);
      endIfPending(t);
      watchCommitRule(t);
      const rec = new Recovery(t);
      await rec.guard(async () => {
        const rng = trial.rng;
        await oneAll(t, command(rng, "first"), 3);
        let leader1 = await t.checkOneLeader();
        for (let i = 0; i < iterations; i++) {
          let victim = plus(t, leader1, 1);
          let sender = leader1;
          if (i % 3 === 1) [sender, victim] = [victim, leader1];
          if (fault === "disconnect") {
            t.disconnect(victim);
            await oneAll(t, command(rng, "v"), 2);
          }
          if (fault === "crash") {
            rec.crash(victim);
            await oneAll(t, command(rng, "v"), 2);
          }
          const nn = SNAPSHOT_INTERVAL / 2 + rng.int(0, SNAPSHOT_INTERVAL);
          for (let k = 0; k < nn; k++) t.handle(sender)?.propose(command(rng, `s${i}.${k}`));
          await oneAll(t, command(rng, "c"), fault === "none" ? 3 : 2);
          checkLogSize(t);
          if (fault === "disconnect") t.connect(victim);
          if (fault === "crash") rec.restart(victim);
          if (fault !== "none") {
            await oneAll(t, command(rng, "back"), 3);
            leader1 = await t.checkOneLeader();
          }
        }
      });
    },
  });
}

/** TestSnapshotAllCrash3D and TestSnapshotInit3D: every server crashes and restarts from its snapshot and log. */
const allCrash = raftScenario<{ services: Services }>({
  name: "all crash with snapshots: 3 servers, every server crashes and restarts from its snapshot and the log after it",
  trials: TRIALS_PER_SCENARIO,
  servers: 3,
  params: () => ({ services: new Services() }),
  tester: (p) => p.services.options(),
  run: async (t, p, trial) => {
    p.services.watch(t);
    endIfPending(t);
    watchCommitRule(t);
    const rec = new Recovery(t);
    await rec.guard(async () => {
      const rng = trial.rng;
      await oneAll(t, command(rng, "first"), 3);
      for (let i = 0; i < 2; i++) {
        const nn = SNAPSHOT_INTERVAL / 2 + rng.int(0, SNAPSHOT_INTERVAL);
        for (let k = 0; k < nn; k++) await oneAll(t, command(rng, `a${i}.${k}`), 3);
        const index1 = await oneAll(t, command(rng, "before"), 3);
        checkLogSize(t);
        for (const id of t.ids) rec.crash(id);
        for (const id of t.ids) rec.restart(id);
        const index2 = await oneAll(t, command(rng, "after"), 3);
        if (index2 < index1 + 1) t.fail(`the command after the restart at an index after ${index1}`, `it went to index ${index2}: ${t.describe()}`);
      }
    });
  },
});

// ---- the grader plays the leader -----------------------------------------------------------------

interface ScriptParams {
  follower: string;
  leader: string;
  peers: string[];
  bystander: string;
  term: number;
  /** Entries first sent, the commit sent with them, the snapshot inside them, and the entries after. */
  n1: number;
  commit1: number;
  snap1: number;
  n2: number;
  /** The second snapshot, past the follower's log, in term + 1. */
  snap2: number;
}

/** What the follower's service got, one text per message ("3", "snapshot 9"). */
function appliedText(a: RaftApplyMsg): string {
  return a.kind === "snapshot" ? `snapshot up to ${a.index}` : `${a.index}`;
}

/**
 * The grader's leader against one student follower (Figure 13): entries 1–n1 with a commit inside,
 * a snapshot at snap1 (some entries below it not applied yet, the ones after it matching), entries
 * to n2 with a commit of all; a snapshot at snap2 past the log (of a new term: the log is
 * discarded), two entries after it; a stale snapshot; a crash and restart.
 */
const scripted: Scenario<RaftApi, ScriptParams> = {
  name: (p) => `the grader's leader ${p.leader} and your follower ${p.follower}: entries 1–${p.n1}, a snapshot at ${p.snap1}, entries to ${p.n2}, a snapshot at ${p.snap2}, a stale one, a restart`,
  trials: TRIALS_PER_SCENARIO,
  params: (trial: Trial) => {
    const names = trial.rng.shuffle(RAFT_NAMES.slice());
    const n1 = trial.rng.int(8, 15);
    const commit1 = trial.rng.int(1, 4);
    const snap1 = trial.rng.int(commit1 + 2, n1);
    const n2 = n1 + trial.rng.int(1, 4);
    return { follower: names[0], leader: names[1], peers: [names[2], names[3]], bystander: names[4], term: trial.rng.int(1, 5), n1, commit1, snap1, n2, snap2: n2 + trial.rng.int(2, 6) };
  },
  simulation: { network: { latency: RAFT_LATENCY }, trace: { eventsMax: 3000 } },
  lanes: (p) => [p.leader, p.follower, ...p.peers],
  run: async (sim: Simulation, api: RaftApi, p: ScriptParams, trial: Trial) => {
    spawnBystanders(sim, [p.bystander]);
    const F = p.follower;
    const L = p.leader;
    const replies: Array<{ type: string; body: Record<string, unknown>; atMs: number }> = [];
    const leaderNode = sim.spawn(L, (node: Node) => {
      for (const type of ["append_entries_resp", "install_snapshot_resp", "request_vote", "request_vote_resp", "append_entries", "install_snapshot", "propose_resp"]) {
        node.on(type, (m) => {
          if (m.src === F) replies.push({ type, body: m.body as Record<string, unknown>, atMs: node.now() });
        });
      }
    }, { role: graderRole("leader") });
    for (const peer of p.peers) sim.spawn(peer, (node: Node) => {
      for (const type of ["request_vote", "append_entries_resp", "install_snapshot_resp", "append_entries", "install_snapshot", "request_vote_resp", "propose_resp"]) node.on(type, () => {});
    }, { role: graderRole("raft") });
    const commands = Array.from({ length: p.snap2 + 3 }, (_, i) => `c${i + 1}-${trial.rng.int(0, 1000)}`);
    const entry = (index: number, term: number) => ({ index, term, command: commands[index - 1] });
    const range = (from: number, to: number, term: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => entry(from + i, term));
    const applied: RaftApplyMsg[] = [];
    let handle: RaftHandle | undefined;
    sim.spawn(F, (node: Node) => {
      handle = raftNode(node, { ...RAFT_TIMING, peers: [L, ...p.peers], implementation: api.raft, onApply: (m) => applied.push(m) });
    }, { role: "raft", disk: "buffered" });
    const state = (): RaftState | undefined => (handle !== undefined && handle.node.isAlive() ? handle.state() : undefined);
    const T = p.term;
    const T2 = T + 1;

    const lastSent = (type: string): number[] => {
      const m = sentMessages(sim.trace.events, (e) => e.src === L && e.dest === F && e.type === type).pop();
      return m === undefined ? [] : [m.send.id];
    };
    /** Send from the grader's leader and wait for F's answer of `type`. */
    const exchange = async (body: RaftMessage, type: string, what: string): Promise<Record<string, unknown>> => {
      const seen = replies.length;
      leaderNode.send(F, body as never);
      await sim.runUntil(() => replies.slice(seen).some((r) => r.type === type), { withinMs: 200, throwOnTimeout: false });
      const r = replies.slice(seen).find((x) => x.type === type);
      if (r === undefined) {
        fail(`${F} answers ${what} with ${type}`, `no ${type} from ${F} by t=${formatMs(sim.now())} (${F}: ${describe()})`, { timeMs: sim.now(), node: F, evidence: lastSent(body.type) });
      }
      return r!.body;
    };
    const describe = (): string => {
      const s = state();
      if (s === undefined) return "crashed";
      const last = s.log.length > 0 ? s.log[s.log.length - 1].index : s.snapshotIndex;
      return `${s.role} term ${s.currentTerm}, snapshotIndex ${s.snapshotIndex}, log ${s.log.length > 0 ? `${s.log[0].index}–${last}` : "empty"}, commitIndex ${s.commitIndex}, lastApplied ${s.lastApplied}`;
    };
    /** The applies so far must be a prefix of `expected` (complete, when `complete`). */
    const checkApplied = (expected: RaftApplyMsg[], from: number, complete: boolean, why: string): void => {
      const got = applied.slice(from);
      const want = expected.map(appliedText);
      const have = got.map(appliedText);
      for (let i = 0; i < have.length; i++) {
        if (i >= want.length || have[i] !== want[i]) {
          const g = got[i];
          const holder = got.slice(0, i).filter((a) => a.kind === "snapshot" && g.kind === "command" && g.index <= a.index).pop();
          const why2 = holder !== undefined ? ` (the snapshot up to ${holder.index} already holds it)` : "";
          fail(
            `${F}'s service to get, in order: ${want.join(", ")} (${why}; each index once, and never an entry a snapshot it got holds)`,
            `${have.slice(0, i + 1).join(", ")} — ${i < want.length ? `${have[i]} where ${want[i]} was due` : `${have[i]} after all that was due`}${why2} (at t=${formatMs(sim.now())}; ${F}: ${describe()})`,
            { timeMs: sim.now(), node: F, evidence: lastSent("install_snapshot") },
          );
        }
        const g = got[i];
        if (g.kind === "snapshot" && JSON.stringify(g.data) !== JSON.stringify(commands.slice(0, g.index))) {
          fail(`${F}'s service to get the snapshot's data as the leader sent it`, `snapshot up to ${g.index} with data ${JSON.stringify(g.data).slice(0, 80)}`, { timeMs: sim.now(), node: F });
        }
      }
      if (complete && have.length < want.length) {
        fail(
          `${F}'s service to get, in order: ${want.join(", ")} (${why})`,
          `only ${have.join(", ") || "nothing"} by t=${formatMs(sim.now())} (${F}: ${describe()})`,
          { timeMs: sim.now(), node: F },
        );
      }
    };
    const cmd = (i: number): RaftApplyMsg => ({ kind: "command", index: i, term: 0, command: commands[i - 1] });
    const snap = (i: number): RaftApplyMsg => ({ kind: "snapshot", index: i, term: 0, data: commands.slice(0, i) });
    const seq = (from: number, to: number): RaftApplyMsg[] => range(from, to, 0).map((e) => cmd(e.index));
    // What the grader's leader has sent so far: its heartbeats repeat it (and keep the follower from standing for election).
    let sent = { term: T, last: 0, lastTerm: 0, commit: 0 };
    /** Wait a heartbeat interval, send a heartbeat of what was sent so far, wait another (time for applies). */
    const settle = async (): Promise<void> => {
      await sim.runFor(RAFT_MS.heartbeatMs);
      const seen = replies.length;
      leaderNode.send(F, { type: "append_entries", term: sent.term, leaderId: L, prevLogIndex: sent.last, prevLogTerm: sent.lastTerm, entries: [], leaderCommit: sent.commit } as never);
      await sim.runUntil(() => replies.length > seen, { withinMs: RAFT_MS.heartbeatMs, throwOnTimeout: false });
      await sim.runFor(RAFT_MS.heartbeatMs);
    };
    if (sim.counters.errors > 0) return; // the stub: pending

    // 1. Entries 1–n1, commit1 of them committed.
    let r = await exchange({ type: "append_entries", term: T, leaderId: L, prevLogIndex: 0, prevLogTerm: 0, entries: range(1, p.n1, T), leaderCommit: p.commit1 }, "append_entries_resp", `append_entries with entries 1–${p.n1}`);
    if (r.success !== true) fail(`append_entries_resp success=true from ${F} for entries 1–${p.n1} after an empty log`, `success=${JSON.stringify(r.success)} (${F}: ${describe()})`, { timeMs: sim.now(), node: F, evidence: lastSent("append_entries") });
    sent = { term: T, last: p.n1, lastTerm: T, commit: p.commit1 };
    await settle();
    checkApplied(seq(1, p.commit1), 0, true, `entries 1–${p.commit1} committed`);

    // 2. A snapshot at snap1: entries commit1+1…snap1 are in it (never to be applied one by one); snap1+1…n1 match and stay.
    r = await exchange({ type: "install_snapshot", term: T, leaderId: L, lastIncludedIndex: p.snap1, lastIncludedTerm: T, data: commands.slice(0, p.snap1) }, "install_snapshot_resp", `install_snapshot up to ${p.snap1}`);
    if (r.term !== T) fail(`install_snapshot_resp term=${T} from ${F}`, `term=${JSON.stringify(r.term)}`, { timeMs: sim.now(), node: F, evidence: lastSent("install_snapshot") });
    await settle();
    const afterSnap1 = [...seq(1, p.commit1), snap(p.snap1)];
    checkApplied(afterSnap1, 0, true, `the snapshot up to ${p.snap1} replaces entries ${p.commit1 + 1}–${p.snap1}`);

    // 3. Entries after n1: the follower kept snap1+1…n1 (Figure 13, step 6), so the consistency check at n1 passes.
    r = await exchange({ type: "append_entries", term: T, leaderId: L, prevLogIndex: p.n1, prevLogTerm: T, entries: range(p.n1 + 1, p.n2, T), leaderCommit: p.n2 }, "append_entries_resp", `append_entries after index ${p.n1}`);
    if (r.success !== true || r.matchIndex !== p.n2) {
      fail(
        `append_entries_resp success=true matchIndex=${p.n2} from ${F}: it had entries ${p.snap1 + 1}–${p.n1} after the snapshot up to ${p.snap1}, which matched the snapshot's last entry (index ${p.snap1}, term ${T}), so it keeps them (Figure 13, receiver step 6) and index ${p.n1} of term ${T} is there`,
        `success=${JSON.stringify(r.success)} matchIndex=${JSON.stringify(r.matchIndex)}${r.conflictIndex !== undefined ? ` conflictIndex=${JSON.stringify(r.conflictIndex)}` : ""} (${F}: ${describe()})`,
        { timeMs: sim.now(), node: F, evidence: lastSent("append_entries") },
      );
    }
    sent = { term: T, last: p.n2, lastTerm: T, commit: p.n2 };
    await settle();
    const afterN2 = [...afterSnap1, ...seq(p.snap1 + 1, p.n2)];
    checkApplied(afterN2, 0, true, `entries ${p.snap1 + 1}–${p.n2} committed after the snapshot`);

    // 4. A new leader's term: a snapshot past the follower's log (discard it), then two entries after it.
    r = await exchange({ type: "install_snapshot", term: T2, leaderId: L, lastIncludedIndex: p.snap2, lastIncludedTerm: T2, data: commands.slice(0, p.snap2) }, "install_snapshot_resp", `install_snapshot up to ${p.snap2} in term ${T2}`);
    r = await exchange({ type: "append_entries", term: T2, leaderId: L, prevLogIndex: p.snap2, prevLogTerm: T2, entries: range(p.snap2 + 1, p.snap2 + 2, T2), leaderCommit: p.snap2 + 2 }, "append_entries_resp", `append_entries after the snapshot up to ${p.snap2}`);
    if (r.success !== true || r.matchIndex !== p.snap2 + 2) {
      fail(
        `append_entries_resp success=true matchIndex=${p.snap2 + 2} from ${F}: its log starts after the snapshot up to ${p.snap2} (term ${T2}), so prevLogIndex=${p.snap2} prevLogTerm=${T2} matches`,
        `success=${JSON.stringify(r.success)} matchIndex=${JSON.stringify(r.matchIndex)} (${F}: ${describe()})`,
        { timeMs: sim.now(), node: F, evidence: lastSent("append_entries") },
      );
    }
    sent = { term: T2, last: p.snap2 + 2, lastTerm: T2, commit: p.snap2 + 2 };
    await settle();
    const afterSnap2 = [...afterN2, snap(p.snap2), ...seq(p.snap2 + 1, p.snap2 + 2)];
    checkApplied(afterSnap2, 0, true, `the snapshot up to ${p.snap2}, then entries ${p.snap2 + 1}–${p.snap2 + 2}`);

    // 5. A stale snapshot of this term (a late copy of an old one): nothing changes, and it is answered.
    await exchange({ type: "install_snapshot", term: T2, leaderId: L, lastIncludedIndex: p.snap1, lastIncludedTerm: T, data: commands.slice(0, p.snap1) }, "install_snapshot_resp", `a late install_snapshot up to ${p.snap1}`);
    await settle();
    checkApplied(afterSnap2, 0, true, `a snapshot up to ${p.snap1} ≤ commitIndex is ignored`);

    // 6. A crash and a restart: the snapshot and the log come back; the commit is learned again.
    const before = durableOf(state()!);
    const crashedAtMs = sim.now();
    sim.crash(F);
    const from = applied.length;
    sim.restart(F);
    if (sim.counters.errors > 0) return; // restore not written yet: pending (or an error the run reports)
    const after = durableOf(state()!);
    const differs = lost(before, after);
    if (differs.length > 0) {
      fail(RESTART_EXPECTED, `${F} restarted at t=${formatMs(sim.now())} with ${describeDurable(after)}; when it crashed at t=${formatMs(crashedAtMs)} it had ${describeDurable(before)} — lost: ${differs.join(", ")}`, { timeMs: sim.now(), node: F });
    }
    r = await exchange({ type: "append_entries", term: T2, leaderId: L, prevLogIndex: p.snap2 + 2, prevLogTerm: T2, entries: [], leaderCommit: p.snap2 + 2 }, "append_entries_resp", "a heartbeat after the restart");
    if (r.success !== true || r.term !== T2) {
      fail(
        `append_entries_resp success=true term=${T2} from ${F} after its restart: it has entries up to ${p.snap2 + 2} of term ${T2} on disk`,
        `success=${JSON.stringify(r.success)} term=${JSON.stringify(r.term)} (${F}: ${describe()})`,
        { timeMs: sim.now(), node: F, evidence: lastSent("append_entries") },
      );
    }
    await settle();
    checkApplied([snap(p.snap2), ...seq(p.snap2 + 1, p.snap2 + 2)], from, true, `after the restart: the snapshot up to ${p.snap2} from disk, then entries ${p.snap2 + 1}–${p.snap2 + 2} once the leader's commit arrives`);
    await settle(); // run past settle: nothing more may be applied
    checkApplied([snap(p.snap2), ...seq(p.snap2 + 1, p.snap2 + 2)], from, true, "nothing more");
  },
};

/** The scenarios: the grader's leader first, then 6.5840's 3D tests. */
export const SNAPSHOT_SCENARIOS: ReadonlyArray<Scenario<RaftApi, any>> = [
  scripted,
  snapcommon("snapshot basic: 3 servers, a snapshot every 10 entries, no failures", "none", false, 4),
  snapcommon("install snapshot: 3 servers, a disconnected follower (or leader) catches up by InstallSnapshot", "disconnect", false, 4),
  snapcommon("install snapshot, unreliable: 3 servers, disconnections, loss, duplication and reordering", "disconnect", true, 4),
  snapcommon("install snapshot after a crash: 3 servers, a crashed follower (or leader) restarts from its snapshot and catches up", "crash", false, 4),
  snapcommon("install snapshot after a crash, unreliable: 3 servers, crashes, loss, duplication and reordering", "crash", true, 4),
  allCrash,
];

/**
 * Grade 09E snapshots for one seed.
 *
 * @example
 * const result = await checkSnapshots(await loadTarget<RaftApi>("09-consensus-raft/raft"), 7);
 */
export function checkSnapshots(impl: RaftApi, seed: number): Promise<CheckResult> {
  return runScenarios(impl, seed, SNAPSHOT_SCENARIOS, { exercise: "09E snapshots" });
}
