// The seeded PRNG (sfc32 seeded through splitmix32): one seed replays every choice, and `split`
// gives each subsystem a stream that nothing else can disturb.
import { describe, expect, it } from "vitest";
import { Prng } from "../../lib/sim";

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
  const N = 100_000;

  it("float is in [0, 1) with mean about 1/2", () => {
    const prng = new Prng(11);
    let sum = 0;
    let outside = 0;
    for (let i = 0; i < N; i++) {
      const x = prng.float();
      if (!(x >= 0 && x < 1)) outside++;
      sum += x;
    }
    expect(outside).toBe(0);
    expect(Math.abs(sum / N - 0.5)).toBeLessThan(0.01);
  });

  it("int(min, max) covers exactly [min, max) and is roughly uniform (a die)", () => {
    const prng = new Prng(12);
    const counts = new Map<number, number>();
    for (let i = 0; i < N; i++) {
      const x = prng.int(1, 7);
      counts.set(x, (counts.get(x) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    for (const c of counts.values()) expect(Math.abs(c / N - 1 / 6)).toBeLessThan(0.01);
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

  it("chance(0) is never true and chance(1) always; chance(0.3) about 30%", () => {
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
    expect(Math.abs(hits / N - 0.3)).toBeLessThan(0.01);
  });

  it("uniform, normal and exponential have the stated means", () => {
    const prng = new Prng(15);
    let u = 0;
    let n = 0;
    let nSq = 0;
    let e = 0;
    let outside = 0;
    for (let i = 0; i < N; i++) {
      const x = prng.uniform(5, 15);
      if (!(x >= 5 && x < 15)) outside++;
      u += x;
      const y = prng.normal(100, 15);
      n += y;
      nSq += y * y;
      const z = prng.exponential(10);
      if (!(z >= 0)) outside++;
      e += z;
    }
    expect(outside).toBe(0);
    expect(u / N).toBeCloseTo(10, 0);
    expect(Math.abs(n / N - 100)).toBeLessThan(0.5);
    expect(Math.abs(Math.sqrt(nSq / N - (n / N) ** 2) - 15)).toBeLessThan(0.5);
    expect(Math.abs(e / N - 10)).toBeLessThan(0.2);
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
