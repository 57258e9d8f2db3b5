// lib/explore on toy machines written here: a pinger that sends two numbered pings (a planted
// "in order" bug), and counters that only tick (for hand counts and symmetry).
import { describe, expect, it } from "vitest";
import { explore, formatCounterexample, formatReplay, parseReplay, replayInSimulator, type ExploreSystem } from "../../lib/explore/index";
import type { Machine } from "../../lib/machine/index";
import { toSequenceDiagram, toStateDiagram } from "../../lib/trace/index";

type PingState = { role: "pinger"; sent: number } | { role: "ponger"; got: number[] };
type PingMsg = { type: "ping"; seq: number };
/** a ticks twice, sending ping 1 then ping 2 to b; b records the order it got them. */
const pinger: Machine<PingState, PingMsg, { got: number[] }, { role: "pinger" | "ponger" }> = {
  name: "ping",
  messageTypes: ["ping"],
  init: ({ config }) => (config.role === "pinger" ? { role: "pinger", sent: 0 } : { role: "ponger", got: [] }),
  restore: (_ctx, disk) => ({ role: "ponger", got: disk.got ?? [] }),
  step: (s, m) => (s.role === "ponger" ? { state: { role: "ponger", got: [...s.got, m.body.seq] }, persist: { got: [...s.got, m.body.seq] } } : { state: s }),
  tick: (s) => (s.role === "pinger" && s.sent < 2 ? { state: { role: "pinger", sent: s.sent + 1 }, messages: [{ dest: "b", body: { type: "ping", seq: s.sent + 1 } }] } : { state: s }),
  describe: (s) => (s.role === "pinger" ? `sent ${s.sent}` : `got ${s.got.length}`),
};
const pingSystem: ExploreSystem<PingState, PingMsg, { got: number[] }, { role: "pinger" | "ponger" }> = {
  machine: pinger,
  nodes: [
    { id: "a", config: { role: "pinger" } },
    { id: "b", config: { role: "ponger" } },
  ],
};
const inOrder = { name: "in order", check: (v: { states: Readonly<Record<string, PingState>> }) => {
  const b = v.states.b;
  return b === undefined || b.role !== "ponger" || b.got.every((x, i) => x === i + 1) || `b got ${b.got.join(",")}`;
} };
const gotBoth = { name: "b gets both", check: (v: { states: Readonly<Record<string, PingState>> }) => {
  const b = v.states.b;
  return b !== undefined && b.role === "ponger" && b.got.length === 2;
} };

type Count = { n: number };
const counter: Machine<Count, { type: "none" }, Record<string, never>, null> = {
  name: "counter",
  messageTypes: ["none"],
  init: () => ({ n: 0 }),
  step: (s) => ({ state: s }),
  tick: (s) => (s.n < 2 ? { state: { n: s.n + 1 } } : { state: s }),
};
const counters = (ids: string[]): ExploreSystem<Count, { type: "none" }, Record<string, never>, null> => ({ machine: counter, nodes: ids.map((id) => ({ id, config: null })) });

describe("explore: search", () => {
  it("BFS finds the shortest counterexample: tick, tick, deliver ping 2", () => {
    const r = explore(pingSystem, { invariants: [inOrder] });
    expect(r.verdict.kind).toBe("violated");
    if (r.verdict.kind !== "violated") return;
    expect(r.verdict.property).toBe("in order");
    expect(r.verdict.where).toBe("state");
    expect(r.verdict.problems).toEqual(["b got 2"]);
    expect(r.verdict.counterexample.choices).toHaveLength(3);
    expect(r.verdict.counterexample.choices.slice(0, 2)).toEqual([{ kind: "tick", node: "a" }, { kind: "tick", node: "a" }]);
    expect(formatCounterexample(r.verdict.counterexample)).toMatch(/^1\. tick a: sends a->b ping \{"seq":1\}; a sent 0 → sent 1\n2\. tick a/);
  });

  it("DFS finds one too, within its depth bound", () => {
    const r = explore(pingSystem, { strategy: "dfs", depthMax: 10, invariants: [inOrder] });
    expect(r.strategy).toBe("dfs");
    expect(r.verdict.kind).toBe("violated");
    if (r.verdict.kind === "violated") expect(r.verdict.counterexample.choices.length).toBeGreaterThanOrEqual(3);
  });

  it("dedup: the pinger has exactly 8 distinct states (hand count), and no bug in order-free checking", () => {
    const r = explore(pingSystem, { invariants: [{ name: "true", check: () => true }], eventually: [gotBoth] });
    // sent 0: 1; sent 1: ping 1 in flight or got [1]: 2; sent 2: {in flight, got} for each ping, both got in 2 orders: 5.
    expect(r.states).toBe(8);
    expect(r.verdict).toEqual({ kind: "exhausted" });
    expect(r.exhausted).toBe(true);
    expect(r.terminal).toBe(2); // got [1,2] and got [2,1]
    expect(r.summary).toMatch(/8 states.*No violation: every state within the bounds was explored/);
  });

  it("says 'bound reached' (not a pass) when statesMax stops it, and counts cuts at depthMax", () => {
    const r = explore(pingSystem, { statesMax: 5 });
    expect(r.verdict).toEqual({ kind: "bound-reached", limit: "states" });
    expect(r.exhausted).toBe(false);
    expect(r.summary).toMatch(/Bound reached \(statesMax 5\).*nothing proved/);
    const d = explore(pingSystem, { depthMax: 2 });
    expect(d.verdict.kind).toBe("exhausted");
    expect(d.cutByDepth).toBeGreaterThan(0);
    expect(d.summary).toMatch(/cut at depth 2/);
    const t = explore(pingSystem, { transitionsMax: 3 });
    expect(t.verdict).toEqual({ kind: "bound-reached", limit: "transitions" });
  });

  it("eventually: holds without faults; with one drop b never gets both, in a terminal state, with exactly one drop", () => {
    expect(explore(pingSystem, { eventually: [gotBoth] }).verdict.kind).toBe("exhausted");
    const r = explore(pingSystem, { eventually: [gotBoth], dropsMax: 1 });
    expect(r.verdict.kind).toBe("violated");
    if (r.verdict.kind !== "violated") return;
    expect(r.verdict.where).toBe("terminal");
    expect(r.verdict.counterexample.choices.filter((c) => c.kind === "drop")).toHaveLength(1);
    expect(r.verdict.counterexample.final.spent.drops).toBe(1);
  });

  it("respects fault bounds: never more crashes, restarts, duplicates or drops than allowed", () => {
    let seen = { drops: 0, crashes: 0, restarts: 0, duplicates: 0 };
    const spy = { name: "spy", check: (v: { spent: { drops: number; crashes: number; restarts: number; duplicates: number } }) => {
      seen = { drops: Math.max(seen.drops, v.spent.drops), crashes: Math.max(seen.crashes, v.spent.crashes), restarts: Math.max(seen.restarts, v.spent.restarts), duplicates: Math.max(seen.duplicates, v.spent.duplicates) };
      return true;
    } };
    const r = explore(pingSystem, { invariants: [spy], dropsMax: 1, crashesMax: 2, restartsMax: 1, duplicatesMax: 1, crashable: ["b"] });
    expect(r.verdict.kind).toBe("exhausted");
    expect(seen).toEqual({ drops: 1, crashes: 2, restarts: 1, duplicates: 1 });
  });

  it("symmetry: two interchangeable counters 9 → 6 states, three 27 → 10", () => {
    expect(explore(counters(["a", "b"])).states).toBe(9);
    expect(explore(counters(["a", "b"]), { symmetry: [["a", "b"]] }).states).toBe(6);
    expect(explore(counters(["a", "b", "c"])).states).toBe(27);
    expect(explore(counters(["a", "b", "c"]), { symmetry: [["a", "b", "c"]] }).states).toBe(10);
  });

  it("progress: called with the caller's clock", () => {
    let now = 0;
    const seen: number[] = [];
    explore(counters(["a", "b", "c"]), { progressEvery: 10, clock: () => (now += 5), onProgress: (p) => seen.push(p.states) });
    expect(seen).toEqual([10, 20, 27]);
  });
});

describe("explore: counterexamples", () => {
  it("the replay string round-trips and replays to the violating state, drawn as an ordinary run", () => {
    const r = explore(pingSystem, { invariants: [inOrder], dropsMax: 1 });
    if (r.verdict.kind !== "violated") throw new Error("expected a violation");
    const cx = r.verdict.counterexample;
    expect(cx.replay).toMatch(/^t0\.t0\.d\d$/);
    expect(parseReplay(pingSystem, cx.replay)).toEqual(cx.choices);
    expect(formatReplay(pingSystem, parseReplay(pingSystem, "t0.x1.r1.l0.u2.d3"))).toBe("t0.x1.r1.l0.u2.d3");
    const run = replayInSimulator(pingSystem, cx.replay);
    expect(run.final.states).toEqual(cx.final.states);
    expect(inOrder.check(run.final)).toBe("b got 2");
    const seq = toSequenceDiagram(run.trace);
    expect(seq).toContain("a->>b: ping");
    expect(toStateDiagram(run.trace)).toContain("sent 1");
  });

  it("names what is wrong in bad input", () => {
    expect(() => parseReplay(pingSystem, "t0.t5")).toThrow(/step 2 "t5": unknown node 5 \(the system has 2 nodes, 0–1: a, b\)/);
    expect(() => parseReplay(pingSystem, "t0.q1")).toThrow(/step 2 "q1": expected a letter/);
    expect(() => replayInSimulator(pingSystem, "d0")).toThrow(/step 1 \(deliver message 0\): only 0 message\(s\) in flight/);
    expect(() => explore(pingSystem, { depthMax: -1 })).toThrow(/depthMax must be a whole number ≥ 0/);
    expect(() => explore(pingSystem, { dropsMax: -2 })).toThrow(/dropsMax must be a whole number ≥ 0/);
    expect(() => explore(pingSystem, { crashable: ["z"] })).toThrow(/crashable names unknown node "z"/);
    expect(() => explore(pingSystem, { symmetry: [["a", "q"]] })).toThrow(/symmetry names unknown node "q"/);
    expect(() => explore({ ...pingSystem, nodes: [] })).toThrow(/nodes must be a non-empty array/);
  });
});
