// The checkers against deliberately broken Rafts: each variant breaks one rule of Figure 2, and the
// safety monitor must reject it — in the transcript that shows the rule (Figure 8, votes), and in
// simulated runs with crashes. If a mutant passed, the scenarios would be too weak to grade with.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { InteractionEnv, runTranscript } from "../../lib/machine/index";
import { InvariantViolation } from "../../lib/simulation/index";
import { RaftMonitor, raftReference, type RaftImplementation, type RaftState } from "../../lib/raft/index";
import { makeTester, seeds } from "./harness";
import { raftInvariant } from "./harness";

const ref = raftReference.machine;

/** A variant whose machine is the reference with `step`, `tick` or `restore` changed. */
function mutant(name: string, change: Partial<RaftImplementation["machine"]>): RaftImplementation {
  return { ...raftReference, machine: { ...ref, name, ...change } };
}

/** Commits the highest index a majority holds, whatever its term (the bug Figure 8 shows). */
const countsOldTerms = mutant("counts-old-terms", {
  step(s, m) {
    const r = ref.step(s, m);
    const st = r.state;
    if (st.role !== "leader") return r;
    const last = st.log.length > 0 ? st.log[st.log.length - 1].index : st.snapshotIndex;
    for (let n = last; n > st.commitIndex; n--) {
      const holders = 1 + st.peers.filter((p) => st.matchIndex[p] >= n).length;
      if (holders * 2 > st.peers.length + 1) return { ...r, state: { ...st, commitIndex: n } };
    }
    return r;
  },
});

/** Forgets its vote in a crash (votedFor not on stable storage). */
const forgetsVote = mutant("forgets-vote", { restore: (ctx, disk) => ref.restore!(ctx, { ...disk, votedFor: null }) });

/** Grants votes without the election restriction (§5.4.1). */
const noUpToDateCheck = mutant("no-up-to-date-check", {
  step: (s, m) => ref.step(s, m.body.type === "request_vote" ? { ...m, body: { ...m.body, lastLogTerm: Number.MAX_SAFE_INTEGER } } : m),
});

/** Keeps nothing on disk: restarts empty. */
const persistsNothing = mutant("persists-nothing", { restore: (ctx) => ref.init(ctx) });

async function failingSeeds(impl: RaftImplementation, count: number): Promise<string[]> {
  const found: string[] = [];
  for (const seed of seeds(count)) {
    const t = makeTester(seed, 5, { implementation: impl });
    const random = t.sim.random("mutant");
    try {
      // Propose at the leader; crash the leader or any server, at most two down; restart at random.
      for (let iter = 0; iter < 200; iter++) {
        const leader = t.cluster.leader();
        if (leader !== undefined) t.cluster.handle(leader)!.propose(`c${iter}`);
        await t.sim.runFor(random.chance(0.1) ? random.int(0, 500) : random.int(0, 30));
        const up = t.ids.filter((id) => t.sim.isUp(id));
        if (up.length > 3 && random.chance(0.7)) t.sim.crash(leader !== undefined && t.sim.isUp(leader) && random.chance(0.5) ? leader : random.pick(up));
        const down = t.ids.filter((id) => !t.sim.isUp(id));
        if (down.length > 0 && random.chance(0.5)) t.sim.restart(random.pick(down));
      }
    } catch (err) {
      if (!(err instanceof InvariantViolation)) throw err;
      found.push(`seed ${seed}: ${err.problem}`);
    }
  }
  return found;
}

describe("the safety monitor rejects broken Rafts", () => {
  it("counting replicas of an old-term entry: the Figure 8 transcript breaks leader completeness", () => {
    const text = readFileSync(path.join(__dirname, "transcripts", "figure8.txt"), "utf8");
    expect(() => runTranscript(countsOldTerms.machine, text, { invariant: raftInvariant() })).toThrow(/leader completeness: n5, leader of term 4, lacks 1:"x" at index 1/);
  });

  it("a vote forgotten in a crash: two leaders in one term", () => {
    const env = new InteractionEnv(forgetsVote.machine);
    const monitor = new RaftMonitor();
    const cfg = (peers: string[]) => ({ peers, electionTicksMin: 10, electionTicksMax: 10 });
    env.init("n1", cfg(["n2", "n3"]));
    env.init("n2", cfg(["n1", "n3"]));
    env.init("n3", cfg(["n1", "n2"]));
    env.tick("n1", 10); // n1 stands in term 1
    env.deliver("n1->n2"); // n2 votes for n1 ...
    env.crash("n2");
    env.restart("n2"); // ... and forgets it
    env.tick("n3", 10); // n3, which has not heard from n1, stands in term 1 too
    env.deliver("n3->n2"); // and n2 votes again
    env.deliver("n1");
    env.deliver("n3");
    const states = env.states() as Record<string, RaftState>;
    expect([states.n1.role, states.n3.role]).toEqual(["leader", "leader"]);
    expect(monitor.observe(states)).toEqual(["election safety: term 1 has two leaders, n1 and n3"]);
  });

  // counts-old-terms is not in this list: random runs rarely build Figure 8's sequence (none in 200
  // seeds on an unreliable network), which is why the transcript above builds it by hand.
  it.each([
    ["no-up-to-date-check", noUpToDateCheck],
    ["persists-nothing", persistsNothing],
  ] as const)("%s: random crashes and restarts while proposing are caught within 30 seeds", async (_name, impl) => {
    const found = await failingSeeds(impl, 30);
    expect(found.length).toBeGreaterThan(0);
  });

  it("the reference passes the same runs", async () => {
    expect(await failingSeeds(raftReference, 30)).toEqual([]);
  });
});
