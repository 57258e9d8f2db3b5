// Reading recorded histories: the two formats of ../shared/fixtures/histories (its README has the
// examples used here). An event's time is its position in the file.
import { describe, expect, it } from "vitest";
import { parseJepsenEtcdLog, parseKvHistory } from "../../lib/check";

describe("Jepsen etcd logs", () => {
  const log = [
    "INFO  jepsen.util - 3\t:invoke\t:write\t4",
    "INFO  jepsen.util - 3\t:ok\t:write\t4",
    "INFO  jepsen.util - 0\t:invoke\t:cas\t[1 4]",
    "INFO  jepsen.util - 0\t:fail\t:cas\t[1 4]",
    "INFO  jepsen.util - 1\t:invoke\t:read\tnil",
    "INFO  jepsen.util - 2\t:invoke\t:write\t1",
    "INFO  jepsen.util - 1\t:ok\t:read\tnil",
    "INFO  jepsen.util - 2\t:info\t:write\t:timed-out",
    "INFO  jepsen.util - 4\t:invoke\t:cas\t[4 0]",
  ].join("\n");

  it("pairs each invocation with its process's completion: ok, fail, info, or still open (info)", () => {
    expect(parseJepsenEtcdLog(log).operations).toEqual([
      { id: 0, process: "3", f: "write", input: 4, invokeMs: 0, completion: "ok", completeMs: 1, output: undefined },
      { id: 1, process: "0", f: "cas", input: { from: 1, to: 4 }, invokeMs: 2, completion: "fail", completeMs: 3 },
      { id: 2, process: "1", f: "read", input: null, invokeMs: 4, completion: "ok", completeMs: 6, output: null },
      { id: 3, process: "2", f: "write", input: 1, invokeMs: 5, completion: "info" },
      { id: 4, process: "4", f: "cas", input: { from: 4, to: 0 }, invokeMs: 8, completion: "info" },
    ]);
  });

  it("names the line of a malformed event", () => {
    expect(() => parseJepsenEtcdLog("INFO  jepsen.util - 3\t:invoke\t:write\t4\nhello", "x.log")).toThrow(/^x\.log line 2: not a Jepsen event: hello$/);
    expect(() => parseJepsenEtcdLog("INFO  jepsen.util - 3\t:ok\t:write\t4")).toThrow(/line 1: process 3 completes write without invoking it/);
    expect(() => parseJepsenEtcdLog("INFO  jepsen.util - 3\t:invoke\t:read\tnil\nINFO  jepsen.util - 3\t:invoke\t:read\tnil")).toThrow(/line 2: process 3 invokes read while its read is still open/);
  });
});

describe("key–value histories (EDN maps)", () => {
  it("reads get/put/append with string keys and values; a get's nil input is no value", () => {
    const text = [
      '{:process 9, :type :invoke, :f :append, :key "0", :value "x 9 0 y"}',
      '{:process 2, :type :invoke, :f :get, :key "3", :value nil}',
      '{:process 9, :type :ok, :f :append, :key "0", :value "x 9 0 y"}',
      '{:process 2, :type :ok, :f :get, :key "3", :value "x 1 0 yx \\"4\\" 2 y"}',
    ].join("\n");
    expect(parseKvHistory(text).operations).toEqual([
      { id: 0, process: "9", f: "append", input: { key: "0", value: "x 9 0 y" }, invokeMs: 0, completion: "ok", completeMs: 2, output: undefined },
      { id: 1, process: "2", f: "get", input: { key: "3" }, invokeMs: 1, completion: "ok", completeMs: 3, output: 'x 1 0 yx "4" 2 y' },
    ]);
  });

  it("names the line of a malformed event", () => {
    expect(() => parseKvHistory('{:process 1, :type :invoke, :f :get, :key "a"}\n{:process 1, :type :done}', "c.txt")).toThrow(/^c\.txt line 2: :type must be/);
    expect(() => parseKvHistory('{:process 1, :type :invoke, :f :get, :key "a}')).toThrow(/line 1: unterminated string/);
  });
});
