// Two scripted runs that aim at the service's two subtle duties (the nemesis finds them only by
// luck): a retry whose first attempt was applied, across a restart of every server from its
// snapshot (exactly-once needs the duplicate table in the snapshot), and a request waiting at a
// leader that is partitioned away while another leader overwrites its entry (a reply needs the
// entry's term). Both record a history and check it for linearizability.
import { checkLinearizability, kvModel } from "../check/index";
import type { LinearizabilityResult } from "../check/index";
import { HistoryRecorder } from "../history/index";
import type { History } from "../history/index";
import { latency } from "../net/index";
import type { Node } from "../node/index";
import { RaftMonitor } from "../raft/index";
import type { RaftHandle, RaftState } from "../raft/index";
import { Simulation } from "../simulation/index";
import { kvRaftClerk } from "./clerk";
import type { KvClerk, KvClerkOptions } from "./clerk";
import { KV_TIMING } from "./nemesis";
import type { KvClerkFactory, KvServerFactory } from "./nemesis";
import { kvRaftServer } from "./server";

/** Options of the scripted runs. */
export interface KvScriptOptions {
  seed: number;
  server?: KvServerFactory;
  clerk?: KvClerkFactory;
  /** Run in this simulation (a grader's) instead of a new one with `seed`. */
  sim?: Simulation;
  /** Spawn roles of the servers and the clients (default "raft" and "client"). */
  roles?: { server?: string; client?: string };
}

/** What a scripted run saw. */
export interface KvScriptResult {
  seed: number;
  sim: Simulation;
  history: History;
  check: LinearizabilityResult;
  /** What the script did, in order. */
  faults: string[];
  /** When the script's faults happened: `crashMs` / `restartMs` (lost reply), `partitionMs` / `healMs` (partitioned leader). */
  marks: Record<string, number>;
}

interface Harness {
  sim: Simulation;
  ids: string[];
  leader(): string | undefined;
  run(process: string, f: "get" | "put" | "append", key: string, value?: string): Promise<void>;
  pending(): number;
  result(faults: string[], marks: Record<string, number>): KvScriptResult;
}

function harness(options: KvScriptOptions, servers: { snapshotEntriesMax?: number }, clients: Record<string, KvClerkOptions | undefined>): Harness {
  const sim = options.sim ?? new Simulation({ seed: options.seed, network: { latency: latency.uniform(1, 5) }, trace: { eventsMax: 2000 } });
  const server = options.server ?? kvRaftServer;
  const clerk = options.clerk ?? kvRaftClerk;
  const ids = ["n1", "n2", "n3", "n4", "n5"];
  const handles = new Map<string, { raft: RaftHandle }>();
  for (const id of ids) {
    sim.spawn(id, (node) => {
      const h = server(node, { ...KV_TIMING, peers: ids.filter((p) => p !== id), snapshotEntriesMax: servers.snapshotEntriesMax });
      if (h !== null && typeof h === "object" && "raft" in (h as object)) handles.set(id, h as { raft: RaftHandle });
      else throw new Error(`kv ${id} at t=${node.now()}ms: the server must return an object with the RaftHandle of its raftNode as \`raft\` (got ${String(h)})`);
    }, { role: options.roles?.server ?? "raft" });
  }
  const monitor = new RaftMonitor();
  const live = (): Record<string, RaftState> => {
    const states: Record<string, RaftState> = {};
    for (const [id, h] of handles) if (h.raft.node.isAlive()) states[id] = h.raft.state();
    return states;
  };
  sim.invariant("raft safety", () => {
    const v = monitor.observe(live());
    return v.length === 0 ? true : v.join("; ");
  });
  const clerks = new Map<string, { node: Node; clerk: KvClerk }>();
  for (const [id, o] of Object.entries(clients)) sim.spawn(id, (node) => void clerks.set(id, { node, clerk: clerk(node, ids, o) }), { role: options.roles?.client ?? "client" });
  const recorder = new HistoryRecorder<{ key: string; value?: string }, string>();
  let pending = 0;
  return {
    sim,
    ids,
    leader() {
      let best: RaftState | undefined;
      for (const s of Object.values(live())) if (s.role === "leader" && (best === undefined || s.currentTerm > best.currentTerm)) best = s;
      return best?.id;
    },
    run(process, f, key, value) {
      const { node, clerk: c } = clerks.get(process)!;
      const input = f === "get" ? { key } : { key, value };
      const op = recorder.invoke(process, f, input, node.now());
      pending += 1;
      const p: Promise<string | undefined> = f === "get" ? c.get(key) : f === "put" ? c.put(key, value!).then(() => undefined) : c.append(key, value!).then(() => undefined);
      return p.then((out) => {
        pending -= 1;
        recorder.complete(op, "ok", out, node.now());
      });
    },
    pending: () => pending,
    result(faults, marks) {
      const history = recorder.history() as History;
      return { seed: options.seed, sim, history, check: checkLinearizability(history, kvModel(), { maxSteps: 200_000 }), faults, marks };
    },
  };
}

/**
 * A lost reply, retried across a restart of every server: client `ca` appends to `k` while every
 * ok reply to it is dropped for 600 ms (its clerk retries with the same seq), client `cb` appends
 * twelve times to `j` meanwhile (snapshots every 5 entries, so the first append ends up inside
 * every server's snapshot), client `cr` reads `k` at +320 ms, every server crashes at +400 ms and
 * restarts at +450 ms; after the
 * replies flow again both clients read `k`: it must hold `ca`'s value once.
 *
 * @example
 * (await runKvLostReply({ seed: 1 })).check.verdict; // "linearizable"
 */
export async function runKvLostReply(options: KvScriptOptions): Promise<KvScriptResult> {
  const h = harness(options, { snapshotEntriesMax: 5 }, { ca: undefined, cb: undefined, cr: undefined });
  const { sim } = h;
  const faults: string[] = [];
  await sim.runUntilSettled(h.run("cb", "put", "j", ""), { withinMs: 3000 });
  await sim.runUntilSettled(h.run("ca", "get", "k"), { withinMs: 3000 });
  const start = sim.now();
  sim.addRule({ name: "lose the ok replies to ca", match: { type: "kv_reply", dest: "ca", where: (m) => m.body.status === "ok" }, action: "drop", toMs: start + 600 });
  faults.push(`t=${start}ms drop every kv_reply status=ok to ca until t=${start + 600}ms`);
  const a = h.run("ca", "append", "k", "a ");
  const b = (async () => {
    for (let i = 1; i <= 12; i++) await h.run("cb", "append", "j", `${i} `);
  })();
  sim.at(start + 320, () => void h.run("cr", "get", "k"));
  sim.at(start + 400, () => {
    for (const id of h.ids) sim.crash(id);
    faults.push(`t=${sim.now()}ms crash ${h.ids.join(",")}`);
  });
  sim.at(start + 450, () => {
    for (const id of h.ids) sim.restart(id);
    faults.push(`t=${sim.now()}ms restart ${h.ids.join(",")}`);
  });
  await sim.runUntil(() => h.pending() === 0, { withinMs: 4000, throwOnTimeout: false, description: "both clients' operations complete" });
  void a;
  void b;
  if (h.pending() === 0) {
    await sim.runUntilSettled(h.run("ca", "get", "k"), { withinMs: 3000 }).catch(() => undefined);
    await sim.runUntilSettled(h.run("cb", "get", "k"), { withinMs: 3000 }).catch(() => undefined);
  }
  return h.result(faults, { crashMs: start + 400, restartMs: start + 450 });
}

/**
 * A request stranded at a partitioned leader: client `ca` (whose clerk waits up to 1000 ms per
 * attempt) learns the leader, then the leader and `ca` are cut off from the rest; `ca` appends to
 * `k` there (the entry cannot commit), while on the majority side client `cb` writes `j` six
 * times under a new leader, which fills the same log indexes; client `cc`, on the old leader's side,
 * reads `j` at +350 ms (it must not complete before the heal: the old leader cannot know `j`'s
 * value). After 500 ms the partition heals: the old leader's entry is overwritten — it must not
 * tell `ca` ok for it. Then both read `k`.
 *
 * @example
 * (await runKvPartitionedLeader({ seed: 1 })).check.verdict; // "linearizable"
 */
export async function runKvPartitionedLeader(options: KvScriptOptions): Promise<KvScriptResult> {
  const h = harness(options, {}, { ca: { attemptTimeoutMs: 1000 }, cb: undefined, cc: { attemptTimeoutMs: 1000 } });
  const { sim } = h;
  const faults: string[] = [];
  await sim.runUntilSettled(h.run("ca", "get", "k"), { withinMs: 3000 });
  await sim.runUntilSettled(h.run("cb", "get", "j"), { withinMs: 3000 });
  await sim.runUntilSettled(h.run("cc", "get", "j"), { withinMs: 3000 });
  const old = h.leader() ?? h.ids[0];
  const rest = h.ids.filter((id) => id !== old);
  sim.partition([[old, "ca", "cc"], [...rest, "cb"]]);
  faults.push(`t=${sim.now()}ms partition ${old},ca,cc | ${rest.join(",")},cb`);
  const start = sim.now();
  const a = h.run("ca", "append", "k", "lost? ");
  const b = (async () => {
    for (let i = 1; i <= 6; i++) await h.run("cb", "append", "j", `${i} `);
  })();
  sim.at(start + 350, () => void h.run("cc", "get", "j").then(() => h.run("cc", "get", "j")));
  sim.at(start + 500, () => {
    sim.heal();
    faults.push(`t=${sim.now()}ms heal`);
  });
  await sim.runUntil(() => h.pending() === 0, { withinMs: 4000, throwOnTimeout: false, description: "both clients' operations complete" });
  void a;
  void b;
  if (h.pending() === 0) {
    await sim.runUntilSettled(h.run("ca", "get", "k"), { withinMs: 3000 }).catch(() => undefined);
    await sim.runUntilSettled(h.run("cb", "get", "k"), { withinMs: 3000 }).catch(() => undefined);
  }
  return h.result(faults, { partitionMs: start, healMs: start + 500 });
}
