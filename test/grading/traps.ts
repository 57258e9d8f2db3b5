// determinism allow-list: this file names Math.random, Date, performance.now, process.hrtime,
// crypto and the real timers only to replace them with traps while a graded simulation runs.
/**
 * Determinism traps. The determinism scan (test/core/determinism-scan.test.ts) cannot look into a
 * student's `exercises/`, and a single `Math.random`, `Date.now()` or `setTimeout` there silently
 * breaks "the same seed replays the same run". So while a graded simulation runs, the harness
 * replaces those globals with traps: a trapped call is recorded and throws a
 * {@link DeterminismError} that says what to use instead; the grade fails with that message
 * (even if the student's code catches the error); and every global is restored afterwards.
 *
 * Trapped: `Math.random`, `Date.now`, `new Date()` and `Date()` (a `Date` with an argument is
 * fine), `performance.now`, `process.hrtime`, `crypto.randomUUID`, `crypto.getRandomValues`,
 * `setTimeout`, `setInterval`, `setImmediate`. Not trapped: `process.nextTick`, promises and
 * `queueMicrotask`, which the simulator's kernel itself uses and which do not read the clock.
 *
 * Only code outside the library is trapped: a call whose caller is in `lib/` or `node_modules/`
 * (or Node's internals) goes to the real function, so the trap can never break the simulator or
 * the test runner. Nothing else can run while a simulation runs anyway: a run is one chain of
 * promise continuations, no timer or I/O callback of vitest's gets a turn in between.
 */
import path from "node:path";
import { REPO_ROOT } from "./target";

/** A trapped call: which global, what to use instead, and the message the grader prints. */
export interface TrapViolation {
  /** The global that was called, e.g. `"Math.random"`. */
  what: string;
  /** What to use instead, e.g. `"node.rng"`. */
  instead: string;
  /** The whole message, e.g. `00.1 ping-pong: your code called Math.random — use node.rng instead (…)`. */
  message: string;
  /** The simulation's virtual time at the call, when the context can tell. */
  timeMs?: number;
}

/** What the student's code gets thrown at it when it calls a trapped global. */
export class DeterminismError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeterminismError";
  }
}

/** Where a graded run is: for the message. */
export interface TrapContext {
  /** The exercise, e.g. `"00.1 ping-pong"` (the message starts with it). */
  exercise?: string;
  /** The grader's seed (the message says it could not replay the run). */
  seed: number;
  /** The simulation's virtual time, to say when the call happened. */
  now?: () => number;
}

/** Active traps, open while a simulation runs. */
export interface DeterminismTraps {
  /** The first trapped call, if any. */
  readonly violation: TrapViolation | undefined;
  /** Put the real globals back (idempotent). */
  restore(): void;
}

type Trip = (what: string, original: (...args: unknown[]) => unknown, self: unknown, args: unknown[]) => unknown;

const RANDOM = "node.rng";
const CLOCK = "node.now()";
const TIMER = "node.setTimer / node.sleep";

/** How to use the replacement, after the message. */
function example(instead: string): string {
  if (instead === RANDOM) return " For example node.rng.int(0, 10), node.rng.uniform(0, 1), node.rng.pick(items).";
  if (instead === CLOCK) return " For example const sentMs = node.now(); … node.now() - sentMs.";
  if (instead === TIMER) return " For example node.setTimer(50, () => …) or await node.sleep(50).";
  return "";
}

/** Why each kind of call breaks replay, for the message. */
function why(what: string): string {
  if (/random|UUID|RandomValues/.test(what)) return `${what} is not driven by the simulation's seed`;
  if (/set(Timeout|Interval|Immediate)/.test(what)) return "a real timer fires outside the simulation's virtual clock";
  return "it reads the real clock, not the simulation's virtual time";
}

/**
 * The message for a trapped call.
 *
 * @example
 * trapMessage("Math.random", "node.rng", { exercise: "00.1 ping-pong", seed: 7 });
 * // "00.1 ping-pong: your code called Math.random — use node.rng instead (Math.random is not driven by
 * //  the simulation's seed, so seed 7 could not replay this run). For example node.rng.int(0, 10), …"
 */
export function trapMessage(what: string, instead: string, context: TrapContext): string {
  const prefix = context.exercise ? `${context.exercise}: ` : "";
  return `${prefix}your code called ${what} — use ${instead} instead (${why(what)}, so seed ${context.seed} could not replay this run).${example(instead)}`;
}

/** True when the code that called a trap is the library, the test runner or Node itself. */
function calledByLibrary(): boolean {
  const frames = (new Error().stack ?? "").split("\n").slice(1);
  const here = path.join(REPO_ROOT, "test", "grading", "traps.ts");
  const lib = path.join(REPO_ROOT, "lib") + path.sep;
  for (const frame of frames) {
    if (frame.includes(here) || !/[/\\]|node:/.test(frame)) continue; // the trap itself, or a native frame
    return frame.includes(lib) || frame.includes(`${path.sep}node_modules${path.sep}`) || frame.includes("(node:") || /at node:/.test(frame);
  }
  return false;
}

/** Replace `obj[key]` (own or inherited) and return what puts it back. */
function replace(obj: object, key: string, value: unknown): () => void {
  const own = Object.getOwnPropertyDescriptor(obj, key);
  Object.defineProperty(obj, key, { value, configurable: true, writable: true, enumerable: own?.enumerable ?? false });
  return () => {
    if (own) Object.defineProperty(obj, key, own);
    else delete (obj as Record<string, unknown>)[key];
  };
}

/** A function that trips instead of calling `original`. */
function trapped(what: string, original: (...args: unknown[]) => unknown, trip: Trip): (...args: unknown[]) => unknown {
  return function (this: unknown, ...args: unknown[]): unknown {
    return trip(what, original, this, args);
  };
}

/** Install every trap; returns the functions that restore them, last installed first. */
function installAll(trip: Trip): Array<() => void> {
  const restores: Array<() => void> = [];
  const g = globalThis as Record<string, unknown>;

  restores.push(replace(Math, "random", trapped("Math.random", Math.random, trip)));

  const RealDate = Date;
  const TrappedDate = function (this: unknown, ...args: unknown[]): unknown {
    if (new.target === undefined) return trip("Date()", () => RealDate(), undefined, []);
    if (args.length === 0) return trip("new Date()", () => new RealDate(), undefined, []);
    return Reflect.construct(RealDate, args, new.target === TrappedDate ? RealDate : new.target);
  } as unknown as DateConstructor;
  Object.setPrototypeOf(TrappedDate, RealDate);
  Object.defineProperty(TrappedDate, "prototype", { value: RealDate.prototype });
  Object.defineProperty(TrappedDate, "now", { value: trapped("Date.now", RealDate.now, trip), configurable: true, writable: true });
  restores.push(replace(globalThis, "Date", TrappedDate));

  if (typeof performance === "object" && typeof performance.now === "function") {
    restores.push(replace(performance, "now", trapped("performance.now", performance.now.bind(performance), trip)));
  }
  const hrtime = process.hrtime;
  const trappedHrtime = trapped("process.hrtime", hrtime as (...a: unknown[]) => unknown, trip) as typeof process.hrtime;
  trappedHrtime.bigint = trapped("process.hrtime.bigint", hrtime.bigint, trip) as () => bigint;
  restores.push(replace(process, "hrtime", trappedHrtime));

  const crypto = g.crypto as Record<string, unknown> | undefined;
  if (crypto) {
    for (const name of ["randomUUID", "getRandomValues"]) {
      const fn = crypto[name];
      if (typeof fn === "function") restores.push(replace(crypto, name, trapped(`crypto.${name}`, fn.bind(crypto), trip)));
    }
  }
  for (const name of ["setTimeout", "setInterval", "setImmediate"]) {
    const fn = g[name];
    if (typeof fn === "function") restores.push(replace(globalThis, name, trapped(name, fn as (...a: unknown[]) => unknown, trip)));
  }
  return restores.reverse();
}

/** What to use instead of each trapped global. */
function insteadOf(what: string): string {
  if (/random|UUID|RandomValues/.test(what)) return RANDOM;
  if (what === "setInterval") return "node.setPeriodic";
  if (/set(Timeout|Immediate)/.test(what)) return TIMER;
  return CLOCK;
}

interface Active {
  context: TrapContext;
  violation?: TrapViolation;
}

/** Open trap sets (more than one only if two graded runs interleave in one worker). */
const active = new Set<Active>();
let restoreGlobals: Array<() => void> = [];

function trip(what: string, original: (...args: unknown[]) => unknown, self: unknown, args: unknown[]): unknown {
  if (active.size === 0 || calledByLibrary()) return original.apply(self, args);
  const instead = insteadOf(what);
  for (const a of active) a.violation ??= { what, instead, message: trapMessage(what, instead, a.context), timeMs: a.context.now?.() };
  throw new DeterminismError(trapMessage(what, instead, [...active][0].context));
}

/**
 * Replace the non-deterministic globals with traps until `restore()` is called. Always restore in
 * a `finally`.
 *
 * @example
 * const traps = installDeterminismTraps({ exercise: "00.1 ping-pong", seed: 7 });
 * try { await scenario.run(sim, impl); } finally { traps.restore(); }
 * if (traps.violation) fail("…", traps.violation.message);
 */
export function installDeterminismTraps(context: TrapContext): DeterminismTraps {
  const entry: Active = { context };
  if (active.size === 0) restoreGlobals = installAll(trip);
  active.add(entry);
  let open = true;
  return {
    get violation() {
      return entry.violation;
    },
    restore() {
      if (!open) return;
      open = false;
      active.delete(entry);
      if (active.size === 0) {
        for (const restore of restoreGlobals) restore();
        restoreGlobals = [];
      }
    },
  };
}
