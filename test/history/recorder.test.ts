// The history recorder's rules (Jepsen's process model) and the well-formedness check every
// checker may rely on.
import { describe, expect, it } from "vitest";
import { HistoryRecorder, formatHistory, historyProblems } from "../../lib/history";
import type { History, Operation } from "../../lib/history";

describe("HistoryRecorder", () => {
  it("records invocations in order, with outputs on ok and errors on fail", () => {
    const rec = new HistoryRecorder();
    const a = rec.invoke("c1", "write", 3, 0);
    const b = rec.invoke("c2", "cas", [1, 2], 1); // another client may overlap
    rec.complete(b, "fail", "ignored", 4, { code: 22, text: "precondition-failed" });
    rec.complete(a, "ok", undefined, 5);
    const c = rec.invoke("c1", "read", null, 6);
    rec.complete(c, "ok", 3, 9);
    expect(rec.history().operations).toEqual([
      { id: 0, process: "c1", f: "write", input: 3, invokeMs: 0, completion: "ok", completeMs: 5, output: undefined },
      { id: 1, process: "c2", f: "cas", input: [1, 2], invokeMs: 1, completion: "fail", completeMs: 4, error: { code: 22, text: "precondition-failed" } },
      { id: 2, process: "c1", f: "read", input: null, invokeMs: 6, completion: "ok", completeMs: 9, output: 3 },
    ]);
    expect(rec.openCount()).toBe(0);
  });

  it("allows one open operation per client", () => {
    const rec = new HistoryRecorder();
    rec.invoke("c1", "read", null, 0);
    expect(() => rec.invoke("c1", "write", 1, 2)).toThrow(/client "c1" invoked write at t=2ms while its read \(invoked at t=0ms\) is still open/);
    expect(rec.openCount()).toBe(1);
  });

  it("rejects a completion before the invocation, a second completion, and an unknown operation", () => {
    const rec = new HistoryRecorder();
    const op = rec.invoke("c1", "read", null, 10);
    expect(() => rec.complete(op, "ok", 1, 9)).toThrow(/completes at t=9ms, before its invocation at t=10ms/);
    rec.complete(op, "ok", 1, 10); // zero latency is allowed
    expect(() => rec.complete(op, "ok", 1, 11)).toThrow(/operation #0 is not open/);
    expect(() => rec.complete({ id: 5 }, "ok", 1, 11)).toThrow(/operation #5 is not open/);
    const other = rec.invoke("c2", "read", null, 12);
    expect(() => rec.complete(other, "done" as never, 1, 13)).toThrow(/expected "ok", "fail" or "info"/);
  });

  it("turns operations still open into info: no completion time, no output", () => {
    const rec = new HistoryRecorder();
    rec.invoke("c1", "put", { key: "x", value: "a" }, 3);
    const ops = rec.history().operations;
    expect(ops).toEqual([{ id: 0, process: "c1", f: "put", input: { key: "x", value: "a" }, invokeMs: 3, completion: "info" }]);
    expect(historyProblems({ operations: ops })).toEqual([]);
  });

  it("finishes a process whose operation ended info: it must go on under a new name", () => {
    const rec = new HistoryRecorder();
    const op = rec.invoke("c1", "write", 1, 0);
    rec.complete(op, "info", undefined, 100, { text: "timeout: no reply within 100ms" });
    expect(() => rec.invoke("c1", "read", null, 100)).toThrow(/after its write \(invoked at t=0ms\) ended info.*new process name \(e\.g\. "c1#2"\)/);
    const next = rec.invoke("c1#2", "read", null, 100);
    rec.complete(next, "ok", 1, 105);
    const h = rec.history();
    expect(h.operations[0]).toEqual({ id: 0, process: "c1", f: "write", input: 1, invokeMs: 0, completion: "info", error: { text: "timeout: no reply within 100ms" } });
    expect(historyProblems(h)).toEqual([]);
  });

  it("hands out copies: changing a returned history changes nothing recorded", () => {
    const rec = new HistoryRecorder();
    const op = rec.invoke("c1", "cas", [1, 2], 0);
    rec.complete(op, "fail", undefined, 1, { code: 22, text: "no" });
    const h = rec.history();
    h.operations[0].completion = "ok";
    h.operations[0].error!.text = "changed";
    expect(rec.history().operations[0]).toMatchObject({ completion: "fail", error: { code: 22, text: "no" } });
  });
});

describe("historyProblems", () => {
  const op = (fields: Partial<Operation> & Pick<Operation, "id" | "process">): Operation => ({ f: "read", input: null, invokeMs: 0, completion: "ok", completeMs: 1, ...fields });

  it("finds every way a history can be malformed", () => {
    const bad: History = {
      operations: [
        op({ id: 0, process: "c1", invokeMs: 5, completeMs: 3 }),
        op({ id: 7, process: "c2", invokeMs: 6, completeMs: 9 }),
        op({ id: 2, process: "c3", invokeMs: 4, completeMs: 8 }),
        op({ id: 3, process: "c2", invokeMs: 7, completion: "info", completeMs: 8 }),
        op({ id: 4, process: "c2", invokeMs: 9, completion: "fail", completeMs: undefined, output: 1 }),
        op({ id: 5, process: "c4", invokeMs: 9, completion: "maybe" as never }),
      ],
    };
    expect(historyProblems(bad)).toEqual([
      "operation #0 (c1 read) completes at t=3ms, before its invocation at t=5ms",
      "operation #7 (c2 read) is at position 1: ids must be the positions 0, 1, 2, …",
      "operation #2 (c3 read) is invoked at t=4ms, before the operation listed above it (t=6ms)",
      "operation #3 (c2 read) is info but has a completion time (8ms)",
      "operation #3 (c2 read) is invoked at t=7ms while operation #7 of the same process is open until t=9ms",
      "operation #4 (c2 read) is fail but has no completion time",
      "operation #4 (c2 read) is fail but has an output",
      "operation #4 (c2 read) is invoked after operation #3 of the same process ended info (use a new process name)",
      'operation #5 (c4 read) has completion "maybe"; expected ok, fail or info',
    ]);
  });

  it("accepts the empty history", () => {
    expect(historyProblems({ operations: [] })).toEqual([]);
  });
});

describe("formatHistory", () => {
  it("prints one aligned line per operation, and how many were left out", () => {
    const rec = new HistoryRecorder();
    const a = rec.invoke("c1", "put", { key: "x", value: "c1:1 " }, 0);
    const b = rec.invoke("c2", "get", { key: "x" }, 0);
    rec.complete(a, "ok", undefined, 10);
    rec.complete(b, "ok", "c1:1 ", 10);
    const c = rec.invoke("c1", "get", { key: "x" }, 10);
    rec.complete(c, "info", undefined, 110, { text: "timeout: no reply within 100ms" });
    rec.invoke("c2", "cas", [1, 2], 12);
    expect(formatHistory(rec.history(), { limit: 3 })).toBe(
      [
        '#0  c1  put {"key":"x","value":"c1:1 "}  t=0ms → ok t=10ms',
        '#1  c2  get {"key":"x"}                  t=0ms → ok t=10ms  "c1:1 "',
        '#2  c1  get {"key":"x"}                  t=10ms → info (timeout: no reply within 100ms)',
        "… 1 more operation(s)",
      ].join("\n"),
    );
  });
});
