/**
 * Check of exercise 01.2 crashed or slow? The student's `crashDetector` runs on a client node and
 * pings the grader's server, which answers every ping but has bad periods, and in some trials
 * really crashes. Bystanders are spawned first, node names are drawn per trial, and each seed runs
 * {@link TRIALS} trials:
 *
 * - **slow periods** ({@link SLOW_PERIODS} per trial, 1–2.5 s each): the server thinks
 *   {@link THINK_MS_MIN}–{@link THINK_MS_MAX} ms before it answers, so a round trip takes up to
 *   30 + 450 = 480 ms (stated as "at most {@link ROUND_TRIP_MS_MAX} ms");
 * - **lossy periods** ({@link LOSSY_PERIODS} per trial, 1–2 s each): {@link LOSS_PERCENT}% of the
 *   pings and pongs are lost, so a round trip fails with probability 1 − 0.7² = 0.51;
 * - in {@link CRASH_PERCENT}% of the trials the server crashes at a random time between 1.5 s and
 *   3 s (and in half of those it restarts 2.1–2.6 s later); in the others it never crashes.
 *
 * Rules, checked on the trace: the client is "alive" from its start; after a crash it is
 * "crashed" within {@link DETECTION_MS_MAX} ms and stays so until a pong arrives; after a restart
 * it is "alive" again within {@link RECOVERY_MS_MAX} ms; it goes back to "alive" only when a pong
 * has arrived; it sends only pings, to the server, at most {@link PINGS_PER_SECOND_MAX} in any
 * second. A **false report** ("crashed" while the server is up) is tolerated in at most
 * {@link FALSE_REPORTS_PER_SEED_MAX} of a seed's {@link TRIALS} trials (2%): the second one fails.
 *
 * What the numbers separate, measured over the 5 × 50 trials (test/meta/01-why-distributed.test.ts
 * checks the reference's): the reference (a ping every 50 ms, "crashed" after 1.5 s without a pong)
 * reports falsely in 0 of 250 trials and detects each of the 150 crashes 0.80–1.55 s after it
 * (median 1.45 s); one rpc at a time with a 200 ms timeout reports falsely in 97% of the trials, a
 * 600 ms timeout that trusts one lost ping in 79%; a 3 s silence misses the 2 s detection bound.
 */
import { latency } from "../../../lib/net";
import type { Node } from "../../../lib/node";
import { formatMs } from "../../../lib/sim";
import type { Simulation } from "../../../lib/simulation";
import type { StateEvent, TraceEvent } from "../../../lib/trace";
import { fail, graderRole, runScenarios, spawnBystanders, throwEarliest, type CheckResult, type Scenario, type Trial } from "../check";
import { describeMessage, sentMessages, type SentMessage } from "../messages";

/** What exercises/01-why-distributed/crashed-or-slow.ts exports. */
export interface CrashedOrSlowApi {
  crashDetector(node: Node, server: string): void | Promise<void>;
}

// tsc checks that the stub and the reference both have this API.
type Implements<T extends CrashedOrSlowApi> = T;
export type StubImplementsCrashedOrSlow = Implements<typeof import("../../../exercises/01-why-distributed/crashed-or-slow")>;
export type SolutionImplementsCrashedOrSlow = Implements<typeof import("../../../solutions/01-why-distributed/crashed-or-slow")>;

/**
 * Trials per seed: 50 (more than the 27 that rule 4 asks for), so that "at most 2% of trials with a
 * false report" allows one per seed, and a detector with a 5% false-report rate passes all five
 * seeds with probability 0.28⁵ ≈ 0.002.
 */
export const TRIALS = 50;

/** Trials per seed in which a false "crashed" is tolerated (1 of 50: 2%). */
export const FALSE_REPORTS_PER_SEED_MAX = 1;

/** After a crash, the client must say "crashed" within this many ms. */
export const DETECTION_MS_MAX = 2000;

/** After a restart, the client must say "alive" again within this many ms. */
export const RECOVERY_MS_MAX = 1000;

/** The slowest round trip while the server is up (stated bound; the real maximum is 480 ms). */
export const ROUND_TRIP_MS_MAX = 500;

/** Think time of the server during a slow period, per ping. */
export const THINK_MS_MIN = 150;
export const THINK_MS_MAX = 450;

/** Loss of pings and pongs, each way, during a lossy period. */
export const LOSS_PERCENT = 30;

/** Slow and lossy periods per trial. */
export const SLOW_PERIODS = 2;
export const LOSSY_PERIODS = 2;

/** Share of trials in which the server crashes (half of them restart it). */
export const CRASH_PERCENT = 60;

/** The client may not ping more often than this in any one-second window. */
export const PINGS_PER_SECOND_MAX = 40;

/** Length of a trial in which the server never crashes. */
const TRIAL_MS = 4000;

/** How long a trial goes on after the detection bound (run past settle). */
const PAST_DETECTION_MS = 500;

/** Node names; each trial shuffles them ("server" and "client" are sometimes bystanders). */
const NAMES = ["server", "client", "n1", "n2", "n3", "n4", "n5"];

/** A window of virtual time [fromMs, toMs). */
type Period = [fromMs: number, toMs: number];

/** One trial's choices. */
interface Params {
  server: string;
  client: string;
  bystanders: string[];
  slow: Period[];
  lossy: Period[];
  /** When the server crashes, if it does. */
  crashMs?: number;
  /** When it restarts, if it does. */
  restartMs?: number;
  endMs: number;
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

function periods(trial: Trial, count: number, lengthMsMin: number, lengthMsMax: number): Period[] {
  const out: Period[] = [];
  for (let i = 0; i < count; i++) {
    const from = round(trial.rng.uniform(300, 3000));
    out.push([from, round(from + trial.rng.uniform(lengthMsMin, lengthMsMax))]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

function params(trial: Trial): Params {
  const rng = trial.rng;
  const names = rng.shuffle(NAMES);
  const count = rng.int(1, 3);
  const slow = periods(trial, SLOW_PERIODS, 1000, 2500);
  const lossy = periods(trial, LOSSY_PERIODS, 1000, 2000);
  const p: Params = { server: names[count], client: names[count + 1], bystanders: names.slice(0, count), slow, lossy, endMs: TRIAL_MS };
  if (rng.chance(CRASH_PERCENT / 100)) {
    p.crashMs = round(rng.uniform(1500, 3000));
    p.endMs = p.crashMs + DETECTION_MS_MAX + PAST_DETECTION_MS;
    if (rng.chance(0.5)) {
      p.restartMs = round(p.crashMs + rng.uniform(2100, 2600));
      p.endMs = p.restartMs + RECOVERY_MS_MAX + PAST_DETECTION_MS;
    }
  }
  return p;
}

function within(periods: readonly Period[], ms: number): boolean {
  return periods.some(([from, to]) => from <= ms && ms < to);
}

/** The grader's server: answers every ping (each copy), slowly during a slow period. */
function graderServer(p: Params): (node: Node) => void {
  return (node) => {
    let msgId = node.rng.int(1000, 9000);
    node.on("ping", (ping) => {
      const answer = (): void => {
        msgId += node.rng.int(1, 50);
        node.reply(ping, { type: "pong", msg_id: msgId });
      };
      if (within(p.slow, node.now())) node.setTimer(node.rng.uniform(THINK_MS_MIN, THINK_MS_MAX), answer, "slow period: think");
      else answer();
    });
  };
}

function periodWords(name: string, periods: readonly Period[], fromMs: number, toMs: number): string[] {
  return periods.filter(([from, to]) => from < toMs && to > fromMs).map(([from, to]) => `${name} t=${formatMs(from)}–${formatMs(to)}`);
}

/** The bad periods that overlap [fromMs, toMs], in words. */
function badPeriods(p: Params, fromMs: number, toMs: number): string {
  const words = [
    ...periodWords(`a slow period (the server thinks ${THINK_MS_MIN}–${THINK_MS_MAX} ms before each pong)`, p.slow, fromMs, toMs),
    ...periodWords(`a lossy period (${LOSS_PERCENT}% of pings and pongs lost)`, p.lossy, fromMs, toMs),
  ];
  return words.length ? `; meanwhile: ${words.join(", ")}` : "; no slow or lossy period meanwhile";
}

function serverLife(p: Params): string {
  if (p.crashMs === undefined) return `${p.server} never crashes in this trial`;
  const restart = p.restartMs === undefined ? "" : ` and restarts at t=${formatMs(p.restartMs)}`;
  return `${p.server} crashes at t=${formatMs(p.crashMs)}${restart}`;
}

/** Is the server up at `ms`? */
function serverUp(p: Params, ms: number): boolean {
  if (p.crashMs === undefined || ms < p.crashMs) return true;
  return p.restartMs !== undefined && ms >= p.restartMs;
}

/** The messages between `client` and `server`, with their copies' fates. */
function clientMessages(events: readonly TraceEvent[], client: string, server: string): SentMessage[] {
  return sentMessages(events, (e) => (e.src === client && e.dest !== client) || (e.src === server && e.dest === client));
}

/** A false report found in one trial. */
interface FalseReport {
  trial: number;
  atMs: number;
}

/**
 * The client's rules, checked on a trace. `falseReports` holds the earlier trials of this seed
 * that reported falsely; a false report in this trial is added to it, and fails the check once
 * there are more than {@link FALSE_REPORTS_PER_SEED_MAX}.
 *
 * @example
 * checkDetector(sim.trace.events, params, trial, [], sim.now());
 */
function checkDetector(events: readonly TraceEvent[], p: Params, trial: Trial, falseReports: FalseReport[], endMs = p.endMs): void {
  const { client, server } = p;
  const states = events.filter((e): e is StateEvent => e.kind === "state" && e.node === client);
  const sent = clientMessages(events, client, server);
  const fromClient = sent.filter((m) => m.send.src === client);
  const pings = fromClient.filter((m) => m.send.dest === server && m.send.type === "ping");
  const pongs = sent.filter((m) => m.send.src === server && m.send.dest === client);
  const pongArrivals = pongs.flatMap((m) => m.delivered.map((a) => ({ m, index: a.index, timeMs: a.event.timeMs })));
  const indexOf = new Map<TraceEvent, number>();
  events.forEach((e, i) => {
    if (e.kind === "state" && e.node === client) indexOf.set(e, i);
  });

  /** The last pong that arrived before trace index `index`. */
  const lastPongBefore = (index: number) => [...pongArrivals].reverse().find((a) => a.index < index);
  /** Evidence for a silence that ended at trace index `index` (time `toMs`): the last pong before it and the pings sent since (the last 8). */
  const silence = (index: number, toMs: number): { words: string; evidence: number[] } => {
    const last = lastPongBefore(index);
    const fromMs = last?.timeMs ?? 0;
    const inside = pings.filter((m) => m.send.timeMs >= fromMs && m.index < index);
    const repliesTo = (m: SentMessage): SentMessage[] => pongs.filter((r) => r.send.inReplyTo === m.send.msgId);
    const lostPings = inside.filter((m) => m.delivered.length === 0 && m.dropped.length > 0).length;
    const lostPongs = inside.filter((m) => repliesTo(m).length > 0 && repliesTo(m).every((r) => r.delivered.length === 0)).length;
    const pending = inside.length - lostPings - lostPongs;
    const fates = [
      lostPings ? `${lostPings} lost on the way` : "",
      lostPongs ? `${lostPongs} answered by a pong that was lost` : "",
      pending ? `${pending} not answered yet (the server was thinking, or the pong was still on its way)` : "",
    ].filter((x) => x);
    const lastWords = last ? `the last pong had arrived at t=${formatMs(last.timeMs)}, ${formatMs(toMs - last.timeMs)} earlier` : "no pong had arrived yet";
    return {
      words: `${lastWords}; ${client} sent ${inside.length} ping${inside.length === 1 ? "" : "s"} since${fates.length ? ` (${fates.join(", ")})` : ""}${badPeriods(p, fromMs, toMs)}`,
      evidence: [...(last ? [last.m.send.id] : []), ...inside.slice(-8).map((m) => m.send.id)],
    };
  };

  throwEarliest(
    () => checkStart(),
    () => checkMessages(),
    () => checkFalseReports(),
    () => checkAliveOnlyOnPong(),
    () => checkDetection(),
    () => checkRecovery(),
  );

  function checkStart(): void {
    const first = states[0];
    if (first === undefined) {
      fail(`${client} to call node.setState("alive") when it starts`, `${client} never declared a state (${serverLife(p)})`, { timeMs: endMs, node: client });
    }
    if (first.to !== "alive" || first.timeMs !== 0) {
      fail(
        `${client} to call node.setState("alive") when it starts, at t=0ms`,
        `its first state was "${first.to}" at t=${formatMs(first.timeMs)}`,
        { timeMs: first.timeMs, node: client },
      );
    }
  }

  function checkMessages(): void {
    for (const m of fromClient) {
      if (m.send.dest !== server || m.send.type !== "ping") {
        fail(`${client} to send only { type: "ping" } messages to ${server}, the server it was given`, describeMessage(m), {
          timeMs: m.send.timeMs,
          node: client,
          evidence: [m.send.id],
        });
      }
    }
    for (let i = 0, j = 0; j < pings.length; j++) {
      while (pings[j].send.timeMs - pings[i].send.timeMs >= 1000) i++;
      if (j - i + 1 > PINGS_PER_SECOND_MAX) {
        fail(
          `at most ${PINGS_PER_SECOND_MAX} pings from ${client} in any one second (a ping every 25 ms or less often)`,
          `${j - i + 1} pings between t=${formatMs(pings[i].send.timeMs)} and t=${formatMs(pings[j].send.timeMs)}: a detector should not flood the server it watches`,
          { timeMs: pings[j].send.timeMs, node: client, evidence: pings.slice(Math.max(i, j - 8), j + 1).map((m) => m.send.id) },
        );
      }
    }
  }

  function checkFalseReports(): void {
    for (const s of states) {
      if (s.to !== "crashed" || !serverUp(p, s.timeMs)) continue;
      const { words, evidence } = silence(indexOf.get(s)!, s.timeMs);
      const earlier = falseReports.filter((f) => f.trial !== trial.index);
      if (!falseReports.some((f) => f.trial === trial.index)) falseReports.push({ trial: trial.index, atMs: s.timeMs });
      if (earlier.length < FALSE_REPORTS_PER_SEED_MAX) return; // tolerated: 1 trial of 50 per seed (2%)
      const before = earlier.map((f) => `trial ${f.trial + 1} at t=${formatMs(f.atMs)}`).join(", ");
      fail(
        `a false "crashed" (while the server is up) in at most ${FALSE_REPORTS_PER_SEED_MAX} of the ${TRIALS} trials of a seed ` +
          `(2%; the server answers every ping within ${ROUND_TRIP_MS_MAX} ms, but loses ${LOSS_PERCENT}% of them in lossy periods)`,
        `${client} declared "crashed" at t=${formatMs(s.timeMs)} while ${server} was up (${serverLife(p)}): ${words}. ` +
          `That makes ${earlier.length + 1} trials of this seed with a false report (earlier: ${before})`,
        { timeMs: s.timeMs, node: client, evidence },
      );
    }
  }

  function checkAliveOnlyOnPong(): void {
    let crashedIndex: number | undefined;
    for (const s of states) {
      const index = indexOf.get(s)!;
      if (s.to === "crashed") crashedIndex = index;
      if (s.to !== "alive" || crashedIndex === undefined) continue;
      const pong = pongArrivals.find((a) => a.index > crashedIndex! && a.index < index);
      if (pong === undefined) {
        const { words, evidence } = silence(index, s.timeMs);
        fail(
          `${client} to go back to "alive" only when a pong has arrived (the server answered)`,
          `it declared "alive" at t=${formatMs(s.timeMs)}, but no pong had arrived since it declared "crashed": ${words} (${serverLife(p)})`,
          { timeMs: s.timeMs, node: client, evidence },
        );
      }
      crashedIndex = undefined;
    }
  }

  /** The client's state at `ms` (after every event at `ms`). */
  function stateAt(ms: number): string | undefined {
    return states.filter((s) => s.timeMs <= ms).pop()?.to;
  }

  function checkDetection(): void {
    if (p.crashMs === undefined) return;
    const deadline = p.crashMs + DETECTION_MS_MAX;
    if (stateAt(deadline) === "crashed") return;
    const later = states.find((s) => s.timeMs > deadline && s.to === "crashed");
    const last = [...pongArrivals].reverse().find((a) => a.timeMs <= p.crashMs! + 15);
    const after = pings.filter((m) => m.send.timeMs >= p.crashMs!);
    fail(
      `${client} to declare "crashed" within ${DETECTION_MS_MAX} ms of ${server}'s crash at t=${formatMs(p.crashMs)}, i.e. by t=${formatMs(deadline)}`,
      `at t=${formatMs(deadline)} it was still "${stateAt(deadline)}"` +
        (later ? `; it declared "crashed" only at t=${formatMs(later.timeMs)}, ${formatMs(later.timeMs - p.crashMs)} after the crash` : "; it never declared \"crashed\"") +
        (last ? `; the last pong had arrived at t=${formatMs(last.timeMs)}` : "") +
        `; it sent ${after.filter((m) => m.send.timeMs <= deadline).length} pings after the crash, none answered`,
      { timeMs: deadline, node: client, evidence: [...(last ? [last.m.send.id] : []), ...after.slice(0, 6).map((m) => m.send.id)] },
    );
  }

  function checkRecovery(): void {
    if (p.restartMs === undefined) return;
    const deadline = p.restartMs + RECOVERY_MS_MAX;
    if (stateAt(deadline) === "alive") return;
    const after = pings.filter((m) => m.send.timeMs >= p.restartMs!);
    const lastPing = pings.filter((m) => m.send.timeMs < p.restartMs!).pop();
    fail(
      `${client} to be "alive" again within ${RECOVERY_MS_MAX} ms of ${server}'s restart at t=${formatMs(p.restartMs)} (keep pinging: the restarted server answers)`,
      `at t=${formatMs(deadline)} it was still "${stateAt(deadline)}"; it sent ${after.filter((m) => m.send.timeMs <= deadline).length} pings after the restart` +
        (lastPing ? ` (its last ping before it: t=${formatMs(lastPing.send.timeMs)})` : ""),
      {
        timeMs: deadline,
        node: client,
        evidence: [...(lastPing ? [lastPing.send.id] : []), ...after.slice(0, 6).map((m: SentMessage) => m.send.id)],
      },
    );
  }
}

/** Detection delays and false reports seen by a check (for the meta tests and the notebook). */
export interface DetectorStats {
  /** Trials run. */
  trials: number;
  /** Trials with a false "crashed". */
  falseReportTrials: number;
  /** For each trial with a crash: ms from the crash to "crashed" (Infinity if never). */
  detectionMs: number[];
}

async function watchServer(sim: Simulation, impl: CrashedOrSlowApi, p: Params, trial: Trial, falseReports: FalseReport[], stats?: DetectorStats): Promise<void> {
  spawnBystanders(sim, p.bystanders);
  sim.spawn(p.server, graderServer(p), { role: graderRole("server") });
  sim.spawn(p.client, (node) => impl.crashDetector(node, p.server), { role: "client" });
  for (const [i, [fromMs, toMs]] of p.lossy.entries()) {
    const match = { type: ["ping", "pong"], src: [p.client, p.server], dest: [p.client, p.server] };
    sim.addRule({ name: `lossy period ${i + 1}`, match, action: "drop", probability: LOSS_PERCENT / 100, fromMs, toMs });
  }
  if (p.crashMs !== undefined) sim.at(p.crashMs, () => sim.crash(p.server), "the server crashes");
  if (p.restartMs !== undefined) sim.at(p.restartMs, () => void sim.restart(p.server), "the server restarts");
  await sim.runFor(p.endMs);
  const events = sim.trace.events;
  if (stats) {
    stats.trials++;
    const states = events.filter((e): e is StateEvent => e.kind === "state" && e.node === p.client);
    if (states.some((s) => s.to === "crashed" && serverUp(p, s.timeMs))) stats.falseReportTrials++;
    if (p.crashMs !== undefined) {
      const detected = states.find((s) => s.to === "crashed" && s.timeMs >= p.crashMs!);
      stats.detectionMs.push(detected ? detected.timeMs - p.crashMs : Infinity);
    }
  }
  checkDetector(events, p, trial, falseReports, sim.now());
}

/**
 * Grade a crash detector with one seed: {@link TRIALS} trials. Pass `stats` to collect the
 * detection delays and false reports.
 *
 * @example
 * await checkCrashedOrSlow(await import("../../../solutions/01-why-distributed/crashed-or-slow"), 7); // { status: "pass", … }
 */
export function checkCrashedOrSlow(impl: CrashedOrSlowApi, seed: number, stats?: DetectorStats): Promise<CheckResult> {
  const falseReports: FalseReport[] = [];
  const scenario: Scenario<CrashedOrSlowApi, Params> = {
    name: (p) =>
      `your crashDetector on "${p.client}" watching the grader's server "${p.server}" (${serverLife(p)}), ` +
      `bystanders ${p.bystanders.map((b) => `"${b}"`).join(", ")} spawned first; ` +
      `slow periods ${p.slow.map(([a, b]) => `t=${formatMs(a)}–${formatMs(b)}`).join(", ")} (round trip up to ${ROUND_TRIP_MS_MAX} ms), ` +
      `lossy periods ${p.lossy.map(([a, b]) => `t=${formatMs(a)}–${formatMs(b)}`).join(", ")} (${LOSS_PERCENT}% loss each way); ` +
      "unordered links, latency 5–15 ms",
    trials: TRIALS,
    params,
    simulation: { network: { latency: latency.uniform(5, 15), ordering: "unordered" } },
    lanes: (p) => [p.client, p.server],
    run: (sim, impl, p, trial) => watchServer(sim, impl, p, trial, falseReports, stats),
  };
  return runScenarios(impl, seed, [scenario], { functions: ["crashDetector"], exercise: "01.2 crashed-or-slow" });
}
