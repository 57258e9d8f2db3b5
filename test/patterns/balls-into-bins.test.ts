// Scenarios for lib/patterns/balls-into-bins.ts: one random choice against the best of two, and the
// published asymptotics (Gonnet 1981; Raab & Steger 1998; Azar, Broder, Karlin & Upfal 1994).
import { describe, expect, it } from "vitest";
import { Prng } from "../../lib/sim/prng";
import { ballsIntoBins, inverseGamma, predictedLoadMax } from "../../lib/patterns/balls-into-bins";

describe("balls into bins", () => {
  it("puts every ball in some bin: the load histogram accounts for all balls and all bins", () => {
    const { loadMax, binsByLoad } = ballsIntoBins({ ballCount: 5000, binCount: 1000 }, new Prng(1));
    expect(binsByLoad.length).toBe(loadMax + 1);
    expect(binsByLoad.reduce((s, bins) => s + bins, 0)).toBe(1000);
    expect(binsByLoad.reduce((s, bins, load) => s + bins * load, 0)).toBe(5000);
    expect(binsByLoad[loadMax]).toBeGreaterThan(0);
  });

  it("replays from its seed", () => {
    const a = ballsIntoBins({ ballCount: 10_000, binCount: 10_000, choices: 2 }, new Prng(3));
    const b = ballsIntoBins({ ballCount: 10_000, binCount: 10_000, choices: 2 }, new Prng(3));
    expect(a).toEqual(b);
  });

  it("one choice leaves about 1/e of the bins empty, as a Poisson(1) count should", () => {
    const n = 100_000;
    const { binsByLoad } = ballsIntoBins({ ballCount: n, binCount: n }, new Prng(8));
    expect(binsByLoad[0] / n).toBeCloseTo(Math.exp(-1), 2);
    expect(binsByLoad[1] / n).toBeCloseTo(Math.exp(-1), 2);
    expect(binsByLoad[2] / n).toBeCloseTo(Math.exp(-1) / 2, 2);
  });

  it("two choices flatten the load: no bin above 4 at n = 10⁵ over five seeds, and fewer empty bins", () => {
    const n = 100_000;
    for (let seed = 1; seed <= 5; seed++) {
      const one = ballsIntoBins({ ballCount: n, binCount: n }, new Prng(seed));
      const two = ballsIntoBins({ ballCount: n, binCount: n, choices: 2 }, new Prng(seed));
      expect(one.loadMax, `seed ${seed}`).toBeGreaterThanOrEqual(6);
      expect(two.loadMax, `seed ${seed}`).toBeLessThanOrEqual(4);
      // Mitzenmacher's fluid limit: the share s of non-empty bins grows as ds/dt = 1 − s², so s(1) = tanh 1
      expect(two.binsByLoad[0] / n).toBeCloseTo(1 - Math.tanh(1), 2);
    }
  });

  it("one choice lands within 1.5 of Gonnet's Γ⁻¹(n) − 3/2, and well above the bare ln n / ln ln n", () => {
    for (const n of [1000, 10_000, 100_000]) {
      const predicted = predictedLoadMax(n, 1);
      let sum = 0;
      for (let seed = 1; seed <= 5; seed++) sum += ballsIntoBins({ ballCount: n, binCount: n }, new Prng(seed)).loadMax;
      const mean = sum / 5;
      expect(Math.abs(mean - predicted.refined), `n=${n}: mean ${mean}, Gonnet ${predicted.refined}`).toBeLessThan(1.5);
      expect(mean).toBeGreaterThan(predicted.leadingTerm);
    }
  });

  it("two choices land within [ln ln n / ln 2 − 1, ln ln n / ln 2 + 2]: the O(1) of the theorem is small", () => {
    for (const n of [1000, 10_000, 100_000]) {
      const lead = predictedLoadMax(n, 2).leadingTerm;
      for (let seed = 1; seed <= 3; seed++) {
        const { loadMax } = ballsIntoBins({ ballCount: n, binCount: n, choices: 2 }, new Prng(seed));
        expect(loadMax).toBeGreaterThanOrEqual(lead - 1);
        expect(loadMax).toBeLessThanOrEqual(lead + 2);
      }
    }
  });

  it("three choices help much less than the second one did (ln d in the denominator)", () => {
    const n = 100_000;
    const [one, two, three] = [1, 2, 3].map((choices) => ballsIntoBins({ ballCount: n, binCount: n, choices }, new Prng(4)).loadMax);
    expect(one - two).toBeGreaterThan(two - three);
  });

  it("refuses zero bins or zero choices", () => {
    expect(() => ballsIntoBins({ ballCount: 1, binCount: 0 }, new Prng(1))).toThrow(/binCount must be a whole number in 1..2\^31, got 0/);
    expect(() => ballsIntoBins({ ballCount: 1, binCount: 1, choices: 0 }, new Prng(1))).toThrow(/choices must be a whole number ≥ 1, got 0/);
    expect(() => predictedLoadMax(4, 1)).toThrow(/n must be a finite number ≥ 16/);
  });
});

describe("the inverse of the Gamma function", () => {
  it("inverts factorials: Γ(5) = 24, Γ(7) = 720, Γ(11) = 3628800", () => {
    expect(inverseGamma(24)).toBeCloseTo(5, 9);
    expect(inverseGamma(720)).toBeCloseTo(7, 9);
    expect(inverseGamma(3_628_800)).toBeCloseTo(11, 9);
  });
});
