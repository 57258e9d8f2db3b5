// The φ accrual failure detector. Hayashibara, Défago, Yared & Katayama, "The φ accrual failure
// detector", SRDS 2004, §3: instead of a yes/no suspicion, output a suspicion level
//   φ(t) = −log₁₀(1 − F(t − t_last))
// where t_last is the last heartbeat's arrival and F is the CDF of a normal distribution fitted to
// a sliding window of recent inter-arrival times. φ = 1 means a 10% chance that suspecting is a
// mistake, φ = 2 a 1% chance, φ = 8 one in 10⁸. The application picks the threshold; the detector
// adapts to the network's jitter on its own. Akka's `PhiAccrualFailureDetector` adds a floor on the
// standard deviation and an "acceptable heartbeat pause" added to the mean (both below).
import type { Node } from "../node/index";
import { checkInteger, checkPositive, contextOf, failureError } from "./errors";

/** Options of {@link PhiAccrualDetector}; every field has Akka's default (see {@link AKKA_PHI_DEFAULTS}). */
export interface PhiAccrualOptions {
  /** Suspect when φ ≥ threshold. Akka: 8. */
  threshold?: number;
  /** Inter-arrival times kept (the window). Akka `max-sample-size`: 1000. */
  maxSampleSize?: number;
  /** Floor of the standard deviation, so a very regular stream does not make φ explode. Akka: 100 ms. */
  minStdDeviationMs?: number;
  /** Added to the mean: a pause this long is tolerated before φ rises. Akka cluster: 3 s. The paper has none (0). */
  acceptableHeartbeatPauseMs?: number;
}

/**
 * Akka's defaults (`akka.cluster.failure-detector`, reference.conf): threshold 8, window of 1000
 * intervals, minimum standard deviation 100 ms, acceptable heartbeat pause 3 s, heartbeat interval
 * 1 s. With these, a stream of 1 s heartbeats is suspected about 4.56 s after the last one
 * (mean 1 s + pause 3 s, σ floored at 100 ms: φ = 8 at ≈ 5.6 σ past the shifted mean).
 * Differences from Akka: F is the exact normal CDF, not Akka's logistic approximation, and the
 * window is not seeded with a "first heartbeat estimate": φ is 0 until two heartbeats arrived.
 *
 * @example
 * new PhiAccrualDetector(AKKA_PHI_DEFAULTS).threshold; // 8
 */
export const AKKA_PHI_DEFAULTS = {
  threshold: 8,
  maxSampleSize: 1000,
  minStdDeviationMs: 100,
  acceptableHeartbeatPauseMs: 3000,
  heartbeatIntervalMs: 1000,
} as const;

/**
 * erfc(x) for x ≥ 0 to about 1e-15 relative: a positive series for small x, a continued fraction
 * (evaluated by Lentz's method) for large x, so the tail 1 − F keeps its precision where
 * `1 − erf` would cancel to 0.
 */
function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x < 3) {
    // erf(x) = 2/√π · e^{−x²} · Σ (2x²)ⁿ x / (1·3·…·(2n+1))
    let term = x;
    let sum = x;
    for (let n = 1; n < 200 && term > sum * 1e-17; n++) {
      term *= (2 * x * x) / (2 * n + 1);
      sum += term;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
  }
  // erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = x + a * d;
    d = d === 0 ? tiny : 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/**
 * φ for one elapsed time: −log₁₀(1 − F(elapsedMs)) with F the normal CDF of mean `meanMs` and
 * standard deviation `stdDeviationMs` (Hayashibara et al. 2004, §3, equation 1). Exact in the tail
 * (1 − F = erfc(z/√2)/2), so φ keeps growing instead of saturating at 16.
 *
 * @example
 * phiOf(1000, 1000, 100); // 0.301…: half the intervals are longer than the mean
 * phiOf(1300, 1000, 100); // 2.87…: 3σ late
 */
export function phiOf(elapsedMs: number, meanMs: number, stdDeviationMs: number): number {
  if (!(stdDeviationMs > 0)) throw failureError(`phiOf: stdDeviationMs must be > 0, got ${stdDeviationMs}`, {});
  const z = (elapsedMs - meanMs) / stdDeviationMs;
  if (z < 0) {
    // 1 − F = 1 − lower with lower = F(z) tiny: log1p keeps φ's small positive value exact.
    const lower = 0.5 * erfc(-z / Math.SQRT2);
    return -Math.log1p(-lower) / Math.LN10;
  }
  const tail = 0.5 * erfc(z / Math.SQRT2);
  return tail <= 0 ? Infinity : -Math.log10(tail) + 0; // + 0 turns −0 into 0
}

/**
 * The φ accrual detector for one monitored process, as a pure object (no node, no timers): feed it
 * heartbeat arrival times, ask for φ at any time. Hayashibara et al. 2004 §3 (the window of
 * inter-arrival times, the normal approximation, φ); the std floor and pause are Akka's.
 *
 * @example
 * const d = new PhiAccrualDetector({ acceptableHeartbeatPauseMs: 0 });
 * for (let t = 0; t <= 10_000; t += 1000) d.heartbeat(t);
 * d.phi(11_000); // 0.30: one mean interval since the last heartbeat
 * d.phi(11_500); // 6.54: 5σ late (σ floored at 100 ms), below the threshold 8
 * d.suspects(11_600); // true: φ = 9.0 at 6σ
 */
export class PhiAccrualDetector {
  readonly threshold: number;
  readonly maxSampleSize: number;
  readonly minStdDeviationMs: number;
  readonly acceptableHeartbeatPauseMs: number;
  private readonly intervals: number[] = [];
  private sum = 0;
  private sumSquares = 0;
  private lastMs: number | undefined;

  constructor(options: PhiAccrualOptions = {}) {
    const where = "PhiAccrualDetector";
    this.threshold = checkPositive(where, "threshold", options.threshold ?? AKKA_PHI_DEFAULTS.threshold, {});
    this.maxSampleSize = checkInteger(where, "maxSampleSize", options.maxSampleSize ?? AKKA_PHI_DEFAULTS.maxSampleSize, 1, {});
    this.minStdDeviationMs = checkPositive(where, "minStdDeviationMs", options.minStdDeviationMs ?? AKKA_PHI_DEFAULTS.minStdDeviationMs, {});
    this.acceptableHeartbeatPauseMs = checkPositive(where, "acceptableHeartbeatPauseMs", options.acceptableHeartbeatPauseMs ?? AKKA_PHI_DEFAULTS.acceptableHeartbeatPauseMs, {}, true);
  }

  /** Record a heartbeat arriving at `nowMs`; its gap since the previous one enters the window. @example d.heartbeat(node.clock()) */
  heartbeat(nowMs: number): void {
    if (typeof nowMs !== "number" || !Number.isFinite(nowMs)) throw failureError(`PhiAccrualDetector.heartbeat: nowMs must be a finite number, got ${nowMs}`, {});
    if (this.lastMs !== undefined) {
      if (nowMs < this.lastMs) throw failureError(`PhiAccrualDetector.heartbeat: time went backwards (${nowMs} ms after a heartbeat at ${this.lastMs} ms)`, { timeMs: nowMs });
      const interval = nowMs - this.lastMs;
      this.intervals.push(interval);
      this.sum += interval;
      this.sumSquares += interval * interval;
      if (this.intervals.length > this.maxSampleSize) {
        const old = this.intervals.shift()!;
        this.sum -= old;
        this.sumSquares -= old * old;
      }
    }
    this.lastMs = nowMs;
  }

  /** The inter-arrival times in the window, oldest first. @example d.window() */
  window(): number[] {
    return [...this.intervals];
  }

  /** The window's mean interval, ms (undefined before two heartbeats). @example d.meanMs */
  get meanMs(): number | undefined {
    return this.intervals.length ? this.sum / this.intervals.length : undefined;
  }

  /** The window's standard deviation (population), before the floor. @example d.stdDeviationMs */
  get stdDeviationMs(): number | undefined {
    const n = this.intervals.length;
    if (!n) return undefined;
    const mean = this.sum / n;
    return Math.sqrt(Math.max(0, this.sumSquares / n - mean * mean));
  }

  /** When the last heartbeat arrived. @example d.lastHeartbeatMs */
  get lastHeartbeatMs(): number | undefined {
    return this.lastMs;
  }

  /**
   * φ at `nowMs`: −log₁₀(1 − F(nowMs − t_last)) with F normal of mean (window mean + acceptable
   * pause) and standard deviation max(window std, minimum). 0 before two heartbeats.
   *
   * @example
   * d.phi(node.clock());
   */
  phi(nowMs: number): number {
    const mean = this.meanMs;
    if (mean === undefined || this.lastMs === undefined) return 0;
    const std = Math.max(this.stdDeviationMs!, this.minStdDeviationMs);
    return phiOf(nowMs - this.lastMs, mean + this.acceptableHeartbeatPauseMs, std);
  }

  /** φ(nowMs) ≥ threshold (the detector's own, or the one given). @example d.suspects(t, 3) */
  suspects(nowMs: number, threshold = this.threshold): boolean {
    return this.phi(nowMs) >= threshold;
  }
}

/** Options of {@link watchPhi}. */
export interface PhiWatchOptions extends PhiAccrualOptions {
  /** The monitored peers (they send heartbeats, e.g. with `sendHeartbeats`). */
  from: readonly string[];
  /** How often φ is compared with the threshold (local clock). Default 100 ms. */
  checkIntervalMs?: number;
  onSuspect?: (peer: string, phi: number) => void;
  onRestore?: (peer: string) => void;
  /** Wire type of heartbeats. Default `"heartbeat"`. */
  tag?: string;
}

/** A running φ monitor on a node. */
export interface PhiWatch {
  /** φ of `peer` now (local clock). */
  phi(peer: string): number;
  /** Whether `peer` is suspected (as of the last check). */
  suspects(peer: string): boolean;
  /** The detector of `peer`, for its window. */
  detector(peer: string): PhiAccrualDetector;
}

/**
 * Monitor `from` with one {@link PhiAccrualDetector} each on `node`: heartbeats feed the detectors
 * (arrival time on the local clock), and every `checkIntervalMs` φ is compared with the threshold.
 *
 * @example
 * sim.spawn("monitor", (node) => {
 *   watchPhi(node, { from: ["p"], acceptableHeartbeatPauseMs: 0, onSuspect: (p, phi) => node.log(`suspect ${p}, φ=${phi.toFixed(1)}`) });
 * });
 */
export function watchPhi(node: Node, options: PhiWatchOptions): PhiWatch {
  const where = "watchPhi";
  if (!Array.isArray(options?.from)) throw failureError(`${where}: from must be an array of node ids`, contextOf(node));
  const checkIntervalMs = checkPositive(where, "checkIntervalMs", options.checkIntervalMs ?? 100, contextOf(node));
  const tag = options.tag ?? "heartbeat";
  const peers = new Map<string, { detector: PhiAccrualDetector; suspected: boolean }>();
  for (const peer of options.from) peers.set(peer, { detector: new PhiAccrualDetector(options), suspected: false });
  const entry = (peer: string) => {
    const e = peers.get(peer);
    if (!e) throw failureError(`${where}: "${peer}" is not monitored (monitored: ${options.from.join(", ")})`, contextOf(node));
    return e;
  };
  node.on(tag, (message) => {
    const e = peers.get(message.src);
    if (!e) return;
    e.detector.heartbeat(node.clock());
    if (e.suspected) {
      e.suspected = false;
      options.onRestore?.(message.src);
    }
  });
  node.setPeriodic(checkIntervalMs, () => {
    for (const [peer, e] of peers) {
      const phi = e.detector.phi(node.clock());
      if (!e.suspected && phi >= e.detector.threshold) {
        e.suspected = true;
        options.onSuspect?.(peer, phi);
      }
    }
  }, `${tag} φ check`, { clock: "local" });
  return {
    phi: (peer) => entry(peer).detector.phi(node.clock()),
    suspects: (peer) => entry(peer).suspected,
    detector: (peer) => entry(peer).detector,
  };
}
