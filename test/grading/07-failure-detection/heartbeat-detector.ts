/**
 * Check of exercise 07.1 heartbeat detector. The student's `heartbeatDetector` runs on a monitor
 * node; the grader plays the monitored nodes and records every `report(id, suspected)` with its
 * virtual time. Bystanders are spawned first, a node outside `monitored` heartbeats the monitor
 * too, names and timeoutMs (200–600 ms) are drawn per trial, {@link TRIALS} trials of
 * {@link TRIAL_MS} ms per seed, latency 2–10 ms:
 *
 * - 3–5 monitored nodes send a heartbeat every timeoutMs/4, each delayed by 0–0.5 × timeoutMs (a
 *   slow-but-alive network: arrivals at most ~0.8 × timeoutMs apart); each is steady, crashes,
 *   crashes and restarts after more than a timeout (heartbeating again), or never sends.
 *
 * Rules per monitored id, in trace order, with `last` its last heartbeat's arrival (or the
 * detector's creation): report(id, true) only when T − last ≥ timeoutMs (0 false suspicions);
 * suspected by last + timeoutMs + {@link SLACK_MS}; reported false within {@link SLACK_MS} of the
 * first heartbeat after a suspicion; changes only; ids from `monitored` only; nothing sent.
 */
import { latency } from "../../../lib/net";
import type { Node } from "../../../lib/node";
import { formatMs } from "../../../lib/sim";
import { fail, graderRole, runScenarios, spawnBystanders, throwEarliest, trialsPerSeed, type CheckResult, type Scenario, type Trial } from "../check";
import { exercise } from "../exercises";
import { describeMessage, sentMessages } from "../messages";

/** What exercises/07-failure-detection/heartbeat-detector.ts exports. */
export interface HeartbeatDetectorApi {
  heartbeatDetector(
    node: Node,
    monitored: readonly string[],
    options: { timeoutMs: number },
    report: (id: string, suspected: boolean) => void,
  ): void | Promise<void>;
}

// tsc checks that the stub and the reference both have this API.
type Implements<T extends HeartbeatDetectorApi> = T;
export type StubImplementsHeartbeat = Implements<typeof import("../../../exercises/07-failure-detection/heartbeat-detector")>;
export type SolutionImplementsHeartbeat = Implements<typeof import("../../../solutions/07-failure-detection/heartbeat-detector")>;

/** Trials per seed: with the registry's seeds, ≥ 135 in all (see check.ts). */
export const TRIALS = trialsPerSeed(exercise("07.1").seeds.length);

/** Suspicion (and trust again) may come this late. */
export const SLACK_MS = 50;
/** Length of a trial. */
export const TRIAL_MS = 3000;

/** How a monitored node behaves. */
export type Behaviour = "steady" | "crash" | "crash-restart" | "silent";
const BEHAVIOURS: readonly Behaviour[] = ["steady", "crash", "crash-restart", "silent"];
const NAMES = ["monitor", "a", "b", "c", "n1", "n2", "n3", "n4", "n5", "x", "y", "z"];

interface Plan {
  id: string;
  behaviour: Behaviour;
  crashMs?: number;
  restartMs?: number;
}

interface Params {
  monitor: string;
  bystanders: string[];
  stranger: string;
  timeoutMs: number;
  plans: Plan[];
}

/** One call of report, as recorded. */
interface Report {
  atMs: number;
  /** Trace length when it was called (orders it among the arrivals). */
  index: number;
  id: unknown;
  suspected: unknown;
}

/** What the checks of a seed met (for the meta tests). */
export interface HeartbeatStats {
  trials: number;
  /** report(id, true) calls checked. */
  suspicions: number;
  /** report(id, false) calls checked. */
  recoveries: number;
  /** The longest gap between heartbeat arrivals of a live node, as a fraction of timeoutMs. */
  gapRatioMax: number;
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

function params(trial: Trial): Params {
  const rng = trial.rng;
  const names = rng.shuffle(NAMES);
  const bystanders = names.slice(0, rng.int(1, 3));
  const monitor = names[bystanders.length];
  const stranger = names[bystanders.length + 1];
  const count = rng.int(3, 6);
  const timeoutMs = rng.int(4, 13) * 50;
  const behaviours = rng.shuffle(BEHAVIOURS);
  const plans = names.slice(bystanders.length + 2, bystanders.length + 2 + count).map((id, i): Plan => {
    const behaviour = i < behaviours.length ? behaviours[i] : rng.pick(BEHAVIOURS);
    const plan: Plan = { id, behaviour };
    if (behaviour === "crash" || behaviour === "crash-restart") {
      plan.crashMs = round(rng.uniform(200, 1600));
      if (behaviour === "crash-restart") plan.restartMs = round(plan.crashMs + timeoutMs + rng.uniform(100, 500));
    }
    return plan;
  });
  return { monitor, bystanders, stranger, timeoutMs, plans };
}

/** A grader node: a heartbeat every timeoutMs/4, each sent 0–0.5 × timeoutMs late. */
function graderHeartbeats(p: Params, silent: boolean): (node: Node) => void {
  return (node) => {
    if (silent) return;
    const periodMs = p.timeoutMs / 4;
    let seq = 0;
    const beat = (): void => {
      node.setTimer(node.rng.uniform(0, 0.5 * p.timeoutMs), () => void node.send(p.monitor, { type: "heartbeat", seq: ++seq }), "slow network");
    };
    node.setTimer(node.rng.uniform(0, periodMs), () => {
      beat();
      node.setPeriodic(periodMs, beat, "heartbeat");
    }, "start");
  };
}

function planWords(plan: Plan): string {
  switch (plan.behaviour) {
    case "steady":
      return `${plan.id} (alive all along)`;
    case "silent":
      return `${plan.id} (never sends)`;
    case "crash":
      return `${plan.id} (crashes at t=${formatMs(plan.crashMs ?? 0)})`;
    default:
      return `${plan.id} (crashes at t=${formatMs(plan.crashMs ?? 0)}, restarts at t=${formatMs(plan.restartMs ?? 0)})`;
  }
}

/** The rules, checked for every monitored id. */
function checkReports(events: Parameters<typeof sentMessages>[0], p: Params, reports: readonly Report[], endMs: number, stats?: HeartbeatStats): void {
  const { monitor, timeoutMs } = p;
  const monitored = new Set(p.plans.map((plan) => plan.id));
  const heartbeats = sentMessages(events, (e) => e.dest === monitor && e.type === "heartbeat");
  const fromMonitor = sentMessages(events, (e) => e.src === monitor);

  throwEarliest(
    () => {
      const m = fromMonitor[0];
      if (m) fail(`${monitor} to send nothing: a detector only listens`, describeMessage(m), { timeMs: m.send.timeMs, node: monitor, evidence: [m.send.id] });
    },
    () => {
      const r = reports.find((x) => typeof x.id !== "string" || !monitored.has(x.id) || typeof x.suspected !== "boolean");
      if (r) {
        fail(
          `report(id, suspected) only with an id of monitored [${[...monitored].join(", ")}] and a boolean`,
          `report(${JSON.stringify(r.id)}, ${JSON.stringify(r.suspected)}) at t=${formatMs(r.atMs)}` +
            (typeof r.id === "string" && !monitored.has(r.id) ? ` — ${r.id} is not monitored${p.bystanders.includes(r.id) ? " (a bystander: node.peers() is not the list to watch)" : r.id === p.stranger ? " (it heartbeats you, but it is not in monitored)" : ""}` : ""),
          { timeMs: r.atMs, node: monitor },
        );
      }
    },
    p.plans.map((plan) => () => checkOne(plan)),
  );

  function checkOne(plan: Plan): void {
    const id = plan.id;
    const arrivals = heartbeats
      .filter((m) => m.send.src === id)
      .flatMap((m) => m.delivered.map((a) => ({ index: a.index, timeMs: a.event.timeMs, wire: m.send.id })));
    type Step = { index: number; timeMs: number; wire?: number; report?: Report };
    const steps: Step[] = [...arrivals, ...reports.filter((r) => r.id === id).map((r) => ({ index: r.index, timeMs: r.atMs, report: r }))].sort((a, b) => a.index - b.index);
    let suspected = false;
    let lastMs = 0;
    let lastWire: number | undefined;
    let suspectedMs = 0;
    let heardMs: number | undefined; // first arrival after the suspicion
    let heardWire: number | undefined;
    const who = planWords(plan);
    const since = (): string => (lastWire === undefined ? "the detector's creation at t=0ms (no heartbeat arrived yet)" : `its last heartbeat, which arrived at t=${formatMs(lastMs)}`);
    const ev = (): number[] => (lastWire === undefined ? [] : [lastWire]);
    const due = (t: number): void => {
      if (!suspected && t > lastMs + timeoutMs + SLACK_MS) {
        const at = lastMs + timeoutMs + SLACK_MS;
        fail(
          `report("${id}", true) by t=${formatMs(at)}: ${timeoutMs} ms (timeoutMs) + ${SLACK_MS} ms after ${since()}`,
          `no report("${id}", true) by t=${formatMs(Math.min(t, endMs))}; ${who}`,
          { timeMs: at, node: monitor, evidence: ev() },
        );
      }
      if (suspected && heardMs !== undefined && t > heardMs + SLACK_MS) {
        fail(
          `report("${id}", false) by t=${formatMs(heardMs + SLACK_MS)}: ${id} was suspected since t=${formatMs(suspectedMs)}, and its heartbeat arrived at t=${formatMs(heardMs)}`,
          `no report("${id}", false) by t=${formatMs(Math.min(t, endMs))}; ${who}`,
          { timeMs: heardMs + SLACK_MS, node: monitor, evidence: heardWire === undefined ? [] : [heardWire] },
        );
      }
    };
    for (const s of steps) {
      due(s.timeMs);
      if (s.report === undefined) {
        if (stats && !suspected && lastWire !== undefined && plan.behaviour !== "silent") {
          stats.gapRatioMax = Math.max(stats.gapRatioMax, (s.timeMs - lastMs) / timeoutMs);
        }
        lastMs = s.timeMs;
        lastWire = s.wire;
        if (suspected && heardMs === undefined) {
          heardMs = s.timeMs;
          heardWire = s.wire;
        }
        continue;
      }
      const t = s.timeMs;
      if (s.report.suspected === true) {
        if (suspected) {
          fail(
            `report("${id}", …) only on a change: ${id} was already reported suspected at t=${formatMs(suspectedMs)}, and no heartbeat of it arrived since`,
            `report("${id}", true) again at t=${formatMs(t)}`,
            { timeMs: t, node: monitor, evidence: ev() },
          );
        }
        if (t - lastMs < timeoutMs) {
          fail(
            `no report("${id}", true) before t=${formatMs(lastMs + timeoutMs)}: timeoutMs=${timeoutMs} ms after ${since()} (0 false suspicions allowed)`,
            `report("${id}", true) at t=${formatMs(t)}, after only ${formatMs(t - lastMs)} of silence; ${who}`,
            { timeMs: t, node: monitor, evidence: ev() },
          );
        }
        if (stats) stats.suspicions++;
        suspected = true;
        suspectedMs = t;
        heardMs = undefined;
        heardWire = undefined;
      } else {
        if (!suspected) {
          fail(
            `report("${id}", false) only for a suspected id: ${id} is trusted (every node starts trusted)`,
            `report("${id}", false) at t=${formatMs(t)}`,
            { timeMs: t, node: monitor, evidence: ev() },
          );
        }
        if (heardMs === undefined) {
          fail(
            `report("${id}", false) only when a heartbeat of ${id} arrives (it was suspected at t=${formatMs(suspectedMs)})`,
            `report("${id}", false) at t=${formatMs(t)}, with no heartbeat from ${id} since`,
            { timeMs: t, node: monitor, evidence: ev() },
          );
        }
        if (stats) stats.recoveries++;
        suspected = false;
        heardMs = undefined;
      }
    }
    due(endMs);
  }
}

/**
 * Check exercise 07.1 with one grader seed.
 *
 * @example
 * const result = await checkHeartbeatDetector(await loadTarget("07-failure-detection/heartbeat-detector"), 7);
 */
export function checkHeartbeatDetector(impl: HeartbeatDetectorApi, seed: number, stats?: HeartbeatStats): Promise<CheckResult> {
  const scenario: Scenario<HeartbeatDetectorApi, Params> = {
    name: (p) =>
      `your detector on ${p.monitor} (timeoutMs=${p.timeoutMs}) watches ${p.plans.map(planWords).join(", ")}; ` +
      `${p.stranger} (not monitored) heartbeats it too; heartbeats every ${p.timeoutMs / 4} ms, each up to ${p.timeoutMs / 2} ms late; latency 2–10 ms`,
    trials: TRIALS,
    params,
    simulation: { network: { latency: latency.uniform(2, 10), ordering: "unordered" } },
    lanes: (p) => [p.monitor, ...p.plans.map((plan) => plan.id), p.stranger, ...p.bystanders],
    run: async (sim, impl, p) => {
      if (stats) stats.trials++;
      spawnBystanders(sim, p.bystanders);
      const reports: Report[] = [];
      sim.spawn(
        p.monitor,
        (node: Node) =>
          impl.heartbeatDetector(node, p.plans.map((plan) => plan.id), { timeoutMs: p.timeoutMs }, (id, suspected) => {
            reports.push({ atMs: node.now(), index: sim.trace.events.length, id, suspected });
          }),
        { role: "detector" },
      );
      for (const plan of p.plans) {
        sim.spawn(plan.id, graderHeartbeats(p, plan.behaviour === "silent"), { role: graderRole("monitored") });
        if (plan.crashMs !== undefined) sim.at(plan.crashMs, () => sim.crash(plan.id), `crash ${plan.id}`);
        if (plan.restartMs !== undefined) sim.at(plan.restartMs, () => void sim.restart(plan.id), `restart ${plan.id}`);
      }
      sim.spawn(p.stranger, graderHeartbeats(p, false), { role: graderRole("stranger") });
      await sim.runUntilTime(TRIAL_MS);
      checkReports(sim.trace.events, p, reports, sim.now(), stats);
    },
  };
  return runScenarios(impl, seed, [scenario], { functions: ["heartbeatDetector"], exercise: "07.1 heartbeat-detector" });
}
