/**
 * Skewed key popularity and what it does to a cache.
 *
 * Real request streams are skewed: a few keys are asked for very often, most rarely. The classic
 * model is **Zipf's law**: the key of popularity rank i (1-based) is requested with probability
 * proportional to 1 / i^s. The *exponent* s was 0.64–0.83 in the web-proxy traces studied by
 * Breslau, Cao, Fan, Phillips & Shenker ("Web caching and Zipf-like distributions", INFOCOM 1999).
 *
 * Two formulas predict a cache's hit ratio on such a stream without simulating it:
 *
 * - **Che's approximation** for an LRU cache of C entries (Che, Tung & Wang, IEEE JSAC 2002;
 *   explained and justified by Fricker, Robert & Roberts, ITC 2012). Requests for key i arrive as a
 *   Poisson stream of rate λ_i. An LRU cache behaves almost exactly like a cache that keeps each key
 *   for a fixed *characteristic time* T after its last request, where T solves
 *   Σ_i (1 − e^(−λ_i·T)) = C (the expected number of keys requested in the last T is the cache
 *   size). Key i then hits with probability 1 − e^(−λ_i·T), and the hit ratio is
 *   Σ_i λ_i·(1 − e^(−λ_i·T)) / Σ_i λ_i.
 * - **TTL caches** for Poisson requests of rate λ to one key and a time-to-live TTL
 *   (Jung, Berger & Balakrishnan, "Modeling TTL-based Internet caches", INFOCOM 2003). Two models:
 *   - `"reset-on-miss"` (what HTTP caches and DNS resolvers do): a miss fetches the value and
 *     stamps it to expire TTL later; hits do not extend it. After each miss comes a window of TTL
 *     in which every request hits — λ·TTL of them on average — and then the first request after
 *     expiry misses again. So a renewal cycle holds one miss and λ·TTL hits on average, and the
 *     hit ratio is **λ·TTL / (1 + λ·TTL)**.
 *   - `"reset-on-hit"` (a sliding expiry, the model behind Che's approximation): a request hits
 *     exactly when the previous request to the key came less than TTL ago; for Poisson arrivals
 *     the gap is exponential, so the hit ratio is **1 − e^(−λ·TTL)**.
 *
 * Staleness: if the origin changes the key as a Poisson stream of rate μ, a reset-on-miss hit at
 * age a (time since the fetch) returns an outdated value with probability 1 − e^(−μ·a). Poisson
 * hits inside the window are spread uniformly over [0, TTL], so the fraction of hits that are stale
 * is 1 − (1 − e^(−μ·TTL)) / (μ·TTL) ≈ μ·TTL / 2 when μ·TTL is small.
 *
 * Time units are yours: give rates per request (probabilities) and T comes out in requests; give
 * rates per ms and T comes out in ms.
 */
import type { Prng } from "../sim/prng";

/** A Zipf(s) popularity law over `keyCount` keys. */
export interface ZipfOptions {
  /** How many distinct keys (N ≥ 1). */
  keyCount: number;
  /** The skew s ≥ 0: 0 is uniform, about 0.8 is typical of web objects, larger is more skewed. */
  exponent: number;
}

function checkZipf(options: ZipfOptions): void {
  const { keyCount, exponent } = options;
  if (!Number.isInteger(keyCount) || keyCount < 1) throw new RangeError(`zipf: keyCount must be a whole number ≥ 1, got ${keyCount}`);
  if (!Number.isFinite(exponent) || exponent < 0) throw new RangeError(`zipf: exponent must be a finite number ≥ 0, got ${exponent}`);
}

/**
 * The request probability of each key under Zipf(s): `p[i]` ∝ 1 / (i + 1)^s for key index i
 * (index 0 is the most popular key), normalised to sum to 1.
 *
 * @example
 * const p = zipfProbabilities({ keyCount: 3, exponent: 1 });
 * // p ≈ [0.545, 0.273, 0.182]: key 0 is asked twice as often as key 1, three times as often as key 2
 */
export function zipfProbabilities(options: ZipfOptions): Float64Array {
  checkZipf(options);
  const p = new Float64Array(options.keyCount);
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    p[i] = 1 / Math.pow(i + 1, options.exponent);
    sum += p[i];
  }
  for (let i = 0; i < p.length; i++) p[i] /= sum;
  return p;
}

/** Running sums of `p`, the last one forced to 1 so that no draw falls past the end. */
function cumulativeOf(p: Float64Array): Float64Array {
  const cumulative = new Float64Array(p.length);
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    sum += p[i];
    cumulative[i] = sum;
  }
  cumulative[cumulative.length - 1] = 1;
  return cumulative;
}

/** The first index whose cumulative probability exceeds `u` ∈ [0, 1) (binary search). */
function drawIndex(cumulative: Float64Array, u: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid] > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * A seeded stream of keys drawn from Zipf(s): `next()` returns a key index in [0, keyCount), index 0
 * being the most popular. Sampling is a binary search in the cumulative distribution, O(log N).
 *
 * @example
 * const keys = new ZipfSampler({ keyCount: 1000, exponent: 0.8 }, new Prng(1));
 * keys.next();            // a key index; small indices come up most often
 * keys.probabilities[0];  // the share of requests that go to key 0 (≈ 0.065 here)
 */
export class ZipfSampler {
  /** `probabilities[i]`: the chance that one draw is key i. */
  readonly probabilities: Float64Array;
  private readonly cumulative: Float64Array;

  constructor(options: ZipfOptions, private readonly rng: Prng) {
    this.probabilities = zipfProbabilities(options);
    this.cumulative = cumulativeOf(this.probabilities);
  }

  /** The next key index. @example new ZipfSampler({ keyCount: 10, exponent: 1 }, new Prng(2)).next() */
  next(): number {
    return drawIndex(this.cumulative, this.rng.float());
  }

  /** `count` draws in a typed array. @example new ZipfSampler({ keyCount: 10, exponent: 1 }, new Prng(2)).take(5) */
  take(count: number): Uint32Array {
    const out = new Uint32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.next();
    return out;
  }
}

/**
 * A Zipf(s) key workload for the proxy experiments (`runCacheExperiment({ workload })`): each call
 * draws one key name `k0` … `k{N-1}` from the random stream it is given, `k0` the most popular. The
 * names match `uniformKeys`, so an origin's writes and the reads talk about the same keys.
 *
 * @example
 * const workload = zipfKeys({ keyCount: 200, exponent: 0.9 });
 * workload(new Prng(4));   // a key name such as "k0"; "k0" comes up most often
 */
export function zipfKeys(options: ZipfOptions): (rng: Prng) => string {
  const cumulative = cumulativeOf(zipfProbabilities(options));
  return (rng) => `k${drawIndex(cumulative, rng.float())}`;
}

function checkRates(rates: ArrayLike<number>, what: string): number {
  if (rates.length === 0) throw new RangeError(`${what}: no keys (rates is empty)`);
  let total = 0;
  for (let i = 0; i < rates.length; i++) {
    const r = rates[i];
    if (!Number.isFinite(r) || r < 0) throw new RangeError(`${what}: rates[${i}] must be a finite number ≥ 0, got ${r}`);
    total += r;
  }
  if (total <= 0) throw new RangeError(`${what}: all rates are 0`);
  return total;
}

/** Che's approximation of one LRU cache: the characteristic time and the hit ratios it implies. */
export interface CheEstimate {
  /** T solving Σ (1 − e^(−λ_i·T)) = C, in the unit of 1/rate (Infinity when every key fits). */
  characteristicTime: number;
  /** Σ λ_i (1 − e^(−λ_i·T)) / Σ λ_i: the share of requests that hit. */
  hitRatio: number;
}

/**
 * Che's approximation of the hit ratio of an LRU cache holding `cacheSize` entries, for independent
 * requests where key i is asked at rate `rates[i]` (probabilities or rates per ms; they need not sum
 * to 1). Solves Σ (1 − e^(−λ_i·T)) = C for T by bisection (Che, Tung & Wang 2002, eq. for t_C;
 * Fricker, Robert & Roberts 2012). Cold-start misses are not counted: this is the steady state.
 *
 * @example
 * const p = zipfProbabilities({ keyCount: 1000, exponent: 0.8 });
 * cheApproximation(p, 100).hitRatio;            // ≈ 0.38: a cache of 10% of the keys serves 38% of the requests
 * cheApproximation(p, 100).characteristicTime;  // ≈ 134 requests: how long an unrequested key survives
 */
export function cheApproximation(rates: ArrayLike<number>, cacheSize: number): CheEstimate {
  const total = checkRates(rates, "cheApproximation");
  if (!Number.isFinite(cacheSize) || cacheSize < 0) throw new RangeError(`cheApproximation: cacheSize must be a finite number ≥ 0, got ${cacheSize}`);
  let positive = 0;
  for (let i = 0; i < rates.length; i++) if (rates[i] > 0) positive++;
  if (cacheSize >= positive) return { characteristicTime: Infinity, hitRatio: 1 };
  if (cacheSize === 0) return { characteristicTime: 0, hitRatio: 0 };
  const occupancy = (t: number): number => {
    let sum = 0;
    for (let i = 0; i < rates.length; i++) sum += -Math.expm1(-rates[i] * t);
    return sum;
  };
  // occupancy(T) rises from 0 to `positive`: bracket the root, then halve the bracket.
  let lo = 0;
  let hi = cacheSize / total;
  while (occupancy(hi) < cacheSize) {
    lo = hi;
    hi *= 2;
  }
  for (let i = 0; i < 100 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (occupancy(mid) < cacheSize) lo = mid;
    else hi = mid;
  }
  const t = (lo + hi) / 2;
  let hits = 0;
  for (let i = 0; i < rates.length; i++) hits += rates[i] * -Math.expm1(-rates[i] * t);
  return { characteristicTime: t, hitRatio: hits / total };
}

/** How a TTL cache's expiry clock is set (see the module comment for both derivations). */
export type TtlModel = "reset-on-miss" | "reset-on-hit";

/**
 * The hit ratio of one key in a TTL cache, for Poisson requests at `ratePerMs`:
 * `"reset-on-miss"` (default; expiry fixed at fetch): λ·TTL / (1 + λ·TTL);
 * `"reset-on-hit"` (sliding expiry): 1 − e^(−λ·TTL). Jung, Berger & Balakrishnan, INFOCOM 2003.
 *
 * @example
 * ttlHitRatio(0.1, 10);                  // 0.5: one request per 10 ms, TTL 10 ms → one miss, then one hit on average
 * ttlHitRatio(0.1, 10, "reset-on-hit");  // ≈ 0.632 = 1 − 1/e
 */
export function ttlHitRatio(ratePerMs: number, ttlMs: number, model: TtlModel = "reset-on-miss"): number {
  if (!Number.isFinite(ratePerMs) || ratePerMs < 0) throw new RangeError(`ttlHitRatio: ratePerMs must be a finite number ≥ 0, got ${ratePerMs}`);
  if (!(ttlMs >= 0)) throw new RangeError(`ttlHitRatio: ttlMs must be a number ≥ 0, got ${ttlMs}`);
  if (ttlMs === Infinity) return ratePerMs > 0 ? 1 : 0;
  const x = ratePerMs * ttlMs;
  if (model === "reset-on-miss") return x / (1 + x);
  if (model === "reset-on-hit") return -Math.expm1(-x);
  throw new RangeError(`ttlHitRatio: model must be "reset-on-miss" or "reset-on-hit", got ${String(model)}`);
}

/**
 * The hit ratio of a whole TTL cache (unbounded size) for independent Poisson request streams, key i
 * at `ratesPerMs[i]`: the per-key {@link ttlHitRatio} weighted by each key's share of the requests.
 *
 * @example
 * const p = zipfProbabilities({ keyCount: 1000, exponent: 0.8 });
 * const ratesPerMs = Array.from(p, (pi) => pi * 2);   // 2 requests per ms in all
 * ttlCacheHitRatio(ratesPerMs, 100);                   // ≈ 0.37 with TTL = 100 ms
 */
export function ttlCacheHitRatio(ratesPerMs: ArrayLike<number>, ttlMs: number, model: TtlModel = "reset-on-miss"): number {
  const total = checkRates(ratesPerMs, "ttlCacheHitRatio");
  let hits = 0;
  for (let i = 0; i < ratesPerMs.length; i++) hits += ratesPerMs[i] * ttlHitRatio(ratesPerMs[i], ttlMs, model);
  return hits / total;
}

/**
 * The share of hits that return an outdated value, in a reset-on-miss TTL cache whose origin updates
 * the key as a Poisson stream of rate `updateRatePerMs`: 1 − (1 − e^(−μ·TTL)) / (μ·TTL) (hits are
 * uniform over the window [0, TTL) after a fetch; a hit at age a is stale with chance 1 − e^(−μ·a)).
 *
 * @example
 * ttlStaleHitRatio(0.001, 100);  // ≈ 0.048: one update per second, TTL 100 ms → about 1 hit in 21 is stale
 * ttlStaleHitRatio(0, 100);      // 0: a value that never changes is never stale
 */
export function ttlStaleHitRatio(updateRatePerMs: number, ttlMs: number): number {
  if (!Number.isFinite(updateRatePerMs) || updateRatePerMs < 0) throw new RangeError(`ttlStaleHitRatio: updateRatePerMs must be a finite number ≥ 0, got ${updateRatePerMs}`);
  if (!Number.isFinite(ttlMs) || ttlMs < 0) throw new RangeError(`ttlStaleHitRatio: ttlMs must be a finite number ≥ 0, got ${ttlMs}`);
  const x = updateRatePerMs * ttlMs;
  if (x === 0) return 0;
  return 1 + Math.expm1(-x) / x;
}
