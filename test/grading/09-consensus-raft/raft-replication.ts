/**
 * Check of exercise 09B log replication: 6.5840's 3B scenarios on the tester of raft-tester.ts, each
 * {@link TRIALS} trials per seed, names drawn per trial, a bystander spawned first, latency 1–5 ms,
 * safety (`RaftMonitor`, and every apply against every other server's) after every event. "one(c, n)"
 * is 6.5840's: propose c at the leader until n servers applied it.
 *
 * 1. **basic agreement** — 3 servers: nothing applied at index i before it was proposed; one(c, 3)
 *    lands at index 1, 2, 3;
 * 2. **RPC byte budget** — 3 servers, ten commands of 5000 characters: at most 3 × their size +
 *    50 000 bytes sent (each entry about once per follower);
 * 3. **follower failure** — a follower disconnected: one(c, 2) still commits; both followers
 *    disconnected: what the leader accepts is applied nowhere within 2 election timeouts;
 * 4. **leader failure** — the leader disconnected: the others commit; the new leader disconnected
 *    too: a command proposed at every server is applied nowhere;
 * 5. **agreement despite a disconnected follower** — it rejoins and catches up (one(c, 3));
 * 6. **no agreement without a majority** — 5 servers, 3 disconnected: the leader's entry (index 2)
 *    is applied nowhere; healed: the next proposal lands at index 2 or 3 and one(c, 5) commits;
 * 7. **concurrent starts** — 3 servers, 6 proposals at one instant: all applied everywhere, at
 *    the indices the leader gave;
 * 8. **rejoin of a partitioned leader** — the old leader appended 3 entries alone; it rejoins and
 *    its log is repaired (one(c, 3));
 * 9. **backup** — 5 servers; 50-entry divergences built as 6.5840's TestBackup3B does (its 50
 *    one(c, 3) in a row as 49 proposals and one one(c, 3)), then repaired:
 *    at most {@link BACKUP_REJECTIONS_MAX} rejected AppendEntries in the whole run (one entry back per
 *    rejection needs hundreds: roll nextIndex back a term at a time), and
 *    the final one(c, 5) within {@link BACKUP_FINAL_MS} ms;
 * 10. **agreement RPC budget** — 3 servers: ten entries committed with at most
 *    {@link AGREEMENT_MESSAGES_MAX} messages (requests and replies; 6.5840: (10 + 1 + 3) × 3 RPCs).
 *
 * Trials 0, 3, 6… run only the student's servers; the others mix in the grader's reference servers.
 */
import { runScenarios, trialsPerSeed, type CheckResult, type Trial } from "../check";
import { exercise } from "../exercises";
import { RAFT_MS, raftScenario, type RaftApi, type RaftTester } from "./raft-tester";

export type { RaftApi } from "./raft-tester";

/**
 * Trials per seed of each scenario: the 10 scenarios together run ≥ 135 trials over the registry's
 * seeds (check.ts's rule, counted over the grader: 10 × 5 seeds × TRIALS), at least 3 per seed so
 * every scenario meets all-student and mixed clusters. Each Raft trial is a whole 6.5840 test (6.5840
 * runs each once); 27 per scenario per seed would take the suite past its 10 s budget.
 */
export const TRIALS = Math.max(3, trialsPerSeed(exercise("09B").seeds.length * 10));
/** Trials per seed over all scenarios (the meta tests' count). */
export const TRIALS_PER_SEED = TRIALS * 10;

/** RPC byte budget: commands of this many characters, this many of them, and the slack (6.5840's numbers). */
export const BIG_COMMAND_CHARS = 5000;
export const BIG_COMMANDS = 10;
export const BYTES_SLACK = 50_000;
/** Rejected AppendEntries allowed in the backup scenario (fast back-up needs a few per divergence). */
export const BACKUP_REJECTIONS_MAX = 60;
/** The backup scenario's last one(c, 5), after the last heal, must commit within this long. */
export const BACKUP_FINAL_MS = 5000;
/** Agreement budget: entries, and the messages allowed for them (6.5840's (iters + 1 + 3) × 3 RPCs, replies counted too). */
export const AGREEMENT_ENTRIES = 10;
export const AGREEMENT_MESSAGES_MAX = 2 * (AGREEMENT_ENTRIES + 1 + 3) * 3;

const servers = (p: { ids: string[]; student: string[] }): string => `${p.ids.join(", ")} (yours: ${p.student.join(", ")})`;

/** The server `k` places after `id` in the cluster's order (6.5840's (leader + k) % n). */
function after(t: RaftTester, id: string, k: number): string {
  return t.ids[(t.ids.indexOf(id) + k) % t.ids.length];
}

/** Propose at `id`, which must accept as leader (6.5840's Start, `ok` required); the index. */
function start(t: RaftTester, id: string, command: unknown, why: string): number {
  const r = t.handle(id)?.propose(command);
  if (r?.kind !== "accepted") {
    t.fail(`leader ${id} to accept ${JSON.stringify(command)} (${why})`, `propose returned ${JSON.stringify(r)}: ${t.describe()}`, id);
  }
  return r.index;
}

/** Nothing applied at `index` (it was proposed without a majority). */
function checkNotCommitted(t: RaftTester, index: number, why: string): void {
  const c = t.nCommitted(index);
  if (c.count > 0) t.fail(`no server applies index ${index} (${why})`, `${c.count} server(s) applied ${JSON.stringify(c.command)} there: ${t.describe()}`);
}

function checkIndex(t: RaftTester, got: number, expected: number, command: unknown): void {
  if (got !== expected) t.fail(`one(${JSON.stringify(command)}) to land at index ${expected}`, `it was applied at index ${got}: ${t.describe()}`);
}

const rand = (trial: Trial): number => trial.rng.int(0, 1_000_000);

const basicAgree = raftScenario({
  name: (p) => `basic agreement: 3 servers ${servers(p)}`,
  trials: TRIALS,
  servers: 3,
  run: async (t) => {
    for (let index = 1; index <= 3; index++) {
      const c = t.nCommitted(index);
      if (c.count > 0) t.fail(`nothing applied at index ${index} before a command was proposed for it`, `${c.count} server(s) applied ${JSON.stringify(c.command)}: ${t.describe()}`);
      checkIndex(t, await t.one(index * 100, 3, false), index, index * 100);
    }
  },
});

const rpcBytes = raftScenario({
  name: (p) => `RPC byte budget: 3 servers ${servers(p)}, ${BIG_COMMANDS} commands of ${BIG_COMMAND_CHARS} characters`,
  trials: TRIALS,
  servers: 3,
  run: async (t, _p, trial) => {
    await t.one(99, 3, false);
    const bytes0 = t.rpcs().bytes;
    let sent = 0;
    for (let index = 2; index < 2 + BIG_COMMANDS; index++) {
      const cmd = `${index}:${trial.rng.int(0, 1e9).toString(36).padEnd(BIG_COMMAND_CHARS - 12, "x")}`;
      checkIndex(t, await t.one(cmd, 3, false), index, `<${cmd.length} characters>`);
      sent += cmd.length;
    }
    const got = t.rpcs().bytes - bytes0;
    const allowed = t.ids.length * sent + BYTES_SLACK;
    if (got > allowed) {
      t.fail(
        `at most ${allowed} bytes sent for ${BIG_COMMANDS} commands of ${BIG_COMMAND_CHARS} characters (3 × ${sent} + ${BYTES_SLACK}: each entry sent about once to each follower)`,
        `${got} bytes (${t.ids.map((id) => `${id} ${t.rpcs(id).bytes}`).join(", ")} in all): ${t.describe()}`,
      );
    }
  },
});

const followerFailure = raftScenario({
  name: (p) => `follower failure: 3 servers ${servers(p)}`,
  trials: TRIALS,
  servers: 3,
  run: async (t) => {
    await t.one(101, 3, false);
    const leader1 = await t.checkOneLeader();
    t.disconnect(after(t, leader1, 1));
    await t.one(102, 2, false);
    await t.run(RAFT_MS.electionMsMax);
    await t.one(103, 2, false);
    const leader2 = await t.checkOneLeader();
    t.disconnect(after(t, leader2, 1));
    t.disconnect(after(t, leader2, 2));
    const index = start(t, leader2, 104, "it is still leader of its term");
    if (index !== 4) t.fail(`index 4 for the fourth command`, `index ${index}: ${t.describe()}`);
    await t.run(2 * RAFT_MS.electionMsMax);
    checkNotCommitted(t, index, `both followers of ${leader2} are disconnected`);
  },
});

const leaderFailure = raftScenario({
  name: (p) => `leader failure: 3 servers ${servers(p)}`,
  trials: TRIALS,
  servers: 3,
  run: async (t) => {
    await t.one(101, 3, false);
    const leader1 = await t.checkOneLeader();
    t.disconnect(leader1);
    await t.one(102, 2, false);
    await t.run(RAFT_MS.electionMsMax);
    await t.one(103, 2, false);
    const leader2 = await t.checkOneLeader();
    t.disconnect(leader2);
    for (const id of t.ids) t.handle(id)?.propose(104);
    await t.run(2 * RAFT_MS.electionMsMax);
    checkNotCommitted(t, 4, `only one server is connected after ${leader1} and ${leader2} were disconnected`);
  },
});

const failAgree = raftScenario({
  name: (p) => `agreement despite a disconnected follower: 3 servers ${servers(p)}`,
  trials: TRIALS,
  servers: 3,
  run: async (t) => {
    await t.one(101, 3, false);
    const leader = await t.checkOneLeader();
    const follower = after(t, leader, 1);
    t.disconnect(follower);
    await t.one(102, 2, false);
    await t.one(103, 2, false);
    await t.run(RAFT_MS.electionMsMax);
    await t.one(104, 2, false);
    await t.one(105, 2, false);
    t.connect(follower);
    await t.one(106, 3, true);
    await t.run(RAFT_MS.electionMsMax);
    await t.one(107, 3, true);
  },
});

const failNoAgree = raftScenario({
  name: (p) => `no agreement without a majority: 5 servers ${servers(p)}`,
  trials: TRIALS,
  servers: 5,
  run: async (t) => {
    await t.one(10, 5, false);
    const leader = await t.checkOneLeader();
    const cut = [after(t, leader, 1), after(t, leader, 2), after(t, leader, 3)];
    for (const id of cut) t.disconnect(id);
    const index = start(t, leader, 20, "it is still leader of its term");
    if (index !== 2) t.fail(`index 2 for the second command`, `index ${index}: ${t.describe()}`);
    await t.run(2 * RAFT_MS.electionMsMax);
    checkNotCommitted(t, index, `${cut.join(", ")} are disconnected: 2 of 5 servers are no majority`);
    for (const id of cut) t.connect(id);
    const leader2 = await t.checkOneLeader();
    const index2 = start(t, leader2, 30, "just elected");
    if (index2 < 2 || index2 > 3) t.fail(`the next command at index 2 or 3 once healed`, `index ${index2}: ${t.describe()}`);
    await t.one(1000, 5, true);
  },
});

const concurrentStarts = raftScenario({
  name: (p) => `concurrent starts: 3 servers ${servers(p)}, 6 proposals at one instant`,
  trials: TRIALS,
  servers: 3,
  run: async (t) => {
    for (let attempt = 0; attempt < 5; attempt++) {
      if (attempt > 0) await t.run(3 * RAFT_MS.electionMsMax);
      const leader = await t.checkOneLeader();
      const term = t.states()[leader].currentTerm;
      const placed: Array<[number, number]> = [];
      for (let i = 0; i < 6; i++) {
        const cmd = 100 + i + 10 * attempt;
        const r = t.handle(leader)!.propose(cmd);
        if (r.kind === "accepted") placed.push([r.index, cmd]);
      }
      if (placed.length < 6) continue; // deposed in between: try again
      let ok = true;
      for (const [index, cmd] of placed) {
        const got = await t.wait(index, 3, term);
        if (got === undefined) {
          ok = false;
          break;
        }
        if (got !== cmd) t.fail(`index ${index} applied as ${cmd}, the command leader ${leader} accepted there`, `${JSON.stringify(got)}: ${t.describe()}`);
      }
      if (ok) return;
    }
    t.fail("6 concurrent proposals applied on all 3 servers (5 attempts)", `the term kept changing: ${t.describe()}`);
  },
});

const rejoin = raftScenario({
  name: (p) => `rejoin of a partitioned leader: 3 servers ${servers(p)}`,
  trials: TRIALS,
  servers: 3,
  run: async (t) => {
    await t.one(101, 3, true);
    const leader1 = await t.checkOneLeader();
    t.disconnect(leader1);
    for (const c of [102, 103, 104]) t.handle(leader1)!.propose(c);
    await t.one(103, 2, true);
    const leader2 = await t.checkOneLeader();
    t.disconnect(leader2);
    t.connect(leader1);
    await t.one(104, 2, true);
    t.connect(leader2);
    await t.one(105, 3, true);
  },
});

const backup = raftScenario({
  name: (p) => `backup: 5 servers ${servers(p)}, 50-entry divergences repaired`,
  trials: TRIALS,
  servers: 5,
  run: async (t, _p, trial) => {
    t.handle((await t.checkOneLeader()))!.propose(rand(trial));
    await t.one(rand(trial), 5, true);
    // Put the leader and one follower in a partition; they get 50 entries that cannot commit.
    const leader1 = await t.checkOneLeader();
    for (const k of [2, 3, 4]) t.disconnect(after(t, leader1, k));
    for (let i = 0; i < 50; i++) t.handle(leader1)!.propose(rand(trial));
    await t.run(RAFT_MS.electionMsMin / 2);
    t.disconnect(after(t, leader1, 0));
    t.disconnect(after(t, leader1, 1));
    // Let the other partition commit 50 entries.
    for (const k of [2, 3, 4]) t.connect(after(t, leader1, k));
    await commitMany(t, trial, 50, 3);
    // Now another partitioned leader and one follower: 50 entries that cannot commit.
    const leader2 = await t.checkOneLeader();
    let other = after(t, leader1, 2);
    if (leader2 === other) other = after(t, leader2, 1);
    t.disconnect(other);
    for (let i = 0; i < 50; i++) t.handle(leader2)!.propose(rand(trial));
    await t.run(RAFT_MS.electionMsMin / 2);
    // Bring the original leader back to life, with the one follower that diverged with it.
    for (const id of t.ids) t.disconnect(id);
    t.connect(after(t, leader1, 0));
    t.connect(after(t, leader1, 1));
    t.connect(other);
    await commitMany(t, trial, 50, 3);
    // Now everyone.
    for (const id of t.ids) t.connect(id);
    const healed = t.sim.now();
    await t.one(rand(trial), 5, true);
    const tookMs = t.sim.now() - healed;
    if (tookMs > BACKUP_FINAL_MS) t.fail(`the last one(c, 5) after the final heal within ${BACKUP_FINAL_MS} ms`, `it took ${tookMs.toFixed(0)} ms: ${t.describe()}`);
    const rejected = rejections(t);
    backupMeasured.trials++;
    backupMeasured.rejectionsMax = Math.max(backupMeasured.rejectionsMax, rejected);
    backupMeasured.finalMsMax = Math.max(backupMeasured.finalMsMax, tookMs);
    backupMeasured.committedMin = Math.min(backupMeasured.committedMin, Math.min(...Object.values(t.states()).map((s) => s.commitIndex)));
    if (rejected > BACKUP_REJECTIONS_MAX) {
      t.fail(
        `at most ${BACKUP_REJECTIONS_MAX} rejected append_entries in the whole run (back nextIndex up past a whole conflicting term per rejection, with conflictTerm / conflictIndex)`,
        `${rejected} rejections (append_entries_resp with success: false): ${t.describe()}`,
      );
    }
  },
});

/**
 * 6.5840 runs one(c, 3) fifty times in a row; here the leader takes 49 commands at once and
 * one(c, n) commits the 50th (and with it all before it that the leader still holds): the same
 * divergence, in a tenth of the virtual time.
 */
async function commitMany(t: RaftTester, trial: Trial, count: number, n: number): Promise<void> {
  await t.one(rand(trial), n, true); // first a leader that commits (not a deposed one that has not heard yet)
  const leader = await t.checkOneLeader();
  for (let i = 0; i < count - 2; i++) t.handle(leader)!.propose(rand(trial));
  await t.one(rand(trial), n, true);
}

/** What the backup scenario met, over every trial run in this process (the bench and meta tests read it). */
export const backupMeasured = { trials: 0, rejectionsMax: 0, finalMsMax: 0, committedMin: Infinity };

/** append_entries_resp with success false, sent by all servers (counted by the tester). */
function rejections(t: RaftTester): number {
  return t.rpcs().appendRejections;
}

const rpcCount = raftScenario({
  name: (p) => `agreement RPC budget: 3 servers ${servers(p)}, ${AGREEMENT_ENTRIES} entries`,
  trials: TRIALS,
  servers: 3,
  run: async (t, _p, trial) => {
    for (let attempt = 0; attempt < 5; attempt++) {
      if (attempt > 0) await t.run(3 * RAFT_MS.electionMsMax);
      const leader = await t.checkOneLeader();
      const total1 = t.rpcs().total;
      const term = t.states()[leader].currentTerm;
      const first = t.handle(leader)!.propose(1);
      if (first.kind !== "accepted") continue;
      const placed: Array<[number, number]> = [];
      for (let i = 1; i <= AGREEMENT_ENTRIES; i++) {
        const cmd = rand(trial);
        const r = t.handle(leader)!.propose(cmd);
        if (r.kind !== "accepted" || r.index !== first.index + i) break;
        placed.push([r.index, cmd]);
      }
      if (placed.length < AGREEMENT_ENTRIES) continue;
      let ok = true;
      for (const [index, cmd] of placed) {
        const got = await t.wait(index, 3, term);
        if (got === undefined) {
          ok = false;
          break;
        }
        if (got !== cmd) t.fail(`index ${index} applied as ${cmd}`, `${JSON.stringify(got)}: ${t.describe()}`);
      }
      if (!ok) continue;
      const used = t.rpcs().total - total1;
      if (used > AGREEMENT_MESSAGES_MAX) {
        t.fail(
          `at most ${AGREEMENT_MESSAGES_MAX} messages (requests and replies) to commit ${AGREEMENT_ENTRIES + 1} entries on 3 servers`,
          `${used}: ${t.describe()}`,
        );
      }
      return;
    }
    t.fail(`${AGREEMENT_ENTRIES} entries committed on 3 servers (5 attempts)`, `the term kept changing: ${t.describe()}`);
  },
});

/** The scenarios, for the bench. */
export const REPLICATION_SCENARIOS = [basicAgree, rpcBytes, followerFailure, leaderFailure, failAgree, failNoAgree, concurrentStarts, rejoin, backup, rpcCount];

/**
 * Grade a Raft's log replication (09B) with one seed.
 *
 * @example
 * const result = await checkRaftReplication({ raft: raftReference }, 1); // result.status === "pass"
 */
export function checkRaftReplication(api: RaftApi, seed: number): Promise<CheckResult> {
  return runScenarios(api, seed, REPLICATION_SCENARIOS, { exercise: "09B log-replication" });
}
