// Meta tests of the graders of notebook 09 (test/grading/meta.ts says what each checks): the
// reference passes, the stub is pending, and each buggy fixture is rejected for its stated reason.
import { describe, expect, it } from "vitest";
import { exercise, loadModule } from "../grading";
import { measuring, metaTests, notImplemented, type Graded } from "../grading/meta";
import { runScenarios } from "../grading/check";
import { RAFT_MESSAGE_TYPES } from "../../lib/raft/index";
import { checkRaftElection, TRIALS_PER_SEED as ELECTION_TRIALS, type RaftApi } from "../grading/09-consensus-raft/raft-election";
import { checkRaftReplication, TRIALS_PER_SEED as REPLICATION_TRIALS, backupMeasured, BACKUP_REJECTIONS_MAX } from "../grading/09-consensus-raft/raft-replication";
import { builtMeasured, checkPersistence, PERSISTENCE_SCENARIOS, RESTART_EXPECTED, TRIALS as PERSISTENCE_TRIALS } from "../grading/09-consensus-raft/raft-persistence";
import { checkKv, kvStats, TRIALS as KV_TRIALS, type KvApi } from "../grading/09-consensus-raft/kv";
import { checkSnapshots, TRIALS as SNAPSHOT_TRIALS } from "../grading/09-consensus-raft/raft-snapshot";

/** A stand-in for the untouched Raft stub, throwing for exercise `id`. */
function raftStub(id: string): RaftApi {
  const todo = (): never => notImplemented(exercise(id));
  return { raft: { machine: { name: "raft", messageTypes: RAFT_MESSAGE_TYPES, init: todo, restore: todo, step: todo, tick: todo }, propose: todo, snapshot: todo } };
}

/** Raft's safety monitor reported a violation (the start of every such failure). */
const SAFETY = String.raw`Raft's safety properties after every event \(election safety, log matching, leader completeness, state machine safety, commit index never going back\); got `;

export const raftElection: Graded<RaftApi> = {
  exercise: exercise("09A"),
  check: checkRaftElection,
  trials: ELECTION_TRIALS,
  stub: raftStub("09A"),
  buggy: [
    // The same timeout everywhere: split votes forever in the all-student trials.
    ["raft-election-fixed-timeout", /one leader among the connected servers .* within 5000 ms \(from t=0ms\); got no leader at t=5000ms: .*candidate term \d+/],
    ["raft-election-votes-twice", new RegExp(SAFETY + String.raw`election safety: term \d+ has two leaders, \S+ and \S+`)],
    ["raft-election-no-step-down", /no connected server still leader of an older term \d+ ms after .* rejoined .*; got \S+ is still leader of term \d+/],
    ["raft-election-heartbeat-no-reset", /no new term for \d+ ms without failures \(the leader's heartbeats every \d+ ms reset the followers' election timers\); got the term went from \d+ to \d+/],
  ],
  accepted: ["raft-conflict-index-only", "raft-sends-on-heartbeat"],
};
metaTests(raftElection);

describe("grader 09A leader-election: the untouched stub", () => {
  it("reports exercises/09-consensus-raft/raft.ts as pending, naming the file", async () => {
    const stub = await loadModule<RaftApi>("exercises/09-consensus-raft/raft");
    const r = await checkRaftElection(stub, 1);
    expect(r.status).toBe("pending");
    expect(r.pendingMessage).toBe("Exercise 09A (leader-election) is not implemented yet: open exercises/09-consensus-raft/raft.ts");
  });
});

export const raftReplication: Graded<RaftApi> = {
  exercise: exercise("09B"),
  check: checkRaftReplication,
  trials: REPLICATION_TRIALS,
  stub: raftStub("09B"),
  buggy: [
    // An election bug 09A cannot see (its logs are empty): the rejoining follower with a short log wins.
    ["raft-election-no-up-to-date-check", new RegExp(SAFETY + String.raw`leader completeness: \S+, leader of term \d+, lacks .* committed by term \d+`)],
    ["raft-replication-no-consistency-check", new RegExp(SAFETY + String.raw`(log matching: \S+ and \S+ both have an entry|state machine safety: \S+ applied .* at index \d+, but \S+ applied .* there)`)],
    ["raft-replication-back-up-by-one", /at most \d+ rejected append_entries in the whole run \(back nextIndex up past a whole conflicting term per rejection, with conflictTerm \/ conflictIndex\); got \d+ rejections/],
    ["raft-replication-applies-at-propose", /no server applies index \d+ \(.*\); got 1 server\(s\) applied \d+ there/],
    ["raft-replication-commit-before-check", new RegExp(SAFETY + String.raw`(state machine safety: \S+ applied .* at index \d+, but \S+ applied .* there|committed .* at index \d+ on \S+, but \S+ had committed)`)],
  ],
  accepted: ["raft-conflict-index-only", "raft-sends-on-heartbeat"],
};
metaTests(raftReplication);

describe("grader 09B log-replication: what its trials contain", () => {
  it("the backup scenario builds 50-entry divergences, and the reference repairs them far under the budget", async () => {
    const solution = await loadModule<RaftApi>("solutions/09-consensus-raft/raft");
    Object.assign(backupMeasured, { trials: 0, rejectionsMax: 0, finalMsMax: 0, committedMin: Infinity });
    expect((await checkRaftReplication(solution, exercise("09B").seeds[0])).status).toBe("pass");
    expect(backupMeasured.trials).toBeGreaterThan(0);
    expect(backupMeasured.committedMin).toBeGreaterThanOrEqual(103); // 2 + 50 + 50 + 1 committed, 2 × 50 overwritten
    expect(backupMeasured.rejectionsMax * 3).toBeLessThanOrEqual(BACKUP_REJECTIONS_MAX);
  });
});

/** A restart that did not bring back what the server had at its crash (the got-text of the restart check). */
const RESTARTED = String.raw`\S+ restarted at t=[\d.]+ms with currentTerm \d+, votedFor (null|"\S+"), .*; when it crashed at t=[\d.]+ms it had currentTerm \d+, votedFor (null|"\S+"), .* — lost: `;

export const raftPersistence: Graded<RaftApi> = {
  exercise: exercise("09C"),
  check: checkPersistence,
  trials: PERSISTENCE_TRIALS,
  stub: raftStub("09C"),
  buggy: [
    // The vote scenario: the voter crashes right after voting, forgets it, and elects a second leader of the term.
    ["raft-persist-no-voted-for", new RegExp(SAFETY + String.raw`election safety: term \d+ has two leaders, \S+ and \S+ .*; what led to it: \S+ restarted at t=[\d.]+ms with currentTerm \d+, votedFor null, .* — lost: votedFor$`)],
    ["raft-persist-after-send", new RegExp(SAFETY + String.raw`election safety: term \d+ has two leaders, \S+ and \S+ .*; what led to it: ` + RESTARTED + "currentTerm, votedFor$")],
    ["raft-persist-restore-ignores-term", new RegExp(SAFETY + String.raw`election safety: term \d+ has two leaders, \S+ and \S+ .*; what led to it: \S+ restarted at t=[\d.]+ms with currentTerm 0, votedFor "\S+", .* — lost: currentTerm$`)],
    // persist 1: every server crashes; a follower's log was only in memory.
    ["raft-persist-no-follower-log", new RegExp(escape(RESTART_EXPECTED) + "; got " + RESTARTED + String.raw`the log \(from index \d+: had term \d+ \S+, now nothing\)$`)],
    ["raft-persist-counts-old-terms", new RegExp(SAFETY + String.raw`\S+, leader of term \d+, moved commitIndex from \d+ to \d+, an entry of term \d+: a leader commits by counting replicas only an entry of its own term`)],
  ],
  accepted: ["raft-persist-whole-state"],
};
metaTests(raftPersistence);

describe("grader 09C persistence: what its built scenarios reach", () => {
  it("the third server asks the restarted voter in the term of its vote, and Figure 8's old entry reaches a majority under the student's leader", async () => {
    const solution = await loadModule<RaftApi>("solutions/09-consensus-raft/raft");
    Object.assign(builtMeasured, { voteTrials: 0, voteAskedSameTerm: 0, figure8Trials: 0, figure8Majority: 0 });
    const built = [PERSISTENCE_SCENARIOS[0], PERSISTENCE_SCENARIOS[4]];
    for (const seed of exercise("09C").seeds) expect((await runScenarios(solution, seed, built)).status).toBe("pass");
    console.log(`09C built scenarios, reference: ${JSON.stringify(builtMeasured)}`);
    expect(builtMeasured.voteTrials).toBe(15);
    expect(builtMeasured.voteAskedSameTerm).toBeGreaterThanOrEqual(12);
    expect(builtMeasured.figure8Trials).toBe(15);
    expect(builtMeasured.figure8Majority).toBeGreaterThanOrEqual(12);
  });
});

/** A text as a regular expression that matches it literally. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A linearizability failure of exercise 09D, on the given side, with its diagnosis. */
const KV_NOT_LINEARIZABLE = (side: "servers" | "clerks"): string =>
  String.raw`a linearizable history of the key–value store \(your ${side} with the grader's ${side === "servers" ? "clerks" : "servers"}; [^)]*\): .*; got `;

export const kv: Graded<KvApi> = {
  exercise: exercise("09D"),
  check: checkKv,
  trials: KV_TRIALS,
  stub: { kvServer: () => notImplemented(exercise("09D")), kvClerk: () => notImplemented(exercise("09D")) },
  buggy: [
    // Exactly once: no duplicate table; a table lost in snapshots; a clerk that renumbers its retries.
    ["kv-applies-retry-twice", new RegExp(KV_NOT_LINEARIZABLE("servers") + String.raw`cr's get\("k"\) at t=[\d.]+ms returned "(a ){2,}": ca's append "a " \(one operation, retried with one seq\) applied \d+ times, before the servers crashed`)],
    ["kv-sessions-not-in-snapshot", new RegExp(KV_NOT_LINEARIZABLE("servers") + String.raw`\w+'s get\("k"\) at t=[\d.]+ms returned "(a ){2,}": ca's append "a " \(one operation, retried with one seq\) applied \d+ times, after every server restarted from its snapshot`)],
    ["kv-clerk-new-seq-per-retry", new RegExp(KV_NOT_LINEARIZABLE("clerks") + String.raw`\w+'s get\("k"\) at t=[\d.]+ms returned "(a ){2,}": ca's append "a " \(one operation, retried with one seq\) applied \d+ times`)],
    // Linearizable reads and replies: a read without the log; an ok from another term's entry.
    ["kv-reads-without-log", new RegExp(KV_NOT_LINEARIZABLE("servers") + String.raw`cc's get\("j"\) invoked at t=[\d.]+ms was answered at t=[\d.]+ms with "[^"]*", while cc's side \(the old leader\) was cut off from the majority until t=[\d.]+ms: a read answered without the log`)],
    ["kv-reply-other-term", new RegExp(KV_NOT_LINEARIZABLE("servers") + String.raw`ca's append\("k", "lost\? "\) was answered ok at t=[\d.]+ms, but \w+'s get invoked after it, at t=[\d.]+ms, returned "": the append was never applied — the ok came from another entry at its index`)],
  ],
  accepted: ["kv-table-answers-retries"],
};

metaTests(kv);

describe("grader 09D kv: what its trials contain", () => {
  it("the reference completes many operations under faults in every scenario", async () => {
    const impl = await loadModule<KvApi>("solutions/09-consensus-raft/kv");
    const seed = kv.exercise.seeds[0];
    expect((await checkKv(impl, seed)).status).toBe("pass");
    const stats = kvStats(impl)!;
    console.log(`09D reference, seed ${seed}: ${JSON.stringify(stats)}`);
    expect(stats.trials).toBe(KV_TRIALS);
    expect(stats.ok).toBe(stats.operations); // every operation completed after healing
    expect(stats.ok).toBeGreaterThan(KV_TRIALS * 20);
    expect(stats.faults).toBeGreaterThan(KV_TRIALS * 2);
  });
});

export const raftSnapshots: Graded<RaftApi> = {
  exercise: exercise("09E"),
  check: checkSnapshots,
  trials: SNAPSHOT_TRIALS,
  stub: raftStub("09E"),
  buggy: [
    // The grader's leader: entries, a snapshot inside them (some not applied yet, some after it), more entries.
    ["raft-snapshot-reapplies-below", /\S+'s service to get, in order: .*; got .* — \d+ after all that was due \(the snapshot up to \d+ already holds it\)/],
    ["raft-snapshot-drops-matching-entries", /append_entries_resp success=true matchIndex=\d+ from \S+: it had entries \d+–\d+ after the snapshot up to \d+, which matched the snapshot's last entry .* \(Figure 13, receiver step 6\).*; got success=false/],
    ["raft-snapshot-forgets-index", new RegExp(escape(RESTART_EXPECTED) + "; got " + RESTARTED + "snapshotIndex/snapshotTerm$")],
    // install snapshot: the disconnected follower rejoins and gets the same snapshot at every heartbeat.
    ["raft-snapshot-next-not-advanced", /one\(.*\): 3 server\(s\) apply it within 10000 ms, retrying at the current leader; got .*; install_snapshot messages sent meanwhile: .*\S+ \d{2,}/],
    // snapshot basic: the service snapshots, and the log keeps everything.
    ["raft-snapshot-never-compacts", /got RangeError: raft \S+ at t=[\d.]+ms: snapshot\(state, \d+, data\) left snapshotIndex at \d+: it must become \d+, with the entries up to it dropped from the log/],
  ],
  accepted: ["raft-snapshot-append-at-heartbeat"],
};
metaTests(raftSnapshots);
