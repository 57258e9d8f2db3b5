// What happens when node code fails, and why a run used up its event budget.
import { SimulationError } from "../sim/errors";
import type { Runtime } from "./registry";
import type { Counters } from "./transport";

/** What happens when a handler or timer throws (or its promise rejects), or a message has no handler. */
export type ErrorPolicy =
  /** Stop the run with an error naming the node, the message and the virtual time (default). */
  | "fail"
  /** Record the error and crash the node, like a process dying on an uncaught exception. */
  | "crash"
  /** Record the error in the trace and go on. */
  | "record";

/** The error policies, for option checks. */
export const ERROR_POLICIES: readonly ErrorPolicy[] = ["fail", "crash", "record"];

/** What applying the policy needs from the simulation. */
export interface FailurePort {
  readonly policy: ErrorPolicy;
  readonly counters: Counters;
  now(): number;
  seed: number;
  record(event: { kind: "error"; timeMs: number; node: string; during: string; message: string }): void;
  /** Stop the current run with this error. */
  fail(error: SimulationError): void;
  isUp(node: string): boolean;
  crash(node: string): void;
}

/**
 * A live incarnation of `node` failed while doing `during`: count it, trace it, and apply the
 * policy (stop the run, crash the node, or go on).
 *
 * @example
 * reportNodeError(port, "a", "message ping from b", new Error("boom"));
 */
export function reportNodeError(port: FailurePort, node: string, during: string, error: unknown): void {
  port.counters.errors++;
  const text = error instanceof SimulationError ? error.detail : error instanceof Error ? error.message : String(error);
  port.record({ kind: "error", timeMs: port.now(), node, during, message: text });
  if (port.policy === "fail") {
    const err = new SimulationError(`${during}: ${text}`, { node, timeMs: port.now(), seed: port.seed });
    if (error instanceof Error && error.stack) err.stack = `${err.name}: ${err.message}\nCaused by: ${error.stack}`;
    port.fail(err);
  } else if (port.policy === "crash" && port.isUp(node)) {
    port.crash(node);
  }
}

/**
 * Who produced the events of a run that hit its budget: the node that sent most and the top
 * message types, or a hint at a timer loop when no message was sent.
 *
 * @example
 * explainBudget(registry.order, transport.counters, transport.sentByType);
 * // '5000 messages were sent; node "loud" sent the most (4000); top message types: gossip 80%, ack 20%. …'
 */
export function explainBudget(nodes: readonly Runtime[], counters: Counters, sentByType: ReadonlyMap<string, number>): string {
  const total = counters.sent;
  if (total === 0) return "No messages were sent: look for a timer that keeps rescheduling itself.";
  const top = nodes.slice().sort((a, b) => b.sent - a.sent)[0];
  const types = Array.from(sentByType.entries())
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([t, n]) => `${t} ${Math.round((100 * n) / total)}%`)
    .join(", ");
  return `${total} messages were sent; node "${top.id}" sent the most (${top.sent}); top message types: ${types}. Raise the budget with new Simulation({ maxEvents }) if this load is intended.`;
}
