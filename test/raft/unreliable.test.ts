// Raft on a bad network, as 6.5840's "unreliable agreement" and "churn" scenarios: messages lost,
// duplicated and reordered, servers partitioned, crashed and restarted by a seeded nemesis. Safety
// (the monitor) is checked after every event throughout; liveness — every proposal made after
// healing commits on every server — once the faults are over (runPhases).
import { describe, expect, it } from "vitest";
import { latency } from "../../lib/net/index";
import { runPhases } from "../../lib/simulation/index";
import { makeTester, seeds } from "./harness";

const BAD_NETWORK = { latency: latency.uniform(1, 30), lossProbability: 0.1, duplicationProbability: 0.1, ordering: "unordered" as const };

describe("raft on an unreliable network", () => {
  it("agrees on concurrent proposals despite loss, duplication and reordering (20 seeds)", async () => {
    for (const seed of seeds(20)) {
      const t = makeTester(seed, 5, { network: BAD_NETWORK });
      const proposals = t.sim.random("proposals");
      for (let round = 0; round < 10; round++) {
        for (let k = 0; k < 4; k++) {
          const leader = t.cluster.leader();
          if (leader !== undefined) t.cluster.handle(leader)!.propose(`r${round}-${k}`);
          await t.sim.runFor(proposals.int(0, 20));
        }
        await t.one(`round-${round}`, 5, 20_000);
      }
      const last = t.cluster.states()[t.cluster.leader()!].commitIndex;
      for (let i = 1; i <= last; i++) expect(t.nCommitted(i).count, `seed ${seed}, index ${i}`).toBe(5);
    }
  });

  it("churn: a nemesis partitions, crashes and restarts for 5 s on a lossy network; then every server agrees (20 seeds)", async () => {
    for (const seed of seeds(20)) {
      const t = makeTester(seed, 5, { network: { latency: latency.uniform(1, 20), ordering: "unordered" }, spawn: { disk: "buffered" } });
      const client = t.sim.random("client");
      let n = 0;
      // A client proposes at whoever leads, every 20–60 ms, throughout.
      const propose = (): void => {
        const leader = t.cluster.leader();
        if (leader !== undefined) t.cluster.handle(leader)!.propose(`c${n++}`);
        t.sim.after(client.int(20, 60), propose, "client");
      };
      t.sim.after(0, propose, "client");
      let target = -1;
      const result = await runPhases(t.sim, {
        nemesis: { partitionEveryMs: 400, crashEveryMs: 700, downMs: 500, lossProbability: 0.1 },
        faultMs: 5000,
        liveness: {
          description: "a proposal made after healing is applied on all five servers",
          holds: () => {
            if (target < 0) {
              const leader = t.cluster.leader();
              const r = leader === undefined ? undefined : t.cluster.handle(leader)!.propose(`after-${seed}`);
              if (r?.kind === "accepted") target = r.index;
              return false;
            }
            return t.nCommitted(target).count === 5;
          },
          withinMs: 10_000,
        },
      });
      expect(result.faults.length, `seed ${seed}`).toBeGreaterThan(5);
      expect(t.monitor.leadersByTerm().size, `seed ${seed}`).toBeGreaterThan(1);
    }
  });
});
