import type { Prng } from "../sim/prng";

/** One-way message delay as a distribution, in virtual milliseconds. */
export type Latency =
  | { kind: "constant"; ms: number }
  | { kind: "uniform"; msMin: number; msMax: number }
  /** Normal, cut off below at `msMin` (default 0) so a delay is never negative. */
  | { kind: "normal"; msMean: number; msStdDev: number; msMin?: number }
  /** `msMin` plus an exponential delay with mean `msMean`: a long tail. */
  | { kind: "exponential"; msMean: number; msMin?: number };

/**
 * Constructors for latency distributions, so options read well.
 *
 * @example
 * const network = { latency: latency.uniform(5, 15) };
 * latency.constant(1);          // every message takes 1 ms
 * latency.normal(20, 5);        // mean 20 ms, std dev 5 ms, never below 0
 * latency.exponential(10, 2);   // at least 2 ms, then a tail with mean 10 ms
 */
export const latency = {
  constant: (ms: number): Latency => ({ kind: "constant", ms }),
  uniform: (msMin: number, msMax: number): Latency => ({ kind: "uniform", msMin, msMax }),
  normal: (msMean: number, msStdDev: number, msMin = 0): Latency => ({ kind: "normal", msMean, msStdDev, msMin }),
  exponential: (msMean: number, msMin = 0): Latency => ({ kind: "exponential", msMean, msMin }),
};

/**
 * Draw one delay from a distribution.
 *
 * @example
 * sampleLatency(latency.uniform(5, 15), new Prng(1)); // a number in [5, 15)
 */
export function sampleLatency(dist: Latency, prng: Prng): number {
  switch (dist.kind) {
    case "constant":
      return dist.ms;
    case "uniform":
      return prng.uniform(dist.msMin, dist.msMax);
    case "normal":
      return Math.max(dist.msMin ?? 0, prng.normal(dist.msMean, dist.msStdDev));
    case "exponential":
      return (dist.msMin ?? 0) + prng.exponential(dist.msMean);
  }
}

/**
 * The numbers of a distribution that must be finite and ≥ 0, with their option names.
 *
 * @example
 * latencyNumbers(latency.uniform(5, 15)); // [["msMin", 5], ["msMax", 15]]
 */
export function latencyNumbers(dist: Latency): Array<[string, number]> {
  switch (dist.kind) {
    case "constant":
      return [["ms", dist.ms]];
    case "uniform":
      return [["msMin", dist.msMin], ["msMax", dist.msMax]];
    case "normal":
      return [["msMean", dist.msMean], ["msStdDev", dist.msStdDev], ["msMin", dist.msMin ?? 0]];
    case "exponential":
      return [["msMean", dist.msMean], ["msMin", dist.msMin ?? 0]];
  }
}
