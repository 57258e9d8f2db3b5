// Logical clocks (notebook 06, exercise 06.1's checker): on random message patterns over a lossy,
// duplicating, reordering network, vector order equals the true happened-before relation computed
// from the trace, while Lamport order is only implied by it.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import { latency } from "../../lib/net";
import type { Node } from "../../lib/node";
import { LamportClock, VectorClock, checkLamportOrder, checkVectorOrder, compareVectors, happenedBefore, lamportNode, mergeVectors, vectorNode } from "../../lib/time/index";
import type { HbEvent, VectorTimestamp } from "../../lib/time/index";

const NODES = ["p1", "p2", "p3", "p4"];
const SEEDS = Array.from({ length: 8 }, (_, i) => i + 1);

type Stamper = "correct" | "no-merge" | "no-tick-on-receive";

/**
 * Each node sends 6 messages to random peers at random times and forwards a received message with
 * probability 0.3. Every event carries a vector stamp (by `stamper`) and a Lamport stamp.
 */
async function randomRun(seed: number, stamper: Stamper = "correct") {
  const sim = new Simulation({ seed, network: { latency: latency.uniform(1, 30), ordering: "unordered", lossProbability: 0.1, duplicationProbability: 0.05 } });
  const vectors = new Map<string, VectorTimestamp[]>();
  const lamports = new Map<string, number[]>();
  sim.spawnMany(NODES, (node: Node) => {
    const v = new VectorClock(node.id);
    let merged: Record<string, number> = {}; // the broken variants' own vector
    const l = new LamportClock();
    const vs: VectorTimestamp[] = [];
    const ls: number[] = [];
    vectors.set(node.id, vs);
    lamports.set(node.id, ls);
    const send = (dest: string): void => {
      if (stamper === "correct") vs.push(v.tick());
      else vs.push((merged = { ...merged, [node.id]: (merged[node.id] ?? 0) + 1 }));
      ls.push(l.send());
      node.send(dest, { type: "msg", vc: vs[vs.length - 1], lamport: ls[ls.length - 1] });
    };
    const peer = (): string => node.rng.pick(NODES.filter((n) => n !== node.id));
    node.on("msg", (m) => {
      const stamp = m.body.vc as VectorTimestamp;
      if (stamper === "correct") vs.push(v.receive(stamp));
      else if (stamper === "no-merge") vs.push((merged = { ...merged, [node.id]: (merged[node.id] ?? 0) + 1 })); // ticks, ignores the stamp
      else vs.push((merged = mergeVectors(merged, stamp))); // merges, forgets to tick: same stamp as a send it depends on
      ls.push(l.receive(m.body.lamport as number));
      if (node.rng.chance(0.3)) send(peer());
    });
    let left = 6;
    const next = (): void => {
      node.setTimer(node.rng.uniform(1, 40), () => {
        send(peer());
        if (--left > 0) next();
      }, "send");
    };
    next();
  });
  await sim.run();
  const hb = happenedBefore(sim.trace, { types: ["msg"] });
  const vectorOf = (e: HbEvent): VectorTimestamp => vectors.get(e.node)![e.indexOnNode];
  const lamportOf = (e: HbEvent): number => lamports.get(e.node)![e.indexOnNode];
  return { sim, hb, vectors, lamports, vectorOf, lamportOf };
}

describe("vector and Lamport data structures", () => {
  it("compare, merge, tick and receive as in Mattern (1989)", () => {
    expect(compareVectors({ a: 1 }, { a: 1, b: 1 })).toBe("before");
    expect(compareVectors({ a: 1, b: 1 }, { a: 1 })).toBe("after");
    expect(compareVectors({ a: 1, b: 0 }, { a: 1 })).toBe("equal");
    expect(compareVectors({ a: 2 }, { a: 1, b: 1 })).toBe("concurrent");
    expect(mergeVectors({ a: 2, b: 0 }, { b: 3 })).toEqual({ a: 2, b: 3 });
    const v = new VectorClock("a");
    expect(v.tick()).toEqual({ a: 1 });
    expect(v.receive({ b: 3 })).toEqual({ a: 2, b: 3 });
    const l = new LamportClock();
    expect([l.tick(), l.send(), l.receive(7), l.receive(2)]).toEqual([1, 2, 8, 9]);
    expect(() => l.receive(-1)).toThrow(/non-negative integer, got -1/);
    expect(() => v.receive({ b: 1.5 })).toThrow(/entry b .* non-negative integer, got 1.5/);
    expect(() => new VectorClock("")).toThrow(/self must be a node id/);
  });
});

describe("happened-before from the trace (Lamport 1978 §2)", () => {
  it("relates a question, its forward and a concurrent message", async () => {
    // p1 → p2 (ask), then p2 → p3 (forward); p3 → p1 (hello), sent at time 0, is concurrent with ask.
    const sim = new Simulation({ seed: 1, network: { latency: latency.constant(10) } });
    sim.spawn("p1", (node) => node.on("hello", () => {}));
    sim.spawn("p2", (node) => node.on("ask", () => node.send("p3", { type: "forward" })));
    sim.spawn("p3", (node) => node.on("forward", () => {}));
    sim.at(0, () => sim.node("p1").send("p2", { type: "ask" }));
    sim.at(0, () => sim.node("p3").send("p1", { type: "hello" }));
    await sim.run();
    const hb = happenedBefore(sim.trace);
    const find = (node: string, kind: string, label: string): number => hb.events.find((e) => e.node === node && e.kind === kind && e.label === label)!.index;
    const askSent = find("p1", "send", "ask");
    const forwardReceived = find("p3", "receive", "forward");
    const helloSent = find("p3", "send", "hello");
    const helloReceived = find("p1", "receive", "hello");
    expect(hb.before(askSent, forwardReceived)).toBe(true); // transitively, through p2
    expect(hb.before(forwardReceived, askSent)).toBe(false);
    expect(hb.concurrent(askSent, helloSent)).toBe(true);
    expect(hb.before(askSent, helloReceived)).toBe(true); // same node, earlier
    expect(hb.before(helloSent, forwardReceived)).toBe(true); // p3's own order
    expect(() => hb.before(0, 99)).toThrow(/b must be an event index in 0\.\.5, got 99/);
  });

  it("counts log lines as local events when asked", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("p1", (node) => node.on("x", () => node.log("got x")));
    sim.spawn("p2", () => {});
    sim.at(0, () => {
      sim.node("p2").log("before send");
      sim.node("p2").send("p1", { type: "x" });
    });
    await sim.run();
    const hb = happenedBefore(sim.trace, { includeLogs: true });
    expect(hb.events.map((e) => `${e.node}:${e.kind}:${e.label}`)).toEqual(["p2:local:before send", "p2:send:x", "p1:receive:x", "p1:local:got x"]);
    expect(hb.before(0, 3)).toBe(true);
  });
});

describe("vector clocks characterise happened-before; Lamport clocks only respect it", () => {
  it("vector order equals → on every pair of events, over 8 seeds of random messages under loss, duplication and reordering", async () => {
    let pairs = 0;
    let concurrentPairs = 0;
    for (const seed of SEEDS) {
      const { hb, vectors, vectorOf } = await randomRun(seed);
      for (const n of NODES) expect(vectors.get(n)!.length, `seed=${seed} ${n}`).toBe(hb.eventsOf(n).length);
      const mismatches = checkVectorOrder(hb, vectorOf);
      expect(mismatches, `seed=${seed}`).toEqual([]);
      const n = hb.events.length;
      pairs += (n * (n - 1)) / 2;
      for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) if (hb.concurrent(a, b)) concurrentPairs++;
    }
    console.log(`vector clocks: ${pairs} pairs over ${SEEDS.length} seeds, ${concurrentPairs} concurrent, 0 mismatches`);
    expect(pairs).toBeGreaterThan(5000);
    expect(concurrentPairs).toBeGreaterThan(pairs / 10); // concurrency is really exercised
  });

  it("Lamport: a → b ⇒ C(a) < C(b) on every pair, but C(a) < C(b) does not imply a → b", async () => {
    let counterexamples = 0;
    for (const seed of SEEDS) {
      const { hb, lamportOf } = await randomRun(seed);
      const check = checkLamportOrder(hb, lamportOf);
      expect(check.violations, `seed=${seed}`).toEqual([]);
      counterexamples += check.counterexampleCount;
      if (seed === 1) {
        const c = check.counterexamples[0];
        console.log(`counterexample (seed 1): ${c.a.node} ${c.a.kind} ${c.a.label} at t=${c.a.timeMs} has C=${c.stampA} < C=${c.stampB} of ${c.b.node} ${c.b.kind} at t=${c.b.timeMs}, yet they are concurrent`);
        expect(c.stampA).toBeLessThan(c.stampB);
        expect(hb.before(c.a.index, c.b.index) || hb.before(c.b.index, c.a.index)).toBe(false);
      }
    }
    expect(counterexamples).toBeGreaterThan(100);
  });

  it("the checker catches broken vector clocks: no merge on receive, or no tick on receive", async () => {
    for (const stamper of ["no-merge", "no-tick-on-receive"] as const) {
      let caught = 0;
      for (const seed of SEEDS) {
        const { hb, vectorOf } = await randomRun(seed, stamper);
        if (checkVectorOrder(hb, vectorOf).length > 0) caught++;
      }
      expect(caught, stamper).toBe(SEEDS.length);
    }
  });

  it("lamportNode and vectorNode stamp a ping-pong and keep per-event histories", async () => {
    const sim = new Simulation({ seed: 2, network: { latency: latency.uniform(1, 5) } });
    const lc = new Map<string, ReturnType<typeof lamportNode>>();
    const vc = new Map<string, ReturnType<typeof vectorNode>>();
    sim.spawn("a", (node) => {
      const l = lamportNode(node);
      lc.set("a", l);
      l.on("pong", () => {});
    });
    sim.spawn("b", (node) => {
      const l = lamportNode(node);
      lc.set("b", l);
      l.on("ping", (m) => l.send(m.src, { type: "pong" }));
    });
    sim.spawn("c", (node) => vc.set("c", vectorNode(node)));
    sim.spawn("d", (node) => {
      const v = vectorNode(node);
      vc.set("d", v);
      v.on("hi", () => v.local("think"));
    });
    sim.at(0, () => {
      lc.get("a")!.local("start");
      lc.get("a")!.send("b", { type: "ping" });
      vc.get("c")!.send("d", { type: "hi" });
    });
    await sim.run();
    expect(lc.get("a")!.history.map((e) => `${e.kind}:${e.stamp}`)).toEqual(["local:1", "send:2", "receive:5"]);
    expect(lc.get("b")!.history.map((e) => `${e.kind}:${e.stamp}`)).toEqual(["receive:3", "send:4"]);
    expect(vc.get("d")!.history.map((e) => e.stamp)).toEqual([{ c: 1, d: 1 }, { c: 1, d: 2 }]);
    // a message without a stamp is a clear error naming the node
    sim.at(sim.now(), () => sim.node("a").send("b", { type: "ping" }));
    await expect(sim.run()).rejects.toThrow(/no numeric body\.lamport.*node "b"/);
  });
});
