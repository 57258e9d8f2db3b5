// summarize / formatStats on the hand-built fixture: every number below is counted by hand from
// test/trace/fixtures.ts.
import { describe, expect, it } from "vitest";
import { formatStats, percentiles, summarize } from "../../lib/trace";
import { EVENTS, fixtureTrace } from "./fixtures";

describe("percentiles (nearest rank)", () => {
  it("reports observed values: the ⌈p·n⌉-th smallest", () => {
    expect(percentiles([5, 1, 3, 2, 4])).toEqual({ count: 5, p50: 3, p90: 5, p99: 5, max: 5 });
    expect(percentiles([7])).toEqual({ count: 1, p50: 7, p90: 7, p99: 7, max: 7 });
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1
    expect(percentiles(hundred)).toEqual({ count: 100, p50: 50, p90: 90, p99: 99, max: 100 });
    expect(percentiles([])).toBeUndefined();
  });
});

describe("summarize", () => {
  it("counts messages, drops by reason, duplicates, bytes and per-type numbers", () => {
    const s = summarize(fixtureTrace(), { clientNodes: ["c1"] });
    expect(s.durationMs).toBe(29);
    expect(s.messages).toEqual({ sent: 8, delivered: 6, dropped: 2, droppedByReason: { loss: 1, partition: 1, crashed: 0 }, duplicated: 1 });
    expect(s.bytes).toBe(30 + 50 + 20 + 25 + 20 + 50 + 30 + 10);
    expect(s.byType).toEqual([
      { type: "write", sent: 1, delivered: 1, dropped: 0, bytes: 30 },
      { type: "append", sent: 2, delivered: 1, dropped: 1, bytes: 100 },
      { type: "append_ok", sent: 1, delivered: 1, dropped: 0, bytes: 20 },
      { type: "write_ok", sent: 1, delivered: 1, dropped: 0, bytes: 25 },
      { type: "read", sent: 1, delivered: 1, dropped: 0, bytes: 20 },
      { type: "read_ok", sent: 1, delivered: 0, dropped: 1, bytes: 30 },
      { type: "bogus", sent: 1, delivered: 1, dropped: 0, bytes: 10 },
    ]);
    expect(s.errors).toBe(1);
    expect(s.unhandled).toEqual({ noHandler: 1, lateReply: 0 });
    expect([s.crashes, s.restarts]).toEqual([1, 1]);
  });

  it("computes exact latency quantiles of delivered originals and of finished RPCs", () => {
    const s = summarize(EVENTS);
    // one-way latencies 2, 3, 1, 2, 4, 1 (the duplicate copy is not counted)
    expect(s.latencyMs).toEqual({ count: 6, p50: 2, p90: 4, p99: 4, max: 4 });
    expect(s.rpc).toEqual({ ok: 1, timeout: 1, latencyMs: { count: 1, p50: 9, p90: 9, p99: 9, max: 9 } });
  });

  it("counts operations as client requests when clientNodes are given, else as RPCs", () => {
    expect(summarize(EVENTS, { clientNodes: ["c1"] }).operations).toEqual({
      count: 3, // write, read, bogus (replies to c1 are not requests)
      source: "clients",
      messagesPerOperation: 8 / 3,
      serverMessagesPerOperation: 1, // append, append_ok, heartbeat append
    });
    expect(summarize(EVENTS).operations).toEqual({ count: 2, source: "rpcs", messagesPerOperation: 4, serverMessagesPerOperation: undefined });
    const noRpc = EVENTS.filter((e) => e.kind !== "rpc");
    expect(summarize(noRpc).operations).toEqual({ count: 0, source: "none", messagesPerOperation: undefined, serverMessagesPerOperation: undefined });
  });

  it("is all zeros for an empty trace", () => {
    const s = summarize([]);
    expect(s.messages.sent).toBe(0);
    expect(s.latencyMs).toBeUndefined();
    expect(s.durationMs).toBe(0);
  });
});

describe("formatStats", () => {
  it("prints an aligned table", () => {
    expect(formatStats(summarize(fixtureTrace(), { clientNodes: ["c1"] }))).toBe(
      [
        "duration    29ms",
        "messages    sent 8  delivered 6  dropped 2  duplicated 1",
        "dropped     loss 1  partition 1  crashed 0",
        "bytes       235",
        "latency     p50 2ms  p90 4ms  p99 4ms  max 4ms  (6 delivered)",
        "rpc         ok 1  timeout 1  latency p50 9ms  p90 9ms  p99 9ms  max 9ms",
        "operations  3 (client requests)  messages/op 2.67  server messages/op 1",
        "errors      1  unhandled 1  late replies 0",
        "faults      crashes 1  restarts 1",
        "",
        "type       sent  delivered  dropped  bytes",
        "write         1          1        0     30",
        "append        2          1        1    100",
        "append_ok     1          1        0     20",
        "write_ok      1          1        0     25",
        "read          1          1        0     20",
        "read_ok       1          0        1     30",
        "bogus         1          1        0     10",
      ].join("\n"),
    );
  });

  it("shows dashes for missing quantiles and ratios", () => {
    const text = formatStats(summarize([]));
    expect(text).toContain("latency     -  (0 delivered)");
    expect(text).toContain("operations  0 (none counted)  messages/op -");
    expect(text).not.toContain("type");
  });
});
