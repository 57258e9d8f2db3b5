/**
 * What the linearizability checker needs to know about an object: its sequential specification.
 * Herlihy & Wing define linearizability against a sequential object; Porcupine calls it a model.
 * A model starts in `init()` and `step`s through operations one at a time; the checker searches
 * for an order of the history's operations, consistent with real time, that the model accepts.
 */
import type { Operation } from "../history/index";

/**
 * One operation as the model sees it: its name, input and output. When `unknown` is true the
 * outcome was not seen (the client timed out: Jepsen's `info`, or the operation never completed),
 * so the operation is taken to have happened with whatever output the model gives it: `output`
 * is then undefined and the step must accept it wherever its effect is possible.
 *
 * @example
 * const op: ModelOperation<number | null, number | null> = { f: "read", input: null, output: 3, unknown: false };
 */
export interface ModelOperation<I = unknown, O = unknown> {
  readonly f: string;
  readonly input: I;
  readonly output: O | undefined;
  readonly unknown: boolean;
}

/**
 * The answer of {@link Model.step}: the operation fits (`ok`, with the state after it), or it does
 * not, with a short reason a student can read (`read 3, but the register holds 4`).
 *
 * @example
 * const fits: StepResult<number> = { ok: true, state: 4 };
 * const misfit: StepResult<number> = { ok: false, why: "read 3, but the register holds 4" };
 */
export type StepResult<S> = { readonly ok: true; readonly state: S } | { readonly ok: false; readonly why?: string };

/**
 * A sequential specification. Pure functions only: the checker calls them millions of times, in an
 * order of its own, and caches states by {@link Model.stateKey}.
 *
 * @example
 * const counter: Model<number, number, number> = {
 *   name: "counter",
 *   init: () => 0,
 *   step: (n, op) => (op.f === "add" ? { ok: true, state: n + op.input } : op.unknown || op.output === n ? { ok: true, state: n } : { ok: false, why: `read ${op.output}, but the counter is ${n}` }),
 *   stateKey: (n) => n,
 *   describeOperation: (op) => (op.f === "add" ? `add(${op.input})` : `read → ${op.unknown ? "?" : op.output}`),
 *   describeState: (n) => String(n),
 * };
 */
export interface Model<S, I = unknown, O = unknown> {
  /** What the object is, in words: "compare-and-set register", "key–value store". */
  readonly name: string;
  /** The state before any operation. */
  init(): S;
  /**
   * Apply `op` to `state`: `{ ok: true, state }` with the state after it, or `{ ok: false, why }`
   * when the object could not have answered `op.output` in `state`. With `op.unknown`, any output
   * is fine: apply the effect the operation would have had.
   */
  step(state: S, op: ModelOperation<I, O>): StepResult<S>;
  /**
   * A key for a state: two states are equal exactly when their keys are (`===`). The checker's
   * cache of (linearized operations, state) pairs — Lowe's memoisation — compares states by it.
   */
  stateKey(state: S): string | number;
  /**
   * P-compositionality (Herlihy & Wing's locality; Horn & Kroening): the independent part of the
   * object an operation touches, e.g. its key. A history is linearizable iff each part's
   * sub-history is, so the checker checks each part on its own. Leave it out to check as one.
   */
  partition?(op: Operation<I, O>): string;
  /**
   * True when `op` never changes the state (a read). An operation of unknown outcome that changes
   * nothing constrains nothing, so the checker leaves it out.
   */
  readOnly?(op: ModelOperation<I, O>): boolean;
  /** The operation in a few words: `write(4)`, `read → 4`, `cas(1→4)`. */
  describeOperation(op: ModelOperation<I, O>): string;
  /** The state in a few words: `4`, `nil`, `{x: "ab"}`. */
  describeState(state: S): string;
}

/**
 * The model's view of a history operation (an `info` operation's output is unknown).
 *
 * @example
 * modelOperation({ id: 0, process: "c1", f: "write", input: 4, invokeMs: 0, completion: "info" });
 * // { f: "write", input: 4, output: undefined, unknown: true }
 */
export function modelOperation<I, O>(op: Operation<I, O>): ModelOperation<I, O> {
  const unknown = op.completion !== "ok";
  return { f: op.f, input: op.input, output: unknown ? undefined : op.output, unknown };
}
