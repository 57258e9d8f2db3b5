// Partial heal (issue 7, part 4): restore one direction, one link or one node's isolation while
// the rest of a partition (and the other cuts) stays — traced, and drawn over the nodes healed.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import { ConfigError } from "../../lib/sim";
import { formatTimeline, toSequenceDiagram, type HealEvent } from "../../lib/trace";
import { thrown } from "./helpers";

/** Nodes a, b, c, d that each record who reached them; `probe()` has everyone send to everyone. */
function mesh(seed = 1) {
  const sim = new Simulation({ seed });
  const reached = new Set<string>();
  const ids = ["a", "b", "c", "d"];
  sim.spawnMany(ids, (node) => node.on("hi", (m) => void reached.add(`${m.src}->${node.id}`)));
  const probe = async (): Promise<string[]> => {
    reached.clear();
    for (const from of ids) for (const to of ids) if (from !== to) sim.node(from).send(to, { type: "hi" });
    await sim.runFor(5);
    return [...reached].sort();
  };
  return { sim, probe };
}

describe("partial heal", () => {
  it("heal({ between }) joins two nodes across a partition; the rest of the partition stays", async () => {
    const { sim, probe } = mesh();
    sim.partition([["a", "b"], ["c", "d"]]);
    sim.heal({ between: ["a", "c"] });
    expect(await probe()).toEqual(["a->b", "a->c", "b->a", "c->a", "c->d", "d->c"]);
    expect(sim.network.describeFaults().restored!.sort()).toEqual([["a", "c"], ["c", "a"]]);
  });

  it("heal({ from, to }) restores one direction: one cut of two, or one way across a partition", async () => {
    const { sim, probe } = mesh();
    sim.cut("a", "b");
    sim.cut("b", "a");
    sim.heal({ from: "a", to: "b" });
    expect(await probe()).toContain("a->b");
    expect(await probe()).not.toContain("b->a");
    sim.heal();
    sim.partition([["a"], ["b", "c", "d"]]);
    sim.heal({ from: "d", to: "a" });
    const reached = await probe();
    expect(reached).toContain("d->a");
    expect(reached.filter((r) => r.includes("a"))).toEqual(["d->a"]);
  });

  it("heal({ node }) ends one node's isolation; another isolation and a partition stay", async () => {
    const { sim, probe } = mesh();
    sim.isolate("c");
    sim.isolate("d");
    sim.heal({ node: "c" });
    expect(await probe()).toEqual(["a->b", "a->c", "b->a", "b->c", "c->a", "c->b"]);
    sim.partition([["a", "b"], ["c", "d"]]);
    sim.heal({ node: "d" });
    expect(await probe()).toEqual(["a->b", "b->a", "c->d", "d->c"]);
  });

  it("a new partition, cut or isolation blocks a healed link again; a full heal clears everything", async () => {
    const { sim, probe } = mesh();
    sim.partition([["a", "b"], ["c", "d"]]);
    sim.heal({ between: ["a", "c"] });
    sim.cut("a", "c");
    expect(await probe()).toContain("c->a");
    expect(await probe()).not.toContain("a->c");
    sim.isolate("a");
    expect((await probe()).filter((r) => r.includes("a"))).toEqual([]);
    sim.heal({ node: "a" });
    expect(await probe()).toContain("a->b"); // the partition is back in force for a ↔ c
    expect(await probe()).not.toContain("c->a");
    sim.partition([["a", "b", "c"], ["d"]]);
    expect(sim.network.describeFaults().restored).toBeUndefined();
    sim.heal();
    expect(await probe()).toHaveLength(12);
    expect(sim.network.describeFaults()).toEqual({ groups: [], cuts: [], isolated: [] });
  });

  it("a message in flight when its link heals arrives (faults are checked at send and at arrival)", async () => {
    const sim = new Simulation({ seed: 1, network: { latency: { kind: "constant", ms: 10 } } });
    const got: number[] = [];
    sim.spawn("b", (node) => node.on("m", () => void got.push(node.now())));
    const a = sim.spawn("a");
    a.send("b", { type: "m" });
    sim.at(5, () => sim.cut("a", "b"));
    sim.at(8, () => sim.heal({ from: "a", to: "b" }));
    await sim.run();
    expect(got).toEqual([10]);
  });

  it("each partial heal is traced, worded and drawn over the nodes it concerns", async () => {
    const { sim } = mesh();
    sim.partition([["a", "b"], ["c", "d"]]);
    sim.at(10, () => sim.heal({ between: ["a", "c"] }));
    sim.at(20, () => sim.heal({ from: "b", to: "d" }));
    sim.at(30, () => sim.isolate("b"));
    sim.at(40, () => sim.heal({ node: "b" }));
    sim.at(50, () => sim.heal());
    await sim.runFor(60);
    const heals = sim.trace.filter({ kinds: ["heal"] }) as HealEvent[];
    expect(heals).toEqual([
      { kind: "heal", timeMs: 10, between: ["a", "c"] },
      { kind: "heal", timeMs: 20, from: "b", to: "d" },
      { kind: "heal", timeMs: 40, isolated: "b" },
      { kind: "heal", timeMs: 50 },
    ]);
    const timeline = formatTimeline(sim.trace, { kinds: ["heal"] });
    expect(timeline.split("\n").map((l) => l.replace(/^t= *\d+\.\dms +/, ""))).toEqual(["healed a ↔ c", "healed b → d", "b no longer isolated", "healed"]);
    const diagram = toSequenceDiagram(sim.trace);
    expect(diagram).toContain("Note over a,c: healed a ↔ c");
    expect(diagram).toContain("Note over b,d: healed b → d");
    expect(diagram).toContain("Note over b: b no longer isolated");
    expect(diagram).toContain("Note over a,d: healed");
    // a trace filtered to one node keeps the heals that concern it, and every full heal
    expect(sim.trace.filter({ kinds: ["heal"], nodes: ["d"] }).map((e) => e.timeMs)).toEqual([20, 50]);
  });

  it("bad scopes name the option, the time and the seed", () => {
    const { sim } = mesh(6);
    const cases: Array<[unknown, string]> = [
      [{ from: "a" }, 'invalid option heal: got {"from":"a"}, expected { from, to }, { between: [a, b] } or { node }'],
      [{ node: "a", from: "b", to: "c" }, "invalid option heal: got"],
      [{ between: ["a"] }, 'invalid option heal between: got ["a"], expected two node ids'],
      [{ from: "a", to: "zz" }, 'invalid option heal to: got "zz", expected the id of a spawned node (known: a, b, c, d)'],
      [{ node: "ghost" }, 'invalid option heal node: got "ghost"'],
      ["everything", 'invalid option heal: got "everything"'],
    ];
    for (const [scope, message] of cases) {
      const err = thrown(() => sim.heal(scope as never));
      expect(err, JSON.stringify(scope)).toBeInstanceOf(ConfigError);
      expect(err!.message).toContain(message);
      expect(err!.message).toMatch(/\(t=0ms, seed=6\)$/);
    }
    expect(sim.trace.filter({ kinds: ["heal"] })).toEqual([]); // nothing traced for a refused heal
  });
});
