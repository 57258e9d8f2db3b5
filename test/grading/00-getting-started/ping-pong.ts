/**
 * Check of exercise 00.1 ping-pong. Three scenarios, each run for {@link TRIALS} independent
 * trials per seed, with bystander nodes spawned first (so `node.peers()[0]` is never the peer) and
 * node names and round counts drawn per trial:
 *
 * 1. the student's pinger and ponger play together (FIFO or unordered links);
 * 2. the student's pinger plays against the grader's ponger, which answers after a random think
 *    time with `msg_id`s the student cannot guess;
 * 3. the grader's pingers (two or three at once) ping the student's ponger with `n` and `msg_id`
 *    values the student cannot guess, on a network that duplicates and reorders.
 *
 * From the trace, for a game: exactly `rounds` pings and pongs, strictly alternating (each ping
 * sent when the previous pong arrives: at the same virtual time, so the pong is what triggers it
 * and not a timer), each pong a reply (`in_reply_to`) with its ping's `n`, the pinger in state
 * "done" once the last pong arrived, and nothing more during the 500 ms after that. For a ponger:
 * every ping that arrives gets a pong to its `src` with its `n` and `in_reply_to` = its `msg_id`.
 */
import { latency } from "../../../lib/net";
import { formatMs, type Prng } from "../../../lib/sim";
import type { Node } from "../../../lib/node";
import type { Simulation } from "../../../lib/simulation";
import type { TraceEvent } from "../../../lib/trace";
import {
  ensure,
  fail,
  graderRole,
  runScenarios,
  spawnBystanders,
  trialsPerSeed,
  type CheckResult,
  type Scenario,
  type Trial,
} from "../check";
import { exercise } from "../exercises";
import { describeMessage, sentMessages, seenMs, type SentMessage } from "../messages";

/** What exercises/00-getting-started/ping-pong.ts exports. */
export interface PingPongApi {
  ponger(node: Node): void | Promise<void>;
  pinger(node: Node, peer: string, rounds: number): void | Promise<void>;
}

// tsc checks that the stub and the reference both have this API.
type Implements<T extends PingPongApi> = T;
export type StubImplementsPingPong = Implements<typeof import("../../../exercises/00-getting-started/ping-pong")>;
export type SolutionImplementsPingPong = Implements<typeof import("../../../solutions/00-getting-started/ping-pong")>;

/** Trials per seed of each scenario: with the registry's seeds, ≥ 135 in all (see check.ts). */
export const TRIALS = trialsPerSeed(exercise("00.1").seeds.length);

/** How long a game keeps running after the pinger said "done": nothing may happen then. */
const PAST_DONE_MS = 500;

/** Node names; each trial shuffles them, so no name is always the pinger, the ponger or a bystander. */
const NAMES = ["a", "b", "c", "d", "e", "f"];

const FIFO_UNIFORM = { latency: latency.uniform(5, 15) };
const UNORDERED_EXPONENTIAL = { latency: latency.exponential(10, 1), ordering: "unordered" as const };
const FIFO_WORDS = "FIFO links, one-way latency uniform 5–15 ms";
const UNORDERED_WORDS = "unordered links, latency 1 ms + exponential (mean 10 ms)";

function say(m: SentMessage): string {
  return describeMessage(m, ["n"]);
}

function endMs(events: readonly TraceEvent[]): number {
  return events.length ? events[events.length - 1].timeMs : 0;
}

/**
 * The rules of the game, checked on a trace: pinger `p`, ponger `q`, `rounds` rounds.
 * Throws an Expectation at the first message that breaks them.
 *
 * @example
 * checkRounds(sim.trace.events, "a", "b", 3);
 */
export function checkRounds(events: readonly TraceEvent[], p: string, q: string, rounds: number): void {
  const sent = sentMessages(events);
  const fromP = sent.filter((m) => m.send.src === p);
  const fromQ = sent.filter((m) => m.send.src === q);
  const lastMs = endMs(events);
  for (let k = 1; k <= rounds; k++) {
    const ping = fromP[k - 1];
    const prevPing = fromP[k - 2];
    const prevPong = fromQ[k - 2];
    if (ping === undefined) {
      if (k === 1) fail(`${p} to send ping n=1 to ${q} when it starts`, `${p} sent nothing`, { timeMs: lastMs, node: p });
      fail(
        `${p} to send ping n=${k} when pong n=${k - 1} arrives (${rounds} rounds in all)`,
        `${p} sent nothing more after ${say(prevPong)}`,
        { timeMs: lastMs, node: p, evidence: [prevPong.send.id] },
      );
    }
    const pingAt = { timeMs: seenMs(ping), node: p, evidence: [ping.send.id] };
    ensure(
      ping.send.dest === q,
      `${p} to send ping n=${k} to ${q}, the peer it was given (pinger(node, "${q}", ${rounds}))`,
      () => say(ping),
      pingAt,
    );
    ensure(ping.send.type === "ping" && ping.body.n === k, `${p} → ${q} ping n=${k}`, () => say(ping), pingAt);
    if (prevPong !== undefined) {
      const evidence = [prevPing.send.id, prevPong.send.id, ping.send.id];
      const pongArrival = prevPong.delivered[0];
      ensure(
        pongArrival !== undefined && pongArrival.index < ping.index,
        `${p} to wait for pong n=${k - 1} to arrive before it sends ping n=${k}`,
        () =>
          `${p} sent ping n=${k} (msg_id #${ping.send.msgId}) at t=${formatMs(ping.send.timeMs)}, but ` +
          (pongArrival
            ? `pong n=${k - 1} (msg_id #${prevPong.send.msgId}) only arrived at t=${formatMs(pongArrival.event.timeMs)}`
            : `pong n=${k - 1} (msg_id #${prevPong.send.msgId}) had not arrived`),
        { timeMs: ping.send.timeMs, node: p, evidence },
      );
      // The causal link: the pong's handler sends the next ping, so both happen at the same
      // virtual time. A pinger pacing itself with a timer sends later, whatever the pongs do.
      const pongMs = pongArrival.event.timeMs;
      ensure(
        ping.send.timeMs === pongMs,
        `${p} to send ping n=${k} when pong n=${k - 1} arrives, at the same virtual time t=${formatMs(pongMs)} (the pong causes the next ping)`,
        () =>
          `${p} sent ping n=${k} (msg_id #${ping.send.msgId}) at t=${formatMs(ping.send.timeMs)}, ` +
          `${formatMs(ping.send.timeMs - pongMs)} after pong n=${k - 1} (msg_id #${prevPong.send.msgId}) arrived: it was not sent because of the pong`,
        { timeMs: ping.send.timeMs, node: p, evidence },
      );
    }
    const pong = fromQ[k - 1];
    if (pong === undefined) {
      fail(`${q} to answer ping n=${k} with pong n=${k}`, `${q} sent nothing back to ${say(ping)}`, { timeMs: lastMs, node: q, evidence: [ping.send.id] });
    }
    const pongAt = { timeMs: seenMs(pong), node: q, evidence: [ping.send.id, pong.send.id] };
    ensure(
      pong.send.type === "pong" && pong.send.dest === p && pong.body.n === k,
      `${q} → ${p} pong n=${k} (the same n as the ping)`,
      () => say(pong),
      pongAt,
    );
    ensure(
      pong.send.inReplyTo === ping.send.msgId,
      `pong n=${k} to be a reply to ping n=${k}: in_reply_to ${ping.send.msgId} (the ping's msg_id #${ping.send.msgId})`,
      () => (pong.send.inReplyTo === undefined ? `a pong without in_reply_to (node.reply sets it): ${say(pong)}` : say(pong)),
      pongAt,
    );
  }
  const lastPong = fromQ[rounds - 1];
  const extraPing = fromP[rounds];
  if (extraPing) {
    fail(`exactly ${rounds} pings from ${p}`, `one more: ${say(extraPing)}`, { timeMs: seenMs(extraPing), node: p, evidence: [lastPong.send.id, extraPing.send.id] });
  }
  const extraPong = fromQ[rounds];
  if (extraPong) {
    fail(`exactly ${rounds} pongs from ${q}`, `one more: ${say(extraPong)}`, { timeMs: seenMs(extraPong), node: q, evidence: [extraPong.send.id] });
  }
  const doneAt = events.findIndex((e) => e.kind === "state" && e.node === p && e.to === "done");
  if (doneAt < 0) {
    const states = events.filter((e) => e.kind === "state" && e.node === p).map((e) => (e.kind === "state" ? e.to : ""));
    fail(
      `${p} to call node.setState("done") when pong n=${rounds} arrives`,
      states.length ? `${p} went through states ${states.join(" → ")} but never "done"` : `${p} never declared a state`,
      { timeMs: lastMs, node: p, evidence: [lastPong.send.id] },
    );
  }
  const lastArrival = lastPong.delivered[0];
  ensure(
    lastArrival !== undefined && lastArrival.index < doneAt,
    `${p} to be "done" only after pong n=${rounds} arrived`,
    () =>
      `${p} declared "done" at t=${formatMs(events[doneAt].timeMs)}, before pong n=${rounds} (msg_id #${lastPong.send.msgId}) ` +
      (lastArrival ? `arrived at t=${formatMs(lastArrival.event.timeMs)}` : "arrived"),
    { timeMs: events[doneAt].timeMs, node: p, evidence: [fromP[rounds - 1].send.id, lastPong.send.id] },
  );
}

/**
 * The ponger's rules, checked on a trace: every message from `ponger` is a pong that answers a
 * ping (from one of `pingers`) that had arrived, goes to that ping's src, carries its `n` and has
 * `in_reply_to` = its `msg_id`; every ping that arrived gets at least one pong and at most one per
 * copy.
 *
 * @example
 * checkPonger(sim.trace.events, "b", ["a", "c"]);
 */
export function checkPonger(events: readonly TraceEvent[], ponger: string, pingers: readonly string[]): void {
  const sent = sentMessages(events);
  const pings = sent.filter((m) => m.send.dest === ponger && pingers.includes(m.send.src) && m.send.type === "ping");
  const replies = new Map<SentMessage, number>();
  const name = (ping: SentMessage): string => `${ping.send.src}'s ping n=${ping.body.n} (msg_id #${ping.send.msgId})`;
  for (const m of sent) {
    if (m.send.src !== ponger) continue;
    const ping =
      pings.find((x) => x.send.msgId === m.send.inReplyTo && x.send.src === m.send.dest) ??
      pings.find((x) => x.send.msgId === m.send.inReplyTo) ??
      pings.find((x) => x.body.n === m.body.n && x.send.src === m.send.dest) ??
      pings.find((x) => x.body.n === m.body.n);
    if (ping === undefined) {
      fail(
        `every message from ${ponger} to be a pong answering a ping it received (n and in_reply_to taken from that ping)`,
        `${say(m)}, which answers none of the pings (${pings.map((x) => `n=${x.body.n} msg_id #${x.send.msgId}`).join(", ")})`,
        { timeMs: seenMs(m), node: ponger, evidence: [m.send.id] },
      );
    }
    const at = { timeMs: seenMs(m), node: ponger, evidence: [ping.send.id, m.send.id] };
    const arrival = ping.delivered[0];
    ensure(
      arrival !== undefined && arrival.index < m.index,
      `${ponger} to answer ${name(ping)} after it arrived`,
      () => `${say(m)}, but the ping ${arrival ? `only arrived at t=${formatMs(arrival.event.timeMs)}` : "never arrived"}`,
      at,
    );
    ensure(m.send.type === "pong", `the answer to ${name(ping)} to have type "pong"`, () => say(m), at);
    ensure(
      m.send.dest === ping.send.src,
      `the pong for ${name(ping)} to go to ${ping.send.src}, the ping's src`,
      () => `it went to ${m.send.dest}: ${say(m)}`,
      at,
    );
    ensure(m.body.n === ping.body.n, `the pong for ${name(ping)} to carry the ping's n=${ping.body.n}`, () => say(m), at);
    ensure(
      m.send.inReplyTo === ping.send.msgId,
      `the pong for ${name(ping)} to have in_reply_to ${ping.send.msgId} (the ping's msg_id #${ping.send.msgId})`,
      () => (m.send.inReplyTo === undefined ? `a pong without in_reply_to (node.reply sets it): ${say(m)}` : say(m)),
      at,
    );
    replies.set(ping, (replies.get(ping) ?? 0) + 1);
  }
  for (const ping of pings) {
    const copies = ping.delivered.length;
    if (copies === 0) continue;
    const answers = replies.get(ping) ?? 0;
    const at = { timeMs: endMs(events), node: ponger, evidence: [ping.send.id] };
    ensure(answers >= 1, `${ponger} to answer ${name(ping)}`, () => `no pong for it: ${say(ping)}`, at);
    ensure(answers <= copies, `at most one pong per copy of ${name(ping)} that arrived (${copies})`, `${answers} pongs`, at);
  }
}

/** One trial's cast: who plays, who stands by, how many rounds, which network. */
interface GameParams {
  pinger: string;
  ponger: string;
  bystanders: string[];
  rounds: number;
  fifo: boolean;
}

function gameParams(trial: Trial): GameParams {
  const names = trial.rng.shuffle(NAMES);
  const count = trial.rng.int(1, 3);
  return {
    bystanders: names.slice(0, count),
    ponger: names[count],
    pinger: names[count + 1],
    rounds: trial.rng.int(1, 8),
    fifo: trial.index % 2 === 0,
  };
}

function gameWords(g: GameParams): string {
  const bystanders = `bystander${g.bystanders.length === 1 ? "" : "s"} ${g.bystanders.map((b) => `"${b}"`).join(", ")} spawned first`;
  return `pinger "${g.pinger}", ponger "${g.ponger}", ${g.rounds} round${g.rounds === 1 ? "" : "s"}, ${bystanders}`;
}

/**
 * The grader's ponger: answers each ping copy with pong n after a think time of 0–20 ms, with
 * its own `msg_id`s, far from the pinger's.
 */
function graderPonger(node: Node): void {
  let msgId = node.rng.int(1000, 9000);
  node.on("ping", (ping) => {
    msgId += node.rng.int(1, 50);
    const pong = { type: "pong", n: ping.body.n, msg_id: msgId, in_reply_to: ping.body.msg_id };
    node.setTimer(node.rng.uniform(0, 20), () => node.send(ping.src, pong), "think");
  });
}

/**
 * Spawn a game (bystanders, then the ponger, then the pinger, which pings at once), run it until
 * the pinger is done, then {@link PAST_DONE_MS} more, and check its trace.
 */
async function play(sim: Simulation, impl: PingPongApi, g: GameParams, ponger: (node: Node) => unknown, pongerRole: string): Promise<void> {
  spawnBystanders(sim, g.bystanders);
  sim.spawn(g.ponger, ponger, { role: pongerRole });
  const p = sim.spawn(g.pinger, (node) => impl.pinger(node, g.ponger, g.rounds), { role: "pinger" });
  try {
    await sim.runUntil(() => p.state === "done", { withinMs: 200 * g.rounds + 1000, throwOnTimeout: false });
    await sim.runFor(PAST_DONE_MS); // run past "done": anything sent afterwards shows up too
  } catch (error) {
    checkRounds(sim.trace.events, g.pinger, g.ponger, g.rounds); // a broken rule explains a message storm better
    throw error;
  }
  checkRounds(sim.trace.events, g.pinger, g.ponger, g.rounds);
}

/** The grader's pingers' workload against the student's ponger. */
interface PongerParams {
  ponger: string;
  pingers: string[];
  bystanders: string[];
  /** [pinger, send time, n, msg_id] */
  pings: Array<[string, number, number, number]>;
}

const PINGS_PER_PINGER = 3;

function pongerParams(trial: Trial): PongerParams {
  const rng: Prng = trial.rng;
  const names = rng.shuffle(NAMES);
  const count = rng.int(1, 3);
  const pingerCount = rng.int(2, 4);
  const pingers = names.slice(count + 1, count + 1 + pingerCount);
  const pings: Array<[string, number, number, number]> = [];
  const used = new Set<number>();
  const fresh = (min: number, max: number): number => {
    for (;;) {
      const v = rng.int(min, max);
      if (!used.has(v)) return used.add(v), v;
    }
  };
  for (const pinger of pingers) {
    for (let i = 0; i < PINGS_PER_PINGER; i++) pings.push([pinger, Math.round(rng.uniform(0, 60) * 1000) / 1000, fresh(2, 1000), fresh(2, 10_000)]);
  }
  return { ponger: names[count], pingers, bystanders: names.slice(0, count), pings };
}

/** Two or three grader pingers ping the student's ponger with values it cannot guess. */
async function graderPingers(sim: Simulation, impl: PingPongApi, w: PongerParams): Promise<void> {
  spawnBystanders(sim, w.bystanders);
  sim.spawn(w.ponger, (node) => impl.ponger(node), { role: "ponger" });
  for (const id of w.pingers) sim.spawn(id, (node) => void node.on("pong", () => {}), { role: graderRole("pinger") });
  for (const [pinger, atMs, n, msgId] of w.pings) {
    sim.at(atMs, () => void sim.node(pinger).send(w.ponger, { type: "ping", n, msg_id: msgId }), `${pinger} pings`);
  }
  try {
    await sim.runFor(600); // the last ping goes out by t=60ms; everything has arrived long before the end
  } catch (error) {
    checkPonger(sim.trace.events, w.ponger, w.pingers);
    throw error;
  }
  checkPonger(sim.trace.events, w.ponger, w.pingers);
}

/**
 * Grade a ping-pong implementation with one seed: {@link TRIALS} trials of each scenario.
 *
 * @example
 * await checkPingPong(await import("../../../solutions/00-getting-started/ping-pong"), 7); // { status: "pass", … }
 */
export function checkPingPong(impl: PingPongApi, seed: number): Promise<CheckResult> {
  const network = (g: GameParams) => ({ network: g.fifo ? FIFO_UNIFORM : UNORDERED_EXPONENTIAL });
  const words = (g: GameParams): string => (g.fifo ? FIFO_WORDS : UNORDERED_WORDS);
  const both: Scenario<PingPongApi, GameParams> = {
    name: (g) => `your pinger and your ponger: ${gameWords(g)}; ${words(g)}`,
    trials: TRIALS,
    params: gameParams,
    simulation: network,
    lanes: (g) => [g.pinger, g.ponger],
    run: (sim, impl, g) => play(sim, impl, g, (node) => impl.ponger(node), "ponger"),
  };
  const pinger: Scenario<PingPongApi, GameParams> = {
    name: (g) => `your pinger against the grader's ponger (it answers after 0–20 ms): ${gameWords(g)}; ${words(g)}`,
    trials: TRIALS,
    params: gameParams,
    simulation: network,
    lanes: (g) => [g.pinger, g.ponger],
    run: (sim, impl, g) => play(sim, impl, g, graderPonger, graderRole("ponger")),
  };
  const ponger: Scenario<PingPongApi, PongerParams> = {
    name: (w) =>
      `your ponger "${w.ponger}" against the grader's pingers ${w.pingers.map((p) => `"${p}"`).join(", ")} ` +
      `(${PINGS_PER_PINGER} pings each, n and msg_id random), bystanders ${w.bystanders.map((b) => `"${b}"`).join(", ")} spawned first; ` +
      "unordered links, latency 1 ms + exponential (mean 10 ms), 20% duplication",
    trials: TRIALS,
    params: pongerParams,
    simulation: { network: { ...UNORDERED_EXPONENTIAL, duplicationProbability: 0.2 } },
    lanes: (w) => [w.ponger, ...w.pingers],
    run: graderPingers,
  };
  return runScenarios(impl, seed, [both, pinger, ponger], { functions: ["ponger", "pinger"], exercise: "00.1 ping-pong" });
}
