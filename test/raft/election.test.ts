// Leader election (§5.2), as 6.5840's 3A scenarios: an initial election on 3 and 5 servers over many
// seeds, re-election after the leader crashes or is cut off, and no leader without a majority. The
// safety monitor (election safety, log matching, …) runs after every event of every run.
import { describe, expect, it } from "vitest";
import { makeTester, seeds } from "./harness";

describe("raft election (§5.2)", () => {
  it.each([3, 5])("elects one leader among %i servers, over 30 seeds, and keeps it while the network is good", async (n) => {
    for (const seed of seeds(30)) {
      const t = makeTester(seed, n);
      const leader = await t.checkOneLeader(t.ids, 2000);
      const term = t.cluster.states()[leader].currentTerm;
      await t.sim.runFor(2000);
      // No spurious elections with heartbeats every 50 ms and timeouts of 150–300 ms.
      expect(t.cluster.leader(), `seed ${seed}`).toBe(leader);
      expect(t.cluster.states()[leader].currentTerm, `seed ${seed}`).toBe(term);
      for (const s of Object.values(t.cluster.states())) expect(s.currentTerm, `seed ${seed}`).toBe(term);
      expect(t.sim.node(leader).state).toBe("leader");
    }
  });

  it("re-elects after the leader crashes, and again; no leader without a majority; one when it returns", async () => {
    for (const seed of seeds(20)) {
      const t = makeTester(seed, 3);
      const l1 = await t.checkOneLeader();
      t.sim.crash(l1);
      const l2 = await t.checkOneLeader(t.ids.filter((id) => id !== l1));
      expect(l2).not.toBe(l1);
      t.sim.restart(l1); // the old leader rejoins as a follower; the leader stays or a new one is elected
      await t.checkOneLeader();
      const l3 = t.cluster.leader()!;
      const other = t.ids.find((id) => id !== l3)!;
      t.sim.crash(l3);
      t.sim.crash(other);
      await t.sim.runFor(2000);
      expect(t.cluster.leader(), `seed ${seed}: a lone server must not become leader`).toBeUndefined();
      t.sim.restart(other);
      await t.checkOneLeader();
    }
  });

  it("an isolated leader keeps its role but a new one is elected in a later term; healing leaves one", async () => {
    for (const seed of seeds(20)) {
      const t = makeTester(seed, 5);
      const old = await t.checkOneLeader();
      t.sim.isolate(old);
      const fresh = await t.checkOneLeader(t.ids.filter((id) => id !== old));
      const states = t.cluster.states();
      expect(states[fresh].currentTerm).toBeGreaterThan(states[old].currentTerm);
      expect(states[old].role).toBe("leader"); // it has heard of no higher term yet
      t.sim.heal();
      await t.sim.runUntil(() => t.cluster.states()[old].role === "follower", { withinMs: 1000 });
      await t.checkOneLeader();
    }
  });

  it("declares three states, with the term in the cause", async () => {
    const t = makeTester(4, 3);
    await t.checkOneLeader();
    const states = new Set<string>();
    const causes: string[] = [];
    for (const e of t.sim.trace.events) {
      if (e.kind === "state") {
        states.add(e.to);
        if (e.cause) causes.push(e.cause);
      }
    }
    expect([...states].sort()).toEqual(["candidate", "follower", "leader"]);
    expect(causes.some((c) => /^request_vote_resp, term \d+$/.test(c))).toBe(true);
  });
});
