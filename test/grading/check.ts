/**
 * The grading kit: a check runs an exercise's implementation in seeded scenarios and says pass,
 * fail (what was expected, what happened, where in the trace, and the messages that show it) or
 * pending (the stub still throws NotImplementedError). A check is a plain async function
 * `check(impl, seed)`, so the graders and the meta tests that feed it buggy variants call the very
 * same code. test/grading/README.md explains the kit; these are its rules, and every grader
 * follows them:
 *
 * 1. **Each role against a counterpart the grader controls.** A client is graded against the
 *    grader's server, a server against the grader's clients, not only against the student's own
 *    other half on a clean network (two halves that share a mistake pass each other). The
 *    grader's side uses values the student cannot guess (random `msg_id`s and fields), and the
 *    network duplicates and reorders where the exercise allows it.
 * 2. **More nodes than the minimum.** Spawn bystanders ({@link spawnBystanders}) first, so that
 *    `node.peers()[0]` is never the node to talk to, and vary the node names; a message to a
 *    bystander fails the scenario by itself.
 * 3. **Run past settle.** Keep running after the answer is in (an rpc returned, a state "done"),
 *    and check that nothing wrong happens afterwards: no extra messages, no errors. Tie every
 *    answer to a message that actually arrived (the trace has it), never only to the value
 *    returned ({@link settle} records when a promise settled and at which trace index).
 * 4. **Enough trials.** A bug that shows up in 5% of runs must fail the grader with probability
 *    ≥ 99.9%: 0.95^n ≤ 0.001 needs n ≥ ln(0.001) / ln(0.95) = 134.7, so at least 135 independent
 *    trials over the grader's seeds ({@link trialsPerSeed}; runs are virtual and cost well under a
 *    millisecond each). Where a trial makes several independent calls, each call counts.
 * 5. **At least four buggy fixtures per exercise** (test/fixtures/buggy/), each a realistic
 *    mistake, each asserted to fail for its stated reason (test/meta/NN-topic.test.ts, with test/grading/meta.ts).
 * 6. **Every failure prints the seed and the replay command** (grade.ts does it), says what was
 *    expected and what happened in the failure diagram's terms (messages arrive at `t=`, `#N` is
 *    the `msg_id`), and names the messages it is about ({@link FailurePoint.evidence}), which the
 *    diagram then shows and marks.
 *
 * While a scenario runs, `Math.random`, `Date.now`, `new Date()`, `performance.now` and the real
 * timers are trapped (traps.ts): a student's call fails the grade with a message that says what to
 * use instead. Checks themselves are deterministic: every random choice comes from the seed.
 */
import { Prng, formatMs } from "../../lib/sim";
import { Simulation, type SimulationOptions } from "../../lib/simulation";
import type { ErrorEvent, TraceEvent } from "../../lib/trace";
import { NotImplementedError } from "../../exercises/not-implemented";
import { describeMessage, sentMessages } from "./messages";
import { installDeterminismTraps, type TrapViolation } from "./traps";

/** How a check ended for one seed. */
export type CheckStatus = "pass" | "fail" | "pending";

/** Which trial of a scenario a result comes from. */
export interface TrialRef {
  /** 0-based index. */
  index: number;
  /** Trials of the scenario per seed. */
  count: number;
  /** The seed the trial's simulation ran with (derived from the grader's seed). */
  seed: number;
}

/** The verdict of a check for one seed. */
export interface CheckResult {
  status: CheckStatus;
  seed: number;
  /** The scenario that failed or is pending (with the trial, when there are several). */
  scenario?: string;
  /** The trial that failed. */
  trial?: TrialRef;
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
  /** For a failure: the virtual time the failure was seen at. */
  atMs?: number;
  /** For a failure: the node the failure concerns (the diagram's note goes over it). */
  node?: string;
  /** For a failure: wire ids (`send` event ids) of the messages the failure is about. */
  evidence?: readonly number[];
  /** Trace hash of each run, in order (two checks with one seed must agree). */
  traceHashes: string[];
}

/** Where in a run a failure was seen, and what shows it. */
export interface FailurePoint {
  timeMs?: number;
  node?: string;
  /**
   * Wire ids (the `id` of `send` events) of the messages the failure talks about: the failure
   * diagram shows them whatever else it leaves out, and marks their arrows with ★.
   */
  evidence?: readonly number[];
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
 * fail("ping n=2 after pong n=1", "a sent nothing more", { timeMs: 23, node: "a", evidence: [pong.send.id] });
 */
export function fail(expected: string, got: string, at: FailurePoint = {}): never {
  throw new Expectation(expected, got, at);
}

/**
 * Fail the scenario unless `condition` holds. `expected` and `got` may be functions, called only
 * on failure: a check that runs for every message of 135 trials should not build its sentences
 * when nothing is wrong.
 *
 * @example
 * ensure(pong.n === 1, "pong n=1", () => `pong n=${pong.n}`, { timeMs: 12, node: "b" });
 */
export function ensure(condition: boolean, expected: string | (() => string), got: string | (() => string), at: FailurePoint = {}): asserts condition {
  if (!condition) fail(typeof expected === "function" ? expected() : expected, typeof got === "function" ? got() : got, at);
}

/**
 * Run several independent checks of one trace and throw the Expectation of the earliest failure
 * (by `at.timeMs`; ties: the first listed), so that a later symptom never hides its cause.
 * Other errors propagate at once.
 *
 * @example
 * throwEarliest(calls.map((call) => () => checkCall(call)), () => checkNothingAfterReturn());
 */
export function throwEarliest(...checks: ReadonlyArray<(() => void) | ReadonlyArray<() => void>>): void {
  let earliest: Expectation | undefined;
  for (const check of checks.flat()) {
    try {
      check();
    } catch (error) {
      if (!(error instanceof Expectation)) throw error;
      if (earliest === undefined || (error.at.timeMs ?? Infinity) < (earliest.at.timeMs ?? Infinity)) earliest = error;
    }
  }
  if (earliest) throw earliest;
}

/** Event budget of a scenario: exercises are small, so a message storm stops early and clearly. */
const EVENTS_MAX = 50_000;

/** Independent trials a grader runs at least, over all its seeds: 0.95^135 = 0.00098 < 0.001. */
export const TRIALS_PER_GRADER_MIN = 135;

/**
 * Trials per seed so that `seedCount` seeds run at least {@link TRIALS_PER_GRADER_MIN} trials in
 * all: a bug that shows in 5% of trials then passes all of them with probability
 * 0.95^135 ≈ 0.00098, i.e. the grader catches it with probability ≥ 99.9%.
 *
 * @example
 * trialsPerSeed(5); // 27 (5 × 27 = 135)
 */
export function trialsPerSeed(seedCount: number): number {
  return Math.ceil(TRIALS_PER_GRADER_MIN / Math.max(1, seedCount));
}

/**
 * The simulation seed of trial `index` of a grader seed: the seed itself for trial 0, otherwise
 * an unrelated 32-bit number derived from both (splitmix32), so neighbouring trials share nothing.
 *
 * @example
 * trialSeed(7, 0); // 7
 * trialSeed(7, 1); // a different, fixed 32-bit number
 */
export function trialSeed(seed: number, index: number): number {
  if (index === 0) return seed;
  let z = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index, 0x85ebca77)) | 0;
  z = (z + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** One trial of a scenario, as its functions see it. */
export interface Trial extends TrialRef {
  /** The grader's own random numbers for this trial (names, workloads): not the simulation's. */
  rng: Prng;
}

/** Nodes whose spawn role starts with this are the grader's: their errors are not the student's. */
export const GRADER_ROLE_PREFIX = "grader";

/**
 * A spawn role for a node the grader plays, e.g. `graderRole("server")` → `"grader-server"`.
 *
 * @example
 * sim.spawn("s1", echoServer, { role: graderRole("server") });
 */
export function graderRole(role: string): string {
  return `${GRADER_ROLE_PREFIX}-${role}`;
}

/** The role of {@link spawnBystanders}' nodes. */
export const BYSTANDER_ROLE = graderRole("bystander");

/**
 * Spawn nodes that take no part (call it before the exercise's nodes, so that they come first in
 * every `node.peers()`). A message sent to one fails the scenario: the student's code talked to
 * `node.peers()[0]` or a fixed name instead of the node it was given.
 *
 * @example
 * spawnBystanders(sim, ["x", "y"]);
 * sim.spawn("b", impl.ponger); // b.peers() is ["x", "y", "a"]
 */
export function spawnBystanders(sim: Simulation, ids: readonly string[]): void {
  for (const id of ids) sim.spawn(id, () => {}, { role: BYSTANDER_ROLE });
}

/** How a promise ended inside a simulation, and when. */
export type Settled<T> =
  | { status: "fulfilled"; value: T; atMs: number; /** Trace length when it settled. */ eventIndex: number }
  | { status: "rejected"; reason: unknown; atMs: number; eventIndex: number }
  | { status: "pending"; /** Why the run stopped (a deadline, an empty queue, a budget). */ stoppedBy: unknown };

/**
 * Run until `promise` settles (at most `withinMs` of virtual time) without throwing, and say how
 * and when it settled, so that the check can keep the simulation running past that point and
 * compare the answer with the messages in the trace up to `eventIndex`.
 *
 * @example
 * const call = await settle(sim, impl.echoWithRetries(client, "s1", "hi"), { withinMs: 60_000 });
 * await sim.runFor(1000); // run past settle: nothing more may happen
 */
export async function settle<T>(sim: Simulation, promise: Promise<T>, options: { withinMs: number }): Promise<Settled<T>> {
  let outcome: Settled<T> | undefined;
  const tracked = promise.then(
    (value) => void (outcome = { status: "fulfilled", value, atMs: sim.now(), eventIndex: sim.trace.events.length }),
    (reason) => void (outcome = { status: "rejected", reason, atMs: sim.now(), eventIndex: sim.trace.events.length }),
  );
  try {
    await sim.runUntilSettled(tracked, options);
  } catch (error) {
    if (outcome === undefined) return { status: "pending", stoppedBy: error };
  }
  return outcome ?? { status: "pending", stoppedBy: undefined };
}

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
 *
 * @example
 * const guarded = guardImplementation(impl, (error) => (pending = error));
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

/** Simulation options of a scenario (the seed is the trial's; `onError` defaults to `"record"`). */
export type ScenarioSimulation = Omit<SimulationOptions, "seed">;

/**
 * A seeded run of an implementation, repeated `trials` times per grader seed. `params` draws the
 * trial's choices (node names, workload) once from `trial.rng`; `name`, `simulation` and `run`
 * receive them.
 */
export interface Scenario<Impl, P = undefined> {
  /** Says what the run does and its network, e.g. `"FIFO links, latency 5–15 ms, 4 rounds"`. */
  name: string | ((params: P) => string);
  /** Independent trials per grader seed (default 1); see {@link trialsPerSeed}. */
  trials?: number;
  /** The trial's choices, drawn from `trial.rng`. */
  params?: (trial: Trial) => P;
  /** Options of the simulation. */
  simulation?: ScenarioSimulation | ((params: P) => ScenarioSimulation);
  /**
   * Nodes that run the student's code: errors they throw fail the scenario. Default: every node
   * whose role does not start with {@link GRADER_ROLE_PREFIX}.
   */
  studentNodes?: readonly string[];
  /** Lane order of the failure diagram (default: spawn order). */
  lanes?: readonly string[] | ((params: P) => readonly string[]);
  /** Drive the run and throw an {@link Expectation} when something is wrong. */
  run(sim: Simulation, impl: Impl, params: P, trial: Trial): Promise<void>;
}

/** Options of {@link runScenarios}. */
export interface RunOptions<Impl> {
  /** Exports the implementation must have, checked first. */
  functions?: ReadonlyArray<keyof Impl & string>;
  /** The exercise's id and slug, e.g. `"00.1 ping-pong"`, for the determinism traps' message. */
  exercise?: string;
}

function lanes(first: readonly string[] | undefined, spawned: readonly string[]): string[] {
  const order = new Set(first ?? []);
  for (const id of spawned) order.add(id);
  return Array.from(order);
}

function lastTimeMs(events: readonly TraceEvent[]): number {
  return events.length === 0 ? 0 : events[events.length - 1].timeMs;
}

/** A failure candidate of one run; the earliest wins (ties: the lower rank). */
interface Finding {
  timeMs: number;
  rank: number;
  expected: string;
  got: string;
  node?: string;
  evidence?: readonly number[];
}

/** The first message a student node sent to a bystander, as a finding. */
function strayMessage(events: readonly TraceEvent[], roles: ReadonlyMap<string, string>): Finding | undefined {
  const first = sentMessages(events).find((m) => roles.get(m.send.dest) === BYSTANDER_ROLE && !roles.get(m.send.src)?.startsWith(GRADER_ROLE_PREFIX));
  if (first === undefined) return undefined;
  const dest = first.send.dest;
  return {
    timeMs: first.send.timeMs,
    rank: 0,
    expected:
      `no message to ${dest}: it is a bystander the grader spawned first, so node.peers()[0] is "${dest}"; ` +
      "talk to the node you were given (a parameter), or reply to a message's src",
    got: describeMessage(first),
    node: first.send.src,
    evidence: [first.send.id],
  };
}

function trapFinding(violation: TrapViolation, events: readonly TraceEvent[]): Finding {
  const error = events.find((e): e is ErrorEvent => e.kind === "error" && e.message.includes(`your code called ${violation.what}`));
  return {
    timeMs: error?.timeMs ?? violation.timeMs ?? lastTimeMs(events),
    rank: -1,
    expected: "code that takes its randomness and time only from the simulation (node.rng, node.now(), node.setTimer, node.sleep)",
    got: violation.message,
    node: error?.node,
  };
}

/**
 * Run scenarios one after another with one seed, each for its number of trials. The first
 * failing trial wins; otherwise the result is pending if a scenario hit an unimplemented function,
 * and pass if every trial passed. In a failing run the earliest finding wins: a trapped call
 * (Math.random…), a message to a bystander, an {@link Expectation}, an error thrown by a student
 * node, an error of the run.
 *
 * @example
 * return runScenarios(impl, seed, [{ name: "perfect network", run: async (sim, impl) => { ... } }], {
 *   functions: ["ponger", "pinger"],
 *   exercise: "00.1 ping-pong",
 * });
 */
export async function runScenarios<Impl extends object>(
  impl: Impl,
  seed: number,
  // Each scenario has its own parameter type; `any` lets one list hold them all.
  scenarios: ReadonlyArray<Scenario<Impl, any>>,
  options: RunOptions<Impl> | ReadonlyArray<keyof Impl & string> = {},
): Promise<CheckResult> {
  const opts: RunOptions<Impl> = Array.isArray(options) ? { functions: options as ReadonlyArray<keyof Impl & string> } : (options as RunOptions<Impl>);
  const traceHashes: string[] = [];
  for (const name of opts.functions ?? []) {
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
    const count = scenario.trials ?? 1;
    for (let index = 0; index < count; index++) {
      const simSeed = trialSeed(seed, index);
      const trial: Trial = { index, count, seed: simSeed, rng: new Prng(simSeed).split("grader") };
      const params = scenario.params?.(trial);
      const simOptions = typeof scenario.simulation === "function" ? scenario.simulation(params) : scenario.simulation;
      const name = typeof scenario.name === "function" ? scenario.name(params) : scenario.name;
      const title = count > 1 ? `${name} — trial ${index + 1} of ${count} (simulation seed ${simSeed})` : name;

      let notImplemented: unknown;
      const guarded = guardImplementation(impl, (error) => {
        if (notImplemented === undefined) notImplemented = error;
      });
      const sim = new Simulation({ onError: "record", maxEvents: EVENTS_MAX, ...simOptions, seed: simSeed });
      let thrown: unknown;
      const traps = installDeterminismTraps({ exercise: opts.exercise, seed, now: () => sim.now() });
      try {
        await scenario.run(sim, guarded, params, trial);
      } catch (error) {
        thrown = error;
      } finally {
        traps.restore();
      }
      const events = sim.trace.events;
      traceHashes.push(sim.trace.hash());
      const trialRef: TrialRef = { index, count, seed: simSeed };
      const nodeOrder = lanes(typeof scenario.lanes === "function" ? scenario.lanes(params) : scenario.lanes, sim.trace.nodeOrder);
      const base = { status: "fail" as const, seed, scenario: title, trial: trialRef, events, nodeOrder, traceHashes };

      if (traps.violation) {
        const f = trapFinding(traps.violation, events);
        return { ...base, expected: f.expected, got: f.got, atMs: f.timeMs, node: f.node };
      }
      const errors = events.filter((e): e is ErrorEvent => e.kind === "error");
      const stubError =
        notImplemented ?? (isNotImplemented(thrown) ? thrown : errors.find((e) => NOT_IMPLEMENTED.test(e.message))?.message);
      if (stubError !== undefined) {
        pending ??= { status: "pending", seed, scenario: title, pendingMessage: notImplementedText(stubError), traceHashes };
        break;
      }
      const finding = judge(scenario, events, thrown);
      if (finding) {
        return { ...base, expected: finding.expected, got: finding.got, atMs: finding.timeMs, node: finding.node, evidence: finding.evidence };
      }
    }
  }
  return pending ?? { status: "pass", seed, traceHashes };
}

/** The earliest finding of a finished run, if any. */
function judge<Impl>(scenario: Scenario<Impl, unknown>, events: readonly TraceEvent[], thrown: unknown): Finding | undefined {
  const roles = new Map<string, string>();
  for (const e of events) if (e.kind === "spawn") roles.set(e.node, e.role);
  const isStudent = (node: string): boolean =>
    scenario.studentNodes ? scenario.studentNodes.includes(node) : !(roles.get(node) ?? "").startsWith(GRADER_ROLE_PREFIX);
  const findings: Finding[] = [];
  const stray = strayMessage(events, roles);
  if (stray) findings.push(stray);
  if (thrown instanceof Expectation) {
    const at = thrown.at;
    findings.push({ timeMs: at.timeMs ?? lastTimeMs(events), rank: 1, expected: thrown.expected, got: thrown.got, node: at.node, evidence: at.evidence });
  } else if (thrown !== undefined) {
    const text = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
    findings.push({ timeMs: lastTimeMs(events), rank: 3, expected: "the run to finish without an error", got: text });
  }
  const error = events.find((e): e is ErrorEvent => e.kind === "error" && isStudent(e.node));
  if (error) {
    findings.push({
      timeMs: error.timeMs,
      rank: 2,
      expected: `node "${error.node}" handles every message and timer without throwing`,
      got: `it threw an error (during ${error.during}, at t=${formatMs(error.timeMs)}): ${error.message}`,
      node: error.node,
    });
  }
  findings.sort((a, b) => a.timeMs - b.timeMs || a.rank - b.rank);
  return findings[0];
}
