/**
 * Check of exercise 07.2 φ accrual detector. The student's `PhiAccrual` runs inside a monitor node
 * the grader writes: every heartbeat that reaches the monitor goes to `heartbeat(node.now())`, and
 * at times the grader draws it asks `phi(node.now())` and `suspects(node.now(), threshold)`. The
 * grader's sender node sends the heartbeats; a bystander is spawned first; names, windowSize
 * (4–20), minStdMs (5–60 ms) and the stream are drawn per trial, {@link TRIALS} trials per seed:
 *
 * - phase A: windowSize + 3–14 heartbeats, intervals N(meanA, jitterA²) (meanA 40–200 ms, jitter
 *   0–40 ms, at least 5 ms); phase B: as many again with another mean (0.4–2.5 × meanA), so the
 *   window holds only phase B's intervals at the end; then a pause of 4.5 mean intervals;
 * - questions: two before the second heartbeat (φ must be 0), one to three between any two
 *   heartbeats, and every 0.1 mean interval during the pause.
 *
 * Rules: wherever the formula (φ* from lib/failure's exact `phiOf` over the true window) is ≤
 * {@link PHI_EXACT_MAX}, |φ − φ*| ≤ 0.05 + 3% of φ*; above it, φ > {@link PHI_HIGH_MIN}.
 * `suspects` equals φ* ≥ threshold whenever φ* is farther than that tolerance from the threshold.
 * A wrong φ names the mistake it matches (no window, no σ floor, n − 1, natural log).
 */
import { latency } from "../../../lib/net";
import { phiOf } from "../../../lib/failure";
import type { Node } from "../../../lib/node";
import { formatMs } from "../../../lib/sim";
import { fail, graderRole, runScenarios, spawnBystanders, trialsPerSeed, type CheckResult, type Scenario, type Trial } from "../check";
import { exercise } from "../exercises";
import { sentMessages } from "../messages";

/** What exercises/07-failure-detection/phi-accrual.ts exports. */
export interface PhiAccrualApi {
  PhiAccrual: new (options: { windowSize: number; minStdMs: number }) => {
    heartbeat(nowMs: number): void;
    phi(nowMs: number): number;
    suspects(nowMs: number, threshold: number): boolean;
  };
}

/** The detector's methods. */
type Detector = InstanceType<PhiAccrualApi["PhiAccrual"]>;
/** What the scenarios call: a factory in place of the class. */
interface Factory {
  PhiAccrual: (options: { windowSize: number; minStdMs: number }) => Detector;
}

// tsc checks that the stub and the reference both have this API.
type Implements<T extends PhiAccrualApi> = T;
export type StubImplementsPhi = Implements<typeof import("../../../exercises/07-failure-detection/phi-accrual")>;
export type SolutionImplementsPhi = Implements<typeof import("../../../solutions/07-failure-detection/phi-accrual")>;

/** Trials per seed: with the registry's seeds, ≥ 135 in all (see check.ts). */
export const TRIALS = trialsPerSeed(exercise("07.2").seeds.length);

/** φ is compared with the formula up to this value. */
export const PHI_EXACT_MAX = 6;
/** Above {@link PHI_EXACT_MAX}, φ must be more than this. */
export const PHI_HIGH_MIN = 5.5;
/** The tolerance on φ at the formula's value φ*. */
export const phiToleranceOf = (phiExpected: number): number => 0.05 + 0.03 * phiExpected;

const THRESHOLDS = [0.5, 1, 2, 3, 4, 5];
const LATENCY_MS = 2;
const NAMES = ["monitor", "sender", "a", "b", "n1", "n2", "n3", "x", "y"];

/** What the checks of a seed met (for the meta tests). */
export interface PhiStats {
  trials: number;
  questions: number;
  /** Questions with φ* above 1 and at most PHI_EXACT_MAX (where a wrong formula shows). */
  questionsMid: number;
  /** suspects answers checked, and how many of them had to be true. */
  suspectsChecked: number;
  suspectsTrue: number;
}

interface Question {
  atMs: number;
  threshold: number;
  phi?: unknown;
  suspects?: unknown;
  /** Heartbeats that had arrived when it was asked. */
  arrived?: number;
}

interface Params {
  monitor: string;
  sender: string;
  bystanders: string[];
  windowSize: number;
  minStdMs: number;
  sendsMs: number[];
  meanA: number;
  meanB: number;
  questions: Question[];
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

function params(trial: Trial): Params {
  const rng = trial.rng;
  const names = rng.shuffle(NAMES);
  const bystanders = names.slice(0, rng.int(1, 3));
  const monitor = names[bystanders.length];
  const sender = names[bystanders.length + 1];
  const windowSize = rng.int(4, 21);
  const minStdMs = rng.int(5, 61);
  const meanA = rng.uniform(40, 200);
  const meanB = meanA * rng.uniform(0.4, 2.5);
  const sendsMs: number[] = [round(rng.uniform(0, 50))];
  const phase = (mean: number, count: number): void => {
    const jitter = rng.chance(0.2) ? 0 : rng.uniform(0, 40);
    for (let i = 0; i < count; i++) {
      const gap = Math.max(5, rng.normal(mean, jitter));
      sendsMs.push(round(sendsMs[sendsMs.length - 1] + gap));
    }
  };
  phase(meanA, windowSize + rng.int(3, 15));
  phase(meanB, windowSize + rng.int(3, 15));
  const arrivals = sendsMs.map((t) => t + LATENCY_MS);
  const questions: Question[] = [];
  const ask = (atMs: number): void => void questions.push({ atMs: round(atMs), threshold: rng.pick(THRESHOLDS) });
  ask(rng.uniform(0, arrivals[0]));
  ask(rng.uniform(arrivals[0] + 0.01, arrivals[1] - 0.01));
  for (let i = 1; i + 1 < arrivals.length; i++) {
    const k = rng.int(1, 4);
    for (let j = 0; j < k; j++) ask(rng.uniform(arrivals[i] + 0.01, arrivals[i + 1] - 0.01));
  }
  const last = arrivals[arrivals.length - 1];
  for (let j = 1; j <= 45; j++) ask(last + 0.1 * j * meanB + rng.uniform(0, 0.01));
  questions.sort((a, b) => a.atMs - b.atMs);
  return { monitor, sender, bystanders, windowSize, minStdMs, sendsMs, meanA, meanB, questions };
}

/** μ and the population standard deviation of some intervals. */
function meanStd(xs: readonly number[], sample = false): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sq = xs.reduce((a, b) => a + (b - mean) ** 2, 0);
  return { mean, std: Math.sqrt(sq / (sample ? Math.max(1, xs.length - 1) : xs.length)) };
}

const fmt = (x: number): string => (Number.isFinite(x) ? String(Math.round(x * 1000) / 1000) : String(x));

/** What a wrong φ matches, in words, if anything. */
function diagnose(got: number, arrivals: readonly number[], atMs: number, p: Params, tol: number): string {
  const intervals = arrivals.slice(1).map((t, i) => t - arrivals[i]);
  const window = intervals.slice(-p.windowSize);
  const dt = atMs - arrivals[arrivals.length - 1];
  const near = (x: number): boolean => Number.isFinite(x) && Math.abs(x - got) <= tol;
  const all = meanStd(intervals);
  const w = meanStd(window);
  const ws = meanStd(window, true);
  const candidates: Array<[number, string]> = [
    [phiOf(dt, all.mean, Math.max(all.std, p.minStdMs)), `what all ${intervals.length} intervals since the first heartbeat give: the window must keep only the last windowSize=${p.windowSize}`],
    [phiOf(dt, w.mean, Math.max(w.std, 1e-9)), `what σ without the floor gives (s=${fmt(w.std)} ms): σ = max(s, minStdMs=${p.minStdMs})`],
    [phiOf(dt, ws.mean, Math.max(ws.std, p.minStdMs)), "what the sample standard deviation (n − 1) gives: divide by n"],
    [phiOf(dt, w.mean, Math.max(w.std, p.minStdMs)) * Math.LN10, "what the natural log gives: φ uses log₁₀"],
  ];
  const match = candidates.find(([x]) => near(x));
  return match ? ` — ${match[1]}` : "";
}

/**
 * The rules, checked on the monitor's answers.
 */
function checkAnswers(p: Params, arrivals: readonly number[], heartbeatIds: readonly number[], stats?: PhiStats): void {
  for (const q of p.questions) {
    if (q.arrived === undefined) continue; // not asked (the run failed before)
    const seen = arrivals.slice(0, q.arrived);
    const intervals = seen.slice(1).map((t, i) => t - seen[i]);
    const window = intervals.slice(-p.windowSize);
    const evidence = q.arrived > 0 ? [heartbeatIds[q.arrived - 1]] : [];
    const at = { timeMs: q.atMs, node: p.monitor, evidence };
    let expected = 0;
    let words = `${seen.length} heartbeat(s) arrived: no interval yet, φ = 0`;
    if (window.length > 0) {
      const { mean, std } = meanStd(window);
      const sigma = Math.max(std, p.minStdMs);
      const last = seen[seen.length - 1];
      expected = phiOf(q.atMs - last, mean, sigma);
      words =
        `window of the last ${window.length} interval(s) (windowSize=${p.windowSize}): μ=${fmt(mean)} ms, ` +
        `σ=max(s=${fmt(std)}, minStdMs=${p.minStdMs})=${fmt(sigma)} ms, Δt=${fmt(q.atMs - last)} ms since the heartbeat at t=${formatMs(last)}`;
    }
    const tol = phiToleranceOf(Math.min(expected, PHI_EXACT_MAX));
    const got = q.phi;
    if (typeof got !== "number" || Number.isNaN(got)) {
      fail(`phi(${formatMs(q.atMs)}) to be a number: ${words}`, `phi returned ${String(got)}`, at);
    }
    if (stats) {
      stats.questions++;
      if (expected > 1 && expected <= PHI_EXACT_MAX) stats.questionsMid++;
    }
    if (expected <= PHI_EXACT_MAX) {
      if (!(Math.abs(got - expected) <= tol)) {
        fail(
          `phi(${q.atMs}) = ${fmt(expected)} ± ${fmt(tol)}: ${words}; φ = −log₁₀(1 − F(Δt)), F the normal CDF of N(μ, σ²)`,
          `phi(${q.atMs}) returned ${fmt(got)}${window.length > 0 ? diagnose(got, seen, q.atMs, p, tol) : ""}`,
          at,
        );
      }
    } else if (!(got > PHI_HIGH_MIN)) {
      fail(`phi(${q.atMs}) > ${PHI_HIGH_MIN}: the formula gives ${fmt(expected)}; ${words}`, `phi(${q.atMs}) returned ${fmt(got)}`, at);
    }
    if (Math.abs(expected - q.threshold) > tol) {
      const want = expected >= q.threshold;
      if (stats) {
        stats.suspectsChecked++;
        if (want) stats.suspectsTrue++;
      }
      if (q.suspects !== want) {
        fail(
          `suspects(${q.atMs}, ${q.threshold}) to be ${want}: φ=${fmt(expected)} is ${want ? "at or above" : "below"} the threshold ${q.threshold} (${words})`,
          `suspects(${q.atMs}, ${q.threshold}) returned ${String(q.suspects)} (your phi(${q.atMs}) returned ${fmt(got)})`,
          at,
        );
      }
    }
  }
}

/**
 * Check exercise 07.2 with one grader seed.
 *
 * @example
 * const result = await checkPhiAccrual(await loadTarget("07-failure-detection/phi-accrual"), 7);
 */
export function checkPhiAccrual(impl: PhiAccrualApi, seed: number, stats?: PhiStats): Promise<CheckResult> {
  // runScenarios wraps every export in a plain function (to see NotImplementedError), which a class
  // cannot be: the scenarios call a factory instead.
  const Class = impl.PhiAccrual as unknown;
  const factory: Factory = {
    PhiAccrual: typeof Class === "function" ? (options) => new impl.PhiAccrual(options) : (Class as Factory["PhiAccrual"]),
  };
  const scenario: Scenario<Factory, Params> = {
    name: (p) =>
      `${p.sender} sends heartbeats to your PhiAccrual on ${p.monitor} (windowSize=${p.windowSize}, minStdMs=${p.minStdMs}): ` +
      `${p.sendsMs.length} of them, about every ${Math.round(p.meanA)} ms, then every ${Math.round(p.meanB)} ms, then a pause; latency ${LATENCY_MS} ms`,
    trials: TRIALS,
    params,
    simulation: { network: { latency: latency.constant(LATENCY_MS), ordering: "fifo" } },
    lanes: (p) => [p.sender, p.monitor, ...p.bystanders],
    run: async (sim, impl, p) => {
      if (stats) stats.trials++;
      spawnBystanders(sim, p.bystanders);
      const arrivals: number[] = [];
      sim.spawn(
        p.monitor,
        (node: Node) => {
          const detector = impl.PhiAccrual({ windowSize: p.windowSize, minStdMs: p.minStdMs });
          node.on("heartbeat", () => {
            arrivals.push(node.now());
            detector.heartbeat(node.now());
          });
          for (const q of p.questions) {
            node.setTimer(q.atMs, () => {
              q.arrived = arrivals.length;
              q.phi = detector.phi(node.now());
              q.suspects = detector.suspects(node.now(), q.threshold);
            }, "ask φ");
          }
        },
        { role: "monitor" },
      );
      sim.spawn(
        p.sender,
        (node: Node) => {
          p.sendsMs.forEach((t, seq) => node.setTimer(t, () => void node.send(p.monitor, { type: "heartbeat", seq }), "heartbeat"));
        },
        { role: graderRole("sender") },
      );
      await sim.runUntilTime(p.questions[p.questions.length - 1].atMs + 100);
      const ids = sentMessages(sim.trace.events, (e) => e.type === "heartbeat" && e.dest === p.monitor).map((m) => m.send.id);
      checkAnswers(p, arrivals, ids, stats);
    },
  };
  return runScenarios(factory, seed, [scenario], { functions: ["PhiAccrual"], exercise: "07.2 phi-accrual" });
}
