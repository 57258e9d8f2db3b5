// The FIPA Contract Net interaction protocol (lib/patterns/contract-net.ts), happy path and the
// cases the lecture leaves out of the picture: no proposals, late proposals, failure after acceptance.
import { describe, expect, it } from "vitest";
import {
  CONTRACT_NET_PERFORMATIVES,
  Simulation,
  contractNetInitiator,
  contractNetParticipant,
  latency,
  stateGraph,
  toStateDiagram,
  type ContractNetParticipantOptions,
} from "../../lib";

/** A manager (initiator) and participants with the given options, on a 2–8 ms network. */
function market(seed: number, participants: Record<string, ContractNetParticipantOptions>, network = {}) {
  const sim = new Simulation({ seed, network: { latency: latency.uniform(2, 8), ...network } });
  for (const [id, options] of Object.entries(participants)) sim.spawn(id, (node) => contractNetParticipant(node, options), { role: "participant" });
  const manager = sim.spawn("manager", () => {}, { role: "initiator" });
  return { sim, manager, ids: Object.keys(participants) };
}

const performatives = (sim: Simulation) => sim.trace.filter({ kinds: ["send"] }).map((e) => `${e.src}→${e.dest} ${e.type}`);

describe("Contract Net, the whole conversation", () => {
  it("cfp to all, proposals by the deadline, the lowest bid wins, the others are rejected, the winner informs done", async () => {
    const { sim, manager, ids } = market(1, { c1: { bid: () => 30 }, c2: { bid: () => 10, workMs: 20, perform: (t: any) => t.n * 2 }, c3: { bid: () => undefined } });
    const outcome = await sim.runUntilSettled(contractNetInitiator(manager, { participants: ids, task: { n: 21 }, deadlineMs: 50 }));
    expect(outcome).toMatchObject({ status: "done", contractor: "c2", bid: 10, result: 42, refused: ["c3"], late: [], silent: [] });
    expect(outcome.proposals.map((p) => p.participant).sort()).toEqual(["c1", "c2"]);
    const sent = performatives(sim);
    expect(sent.filter((s) => s.endsWith(" cfp"))).toHaveLength(3);
    expect(sent).toContain("c3→manager refuse");
    expect(sent).toContain("manager→c2 accept-proposal");
    expect(sent).toContain("manager→c1 reject-proposal");
    expect(sent).toContain("c2→manager inform-done");
    expect(sim.node("c1").state).toBe("rejected");
    expect(sim.node("c2").state).toBe("done");
    expect(sim.node("c3").state).toBe("refused");
    // every message type used is a FIPA performative
    expect(sent.every((s) => (CONTRACT_NET_PERFORMATIVES as readonly string[]).includes(s.split(" ")[1]))).toBe(true);
    // the award goes out the moment the last of the three answers is in, before the deadline
    const accept = sim.trace.filter({ kinds: ["send"], types: ["accept-proposal"] })[0];
    const lastAnswer = Math.max(...sim.trace.filter({ kinds: ["deliver"], types: ["propose", "refuse"] }).map((e) => e.timeMs));
    expect(accept.timeMs).toBe(lastAnswer);
    expect(accept.timeMs).toBeLessThan(50);
  });

  it("each role's state machine can be drawn from the trace", async () => {
    const { sim, manager, ids } = market(2, { c1: { bid: () => 5 }, c2: { bid: () => 7 } });
    await sim.runUntilSettled(contractNetInitiator(manager, { participants: ids, task: "t", deadlineMs: 30 }));
    const initiator = stateGraph(sim.trace, { role: "initiator" });
    expect(initiator.transitions.map((t) => `${t.from}→${t.to}`)).toEqual(
      expect.arrayContaining(["calling for proposals→evaluating", "evaluating→awaiting result", "awaiting result→done"]),
    );
    const diagram = toStateDiagram(sim.trace, { role: "participant" });
    expect(diagram).toContain("proposed");
    expect(diagram).toContain("working");
    expect(diagram).toContain("rejected");
  });
  it("with a participant still silent, the initiator waits for the deadline; ties go to the one listed first", async () => {
    const { sim, manager } = market(11, { c1: { bid: () => 7 }, c2: { bid: () => 7 }, mute: {} });
    sim.crash("mute");
    const outcome = await sim.runUntilSettled(contractNetInitiator(manager, { participants: ["c2", "c1", "mute"], task: "t", deadlineMs: 60 }));
    expect(outcome).toMatchObject({ status: "done", contractor: "c2", silent: ["mute"] });
    expect(sim.trace.filter({ kinds: ["send"], types: ["accept-proposal"] })[0].timeMs).toBe(60);
  });

  it("with decideWhenAllAnswered: false the award always waits for the deadline", async () => {
    const { sim, manager, ids } = market(12, { c1: { bid: () => 3 }, c2: { bid: () => 4 } });
    await sim.runUntilSettled(contractNetInitiator(manager, { participants: ids, task: "t", deadlineMs: 60, decideWhenAllAnswered: false }));
    expect(sim.trace.filter({ kinds: ["send"], types: ["accept-proposal"] })[0].timeMs).toBe(60);
  });
});

describe("Contract Net, the failure cases", () => {
  it("no proposals: everyone refuses, the initiator ends in 'no contract' and awards nothing", async () => {
    const { sim, manager, ids } = market(3, { c1: { bid: () => undefined }, c2: { bid: () => undefined } });
    const outcome = await sim.runUntilSettled(contractNetInitiator(manager, { participants: ids, task: "t", deadlineMs: 40 }));
    expect(outcome).toMatchObject({ status: "no-proposals", proposals: [], refused: expect.arrayContaining(["c1", "c2"]) });
    expect(sim.node("manager").state).toBe("no contract");
    expect(sim.trace.filter({ kinds: ["send"], types: ["accept-proposal", "reject-proposal"] })).toHaveLength(0);
  });

  it("no proposals: silence (a crashed participant) counts as no answer by the deadline", async () => {
    const { sim, manager, ids } = market(4, { c1: {}, c2: {} });
    sim.crash("c1");
    sim.crash("c2");
    const outcome = await sim.runUntilSettled(contractNetInitiator(manager, { participants: ids, task: "t", deadlineMs: 40 }));
    expect(outcome).toMatchObject({ status: "no-proposals", silent: ["c1", "c2"] });
    expect(sim.now()).toBe(40); // the deadline, not later: the initiator never waits for the silent
  });

  it("a late proposal is rejected at once with reason 'late', and the timely one wins", async () => {
    const { sim, manager, ids } = market(5, { slow: { bid: () => 1, thinkMs: 80 }, quick: { bid: () => 9 } });
    const outcome = await sim.runUntilSettled(contractNetInitiator(manager, { participants: ids, task: "t", deadlineMs: 40 }));
    expect(outcome).toMatchObject({ status: "done", contractor: "quick" });
    await sim.runFor(200); // the late proposal arrives after the award
    const rejections = sim.trace.filter({ kinds: ["send"], types: ["reject-proposal"] });
    expect(rejections.map((e) => [e.dest, JSON.parse(e.json).reason])).toEqual([["slow", "late"]]);
    expect(sim.node("slow").state).toBe("rejected");
    expect(sim.trace.filter({ kinds: ["state"] }).some((e) => e.node === "slow" && e.cause === "reject-proposal (late)")).toBe(true);
  });

  it("a late proposal after a conversation with no timely proposals is still rejected", async () => {
    const { sim, manager, ids } = market(6, { slow: { bid: () => 1, thinkMs: 80 } });
    const outcome = await sim.runUntilSettled(contractNetInitiator(manager, { participants: ids, task: "t", deadlineMs: 40 }));
    expect(outcome.status).toBe("no-proposals");
    await sim.runFor(200);
    expect(sim.node("slow").state).toBe("rejected");
  });

  it("the contractor fails after acceptance: failure with its reason, the initiator ends in 'failed'", async () => {
    const { sim, manager, ids } = market(7, { c1: { bid: () => 3, perform: () => { throw new Error("disk full"); } }, c2: { bid: () => 8 } });
    const outcome = await sim.runUntilSettled(contractNetInitiator(manager, { participants: ids, task: "t", deadlineMs: 40 }));
    expect(outcome).toMatchObject({ status: "failed", contractor: "c1", reason: "disk full" });
    expect(sim.node("manager").state).toBe("failed");
    expect(sim.node("c1").state).toBe("failed");
  });

  it("the contractor crashes after acceptance: no result within resultTimeoutMs", async () => {
    const { sim, manager, ids } = market(8, { c1: { bid: () => 3, workMs: 100 }, c2: { bid: () => 8 } });
    sim.at(60, () => sim.crash("c1"), "crash the winner");
    const outcome = await sim.runUntilSettled(contractNetInitiator(manager, { participants: ids, task: "t", deadlineMs: 40, resultTimeoutMs: 200 }));
    expect(outcome).toMatchObject({ status: "no-result", contractor: "c1" });
    const accept = sim.trace.filter({ kinds: ["send"], types: ["accept-proposal"] })[0];
    expect(sim.now()).toBe(accept.timeMs + 200);
    expect(sim.trace.filter({ kinds: ["state"] }).some((e) => e.node === "manager" && e.cause === "result timeout")).toBe(true);
  });

  it("duplicated messages: one proposal per participant, one award, one result", async () => {
    const { sim, manager, ids } = market(9, { c1: { bid: () => 4 }, c2: { bid: () => 6 }, c3: { bid: () => 5 } }, { duplicationProbability: 0.5, ordering: "unordered" });
    const outcome = await sim.runUntilSettled(contractNetInitiator(manager, { participants: ids, task: "t", deadlineMs: 40 }));
    expect(outcome).toMatchObject({ status: "done", contractor: "c1" });
    expect(outcome.proposals).toHaveLength(3);
    await sim.runFor(200);
    expect(sim.trace.filter({ kinds: ["send"], types: ["accept-proposal"] })).toHaveLength(1);
    expect(sim.trace.filter({ kinds: ["send"], types: ["inform-done"] })).toHaveLength(1);
    expect(sim.counters.duplicated).toBeGreaterThan(0);
  });

  it("bad options are refused with the node's name", () => {
    const { manager } = market(10, {});
    expect(() => contractNetInitiator(manager, { participants: [], task: "t", deadlineMs: 40 })).toThrow(/participants is empty.*node "manager"/);
    expect(() => contractNetInitiator(manager, { participants: ["x"], task: "t", deadlineMs: 0 })).toThrow(/deadlineMs must be/);
  });
});
