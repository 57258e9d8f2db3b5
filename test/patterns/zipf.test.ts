// Scenarios for lib/patterns/zipf.ts: the Zipf key stream, Che's approximation of an LRU cache and
// the TTL-cache formulas, each checked against a direct simulation of the cache it describes.
import { describe, expect, it } from "vitest";
import { Prng } from "../../lib/sim/prng";
import {
  ZipfSampler, zipfKeys, cheApproximation, ttlCacheHitRatio, ttlHitRatio, ttlStaleHitRatio, zipfProbabilities,
} from "../../lib/patterns/zipf";

/** A textbook LRU cache of `capacity` entries run over `keys`; hit ratio over the requests after `warmup`. */
function simulateLru(keys: Uint32Array, capacity: number, warmup: number): number {
  const cache = new Map<number, true>(); // insertion order = recency order, oldest first
  let hits = 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const hit = cache.delete(key);
    cache.set(key, true);
    if (!hit && cache.size > capacity) cache.delete(cache.keys().next().value!);
    if (hit && i >= warmup) hits++;
  }
  return hits / (keys.length - warmup);
}

/** A TTL cache over Poisson requests (total rate `ratePerMs`) to Zipf keys; hit ratio after `warmupMs`. */
function simulateTtl(probabilities: Float64Array, sampler: ZipfSampler, rng: Prng, ratePerMs: number, ttlMs: number,
  resetOnHit: boolean, requests: number, warmupMs: number): number {
  const expiresMs = new Float64Array(probabilities.length).fill(-Infinity);
  let nowMs = 0;
  let hits = 0;
  let counted = 0;
  for (let i = 0; i < requests; i++) {
    nowMs += rng.exponential(1 / ratePerMs);
    const key = sampler.next();
    const hit = nowMs < expiresMs[key];
    if (!hit || resetOnHit) expiresMs[key] = nowMs + ttlMs;
    if (nowMs >= warmupMs) {
      counted++;
      if (hit) hits++;
    }
  }
  return hits / counted;
}

describe("a Zipf key stream", () => {
  it("asks for each key about as often as its Zipf probability says", () => {
    const sampler = new ZipfSampler({ keyCount: 100, exponent: 1 }, new Prng(5));
    const counts = new Float64Array(100);
    const draws = 200_000;
    for (let i = 0; i < draws; i++) counts[sampler.next()]++;
    for (const key of [0, 1, 9, 99]) {
      const expected = sampler.probabilities[key] * draws;
      expect(Math.abs(counts[key] - expected)).toBeLessThan(5 * Math.sqrt(expected)); // 5 standard deviations
    }
    expect(counts[0]).toBeGreaterThan(counts[1]);
    expect(counts[1]).toBeGreaterThan(counts[9]);
  });

  it("replays the same keys from the same seed, and other keys from another", () => {
    const a = new ZipfSampler({ keyCount: 1000, exponent: 0.8 }, new Prng(9)).take(50);
    const b = new ZipfSampler({ keyCount: 1000, exponent: 0.8 }, new Prng(9)).take(50);
    const c = new ZipfSampler({ keyCount: 1000, exponent: 0.8 }, new Prng(10)).take(50);
    expect([...a]).toEqual([...b]);
    expect([...a]).not.toEqual([...c]);
  });

  it("as a proxy workload, names keys k0…k{N-1} and draws the same keys as the sampler from the same stream", () => {
    const workload = zipfKeys({ keyCount: 50, exponent: 1 });
    const rng = new Prng(12);
    const names = Array.from({ length: 20 }, () => workload(rng));
    const indices = new ZipfSampler({ keyCount: 50, exponent: 1 }, new Prng(12)).take(20);
    expect(names).toEqual([...indices].map((i) => `k${i}`));
  });

  it("is uniform at exponent 0 and sums to 1 at any exponent", () => {
    expect([...zipfProbabilities({ keyCount: 4, exponent: 0 })]).toEqual([0.25, 0.25, 0.25, 0.25]);
    const p = zipfProbabilities({ keyCount: 10_000, exponent: 1.2 });
    expect(p.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
  });

  it("refuses a key count or an exponent that makes no sense", () => {
    expect(() => zipfProbabilities({ keyCount: 0, exponent: 1 })).toThrow(/keyCount must be a whole number ≥ 1, got 0/);
    expect(() => zipfProbabilities({ keyCount: 10, exponent: -1 })).toThrow(/exponent must be a finite number ≥ 0, got -1/);
  });
});

describe("Che's approximation of an LRU cache (Che, Tung & Wang 2002)", () => {
  const keyCount = 1000;
  const requests = 200_000;

  for (const exponent of [0.6, 0.8, 1.0]) {
    it(`matches a simulated LRU cache on a Zipf(${exponent}) trace within 2 points of hit ratio, at every cache size`, () => {
      const sampler = new ZipfSampler({ keyCount, exponent }, new Prng(42));
      const keys = sampler.take(requests);
      for (const cacheSize of [10, 50, 100, 300, 600]) {
        const simulated = simulateLru(keys, cacheSize, 20_000);
        const predicted = cheApproximation(sampler.probabilities, cacheSize).hitRatio;
        expect(Math.abs(simulated - predicted), `cache ${cacheSize}: simulated ${simulated}, Che ${predicted}`).toBeLessThan(0.02);
      }
    });
  }

  it("finds T with Σ (1 − e^(−p_i·T)) = C: the expected number of distinct keys in the last T requests is the cache size", () => {
    const p = zipfProbabilities({ keyCount: 1000, exponent: 0.8 });
    const { characteristicTime } = cheApproximation(p, 100);
    const occupancy = p.reduce((s, pi) => s + 1 - Math.exp(-pi * characteristicTime), 0);
    expect(occupancy).toBeCloseTo(100, 6);
  });

  it("gives the same hit ratio for rates per ms as for probabilities, with T scaled by the total rate", () => {
    const p = zipfProbabilities({ keyCount: 500, exponent: 0.9 });
    const perRequest = cheApproximation(p, 50);
    const perMs = cheApproximation(Array.from(p, (x) => x * 4), 50); // 4 requests per ms
    expect(perMs.hitRatio).toBeCloseTo(perRequest.hitRatio, 9);
    expect(perMs.characteristicTime * 4).toBeCloseTo(perRequest.characteristicTime, 6);
  });

  it("grows with the cache: 0 for no cache, 1 when every key fits", () => {
    const p = zipfProbabilities({ keyCount: 200, exponent: 0.8 });
    const ratios = [0, 10, 50, 100, 199].map((c) => cheApproximation(p, c).hitRatio);
    expect(ratios[0]).toBe(0);
    for (let i = 1; i < ratios.length; i++) expect(ratios[i]).toBeGreaterThan(ratios[i - 1]);
    expect(cheApproximation(p, 200)).toEqual({ characteristicTime: Infinity, hitRatio: 1 });
  });

  it("refuses negative rates and cache sizes", () => {
    expect(() => cheApproximation([0.5, -0.5], 1)).toThrow(/rates\[1\] must be a finite number ≥ 0, got -0.5/);
    expect(() => cheApproximation([0.5, 0.5], -1)).toThrow(/cacheSize must be a finite number ≥ 0, got -1/);
    expect(() => cheApproximation([], 1)).toThrow(/no keys/);
  });
});

describe("TTL caches under Poisson requests (Jung, Berger & Balakrishnan 2003)", () => {
  it("one key, reset on miss: λ·TTL / (1 + λ·TTL); reset on hit: 1 − e^(−λ·TTL)", () => {
    expect(ttlHitRatio(0.1, 10)).toBeCloseTo(0.5, 12);
    expect(ttlHitRatio(0.1, 10, "reset-on-hit")).toBeCloseTo(1 - Math.exp(-1), 12);
    expect(ttlHitRatio(0.1, 0)).toBe(0);
    expect(ttlHitRatio(0.1, Infinity)).toBe(1);
  });

  for (const [model, resetOnHit] of [["reset-on-miss", false], ["reset-on-hit", true]] as const) {
    it(`${model}: matches a simulated TTL cache on a Zipf(0.8) stream within 1.5 points, for TTLs from 10 to 1000 ms`, () => {
      const probabilities = zipfProbabilities({ keyCount: 1000, exponent: 0.8 });
      const ratePerMs = 1;
      for (const ttlMs of [10, 100, 1000]) {
        const rng = new Prng(ttlMs);
        const sampler = new ZipfSampler({ keyCount: 1000, exponent: 0.8 }, rng.split("keys"));
        const simulated = simulateTtl(probabilities, sampler, rng.split("arrivals"), ratePerMs, ttlMs, resetOnHit, 200_000, 5 * ttlMs);
        const predicted = ttlCacheHitRatio(Array.from(probabilities, (p) => p * ratePerMs), ttlMs, model);
        expect(Math.abs(simulated - predicted), `TTL ${ttlMs} ms: simulated ${simulated}, formula ${predicted}`).toBeLessThan(0.015);
      }
    });
  }

  it("a sliding expiry (reset on hit) always hits at least as often as a fixed one", () => {
    for (const x of [0.01, 0.5, 1, 3, 20]) expect(ttlHitRatio(x, 1, "reset-on-hit")).toBeGreaterThanOrEqual(ttlHitRatio(x, 1));
  });

  it("stale hits: the formula matches one key simulated with Poisson reads and Poisson updates at the origin", () => {
    const rng = new Prng(7);
    const readRatePerMs = 0.5;
    const updateRatePerMs = 0.01;
    const ttlMs = 100;
    let nowMs = 0;
    let nextUpdateMs = rng.exponential(1 / updateRatePerMs);
    let version = 0;
    let cachedVersion = -1;
    let expiresMs = -Infinity;
    let hits = 0;
    let stale = 0;
    for (let i = 0; i < 400_000; i++) {
      nowMs += rng.exponential(1 / readRatePerMs);
      while (nextUpdateMs <= nowMs) {
        version++;
        nextUpdateMs += rng.exponential(1 / updateRatePerMs);
      }
      if (nowMs < expiresMs) {
        hits++;
        if (cachedVersion !== version) stale++;
      } else {
        cachedVersion = version;
        expiresMs = nowMs + ttlMs;
      }
    }
    const predicted = ttlStaleHitRatio(updateRatePerMs, ttlMs); // 1 − (1 − e^−1)/1 ≈ 0.368
    expect(Math.abs(stale / hits - predicted)).toBeLessThan(0.01);
    expect(hits / 400_000).toBeCloseTo(ttlHitRatio(readRatePerMs, ttlMs), 2);
  });

  it("a value that never changes is never stale; a TTL much shorter than the update interval is stale ≈ μ·TTL/2", () => {
    expect(ttlStaleHitRatio(0, 1000)).toBe(0);
    expect(ttlStaleHitRatio(0.0001, 10)).toBeCloseTo(0.0005, 6);
  });

  it("refuses a negative rate, TTL or an unknown model", () => {
    expect(() => ttlHitRatio(-1, 10)).toThrow(/ratePerMs must be a finite number ≥ 0, got -1/);
    expect(() => ttlHitRatio(1, -10)).toThrow(/ttlMs must be a number ≥ 0, got -10/);
    // @ts-expect-error: not a TTL model
    expect(() => ttlHitRatio(1, 10, "lru")).toThrow(/model must be "reset-on-miss" or "reset-on-hit", got lru/);
  });
});
