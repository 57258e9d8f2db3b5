// lib/explore on a real system: lib/machine's two-phase commit, checked with the same function the
// simulator's monitor uses (atomicCommitViolations). Without faults every interleaving agrees; with
// a coordinator crash the search finds the blocking case (participants prepared, nobody to ask).
import { describe, expect, it } from "vitest";
import { explore, formatCounterexample, replayInSimulator, type ExploreSystem, type ExploreView } from "../../lib/explore/index";
import { atomicCommitViolations, twoPhaseCommit, type TwoPhaseConfig, type TwoPhaseMessage, type TwoPhasePersist, type TwoPhaseState } from "../../lib/machine/index";
import { toSequenceDiagram, toStateDiagram } from "../../lib/trace/index";

type View = ExploreView<TwoPhaseState, TwoPhaseMessage>;
const system: ExploreSystem<TwoPhaseState, TwoPhaseMessage, TwoPhasePersist, TwoPhaseConfig> = {
  machine: twoPhaseCommit,
  nodes: [
    { id: "c", config: { role: "coordinator", participants: ["p1", "p2"], resendTicks: 1, voteTimeoutTicks: 2 } },
    { id: "p1", config: { role: "participant", coordinator: "c", resendTicks: 1 } },
    { id: "p2", config: { role: "participant", coordinator: "c", resendTicks: 1 } },
  ],
  messages: [{ src: "client", dest: "c", body: { type: "begin", txn: "t1" } }],
};
const agreement = { name: "AC1", check: (v: View) => atomicCommitViolations(v.states) };
const decided = {
  name: "every participant decides",
  check: (v: View) => Object.entries(v.states).filter(([, s]) => s.role === "participant" && s.txns.t1 === "prepared").map(([id]) => `${id} is uncertain`),
};

describe("explore: two-phase commit", () => {
  it("every interleaving without faults agrees and decides (exhausted)", () => {
    const r = explore(system, { invariants: [agreement], eventually: [decided], ticksMax: 1 });
    expect(r.verdict).toEqual({ kind: "exhausted" });
    expect(r.states).toBe(304);
    expect(r.terminal).toBeGreaterThan(0);
  });

  it("a coordinator crash leaves participants blocked: found in a terminal state, replayed and drawn", () => {
    const r = explore(system, { invariants: [agreement], eventually: [decided], crashesMax: 1, crashable: ["c"], ticksMax: 0 });
    expect(r.verdict.kind).toBe("violated");
    if (r.verdict.kind !== "violated") return;
    expect(r.verdict.property).toBe("every participant decides");
    expect(r.verdict.where).toBe("terminal");
    const cx = r.verdict.counterexample;
    // The shortest blocking run: begin, then c crashes and both prepares arrive (in some order),
    // so that nothing is left in flight: 4 steps, one of them the crash.
    expect(cx.choices).toHaveLength(4);
    expect(cx.choices.filter((c) => c.kind === "crash")).toEqual([{ kind: "crash", node: "c" }]);
    expect(r.verdict.problems.length).toBeGreaterThanOrEqual(1);
    expect(formatCounterexample(cx)).toMatch(/crash c/);
    const run = replayInSimulator(system, cx.replay, { crashable: ["c"] });
    expect(run.final.states).toEqual(cx.final.states);
    expect(decided.check(run.final)).toEqual(r.verdict.problems);
    expect(toSequenceDiagram(run.trace)).toContain("prepare");
    expect(toStateDiagram(run.trace)).toContain("prepared");
  });

  it("with a restart allowed the coordinator comes back, presumes abort, and everyone decides", () => {
    const r = explore(system, { invariants: [agreement], eventually: [decided], crashesMax: 1, restartsMax: 1, crashable: ["c"], ticksMax: 1 });
    // Without a restart budget left the blocking case is still reachable (crash, no restart):
    expect(r.verdict.kind).toBe("violated");
    const must = explore(system, { invariants: [agreement], crashesMax: 1, restartsMax: 1, crashable: ["c"], ticksMax: 1 });
    expect(must.verdict.kind).toBe("exhausted"); // AC1 holds across the crash and restart
  });
});
