// Meta tests of the graders of notebook 08 (test/grading/meta.ts says what each checks): the
// reference passes, the stub is pending, and each buggy fixture is rejected for its stated reason.
import { describe, expect, it } from "vitest";
import { exercise, loadModule } from "../grading";
import { BYSTANDER, measuring, metaTests, notImplemented, type Graded } from "../grading/meta";
import {
  checkPrimaryBackup,
  PROGRESS_MS as PRIMARY_BACKUP_PROGRESS_MS,
  SCENARIOS as PRIMARY_BACKUP_SCENARIOS,
  TRIALS as PRIMARY_BACKUP_TRIALS,
  TRIALS_PER_SCENARIO as PRIMARY_BACKUP_TRIALS_PER_SCENARIO,
  type PrimaryBackupApi,
  type PrimaryBackupStats,
} from "../grading/08-redundancy-and-recovery/primary-backup";
import { checkSnapshot, TRIALS as SNAPSHOT_TRIALS, type SnapshotApi, type SnapshotStats } from "../grading/08-redundancy-and-recovery/snapshot";
import { BALANCE_MAX, checkHashRing, hash32 as graderHash32, TRIALS as HASH_RING_TRIALS, type HashRingApi, type HashRingStats } from "../grading/08-redundancy-and-recovery/hash-ring";
import { hash32 as stubHash32 } from "../../exercises/08-redundancy-and-recovery/hash-ring";
import { checkQuorum, TRIALS as QUORUM_TRIALS, type QuorumApi, type QuorumStats } from "../grading/08-redundancy-and-recovery/quorum";

const primaryBackupMeasured = new WeakMap<object, Map<number, PrimaryBackupStats>>();
const checkPrimaryBackupMeasured = measuring<PrimaryBackupApi, PrimaryBackupStats>(
  primaryBackupMeasured,
  () => ({ trials: 0, operations: 0, completed: 0, viewChanges: 0, cutOffRequests: 0, finishAfterFaultMsMax: 0 }),
  checkPrimaryBackup,
);

/** A get that misses an acknowledged write, answered by a server the view service had replaced. */
const STALE_READ = String.raw`a stale read: \w+'s (append|put)\("\w+", "\w+;"\) was acknowledged at t=[\d.]+ms by \w+ \(primary of view \d+\), but get\("\w+"\) by \w+, sent at t=[\d.]+ms, returned "[\w;]*" without it; the get was answered by (\w+) \(not the primary of the view service's view \d+ at t=[\d.]+ms: primary \w+, backup \w+\); \2 answered it `;

export const primaryBackup: Graded<PrimaryBackupApi> = {
  exercise: exercise("08.1"),
  check: checkPrimaryBackupMeasured,
  trials: PRIMARY_BACKUP_TRIALS,
  stub: { primaryBackupServer: () => notImplemented(exercise("08.1")) },
  buggy: [
    // The primary answers before the backup has the operation.
    ["primary-backup-reply-before-forward", new RegExp(`${STALE_READ}first and only then sent \\2 → \\w+ \\w+ .*\\(answer the client only after the backup's acknowledgement\\)`)],
    // A new backup (and later primary) that never got the state.
    ["primary-backup-no-state-transfer", /a lost write: \w+'s (append|put)\("\w+", "\w+;"\) was acknowledged at t=[\d.]+ms by \w+ \(primary of view \d+\), but get\("\w+"\) by \w+, sent at t=[\d.]+ms, returned "[\w;]*" without it; the get was answered by (\w+) \(primary of view \d+\); \2 was neither primary nor backup of view \d+ .* when the \1 was acknowledged, so it could have it only from a state transfer/],
    // A retried append applied again.
    ["primary-backup-no-dedup", /an append that took effect twice: get\("\w+"\) by \w+ returned "[\w;]*", with "(\w+;)" in it twice — \w+'s append\("\w+", "\1"\), retried with the same seq, was applied again/],
    // The promoted backup accepts the old primary's forward.
    ["primary-backup-no-view-check", new RegExp(`${STALE_READ}after (\\w+) → \\2 \\w+ .*; but \\3 \\(primary of view \\d+\\) — a backup must refuse a forward unless it comes from the primary of its own view`)],
    // The old primary answers gets from its own store.
    ["primary-backup-local-reads", new RegExp(`${STALE_READ}without a message to any other server in between \\(the backup must see every operation, gets too, before the answer\\)`)],
    // A late copy of a state transfer rolls the backup back (store and dedup table); shows once it is promoted.
    ["primary-backup-transfer-rollback", /(an append that took effect twice|a lost write): .*answered by \w+ \(primary of view \d+\)/],
  ],
  accepted: ["primary-backup-promise-chain"],
};

metaTests(primaryBackup);

describe("grader 08.1 primary-backup: what its trials contain", () => {
  it("the reference meets failovers and a cut-off primary, completes every operation, and finishes well within the bound", async () => {
    const impl = await loadModule<PrimaryBackupApi>("solutions/08-redundancy-and-recovery/primary-backup");
    for (const seed of primaryBackup.exercise.seeds) {
      if (!primaryBackupMeasured.get(impl)?.has(seed)) expect((await checkPrimaryBackupMeasured(impl, seed)).status).toBe("pass"); // run alone (-t)
    }
    const all = Array.from(primaryBackupMeasured.get(impl)!.values());
    const sum = (key: keyof PrimaryBackupStats): number => all.reduce((n, s) => n + s[key], 0);
    const stats = {
      trials: sum("trials"),
      operations: sum("operations"),
      completed: sum("completed"),
      viewChanges: sum("viewChanges"),
      cutOffRequests: sum("cutOffRequests"),
      finishAfterFaultMsMax: Math.max(...all.map((s) => s.finishAfterFaultMsMax)),
    };
    console.log(`08.1 reference: ${JSON.stringify(stats)}`);
    const seeds = primaryBackup.exercise.seeds.length;
    expect(stats.trials).toBe(seeds * PRIMARY_BACKUP_TRIALS);
    expect(PRIMARY_BACKUP_TRIALS).toBe(PRIMARY_BACKUP_SCENARIOS * PRIMARY_BACKUP_TRIALS_PER_SCENARIO);
    expect(stats.operations).toBeGreaterThan(stats.trials * 18); // 3 clients × 6–10 operations
    expect(stats.completed).toBe(stats.operations); // progress: every operation answered
    expect(stats.viewChanges).toBeGreaterThan(stats.trials); // failovers, and backups joining
    expect(stats.cutOffRequests).toBe(seeds * PRIMARY_BACKUP_TRIALS_PER_SCENARIO); // the cut-off primary is asked in every such trial
    expect(stats.finishAfterFaultMsMax).toBeLessThan(PRIMARY_BACKUP_PROGRESS_MS);
  });
});

/** What the first check of each seed met, per implementation (for the tests of the trials below). */
const snapshotMeasured = new WeakMap<object, Map<number, SnapshotStats>>();
const checkSnapshotMeasured = measuring<SnapshotApi, SnapshotStats>(
  snapshotMeasured,
  () => ({ trials: 0, transfers: 0, reports: 0, channelsInFlight: 0, arrivedEarly: 0, markersOvertaking: 0, overlapping: 0 }),
  checkSnapshot,
);

/** The conservation rule at one branch, up to "got …, N missing — ". */
const CONSERVATION = String.raw`snapshot "[\w-]+": [\w-]+'s recorded balance \+ what it recorded in flight to it = its money at its cut: \d+ at the start − \d+ it sent before its markers \+ \d+ sent to it before its senders' markers = \d+; got balance \d+ \+ in flight \d+ = \d+, \d+ missing — `;
/** The exact channel rule, up to "got channels[…] = […] — ". */
const EXACT = String.raw`snapshot "[\w-]+": channels\["[\w-]+"\] reported by [\w-]+ to be exactly \[[\d, ]*\]: the transfers [\w-]+ sent [\w-]+ before its marker \(seq \d+\) that [\w-]+ had not received when it recorded and sent its markers at t=[\d.]+ms \((no message of the channel had arrived yet|seq 1–\d+ had arrived in order)\); got channels\["[\w-]+"\] = \[[\d, ]*\] — `;
/** The channel rule, up to "got channels[…] = […]". */
const CHANNEL = String.raw`snapshot "[\w-]+": channels\["[\w-]+"\] reported by [\w-]+ to be a tail of the transfers [\w-]+ sent [\w-]+ before its marker \(seq \d+\): of \[[\d, ]*\] \(seq ([\d, ]+|none)\), those [\w-]+ had not received when it recorded — \[\] if none; got channels\["[\w-]+"\] = \[[\d, ]*\] — `;

export const snapshot: Graded<SnapshotApi> = {
  exercise: exercise("08.2"),
  check: checkSnapshotMeasured,
  trials: SNAPSHOT_TRIALS,
  stub: { bankBranch: () => notImplemented(exercise("08.2")) },
  buggy: [
    // The money in flight: not recorded at all; recorded past the marker; filed under the wrong channel.
    ["snapshot-no-channel-state", new RegExp(`${EXACT}[\\w-]+ recorded no channel state, but .* was in flight when [\\w-]+ recorded: money in flight belongs in channels\\["[\\w-]+"\\]`)],
    ["snapshot-records-after-marker", new RegExp(`${CHANNEL}.* was sent after the marker: stop recording a channel once its marker has been processed`)],
    ["snapshot-channels-by-dest", /key channels by the branch each channel comes from \(\[.*\]\): channels\[from\] is what was in flight on from → ([\w-]+); got channels has the key "\1" — \1 itself \(the channel's destination, not its source\)/],
    // FIFO from seq: ignored on receipt; one counter for all channels.
    ["snapshot-ignores-seq", new RegExp(`(${CHANNEL}.* was sent after the marker but arrived before it|(${EXACT}|${CONSERVATION}).* was sent before the marker .* but arrived after it): process each channel's messages in seq order, holding back early ones`)],
    ["snapshot-global-seq", /seq 1, 2, 3, … on the channel [\w-]+ → [\w-]+, in the order sent \(transfers and markers of one channel share the count; each channel counts on its own\); got .* the \d+(st|nd|rd|th) message on that channel, carries seq=\d+/],
    // The marker rules: markers forwarded before the state is recorded; one snapshot at a time; peers().
    ["snapshot-markers-before-record", new RegExp(`(${EXACT}|${CONSERVATION})([\\w-]+'s report is exactly its state after .*, not at t=[\\d.]+ms when it sent its markers: it recorded its state after sending its markers|exactly what [\\w-]+ transferred after sending its markers \\(.*\\): the recorded balance must be the one the markers cut at) — record the balance, then send the markers, in one step`)],
    ["snapshot-one-at-a-time", /(never sent [\w-]+ a marker of "[\w-]+" by t=[\d.]+ms, although \d+ marker\(s\) of it reached [\w-]+|never reported "[\w-]+", although the markers).* — snapshots? .* (was|were) in progress at [\w-]+ at the same time: keep each snapshot's recording apart/],
    ["snapshot-peers", new RegExp(BYSTANDER)],
  ],
  accepted: ["snapshot-fifo-class"],
};

metaTests(snapshot);

describe("grader 08.2 snapshot: what its trials contain", () => {
  it("the reference meets money in flight, reordered markers and overlapping snapshots in every seed", async () => {
    const impl = await loadModule<SnapshotApi>("solutions/08-redundancy-and-recovery/snapshot");
    for (const seed of snapshot.exercise.seeds) {
      if (!snapshotMeasured.get(impl)?.has(seed)) expect((await checkSnapshotMeasured(impl, seed)).status).toBe("pass"); // run alone (-t)
    }
    const all = Array.from(snapshotMeasured.get(impl)!.values());
    const total = (key: keyof SnapshotStats): number => all.reduce((n, s) => n + s[key], 0);
    const stats = {
      trials: total("trials"),
      transfers: total("transfers"),
      reports: total("reports"),
      channelsInFlight: total("channelsInFlight"),
      arrivedEarly: total("arrivedEarly"),
      markersOvertaking: total("markersOvertaking"),
      overlapping: total("overlapping"),
    };
    console.log(`08.2 reference: ${JSON.stringify(stats)}`);
    expect(stats.trials).toBe(snapshot.exercise.seeds.length * SNAPSHOT_TRIALS);
    expect(stats.transfers).toBeGreaterThan(stats.trials * 100);
    expect(stats.reports).toBeGreaterThanOrEqual(stats.trials * 3 * 3); // 3 snapshots × ≥ 3 branches
    expect(stats.channelsInFlight).toBeGreaterThan(stats.trials * 5); // snapshots that caught money in flight
    expect(stats.markersOvertaking).toBeGreaterThan(stats.trials * 3); // markers that had to be held back
    expect(stats.overlapping).toBeGreaterThan(stats.trials * 0.8); // the two concurrent snapshots met at a branch
  });
});

// 08.3 also uses describe, expect, it, exercise, loadModule, measuring, metaTests, notImplemented and
// Graded, imported above (one import of each per file).

/** What the first check of each seed met, per implementation (for the tests of the trials below). */
const hashRingMeasured = new WeakMap<object, Map<number, HashRingStats>>();
const checkHashRingMeasured = measuring<HashRingApi, HashRingStats>(
  hashRingMeasured,
  () => ({ trials: 0, ownerCalls: 0, sharedPositions: 0, wrappedKeys: 0, balanceMax: 0 }),
  checkHashRing,
);

/** The stats of every seed of an implementation (checking the seeds not yet checked). */
async function hashRingStatsAll(impl: HashRingApi, seeds: readonly number[]): Promise<HashRingStats[]> {
  for (const seed of seeds) {
    if (!hashRingMeasured.get(impl)?.has(seed)) expect((await checkHashRingMeasured(impl, seed)).status).toBe("pass"); // run alone (-t)
  }
  return Array.from(hashRingMeasured.get(impl)!.values());
}

class HashRingStub {
  constructor(_options: { virtualNodes: number }) {}
  addPartition(_id: string): void {
    notImplemented(exercise("08.3"));
  }
  removePartition(_id: string): void {
    notImplemented(exercise("08.3"));
  }
  ownerOf(_key: string): string {
    return notImplemented(exercise("08.3"));
  }
  partitions(): string[] {
    return notImplemented(exercise("08.3"));
  }
}

export const hashRing: Graded<HashRingApi> = {
  exercise: exercise("08.3"),
  check: checkHashRingMeasured,
  trials: HASH_RING_TRIALS,
  stub: { ConsistentHashRing: HashRingStub },
  buggy: [
    ["hash-ring-mod-n", /adding "[\w-]+" to \[.*\] to move keys only to [\w-]+ \(every other key keeps its owner\); got ownerOf\("\w+:\d+"\) was "[\w-]+" and is now "[\w-]+"; [\d,]+ keys moved between old partitions — [\d,]+ of 10,000 keys changed owner: hash % \(number of partitions\) moves most keys/],
    ["hash-ring-no-virtual-nodes", /with virtualNodes = 100 and 10 partitions \[.*\], the busiest to own fewer than 1\.5 × the mean \(1,000 of 10,000 keys\); got [\w-]+ owns [\d,]+ keys = [2-9]\.\d\d × the mean/],
    ["hash-ring-wrap-nobody", /every key owned by exactly one current partition \[.*\] after step \d+ .*; got ownerOf\("\w+:\d+"\) returned undefined — hash32\("\w+:\d+"\) = [\d,]+ is past the last point \([\d,]+\): the ring wraps around to the lowest point/],
    ["hash-ring-wrap-last", /ownerOf\("\w+:\d+"\) = "[\w-]+" after step \d+ .*: hash32\("\w+:\d+"\) = [\d,]+, past the last point \([\d,]+\), so the ring wraps around to the lowest point, [\w-]+#\d+ at [\d,]+; got "[\w-]+"/],
    ["hash-ring-insertion-order-ties", /the owner of a key to depend only on the set of partitions \[.*\]: a new ring \(virtualNodes=100\) built by adding them in ascending id order, with "[\w-]+" added after the first and removed at the end agrees .*; got ownerOf\("\w+:\d+"\) is "shard-\d+" in the new ring and "shard-\d+" in the ring of the sequence — the key's point position [\d,]+ is shared by shard-\d+#\d+ and shard-\d+#\d+: the smaller id wins, whatever the order of the adds/],
    ["hash-ring-stale-points", /every key owned by exactly one current partition \[.*\] after step \d+ \(remove ([\w-]+);.*\); got ownerOf\("\w+:\d+"\) returned "\1", which is not on the ring \(removed: are its points still there\?\)/],
  ],
  accepted: ["hash-ring-lazy-rebuild"],
};

metaTests(hashRing);

describe("grader 08.3 hash-ring: what its trials contain", () => {
  it("the stub's hash32 is the grader's", () => {
    for (const text of ["", "a", "db1#0", "user:42", "shard-267#54", "ünïcode"]) expect(stubHash32(text)).toBe(graderHash32(text));
  });

  it("the reference meets shared positions and wrapped keys, and its balance stays under the bound", async () => {
    const impl = await loadModule<HashRingApi>("solutions/08-redundancy-and-recovery/hash-ring");
    const all = await hashRingStatsAll(impl, hashRing.exercise.seeds);
    const sum = (key: keyof HashRingStats): number => all.reduce((n, s) => n + s[key], 0);
    const stats = { trials: sum("trials"), ownerCalls: sum("ownerCalls"), sharedPositions: sum("sharedPositions"), wrappedKeys: sum("wrappedKeys"), balanceMax: Math.max(...all.map((s) => s.balanceMax)) };
    console.log(`08.3 reference: ${JSON.stringify(stats)}`);
    expect(stats.trials).toBe(hashRing.exercise.seeds.length * HASH_RING_TRIALS);
    expect(stats.ownerCalls).toBeGreaterThan(stats.trials * 5 * 10_000);
    expect(stats.sharedPositions).toBeGreaterThan(stats.trials / 5);
    expect(stats.wrappedKeys).toBeGreaterThan(stats.trials * 100);
    expect(stats.balanceMax).toBeGreaterThan(1.2); // the bound is not loose by much…
    expect(stats.balanceMax).toBeLessThan(BALANCE_MAX - 0.1); // …and the reference keeps a margin under it
  });
});

// 08.4 also uses describe, expect, it (vitest), exercise, loadModule (../grading) and measuring,
// metaTests, notImplemented, Graded (../grading/meta), imported above (one import of each per file).

const quorumMeasured = new WeakMap<object, Map<number, QuorumStats>>();
const checkQuorumMeasured = measuring<QuorumApi, QuorumStats>(
  quorumMeasured,
  () => ({ trials: 0, operations: 0, rejected: 0, tiedReads: 0, duplicateAnswers: 0, firstNotHighest: 0, stepsMax: 0 }),
  checkQuorum,
);

/** "<client>'s get("x") (invoked at t=…ms) " — how a rule names an operation. */
const OP = String.raw`\w+'s (get|put)\("\w+"(, "[\w-]+")?\) \(invoked at t=[\d.]+ms\)`;
/** The read-quorum rule: fewer than r different replicas had answered. */
const READ_QUORUM = String.raw`${OP} to have q_read_ok answers from r=(\d) different replicas before (writing|returning) \(a duplicated answer, or two answers of one replica to a resend, count once\); got \d replica\(s\)`;
/** The get rule: not the value of the highest version read. */
const HIGHEST = String.raw`${OP} to return the value of the highest version among the answers of the r replicas it read, "[\w-]+" with \{counter (\d+), writer "\w+"\}`;

export const quorum: Graded<QuorumApi> = {
  exercise: exercise("08.4"),
  check: checkQuorumMeasured,
  trials: QUORUM_TRIALS,
  stub: { quorumClient: () => notImplemented(exercise("08.4")) },
  buggy: [
    // No read repair: two gets during the partial write see it in different orders.
    ["quorum-no-write-back", /a linearizable history: one order of the operations, .*; got not linearizable on key "\w+": [\w#]+: get\("\w+"\) → "[\w-]*" \(t=[\d.]+ms–[\d.]+ms\) cannot be placed — get\("\w+"\) returned "[\w-]*", but the key holds "[\w-]*"/],
    ["quorum-write-back-not-awaited", /a linearizable history: one order of the operations, .*; got not linearizable on key "\w+": [\w#]+: get\("\w+"\) → "[\w-]*" \(t=[\d.]+ms–[\d.]+ms\) cannot be placed — get\("\w+"\) returned "[\w-]*", but the key holds "[\w-]*"/],
    // Quorums counted in answers, not replicas.
    ["quorum-counts-duplicates", new RegExp(`${READ_QUORUM}|${OP} to return only after q_write_ok from w=\\d different replicas \\(a duplicated answer counts once\\); got it returned`)],
    // The first answer, not the highest (a get returns it; a put numbers after it).
    ["quorum-first-reply", new RegExp(`${HIGHEST}|${OP} to write q_write \\{ key: "\\w+", version: \\{ counter > (\\d+), writer: "\\w+" \\}, value: "[\\w-]+" \\}: the counter must be above every counter it read`)],
    // A put that numbers its versions itself, without reading.
    ["quorum-local-counter", new RegExp(`${OP} to have q_read_ok answers from r=\\d different replicas before writing .*; got 0 replica\\(s\\) \\(none\\) had answered before its first q_write \\(\\w+ → \\w+ q_write version=\\{"counter":\\d+,"writer":"\\w+"\\}`)],
    // All n replicas: no progress with one down.
    ["quorum-waits-for-all", new RegExp(`${OP} to succeed: enough replicas were up and reachable for r=\\d and w=\\d .*; got it rejected at t=[\\d.]+ms`)],
    // Ties between writers broken by arrival, not by writer.
    ["quorum-counter-only", new RegExp(`${HIGHEST}.*; got it returned "[\\w-]+"; its answers: .*version=\\{"counter":\\3,"writer"`)],
  ],
  accepted: ["quorum-rpc-per-replica"],
};

metaTests(quorum);

describe("grader 08.4 quorum: what its trials contain", () => {
  it("the reference meets rejections, duplicated answers, stale first answers and ties, and the checker always decides", async () => {
    const impl = await loadModule<QuorumApi>("solutions/08-redundancy-and-recovery/quorum");
    for (const seed of quorum.exercise.seeds) {
      if (!quorumMeasured.get(impl)?.has(seed)) expect((await checkQuorumMeasured(impl, seed)).status).toBe("pass"); // run alone (-t)
    }
    const all = Array.from(quorumMeasured.get(impl)!.values());
    const sum = (key: keyof QuorumStats): number => all.reduce((n, s) => n + s[key], 0);
    const stats = {
      trials: sum("trials"),
      operations: sum("operations"),
      rejected: sum("rejected"),
      tiedReads: sum("tiedReads"),
      duplicateAnswers: sum("duplicateAnswers"),
      firstNotHighest: sum("firstNotHighest"),
      stepsMax: Math.max(...all.map((s) => s.stepsMax)),
    };
    console.log(`08.4 reference: ${JSON.stringify(stats)}`);
    expect(stats.trials).toBe(3 * quorum.exercise.seeds.length * QUORUM_TRIALS);
    expect(stats.operations).toBeGreaterThan(stats.trials * 10);
    expect(stats.rejected).toBeGreaterThan(stats.trials / 10); // the partition and the crash of all but one
    expect(stats.duplicateAnswers).toBeGreaterThan(stats.trials); // duplicates and resends, counted once
    expect(stats.firstNotHighest).toBeGreaterThan(stats.trials / 2); // the first answer is often stale
    expect(stats.tiedReads).toBeGreaterThan(stats.trials / 10); // ties between writers
    expect(stats.stepsMax).toBeLessThan(100_000); // far below the checker's budget of 1,000,000
  });
});
