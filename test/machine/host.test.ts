// hostMachine: a pure machine on simulator nodes. The adapter's contract (persist, then send; ticks
// from setPeriodic; msg_id removed; restore from storage after a restart; states for diagrams),
// then two-phase commit driven by the simulator: the blocking case, safety (AC1, AC2) checked after
// every event under loss, duplication, crashes and restarts, liveness once healed, and determinism.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation/index";
import { latency } from "../../lib/net/index";
import type { Body, Message, Node } from "../../lib/node/index";
import {
  AtomicCommitMonitor,
  checkedMachine,
  hostMachine,
  twoPhaseCommit,
  type Machine,
  type MachineHost,
  type TwoPhaseConfig,
  type TwoPhaseCoordinatorState,
  type TwoPhaseParticipantState,
  type TwoPhaseState,
} from "../../lib/machine/index";

type Counter = { n: number; ticks: number };
type CounterMsg = { type: "inc" } | { type: "inc_resp"; n: number };

const counter: Machine<Counter, CounterMsg, { n: number }, { tickLimit: number }> = {
  name: "counter",
  messageTypes: ["inc"],
  init: () => ({ n: 0, ticks: 0 }),
  restore: (_ctx, disk) => ({ n: disk.n ?? 0, ticks: 0 }),
  step: (s, m) => ({ state: { ...s, n: s.n + 1 }, persist: { n: s.n + 1 }, messages: [{ dest: m.src, body: { type: "inc_resp", n: s.n + 1 } }] }),
  tick: (s) => ({ state: { ...s, ticks: s.ticks + 1 } }),
  describe: (s) => (s.n === 0 ? "zero" : "counting"),
};

/** A Node stand-in that records the calls the adapter makes, in order. */
function stubNode(incarnation: number, disk: Record<string, unknown> = {}) {
  const calls: string[] = [];
  const handlers = new Map<string, (m: Message) => void>();
  const timers: Array<{ ms: number; fn: () => void; name: string }> = [];
  let sends = 0;
  const node = {
    id: "a",
    incarnation,
    rng: { nextUint32: () => 99 },
    storage: {
      set: (k: string, v: unknown) => void calls.push(`storage.set ${k}=${JSON.stringify(v)}`),
      sync: () => void calls.push("storage.sync"),
      snapshot: () => ({ ...disk }),
    },
    on: (type: string, h: (m: Message) => void) => void handlers.set(type, h),
    send: (dest: string, body: Body) => (calls.push(`send ${dest} ${JSON.stringify(body)}`), ++sends),
    setPeriodic: (ms: number, fn: () => void, name: string) => (timers.push({ ms, fn, name }), 1),
    setState: (state: string, cause?: string) => void calls.push(`setState ${state} (${cause})`),
    isAlive: () => true,
  };
  return { node: node as unknown as Node, calls, handlers, timers };
}

describe("hostMachine: the adapter's contract", () => {
  it("handles a Ready as etcd says: persist (and sync), then send, then declare the state", () => {
    const { node, calls, handlers, timers } = stubNode(1);
    hostMachine(counter, { tickMs: 10, config: { tickLimit: 3 } })(node);
    expect(calls).toEqual(["setState zero (init)"]);
    expect([...handlers.keys()]).toEqual(["inc"]);
    expect(timers.map((t) => [t.ms, t.name])).toEqual([[10, "tick"]]);
    calls.length = 0;
    handlers.get("inc")!({ src: "b", dest: "a", body: { type: "inc", msg_id: 7 } });
    expect(calls).toEqual(["storage.set n=1", "storage.sync", 'send b {"type":"inc_resp","n":1}', "setState counting (inc)"]);
  });

  it("hands step the body without the simulator's msg_id, and ticks through setPeriodic", () => {
    const seen: unknown[] = [];
    const spy: typeof counter = { ...counter, step: (s, m) => (seen.push(m), counter.step(s, m)) };
    const { node, handlers, timers } = stubNode(1);
    const host = hostMachine(spy, { tickMs: 25, config: { tickLimit: 3 } });
    host(node);
    handlers.get("inc")!({ src: "b", dest: "a", body: { type: "inc", msg_id: 3, in_reply_to: 1 } });
    expect(seen).toEqual([{ src: "b", body: { type: "inc", in_reply_to: 1 } }]);
    timers[0].fn();
    timers[0].fn();
    expect(host.state("a")).toEqual({ n: 1, ticks: 2 });
  });

  it("restores from storage in a later incarnation (init in the first), with a seed from node.rng", () => {
    const ctxs: unknown[] = [];
    const spy: typeof counter = {
      ...counter,
      init: (ctx) => (ctxs.push(["init", ctx]), counter.init(ctx)),
      restore: (ctx, disk) => (ctxs.push(["restore", ctx, disk]), counter.restore!(ctx, disk)),
    };
    const host = hostMachine(spy, { tickMs: 10, config: (id) => ({ tickLimit: id.length }) });
    host(stubNode(1).node);
    host(stubNode(2, { n: 5 }).node);
    expect(ctxs).toEqual([
      ["init", { id: "a", config: { tickLimit: 1 }, seed: 99 }],
      ["restore", { id: "a", config: { tickLimit: 1 }, seed: 99 }, { n: 5 }],
    ]);
    expect(host.state("a")).toEqual({ n: 5, ticks: 0 });
  });

  it("states: false declares no states; a bad tickMs is refused", () => {
    const { node, calls } = stubNode(1);
    hostMachine(counter, { tickMs: 10, config: { tickLimit: 1 }, states: false })(node);
    expect(calls).toEqual([]);
    expect(() => hostMachine(counter, { tickMs: 0, config: { tickLimit: 1 } })).toThrow(/tickMs must be a finite number > 0/);
  });

  it("in a simulation: storage survives a crash, the restart restores it, and the trace has the states", async () => {
    const sim = new Simulation({ seed: 3, network: { latency: latency.constant(2) } });
    const host = hostMachine(checkedMachine(counter), { tickMs: 10, config: { tickLimit: 1 } });
    sim.spawn("a", host, { role: counter.name });
    const replies: number[] = [];
    const client = sim.spawn("client", (node) => node.on("inc_resp", (m) => void replies.push(m.body.n)));
    client.send("a", { type: "inc" });
    client.send("a", { type: "inc" });
    await sim.runFor(25);
    expect(host.state("a")).toEqual({ n: 2, ticks: 2 });
    expect(sim.node("a").storage.snapshot()).toEqual({ n: 2 });
    sim.crash("a");
    expect(host.state("a")).toBeUndefined();
    expect(host.states()).toEqual({});
    sim.restart("a");
    expect(host.state("a")).toEqual({ n: 2, ticks: 0 });
    client.send("a", { type: "inc" });
    await sim.runFor(10);
    expect(replies).toEqual([1, 2, 3]);
    const states = sim.trace.filter({ kinds: ["state"] }).map((e) => (e.kind === "state" ? `${e.node} ${e.from ?? "∅"}→${e.to} (${e.cause})` : ""));
    expect(states).toEqual(["a ∅→zero (init)", "a zero→counting (inc)", "a ∅→counting (restore)"]);
  });
});

// ---- two-phase commit in the simulator -----------------------------------------------------------

const PARTICIPANTS = ["p1", "p2", "p3"];
/** Time limit for the multi-seed runs (about a second alone, more on a busy machine). */
const SLOW_MS = 60_000;

function twoPhaseHost(abortProbability = 0): MachineHost<TwoPhaseState> {
  const config = (id: string): TwoPhaseConfig =>
    id === "c" ? { role: "coordinator", participants: PARTICIPANTS } : { role: "participant", coordinator: "c", abortProbability };
  return hostMachine(twoPhaseCommit, { tickMs: 10, config });
}

/** A client that begins `txns` one every `everyMs`, resends begin every 100 ms until answered, and records the outcomes. */
function client(txns: string[], everyMs: number, answers: Map<string, string>) {
  return (node: Node): void => {
    const started: string[] = [];
    node.on("begin_resp", (m) => void answers.set(m.body.txn, m.body.outcome));
    txns.forEach((txn, i) =>
      node.setTimer((i + 1) * everyMs, () => {
        started.push(txn);
        node.send("c", { type: "begin", txn });
      }, "begin"),
    );
    node.setPeriodic(100, () => {
      for (const txn of started) if (!answers.has(txn)) node.send("c", { type: "begin", txn });
    }, "retry");
  };
}

function participant(host: MachineHost<TwoPhaseState>, id: string): TwoPhaseParticipantState | undefined {
  return host.state(id) as TwoPhaseParticipantState | undefined;
}

describe("two-phase commit on simulator nodes", () => {
  it("commits when everyone votes yes; the state diagram's transitions are in the trace", async () => {
    const sim = new Simulation({ seed: 11, network: { latency: latency.uniform(1, 5) } });
    const host = twoPhaseHost();
    sim.spawnMany(["c", ...PARTICIPANTS], host, { role: twoPhaseCommit.name });
    const answers = new Map<string, string>();
    sim.spawn("client", client(["t1"], 10, answers), { role: "client" });
    await sim.runUntil(() => twoPhaseCommit.describe!(host.state("c")!) === "committed", { withinMs: 500, description: "every participant acknowledged" });
    for (const p of PARTICIPANTS) expect(participant(host, p)?.txns.t1).toBe("committed");
    expect(answers.get("t1")).toBe("commit");
    expect(sim.node("c").storage.snapshot()).toEqual({ decisions: { t1: "commit" } });
    const transitions = sim.trace.filter({ kinds: ["state"], nodes: ["c", "p1"] }).map((e) => (e.kind === "state" ? `${e.node}:${e.to}` : ""));
    expect(transitions).toEqual(["c:idle", "p1:idle", "c:preparing", "p1:prepared", "c:committing", "p1:committed", "c:committed"]);
  });

  it("blocks while the coordinator is down (Bernstein et al. §7.4), and aborts once it is back", async () => {
    // Latency 5 ms: begin at 10 reaches c at 15, prepares reach p* at 20, votes would reach c at 25.
    const sim = new Simulation({ seed: 1, network: { latency: latency.constant(5) } });
    const host = twoPhaseHost();
    sim.spawnMany(["c", ...PARTICIPANTS], host, { role: twoPhaseCommit.name });
    const answers = new Map<string, string>();
    sim.spawn("client", client(["t1"], 10, answers), { role: "client" });
    sim.at(22, () => sim.crash("c"), "crash the coordinator while the votes are in flight");
    await sim.runUntil(() => sim.now() >= 22);
    await sim.runFor(2000);
    // Two seconds later every participant is still uncertain: it may neither commit nor abort.
    for (const p of PARTICIPANTS) expect(participant(host, p)?.txns.t1).toBe("prepared");
    const asked = sim.trace.filter({ kinds: ["drop"], types: ["decision_req"] });
    expect(asked.length).toBeGreaterThan(3 * 30); // every 50 ms, by each of three participants, lost at the crashed c
    expect(asked.every((e) => e.kind === "drop" && e.reason === "crashed")).toBe(true);
    expect(answers.size).toBe(0);
    sim.restart("c");
    await sim.runUntil(() => PARTICIPANTS.every((p) => participant(host, p)?.txns.t1 === "aborted") && answers.get("t1") === "abort", { withinMs: 500 });
    expect(sim.node("c").storage.snapshot()).toEqual({ decisions: { t1: "abort" } });
  });

  /**
   * The TigerBeetle/Jepsen shape: a fault phase (loss, duplication, a nemesis crashing and restarting
   * any node) with AC1 and AC2 checked after every event, then a healed phase in which every
   * transaction must be decided, the same way, everywhere, and answered to the client.
   */
  async function chaos(seed: number) {
    const sim = new Simulation({
      seed,
      network: { latency: latency.uniform(1, 10), lossProbability: 0.2, duplicationProbability: 0.05 },
    });
    const host = twoPhaseHost(0.1);
    sim.spawnMany(["c", ...PARTICIPANTS], host, { role: twoPhaseCommit.name });
    const txns = Array.from({ length: 10 }, (_, i) => `t${i + 1}`);
    const answers = new Map<string, string>();
    sim.spawn("client", client(txns, 150, answers), { role: "client" });
    const nemesis = sim.random("nemesis");
    for (let t = 100; t < 2000; t += 100) {
      sim.at(t, () => {
        const id = nemesis.pick(["c", ...PARTICIPANTS]);
        if (sim.isUp(id) && nemesis.chance(0.4)) sim.crash(id);
        else if (!sim.isUp(id)) sim.restart(id);
      }, "nemesis");
    }
    const monitor = new AtomicCommitMonitor();
    let violations: string[] = [];
    const safe = (): boolean => (violations = monitor.observe(host.states())).length > 0;
    await sim.runUntil(safe, { withinMs: 2000, throwOnTimeout: false });
    expect(violations, `seed ${seed} at ${sim.now()} ms`).toEqual([]);

    // Healed phase: everyone up, no more loss or duplication.
    for (const id of ["c", ...PARTICIPANTS]) if (!sim.isUp(id)) sim.restart(id);
    sim.network.configure({ lossProbability: 0, duplicationProbability: 0 });
    const healedMs = sim.now();
    const settled = (): boolean => {
      const c = host.state("c") as TwoPhaseCoordinatorState;
      return txns.every((txn) => answers.has(txn) && c.decisions[txn] !== undefined && PARTICIPANTS.every((p) => {
        const phase = participant(host, p)!.txns[txn];
        return phase === (c.decisions[txn] === "commit" ? "committed" : "aborted");
      }));
    };
    await sim.runUntil(() => safe() || settled(), { withinMs: 3000, description: `seed ${seed}: every transaction decided everywhere after healing` });
    expect(violations, `seed ${seed} at ${sim.now()} ms`).toEqual([]);
    const c = host.state("c") as TwoPhaseCoordinatorState;
    for (const txn of txns) expect(answers.get(txn), `seed ${seed}: ${txn}`).toBe(c.decisions[txn]);
    return { sim, answers, settleMs: sim.now() - healedMs, crashes: sim.trace.filter({ kinds: ["crash"] }).length };
  }

  it("under loss, duplication, crashes and restarts: AC1 and AC2 after every event; healed, all decide alike", async () => {
    let crashes = 0;
    const outcomes = new Set<string>();
    for (let seed = 1; seed <= 8; seed++) {
      const run = await chaos(seed);
      crashes += run.crashes;
      for (const o of run.answers.values()) outcomes.add(o);
      expect(run.settleMs, `seed ${seed}`).toBeLessThan(1500);
    }
    expect(crashes).toBeGreaterThan(8); // the nemesis did its job
    expect([...outcomes].sort()).toEqual(["abort", "commit"]); // both outcomes occurred
  }, SLOW_MS);

  it("is deterministic: the same seed gives the same trace, another seed another", async () => {
    const a = (await chaos(5)).sim.trace.hash();
    const b = (await chaos(5)).sim.trace.hash();
    const c = (await chaos(6)).sim.trace.hash();
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  }, SLOW_MS);
});
