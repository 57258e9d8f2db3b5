// determinism allow-list: `setImmediate` below is used only as a barrier that lets promise
// continuations (async handlers, awaited RPCs) finish at the current virtual time before the next
// event. It never decides what runs next or when: order comes from the event queue alone.
import { EventQueue, type Scheduled } from "./queue";
import { SimulationError, formatMs } from "./errors";

/** What every kernel event has: a firing time, an insertion number and a kind. */
export interface KernelEvent extends Scheduled {
  kind: string;
}

/** How a run ended. */
export interface RunResult {
  /** Events processed by this run call. */
  events: number;
  /** Virtual time when the run stopped. */
  timeMs: number;
  /** Why it stopped. */
  stoppedBy: "time" | "predicate" | "events" | "idle";
}

/** Kernel settings. */
export interface KernelOptions {
  /** The run's seed (only for error messages). */
  seed: number;
  /** Stop with an error after this many events in total. */
  maxEvents: number;
  /** Text explaining who produced most events, added to the budget error. */
  explainBudget: () => string;
}

const macrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The discrete-event kernel: a virtual clock and an event queue ordered by (time, insertion).
 * It pops events in order, advances the clock to each event's time and hands the event to
 * `dispatch`. Run controls suit tests and notebooks alike: until a time, until a predicate
 * holds, for N events, or one step at a time with the queue inspectable in between.
 *
 * Runs are `async` only so that `async` node code (awaited RPCs, `sleep`) resumes at the right
 * virtual time; a run with plain callbacks never waits on anything.
 *
 * @example
 * const kernel = new Kernel<{ timeMs: number; seq: number; kind: "tick" }>(
 *   (e) => console.log("tick at", e.timeMs),
 *   { seed: 1, maxEvents: 1000, explainBudget: () => "" },
 * );
 * kernel.schedule({ timeMs: 5, seq: 0, kind: "tick" });
 * await kernel.runUntilTime(10); // prints "tick at 5"; kernel.nowMs === 10
 */
export class Kernel<E extends KernelEvent> {
  /** The current virtual time in milliseconds. */
  nowMs = 0;
  /** Events processed since the start. */
  processed = 0;
  private readonly queue = new EventQueue<E>();
  private barrier = false;
  private failure: Error | undefined;
  private running = false;

  constructor(
    private readonly dispatch: (event: E) => void,
    private readonly options: KernelOptions,
  ) {}

  /** Change the event budget. @example kernel.setMaxEvents(5_000_000) */
  setMaxEvents(maxEvents: number): void {
    this.options.maxEvents = maxEvents;
  }

  /** Queue an event at `event.timeMs` (which must not be in the past). */
  schedule(event: E): void {
    if (!(event.timeMs >= this.nowMs)) {
      throw new SimulationError(`cannot schedule ${event.kind} at ${formatMs(event.timeMs)}: that is before now`, {
        timeMs: this.nowMs,
        seed: this.options.seed,
      });
    }
    this.queue.push(event);
  }

  /** Events waiting, in the order they will fire (a copy). */
  pending(): E[] {
    return this.queue.toArray();
  }

  /** The next event to fire, if any. */
  peek(): E | undefined {
    return this.queue.peek();
  }

  /** Ask the kernel to let promise continuations run before the next event. */
  requestBarrier(): void {
    this.barrier = true;
  }

  /** Stop the current run with this error (after the event being processed). */
  fail(error: Error): void {
    if (!this.failure) this.failure = error;
  }

  /** Process exactly one event (if any) and return it. */
  async step(): Promise<E | undefined> {
    let last: E | undefined;
    await this.loop(() => false, 1, (e) => (last = e));
    return last;
  }

  /** Process every event up to and including `timeMs`, then set the clock to `timeMs`. */
  async runUntilTime(timeMs: number): Promise<RunResult> {
    if (!(timeMs >= this.nowMs)) {
      throw new SimulationError(`cannot run until ${formatMs(timeMs)}: that is before now`, { timeMs: this.nowMs, seed: this.options.seed });
    }
    const events = await this.loop((next) => next.timeMs > timeMs, Infinity);
    this.nowMs = timeMs;
    return { events, timeMs, stoppedBy: "time" };
  }

  /** Process at most `count` events. */
  async runEvents(count: number): Promise<RunResult> {
    if (!(count >= 0) || !Number.isInteger(count)) {
      throw new SimulationError(`runEvents: count must be a whole number ≥ 0, got ${count}`, { timeMs: this.nowMs, seed: this.options.seed });
    }
    const events = await this.loop(() => false, count);
    return { events, timeMs: this.nowMs, stoppedBy: events === count ? "events" : "idle" };
  }

  /**
   * Process events until `predicate()` is true (checked before the first event and after each),
   * the queue is empty, or virtual time would pass `deadlineMs`.
   */
  async runUntil(predicate: () => boolean, deadlineMs = Infinity): Promise<RunResult> {
    if (predicate()) return { events: 0, timeMs: this.nowMs, stoppedBy: "predicate" };
    let done = false;
    const events = await this.loop(
      (next) => next.timeMs > deadlineMs,
      Infinity,
      () => (done = predicate()),
      () => done,
    );
    if (done) return { events, timeMs: this.nowMs, stoppedBy: "predicate" };
    if (this.queue.size === 0) return { events, timeMs: this.nowMs, stoppedBy: "idle" };
    if (deadlineMs !== Infinity) {
      this.nowMs = Math.max(this.nowMs, deadlineMs);
      return { events, timeMs: this.nowMs, stoppedBy: "time" };
    }
    return { events, timeMs: this.nowMs, stoppedBy: "idle" };
  }

  private async loop(
    stopBefore: (next: E) => boolean,
    limit: number,
    after?: (event: E) => void,
    stopAfter?: () => boolean,
  ): Promise<number> {
    if (this.running) {
      throw new SimulationError("a run is already in progress (did you call run… inside a handler, or forget an await?)", {
        timeMs: this.nowMs,
        seed: this.options.seed,
      });
    }
    this.running = true;
    let n = 0;
    try {
      this.throwFailure();
      while (n < limit) {
        const next = this.queue.peek();
        if (next === undefined || stopBefore(next)) break;
        this.queue.pop();
        this.nowMs = next.timeMs;
        if (++this.processed > this.options.maxEvents) {
          this.processed--;
          this.queue.restore(next); // keep the queue as it was, for inspection
          throw new SimulationError(
            `event budget of ${this.options.maxEvents} events exceeded — a message storm or a timer loop? ${this.options.explainBudget()}`,
            { timeMs: this.nowMs, seed: this.options.seed },
          );
        }
        this.dispatch(next);
        n++;
        while (this.barrier) {
          this.barrier = false;
          await macrotask();
        }
        this.throwFailure();
        if (after) after(next);
        if (stopAfter && stopAfter()) break;
      }
    } finally {
      this.running = false;
    }
    return n;
  }

  private throwFailure(): void {
    const failure = this.failure;
    if (failure) {
      this.failure = undefined;
      throw failure;
    }
  }
}
