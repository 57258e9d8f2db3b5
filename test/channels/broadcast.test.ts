// Broadcast of Cachin, Guerraoui & Rodrigues ch. 3: best-effort broadcast leaves members split when
// its sender crashes midway; eager reliable broadcast does not, even on a lossy network.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import { latency } from "../../lib/net";
import { openBestEffortBroadcast, openReliableBroadcast } from "../../lib/channels/index";

const MEMBERS = ["n1", "n2", "n3", "n4", "n5"];
const SEEDS = Array.from({ length: 12 }, (_, i) => i + 1);

/**
 * n1 broadcasts three messages and crashes 1 ms later, before any retransmission: copies the
 * network lost on n1's own links are never sent again. Returns what each correct member delivered.
 */
async function senderCrashesMidway(kind: "beb" | "rb", seed: number, trace = false): Promise<{ delivered: Map<string, string[]>; sim: Simulation }> {
  const sim = new Simulation({ seed, trace, network: { latency: latency.uniform(5, 15), lossProbability: 0.3, duplicationProbability: 0.1, ordering: "unordered" } });
  const delivered = new Map<string, string[]>(MEMBERS.map((m) => [m, []]));
  sim.spawnMany(MEMBERS, (node) => {
    const deliver = (origin: string, m: string): void => void delivered.get(node.id)!.push(`${origin}:${m}`);
    const channel = kind === "beb" ? openBestEffortBroadcast<string>(node, { deliver, group: MEMBERS, retransmitMs: 30 }) : openReliableBroadcast<string>(node, { deliver, group: MEMBERS, retransmitMs: 30 });
    if (node.id === "n1") sim.at(0, () => ["x", "y", "z"].forEach((m) => channel.broadcast(m)), "n1 broadcasts x, y, z");
  });
  sim.at(1, () => sim.crash("n1"), "n1 crashes midway through its broadcasts");
  await sim.runFor(500); // ≈ 16 retransmission periods: the survivors' copies get through (and keep going to n1)
  delivered.delete("n1"); // n1 is not correct: nothing is promised about it
  return { delivered, sim };
}

/** The members that delivered `m`. */
const holders = (delivered: Map<string, string[]>, m: string): string[] => [...delivered].filter(([, ms]) => ms.includes(m)).map(([id]) => id);

describe("best-effort broadcast (BEB1–3)", () => {
  it("delivers to every member, once, when the sender stays up (perfect links under 30% loss)", async () => {
    const sim = new Simulation({ seed: 1, network: { latency: latency.uniform(5, 15), lossProbability: 0.3, duplicationProbability: 0.1 } });
    const delivered = new Map<string, string[]>();
    const endpoints = sim.spawnMany(MEMBERS, (node) => {
      const beb = openBestEffortBroadcast<string>(node, { group: MEMBERS, deliver: (origin, m) => delivered.set(node.id, [...(delivered.get(node.id) ?? []), `${origin}:${m}`]) });
      if (node.id === "n2") sim.at(0, () => beb.broadcast("hello"), "n2 broadcasts");
    });
    await sim.runFor(1000);
    expect(endpoints).toHaveLength(5);
    for (const m of MEMBERS) expect(delivered.get(m), m).toEqual(["n2:hello"]);
  });

  it("over fair-loss links it loses messages even without a crash", async () => {
    const sim = new Simulation({ seed: 2, network: { lossProbability: 0.3 } });
    let copies = 0;
    sim.spawnMany(MEMBERS, (node) => {
      const beb = openBestEffortBroadcast<number>(node, { group: MEMBERS, transport: "fair-loss", deliverToSelf: false, deliver: () => copies++ });
      if (node.id === "n1") sim.at(0, () => Array.from({ length: 50 }, (_, i) => beb.broadcast(i)), "n1 broadcasts 50");
    });
    await sim.run();
    expect(copies).toBeGreaterThan(100); // of 200 copies, about 140 arrive
    expect(copies).toBeLessThan(180);
  });

  it("leaves correct members split when the sender crashes midway (in most seeds)", async () => {
    let split = 0;
    for (const seed of SEEDS) {
      const { delivered } = await senderCrashesMidway("beb", seed);
      for (const m of ["n1:x", "n1:y", "n1:z"]) {
        const n = holders(delivered, m).length;
        if (n > 0 && n < 4) split++;
      }
    }
    expect(split).toBeGreaterThan(SEEDS.length); // ≈ 2 of every 3 messages end up split
  });
});

describe("eager reliable broadcast (RB1–4)", () => {
  it("agreement: the correct members deliver the same set although the sender crashed midway (12 seeds)", async () => {
    let deliveredSomewhere = 0;
    for (const seed of SEEDS) {
      const { delivered } = await senderCrashesMidway("rb", seed);
      const sets = [...delivered.values()].map((ms) => [...ms].sort().join(","));
      expect(new Set(sets).size, `seed ${seed}: ${JSON.stringify([...delivered])}`).toBe(1);
      for (const ms of delivered.values()) expect(new Set(ms).size, `seed ${seed}: no duplicates`).toBe(ms.length);
      deliveredSomewhere += delivered.get("n2")!.length;
    }
    expect(deliveredSomewhere).toBeGreaterThan(SEEDS.length * 2); // the scenario is not vacuous
  });

  it("every member delivers every broadcast of several senders, once, under loss and reordering", async () => {
    const sim = new Simulation({ seed: 9, network: { latency: latency.uniform(1, 20), lossProbability: 0.2, duplicationProbability: 0.1, ordering: "unordered" } });
    const delivered = new Map<string, string[]>(MEMBERS.map((m) => [m, []]));
    const rbs = sim.spawnMany(MEMBERS, (node) => node).map((node) => openReliableBroadcast<number>(node, { deliver: (origin, i) => void delivered.get(node.id)!.push(`${origin}:${i}`) }));
    rbs.forEach((rb, k) => [1, 2, 3].forEach((i) => rb.broadcast(k * 10 + i)));
    await sim.runUntil(() => rbs.every((rb) => rb.pending === 0), { withinMs: 5000 });
    for (const m of MEMBERS) expect(delivered.get(m)!.sort(), m).toEqual([...delivered.get("n1")!].sort());
    expect(delivered.get("n1")).toHaveLength(15);
    expect(rbs[0].counters.relayed).toBe(12); // relayed every message of the 4 other senders
  });

  it("the same seed gives the same trace; another seed a different one", async () => {
    const hash = async (seed: number): Promise<string> => (await senderCrashesMidway("rb", seed, true)).sim.trace.hash();
    expect(await hash(4)).toBe(await hash(4));
    expect(await hash(5)).not.toBe(await hash(4));
  });
});
