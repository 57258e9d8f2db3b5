// The classic cases of linearizability, one model at a time (Herlihy & Wing §2; Jepsen's
// knossos tests; Porcupine's model tests): each scenario is a few operations drawn as
//   c1 |--write(1)--|            (t=0..10)
//   c2                |--read--| (t=20..30)
// and the verdict the checker must reach.
import { describe, expect, it } from "vitest";
import { casRegisterModel, checkLinearizability, counterModel, kvModel, registerModel, type Model } from "../../lib/check";
import type { History } from "../../lib/history";
import { failed, history, ok, timedOut } from "./histories";

function verdict(h: History, model: Model<any, any, any>, options = {}): string {
  return checkLinearizability(h, model, options).verdict;
}

describe("register (read/write, initially 0)", () => {
  const reg = registerModel({ initial: 0 });

  it("a read after a completed write sees it", () => {
    expect(verdict(history(ok("c1", "write", 1, undefined, 0, 10), ok("c2", "read", null, 1, 20, 30)), reg)).toBe("linearizable");
  });

  it("a stale read after a completed write is not linearizable", () => {
    // c1 |--write(1)--|
    // c2                 |--read → 0--|
    expect(verdict(history(ok("c1", "write", 1, undefined, 0, 10), ok("c2", "read", null, 0, 20, 30)), reg)).toBe("not-linearizable");
  });

  it("a read concurrent with a write may see either value", () => {
    // c1 |----write(1)----|
    // c2     |--read--|
    for (const seen of [0, 1]) {
      expect(verdict(history(ok("c1", "write", 1, undefined, 0, 10), ok("c2", "read", null, seen, 3, 8)), reg)).toBe("linearizable");
    }
  });

  it("once a concurrent read saw the new value, a later read may not see the old one", () => {
    // c1 |--------write(1)--------|
    // c2   |-read → 1-|
    // c3                |-read → 0-|   (after c2's read completed)
    const h = history(ok("c1", "write", 1, undefined, 0, 30), ok("c2", "read", null, 1, 2, 8), ok("c3", "read", null, 0, 10, 20));
    expect(verdict(h, reg)).toBe("not-linearizable");
  });

  it("an operation that completes at the instant another is invoked comes before it", () => {
    // a client's next operation often starts at the very instant its last one ends
    expect(verdict(history(ok("c1", "write", 1, undefined, 0, 10), ok("c1", "read", null, 0, 10, 20)), reg)).toBe("not-linearizable");
    expect(verdict(history(ok("c1", "write", 1, undefined, 0, 10), ok("c2", "read", null, 0, 10, 20)), reg)).toBe("not-linearizable");
    // but an operation that takes no time overlaps one invoked at its instant
    expect(verdict(history(ok("c1", "write", 1, undefined, 10, 10), ok("c2", "read", null, 0, 10, 20)), reg)).toBe("linearizable");
    expect(verdict(history(ok("c1", "write", 1, undefined, 10, 10), ok("c2", "read", null, 1, 10, 10)), reg)).toBe("linearizable");
  });

  it("a read of a value never written is not linearizable", () => {
    expect(verdict(history(ok("c1", "write", 1, undefined, 0, 10), ok("c2", "read", null, 7, 5, 15)), reg)).toBe("not-linearizable");
  });

  it("a timed-out write (info) that later becomes visible is linearizable", () => {
    // c1 |--write(1) … (no reply)
    // c2                 |--read → 1--|
    expect(verdict(history(timedOut("c1", "write", 1, 0), ok("c2", "read", null, 1, 20, 30)), reg)).toBe("linearizable");
  });

  it("a timed-out write (info) that never becomes visible is linearizable", () => {
    const h = history(timedOut("c1", "write", 1, 0), ok("c2", "read", null, 0, 20, 30), ok("c2", "read", null, 0, 40, 50));
    expect(verdict(h, reg)).toBe("linearizable");
  });

  it("a timed-out write happens at most once: seen, then unseen, is not linearizable", () => {
    const h = history(timedOut("c1", "write", 1, 0), ok("c2", "read", null, 1, 20, 30), ok("c2", "read", null, 0, 40, 50));
    expect(verdict(h, reg)).toBe("not-linearizable");
  });

  it("a timed-out write cannot take effect before it was invoked", () => {
    expect(verdict(history(ok("c2", "read", null, 1, 0, 10), timedOut("c1", "write", 1, 20)), reg)).toBe("not-linearizable");
  });

  it("a failed write certainly did not happen", () => {
    const h = history(failed("c1", "write", 1, 0, 10), ok("c2", "read", null, 1, 20, 30));
    expect(verdict(h, reg)).toBe("not-linearizable");
  });

  it("an empty history is linearizable, in no steps", () => {
    expect(checkLinearizability({ operations: [] }, reg)).toMatchObject({ verdict: "linearizable", steps: 0 });
  });

  it("refuses an operation the model does not know, by name", () => {
    expect(() => checkLinearizability(history(ok("c1", "increment", 1, undefined, 0, 10)), reg)).toThrow(/register model: unknown operation "increment"/);
  });

  it("refuses a completed operation without a completion time", () => {
    const h: History = { operations: [{ id: 0, process: "c1", f: "read", input: null, invokeMs: 0, completion: "ok", output: 0 }] };
    expect(() => checkLinearizability(h, reg)).toThrow(/#0 \(c1 read\) completed ok but has no completeMs/);
  });
});

describe("compare-and-set register (etcd's: read/write/cas, initially nil)", () => {
  const cas = casRegisterModel();

  it("starts absent: the first read returns nil (null), not 0", () => {
    expect(verdict(history(ok("c1", "read", null, null, 0, 10)), cas)).toBe("linearizable");
    expect(verdict(history(ok("c1", "read", null, 0, 0, 10)), cas)).toBe("not-linearizable");
  });

  it("a cas succeeds only on its expected value", () => {
    const good = history(ok("c1", "write", 1, undefined, 0, 10), ok("c1", "cas", { from: 1, to: 2 }, undefined, 20, 30), ok("c2", "read", null, 2, 40, 50));
    const bad = history(ok("c1", "write", 1, undefined, 0, 10), ok("c1", "cas", { from: 3, to: 2 }, undefined, 20, 30));
    expect(verdict(good, cas)).toBe("linearizable");
    expect(verdict(bad, cas)).toBe("not-linearizable");
  });

  it("a failed cas is ignored: it did not happen", () => {
    // c1 |-write(1)-|  |-cas(1→2) fail-|  |-read → 1-|
    const h = history(ok("c1", "write", 1, undefined, 0, 10), failed("c1", "cas", [1, 2], 20, 30), ok("c1", "read", null, 1, 40, 50));
    const result = checkLinearizability(h, cas);
    expect(result.verdict).toBe("linearizable");
    expect(result.parts[0]).toMatchObject({ operations: 2, leftOut: 1 });
  });

  it("a timed-out cas may or may not have taken effect", () => {
    for (const seen of [1, 2]) {
      const h = history(ok("c1", "write", 1, undefined, 0, 10), timedOut("c1", "cas", [1, 2], 20), ok("c2", "read", null, seen, 40, 50));
      expect(verdict(h, cas)).toBe("linearizable");
    }
    const neither = history(ok("c1", "write", 1, undefined, 0, 10), timedOut("c1", "cas", [1, 2], 20), ok("c2", "read", null, 3, 40, 50));
    expect(verdict(neither, cas)).toBe("not-linearizable");
  });

  it("concurrent cas(0→1) by two clients: only one may succeed", () => {
    const h = history(ok("c0", "write", 0, undefined, 0, 5), ok("c1", "cas", [0, 1], undefined, 10, 20), ok("c2", "cas", [0, 1], undefined, 12, 22));
    expect(verdict(h, cas)).toBe("not-linearizable");
    const oneFails = history(ok("c0", "write", 0, undefined, 0, 5), ok("c1", "cas", [0, 1], undefined, 10, 20), failed("c2", "cas", [0, 1], 12, 22));
    expect(verdict(oneFails, cas)).toBe("linearizable");
  });
});

describe("key–value store (get/put/append, every key starts as \"\")", () => {
  const kv = kvModel();
  const put = (p: string, key: string, value: string, t0: number, t1: number) => ok(p, "put", { key, value }, undefined, t0, t1);
  const append = (p: string, key: string, value: string, t0: number, t1: number) => ok(p, "append", { key, value }, undefined, t0, t1);
  const get = (p: string, key: string, value: string, t0: number, t1: number) => ok(p, "get", { key }, value, t0, t1);

  it("a key nobody wrote reads as the empty string", () => {
    expect(verdict(history(put("c1", "x", "a", 0, 10), get("c2", "y", "", 20, 30)), kv)).toBe("linearizable");
  });

  it("concurrent appends land in some order, and every later get agrees on it", () => {
    const either = (order: string) => history(append("c1", "x", "a", 0, 10), append("c2", "x", "b", 2, 12), get("c3", "x", order, 20, 30));
    expect(verdict(either("ab"), kv)).toBe("linearizable");
    expect(verdict(either("ba"), kv)).toBe("linearizable");
    const flipFlop = history(append("c1", "x", "a", 0, 10), append("c2", "x", "b", 2, 12), get("c3", "x", "ab", 20, 30), get("c3", "x", "ba", 40, 50));
    expect(verdict(flipFlop, kv)).toBe("not-linearizable");
  });

  it("a stale get after a completed put is not linearizable", () => {
    expect(verdict(history(put("c1", "x", "a", 0, 10), put("c1", "x", "b", 20, 30), get("c2", "x", "a", 40, 50)), kv)).toBe("not-linearizable");
  });

  it("a timed-out append that later shows up is linearizable, one that shows up twice is not", () => {
    const once = history(timedOut("c1", "append", { key: "x", value: "a" }, 0), get("c2", "x", "a", 20, 30));
    const twice = history(timedOut("c1", "append", { key: "x", value: "a" }, 0), get("c2", "x", "aa", 20, 30));
    expect(verdict(once, kv)).toBe("linearizable");
    expect(verdict(twice, kv)).toBe("not-linearizable");
  });

  it("is checked per key (P-compositionality), with the same verdict as checking it whole", () => {
    const h = history(put("c1", "x", "1", 0, 10), put("c2", "y", "2", 0, 10), get("c1", "y", "2", 20, 30), get("c2", "x", "", 20, 30));
    const split = checkLinearizability(h, kv);
    expect(split.partitioned).toBe(true);
    expect(split.parts.map((p) => [p.key, p.verdict])).toEqual([["x", "not-linearizable"], ["y", "not-checked"]]);
    expect(split.violation?.key).toBe("x");
    const whole = checkLinearizability(h, kv, { partition: false });
    expect(whole.partitioned).toBe(false);
    expect(whole.verdict).toBe("not-linearizable");
    expect(whole.parts).toHaveLength(1);
  });
});

describe("counter (add/read, starts at 0)", () => {
  const counter = counterModel();
  const add = (p: string, n: number, t0: number, t1: number) => ok(p, "add", n, undefined, t0, t1);
  const read = (p: string, n: number, t0: number, t1: number) => ok(p, "read", null, n, t0, t1);

  it("a read concurrent with an add sees it or not", () => {
    for (const n of [0, 1]) expect(verdict(history(add("c1", 1, 0, 10), read("c2", n, 5, 15)), counter)).toBe("linearizable");
  });

  it("a read of a total no order of adds gives is not linearizable", () => {
    expect(verdict(history(add("c1", 1, 0, 10), add("c2", 2, 0, 10), read("c3", 2, 20, 30)), counter)).toBe("not-linearizable");
    expect(verdict(history(add("c1", 1, 0, 10), add("c2", 2, 0, 10), read("c3", 3, 20, 30)), counter)).toBe("linearizable");
  });

  it("a timed-out add may count later, or never", () => {
    const h = (later: number) => history(timedOut("c1", "add", 5, 0), read("c2", 0, 10, 20), read("c2", later, 30, 40));
    expect(verdict(h(5), counter)).toBe("linearizable");
    expect(verdict(h(0), counter)).toBe("linearizable");
    expect(verdict(h(10), counter)).toBe("not-linearizable");
  });

  it("a stale read after a completed add is not linearizable", () => {
    expect(verdict(history(add("c1", 1, 0, 10), read("c2", 0, 20, 30)), counter)).toBe("not-linearizable");
  });
});
