/**
 * Check of exercise 08.1, the primary–backup key–value store, graded the way DSLabs grades its lab
 * 2: each scenario runs the student's servers with the library's view service and three grader
 * clients (primary-backup-clients.ts) under one kind of fault, records the clients' history, and
 * checks it with the linearizability checker against the key–value model — an "unknown" verdict
 * (search budget used up) fails too. Safety is checked in every scenario; progress only once the
 * faults are over: every client must finish all its operations within {@link PROGRESS_MS} of the
 * last fault. Nine scenarios, {@link TRIALS_PER_SCENARIO} trials each per seed; latency 5–15 ms,
 * pingIntervalMs drawn per trial, names drawn per trial with bystanders spawned first:
 *
 * 1. no faults; 2. the primary crashes; 3. the backup crashes; 4. the primary crashes and restarts
 *    empty (it rejoins as backup), then the primary of that time crashes, so the restarted server
 *    serves with the state it was given; 5. an idle third server joins late, becomes backup when
 *    the backup crashes, then primary when the primary crashes; 6. the primary is cut off from the
 *    view service while one client reaches only it (it must not answer: no stale read, no lost
 *    write); 7. 10–20% message loss and duplication (pings spared); 8. three failovers in a row;
 *    9. clients that send every request twice and retry fast, duplication (late copies among the
 *    servers), a backup crash and then a primary crash.
 */
import { checkLinearizability, explainLinearizability, kvModel, type KvInput } from "../../../lib/check";
import { HistoryRecorder } from "../../../lib/history";
import { latency } from "../../../lib/net";
import type { Node } from "../../../lib/node";
import { viewService, type ViewServiceHandle } from "../../../lib/replication/view-service";
import { formatMs } from "../../../lib/sim";
import type { Simulation } from "../../../lib/simulation";
import { fail, graderRole, runScenarios, spawnBystanders, throwEarliest, type CheckResult, type Scenario, type Trial } from "../check";
import { exercise } from "../exercises";
import { attemptMessages, diagnose, graderClient, planClient, wrongReplyText, type ClientLog, type PlanOptions } from "./primary-backup-clients";

/** What exercises/08-redundancy-and-recovery/primary-backup.ts exports. */
export interface PrimaryBackupApi {
  primaryBackupServer(node: Node, options: { viewServer: string; pingIntervalMs: number }): void;
}

// tsc checks that the stub and the reference both have this API.
type Implements<T extends PrimaryBackupApi> = T;
export type StubImplementsPrimaryBackup = Implements<typeof import("../../../exercises/08-redundancy-and-recovery/primary-backup")>;
export type SolutionImplementsPrimaryBackup = Implements<typeof import("../../../solutions/08-redundancy-and-recovery/primary-backup")>;

/** The scenarios of the check. */
export const SCENARIOS = 9;
/**
 * Trials of each scenario per seed: 9 × 3 = 27 trials per seed, 135 over the 5 seeds. A bug that
 * shows in 5% of all trials passes them all with probability 0.95^135 < 0.001; each fault kind
 * gets 15 runs, and every run has 18–30 operations, each a chance to show it.
 */
export const TRIALS_PER_SCENARIO = 3;
/** Trials per seed, all scenarios together (what the meta tests count). */
export const TRIALS = SCENARIOS * TRIALS_PER_SCENARIO;

/** Once the last fault is over, every client must finish all its operations within this many ms. */
export const PROGRESS_MS = 2000;
export const PING_INTERVAL_MS_MIN = 40;
export const PING_INTERVAL_MS_MAX = 60;
/** The search budget of the linearizability checker (a trial needs a few hundred steps). */
export const CHECK_MAX_STEPS = 200_000;

const SERVER_NAMES = ["primary", "backup", "s1", "s2", "s3", "s4", "n1", "n2", "n3", "kv1", "kv2", "kv3"];
const VIEW_NAMES = ["vs", "viewservice", "view", "master"];
const CLIENT_NAMES = ["c1", "c2", "c3", "alice", "bob", "carol", "dave"];
const BYSTANDER_NAMES = ["x", "y", "z", "idle", "spare"];
const KEYS = ["x", "y", "k", "a", "key"];
const LETTERS = ["a", "b", "c", "d", "e", "f", "g", "h"];

/** What the trials met (the meta tests read it). */
export interface PrimaryBackupStats {
  trials: number;
  operations: number;
  completed: number;
  /** Views the view service went through beyond view 1, over all trials. */
  viewChanges: number;
  /** Trials of the cut-off scenario in which the old primary got a request while cut off. */
  cutOffRequests: number;
  /** The latest a client finished after the last fault, in ms. */
  finishAfterFaultMsMax: number;
}

/** A trial's choices. */
export interface Params {
  bystanders: string[];
  viewServer: string;
  servers: string[];
  pingIntervalMs: number;
  clients: ReturnType<typeof planClient>[];
  /** Scenario-specific times (ms) and probabilities. */
  faultMs: number;
  gapMs: number;
  probability: number;
  untilMs: number;
}

interface ScenarioShape {
  title: string;
  servers: [number, number];
  /** Servers (the last of the drawn ones) the fault script spawns itself, later. */
  lateServers?: number;
  plan: (rng: Trial["rng"], index: number) => Omit<PlanOptions, "keys">;
  /** Drive the faults (the clients run meanwhile); return the time the last fault ended. */
  faults: (run: Run) => Promise<number>;
}

/** A running trial, as a fault script sees it. */
interface Run {
  sim: Simulation;
  p: Params;
  vs: () => ViewServiceHandle;
  spawnServer: (id: string) => void;
  /** Run until `t` and then until the view is acknowledged and has a primary and a backup that are up. */
  stableAfter: (t: number) => Promise<boolean>;
  cutOff: { requests: number };
}

const normalPlan = (): Omit<PlanOptions, "keys"> => ({ opsMin: 6, opsMax: 10, getShare: 0.4, thinkMsMin: 10, thinkMsMax: 60, startMsMax: 50 });

const SHAPES: ScenarioShape[] = [
  {
    title: "no faults",
    servers: [2, 3],
    plan: normalPlan,
    faults: async () => 0,
  },
  {
    title: "the primary crashes (at a drawn time once the view has a backup)",
    servers: [2, 3],
    plan: normalPlan,
    faults: async (r) => {
      if (!(await r.stableAfter(r.p.faultMs))) return r.sim.now();
      r.sim.crash(r.vs().view().primary!);
      return r.sim.now();
    },
  },
  {
    title: "the backup crashes",
    servers: [2, 3],
    plan: normalPlan,
    faults: async (r) => {
      if (!(await r.stableAfter(r.p.faultMs))) return r.sim.now();
      r.sim.crash(r.vs().view().backup!);
      return r.sim.now();
    },
  },
  {
    title: "the primary crashes and restarts empty (it rejoins as backup), then the primary of that time crashes",
    servers: [2, 2],
    plan: () => ({ opsMin: 6, opsMax: 10, getShare: 0.4, thinkMsMin: 30, thinkMsMax: 90, startMsMax: 50 }),
    faults: async (r) => {
      if (!(await r.stableAfter(r.p.faultMs))) return r.sim.now();
      const first = r.vs().view().primary!;
      r.sim.crash(first);
      await r.sim.runFor(r.p.gapMs);
      r.sim.restart(first);
      const restartMs = r.sim.now();
      if (!(await r.stableAfter(restartMs + 4 * r.p.pingIntervalMs)) || r.vs().view().backup !== first) return r.sim.now();
      r.sim.crash(r.vs().view().primary!);
      return r.sim.now();
    },
  },
  {
    title: "an idle third server joins late; the backup crashes, so it becomes backup; then the primary crashes, so it serves",
    servers: [3, 3],
    lateServers: 1,
    plan: () => ({ opsMin: 6, opsMax: 10, getShare: 0.4, thinkMsMin: 30, thinkMsMax: 90, startMsMax: 50 }),
    faults: async (r) => {
      const third = r.p.servers[2];
      await r.sim.runFor(r.p.faultMs / 2);
      r.spawnServer(third);
      if (!(await r.stableAfter(r.p.faultMs))) return r.sim.now();
      r.sim.crash(r.vs().view().backup!);
      const crashMs = r.sim.now();
      if (!(await r.stableAfter(crashMs + 4 * r.p.pingIntervalMs)) || r.vs().view().backup !== third) return r.sim.now();
      r.sim.crash(r.vs().view().primary!);
      return r.sim.now();
    },
  },
  {
    title: "the primary is cut off from the view service and the other clients, one client (it reads, then appends and reads) from everyone but the old primary, for 500–900 ms",
    servers: [3, 3],
    plan: (rng, index) =>
      index === 0
        ? { opsMin: 8, opsMax: 10, getShare: 1, thinkMsMin: 60, thinkMsMax: 110, startMsMax: 30, readerThenWriter: true }
        : { opsMin: 6, opsMax: 10, getShare: 0.2, thinkMsMin: 30, thinkMsMax: 90, startMsMax: 50 },
    faults: async (r) => {
      if (!(await r.stableAfter(r.p.faultMs))) return r.sim.now();
      const old = r.vs().view().primary!;
      const lonely = r.p.clients[0].node;
      const cut = (a: string, b: string): void => {
        r.sim.cut(a, b);
        r.sim.cut(b, a);
      };
      cut(old, r.p.viewServer);
      cut(lonely, r.p.viewServer);
      for (const s of r.p.servers) if (s !== old) cut(lonely, s);
      for (const c of r.p.clients) if (c.node !== lonely) cut(c.node, old);
      const fromMs = r.sim.now();
      await r.sim.runFor(r.p.untilMs);
      r.sim.heal();
      const requests = r.sim.trace.events.filter((e) => e.kind === "deliver" && e.dest === old && e.src === lonely && e.timeMs > fromMs + 4 * r.p.pingIntervalMs);
      if (requests.length > 0) r.cutOff.requests++;
      return r.sim.now();
    },
  },
  {
    title: "message loss and duplication between clients and servers and among servers (pings and views spared), then a clean network",
    servers: [2, 3],
    plan: normalPlan,
    faults: async (r) => {
      const spared = (m: { body: { type?: unknown } }): boolean => m.body.type !== "ping" && m.body.type !== "view" && m.body.type !== "get_view";
      r.sim.addRule({ name: "loss", match: { where: spared }, action: "drop", probability: r.p.probability, fromMs: 0, toMs: r.p.untilMs });
      r.sim.addRule({ name: "duplication", action: "duplicate", delayMs: latency.uniform(0, 20), probability: r.p.probability, fromMs: 0, toMs: r.p.untilMs });
      await r.sim.runUntil(() => r.sim.now() >= r.p.untilMs, { withinMs: r.p.untilMs + 1, throwOnTimeout: false });
      return r.p.untilMs;
    },
  },
  {
    title: "three failovers in a row: the primary crashes, restarts a little later, and the next primary crashes",
    servers: [3, 3],
    plan: () => ({ opsMin: 8, opsMax: 10, getShare: 0.4, thinkMsMin: 60, thinkMsMax: 140, startMsMax: 50 }),
    faults: async (r) => {
      let last = r.p.faultMs;
      for (let round = 0; round < 3; round++) {
        if (!(await r.stableAfter(last))) return r.sim.now();
        const primary = r.vs().view().primary!;
        r.sim.crash(primary);
        await r.sim.runFor(r.p.gapMs);
        r.sim.restart(primary);
        last = r.sim.now() + 2 * r.p.pingIntervalMs;
      }
      return r.sim.now();
    },
  },
  {
    title:
      "clients send every request twice and retry after 50 ms; the network duplicates 20% of the messages, and 90% of those between servers " +
      "(20–100 ms late); the backup crashes (a new one gets the state), then the primary",
    servers: [3, 3],
    plan: () => ({ opsMin: 6, opsMax: 10, getShare: 0.3, thinkMsMin: 0, thinkMsMax: 40, startMsMax: 30, doubleSend: true, timeoutMs: 50 }),
    faults: async (r) => {
      const servers = new Set(r.p.servers);
      const amongServers = (m: { src: string; dest: string }): boolean => servers.has(m.src) && servers.has(m.dest);
      r.sim.addRule({ name: "duplication among servers", match: { where: amongServers }, action: "duplicate", delayMs: latency.uniform(20, 100), probability: 0.9, fromMs: 0, toMs: r.p.untilMs });
      r.sim.addRule({ name: "duplication", action: "duplicate", delayMs: latency.uniform(0, 30), probability: 0.2, fromMs: 0, toMs: r.p.untilMs });
      if (!(await r.stableAfter(r.p.faultMs))) return r.sim.now();
      r.sim.crash(r.vs().view().backup!);
      if (!(await r.stableAfter(r.sim.now() + 2 * r.p.pingIntervalMs))) return r.sim.now();
      await r.sim.runFor(r.p.gapMs / 2); // operations are forwarded to the new backup, late copies arrive
      if (!(await r.stableAfter(r.sim.now()))) return r.sim.now();
      r.sim.crash(r.vs().view().primary!);
      return Math.max(r.sim.now(), r.p.untilMs);
    },
  },
];

function drawParams(shape: ScenarioShape, trial: Trial): Params {
  const rng = trial.rng;
  const bystanders = rng.shuffle(BYSTANDER_NAMES).slice(0, rng.int(1, 3));
  const viewServer = rng.pick(VIEW_NAMES);
  const servers = rng.shuffle(SERVER_NAMES).slice(0, rng.int(shape.servers[0], shape.servers[1] + 1));
  const keys = rng.shuffle(KEYS).slice(0, 2);
  const letters = rng.shuffle(LETTERS);
  const clients = rng.shuffle(CLIENT_NAMES).slice(0, 3).map((node, i) => planClient(rng, node, letters[i], { ...shape.plan(rng, i), keys }));
  return {
    bystanders,
    viewServer,
    servers,
    pingIntervalMs: rng.int(PING_INTERVAL_MS_MIN / 5, PING_INTERVAL_MS_MAX / 5 + 1) * 5,
    clients,
    faultMs: rng.int(150, 350),
    gapMs: rng.int(100, 250),
    probability: rng.uniform(0.1, 0.2),
    untilMs: rng.int(500, 900),
  };
}

function scenarioOf(shape: ScenarioShape, number: number, stats?: PrimaryBackupStats): Scenario<PrimaryBackupApi, Params> {
  return {
    name: (p) =>
      `${number}. ${shape.title} — your servers ${p.servers.join(", ")}, the grader's view service ${p.viewServer} (pingIntervalMs=${p.pingIntervalMs}), ` +
      `the grader's clients ${p.clients.map((c) => `${c.node} (client "${c.token}", ${c.ops.length} ops)`).join(", ")}; latency 5–15 ms`,
    trials: TRIALS_PER_SCENARIO,
    params: (trial) => drawParams(shape, trial),
    simulation: { network: { latency: latency.uniform(5, 15), ordering: "unordered" } },
    lanes: (p) => [...p.clients.map((c) => c.node), p.viewServer, ...p.servers],
    run: async (sim, impl, p) => {
      spawnBystanders(sim, p.bystanders);
      let handle: ViewServiceHandle | undefined;
      sim.spawn(p.viewServer, (node) => void (handle = viewService(node, { pingIntervalMs: p.pingIntervalMs })), { role: graderRole("view-service") });
      const spawnServer = (id: string): void =>
        void sim.spawn(id, (node) => impl.primaryBackupServer(node, { viewServer: p.viewServer, pingIntervalMs: p.pingIntervalMs }), { role: "server" });
      const late = shape.lateServers ?? 0;
      for (const id of p.servers.slice(0, p.servers.length - late)) spawnServer(id);
      const recorder = new HistoryRecorder<KvInput, string>();
      const logs: ClientLog[] = p.clients.map((plan) => ({ plan, attempts: new Map(), completed: 0 }));
      p.clients.forEach((plan, i) => sim.spawn(plan.node, graderClient(plan, p.viewServer, p.pingIntervalMs, recorder, logs[i]), { role: graderRole("client") }));

      const vs = (): ViewServiceHandle => handle!;
      const stableAfter = async (t: number): Promise<boolean> => {
        const ready = (): boolean => {
          if (sim.now() < t) return false;
          const v = vs().view();
          return vs().acknowledged() && v.primary !== null && v.backup !== null && sim.isUp(v.primary) && sim.isUp(v.backup);
        };
        const result = await sim.runUntil(ready, { withinMs: Math.max(0, t - sim.now()) + PROGRESS_MS, throwOnTimeout: false });
        return result.stoppedBy === "predicate";
      };
      const cutOff = { requests: 0 };
      const lastFaultMs = await shape.faults({ sim, p, vs, spawnServer, stableAfter, cutOff });
      const deadlineMs = lastFaultMs + PROGRESS_MS;
      const allDone = (): boolean => logs.every((l) => l.finishedMs !== undefined || l.wrongReply !== undefined);
      await sim.runUntil(allDone, { withinMs: Math.max(0, deadlineMs - sim.now()), throwOnTimeout: false });
      await sim.runFor(3 * p.pingIntervalMs); // run past settle

      const events = sim.trace.events;
      const history = recorder.history();
      if (stats) {
        stats.trials++;
        stats.operations += history.operations.length;
        stats.completed += history.operations.filter((op) => op.completion === "ok").length;
        stats.viewChanges += Math.max(0, vs().views().length - 2);
        stats.cutOffRequests += cutOff.requests;
        for (const l of logs) if (l.finishedMs !== undefined) stats.finishAfterFaultMsMax = Math.max(stats.finishAfterFaultMsMax, l.finishedMs - lastFaultMs);
      }

      throwEarliest(
        logs.map((l) => () => {
          const wrong = wrongReplyText(events, l);
          if (wrong) fail(wrong.expected, wrong.got, { timeMs: l.wrongReply!.atMs, node: l.wrongReply!.attempt.dest, evidence: wrong.evidence });
        }),
        () => {
          const result = checkLinearizability(history, kvModel(), { maxSteps: CHECK_MAX_STEPS });
          if (result.verdict === "linearizable") return;
          const found = diagnose(history, logs, events, p.viewServer, p.servers);
          const blocked = result.violation?.blocked;
          let evidence = found?.evidence ?? [];
          if (found === undefined && blocked !== undefined) {
            const log = logs.find((l) => l.attempts.has(blocked.id));
            const last = log?.attempts.get(blocked.id)?.slice(-1)[0];
            if (log && last) {
              const { request, reply } = attemptMessages(events, log.plan.node, last);
              evidence = [request, reply].flatMap((m) => (m ? [m.send.id] : []));
            }
          }
          fail(
            "a linearizable history: every operation takes effect once, at one instant between its first send and its answer (key–value model: a get returns what the puts and appends before it made)",
            `${found ? `${found.text}. ` : ""}${explainLinearizability(result)}`,
            { timeMs: found?.timeMs ?? blocked?.completeMs ?? sim.now(), node: blocked?.process, evidence },
          );
        },
        logs.map((l) => () => {
          if (l.finishedMs !== undefined && l.finishedMs <= deadlineMs) return;
          if (l.wrongReply !== undefined) return;
          const open = history.operations.find((op) => op.process === l.plan.node && op.completion !== "ok");
          const attempts = open ? (l.attempts.get(open.id) ?? []) : [];
          const tail = attempts.slice(-3).map((a) => `${a.msgId}→${a.dest}`).join(", ");
          const v = vs().view();
          fail(
            `every client done within ${PROGRESS_MS} ms of ${lastFaultMs === 0 ? "the start (no faults)" : `the last fault (t=${formatMs(lastFaultMs)})`}, i.e. by t=${formatMs(deadlineMs)}: ${l.plan.node} has ${l.plan.ops.length} operations`,
            `${l.plan.node} had ${l.completed} of them answered by t=${formatMs(Math.min(sim.now(), deadlineMs))}` +
              (open ? `; its ${open.f}(${JSON.stringify(open.input.key)}${open.input.value ? `, ${JSON.stringify(open.input.value)}` : ""}), sent first at t=${formatMs(open.invokeMs)}, got no answer in ${attempts.length} attempts (last ones msg_id→server: ${tail})` : "") +
              `; the view service's view: ${v.viewNum} (primary ${v.primary ?? "none"}, backup ${v.backup ?? "none"}${vs().acknowledged() ? ", acknowledged" : ", not acknowledged by its primary"})`,
            { timeMs: deadlineMs, node: l.plan.node, evidence: attempts.slice(-2).flatMap((a) => attemptMessages(events, l.plan.node, a).request?.send.id ?? []) },
          );
        }),
      );
    },
  };
}

/**
 * Grade `primaryBackupServer` with one seed.
 *
 * @example
 * const result = await checkPrimaryBackup(await loadTarget<PrimaryBackupApi>("08-redundancy-and-recovery/primary-backup"), 7);
 */
export function checkPrimaryBackup(impl: PrimaryBackupApi, seed: number, stats?: PrimaryBackupStats): Promise<CheckResult> {
  const scenarios = SHAPES.map((shape, i) => scenarioOf(shape, i + 1, stats));
  return runScenarios(impl, seed, scenarios, { functions: ["primaryBackupServer"], exercise: "08.1 primary-backup" });
}
