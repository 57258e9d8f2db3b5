// The event queue: a binary min-heap ordered by (virtual time, insertion order). Ties are stable,
// so events scheduled for the same instant run in the order they were scheduled.
import { describe, expect, it } from "vitest";
import { EventQueue, Prng } from "../../lib/sim";

interface Entry {
  timeMs: number;
  seq: number;
  name: string;
}
const entry = (timeMs: number, name: string): Entry => ({ timeMs, seq: 0, name });

function drain(q: EventQueue<Entry>): string[] {
  const out: string[] = [];
  for (let e = q.pop(); e !== undefined; e = q.pop()) out.push(e.name);
  return out;
}

describe("EventQueue", () => {
  it("pops by time, and entries at the same time in insertion order", () => {
    const q = new EventQueue<Entry>();
    q.push(entry(5, "late"));
    q.push(entry(1, "early-1"));
    q.push(entry(3, "middle"));
    q.push(entry(1, "early-2"));
    q.push(entry(5, "late-2"));
    q.push(entry(1, "early-3"));
    expect(q.size).toBe(6);
    expect(q.peek()?.name).toBe("early-1");
    expect(drain(q)).toEqual(["early-1", "early-2", "early-3", "middle", "late", "late-2"]);
    expect(q.size).toBe(0);
    expect(q.pop()).toBeUndefined();
    expect(q.peek()).toBeUndefined();
  });

  it("a thousand entries at one instant come out exactly in insertion order", () => {
    const q = new EventQueue<Entry>();
    const names = Array.from({ length: 1000 }, (_, i) => `e${i}`);
    for (const name of names) q.push(entry(7, name));
    expect(drain(q)).toEqual(names);
  });

  it("push overwrites seq with the insertion number", () => {
    const q = new EventQueue<Entry>();
    const a = { timeMs: 1, seq: 999, name: "a" };
    const b = { timeMs: 1, seq: -5, name: "b" };
    q.push(a);
    q.push(b);
    expect([a.seq, b.seq]).toEqual([0, 1]);
    expect(drain(q)).toEqual(["a", "b"]);
  });

  it("toArray lists entries in firing order without changing the queue", () => {
    const q = new EventQueue<Entry>();
    for (const [t, n] of [[3, "c"], [1, "a"], [2, "b1"], [2, "b2"]] as const) q.push(entry(t, n));
    expect(q.toArray().map((e) => e.name)).toEqual(["a", "b1", "b2", "c"]);
    expect(q.size).toBe(4);
    expect(drain(q)).toEqual(["a", "b1", "b2", "c"]);
  });

  it("clear empties the queue", () => {
    const q = new EventQueue<Entry>();
    q.push(entry(1, "x"));
    q.clear();
    expect(q.size).toBe(0);
    expect(q.pop()).toBeUndefined();
  });

  it("heavy interleaved push/pop matches a sorted reference (200,000 operations, ~1000 waiting, many ties)", () => {
    const prng = new Prng(2024);
    const q = new EventQueue<Entry>();
    let reference: Entry[] = []; // kept sorted by (time, seq)
    let nowMs = 0;
    let n = 0;
    let mismatches = 0;
    for (let op = 0; op < 200_000; op++) {
      if (reference.length === 0 || prng.chance(reference.length < 1000 ? 0.6 : 0.4)) {
        // like a simulator: schedule at now or later, with many ties (integer times)
        const e = entry(nowMs + prng.int(0, 20), `e${n++}`);
        q.push(e);
        // insert after every entry that fires no later (ties: after, since seq is larger)
        let i = reference.length;
        while (i > 0 && reference[i - 1].timeMs > e.timeMs) i--;
        reference.splice(i, 0, e);
      } else {
        const want = reference.shift()!;
        const got = q.pop()!;
        if (got !== want) mismatches++;
        nowMs = got.timeMs;
      }
      if (q.size !== reference.length) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(drain(q)).toEqual(reference.map((e) => e.name));
  });

  it("fractional times (as uniform latency produces) are ordered exactly", () => {
    const prng = new Prng(7);
    const q = new EventQueue<Entry>();
    const all: Entry[] = [];
    for (let i = 0; i < 5000; i++) {
      const e = entry(Math.round(prng.uniform(0, 50) * 1000) / 1000, `e${i}`);
      all.push(e);
      q.push(e);
    }
    const sorted = all.slice().sort((x, y) => x.timeMs - y.timeMs || x.seq - y.seq); // stable sort by time
    expect(drain(q)).toEqual(sorted.map((e) => e.name));
  });
});
