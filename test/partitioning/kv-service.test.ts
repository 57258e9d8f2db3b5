// The partitioned key–value service in scenarios: routing to the owner, a redirect from a server
// that already changed layout, a read forwarded to the old owner while its key is still in
// transit, a lost hand-off batch sent again, and a receiver that crashes in the middle of a move.
import { describe, expect, it } from "vitest";
import { Simulation, latency, modNPartitioner, partitionClient, partitionServer, rangePartitioner } from "../../lib";
import type { Partitioner, PartitionServer } from "../../lib";

/** Servers of `servers`, each starting with `layout`; returns their live handles. */
function cluster(sim: Simulation, servers: string[], layout: Partitioner, extra: { batchKeys?: number } = {}) {
  const live = new Map<string, PartitionServer>();
  const done: string[] = [];
  for (const id of servers) {
    sim.spawn(id, (node) => void live.set(id, partitionServer(node, { partitioner: layout, ...extra, onHandoffDone: (s) => void done.push(`${s.server}:${s.keysMoved}`) })));
  }
  return { live, done };
}

describe("partitionServer and partitionClient", () => {
  it("each key is stored only at its owner, and read back from there", async () => {
    const sim = new Simulation({ seed: 1, trace: false });
    const layout = modNPartitioner({ partitions: ["s1", "s2", "s3"] });
    const { live } = cluster(sim, ["s1", "s2", "s3"], layout);
    const got: Array<string | null> = [];
    sim.spawn("c", async (node) => {
      const kv = partitionClient(node, { partitioner: layout });
      for (let i = 0; i < 30; i++) await kv.put(`k${i}`, `v${i}`);
      got.push(await kv.get("k7"), await kv.get("missing"));
    });
    await sim.runFor(1000);
    expect(got).toEqual(["v7", null]);
    for (let i = 0; i < 30; i++) {
      const holders = ["s1", "s2", "s3"].filter((s) => live.get(s)!.valueOf(`k${i}`) !== null);
      expect(holders).toEqual([layout.ownerOf(`k${i}`)]);
    }
  });

  it("a client with an old layout is redirected by a server that has moved on", async () => {
    const sim = new Simulation({ seed: 2, trace: false });
    const before = rangePartitioner({ partitions: ["s1", "s2"], splitPoints: ["m"] });
    const after = rangePartitioner({ partitions: ["s1", "s2"], splitPoints: ["c"] }); // "f" moves s1 → s2
    const { live } = cluster(sim, ["s1", "s2"], before);
    let value: string | null | undefined;
    let redirects = -1;
    sim.spawn("c", async (node) => {
      const kv = partitionClient(node, { partitioner: before });
      await kv.put("f", "fig");
      for (const s of live.values()) s.moveTo(after);
      await node.sleep(50); // the hand-off is done by now
      value = await kv.get("f"); // still routed to s1, which answers wrong_partition → s2
      redirects = kv.redirects;
    });
    await sim.runFor(500);
    expect(value).toBe("fig");
    expect(redirects).toBe(1);
    expect(live.get("s1")!.valueOf("f")).toBeNull();
  });

  it("a read that reaches the new owner before its key is forwarded to the old owner", async () => {
    // a slow link (100 bytes per ms) makes the 50-key batch take tens of ms to cross
    const sim = new Simulation({ seed: 3, trace: false, network: { latency: latency.constant(1), bandwidthBytesPerMs: 100 } });
    const one = rangePartitioner({ partitions: ["s1"], splitPoints: [] });
    const two = rangePartitioner({ partitions: ["s1", "s2"], splitPoints: ["k50"] });
    const { live, done } = cluster(sim, ["s1", "s2"], one);
    let value: string | null | undefined;
    sim.spawn("c", async (node) => {
      const kv = partitionClient(node, { partitioner: one });
      for (let i = 50; i < 100; i++) await kv.put(`k${i}`, `value of k${i}`);
      for (const s of live.values()) s.moveTo(two);
      kv.setPartitioner(two);
      value = await kv.get("k77"); // s2 owns it now but has not received it yet
    });
    await sim.runFor(2000);
    expect(value).toBe("value of k77");
    expect(live.get("s2")!.forwarded).toBe(1);
    expect(done).toEqual(["s2:0", "s1:50"]);
    expect(live.get("s2")!.keys()).toHaveLength(50);
    expect(live.get("s1")!.keys()).toHaveLength(0);
  });

  it("a write at the new owner during the move is not overwritten by the old value arriving later", async () => {
    const sim = new Simulation({ seed: 4, trace: false, network: { latency: latency.constant(1), bandwidthBytesPerMs: 100 } });
    const one = rangePartitioner({ partitions: ["s1"], splitPoints: [] });
    const two = rangePartitioner({ partitions: ["s1", "s2"], splitPoints: ["k50"] });
    const { live } = cluster(sim, ["s1", "s2"], one);
    sim.spawn("c", async (node) => {
      const kv = partitionClient(node, { partitioner: one });
      for (let i = 50; i < 100; i++) await kv.put(`k${i}`, "old");
      for (const s of live.values()) s.moveTo(two);
      kv.setPartitioner(two);
      await kv.put("k99", "new"); // reaches s2 long before the batch carrying k99 = "old"
    });
    await sim.runFor(2000);
    expect(live.get("s2")!.valueOf("k99")).toBe("new");
    expect(live.get("s2")!.valueOf("k98")).toBe("old");
  });

  it("lost batches and lost acknowledgements: the sender sends again until acknowledged, and nothing is lost", async () => {
    const sim = new Simulation({ seed: 5, trace: false, network: { latency: latency.constant(1), lossProbability: 0.3 } });
    const one = modNPartitioner({ partitions: ["s1"] });
    const three = modNPartitioner({ partitions: ["s1", "s2", "s3"] });
    const { live, done } = cluster(sim, ["s1", "s2", "s3"], one, { batchKeys: 10 });
    // preload s1's storage directly (puts over this lossy network would need retries of their own)
    const s1 = sim.node("s1");
    for (let i = 0; i < 200; i++) s1.storage.set(`kv:k${i}`, `v${i}`);
    sim.at(5, () => {
      for (const s of live.values()) s.moveTo(three);
    });
    await sim.runUntil(() => done.length === 3, { withinMs: 60_000 });
    for (let i = 0; i < 200; i++) {
      const holders = ["s1", "s2", "s3"].filter((s) => live.get(s)!.valueOf(`k${i}`) !== null);
      expect(holders).toEqual([three.ownerOf(`k${i}`)]);
      expect(live.get(three.ownerOf(`k${i}`))!.valueOf(`k${i}`)).toBe(`v${i}`);
    }
  });
});
