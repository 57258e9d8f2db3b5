// describeEvent is the one source of words for non-message events: the timeline, the sequence
// diagram's notes and the message-flow graph all say what it says.
import { describe, expect, it } from "vitest";
import { describeEvent, formatTimeline, messageLabel, timerLabel, toMessageFlowGraph, toSequenceDiagram, type TraceEvent } from "../../lib/trace";
import { EVENTS } from "./fixtures";

/** Every kind of non-message event, with both outcomes where there are two. */
const NOTES: TraceEvent[] = [
  ...EVENTS.filter((e) => !["send", "deliver", "drop", "duplicate"].includes(e.kind)),
  { kind: "timer", timeMs: 30, node: "n1", name: "timer", periodic: false },
  { kind: "timer", timeMs: 30, node: "n1", name: "periodic", periodic: true },
  { kind: "unhandled", timeMs: 31, id: 9, src: "n1", dest: "c1", type: "read_ok", msgId: 5, inReplyTo: 2, reason: "late-reply" },
  { kind: "rpc", timeMs: 32, node: "c1", dest: "n1", type: "read", msgId: 3, outcome: "ok", latencyMs: 31, attempts: 3 },
  { kind: "cut", timeMs: 33, from: "n1", to: "n2" },
  { kind: "isolate", timeMs: 33, node: "n2" },
];

describe("timerLabel", () => {
  it("names a timer once: the default names of setTimer and setPeriodic are not repeated", () => {
    expect(timerLabel("timer")).toBe("timer");
    expect(timerLabel("periodic", true)).toBe("periodic timer");
    expect(timerLabel("election")).toBe("timer election");
    expect(timerLabel("heartbeat", true)).toBe("periodic timer heartbeat");
  });

  it("an unnamed timer reads \"timer fired\" in every output, never \"timer timer\"", () => {
    const unnamed: TraceEvent[] = [
      { kind: "spawn", timeMs: 0, node: "a", role: "r" },
      { kind: "timer", timeMs: 1, node: "a", name: "timer", periodic: false },
      { kind: "send", timeMs: 1, id: 1, src: "a", dest: "a", type: "tick", bytes: 15, json: '{"type":"tick"}' },
    ];
    expect(describeEvent(unnamed[1])).toBe("timer fired");
    const outputs = [formatTimeline(unnamed), toSequenceDiagram(unnamed, { showTimers: true }), toMessageFlowGraph(unnamed, { causal: true })];
    for (const text of outputs) expect(text).not.toMatch(/timer timer/);
    expect(outputs[0]).toMatch(/^t= +1\.0ms {2}a +timer fired$/m);
    expect(outputs[1]).toContain("Note over a: timer fired");
    expect(outputs[2]).toContain('(["timer"])');
  });
});

describe("one wording everywhere", () => {
  it("the timeline says exactly describeEvent's words (after a [role] or log: tag)", () => {
    const lines = formatTimeline(NOTES).split("\n");
    expect(lines).toHaveLength(NOTES.length);
    NOTES.forEach((e, i) => {
      const tag = e.kind === "state" ? `[${e.role}] ` : e.kind === "log" ? "log: " : "";
      expect(lines[i].endsWith(`  ${tag}${describeEvent(e)}`), `${lines[i]}\n does not end with ${tag}${describeEvent(e)}`).toBe(true);
    });
  });

  it("every note of the sequence diagram is describeEvent's words", () => {
    const diagram = toSequenceDiagram(NOTES, { showTimers: true, showLogs: true });
    const notes = diagram.split("\n").filter((l) => l.includes("Note over"));
    const drawn = NOTES.filter((e) => e.kind !== "spawn" && !(e.kind === "rpc" && e.outcome === "ok"));
    expect(notes).toHaveLength(drawn.length);
    const unescape = (s: string) => s.replace(/#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)));
    drawn.forEach((e, i) => expect(unescape(notes[i].replace(/^ {2}Note over [^:]+: /, ""))).toBe(describeEvent(e)));
  });

  it("words of each kind", () => {
    const say = (e: TraceEvent) => describeEvent(e);
    expect(NOTES.map(say)).toEqual([
      "spawned (raft)",
      "spawned (raft)",
      "spawned (client)",
      "state follower",
      "state follower",
      "partition n1 c1 | n2",
      "rpc write #1 to n1 ok in 9ms",
      "periodic timer heartbeat fired",
      "timer election fired",
      "follower → candidate (election timeout)",
      "healed",
      "rpc read #2 to n1 timed out after 1 attempt",
      "crashed",
      "restarted (incarnation 2)",
      "state follower",
      "hello; world",
      "error in read: boom",
      "no handler for bogus #3 from c1",
      "timer fired",
      "periodic timer fired",
      "late reply read_ok #5 ↩2 from n1",
      "rpc read #3 to n1 ok in 31ms after 3 attempts",
      "cut n1 → n2",
      "isolated",
    ]);
  });

  it("message events are arrows, not notes: describeEvent leaves them to messageLabel", () => {
    const arrows = EVENTS.filter((x) => ["send", "deliver", "drop", "duplicate"].includes(x.kind));
    expect(arrows).toHaveLength(18);
    for (const e of arrows) expect(describeEvent(e)).toBeUndefined();
    expect(messageLabel({ id: 7, src: "a", dest: "b", type: "echo_ok", msgId: 4, inReplyTo: 3 })).toBe("echo_ok #4 ↩3");
  });
});
