// A load balancer: "a proxy distributing incoming requests among multiple servers according to
// some distribution policy: round-robin, least connections, least response time, etc." (lecture
// 000, "Load Balancer"). The backends here take time to serve each request, one at a time, with a
// FIFO queue in front (the simulator's service time, lib/simulation/service.ts), so a bad choice
// shows as a queue that grows and a response-time tail.
//
// Policies:
// - round-robin: backends in turn, blind to their state.
// - random: a backend drawn uniformly (from the balancer's `node.rng`).
// - least-connections: the backend with the fewest requests outstanding (sent, not yet answered).
// - least-response-time: the lowest EWMA of observed response times, weighted by outstanding
//   requests, cost = ewma × (outstanding + 1) (the "peak EWMA" idea of Twitter's Finagle and
//   Linkerd; NGINX's `least_time` also combines latency with active connections). A backend not
//   yet measured is assumed to be as fast as the average measured one.
// - power-of-two: two distinct backends drawn at random, the one with fewer outstanding wins
//   (Mitzenmacher, "The Power of Two Choices in Randomized Load Balancing", IEEE TPDS 2001: the
//   longest queue falls from Θ(log n / log log n) to Θ(log log n) with a second choice).
//
// Wire protocol (the same as exercise 02.1): clients send `{ type: "request", ... }`; the balancer
// forwards the body to a backend, which replies `{ type: "response", ... }`; the balancer relays
// that body to the client as a reply to the client's request.
import { latency as latencyOf } from "../net/index";
import type { Message, Node } from "../node/index";
import type { Prng } from "../sim/index";
import { Simulation } from "../simulation/index";
import { percentiles } from "../trace/index";

/** A load-balancing policy (lecture 000's three, plus random and two random choices). */
export type BalancingPolicy = "round-robin" | "random" | "least-connections" | "least-response-time" | "power-of-two";

/**
 * Every policy, in the order a comparison table lists them.
 *
 * @example
 * for (const policy of BALANCING_POLICIES) console.log(policy);
 */
export const BALANCING_POLICIES: readonly BalancingPolicy[] = ["round-robin", "random", "least-connections", "least-response-time", "power-of-two"];

/** Options of {@link loadBalancer}. */
export interface LoadBalancerOptions {
  /** Backend node ids (at least one). */
  backends: readonly string[];
  policy: BalancingPolicy;
  /** Weight of a new sample in the response-time EWMA, in (0, 1]. Default 0.3. */
  ewmaWeight?: number;
}

/** What a balancer knows about its backends (live views; one incarnation). */
export interface LoadBalancer {
  /** Requests sent to each backend and not yet answered. */
  readonly outstanding: ReadonlyMap<string, number>;
  /** Requests sent to each backend in total. */
  readonly forwarded: ReadonlyMap<string, number>;
  /** EWMA of each backend's observed response time (absent until its first response). */
  readonly responseMsEwma: ReadonlyMap<string, number>;
}

/** The balancer's view used by a policy. */
interface View {
  backends: readonly string[];
  outstanding: Map<string, number>;
  ewma: Map<string, number>;
  rng: Prng;
  /** Round-robin position; also where tie-breaking starts, so ties are spread. */
  next: number;
}

/** The backend with the lowest `cost`, scanning from `view.next` so that ties rotate. */
function lowest(view: View, cost: (backend: string) => number): string {
  const n = view.backends.length;
  let best = view.backends[view.next % n];
  let bestCost = cost(best);
  for (let i = 1; i < n; i++) {
    const b = view.backends[(view.next + i) % n];
    const c = cost(b);
    if (c < bestCost) {
      best = b;
      bestCost = c;
    }
  }
  view.next = (view.next + 1) % n;
  return best;
}

const choose: Record<BalancingPolicy, (view: View) => string> = {
  "round-robin": (view) => {
    const b = view.backends[view.next];
    view.next = (view.next + 1) % view.backends.length;
    return b;
  },
  random: (view) => view.rng.pick(view.backends),
  "least-connections": (view) => lowest(view, (b) => view.outstanding.get(b)!),
  "least-response-time": (view) => {
    // a backend not yet measured is assumed as fast as the average measured one (1 ms if none is)
    let sum = 0;
    for (const ms of view.ewma.values()) sum += ms;
    const priorMs = view.ewma.size === 0 ? 1 : sum / view.ewma.size;
    return lowest(view, (b) => (view.ewma.get(b) ?? priorMs) * (view.outstanding.get(b)! + 1));
  },
  "power-of-two": (view) => pickPowerOfTwo(view.backends, (b) => view.outstanding.get(b)!, view.rng),
};

/**
 * The power of two choices: two distinct backends drawn at random, the one with the lower `load`
 * wins (the first on a tie). One backend is returned without drawing.
 *
 * @example
 * const outstanding = new Map([["s1", 3], ["s2", 0], ["s3", 1]]);
 * pickPowerOfTwo(["s1", "s2", "s3"], (b) => outstanding.get(b)!, new Prng(1)); // the less loaded of two
 */
export function pickPowerOfTwo(backends: readonly string[], load: (backend: string) => number, rng: Prng): string {
  const n = backends.length;
  if (n === 1) return backends[0];
  const i = rng.int(0, n);
  const j = (i + rng.int(1, n)) % n; // a second, different backend
  const a = backends[i];
  const b = backends[j];
  return load(b) < load(a) ? b : a;
}

/** A request forwarded to a backend and not yet answered. */
interface Forwarded {
  request: Message;
  backend: string;
  sentMs: number;
}

/**
 * A load balancer node: forwards each `request` to the backend its policy picks and relays the
 * backend's `response` to the client. Requests to a backend that never answers (crashed) stay
 * outstanding: least-connections then stops choosing it, round-robin does not.
 *
 * @example
 * sim.spawn("lb", (node) => loadBalancer(node, { backends: ["s1", "s2", "s3"], policy: "least-connections" }));
 * for (const s of ["s1", "s2", "s3"]) sim.spawn(s, backendServer, { service: { timeMs: latency.exponential(5) } });
 */
export function loadBalancer(node: Node, options: LoadBalancerOptions): LoadBalancer {
  const { backends, policy, ewmaWeight = 0.3 } = options;
  const where = `loadBalancer on ${node.id} at t=${node.now()}ms`;
  if (!Array.isArray(backends) || backends.length === 0) throw new Error(`${where}: options.backends must list at least one backend`);
  if (!(policy in choose)) throw new Error(`${where}: unknown policy ${JSON.stringify(policy)}; expected one of ${BALANCING_POLICIES.join(", ")}`);
  if (!(ewmaWeight > 0 && ewmaWeight <= 1)) throw new Error(`${where}: ewmaWeight must be in (0, 1], got ${String(ewmaWeight)}`);
  const view: View = { backends: [...backends], outstanding: new Map(backends.map((b) => [b, 0])), ewma: new Map(), rng: node.rng, next: 0 };
  const forwarded = new Map(backends.map((b) => [b, 0]));
  const inFlight = new Map<number, Forwarded>();
  const pick = choose[policy];

  node.on("request", (msg) => {
    const backend = pick(view);
    const { msg_id: _id, in_reply_to: _re, ...body } = msg.body;
    const id = node.send(backend, body as { type: string });
    inFlight.set(id, { request: msg, backend, sentMs: node.now() });
    view.outstanding.set(backend, view.outstanding.get(backend)! + 1);
    forwarded.set(backend, forwarded.get(backend)! + 1);
  });
  node.on("response", (msg) => {
    const f = inFlight.get(msg.body.in_reply_to as number);
    if (f === undefined) return; // a duplicate, or not a reply to us
    inFlight.delete(msg.body.in_reply_to as number);
    const { backend } = f;
    view.outstanding.set(backend, view.outstanding.get(backend)! - 1);
    const sampleMs = node.now() - f.sentMs;
    const old = view.ewma.get(backend);
    view.ewma.set(backend, old === undefined ? sampleMs : old + ewmaWeight * (sampleMs - old));
    const { msg_id: _id, in_reply_to: _re, ...body } = msg.body;
    node.reply(f.request, body as { type: string });
  });
  return { outstanding: view.outstanding, forwarded, responseMsEwma: view.ewma };
}

/**
 * A backend server: answers every `request` with `{ type: "response", server, ...fields }`,
 * echoing the request's fields (e.g. an `id`). Give it a service time at spawn, so it serves one
 * request at a time and the rest wait in its queue.
 *
 * @example
 * sim.spawn("s1", backendServer, { service: { timeMs: latency.exponential(10) } });
 */
export function backendServer(node: Node): void {
  node.on("request", (msg) => {
    const { msg_id: _id, in_reply_to: _re, type: _t, ...fields } = msg.body;
    node.reply(msg, { ...fields, type: "response", server: node.id });
  });
}

/** Options of {@link runBalancerTrial}. */
export interface BalancerTrialOptions {
  policy: BalancingPolicy;
  /** Offered load as a fraction of the backends' total capacity, in (0, 1). */
  utilisation: number;
  /** Number of backends. Default 8. */
  backends?: number;
  /** Mean service time of a request at a normal backend. Default 10. */
  serviceTimeMs?: number;
  /** How many backends are slow. Default 2. */
  slowBackends?: number;
  /** A slow backend takes this many times longer. Default 2. */
  slowFactor?: number;
  /**
   * Request sizes: `"exponential"` (default) or `"heavy-tailed"` (Pareto with shape 1.5, capped at
   * 50× the mean; the capacity is computed from the nominal mean).
   */
  requestSizes?: "exponential" | "heavy-tailed";
  /** Requests sent (Poisson arrivals). Default 2000. */
  requests?: number;
  /** One-way network delay between any two nodes. Default 0.5. */
  networkLatencyMs?: number;
  seed?: number;
}

/** What one trial measured. Queue length = requests waiting or in service at a backend. */
export interface BalancerTrialResult {
  policy: BalancingPolicy;
  utilisation: number;
  latencyMsP50: number;
  latencyMsP99: number;
  /** The longest queue seen at any backend, sampled at each arrival. */
  queueLengthMax: number;
  /** Mean queue length over backends, sampled at each arrival (Poisson arrivals see time averages). */
  queueLengthMean: number;
  /** Every response time, in order of completion. */
  latenciesMs: number[];
}

const backendId = (i: number): string => `s${i + 1}`;

/** Draw a request size with the given mean. */
function requestSize(kind: "exponential" | "heavy-tailed", meanMs: number, rng: Prng): number {
  if (kind === "exponential") return rng.exponential(meanMs);
  const shape = 1.5;
  const scale = (meanMs * (shape - 1)) / shape; // Pareto minimum, so the uncapped mean is meanMs
  return Math.min(50 * meanMs, scale / Math.pow(1 - rng.float(), 1 / shape));
}

/**
 * One balancer trial: Poisson arrivals at `utilisation` of the total capacity, through one
 * balancer to `backends` servers of which `slowBackends` are `slowFactor` times slower. Tracing
 * is off; 2000 requests take a few tens of ms. The same seed gives every policy the same arrivals
 * and request sizes (common random numbers), so policies differ only by their choices.
 *
 * @example
 * const r = await runBalancerTrial({ policy: "power-of-two", utilisation: 0.9, seed: 1 });
 * console.log(r.latencyMsP99, r.queueLengthMax);
 */
export async function runBalancerTrial(options: BalancerTrialOptions): Promise<BalancerTrialResult> {
  const {
    policy,
    utilisation,
    backends = 8,
    serviceTimeMs = 10,
    slowBackends = 2,
    slowFactor = 2,
    requestSizes = "exponential",
    requests = 2000,
    networkLatencyMs = 0.5,
    seed = 1,
  } = options;
  if (!(utilisation > 0 && utilisation < 1)) throw new Error(`runBalancerTrial: utilisation must be in (0, 1), got ${String(utilisation)}`);
  if (!(slowBackends >= 0 && slowBackends <= backends)) throw new Error(`runBalancerTrial: slowBackends must be in [0, ${backends}], got ${String(slowBackends)}`);
  const sim = new Simulation({ seed, trace: false, network: { latency: latencyOf.constant(networkLatencyMs) }, maxEvents: 20 * requests + 1000 });
  const ids = Array.from({ length: backends }, (_, i) => backendId(i));
  // the slow backends are the last ones, so round-robin's rotation does not favour them
  const factor = (i: number): number => (i >= backends - slowBackends ? slowFactor : 1);
  ids.forEach((id, i) => {
    const f = factor(i);
    sim.spawn(id, backendServer, { role: "backend", service: { timeMs: (m) => f * ((m.body as { workMs?: number }).workMs ?? 0) } });
  });
  sim.spawn("lb", (node) => void loadBalancer(node, { backends: ids, policy }), { role: "balancer" });
  const capacityPerMs = ids.reduce((sum, _, i) => sum + 1 / (serviceTimeMs * factor(i)), 0);
  const arrivalGapMs = 1 / (utilisation * capacityPerMs);
  const latenciesMs: number[] = [];
  const sentMs = new Map<number, number>();
  let queueMax = 0;
  let queueSum = 0;
  let samples = 0;
  sim.spawn("client", (node) => {
    const arrivals = sim.random("arrivals");
    const sizes = sim.random("sizes");
    let sent = 0;
    node.on("response", (msg) => {
      const id = msg.body.in_reply_to as number;
      latenciesMs.push(node.now() - sentMs.get(id)!);
      sentMs.delete(id);
    });
    const arrive = (): void => {
      for (const b of ids) {
        const q = sim.queueLength(b) + sim.inService(b);
        if (q > queueMax) queueMax = q;
        queueSum += q;
      }
      samples += ids.length;
      const id = node.send("lb", { type: "request", workMs: requestSize(requestSizes, serviceTimeMs, sizes) });
      sentMs.set(id, node.now());
      if (++sent < requests) node.setTimer(arrivals.exponential(arrivalGapMs), arrive, "arrival");
    };
    node.setTimer(arrivals.exponential(arrivalGapMs), arrive, "arrival");
  }, { role: "client" });
  await sim.run();
  const p = percentiles(latenciesMs)!;
  return { policy, utilisation, latencyMsP50: p.p50, latencyMsP99: p.p99, queueLengthMax: queueMax, queueLengthMean: queueSum / samples, latenciesMs };
}

/** Options of {@link runBalancerExperiment}: the trial's options, with lists to sweep. */
export interface BalancerExperimentOptions extends Omit<BalancerTrialOptions, "policy" | "utilisation" | "seed"> {
  /** Default: every policy. */
  policies?: readonly BalancingPolicy[];
  /** Default [0.5, 0.7, 0.8, 0.9, 0.95]. */
  utilisations?: readonly number[];
  /** Seeds to pool per cell. Default [1]. */
  seeds?: readonly number[];
}

/** One cell of the comparison: a policy at a load, over every seed (latencies pooled). */
export type BalancerExperimentRow = Omit<BalancerTrialResult, "latenciesMs">;

/**
 * Every policy at every utilisation (each over `seeds`, latencies pooled, queue maxima maximal,
 * queue means averaged). With the defaults (5 policies × 5 loads × 2000 requests) it takes about
 * a second.
 *
 * @example
 * const rows = await runBalancerExperiment({ slowBackends: 2, slowFactor: 4 });
 * console.table(rows.filter((r) => r.utilisation === 0.9));
 */
export async function runBalancerExperiment(options: BalancerExperimentOptions = {}): Promise<BalancerExperimentRow[]> {
  const { policies = BALANCING_POLICIES, utilisations = [0.5, 0.7, 0.8, 0.9, 0.95], seeds = [1], ...trial } = options;
  const rows: BalancerExperimentRow[] = [];
  for (const policy of policies) {
    for (const utilisation of utilisations) {
      const pooled: number[] = [];
      let queueLengthMax = 0;
      let queueMeanSum = 0;
      for (const seed of seeds) {
        const r = await runBalancerTrial({ ...trial, policy, utilisation, seed });
        for (const ms of r.latenciesMs) pooled.push(ms);
        queueLengthMax = Math.max(queueLengthMax, r.queueLengthMax);
        queueMeanSum += r.queueLengthMean;
      }
      const p = percentiles(pooled)!;
      rows.push({ policy, utilisation, latencyMsP50: p.p50, latencyMsP99: p.p99, queueLengthMax, queueLengthMean: queueMeanSum / seeds.length });
    }
  }
  return rows;
}
