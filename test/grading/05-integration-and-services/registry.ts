/**
 * Check of exercise 05.1 service registry. The student's `serviceRegistry` runs on one node; the
 * grader plays the service instances and the clients. Bystanders are spawned first, node names,
 * services, instance addresses and leaseMs are drawn per trial, and each seed runs {@link TRIALS}
 * trials of {@link TRIAL_MS} ms (5% loss, 5% duplication, unordered links, latency 5–15 ms):
 *
 * - {@link INSTANCES_MIN}–{@link INSTANCES_MAX} instances of 2 services start at random times in
 *   the first 300 ms and register; each then behaves in one of five ways (see {@link Behaviour}):
 *   steady (a heartbeat every leaseMs/3), slow (the same, but the network delays each heartbeat
 *   by 0–0.4 × leaseMs, so arrivals come up to about 0.75 × leaseMs apart), crashing (stops at a
 *   random time), crashing and restarting (registers again after more than a lease), silent
 *   (registers and never heartbeats);
 * - 2 clients look up a service (one of the two, or one nobody registered) every 10–80 ms, with
 *   `msg_id`s that both clients draw from the same small range.
 *
 * Rules, checked on the trace for every lookup_ok the registry sends at time T, with `last` the
 * arrival of the last register or heartbeat of that (service, instance) before the reply: the
 * answer holds every instance with T − last < leaseMs (no live one dropped), none with
 * T − last > leaseMs + {@link EXPIRY_SLACK_MS} (expired ones dropped within the slack), none that
 * never registered under that service, sorted, each once, as strings. Every lookup and every
 * register/heartbeat copy that arrived is answered (lookup_ok / ok) to its sender with
 * `in_reply_to` = its `msg_id`, within {@link ANSWER_MS_MAX} ms; the registry sends nothing else.
 *
 * What the rules separate (test/meta/05-integration-and-services.test.ts): a registry that never
 * expires, expires at leaseMs/2, measures the lease from the registration, counts lookups instead
 * of time, answers with every service's instances, registers `src` instead of `instance`, or
 * answers node.peers()[0].
 */
import { latency } from "../../../lib/net";
import type { Node } from "../../../lib/node";
import { formatMs } from "../../../lib/sim";
import type { Simulation } from "../../../lib/simulation";
import type { TraceEvent } from "../../../lib/trace";
import { fail, graderRole, runScenarios, spawnBystanders, throwEarliest, trialsPerSeed, type CheckResult, type Scenario, type Trial } from "../check";
import { exercise } from "../exercises";
import { describeMessage, sentMessages, shortValue, type SentMessage } from "../messages";

/** What exercises/05-integration-and-services/registry.ts exports. */
export interface RegistryApi {
  serviceRegistry(node: Node, options: { leaseMs: number }): void | Promise<void>;
}

// tsc checks that the stub and the reference both have this API.
type Implements<T extends RegistryApi> = T;
export type StubImplementsRegistry = Implements<typeof import("../../../exercises/05-integration-and-services/registry")>;
export type SolutionImplementsRegistry = Implements<typeof import("../../../solutions/05-integration-and-services/registry")>;

/** Trials per seed: with the registry's seeds, ≥ 135 in all (see check.ts). */
export const TRIALS = trialsPerSeed(exercise("05.1").seeds.length);

/** An instance may still be listed this long after its lease ran out (a sweep's period). */
export const EXPIRY_SLACK_MS = 50;

/** Every request must be answered within this many ms of its arrival. */
export const ANSWER_MS_MAX = 50;

/** leaseMs of a trial: a multiple of 50 ms in this range. */
export const LEASE_MS_MIN = 300;
export const LEASE_MS_MAX = 800;

/** Instances per trial. */
export const INSTANCES_MIN = 4;
export const INSTANCES_MAX = 6;

/** Length of a trial; the clients stop looking up {@link QUIET_MS} ms before its end. */
export const TRIAL_MS = 3000;
const QUIET_MS = 300;

/** Node names; each trial shuffles them ("registry" and "client" are sometimes someone else). */
const NAMES = ["registry", "client", "orders", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9"];
const SERVICES = ["orders", "payments", "search", "users", "catalog", "auth"];

/** How one grader instance behaves after it registers. */
export type Behaviour = "steady" | "slow" | "crash" | "crash-restart" | "silent";
const BEHAVIOURS: readonly Behaviour[] = ["steady", "slow", "crash", "crash-restart", "silent"];

interface InstancePlan {
  node: string;
  service: string;
  /** The address it registers: not its node id. */
  instance: string;
  behaviour: Behaviour;
  startMs: number;
  crashMs?: number;
  restartMs?: number;
}

/** One trial's choices. */
interface Params {
  leaseMs: number;
  registry: string;
  clients: string[];
  bystanders: string[];
  services: string[];
  /** A service nobody registers (lookups of it must get []). */
  unknown: string;
  instances: InstancePlan[];
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

function params(trial: Trial): Params {
  const rng = trial.rng;
  const names = rng.shuffle(NAMES);
  const bystanderCount = rng.int(1, 3);
  const instanceCount = rng.int(INSTANCES_MIN, INSTANCES_MAX + 1);
  const leaseMs = rng.int(LEASE_MS_MIN / 50, LEASE_MS_MAX / 50 + 1) * 50;
  const [s1, s2, unknown] = rng.shuffle(SERVICES);
  const services = [s1, s2];
  const bystanders = names.slice(0, bystanderCount);
  const registry = names[bystanderCount];
  const clients = names.slice(bystanderCount + 1, bystanderCount + 3);
  const behaviours = rng.shuffle(BEHAVIOURS); // every trial has most kinds
  const ports = new Set<number>();
  const instances: InstancePlan[] = names.slice(bystanderCount + 3, bystanderCount + 3 + instanceCount).map((node, i) => {
    let port = rng.int(8000, 9000);
    while (ports.has(port)) port = rng.int(8000, 9000);
    ports.add(port);
    const behaviour = i < behaviours.length ? behaviours[i] : rng.pick(BEHAVIOURS);
    const plan: InstancePlan = { node, service: services[i % 2], instance: `${node}:${port}`, behaviour, startMs: round(rng.uniform(0, 300)) };
    if (behaviour === "crash" || behaviour === "crash-restart") {
      plan.crashMs = round(rng.uniform(plan.startMs + 100, 1800));
      if (behaviour === "crash-restart") plan.restartMs = round(plan.crashMs + leaseMs + rng.uniform(100, 500));
    }
    return plan;
  });
  return { leaseMs, registry, clients, bystanders, services, unknown, instances };
}

/** A grader instance: waits until its start, registers, then heartbeats per its behaviour. */
function graderInstance(plan: InstancePlan, p: Params): (node: Node) => void {
  return (node) => {
    let msgId = node.rng.int(100, 5000);
    const body = (type: string) => ({ type, service: plan.service, instance: plan.instance, msg_id: (msgId += node.rng.int(1, 7)) });
    node.on("ok", () => {});
    const begin = (): void => {
      node.send(p.registry, body("register"));
      if (plan.behaviour === "silent") return;
      node.setPeriodic(p.leaseMs / 3, () => void node.send(p.registry, body("heartbeat")), "heartbeat");
    };
    if (node.incarnation > 1) begin(); // restarted: register again at once
    else node.setTimer(plan.startMs, begin, "start");
  };
}

/** A grader client: looks up a random service every 10–80 ms with msg_ids from a small shared range. */
function graderClient(p: Params): (node: Node) => void {
  return (node) => {
    node.on("lookup_ok", () => {});
    let msgId = node.rng.int(1, 4);
    const next = (): void => {
      if (node.now() > TRIAL_MS - QUIET_MS) return;
      const service = node.rng.chance(0.15) ? p.unknown : node.rng.pick(p.services);
      node.send(p.registry, { type: "lookup", service, msg_id: msgId });
      msgId += node.rng.int(1, 3);
      node.setTimer(node.rng.uniform(10, 80), next, "next lookup");
    };
    node.setTimer(node.rng.uniform(0, 60), next, "first lookup");
  };
}

function planWords(plan: InstancePlan): string {
  const what: Record<Behaviour, string> = {
    steady: "heartbeats steadily",
    slow: "heartbeats through a slow network",
    crash: `crashes at t=${formatMs(plan.crashMs ?? 0)}`,
    "crash-restart": `crashes at t=${formatMs(plan.crashMs ?? 0)}, restarts and registers again at t=${formatMs(plan.restartMs ?? 0)}`,
    silent: "registers and never heartbeats",
  };
  return `"${plan.instance}" of ${plan.service} on ${plan.node} (${what[plan.behaviour]})`;
}

/** One renewal as the registry received it. */
interface Renewal {
  m: SentMessage;
  index: number;
  timeMs: number;
  service: string;
  instance: string;
}

/** What the lookups of a check met (for the meta tests and the notebook). */
export interface RegistryStats {
  trials: number;
  /** lookup_ok answers checked. */
  answers: number;
  /** Answers for which some instance of the service had expired (silent > leaseMs + slack). */
  answersWithExpired: number;
  /** Answers for which some instance had to be listed though silent for more than leaseMs/2. */
  answersWithLateLive: number;
}

/**
 * The registry's rules, checked on a trace.
 *
 * @example
 * checkRegistry(sim.trace.events, params, sim.now());
 */
function checkRegistry(events: readonly TraceEvent[], p: Params, endMs: number, stats?: RegistryStats): void {
  const { registry, leaseMs } = p;
  const toRegistry = sentMessages(events, (e) => e.dest === registry && e.src !== registry);
  const fromRegistry = sentMessages(events, (e) => e.src === registry);
  const renewals: Renewal[] = toRegistry
    .filter((m) => m.send.type === "register" || m.send.type === "heartbeat")
    .flatMap((m) => m.delivered.map((a) => ({ m, index: a.index, timeMs: a.event.timeMs, service: String(m.body.service), instance: String(m.body.instance) })))
    .sort((a, b) => a.index - b.index);
  const lookups = toRegistry.filter((m) => m.send.type === "lookup");
  const byPlan = new Map(p.instances.map((plan) => [`${plan.service} ${plan.instance}`, plan]));
  const who = (service: string, instance: string): string => {
    const plan = byPlan.get(`${service} ${instance}`);
    return plan ? planWords(plan) : `"${instance}" of ${service}`;
  };

  throwEarliest(
    () => checkOnlyAnswers(),
    () => checkAnswered(),
    fromRegistry.filter((m) => m.send.type === "lookup_ok").map((m) => () => checkLookup(m)),
  );

  function checkOnlyAnswers(): void {
    for (const m of fromRegistry) {
      const asked = toRegistry.find((r) => r.send.src === m.send.dest && r.send.msgId === m.send.inReplyTo && r.delivered.some((a) => a.index < m.index));
      const type = asked?.send.type === "lookup" ? "lookup_ok" : "ok";
      if (asked === undefined || m.send.type !== type) {
        fail(
          `${registry} to send only answers: { type: "ok" } to a register or heartbeat, { type: "lookup_ok", instances } to a lookup, ` +
            "each to the node that asked (its src) with in_reply_to = the request's msg_id (node.reply does both)",
          asked === undefined
            ? `${describeMessage(m)}, which answers no request that ${m.send.dest} sent${m.send.inReplyTo === undefined ? "" : ` with msg_id #${m.send.inReplyTo}`}`
            : `${describeMessage(m)}, an answer to ${describeMessage(asked)}`,
          { timeMs: m.send.timeMs, node: registry, evidence: asked ? [asked.send.id, m.send.id] : [m.send.id] },
        );
      }
    }
  }

  function checkAnswered(): void {
    for (const r of toRegistry) {
      const arrival = r.delivered[0];
      if (arrival === undefined || arrival.event.timeMs > endMs - ANSWER_MS_MAX) continue;
      const type = r.send.type === "lookup" ? "lookup_ok" : "ok";
      const answer = fromRegistry.find((m) => m.send.dest === r.send.src && m.send.inReplyTo === r.send.msgId && m.index > arrival.index);
      if (answer === undefined || answer.send.timeMs > arrival.event.timeMs + ANSWER_MS_MAX) {
        fail(
          `${registry} to answer ${r.send.type} with ${type} to ${r.send.src} (in_reply_to ${r.send.msgId}) within ${ANSWER_MS_MAX} ms of its arrival`,
          `${describeMessage(r, ["service", "instance"])}; ${answer ? `the answer came only at t=${formatMs(answer.send.timeMs)}` : `no ${type} answered it`}`,
          { timeMs: arrival.event.timeMs + ANSWER_MS_MAX, node: registry, evidence: [r.send.id, ...(answer ? [answer.send.id] : [])] },
        );
      }
    }
  }

  function checkLookup(reply: SentMessage): void {
    const lookup = [...lookups].reverse().find((l) => l.send.src === reply.send.dest && l.send.msgId === reply.send.inReplyTo && l.delivered.some((a) => a.index < reply.index));
    if (lookup === undefined) return; // checkOnlyAnswers reports it
    const service = String(lookup.body.service);
    const T = reply.send.timeMs;
    const at = (evidence: number[]) => ({ timeMs: T, node: registry, evidence: [lookup.send.id, ...evidence, reply.send.id] });
    const last = new Map<string, Renewal>();
    for (const r of renewals) {
      if (r.index >= reply.index) break;
      if (r.service === service) last.set(r.instance, r);
    }
    if (stats) {
      stats.answers++;
      const silences = Array.from(last.values(), (r) => T - r.timeMs);
      if (silences.some((ms) => ms > leaseMs + EXPIRY_SLACK_MS)) stats.answersWithExpired++;
      if (silences.some((ms) => ms > leaseMs / 2 && ms < leaseMs)) stats.answersWithLateLive++;
    }
    const instances = reply.body.instances;
    const answered = `${registry} answered ${describeMessage(lookup, ["service"])} with instances=${shortValue(instances, 120)} at t=${formatMs(T)}`;
    if (!Array.isArray(instances) || instances.some((i) => typeof i !== "string")) {
      fail(`lookup_ok to carry instances: an array of strings (the instance addresses)`, answered, at([]));
    }
    const list = instances as string[];
    for (const instance of list) {
      const r = last.get(instance);
      if (r === undefined) {
        const elsewhere = renewals.find((x) => x.instance === instance && x.index < reply.index);
        fail(
          `a lookup of ${service} to list only instances registered under ${service}`,
          `${answered}; "${instance}" never registered under ${service}` + (elsewhere ? ` (it is an instance of ${elsewhere.service})` : ""),
          at(elsewhere ? [elsewhere.m.send.id] : []),
        );
      }
      const silentMs = T - r.timeMs;
      if (silentMs > leaseMs + EXPIRY_SLACK_MS) {
        fail(
          `a lookup to leave out an instance whose lease ran out: no register or heartbeat for more than leaseMs=${leaseMs} ms ` +
            `(+${EXPIRY_SLACK_MS} ms slack) before the answer`,
          `${answered}; it lists ${who(service, instance)}, whose last ${r.m.send.type} arrived at t=${formatMs(r.timeMs)}, ${formatMs(silentMs)} earlier`,
          at([r.m.send.id]),
        );
      }
    }
    for (const [instance, r] of last) {
      const silentMs = T - r.timeMs;
      if (silentMs < leaseMs && !list.includes(instance)) {
        const first = renewals.find((x) => x.service === service && x.instance === instance);
        fail(
          `a lookup to list every instance whose lease is running: a register or heartbeat arrived less than leaseMs=${leaseMs} ms before the answer ` +
            "(the lease runs from the last renewal, and counts time)",
          `${answered}; it leaves out ${who(service, instance)}, whose last ${r.m.send.type} arrived at t=${formatMs(r.timeMs)}, only ${formatMs(silentMs)} earlier` +
            (first && first !== r ? ` (it registered at t=${formatMs(first.timeMs)})` : ""),
          at([r.m.send.id]),
        );
      }
    }
    const sorted = [...list].sort();
    if (list.some((x, i) => x !== sorted[i]) || new Set(list).size !== list.length) {
      fail(`lookup_ok's instances sorted (.sort()), each once`, `${answered}; expected the order ${shortValue(Array.from(new Set(sorted)), 120)}`, at([]));
    }
  }
}

async function serveRegistry(sim: Simulation, impl: RegistryApi, p: Params, stats?: RegistryStats): Promise<void> {
  spawnBystanders(sim, p.bystanders);
  sim.spawn(p.registry, (node) => impl.serviceRegistry(node, { leaseMs: p.leaseMs }), { role: "registry" });
  for (const id of p.clients) sim.spawn(id, graderClient(p), { role: graderRole("client") });
  for (const plan of p.instances) {
    sim.spawn(plan.node, graderInstance(plan, p), { role: graderRole("instance") });
    if (plan.crashMs !== undefined) sim.at(plan.crashMs, () => sim.crash(plan.node), `${plan.node} crashes`);
    if (plan.restartMs !== undefined) sim.at(plan.restartMs, () => void sim.restart(plan.node), `${plan.node} restarts`);
    if (plan.behaviour === "slow") {
      sim.addRule({ name: `slow network of ${plan.node}`, match: { type: "heartbeat", src: plan.node }, action: "delay", delayMs: latency.uniform(0, 0.4 * p.leaseMs) });
    }
  }
  await sim.runFor(TRIAL_MS);
  if (stats) stats.trials++;
  checkRegistry(sim.trace.events, p, sim.now(), stats);
}

/**
 * Grade a service registry with one seed: {@link TRIALS} trials. Pass `stats` to count what the
 * lookups met.
 *
 * @example
 * await checkServiceRegistry(await import("../../../solutions/05-integration-and-services/registry"), 7); // { status: "pass", … }
 */
export function checkServiceRegistry(impl: RegistryApi, seed: number, stats?: RegistryStats): Promise<CheckResult> {
  const scenario: Scenario<RegistryApi, Params> = {
    name: (p) =>
      `your serviceRegistry on "${p.registry}" with leaseMs=${p.leaseMs}; the grader's instances ${p.instances.map(planWords).join(", ")}; ` +
      `its clients ${p.clients.map((c) => `"${c}"`).join(", ")} look up ${p.services.join(", ")} and ${p.unknown} every 10–80 ms; ` +
      `bystanders ${p.bystanders.map((b) => `"${b}"`).join(", ")} spawned first; 5% loss, 5% duplication, unordered links, latency 5–15 ms`,
    trials: TRIALS,
    params,
    simulation: { network: { latency: latency.uniform(5, 15), lossProbability: 0.05, duplicationProbability: 0.05, ordering: "unordered" } },
    lanes: (p) => [p.registry, ...p.clients, ...p.instances.map((i) => i.node)],
    run: (sim, impl, p) => serveRegistry(sim, impl, p, stats),
  };
  return runScenarios(impl, seed, [scenario], { functions: ["serviceRegistry"], exercise: "05.1 service-registry" });
}
