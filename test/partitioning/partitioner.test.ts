// Partitioners and what moves: the hash's known values, each partitioner's ownership rules and
// errors, the even spread of hashing, and hash mod N moving N/(N + 1) of the keys going N → N + 1.
import { describe, expect, it } from "vitest";
import {
  evenRangePartitioner,
  fnv1a32,
  keyNames,
  keysMoved,
  mix32,
  modNMovement,
  modNPartitioner,
  rangePartitioner,
  regionPartitioner,
  spreadHash,
  splitRange,
} from "../../lib";

const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `s${i + 1}`);

describe("the hash", () => {
  it("FNV-1a 32 matches the published test vectors", () => {
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
  });

  it("FNV-1a's low bits see only the low bits of each character; the final mix fixes hash mod 4", () => {
    const keys = ["a", "e", "i", "m", "q", "u", "y"]; // same two low bits (01), different higher bits
    expect(new Set(keys.map((k) => fnv1a32(k) % 4)).size).toBe(1); // every one on the same partition
    expect(new Set(keys.map((k) => spreadHash(k) % 4)).size).toBeGreaterThan(1);
    expect(mix32(0)).toBe(0);
    expect(mix32(1)).toBe(1364076727);
  });
});

describe("modNPartitioner", () => {
  it("gives every key one owner among the partitions, the same every time, spread evenly", () => {
    const p = modNPartitioner({ partitions: ids(4) });
    const counts = new Map<string, number>();
    let unstable = 0;
    for (const k of keyNames(10_000)) {
      const owner = p.ownerOf(k);
      if (p.ownerOf(k) !== owner) unstable++;
      counts.set(owner, (counts.get(owner) ?? 0) + 1);
    }
    expect(unstable).toBe(0);
    expect([...counts.keys()].sort()).toEqual(ids(4));
    for (const c of counts.values()) expect(Math.abs(c - 2500)).toBeLessThan(150); // within 6% of the fair share
  });

  it("rejects an empty or repeated partition list and non-string keys", () => {
    expect(() => modNPartitioner({ partitions: [] })).toThrow(/at least one partition/);
    expect(() => modNPartitioner({ partitions: ["a", "a"] })).toThrow(/listed twice/);
    expect(() => modNPartitioner({ partitions: ["a"] }).ownerOf(42 as unknown as string)).toThrow(/must be a string/);
  });
});

describe("rangePartitioner", () => {
  it("a split point belongs to the range it starts; keys below the first go to the first partition", () => {
    const p = rangePartitioner({ partitions: ["a-f", "g-p", "q-z"], splitPoints: ["g", "q"] });
    expect(["alice", "f", "g", "grace", "pz", "q", "zoe", ""].map((k) => p.ownerOf(k))).toEqual(["a-f", "a-f", "g-p", "g-p", "g-p", "q-z", "q-z", "a-f"]);
  });

  it("rejects split points that are unsorted or of the wrong number", () => {
    expect(() => rangePartitioner({ partitions: ["a", "b"], splitPoints: [] })).toThrow(/need 1 split points, got 0/);
    expect(() => rangePartitioner({ partitions: ["a", "b", "c"], splitPoints: ["m", "g"] })).toThrow(/strictly increasing/);
  });

  it("evenRangePartitioner cuts equal key counts; splitRange moves only the split part of one range", () => {
    const keys = keyNames(1000);
    const p = evenRangePartitioner({ partitions: ids(4), keys });
    expect(p.splitPoints()).toEqual(["k250", "k500", "k750"]);
    const split = splitRange(p, { partition: "s1", newPartition: "s5", atKey: "k125" });
    expect(keysMoved(p, split, keys)).toBe(125);
    const moves = new Set(keys.filter((k) => p.ownerOf(k) !== split.ownerOf(k)).map((k) => `${p.ownerOf(k)}→${split.ownerOf(k)}`));
    expect([...moves]).toEqual(["s1→s5"]); // only from the split range to the new partition
    expect(() => splitRange(p, { partition: "s2", newPartition: "s5", atKey: "k100" })).toThrow(/not strictly inside the range of s2 \[k250, k500\)/);
    expect(() => splitRange(p, { partition: "s9", newPartition: "s5", atKey: "k100" })).toThrow(/unknown partition "s9"/);
  });
});

describe("regionPartitioner", () => {
  it("sends a key to its home region's partition, and refuses a region it does not know", () => {
    const p = regionPartitioner({ regions: { eu: "db-eu", us: "db-us", asia: "db-asia" } });
    expect(p.ownerOf("eu:alice")).toBe("db-eu");
    expect(p.ownerOf("asia:ken")).toBe("db-asia");
    expect(p.partitions()).toEqual(["db-eu", "db-us", "db-asia"]);
    expect(() => p.ownerOf("mars:x")).toThrow(/region "mars", which has no partition/);
    const byField = regionPartitioner({ regions: { eu: "db-eu", us: "db-us" }, regionOf: (k) => k.split("/")[1] });
    expect(byField.ownerOf("user/us/17")).toBe("db-us");
  });
});

describe("what moves when N changes", () => {
  it("hash mod N moves N/(N + 1) of the keys going N → N + 1 (measured for N = 2..16 over 10,000 keys)", () => {
    const rows = modNMovement({ partitionCountMin: 2, partitionCountMax: 16, keyCount: 10_000 });
    expect(rows.map((r) => r.partitionCount)).toEqual(Array.from({ length: 15 }, (_, i) => i + 2));
    for (const r of rows) {
      expect(Math.abs(r.movedShare - r.formulaShare)).toBeLessThan(0.015);
      expect(r.idealShare).toBeCloseTo(1 / (r.partitionCount + 1));
      expect(r.movedShare).toBeGreaterThan(r.partitionCount * r.idealShare * 0.95); // about N times the ideal
    }
  });

  it("keysMoved counts owner changes, and no key moves when the layout is the same", () => {
    const keys = keyNames(500);
    expect(keysMoved(modNPartitioner({ partitions: ids(3) }), modNPartitioner({ partitions: ids(3) }), keys)).toBe(0);
    const moved = keysMoved(modNPartitioner({ partitions: ids(4) }), modNPartitioner({ partitions: ids(5) }), keys);
    expect(moved / 500).toBeGreaterThan(0.74);
    expect(moved / 500).toBeLessThan(0.86);
  });
});
