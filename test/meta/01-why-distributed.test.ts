// Meta tests of the graders of notebook 01 (test/grading/meta.ts says what each checks): the
// reference passes, the stub is pending, and each buggy fixture is rejected for its stated reason;
// for 01.2 also the reference's measured detection time and false-report rate.
import { describe, expect, it } from "vitest";
import { exercise, loadModule } from "../grading";
import { BYSTANDER, metaTests, notImplemented, type Graded } from "../grading/meta";
import { checkPerfectLink, TRIALS as PERFECT_LINK_TRIALS, type PerfectLinkApi } from "../grading/01-why-distributed/perfect-link";
import {
  checkCrashedOrSlow,
  DETECTION_MS_MAX,
  FALSE_REPORTS_PER_SEED_MAX,
  TRIALS as CRASHED_OR_SLOW_TRIALS,
  type CrashedOrSlowApi,
  type DetectorStats,
} from "../grading/01-why-distributed/crashed-or-slow";

/** "deliver exactly once; got delivered twice": the reason of every receiver that delivers a copy again. */
const TWICE = String.raw`to deliver \w+'s message .* exactly once; got it called deliver\(.*\) at t=[\d.]+ms and again deliver\(.*\) at t=[\d.]+ms`;
/** A false report beyond the tolerated one. */
const FALSE_CRASHED = String.raw`a false "crashed" \(while the server is up\) in at most 1 of the 50 trials of a seed.*; got \w+ declared "crashed" at t=[\d.]+ms while \w+ was up`;
/** The client does not come back after the server's restart. */
const NOT_BACK = String.raw`to be "alive" again within 1000 ms of \w+'s restart at t=[\d.]+ms .*; got at t=[\d.]+ms it was still "crashed"`;

export const perfectLink: Graded<PerfectLinkApi> = {
  exercise: exercise("01.1"),
  check: checkPerfectLink,
  trials: PERFECT_LINK_TRIALS,
  stub: { perfectLink: () => notImplemented(exercise("01.1")) },
  buggy: [
    // Receivers that deliver twice.
    ["perfect-link-no-dedup", new RegExp(`${TWICE}, both for copies of .*: a retransmission or a network duplicate carries the same \\(src, id\\)`)],
    ["perfect-link-memory-dedup", new RegExp(`${TWICE} \\(\\w+ crashed at t=[\\d.]+ms and restarted at t=[\\d.]+ms in between\\).*must survive a crash \\(keep it in node\\.storage\\)`)],
    ["perfect-link-dedup-by-msg-id", new RegExp(`${TWICE}, first for .* \\(msg_id #(\\d+)\\).*, then for .* \\(msg_id #(?!\\1\\))\\d+\\)`)],
    // Receivers that never deliver: dedup by id alone (two senders share ids), or by the highest id seen.
    ["perfect-link-dedup-ignores-src", /to deliver \w+'s message .* exactly once; got it was never delivered, though \d+ cop(y|ies) of it arrived/],
    ["perfect-link-highest-id", /to deliver \w+'s message .* exactly once; got it was never delivered, though \d+ cop(y|ies) of it arrived/],
    // Acks.
    ["perfect-link-acks-first-copy-only", /a pl_ack with id=\S+ back to \w+ for every pl_data copy that reaches \w+ .*; got \d+ copies arrived, 1 ack was sent; no ack answered/],
    ["perfect-link-ack-first-peer", new RegExp(`${BYSTANDER}.*; got \\w+ → \\w+ pl_ack id=`)],
    // Senders.
    ["perfect-link-no-retransmit", /payload .* to reach \w+: retransmit until a pl_ack with its id comes back; got all 1 copy was lost/],
    ["perfect-link-retransmit-forever", /no pl_data with id=\d+ from \w+ after its pl_ack arrived at t=[\d.]+ms \(stop retransmitting once acked\); got \w+ → \w+ pl_data/],
    [
      "perfect-link-counter-reset",
      /each id to carry one payload only: ids must stay unique, also across \w+'s restarts .*; got .* \(\w+ crashed at t=[\d.]+ms and restarted at t=[\d.]+ms in between\): the receiver takes it for a copy/,
    ],
    ["perfect-link-new-id-per-retry", /to send the payload .* under one id, and to retransmit it with the same id; got \w+ → \w+ pl_data id=(\d+) .*; then \w+ → \w+ pl_data id=(?!\1 )\d+/],
    // Determinism traps.
    ["perfect-link-math-random-ids", /01\.1 perfect-link: your code called Math\.random — use node\.rng instead/],
  ],
  accepted: ["perfect-link-incarnation-ids"],
};

/**
 * Detection delays and false reports of each implementation checked, per seed (the first check of
 * a seed only): the test of the reference's numbers below reads what the meta tests measured.
 */
const measured = new WeakMap<object, Map<number, DetectorStats>>();

function checkAndMeasure(impl: CrashedOrSlowApi, seed: number) {
  let bySeed = measured.get(impl);
  if (bySeed === undefined) measured.set(impl, (bySeed = new Map()));
  if (bySeed.has(seed)) return checkCrashedOrSlow(impl, seed);
  const stats: DetectorStats = { trials: 0, falseReportTrials: 0, detectionMs: [] };
  bySeed.set(seed, stats);
  return checkCrashedOrSlow(impl, seed, stats);
}

export const crashedOrSlow: Graded<CrashedOrSlowApi> = {
  exercise: exercise("01.2"),
  check: checkAndMeasure,
  trials: CRASHED_OR_SLOW_TRIALS,
  stub: { crashDetector: () => notImplemented(exercise("01.2")) },
  buggy: [
    // A timeout below the slow round trip, or one lost ping taken as proof: false reports.
    ["crashed-or-slow-timeout-too-short", new RegExp(FALSE_CRASHED)],
    ["crashed-or-slow-one-lost-ping", new RegExp(FALSE_CRASHED)],
    // A lost ping stops the pinging: a false report, and no recovery after a restart.
    ["crashed-or-slow-stalls-after-lost-ping", new RegExp(`${FALSE_CRASHED}|${NOT_BACK}; it sent 0 pings after the restart`)],
    // Misses that add up over the run and never reset.
    ["crashed-or-slow-counts-all-misses", new RegExp(`${FALSE_CRASHED}|${NOT_BACK}`)],
    // Too long a timeout: too late.
    [
      "crashed-or-slow-timeout-too-long",
      /to declare "crashed" within 2000 ms of \w+'s crash at t=[\d.]+ms, i\.e\. by t=[\d.]+ms; got at t=[\d.]+ms it was still "alive"; (it declared "crashed" only at t=[\d.]+ms, \d+(\.\d+)?ms after the crash|it never declared "crashed")/,
    ],
    // States.
    ["crashed-or-slow-not-alive-at-start", /to call node\.setState\("alive"\) when it starts, at t=0ms; got its first state was "alive" at t=[\d.]+ms/],
    ["crashed-or-slow-gives-up", new RegExp(`${NOT_BACK}; it sent 0 pings after the restart`)],
    ["crashed-or-slow-alive-on-send", /to go back to "alive" only when a pong has arrived \(the server answered\); got it declared "alive" at t=[\d.]+ms, but no pong had arrived since it declared "crashed"/],
    // Wrong recipient, determinism.
    ["crashed-or-slow-first-peer", new RegExp(`${BYSTANDER}.*; got \\w+ → \\w+ ping \\(msg_id #1\\)`)],
    ["crashed-or-slow-setinterval", /01\.2 crashed-or-slow: your code called setInterval — use node\.setPeriodic instead/],
  ],
  accepted: ["crashed-or-slow-consecutive-timeouts"],
};

metaTests(perfectLink);
metaTests(crashedOrSlow);

describe("grader 01.2 crashed-or-slow", () => {
  it("the reference never reports a live server as crashed, and detects every crash well within the bound", async () => {
    const impl = await loadModule<CrashedOrSlowApi>("solutions/01-why-distributed/crashed-or-slow");
    for (const seed of crashedOrSlow.exercise.seeds) {
      if (!measured.get(impl)?.has(seed)) expect((await checkAndMeasure(impl, seed)).status).toBe("pass"); // run alone (-t)
    }
    const bySeed = Array.from(measured.get(impl)!.values());
    const stats: DetectorStats = {
      trials: bySeed.reduce((n, s) => n + s.trials, 0),
      falseReportTrials: bySeed.reduce((n, s) => n + s.falseReportTrials, 0),
      detectionMs: bySeed.flatMap((s) => s.detectionMs),
    };
    expect(stats.trials).toBe(crashedOrSlow.exercise.seeds.length * CRASHED_OR_SLOW_TRIALS);
    expect(stats.falseReportTrials).toBe(0);
    expect(stats.detectionMs.length).toBeGreaterThan(stats.trials / 2); // 60% of the trials crash the server
    expect(Math.max(...stats.detectionMs)).toBeLessThan(1600); // 15 + 1500 + 50 ms at most
    expect(Math.max(...stats.detectionMs)).toBeLessThan(DETECTION_MS_MAX);
  });

  it("tolerates a false report in 1 trial of 50 per seed (2%), and says so in the hint", () => {
    expect(FALSE_REPORTS_PER_SEED_MAX / CRASHED_OR_SLOW_TRIALS).toBe(0.02);
    expect(crashedOrSlow.exercise.hint).toContain("at most 1 of the 50 trials");
  });
});
