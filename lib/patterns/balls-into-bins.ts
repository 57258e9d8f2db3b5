/**
 * Balls into bins: the mathematics behind random load balancing.
 *
 * Throw n balls (requests) into n bins (servers). With **one** uniformly random choice per ball, the
 * fullest bin ends up with about ln n / ln ln n balls (Gonnet, "Expected length of the longest probe
 * sequence in hash code searching", JACM 1981, who gives the sharper Γ⁻¹(n) − 3/2 + o(1); Raab &
 * Steger, "Balls into bins — a simple and tight analysis", RANDOM 1998). If each ball instead looks
 * at **d ≥ 2** random bins and goes to the least loaded of them, the maximum falls to
 * ln ln n / ln d + O(1) (Azar, Broder, Karlin & Upfal, "Balanced allocations", STOC 1994 / SIAM J.
 * Comput. 1999; Mitzenmacher, "The power of two choices in randomized load balancing", PhD thesis
 * 1996): an exponential improvement from one extra look, and most of what more looks could give.
 *
 * The load balancer's "power of two choices" policy is exactly this: sample two servers, send the
 * request to the one with fewer outstanding requests.
 *
 * Everything runs on typed arrays, so n = 10⁶ balls take a few tens of milliseconds.
 */
import type { Prng } from "../sim/prng";

/** One experiment: `ballCount` balls into `binCount` bins, each ball choosing among `choices` random bins. */
export interface BallsIntoBinsOptions {
  /** Balls to throw (m ≥ 0). */
  ballCount: number;
  /** Bins (n ≥ 1). */
  binCount: number;
  /** Random bins a ball looks at before going to the least loaded (d ≥ 1; 1 = plain random). Default 1. */
  choices?: number;
}

/** The outcome of one throw. */
export interface BallsIntoBinsResult {
  /** Balls in the fullest bin. */
  loadMax: number;
  /** `binsByLoad[k]`: how many bins hold exactly k balls (index 0 … loadMax). */
  binsByLoad: number[];
}

/**
 * Throw the balls, each into the least loaded of `choices` bins drawn uniformly at random (ties go
 * to the first drawn), and report the maximum load. Deterministic for a given `rng` seed.
 *
 * @example
 * const one = ballsIntoBins({ ballCount: 1e5, binCount: 1e5 }, new Prng(1));
 * const two = ballsIntoBins({ ballCount: 1e5, binCount: 1e5, choices: 2 }, new Prng(1));
 * one.loadMax;   // 7 (ln n / ln ln n ≈ 4.7, Γ⁻¹(n) − 3/2 ≈ 7.3)
 * two.loadMax;   // 3 (ln ln n / ln 2 ≈ 3.5)
 */
export function ballsIntoBins(options: BallsIntoBinsOptions, rng: Prng): BallsIntoBinsResult {
  const { ballCount, binCount } = options;
  const choices = options.choices ?? 1;
  if (!Number.isInteger(ballCount) || ballCount < 0) throw new RangeError(`ballsIntoBins: ballCount must be a whole number ≥ 0, got ${ballCount}`);
  if (!Number.isInteger(binCount) || binCount < 1 || binCount > 2 ** 31) throw new RangeError(`ballsIntoBins: binCount must be a whole number in 1..2^31, got ${binCount}`);
  if (!Number.isInteger(choices) || choices < 1) throw new RangeError(`ballsIntoBins: choices must be a whole number ≥ 1, got ${choices}`);
  const loads = new Uint32Array(binCount);
  let loadMax = 0;
  for (let ball = 0; ball < ballCount; ball++) {
    let best = Math.floor(rng.float() * binCount);
    for (let c = 1; c < choices; c++) {
      const other = Math.floor(rng.float() * binCount);
      if (loads[other] < loads[best]) best = other;
    }
    const load = ++loads[best];
    if (load > loadMax) loadMax = load;
  }
  const binsByLoad = new Array<number>(loadMax + 1).fill(0);
  for (let i = 0; i < binCount; i++) binsByLoad[loads[i]]++;
  return { loadMax, binsByLoad };
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; about 15 correct digits). */
function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  const z = x - 1;
  let a = c[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * Γ⁻¹(n): the x ≥ 2 with Γ(x) = n (for n ≥ 1). Gonnet's expected maximum load with one choice is
 * Γ⁻¹(n) − 3/2.
 *
 * @example
 * inverseGamma(24);   // 5, since Γ(5) = 4! = 24
 */
export function inverseGamma(n: number): number {
  if (!(n >= 1) || !Number.isFinite(n)) throw new RangeError(`inverseGamma: n must be a finite number ≥ 1, got ${n}`);
  const target = Math.log(n);
  let lo = 2; // Γ is increasing from about 1.46 on, and Γ(2) = 1
  let hi = 4;
  while (lnGamma(hi) < target) {
    lo = hi;
    hi *= 2;
  }
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (lnGamma(mid) < target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The published predictions of the maximum load for n balls in n bins. */
export interface LoadMaxPrediction {
  /** The leading term: ln n / ln ln n for d = 1, ln ln n / ln d for d ≥ 2. */
  leadingTerm: number;
  /** Gonnet's sharper Γ⁻¹(n) − 3/2 for d = 1; for d ≥ 2 the leading term (the O(1) is not given). */
  refined: number;
}

/**
 * What the theorems say the maximum load of n balls in n bins is, to leading order:
 * one choice ln n / ln ln n (Raab & Steger 1998), refined to Γ⁻¹(n) − 3/2 (Gonnet 1981);
 * d ≥ 2 choices ln ln n / ln d + O(1) (Azar, Broder, Karlin & Upfal 1994).
 *
 * @example
 * predictedLoadMax(1e6, 1);  // { leadingTerm: ≈ 5.26, refined: ≈ 8.9 }
 * predictedLoadMax(1e6, 2);  // { leadingTerm: ≈ 3.79, refined: ≈ 3.79 }
 */
export function predictedLoadMax(n: number, choices: number): LoadMaxPrediction {
  if (!Number.isFinite(n) || n < 16) throw new RangeError(`predictedLoadMax: n must be a finite number ≥ 16 (ln ln n must be well above 0), got ${n}`);
  if (!Number.isInteger(choices) || choices < 1) throw new RangeError(`predictedLoadMax: choices must be a whole number ≥ 1, got ${choices}`);
  const lnn = Math.log(n);
  if (choices === 1) return { leadingTerm: lnn / Math.log(lnn), refined: inverseGamma(n) - 1.5 };
  const lead = Math.log(lnn) / Math.log(choices);
  return { leadingTerm: lead, refined: lead };
}
