/**
 * Reference solution of exercise 05.2 — circuit breaker (see exercises/05-integration-and-services/circuit-breaker.ts).
 *
 * Nygard's three states (*Release It!*, "Circuit Breaker"; lecture 002): closed counts consecutive
 * failures, open fails fast for openMs, half-open lets one probe through. Half-open is entered
 * lazily, by the first call after openMs, so no timer is needed. An outcome that arrives after the
 * breaker changed state since its call was sent (a slow call of an earlier period) changes nothing:
 * each period is numbered, and only outcomes of the current period count.
 */
import { type Body, type Message, type Node } from "../../lib/node";

/**
 * The error the breaker throws while it is open: the call failed fast, and no request was sent.
 * The grader recognises it by its name, `"CircuitOpenError"`.
 *
 * @example
 * throw new CircuitOpenError(`circuit to "inventory" is open: failing fast`);
 */
export class CircuitOpenError extends Error {
  constructor(message = "the circuit is open: failing fast without sending") {
    super(message);
    this.name = "CircuitOpenError";
  }
}

/** The three states of a circuit breaker, as `node.setState` names them. */
export type BreakerState = "closed" | "open" | "half-open";

/** What `circuitBreaker` returns. */
export interface Breaker {
  /** Send `body` to the service through the breaker: the reply, or a rejection (timeout, CircuitOpenError). */
  call(body: Body): Promise<Message>;
  /** The state now. */
  readonly state: BreakerState;
}

/**
 * A circuit breaker on `node` for calls to `service`.
 *
 * @example
 * const node = sim.spawn("client", () => {});
 * const breaker = circuitBreaker(node, "inventory", { failuresToOpen: 3, openMs: 500, timeoutMs: 200 });
 * const reply = await breaker.call({ type: "get", key: "apples" }); // or CircuitOpenError, RpcTimeoutError
 */
export function circuitBreaker(node: Node, service: string, options: { failuresToOpen: number; openMs: number; timeoutMs: number }): Breaker {
  const { failuresToOpen, openMs, timeoutMs } = options;
  for (const [name, value] of Object.entries({ failuresToOpen, openMs, timeoutMs })) {
    if (!(value > 0)) throw new Error(`circuitBreaker on ${node.id} at t=${node.now()}ms: ${name} must be > 0, got ${value}`);
  }
  let state: BreakerState = "closed";
  let failures = 0;
  let openedMs = 0;
  /** Numbers the periods between state changes: an outcome from an earlier one is ignored. */
  let period = 0;

  const enter = (next: BreakerState, why: string): void => {
    state = next;
    period++;
    node.setState(next, why);
  };
  enter("closed", "created");

  const outcome = (sentIn: number, ok: boolean): void => {
    if (sentIn !== period) return;
    if (state === "half-open") {
      if (ok) {
        failures = 0;
        enter("closed", "the probe succeeded");
      } else {
        openedMs = node.now();
        enter("open", "the probe failed");
      }
    } else if (ok) {
      failures = 0;
    } else if (++failures >= failuresToOpen) {
      openedMs = node.now();
      enter("open", `${failures} consecutive failures`);
    }
  };

  const call = async (body: Body): Promise<Message> => {
    if (state === "open" && node.now() - openedMs >= openMs) enter("half-open", `${openMs} ms open: probe`);
    else if (state !== "closed") throw new CircuitOpenError(`circuit to "${service}" is ${state}: failing fast`);
    const sentIn = period;
    let reply: Message;
    try {
      reply = await node.rpc(service, body, { timeoutMs });
    } catch (error) {
      outcome(sentIn, false);
      throw error;
    }
    outcome(sentIn, reply.body.type !== "error");
    return reply;
  };

  return {
    call,
    get state() {
      return state;
    },
  };
}
