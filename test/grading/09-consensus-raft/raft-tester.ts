/**
 * The Raft graders' tester (09A–09C, 09E), in the spirit of 6.5840's config.go: spawn a cluster of
 * the student's servers and/or the grader's reference servers on chosen ids, check Raft's safety
 * after every event (`RaftMonitor`, and every apply against every other server's), and script
 * faults and outcomes in a few lines — `checkOneLeader`, `checkNoLeader`, `checkTerms`,
 * `one(cmd, expectedServers, retry)`, `nCommitted`, `disconnect` / `connect`, `partition`,
 * `crash` / `restart`, and the RPCs and bytes each server sent.
 *
 * A grader builds its scenarios with {@link raftScenario}: the scenario's `run` receives a
 * {@link RaftTester}; a safety violation (seen after the event that caused it) becomes a failure
 * "Raft's safety properties … ; got …" at that virtual time, liveness is checked only by the
 * helpers a scenario calls after it healed the network, and every failure is in the harness's
 * expected / got form with the servers' roles and terms.
 *
 * Messages and bytes are counted from the Readies the host sends (`ready.messages`, JSON bytes of
 * each body), per server over all its incarnations: the same figures as the trace's send events,
 * without reading a bounded trace.
 *
 * @example
 * const scenario = raftScenario({
 *   name: "initial election, 3 servers",
 *   servers: 3,
 *   run: async (t) => {
 *     await t.checkOneLeader();
 *     const term = t.checkTerms();
 *     await t.run(2 * RAFT_MS.electionMsMax);
 *     if (t.checkTerms() !== term) t.fail(`term ${term} kept without failures`, t.describe());
 *   },
 * });
 */
import { latency } from "../../../lib/net";
import type { Node } from "../../../lib/node";
import {
  raftNode,
  raftReference,
  RaftMonitor,
  type RaftApplyMsg,
  type RaftHandle,
  type RaftImplementation,
  type RaftNodeOptions,
  type RaftReady,
  type RaftState,
} from "../../../lib/raft/index";
import { formatMs } from "../../../lib/sim";
import { InvariantViolation, type Simulation } from "../../../lib/simulation";
import { Expectation, fail, graderRole, spawnBystanders, type Scenario, type ScenarioSimulation, type Trial } from "../check";

/** What exercises/09-consensus-raft/raft.ts exports. */
export interface RaftApi {
  raft: RaftImplementation;
}

// tsc checks that the stub and the reference both have this API.
type Implements<T extends RaftApi> = T;
export type StubImplementsRaft = Implements<typeof import("../../../exercises/09-consensus-raft/raft")>;
export type SolutionImplementsRaft = Implements<typeof import("../../../solutions/09-consensus-raft/raft")>;

/**
 * The timing every Raft scenario gives each server: ticks of 20 ms, election timeouts 5–10 ticks
 * (100–200 ms), heartbeats every 2 ticks (40 ms). 6.5840 asks for heartbeats ≤ 10 per second and
 * timeouts that still elect within 5 s because its RPCs are real; ours are virtual, and every tick
 * is an event, so coarse ticks and short timeouts keep each trial small (latency is 1–5 ms, well
 * below a heartbeat).
 */
export const RAFT_TIMING = { tickMs: 20, electionTicksMin: 5, electionTicksMax: 10, heartbeatTicks: 2 } as const;
/** The same in ms, for waits. */
export const RAFT_MS = {
  electionMsMin: RAFT_TIMING.tickMs * RAFT_TIMING.electionTicksMin,
  electionMsMax: RAFT_TIMING.tickMs * RAFT_TIMING.electionTicksMax,
  heartbeatMs: RAFT_TIMING.tickMs * RAFT_TIMING.heartbeatTicks,
} as const;
/** A leader must be elected within this long (6.5840: five seconds). */
export const ELECTION_WITHIN_MS = 5000;
/** `one()` gives up after this long (6.5840: 10 s with retry, 2 s per attempt). */
export const ONE_WITHIN_MS = 10_000;
/** Latency of the scenarios' network (6.5840's reliable net: short random delays). */
export const RAFT_LATENCY = latency.uniform(1, 5);
/** Trace kept per scenario run: the last this many events (the failure diagram shows the end). */
export const RAFT_TRACE_EVENTS_MAX = 3000;

/** Names of servers, drawn per trial (the notebook's n1…n5 among them), so that no name can be hard-coded. */
export const RAFT_NAMES = ["n1", "n2", "n3", "n4", "n5", "n6", "n7", "s1", "s2", "s3", "a", "b", "c", "d", "e", "raft-1", "raft-2"];

/** Messages (and their JSON bytes) one server has sent, by type. */
export interface RpcCounts {
  total: number;
  bytes: number;
  byType: Record<string, number>;
  /** append_entries_resp with success false (rejected by the consistency check, or of an old term). */
  appendRejections: number;
}

/** Options of {@link raftTester}. */
export interface RaftTesterOptions {
  /** The servers' ids. */
  ids: readonly string[];
  /** Which of them run the student's Raft (default: all); the others run `raftReference`, with role `grader-raft`. */
  student?: readonly string[];
  /** Extra `raftNode` options for every server (snapshotEntriesMax, leaderNoop, timing overrides…). */
  node?: Partial<Omit<RaftNodeOptions, "peers" | "implementation" | "onApply">>;
  /** Spawn options (e.g. `disk: "buffered"`). */
  disk?: "durable" | "buffered";
  /** Called with every message applied (after the tester's checks). */
  onApply?: (msg: RaftApplyMsg, node: Node) => void;
}

/** The cluster under test and 6.5840's helpers. */
export interface RaftTester {
  readonly sim: Simulation;
  readonly ids: readonly string[];
  readonly studentIds: readonly string[];
  readonly graderIds: readonly string[];
  readonly monitor: RaftMonitor;
  /** The live incarnation's handle (undefined while crashed). */
  handle(id: string): RaftHandle | undefined;
  /** States of the live servers. */
  states(): Record<string, RaftState>;
  /** Is the server connected (not disconnected by `disconnect` / left out by `partition`)? */
  isConnected(id: string): boolean;
  connectedIds(): string[];
  /** 6.5840's disconnect(i): no message to or from it gets through. */
  disconnect(id: string): void;
  /** 6.5840's connect(i). */
  connect(id: string): void;
  /** Connect every server again (and end a partition). */
  connectAll(): void;
  /** Split the servers into groups that talk only among themselves (every server then counts as connected). */
  partition(groups: string[][]): void;
  /** 6.5840's crash1(i): the server stops; its storage stays; what it applied stays recorded. */
  crash(id: string): void;
  /** 6.5840's start1(i): a new incarnation from storage. */
  restart(id: string): void;
  /** Run for `ms` of virtual time; a safety violation fails the scenario. */
  run(ms: number): Promise<void>;
  /** Run until `predicate` holds or `withinMs` passed; says whether it held. */
  runUntil(predicate: () => boolean, withinMs: number): Promise<boolean>;
  /** 6.5840's checkOneLeader: runs until exactly one connected live server leads the highest term among the connected, within `withinMs`; its id. */
  checkOneLeader(withinMs?: number): Promise<string>;
  /** 6.5840's checkNoLeader: no connected live server is leader now (call after waiting an election timeout or more). */
  checkNoLeader(why: string): void;
  /** 6.5840's checkTerms: every connected live server is in the same term; that term. */
  checkTerms(): number;
  /** How many servers have applied `index`, and the command (the apply check already failed any disagreement). */
  nCommitted(index: number): { count: number; command: unknown };
  /**
   * 6.5840's one(cmd, expectedServers, retry): propose at each connected live server in turn until
   * one accepts it as leader, then wait up to 2 s for `expectedServers` to apply it at that index;
   * with `retry`, try again (another leader) until `withinMs`; its index.
   */
  one(command: unknown, expectedServers: number, retry: boolean, withinMs?: number): Promise<number>;
  /** 6.5840's wait(index, n, startTerm): run until `n` servers applied `index` (undefined if a leader's term passed `startTerm` first); its command. */
  wait(index: number, n: number, startTerm: number, withinMs?: number): Promise<unknown>;
  /** Messages each server sent (all incarnations), counted as its host sent them. */
  rpcs(id?: string): RpcCounts;
  /** `"n1 leader term 3, n2 follower term 3 (disconnected), n3 crashed"`: for got-texts. */
  describe(): string;
  /** Fail (expected / got, at the current time; `evidence`: wire ids of the messages it is about, marked ★ in the diagram). */
  fail(expected: string, got: string, node?: string, evidence?: readonly number[]): never;
}

const TERM_NAME: Record<string, string> = { follower: "follower", candidate: "candidate", leader: "leader" };

function emptyCounts(): RpcCounts {
  return { total: 0, bytes: 0, byType: {}, appendRejections: 0 };
}

function utf8Bytes(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? (i++, 4) : 3;
  }
  return n;
}

/** What is wrong with a state the checkers must read (`RaftView`'s fields), if anything. */
function stateShapeProblem(s: RaftState): string | undefined {
  if (s === null || typeof s !== "object") return `got ${JSON.stringify(s)}`;
  if (s.role !== "follower" && s.role !== "candidate" && s.role !== "leader") return `role is ${JSON.stringify(s.role)} (expected "follower", "candidate" or "leader")`;
  for (const key of ["currentTerm", "commitIndex", "lastApplied", "snapshotIndex", "snapshotTerm"] as const) {
    if (typeof s[key] !== "number") return `${key} is ${JSON.stringify(s[key])} (expected a number)`;
  }
  if (!Array.isArray(s.log)) return `log is ${JSON.stringify(s.log)} (expected an array of { index, term, command } after the snapshot)`;
  const first = s.log[0];
  if (first !== undefined && (typeof first !== "object" || first.index !== s.snapshotIndex + 1 || typeof first.term !== "number")) {
    return `log[0] is ${JSON.stringify(first)} (expected { index: snapshotIndex + 1 = ${s.snapshotIndex + 1}, term, command })`;
  }
  return undefined;
}

/** Count what a Ready sends (the host sends exactly `ready.messages`). */
function counting(impl: RaftImplementation, counts: RpcCounts): RaftImplementation {
  const count = (ready: RaftReady): RaftReady => {
    for (const m of ready?.messages ?? []) {
      const type = String((m.body as { type?: unknown })?.type);
      counts.total++;
      counts.byType[type] = (counts.byType[type] ?? 0) + 1;
      counts.bytes += utf8Bytes(JSON.stringify(m.body) ?? "");
      if (type === "append_entries_resp" && (m.body as { success?: unknown }).success === false) counts.appendRejections++;
    }
    return ready;
  };
  const machine = impl.machine;
  return {
    machine: {
      ...machine,
      messageTypes: machine.messageTypes,
      init: (ctx) => machine.init(ctx),
      restore: machine.restore === undefined ? undefined : (ctx, disk) => machine.restore!(ctx, disk),
      step: (s, m) => count(machine.step(s, m)),
      tick: (s) => count(machine.tick(s)),
    },
    propose(s, command) {
      const r = impl.propose(s, command);
      count(r?.ready);
      return r;
    },
    snapshot: (s, index, data) => count(impl.snapshot(s, index, data)),
  };
}

/**
 * Spawn the cluster in `sim` and return the tester. Every server's peers are the others; student
 * servers run `impl`, the others the reference (role `grader-raft`: their errors are not the
 * student's, but an error of theirs caused by a student's message fails the scenario). After every
 * event the tester checks `RaftMonitor` over the live servers and every apply (in index order per
 * incarnation; at one index, one command on every server).
 *
 * @example
 * const t = raftTester(sim, impl.raft, { ids: ["n1", "n2", "n3"], student: ["n1", "n2"] });
 * const leader = await t.checkOneLeader();
 */
export function raftTester(sim: Simulation, impl: RaftImplementation, options: RaftTesterOptions): RaftTester {
  const ids = options.ids.slice();
  const studentIds = (options.student ?? ids).slice();
  const graderIds = ids.filter((id) => !studentIds.includes(id));
  const handles = new Map<string, RaftHandle>();
  const applied = new Map<string, Map<number, unknown>>();
  /** Per index: how many servers applied it, and the first one's command (JSON). */
  const appliedCount = new Map<number, { count: number; key: string; command: unknown }>();
  const counts = new Map<string, RpcCounts>();
  const disconnected = new Set<string>();
  const monitor = new RaftMonitor();
  let applyProblem: { text: string; node: string } | undefined;
  const shapeChecked = new WeakSet<object>();
  let errorsSeen = 0;

  for (const id of ids) {
    applied.set(id, new Map());
    counts.set(id, emptyCounts());
    const mine = studentIds.includes(id);
    const implementation = counting(mine ? impl : raftReference, counts.get(id)!);
    sim.spawn(
      id,
      (node: Node) => {
        const record = applied.get(id)!;
        let next = 1; // the index this incarnation must apply next
        const h = raftNode(node, {
          ...RAFT_TIMING,
          ...options.node,
          peers: ids.filter((p) => p !== id),
          implementation,
          onApply: (m, n) => {
            if (applyProblem === undefined) {
              if (m.kind === "snapshot") next = m.index + 1;
              else if (m.index !== next) {
                applyProblem = { node: id, text: `${id} applied index ${m.index} (${JSON.stringify(m.command)}) when index ${next} was next: applies must come in index order, each once` };
              } else {
                next++;
                for (const other of ids) {
                  const theirs = applied.get(other)!;
                  if (other !== id && theirs.has(m.index) && JSON.stringify(theirs.get(m.index)) !== JSON.stringify(m.command)) {
                    applyProblem = {
                      node: id,
                      text: `state machine safety: ${id} applied ${JSON.stringify(m.command)} at index ${m.index}, but ${other} applied ${JSON.stringify(theirs.get(m.index))} there`,
                    };
                  }
                }
                if (!record.has(m.index)) {
                  const c = appliedCount.get(m.index);
                  if (c === undefined) appliedCount.set(m.index, { count: 1, key: JSON.stringify(m.command), command: m.command });
                  else c.count++;
                }
                record.set(m.index, m.command);
              }
            }
            options.onApply?.(m, n);
          },
        });
        handles.set(id, h);
      },
      { role: mine ? "raft" : graderRole("raft"), disk: options.disk },
    );
  }

  const live = (id: string): RaftHandle | undefined => {
    const h = handles.get(id);
    return h !== undefined && h.node.isAlive() ? h : undefined;
  };
  const states = (): Record<string, RaftState> => {
    const out: Record<string, RaftState> = {};
    for (const id of ids) {
      const h = live(id);
      if (h) out[id] = h.state();
    }
    return out;
  };

  sim.invariant("raft safety", () => {
    if (applyProblem !== undefined) return applyProblem.text;
    if (sim.counters.errors !== errorsSeen) {
      // An error at a grader's server: a student's message it could not take (a student's own errors fail the run anyway).
      errorsSeen = sim.counters.errors;
      const events = sim.trace.events;
      for (let i = events.length - 1; i >= 0 && i >= events.length - 50; i--) {
        const e = events[i];
        if (e.kind === "error" && graderIds.includes(e.node)) return `the grader's server ${e.node} could not handle a message: ${e.message}`;
      }
    }
    const all = states();
    for (const id of studentIds) {
      const st = all[id];
      if (st === undefined || shapeChecked.has(st)) continue;
      const wrong = stateShapeProblem(st);
      if (wrong !== undefined) return `the state your machine returned on ${id} is not a RaftState: ${wrong}`;
      shapeChecked.add(st);
    }
    const v = monitor.observe(all);
    return v.length === 0 ? true : v.join("; ");
  });

  const describe = (): string =>
    ids
      .map((id) => {
        const h = live(id);
        if (h === undefined) return `${id} crashed`;
        const s = h.state();
        const last = s.log.length > 0 ? s.log[s.log.length - 1].index : s.snapshotIndex;
        return `${id} ${TERM_NAME[s.role] ?? String(s.role)} term ${s.currentTerm} log ${last} commit ${s.commitIndex}${disconnected.has(id) ? " (disconnected)" : ""}`;
      })
      .join(", ");

  const failNow = (expected: string, got: string, node?: string, evidence?: readonly number[]): never => fail(expected, got, { timeMs: sim.now(), node, evidence });

  const safely = async <T>(action: () => Promise<T>): Promise<T> => {
    try {
      return await action();
    } catch (error) {
      if (error instanceof InvariantViolation) throw safetyFailure(sim, error, describe(), applyProblem?.node);
      throw error;
    }
  };

  const connectedIds = (): string[] => ids.filter((id) => !disconnected.has(id));

  /** The unique leader of the highest leader term among connected live servers, or why there is none. */
  const leaderNow = (): { leader?: string; problem?: string } => {
    const byTerm = new Map<number, string[]>();
    for (const id of connectedIds()) {
      const s = live(id)?.state();
      if (s !== undefined && s.role === "leader") byTerm.set(s.currentTerm, [...(byTerm.get(s.currentTerm) ?? []), id]);
    }
    if (byTerm.size === 0) return { problem: "no leader" };
    const top = Math.max(...byTerm.keys());
    const leaders = byTerm.get(top)!;
    if (leaders.length > 1) return { problem: `term ${top} has ${leaders.length} leaders (${leaders.join(", ")})` };
    return { leader: leaders[0] };
  };

  const tester: RaftTester = {
    sim,
    ids,
    studentIds,
    graderIds,
    monitor,
    handle: live,
    states,
    isConnected: (id) => !disconnected.has(id),
    connectedIds,
    disconnect(id) {
      disconnected.add(id);
      sim.isolate(id);
    },
    connect(id) {
      disconnected.delete(id);
      sim.heal({ node: id });
    },
    connectAll() {
      disconnected.clear();
      sim.heal();
    },
    partition(groups) {
      disconnected.clear();
      sim.heal();
      sim.partition(groups);
    },
    crash(id) {
      sim.crash(id);
    },
    restart(id) {
      sim.restart(id);
    },
    run: (ms) => safely(async () => void (await sim.runFor(ms))),
    runUntil: (predicate, withinMs) =>
      safely(async () => {
        await sim.runUntil(predicate, { withinMs, throwOnTimeout: false });
        return predicate();
      }),
    async checkOneLeader(withinMs = ELECTION_WITHIN_MS) {
      const start = sim.now();
      const ok = await tester.runUntil(() => leaderNow().leader !== undefined, withinMs);
      if (!ok) {
        failNow(
          `one leader among the connected servers ${connectedIds().join(", ")} within ${withinMs} ms (from t=${formatMs(start)})`,
          `${leaderNow().problem} at t=${formatMs(sim.now())}: ${describe()}`,
        );
      }
      return leaderNow().leader!;
    },
    checkNoLeader(why) {
      for (const id of connectedIds()) {
        const s = live(id)?.state();
        if (s?.role === "leader") failNow(`no leader among the connected servers ${connectedIds().join(", ")} (${why})`, `${id} is leader of term ${s.currentTerm} at t=${formatMs(sim.now())}: ${describe()}`, id);
      }
    },
    checkTerms() {
      let term = -1;
      for (const id of connectedIds()) {
        const s = live(id)?.state();
        if (s === undefined) continue;
        if (term === -1) term = s.currentTerm;
        else if (s.currentTerm !== term) failNow(`every connected server in the same term once a leader is elected`, `${describe()} at t=${formatMs(sim.now())}`, id);
      }
      return term;
    },
    nCommitted(index) {
      const c = appliedCount.get(index);
      return c === undefined ? { count: 0, command: undefined } : { count: c.count, command: c.command };
    },
    async one(command, expectedServers, retry, withinMs = ONE_WITHIN_MS) {
      const start = sim.now();
      const key = JSON.stringify(command);
      let starts = 0;
      let last = "no connected server accepted the command as leader";
      let at = 0;
      while (sim.now() - start < withinMs) {
        let index = -1;
        let leader = "";
        let term = -1;
        for (let k = 0; k < ids.length; k++) {
          at = (at + 1) % ids.length;
          const id = ids[at];
          const h = live(id);
          if (h === undefined || disconnected.has(id)) continue;
          const r = h.propose(command);
          if (r?.kind === "accepted") {
            index = r.index;
            leader = id;
            term = r.term;
            starts++;
            break;
          }
        }
        if (index === -1) {
          await tester.run(100);
          continue;
        }
        const agreed = (): boolean => {
          const c = appliedCount.get(index);
          return c !== undefined && c.count >= expectedServers && c.key === key;
        };
        // With retry, stop waiting once that leader is deposed (6.5840 waits the 2 s out: the same, slower).
        const deposed = (): boolean => {
          const s = live(leader)?.state();
          return s === undefined || s.role !== "leader" || s.currentTerm !== term;
        };
        if (await tester.runUntil(retry ? () => agreed() || deposed() : agreed, 2000)) {
          if (agreed()) return index;
          await tester.run(RAFT_TIMING.tickMs);
          if (agreed()) return index;
          continue;
        }
        const c = tester.nCommitted(index);
        last = `after a leader accepted it at index ${index}, ${c.count} server(s) applied index ${index}${c.count > 0 ? ` (${JSON.stringify(c.command)})` : ""} within 2000 ms`;
        if (!retry) break;
        await tester.run(50);
      }
      return failNow(
        `one(${key}): ${expectedServers} server(s) apply it within ${retry ? `${withinMs} ms, retrying at the current leader` : "2000 ms"}${expectedServers > 1 ? "" : ""}`,
        `${last}; proposals accepted: ${starts}; at t=${formatMs(sim.now())}: ${describe()}`,
      );
    },
    async wait(index, n, startTerm, withinMs = 10_000) {
      let stale = false;
      const done = (): boolean => {
        if (tester.nCommitted(index).count >= n) return true;
        for (const s of Object.values(states())) if (s.currentTerm > startTerm) stale = true;
        return stale;
      };
      const ok = await tester.runUntil(done, withinMs);
      const c = tester.nCommitted(index);
      if (c.count >= n) return c.command;
      if (stale) return undefined;
      if (!ok) failNow(`${n} server(s) apply index ${index} within ${withinMs} ms`, `${c.count} did, at t=${formatMs(sim.now())}: ${describe()}`);
      return undefined;
    },
    rpcs(id) {
      if (id !== undefined) return counts.get(id) ?? emptyCounts();
      const all = emptyCounts();
      for (const c of counts.values()) {
        all.total += c.total;
        all.bytes += c.bytes;
        all.appendRejections += c.appendRejections;
        for (const [type, n] of Object.entries(c.byType)) all.byType[type] = (all.byType[type] ?? 0) + n;
      }
      return all;
    },
    describe,
    fail: failNow,
  };
  return tester;
}

/** What every safety failure expects. */
export const SAFETY_EXPECTED =
  "Raft's safety properties after every event (election safety, log matching, leader completeness, state machine safety, commit index never going back)";

/** The violation as a failure; the message whose delivery (at this instant) led to it is the evidence. */
function safetyFailure(sim: Simulation, error: InvariantViolation, servers: string, node?: string): Expectation {
  const events = sim.trace.events;
  let cause: { id: number; dest: string } | undefined;
  for (let i = events.length - 1; i >= 0 && i >= events.length - 30; i--) {
    const e = events[i];
    if (e.timeMs < sim.now()) break;
    if (e.kind === "deliver") {
      cause = { id: e.id, dest: e.dest };
      break;
    }
  }
  return new Expectation(SAFETY_EXPECTED, `${error.problem} (at t=${formatMs(sim.now())}; ${servers})`, {
    timeMs: sim.now(),
    node: node ?? cause?.dest,
    evidence: cause === undefined ? undefined : [cause.id],
  });
}

/** The trial's servers: names drawn from {@link RAFT_NAMES}, and which run the student's code. */
export interface RaftTrialParams {
  ids: string[];
  student: string[];
  /** A node the grader spawns first that takes no part (a message to it fails the run). */
  bystander: string;
}

/**
 * Draw `n` server names, a bystander, and who runs the student's code. `mix`: `"all"` — every
 * server is the student's; `"mixed"` — trial by trial, every server (trials 0, 3, 6, …), all but one
 * (1, 4, …) or a bare majority (2, 5, …) are the student's, the rest the grader's reference, so each
 * role also meets a counterpart the grader controls.
 *
 * @example drawServers(trial, 5, "mixed") // { ids: ["c", "n3", …], student: ["c", "n3", "a"], bystander: "s2" }
 */
export function drawServers(trial: Trial, n: number, mix: "all" | "mixed"): RaftTrialParams {
  const names = trial.rng.shuffle(RAFT_NAMES.slice());
  const ids = names.slice(0, n);
  const bystander = names[n];
  let studentCount = n;
  if (mix === "mixed") studentCount = [n, n - 1, Math.floor(n / 2) + 1][trial.index % 3];
  const student = trial.rng.shuffle(ids.slice()).slice(0, Math.max(1, studentCount));
  return { ids, student, bystander };
}

/** A Raft scenario as the graders write it. */
export interface RaftScenarioSpec<P> {
  name: string | ((p: RaftTrialParams & P) => string);
  trials?: number;
  /** Number of servers. */
  servers: number;
  /** Who runs the student's code (default "mixed"). */
  mix?: "all" | "mixed";
  /** Extra per-trial choices. */
  params?: (trial: Trial) => P;
  /** Network and simulation options (default: latency 1–5 ms, reliable; trace bounded). */
  simulation?: ScenarioSimulation | ((p: RaftTrialParams & P) => ScenarioSimulation);
  /** raftTester options besides ids/student. */
  tester?: Omit<RaftTesterOptions, "ids" | "student"> | ((p: RaftTrialParams & P) => Omit<RaftTesterOptions, "ids" | "student">);
  run(t: RaftTester, p: RaftTrialParams & P, trial: Trial): Promise<void>;
}

/**
 * A `Scenario` of the grading kit for a Raft cluster: draws the servers, spawns a bystander and the
 * cluster with {@link raftTester}, runs `spec.run` and turns a safety violation into a failure.
 *
 * @example
 * runScenarios(api, seed, [raftScenario({ name: "initial election", servers: 3, run: async (t) => void (await t.checkOneLeader()) })], { exercise: "09A leader-election" });
 */
export function raftScenario<P = object>(spec: RaftScenarioSpec<P>): Scenario<RaftApi, RaftTrialParams & P> {
  return {
    name: spec.name,
    trials: spec.trials,
    params: (trial) => ({ ...drawServers(trial, spec.servers, spec.mix ?? "mixed"), ...(spec.params?.(trial) ?? ({} as P)) }),
    simulation: (p) => {
      const extra = typeof spec.simulation === "function" ? spec.simulation(p) : spec.simulation;
      return { network: { latency: RAFT_LATENCY }, trace: { eventsMax: RAFT_TRACE_EVENTS_MAX }, ...extra };
    },
    lanes: (p) => p.ids,
    run: async (sim, api, p, trial) => {
      spawnBystanders(sim, [p.bystander]);
      const raft = api.raft;
      if (raft === undefined || typeof raft !== "object" || raft.machine === undefined) {
        fail("the module to export raft: RaftImplementation ({ machine, propose, snapshot })", `raft is ${raft === undefined ? "not exported" : typeof raft}`);
      }
      const extra = typeof spec.tester === "function" ? spec.tester(p) : spec.tester;
      const t = raftTester(sim, raft, { ...extra, ids: p.ids, student: p.student });
      try {
        await spec.run(t, p, trial);
      } catch (error) {
        // A violation met in a plain sim.runFor / sim.runUntil of the scenario's own.
        if (error instanceof InvariantViolation) throw safetyFailure(sim, error, t.describe());
        throw error;
      }
    },
  };
}
