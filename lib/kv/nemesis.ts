// The key–value service under a nemesis, as Jepsen runs it: clients run get / put / append through
// clerks while the network is partitioned (servers and clients alike), servers crash and restart
// and messages are lost; then everything heals, the clients finish what they started, and the
// recorded history is checked for linearizability against the key–value model.
import { checkLinearizability, kvModel } from "../check/index";
import type { LinearizabilityResult } from "../check/index";
import { HistoryRecorder } from "../history/index";
import type { History } from "../history/index";
import { latency } from "../net/index";
import type { Node } from "../node/index";
import { RaftMonitor } from "../raft/index";
import type { RaftHandle, RaftImplementation, RaftState } from "../raft/index";
import { Simulation } from "../simulation/index";
import { kvRaftClerk } from "./clerk";
import type { KvClerk, KvClerkOptions } from "./clerk";
import { kvRaftServer } from "./server";
import type { KvServerHandle, KvServerOptions } from "./server";
import type { KvVariant } from "./wire";

/** The Raft timing of the key–value runs: ticks of 10 ms, election timeouts 150–300 ms, heartbeats every 50 ms. */
export const KV_TIMING = { tickMs: 10, electionTicksMin: 15, electionTicksMax: 30, heartbeatTicks: 5 };

/** A server factory with `kvRaftServer`'s shape (a student's server, or a broken one). */
export type KvServerFactory = (node: Node, options: KvServerOptions) => unknown;
/** A clerk factory with `kvRaftClerk`'s shape. */
export type KvClerkFactory = (node: Node, servers: readonly string[], options?: KvClerkOptions) => KvClerk;

/** Options of `runKvNemesis`. */
export interface KvNemesisOptions {
  seed: number;
  /** The library server's variant (ignored when `server` is given). Default "reference". */
  variant?: KvVariant;
  /** How many clients run operations. Default 3. */
  clients?: number;
  /** How many servers. Default 5. */
  servers?: number;
  /** Keys the clients use (`k0`, `k1`, …). Default 2. */
  keys?: number;
  /** How long the faults last. Default 2000 ms. */
  faultMs?: number;
  /** Every this many ms, split all nodes (servers and clients) into two random sides, or heal, in turn. Default 400; 0 for none. */
  partitionEveryMs?: number;
  /** Every this many ms, crash a random server (a minority down at most), restarted 2 × later. Default 0 (none). */
  crashEveryMs?: number;
  /** Every this many ms, crash every server at once (6.5840's crash tests), restarted `crashAllDownMs` later. Default 0 (none). */
  crashAllEveryMs?: number;
  /** How long all servers stay down. Default 100 ms. */
  crashAllDownMs?: number;
  /** Message loss while the faults last. Default 0. */
  lossProbability?: number;
  /** Options of every clerk (e.g. a long `attemptTimeoutMs`, so that a clerk waits at a partitioned leader). */
  clerkOptions?: KvClerkOptions;
  /** After healing, the clients must finish what they started within this. Default 3000 ms. */
  settleMs?: number;
  /** A client waits this long between operations. Default 10 ms. */
  opPauseMs?: number;
  /** Log compaction threshold of the servers (see `raftNode`). Default: none. */
  snapshotEntriesMax?: number;
  /** The servers' Raft. Default the library's. */
  implementation?: RaftImplementation;
  /** Server and clerk to run (defaults: `kvRaftServer` with `variant`, `kvRaftClerk`). */
  server?: KvServerFactory;
  clerk?: KvClerkFactory;
  /** Budget of the linearizability search. Default 200,000 steps. */
  maxSteps?: number;
  /** Trace events kept. Default 2000. */
  eventsMax?: number;
  /** Run in this simulation (a grader's) instead of a new one with `seed` (then `seed` only labels the result). */
  sim?: Simulation;
  /** Spawn roles of the servers and the clients (default "raft" and "client"; a grader marks its own side). */
  roles?: { server?: string; client?: string };
}

/** What `runKvNemesis` saw. */
export interface KvNemesisResult {
  seed: number;
  variant: KvVariant;
  sim: Simulation;
  history: History;
  check: LinearizabilityResult;
  /** What the nemesis did, in order: `t=250ms partition n1,c2 | n2,n3,…`, `t=500ms heal`, … */
  faults: string[];
  /** Operations that completed ok / stayed open (info). */
  ok: number;
  open: number;
  /** Raft safety violations seen (RaftMonitor after every event); empty when safe. */
  raftViolations: string[];
  /** The longest Raft log (entries after the snapshot) any live server had at any event: bounded with snapshots. */
  logEntriesMax: number;
}

/** A seed whose nemesis run (defaults otherwise) catches the "stale-leader-reads" variant: its history is not linearizable. */
export const KV_STALE_READ_SEED = 3;

/**
 * Run the key–value service under a seeded nemesis and check its history.
 *
 * @example
 * const run = await runKvNemesis({ seed: 3, clients: 3 });
 * run.check.verdict; // "linearizable"
 * const bad = await runKvNemesis({ seed: KV_STALE_READ_SEED, variant: "stale-leader-reads" });
 * bad.check.verdict; // "not-linearizable"
 */
export async function runKvNemesis(options: KvNemesisOptions): Promise<KvNemesisResult> {
  const seed = options.seed;
  const variant = options.variant ?? "reference";
  const clientCount = options.clients ?? 3;
  const serverCount = options.servers ?? 5;
  const keyCount = options.keys ?? 2;
  const faultMs = options.faultMs ?? 2000;
  const partitionEveryMs = options.partitionEveryMs ?? 400;
  const crashEveryMs = options.crashEveryMs ?? 0;
  const settleMs = options.settleMs ?? 3000;
  const opPauseMs = options.opPauseMs ?? 10;
  const server = options.server ?? kvRaftServer;
  const clerk = options.clerk ?? kvRaftClerk;

  const sim = options.sim ?? new Simulation({ seed, network: { latency: latency.uniform(1, 5) }, trace: { eventsMax: options.eventsMax ?? 2000 } });
  const serverIds = Array.from({ length: serverCount }, (_, i) => `n${i + 1}`);
  const clientIds = Array.from({ length: clientCount }, (_, i) => `c${i + 1}`);
  const handles = new Map<string, { raft: RaftHandle }>();
  for (const id of serverIds) {
    sim.spawn(
      id,
      (node) => {
        const h = server(node, {
          ...KV_TIMING,
          peers: serverIds.filter((p) => p !== id),
          variant,
          snapshotEntriesMax: options.snapshotEntriesMax,
          implementation: options.implementation,
        });
        if (h !== null && typeof h === "object" && "raft" in (h as object)) handles.set(id, h as { raft: RaftHandle });
        else throw new Error(`kv ${id} at t=${node.now()}ms: the server must return an object with the RaftHandle of its raftNode as \`raft\` (got ${String(h)})`);
      },
      { role: options.roles?.server ?? "raft" },
    );
  }
  const monitor = new RaftMonitor();
  const raftViolations: string[] = [];
  let logEntriesMax = 0;
  sim.invariant("raft safety", () => {
    const states: Record<string, RaftState> = {};
    for (const [id, h] of handles) {
      if (!h.raft.node.isAlive()) continue;
      const s = h.raft.state();
      states[id] = s;
      if (s.log.length > logEntriesMax) logEntriesMax = s.log.length;
    }
    const v = monitor.observe(states);
    if (v.length > 0) raftViolations.push(...v);
    return v.length === 0 ? true : v.join("; ");
  });

  const recorder = new HistoryRecorder<{ key: string; value?: string }, string>();
  let stopped = false;
  for (const id of clientIds) {
    sim.spawn(id, (node) => {
      const c = clerk(node, serverIds, options.clerkOptions);
      const random = node.rng;
      let n = 0;
      const loop = async (): Promise<void> => {
        while (!stopped && node.isAlive()) {
          const key = `k${random.int(0, keyCount)}`;
          const r = random.float();
          const f = r < 0.4 ? "get" : r < 0.55 ? "put" : "append";
          n += 1;
          const value = `${id}.${n} `;
          const input = f === "get" ? { key } : { key, value };
          const op = recorder.invoke(id, f, input, node.now());
          const output = f === "get" ? await c.get(key) : f === "put" ? (await c.put(key, value), undefined) : (await c.append(key, value), undefined);
          recorder.complete(op, "ok", output, node.now());
          await node.sleep(opPauseMs);
        }
      };
      return loop(); // a rejection (a clerk that throws) is the client node's error
    }, { role: options.roles?.client ?? "client" });
  }

  // The nemesis: partitions of every node, crashes of servers (a minority at most), loss.
  const random = sim.random("nemesis");
  const faults: string[] = [];
  const note = (what: string): void => void faults.push(`t=${sim.now()}ms ${what}`);
  const everyone = [...serverIds, ...clientIds];
  const endMs = sim.now() + faultMs;
  let split = false;
  if (partitionEveryMs > 0) {
    for (let t = partitionEveryMs; t < endMs; t += partitionEveryMs) {
      sim.at(t, () => {
        if (split) {
          sim.heal();
          note("heal");
        } else {
          const shuffled = random.shuffle(everyone);
          const cut = random.int(1, shuffled.length);
          const sides = [shuffled.slice(0, cut), shuffled.slice(cut)];
          sim.partition(sides);
          note(`partition ${sides.map((s) => s.join(",")).join(" | ")}`);
        }
        split = !split;
      }, "nemesis partition");
    }
  }
  const down = new Set<string>();
  const crashedMax = Math.floor((serverCount - 1) / 2);
  if (crashEveryMs > 0) {
    for (let t = crashEveryMs; t < endMs; t += crashEveryMs) {
      sim.at(t, () => {
        const up = serverIds.filter((id) => !down.has(id));
        if (down.size >= crashedMax) return;
        const id = random.pick(up);
        sim.crash(id);
        down.add(id);
        note(`crash ${id}`);
        sim.after(2 * crashEveryMs, () => {
          if (!down.has(id)) return;
          sim.restart(id);
          down.delete(id);
          note(`restart ${id}`);
        }, "nemesis restart");
      }, "nemesis crash");
    }
  }
  const crashAllEveryMs = options.crashAllEveryMs ?? 0;
  if (crashAllEveryMs > 0) {
    const downMs = options.crashAllDownMs ?? 100;
    for (let t = crashAllEveryMs; t < endMs; t += crashAllEveryMs) {
      sim.at(t, () => {
        const up = serverIds.filter((id) => !down.has(id));
        for (const id of up) sim.crash(id);
        note(`crash ${up.join(",")}`);
        sim.after(downMs, () => {
          for (const id of up) if (!down.has(id)) sim.restart(id);
          note(`restart ${up.join(",")}`);
        }, "nemesis restart");
      }, "nemesis crash all");
    }
  }
  if (options.lossProbability) {
    sim.network.configure({ lossProbability: options.lossProbability });
    note(`loss ${options.lossProbability}`);
  }

  await sim.runUntilTime(endMs);
  stopped = true;
  sim.heal();
  for (const id of down) sim.restart(id);
  down.clear();
  if (options.lossProbability) sim.network.configure({ lossProbability: 0 });
  note("healed");
  await sim.runUntil(() => recorder.openCount() === 0, { withinMs: settleMs, throwOnTimeout: false, description: "every client's operation completes" });

  const history = recorder.history() as History;
  const check = checkLinearizability(history, kvModel(), { maxSteps: options.maxSteps ?? 200_000 });
  const ok = history.operations.filter((o) => o.completion === "ok").length;
  return { seed, variant, sim, history, check, faults, ok, open: history.operations.length - ok, raftViolations, logEntriesMax };
}

/** Options of `runKvOnePartition`. */
export interface KvOnePartitionOptions {
  seed: number;
  variant?: KvVariant;
  server?: KvServerFactory;
  clerk?: KvClerkFactory;
  implementation?: RaftImplementation;
  /** How long the partition lasts. Default 1000 ms. */
  partitionMs?: number;
  /** After healing, the minority's operations must complete within this. Default 3000 ms. */
  settleMs?: number;
  /** Run in this simulation (a grader's) instead of a new one with `seed`. */
  sim?: Simulation;
  /** Spawn roles of the servers and the clients (default "raft" and "client"). */
  roles?: { server?: string; client?: string };
}

/** What `runKvOnePartition` saw. */
export interface KvOnePartitionResult {
  seed: number;
  sim: Simulation;
  history: History;
  check: LinearizabilityResult;
  /** The leader when the partition was made, and the two sides (servers only). */
  leader: string;
  majority: string[];
  minority: string[];
  /** Operations of the minority's clients that completed while partitioned (must be none), as `process f input → output at t`. */
  minorityCompleted: string[];
  /** Whether the majority's put and get completed during the partition, and every operation after healing. */
  majorityCompleted: boolean;
  allCompleted: boolean;
  faults: string[];
}

/**
 * 6.5840's TestOnePartition: five servers; once a leader is known the network splits into the
 * leader with two servers (and client `cmaj`) against the other two (with clients `cmin1`, `cmin2`,
 * whose clerks know all five servers). The majority's put and get complete; the minority's put and
 * get must not complete until the partition heals, and then must. The whole history is checked.
 *
 * @example
 * const run = await runKvOnePartition({ seed: 1 });
 * run.minorityCompleted; // []
 * run.check.verdict;     // "linearizable"
 */
export async function runKvOnePartition(options: KvOnePartitionOptions): Promise<KvOnePartitionResult> {
  const { seed } = options;
  const server = options.server ?? kvRaftServer;
  const clerk = options.clerk ?? kvRaftClerk;
  const partitionMs = options.partitionMs ?? 1000;
  const settleMs = options.settleMs ?? 3000;
  const sim = options.sim ?? new Simulation({ seed, network: { latency: latency.uniform(1, 5) }, trace: { eventsMax: 2000 } });
  const ids = ["n1", "n2", "n3", "n4", "n5"];
  const handles = new Map<string, { raft: RaftHandle }>();
  for (const id of ids) {
    sim.spawn(id, (node) => {
      const h = server(node, { ...KV_TIMING, peers: ids.filter((p) => p !== id), variant: options.variant, implementation: options.implementation });
      if (h !== null && typeof h === "object" && "raft" in (h as object)) handles.set(id, h as { raft: RaftHandle });
      else throw new Error(`kv ${id} at t=${node.now()}ms: the server must return an object with the RaftHandle of its raftNode as \`raft\` (got ${String(h)})`);
    }, { role: options.roles?.server ?? "raft" });
  }
  const monitor = new RaftMonitor();
  sim.invariant("raft safety", () => {
    const states: Record<string, RaftState> = {};
    for (const [id, h] of handles) if (h.raft.node.isAlive()) states[id] = h.raft.state();
    const v = monitor.observe(states);
    return v.length === 0 ? true : v.join("; ");
  });
  const recorder = new HistoryRecorder<{ key: string; value?: string }, string>();
  const clerks = new Map<string, { node: Node; clerk: KvClerk }>();
  for (const id of ["cmaj", "cmin1", "cmin2"]) sim.spawn(id, (node) => void clerks.set(id, { node, clerk: clerk(node, ids) }), { role: options.roles?.client ?? "client" });
  const done: Array<{ text: string; atMs: number }> = [];
  let pending = 0;
  const run = (process: string, f: "get" | "put" | "append", key: string, value?: string): Promise<void> => {
    const { node, clerk: c } = clerks.get(process)!;
    const input = f === "get" ? { key } : { key, value };
    const op = recorder.invoke(process, f, input, node.now());
    pending += 1;
    const p = f === "get" ? c.get(key) : f === "put" ? c.put(key, value!).then(() => undefined) : c.append(key, value!).then(() => undefined);
    return p.then((out) => {
      pending -= 1;
      recorder.complete(op, "ok", out, node.now());
      done.push({ text: `${process} ${f} ${JSON.stringify(input)} → ${out === undefined ? "ok" : JSON.stringify(out)} at t=${node.now()}ms`, atMs: node.now() });
    });
  };
  const faults: string[] = [];
  await sim.runUntilSettled(run("cmaj", "put", "1", "13"), { withinMs: 5000 });
  const leaderNow = (): string | undefined => {
    let best: RaftState | undefined;
    for (const h of handles.values()) {
      if (!h.raft.node.isAlive()) continue;
      const s = h.raft.state();
      if (s.role === "leader" && (best === undefined || s.currentTerm > best.currentTerm)) best = s;
    }
    return best?.id;
  };
  await sim.runUntil(() => leaderNow() !== undefined, { withinMs: 2000, description: "a leader" });
  const leader = leaderNow()!;
  const others = ids.filter((id) => id !== leader);
  const majority = [leader, others[0], others[1]];
  const minority = [others[2], others[3]];
  sim.partition([[...majority, "cmaj"], [...minority, "cmin1", "cmin2"]]);
  faults.push(`t=${sim.now()}ms partition ${majority.join(",")},cmaj | ${minority.join(",")},cmin1,cmin2`);
  const partitionedAtMs = sim.now();
  let majorityCompleted = true;
  try {
    await sim.runUntilSettled(run("cmaj", "put", "1", "14").then(() => run("cmaj", "get", "1")), { withinMs: partitionMs });
  } catch {
    majorityCompleted = false;
  }
  void run("cmin1", "put", "1", "15");
  void run("cmin2", "get", "1");
  await sim.runUntilTime(partitionedAtMs + partitionMs);
  const minorityCompleted = done.filter((d) => d.atMs >= partitionedAtMs && (d.text.startsWith("cmin"))).map((d) => d.text);
  sim.heal();
  faults.push(`t=${sim.now()}ms heal`);
  await sim.runUntil(() => pending === 0, { withinMs: settleMs, throwOnTimeout: false, description: "the minority's operations complete" });
  let allCompleted = pending === 0;
  if (allCompleted) {
    try {
      await sim.runUntilSettled(run("cmaj", "get", "1"), { withinMs: settleMs });
    } catch {
      allCompleted = false;
    }
  }
  const history = recorder.history() as History;
  const check = checkLinearizability(history, kvModel(), { maxSteps: 200_000 });
  return { seed, sim, history, check, leader, majority, minority, minorityCompleted, majorityCompleted, allCompleted, faults };
}
