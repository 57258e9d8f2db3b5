// Push gossip after Demers et al. (1987): it reaches everyone without acknowledgements, in about
// log₂ n + ln n rounds (Pittel 1987), and rumour mongering trades messages for a residue.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import { latency } from "../../lib/net";
import { gossipRounds, gossipRoundsPredicted, openGossip, type GossipBroadcast } from "../../lib/channels/index";

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

async function meanRounds(n: number, fanout = 1, seeds = 3): Promise<number> {
  const rounds: number[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const r = await gossipRounds({ n, fanout, seed });
    expect(r.infected, `n=${n} seed ${seed}`).toBe(n);
    rounds.push(r.rounds!);
  }
  return mean(rounds);
}

describe("push gossip", () => {
  it("every node delivers every rumour exactly once, under 20% loss, with no acknowledgement", async () => {
    const sim = new Simulation({ seed: 1, network: { latency: latency.uniform(1, 8), lossProbability: 0.2 } });
    const ids = Array.from({ length: 40 }, (_, i) => `n${i + 1}`);
    const delivered = new Map<string, string[]>(ids.map((id) => [id, []]));
    const endpoints = new Map<string, GossipBroadcast<string>>();
    sim.spawnMany(ids, (node) => {
      endpoints.set(node.id, openGossip<string>(node, { fanout: 2, roundMs: 10, deliver: (origin, m) => void delivered.get(node.id)!.push(`${origin}:${m}`) }));
    });
    sim.at(0, () => endpoints.get("n1")!.broadcast("a"), "n1 starts a rumour");
    sim.at(5, () => endpoints.get("n7")!.broadcast("b"), "n7 starts another");
    await sim.runUntil(() => [...delivered.values()].every((ms) => ms.length === 2), { withinMs: 1000 });
    for (const [id, ms] of delivered) expect(ms.sort(), id).toEqual(["n1:a", "n7:b"]);
    expect(sim.trace.filter({ kinds: ["send"] }).every((e) => e.type === "gossip")).toBe(true);
    const redundant = [...endpoints.values()].reduce((s, g) => s + g.counters.redundant, 0);
    expect(redundant).toBeGreaterThan(0); // the price of not knowing who knows
    for (const g of endpoints.values()) g.stop();
    await sim.run(); // stopped everywhere: the run ends
  });

  it("rounds until everyone knows grow like log₂ n + ln n, not like n", async () => {
    const small = await meanRounds(16);
    const medium = await meanRounds(64);
    const large = await meanRounds(256);
    for (const [n, r] of [[16, small], [64, medium], [256, large]] as const) {
      expect(r, `n=${n}`).toBeGreaterThanOrEqual(gossipRoundsPredicted(n) - 1);
      expect(r, `n=${n}`).toBeLessThanOrEqual(gossipRoundsPredicted(n) + 3);
    }
    expect(small).toBeLessThan(medium);
    expect(medium).toBeLessThan(large);
    expect(large / small).toBeLessThan(3); // 16 times the nodes, not even 3 times the rounds
  });

  it("a larger fanout needs fewer rounds (log₍₁₊f₎ n + ln n / f)", async () => {
    const one = await meanRounds(128, 1, 3);
    const three = await meanRounds(128, 3, 3);
    expect(three).toBeLessThan(one * 0.6);
    expect(Math.abs(three - gossipRoundsPredicted(128, 3))).toBeLessThan(2.5);
  });

  it("rumour mongering (loss of interest after k rounds) leaves a residue that shrinks with k", async () => {
    const residue = async (roundsMax: number): Promise<number> => mean(await Promise.all([1, 2, 3].map(async (seed) => (await gossipRounds({ n: 200, seed, roundsMax })).residue)));
    const k2 = await residue(2);
    const k4 = await residue(4);
    expect(k2).toBeGreaterThan(0.1);
    expect(k4).toBeLessThan(k2);
    expect((await gossipRounds({ n: 200, seed: 1 })).residue).toBe(0); // never losing interest: everyone
    const blind = await gossipRounds({ n: 200, seed: 1, roundsMax: 2 });
    expect(blind.rounds).toBeUndefined();
    expect(blind.infectedByRound.at(-1)).toBe(blind.infected);
  });

  it("is deterministic: same seed, same trace hash", async () => {
    const run = async (seed: number): Promise<string> => {
      const sim = new Simulation({ seed, network: { latency: latency.uniform(1, 8), lossProbability: 0.1 } });
      const ids = Array.from({ length: 12 }, (_, i) => `n${i + 1}`);
      let known = 0;
      sim.spawnMany(ids, (node) => {
        const g = openGossip(node, { roundMs: 10, roundsMax: 6, deliver: () => known++ });
        if (node.id === "n1") sim.at(0, () => g.broadcast("r"));
      });
      await sim.run();
      expect(known).toBeGreaterThan(1);
      return sim.trace.hash();
    };
    expect(await run(3)).toBe(await run(3));
    expect(await run(4)).not.toBe(await run(3));
  });

  it("with a fanout larger than the group, a round pushes to every other member once", async () => {
    const sim = new Simulation({ seed: 1 });
    const ids = ["a", "b", "c"];
    const knows = new Set<string>();
    const gs = sim.spawnMany(ids, () => {}).map((node) => openGossip(node, { fanout: 5, roundMs: 10, roundsMax: 1, peers: ids, deliver: () => knows.add(node.id) }));
    gs[0].broadcast("r");
    await sim.run();
    expect([...knows].sort()).toEqual(ids);
    expect(gs[0].counters.pushes).toBe(2);
  });

  it("rejects a bad fanout and a bad n with clear errors", async () => {
    const sim = new Simulation({ seed: 1 });
    expect(() => openGossip(sim.spawn("a"), { deliver: () => {}, fanout: 0 })).toThrow(/openGossip: fanout must be a whole number ≥ 1, got 0 \(node "a", t=0/);
    await expect(gossipRounds({ n: 1 })).rejects.toThrow(/gossipRounds: n/);
  });
});
