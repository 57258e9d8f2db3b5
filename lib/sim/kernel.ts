// determinism allow-list: `process.nextTick` below is used only as a barrier that lets promise
// continuations (async handlers, awaited RPCs) finish at the current virtual time before the next
// event, and V8's promise hooks only tell whether such a barrier is needed. Neither decides what
// runs next or when: order comes from the event queue alone.
import * as v8 from "node:v8";
import { EventQueue, type Scheduled } from "./queue";
import { SimulationError, formatMs, toMicros } from "./errors";

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
  /** Stop with an error when one run call processes more than this many events. */
  maxEvents: number;
  /** Text explaining who produced most events, added to the budget error. */
  explainBudget: () => string;
}

/**
 * Resolves once every promise continuation queued so far has run, and every continuation those
 * queue in turn. Node.js drains the whole microtask queue before it runs the next
 * `process.nextTick` callback, so awaiting one from inside a microtask is a full drain — no real
 * time passes and nothing else can run in between.
 */
const drainMicrotasks = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));

/**
 * When to drain. Two signals, from V8's promise hooks:
 *
 * - `promiseActivity`: a promise was created or settled during the event (an async handler, an
 *   awaited RPC's reply, a handler resolving a promise someone awaits);
 * - a kernel's count of *watched* promises still pending: promises that start a chain (`new
 *   Promise`, an async call) made by node code — during an event, a drain, or a behaviour's start
 *   (see `Kernel.watching`) — or handed to `Kernel.watch`.
 *
 * The second catches what the first cannot see: a plain handler that resolves an awaited promise
 * with another promise or a thenable creates and settles nothing during the event (V8 only queues a
 * job that adopts the value), yet code is waiting to run. While any watched promise is pending, an
 * event without promise activity is followed by a probe (one turn of the job queue, see PROBE); the
 * queued job touches a promise when it runs, and then the kernel drains. So such code always runs
 * at the time of the event that woke it. Callback-only code makes no promises, so it never pays
 * for a probe or a drain. A watched promise that never settles (an RPC of a crashed node) only
 * costs speed: every later quiet event is probed.
 *
 * Where V8's promise hooks are missing, both signals stay on and every event is drained.
 */
let promiseActivity = true;
/**
 * Awaiting this already-resolved promise lets the jobs queued so far run, and no more: a cheap
 * probe (about a sixth of a full drain) for whether one of them touches a promise. Its `await`
 * makes a promise whose parent is PROBE; the hooks ignore that one.
 */
const PROBE: Promise<void> = Promise.resolve();
/** The kernel whose node code is running (promises made now are watched by it), if any. */
let watchingKernel: Kernel<any> | undefined;
/**
 * The kernel watching a promise, kept on the promise itself under a private symbol (a WeakMap
 * costs several times more, mostly in garbage collection); deleted when the promise settles.
 */
const WATCHER: unique symbol = Symbol("distlab watcher");
type Watchable = { [WATCHER]?: Kernel<any> };
const watchingPromises = ((): boolean => {
  const hooks = (v8 as {
    promiseHooks?: { onInit(f: (p: object, parent?: object) => void): unknown; onSettled(f: (p: object) => void): unknown };
  }).promiseHooks;
  if (!hooks) return false;
  hooks.onInit((promise, parent) => {
    if (parent === PROBE) return; // the kernel's own probe (see below)
    promiseActivity = true; // a new promise: an async call, an await, a .then
    // Watch only promises that start a chain (`new Promise`, an async call): a derived promise
    // (`.then`, and the never-settled "throwaway" each `await` makes) has a parent, settles
    // through a reaction to it, and would otherwise be counted as pending forever.
    if (watchingKernel !== undefined && parent === undefined) watchingKernel.watch(promise);
  });
  hooks.onSettled((promise) => {
    promiseActivity = true; // a promise resolved, e.g. by a handler waking code that awaits it
    const kernel = (promise as Watchable)[WATCHER];
    if (kernel !== undefined) {
      (promise as Watchable)[WATCHER] = undefined;
      kernel.pendingPromises--;
    }
  });
  return true;
})();

/**
 * The discrete-event kernel: a virtual clock and an event queue ordered by (time, insertion).
 * It pops events in order, advances the clock to each event's time and hands the event to
 * `dispatch`. Run controls suit tests and notebooks alike: until a time, until a predicate
 * holds, for N events, or one step at a time with the queue inspectable in between.
 *
 * Runs are `async` so that `async` node code resumes at the right virtual time: before the first
 * event, and after each event that created or settled a promise, the kernel lets every pending
 * promise continuation run (an awaited RPC, `sleep`, a promise resolved by a handler) while the
 * clock still shows that event's time. (Callbacks queued with `queueMicrotask` or
 * `process.nextTick` alone are not watched: use promises.)
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
  /** Watched promises not yet settled (see `watch`). @internal */
  pendingPromises = 0;
  /**
   * Called after every event, once the continuations it woke have run (invariant checks hook in
   * here; it may call `fail`). Undefined costs nothing.
   */
  afterEvent: (() => void) | undefined = undefined;
  private readonly queue = new EventQueue<E>();
  private failure: Error | undefined;
  private running = false;

  constructor(
    private readonly dispatch: (event: E) => void,
    private readonly options: KernelOptions,
  ) {}

  /**
   * Watch a promise made outside an event (e.g. an RPC started from a notebook cell): while it is
   * pending, every event is followed by a drain, so code waiting on it runs at the right time.
   * Promises made while node code runs inside `watching` or a run are watched automatically.
   *
   * @example
   * kernel.watch(promise);
   */
  watch(promise: object): void {
    if ((promise as Watchable)[WATCHER] !== undefined) return;
    (promise as Watchable)[WATCHER] = this;
    this.pendingPromises++;
  }

  /**
   * Run `fn` (node code started outside a run, such as a behaviour at spawn) so that the promises
   * it makes are watched.
   *
   * @example
   * kernel.watching(() => behaviour(node));
   */
  watching<T>(fn: () => T): T {
    const outer = watchingKernel;
    watchingKernel = this;
    try {
      return fn();
    } finally {
      watchingKernel = outer;
    }
  }

  /** Change the event budget (per run call). @example kernel.setMaxEvents(5_000_000) */
  setMaxEvents(maxEvents: number): void {
    this.options.maxEvents = maxEvents;
  }

  /**
   * Queue an event at `event.timeMs` (which must not be in the past).
   *
   * @example
   * kernel.schedule({ timeMs: kernel.nowMs + 5, seq: 0, kind: "tick" });
   */
  schedule(event: E): void {
    if (!(event.timeMs >= this.nowMs)) {
      throw new SimulationError(`cannot schedule ${event.kind} at ${formatMs(event.timeMs)}: that is before now`, {
        timeMs: this.nowMs,
        seed: this.options.seed,
      });
    }
    this.queue.push(event);
  }

  /** Events waiting, in the order they will fire (a copy). @example kernel.pending().length */
  pending(): E[] {
    return this.queue.toArray();
  }

  /** The next event to fire, if any. @example kernel.peek()?.timeMs */
  peek(): E | undefined {
    return this.queue.peek();
  }

  /**
   * Stop the current run with this error (after the event being processed). Outside a run, the
   * error waits for `takeFailure` or the next run.
   *
   * @example
   * kernel.fail(new SimulationError("handler threw", { node: "a", timeMs: kernel.nowMs }));
   */
  fail(error: Error): void {
    if (!this.failure) this.failure = error;
  }

  /** The error recorded by `fail` and not yet thrown, removing it. @example const e = kernel.takeFailure() */
  takeFailure(): Error | undefined {
    const failure = this.failure;
    this.failure = undefined;
    return failure;
  }

  /** Process exactly one event (if any) and return it. @example const e = await kernel.step() */
  async step(): Promise<E | undefined> {
    let last: E | undefined;
    await this.loop(() => false, 1, (e) => {
      last = e;
      return false;
    });
    return last;
  }

  /**
   * Process every event up to and including `timeMs`, then set the clock to `timeMs`.
   *
   * @example
   * await kernel.runUntilTime(1000); // kernel.nowMs === 1000
   */
  async runUntilTime(timeMs: number): Promise<RunResult> {
    if (!(timeMs >= this.nowMs)) {
      throw new SimulationError(`cannot run until ${formatMs(timeMs)}: that is before now`, { timeMs: this.nowMs, seed: this.options.seed });
    }
    const endMs = toMicros(timeMs);
    const events = await this.loop((next) => next.timeMs > endMs, Infinity);
    this.nowMs = endMs;
    return { events, timeMs: endMs, stoppedBy: "time" };
  }

  /** Process at most `count` events. @example await kernel.runEvents(10) */
  async runEvents(count: number): Promise<RunResult> {
    if (!(count >= 0) || !Number.isInteger(count)) {
      throw new SimulationError(`runEvents: count must be a whole number ≥ 0, got ${count}`, { timeMs: this.nowMs, seed: this.options.seed });
    }
    const events = await this.loop(() => false, count);
    return { events, timeMs: this.nowMs, stoppedBy: events === count ? "events" : "idle" };
  }

  /**
   * Process events until `predicate()` is true (checked once pending continuations have run, then
   * after each event), the queue is empty, or virtual time would pass `deadlineMs`.
   *
   * @example
   * await kernel.runUntil(() => done, 5000);
   */
  async runUntil(predicate: () => boolean, deadlineMs = Infinity): Promise<RunResult> {
    let done = false;
    const check = (): boolean => (done = predicate());
    if (deadlineMs !== Infinity) deadlineMs = toMicros(deadlineMs);
    const events = await this.loop((next) => next.timeMs > deadlineMs, Infinity, check, check);
    if (done) return { events, timeMs: this.nowMs, stoppedBy: "predicate" };
    if (this.queue.size === 0) return { events, timeMs: this.nowMs, stoppedBy: "idle" };
    if (deadlineMs !== Infinity) {
      this.nowMs = Math.max(this.nowMs, deadlineMs);
      return { events, timeMs: this.nowMs, stoppedBy: "time" };
    }
    return { events, timeMs: this.nowMs, stoppedBy: "idle" };
  }

  /**
   * The run loop. `stopAfter` is asked once before the first event (after pending continuations
   * ran) and after every event; `stopBefore` is asked about the next event before it is popped.
   */
  private async loop(
    stopBefore: (next: E) => boolean,
    limit: number,
    stopAfter?: (event: E) => boolean,
    stopFirst?: () => boolean,
  ): Promise<number> {
    if (this.running) {
      throw new SimulationError("a run is already in progress (did you call run… inside a handler, or forget an await?)", {
        timeMs: this.nowMs,
        seed: this.options.seed,
      });
    }
    this.running = true;
    const outer = watchingKernel;
    let n = 0;
    try {
      await null; // from here on the loop runs inside a microtask, where drainMicrotasks is a full drain
      watchingKernel = this; // promises made by node code from here on are watched
      await drainMicrotasks(); // code that ran before this run (e.g. a notebook cell) finishes at the current time
      this.throwFailure();
      if (stopFirst && stopFirst()) return 0;
      while (n < limit) {
        const next = this.queue.peek();
        if (next === undefined || stopBefore(next)) break;
        if (n >= this.options.maxEvents) {
          throw new EventBudgetError(this.options.maxEvents, this.options.explainBudget(), { timeMs: this.nowMs, seed: this.options.seed });
        }
        this.queue.pop();
        this.nowMs = next.timeMs;
        this.processed++;
        if (watchingPromises) promiseActivity = false;
        this.dispatch(next);
        n++;
        // Code may be waiting on a watched promise that the event resolved without making or
        // settling any promise (with another promise or a thenable: V8 only queues a job). Probe
        // one turn of the job queue; the job shows itself by touching a promise.
        if (!promiseActivity && this.pendingPromises > 0) await PROBE;
        if (promiseActivity) await drainMicrotasks();
        if (this.afterEvent !== undefined) this.afterEvent();
        this.throwFailure();
        if (stopAfter && stopAfter(next)) break;
      }
    } finally {
      this.running = false;
      watchingKernel = outer;
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

/**
 * One run call processed more events than the budget allows: a message storm, a timer loop, or a
 * condition that never holds. The event that would have exceeded it is still first in the queue.
 *
 * @example
 * try { await sim.runFor(1e9); } catch (e) { if (e instanceof EventBudgetError) console.log(e.maxEvents); }
 */
export class EventBudgetError extends SimulationError {
  constructor(
    readonly maxEvents: number,
    /** Who produced most events (the simulation's diagnosis). */
    readonly explanation: string,
    context: { timeMs: number; seed: number },
  ) {
    super(`event budget of ${maxEvents} events exceeded — a message storm or a timer loop? ${explanation}`, context);
    this.name = "EventBudgetError";
  }
}
