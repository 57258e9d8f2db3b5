// Bulkheads (Michael T. Nygard, "Release It!", 2nd ed. 2018, ch. 5 "Stability Patterns":
// Bulkheads): a ship's hull is split into watertight compartments so one breach does not sink
// it. A caller splits its capacity (threads, connections) into one bounded pool per dependency:
// a call takes a slot of its dependency's pool and gives it back when it ends; a call that finds
// the pool full is rejected at once (BulkheadFullError) instead of waiting. So a dependency that
// hangs can hold at most its own pool, and calls to the healthy dependencies keep their slots.
//
// Without bulkheads all calls share one pool (the caller's thread pool): calls to a hanging
// dependency each hold a slot until they time out, the pool fills with them, and the caller can
// no longer serve anything — the "chain reaction" and "blocked threads" antipatterns of the book.
import type { Body, Message, Node } from "../node/index";
import { SimulationError } from "../sim/index";
import { latency } from "../net/index";
import { Simulation } from "../simulation/index";

/** Options of {@link openBulkhead}. */
export interface BulkheadOptions {
  /** The compartment's name (in errors), e.g. the dependency's. */
  name: string;
  /** Calls allowed at once (≥ 1). */
  maxConcurrent: number;
  /** The dependency `call` sends to (not needed with `run`). */
  target?: string;
  /** How long `call` waits for a reply. Default 1000. */
  callTimeoutMs?: number;
}

/** A bounded pool of call slots (one node incarnation). */
export interface Bulkhead {
  /** Run `task` in a slot, or reject at once with BulkheadFullError when every slot is taken. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** `run` of an rpc to the target. */
  call(body: Body): Promise<Message>;
  /** Slots taken now. */
  readonly active: number;
  readonly counters: { admitted: number; rejected: number; activeMax: number };
}

/**
 * The error of a call refused because its bulkhead was full.
 *
 * @example
 * await pool.call({ type: "q" }).catch((e) => { if (e instanceof BulkheadFullError) degraded++; });
 */
export class BulkheadFullError extends SimulationError {
  constructor(node: string, readonly bulkhead: string, readonly maxConcurrent: number, timeMs: number) {
    super(`bulkhead "${bulkhead}" is full (${maxConcurrent} calls in progress): call rejected`, { node, timeMs });
    this.name = "BulkheadFullError";
  }
}

/**
 * A bulkhead: at most `maxConcurrent` calls at once through it; one more is rejected at once.
 *
 * @example
 * sim.spawn("shop", (node) => {
 *   const reviews = openBulkhead(node, { name: "reviews", target: "reviews", maxConcurrent: 3, callTimeoutMs: 200 });
 *   node.on("page", async (m) => {
 *     const r = await reviews.call({ type: "reviews_get" }).catch(() => undefined); // full or slow: no reviews
 *     node.reply(m, { type: "page_ok", reviews: r?.body.items ?? [] });
 *   });
 * });
 */
export function openBulkhead(node: Node, options: BulkheadOptions): Bulkhead {
  const { name, maxConcurrent, target, callTimeoutMs = 1000 } = options;
  if (!(Number.isInteger(maxConcurrent) && maxConcurrent >= 1)) {
    throw new Error(`openBulkhead "${name}" on ${node.id} at t=${node.now()}ms: maxConcurrent must be a whole number ≥ 1, got ${String(maxConcurrent)}`);
  }
  let active = 0;
  const counters = { admitted: 0, rejected: 0, activeMax: 0 };
  const run = async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= maxConcurrent) {
      counters.rejected++;
      throw new BulkheadFullError(node.id, name, maxConcurrent, node.now());
    }
    active++;
    counters.admitted++;
    if (active > counters.activeMax) counters.activeMax = active;
    try {
      return await task();
    } finally {
      active--;
    }
  };
  const call = (body: Body): Promise<Message> => {
    if (target === undefined) throw new Error(`openBulkhead "${name}" on ${node.id} at t=${node.now()}ms: call() needs options.target (or use run())`);
    return run(() => node.rpc(target, body, { timeoutMs: callTimeoutMs }));
  };
  return {
    run,
    call,
    get active() {
      return active;
    },
    counters,
  };
}

/** Options of {@link runBulkheadExperiment}. */
export interface BulkheadExperimentOptions {
  /** `"shared"`: one pool for both dependencies; `"bulkheads"`: one pool each. */
  mode: "shared" | "bulkheads";
  /** The caller's capacity: calls in progress at once, over all dependencies. Default 10. */
  threads?: number;
  /** With bulkheads: the slots given to the hanging dependency (the rest go to the healthy one). Default 3. */
  slotsForHanging?: number;
  /** Requests per second of each kind. Default 20. */
  ratePerS?: number;
  /** How long a call to the hanging dependency waits before it gives up. Default 1000. */
  callTimeoutMs?: number;
  /** Length of the run. Default 10000. */
  durationMs?: number;
  seed?: number;
}

/** What {@link runBulkheadExperiment} measured. */
export interface BulkheadExperimentResult {
  mode: "shared" | "bulkheads";
  /** Requests whose call went to the healthy dependency, and the fraction that got an answer. */
  healthyRequests: number;
  healthySuccessRate: number;
  /** The same for the hanging dependency (always 0: it never answers). */
  hangingRequests: number;
  hangingSuccessRate: number;
  /** Calls rejected because their pool was full. */
  rejected: number;
}

/**
 * A caller ("app") serves two kinds of requests, one needing the healthy dependency "inventory"
 * (5 ms), the other needing "reviews", which hangs (it never answers). Each call holds a slot of
 * the caller's capacity until it returns or times out. Shared pool: the hanging calls fill it and
 * the healthy requests are rejected too. Bulkheads: they only fill their own compartment.
 *
 * @example
 * const shared = await runBulkheadExperiment({ mode: "shared" });
 * const split = await runBulkheadExperiment({ mode: "bulkheads" });
 * console.log(shared.healthySuccessRate, split.healthySuccessRate); // ≈ 0.5 vs 1
 */
export async function runBulkheadExperiment(options: BulkheadExperimentOptions): Promise<BulkheadExperimentResult> {
  const { mode, threads = 10, slotsForHanging = 3, ratePerS = 20, callTimeoutMs = 1000, durationMs = 10_000, seed = 1 } = options;
  if (mode !== "shared" && mode !== "bulkheads") throw new Error(`runBulkheadExperiment: mode must be "shared" or "bulkheads", got ${JSON.stringify(mode)}`);
  if (!(slotsForHanging >= 1 && slotsForHanging < threads)) throw new Error(`runBulkheadExperiment: slotsForHanging must be in [1, ${threads - 1}], got ${slotsForHanging}`);
  const sim = new Simulation({ seed, trace: false, network: { latency: latency.uniform(0.5, 1.5) } });
  sim.spawn("inventory", (node) => {
    node.on("stock", (m) => node.reply(m, { type: "stock_ok" }));
  }, { role: "dependency", service: { timeMs: latency.constant(5), concurrency: Infinity } });
  sim.spawn("reviews", (node) => {
    node.on("reviews_get", () => {}); // hangs: takes the request, never answers
  }, { role: "dependency" });
  const outcome = { healthy: 0, healthyOk: 0, hanging: 0, hangingOk: 0 };
  let rejected = 0;
  sim.spawn("app", (node) => {
    const pools =
      mode === "shared"
        ? (() => {
            const one = openBulkhead(node, { name: "threads", maxConcurrent: threads });
            return { inventory: one, reviews: one };
          })()
        : {
            inventory: openBulkhead(node, { name: "inventory", maxConcurrent: threads - slotsForHanging }),
            reviews: openBulkhead(node, { name: "reviews", maxConcurrent: slotsForHanging }),
          };
    const arrivals = sim.random("arrivals");
    const serve = async (dependency: "inventory" | "reviews"): Promise<void> => {
      const type = dependency === "inventory" ? "stock" : "reviews_get";
      if (dependency === "inventory") outcome.healthy++;
      else outcome.hanging++;
      try {
        await pools[dependency].run(() => node.rpc(dependency, { type }, { timeoutMs: callTimeoutMs }));
        if (dependency === "inventory") outcome.healthyOk++;
        else outcome.hangingOk++;
      } catch (error) {
        if (error instanceof BulkheadFullError) rejected++;
      }
    };
    const gapMs = 1000 / (2 * ratePerS);
    const arrive = (): void => {
      if (node.now() >= durationMs) return;
      void serve(arrivals.chance(0.5) ? "inventory" : "reviews");
      node.setTimer(arrivals.exponential(gapMs), arrive, "arrival");
    };
    node.setTimer(arrivals.exponential(gapMs), arrive, "arrival");
  }, { role: "caller" });
  await sim.runFor(durationMs + callTimeoutMs + 100);
  return {
    mode,
    healthyRequests: outcome.healthy,
    healthySuccessRate: outcome.healthy === 0 ? 0 : outcome.healthyOk / outcome.healthy,
    hangingRequests: outcome.hanging,
    hangingSuccessRate: outcome.hanging === 0 ? 0 : outcome.hangingOk / outcome.hanging,
    rejected,
  };
}
