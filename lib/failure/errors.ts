// Option checks shared by the failure modules: each error names the node (when there is one), the
// virtual time and what was wrong, like the simulator's own errors.
import { ConfigError, SimulationError, type ErrorContext } from "../sim/index";
import type { Node } from "../node/index";

/**
 * Where a check runs: a node (its id and virtual time are named) or a bare context.
 *
 * @example
 * const where: FailureContext = { node: "n1", timeMs: 250 };
 */
export type FailureContext = ErrorContext;

/**
 * The context of `node` now, for errors.
 *
 * @example
 * throw new SimulationError("bad", contextOf(node));
 */
export function contextOf(node: Node): FailureContext {
  return { node: node.id, timeMs: node.now() };
}

/**
 * Throw a `ConfigError` unless `value` is a finite number > 0 (or ≥ 0 with `allowZero`).
 *
 * @example
 * checkPositive("measureSwim", "periodMs", options.periodMs, {});
 */
export function checkPositive(where: string, name: string, value: unknown, context: FailureContext, allowZero = false): number {
  if (typeof value !== "number" || !Number.isFinite(value) || !(allowZero ? value >= 0 : value > 0)) {
    throw new ConfigError(`${where}: ${name}`, value, allowZero ? "a finite number ≥ 0" : "a finite number > 0", context);
  }
  return value;
}

/**
 * Throw a `ConfigError` unless `value` is a whole number ≥ `min`.
 *
 * @example
 * checkInteger("measureSwim", "n", 8, 2, {});
 */
export function checkInteger(where: string, name: string, value: unknown, min: number, context: FailureContext): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new ConfigError(`${where}: ${name}`, value, `a whole number ≥ ${min}`, context);
  }
  return value;
}

/**
 * An error about the failure modules with its context appended.
 *
 * @example
 * throw failureError("openSwim: unknown member \"z\"", contextOf(node));
 */
export function failureError(text: string, context: FailureContext): SimulationError {
  return new SimulationError(text, context);
}
