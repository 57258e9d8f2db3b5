import { describe, expect, it } from "vitest";
import { assignPartitions, makePartitioner } from "../../lib/log/index";
import { fnv1a32 } from "../../lib/partitioning/index";

describe("partition assignment and partitioners", () => {
  it("range and round-robin give every partition to exactly one member", () => {
    expect(assignPartitions("range", ["c2", "c1"], 5)).toEqual({ c1: [0, 1, 2], c2: [3, 4] });
    expect(assignPartitions("round-robin", ["c1", "c2"], 5)).toEqual({ c1: [0, 2, 4], c2: [1, 3] });
    for (const strategy of ["range", "round-robin"] as const) {
      for (let members = 1; members <= 6; members++) {
        const a = assignPartitions(strategy, Array.from({ length: members }, (_, i) => `m${i}`), 4);
        expect(Object.values(a).flat().sort()).toEqual([0, 1, 2, 3]);
      }
    }
  });

  it("key-hash sends one key to one partition, and spreads keys", () => {
    const pick = makePartitioner("key-hash", 4);
    expect(pick("user-7")).toBe(fnv1a32("user-7") % 4);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[pick(`user-${i}`)]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
  });
});
