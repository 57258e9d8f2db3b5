import { describe, expect, it } from "vitest";
import { chordFingerTable, chordId, chordLookupPath, chordPathLengths, closestPrecedingFinger, inHalfOpenArc, inOpenArc, successorOf } from "../../lib/dht/index";
import { Prng } from "../../lib/sim/index";

describe("Chord arithmetic", () => {
  it("arcs wrap around zero", () => {
    expect(inOpenArc(1, 14, 3)).toBe(true);
    expect(inOpenArc(14, 14, 3)).toBe(false);
    expect(inHalfOpenArc(3, 14, 3)).toBe(true);
    expect(inHalfOpenArc(7, 3, 3)).toBe(true); // one node owns the whole circle
  });

  it("the successor of a key past the last node is the first node", () => {
    expect(successorOf([2, 7, 12], 8)).toBe(12);
    expect(successorOf([2, 7, 12], 7)).toBe(7);
    expect(successorOf([2, 7, 12], 13)).toBe(2);
  });

  it("finger i is the successor of n + 2^i (the paper's Fig. 3 ring: nodes 0, 1, 3 on m = 3)", () => {
    expect(chordFingerTable(0, [0, 1, 3], 3)).toEqual([1, 3, 0]);
    expect(chordFingerTable(1, [0, 1, 3], 3)).toEqual([3, 3, 0]);
    expect(chordFingerTable(3, [0, 1, 3], 3)).toEqual([0, 0, 0]);
    expect(closestPrecedingFinger(0, [5, 5, 5, 9], 11)).toBe(9);
  });

  it("identifiers spread evenly", () => {
    const counts = new Array(16).fill(0);
    for (let i = 0; i < 16_000; i++) counts[chordId(`k${i}`, 4)]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
  });

  it("every lookup over random rings ends at the key's successor in at most log₂N + 2 hops, each hop the closest preceding finger", () => {
    const rng = new Prng(7);
    for (let trial = 0; trial < 20; trial++) {
      const m = rng.int(10, 25);
      const n = rng.int(2, 600);
      const set = new Set<number>();
      while (set.size < n) set.add(rng.int(0, 2 ** m));
      const ids = [...set].sort((a, b) => a - b);
      const fingers = (id: number) => chordFingerTable(id, ids, m);
      for (let i = 0; i < 50; i++) {
        const key = rng.int(0, 2 ** m);
        const path = chordLookupPath({ start: rng.pick(ids), key, fingers });
        expect(path[path.length - 1]).toBe(successorOf(ids, key));
        expect(path.length - 1).toBeLessThanOrEqual(Math.ceil(Math.log2(n)) + 2);
        for (let h = 1; h < path.length - 1; h++) expect(path[h]).toBe(closestPrecedingFinger(path[h - 1], fingers(path[h - 1]), key));
      }
    }
  });

  it("mean path length grows as ½·log₂N (the paper's §6.3 / Fig. 10)", () => {
    const rows = chordPathLengths({ nodes: [16, 256, 4096, 16384], lookups: 4000, seed: 3 });
    for (const row of rows) {
      // hops count the last step to the key's successor too: ½·log₂N plus about one
      expect(row.meanHops).toBeGreaterThan(row.halfLog2N);
      expect(row.meanHops).toBeLessThan(row.halfLog2N + 1.5);
    }
    // each 16× more nodes adds about 2 hops (½·log₂16)
    expect(rows[3].meanHops - rows[2].meanHops).toBeGreaterThan(0.7);
    expect(rows[3].meanHops - rows[2].meanHops).toBeLessThan(1.3);
  });

  it("is deterministic and rejects bad input", () => {
    expect(chordPathLengths({ nodes: [64], lookups: 100, seed: 1 })).toEqual(chordPathLengths({ nodes: [64], lookups: 100, seed: 1 }));
    expect(() => chordFingerTable(0, [0], 60)).toThrow(/m/);
    expect(() => successorOf([], 3)).toThrow(/sortedIds/);
  });
});
