// Monolith vs microservices (lecture 002, "Microservices": resilience — "if a component of a
// system fails and the failure doesn't scale, the system can carry on working"; scalability —
// "it is possible to scale on demand specific services"; James Lewis & Martin Fowler,
// "Microservices", 2014, "Design for failure"). Three experiments:
//
//   failure isolation   a shop with catalog, cart and recommendations behind an API gateway. The
//                       recommendations code fails: in a monolith it takes the whole process down;
//                       as a microservice only its own requests fail — or, with a fallback at the
//                       gateway, get a default answer.
//   scaling one service the hot service is replicated behind lib/patterns' load balancer; the
//                       monolith would have to replicate every component to get the same replicas.
//   retry storm         a service slows down for a while; clients that retry at once on timeout
//                       send it more work exactly when it has least capacity. The server serves
//                       requests whose clients already gave up, the queue grows, more requests
//                       time out: the load is amplified and the service may not recover after
//                       the slowdown ends — a metastable failure (Bronson, Aghayev, Charapko &
//                       Zhu, "Metastable Failures in Distributed Systems", HotOS 2021). Backoff
//                       with jitter and circuit breakers (Nygard, "Release It!") remove the
//                       amplification.
import type { Node } from "../node/index";
import { latency } from "../net/index";
import { Simulation } from "../simulation/index";
import { percentiles } from "../trace/index";
import { loadBalancer, backendServer } from "../patterns/balancer";
import { apiGateway, type GatewayRoute } from "./gateway";
import { CircuitBreakerOpenError, openCircuitBreaker } from "./circuit-breaker";

/** Options of {@link runFailureIsolation}. */
export interface FailureIsolationOptions {
  architecture: "monolith" | "microservices";
  /** The gateway answers recommendations with an empty list when they fail. Default false. */
  fallbacks?: boolean;
  /** When the recommendations code fails, and for how long its process stays down (> 100). Default 1000, 1000. */
  failAtMs?: number;
  downMs?: number;
  /** Client requests per second, spread evenly over the three routes. Default 150. */
  ratePerS?: number;
  seed?: number;
}

/** Fraction of requests answered (ok or fallback) among those sent while the failed process was down, per route. */
export interface FailureIsolationResult {
  architecture: "monolith" | "microservices";
  fallbacks: boolean;
  catalogAnswered: number;
  cartAnswered: number;
  recommendationsAnswered: number;
  /** Of the recommendations answered, the fraction that were fallbacks. */
  recommendationsFallback: number;
  /** Over every route. */
  answered: number;
}

const ROUTES = ["catalog", "cart", "recommendations"] as const;

/**
 * One failure-isolation trial: the recommendations code fails at `failAtMs`.
 *
 * @example
 * const mono = await runFailureIsolation({ architecture: "monolith" });          // every route down
 * const micro = await runFailureIsolation({ architecture: "microservices", fallbacks: true }); // all answered
 */
export async function runFailureIsolation(options: FailureIsolationOptions): Promise<FailureIsolationResult> {
  const { architecture, fallbacks = false, failAtMs = 1000, downMs = 1000, ratePerS = 150, seed = 1 } = options;
  if (!(downMs > 100)) throw new Error(`runFailureIsolation: downMs must be > 100, got ${String(downMs)}`);
  if (architecture !== "monolith" && architecture !== "microservices") throw new Error(`runFailureIsolation: architecture must be "monolith" or "microservices", got ${JSON.stringify(architecture)}`);
  const sim = new Simulation({ seed, trace: false, network: { latency: latency.uniform(1, 3) } });
  const serve = (node: Node): void => {
    node.on("request", (m) => node.reply(m, { type: "response", by: node.id }));
  };
  const routes: Record<string, GatewayRoute> = {};
  if (architecture === "monolith") {
    sim.spawn("monolith", serve, { role: "service", service: { timeMs: latency.constant(1), concurrency: Infinity } });
    for (const r of ROUTES) routes[r] = { targets: ["monolith"], timeoutMs: 50 };
  } else {
    for (const r of ROUTES) {
      sim.spawn(r, serve, { role: "service", service: { timeMs: latency.constant(1), concurrency: Infinity } });
      routes[r] = { targets: [r], timeoutMs: 50 };
    }
  }
  if (fallbacks) routes.recommendations.fallback = { items: [] };
  sim.spawn("gateway", (node) => void apiGateway(node, { routes }), { role: "gateway" });
  const failing = architecture === "monolith" ? "monolith" : "recommendations";
  sim.at(failAtMs, () => sim.crash(failing), "recommendations fail");
  sim.at(failAtMs + downMs, () => void sim.restart(failing), "restarted");
  const tally: Record<string, { sent: number; answered: number; fallback: number }> = {};
  for (const r of ROUTES) tally[r] = { sent: 0, answered: 0, fallback: 0 };
  const endMs = failAtMs + downMs + 500;
  sim.spawn("clients", (node) => {
    const arrivals = sim.random("arrivals");
    const request = async (route: string): Promise<void> => {
      // sent while the process is down and early enough not to reach it after its restart
      const during = node.now() >= failAtMs && node.now() < failAtMs + downMs - 100;
      if (during) tally[route].sent++;
      const reply = await node.rpc("gateway", { type: "api_request", route }, { timeoutMs: 500 }).catch(() => undefined);
      const status = reply?.body.status;
      if (during && (status === "ok" || status === "fallback")) tally[route].answered++;
      if (during && status === "fallback") tally[route].fallback++;
    };
    const arrive = (): void => {
      if (node.now() >= endMs) return;
      void request(ROUTES[arrivals.int(0, ROUTES.length)]);
      node.setTimer(arrivals.exponential(1000 / ratePerS), arrive, "arrival");
    };
    arrive();
  }, { role: "client" });
  await sim.runFor(endMs + 600);
  const frac = (a: number, b: number): number => (b === 0 ? 0 : a / b);
  const all = ROUTES.reduce((s, r) => ({ sent: s.sent + tally[r].sent, answered: s.answered + tally[r].answered }), { sent: 0, answered: 0 });
  return {
    architecture,
    fallbacks,
    catalogAnswered: frac(tally.catalog.answered, tally.catalog.sent),
    cartAnswered: frac(tally.cart.answered, tally.cart.sent),
    recommendationsAnswered: frac(tally.recommendations.answered, tally.recommendations.sent),
    recommendationsFallback: frac(tally.recommendations.fallback, tally.recommendations.answered),
    answered: frac(all.answered, all.sent),
  };
}

/** Options of {@link runHotServiceScaling}. */
export interface HotServiceScalingOptions {
  /** Replica counts of the hot service to try. Default [1, 2, 3, 4, 6]. */
  replicas?: readonly number[];
  /** Requests per second to the hot service. Default 250. */
  ratePerS?: number;
  /** Mean service time of one request at one replica (exponential). Default 10. */
  serviceTimeMs?: number;
  /** Requests per trial. Default 1500. */
  requests?: number;
  /** Components of the application (the hot one included): what a monolith replica carries. Default 4. */
  components?: number;
  seed?: number;
}

/** One row of {@link runHotServiceScaling}. */
export interface HotServiceScalingRow {
  replicas: number;
  /** Offered load over the replicas' capacity (≥ 1: overloaded, the queue grows without bound). */
  utilisation: number;
  latencyMsP50: number;
  latencyMsP99: number;
  /** Component instances deployed: microservices replicate the hot one only, a monolith all of them. */
  instancesMicroservices: number;
  instancesMonolith: number;
}

/**
 * Scale one hot service: Poisson requests through a least-connections balancer (lib/patterns) to
 * `replicas` instances; the latency is the same whichever architecture provides the replicas, the
 * number of component instances deployed is not.
 *
 * @example
 * console.table(await runHotServiceScaling({ replicas: [2, 3, 4] }));
 */
export async function runHotServiceScaling(options: HotServiceScalingOptions = {}): Promise<HotServiceScalingRow[]> {
  const { replicas: counts = [1, 2, 3, 4, 6], ratePerS = 250, serviceTimeMs = 10, requests = 1500, components = 4, seed = 1 } = options;
  const rows: HotServiceScalingRow[] = [];
  for (const replicas of counts) {
    if (!(Number.isInteger(replicas) && replicas >= 1)) throw new Error(`runHotServiceScaling: replica counts must be whole numbers ≥ 1, got ${String(replicas)}`);
    const sim = new Simulation({ seed, trace: false, network: { latency: latency.constant(0.5) }, maxEvents: 50 * requests + 1000 });
    const ids = Array.from({ length: replicas }, (_, i) => `search${i + 1}`);
    for (const id of ids) sim.spawn(id, backendServer, { role: "replica", service: { timeMs: latency.exponential(serviceTimeMs) } });
    sim.spawn("lb", (node) => void loadBalancer(node, { backends: ids, policy: "least-connections" }), { role: "balancer" });
    const latenciesMs: number[] = [];
    sim.spawn("clients", (node) => {
      const arrivals = sim.random("arrivals");
      const sentMs = new Map<number, number>();
      let sent = 0;
      node.on("response", (m) => {
        const id = m.body.in_reply_to as number;
        latenciesMs.push(node.now() - sentMs.get(id)!);
        sentMs.delete(id);
      });
      const arrive = (): void => {
        sentMs.set(node.send("lb", { type: "request" }), node.now());
        if (++sent < requests) node.setTimer(arrivals.exponential(1000 / ratePerS), arrive, "arrival");
      };
      arrive();
    }, { role: "client" });
    await sim.run();
    const p = percentiles(latenciesMs)!;
    rows.push({
      replicas,
      utilisation: (ratePerS * serviceTimeMs) / 1000 / replicas,
      latencyMsP50: p.p50,
      latencyMsP99: p.p99,
      instancesMicroservices: replicas + (components - 1),
      instancesMonolith: replicas * components,
    });
  }
  return rows;
}

/** How clients react to a failed call. */
export type RetryPolicy = "none" | "immediate" | "backoff" | "budget" | "breaker";

/**
 * Every retry policy: give up, retry at once, retry after exponential backoff with full jitter,
 * backoff under a retry budget (gRPC's retry throttling, proposal A6 "gRPC Retry Design": a token
 * bucket of 10, −1 per failed attempt, +0.1 per success, retries only while above half full), or
 * call through a circuit breaker (no retry).
 *
 * @example
 * for (const policy of RETRY_POLICIES) console.log(await runRetryStorm({ policy }));
 */
export const RETRY_POLICIES: readonly RetryPolicy[] = ["none", "immediate", "backoff", "budget", "breaker"];

/** The retry budget's token bucket size (gRPC's default maxTokens). */
const TOKENS_MAX = 10;

/** Options of {@link runRetryStorm}. */
export interface RetryStormOptions {
  policy: RetryPolicy;
  /** Clients, each sending Poisson requests. Default 20. */
  clients?: number;
  /** Requests per second per client. Default 15 (300/s in all: 75% of the server's capacity). */
  ratePerSPerClient?: number;
  /** Server: time per request, requests served at once. Default 10 ms, 4 (capacity 400/s). */
  serviceTimeMs?: number;
  concurrency?: number;
  /** Requests that may wait at the server; more are dropped. Default 100. */
  queueLengthMax?: number;
  /** The slowdown: service time × `slowdownFactor` during [slowFromMs, slowToMs). Default 1000–1500, × 4. */
  slowFromMs?: number;
  slowToMs?: number;
  slowdownFactor?: number;
  /** Client timeout per attempt. Default 100. */
  timeoutMs?: number;
  /** Retries after the first attempt (immediate, backoff and budget). Default 3. */
  retries?: number;
  /** Backoff: first wait (doubling, full jitter). Default 100. */
  backoffMsInitial?: number;
  /** Length of the run (clients stop sending at its end). Default 4000. */
  durationMs?: number;
  seed?: number;
}

/** What {@link runRetryStorm} measured. */
export interface RetryStormResult {
  policy: RetryPolicy;
  /** Requests the clients wanted served. */
  requests: number;
  /** The fraction that got a reply (after retries). */
  successRate: number;
  /** Attempts sent to the server: first attempts and retries (calls a breaker refused are not sent). */
  attempts: number;
  /** attempts / requests: the load amplification. */
  amplification: number;
  /** The same ratio for requests first sent during the slowdown and the 500 ms after it. */
  amplificationIncident: number;
  /** Requests the server served, including work for clients that had already given up. */
  served: number;
  /** The longest queue at the server. */
  queueLengthMax: number;
  /** Time from the slowdown's end until requests succeed again (≥ 90% per 100 ms window, for good). */
  recoveryMs: number;
  /** False when the last window was still failing: the overload sustained itself (metastable). */
  recovered: boolean;
}

/**
 * One retry-storm trial: a server slows down for a while under clients following `policy`.
 *
 * @example
 * const storm = await runRetryStorm({ policy: "immediate" });
 * const calm = await runRetryStorm({ policy: "backoff" });
 * console.log(storm.amplification, calm.amplification, storm.recovered, calm.recoveryMs);
 */
export async function runRetryStorm(options: RetryStormOptions): Promise<RetryStormResult> {
  const {
    policy, clients = 20, ratePerSPerClient = 15, serviceTimeMs = 10, concurrency = 4, slowFromMs = 1000, slowToMs = 1500, slowdownFactor = 4,
    queueLengthMax = 100, timeoutMs = 100, retries = 3, backoffMsInitial = 100, durationMs = 4000, seed = 1,
  } = options;
  if (!RETRY_POLICIES.includes(policy)) throw new Error(`runRetryStorm: unknown policy ${JSON.stringify(policy)}; expected one of ${RETRY_POLICIES.join(", ")}`);
  if (!(slowToMs > slowFromMs && slowToMs < durationMs)) throw new Error(`runRetryStorm: need slowFromMs < slowToMs < durationMs, got ${slowFromMs}, ${slowToMs}, ${durationMs}`);
  const sim = new Simulation({ seed, trace: false, network: { latency: latency.uniform(0.5, 1.5) }, maxEvents: 5_000_000 });
  let served = 0;
  let attempts = 0;
  let attemptsIncident = 0;
  const incidentEndMs = slowToMs + 500;
  sim.spawn("server", (node) => {
    node.on("work", (m) => {
      served++;
      node.reply(m, { type: "work_ok" });
    });
  }, { role: "server", service: { timeMs: latency.constant(serviceTimeMs), concurrency, queueLengthMax } });
  sim.at(slowFromMs, () => sim.setService("server", { timeMs: latency.constant(serviceTimeMs * slowdownFactor) }), "slowdown");
  sim.at(slowToMs, () => sim.setService("server", { timeMs: latency.constant(serviceTimeMs) }), "recovered");
  const outcomes: Array<{ sentMs: number; ok: boolean }> = [];
  let queueLengthSeenMax = 0;
  const ids = Array.from({ length: clients }, (_, i) => `c${i + 1}`);
  for (const id of ids) {
    sim.spawn(id, (node) => {
      const arrivals = sim.random(`arrivals-${id}`);
      const jitter = sim.random(`jitter-${id}`);
      let tokens = TOKENS_MAX; // the retry budget (policy "budget")
      const breaker = policy === "breaker" ? openCircuitBreaker(node, { target: "server", failureThreshold: 3, openMs: 200, callTimeoutMs: timeoutMs, declareState: false }) : undefined;
      const request = async (): Promise<void> => {
        const firstSentMs = node.now();
        const incident = firstSentMs >= slowFromMs && firstSentMs < incidentEndMs;
        const body = { type: "work", firstSentMs };
        const tries = policy === "immediate" || policy === "backoff" || policy === "budget" ? 1 + retries : 1;
        let ok = false;
        for (let attempt = 0; attempt < tries && !ok; attempt++) {
          if (attempt > 0 && policy === "budget" && !(tokens > TOKENS_MAX / 2)) break; // out of budget: give up
          if (attempt > 0 && (policy === "backoff" || policy === "budget")) await node.sleep(jitter.uniform(0, backoffMsInitial * 2 ** (attempt - 1))); // full jitter
          let sent = true;
          try {
            if (breaker) await breaker.call(body);
            else await node.rpc("server", body, { timeoutMs });
            ok = true;
            tokens = Math.min(TOKENS_MAX, tokens + 0.1);
          } catch (error) {
            sent = !(error instanceof CircuitBreakerOpenError); // a refused call sent nothing
            tokens = Math.max(0, tokens - 1);
          }
          if (sent) {
            attempts++;
            if (incident) attemptsIncident++;
          }
        }
        outcomes.push({ sentMs: firstSentMs, ok });
      };
      const arrive = (): void => {
        if (node.now() >= durationMs) return;
        void request();
        const q = sim.queueLength("server");
        if (q > queueLengthSeenMax) queueLengthSeenMax = q;
        node.setTimer(arrivals.exponential(1000 / ratePerSPerClient), arrive, "arrival");
      };
      node.setTimer(arrivals.exponential(1000 / ratePerSPerClient), arrive, "arrival");
    }, { role: "client" });
  }
  await sim.runFor(durationMs + 2000);
  // recovery: the end of the last 100 ms window (by send time) after the slowdown with < 90% success
  const windowMs = 100;
  const windows = new Map<number, { n: number; ok: number }>();
  for (const o of outcomes) {
    const w = Math.floor(o.sentMs / windowMs);
    const cell = windows.get(w) ?? { n: 0, ok: 0 };
    cell.n++;
    if (o.ok) cell.ok++;
    windows.set(w, cell);
  }
  let lastBadEndMs = slowToMs;
  const lastWindow = Math.floor((durationMs - 1) / windowMs);
  for (const [w, cell] of windows) if (w * windowMs >= slowFromMs && cell.ok < 0.9 * cell.n) lastBadEndMs = Math.max(lastBadEndMs, (w + 1) * windowMs);
  const recovered = !(windows.get(lastWindow) && windows.get(lastWindow)!.ok < 0.9 * windows.get(lastWindow)!.n);
  const incidentRequests = outcomes.filter((o) => o.sentMs >= slowFromMs && o.sentMs < incidentEndMs).length;
  return {
    policy,
    requests: outcomes.length,
    successRate: outcomes.filter((o) => o.ok).length / outcomes.length,
    attempts,
    amplification: attempts / outcomes.length,
    amplificationIncident: incidentRequests === 0 ? 0 : attemptsIncident / incidentRequests,
    served,
    queueLengthMax: queueLengthSeenMax,
    recoveryMs: Math.max(0, lastBadEndMs - slowToMs),
    recovered,
  };
}

/**
 * Every retry policy on the same arrivals, as rows for a table.
 *
 * @example
 * console.table(await compareRetryPolicies());
 */
export async function compareRetryPolicies(options: Omit<RetryStormOptions, "policy"> = {}): Promise<RetryStormResult[]> {
  const rows: RetryStormResult[] = [];
  for (const policy of RETRY_POLICIES) rows.push(await runRetryStorm({ ...options, policy }));
  return rows;
}
