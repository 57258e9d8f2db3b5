/**
 * The grading kit: a check runs an exercise's implementation in a few seeded scenarios and says
 * pass, fail (what was expected, what happened, where in the trace) or pending (the stub still
 * throws NotImplementedError). A check is a plain async function `check(impl, seed)`, so the
 * graders and the meta tests that feed it buggy variants call the very same code.
 *
 * Checks are deterministic: every random choice comes from the simulation's seed, nothing reads
 * the wall clock or `Math.random`.
 */
import { Simulation, type SimulationOptions } from "../../lib/simulation";
import type { ErrorEvent, TraceEvent } from "../../lib/trace";
import { NotImplementedError } from "../../exercises/not-implemented";

/** How a check ended for one seed. */
export type CheckStatus = "pass" | "fail" | "pending";

/** The verdict of a check for one seed. */
export interface CheckResult {
  status: CheckStatus;
  seed: number;
  /** The scenario that failed or is pending. */
  scenario?: string;
  /** For a failure: what the grader expected, in words. */
  expected?: string;
  /** For a failure: what happened instead. */
  got?: string;
  /** For pending: the NotImplementedError's message. */
  pendingMessage?: string;
  /** For a failure: the failing run's events (for the diagram). */
  events?: readonly TraceEvent[];
  /** For a failure: the failing run's nodes in spawn order. */
  nodeOrder?: readonly string[];
  /** For a failure: the virtual time the failure was seen at (the diagram stops there). */
  atMs?: number;
  /** For a failure: the node the failure concerns (the diagram's note goes over it). */
  node?: string;
  /** Trace hash of each scenario that ran, in order (two runs with one seed must agree). */
  traceHashes: string[];
}

/** Where in a run a failure was seen. */
export interface FailurePoint {
  timeMs?: number;
  node?: string;
}

/**
 * A failed expectation inside a scenario: what the grader expected and what happened instead.
 * Throw it with {@link ensure} or {@link fail}.
 */
export class Expectation extends Error {
  constructor(
    readonly expected: string,
    readonly got: string,
    readonly at: FailurePoint = {},
  ) {
    super(`expected ${expected}; got ${got}`);
    this.name = "Expectation";
  }
}

/**
 * Fail the scenario.
 *
 * @example
 * fail("ping n=2 after pong n=1", "a sent nothing more", { timeMs: 23, node: "a" });
 */
export function fail(expected: string, got: string, at: FailurePoint = {}): never {
  throw new Expectation(expected, got, at);
}

/**
 * Fail the scenario unless `condition` holds (`got` is only computed on failure).
 *
 * @example
 * ensure(pong.n === 1, "pong n=1", () => `pong n=${pong.n}`, { timeMs: 12, node: "b" });
 */
export function ensure(condition: boolean, expected: string, got: string | (() => string), at: FailurePoint = {}): asserts condition {
  if (!condition) fail(expected, typeof got === "function" ? got() : got, at);
}

/** Event budget of a scenario: exercises are small, so a message storm stops early and clearly. */
const EVENTS_MAX = 50_000;

const NOT_IMPLEMENTED = /is not implemented yet: open \S+/;

/**
 * True for the error an untouched stub throws, also when the simulator has wrapped its message.
 *
 * @example
 * isNotImplemented(new NotImplementedError("00.1 ping-pong", "exercises/00-getting-started/ping-pong.ts")); // true
 */
export function isNotImplemented(error: unknown): boolean {
  if (error instanceof NotImplementedError) return true;
  if (error instanceof Error) return error.name === "NotImplementedError" || NOT_IMPLEMENTED.test(error.message);
  return typeof error === "string" && NOT_IMPLEMENTED.test(error);
}

function notImplementedText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const match = NOT_IMPLEMENTED.exec(text);
  const start = text.lastIndexOf("Exercise ", match ? match.index : text.length);
  return match ? text.slice(start >= 0 ? start : match.index, match.index + match[0].length) : text;
}

/**
 * Wrap every function of an implementation so that a NotImplementedError it throws (or rejects
 * with) is reported to `onPending` before it propagates. The simulator turns handler errors into
 * text, so this is how a check still recognises an untouched stub.
 */
export function guardImplementation<T extends object>(impl: T, onPending: (error: unknown) => void): T {
  const guarded: Record<string, unknown> = {};
  for (const key of Object.keys(impl)) {
    const value = (impl as Record<string, unknown>)[key];
    if (typeof value !== "function") {
      guarded[key] = value;
      continue;
    }
    guarded[key] = function (this: unknown, ...args: unknown[]): unknown {
      const report = (error: unknown): never => {
        if (isNotImplemented(error)) onPending(error);
        throw error;
      };
      let result: unknown;
      try {
        result = (value as (...a: unknown[]) => unknown).apply(this, args);
      } catch (error) {
        report(error);
      }
      if (result instanceof Promise) return result.then(undefined, report);
      return result;
    };
  }
  return guarded as T;
}

/** One seeded run of an implementation. */
export interface Scenario<Impl> {
  /** Says what the run does and its network, e.g. `"FIFO links, latency 5–15 ms, 4 rounds"`. */
  name: string;
  /** Options of the simulation (the seed is the check's; `onError` defaults to `"record"`). */
  simulation?: Omit<SimulationOptions, "seed">;
  /** Nodes that run the student's code: errors they throw fail the scenario. Default: every node. */
  studentNodes?: readonly string[];
  /** Lane order of the failure diagram (default: spawn order). */
  lanes?: readonly string[];
  /** Drive the run and throw an {@link Expectation} when something is wrong. */
  run(sim: Simulation, impl: Impl): Promise<void>;
}

function lanes(first: readonly string[] | undefined, spawned: readonly string[]): string[] {
  const order = new Set(first ?? []);
  for (const id of spawned) order.add(id);
  return Array.from(order);
}

function lastTimeMs(events: readonly TraceEvent[]): number {
  return events.length === 0 ? 0 : events[events.length - 1].timeMs;
}

/**
 * Run scenarios one after another with one seed. The first failure wins; otherwise the result is
 * pending if a scenario hit an unimplemented function, and pass if every scenario passed.
 * `functions` names the exports the implementation must have (checked first).
 *
 * @example
 * return runScenarios(impl, seed, [{ name: "perfect network", run: async (sim, impl) => { ... } }]);
 */
export async function runScenarios<Impl extends object>(
  impl: Impl,
  seed: number,
  scenarios: ReadonlyArray<Scenario<Impl>>,
  functions: ReadonlyArray<keyof Impl & string> = [],
): Promise<CheckResult> {
  const traceHashes: string[] = [];
  for (const name of functions) {
    const value = (impl as Record<string, unknown>)[name];
    if (typeof value !== "function") {
      const exported = Object.keys(impl).join(", ") || "nothing";
      return {
        status: "fail",
        seed,
        scenario: "the module's exports",
        expected: `the module to export a function ${name}`,
        got: value === undefined ? `no export named ${name} (it exports: ${exported})` : `${name} is a ${typeof value}`,
        events: [],
        nodeOrder: [],
        traceHashes,
      };
    }
  }
  let pending: CheckResult | undefined;
  for (const scenario of scenarios) {
    let notImplemented: unknown;
    const guarded = guardImplementation(impl, (error) => {
      if (notImplemented === undefined) notImplemented = error;
    });
    const sim = new Simulation({ onError: "record", maxEvents: EVENTS_MAX, ...scenario.simulation, seed });
    let thrown: unknown;
    try {
      await scenario.run(sim, guarded);
    } catch (error) {
      thrown = error;
    }
    const events = sim.trace.events;
    traceHashes.push(sim.trace.hash());
    const errors = events.filter((e): e is ErrorEvent => e.kind === "error");
    const stubError =
      notImplemented ?? (isNotImplemented(thrown) ? thrown : errors.find((e) => NOT_IMPLEMENTED.test(e.message))?.message);
    if (stubError !== undefined) {
      pending ??= { status: "pending", seed, scenario: scenario.name, pendingMessage: notImplementedText(stubError), traceHashes };
      continue;
    }
    const nodeOrder = lanes(scenario.lanes, sim.trace.nodeOrder);
    const base = { status: "fail" as const, seed, scenario: scenario.name, events, nodeOrder, traceHashes };
    const studentNodes = scenario.studentNodes;
    const studentError = errors.find((e) => studentNodes === undefined || studentNodes.includes(e.node));
    if (studentError) {
      return {
        ...base,
        expected: `node "${studentError.node}" handles every message and timer without throwing`,
        got: `it threw an error (during ${studentError.during}, t=${studentError.timeMs}ms): ${studentError.message}`,
        atMs: studentError.timeMs,
        node: studentError.node,
      };
    }
    if (thrown instanceof Expectation) {
      return { ...base, expected: thrown.expected, got: thrown.got, atMs: thrown.at.timeMs ?? lastTimeMs(events), node: thrown.at.node };
    }
    if (thrown !== undefined) {
      const text = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
      return { ...base, expected: "the run to finish without an error", got: text, atMs: lastTimeMs(events) };
    }
  }
  return pending ?? { status: "pass", seed, traceHashes };
}
