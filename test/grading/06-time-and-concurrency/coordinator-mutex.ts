/**
 * Check of exercise 06.2 coordinator mutex. Three scenarios, each {@link TRIALS} trials per seed:
 * the student's coordinator with the grader's clients (random msg_ids from a small range that the
 * clients share), the student's clients with the grader's coordinator (a correct FIFO one), and
 * both of the student's together. {@link CLIENTS_MIN}–{@link CLIENTS_MAX} clients each acquire
 * {@link CYCLES_MIN}–{@link CYCLES_MAX} times (think 0–{@link THINK_MS_MAX} ms, hold
 * {@link HOLD_MS_MIN}–{@link HOLD_MS_MAX} ms, then release); bystanders are spawned first and names
 * are drawn per trial; FIFO links without loss, latency 5–25 ms, {@link TRIAL_MS} ms per trial
 * (well past the last release).
 *
 * Rules: a `sim.invariant` checked after every event says that at most one client holds the lock
 * (from the lock_grant's arrival at a grader client, or from acquire() resolving at a student's,
 * until it releases). On the trace: the coordinator sends only lock_grants, each answering (dest,
 * in_reply_to) a lock_request that arrived and was not granted yet, and always the oldest such
 * request (grants in arrival order); every lock_request that arrived is granted; a student client
 * sends only lock_request / lock_release to its coordinator; every acquire() resolves, after a
 * lock_grant answering one of its client's requests arrived (one grant per acquisition).
 *
 * What the rules separate (test/meta/06-time-and-concurrency.test.ts): a coordinator that grants
 * every request, pops the newest request, forgets to grant on release, or grants to the releaser;
 * a client that does not wait for the grant, or never sends its release.
 */
import { latency } from "../../../lib/net";
import type { Message, Node } from "../../../lib/node";
import { formatMs } from "../../../lib/sim";
import type { Simulation } from "../../../lib/simulation";
import type { TraceEvent } from "../../../lib/trace";
import { fail, graderRole, runScenarios, spawnBystanders, throwEarliest, trialsPerSeed, type CheckResult, type Scenario, type Trial } from "../check";
import { exercise } from "../exercises";
import { describeMessage, sentMessages, type SentMessage } from "../messages";

/** What exercises/06-time-and-concurrency/coordinator-mutex.ts exports. */
export interface CoordinatorMutexApi {
  coordinator(node: Node): void | Promise<void>;
  mutexClient(node: Node, coordinatorId: string): { acquire(): Promise<void>; release(): void };
}

// tsc checks that the stub and the reference both have this API.
type Implements<T extends CoordinatorMutexApi> = T;
export type StubImplementsCoordinatorMutex = Implements<typeof import("../../../exercises/06-time-and-concurrency/coordinator-mutex")>;
export type SolutionImplementsCoordinatorMutex = Implements<typeof import("../../../solutions/06-time-and-concurrency/coordinator-mutex")>;

/** Trials per seed of each scenario: with the exercise's seeds, ≥ 135 in all (see check.ts). */
export const TRIALS = trialsPerSeed(exercise("06.2").seeds.length);

export const CLIENTS_MIN = 3;
export const CLIENTS_MAX = 5;
export const CYCLES_MIN = 2;
export const CYCLES_MAX = 4;
export const THINK_MS_MAX = 60;
export const HOLD_MS_MIN = 5;
export const HOLD_MS_MAX = 40;
export const TRIAL_MS = 3000;

const NAMES = ["coordinator", "coord", "a", "b", "c", "d", "p1", "p2", "p3", "n1", "n2", "x", "y"];

/** Whose code plays each role. */
type Cast = "your-coordinator" | "your-clients" | "yours";

interface Params {
  cast: Cast;
  coordinator: string;
  clients: string[];
  bystanders: string[];
  /** Per client: think and hold times of each acquisition. */
  cycles: Map<string, Array<{ thinkMs: number; holdMs: number }>>;
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

function params(cast: Cast): (trial: Trial) => Params {
  return (trial) => {
    const rng = trial.rng;
    const names = rng.shuffle(NAMES);
    const bystanders = names.slice(0, rng.int(1, 3));
    const coordinator = names[bystanders.length];
    const clients = names.slice(bystanders.length + 1, bystanders.length + 1 + rng.int(CLIENTS_MIN, CLIENTS_MAX + 1));
    const cycles = new Map(
      clients.map((c) => [c, Array.from({ length: rng.int(CYCLES_MIN, CYCLES_MAX + 1) }, () => ({ thinkMs: round(rng.uniform(0, THINK_MS_MAX)), holdMs: round(rng.uniform(HOLD_MS_MIN, HOLD_MS_MAX)) }))]),
    );
    return { cast, coordinator, clients, bystanders, cycles };
  };
}

/** Who holds the lock now, and since when (kept by the grader's side of each client). */
type Holders = Map<string, { sinceMs: number }>;

/** A grader client: random msg_ids from a range all clients share; holds from the grant's arrival. */
function graderClient(p: Params, holders: Holders): (node: Node) => void {
  return (node) => {
    const plan = p.cycles.get(node.id)!;
    let k = 0;
    let msgId = node.rng.int(1, 6);
    let waitingFor: number | undefined;
    const request = (): void => {
      msgId += node.rng.int(1, 3);
      waitingFor = msgId;
      node.send(p.coordinator, { type: "lock_request", msg_id: msgId });
    };
    node.on("lock_grant", (m: Message) => {
      if (waitingFor === undefined || m.body.in_reply_to !== waitingFor) return; // the trace check reports it
      waitingFor = undefined;
      holders.set(node.id, { sinceMs: node.now() });
      node.setTimer(plan[k].holdMs, () => {
        holders.delete(node.id);
        node.send(p.coordinator, { type: "lock_release" });
        if (++k < plan.length) node.setTimer(plan[k].thinkMs, request, "think");
      }, "hold");
    });
    node.setTimer(plan[0].thinkMs, request, "think");
  };
}

/** The grader's coordinator: FIFO, ignores releases of non-holders. */
function graderCoordinator(node: Node): void {
  let holder: string | undefined;
  const queue: Message[] = [];
  const grant = (r: Message): void => {
    holder = r.src;
    node.reply(r, { type: "lock_grant" });
  };
  node.on("lock_request", (r: Message) => (holder === undefined ? grant(r) : void queue.push(r)));
  node.on("lock_release", (r: Message) => {
    if (r.src !== holder) return;
    const next = queue.shift();
    if (next === undefined) holder = undefined;
    else grant(next);
  });
}

/** One acquisition of a student client, as the grader's driver saw it. */
interface Acquisition {
  client: string;
  calledMs: number;
  resolvedMs?: number;
  /** Trace length when acquire() resolved. */
  resolvedIndex?: number;
  releasedMs?: number;
}

/** A student client driven by the grader: think, acquire, hold, release, per the plan. */
function drivenClient(impl: CoordinatorMutexApi, p: Params, sim: Simulation, holders: Holders, log: Acquisition[]): (node: Node) => void {
  return (node) => {
    const lock = impl.mutexClient(node, p.coordinator);
    const run = async (): Promise<void> => {
      for (const { thinkMs, holdMs } of p.cycles.get(node.id)!) {
        await node.sleep(thinkMs);
        const a: Acquisition = { client: node.id, calledMs: node.now() };
        log.push(a);
        await lock.acquire();
        a.resolvedMs = node.now();
        a.resolvedIndex = sim.trace.events.length;
        holders.set(node.id, { sinceMs: node.now() });
        await node.sleep(holdMs);
        holders.delete(node.id);
        a.releasedMs = node.now();
        lock.release();
      }
    };
    void run();
  };
}

/** The coordinator's rules on the trace: only grants, each to the oldest ungranted request; all granted. */
function checkCoordinator(events: readonly TraceEvent[], p: Params, endMs: number): void {
  const c = p.coordinator;
  const requests = sentMessages(events, (e) => e.dest === c && e.type === "lock_request");
  const arrivals = requests.flatMap((m) => m.delivered.map((a) => ({ m, index: a.index, timeMs: a.event.timeMs }))).sort((x, y) => x.index - y.index);
  const fromCoordinator = sentMessages(events, (e) => e.src === c);
  const granted = new Set<(typeof arrivals)[number]>();
  const expected = "the coordinator to send only lock_grants, each with node.reply(request, …) to a lock_request that arrived and was not granted yet, and always to the oldest one waiting (first come, first served)";
  for (const g of fromCoordinator) {
    const waiting = arrivals.filter((r) => r.index < g.index && !granted.has(r));
    const answered = waiting.find((r) => g.send.type === "lock_grant" && r.m.send.src === g.send.dest && r.m.send.msgId === g.send.inReplyTo);
    if (answered === undefined) {
      fail(expected, `${describeMessage(g)}, which answers no waiting lock_request of ${g.send.dest}${waiting.length ? `; waiting: ${waiting.map((r) => `${r.m.send.src} #${r.m.send.msgId}`).join(", ")}` : ""}`, {
        timeMs: g.send.timeMs,
        node: c,
        evidence: [g.send.id, ...waiting.slice(0, 3).map((r) => r.m.send.id)],
      });
    }
    if (answered !== waiting[0]) {
      const oldest = waiting[0];
      fail(expected, `${describeMessage(g)}: it granted ${answered.m.send.src}'s request that arrived at t=${formatMs(answered.timeMs)}, while ${describeMessage(oldest.m)} was waiting longer`, {
        timeMs: g.send.timeMs,
        node: c,
        evidence: [oldest.m.send.id, answered.m.send.id, g.send.id],
      });
    }
    granted.add(answered);
  }
  for (const r of arrivals) {
    if (!granted.has(r)) {
      fail(
        `every lock_request to be granted (a lock_release makes the coordinator grant the oldest waiting request)`,
        `${describeMessage(r.m)} was never granted (the trial ran until t=${formatMs(endMs)})`,
        { timeMs: r.timeMs, node: c, evidence: [r.m.send.id] },
      );
    }
  }
}

/** A student client's rules: only lock_request / lock_release to the coordinator; every acquire() resolves after a grant. */
function checkClients(events: readonly TraceEvent[], p: Params, log: readonly Acquisition[], endMs: number): void {
  const checks: Array<() => void> = [];
  for (const client of p.clients) {
    const sent = sentMessages(events, (e) => e.src === client);
    const grants = sentMessages(events, (e) => e.dest === client && e.type === "lock_grant");
    const mine = log.filter((a) => a.client === client);
    checks.push(() => {
      for (const m of sent) {
        if (m.send.dest !== p.coordinator || (m.send.type !== "lock_request" && m.send.type !== "lock_release")) {
          fail(`${client} to send only lock_request (acquire) and lock_release (release) to the coordinator ${p.coordinator}`, describeMessage(m), { timeMs: m.send.timeMs, node: client, evidence: [m.send.id] });
        }
      }
    });
    mine.forEach((a, k) => {
      checks.push(() => {
        if (a.resolvedIndex === undefined) {
          fail(`every acquire() to resolve once its lock_grant arrives`, `${client}'s acquire() #${k + 1}, called at t=${formatMs(a.calledMs)}, never resolved (the trial ran until t=${formatMs(endMs)})`, {
            timeMs: a.calledMs,
            node: client,
            evidence: sent.filter((m) => m.send.timeMs >= a.calledMs).slice(0, 2).map((m) => m.send.id),
          });
        }
        const requests = new Set(sent.filter((m) => m.send.type === "lock_request").map((m) => m.send.msgId));
        const arrived: SentMessage[] = grants.filter((g) => g.delivered.some((d) => d.index < a.resolvedIndex!) && requests.has(g.send.inReplyTo as number));
        if (arrived.length < k + 1) {
          fail(
            `acquire() to resolve only after a lock_grant answering one of ${client}'s lock_requests arrived (one grant per acquisition)`,
            `${client}'s acquire() #${k + 1} resolved at t=${formatMs(a.resolvedMs!)}, when only ${arrived.length} such grant(s) had arrived`,
            { timeMs: a.resolvedMs, node: client, evidence: [...arrived.map((g) => g.send.id), ...sent.filter((m) => m.send.timeMs >= a.calledMs && m.send.timeMs <= a.resolvedMs!).map((m) => m.send.id)].slice(0, 4) },
          );
        }
      });
    });
  }
  throwEarliest(checks);
}

async function runMutex(sim: Simulation, impl: CoordinatorMutexApi, p: Params): Promise<void> {
  spawnBystanders(sim, p.bystanders);
  const holders: Holders = new Map();
  const log: Acquisition[] = [];
  let twoHolders: { timeMs: number; holders: Array<[string, number]> } | undefined;
  // Checked after every event; the first violation is recorded (not thrown), so that the run goes
  // on and the failure can show the messages around it, and compete with earlier findings.
  sim.invariant("at most one holder of the lock", () => {
    if (holders.size > 1 && twoHolders === undefined) twoHolders = { timeMs: sim.now(), holders: Array.from(holders, ([id, h]) => [id, h.sinceMs]) };
    return true;
  });
  if (p.cast === "your-clients") sim.spawn(p.coordinator, graderCoordinator, { role: graderRole("coordinator") });
  else sim.spawn(p.coordinator, (node) => impl.coordinator(node), { role: "coordinator" });
  for (const id of p.clients) {
    if (p.cast === "your-coordinator") sim.spawn(id, graderClient(p, holders), { role: graderRole("client") });
    else sim.spawn(id, drivenClient(impl, p, sim, holders, log), { role: "client" });
  }
  await sim.runFor(TRIAL_MS);
  const events = sim.trace.events;
  throwEarliest(
    () => {
      if (twoHolders === undefined) return;
      const grants = twoHolders.holders.map(([id]) => sentMessages(events, (e) => e.dest === id && e.type === "lock_grant").filter((g) => g.delivered.some((d) => d.event.timeMs <= twoHolders!.timeMs)).pop());
      fail(
        "never two holders: a client holds the lock from its lock_grant's arrival (acquire() resolving) until it sends lock_release",
        `at t=${formatMs(twoHolders.timeMs)} ${twoHolders.holders.map(([id, since]) => `${id} (holding since t=${formatMs(since)})`).join(" and ")} both held the lock` +
          grants.map((g) => (g ? `; ${describeMessage(g)}` : "")).join(""),
        { timeMs: twoHolders.timeMs, evidence: grants.flatMap((g) => (g ? [g.send.id] : [])) },
      );
    },
    () => (p.cast === "your-clients" ? undefined : checkCoordinator(events, p, sim.now())),
    () => (p.cast === "your-coordinator" ? undefined : checkClients(events, p, log, sim.now())),
  );
}

const CAST_WORDS: Record<Cast, string> = {
  "your-coordinator": "your coordinator with the grader's clients (msg_ids they choose)",
  "your-clients": "your mutexClients with the grader's coordinator",
  yours: "your coordinator with your mutexClients",
};

/**
 * Grade a coordinator mutex with one seed: three scenarios of {@link TRIALS} trials.
 *
 * @example
 * await checkCoordinatorMutex(await import("../../../solutions/06-time-and-concurrency/coordinator-mutex"), 7); // { status: "pass", … }
 */
export function checkCoordinatorMutex(impl: CoordinatorMutexApi, seed: number): Promise<CheckResult> {
  const scenario = (cast: Cast): Scenario<CoordinatorMutexApi, Params> => ({
    name: (p) =>
      `${CAST_WORDS[cast]}: coordinator "${p.coordinator}", clients ${p.clients.map((c) => `"${c}" (${p.cycles.get(c)!.length}×)`).join(", ")}; ` +
      `bystanders ${p.bystanders.map((b) => `"${b}"`).join(", ")} spawned first; FIFO links, no loss, latency 5–25 ms`,
    trials: TRIALS,
    params: params(cast),
    simulation: { network: { latency: latency.uniform(5, 25), ordering: "fifo" } },
    lanes: (p) => [p.coordinator, ...p.clients],
    run: (sim, impl, p) => runMutex(sim, impl, p),
  });
  return runScenarios(impl, seed, [scenario("your-coordinator"), scenario("your-clients"), scenario("yours")], {
    functions: ["coordinator", "mutexClient"],
    exercise: "06.2 coordinator-mutex",
  });
}
