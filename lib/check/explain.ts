/**
 * The checker's answer in words, and the helpers graders use: {@link linearizabilityFailure}
 * (undefined only for a pass) and {@link assertLinearizable} (throws on anything but a pass).
 * An `unknown` verdict — the search budget ran out — is never a pass.
 */
import type { History } from "../history/index";
import { formatMs } from "../sim/index";
import { checkLinearizability, DEFAULT_MAX_STEPS, type CheckOptions, type CheckedOperation, type LinearizabilityResult, type Violation } from "./check";
import type { Model } from "./model";
import { writeLinearizabilityDiagram } from "./diagram";

/** How many operations of the longest prefix an explanation lists (the last ones). */
export const EXPLAIN_PREFIX_MAX = 10;

/** How many other candidates an explanation lists. */
export const EXPLAIN_CANDIDATES_MAX = 8;

/**
 * How an explanation names a part: `key "3"`, or `the history` when it was checked as one.
 *
 * @example
 * partName("3");       // 'key "3"'
 * partName(undefined); // "the history"
 */
export function partName(key: string | undefined): string {
  return key === undefined ? "the history" : `key ${JSON.stringify(key)}`;
}

/**
 * When an operation ran, in words: `t=3ms–7ms`, or `from t=3ms, outcome unknown`.
 *
 * @example
 * operationInterval(result.violation!.blocked); // "t=40ms–52ms"
 */
export function operationInterval(op: CheckedOperation): string {
  return op.completeMs === undefined ? `from t=${formatMs(op.invokeMs)}, outcome unknown` : `t=${formatMs(op.invokeMs)}–${formatMs(op.completeMs)}`;
}

/** `#17 (c5: get("3") → "b", t=40ms–52ms)`. */
function named(op: CheckedOperation): string {
  return `#${op.id} (${op.process}: ${op.text}, ${operationInterval(op)})`;
}

function budgetMessage(result: LinearizabilityResult): string {
  const where = result.exhausted?.key !== undefined ? ` (it ran out on ${partName(result.exhausted.key)})` : "";
  const raised = Math.max(10 * result.maxSteps, 1000);
  return [
    `Linearizability check of the ${result.model}: UNKNOWN — this is not a pass.`,
    `The search used its whole budget of ${result.maxSteps.toLocaleString("en-US")} steps${where} without finding a linearization or showing that none exists.`,
    `Raise the budget: checkLinearizability(history, model, { maxSteps: ${raised} }) (the same option for assertLinearizable; the default is ${DEFAULT_MAX_STEPS.toLocaleString("en-US")}), or check a shorter history` +
      (result.partitioned ? "." : "; a model that partitions the history (by key) has each part searched on its own, which is far cheaper."),
    "The budget counts search steps, not seconds, so the same history always gets the same verdict.",
  ].join("\n");
}

function violationText(result: LinearizabilityResult, v: Violation): string {
  const lines: string[] = [];
  const where = v.key === undefined ? "" : ` on ${partName(v.key)}`;
  lines.push(`Not linearizable: no order of the ${v.operations.length} operations${where} respects real time and the ${result.model}'s rules.`);
  lines.push("");
  if (v.prefix.length === 0) {
    lines.push(`The checker cannot place even a first operation. The ${result.model} starts as ${v.initialState}.`);
  } else {
    lines.push(`Every order the checker tried gets stuck. The longest linearizable prefix it found places ${v.prefix.length} of the ${v.operations.length} operations, in this order:`);
    const skipped = Math.max(0, v.prefix.length - EXPLAIN_PREFIX_MAX);
    if (skipped > 0) lines.push(`   … ${skipped} earlier operation${skipped === 1 ? "" : "s"} (result.violation.prefix has them all)`);
    v.prefix.slice(skipped).forEach((op, k) => lines.push(`  ${String(skipped + k + 1).padStart(3)}. ${named(op)}  ⇒ ${op.stateAfter}`));
    lines.push(`After it the ${result.model} holds ${v.stateAfterPrefix}.`);
  }
  lines.push("");
  const b = v.candidates[0];
  const deadline = `t=${formatMs(v.blocked.completeMs as number)}`;
  lines.push(`Of the operations not placed, ${named(v.blocked)} completed first, so it must take effect next, or after other operations invoked before ${deadline}. It does not fit: ${b.why}.`);
  const others = v.candidates.slice(1);
  if (others.length === 0) {
    lines.push(`No other operation invoked before ${deadline} is left to go first.`);
  } else {
    lines.push(`Nor does any operation invoked before ${deadline} fit first:`);
    for (const c of others.slice(0, EXPLAIN_CANDIDATES_MAX)) lines.push(`   - ${named(c)}: ${c.why}`);
    if (others.length > EXPLAIN_CANDIDATES_MAX) lines.push(`   - … and ${others.length - EXPLAIN_CANDIDATES_MAX} more (result.violation.candidates)`);
  }
  const placed = new Map(v.prefix.map((op, k) => [op.id, k + 1]));
  const concurrent = v.concurrent.map((op) => `#${op.id} ${op.text} (${placed.has(op.id) ? `no. ${placed.get(op.id)} in the prefix` : "not placed"})`);
  lines.push(concurrent.length === 0 ? `No operation overlaps #${v.blocked.id} in time.` : `Operations concurrent with #${v.blocked.id}: ${concurrent.join(", ")}.`);
  return lines.join("\n");
}

/**
 * The result in words a student can read: for a violation, the longest linearizable prefix, the
 * operation that cannot be placed and why, and the operations concurrent with it; for `unknown`,
 * that the budget ran out and how to raise it; for a pass, one line.
 *
 * @example
 * console.log(explainLinearizability(checkLinearizability(h, registerModel())));
 * // Not linearizable: no order of the 2 operations respects real time and the register's rules. …
 */
export function explainLinearizability(result: LinearizabilityResult): string {
  if (result.verdict === "unknown") return budgetMessage(result);
  if (result.verdict === "not-linearizable" && result.violation) return violationText(result, result.violation);
  const parts = result.partitioned ? ` in ${result.parts.length} independent part${result.parts.length === 1 ? "" : "s"} (by key)` : "";
  return `Linearizable: the ${result.operations} operations${parts} fit the ${result.model} in an order that respects real time (${result.steps.toLocaleString("en-US")} search steps).`;
}

/**
 * For a grader: undefined when the history is linearizable, otherwise the message to fail with —
 * the explanation of a violation, or, for `unknown`, that the search budget ran out (never a pass).
 *
 * @example
 * const failure = linearizabilityFailure(checkLinearizability(h, kvModel()));
 * if (failure) throw new Error(failure);
 */
export function linearizabilityFailure(result: LinearizabilityResult): string | undefined {
  return result.verdict === "linearizable" ? undefined : explainLinearizability(result);
}

/**
 * Thrown by {@link assertLinearizable}; carries the checker's result (and the diagram's path).
 *
 * @example
 * try {
 *   assertLinearizable(h, kvModel(), { diagram: "kv-seed-7" });
 * } catch (e) {
 *   if (e instanceof LinearizabilityError) console.log(e.result.verdict, e.diagramPath);
 * }
 */
export class LinearizabilityError extends Error {
  readonly result: LinearizabilityResult;
  /** The failure diagram's path from the repository root, when one was written. */
  readonly diagramPath?: string;

  constructor(message: string, result: LinearizabilityResult, diagramPath?: string) {
    super(message);
    this.name = "LinearizabilityError";
    this.result = result;
    this.diagramPath = diagramPath;
  }
}

/** Options of {@link assertLinearizable}: the checker's, and where to save the failure diagram. */
export interface AssertLinearizableOptions extends CheckOptions {
  /**
   * Name of the failure diagram: a violation writes `build/failures/<diagram>.mmd` and the
   * message gives its path.
   */
  diagram?: string;
}

/**
 * Check and throw a {@link LinearizabilityError} unless the history is linearizable: a violation
 * is explained (and drawn, with `diagram`), an `unknown` verdict fails with how to raise the budget.
 * Returns the result on a pass.
 *
 * @example
 * assertLinearizable(rec.history(), kvModel(), { maxSteps: 100_000, diagram: "05.2-kv-seed-7" });
 */
export function assertLinearizable<S, I, O>(history: History<I, O>, model: Model<S, I, O>, options: AssertLinearizableOptions = {}): LinearizabilityResult {
  const result = checkLinearizability(history, model, options);
  const failure = linearizabilityFailure(result);
  if (failure === undefined) return result;
  let diagramPath: string | undefined;
  let message = failure;
  if (result.verdict === "not-linearizable" && options.diagram !== undefined) {
    diagramPath = writeLinearizabilityDiagram(result, options.diagram);
    message += `\nDiagram: ${diagramPath} (render it with npm run diagrams -- build/failures)`;
  }
  throw new LinearizabilityError(message, result, diagramPath);
}
