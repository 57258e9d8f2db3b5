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
 * @example
 * const rec = new HistoryRecorder();
 * const op = rec.invoke("c1", "read", null, sim.now());
 * rec.complete(op, "ok", 42, sim.now());
 * rec.history().operations[0]; // { id: 0, process: "c1", f: "read", input: null, invokeMs: 0, completion: "ok", completeMs: 5, output: 42 }
 */
export class HistoryRecorder<I = unknown, O = unknown> {
  private readonly ops: Array<Operation<I, O>> = [];
  private readonly open = new Map<string, number>();

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
    const id = this.ops.length;
    this.ops.push({ id, process, f, input, invokeMs: timeMs, completion: "info" });
    this.open.set(process, id);
    return { id };
  }

  /**
   * The operation ended: `ok` with its output, `fail` (did not happen) or `info` (unknown).
   *
   * @example
   * rec.complete(op, "ok", { value: 1 }, sim.now());
   */
  complete(op: OpenOperation, completion: Completion, output: O | undefined, timeMs: number): void {
    const rec = this.ops[op.id];
    if (rec === undefined || this.open.get(rec.process) !== op.id) {
      throw new Error(`history: operation #${op.id} is not open`);
    }
    if (timeMs < rec.invokeMs) throw new Error(`history: operation #${op.id} completes at t=${timeMs}ms, before its invocation at t=${rec.invokeMs}ms`);
    this.open.delete(rec.process);
    rec.completion = completion;
    if (completion !== "info") rec.completeMs = timeMs;
    if (completion === "ok") rec.output = output;
  }

  /**
   * The history so far (a copy): operations still open are `info`.
   *
   * @example
   * const h = rec.history();
   */
  history(): History<I, O> {
    return { operations: this.ops.map((op) => ({ ...op })) };
  }
}
