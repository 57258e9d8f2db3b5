// Partitions, one-way cuts, isolation and heal block exactly the links they name — checked on every
// ordered pair of nodes, both through `isBlocked` and by really sending a message.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import { latency } from "../../lib/net";
import type { DropEvent } from "../../lib/trace/events";

const IDS = ["a", "b", "c", "d", "e"];

function cluster(): Simulation {
  const sim = new Simulation({ seed: 1 });
  for (const id of IDS) sim.spawn(id, (node) => node.on("probe", () => {}));
  return sim;
}

/** Every ordered pair "x→y" whose messages get through, found by sending one probe per pair. */
async function reachable(sim: Simulation): Promise<Set<string>> {
  const before = sim.trace.events.length;
  for (const from of IDS) for (const to of IDS) if (from !== to) sim.node(from).send(to, { type: "probe" });
  await sim.run();
  return new Set(sim.trace.events.slice(before).flatMap((e) => (e.kind === "deliver" ? [`${e.src}→${e.dest}`] : [])));
}

/** The pairs that should get through, given a rule. */
function expected(open: (from: string, to: string) => boolean): Set<string> {
  const out = new Set<string>();
  for (const from of IDS) for (const to of IDS) if (from !== to && open(from, to)) out.add(`${from}→${to}`);
  return out;
}

/** isBlocked agrees with the rule on every ordered pair. */
function expectBlocked(sim: Simulation, open: (from: string, to: string) => boolean): void {
  const wrong: string[] = [];
  for (const from of IDS) for (const to of IDS) if (from !== to && sim.network.isBlocked(from, to) === open(from, to)) wrong.push(`${from}→${to}`);
  expect(wrong, "pairs where isBlocked is wrong").toEqual([]);
}

describe("partitions block exactly the cut links", () => {
  it("with no fault every pair is open", async () => {
    const sim = cluster();
    expectBlocked(sim, () => true);
    expect(await reachable(sim)).toEqual(expected(() => true));
  });

  it("partition groups: only pairs within a group talk; unnamed nodes share one more group", async () => {
    const sim = cluster();
    sim.partition([["a", "b"], ["c"]]); // d and e form the third group
    const group = (id: string) => (["a", "b"].includes(id) ? 0 : id === "c" ? 1 : 2);
    const open = (f: string, t: string) => group(f) === group(t);
    expectBlocked(sim, open);
    expect(await reachable(sim)).toEqual(expected(open));
    const drops = sim.trace.filter({ kinds: ["drop"] }) as DropEvent[];
    expect(drops.length).toBe(20 - 4);
    expect(drops.every((d) => d.reason === "partition" && d.timeMs === d.sentMs)).toBe(true);
  });

  it("a new partition replaces the old one", async () => {
    const sim = cluster();
    sim.partition([["a", "b"], ["c"]]);
    sim.partition([["a", "e"]]);
    const open = (f: string, t: string) => ["a", "e"].includes(f) === ["a", "e"].includes(t);
    expectBlocked(sim, open);
    expect(await reachable(sim)).toEqual(expected(open));
  });

  it("a node spawned during a partition joins the group of unnamed nodes", () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawnMany(["a", "b", "c"], () => {});
    sim.partition([["a"], ["b"]]);
    sim.spawn("late");
    expect(sim.network.isBlocked("late", "c")).toBe(false);
    expect(sim.network.isBlocked("late", "a")).toBe(true);
    expect(sim.network.isBlocked("b", "late")).toBe(true);
  });

  it("a one-way cut blocks only that direction", async () => {
    const sim = cluster();
    sim.cut("a", "b");
    const open = (f: string, t: string) => !(f === "a" && t === "b");
    expectBlocked(sim, open);
    expect(await reachable(sim)).toEqual(expected(open));
  });

  it("isolate blocks both ways for that node only", async () => {
    const sim = cluster();
    sim.isolate("c");
    const open = (f: string, t: string) => f !== "c" && t !== "c";
    expectBlocked(sim, open);
    expect(await reachable(sim)).toEqual(expected(open));
  });

  it("faults combine, cuts survive a new partition, and heal restores every link", async () => {
    const sim = cluster();
    sim.cut("d", "e");
    sim.partition([["a", "b", "c"]]);
    sim.isolate("a");
    const open = (f: string, t: string) =>
      !(f === "d" && t === "e") && ["a", "b", "c"].includes(f) === ["a", "b", "c"].includes(t) && f !== "a" && t !== "a";
    expectBlocked(sim, open);
    expect(await reachable(sim)).toEqual(expected(open));
    sim.heal();
    expectBlocked(sim, () => true);
    expect(await reachable(sim)).toEqual(expected(() => true));
    expect(sim.network.describeFaults()).toEqual({ groups: [], cuts: [], isolated: [] });
  });

  it("describeFaults and the trace record what was done", () => {
    const sim = cluster();
    sim.partition([["a"], ["b", "c"]]);
    sim.cut("d", "e");
    sim.isolate("b");
    expect(sim.network.describeFaults()).toEqual({ groups: [["a"], ["b", "c"]], cuts: [["d", "e"]], isolated: ["b"] });
    expect(sim.trace.events.slice(-3).map((e) => e.kind)).toEqual(["partition", "cut", "isolate"]);
  });

  it("a message in flight is dropped at delivery if its link is cut by then", async () => {
    const sim = new Simulation({ seed: 1, network: { latency: latency.constant(10) } });
    for (const id of IDS) sim.spawn(id, (node) => node.on("probe", () => {}));
    sim.node("a").send("b", { type: "probe", n: 1 }); // arrives at 10: dropped (partitioned at 5)
    sim.node("b").send("a", { type: "probe", n: 2 }); // arrives at 10: dropped
    sim.node("c").send("d", { type: "probe", n: 3 }); // same side: delivered
    sim.at(5, () => sim.partition([["a"], ["b", "c", "d", "e"]]));
    await sim.run();
    const drops = sim.trace.filter({ kinds: ["drop"] }) as DropEvent[];
    expect(drops.map((d) => [d.src, d.dest, d.reason, d.sentMs, d.timeMs])).toEqual([
      ["a", "b", "partition", 0, 10],
      ["b", "a", "partition", 0, 10],
    ]);
    expect(sim.counters.delivered).toBe(1);
  });

  it("a message in flight across a partition that heals before it arrives is delivered", async () => {
    const sim = new Simulation({ seed: 1, network: { latency: latency.constant(10) } });
    for (const id of IDS) sim.spawn(id, (node) => node.on("probe", () => {}));
    sim.node("a").send("b", { type: "probe" });
    sim.at(3, () => sim.isolate("a"));
    sim.at(6, () => sim.heal());
    await sim.run();
    expect(sim.counters.delivered).toBe(1);
  });

  it("scripted faults with sim.at: pings sent while partitioned are dropped, before and after get through", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("server", (node) => node.on("ping", () => {}));
    sim.spawn("client", (node) => node.setPeriodic(10, () => node.send("server", { type: "ping", at: node.now() })));
    sim.at(100, () => sim.partition([["client"], ["server"]]), "partition");
    sim.at(200, () => sim.heal(), "heal");
    await sim.runFor(300);
    const dropped = (sim.trace.filter({ kinds: ["drop"] }) as DropEvent[]).map((d) => d.sentMs);
    expect(dropped).toEqual([100, 110, 120, 130, 140, 150, 160, 170, 180, 190]);
    expect(sim.counters.sent).toBe(30); // at 10, 20, …, 300
    expect(sim.counters.delivered).toBe(30 - 10 - 1); // the ping sent at 300 is still in flight
    expect(sim.trace.filter({ kinds: ["partition", "heal"] }).map((e) => [e.kind, e.timeMs])).toEqual([
      ["partition", 100],
      ["heal", 200],
    ]);
  });

  it("a partition naming an unknown node, or a node twice, is an error", () => {
    const sim = cluster();
    expect(() => sim.partition([["a"], ["zz"]])).toThrow(/invalid option partition groups\[1\]: got "zz".*known: a, b, c, d, e/);
    expect(() => sim.partition([["a"], ["a", "b"]])).toThrow(/each node in at most one group/);
    expect(() => sim.cut("a", "zz")).toThrow(/cut to: got "zz"/);
    expect(() => sim.isolate("zz")).toThrow(/isolate node: got "zz"/);
  });
});
