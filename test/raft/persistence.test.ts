// Persistence and crash recovery (Figure 2: currentTerm, votedFor and the log are on stable storage
// before a server answers), as 6.5840's 3C scenarios: crashes of all servers, of the leader, of
// followers, on disks that lose unsynced writes; then Figure 8 (crash leaders at random while
// proposing) on a reliable and an unreliable network. The safety monitor runs after every event.
import { describe, expect, it } from "vitest";
import { latency } from "../../lib/net/index";
import { makeTester, seeds } from "./harness";

describe("raft persistence (Figure 2, §5.1)", () => {
  it("keeps the log and term across a crash of every server, on buffered disks", async () => {
    for (const seed of seeds(10)) {
      const t = makeTester(seed, 3, { spawn: { disk: "buffered" } });
      await t.one(11, 3);
      for (const id of t.ids) t.sim.crash(id);
      for (const id of t.ids) t.sim.restart(id);
      await t.one(12, 3);
      const leader1 = t.cluster.leader()!;
      t.sim.crash(leader1);
      t.sim.restart(leader1);
      await t.one(13, 3);
      const leader2 = t.cluster.leader()!;
      t.sim.crash(leader2);
      await t.one(14, 2);
      t.sim.restart(leader2);
      await t.sim.runUntil(() => t.nCommitted(4).count === 3, { withinMs: 3000 });
      const follower = t.ids.find((id) => id !== t.cluster.leader())!;
      t.sim.crash(follower);
      await t.one(15, 2);
      t.sim.restart(follower);
      await t.one(16, 3);
      // What is on disk is what the paper says must be: the term, the vote and the log.
      const disk = t.sim.node(follower).storage.snapshot();
      expect(Object.keys(disk).sort()).toEqual(["currentTerm", "log", "votedFor"]);
      expect((disk.log as unknown[]).length).toBe(6);
    }
  });

  it("a restarted server re-applies the committed log from the start", async () => {
    const t = makeTester(3, 3);
    for (const c of ["a", "b", "c"]) await t.one(c, 3);
    const seen: unknown[] = [];
    const id = t.ids[0];
    t.sim.crash(id);
    t.sim.restart(id);
    await t.sim.runUntil(() => t.cluster.states()[id]?.lastApplied === 3, { withinMs: 2000 });
    for (let i = 1; i <= 3; i++) seen.push(t.cluster.applied(id).get(i));
    expect(seen).toEqual(["a", "b", "c"]);
  });

  // 6.5840's TestFigure8: propose at whoever leads, crash leaders at random, keep a majority up.
  async function figure8(seed: number, unreliable: boolean): Promise<void> {
    const t = makeTester(seed, 5, {
      spawn: { disk: "buffered" },
      network: unreliable ? { latency: latency.uniform(1, 30), lossProbability: 0.1, duplicationProbability: 0.05, ordering: "unordered" } : undefined,
    });
    const random = t.sim.random("figure8");
    await t.one("first", 1);
    let up = t.ids.length;
    for (let iter = 0; iter < 200; iter++) {
      const leader = t.cluster.leader();
      if (leader !== undefined) t.cluster.handle(leader)!.propose(`r${seed}-${iter}`);
      await t.sim.runFor(random.chance(0.1) ? random.int(0, 500) : random.int(0, 13));
      if (leader !== undefined && t.sim.isUp(leader) && random.chance(unreliable ? 0.5 : 1)) {
        t.sim.crash(leader);
        up--;
      }
      if (up < 3) {
        const down = t.ids.filter((id) => !t.sim.isUp(id));
        const back = random.pick(down);
        t.sim.restart(back);
        up++;
      }
    }
    for (const id of t.ids) if (!t.sim.isUp(id)) t.sim.restart(id);
    if (unreliable) t.sim.network.configure({ lossProbability: 0, duplicationProbability: 0, latency: latency.uniform(1, 5) });
    await t.one(`last-${seed}`, 5, 20_000);
  }

  it("Figure 8: leaders crash at random while proposing; safety throughout, agreement after (20 seeds)", async () => {
    for (const seed of seeds(20)) await figure8(seed, false);
  });

  it("Figure 8 on an unreliable network: loss, duplication, reordering (20 seeds)", async () => {
    for (const seed of seeds(20)) await figure8(seed, true);
  });
});
