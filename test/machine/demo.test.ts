// Notebook cells for "protocols as pure state machines", ready to copy. Each `it` is one cell, run
// in order; they share the variables declared at the top, as cells share a kernel.
//
// In a notebook: import everything from "./lib" (once lib/index.ts re-exports lib/machine), print
// with console.log (here `console` is a quiet stand-in whose output the cells assert on), and
// show diagrams with `await showMermaid(text, { file: "diagrams/NN-topic/name.mmd" })`.
import { describe, expect, it } from "vitest";
import { Simulation, latency, toSequenceDiagram, toStateDiagram, type Node } from "../../lib/index";
import {
  AtomicCommitMonitor,
  InteractionEnv,
  hostMachine,
  runTranscript,
  twoPhaseCommit,
  type Machine,
  type MachineHost,
  type TwoPhaseConfig,
  type TwoPhaseState,
} from "../../lib/machine/index";

const printed: string[] = [];
/** Stand-in for the notebook's console: keeps what the cells print. */
const console = { log: (...parts: unknown[]) => void printed.push(parts.map(String).join(" ")) };
const lastPrinted = (): string => printed[printed.length - 1];

let host: MachineHost<TwoPhaseState>;
let sim: Simulation;

describe("demo: protocols as pure state machines", () => {
  it("cell 1: a protocol is two pure functions — step(state, message) and tick(state) — returning a Ready", () => {
    // A heartbeat failure detector in a dozen lines: say "alive" to every peer every 2 ticks,
    // suspect a peer after more than 8 ticks without hearing from it. Time is counted in ticks, as in etcd raft.
    type FdState = { peers: string[]; now: number; lastHeard: Record<string, number> };
    type FdMsg = { type: "alive" };
    const detector: Machine<FdState, FdMsg, {}, { peers: string[] }> = {
      name: "heartbeat-fd",
      messageTypes: ["alive"],
      init: ({ config }) => ({ peers: config.peers, now: 0, lastHeard: {} }),
      step: (s, m) => ({ state: { ...s, lastHeard: { ...s.lastHeard, [m.src]: s.now } } }),
      tick: (s) => ({
        state: { ...s, now: s.now + 1 },
        messages: (s.now + 1) % 2 === 0 ? s.peers.map((dest) => ({ dest, body: { type: "alive" as const } })) : [],
      }),
      describe: (s) => {
        const suspected = s.peers.filter((p) => s.now - (s.lastHeard[p] ?? 0) > 8);
        return suspected.length === 0 ? "all trusted" : `suspects ${suspected.join(",")}`;
      },
    };

    // Drive it by hand: no simulator, you are the network.
    const env = new InteractionEnv(detector);
    env.init("a", { peers: ["b"] });
    env.init("b", { peers: ["a"] });
    console.log(env.tick("a", 2)); // a says alive to b
    console.log(env.deliver());
    console.log(env.tick("b", 6)); // b says alive twice, but a never gets it...
    console.log(env.drop());
    console.log(env.tick("a", 8)); // ...so a suspects b on its 9th tick
    expect(printed.slice(-5)).toEqual([
      "tick a (2 of 2)\n  send a->b alive",
      "a->b alive",
      "tick b (2 of 6)\n  send b->a alive\ntick b (4 of 6)\n  send b->a alive\ntick b (6 of 6)\n  send b->a alive",
      "dropped b->a alive\ndropped b->a alive\ndropped b->a alive",
      "tick a (2 of 8)\n  send a->b alive\ntick a (4 of 8)\n  send a->b alive\ntick a (6 of 8)\n  send a->b alive\n" +
        "tick a (7 of 8)\n  state all trusted → suspects b\ntick a (8 of 8)\n  send a->b alive",
    ]);
  });

  it("cell 2: two-phase commit by hand — persist, then send", () => {
    const env = new InteractionEnv(twoPhaseCommit);
    env.init("c", { role: "coordinator", participants: ["p1", "p2"] });
    env.init("p1", { role: "participant", coordinator: "c" });
    env.init("p2", { role: "participant", coordinator: "c" });
    console.log(env.inject("client", "c", { type: "begin", txn: "t1" }));
    console.log(env.deliver()); // each participant writes "prepared" to disk *before* its yes leaves
    expect(lastPrinted()).toContain('c->p1 prepare {"txn":"t1"}\n  persist {"txns":{"t1":"prepared"}}\n  send p1->c prepare_resp {"txn":"t1","vote":"yes"}');
    console.log(env.deliver()); // the coordinator logs commit, then tells everyone
    expect(lastPrinted()).toContain('persist {"decisions":{"t1":"commit"}}');
    expect(env.state("p1")).toMatchObject({ txns: { t1: "prepared" } });
  });

  it("cell 3: a transcript is the same thing written down, with the output it must print", () => {
    const transcript = `
init c {"role":"coordinator","participants":["p1"]}
----
state idle

init p1 {"role":"participant","coordinator":"c"}
----
state idle

deliver client->c begin {"txn":"t1"}
----
client->c begin {"txn":"t1"}
  send c->p1 prepare {"txn":"t1"}
  state idle → preparing

crash c
----
disk {}
`;
    const result = runTranscript(twoPhaseCommit, transcript);
    console.log(result.failures.length === 0 ? "transcript passes" : result.rewritten);
    expect(lastPrinted()).toBe("transcript passes");
  });

  it("cell 4: the same machine on simulator nodes, with a lossy network", async () => {
    sim = new Simulation({ seed: 7, network: { latency: latency.uniform(2, 8), lossProbability: 0.1 } });
    const config = (id: string): TwoPhaseConfig =>
      id === "c" ? { role: "coordinator", participants: ["p1", "p2", "p3"] } : { role: "participant", coordinator: "c" };
    host = hostMachine(twoPhaseCommit, { tickMs: 10, config }); // tick every 10 ms of virtual time
    sim.spawn("c", host, { role: "coordinator" }); // one role per state diagram
    sim.spawnMany(["p1", "p2", "p3"], host, { role: "participant" });
    const outcomes: Record<string, string> = {};
    sim.spawn("client", (node: Node) => {
      node.on("begin_resp", (m) => void (outcomes[m.body.txn] = m.body.outcome));
      node.send("c", { type: "begin", txn: "t1" });
      node.setPeriodic(100, () => void (outcomes.t1 ?? node.send("c", { type: "begin", txn: "t1" })), "retry");
    }, { role: "client" });
    await sim.runUntil(() => outcomes.t1 !== undefined, { withinMs: 2000, description: "t1 decided" });
    await sim.runFor(200);
    console.log(`t1: ${outcomes.t1} at ${sim.now()} ms`, host.state("p1"));
    console.log(toSequenceDiagram(sim.trace, { nodes: ["client", "c", "p1", "p2", "p3"], maxMessages: 40 }));
    console.log(toStateDiagram(sim.trace, { role: "participant" }));
    expect(outcomes.t1).toBe("commit");
    expect(lastPrinted()).toMatch(/^stateDiagram-v2/);
    expect(lastPrinted()).toContain("prepared");
  });

  it("cell 5: the blocking case — crash the coordinator while the participants are uncertain", async () => {
    sim.node("client").send("c", { type: "begin", txn: "t2" });
    await sim.runUntil(() => ["p1", "p2", "p3"].every((p) => (host.state(p) as { txns: Record<string, string> }).txns.t2 === "prepared"), { withinMs: 1000 });
    sim.crash("c");
    await sim.runFor(1000);
    console.log(["p1", "p2", "p3"].map((p) => `${p}: ${twoPhaseCommit.describe!(host.state(p)!)}`).join(", ")); // all still prepared
    expect(lastPrinted()).toBe("p1: prepared, p2: prepared, p3: prepared");
    sim.restart("c"); // it logged nothing for t2, so it presumes abort
    await sim.runFor(300);
    console.log(["p1", "p2", "p3"].map((p) => `${p}: ${twoPhaseCommit.describe!(host.state(p)!)}`).join(", "));
    expect(lastPrinted()).toBe("p1: aborted, p2: aborted, p3: aborted");
  });

  it("cell 6: check atomic commitment after every event with a monitor", async () => {
    const monitor = new AtomicCommitMonitor();
    let problems: string[] = [];
    sim.node("client").send("c", { type: "begin", txn: "t3" });
    sim.after(15, () => sim.crash("p2"));
    sim.after(400, () => sim.restart("p2"));
    await sim.runUntil(() => (problems = monitor.observe(host.states())).length > 0, { withinMs: 1500, throwOnTimeout: false });
    console.log(problems.length === 0 ? "AC1 and AC2 held" : problems.join("\n"), monitor.decisions().t3);
    expect(problems).toEqual([]);
    expect(Object.values(monitor.decisions().t3 ?? {}).length).toBe(4);
  });
});
