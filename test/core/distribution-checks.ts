// Tolerances for statistical tests, derived from the sample size.
//
// A sample statistic (a mean, a proportion, a variance) of n independent draws is off from its
// expected value by about one standard error (SE), which shrinks as 1/√n. A check allows SIGMAS
// standard errors: a correct generator fails it with probability ≈ 2·10⁻⁹ (normal approximation),
// so a new seed or sample size never makes a test flaky, and a wrong distribution — which is off
// by tens or hundreds of SE at these sample sizes — fails. Every test states n, the SE formula and
// the resulting tolerance next to the check.

/** How many standard errors a statistic may be off. */
export const SIGMAS = 6;

/** Tolerance of the mean of n draws from a distribution with standard deviation `sd`: SIGMAS·sd/√n. */
export function meanTolerance(sd: number, n: number): number {
  return (SIGMAS * sd) / Math.sqrt(n);
}

/** Tolerance of the fraction of n trials that succeed with probability p: SIGMAS·√(p(1−p)/n). */
export function proportionTolerance(p: number, n: number): number {
  return SIGMAS * Math.sqrt((p * (1 - p)) / n);
}

/**
 * Tolerance of the sample variance of n draws, given the distribution's variance σ² and fourth
 * central moment μ₄: SIGMAS·√((μ₄ − σ⁴)/n).
 */
export function varianceTolerance(variance: number, fourthMoment: number, n: number): number {
  return SIGMAS * Math.sqrt((fourthMoment - variance ** 2) / n);
}

export function sampleMean(xs: readonly number[]): number {
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

export function sampleVariance(xs: readonly number[]): number {
  const m = sampleMean(xs);
  let sum = 0;
  for (const x of xs) sum += (x - m) ** 2;
  return sum / xs.length;
}

/** How far a sample is from an exponential distribution with the given mean, in standard errors. */
export interface ExponentialDeviations {
  /** Sample mean − m, in SE of the mean (σ = m, so SE = m/√n). */
  mean: number;
  /** Sample variance − m², in SE of the variance (μ₄ = 9m⁴, σ⁴ = m⁴, so SE = √8·m²/√n). */
  variance: number;
  /** Fraction of draws above 3m − e⁻³, in SE of a proportion (p = e⁻³ ≈ 0.0498). */
  tail: number;
}

/**
 * The deviations of a sample from Exp(mean). Each is in standard errors, so a correct sample
 * has every |deviation| < SIGMAS, and a distribution with the right mean but the wrong shape
 * (a constant, a uniform, a normal) has some |deviation| far above it.
 *
 * @example
 * exponentialDeviations(draws, 10); // { mean: 0.4, variance: -1.1, tail: 0.7 }
 */
export function exponentialDeviations(xs: readonly number[], mean: number): ExponentialDeviations {
  const n = xs.length;
  const p = Math.exp(-3);
  const above = xs.filter((x) => x > 3 * mean).length / n;
  return {
    mean: (sampleMean(xs) - mean) / (mean / Math.sqrt(n)),
    variance: (sampleVariance(xs) - mean ** 2) / ((Math.sqrt(8) * mean ** 2) / Math.sqrt(n)),
    tail: (above - p) / Math.sqrt((p * (1 - p)) / n),
  };
}

/** The largest |deviation|: below SIGMAS for a correct sample. */
export function worstDeviation(d: ExponentialDeviations): number {
  return Math.max(Math.abs(d.mean), Math.abs(d.variance), Math.abs(d.tail));
}
