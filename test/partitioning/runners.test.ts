// The notebook's experiments as scenarios: a hot spot under range partitioning (skewed and
// sequential keys) that hashing spreads; local reads by region against one central site; the cost
// of a rebalance (mod N against splitting the hot range), with a sender or a receiver crashing in
// the middle of it and a lossy network; and replication against partitioning on one workload.
import { describe, expect, it } from "vitest";
import {
  compareReplicationAndPartitioning,
  evenRangePartitioner,
  keyNames,
  modNPartitioner,
  runPartitionLoad,
  runRebalance,
  runRegionLatency,
  splitRange,
} from "../../lib";

const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `s${i + 1}`);

describe("runPartitionLoad", () => {
  it("skewed keys that are neighbours make a hot range partition; hashing spreads them", async () => {
    const range = await runPartitionLoad({ seed: 1, partitioner: "range", workload: "zipf", zipfExponent: 1, requests: 1000 });
    const hash = await runPartitionLoad({ seed: 1, partitioner: "hash", workload: "zipf", zipfExponent: 1, requests: 1000 });
    expect(range.rows[0].share).toBeGreaterThan(0.7); // s1 holds k000…k249, the popular ones
    expect(range.rows[0].utilisation).toBeGreaterThan(0.95); // saturated: its queue only grows
    expect(range.imbalance).toBeGreaterThan(2.5);
    expect(hash.imbalance).toBeLessThan(1.5);
    expect(range.latencyMsP99).toBeGreaterThan(50 * hash.latencyMsP99);
    for (const r of hash.rows) expect(r.utilisation).toBeLessThan(0.8);
  });

  it("an insert stream of increasing keys lands entirely on the last range; hashing spreads it evenly", async () => {
    const range = await runPartitionLoad({ seed: 2, partitioner: "range", workload: "sequential", requests: 800 });
    const hash = await runPartitionLoad({ seed: 2, partitioner: "hash", workload: "sequential", requests: 800 });
    expect(range.rows.map((r) => r.requests)).toEqual([0, 0, 0, 800]);
    expect(Math.max(...hash.rows.map((r) => r.share))).toBeLessThan(0.3);
  });

  it("uniform keys are even under both, and the same seed gives the same numbers", async () => {
    const a = await runPartitionLoad({ seed: 3, partitioner: "range", workload: "uniform", requests: 800 });
    const b = await runPartitionLoad({ seed: 3, partitioner: "range", workload: "uniform", requests: 800 });
    expect(a).toEqual(b);
    expect(a.imbalance).toBeLessThan(1.2);
  });

  it("accepts any Partitioner and rejects bad options", async () => {
    const r = await runPartitionLoad({ seed: 4, partitioner: modNPartitioner({ partitions: ["a", "b"] }), workload: "uniform", requests: 200 });
    expect(r.rows.map((x) => x.partition)).toEqual(["a", "b"]);
    await expect(runPartitionLoad({ partitioner: "hash", utilisation: 1.2 })).rejects.toThrow(/utilisation must be in \(0, 1\)/);
    await expect(runPartitionLoad({ partitioner: "ring" as "hash" })).rejects.toThrow(/partitioner must be "hash", "range" or a Partitioner/);
  });
});

describe("runRegionLatency", () => {
  it("by region: most reads stay local; central: the far regions pay a long-haul round trip on every read", async () => {
    const rows = await runRegionLatency({ seed: 1 });
    const row = (setup: string, region: string) => rows.find((r) => r.setup === setup && r.region === region)!;
    for (const region of ["eu", "us", "asia"]) expect(row("by region", region).latencyMsP50).toBeLessThan(5);
    expect(row("central", "us").latencyMsP99).toBeLessThan(5);
    expect(row("central", "eu").latencyMsP50).toBeGreaterThan(70); // 2 × 40 ms
    expect(row("central", "asia").latencyMsP50).toBeGreaterThan(125); // 2 × 70 ms
    expect(row("by region", "asia").latencyMsMean).toBeLessThan(row("central", "asia").latencyMsMean / 3);
    // the price: a read of a user abroad crosses the ocean even from the US
    expect(row("by region", "us").latencyMsP99).toBeGreaterThan(row("central", "us").latencyMsP99 * 10);
  });

  it("with no remote reads every region is local", async () => {
    const rows = await runRegionLatency({ seed: 2, remoteReadShare: 0 });
    for (const r of rows.filter((x) => x.setup === "by region")) expect(r.latencyMsP99).toBeLessThan(5);
  });
});

describe("runRebalance", () => {
  const keys = keyNames(1000);
  const range = evenRangePartitioner({ partitions: ids(4), keys });
  const hotSplit = splitRange(range, { partition: "s1", newPartition: "s5", atKey: "k125" });

  it("mod N 4 → 5 moves about 80% of the data between every pair of servers; splitting the hot range moves 12.5% over one link", async () => {
    const modN = await runRebalance({ seed: 1, from: modNPartitioner({ partitions: ids(4) }), to: modNPartitioner({ partitions: ids(5) }), keys });
    const split = await runRebalance({ seed: 1, from: range, to: hotSplit, keys });
    expect(modN.movedShare).toBeGreaterThan(0.75);
    expect(split.keysMoved).toBe(125);
    expect(modN.bytesMoved).toBeGreaterThan(6 * split.bytesMoved);
    expect(modN.transfers).toBeGreaterThan(10);
    expect(split.transfers).toBe(1);
    for (const r of [modN, split]) {
      expect(r.keysMisplaced).toBe(0);
      expect(r.keysWrong).toBe(0);
      expect(r.reads.wrong + r.reads.failed).toBe(0); // every read during the move was answered
      expect(r.writes.failed).toBe(0);
      expect(r.reads.sent).toBeGreaterThan(10);
    }
  });

  it("bandwidth turns bytes into time: a tenth of the bandwidth takes about ten times as long", async () => {
    const fast = await runRebalance({ seed: 2, from: range, to: hotSplit, keys, bandwidthBytesPerMs: 1000 });
    const slow = await runRebalance({ seed: 2, from: range, to: hotSplit, keys, bandwidthBytesPerMs: 100 });
    expect(slow.durationMs / fast.durationMs).toBeGreaterThan(6);
    expect(slow.keysMisplaced + slow.keysWrong).toBe(0);
  });

  it("the receiving server crashes mid-move: batches are sent again after its restart, nothing is lost", async () => {
    const r = await runRebalance({ seed: 3, from: modNPartitioner({ partitions: ids(4) }), to: modNPartitioner({ partitions: ids(5) }), keys, crash: { node: "s5", atMs: 12, restartAtMs: 300 } });
    expect(r.durationMs).toBeGreaterThan(290); // it could not finish while s5 was down
    expect(r.keysMisplaced).toBe(0);
    expect(r.keysWrong).toBe(0);
    expect(r.reads.wrong).toBe(0);
    expect(r.reads.failed).toBeGreaterThan(0); // one copy per key: s5's keys were unreadable meanwhile
  });

  it("a sending server crashes mid-move: it resumes its hand-off after the restart, nothing is lost", async () => {
    const r = await runRebalance({ seed: 4, from: range, to: hotSplit, keys, bandwidthBytesPerMs: 100, crash: { node: "s1", atMs: 40, restartAtMs: 200 } });
    expect(r.durationMs).toBeGreaterThan(190);
    expect(r.keysMisplaced).toBe(0);
    expect(r.keysWrong).toBe(0);
    expect(r.reads.wrong).toBe(0);
  });

  it("a lossy network (10% loss): lost batches are sent again; the layout still ends complete and correct", async () => {
    const r = await runRebalance({ seed: 5, from: modNPartitioner({ partitions: ids(3) }), to: modNPartitioner({ partitions: ids(4) }), keys: 400, lossProbability: 0.1 });
    expect(r.keysMisplaced).toBe(0);
    expect(r.keysWrong).toBe(0);
    expect(r.reads.wrong).toBe(0);
  });

  it("rejects a crash of a node that is not a server", async () => {
    await expect(runRebalance({ from: range, to: hotSplit, crash: { node: "x", atMs: 1, restartAtMs: 2 } })).rejects.toThrow(/crash.node "x" is not a server/);
  });
});

describe("compareReplicationAndPartitioning", () => {
  it("capacity, write cost and availability after one crash for the three set-ups of 4 nodes", async () => {
    const rows = await compareReplicationAndPartitioning({ seed: 1, nodes: 4, keyCount: 1000, capacityKeysPerNode: 100 });
    const [full, sharded, twice] = rows;
    expect(rows.map((r) => r.setup)).toEqual(["full replication", "partitioned", "partitioned, 2 replicas"]);
    expect(full.keysStored).toBe(100); // no more than one node holds
    expect(sharded.keysStored).toBeGreaterThan(350); // about 4 × 100
    expect(twice.keysStored).toBeGreaterThan(170); // about 4 × 100 / 2
    expect(twice.keysStored).toBeLessThanOrEqual(200);
    expect(rows.map((r) => r.messagesPerWrite)).toEqual([8, 2, 4]); // 2 per copy
    expect(full.readableAfterCrash).toBe(1);
    expect(twice.readableAfterCrash).toBe(1);
    expect(sharded.readableAfterCrash).toBeGreaterThan(0.65);
    expect(sharded.readableAfterCrash).toBeLessThan(0.85);
    for (const r of rows) expect(r.readsPerMs).toBeGreaterThan(2); // 4 servers at 1 ms each: 4 per ms at best
  });

  it("two crashes of neighbouring nodes lose the shard they both held, even with 2 replicas", async () => {
    const rows = await compareReplicationAndPartitioning({ seed: 2, crashes: 2 });
    expect(rows[0].readableAfterCrash).toBe(1);
    expect(rows[2].readableAfterCrash).toBeLessThan(1);
    expect(rows[2].readableAfterCrash).toBeGreaterThan(rows[1].readableAfterCrash);
  });

  it("under heavy skew a shard with the hottest keys caps read throughput; full replication spreads it", async () => {
    const rows = await compareReplicationAndPartitioning({ seed: 3, zipfExponent: 1.5, keyCount: 400, capacityKeysPerNode: 400 });
    expect(rows[0].readsPerMs).toBeGreaterThan(1.5 * rows[1].readsPerMs);
  });
});
