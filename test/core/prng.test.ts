// The seeded PRNG (sfc32 seeded through splitmix32): one seed replays every choice, and `split`
// gives each subsystem a stream that nothing else can disturb.
import { describe, expect, it } from "vitest";
import { Prng } from "../../lib/sim";
import {
  SIGMAS,
  exponentialDeviations,
  meanTolerance,
  proportionTolerance,
  sampleMean,
  sampleVariance,
  varianceTolerance,
  worstDeviation,
} from "./distribution-checks";

const draw = (prng: Prng, n: number): number[] => Array.from({ length: n }, () => prng.nextUint32());

describe("Prng: determinism", () => {
  it("the same seed gives the same stream, a different seed a different one", () => {
    expect(draw(new Prng(42), 100)).toEqual(draw(new Prng(42), 100));
    expect(draw(new Prng(42), 100)).not.toEqual(draw(new Prng(43), 100));
  });

  it("neighbouring seeds give unrelated first numbers (splitmix32 seeding)", () => {
    const firsts = new Set<number>();
    for (let seed = 0; seed < 1000; seed++) firsts.add(new Prng(seed).nextUint32());
    expect(firsts.size).toBe(1000);
  });

  it("pins the first numbers of seed 1 and of its network child: changing the algorithm changes every recorded run", () => {
    expect(draw(new Prng(1), 3)).toEqual([3117325731, 466411961, 754613687]);
    const network = new Prng(1).split("network");
    expect(network.seed).toBe(2435854310);
    expect(network.nextUint32()).toBe(2467170419);
  });

  it("rejects a seed that is not a finite number", () => {
    expect(() => new Prng(Number.NaN)).toThrow(/seed must be a finite number, got NaN/);
    expect(() => new Prng(Infinity)).toThrow(RangeError);
  });
});

describe("Prng: split gives independent streams", () => {
  it("a child's stream depends only on the parent's seed and the label", () => {
    const a1 = new Prng(7).split("node:a");
    const a2 = new Prng(7).split("node:a");
    expect(draw(a1, 50)).toEqual(draw(a2, 50));
  });

  it("drawing from the parent before splitting does not change the child", () => {
    const fresh = new Prng(7);
    const used = new Prng(7);
    draw(used, 1000);
    expect(draw(used.split("network"), 20)).toEqual(draw(fresh.split("network"), 20));
  });

  it("drawing more from one child does not change another child's stream", () => {
    const root1 = new Prng(99);
    const a1 = root1.split("node:a");
    const b1 = root1.split("node:b");
    draw(a1, 5000); // a is busy
    const root2 = new Prng(99);
    const b2 = root2.split("node:b");
    expect(draw(b1, 100)).toEqual(draw(b2, 100));
  });

  it("splitting other labels (adding a subsystem) does not change a child's stream", () => {
    const root1 = new Prng(5);
    const net1 = root1.split("network");
    const root2 = new Prng(5);
    for (let i = 0; i < 100; i++) draw(root2.split(`node:n${i}`), 10);
    const net2 = root2.split("network");
    expect(draw(net1, 100)).toEqual(draw(net2, 100));
  });

  it("different labels and different seeds give different streams", () => {
    const root = new Prng(5);
    expect(draw(root.split("node:a"), 10)).not.toEqual(draw(root.split("node:b"), 10));
    expect(draw(root.split("network"), 10)).not.toEqual(draw(root, 10));
    expect(draw(new Prng(5).split("x"), 10)).not.toEqual(draw(new Prng(6).split("x"), 10));
  });

  it("grandchildren are deterministic and independent too", () => {
    const g1 = new Prng(3).split("workload:clients").split("client-1");
    const g2 = new Prng(3).split("workload:clients").split("client-1");
    const g3 = new Prng(3).split("workload:clients").split("client-2");
    const s1 = draw(g1, 20);
    expect(s1).toEqual(draw(g2, 20));
    expect(s1).not.toEqual(draw(g3, 20));
  });
});

describe("Prng: distributions", () => {
  // N draws per check; each tolerance below is SIGMAS (6) standard errors at this N (see
  // distribution-checks.ts): wide enough that a correct generator never fails, far narrower than
  // the error of a wrong distribution.
  const N = 100_000;

  it("float is in [0, 1) with mean 1/2 and variance 1/12", () => {
    const prng = new Prng(11);
    const xs: number[] = [];
    let outside = 0;
    for (let i = 0; i < N; i++) {
      const x = prng.float();
      if (!(x >= 0 && x < 1)) outside++;
      xs.push(x);
    }
    expect(outside).toBe(0);
    // U(0,1): σ = 1/√12 ≈ 0.289, SE of the mean = σ/√N ≈ 0.00091, tolerance ≈ 0.0055
    expect(Math.abs(sampleMean(xs) - 0.5)).toBeLessThan(meanTolerance(1 / Math.sqrt(12), N));
    // σ² = 1/12, μ₄ = 1/80: SE of the variance ≈ 0.00024, tolerance ≈ 0.0014 (a constant has 0)
    expect(Math.abs(sampleVariance(xs) - 1 / 12)).toBeLessThan(varianceTolerance(1 / 12, 1 / 80, N));
  });

  it("int(min, max) covers exactly [min, max) and is uniform (a die)", () => {
    const prng = new Prng(12);
    const counts = new Map<number, number>();
    for (let i = 0; i < N; i++) {
      const x = prng.int(1, 7);
      counts.set(x, (counts.get(x) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    // each face: p = 1/6, SE = √(p(1−p)/N) ≈ 0.0012, tolerance ≈ 0.0071
    for (const c of counts.values()) expect(Math.abs(c / N - 1 / 6)).toBeLessThan(proportionTolerance(1 / 6, N));
  });

  it("int with negative bounds and a single value", () => {
    const prng = new Prng(13);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      seen.add(prng.int(-3, 2));
      seen.add(prng.int(4, 5) * 100);
    }
    expect([...seen].sort((x, y) => x - y)).toEqual([-3, -2, -1, 0, 1, 400]);
  });

  it("chance(0) is never true and chance(1) always; chance(0.3) is true 30% of the time", () => {
    const prng = new Prng(14);
    let hits = 0;
    let zeroTrue = 0;
    let oneFalse = 0;
    for (let i = 0; i < N; i++) {
      if (prng.chance(0)) zeroTrue++;
      if (!prng.chance(1)) oneFalse++;
      if (prng.chance(0.3)) hits++;
    }
    expect(zeroTrue).toBe(0);
    expect(oneFalse).toBe(0);
    // p = 0.3: SE = √(0.21/N) ≈ 0.00145, tolerance ≈ 0.0087
    expect(Math.abs(hits / N - 0.3)).toBeLessThan(proportionTolerance(0.3, N));
  });

  it("uniform(5, 15) stays in range with mean 10 and variance 100/12", () => {
    const prng = new Prng(15);
    const xs = Array.from({ length: N }, () => prng.uniform(5, 15));
    expect(xs.filter((x) => !(x >= 5 && x < 15))).toEqual([]);
    // width 10: σ = 10/√12 ≈ 2.89, SE of the mean ≈ 0.0091, tolerance ≈ 0.055 (was toBeCloseTo(10, 0): ±0.5, 55 SE)
    expect(Math.abs(sampleMean(xs) - 10)).toBeLessThan(meanTolerance(10 / Math.sqrt(12), N));
    // σ² = 100/12 ≈ 8.33, μ₄ = 10⁴/80 = 125: SE of the variance ≈ 0.024, tolerance ≈ 0.14
    expect(Math.abs(sampleVariance(xs) - 100 / 12)).toBeLessThan(varianceTolerance(100 / 12, 125, N));
  });

  it("normal(100, 15) has mean 100, standard deviation 15 and normal tails", () => {
    const prng = new Prng(16);
    const xs = Array.from({ length: N }, () => prng.normal(100, 15));
    // SE of the mean = 15/√N ≈ 0.047, tolerance ≈ 0.28
    expect(Math.abs(sampleMean(xs) - 100)).toBeLessThan(meanTolerance(15, N));
    // σ² = 225, μ₄ = 3σ⁴: SE of the variance = √2·σ²/√N ≈ 1.0, tolerance ≈ 6.0
    expect(Math.abs(sampleVariance(xs) - 225)).toBeLessThan(varianceTolerance(225, 3 * 225 ** 2, N));
    // P(X > μ + 2σ) = 1 − Φ(2) ≈ 0.02275: SE ≈ 0.00047, tolerance ≈ 0.0028
    const above = xs.filter((x) => x > 130).length / N;
    expect(Math.abs(above - 0.02275)).toBeLessThan(proportionTolerance(0.02275, N));
  });

  it("exponential(10) is ≥ 0 with mean 10, variance 100 and P(X > 30) = e⁻³", () => {
    const prng = new Prng(17);
    const xs = Array.from({ length: N }, () => prng.exponential(10));
    expect(xs.filter((x) => !(x >= 0))).toEqual([]);
    // In standard errors at N = 100,000 (distribution-checks.ts): mean (SE = 10/√N ≈ 0.032),
    // variance (SE = √8·100/√N ≈ 0.89), fraction above 30 (SE = √(p(1−p)/N) ≈ 0.00069). Each
    // must be within SIGMAS = 6.
    const d = exponentialDeviations(xs, 10);
    expect(worstDeviation(d), JSON.stringify(d)).toBeLessThan(SIGMAS);
  });

  it("the exponential check rejects wrong generators that have the right mean", () => {
    // What a broken Prng.exponential could return instead. Each has mean 10, so the old check
    // (mean and minimum only) passed them all; the shape checks are off by over 30 SE.
    const prng = new Prng(18);
    const wrong: Record<string, () => number> = {
      constant: () => 10,
      "uniform(0, 20)": () => prng.uniform(0, 20),
      "normal(10, 3) cut at 0": () => Math.max(0, prng.normal(10, 3)),
      "sum of two exponentials of mean 5": () => -5 * Math.log(1 - prng.float()) - 5 * Math.log(1 - prng.float()),
    };
    for (const [name, draw] of Object.entries(wrong)) {
      const d = exponentialDeviations(Array.from({ length: N }, draw), 10);
      expect(Math.abs(d.mean), `${name}: the mean alone cannot tell`).toBeLessThan(SIGMAS);
      expect(worstDeviation(d), `${name}: ${JSON.stringify(d)}`).toBeGreaterThan(5 * SIGMAS);
    }
  });

  it("pick and shuffle: deterministic, and shuffle is a permutation that leaves its input alone", () => {
    const items = ["a", "b", "c", "d", "e"];
    expect(new Prng(3).shuffle(items)).toEqual(new Prng(3).shuffle(items));
    const shuffled = new Prng(3).shuffle(items);
    expect(shuffled.slice().sort()).toEqual(items);
    expect(items).toEqual(["a", "b", "c", "d", "e"]);
    const picked = new Set(Array.from({ length: 200 }, (_, i) => new Prng(i).pick(items)));
    expect(picked.size).toBe(5);
    expect(() => new Prng(1).pick([])).toThrow(/empty/);
  });
});
