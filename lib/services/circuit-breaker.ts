// A circuit breaker (Michael T. Nygard, "Release It!", 2nd ed. 2018, ch. 5 "Stability Patterns":
// Circuit Breaker; Martin Fowler, "CircuitBreaker", 2014). A caller wraps its calls to one
// dependency in a breaker with three states:
//
//   closed     calls go through; consecutive failures are counted, a success resets the count.
//              At `failureThreshold` consecutive failures the breaker trips → open.
//   open       calls fail at once with CircuitBreakerOpenError, nothing is sent: the struggling
//              dependency gets time to recover and the caller does not wait for timeouts.
//              After `openMs` → half-open.
//   half-open  the next call is a trial ("probe"); calls made while it is outstanding fail fast.
//              Probe succeeds → closed; probe fails → open again for another `openMs`.
//
// A failure is a call with no reply within `callTimeoutMs`, or a reply whose type is "error"
// (change with `isFailure`). Every transition is declared with `node.setState`, so
// `toStateDiagram(trace, { role })` draws the machine. Exercise 05.2 asks for the same behaviour
// under other names; this is the library's version for the notebooks and the gateway.
import { RpcTimeoutError, type Body, type Message, type Node } from "../node/index";
import { SimulationError } from "../sim/index";

/** The breaker's state, named as in Nygard's book. */
export type BreakerState = "closed" | "open" | "half-open";

/** Options of {@link openCircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** The dependency's node id. */
  target: string;
  /** Consecutive failures that trip the breaker (≥ 1). */
  failureThreshold: number;
  /** How long the breaker stays open before it lets one probe through. */
  openMs: number;
  /** How long one call waits for the reply. */
  callTimeoutMs: number;
  /** Which replies count as failures. Default: `body.type === "error"`. */
  isFailure?: (reply: Message) => boolean;
  /** Declare each transition with `node.setState` (turn off when a node has several breakers). Default true. */
  declareState?: boolean;
}

/** What a breaker counted. */
export interface CircuitBreakerCounters {
  calls: number;
  successes: number;
  failures: number;
  /** Calls refused without sending (open, or half-open with a probe outstanding). */
  rejected: number;
  /** Transitions to open. */
  trips: number;
}

/** A breaker around one dependency (one node incarnation). */
export interface CircuitBreaker {
  /** Send `body` to the target and resolve with the reply; rejects when the call fails or is refused. */
  call(body: Body): Promise<Message>;
  readonly state: BreakerState;
  readonly counters: CircuitBreakerCounters;
}

/**
 * The error of a call the breaker refused without sending.
 *
 * @example
 * await breaker.call({ type: "charge" }).catch((e) => { if (e instanceof CircuitBreakerOpenError) useFallback(); });
 */
export class CircuitBreakerOpenError extends SimulationError {
  constructor(node: string, readonly target: string, readonly state: BreakerState, timeMs: number) {
    super(`circuit breaker to "${target}" is ${state}: call refused without sending`, { node, timeMs });
    this.name = "CircuitBreakerOpenError";
  }
}

/**
 * Wrap calls from `node` to one dependency in a circuit breaker.
 *
 * @example
 * sim.spawn("shop", (node) => {
 *   const payments = openCircuitBreaker(node, { target: "payments", failureThreshold: 3, openMs: 500, callTimeoutMs: 50 });
 *   node.on("checkout", async (m) => {
 *     try { await payments.call({ type: "charge", amount: 10 }); node.reply(m, { type: "checkout_ok" }); }
 *     catch { node.reply(m, { type: "checkout_later" }); } // fails fast while the breaker is open
 *   });
 * }, { role: "breaker" });
 * // toStateDiagram(sim.trace, { role: "breaker" }) draws closed → open → half-open → closed
 */
export function openCircuitBreaker(node: Node, options: CircuitBreakerOptions): CircuitBreaker {
  const { target, failureThreshold, openMs, callTimeoutMs, declareState = true } = options;
  const isFailure = options.isFailure ?? ((reply: Message) => reply.body.type === "error");
  const fail = (what: string): never => {
    throw new Error(`openCircuitBreaker on ${node.id} at t=${node.now()}ms: ${what}`);
  };
  if (typeof target !== "string" || target === "") fail(`target must be a node id, got ${JSON.stringify(target)}`);
  if (!(Number.isInteger(failureThreshold) && failureThreshold >= 1)) fail(`failureThreshold must be a whole number ≥ 1, got ${String(failureThreshold)}`);
  if (!(openMs > 0)) fail(`openMs must be > 0, got ${String(openMs)}`);
  if (!(callTimeoutMs > 0)) fail(`callTimeoutMs must be > 0, got ${String(callTimeoutMs)}`);

  let state: BreakerState = "closed";
  let failuresInRow = 0;
  let probing = false;
  const counters: CircuitBreakerCounters = { calls: 0, successes: 0, failures: 0, rejected: 0, trips: 0 };

  const become = (next: BreakerState, cause: string): void => {
    state = next;
    if (declareState) node.setState(next, cause);
  };
  const trip = (cause: string): void => {
    counters.trips++;
    become("open", cause);
    node.setTimer(openMs, () => become("half-open", `${openMs}ms open`), "breaker-reset");
  };
  if (declareState) node.setState("closed");

  // Outcomes of calls sent before the breaker opened may come back later: while open or
  // half-open only the probe's outcome decides.
  const onSuccess = (probe: boolean): void => {
    counters.successes++;
    if (state === "closed") failuresInRow = 0;
    else if (state === "half-open" && probe) {
      failuresInRow = 0;
      become("closed", "probe succeeded");
    }
  };
  const onFailure = (probe: boolean, why: string): void => {
    counters.failures++;
    if (state === "half-open" && probe) trip(`probe failed (${why})`);
    else if (state === "closed" && ++failuresInRow >= failureThreshold) trip(`${failuresInRow} failures in a row`);
  };

  const call = async (body: Body): Promise<Message> => {
    counters.calls++;
    if (state === "open" || (state === "half-open" && probing)) {
      counters.rejected++;
      throw new CircuitBreakerOpenError(node.id, target, state, node.now());
    }
    const probe = state === "half-open";
    if (probe) probing = true;
    try {
      const reply = await node.rpc(target, body, { timeoutMs: callTimeoutMs });
      if (isFailure(reply)) onFailure(probe, `reply ${reply.body.type}`);
      else onSuccess(probe);
      return reply;
    } catch (error) {
      onFailure(probe, error instanceof RpcTimeoutError ? "timeout" : "error");
      throw error;
    } finally {
      if (probe) probing = false;
    }
  };
  return {
    call,
    get state() {
      return state;
    },
    counters,
  };
}
