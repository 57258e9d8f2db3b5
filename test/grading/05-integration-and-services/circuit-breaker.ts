/**
 * Check of exercise 05.2 circuit breaker. The student's breaker runs on a client node; the grader
 * calls `breaker.call(body)` itself and plays the service, which goes through phases (healthy,
 * flaky, failing with error replies, timing out, mixed, healthy again). Bystanders are spawned
 * first, node names and the options (failuresToOpen, openMs, timeoutMs) are drawn per trial, and
 * each seed runs {@link TRIALS} trials (latency 5–15 ms, no loss).
 *
 * The grader keeps its own model of the breaker, fed with the outcomes it reads from the trace
 * (a reply of type "error" or no reply within timeoutMs: a failure; any other reply: a success),
 * and checks every call against it, one step at a time:
 *
 * - closed: the call sends exactly one request, at once, to the service, with the call's body;
 *   it resolves with the reply (error replies too) when the reply arrives, or rejects (not with
 *   CircuitOpenError) timeoutMs after the send; `failuresToOpen` consecutive failures open the
 *   breaker at the moment of the last one (a success resets the count);
 * - open, for openMs: every call rejects at once with an error named "CircuitOpenError", and no
 *   request is sent;
 * - the first call after openMs is the probe: exactly one request; the other calls made with it
 *   reject with CircuitOpenError; "half-open" is declared between the end of openMs and the probe;
 *   the probe's success closes the breaker, its failure opens it again from that moment;
 * - the node's states (node.setState) are exactly "closed" at creation, then the model's
 *   transitions at their moments, and `breaker.state` agrees with the model after every step;
 * - nothing is sent without a call, also in the {@link PAST_LAST_CALL_MS} ms after the last one.
 *
 * The grader makes one call per step, {@link GAP_MS_MIN}–{@link GAP_MS_MAX} ms after the previous
 * step settled, and 1–3 calls at the same moment when its model is open (so a probe is sometimes
 * one of several concurrent calls).
 */
import { latency } from "../../../lib/net";
import type { Body, Message, Node } from "../../../lib/node";
import { formatMs } from "../../../lib/sim";
import type { Simulation } from "../../../lib/simulation";
import type { StateEvent } from "../../../lib/trace";
import { fail, graderRole, runScenarios, settle, spawnBystanders, trialsPerSeed, type CheckResult, type Scenario, type Trial } from "../check";
import { exercise } from "../exercises";
import { describeMessage, sentMessages, type SentMessage } from "../messages";

/** The options of a breaker. */
export interface BreakerOptions {
  failuresToOpen: number;
  openMs: number;
  timeoutMs: number;
}

/** What a breaker looks like from outside. */
export interface BreakerLike {
  call(body: Body): Promise<Message>;
  readonly state: string;
}

/** What exercises/05-integration-and-services/circuit-breaker.ts exports. */
export interface CircuitBreakerApi {
  circuitBreaker(node: Node, service: string, options: BreakerOptions): BreakerLike;
}

// tsc checks that the stub and the reference both have this API.
type Implements<T extends CircuitBreakerApi> = T;
export type StubImplementsCircuitBreaker = Implements<typeof import("../../../exercises/05-integration-and-services/circuit-breaker")>;
export type SolutionImplementsCircuitBreaker = Implements<typeof import("../../../solutions/05-integration-and-services/circuit-breaker")>;

/** Trials per seed: with the registry's seeds, ≥ 135 in all (see check.ts). */
export const TRIALS = trialsPerSeed(exercise("05.2").seeds.length);

/** Ranges the options are drawn from per trial. */
export const FAILURES_TO_OPEN_MIN = 2;
export const FAILURES_TO_OPEN_MAX = 5;
export const OPEN_MS_MIN = 300;
export const OPEN_MS_MAX = 800;
export const TIMEOUT_MS_MIN = 100;
export const TIMEOUT_MS_MAX = 250;

/** Pause between a step's settling and the next step. */
export const GAP_MS_MIN = 10;
export const GAP_MS_MAX = 150;

/** The run goes on this long after the last call settled. */
export const PAST_LAST_CALL_MS = 1000;

/** Share of error replies in a flaky phase, and of silences in a mixed one. */
export const FLAKY_ERROR_SHARE = 0.25;

/** Node names; each trial shuffles them. */
const NAMES = ["client", "service", "inventory", "n1", "n2", "n3", "n4", "n5"];
const KEYS = ["apples", "pears", "plums", "figs", "kiwis"];

/** What the service does with a request in a phase. */
export type PhaseKind = "healthy" | "flaky" | "failing" | "timing-out" | "mixed";
const MIDDLE: readonly PhaseKind[] = ["flaky", "failing", "timing-out", "mixed", "healthy", "failing"];

interface Phase {
  kind: PhaseKind;
  fromMs: number;
  toMs: number;
}

/** One trial's choices. */
interface Params {
  client: string;
  service: string;
  bystanders: string[];
  options: BreakerOptions;
  phases: Phase[];
  endMs: number;
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

function params(trial: Trial): Params {
  const rng = trial.rng;
  const names = rng.shuffle(NAMES);
  const count = rng.int(1, 3);
  const options: BreakerOptions = {
    failuresToOpen: rng.int(FAILURES_TO_OPEN_MIN, FAILURES_TO_OPEN_MAX + 1),
    openMs: rng.int(OPEN_MS_MIN / 50, OPEN_MS_MAX / 50 + 1) * 50,
    timeoutMs: rng.int(TIMEOUT_MS_MIN / 25, TIMEOUT_MS_MAX / 25 + 1) * 25,
  };
  const kinds: PhaseKind[] = ["healthy", ...rng.shuffle(MIDDLE), "healthy"];
  const phases: Phase[] = [];
  let at = 0;
  kinds.forEach((kind, i) => {
    const length = round(i === kinds.length - 1 ? rng.uniform(1000, 1500) : rng.uniform(400, 1200));
    phases.push({ kind, fromMs: at, toMs: round(at + length) });
    at = round(at + length);
  });
  return { client: names[count], service: names[count + 1], bystanders: names.slice(0, count), options, phases, endMs: at };
}

function phaseAt(p: Params, ms: number): Phase {
  return p.phases.find((ph) => ph.fromMs <= ms && ms < ph.toMs) ?? p.phases[p.phases.length - 1];
}

const PHASE_WORDS: Record<PhaseKind, string> = {
  healthy: "healthy",
  flaky: `flaky (${FLAKY_ERROR_SHARE * 100}% error replies)`,
  failing: "failing (every reply an error)",
  "timing-out": "timing out (no reply)",
  mixed: "mixed (error replies and no replies)",
};

function phaseWords(p: Params, ms: number): string {
  const ph = phaseAt(p, ms);
  return `the service was ${PHASE_WORDS[ph.kind]} from t=${formatMs(ph.fromMs)} to t=${formatMs(ph.toMs)}`;
}

/** The grader's service: answers per phase, after a think time of 1–20 ms. */
function graderService(p: Params): (node: Node) => void {
  return (node) => {
    let msgId = node.rng.int(1000, 9000);
    node.on("get", (request) => {
      const kind = phaseAt(p, node.now()).kind;
      const error = kind === "failing" || (kind === "flaky" && node.rng.chance(FLAKY_ERROR_SHARE)) || (kind === "mixed" && node.rng.chance(0.5));
      if (!error && (kind === "timing-out" || kind === "mixed")) return; // silence: the client times out
      node.setTimer(node.rng.uniform(1, 20), () => {
        msgId += node.rng.int(1, 9);
        const body = error
          ? { type: "error", code: "unavailable", msg_id: msgId }
          : { type: "get_ok", key: request.body.key, value: node.rng.int(0, 1000), msg_id: msgId };
        node.reply(request, body);
      }, "think");
    });
  };
}

/** How one call ended, and when. */
interface CallOutcome {
  body: Body;
  status: "fulfilled" | "rejected" | "pending";
  value?: unknown;
  reason?: unknown;
  atMs?: number;
  index?: number;
}

const isOpenError = (reason: unknown): boolean => reason instanceof Error && reason.name === "CircuitOpenError";

function outcomeWords(o: CallOutcome): string {
  if (o.status === "pending") return "it never settled";
  if (o.status === "fulfilled") {
    const v = o.value as Message | undefined;
    return `it resolved at t=${formatMs(o.atMs!)} with ${v?.body ? `a ${v.body.type} from ${v.src}` : JSON.stringify(v)}`;
  }
  const r = o.reason;
  return `it rejected at t=${formatMs(o.atMs!)} with ${r instanceof Error ? `${r.name}: ${r.message}` : String(r)}`;
}

/** The grader's model of the breaker. */
interface Model {
  state: "closed" | "open" | "half-open";
  failures: number;
  openedMs: number;
  /** The failures that count now, for evidence and words. */
  streak: SentMessage[];
}

/** A transition the model expects the node to declare. */
interface Expected {
  to: string;
  fromMs: number;
  toMs: number;
  why: string;
}

const ordinal = (n: number): string => `${n}${n % 10 === 1 && n % 100 !== 11 ? "st" : n % 10 === 2 && n % 100 !== 12 ? "nd" : n % 10 === 3 && n % 100 !== 13 ? "rd" : "th"}`;

/** What the calls of a check met (for the meta tests and the notebook). */
export interface BreakerStats {
  trials: number;
  calls: number;
  /** Calls that had to fail fast (model open, or beside a probe). */
  failedFast: number;
  timeouts: number;
  errorReplies: number;
  /** Times the breaker had to open after failuresToOpen consecutive failures. */
  opens: number;
  probes: number;
  /** Probes made together with other calls at the same moment. */
  probesAmongSeveral: number;
  failedProbes: number;
  /** Times the count was above 0 and a success reset it (a total count would have gone on). */
  resets: number;
}

async function driveBreaker(sim: Simulation, impl: CircuitBreakerApi, p: Params, trial: Trial, stats?: BreakerStats): Promise<void> {
  const { client, service, options } = p;
  const { failuresToOpen, openMs, timeoutMs } = options;
  if (stats) stats.trials++;
  spawnBystanders(sim, p.bystanders);
  sim.spawn(service, graderService(p), { role: graderRole("service") });
  const node = sim.spawn(client, () => {}, { role: "client" });
  const breaker = impl.circuitBreaker(node, service, options);
  const model: Model = { state: "closed", failures: 0, openedMs: 0, streak: [] };
  const events = sim.trace.events;
  const rng = trial.rng;
  let stateIndex = 0; // next trace index to look at for the client's state events
  let checkedSendIndex = 0; // client sends before this index belong to checked steps
  const expectStates = (expected: Expected[], evidence: number[]): void => {
    const declared: StateEvent[] = [];
    for (; stateIndex < events.length; stateIndex++) {
      const e = events[stateIndex];
      if (e.kind === "state" && e.node === client) declared.push(e);
    }
    const words = (list: readonly { to: string }[]) => list.map((s) => `"${s.to}"`).join(", then ");
    for (let i = 0; i < Math.max(expected.length, declared.length); i++) {
      const want = expected[i];
      const got = declared[i];
      const ok = want !== undefined && got !== undefined && got.to === want.to && got.timeMs >= want.fromMs - 1e-9 && got.timeMs <= want.toMs + 1e-9;
      if (ok) continue;
      const when = (x: Expected) => (x.fromMs === x.toMs ? `at t=${formatMs(x.fromMs)}` : `between t=${formatMs(x.fromMs)} and t=${formatMs(x.toMs)}`);
      fail(
        want
          ? `${client} to call node.setState("${want.to}") ${when(want)}: ${want.why}` + (expected.length > 1 ? ` (expected here: ${words(expected)})` : "")
          : `no change of state on ${client} now (the breaker stays "${model.state}"` +
              (model.state === "closed" ? `: ${model.failures} consecutive failure(s) so far, failuresToOpen=${failuresToOpen}` : "") +
              `; states are "closed", "open", "half-open")`,
        got
          ? `it declared ${words(declared.slice(0, i + 1))} at t=${formatMs(got.timeMs)}${i + 1 < declared.length ? `, then ${words(declared.slice(i + 1))}` : ""}`
          : declared.length
            ? `it declared only ${words(declared)} (at t=${formatMs(declared[0].timeMs)})`
            : "it declared no change of state",
        { timeMs: got?.timeMs ?? want?.toMs ?? sim.now(), node: client, evidence },
      );
    }
  };

  // Creation: "closed" at once.
  expectStates([{ to: "closed", fromMs: 0, toMs: 0, why: "a breaker starts closed" }], []);

  /** Check one request-carrying call (closed, or the probe); returns whether it succeeded, and when. */
  const judgeSent = (o: CallOutcome, request: SentMessage, T: number, role: string): { ok: boolean; atMs: number; reply?: SentMessage } => {
    const replies = sentMessages(events, (e) => e.src === service && e.dest === client && e.inReplyTo === request.send.msgId);
    const reply = replies.find((r) => r.delivered.length > 0 && r.delivered[0].event.timeMs < T + timeoutMs);
    const evidence = [request.send.id, ...(reply ? [reply.send.id] : [])];
    if (reply) {
      const arrived = reply.delivered[0].event.timeMs;
      const v = o.value as Message | undefined;
      const good = o.status === "fulfilled" && o.atMs === arrived && v?.src === service && v.body?.in_reply_to === request.send.msgId && v.body?.type === reply.send.type;
      if (!good) {
        fail(
          `${role} to resolve with the reply when it arrives (error replies too: the caller reads their code)`,
          `${describeMessage(request, ["key"])}; ${describeMessage(reply)}; ${outcomeWords(o)}`,
          { timeMs: arrived, node: client, evidence },
        );
      }
      return { ok: reply.send.type !== "error", atMs: arrived, reply };
    }
    const due = T + timeoutMs;
    const good = o.status === "rejected" && !isOpenError(o.reason) && Math.abs(o.atMs! - due) < 1;
    if (!good) {
      fail(
        `${role} to reject with the timeout's error (RpcTimeoutError) ${timeoutMs} ms after the request, at t=${formatMs(due)}: no reply came in time`,
        `${describeMessage(request, ["key"])}, no reply within timeoutMs=${timeoutMs} ms (${phaseWords(p, request.send.timeMs)}); ${outcomeWords(o)}`,
        { timeMs: due, node: client, evidence },
      );
    }
    return { ok: false, atMs: due };
  };

  while (sim.now() < p.endMs) {
    await sim.runFor(round(rng.uniform(GAP_MS_MIN, GAP_MS_MAX)));
    const T = sim.now();
    const stepStart = events.length;
    const probeDue = model.state === "open" && T >= model.openedMs + openMs;
    const count = model.state === "open" && rng.chance(0.3) ? rng.int(2, 4) : 1;
    const outcomes: CallOutcome[] = [];
    const tracked: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      const body: Body = { type: "get", key: rng.pick(KEYS), n: rng.int(1, 100000) };
      const o: CallOutcome = { body, status: "pending" };
      outcomes.push(o);
      let promise: Promise<Message>;
      try {
        promise = Promise.resolve(breaker.call(body));
      } catch (error) {
        promise = Promise.reject(error);
      }
      tracked.push(
        promise.then(
          (value) => void Object.assign(o, { status: "fulfilled", value, atMs: sim.now(), index: events.length }),
          (reason) => void Object.assign(o, { status: "rejected", reason, atMs: sim.now(), index: events.length }),
        ),
      );
    }
    await settle(sim, Promise.all(tracked), { withinMs: timeoutMs + 2000 });
    const stepEnd = sim.now();
    const stepEndIndex = events.length;
    let sends = sentMessages(events, (e) => e.src === client).filter((m) => m.index >= checkedSendIndex);
    if (sends.some((m) => m.delivered.length === 0 && m.dropped.length === 0)) {
      // A request sent while the calls failed fast: let it arrive, so the failure diagram draws it.
      await sim.runFor(20);
      const ids = new Set(sends.map((m) => m.send.id));
      sends = sentMessages(events, (e) => ids.has(e.id));
    }
    checkedSendIndex = stepEndIndex;
    const callWords = count === 1 ? `the call at t=${formatMs(T)}` : `the ${count} calls at t=${formatMs(T)}`;
    const early = sends.find((m) => m.index < stepStart);
    if (early) {
      fail(`${client} to send only when called (and one request per call)`, `${describeMessage(early)}, before ${callWords}`, {
        timeMs: early.send.timeMs,
        node: client,
        evidence: [early.send.id],
      });
    }
    const pending = outcomes.find((o) => o.status === "pending");
    if (pending) {
      fail(`every call to settle (a reply, a timeout after ${timeoutMs} ms, or CircuitOpenError at once)`, `${callWords}: ${outcomeWords(pending)} within ${formatMs(timeoutMs + 2000)}`, {
        timeMs: stepEnd,
        node: client,
        evidence: sends.map((m) => m.send.id),
      });
    }
    if (stats) {
      stats.calls += count;
      if (model.state === "open") stats.failedFast += probeDue ? count - 1 : count;
      if (probeDue) stats.probes++;
      if (probeDue && count > 1) stats.probesAmongSeveral++;
    }
    const transitions: Expected[] = [];
    const streakIds = () => model.streak.map((m) => m.send.id);

    if (model.state === "open" && !probeDue) {
      const leftMs = model.openedMs + openMs - T;
      const why = `the breaker opened at t=${formatMs(model.openedMs)}, after ${failuresToOpen} consecutive failures or a failed probe, and stays open for openMs=${openMs} ms, until t=${formatMs(model.openedMs + openMs)}`;
      if (sends.length > 0) {
        fail(`no request while the breaker is open: ${why}`, `${describeMessage(sends[0], ["key"])}, ${formatMs(leftMs)} before openMs was over`, {
          timeMs: sends[0].send.timeMs,
          node: client,
          evidence: [...streakIds().slice(-4), sends[0].send.id],
        });
      }
      const slow = outcomes.find((o) => !(o.status === "rejected" && isOpenError(o.reason) && o.atMs === T));
      if (slow) {
        fail(`${callWords} to reject at once with CircuitOpenError: ${why}`, outcomeWords(slow), { timeMs: T, node: client, evidence: streakIds().slice(-4) });
      }
    } else {
      const probe = model.state === "open";
      const role = probe ? "the probe (the first call after openMs)" : "a call through the closed breaker";
      if (probe) {
        transitions.push({ to: "half-open", fromMs: model.openedMs + openMs, toMs: T, why: `openMs=${openMs} ms after the breaker opened at t=${formatMs(model.openedMs)}, the next call is a probe` });
      }
      const allowed = probe
        ? `exactly one request for ${callWords} (the probe, sent at once; the others fail fast with CircuitOpenError), the call's body to ${service}`
        : `exactly one request for ${callWords}, sent at once, with the call's body, to ${service} (no retries)`;
      const wrong = sends.find((m) => m.send.dest !== service || m.send.timeMs !== T || m.body.type !== "get" || !outcomes.some((o) => o.body.key === m.body.key && o.body.n === m.body.n));
      if (sends.length !== 1 || wrong) {
        const inOpen = probe ? `; the breaker had been open since t=${formatMs(model.openedMs)} (openMs=${openMs} ms)` : "";
        fail(
          allowed,
          sends.length === 0
            ? `no request was sent; ${outcomeWords(outcomes[0])}${inOpen}` + (probe ? "" : `; the breaker should be closed: ${model.failures} consecutive failure(s) so far, failuresToOpen=${failuresToOpen}`)
            : `${sends.length} requests: ${sends.slice(0, 3).map((m) => describeMessage(m, ["key", "n"])).join("; ")}${inOpen}`,
          { timeMs: (wrong ?? sends[1] ?? sends[0])?.send.timeMs ?? T, node: client, evidence: [...streakIds().slice(-3), ...sends.slice(0, 4).map((m) => m.send.id)] },
        );
      }
      const request = sends[0];
      const mine = outcomes.find((o) => o.body.key === request.body.key && o.body.n === request.body.n)!;
      for (const other of outcomes) {
        if (other === mine || (other.status === "rejected" && isOpenError(other.reason) && other.atMs === T)) continue;
        fail(`the other calls made with the probe to reject at once with CircuitOpenError (one probe at a time)`, `a call at t=${formatMs(T)}: ${outcomeWords(other)}`, {
          timeMs: T,
          node: client,
          evidence: [request.send.id],
        });
      }
      const result = judgeSent(mine, request, T, role);
      if (stats && !result.ok) stats[result.reply ? "errorReplies" : "timeouts"]++;
      if (stats && probe && !result.ok) stats.failedProbes++;
      if (stats && !probe && result.ok && model.failures > 0) stats.resets++;
      if (stats && !probe && !result.ok && model.failures + 1 >= failuresToOpen) stats.opens++;
      if (probe) {
        if (result.ok) {
          model.state = "closed";
          model.failures = 0;
          model.streak = [];
          transitions.push({ to: "closed", fromMs: result.atMs, toMs: result.atMs, why: `the probe ${describeMessage(request, ["key"])} succeeded: a ${result.reply?.send.type} arrived` });
        } else {
          model.state = "open";
          model.openedMs = result.atMs;
          model.streak = [request];
          transitions.push({
            to: "open",
            fromMs: result.atMs,
            toMs: result.atMs,
            why: `the probe ${describeMessage(request, ["key"])} failed (${result.reply ? "an error reply" : "no reply within timeoutMs"}): open again for openMs`,
          });
        }
      } else if (result.ok) {
        model.failures = 0;
        model.streak = [];
      } else {
        model.failures++;
        model.streak.push(request);
        if (model.failures >= failuresToOpen) {
          model.state = "open";
          model.openedMs = result.atMs;
          transitions.push({
            to: "open",
            fromMs: result.atMs,
            toMs: result.atMs,
            why:
              `that was the ${ordinal(model.failures)} consecutive failure (failuresToOpen=${failuresToOpen}; ` +
              `failures are error replies and timeouts; this one: ${result.reply ? "an error reply" : `no reply within timeoutMs=${timeoutMs} ms`}; ${phaseWords(p, request.send.timeMs)})`,
          });
        }
      }
    }
    expectStates(transitions, [...streakIds().slice(-4), ...sends.slice(0, 2).map((m) => m.send.id)]);
    const halfOpenAllowed = model.state === "open" && sim.now() >= model.openedMs + openMs;
    const state = breaker.state;
    if (!(state === model.state || (halfOpenAllowed && state === "half-open"))) {
      fail(`breaker.state to be "${model.state}" at t=${formatMs(sim.now())}, after ${callWords}`, `breaker.state was ${JSON.stringify(state)}`, {
        timeMs: sim.now(),
        node: client,
        evidence: sends.map((m) => m.send.id),
      });
    }
  }
  const lastMs = sim.now();
  await sim.runFor(PAST_LAST_CALL_MS); // run past settle: nothing more may be sent
  const late = sentMessages(events, (e) => e.src === client).find((m) => m.index >= checkedSendIndex);
  if (late) {
    fail(`${client} to send only when called; the last call settled at t=${formatMs(lastMs)}`, describeMessage(late), {
      timeMs: late.send.timeMs,
      node: client,
      evidence: [late.send.id],
    });
  }
  const due = model.openedMs + openMs;
  expectStates(
    model.state === "open" && events.slice(stateIndex).some((e) => e.kind === "state" && e.node === client)
      ? [{ to: "half-open", fromMs: due, toMs: Math.max(due, sim.now()), why: `openMs=${openMs} ms after the breaker opened at t=${formatMs(model.openedMs)} (a timer may declare it)` }]
      : [],
    [],
  );
}

/**
 * Grade a circuit breaker with one seed: {@link TRIALS} trials. Pass `stats` to count what the
 * calls met.
 *
 * @example
 * await checkCircuitBreaker(await import("../../../solutions/05-integration-and-services/circuit-breaker"), 7); // { status: "pass", … }
 */
export function checkCircuitBreaker(impl: CircuitBreakerApi, seed: number, stats?: BreakerStats): Promise<CheckResult> {
  const scenario: Scenario<CircuitBreakerApi, Params> = {
    name: (p) =>
      `your circuitBreaker on "${p.client}" (failuresToOpen=${p.options.failuresToOpen}, openMs=${p.options.openMs}, timeoutMs=${p.options.timeoutMs}) ` +
      `calling the grader's service "${p.service}", which is ${p.phases.map((ph) => `${ph.kind} t=${formatMs(ph.fromMs)}–${formatMs(ph.toMs)}`).join(", ")}; ` +
      `bystanders ${p.bystanders.map((b) => `"${b}"`).join(", ")} spawned first; latency 5–15 ms, no loss`,
    trials: TRIALS,
    params,
    simulation: { network: { latency: latency.uniform(5, 15), ordering: "unordered" } },
    lanes: (p) => [p.client, p.service],
    run: (sim, impl, p, trial) => driveBreaker(sim, impl, p, trial, stats),
  };
  return runScenarios(impl, seed, [scenario], { functions: ["circuitBreaker"], exercise: "05.2 circuit-breaker" });
}
