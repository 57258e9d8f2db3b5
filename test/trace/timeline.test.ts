// formatTimeline: one aligned line per event; colour only when asked (never from the environment).
// Non-message events are in describeEvent's words (test/trace/describe.test.ts checks every kind).
import { describe, expect, it } from "vitest";
import { formatTimeline, type TraceEvent } from "../../lib/trace";
import { fixtureTrace } from "./fixtures";

const ESC = "\u001b[";

describe("formatTimeline", () => {
  it("prints one aligned line per event", () => {
    const text = formatTimeline(fixtureTrace(), { fromMs: 6, toMs: 12 });
    expect(text).toBe(
      [
        "t=    6.0ms  n1 → n2  append #1 delivered (+3ms)",
        "t=    6.0ms  n2 → n1  append_ok #1 ↩1 sent (20 B)",
        "t=    6.0ms  n2 → n1  append_ok #1 ↩1 duplicated",
        "t=    7.0ms  n2 → n1  append_ok #1 ↩1 delivered (+1ms)",
        "t=    8.0ms  n2 → n1  append_ok #1 ↩1 delivered again (duplicate) (+2ms)",
        "t=    8.0ms  n1 → c1  write_ok #2 ↩1 sent (25 B)",
        "t=   10.0ms           partition n1 c1 | n2",
        "t=   10.0ms  n1 → c1  write_ok #2 ↩1 delivered (+2ms)",
        "t=   10.0ms  c1       rpc write #1 to n1 ok in 9ms",
        "t=   11.0ms  c1 → n1  read #2 sent (20 B)",
        "t=   12.0ms  n1       periodic timer heartbeat fired",
        "t=   12.0ms  n1 → n2  append #3 sent (50 B)",
      ].join("\n"),
    );
  });

  it("describes every kind of event", () => {
    const text = formatTimeline(fixtureTrace(), { fromMs: 15 });
    expect(text.split("\n")).toEqual([
      "t=   15.0ms  c1 → n1  read #2 delivered (+4ms)",
      "t=   15.0ms  n1 → c1  read_ok #4 ↩2 sent (30 B)",
      "t=   16.0ms  n1 → n2  append #3 dropped (partition)",
      "t=   17.0ms  n2       timer election fired",
      "t=   17.0ms  n2       [raft] follower → candidate (election timeout)",
      "t=   18.0ms  n1 → c1  read_ok #4 ↩2 dropped (loss)",
      "t=   20.0ms           healed",
      "t=   21.0ms  c1       rpc read #2 to n1 timed out after 1 attempt",
      "t=   22.0ms  n2       crashed",
      "t=   25.0ms  n2       restarted (incarnation 2)",
      "t=   25.0ms  n2       [raft] state follower",
      "t=   26.0ms  n1       log: hello; world",
      "t=   27.0ms  n1       error in read: boom",
      "t=   28.0ms  c1 → n2  bogus #3 sent (10 B)",
      "t=   29.0ms  c1 → n2  bogus #3 delivered (+1ms)",
      "t=   29.0ms  n2       no handler for bogus #3 from c1",
    ]);
  });

  it("says which copy of a duplicated message was dropped", () => {
    const ref = { id: 1, src: "a", dest: "b", type: "m", msgId: 1 };
    const events: TraceEvent[] = [
      { kind: "duplicate", timeMs: 0, ...ref },
      { kind: "deliver", timeMs: 2, ...ref, sentMs: 0, duplicate: false },
      { kind: "drop", timeMs: 3, ...ref, sentMs: 0, reason: "crashed", duplicate: true },
    ];
    expect(formatTimeline(events).split("\n")).toEqual([
      "t=    0.0ms  a → b  m #1 duplicated",
      "t=    2.0ms  a → b  m #1 delivered (+2ms)",
      "t=    3.0ms  a → b  m #1 duplicate dropped (crashed)",
    ]);
  });

  it("filters by node, kind and type, and cuts at maxLines with a count", () => {
    expect(formatTimeline(fixtureTrace(), { nodes: ["n2"], kinds: ["crash", "restart"] })).toBe(
      ["t=   22.0ms  n2  crashed", "t=   25.0ms  n2  restarted (incarnation 2)"].join("\n"),
    );
    expect(formatTimeline(fixtureTrace(), { kinds: ["drop"], types: ["read_ok"] })).toBe("t=   18.0ms  n1 → c1  read_ok #4 ↩2 dropped (loss)");
    const cut = formatTimeline(fixtureTrace(), { kinds: ["send"], maxLines: 2 }).split("\n");
    expect(cut).toEqual(["t=    1.0ms  c1 → n1  write #1 sent (30 B)", "t=    3.0ms  n1 → n2  append #1 sent (50 B)", "… 6 more events"]);
  });

  it("colours by kind only when color is true", () => {
    const plain = formatTimeline(fixtureTrace());
    expect(plain).not.toContain(ESC);
    const coloured = formatTimeline(fixtureTrace(), { color: true, kinds: ["deliver", "drop"], maxLines: 1 }).split("\n");
    expect(coloured[0]).toBe(`${ESC}32mt=    3.0ms  c1 → n1  write #1 delivered (+2ms)${ESC}39m`);
    expect(coloured[1]).toBe(`${ESC}2m… 8 more events${ESC}22m`);
    const drop = formatTimeline(fixtureTrace(), { color: true, kinds: ["drop"] }).split("\n")[0];
    expect(drop.startsWith(`${ESC}31m`)).toBe(true);
  });

  it("keeps one event on one line whatever names and texts contain", () => {
    const events: TraceEvent[] = [
      { kind: "log", timeMs: 1, node: "a\nb", text: "two\nlines\u001b[31m" },
      { kind: "deliver", timeMs: 1234.56, id: 1, src: "a\nb", dest: "中文", type: "x", sentMs: 1, duplicate: false },
    ];
    expect(formatTimeline(events).split("\n")).toEqual([
      "t=    1.0ms  a\\nb         log: two\\nlines\\u001b[31m",
      "t= 1234.6ms  a\\nb → 中文    x delivered (+1233.56ms)",
    ]);
  });
});
