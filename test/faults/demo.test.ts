// Demonstration of the richer faults, written as notebook cells: each `it` is one cell a notebook
// author can copy (replace the `expect` lines with what the lesson says, and `"../../lib"` with
// `"./lib"`). Every cell starts from its own Simulation so the cells can be copied one at a time.
import { expect, it } from "vitest";
import { Simulation, formatTimeline, latency, toSequenceDiagram, type Node } from "../../lib";

/** A tiny leader that sends `append` to its followers every 20 ms; followers acknowledge. */
function replicas(sim: Simulation): void {
  sim.spawn("n1", (node) => {
    let index = 0;
    node.on("append_ok", () => {});
    node.setPeriodic(20, () => node.broadcast({ type: "append", index: ++index }), "heartbeat");
  });
  sim.spawnMany(["n2", "n3"], (node) => node.on("append", (m) => node.reply(m, { type: "append_ok", index: m.body.index })));
}

it("cell 1 — a message fault rule: lose n2's replies between 100 and 300 ms", async () => {
  const sim = new Simulation({ seed: 42 });
  replicas(sim);
  const rule = sim.addRule({ name: "lose n2's replies", match: { type: "append_ok", src: "n2" }, action: "drop", fromMs: 100, toMs: 300 });
  await sim.runFor(400);
  console.log(`${rule} affected ${rule.affected} messages`);
  console.log(formatTimeline(sim.trace, { kinds: ["drop"], maxLines: 3 }));
  // t=  101.0ms  n2 → n1  append_ok #5 ↩9 dropped (rule "lose n2's replies")
  // in a notebook: await showMermaid(toSequenceDiagram(sim.trace, { fromMs: 80, toMs: 140 }), { file: "diagrams/NN-topic/rule.mmd" });
  expect(rule.affected).toBe(10);
  expect(toSequenceDiagram(sim.trace, { fromMs: 80, toMs: 140 })).toContain("dropped#58; rule #34;lose n2's replies#34;");
});

it("cell 2 — delay and duplicate rules, with random choices from the rule's own stream", async () => {
  const sim = new Simulation({ seed: 42 });
  replicas(sim);
  sim.addRule({ name: "slow n3", match: { dest: "n3" }, action: "delay", delayMs: latency.uniform(20, 60), probability: 0.5 });
  sim.addRule({ name: "stutter", match: { type: "append", where: (m) => m.body.index % 4 === 0 }, action: "duplicate", delayMs: 3 });
  // also from a script: close the slow path at 300 ms
  sim.at(300, () => sim.removeRule("slow n3"));
  await sim.runFor(400);
  console.log(formatTimeline(sim.trace, { kinds: ["delay", "duplicate"], maxLines: 4 }));
  expect(sim.trace.filter({ kinds: ["delay"] }).every((e) => e.timeMs < 300)).toBe(true);
  expect(sim.counters.duplicated).toBeGreaterThan(0);
});

it("cell 3 — one flaky link, and a partial heal", async () => {
  const sim = new Simulation({ seed: 42, network: { links: [{ from: "n1", to: "n3", lossProbability: 0.3 }] } });
  replicas(sim);
  sim.at(100, () => sim.partition([["n1", "n2"], ["n3"]]), "partition");
  sim.at(200, () => sim.heal({ from: "n1", to: "n3" }), "n1 → n3 only"); // n3 hears n1 again; its replies still vanish
  sim.at(300, () => sim.heal(), "heal all");
  await sim.runFor(400);
  console.log(formatTimeline(sim.trace, { kinds: ["partition", "heal"] }));
  const lost = sim.trace.filter({ kinds: ["drop"] }).map((e) => (e.kind === "drop" ? e.reason : ""));
  expect(new Set(lost)).toEqual(new Set(["loss", "partition"]));
});

it("cell 4 — a disk that needs fsync: acknowledged but unsynced writes vanish in a crash", async () => {
  const sim = new Simulation({ seed: 42 });
  sim.spawn("log", (node) => {
    node.on("append", (m) => {
      node.storage.set(`entry/${m.body.index}`, m.body.entry);
      if (m.body.index % 2 === 0) node.storage.sync(); // only every other write is synced before the ack
      node.reply(m, { type: "append_ok" });
    });
  }, { disk: "buffered" });
  const client = sim.spawn("client");
  for (let index = 1; index <= 5; index++) await sim.runUntilSettled(client.rpc("log", { type: "append", index, entry: `x=${index}` }));
  const before = sim.node("log").storage;
  console.log(`before the crash: ${before.keys().length} entries, ${before.sizeBytes} bytes, ${before.unsyncedWrites} unsynced, ${before.syncs} syncs`);
  sim.crash("log");
  const after = sim.restart("log").storage;
  console.log(`after the restart: ${after.keys().join(", ")}`); // entry/5 was acknowledged and is gone
  expect(after.keys()).toEqual(["entry/1", "entry/2", "entry/3", "entry/4"]);
  expect(formatTimeline(sim.trace, { kinds: ["crash"] })).toContain("crashed (1 unsynced write lost)");
});

it("cell 5 — churn: nodes join and leave a running system; peers() follows", async () => {
  const sim = new Simulation({ seed: 42 });
  const member = (node: Node) => {
    node.on("hello", () => {});
    node.setPeriodic(25, () => node.broadcast({ type: "hello", peers: node.peers().length }), "hello");
  };
  sim.spawnMany(["n1", "n2", "n3"], member);
  sim.at(60, () => sim.spawn("n4", member), "n4 joins");
  sim.at(120, () => sim.leave("n2"), "n2 leaves");
  sim.at(130, () => sim.crash("n3"), "n3 crashes (still a member)");
  await sim.runFor(200);
  console.log(`members: ${sim.members().join(", ")}; n1's peers: ${sim.node("n1").peers().join(", ")}`);
  // in a notebook: await showMermaid(toSequenceDiagram(sim.trace, { fromMs: 50, toMs: 135 }), { file: "diagrams/NN-topic/churn.mmd" });
  expect(sim.node("n1").peers()).toEqual(["n3", "n4"]);
  const diagram = toSequenceDiagram(sim.trace, { fromMs: 50, toMs: 135 });
  expect(diagram).toContain("joined (node)");
  expect(diagram).toContain("left for good");
});
