// Serverless: functions as a service (lecture 002, "Serverless": "automatic scalability and
// provisioning based on load", "costs based on precise usage", challenge "startup latency"; Mike
// Roberts, "Serverless Architectures", martinfowler.com 2018; Jonas et al., "Cloud Programming
// Simplified: A Berkeley View on Serverless Computing", 2019). A platform node runs one function:
//
//   - a request goes to an idle warm instance if there is one (warm start: only the execution);
//   - otherwise, below the concurrency limit, a new instance is started: the request waits a
//     cold start (`coldStartMs`: provision, load the code, initialise) before it executes;
//   - at the limit the request is throttled at once (AWS Lambda's 429 TooManyRequestsException);
//   - an instance idle for `idleTimeoutMs` is reclaimed: with no traffic the platform scales to
//     zero, and the next request pays a cold start again.
//
// One instance serves one request at a time (Lambda's model). Billing follows Lambda's price
// structure: a price per request plus a price per GB-second of billed duration (execution time,
// rounded up to 1 ms, times the memory size); an always-on server is billed per hour whether
// used or not.
//
// Wire protocol: client → platform { type: "invoke", ... } → { type: "invoke_ok", cold, instance }
//                                                        or  { type: "throttled" }
import type { Node } from "../node/index";
import { latency, sampleLatency, type Latency } from "../net/index";
import { Simulation } from "../simulation/index";
import { percentiles } from "../trace/index";

/** Options of {@link faasPlatform}. */
export interface FaasPlatformOptions {
  /** Time the function runs per request. */
  executionMs: Latency;
  /** Extra wait of a request that starts a new instance. */
  coldStartMs: number;
  /** An instance idle this long is reclaimed. */
  idleTimeoutMs: number;
  /** Instances at once (requests in progress); more are throttled. */
  concurrencyMax: number;
}

/** What a platform counted. */
export interface FaasCounters {
  invocations: number;
  coldStarts: number;
  throttled: number;
  /** Instances reclaimed after their idle timeout. */
  reclaimed: number;
  instancesMax: number;
  /** Sum of the billed durations (execution, each rounded up to 1 ms). */
  billedMs: number;
}

/** A running platform (one incarnation). */
export interface FaasPlatform {
  readonly counters: FaasCounters;
  /** Instances alive now (busy or idle). */
  readonly instances: number;
  /** Every change of the instance count, for a chart. */
  readonly instanceSeries: ReadonlyArray<{ timeMs: number; instances: number }>;
}

interface Instance {
  id: number;
  idleTimer?: number;
}

/**
 * A serverless platform node running one function, with cold starts, an idle timeout (scale to
 * zero) and a concurrency limit (throttling).
 *
 * @example
 * sim.spawn("faas", (node) => void faasPlatform(node, { executionMs: latency.constant(20), coldStartMs: 300, idleTimeoutMs: 60_000, concurrencyMax: 10 }));
 * const reply = await client.rpc("faas", { type: "invoke" }); // { type: "invoke_ok", cold: true, instance: 1 }
 */
export function faasPlatform(node: Node, options: FaasPlatformOptions): FaasPlatform {
  const { executionMs, coldStartMs, idleTimeoutMs, concurrencyMax } = options;
  const fail = (what: string): never => {
    throw new Error(`faasPlatform on ${node.id} at t=${node.now()}ms: ${what}`);
  };
  if (!(coldStartMs >= 0)) fail(`coldStartMs must be ≥ 0, got ${String(coldStartMs)}`);
  if (!(idleTimeoutMs > 0)) fail(`idleTimeoutMs must be > 0, got ${String(idleTimeoutMs)}`);
  if (!(Number.isInteger(concurrencyMax) && concurrencyMax >= 1)) fail(`concurrencyMax must be a whole number ≥ 1, got ${String(concurrencyMax)}`);
  if (!executionMs || typeof executionMs !== "object") fail(`executionMs must be a latency such as latency.constant(20)`);
  const counters: FaasCounters = { invocations: 0, coldStarts: 0, throttled: 0, reclaimed: 0, instancesMax: 0, billedMs: 0 };
  const idle: Instance[] = []; // most recently used last: reused first, so the others can expire
  let alive = 0;
  let nextId = 1;
  const instanceSeries: Array<{ timeMs: number; instances: number }> = [{ timeMs: node.now(), instances: 0 }];
  const note = (): void => void instanceSeries.push({ timeMs: node.now(), instances: alive });

  const release = (instance: Instance): void => {
    idle.push(instance);
    instance.idleTimer = node.setTimer(idleTimeoutMs, () => {
      idle.splice(idle.indexOf(instance), 1);
      alive--;
      counters.reclaimed++;
      note();
    }, "idle-timeout");
  };

  node.on("invoke", (msg) => {
    counters.invocations++;
    let instance = idle.pop();
    let cold = false;
    if (instance !== undefined) {
      node.cancelTimer(instance.idleTimer!);
    } else if (alive < concurrencyMax) {
      instance = { id: nextId++ };
      alive++;
      cold = true;
      counters.coldStarts++;
      if (alive > counters.instancesMax) counters.instancesMax = alive;
      note();
    } else {
      counters.throttled++;
      node.reply(msg, { type: "throttled" });
      return;
    }
    const runMs = sampleLatency(executionMs, node.rng);
    counters.billedMs += Math.max(1, Math.ceil(runMs));
    const chosen = instance;
    node.setTimer((cold ? coldStartMs : 0) + runMs, () => {
      node.reply(msg, { type: "invoke_ok", cold, instance: chosen.id });
      release(chosen);
    }, "execute");
  });

  return {
    counters,
    get instances() {
      return alive;
    },
    instanceSeries,
  };
}

/** Prices of the cost model. */
export interface ServerlessPrices {
  /** Per million requests. Default 0.20 (AWS Lambda, x86, us-east-1 list price). */
  perMillionRequestsUsd?: number;
  /** Per GB-second of billed duration. Default 0.0000166667 (the same list). */
  perGbSecondUsd?: number;
  /** An always-on server, per hour. Default 0.0416 (a 2-vCPU, 4 GB on-demand VM, e.g. EC2 t3.medium). */
  serverPerHourUsd?: number;
}

/** What {@link serverlessCost} computed. */
export interface ServerlessCost {
  serverlessUsd: number;
  serverlessPerRequestUsd: number;
  alwaysOnUsd: number;
  alwaysOnPerRequestUsd: number;
  /** The request rate at which the always-on server costs as much as FaaS at this cost per request. */
  breakEvenRatePerS: number;
}

/**
 * The bill of a run: serverless (requests + GB-seconds) against one always-on server for the
 * same duration.
 *
 * @example
 * serverlessCost({ requests: 1e6, billedMs: 20e6, memoryMb: 512, durationMs: 3_600_000 });
 * // serverless 0.20 + 20 000 s × 0.5 GB × 0.0000166667 ≈ $0.37; always-on $0.0416;
 * // break-even ≈ 0.0416 / 3600 / 0.37e-6 ≈ 31 requests/s
 */
export function serverlessCost(usage: { requests: number; billedMs: number; memoryMb: number; durationMs: number }, prices: ServerlessPrices = {}): ServerlessCost {
  const { perMillionRequestsUsd = 0.2, perGbSecondUsd = 0.0000166667, serverPerHourUsd = 0.0416 } = prices;
  const serverlessUsd = (usage.requests / 1e6) * perMillionRequestsUsd + (usage.billedMs / 1000) * (usage.memoryMb / 1024) * perGbSecondUsd;
  const alwaysOnUsd = (usage.durationMs / 3_600_000) * serverPerHourUsd;
  const per = (usd: number): number => (usage.requests === 0 ? NaN : usd / usage.requests);
  const serverlessPerRequestUsd = per(serverlessUsd);
  return { serverlessUsd, serverlessPerRequestUsd, alwaysOnUsd, alwaysOnPerRequestUsd: per(alwaysOnUsd), breakEvenRatePerS: serverPerHourUsd / 3600 / serverlessPerRequestUsd };
}

/** Options of {@link runServerlessTrial}. */
export interface ServerlessTrialOptions {
  /** Poisson request rate. */
  ratePerS: number;
  /** Length of the run. Default 600 000 (10 minutes). */
  durationMs?: number;
  /** Default latency.exponential(20). */
  executionMs?: Latency;
  /** Default 300. */
  coldStartMs?: number;
  /** Default 60 000 (providers keep idle instances for minutes; scaled down). */
  idleTimeoutMs?: number;
  /** Default 20. */
  concurrencyMax?: number;
  /** Memory size of an instance, for the GB-second price. Default 512. */
  memoryMb?: number;
  /** Extra requests sent all at once at the middle of the run (a burst). Default 0. */
  burstRequests?: number;
  prices?: ServerlessPrices;
  seed?: number;
}

/** What {@link runServerlessTrial} measured (latencies as the client sees them). */
export interface ServerlessTrialResult extends ServerlessCost {
  ratePerS: number;
  requests: number;
  served: number;
  throttled: number;
  coldStarts: number;
  /** Fraction of served requests that paid a cold start. */
  coldFraction: number;
  latencyMsP50Warm: number;
  latencyMsP99Warm: number;
  latencyMsP50Cold: number;
  latencyMsP99Cold: number;
  /** Over every served request. */
  latencyMsP99: number;
  instancesMax: number;
  /** Instances alive `idleTimeoutMs` after the last request (0: the platform scaled to zero). */
  instancesAtEnd: number;
}

/**
 * One serverless run at a constant rate (plus an optional burst); tracing is off.
 *
 * @example
 * const r = await runServerlessTrial({ ratePerS: 0.05 });
 * console.log(r.coldFraction, r.latencyMsP50Cold, r.latencyMsP50Warm, r.serverlessPerRequestUsd);
 */
export async function runServerlessTrial(options: ServerlessTrialOptions): Promise<ServerlessTrialResult> {
  const {
    ratePerS, durationMs = 600_000, executionMs = latency.exponential(20), coldStartMs = 300, idleTimeoutMs = 60_000, concurrencyMax = 20,
    memoryMb = 512, burstRequests = 0, prices, seed = 1,
  } = options;
  if (!(ratePerS > 0)) throw new Error(`runServerlessTrial: ratePerS must be > 0, got ${String(ratePerS)}`);
  const sim = new Simulation({ seed, trace: false, network: { latency: latency.constant(1) }, maxEvents: 20 * (ratePerS * durationMs / 1000 + burstRequests) + 10_000 });
  let platform: FaasPlatform | undefined;
  sim.spawn("faas", (node) => void (platform = faasPlatform(node, { executionMs, coldStartMs, idleTimeoutMs, concurrencyMax })), { role: "platform" });
  const warm: number[] = [];
  const cold: number[] = [];
  let requests = 0;
  let throttled = 0;
  sim.spawn("clients", (node) => {
    const arrivals = sim.random("arrivals");
    const invoke = async (): Promise<void> => {
      requests++;
      const startMs = node.now();
      const reply = await node.rpc("faas", { type: "invoke" }, { timeoutMs: 60_000 });
      if (reply.body.type === "throttled") throttled++;
      else (reply.body.cold ? cold : warm).push(node.now() - startMs);
    };
    const arrive = (): void => {
      if (node.now() >= durationMs) return;
      void invoke();
      node.setTimer(arrivals.exponential(1000 / ratePerS), arrive, "arrival");
    };
    node.setTimer(arrivals.exponential(1000 / ratePerS), arrive, "arrival");
    if (burstRequests > 0) node.setTimer(durationMs / 2, () => { for (let i = 0; i < burstRequests; i++) void invoke(); }, "burst");
  }, { role: "client" });
  await sim.runFor(durationMs + idleTimeoutMs + 1000); // past the last idle timeout
  const served = warm.length + cold.length;
  const counters = platform!.counters;
  const p = (values: number[], q: "p50" | "p99"): number => percentiles(values)?.[q] ?? NaN;
  const cost = serverlessCost({ requests: counters.invocations - counters.throttled, billedMs: counters.billedMs, memoryMb, durationMs }, prices);
  return {
    ratePerS,
    requests,
    served,
    throttled,
    coldStarts: counters.coldStarts,
    coldFraction: served === 0 ? 0 : cold.length / served,
    latencyMsP50Warm: p(warm, "p50"),
    latencyMsP99Warm: p(warm, "p99"),
    latencyMsP50Cold: p(cold, "p50"),
    latencyMsP99Cold: p(cold, "p99"),
    latencyMsP99: p([...warm, ...cold], "p99"),
    instancesMax: counters.instancesMax,
    instancesAtEnd: platform!.instances,
    ...cost,
  };
}

/** Options of {@link runServerlessExperiment}: a trial's options with a list of rates. */
export interface ServerlessExperimentOptions extends Omit<ServerlessTrialOptions, "ratePerS"> {
  /** Default [0.01, 0.05, 0.2, 1, 5, 20]. */
  ratesPerS?: readonly number[];
}

/**
 * Sweep the request rate: cold-start fraction, latency (cold vs warm) and cost per request, for a
 * table and a chart. Low rates: nearly every request is cold and the idle server is wasted money;
 * high rates: nearly every request is warm, and the always-on server gets cheaper per request.
 *
 * @example
 * const rows = await runServerlessExperiment();
 * console.table(rows.map((r) => ({ rate: r.ratePerS, cold: r.coldFraction, faas: r.serverlessPerRequestUsd, vm: r.alwaysOnPerRequestUsd })));
 */
export async function runServerlessExperiment(options: ServerlessExperimentOptions = {}): Promise<ServerlessTrialResult[]> {
  const { ratesPerS = [0.01, 0.05, 0.2, 1, 5, 20], ...trial } = options;
  const rows: ServerlessTrialResult[] = [];
  for (const ratePerS of ratesPerS) rows.push(await runServerlessTrial({ ...trial, ratePerS }));
  return rows;
}
