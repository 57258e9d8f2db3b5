import { describe, expect, it } from "vitest";
import { chordNode, chordRing, runChordChurn, runChordJoin, runChordLookupTrace, runChordReplication, successorOf } from "../../lib/dht/index";
import type { ChordNodeHandle } from "../../lib/dht/index";
import { latency } from "../../lib/net/index";
import { Simulation } from "../../lib/simulation/index";
import { toSequenceDiagram, toStateDiagram } from "../../lib/index";

describe("Chord nodes in the simulator", () => {
  it("five nodes joining one after another through a bootstrap end in a correct ring, each joining → joined → stable", async () => {
    const { sim, converged, handles } = await runChordJoin({ seed: 4, nodes: 5 });
    expect(converged).toBe(true);
    const diagram = toStateDiagram(sim.trace);
    expect(diagram).toContain("joining --> joined");
    expect(diagram).toContain("joined --> stable");
    expect(diagram).not.toMatch(/n\d --> /); // no node ids in state names
    // and the ring answers lookups correctly from every node
    const ids = [...handles.values()].map((h) => h.self.id).sort((a, b) => a - b);
    for (const h of handles.values()) {
      const r = await sim.runUntilSettled(h.lookup(77));
      expect(r.owner?.id).toBe(successorOf(ids, 77));
    }
  });

  it("nodes joining concurrently with 10% message loss still converge once stabilisation runs", async () => {
    const sim = new Simulation({ seed: 9, network: { latency: latency.uniform(5, 15), lossProbability: 0.1 } });
    const handles: ChordNodeHandle[] = [];
    const ids = [10, 40, 90, 130, 170, 200, 240];
    ids.forEach((id, i) =>
      sim.spawn(`p${i}`, (node) => {
        handles.push(chordNode(node, { id, m: 8, bootstrap: i === 0 ? null : "p0", successorsMax: 3, stabilizeMs: 30, rpcTimeoutMs: 40 }));
      }),
    );
    const sorted = ids.slice().sort((a, b) => a - b);
    const right = () =>
      handles.length === ids.length && handles.every((h) => h.successors()[0]?.id === successorOf(sorted, (h.self.id + 1) % 256));
    await sim.runUntil(right, { withinMs: 10_000 });
    expect(right()).toBe(true);
  });

  it("a crashed node's neighbours route around it: successor lists repair the ring", async () => {
    const sim = new Simulation({ seed: 2, network: { latency: latency.uniform(5, 15) }, trace: false });
    const ring = chordRing(sim, { nodes: 30, m: 16, successorsMax: 3, stabilizeMs: 40, rpcTimeoutMs: 40 });
    await sim.runFor(10);
    const victim = ring.refs[5];
    sim.crash(victim.name);
    await sim.runFor(1000);
    const before = ring.handles.get(ring.refs[4].name)!;
    expect(before.successors()[0].name).toBe(ring.refs[6].name);
    expect(ring.handles.get(ring.refs[6].name)!.predecessor()?.name).toBe(ring.refs[4].name);
    const r = await sim.runUntilSettled(ring.handles.get(ring.refs[20].name)!.lookup(victim.id));
    expect(r.kind).toBe("found");
    expect(r.owner?.name).toBe(ring.refs[6].name); // the victim's keys now belong to its successor
  });

  it("longer successor lists keep lookups working when 20% of nodes fail at once (the paper's §6.4)", async () => {
    const [one, four] = await runChordChurn({ seed: 1, nodes: 100, failFraction: 0.2, successorsMax: [1, 4] });
    expect(four.failedRightAfter).toBeLessThan(0.35); // ≈ the fraction of keys whose successor died
    expect(four.failedAfterStabilisation).toBe(0);
    expect(one.failedRightAfter).toBeGreaterThan(four.failedRightAfter);
    expect(one.failedAfterStabilisation).toBeGreaterThan(0);
  });

  it("keys copied to the next successors survive the crash of their owner; without copies they are lost", async () => {
    const withCopies = await runChordReplication({ seed: 1, replicas: 2 });
    const without = await runChordReplication({ seed: 1, replicas: 0 });
    expect(withCopies.keysOnCrashed).toBeGreaterThan(0);
    expect(withCopies.found).toBe(withCopies.keys);
    expect(without.missing).toBe(without.keysOnCrashed);
  });

  it("a lookup's trace draws as a sequence of chord_step requests, deterministically", async () => {
    const a = await runChordLookupTrace({ seed: 5 });
    const b = await runChordLookupTrace({ seed: 5 });
    expect(a.result.kind).toBe("found");
    expect(a.result.owner?.id).toBe(successorOf(a.ring.refs.map((r) => r.id), a.key));
    expect(a.sim.trace.hash()).toBe(b.sim.trace.hash());
    const diagram = toSequenceDiagram(a.sim.trace, { nodes: a.result.path, types: ["chord_step", "chord_step_ok"] });
    expect(diagram).toContain("chord_step");
  });

  it("rejects a bad identifier naming the node", () => {
    const sim = new Simulation({ seed: 1 });
    expect(() => sim.spawn("x", (node) => chordNode(node, { id: 300, m: 8, bootstrap: null, successorsMax: 2, stabilizeMs: 10 }))).toThrow(/x/);
  });
});
