// Churn (issue 7, part 4): a node can leave for good, and new nodes can join a running simulation
// — from a scripted action or from node code. `members()`, `node.peers()` and `broadcast`
// follow the membership (a crashed node stays a member: a crash is not a leave), and every join
// and leave is in the trace and its pictures.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import type { Node } from "../../lib/node";
import { formatTimeline, summarize, toSequenceDiagram } from "../../lib/trace";
import { drops } from "./helpers";

/** A gossip-ish node: broadcasts `hello` every 10 ms and remembers who said hello to it. */
function greeter(heard: Map<string, Set<string>>) {
  return (node: Node): void => {
    heard.set(node.id, heard.get(node.id) ?? new Set());
    node.on("hello", (m) => void heard.get(node.id)!.add(m.src));
    node.setPeriodic(10, () => node.broadcast({ type: "hello" }), "hello");
  };
}

describe("leaving", () => {
  it("a node that leaves is out of members(), peers() and broadcasts; a crashed node stays in", async () => {
    const sim = new Simulation({ seed: 1 });
    const heard = new Map<string, Set<string>>();
    sim.spawnMany(["n1", "n2", "n3", "n4"], greeter(heard));
    sim.crash("n2");
    sim.leave("n3");
    expect(sim.members()).toEqual(["n1", "n2", "n4"]);
    expect(sim.nodeIds()).toEqual(["n1", "n2", "n3", "n4"]);
    expect(sim.node("n1").peers()).toEqual(["n2", "n4"]);
    await sim.runFor(15);
    // n1's broadcast went to n2 (crashed: dropped as "crashed") and n4, never to n3
    const sent = sim.trace.events.filter((e) => e.kind === "send" && e.src === "n1").map((e) => (e.kind === "send" ? e.dest : ""));
    expect(sent).toEqual(["n2", "n4"]);
    expect(heard.get("n4")).toEqual(new Set(["n1"]));
    expect(sim.isUp("n3")).toBe(false);
  });

  it("messages to a node that left are dropped with reason left: in flight when it leaves, and sent later", async () => {
    const sim = new Simulation({ seed: 1, network: { latency: { kind: "constant", ms: 10 } } });
    sim.spawn("b", (node) => node.on("m", () => {}));
    const a = sim.spawn("a");
    a.send("b", { type: "m", n: 1 });
    sim.at(5, () => sim.leave("b"));
    sim.at(6, () => a.send("b", { type: "m", n: 2 }));
    await sim.run();
    const lost = drops(sim.trace.events);
    expect(lost.map((e) => [e.timeMs, e.reason])).toEqual([[10, "left"], [16, "left"]]);
    expect(formatTimeline(sim.trace)).toContain("m #1 dropped (left)");
    expect(summarize(sim.trace).copies.droppedByReason.left).toBe(2);
  });

  it("its incarnation ends: timers stop, and its handle can no longer send", async () => {
    const sim = new Simulation({ seed: 1 });
    let ticks = 0;
    const a = sim.spawn("a", (node) => node.setPeriodic(10, () => void ticks++));
    sim.spawn("b", (node) => node.on("m", () => {}));
    sim.at(25, () => sim.leave("a"));
    await sim.runFor(100);
    expect(ticks).toBe(2);
    expect(a.isAlive()).toBe(false);
    expect(a.send("b", { type: "m" })).toBe(-1);
  });

  it("it leaves its multicast groups", async () => {
    const sim = new Simulation({ seed: 1 });
    const got: string[] = [];
    sim.spawnMany(["r1", "r2", "r3"], (node) => node.on("update", () => void got.push(node.id)), { groups: ["replicas"] });
    const client = sim.spawn("client");
    sim.leave("r2");
    client.multicast("replicas", { type: "update" });
    await sim.run();
    expect(got).toEqual(["r1", "r3"]);
    expect(() => sim.defineGroup("again", ["r1", "r2"])).toThrow('defineGroup("again"): node "r2" has left the simulation');
  });

  it("a node that left never restarts, cannot crash or leave again, and its id is not reused", () => {
    const sim = new Simulation({ seed: 2 });
    sim.spawn("a");
    sim.leave("a");
    expect(() => sim.restart("a")).toThrow('restart: node "a" has left the simulation for good; spawn a new node to join instead (node "a", t=0ms, seed=2)');
    expect(() => sim.crash("a")).toThrow('crash: node "a" has left the simulation');
    expect(() => sim.leave("a")).toThrow('leave: node "a" has already left');
    expect(() => sim.spawn("a")).toThrow('spawn: a node with id "a" already exists (it left; the id of a node that left is not reused)');
    expect(() => sim.leave("zz")).toThrow('leave: unknown node "zz" (known: a)');
  });

  it("a crashed node may leave (it then never restarts)", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawnMany(["a", "b"], (node) => node.on("m", () => {}));
    sim.crash("b");
    sim.leave("b");
    sim.node("a").send("b", { type: "m" });
    await sim.run();
    expect(drops(sim.trace.events).map((e) => e.reason)).toEqual(["left"]);
    expect(sim.members()).toEqual(["a"]);
  });
});

describe("joining a running simulation", () => {
  it("from a scripted action: the new node is a peer from then on and gets the broadcasts", async () => {
    const sim = new Simulation({ seed: 3 });
    const heard = new Map<string, Set<string>>();
    sim.spawnMany(["n1", "n2"], greeter(heard));
    sim.at(25, () => sim.spawn("n3", greeter(heard)));
    await sim.runFor(24);
    expect(sim.node("n1").peers()).toEqual(["n2"]);
    await sim.runFor(30);
    expect(sim.node("n1").peers()).toEqual(["n2", "n3"]);
    expect(heard.get("n3")).toEqual(new Set(["n1", "n2"]));
    expect(heard.get("n1")).toEqual(new Set(["n2", "n3"]));
    expect(sim.trace.events.find((e) => e.kind === "spawn" && e.node === "n3")?.timeMs).toBe(25);
  });

  it("from node code: a handler spawns a node (async behaviour included) and talks to it at once", async () => {
    const sim = new Simulation({ seed: 4 });
    const log: string[] = [];
    const worker = async (node: Node): Promise<void> => {
      node.on("job", (m) => node.reply(m, { type: "job_ok", by: node.id }));
      await node.sleep(5);
      log.push(`${node.id} ready at ${node.now()}`);
    };
    sim.spawn("master", (node) => {
      node.on("grow", async (m) => {
        const id = `w${m.body.n}`;
        sim.spawn(id, worker, { role: "worker" });
        const reply = await node.rpc(id, { type: "job" }, { timeoutMs: 50 });
        log.push(`${reply.body.by} answered at ${node.now()}`);
      });
    });
    const boss = sim.spawn("boss");
    sim.at(10, () => void boss.send("master", { type: "grow", n: 1 }));
    sim.at(30, () => void boss.send("master", { type: "grow", n: 2 }));
    await sim.runFor(100);
    expect(log).toEqual(["w1 answered at 13", "w1 ready at 16", "w2 answered at 33", "w2 ready at 36"]);
    expect(sim.members()).toEqual(["master", "boss", "w1", "w2"]);
  });

  it("a join and a leave are drawn in the sequence diagram; nodes there from the start are just lanes", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawnMany(["n1", "n2"], (node) => node.on("m", () => {}));
    sim.at(10, () => sim.spawn("n3", (node) => node.on("m", () => {}), { role: "replica" }));
    sim.at(20, () => sim.leave("n2"));
    await sim.runFor(30);
    const diagram = toSequenceDiagram(sim.trace);
    expect(diagram).toContain("Note over n3: joined (replica)");
    expect(diagram).toContain("Note over n2: left for good");
    expect(diagram).not.toContain("spawned");
    expect(formatTimeline(sim.trace)).toMatch(/t= +20\.0ms {2}n2 +left for good/);
  });

  it("churn replays exactly from its seed", async () => {
    const run = async (seed: number) => {
      const sim = new Simulation({ seed, network: { latency: { kind: "uniform", msMin: 1, msMax: 8 }, lossProbability: 0.1 } });
      const heard = new Map<string, Set<string>>();
      sim.spawnMany(["n1", "n2", "n3"], greeter(heard));
      const churn = sim.random("churn");
      let next = 4;
      sim.at(0, function step() {
        const members = sim.members();
        if (members.length > 2 && churn.chance(0.5)) sim.leave(churn.pick(members));
        else sim.spawn(`n${next++}`, greeter(heard));
        if (sim.now() < 200) sim.after(churn.int(10, 40), step, "churn");
      }, "churn");
      await sim.runFor(250);
      return { hash: sim.trace.hash(), members: sim.members() };
    };
    const first = await run(8);
    expect(await run(8)).toEqual(first);
    expect((await run(9)).hash).not.toBe(first.hash);
  });
});
