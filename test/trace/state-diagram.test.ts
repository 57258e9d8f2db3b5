// toStateDiagram: the observed state machine of a role, each transition once with causes and
// counts; an optional crashed pseudo-state; escaping of state names and causes.
import { describe, expect, it } from "vitest";
import { CRASHED_STATE, stateGraph, stateRoles, toStateDiagram, type TraceEvent } from "../../lib/trace";
import { fixtureTrace } from "./fixtures";

const lines = (...xs: string[]): string => xs.join("\n");
const state = (timeMs: number, node: string, to: string, from?: string, cause?: string, role = "raft"): TraceEvent => {
  const e: TraceEvent = { kind: "state", timeMs, node, role, to };
  if (from !== undefined) e.from = from;
  if (cause !== undefined) e.cause = cause;
  return e;
};

/** Three nodes, four elections: n1 wins twice and loses once, n2 wins once. */
const RAFT: TraceEvent[] = [
  state(0, "n1", "follower"),
  state(0, "n2", "follower"),
  state(0, "n3", "follower"),
  state(0, "c1", "idle", undefined, undefined, "client"),
  state(150, "n1", "candidate", "follower", "election timeout"),
  state(155, "n1", "leader", "candidate", "won election"),
  state(300, "n1", "follower", "leader", "higher term"),
  state(310, "n2", "candidate", "follower", "election timeout"),
  state(320, "n2", "leader", "candidate", "won election"),
  state(500, "n2", "follower", "leader", "higher term"),
  state(510, "n1", "candidate", "follower", "election timeout"),
  state(512, "n1", "follower", "candidate", "higher term"),
  state(600, "n1", "candidate", "follower", "election timeout"),
  state(605, "n1", "leader", "candidate", "won election"),
  state(700, "n1", "leader", "leader"),
];

describe("toStateDiagram", () => {
  it("draws each observed transition once, with causes and counts", () => {
    expect(toStateDiagram(RAFT, { role: "raft" })).toBe(
      lines(
        "stateDiagram-v2",
        "  [*] --> follower: ×3",
        "  follower --> candidate: election timeout (×4)",
        "  candidate --> leader: won election (×3)",
        "  leader --> follower: higher term (×2)",
        "  candidate --> follower: higher term",
        "  leader --> leader",
      ),
    );
  });

  it("joins different causes of one transition", () => {
    const events = [state(0, "a", "x"), state(1, "a", "y", "x", "tick"), state(2, "a", "x", "y"), state(3, "a", "y", "x", "poke"), state(4, "a", "y", "y"), state(5, "a", "y", "y")];
    expect(toStateDiagram(events)).toBe(lines("stateDiagram-v2", "  [*] --> x", "  x --> y: tick / poke", "  y --> x", "  y --> y: ×2"));
  });

  it("lists at most four causes of a transition and cuts long ones, so the text stays small", () => {
    const events = [state(0, "a", "x")];
    for (let term = 1; term <= 3000; term++) events.push(state(2 * term - 1, "a", "y", "x", `election timeout in term ${term}`), state(2 * term, "a", "x", "y", "higher term"));
    events.push(state(6001, "a", "x", "x", "z".repeat(100)));
    expect(toStateDiagram(events)).toBe(
      lines(
        "stateDiagram-v2",
        "  [*] --> x",
        "  x --> y: election timeout in term 1 / election timeout in term 2 / election timeout in term 3 / 2997 other causes (×2997)",
        "  y --> x: higher term (×3000)",
        `  x --> x: ${"z".repeat(59)}…`,
      ),
    );
    expect(stateGraph(events).transitions[1].causes).toHaveLength(3000);
  });

  it("adds a crashed pseudo-state entered on crash and left on restart", () => {
    expect(toStateDiagram(fixtureTrace(), { role: "raft", showCrashes: true })).toBe(
      lines(
        "stateDiagram-v2",
        "  classDef crashedState fill:#fdd,stroke:#c33",
        '  state "crashed" as s0',
        "  class s0 crashedState",
        "  [*] --> follower: ×2",
        "  follower --> candidate: election timeout",
        "  candidate --> s0: crash",
        "  s0 --> follower: restart",
      ),
    );
    expect(toStateDiagram(fixtureTrace(), { role: "raft" })).toBe(
      lines("stateDiagram-v2", "  [*] --> follower: ×3", "  follower --> candidate: election timeout"),
    );
  });

  it("keeps a real state named 'crashed' apart from the pseudo-state", () => {
    const events: TraceEvent[] = [state(0, "a", "crashed"), { kind: "crash", timeMs: 1, node: "a" }, { kind: "restart", timeMs: 2, node: "a", incarnation: 2 }, state(2, "a", "crashed")];
    const g = stateGraph(events, { showCrashes: true });
    expect(g.transitions.map((t) => [t.from, t.to])).toEqual([[undefined, "crashed"], ["crashed", CRASHED_STATE], [CRASHED_STATE, "crashed"]]);
    expect(toStateDiagram(events, { showCrashes: true })).toBe(
      lines(
        "stateDiagram-v2",
        "  classDef crashedState fill:#fdd,stroke:#c33",
        '  state "crashed" as s0',
        "  class s0 crashedState",
        "  [*] --> crashed",
        "  crashed --> s0: crash",
        "  s0 --> crashed: restart",
      ),
    );
  });

  it("filters by node", () => {
    expect(toStateDiagram(RAFT, { role: "raft", nodes: ["n2"] })).toBe(
      lines("stateDiagram-v2", "  [*] --> follower", "  follower --> candidate: election timeout", "  candidate --> leader: won election", "  leader --> follower: higher term"),
    );
  });

  it("labels states that are not plain identifiers and escapes causes (Markdown marks too)", () => {
    const events = [state(0, "a", "end"), state(1, "a", "wait: 2 acks; #1", "end", 'got "ack" <b>'), state(2, "a", "_x_ 中文", "wait: 2 acks; #1", "$$x$$")];
    expect(toStateDiagram(events)).toBe(
      lines(
        "stateDiagram-v2",
        '  state "end" as s0',
        '  state "wait#58; 2 acks#59; #35;1" as s1',
        '  state "#95;x#95; 中文" as s2',
        "  [*] --> s0",
        "  s0 --> s1: got #34;ack#34; #60;b#62;",
        "  s1 --> s2: #36;#36;x#36;#36;",
      ),
    );
  });

  it("picks the only role, or asks which one", () => {
    expect(stateRoles(RAFT)).toEqual(["raft", "client"]);
    expect(() => toStateDiagram(RAFT)).toThrow(/several roles have states \(raft, client\); pass \{ role \}/);
    expect(() => toStateDiagram([])).toThrow(/no state events/);
    expect(toStateDiagram(RAFT, { role: "client" })).toBe(lines("stateDiagram-v2", "  [*] --> idle"));
  });
});

describe("stateGraph", () => {
  it("returns states in order of appearance and transitions with counts", () => {
    const g = stateGraph(RAFT, { role: "raft" });
    expect(g.states).toEqual(["follower", "candidate", "leader"]);
    expect(g.transitions.find((t) => t.from === "follower" && t.to === "candidate")).toEqual({
      from: "follower",
      to: "candidate",
      causes: [{ cause: "election timeout", count: 4 }],
      count: 4,
    });
  });
});
