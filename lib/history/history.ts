// Operation histories in Jepsen's shape: clients invoke operations and see them complete. The one
// representation every checker, budget and diagram of the course reads.

/**
 * How an operation ended:
 * - `ok`: it happened, with `output`;
 * - `fail`: it certainly did not happen (e.g. a compare-and-set whose expected value did not match);
 * - `info`: unknown — it timed out or the client gave up, so it may have taken effect at any time
 *   after its invocation, or never. An operation still open when the history ends is `info` too.
 */
export type Completion = "ok" | "fail" | "info";

/**
 * One operation of one client (a Jepsen "process"): invoked at `invokeMs`, completed at
 * `completeMs` (undefined for `info`: its effect, if any, may come at any later time).
 *
 * @example
 * const op: Operation = { id: 0, process: "c1", f: "put", input: { key: "x", value: 1 }, invokeMs: 0, completion: "ok", completeMs: 12, output: undefined };
 */
export interface Operation<I = unknown, O = unknown> {
  /** Position in the history (invocation order). */
  id: number;
  /** The client that ran it; a client runs one operation at a time. */
  process: string;
  /** The operation's name: `read`, `write`, `cas`, `get`, `put`, `append`, `add`, … */
  f: string;
  input: I;
  /** Virtual time of the invocation. */
  invokeMs: number;
  completion: Completion;
  /** Virtual time of the completion; undefined when `completion` is `info`. */
  completeMs?: number;
  /** The result, for `ok` operations. */
  output?: O;
  /**
   * Why a `fail` or `info` operation ended so: a Maelstrom error reply (`code` and its `text`),
   * or a timeout (`text` only). Never set for `ok`.
   */
  error?: OperationError;
}

/**
 * Why an operation did not end `ok`: a Maelstrom error code with its text, or just a text (e.g.
 * `"timeout: no reply within 100ms"`).
 *
 * @example
 * const e: OperationError = { code: 22, text: "precondition-failed: expected 3, found 1" };
 */
export interface OperationError {
  /** Maelstrom's error code (see `MAELSTROM_ERRORS`); absent for a timeout. */
  code?: number;
  text: string;
}

/**
 * A history: operations in invocation order. Build one with `HistoryRecorder` (or a client
 * workload), or parse a recorded one; read it with the checkers and budgets.
 *
 * @example
 * const h: History = recorder.history();
 * h.operations.filter((op) => op.completion === "ok").length;
 */
export interface History<I = unknown, O = unknown> {
  operations: Array<Operation<I, O>>;
}

/** An operation that has been invoked and not completed yet. */
export interface OpenOperation {
  readonly id: number;
}

/**
 * Records a history as clients run: `invoke` when an operation starts, `complete` when it ends.
 * Operations never completed come out as `info` (unknown) in `history()`.
 *
 * The rules (each broken one throws, naming the client and the times):
 * - a client (process) has at most one operation open at a time;
 * - an operation cannot complete before its invocation, nor twice;
 * - a process whose operation ended `info` is finished: that operation may still take effect at
 *   any later time, so in the model it stays open for ever, and the client must go on under a new
 *   process name (Jepsen's rule; `runClients` names them `c1`, `c1#2`, `c1#3`, …).
 *
 * @example
 * const rec = new HistoryRecorder();
 * const op = rec.invoke("c1", "read", null, sim.now());
 * rec.complete(op, "ok", 42, sim.now());
 * rec.history().operations[0]; // { id: 0, process: "c1", f: "read", input: null, invokeMs: 0, completion: "ok", completeMs: 5, output: 42 }
 */
export class HistoryRecorder<I = unknown, O = unknown> {
  private readonly ops: Array<Operation<I, O>> = [];
  private readonly open = new Map<string, number>();
  /** Processes whose last operation ended `info`, with that operation's id. */
  private readonly retired = new Map<string, number>();

  /**
   * A client starts an operation. A client may have only one operation open at a time.
   *
   * @example
   * const op = rec.invoke("c1", "put", { key: "x", value: 1 }, sim.now());
   */
  invoke(process: string, f: string, input: I, timeMs: number): OpenOperation {
    const already = this.open.get(process);
    if (already !== undefined) {
      throw new Error(`history: client "${process}" invoked ${f} at t=${timeMs}ms while its ${this.ops[already].f} (invoked at t=${this.ops[already].invokeMs}ms) is still open`);
    }
    const gone = this.retired.get(process);
    if (gone !== undefined) {
      throw new Error(
        `history: client "${process}" invoked ${f} at t=${timeMs}ms after its ${this.ops[gone].f} (invoked at t=${this.ops[gone].invokeMs}ms) ended info, ` +
          `which may still take effect at any time: go on under a new process name (e.g. "${process}#2")`,
      );
    }
    const id = this.ops.length;
    this.ops.push({ id, process, f, input, invokeMs: timeMs, completion: "info" });
    this.open.set(process, id);
    return { id };
  }

  /**
   * The operation ended: `ok` with its output, `fail` (did not happen) or `info` (unknown), with
   * an optional `error` saying why it was not `ok`. After `info` the process is finished (see the
   * class comment).
   *
   * @example
   * rec.complete(op, "ok", { value: 1 }, sim.now());
   * rec.complete(op2, "fail", undefined, sim.now(), { code: 22, text: "precondition-failed" });
   */
  complete(op: OpenOperation, completion: Completion, output: O | undefined, timeMs: number, error?: OperationError): void {
    const rec = this.ops[op.id];
    if (rec === undefined || this.open.get(rec.process) !== op.id) {
      throw new Error(`history: operation #${op.id} is not open`);
    }
    if (timeMs < rec.invokeMs) throw new Error(`history: operation #${op.id} completes at t=${timeMs}ms, before its invocation at t=${rec.invokeMs}ms`);
    if (completion !== "ok" && completion !== "fail" && completion !== "info") {
      throw new Error(`history: operation #${op.id} completes as ${JSON.stringify(completion)}; expected "ok", "fail" or "info"`);
    }
    this.open.delete(rec.process);
    rec.completion = completion;
    if (completion !== "info") rec.completeMs = timeMs;
    else this.retired.set(rec.process, rec.id);
    if (completion === "ok") rec.output = output;
    else if (error !== undefined) rec.error = { ...error };
  }

  /**
   * How many operations are open now (invoked, not completed).
   *
   * @example
   * await sim.runUntil(() => rec.openCount() === 0, { withinMs: 100 });
   */
  openCount(): number {
    return this.open.size;
  }

  /**
   * The history so far (a copy): operations still open are `info`.
   *
   * @example
   * const h = rec.history();
   */
  history(): History<I, O> {
    return { operations: this.ops.map((op) => (op.error ? { ...op, error: { ...op.error } } : { ...op })) };
  }
}

/**
 * What is wrong with a history's shape, as sentences (empty when it is well-formed): ids are the
 * positions 0, 1, 2, …; operations are in invocation order; `ok` and `fail` operations complete
 * at or after their invocation and `info` ones have no completion time; `output` only on `ok`;
 * and each process runs one operation at a time and none after an `info` one. Checkers may assume
 * all of this; `HistoryRecorder` and `runClients` guarantee it.
 *
 * @example
 * expect(historyProblems(run.history)).toEqual([]);
 */
export function historyProblems(history: History): string[] {
  const problems: string[] = [];
  const busyUntil = new Map<string, { id: number; completeMs: number | undefined }>();
  let lastInvokeMs = -Infinity;
  history.operations.forEach((op, i) => {
    const name = `operation #${op.id} (${op.process} ${op.f})`;
    if (op.id !== i) problems.push(`${name} is at position ${i}: ids must be the positions 0, 1, 2, …`);
    if (!(op.invokeMs >= lastInvokeMs)) problems.push(`${name} is invoked at t=${op.invokeMs}ms, before the operation listed above it (t=${lastInvokeMs}ms)`);
    lastInvokeMs = Math.max(lastInvokeMs, op.invokeMs);
    if (op.completion === "info") {
      if (op.completeMs !== undefined) problems.push(`${name} is info but has a completion time (${op.completeMs}ms)`);
    } else if (op.completion === "ok" || op.completion === "fail") {
      if (op.completeMs === undefined) problems.push(`${name} is ${op.completion} but has no completion time`);
      else if (op.completeMs < op.invokeMs) problems.push(`${name} completes at t=${op.completeMs}ms, before its invocation at t=${op.invokeMs}ms`);
    } else problems.push(`${name} has completion ${JSON.stringify(op.completion)}; expected ok, fail or info`);
    if (op.completion !== "ok" && op.output !== undefined) problems.push(`${name} is ${op.completion} but has an output`);
    const before = busyUntil.get(op.process);
    if (before !== undefined) {
      if (before.completeMs === undefined) problems.push(`${name} is invoked after operation #${before.id} of the same process ended info (use a new process name)`);
      else if (op.invokeMs < before.completeMs) problems.push(`${name} is invoked at t=${op.invokeMs}ms while operation #${before.id} of the same process is open until t=${before.completeMs}ms`);
    }
    busyUntil.set(op.process, { id: op.id, completeMs: op.completion === "info" ? undefined : op.completeMs });
  });
  return problems;
}

/**
 * A history as text, one operation per line (Jepsen's order: by invocation), for notebooks and
 * failure messages. `limit` lines at most (default 40), then how many were left out.
 *
 * @example
 * console.log(formatHistory(run.history, { limit: 5 }));
 * // #0  c1  put {"key":"x","value":"c1:1 "}  t=0ms → ok t=10ms
 * // #1  c2  get {"key":"y"}                  t=0ms → ok t=10ms  ""
 * // #2  c1  get {"key":"x"}                  t=10ms → info (timeout: no reply within 100ms)
 */
export function formatHistory(history: History, options: { limit?: number } = {}): string {
  const limit = options.limit ?? 40;
  const shown = history.operations.slice(0, limit);
  const text = (v: unknown): string => (v === undefined ? "" : (JSON.stringify(v) ?? String(v)));
  const rows = shown.map((op) => [`#${op.id}`, op.process, `${op.f} ${text(op.input)}`.trim(), `t=${op.invokeMs}ms`, ending(op)]);
  const widths = [0, 1, 2].map((c) => Math.max(0, ...rows.map((r) => r[c].length)));
  const lines = rows.map((r) => `${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2].padEnd(widths[2])}  ${r[3]} → ${r[4]}`);
  if (history.operations.length > shown.length) lines.push(`… ${history.operations.length - shown.length} more operation(s)`);
  return lines.join("\n");

  function ending(op: Operation): string {
    const why = op.error ? ` (${op.error.code !== undefined ? `error ${op.error.code}: ` : ""}${op.error.text})` : "";
    if (op.completion === "info") return `info${why}`;
    const out = op.completion === "ok" && op.output !== undefined ? `  ${text(op.output)}` : "";
    return `${op.completion} t=${op.completeMs}ms${out}${why}`;
  }
}
