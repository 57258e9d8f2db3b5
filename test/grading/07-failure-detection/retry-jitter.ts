/**
 * Check of exercise 07.3 retry with full jitter. The student's `retryWithFullJitter` runs on a
 * client node with an `op` the grader writes: each call sends `write` to the grader's server,
 * which answers `conflict` (op rejects with a fresh ConflictError) a drawn number of times and
 * then `write_ok` (op resolves with a fresh object). Bystanders are spawned first, names and the
 * options (baseMs, capMs, retriesMax) are drawn per trial; each seed runs {@link TRIALS} trials.
 *
 * Per trial: op called at once, exactly min(conflicts, retriesMax) + 1 times, one call at a time; delay n
 * (op's rejection → the next call) within [0, min(capMs, baseMs·2ⁿ)]; the call resolves with op's
 * value or rejects with op's last error (the same objects); nothing called in the
 * {@link PAST_SETTLE_MS} ms after. Per seed (at its last trial): the delays divided by their
 * windows are uniform on [0, 1] — Kolmogorov–Smirnov distance below {@link KS_COEFFICIENT}/√count.
 */
import { latency } from "../../../lib/net";
import type { Node } from "../../../lib/node";
import { formatMs } from "../../../lib/sim";
import { ensure, fail, graderRole, runScenarios, settle, spawnBystanders, throwEarliest, trialsPerSeed, type CheckResult, type Scenario, type Trial } from "../check";
import { exercise } from "../exercises";
import { describeMessage, sentMessages } from "../messages";

/** The options of a retry. */
export interface RetryOptionsLike {
  baseMs: number;
  capMs: number;
  retriesMax: number;
}

/** What exercises/07-failure-detection/retry-jitter.ts exports. */
export interface RetryJitterApi {
  retryWithFullJitter<T>(node: Node, op: () => Promise<T>, options: RetryOptionsLike): Promise<T>;
}

// tsc checks that the stub and the reference both have this API.
type Implements<T extends RetryJitterApi> = T;
export type StubImplementsRetryJitter = Implements<typeof import("../../../exercises/07-failure-detection/retry-jitter")>;
export type SolutionImplementsRetryJitter = Implements<typeof import("../../../solutions/07-failure-detection/retry-jitter")>;

/** Trials per seed: with the registry's seeds, ≥ 135 in all (see check.ts). */
export const TRIALS = trialsPerSeed(exercise("07.3").seeds.length);

export const BASE_MS_MIN = 5;
export const BASE_MS_MAX = 40;
/** capMs = baseMs × a factor drawn from this range. */
export const CAP_FACTOR_MIN = 2;
export const CAP_FACTOR_MAX = 20;
export const RETRIES_MAX_MIN = 2;
export const RETRIES_MAX_MAX = 8;
/** Share of trials whose server refuses more often than retriesMax + 1 times (the retry gives up). */
export const GIVE_UP_SHARE = 0.4;
/** The run goes on this long after the call settled. */
export const PAST_SETTLE_MS = 1000;
/** Kolmogorov–Smirnov critical value: D < 2.23/√n (α ≈ 0.0001, so a correct solution fails a seed about once in 10,000). */
export const KS_COEFFICIENT = 2.23;
/** Slack of the window check (float rounding of the simulator's clock). */
const SLACK_MS = 0.001;

const NAMES = ["client", "server", "db", "store", "n1", "n2", "n3", "n4"];

/** What the trials of one check met (the meta tests read it). */
export interface RetryStats {
  trials: number;
  gaveUp: number;
  delays: number;
  capped: number;
  ksDistance: number;
}

interface Params {
  client: string;
  server: string;
  bystanders: string[];
  options: RetryOptionsLike;
  conflicts: number;
  key: string;
}

function params(trial: Trial): Params {
  const rng = trial.rng;
  const names = rng.shuffle(NAMES);
  const count = rng.int(1, 3);
  const baseMs = rng.int(BASE_MS_MIN, BASE_MS_MAX + 1);
  const options = { baseMs, capMs: baseMs * rng.int(CAP_FACTOR_MIN, CAP_FACTOR_MAX + 1), retriesMax: rng.int(RETRIES_MAX_MIN, RETRIES_MAX_MAX + 1) };
  const conflicts = rng.chance(GIVE_UP_SHARE) ? options.retriesMax + 1 + rng.int(0, 3) : rng.int(0, options.retriesMax + 1);
  return { client: names[count], server: names[count + 1], bystanders: names.slice(0, count), options, conflicts, key: `k${rng.int(1, 100)}` };
}

/** The error the grader's op rejects with. */
export class ConflictError extends Error {
  constructor(readonly attempt: number, readonly version: number) {
    super(`write conflict (call ${attempt}, version ${version})`);
    this.name = "ConflictError";
  }
}

/** One call of the grader's op. */
interface Call {
  startMs: number;
  endMs?: number;
  error?: ConflictError;
  value?: { version: number };
}

/** The grader's server: `conflict` for the first `conflicts` writes, then `write_ok`. */
function graderServer(p: Params): (node: Node) => void {
  return (node) => {
    let writes = 0;
    let version = node.rng.int(1, 1000);
    node.on("write", (request) => {
      writes++;
      version += node.rng.int(1, 5);
      const body = writes <= p.conflicts ? { type: "conflict", version } : { type: "write_ok", version };
      node.setTimer(node.rng.uniform(0, 5), () => node.reply(request, body), "think");
    });
  };
}

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? "th" : ["th", "st", "nd", "rd"][n % 10] ?? "th";
  return `${n}${s}`;
}

/**
 * Kolmogorov–Smirnov distance of a sample from the uniform distribution on [0, 1].
 *
 * @example
 * ksDistanceUniform([0.1, 0.3, 0.5, 0.7, 0.9]); // 0.1
 * ksDistanceUniform([0.8, 0.9, 0.95]); // 0.8: everything in the upper part
 */
export function ksDistanceUniform(sample: readonly number[]): number {
  const u = [...sample].sort((a, b) => a - b);
  const n = u.length;
  let d = 0;
  u.forEach((x, i) => {
    const v = Math.min(1, Math.max(0, x));
    d = Math.max(d, (i + 1) / n - v, v - i / n);
  });
  return d;
}

/**
 * Grade `retryWithFullJitter` with one seed.
 *
 * @example
 * const result = await checkRetryJitter(await loadTarget<RetryJitterApi>("07-failure-detection/retry-jitter"), 7);
 */
export function checkRetryJitter(impl: RetryJitterApi, seed: number, stats?: RetryStats): Promise<CheckResult> {
  const normalised: number[] = [];
  const scenario: Scenario<RetryJitterApi, Params> = {
    name: (p) =>
      `retryWithFullJitter on ${p.client} with baseMs=${p.options.baseMs}, capMs=${p.options.capMs}, retriesMax=${p.options.retriesMax}; ` +
      `the grader's ${p.server} answers conflict ${p.conflicts} time(s), then write_ok; latency 5–15 ms`,
    trials: TRIALS,
    params,
    simulation: { network: { latency: latency.uniform(5, 15) } },
    run: async (sim, impl, p, trial) => {
      spawnBystanders(sim, p.bystanders);
      sim.spawn(p.server, graderServer(p), { role: graderRole("server") });
      const node = sim.spawn(p.client, () => {}, { role: "client" });
      const calls: Call[] = [];
      const op = async (): Promise<{ version: number }> => {
        const call: Call = { startMs: node.now() };
        calls.push(call);
        const reply = await node.rpc(p.server, { type: "write", key: p.key, value: calls.length }, { timeoutMs: 5000 });
        call.endMs = node.now();
        const version = Number(reply.body.version);
        if (reply.body.type === "conflict") throw (call.error = new ConflictError(calls.indexOf(call) + 1, version));
        return (call.value = { version });
      };
      const { baseMs, capMs, retriesMax } = p.options;
      const calledMs = sim.now();
      const outcome = await settle(sim, Promise.resolve().then(() => impl.retryWithFullJitter(node, op, p.options)), { withinMs: 60_000 });
      await sim.runFor(PAST_SETTLE_MS);

      const writes = sentMessages(sim.trace.events, (s) => s.src === p.client && s.type === "write");
      const wire = (i: number): number[] => (writes[i] ? [writes[i].send.id] : []);
      const expectedCalls = Math.min(p.conflicts, retriesMax) + 1;
      const gaveUp = p.conflicts > retriesMax;
      const opts = `baseMs=${baseMs}, capMs=${capMs}, retriesMax=${retriesMax}`;
      const delays: Array<() => void> = [];
      if (calls.length > 0) {
        delays.push(() =>
          ensure(
            calls[0].startMs <= calledMs + SLACK_MS,
            `the first call of op at once, at t=${formatMs(calledMs)} (no delay before the first try)`,
            () => `the first call came at t=${formatMs(calls[0].startMs)}`,
            { timeMs: calls[0].startMs, node: p.client, evidence: wire(0) },
          ),
        );
      }
      for (let i = 1; i < calls.length && i < expectedCalls; i++) {
        const prev = calls[i - 1];
        const n = i - 1;
        const windowMs = Math.min(capMs, baseMs * 2 ** n);
        delays.push(() => {
          if (prev.endMs === undefined) {
            fail(
              `the ${ordinal(i + 1)} call of op only after the ${ordinal(i)} one rejected (one call at a time)`,
              `it called op again at t=${formatMs(calls[i].startMs)} while the ${ordinal(i)} call (${writes[i - 1] ? describeMessage(writes[i - 1], ["value"]) : "its write"}) was still waiting for its reply`,
              { timeMs: calls[i].startMs, node: p.client, evidence: [...wire(i - 1), ...wire(i)] },
            );
          }
          const delay = calls[i].startMs - prev.endMs;
          ensure(
            delay >= -SLACK_MS && delay <= windowMs + SLACK_MS,
            () => `retry ${i} (n=${n}) after a delay in [0, min(capMs, baseMs·2^${n})] = [0, ${formatMs(windowMs)}] (${opts})`,
            () => `op's ${ordinal(i)} call rejected (the conflict arrived) at t=${formatMs(prev.endMs!)} and the next call came at t=${formatMs(calls[i].startMs)}: a delay of ${formatMs(delay)}`,
            { timeMs: calls[i].startMs, node: p.client, evidence: [...wire(i - 1), ...wire(i)] },
          );
        });
      }
      const count = (): void => {
        if (calls.length > expectedCalls) {
          const extra = calls[expectedCalls];
          fail(
            gaveUp
              ? `op called retriesMax + 1 = ${retriesMax + 1} times in all, then giving up (the server answered conflict every time)`
              : `no call of op after the ${ordinal(expectedCalls)} one resolved`,
            `a ${ordinal(expectedCalls + 1)} call at t=${formatMs(extra.startMs)}`,
            { timeMs: extra.startMs, node: p.client, evidence: wire(expectedCalls) },
          );
        }
        if (outcome.status === "pending") {
          fail(
            gaveUp ? `op called ${expectedCalls} times, then a rejection with its last error` : `op called ${expectedCalls} times, then its value returned`,
            `after ${calls.length} call(s) the call never settled (${opts})`,
            { timeMs: sim.now(), node: p.client, evidence: wire(calls.length - 1) },
          );
        }
        ensure(
          calls.length === expectedCalls,
          () => (gaveUp ? `op called retriesMax + 1 = ${expectedCalls} times before giving up (${opts})` : `op called ${expectedCalls} times: until it resolved (${p.conflicts} conflict(s), ${opts})`),
          () => `${calls.length} call(s), then it ${outcome.status === "fulfilled" ? "resolved" : "rejected"} at t=${formatMs(outcome.atMs)}`,
          { timeMs: outcome.atMs, node: p.client, evidence: wire(calls.length - 1) },
        );
        const last = calls[calls.length - 1];
        if (gaveUp) {
          const reason = outcome.status === "rejected" ? outcome.reason : undefined;
          ensure(
            outcome.status === "rejected" && reason === last.error,
            `a rejection with the error op's last call rejected with (the same object: ${last.error?.name}: ${last.error?.message})`,
            () =>
              outcome.status === "fulfilled"
                ? `it resolved with ${JSON.stringify(outcome.value)}`
                : `it rejected with ${reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason)}${reason instanceof ConflictError ? " — an earlier call's error" : ""}`,
            { timeMs: outcome.atMs, node: p.client, evidence: wire(calls.length - 1) },
          );
        } else {
          ensure(
            outcome.status === "fulfilled" && outcome.value === last.value,
            `the value op's last call resolved with (${JSON.stringify(last.value)})`,
            () => (outcome.status === "fulfilled" ? `it resolved with ${JSON.stringify(outcome.value)}` : `it rejected with ${String(outcome.reason)}`),
            { timeMs: outcome.atMs, node: p.client, evidence: wire(calls.length - 1) },
          );
        }
      };
      throwEarliest(delays, count);

      for (let i = 1; i < calls.length; i++) {
        const windowMs = Math.min(capMs, baseMs * 2 ** (i - 1));
        normalised.push((calls[i].startMs - calls[i - 1].endMs!) / windowMs);
        if (stats && windowMs === capMs) stats.capped++;
      }
      if (stats) {
        stats.trials++;
        if (gaveUp) stats.gaveUp++;
        stats.delays += calls.length - 1;
      }
      if (trial.index === trial.count - 1) {
        const d = ksDistanceUniform(normalised);
        const bound = KS_COEFFICIENT / Math.sqrt(normalised.length);
        if (stats) stats.ksDistance = d;
        const mean = normalised.reduce((a, b) => a + b, 0) / Math.max(1, normalised.length);
        const below = normalised.filter((x) => x < 0.5).length;
        ensure(
          d < bound,
          () =>
            `the ${normalised.length} delays of this seed's ${trial.count} runs, each divided by its window min(capMs, baseMs·2ⁿ), ` +
            `spread uniformly over [0, 1] as full jitter draws them (mean 0.5, half below 0.5): Kolmogorov–Smirnov distance below ` +
            `${KS_COEFFICIENT}/√${normalised.length} = ${bound.toFixed(3)}`,
          () => `distance ${d.toFixed(3)}: mean ${mean.toFixed(3)}, ${below} of ${normalised.length} below 0.5`,
          { timeMs: sim.now(), node: p.client },
        );
      }
    },
  };
  return runScenarios(impl, seed, [scenario], { functions: ["retryWithFullJitter"], exercise: "07.3 retry-jitter" });
}
