// The models of notebook 15 under the explorer: each planted bug is found with a shortest
// counterexample of the expected length, that counterexample replays as an ordinary run to the same
// violation, each correct variant is clean within its bounds, and random simulator runs of the same
// machines are compared on the same properties.
import { describe, expect, it } from "vitest";
import {
  explore,
  formatCounterexample,
  mutexSearch,
  primaryBackupSearch,
  raftElectionSearch,
  replayInSimulator,
  seedsToViolation,
  twoPhaseCommitSearch,
  type ExploreReport,
  type ModelSearch,
} from "../../lib/explore/index";
import type { MachineBody } from "../../lib/machine/index";
import { toSequenceDiagram } from "../../lib/trace/index";

/** Search, expect a violation of `property` with a counterexample of `length` steps, and replay it. */
function expectBug<S, M extends MachineBody, P extends object, C>(search: ModelSearch<S, M, P, C>, property: string, where: "state" | "terminal", length: number): ExploreReport<S, M> {
  const report = explore(search.system, search.options);
  const v = report.verdict;
  if (v.kind !== "violated") throw new Error(`${search.title}: expected a violation of ${property}, got ${report.summary}`);
  expect(v.property).toBe(property);
  expect(v.where).toBe(where);
  expect(v.counterexample.choices.length, formatCounterexample(v.counterexample)).toBe(length);
  // The replay is an ordinary run that ends in the violating state.
  const run = replayInSimulator(search.system, v.counterexample.replay, search.options);
  const props = where === "state" ? search.options.invariants! : search.options.eventually!;
  const prop = props.find((p) => p.name === property)!;
  const again = prop.check(run.final);
  expect(Array.isArray(again) ? again : [again]).toEqual(v.problems);
  expect(toSequenceDiagram(run.trace)).toContain("sequenceDiagram");
  return report;
}

/** A DFS finds the same bug (not necessarily by a shortest path). */
function expectDfsFinds<S, M extends MachineBody, P extends object, C>(search: ModelSearch<S, M, P, C>): void {
  const report = explore(search.system, { ...search.options, strategy: "dfs", depthMax: 30 });
  expect(report.verdict.kind).toBe("violated");
}

function expectClean<S, M extends MachineBody, P extends object, C>(search: ModelSearch<S, M, P, C>, extra: Partial<ModelSearch<S, M, P, C>["options"]> = {}): ExploreReport<S, M> {
  const report = explore(search.system, { ...search.options, ...extra });
  expect(report.verdict.kind, report.summary).toBe("exhausted");
  return report;
}

describe("two-phase commit with a coordinator crash", () => {
  it("blocks: the coordinator crashes after both votes, and in the final state both yes voters are uncertain (6 steps)", () => {
    const report = expectBug(twoPhaseCommitSearch(), "every yes voter learns the outcome", "terminal", 6);
    const v = report.verdict;
    if (v.kind !== "violated") throw new Error("unreachable");
    expect(v.problems).toEqual(["p1 voted yes on t1 and is still uncertain (coordinator c is down)", "p2 voted yes on t1 and is still uncertain (coordinator c is down)"]);
    expect(v.counterexample.choices.filter((c) => c.kind === "crash")).toEqual([{ kind: "crash", node: "c" }]);
    expectDfsFinds(twoPhaseCommitSearch());
  });

  it("never disagrees (AC1) even when the coordinator crashes and restarts, within 2 ticks", () => {
    const s = twoPhaseCommitSearch({ restart: true });
    expectClean(s, { eventually: [] });
  });
});

describe("central lock server", () => {
  it("forgets-pending-grant: two holders after 11 steps — c1 holds, c2 queues, c1 releases, c3 asks before c2 holds", () => {
    const report = expectBug(mutexSearch({ variant: "forgets-pending-grant" }), "mutual exclusion", "state", 11);
    const v = report.verdict;
    if (v.kind !== "violated") throw new Error("unreachable");
    expect(v.problems[0]).toMatch(/^mutual exclusion: c\d, c\d hold the lock at once$/);
    expectDfsFinds(mutexSearch({ variant: "forgets-pending-grant" }));
  });

  it("the correct server is clean: every state explored, and symmetry explores fewer", () => {
    const plain = expectClean(mutexSearch());
    const sym = expectClean(mutexSearch({ symmetry: true }));
    expect(sym.states).toBeLessThan(plain.states);
    expect(plain.states).toBe(180);
    expect(sym.states).toBe(40);
    // The bug with symmetry: the same shortest length.
    expectBug(mutexSearch({ variant: "forgets-pending-grant", symmetry: true }), "mutual exclusion", "state", 11);
  });
});

describe("Raft election, 3 servers", () => {
  it("vote-not-persisted: two leaders in term 1 after 8 steps (a voter crashes, restarts and votes again)", () => {
    const report = expectBug(raftElectionSearch({ variant: "vote-not-persisted", ticksMax: 2, symmetry: true }), "election safety", "state", 8);
    const v = report.verdict;
    if (v.kind !== "violated") throw new Error("unreachable");
    expect(v.problems[0]).toMatch(/^election safety: term 1 has leaders n\d, n\d$/);
    expect(v.counterexample.choices.map((c) => c.kind).sort()).toEqual(["crash", "deliver", "deliver", "deliver", "deliver", "restart", "tick", "tick"]);
  });

  it("the real raftMachine is clean within the same bounds to depth 8", () => {
    expectClean(raftElectionSearch({ ticksMax: 2, symmetry: true }), { depthMax: 8 });
  });
});

describe("primary–backup", () => {
  it("reply-before-forward: an acknowledged write is lost when the primary crashes (4 steps)", () => {
    const report = expectBug(primaryBackupSearch({ variant: "reply-before-forward" }), "acknowledged writes survive", "state", 4);
    const v = report.verdict;
    if (v.kind !== "violated") throw new Error("unreachable");
    expect(v.problems).toEqual(["lost write: c was told x1=v1 is written, but no live server has it"]);
    expect(v.counterexample.choices.at(-1)).toEqual({ kind: "crash", node: "p" });
    expectDfsFinds(primaryBackupSearch({ variant: "reply-before-forward" }));
  });

  it("the correct variant is clean: one crash, one lost message, two writes", () => {
    expectClean(primaryBackupSearch());
  });
});

describe("random simulator runs of the same machines", () => {
  it("find the primary–backup and two-phase-commit bugs within a few dozen seeds; the correct variants hold", async () => {
    const pb = await seedsToViolation(primaryBackupSearch({ variant: "reply-before-forward" }), { seedsMax: 100 });
    expect(pb.capped).toBe(false);
    expect(pb.found?.violation?.property).toBe("acknowledged writes survive");
    const tpc = await seedsToViolation(twoPhaseCommitSearch(), { seedsMax: 100 });
    expect(tpc.capped).toBe(false);
    expect(tpc.found?.violation?.where).toBe("end");
    const ok = await seedsToViolation(primaryBackupSearch(), { seedsMax: 30 });
    expect(ok).toEqual({ runs: 30, capped: true });
  });

  it("the lock's bug is out of reach when every message takes 1–10 ms (cap reached)", async () => {
    const r = await seedsToViolation(mutexSearch({ variant: "forgets-pending-grant" }), { seedsMax: 30 });
    expect(r.capped).toBe(true);
  });
});
