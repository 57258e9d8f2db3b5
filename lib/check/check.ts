/**
 * Checking a history for linearizability (Herlihy & Wing, 1990): is there one order of its
 * operations, each taking effect at an instant between its invocation and its completion, that
 * the sequential object (the {@link Model}) accepts? An operation that completes at the instant
 * another is invoked comes before it (as a client's next operation follows its last one). The search is Wing & Gong's with Lowe's
 * memoisation ({@link wingGongSearch}); with P-compositionality (Horn & Kroening, 2015) a model
 * that partitions its operations (a key–value store, by key) is checked one part at a time.
 *
 * - `fail` operations certainly did not happen: they are left out.
 * - `info` operations (and ones never completed) may take effect at any time after their
 *   invocation, or never: their return is at +∞ and their output free. Read-only ones
 *   constrain nothing and are left out.
 * - The search has a budget in steps, never in wall-clock time, so the result is the same on every
 *   machine; when it runs out the verdict is `unknown`, which is not a pass.
 */
import type { History, Operation } from "../history/index";
import { modelOperation, type Model } from "./model";
import { wingGongSearch, type SearchOperation } from "./wgl";

/** The answer: a linearization exists, none exists, or the budget ran out before either was shown. */
export type Verdict = "linearizable" | "not-linearizable" | "unknown";

/** The default search budget, in steps: the hardest etcd fixture needs about 790,000 (0.2 s); a 10-client key–value history, split by key, about 1,500 in all. */
export const DEFAULT_MAX_STEPS = 2_000_000;

/** Options of {@link checkLinearizability}. */
export interface CheckOptions {
  /**
   * The search budget in steps (each step tries one operation next, or backtracks), shared by all
   * parts. When it runs out the verdict is `unknown`. Default {@link DEFAULT_MAX_STEPS}.
   */
  maxSteps?: number;
  /**
   * Use the model's `partition` (P-compositionality) and check each part on its own. Default
   * true; `false` checks the history as one, which can be exponentially slower.
   */
  partition?: boolean;
}

/** An operation as the checker reports it: where it ran and what it did, in the model's words. */
export interface CheckedOperation {
  id: number;
  process: string;
  f: string;
  completion: Operation["completion"];
  invokeMs: number;
  /** Undefined for an operation of unknown outcome. */
  completeMs?: number;
  /** The model's description: `write(4)`, `read → 3`, `cas(1→4)`. */
  text: string;
}

/** The result for one part of the history (one key, or the whole history). */
export interface PartResult {
  /** The partition key, or undefined for the whole history. */
  key: string | undefined;
  /** Operations searched (after leaving out `fail` ones and read-only ones of unknown outcome). */
  operations: number;
  /** Operations left out: `fail`, and read-only of unknown outcome. */
  leftOut: number;
  /** `not-checked` when an earlier part was not linearizable or used up the budget. */
  verdict: Verdict | "not-checked";
  steps: number;
  /**
   * Operation ids: a linearization when linearizable (unknown-outcome operations it leaves out did
   * not take effect); otherwise the longest linearizable prefix found.
   */
  order: number[];
}

/**
 * Why a history is not linearizable, as the search found it: the longest linearizable prefix
 * (an order of operations the model accepts, consistent with real time), and the operation that
 * cannot be placed after it — every operation that could go next (`candidates`, the blocked one
 * included) is rejected by the model, and the blocked one has completed, so it cannot wait.
 */
export interface Violation {
  /** The part (key) the violation is in; undefined when the history was checked as one. */
  key: string | undefined;
  /** Every operation searched in that part, in invocation order. */
  operations: CheckedOperation[];
  /** The model's state before any operation. */
  initialState: string;
  /** The longest linearizable prefix, in order, with the model's state after each operation. */
  prefix: Array<CheckedOperation & { stateAfter: string }>;
  /** The model's state after the prefix. */
  stateAfterPrefix: string;
  /** The operation that cannot be placed: it completed, yet no operation fits next. */
  blocked: CheckedOperation;
  /** The operations that could go next after the prefix (the blocked one first), each with why it does not fit. */
  candidates: Array<CheckedOperation & { why: string }>;
  /** Operations whose interval overlaps the blocked one's (placed in the prefix or not). */
  concurrent: CheckedOperation[];
}

/** The checker's answer. Plain data: the same history and model give the same result, byte for byte. */
export interface LinearizabilityResult {
  verdict: Verdict;
  /** The model's name. */
  model: string;
  /** Operations in the history (all of them, `fail` included). */
  operations: number;
  /** True when the history was split by the model's `partition`. */
  partitioned: boolean;
  /** Steps taken in all parts. */
  steps: number;
  /** The budget it had. */
  maxSteps: number;
  /** One result per part, in order of each part's first operation. */
  parts: PartResult[];
  /** When not linearizable: why. */
  violation?: Violation;
  /** When unknown: the part whose search used up the budget. */
  exhausted?: { key: string | undefined; steps: number };
}

function validate(op: Operation): void {
  if (!Number.isFinite(op.invokeMs)) throw new RangeError(`checkLinearizability: operation #${op.id} has no invocation time`);
  if (op.completion === "info") return;
  if (op.completeMs === undefined || !Number.isFinite(op.completeMs)) {
    throw new RangeError(`checkLinearizability: operation #${op.id} (${op.process} ${op.f}) completed ${op.completion} but has no completeMs (only info operations may lack one)`);
  }
  if (op.completeMs < op.invokeMs) throw new RangeError(`checkLinearizability: operation #${op.id} completes at ${op.completeMs}ms, before its invocation at ${op.invokeMs}ms`);
}

/**
 * Check a history for linearizability against a model.
 *
 * @example
 * const h = rec.history(); // or parseKvHistory(text), parseJepsenEtcdLog(text)
 * const result = checkLinearizability(h, kvModel(), { maxSteps: 100_000 });
 * result.verdict;                      // "linearizable" | "not-linearizable" | "unknown"
 * console.log(explainLinearizability(result));
 */
export function checkLinearizability<S, I, O>(history: History<I, O>, model: Model<S, I, O>, options: CheckOptions = {}): LinearizabilityResult {
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  if (!(maxSteps >= 0) || !Number.isInteger(maxSteps)) throw new RangeError(`checkLinearizability: maxSteps must be a whole number ≥ 0, got ${maxSteps}`);
  for (const op of history.operations) validate(op as Operation);
  const partitioned = options.partition !== false && model.partition !== undefined;

  // P-compositionality: the parts, in order of their first operation.
  const groups = new Map<string | undefined, Array<Operation<I, O>>>();
  for (const op of history.operations) {
    const key = partitioned ? model.partition!(op) : undefined;
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = []));
    group.push(op);
  }

  const result: LinearizabilityResult = { verdict: "linearizable", model: model.name, operations: history.operations.length, partitioned, steps: 0, maxSteps, parts: [] };
  for (const [key, group] of groups) {
    if (result.verdict !== "linearizable") {
      result.parts.push({ key, operations: 0, leftOut: 0, verdict: "not-checked", steps: 0, order: [] });
      continue;
    }
    const searched: Array<Operation<I, O>> = [];
    const search: Array<SearchOperation<I, O>> = [];
    for (const op of group) {
      if (op.completion === "fail") continue;
      const call = modelOperation(op);
      if (call.unknown && model.readOnly?.(call)) continue;
      searched.push(op);
      search.push({ call, invokeMs: op.invokeMs, returnMs: call.unknown ? Infinity : (op.completeMs as number) });
    }
    const outcome = wingGongSearch(search, model, maxSteps - result.steps);
    result.steps += outcome.steps;
    result.parts.push({ key, operations: searched.length, leftOut: group.length - searched.length, verdict: outcome.verdict, steps: outcome.steps, order: outcome.order.map((i) => searched[i].id) });
    if (outcome.verdict === "unknown") {
      result.verdict = "unknown";
      result.exhausted = { key, steps: outcome.steps };
    } else if (outcome.verdict === "not-linearizable") {
      result.verdict = "not-linearizable";
      result.violation = describeViolation(model, key, searched, outcome.order, outcome.blocked as number, outcome.candidates ?? []);
    }
  }
  return result;
}

/**
 * Real-time order: `a` completed before `b` was invoked, or at the same instant (unless `a` took
 * no time at all) — the order of the search's entry list.
 */
function precedes(a: Operation, b: Operation): boolean {
  if (a.completion === "info") return false;
  const end = a.completeMs as number;
  return end < b.invokeMs || (end === b.invokeMs && a.invokeMs < end);
}

function checkedOperation<S, I, O>(model: Model<S, I, O>, op: Operation<I, O>): CheckedOperation {
  const checked: CheckedOperation = { id: op.id, process: op.process, f: op.f, completion: op.completion, invokeMs: op.invokeMs, text: model.describeOperation(modelOperation(op)) };
  if (op.completion !== "info") checked.completeMs = op.completeMs;
  return checked;
}

/** The violation in the model's words: states along the prefix, why each candidate does not fit. */
function describeViolation<S, I, O>(model: Model<S, I, O>, key: string | undefined, ops: Array<Operation<I, O>>, order: number[], blocked: number, candidates: number[]): Violation {
  const checked = ops.map((op) => checkedOperation(model, op));
  let state = model.init();
  const initialState = model.describeState(state);
  const prefix = order.map((i) => {
    const step = model.step(state, modelOperation(ops[i]));
    if (!step.ok) throw new Error(`checkLinearizability: internal error: the prefix does not replay at #${ops[i].id}`);
    state = step.state;
    return { ...checked[i], stateAfter: model.describeState(state) };
  });
  const reasons = [blocked, ...candidates.filter((i) => i !== blocked)].map((i) => {
    const step = model.step(state, modelOperation(ops[i]));
    // (`=== false`: the kernel's TypeScript, without strict null checks, narrows only on equality)
    const why = step.ok === false ? (step.why ?? `the ${model.name} cannot do it in state ${model.describeState(state)}`) : `it fits here (the state becomes ${model.describeState(step.state)}), but nothing that follows it fits`;
    return { ...checked[i], why };
  });
  const concurrent = checked.filter((_, i) => i !== blocked && !precedes(ops[i], ops[blocked]) && !precedes(ops[blocked], ops[i]));
  return { key, operations: checked, initialState, prefix, stateAfterPrefix: model.describeState(state), blocked: checked[blocked], candidates: reasons, concurrent };
}
