/**
 * Exercise 07.2 — φ accrual detector (15 points). Graded by `npm test` (test/07-failure-detection.test.ts),
 * or alone with `npm run grade -- 07.2`.
 *
 * Hayashibara et al. (SRDS 2004): instead of a yes/no verdict, a detector outputs a suspicion
 * level φ that grows the longer a heartbeat is overdue, measured against the recent
 * inter-arrival times. Write the class `PhiAccrual({ windowSize, minStdMs })`, a pure object (no
 * node, no timers, no Date): the grader feeds it arrival times and asks for φ.
 *
 * - `heartbeat(nowMs)`: a heartbeat arrived at `nowMs` (times never go backwards). From the second
 *   heartbeat on, the interval since the previous one enters a window of the last `windowSize`
 *   intervals (the oldest drops out).
 * - `phi(nowMs)`: 0 while the window is empty (fewer than two heartbeats). Otherwise, with μ the
 *   mean of the window, s its population standard deviation (divide by n, not n − 1),
 *   σ = max(s, minStdMs) and Δt = nowMs − the last arrival:
 *   φ = −log₁₀(1 − F(Δt)), where F is the CDF of the normal distribution N(μ, σ²):
 *   1 − F(Δt) = erfc(z / √2) / 2 with z = (Δt − μ) / σ.
 * - `suspects(nowMs, threshold)`: `phi(nowMs) >= threshold`.
 *
 * JavaScript has no erf: write one (Abramowitz–Stegun 7.1.26, absolute error 1.5e-7, is enough;
 * Akka's logistic approximation is not: it is 12% off at z = 5).
 *
 * Graded: 27 trials for each of 5 seeds. Each trial draws windowSize (4–20), minStdMs (5–60 ms), a
 * heartbeat stream (mean 40–200 ms, jitter 0–40 ms; the rate changes halfway, so a window that
 * keeps every interval is wrong; a pause at the end while φ climbs), and asks φ ~200 times between
 * heartbeats (and before the second one), and `suspects` at thresholds 0.5–5. φ must be within
 * 0.05 + 3% of the formula wherever the formula gives φ ≤ 6; above, φ must be > 5.5. `suspects`
 * must agree with the formula except within that tolerance of the threshold.
 */
import { NotImplementedError } from "../not-implemented";

/** Options of {@link PhiAccrual}. */
export interface PhiAccrualOptions {
  /** Intervals kept: the last windowSize between consecutive heartbeats. */
  windowSize: number;
  /** Floor of the standard deviation, in ms. */
  minStdMs: number;
}

/**
 * The φ accrual failure detector for one monitored process.
 *
 * @example
 * const d = new PhiAccrual({ windowSize: 10, minStdMs: 20 });
 * for (let t = 0; t <= 1000; t += 100) d.heartbeat(t);
 * d.phi(1100); // 0.30: one mean interval since the last heartbeat
 * d.suspects(1200, 8); // false: 5σ late is φ ≈ 6.5 (6σ late, at t = 1220, is φ ≈ 9)
 */
export class PhiAccrual {
  constructor(options: PhiAccrualOptions) {
    // Your code here (07.2)
  }

  /** A heartbeat arrived at nowMs. */
  heartbeat(nowMs: number): void {
    throw new NotImplementedError("07.2 phi-accrual", "exercises/07-failure-detection/phi-accrual.ts");
  }

  /** The suspicion level at nowMs. */
  phi(nowMs: number): number {
    throw new NotImplementedError("07.2 phi-accrual", "exercises/07-failure-detection/phi-accrual.ts");
  }

  /** φ(nowMs) ≥ threshold. */
  suspects(nowMs: number, threshold: number): boolean {
    throw new NotImplementedError("07.2 phi-accrual", "exercises/07-failure-detection/phi-accrual.ts");
  }
}
