// Meta tests of the graders of notebook 11 (test/grading/meta.ts says what each checks): the
// reference passes, the stub is pending, and each buggy fixture is rejected for its stated reason.
import { describe, expect, it } from "vitest";
import { exercise, loadModule } from "../grading";
import { BYSTANDER, measuring, metaTests, notImplemented, type Graded } from "../grading/meta";
import { checkApps, TRIALS as APPS_TRIALS, type AppsApi, type AppsStats } from "../grading/11-big-data/apps";
import { BOUND_MS as MASTER_BOUND_MS, checkMaster, TRIALS as MASTER_TRIALS, type MasterApi, type MasterStats } from "../grading/11-big-data/master";
import { checkIdempotentConsumer, LIVENESS_MS as CONSUMER_LIVENESS_MS, TRIALS as CONSUMER_TRIALS, type IdempotentConsumerApi, type IdempotentConsumerStats } from "../grading/11-big-data/idempotent-consumer";

const appsMeasured = new WeakMap<object, Map<number, AppsStats>>();
const checkAppsMeasured = measuring<AppsApi, AppsStats>(
  appsMeasured,
  () => ({ trials: 0, files: 0, emptyFiles: 0, lines: 0, unicodeKeys: 0, splitTokens: 0, repeatedInFile: 0, combinedCalls: 0 }),
  checkApps,
);

const notImplementedApp = { name: "stub", map: () => notImplemented(exercise("11.1")), reduce: () => notImplemented(exercise("11.1")) };

/** "runSequential(app, corpus) on N file(s) … to have line N …" up to "; got line N is". */
const LINE = String.raw`runSequential\((wordCount|invertedIndex), corpus\) on \d file\(s\) .* to have line \d+ .*; got line \d+ is`;

export const apps: Graded<AppsApi> = {
  exercise: exercise("11.1"),
  check: checkAppsMeasured,
  trials: APPS_TRIALS,
  stub: { wordCount: notImplementedApp, invertedIndex: notImplementedApp },
  buggy: [
    // split(/\s+/): punctuation and digits stay in the words.
    ["apps-split-whitespace", new RegExp(`${LINE} .* is not a word: ".+" is not a letter`)],
    // toLowerCase: "The" and "the" merge.
    ["apps-lowercase", new RegExp(`${LINE} .* — your output has "[^"]+" but no "[^"]+": keep the case`)],
    // values.length: wrong once values are partial counts.
    ["apps-count-values", /wordCount\.reduce\("[^"]+", \["\d+"(,"\d+")*\]\) to be "\d+", the sum of the values.*; got "\d+" — the number of values, not their sum/],
    // [A-Za-z]+: letters outside ASCII split words.
    ["apps-ascii-words", new RegExp(`${LINE} .* — the word "[^"]+" is missing: it has letters outside ASCII`)],
    // [\p{L}']+: "don't" stays one word.
    ["apps-apostrophe-word", new RegExp(`${LINE} .* is not a word: "'" is not a letter`)],
    // \w+: digits and underscores join words, non-ASCII letters split them.
    ["apps-word-chars", new RegExp(`${LINE} .*( is not a word: "[\\d_]" is not a letter| — the word "[^"]+" is missing: it has letters outside ASCII)`)],
    // One file per occurrence.
    ["apps-index-duplicate-files", new RegExp(`${LINE} .* — a file is listed more than once`)],
    // Files in input order.
    ["apps-index-unsorted", new RegExp(`${LINE} .* — the files are not sorted`)],
  ],
  accepted: ["apps-in-mapper-combining"],
};

metaTests(apps);

describe("grader 11.1 apps: what its trials contain", () => {
  it("the reference meets empty files, Unicode words, glued tokens, repeated words and partial counts", async () => {
    const impl = await loadModule<AppsApi>("solutions/11-big-data/apps");
    for (const seed of apps.exercise.seeds) {
      if (!appsMeasured.get(impl)?.has(seed)) expect((await checkAppsMeasured(impl, seed)).status).toBe("pass");
    }
    const all = Array.from(appsMeasured.get(impl)!.values());
    const sum = (key: keyof AppsStats): number => all.reduce((n, s) => n + s[key], 0);
    const stats = { trials: sum("trials"), files: sum("files"), emptyFiles: sum("emptyFiles"), lines: sum("lines"), unicodeKeys: sum("unicodeKeys"), splitTokens: sum("splitTokens"), repeatedInFile: sum("repeatedInFile"), combinedCalls: sum("combinedCalls") };
    console.log(`11.1 reference: ${JSON.stringify(stats)}`);
    expect(stats.trials).toBe(apps.exercise.seeds.length * APPS_TRIALS);
    expect(stats.trials).toBeGreaterThanOrEqual(135);
    expect(stats.emptyFiles).toBeGreaterThanOrEqual(apps.exercise.seeds.length);
    expect(stats.unicodeKeys).toBeGreaterThan(stats.trials);
    expect(stats.splitTokens).toBeGreaterThan(stats.trials);
    expect(stats.repeatedInFile).toBeGreaterThan(stats.trials);
    expect(stats.combinedCalls).toBe(stats.trials * 4);
  });
});

const masterMeasured = new WeakMap<object, Map<number, MasterStats>>();
const checkMasterMeasured = measuring<MasterApi, MasterStats>(
  masterMeasured,
  () => ({ trials: 0, exits: 0, stalls: 0, reassignments: 0, duplicates: 0, waits: 0, jobMsMax: 0, events: 0 }),
  checkMaster,
);

/** A task reply in the grader's words: "m → w1 task map 2 attempt 1 (in_reply_to 4), sent at …". */
const HANDOUT = String.raw`\w+ → [\w-]+ task (map|reduce) \d+ attempt \d+ \(in_reply_to \d+\), sent at t=[\d.]+ms`;

export const master: Graded<MasterApi> = {
  exercise: exercise("11.2"),
  check: checkMasterMeasured,
  trials: MASTER_TRIALS,
  stub: { mapReduceMaster: () => notImplemented(exercise("11.2")) },
  buggy: [
    // done() counts reports: a late duplicate ends the job while a reduce task is still running.
    ["master-counts-reports", /done\(\) to stay false until every mr-out-r .*; got done\(\) was true at t=[\d.]+ms while mr-out-\d+(, mr-out-\d+)* did not exist; the master had received (\d+) task_done reports for \d+ distinct tasks .*\((map|reduce) \d+ reported again by attempt \d+ .*count tasks, not reports\)/],
    // An in-progress task goes out again at once.
    ["master-reassigns-immediately", new RegExp(`(map|reduce) \\d+ handed out again only taskTimeoutMs = \\d+ ms after its previous hand-out .*; got ${HANDOUT}.* — only [\\d.]+ms later`)],
    // Only idle tasks go out: a crashed worker's task hangs the job.
    ["master-never-reassigns", new RegExp(`the job to be done within ${MASTER_BOUND_MS} ms.*; got it never converged within ${MASTER_BOUND_MS} ms: (map|reduce) \\d+ was last handed out at t=[\\d.]+ms \\(attempt \\d+ to [\\w-]+\\) and its worker crashed mid-task`)],
    // Reduce starts once every map is handed out, not completed.
    ["master-reduce-before-maps-done", new RegExp(`no reduce task before every map task has reported task_done .*; got ${HANDOUT}.* while map [\\d, ]+ had not reported`)],
    // wait instead of exit.
    ["master-no-exit", /every get_task after the job is done .* to be answered \{ kind: "exit" \}.*; got \w+ → [\w-]+ task wait .* — a wait: the worker will ask forever/],
    // The paper's local-disk rule: a completed task runs again after its worker fails.
    ["master-reruns-completed", new RegExp(`(map|reduce) \\d+ never to be handed out again after its task_done arrived .*; got ${HANDOUT}.* — after [\\w-]+, which had completed it, (crashed|stalled) on a later task`)],
    // The attempt number is not incremented.
    ["master-same-attempt", new RegExp(`every hand-out of (map|reduce) \\d+ to carry a new attempt number .*; got ${HANDOUT}.* — attempt (\\d+) again: ${HANDOUT}`)],
    // exit instead of wait: workers leave while tasks are still running.
    ["master-exit-instead-of-wait", /exit only once every reduce task has reported task_done; got \w+ → [\w-]+ task exit .* while (map|reduce) \d+.* had not reported — that worker stops for good/],
  ],
  accepted: ["master-timers"],
};

metaTests(master);

describe("grader 11.2 master: what its trials contain", () => {
  it("the reference meets exits, stalls, reassignments, late duplicates and waits, and finishes well within the bound", async () => {
    const impl = await loadModule<MasterApi>("solutions/11-big-data/master");
    for (const seed of master.exercise.seeds) {
      if (!masterMeasured.get(impl)?.has(seed)) expect((await checkMasterMeasured(impl, seed)).status).toBe("pass");
    }
    const all = Array.from(masterMeasured.get(impl)!.values());
    const sum = (key: keyof MasterStats): number => all.reduce((n, s) => n + s[key], 0);
    const stats = { trials: sum("trials"), exits: sum("exits"), stalls: sum("stalls"), reassignments: sum("reassignments"), duplicates: sum("duplicates"), waits: sum("waits"), events: sum("events"), jobMsMax: Math.max(...all.map((s) => s.jobMsMax)) };
    console.log(`11.2 reference: ${JSON.stringify(stats)}`);
    expect(stats.trials).toBe(master.exercise.seeds.length * MASTER_TRIALS);
    expect(stats.trials).toBeGreaterThanOrEqual(135);
    expect(stats.exits).toBeGreaterThan(stats.trials / 3);
    expect(stats.stalls).toBeGreaterThan(stats.trials / 3);
    expect(stats.reassignments).toBeGreaterThan(stats.trials / 2);
    expect(stats.duplicates).toBeGreaterThan(stats.trials / 4);
    expect(stats.waits).toBeGreaterThan(stats.trials);
    expect(stats.jobMsMax).toBeLessThan(MASTER_BOUND_MS / 3);
  });
});

const consumerMeasured = new WeakMap<object, Map<number, IdempotentConsumerStats>>();
const checkConsumerMeasured = measuring<IdempotentConsumerApi, IdempotentConsumerStats>(
  consumerMeasured,
  () => ({ trials: 0, events: 0, producerDuplicates: 0, crashesPoll: 0, crashesProcessed: 0, crashesCommitted: 0, redelivered: 0, duplicatesAcrossCrash: 0, caughtUpMsMax: 0 }),
  checkIdempotentConsumer,
);

/** The start of every balance failure: which account, what it should be, what it was. */
const BALANCE = String.raw`read_balance "[^"]+" after the consumer caught up \(t=[\d.]+ms\) to return \d+, the sum over its \d+ distinct events \(amounts [\d, ]+\); got read_balance_ok balance=\d+ — event "[^"]+" \(amount \d+\)`;
/** "c1 crashed at t=…ms (kind) and after its restart …" */
const CRASHED = String.raw`\S+ crashed at t=[\d.]+ms \((during a poll|between processing and commit|right after commit)\)`;

export const idempotentConsumer: Graded<IdempotentConsumerApi> = {
  exercise: exercise("11.3"),
  check: checkConsumerMeasured,
  trials: CONSUMER_TRIALS,
  stub: { idempotentConsumer: () => notImplemented(exercise("11.3")) },
  buggy: [
    // At-most-once: the offset is committed before the batch is applied; a crash right after the commit loses it.
    ["idempotent-consumer-commit-first", new RegExp(`${BALANCE} is missing from it \\(applied 0 times\\): its record at offset \\d+ reached \\S+ in .* commit_offset offset=\\d+ .* moved the group past it, and \\S+ crashed at t=[\\d.]+ms \\(right after commit\\): after its restart the balance does not have it — commit only offsets`)],
    // At-least-once without dedupe: redeliveries and the producer's duplicates are applied again.
    ["idempotent-consumer-no-dedupe", new RegExp(`${BALANCE} was applied (twice|\\d+ times): `)],
    // The applied eventIds in memory: after a restart the redelivered batch (or a retry) is applied again.
    ["idempotent-consumer-dedupe-in-memory", new RegExp(`${BALANCE} was applied twice: its record at offset \\d+ reached \\S+ at t=[\\d.]+ms, ${CRASHED} and after its restart (the same record came again|the producer's retry of it, at offset \\d+, came) at t=[\\d.]+ms — keep the applied eventIds on disk`)],
    // Dedupe by offset: a producer's retry at a later offset is a new record.
    ["idempotent-consumer-dedupe-by-offset", new RegExp(`${BALANCE} was applied twice: (its records at offsets \\d+ and \\d+ \\(the producer wrote it twice\\) both reached .* — dedupe by eventId, not by offset|.*the producer's retry of it, at offset \\d+, came .*\\(an offset does not identify a retried event\\))`)],
    // The dedupe mark written one await (the commit) after the balance.
    ["idempotent-consumer-mark-after-commit", new RegExp(`${BALANCE} was applied twice: .*\\S+ crashed at t=[\\d.]+ms \\((between processing and commit|right after commit)\\) and after its restart .* — keep the applied eventIds on disk, written in the same step as the balances`)],
    // Balances and eventIds in memory: a restart resumes from the committed offset with nothing.
    ["idempotent-consumer-state-in-memory", new RegExp(`${BALANCE} is missing from it \\(applied 0 times\\): .* ${CRASHED}: after its restart the balance does not have it \\(\\S+ never wrote to node\\.storage`)],
    // Balances rebuilt in memory by replaying the partition from offset 0 after each restart: nothing on disk.
    ["idempotent-consumer-replay-from-start", /read_balance "[^"]+" after a crash and restart at t=[\d.]+ms with \S+ cut off \(only node\.storage can answer\) to return \d+.*; got read_balance_ok balance=0 — .* is missing from it \(applied 0 times\): .*\(the grader's last crash, to read the storage\): after its restart the balance does not have it \(\S+ never wrote to node\.storage.* — keep the balances in node\.storage/],
  ],
  accepted: ["idempotent-consumer-offset-in-state", "idempotent-consumer-per-key"],
};

metaTests(idempotentConsumer);

describe("grader 11.3 idempotent-consumer: what its trials contain", () => {
  it("the reference meets every kind of crash, redeliveries, and producer duplicates across crashes, and catches up well within the bound", async () => {
    const impl = await loadModule<IdempotentConsumerApi>("solutions/11-big-data/idempotent-consumer");
    for (const seed of idempotentConsumer.exercise.seeds) {
      if (!consumerMeasured.get(impl)?.has(seed)) expect((await checkConsumerMeasured(impl, seed)).status).toBe("pass"); // run alone (-t)
    }
    const all = Array.from(consumerMeasured.get(impl)!.values());
    const sum = (key: keyof IdempotentConsumerStats): number => all.reduce((n, s) => n + s[key], 0);
    const keys = ["trials", "events", "producerDuplicates", "crashesPoll", "crashesProcessed", "crashesCommitted", "redelivered", "duplicatesAcrossCrash"] as const;
    const stats = { ...Object.fromEntries(keys.map((k) => [k, sum(k)])), caughtUpMsMax: Math.max(...all.map((s) => s.caughtUpMsMax)) } as IdempotentConsumerStats;
    console.log(`11.3 reference: ${JSON.stringify(stats)}`);
    expect(stats.trials).toBe(idempotentConsumer.exercise.seeds.length * CONSUMER_TRIALS);
    expect(stats.crashesProcessed).toBeGreaterThanOrEqual(stats.trials); // a crash between processing and commit in every trial
    expect(stats.crashesCommitted).toBeGreaterThanOrEqual(stats.trials); // and one right after a commit
    expect(stats.crashesPoll).toBeGreaterThan(stats.trials / 2);
    expect(stats.producerDuplicates).toBeGreaterThan(stats.trials * 5);
    expect(stats.redelivered).toBeGreaterThan(stats.trials); // records that came again after a crash
    expect(stats.duplicatesAcrossCrash).toBeGreaterThan(stats.trials); // a producer's retry on the other side of a crash
    expect(stats.caughtUpMsMax).toBeLessThan(CONSUMER_LIVENESS_MS / 2);
  });

  it("rejects every buggy variant with every seed, not only with the first", async () => {
    const failedAt: string[] = [];
    for (const [fixture] of idempotentConsumer.buggy) {
      const impl = await loadModule<IdempotentConsumerApi>(`test/fixtures/buggy/11-big-data/${fixture}`);
      for (const seed of idempotentConsumer.exercise.seeds) {
        const r = await checkIdempotentConsumer(impl, seed);
        expect(r.status, `${fixture} seed ${seed}`).toBe("fail");
        failedAt.push(`${fixture} seed ${seed}: trial ${(r.trial?.index ?? 0) + 1}`);
      }
    }
    console.log(`11.3 buggy variants fail at: ${failedAt.join("; ")}`);
  });
});

