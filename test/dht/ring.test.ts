// Consistent hashing with virtual nodes as scenarios: who owns a key, what a join or a leave moves
// (only the joiner's share, only the leaver's keys), the ownership rule exercise 10.1 uses, and
// Chord's load-balance experiment (§6.1) at full size: 10⁴ nodes, 10⁵ keys, 1 … 20 virtual nodes.
import { describe, expect, it } from "vitest";
import { HashRing, keyPoint, ringOwnerOf, virtualNodePoint } from "../../lib/dht/ring";
import { chordLoadBalance, keysPerNode, loadSummary } from "../../lib/dht/ring-load";
import { joinMovesTable, ringMoves } from "../../lib/dht/ring-moves";
import { keyNames } from "../../lib/partitioning/keys";

const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `n${i + 1}`);

/** The rule written out the slow way: first point ≥ the key's point, else wrap to the lowest. */
function ownerByScan(points: Array<{ point: number; node: string }>, key: string): string {
  const h = keyPoint(key);
  return (points.find((p) => p.point >= h) ?? points[0]).node;
}

describe("who owns a key", () => {
  it("the owner is the node of the first point at or clockwise after the key, wrapping around", () => {
    const ring = new HashRing({ nodes: ids(7), virtualNodes: 5 });
    expect(ring.virtualPoints()).toHaveLength(35);
    const points = ring.virtualPoints();
    const keys = keyNames(2000);
    expect(keys.map((k) => ring.ownerOf(k))).toEqual(keys.map((k) => ownerByScan(points, k)));
    // a key hashed past the last point belongs to the node of the first point
    expect(ring.ownerOfPoint(points[points.length - 1].point + 1)).toBe(points[0].node);
    expect(ring.ownerOfPoint(points[3].point)).toBe(points[3].node);
  });

  it("depends only on the set of nodes, not the order they joined in", () => {
    const a = new HashRing({ nodes: ["x", "y", "z", "w"], virtualNodes: 10 });
    const b = new HashRing({ nodes: ["w", "z"], virtualNodes: 10 });
    b.addNode("y");
    b.addNode("q");
    b.addNode("x");
    b.removeNode("q");
    const keys = keyNames(3000);
    expect(keys.map((k) => b.ownerOf(k))).toEqual(keys.map((k) => a.ownerOf(k)));
  });

  it("successors(key, r) lists the owner and then r − 1 other distinct nodes clockwise", () => {
    const ring = new HashRing({ nodes: ids(5), virtualNodes: 20 });
    for (const key of keyNames(200)) {
      const replicas = ring.successors(key, 3);
      expect(replicas[0]).toBe(ring.ownerOf(key));
      expect(new Set(replicas).size).toBe(3);
    }
    expect(ring.successors("k1", 9)).toHaveLength(5); // never more than the nodes there are
  });

  it("virtual node points are the hash of `node#i`, distinct per index", () => {
    expect(virtualNodePoint("a", 0)).toBe(virtualNodePoint("a", 0));
    expect(new Set(Array.from({ length: 100 }, (_, i) => virtualNodePoint("a", i))).size).toBe(100);
  });

  it("rejects bad input with a message naming what was wrong", () => {
    expect(() => new HashRing({ virtualNodes: 0 })).toThrow(/virtualNodes/);
    expect(() => new HashRing({ virtualNodes: 1.5 })).toThrow(/virtualNodes/);
    const ring = new HashRing({ nodes: ["a"], virtualNodes: 3 });
    expect(() => ring.addNode("a")).toThrow(/"a" is already/);
    expect(() => ring.removeNode("b")).toThrow(/"b" is not on the ring/);
    ring.removeNode("a");
    expect(() => ring.ownerOf("k")).toThrow(/no nodes/);
    expect(() => ringOwnerOf("k", [], 4)).toThrow(/non-empty/);
    expect(() => ringOwnerOf("k", ["a", "a"], 4)).toThrow(/"a" is already/);
  });
});

describe("a node joins or leaves", () => {
  const keys = keyNames(20_000);

  it("a joining 11th node takes about 1/11 of the keys, and only from the others", () => {
    const { moves, fraction } = ringMoves({ before: ids(10), after: ids(11), keys, virtualNodes: 50 });
    expect(moves.every((m) => m.to === "n11" && m.from !== "n11")).toBe(true);
    expect(fraction).toBeGreaterThan(1 / 11 - 0.03);
    expect(fraction).toBeLessThan(1 / 11 + 0.03);
  });

  it("a leaving node hands on exactly its own keys, spread over several others; no other key moves", () => {
    const before = new HashRing({ nodes: ids(10), virtualNodes: 50 });
    const leaverKeys = keys.filter((k) => before.ownerOf(k) === "n4");
    const { moves } = ringMoves({ before: ids(10), after: ids(10).filter((n) => n !== "n4"), keys, virtualNodes: 50 });
    expect(moves.map((m) => m.key)).toEqual(leaverKeys);
    expect(moves.every((m) => m.from === "n4")).toBe(true);
    expect(new Set(moves.map((m) => m.to)).size).toBeGreaterThan(5); // 50 points ⇒ many successors share the load
  });

  it("over joins 4 → 5 … 8 → 9 every moved key goes to the joiner, about 1/(N + 1) of them", () => {
    const rows = joinMovesTable({ nodesMin: 4, nodesMax: 8, keys: keys.slice(0, 5000), virtualNodes: 100 });
    for (const row of rows) {
      expect(row.onlyToJoiner).toBe(true);
      expect(Math.abs(row.movedFraction - row.ideal)).toBeLessThan(0.05);
    }
  });
});

describe("ringOwnerOf — the ownership rule of exercise 10.1", () => {
  it("agrees with HashRing for any order of the ring list, and its cache never mixes two rings up", () => {
    const ringA = ["s1", "s2", "s3"];
    const ringB = ["s1", "s2", "s3", "s4"];
    const a = new HashRing({ nodes: ringA, virtualNodes: 16 });
    const b = new HashRing({ nodes: ringB, virtualNodes: 16 });
    const b8 = new HashRing({ nodes: ringB, virtualNodes: 8 });
    const got: string[] = [];
    const want: string[] = [];
    for (const key of keyNames(300)) {
      got.push(ringOwnerOf(key, ringA, 16), ringOwnerOf(key, [...ringB].reverse(), 16), ringOwnerOf(key, ringB, 8));
      want.push(a.ownerOf(key), b.ownerOf(key), b8.ownerOf(key));
    }
    expect(got).toEqual(want);
    expect(new Set(want).size).toBe(4);
  });
});

describe("load balance (Chord §6.1, Figures 8–9)", () => {
  it("keysPerNode counts every key once and lists idle nodes with 0", () => {
    const ring = new HashRing({ nodes: ids(10), virtualNodes: 1 });
    const counts = keysPerNode(ring, keyNames(5000));
    expect(counts.size).toBe(10);
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(5000);
  });

  it("loadSummary: mean, extremes and nearest-rank percentiles", () => {
    const s = loadSummary({ counts: [0, 10, 10, 20] });
    expect(s).toMatchObject({ nodes: 4, mean: 10, min: 0, max: 20, p1: 0, p99: 20, p99OverMean: 2 });
  });

  it("with 10 string-named nodes, 100 points each keep the busiest node near the mean; 1 point does not", () => {
    const keys = keyNames(20_000);
    const spread = (v: number) => loadSummary({ counts: keysPerNode(new HashRing({ nodes: ids(10), virtualNodes: v }), keys).values() });
    expect(spread(1).max / spread(1).mean).toBeGreaterThan(1.5);
    expect(spread(100).max / spread(100).mean).toBeLessThan(1.3);
  });

  it("10⁴ nodes, 10⁵ keys: 1 point gives p1 = 0 and p99 ≈ 4.6 × mean; 20 points narrow it to ~2 × and p1 > 0", () => {
    const rows = [1, 2, 5, 10, 20].map((virtualNodes) => chordLoadBalance({ nodes: 10_000, keys: 100_000, virtualNodes, seed: 1 }));
    for (const r of rows) expect(r.mean).toBe(10);
    expect(rows[0].p1).toBe(0);
    expect(rows[0].p99OverMean).toBeGreaterThan(3.5);
    expect(rows[0].p99OverMean).toBeLessThan(6);
    expect(rows[4].p99OverMean).toBeLessThan(2.5);
    expect(rows[4].p1).toBeGreaterThan(0);
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i].p99).toBeLessThanOrEqual(rows[i - 1].p99);
      expect(rows[i].p1).toBeGreaterThanOrEqual(rows[i - 1].p1);
    }
  });

  it("is deterministic in the seed, and a different seed gives a different but similar picture", () => {
    const a = chordLoadBalance({ nodes: 1000, keys: 10_000, virtualNodes: 5, seed: 7 });
    expect(chordLoadBalance({ nodes: 1000, keys: 10_000, virtualNodes: 5, seed: 7 })).toEqual(a);
    const b = chordLoadBalance({ nodes: 1000, keys: 10_000, virtualNodes: 5, seed: 8 });
    expect(b).not.toEqual(a);
    expect(Math.abs(b.p99OverMean - a.p99OverMean)).toBeLessThan(1);
  });

  it("rejects sizes it cannot model", () => {
    expect(() => chordLoadBalance({ nodes: 0, keys: 10, virtualNodes: 1, seed: 1 })).toThrow(/nodes/);
    expect(() => chordLoadBalance({ nodes: 10, keys: 10, virtualNodes: 0, seed: 1 })).toThrow(/virtualNodes/);
  });
});
