// The safety checkers on states made up by hand (each property of Figure 3 broken once), and the
// errors bad input gets: they name the node and what was wrong.
import { describe, expect, it } from "vitest";
import { InteractionEnv } from "../../lib/machine/index";
import { RaftMonitor, electionSafetyViolations, logMatchingViolation, raftMachine, type RaftEntry, type RaftView } from "../../lib/raft/index";
import { Simulation } from "../../lib/simulation/index";
import { raftCluster } from "../../lib/raft/index";

const e = (index: number, term: number, command: unknown): RaftEntry => ({ index, term, command });
function view(id: string, fields: Partial<RaftView>): RaftView {
  return { id, role: "follower", currentTerm: 1, log: [], snapshotIndex: 0, snapshotTerm: 0, commitIndex: 0, lastApplied: 0, bootId: 1, ...fields };
}

describe("raft safety checkers (Figure 3)", () => {
  it("election safety: two leaders of one term, at once or one after the other", () => {
    expect(electionSafetyViolations({ a: view("a", { role: "leader", currentTerm: 2 }), b: view("b", { role: "leader", currentTerm: 2 }) })).toEqual([
      "election safety: term 2 has leaders a, b",
    ]);
    const m = new RaftMonitor();
    expect(m.observe({ a: view("a", { role: "leader", currentTerm: 2 }) })).toEqual([]);
    expect(m.observe({ b: view("b", { role: "leader", currentTerm: 2 }) })).toEqual(["election safety: term 2 has two leaders, a and b"]);
  });

  it("log matching: same index and term, different history", () => {
    const a = view("a", { log: [e(1, 1, "x"), e(2, 2, "y")] });
    const b = view("b", { log: [e(1, 1, "z"), e(2, 2, "y")] });
    expect(logMatchingViolation(a, b)).toMatch(/^log matching: a and b both have an entry of term 2 at index 2, but differ at index 1/);
    expect(logMatchingViolation(a, view("c", { log: [e(1, 1, "x"), e(2, 3, "w")] }))).toBeUndefined();
  });

  it("state machine safety, leader completeness, and a commit index that goes back", () => {
    const m = new RaftMonitor();
    expect(m.observe({ a: view("a", { log: [e(1, 1, "x")], commitIndex: 1, lastApplied: 1 }) })).toEqual([]);
    expect(m.observe({ b: view("b", { log: [e(1, 2, "y")], commitIndex: 1, lastApplied: 1, currentTerm: 2 }) })[0]).toMatch(
      /^state machine safety: applied 2:"y" at index 1 on b, but a had committed 1:"x" there/,
    );
    const m2 = new RaftMonitor();
    m2.observe({ a: view("a", { log: [e(1, 1, "x")], commitIndex: 1 }) });
    expect(m2.observe({ c: view("c", { role: "leader", currentTerm: 2 }) })).toEqual([
      'leader completeness: c, leader of term 2, lacks 1:"x" at index 1, committed by term 1 (has nothing)',
    ]);
    expect(m2.observe({ a: view("a", { log: [e(1, 1, "x")], commitIndex: 0 }) })).toEqual(["commit index went back at a: 1 → 0"]);
    expect(m2.observe({ a: view("a", { log: [e(1, 1, "x")], commitIndex: 0, bootId: 2 }) })).toEqual([]); // a restart
  });
});

describe("raft: bad input gets a clear error", () => {
  it("names the node and the bad configuration", () => {
    const env = new InteractionEnv(raftMachine);
    expect(() => env.init("n1", { peers: ["n1", "n2"] })).toThrow("raft n1: bad config: peers must not include the node itself (n1)");
    expect(() => env.init("n2", { peers: ["n1"], electionTicksMin: 10, electionTicksMax: 5 })).toThrow(
      "raft n2: bad config: electionTicksMax must be a whole number ≥ electionTicksMin (10), got 5",
    );
  });

  it("names the node, the sender and the message without a term", () => {
    const env = new InteractionEnv(raftMachine);
    env.init("n1", { peers: ["n2"] });
    expect(() => env.run('deliver n2->n1 request_vote {"candidateId":"n2"}')).toThrow('raft n1: request_vote from n2 has no valid term (a whole number ≥ 0): {"candidateId":"n2","type":"request_vote"}');
  });

  it("in a simulation, the error has the virtual time and the seed", async () => {
    const sim = new Simulation({ seed: 5 });
    raftCluster(sim, ["n1", "n2", "n3"], { tickMs: 10 });
    sim.spawn("bad").send("n1", { type: "append_entries", term: "two" });
    await expect(sim.runFor(100)).rejects.toThrow(/raft n1: append_entries from bad has no valid term.*\(node "n1", t=1ms, seed=5\)/);
  });
});
