// Meta tests of the graders of notebook 07 (test/grading/meta.ts says what each checks): the
// reference passes, the stub is pending, and each buggy fixture is rejected for its stated reason.
import { describe, expect, it } from "vitest";
import { exercise, loadModule, type CheckResult } from "../grading";
import { measuring, metaTests, notImplemented, type Graded } from "../grading/meta";
import {
  checkHeartbeatDetector,
  TRIALS as HEARTBEAT_TRIALS,
  type HeartbeatDetectorApi,
  type HeartbeatStats,
} from "../grading/07-failure-detection/heartbeat-detector";
import { checkPhiAccrual, TRIALS as PHI_TRIALS, type PhiAccrualApi, type PhiStats } from "../grading/07-failure-detection/phi-accrual";
import { checkRetryJitter, KS_COEFFICIENT, TRIALS as RETRY_TRIALS, type RetryJitterApi, type RetryStats } from "../grading/07-failure-detection/retry-jitter";
import { checkFencing, TRIALS as FENCING_TRIALS, type FencingApi, type FencingStats } from "../grading/07-failure-detection/fencing";

/** What the first check of each seed met, per implementation (for the tests of the trials below). */
const heartbeatMeasured = new WeakMap<object, Map<number, HeartbeatStats>>();
const phiMeasured = new WeakMap<object, Map<number, PhiStats>>();


const checkHeartbeatMeasured = measuring<HeartbeatDetectorApi, HeartbeatStats>(
  heartbeatMeasured,
  () => ({ trials: 0, suspicions: 0, recoveries: 0, gapRatioMax: 0 }),
  checkHeartbeatDetector,
);
const checkPhiMeasured = measuring<PhiAccrualApi, PhiStats>(
  phiMeasured,
  () => ({ trials: 0, questions: 0, questionsMid: 0, suspectsChecked: 0, suspectsTrue: 0 }),
  checkPhiAccrual,
);

/** The stats of every seed of an implementation (checking the seeds not yet checked). */
async function measuredAll<Impl extends object, S>(
  measured: WeakMap<object, Map<number, S>>,
  check: (impl: Impl, seed: number) => Promise<CheckResult>,
  impl: Impl,
  seeds: readonly number[],
): Promise<S[]> {
  for (const seed of seeds) {
    if (!measured.get(impl)?.has(seed)) expect((await check(impl, seed)).status).toBe("pass"); // run alone (-t)
  }
  return Array.from(measured.get(impl)!.values());
}

/** A suspicion before timeoutMs of silence. */
const EARLY = String.raw`no report\("\w+", true\) before t=[\d.]+ms: timeoutMs=\d+ ms after (its last heartbeat, which arrived at t=[\d.]+ms|the detector's creation at t=0ms \(no heartbeat arrived yet\)) \(0 false suspicions allowed\); got report\("\w+", true\) at t=[\d.]+ms, after only [\d.]+ms of silence`;

export const heartbeatDetector: Graded<HeartbeatDetectorApi> = {
  exercise: exercise("07.1"),
  check: checkHeartbeatMeasured,
  trials: HEARTBEAT_TRIALS,
  stub: { heartbeatDetector: () => notImplemented(exercise("07.1")) },
  buggy: [
    // Accuracy: a timeout too short for the slow network.
    ["heartbeat-detector-half-timeout", new RegExp(EARLY)],
    // Completeness: a node never heard from; recovery: never trusted again.
    ["heartbeat-detector-never-heard-trusted", /report\("\w+", true\) by t=[\d.]+ms: \d+ ms \(timeoutMs\) \+ 50 ms after the detector's creation at t=0ms \(no heartbeat arrived yet\); got no report\("\w+", true\) by t=[\d.]+ms; \w+ \(never sends\)/],
    ["heartbeat-detector-never-unsuspects", /report\("\w+", false\) by t=[\d.]+ms: \w+ was suspected since t=[\d.]+ms, and its heartbeat arrived at t=[\d.]+ms; got no report\("\w+", false\) by t=[\d.]+ms; \w+ \(crashes at t=[\d.]+ms, restarts at/],
    // Changes only; the ids it was given only.
    ["heartbeat-detector-reports-every-sweep", /report\("\w+", …\) only on a change: \w+ was already reported suspected at t=[\d.]+ms, and no heartbeat of it arrived since; got report\("\w+", true\) again at t=[\d.]+ms/],
    ["heartbeat-detector-monitors-peers", /report\(id, suspected\) only with an id of monitored \[.*\] and a boolean; got report\("\w+", true\) at t=[\d.]+ms — \w+ is not monitored \(a bystander: node\.peers\(\) is not the list to watch\)/],
  ],
  accepted: ["heartbeat-detector-per-node-timers"],
};

/** A φ off the formula, with the mistake it matches. */
const PHI_OFF = String.raw`phi\([\d.]+\) = [\d.]+ ± [\d.]+: window of the last \d+ interval\(s\) \(windowSize=\d+\): μ=[\d.]+ ms, σ=max\(s=[\d.]+, minStdMs=\d+\)=[\d.]+ ms, Δt=[\d.]+ ms since the heartbeat at t=[\d.]+ms; φ = −log₁₀\(1 − F\(Δt\)\), F the normal CDF of N\(μ, σ²\); got phi\([\d.]+\) returned [\d.]+`;

export const phiAccrual: Graded<PhiAccrualApi> = {
  exercise: exercise("07.2"),
  check: checkPhiMeasured,
  trials: PHI_TRIALS,
  stub: {
    PhiAccrual: class {
      heartbeat(): void {
        notImplemented(exercise("07.2"));
      }
      phi(): number {
        return notImplemented(exercise("07.2"));
      }
      suspects(): boolean {
        return notImplemented(exercise("07.2"));
      }
    },
  },
  buggy: [
    ["phi-accrual-no-window", new RegExp(`${PHI_OFF} — what all \\d+ intervals since the first heartbeat give: the window must keep only the last windowSize=\\d+`)],
    ["phi-accrual-no-std-floor", new RegExp(`${PHI_OFF} — what σ without the floor gives \\(s=[\\d.]+ ms\\): σ = max\\(s, minStdMs=\\d+\\)`)],
    ["phi-accrual-sample-variance", new RegExp(`${PHI_OFF} — what the sample standard deviation \\(n − 1\\) gives: divide by n`)],
    ["phi-accrual-natural-log", new RegExp(`${PHI_OFF} — what the natural log gives: φ uses log₁₀`)],
    ["phi-accrual-suspects-default-threshold", /suspects\([\d.]+, [\d.]+\) to be true: φ=[\d.]+ is at or above the threshold [\d.]+ \(.*\); got suspects\([\d.]+, [\d.]+\) returned false/],
  ],
  accepted: ["phi-accrual-ring-buffer"],
};

metaTests(heartbeatDetector);
metaTests(phiAccrual);

describe("grader 07.1 heartbeat-detector: what its trials contain", () => {
  it("the reference meets crashes, recoveries and heartbeats nearly timeoutMs apart", async () => {
    const impl = await loadModule<HeartbeatDetectorApi>("solutions/07-failure-detection/heartbeat-detector");
    const all = await measuredAll(heartbeatMeasured, checkHeartbeatMeasured, impl, heartbeatDetector.exercise.seeds);
    const trials = all.reduce((n, s) => n + s.trials, 0);
    const suspicions = all.reduce((n, s) => n + s.suspicions, 0);
    const recoveries = all.reduce((n, s) => n + s.recoveries, 0);
    const gapRatioMax = Math.max(...all.map((s) => s.gapRatioMax));
    console.log(`07.1 reference: ${JSON.stringify({ trials, suspicions, recoveries, gapRatioMax })}`);
    expect(trials).toBe(heartbeatDetector.exercise.seeds.length * HEARTBEAT_TRIALS);
    expect(suspicions).toBeGreaterThan(trials * 2);
    expect(recoveries).toBeGreaterThan(trials / 2);
    expect(gapRatioMax).toBeGreaterThan(0.7); // the slow network comes close to the timeout…
    expect(gapRatioMax).toBeLessThan(0.8); // …and stays under the stated 0.8 × timeoutMs
  });
});

describe("grader 07.2 phi-accrual: what its trials contain", () => {
  it("the reference is asked φ in the range where the formula matters, and suspects both ways", async () => {
    const impl = await loadModule<PhiAccrualApi>("solutions/07-failure-detection/phi-accrual");
    const all = await measuredAll(phiMeasured, checkPhiMeasured, impl, phiAccrual.exercise.seeds);
    const sum = (key: keyof PhiStats): number => all.reduce((n, s) => n + s[key], 0);
    const stats = { trials: sum("trials"), questions: sum("questions"), questionsMid: sum("questionsMid"), suspectsChecked: sum("suspectsChecked"), suspectsTrue: sum("suspectsTrue") };
    console.log(`07.2 reference: ${JSON.stringify(stats)}`);
    expect(stats.trials).toBe(phiAccrual.exercise.seeds.length * PHI_TRIALS);
    expect(stats.questions).toBeGreaterThan(stats.trials * 50);
    expect(stats.questionsMid).toBeGreaterThan(stats.trials * 5);
    expect(stats.suspectsTrue).toBeGreaterThan(stats.suspectsChecked / 10);
    expect(stats.suspectsChecked - stats.suspectsTrue).toBeGreaterThan(stats.suspectsChecked / 10);
  });
});


const retryMeasured = new WeakMap<object, Map<number, RetryStats>>();
const fencingMeasured = new WeakMap<object, Map<number, FencingStats>>();
const checkRetryMeasured = measuring<RetryJitterApi, RetryStats>(
  retryMeasured,
  () => ({ trials: 0, gaveUp: 0, delays: 0, capped: 0, ksDistance: 0 }),
  checkRetryJitter,
);
const checkFencingMeasured = measuring<FencingApi, FencingStats>(
  fencingMeasured,
  () => ({ trials: 0, writes: 0, refused: 0, claims: 0, refusedAfterClaim: 0 }),
  checkFencing,
);

/** A delay outside its window: retry n, the window's bounds, the delay measured. */
const OUT_OF_WINDOW = String.raw`retry \d+ \(n=(\d+)\) after a delay in \[0, min\(capMs, baseMs·2\^\1\)\] = \[0, (\d+)ms\] \(baseMs=\d+, capMs=(\d+), retriesMax=\d+\); got op's \w+ call rejected \(the conflict arrived\) at t=[\d.]+ms and the next call came at t=[\d.]+ms: a delay of [\d.]+ms`;
/** The spread of a seed's normalised delays. */
const NOT_SPREAD = String.raw`the \d+ delays of this seed's \d+ runs, each divided by its window min\(capMs, baseMs·2ⁿ\), spread uniformly over \[0, 1\] as full jitter draws them \(mean 0\.5, half below 0\.5\): Kolmogorov–Smirnov distance below 2\.23/√\d+ = [\d.]+; got distance `;

export const retryJitter: Graded<RetryJitterApi> = {
  exercise: exercise("07.3"),
  check: checkRetryMeasured,
  trials: RETRY_TRIALS,
  stub: { retryWithFullJitter: () => notImplemented(exercise("07.3")) },
  buggy: [
    // Not full jitter: no jitter at all, or the window's upper half only.
    ["retry-jitter-no-jitter", new RegExp(`${NOT_SPREAD}1\\.000: mean 1\\.000, 0 of \\d+ below 0\\.5`)],
    ["retry-jitter-equal-jitter", new RegExp(`${NOT_SPREAD}0\\.[45]\\d\\d: mean 0\\.7\\d\\d, 0 of \\d+ below 0\\.5`)],
    // The window: exponent off by one, no cap (the window that was exceeded is the cap itself).
    ["retry-jitter-exponent-off-by-one", new RegExp(OUT_OF_WINDOW)],
    ["retry-jitter-no-cap", new RegExp(String.raw`retry \d+ \(n=(\d+)\) after a delay in \[0, min\(capMs, baseMs·2\^\1\)\] = \[0, (\d+)ms\] \(baseMs=\d+, capMs=\2, retriesMax=\d+\); got .*: a delay of [\d.]+ms`)],
    // Giving up: one retry too many, a new error instead of the last one; Math.random.
    ["retry-jitter-one-retry-too-many", /op called retriesMax \+ 1 = (\d+) times in all, then giving up \(the server answered conflict every time\); got a \d+th call at t=[\d.]+ms/],
    ["retry-jitter-new-error-on-give-up", /a rejection with the error op's last call rejected with \(the same object: ConflictError: write conflict \(call \d+, version \d+\)\); got it rejected with Error: gave up after \d+ retries/],
    ["retry-jitter-math-random", /your code called Math\.random — use node\.rng instead/],
  ],
  accepted: ["retry-jitter-recursive"],
};

/** The storage's reply against the rule; groups: 1 the write's epoch, 2 its key, 3 the highest epoch before it. */
const storageRule = (reply: "ok" | "refused"): string =>
  String.raw`write_${reply} for \S+ → \S+ write epoch=(\d+) key="(\w+)" value="[\w-]+" \(msg_id #\d+\), sent at t=[\d.]+ms, arrived at t=[\d.]+ms: the highest epoch the storage had seen \(over all keys\) was (\d+) `;
/** The backup's claim with an epoch not above the primary's. */
const CLAIM_EPOCH = String.raw`the claim write \{ epoch > (\d+), key: "primary", value: "\w+" \} to \w+: the primary's heartbeats carry epoch \1, and the storage accepts epochs ≥ its highest, so an epoch of \1 or less lets the old primary's writes through \(split brain\); got \w+ → \w+ write epoch=`;

export const fencing: Graded<FencingApi> = {
  exercise: exercise("07.4"),
  check: checkFencingMeasured,
  trials: FENCING_TRIALS,
  stub: { fencedStorage: () => notImplemented(exercise("07.4")), backup: () => notImplemented(exercise("07.4")) },
  buggy: [
    // Storage: equal epochs refused, nothing refused, fenced per key, refused values stored.
    ["fencing-storage-strictly-greater", new RegExp(`${storageRule("ok")}.*and epoch \\1 ≥ \\3 is accepted .*; got \\S+ → \\S+ write_refused`)],
    ["fencing-storage-no-fencing", new RegExp(`${storageRule("refused")}.*and epoch \\1 < \\3 is fenced off; got \\S+ → \\S+ write_ok epoch=\\1 `)],
    ["fencing-storage-per-key-epoch", new RegExp(`${storageRule("refused")}\\(\\S+ → \\S+ write epoch=\\3 key="(?!\\2")\\w+".*; got \\S+ → \\S+ write_ok`)],
    ["fencing-storage-stores-refused", /read_ok value=("[\w-]+"|null) for \S+ → \S+ read key="\w+" .*; got \S+ → \S+ read_ok key="\w+" value="[\w-]+"/],
    // Backup: the same epoch, a fixed one, no claim, a timer that heartbeats do not restart.
    ["fencing-backup-same-epoch", new RegExp(`${CLAIM_EPOCH}\\1 key="primary"`)],
    ["fencing-backup-fixed-epoch", new RegExp(`${CLAIM_EPOCH}2 key="primary"`)],
    ["fencing-backup-no-claim", /a claim write \{ epoch > \d+, key: "primary", value: "\w+" \} to \w+ by t=[\d.]+ms: timeoutMs=\d+ ms \(\+50 ms\) after the last heartbeat .*; got \w+ wrote nothing to \w+ until t=/],
    ["fencing-backup-timer-not-reset", /no takeover while heartbeats arrive: a claim only timeoutMs=\d+ ms after the last heartbeat, i\.e\. not before t=[\d.]+ms; got \w+ → \w+ write epoch=\d+ key="primary" value="\w+" .*, [\d.]+ms after the heartbeat \w+ → \w+ heartbeat/],
  ],
  accepted: ["fencing-periodic-check"],
};

metaTests(retryJitter);
metaTests(fencing);

describe("grader 07.3 retry-jitter: what its trials contain", () => {
  it("the reference retries up to the cap, gives up in many runs, and its delays pass the spread test", async () => {
    const impl = await loadModule<RetryJitterApi>("solutions/07-failure-detection/retry-jitter");
    const all = await measuredAll(retryMeasured, checkRetryMeasured, impl, retryJitter.exercise.seeds);
    const sum = (key: keyof RetryStats): number => all.reduce((n, s) => n + s[key], 0);
    const stats = { trials: sum("trials"), gaveUp: sum("gaveUp"), delays: sum("delays"), capped: sum("capped"), ksDistanceMax: Math.max(...all.map((s) => s.ksDistance)) };
    console.log(`07.3 reference: ${JSON.stringify(stats)}`);
    expect(stats.trials).toBe(retryJitter.exercise.seeds.length * RETRY_TRIALS);
    expect(stats.gaveUp).toBeGreaterThan(stats.trials / 4);
    expect(stats.trials - stats.gaveUp).toBeGreaterThan(stats.trials / 4);
    expect(stats.delays).toBeGreaterThan(stats.trials * 3); // ≈ 90 per seed for the spread test
    expect(stats.capped).toBeGreaterThan(stats.trials / 4); // windows that reached the cap
    for (const s of all) expect(s.ksDistance).toBeLessThan(KS_COEFFICIENT / Math.sqrt(s.delays));
  });
});

describe("grader 07.4 fencing: what its trials contain", () => {
  it("the reference storage refuses stale writes, and every failover fences a primary that goes on writing", async () => {
    const impl = await loadModule<FencingApi>("solutions/07-failure-detection/fencing");
    const all = await measuredAll(fencingMeasured, checkFencingMeasured, impl, fencing.exercise.seeds);
    const sum = (key: keyof FencingStats): number => all.reduce((n, s) => n + s[key], 0);
    const stats = { trials: sum("trials"), writes: sum("writes"), refused: sum("refused"), claims: sum("claims"), refusedAfterClaim: sum("refusedAfterClaim") };
    console.log(`07.4 reference: ${JSON.stringify(stats)}`);
    const perScenario = fencing.exercise.seeds.length * FENCING_TRIALS;
    expect(stats.trials).toBe(3 * perScenario);
    expect(stats.refused).toBeGreaterThan(stats.writes / 10); // the storage scenario sends stale epochs
    expect(stats.claims).toBe(perScenario); // the backup scenario: one claim per run
    expect(stats.refusedAfterClaim).toBeGreaterThan(perScenario * 10); // the old primary kept writing after each claim
  });
});
