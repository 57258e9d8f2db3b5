// Kademlia as scenarios: the XOR metric's properties, k-buckets that hold the right nodes, the
// iterative FIND_NODE lookup finding the true k closest in a few rounds (≤ log₂ N), and a Sybil
// attacker who picks ids next to a key and so holds its replicas.
import { describe, expect, it } from "vitest";
import { bucketIndex, closestIds, kademliaLookup, kademliaLookupTable, kademliaNetwork, randomIds, xorDistance } from "../../lib/dht/kademlia";
import { sybilTakeover } from "../../lib/dht/kademlia-sybil";
import { Prng } from "../../lib/sim/prng";

describe("XOR distance and buckets", () => {
  it("is a metric: zero only to itself, symmetric, triangle inequality; one id at each distance", () => {
    const rng = new Prng(3);
    for (let i = 0; i < 300; i++) {
      const [a, b, c] = [rng.nextUint32(), rng.nextUint32(), rng.nextUint32()];
      expect(xorDistance(a, a)).toBe(0);
      expect(xorDistance(a, b)).toBe(xorDistance(b, a));
      expect(xorDistance(a, b) + xorDistance(b, c)).toBeGreaterThanOrEqual(xorDistance(a, c));
      expect(xorDistance(a, xorDistance(a, b))).toBe(b); // unidirectional: the id at distance d from a is a XOR d
    }
    expect(xorDistance(0xffffffff, 0)).toBe(0xffffffff); // unsigned, not -1
  });

  it("bucketIndex is the highest differing bit", () => {
    expect(bucketIndex(0b0000, 0b0001)).toBe(0);
    expect(bucketIndex(0b0110, 0b0100)).toBe(1);
    expect(bucketIndex(0, 0x80000000)).toBe(31);
    expect(() => bucketIndex(5, 5)).toThrow(/node 5 has no bucket for itself/);
  });

  it("closestIds orders by XOR distance, not by numeric distance", () => {
    // 8 is numerically next to 7 but differs in 4 bits; 0 differs in 3
    expect(closestIds({ candidates: [8, 0, 6, 7], target: 7, count: 3 })).toEqual([7, 6, 0]);
  });
});

describe("k-buckets", () => {
  const m = 16;
  const ids = randomIds({ count: 300, m, seed: 5 });
  const net = kademliaNetwork({ ids, m, k: 4, seed: 5 });

  it("bucket i holds min(k, members) nodes at distance [2^i, 2^(i+1)), never the node itself", () => {
    for (const self of net.ids.slice(0, 40)) {
      const contacts = net.contactsOf(self);
      expect(contacts).not.toContain(self);
      for (let i = 0; i < m; i++) {
        const members = net.ids.filter((x) => x !== self && bucketIndex(self, x) === i);
        const held = contacts.filter((x) => bucketIndex(self, x) === i);
        expect(held.length).toBe(Math.min(4, members.length));
        for (const x of held) expect(members).toContain(x);
      }
    }
  });

  it("tables do not depend on the order nodes are asked about, and unknown ids are an error", () => {
    const again = kademliaNetwork({ ids: [...ids].reverse(), m, k: 4, seed: 5 });
    for (const self of [...net.ids].reverse().slice(0, 20)) expect(again.contactsOf(self)).toEqual(net.contactsOf(self));
    const outsider = randomIds({ count: 1, m, seed: 6, exclude: ids })[0];
    expect(() => net.contactsOf(outsider)).toThrow(new RegExp(`node ${outsider} is not in the network`));
    expect(() => kademliaNetwork({ ids: [1, 1], m, k: 4, seed: 1 })).toThrow(/appears twice/);
    expect(() => kademliaNetwork({ ids: [70_000], m, k: 4, seed: 1 })).toThrow(/not in \[0, 2\^16\)/);
  });
});

describe("iterative FIND_NODE lookup", () => {
  it("from any node, finds exactly the k nodes closest to the target (k = 20, α = 3, 1000 nodes)", () => {
    const net = kademliaNetwork({ ids: randomIds({ count: 1000, m: 32, seed: 11 }), m: 32, k: 20, seed: 11 });
    const rng = new Prng(12);
    for (let i = 0; i < 30; i++) {
      const target = rng.nextUint32();
      const r = kademliaLookup(net, { from: rng.pick(net.ids), target, alpha: 3 });
      expect(r.closest).toEqual(closestIds({ candidates: net.ids, target, count: 20 }));
      expect(r.queried).toBe(r.path.length);
      expect(r.queried).toBeLessThanOrEqual(3 * r.rounds);
    }
  });

  it("finds the closest node in at most log₂ N rounds, and needs more rounds as N grows (k = 1, α = 1)", () => {
    const rows = kademliaLookupTable({ sizes: [64, 1024, 8192], m: 32, k: 1, alpha: 1, lookups: 60, seed: 2 });
    for (const row of rows) {
      expect(row.correct).toBe(1);
      expect(row.maxRoundsToClosest).toBeLessThanOrEqual(row.log2N);
    }
    expect(rows[2].meanRoundsToClosest).toBeGreaterThan(rows[0].meanRoundsToClosest + 1);
  });

  it("with k = 20 the closest node is usually already in the first replies", () => {
    const [row] = kademliaLookupTable({ sizes: [1024], m: 32, k: 20, alpha: 3, lookups: 30, seed: 2 });
    expect(row.correct).toBe(1);
    expect(row.meanRoundsToClosest).toBeLessThan(2);
    expect(row.meanRounds).toBeGreaterThanOrEqual(20 / 3); // confirming the 20 closest takes ⌈20/3⌉ rounds at least
  });
});

describe("Sybil attack on a key's replicas", () => {
  it("n attacker ids next to the key make n of its k = 20 closest nodes Sybils; 20 take every replica", () => {
    const rows = sybilTakeover({ honestNodes: 400, sybilCounts: [0, 1, 5, 10, 20, 30], k: 20, m: 32, alpha: 3, key: 0x12345678, seed: 4 });
    expect(rows.map((r) => r.closestSybilFraction)).toEqual([0, 0.05, 0.25, 0.5, 1, 1]);
    // an honest node looking the key up is led to the same replicas
    expect(rows.map((r) => r.lookupSybilFraction)).toEqual([0, 0.05, 0.25, 0.5, 1, 1]);
  });
});
