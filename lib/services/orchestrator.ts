// A container orchestrator's reconciliation loop (Burns, Grant, Oppenheimer, Brewer & Wilkes,
// "Borg, Omega, and Kubernetes", ACM Queue 14(1), 2016: controllers that "continuously drive the
// current state towards the desired state"; Kubernetes' ReplicaSet and Deployment controllers).
// The operator declares *what* should run (an image and a number of replicas), not *how*; every
// `reconcileMs` the orchestrator compares the desired state with what the machine agents report
// and takes one step towards it:
//
//   - a machine whose agent has not reported for `heartbeatTimeoutMs` is presumed dead: its
//     containers no longer count, so the loop starts replacements elsewhere (rescheduling);
//   - too few containers of the desired image → start one on the least-loaded live machine,
//     as long as the total stays within replicas + `maxSurge`;
//   - more containers than replicas → stop one, oldest image first.
//
// Changing the image is therefore a rolling update with no extra code: new containers are started
// one surge at a time, and an old one is stopped only once a new one runs, so the number of
// running containers never drops below `replicas` (Kubernetes' maxSurge 1, maxUnavailable 0).
//
// Wire protocol: agent → orchestrator { type: "agent_status", containers: [{ id, image }] } every heartbeatMs;
//                orchestrator → agent { type: "agent_start", id, image } | { type: "agent_stop", id }.
// A container is running once its agent reports it (starting takes the agent `startMs`).
import type { Node } from "../node/index";
import { latency } from "../net/index";
import { Simulation } from "../simulation/index";

/** What should run. */
export interface DesiredState {
  image: string;
  replicas: number;
}

/** Options of {@link orchestrator}. */
export interface OrchestratorOptions {
  machines: readonly string[];
  desired: DesiredState;
  /** Period of the reconciliation loop. Default 50. */
  reconcileMs?: number;
  /** A machine silent this long is presumed dead. Default 300. */
  heartbeatTimeoutMs?: number;
  /** Containers allowed above `replicas` during an update. Default 1. */
  maxSurge?: number;
}

/** A container as the orchestrator sees it. */
export interface ContainerView {
  id: string;
  image: string;
  machine: string;
}

/** A running orchestrator (one incarnation). */
export interface Orchestrator {
  readonly desired: DesiredState;
  /** Declare a new desired state (a new image starts a rolling update). */
  setDesired(desired: Partial<DesiredState>): void;
  /** Containers reported running on live machines. */
  running(): ContainerView[];
  readonly counters: { started: number; stopped: number; machinesLost: number };
}

/**
 * The orchestrator (control plane): a reconciliation loop over machine agents' reports.
 *
 * @example
 * let control: Orchestrator | undefined;
 * sim.spawn("control", (node) => void (control = orchestrator(node, { machines: ["m1", "m2", "m3"], desired: { image: "shop:v1", replicas: 3 } })), { role: "orchestrator" });
 * for (const m of ["m1", "m2", "m3"]) sim.spawn(m, (node) => void machineAgent(node, { orchestrator: "control" }));
 * await sim.runFor(1000);
 * control!.setDesired({ image: "shop:v2" }); // rolling update
 */
export function orchestrator(node: Node, options: OrchestratorOptions): Orchestrator {
  const { machines, reconcileMs = 50, heartbeatTimeoutMs = 300, maxSurge = 1 } = options;
  const where = (): string => `orchestrator on ${node.id} at t=${node.now()}ms`;
  if (!Array.isArray(machines) || machines.length === 0) throw new Error(`${where()}: machines must list at least one machine`);
  const check = (d: DesiredState): DesiredState => {
    if (typeof d.image !== "string" || d.image === "") throw new Error(`${where()}: desired.image must be a non-empty string`);
    if (!(Number.isInteger(d.replicas) && d.replicas >= 0)) throw new Error(`${where()}: desired.replicas must be a whole number ≥ 0, got ${String(d.replicas)}`);
    return { image: d.image, replicas: d.replicas };
  };
  let desired = check(options.desired);
  const lastSeenMs = new Map<string, number>();
  const reported = new Map<string, Array<{ id: string; image: string }>>();
  /** Started and not yet reported: counted, so the loop does not start them twice. */
  const pending = new Map<string, ContainerView & { sinceMs: number }>();
  const counters = { started: 0, stopped: 0, machinesLost: 0 };
  const dead = new Set<string>();
  let nextId = 1;

  const live = (): string[] => machines.filter((m) => (lastSeenMs.get(m) ?? -Infinity) > node.now() - heartbeatTimeoutMs);
  const running = (): ContainerView[] => live().flatMap((m) => (reported.get(m) ?? []).map((c) => ({ ...c, machine: m })));

  node.on("agent_status", (m) => {
    const machine = m.src;
    lastSeenMs.set(machine, node.now());
    dead.delete(machine);
    const list = m.body.containers as Array<{ id: string; image: string }>;
    reported.set(machine, list);
    for (const c of list) pending.delete(c.id);
  });

  const reconcile = (): void => {
    const up = live();
    let lostNow = false;
    for (const m of machines) {
      if (!up.includes(m) && lastSeenMs.has(m) && !dead.has(m)) {
        lostNow = true;
        dead.add(m);
        counters.machinesLost++;
        node.log(`machine ${m} presumed dead: its containers will be rescheduled`);
      }
    }
    for (const [id, p] of pending) if (!up.includes(p.machine) || node.now() - p.sinceMs > heartbeatTimeoutMs * 2) pending.delete(id); // lost start
    const now = running();
    const all = [...now, ...pending.values()];
    const current = all.filter((c) => c.image === desired.image);
    const converged = current.length === desired.replicas && all.length === desired.replicas && pending.size === 0;
    // The state, for state diagrams: what this step did, and why (the difference it acted on).
    if (converged) node.setState("converged", "running = desired");
    else if (up.length === 0) node.setState("waiting", "no machine reports");
    if (up.length === 0) return;
    if (current.length < desired.replicas && all.length < desired.replicas + maxSurge) {
      const why = lostNow ? "machine presumed dead" : all.length > current.length ? "new image desired" : "fewer than desired";
      node.setState("starting a container", why);
      const load = (m: string): number => all.filter((c) => c.machine === m).length;
      const machine = up.reduce((best, m) => (load(m) < load(best) ? m : best), up[0]);
      const id = `c${nextId++}`;
      pending.set(id, { id, image: desired.image, machine, sinceMs: node.now() });
      counters.started++;
      node.send(machine, { type: "agent_start", id, image: desired.image });
    } else if (now.length > desired.replicas) {
      node.setState("stopping a container", pending.size === 0 ? "one more running than desired" : "more than desired");
      const victim = now.find((c) => c.image !== desired.image) ?? now[now.length - 1];
      counters.stopped++;
      node.send(victim.machine, { type: "agent_stop", id: victim.id });
      reported.set(victim.machine, (reported.get(victim.machine) ?? []).filter((c) => c.id !== victim.id));
    } else if (!converged) node.setState("waiting", pending.size > 0 ? "start sent, not reported yet" : "surge at its limit");
  };
  node.setPeriodic(reconcileMs, reconcile, "reconcile");

  return {
    get desired() {
      return desired;
    },
    setDesired: (change) => {
      desired = check({ ...desired, ...change });
      node.log(`desired state: ${desired.replicas} × ${desired.image}`);
    },
    running,
    counters,
  };
}

/** Options of {@link machineAgent}. */
export interface MachineAgentOptions {
  orchestrator: string;
  /** Status report period. Default 50. */
  heartbeatMs?: number;
  /** Time to pull an image and start a container. Default 100. */
  startMs?: number;
}

/**
 * A machine's agent (Kubernetes' kubelet): starts and stops containers on command and reports
 * what runs. Containers live in memory: a crash of the machine kills them.
 *
 * @example
 * sim.spawn("m1", (node) => void machineAgent(node, { orchestrator: "control", startMs: 100 }), { role: "machine" });
 */
export function machineAgent(node: Node, options: MachineAgentOptions): { readonly containers: ReadonlyMap<string, string> } {
  const { orchestrator: control, heartbeatMs = 50, startMs = 100 } = options;
  const containers = new Map<string, string>();
  const report = (): void => void node.send(control, { type: "agent_status", containers: [...containers].map(([id, image]) => ({ id, image })) });
  node.on("agent_start", (m) => {
    const id = String(m.body.id);
    node.setTimer(startMs, () => {
      containers.set(id, String(m.body.image));
      report();
    }, "container-start");
  });
  node.on("agent_stop", (m) => {
    containers.delete(String(m.body.id));
    report();
  });
  report();
  node.setPeriodic(heartbeatMs, report, "status");
  return { containers };
}

/** Options of {@link runOrchestratorScenario}. */
export interface OrchestratorScenarioOptions {
  /** Default 4. */
  machines?: number;
  /** Default 3. */
  replicas?: number;
  /** Crash machine m1 at this time (never restarted). Default 1000. */
  crashAtMs?: number;
  /** Roll out image v2 at this time. Default 2500. */
  updateAtMs?: number;
  seed?: number;
}

/** What {@link runOrchestratorScenario} measured. */
export interface OrchestratorScenarioResult {
  /** Running containers every 25 ms (as reported by live machines) and how many run v2. */
  samples: Array<{ timeMs: number; running: number; runningNew: number }>;
  /** From the crash until `replicas` containers ran again. */
  rescheduledAfterMs: number;
  /** From the update until every replica ran v2 and no v1 was left. */
  updateTookMs: number;
  /** The fewest running containers seen during the update (≥ replicas: no capacity lost). */
  runningMinDuringUpdate: number;
}

/**
 * Scale up from nothing, lose a machine, roll out a new image: the reconciliation loop handles
 * all three the same way.
 *
 * @example
 * const r = await runOrchestratorScenario();
 * console.log(r.rescheduledAfterMs, r.updateTookMs, r.runningMinDuringUpdate);
 */
export async function runOrchestratorScenario(options: OrchestratorScenarioOptions = {}): Promise<OrchestratorScenarioResult> {
  const { machines = 4, replicas = 3, crashAtMs = 1000, updateAtMs = 2500, seed = 1 } = options;
  const sim = new Simulation({ seed, trace: false, network: { latency: latency.uniform(1, 3) } });
  const ids = Array.from({ length: machines }, (_, i) => `m${i + 1}`);
  let control: Orchestrator | undefined;
  sim.spawn("control", (node) => void (control = orchestrator(node, { machines: ids, desired: { image: "v1", replicas } })), { role: "orchestrator" });
  for (const id of ids) sim.spawn(id, (node) => void machineAgent(node, { orchestrator: "control" }), { role: "machine" });
  const samples: OrchestratorScenarioResult["samples"] = [];
  let rescheduledMs: number | undefined;
  let updatedMs: number | undefined;
  sim.at(crashAtMs, () => sim.crash("m1"), "machine m1 crashes");
  sim.at(updateAtMs, () => control!.setDesired({ image: "v2" }), "roll out v2");
  const endMs = updateAtMs + 2000;
  for (let t = 0; t <= endMs; t += 25) {
    sim.at(t, () => {
      // the truth, not the orchestrator's view: containers on machines that are up
      const run = control!.running().filter((c) => sim.isUp(c.machine));
      const runningNew = run.filter((c) => c.image === "v2").length;
      samples.push({ timeMs: t, running: run.length, runningNew });
      if (t > crashAtMs && rescheduledMs === undefined && run.length >= replicas) rescheduledMs = t - crashAtMs;
      if (t > updateAtMs && updatedMs === undefined && runningNew === replicas && run.length === replicas) updatedMs = t - updateAtMs;
    }, "sample");
  }
  await sim.runFor(endMs + 1);
  const during = samples.filter((s) => s.timeMs >= updateAtMs && s.timeMs <= updateAtMs + (updatedMs ?? 2000));
  return {
    samples,
    rescheduledAfterMs: rescheduledMs ?? NaN,
    updateTookMs: updatedMs ?? NaN,
    runningMinDuringUpdate: Math.min(...during.map((s) => s.running)),
  };
}
