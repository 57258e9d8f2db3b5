// Lv, Cao, Cohen, Li & Shenker (ICS 2002) in small: on one overlay with the same copies and
// queries, flooding's success and cost both rise with the TTL; random walkers with checking back
// and the expanding ring reach high success for fewer messages than a large-TTL flood; more copies
// of popular objects (proportional, square-root) help flooding at a fixed TTL; walkers still find
// objects under loss; and the fast counters agree with the simulated protocols where they must.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import { latency } from "../../lib/net";
import { countFlood, countWalk, placeReplicas, randomOverlay, randomWalkPeer, searchExperiment, type P2pHit } from "../../lib/p2p/index";

describe("Lv et al.'s search experiment", () => {
  it("flooding: success and messages rise with the TTL; messages grow much faster once most is found", async () => {
    const rows = await searchExperiment({ methods: [1, 2, 3, 4, 5].map((ttl) => ({ kind: "flood" as const, ttl })), n: 100, replicaRatio: 0.03, queries: 20, seed: 1 });
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i].successRate).toBeGreaterThanOrEqual(rows[i - 1].successRate);
      expect(rows[i].messagesPerQuery).toBeGreaterThan(rows[i - 1].messagesPerQuery);
    }
    expect(rows[0].successRate).toBeLessThan(0.5);
    expect(rows[4].successRate).toBeGreaterThanOrEqual(0.9);
    expect(rows[4].messagesPerQuery / rows[3].messagesPerQuery).toBeGreaterThan(1.5);
  });

  it("walkers with checking back and the expanding ring cost less than a flood that covers the overlay", async () => {
    const [flood, walk, ring] = await searchExperiment({ methods: [{ kind: "flood", ttl: 8 }, { kind: "walk", walkers: 16, ttl: 32 }, { kind: "ring" }], n: 100, replicaRatio: 0.03, queries: 20, strategy: "proportional", seed: 2 });
    expect(flood.successRate).toBe(1);
    expect(walk.successRate).toBeGreaterThanOrEqual(0.9);
    expect(ring.successRate).toBe(1);
    expect(walk.messagesPerQuery).toBeLessThan(flood.messagesPerQuery / 2);
    expect(ring.messagesPerQuery).toBeLessThan(flood.messagesPerQuery);
  });

  it("is repeatable: the same seed gives the same rows", async () => {
    const methods = [{ kind: "walk" as const, walkers: 8, ttl: 16 }];
    expect(await searchExperiment({ methods, seed: 5, queries: 10 })).toEqual(await searchExperiment({ methods, seed: 5, queries: 10 }));
  });

  it("random walks still find objects under 10% loss (a lost walker is simply one walker fewer)", async () => {
    const [row] = await searchExperiment({ methods: [{ kind: "walk", walkers: 16, ttl: 32 }], lossProbability: 0.1, n: 100, replicaRatio: 0.03, queries: 20, seed: 3 });
    expect(row.successRate).toBeGreaterThanOrEqual(0.8);
  });
});

describe("replica placement", () => {
  it("proportional gives popular objects more copies, uniform the same to all, and every object at least one", () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `p${i + 1}`);
    const uni = placeReplicas({ ids, objects: 50, replicaRatio: 0.01, strategy: "uniform", seed: 1 });
    const pro = placeReplicas({ ids, objects: 50, replicaRatio: 0.01, strategy: "proportional", seed: 1 });
    const sqr = placeReplicas({ ids, objects: 50, replicaRatio: 0.01, strategy: "square-root", seed: 1 });
    expect(new Set(uni.objects.map((o) => uni.holders[o].length)).size).toBe(1);
    expect(pro.holders.o0.length).toBeGreaterThan(sqr.holders.o0.length);
    expect(sqr.holders.o0.length).toBeGreaterThan(uni.holders.o0.length);
    for (const pl of [uni, pro, sqr]) for (const o of pl.objects) expect(pl.holders[o].length).toBeGreaterThanOrEqual(1);
    expect(new Set(pro.holders.o0).size).toBe(pro.holders.o0.length);
  });
});

describe("random walks", () => {
  it("checking back stops the other walkers soon after the first hit", () => {
    const o = randomOverlay({ n: 1000, degree: 4, seed: 1 });
    const holders = new Set(["p900", "p700", "p42"]);
    let withCheck = 0;
    let without = 0;
    for (let s = 0; s < 10; s++) {
      withCheck += countWalk(o, { source: "p1", walkers: 16, ttl: 512, holders, checkEvery: 4, seed: s }).messages;
      without += countWalk(o, { source: "p1", walkers: 16, ttl: 512, holders, checkEvery: 0, seed: s }).messages;
    }
    expect(withCheck).toBeLessThan(without / 2);
  });

  it("on the simulator, a walker that finds the object tells the origin, and the others stop after checking back", async () => {
    const o = randomOverlay({ n: 100, degree: 4, seed: 9 });
    const sim = new Simulation({ seed: 1, trace: false, network: { latency: latency.constant(1) } });
    const hits: P2pHit[] = [];
    const peers = new Map<string, ReturnType<typeof randomWalkPeer>>();
    sim.spawnMany(o.ids, (node) => { peers.set(node.id, randomWalkPeer(node, { neighbours: o.neighbours[node.id], holds: (k) => k === "x" && node.id === "p50", onHit: (h) => hits.push(h), checkEvery: 2, checkTimeoutMs: 4 })); });
    sim.at(0, () => peers.get("p1")!.search("q", "x", { walkers: 8, ttl: 1000 }));
    await sim.runFor(3_000);
    expect(hits.length).toBeGreaterThanOrEqual(1);
    expect(hits[0].holder).toBe("p50");
    const steps = [...peers.values()].reduce((s, p) => s + p.stats.walkSteps, 0);
    expect(steps).toBeLessThan(8 * 1000); // stopped long before the TTL ran out
    expect(steps).toBeLessThanOrEqual(8 * (hits[0].hops + 4));
  });

  it("on 10⁴ peers a full flood costs 2|E| − N + 1 while 32 walkers find a 1%-replicated object for far less", () => {
    const o = randomOverlay({ n: 10_000, degree: 4, seed: 1 });
    const flood = countFlood(o, { source: "p1", ttl: 10_000 });
    expect(flood.messages).toBe(2 * o.edges - 10_000 + 1);
    const pl = placeReplicas({ ids: o.ids, objects: 1, replicaRatio: 0.01, strategy: "uniform", seed: 2 });
    const walk = countWalk(o, { source: "p1", walkers: 32, ttl: 1024, holders: new Set(pl.holders.o0), seed: 3 });
    expect(walk.found).toBe(true);
    expect(walk.messages).toBeLessThan(flood.messages / 10);
  });
});
