// Gnutella-style search on a random overlay (Lv, Cao, Cohen, Li & Shenker, ICS 2002): the overlay
// is connected and repeatable; a flood reaches exactly the peers within its TTL, each peer handles
// a query once, and a flood covering the graph sends exactly 2|E| − N + 1 messages — also when the
// network duplicates messages; under loss it sends fewer and reaches fewer peers.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import { latency } from "../../lib/net";
import { countFlood, floodingPeer, hopDistances, randomOverlay, type FloodingPeer, type Overlay, type P2pHit } from "../../lib/p2p/index";

function floodRun(overlay: Overlay, ttl: number, network: { lossProbability?: number; duplicationProbability?: number; uniform?: boolean } = {}, seed = 1) {
  const sim = new Simulation({ seed, trace: false, network: { latency: network.uniform ? latency.uniform(5, 15) : latency.constant(1), ordering: "unordered", lossProbability: network.lossProbability ?? 0, duplicationProbability: network.duplicationProbability ?? 0 } });
  const peers = new Map<string, FloodingPeer>();
  const handled = new Map<string, number>();
  const hits: P2pHit[] = [];
  sim.spawnMany(overlay.ids, (node) => {
    peers.set(node.id, floodingPeer(node, {
      neighbours: overlay.neighbours[node.id],
      holds: (key) => key === "song" && (node.id === "p10" || node.id === "p20"),
      onQuery: () => handled.set(node.id, (handled.get(node.id) ?? 0) + 1),
      onHit: (h) => hits.push(h),
    }));
  });
  sim.at(0, () => peers.get("p1")!.flood("q1", "song", ttl));
  return { sim, peers, handled, hits, sent: () => [...peers.values()].reduce((s, p) => s + p.stats.queriesSent, 0) };
}

describe("random overlay", () => {
  it("is connected, symmetric, about `degree` neighbours per peer, and the same for the same seed", () => {
    const o = randomOverlay({ n: 300, degree: 4, seed: 7 });
    expect(hopDistances(o, "p1").size).toBe(300);
    for (const id of o.ids) {
      for (const nb of o.neighbours[id]) expect(o.neighbours[nb]).toContain(id);
      expect(o.neighbours[id]).not.toContain(id);
      expect(o.neighbours[id].length).toBeGreaterThanOrEqual(2);
      expect(o.neighbours[id].length).toBeLessThanOrEqual(4);
    }
    expect(o.edges).toBe(o.ids.reduce((s, id) => s + o.neighbours[id].length, 0) / 2);
    expect(o.edges).toBeGreaterThanOrEqual(0.97 * 600);
    expect(randomOverlay({ n: 300, degree: 4, seed: 7 })).toEqual(o);
    expect(randomOverlay({ n: 300, degree: 4, seed: 8 })).not.toEqual(o);
  });

  it("rejects a degree it cannot build, naming the option", () => {
    expect(() => randomOverlay({ n: 5, degree: 5, seed: 1 })).toThrow(/degree/);
  });
});

describe("flooding with TTL and duplicate suppression", () => {
  const overlay = randomOverlay({ n: 120, degree: 4, seed: 3 });

  it("a full flood sends exactly 2|E| − N + 1 messages and every peer handles the query once", async () => {
    const run = floodRun(overlay, 120, { uniform: true });
    await run.sim.runFor(5_000);
    expect(run.sent()).toBe(2 * overlay.edges - overlay.ids.length + 1);
    expect(run.handled.size).toBe(overlay.ids.length - 1); // everyone but the origin
    expect([...run.handled.values()].every((c) => c === 1)).toBe(true);
    expect(run.hits.map((h) => h.holder).sort()).toEqual(["p10", "p20"]);
    expect(countFlood(overlay, { source: "p1", ttl: 120 }).messages).toBe(run.sent());
  });

  it("a TTL-limited flood reaches exactly the peers within TTL hops, at the fast counter's cost", async () => {
    const hops = hopDistances(overlay, "p1");
    for (const ttl of [1, 2, 3]) {
      const run = floodRun(overlay, ttl);
      await run.sim.runFor(100);
      const within = overlay.ids.filter((id) => id !== "p1" && hops.get(id)! <= ttl).sort();
      expect([...run.handled.keys()].sort()).toEqual(within);
      const fast = countFlood(overlay, { source: "p1", ttl });
      expect(run.sent()).toBe(fast.messages);
      expect(fast.reached).toBe(within.length);
    }
  });

  it("duplication on the network changes nothing: copies are suppressed, the count stays exact", async () => {
    const run = floodRun(overlay, 120, { duplicationProbability: 0.3, uniform: true });
    await run.sim.runFor(5_000);
    expect(run.sent()).toBe(2 * overlay.edges - overlay.ids.length + 1);
    expect([...run.handled.values()].every((c) => c === 1)).toBe(true);
    expect([...run.peers.values()].reduce((s, p) => s + p.stats.duplicatesDropped, 0)).toBeGreaterThan(overlay.edges);
  });

  it("under 30% loss the flood sends fewer messages and may miss peers, but no peer handles it twice", async () => {
    const run = floodRun(overlay, 120, { lossProbability: 0.3, uniform: true });
    await run.sim.runFor(5_000);
    expect(run.sent()).toBeLessThan(2 * overlay.edges - overlay.ids.length + 1);
    expect(run.handled.size).toBeGreaterThan(overlay.ids.length / 2); // redundancy of flooding
    expect([...run.handled.values()].every((c) => c === 1)).toBe(true);
  });

  it("rejects a TTL below 1 with the node and time in the message", () => {
    const run = floodRun(overlay, 1);
    expect(() => run.peers.get("p2")!.flood("qx", "song", 0)).toThrow(/p2.*ttl/);
  });
});
