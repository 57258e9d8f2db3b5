/**
 * Exercise 05.2 — circuit breaker (15 points). Graded by `npm test` (test/05-integration-and-services.test.ts),
 * or alone with `npm run grade -- 05.2`.
 *
 * A client that keeps calling a service that is down makes things worse: every call waits for its
 * timeout, and the requests pile up on a service that is trying to recover. A circuit breaker
 * (Nygard, *Release It!*; lecture 002) sits in the client and stops calling for a while after
 * repeated failures. Write `circuitBreaker(node, service, { failuresToOpen, openMs, timeoutMs })`;
 * it returns a `Breaker` whose `call(body)` the client uses instead of `node.rpc`.
 *
 * The rules (the grader checks every one, on the trace and on what `call` returns):
 * - **closed** (the start): `call(body)` sends `body` to `service` once, at once, as
 *   `node.rpc(service, body, { timeoutMs })` does (no retries). A reply whose `body.type` is
 *   `"error"` is a **failure**, and so is no reply within `timeoutMs` (a timeout); any other reply
 *   is a **success**. `call` resolves with the reply message (error replies too: the caller reads
 *   their `code`), and rejects with the timeout's error (node.rpc's `RpcTimeoutError`) on a timeout.
 * - After `failuresToOpen` **consecutive** failures (a success in between starts the count again
 *   from 0) the breaker is **open**, from the moment of the failure that made the count.
 * - **open**: for `openMs` from that moment every call rejects at once with
 *   `new CircuitOpenError(…)` (defined below, in this file) and sends nothing.
 * - The first call after `openMs` is the **probe**: the breaker is **half-open**, and that call goes
 *   to the service like a closed one; calls made while the probe is on its way reject at once with
 *   CircuitOpenError. The probe's success closes the breaker (count 0); its failure opens it again,
 *   for another `openMs` from that moment.
 * - Call `node.setState(name)` on every change, with exactly the names "closed", "open",
 *   "half-open", and `node.setState("closed")` when the breaker is created; `breaker.state` says the
 *   state at any time. You may enter "half-open" with a timer when openMs is over, or on the first
 *   call after it.
 *
 * The grader drives your breaker on a client node against its own service (node names drawn per
 * run, other nodes spawned first): failuresToOpen 2–5, openMs 300–800 ms, timeoutMs 100–250 ms,
 * drawn per run. The service goes through phases of 0.4–1.5 s: healthy (answers within 50 ms),
 * flaky (a quarter of the answers are errors), failing (every answer an error), timing out (no
 * answer), mixed (errors and silence), and healthy again at the end. The grader makes one call at
 * a time, 10–150 ms apart, except that it sometimes makes 2–3 calls at the same moment while the
 * breaker is open (so also when a probe is due); it keeps running 1 s after the last call and fails
 * any request sent without a call. 27 runs for each of 5 seeds; latency 5–15 ms, no loss.
 * Use node.now() / node.setTimer for time, never Date.now or setTimeout (the grader fails them).
 */
import type { Body, Message, Node } from "../../lib/node";
import { NotImplementedError } from "../not-implemented";

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
  // Your code here (05.2)
  throw new NotImplementedError("05.2 circuit-breaker", "exercises/05-integration-and-services/circuit-breaker.ts");
}
