/**
 * Check of exercise 06.3 Cristian's algorithm. The student's `cristianClient` runs on one node
 * whose local clock is offset by up to ±{@link CLIENT_OFFSET_MS_MAX} ms and drifts by up to
 * ±{@link DRIFT_PPM_MAX} ppm; the grader's time server answers `clock_request` with
 * `clock_reply { timeMs }` (its clock, offset from the simulator's time by up to
 * ±{@link SERVER_OFFSET_MS_MAX} ms, so true simulator time is no answer) after 0–2 ms. Bystanders
 * are spawned first, names are drawn per trial, periodMs is drawn in 50–150 ms; 5% loss, 5%
 * duplication, unordered links, latency 1–3 ms, and per trial the requests, the replies or both
 * 5–60 ms slower (one-way delays differ, so T + rtt/2 is often near the edge of its bound, and
 * replies often arrive after the next request).
 *
 * Rules, for every call of now() the grader makes (every 20–80 ms from {@link CALLS_FROM_MS} to
 * {@link TRIAL_MS} ms): the server's clock at that moment lies in [timeMs − errorMs,
 * timeMs + errorMs], and errorMs ≤ {@link ERROR_MS_MAX}. On the trace: the client sends only
 * clock_requests to the server.
 *
 * What the rules separate (test/meta/06-time-and-concurrency.test.ts): reading true time
 * (node.now()), no rtt/2 correction, no drift in the bound, one t0 for every reply, a single sync.
 */
import { latency } from "../../../lib/net";
import type { Message, Node } from "../../../lib/node";
import { formatMs } from "../../../lib/sim";
import type { Simulation } from "../../../lib/simulation";
import type { TraceEvent } from "../../../lib/trace";
import { fail, graderRole, runScenarios, spawnBystanders, throwEarliest, trialsPerSeed, type CheckResult, type Scenario, type Trial } from "../check";
import { exercise } from "../exercises";
import { describeMessage, sentMessages } from "../messages";

/** What exercises/06-time-and-concurrency/cristian.ts exports. */
export interface CristianApi {
  cristianClient(node: Node, server: string, options: { periodMs: number; driftPpmMax: number }): { now(): { timeMs: number; errorMs: number } };
}

// tsc checks that the stub and the reference both have this API.
type Implements<T extends CristianApi> = T;
export type StubImplementsCristian = Implements<typeof import("../../../exercises/06-time-and-concurrency/cristian")>;
export type SolutionImplementsCristian = Implements<typeof import("../../../solutions/06-time-and-concurrency/cristian")>;

/** Trials per seed: with the exercise's seeds, ≥ 135 in all (see check.ts). */
export const TRIALS = trialsPerSeed(exercise("06.3").seeds.length);

export const DRIFT_PPM_MAX = 20_000;
export const CLIENT_OFFSET_MS_MAX = 5_000;
export const SERVER_OFFSET_MS_MAX = 100_000;
export const CALLS_FROM_MS = 1000;
export const TRIAL_MS = 3000;
/** errorMs must stay at most this from {@link CALLS_FROM_MS} on. */
export const ERROR_MS_MAX = 100;
/** Rounding slack of the interval check. */
const EPSILON_MS = 1e-6;

const NAMES = ["server", "time", "client", "c", "a", "b", "n1", "n2", "x", "y"];

interface Params {
  client: string;
  server: string;
  bystanders: string[];
  periodMs: number;
  clientOffsetMs: number;
  driftPpm: number;
  serverOffsetMs: number;
  /** The leg(s) that are slow: 5–60 ms more than the 1–3 ms of the network. */
  slow: Leg;
}

/** Which way the network is slow in a trial (one-way delays differ: rtt/2 is then far off). */
type Leg = "request" | "reply" | "both";
const LEGS: readonly Leg[] = ["request", "reply", "both"];

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

function params(trial: Trial): Params {
  const rng = trial.rng;
  const names = rng.shuffle(NAMES);
  const bystanders = names.slice(0, rng.int(1, 3));
  return {
    bystanders,
    client: names[bystanders.length],
    server: names[bystanders.length + 1],
    periodMs: rng.int(50, 151),
    clientOffsetMs: round(rng.uniform(-CLIENT_OFFSET_MS_MAX, CLIENT_OFFSET_MS_MAX)),
    driftPpm: Math.round(rng.uniform(-DRIFT_PPM_MAX, DRIFT_PPM_MAX)),
    serverOffsetMs: round(rng.uniform(-SERVER_OFFSET_MS_MAX, SERVER_OFFSET_MS_MAX)),
    slow: rng.pick(LEGS),
  };
}

/** The grader's time server: answers each request with its clock reading after 0–2 ms. */
function timeServer(node: Node): void {
  node.on("clock_request", (m: Message) => {
    node.setTimer(node.rng.uniform(0, 2), () => void node.reply(m, { type: "clock_reply", timeMs: node.clock() }), "think");
  });
}

/** One call of now(), with the server's clock at that moment. */
interface Call {
  trueMs: number;
  serverMs: number;
  got: unknown;
  /** Trace length at the call. */
  index: number;
}

function checkCalls(events: readonly TraceEvent[], p: Params, calls: readonly Call[]): void {
  const sent = sentMessages(events, (e) => e.src === p.client);
  const replies = sentMessages(events, (e) => e.dest === p.client && e.type === "clock_reply");
  const lastReply = (index: number) => {
    const arrived = replies.filter((r) => r.delivered.some((d) => d.index < index));
    const r = arrived[arrived.length - 1];
    if (r === undefined) return { words: "no clock_reply had arrived", evidence: [] as number[] };
    const request = sent.find((m) => m.send.msgId === r.send.inReplyTo);
    return { words: `the last clock_reply to arrive: ${describeMessage(r, ["timeMs"])}${request ? `, answering the request sent at t=${formatMs(request.send.timeMs)}` : ""}`, evidence: [...(request ? [request.send.id] : []), r.send.id] };
  };
  throwEarliest(
    () => {
      for (const m of sent) {
        if (m.send.dest !== p.server || m.send.type !== "clock_request") {
          fail(`${p.client} to send only { type: "clock_request" } to the server ${p.server}`, describeMessage(m), { timeMs: m.send.timeMs, node: p.client, evidence: [m.send.id] });
        }
      }
    },
    () => {
      for (const c of calls) {
        const v = c.got as { timeMs?: unknown; errorMs?: unknown } | undefined;
        const at = `now() at t=${formatMs(c.trueMs)} (the server's clock read ${formatMs(c.serverMs)})`;
        if (v === null || typeof v !== "object" || typeof v.timeMs !== "number" || typeof v.errorMs !== "number" || Number.isNaN(v.timeMs) || Number.isNaN(v.errorMs)) {
          fail("now() to return { timeMs: number, errorMs: number }", `${at} returned ${JSON.stringify(c.got)}`, { timeMs: c.trueMs, node: p.client });
        }
        const offBy = c.serverMs - v.timeMs;
        if (Math.abs(offBy) > v.errorMs + EPSILON_MS) {
          const last = lastReply(c.index);
          fail(
            "the server's time to lie in [timeMs − errorMs, timeMs + errorMs] at every call of now() (estimate T + rtt/2 with rtt measured on node.clock() from the request's own send; " +
              `error rtt/2 + ρ·rtt/(1−ρ), plus ρ·elapsed/(1−ρ) since; ρ = driftPpmMax/1e6 = ${DRIFT_PPM_MAX / 1e6})`,
            `${at} returned timeMs=${formatMs(v.timeMs)}, errorMs=${formatMs(v.errorMs)}: off by ${formatMs(offBy)}; ${last.words}`,
            { timeMs: c.trueMs, node: p.client, evidence: last.evidence },
          );
        }
        if (!(v.errorMs <= ERROR_MS_MAX)) {
          const last = lastReply(c.index);
          fail(
            `errorMs ≤ ${ERROR_MS_MAX} ms from t=${CALLS_FROM_MS}ms on (sync every periodMs=${p.periodMs} ms; keep the estimate whose error is smaller now)`,
            `${at} returned errorMs=${formatMs(v.errorMs)}; ${last.words}`,
            { timeMs: c.trueMs, node: p.client, evidence: last.evidence },
          );
        }
      }
    },
  );
}

async function runCristian(sim: Simulation, impl: CristianApi, p: Params): Promise<void> {
  spawnBystanders(sim, p.bystanders);
  sim.spawn(p.server, timeServer, { role: graderRole("time-server"), clock: { offsetMs: p.serverOffsetMs } });
  for (const type of p.slow === "both" ? ["clock_request", "clock_reply"] : [`clock_${p.slow}`]) {
    sim.addRule({ name: `slow ${type}s`, match: { type }, action: "delay", delayMs: latency.uniform(5, 60) });
  }
  const calls: Call[] = [];
  sim.spawn(
    p.client,
    (node) => {
      const client = impl.cristianClient(node, p.server, { periodMs: p.periodMs, driftPpmMax: DRIFT_PPM_MAX });
      const call = (): void => {
        if (sim.now() > TRIAL_MS) return;
        calls.push({ trueMs: sim.now(), serverMs: sim.now() + p.serverOffsetMs, got: client.now(), index: sim.trace.events.length });
        sim.after(node.rng.uniform(20, 80), call, "call now()");
      };
      sim.at(CALLS_FROM_MS, call, "first call of now()");
    },
    { role: "client", clock: { offsetMs: p.clientOffsetMs, driftPpm: p.driftPpm } },
  );
  await sim.runFor(TRIAL_MS + 50);
  checkCalls(sim.trace.events, p, calls);
}

/**
 * Grade a Cristian client with one seed: {@link TRIALS} trials.
 *
 * @example
 * await checkCristian(await import("../../../solutions/06-time-and-concurrency/cristian"), 7); // { status: "pass", … }
 */
export function checkCristian(impl: CristianApi, seed: number): Promise<CheckResult> {
  const scenario: Scenario<CristianApi, Params> = {
    name: (p) =>
      `your cristianClient on "${p.client}" (clock offset ${formatMs(p.clientOffsetMs)}, drift ${p.driftPpm} ppm; periodMs=${p.periodMs}) ` +
      `against the grader's time server "${p.server}" (clock offset ${formatMs(p.serverOffsetMs)}); bystanders ${p.bystanders.map((b) => `"${b}"`).join(", ")} spawned first; ` +
      `5% loss, 5% duplication, unordered links, latency 1–3 ms, ${{ request: "requests", reply: "replies", both: "requests and replies" }[p.slow]} 5–60 ms slower`,
    trials: TRIALS,
    params,
    simulation: { network: { latency: latency.uniform(1, 3), lossProbability: 0.05, duplicationProbability: 0.05, ordering: "unordered" } },
    lanes: (p) => [p.client, p.server],
    run: (sim, impl, p) => runCristian(sim, impl, p),
  };
  return runScenarios(impl, seed, [scenario], { functions: ["cristianClient"], exercise: "06.3 cristian" });
}
