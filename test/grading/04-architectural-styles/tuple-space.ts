/**
 * Check of exercise 04.1 tuple space. The student writes the space; the grader plays three or four
 * clients (names drawn per trial, bystanders spawned first) and {@link TRIALS} trials per seed.
 * The clients send 26–35 requests in the first 600 ms, on a reliable network (no loss, no
 * duplication), unordered, latency 5–15 ms:
 *
 * - an `out` of each of 8–10 tuples drawn per trial (tags and numbers the student cannot guess,
 *   two or three lengths under one tag, one tuple put twice: the space is a multiset);
 * - rd/in patterns made from those tuples by turning fields into wildcards, and patterns that
 *   never match (an unknown tag, or a tuple's length plus or minus one);
 * - a race: two to four clients `in` the same token pattern, while one token fewer is put: one
 *   `in` stays blocked for ever;
 * - an rd, then an in, then an rd of one tuple: the last rd must stay blocked.
 *
 * The grader replays the space in the order the server handled its messages (trace order) and
 * checks, at each reply: it answers a received, unanswered request of the client it goes to
 * (`in_reply_to` = that request's `msg_id`, type out_ok / rd_ok / in_ok as asked); its tuple
 * matches the pattern and is in the space then (an `in_ok` removes it); no earlier waiting
 * request matches the tuple an `in` takes (FIFO). Whenever virtual time moves on, and at the end
 * (1 s after the last request), no request may wait while a matching tuple is in the space.
 */
import { latency } from "../../../lib/net";
import type { Node } from "../../../lib/node";
import { formatMs } from "../../../lib/sim";
import type { Simulation } from "../../../lib/simulation";
import type { TraceEvent } from "../../../lib/trace";
import { ensure, fail, graderRole, runScenarios, spawnBystanders, trialsPerSeed, type CheckResult, type Scenario, type Trial } from "../check";
import { exercise } from "../exercises";
import { describeMessage, sentMessages, type SentMessage } from "../messages";

/** What exercises/04-architectural-styles/tuple-space.ts exports. */
export interface TupleSpaceApi {
  tupleSpace(node: Node): void | Promise<void>;
}

// tsc checks that the stub and the reference both have this API.
type Implements<T extends TupleSpaceApi> = T;
export type StubImplementsTupleSpace = Implements<typeof import("../../../exercises/04-architectural-styles/tuple-space")>;
export type SolutionImplementsTupleSpace = Implements<typeof import("../../../solutions/04-architectural-styles/tuple-space")>;

/** Trials per seed: with the registry's seeds, ≥ 135 in all (see check.ts). */
export const TRIALS = trialsPerSeed(exercise("04.1").seeds.length);

/** The clients send their requests within this window. */
const REQUESTS_WITHIN_MS = 600;

/** How long the run goes on after the last request was sent. */
const PAST_LAST_REQUEST_MS = 1000;

const NAMES = ["space", "server", "ts", "client", "worker", "master", "c1", "c2", "c3", "n1", "n2", "n3", "n4", "x", "y"];
const TAGS = ["job", "result", "task", "point", "lock", "order", "ticket", "sample", "vote", "token", "chunk", "row"];
const WORDS = ["red", "blue", "fast", "slow", "left", "right", "up", "down"];

type Field = string | number | boolean | null;

/** One request a grader client sends. */
interface Plan {
  client: string;
  atMs: number;
  msgId: number;
  body: { type: "out"; tuple: Field[] } | { type: "rd" | "in"; pattern: Field[] };
}

interface SpaceParams {
  space: string;
  clients: string[];
  bystanders: string[];
  plans: Plan[];
}

const ms = (rng: Trial["rng"], min: number, max: number): number => Math.round(rng.uniform(min, max) * 1000) / 1000;

function spaceParams(trial: Trial): SpaceParams {
  const rng = trial.rng;
  const names = rng.shuffle(NAMES);
  const bystanderCount = rng.int(1, 3);
  const clientCount = rng.int(3, 5);
  const bystanders = names.slice(0, bystanderCount);
  const space = names[bystanderCount];
  const clients = names.slice(bystanderCount + 1, bystanderCount + 1 + clientCount);
  const [tagA, tagB, tagToken, tagNever] = rng.shuffle(TAGS);
  const num = (): number => rng.int(100, 1000);
  // Tuples of two or three lengths under tagA, and tagB ones ending in a word or a boolean.
  const tuples: Field[][] = [];
  for (let i = rng.int(3, 5); i > 0; i--) tuples.push(rng.chance(0.5) ? [tagA, num()] : [tagA, num(), rng.pick(WORDS)]);
  tuples.push([tagA, num(), rng.pick(WORDS), rng.chance(0.5)]);
  for (let i = rng.int(3, 5); i > 0; i--) tuples.push([tagB, rng.pick(WORDS), num(), rng.chance(0.5)]);
  tuples.push(rng.pick(tuples).slice()); // a tuple put twice
  const plans: Plan[] = [];
  const msgIds = new Map<string, number[]>(clients.map((c) => [c, rng.shuffle(Array.from({ length: 60 }, (_, i) => i + 1))]));
  const add = (atMs: number, body: Plan["body"], client = rng.pick(clients)): void => {
    plans.push({ client, atMs, msgId: msgIds.get(client)!.pop()!, body });
  };
  for (const tuple of tuples) add(ms(rng, 0, REQUESTS_WITHIN_MS), { type: "out", tuple });
  const wild = (tuple: Field[]): Field[] => tuple.map((f, i) => (i > 0 && rng.chance(0.6) ? null : f));
  for (let i = rng.int(8, 12); i > 0; i--) {
    const pattern = wild(rng.pick(tuples));
    add(ms(rng, 0, REQUESTS_WITHIN_MS), { type: rng.chance(0.5) ? "in" : "rd", pattern });
  }
  // Patterns that never match: an unknown tag, or a length one more or one less than a tuple's.
  add(ms(rng, 0, REQUESTS_WITHIN_MS), { type: rng.chance(0.5) ? "in" : "rd", pattern: [tagNever, null] });
  const longer = rng.pick(tuples);
  add(ms(rng, 0, REQUESTS_WITHIN_MS), { type: "rd", pattern: [longer[0], ...longer.slice(1).map(() => null), null, null] });
  const shorter = rng.pick(tuples.filter((t) => t.length >= 3));
  add(ms(rng, 0, REQUESTS_WITHIN_MS), { type: "in", pattern: [shorter[0], shorter[1], ...shorter.slice(3).map(() => null)] });
  // The race: racers ins for one pattern, one token fewer put.
  const racers = rng.shuffle(clients).slice(0, rng.int(2, Math.min(4, clients.length) + 1));
  const raceMs = ms(rng, 0, 300);
  for (const c of racers) add(raceMs + ms(rng, 0, 40), { type: "in", pattern: [tagToken, null] }, c);
  for (let i = 1; i < racers.length; i++) add(raceMs + ms(rng, 0, 120), { type: "out", tuple: [tagToken, num()] });
  // rd, in, rd of one tuple, each after the previous one's answer had time to come back.
  const kept: Field[] = [tagB, "kept", num(), true];
  const keptMs = ms(rng, 0, 200);
  add(keptMs, { type: "out", tuple: kept });
  add(keptMs + 40, { type: "rd", pattern: [tagB, "kept", null, null] });
  add(keptMs + 80, { type: "in", pattern: [tagB, "kept", kept[2], null] });
  add(keptMs + 120, { type: "rd", pattern: [tagB, "kept", null, true] });
  plans.sort((a, b) => a.atMs - b.atMs);
  return { space, clients, bystanders, plans };
}

const json = (v: unknown): string => JSON.stringify(v);

/** True if `pattern` matches `tuple`: both arrays, the same length, every non-null field equal. */
export function matches(pattern: unknown, tuple: unknown): boolean {
  return (
    Array.isArray(pattern) &&
    Array.isArray(tuple) &&
    pattern.length === tuple.length &&
    pattern.every((p, i) => p === null || json(p) === json(tuple[i]))
  );
}

/** One request the space received. */
interface Request {
  message: SentMessage;
  kind: "out" | "rd" | "in";
  arg: unknown;
  arrivedIndex: number;
  arrivedMs: number;
  reply?: SentMessage;
}

/** A tuple in the replayed space, with the out that brought it. */
interface Held {
  tuple: unknown;
  out: SentMessage;
}

function say(m: SentMessage): string {
  return describeMessage(m);
}

function requestName(r: Request): string {
  return `${r.message.send.src}'s ${r.kind} ${r.kind === "out" ? "tuple" : "pattern"}=${json(r.arg)} (msg_id #${r.message.send.msgId})`;
}

/**
 * The space's rules, checked on a finished trace (see the header).
 *
 * @example
 * checkTupleSpace(sim.trace.events, "space", ["c1", "c2", "c3"]);
 */
export function checkTupleSpace(events: readonly TraceEvent[], space: string, clients: readonly string[]): void {
  const sent = sentMessages(events);
  const bySendId = new Map(sent.map((m) => [m.send.id, m]));
  const requests = new Map<string, Request>();
  const key = (client: string, msgId: number | undefined): string => `${client}#${msgId}`;
  const held: Held[] = [];
  const waiting: Request[] = [];
  let nowMs = 0;

  const servable = (): void => {
    for (const r of waiting) {
      const h = held.find((x) => matches(r.arg, x.tuple));
      if (h === undefined) continue;
      const since = Math.max(r.arrivedMs, h.out.delivered[0].event.timeMs);
      fail(
        `${space} to answer ${requestName(r)} at t=${formatMs(since)}, when it could: a matching tuple ${json(h.tuple)} was in the space ` +
          `(a request that can be answered is answered at once; a waiting one when the matching out arrives)`,
        `it was still waiting when virtual time moved on past t=${formatMs(nowMs)}: ${say(r.message)}; the tuple came with ${say(h.out)}`,
        { timeMs: since, node: space, evidence: [r.message.send.id, h.out.send.id] },
      );
    }
  };

  events.forEach((e, index) => {
    if (e.timeMs > nowMs) {
      servable();
      nowMs = e.timeMs;
    }
    if (e.kind === "deliver" && e.dest === space && clients.includes(e.src)) {
      const m = bySendId.get(e.id)!;
      const kind = m.send.type;
      if (kind !== "out" && kind !== "rd" && kind !== "in") return;
      const r: Request = { message: m, kind, arg: kind === "out" ? m.body.tuple : m.body.pattern, arrivedIndex: index, arrivedMs: e.timeMs };
      requests.set(key(e.src, m.send.msgId), r);
      if (kind === "out") held.push({ tuple: r.arg, out: m });
      else waiting.push(r);
    } else if (e.kind === "send" && e.src === space) {
      checkReply(bySendId.get(e.id)!);
    }
  });
  nowMs = events.length ? events[events.length - 1].timeMs : 0;
  servable();

  function checkReply(m: SentMessage): void {
    const at = { timeMs: m.send.timeMs, node: space, evidence: [m.send.id] };
    if (!clients.includes(m.send.dest)) {
      fail(`${space} to send only replies to the clients' requests (to the request's src)`, say(m), at);
    }
    const r = requests.get(key(m.send.dest, m.send.inReplyTo));
    if (r === undefined) {
      fail(
        `every message ${space} sends to be a reply to a request it received from that client (in_reply_to = the request's msg_id)`,
        `${say(m)}, but ${m.send.dest} ${m.send.inReplyTo === undefined ? "— it has no in_reply_to" : `had sent ${space} no request with msg_id #${m.send.inReplyTo} that had arrived`}`,
        at,
      );
    }
    const evidence = [r.message.send.id, m.send.id];
    if (r.reply !== undefined) {
      fail(`one reply to ${requestName(r)}`, `a second one: ${say(r.reply)}; then ${say(m)}`, { ...at, evidence: [r.message.send.id, r.reply.send.id, m.send.id] });
    }
    const wanted = `${r.kind}_ok`;
    ensure(m.send.type === wanted, () => `the reply to ${requestName(r)} to be ${wanted}`, () => say(m), { ...at, evidence });
    r.reply = m;
    if (r.kind === "out") return;
    const tuple = m.body.tuple;
    ensure(
      matches(r.arg, tuple),
      () => `the tuple in the reply to ${requestName(r)} to match its pattern: the same length, every non-null field equal`,
      () => `${say(m)}: ${json(tuple)} does not match ${json(r.arg)}`,
      { ...at, evidence },
    );
    const i = held.findIndex((h) => json(h.tuple) === json(tuple));
    if (i < 0) {
      const taker = sent.find((x) => x.send.src === space && x.send.type === "in_ok" && x.index < m.index && json(x.body.tuple) === json(tuple));
      const why = taker
        ? `it had already been taken out of the space by ${say(taker)}`
        : `no out of ${json(tuple)} had arrived`;
      fail(
        `the tuple ${json(tuple)} of the ${m.send.type} to ${m.send.dest} (msg_id #${m.send.msgId}) to be in the space when ${space} sent it (an in removes the tuple it returns; a tuple put once is taken once)`,
        `${say(m)}: ${why}`,
        { ...at, evidence: taker ? [...evidence, taker.send.id] : evidence },
      );
    }
    if (r.kind === "in") {
      const earlier = waiting.find((w) => w !== r && w.arrivedIndex < r.arrivedIndex && matches(w.arg, tuple));
      if (earlier) {
        fail(
          `the tuple ${json(tuple)} to go to the waiting requests in the order they arrived: ${requestName(earlier)} arrived before ${requestName(r)}` +
            (earlier.kind === "in" ? ", so it takes the tuple" : ", so it gets a copy before an in takes it"),
          `${say(m)}, while ${say(earlier.message)} was still waiting`,
          { ...at, evidence: [earlier.message.send.id, ...evidence] },
        );
      }
      held.splice(i, 1);
    }
    const w = waiting.indexOf(r);
    if (w >= 0) waiting.splice(w, 1);
  }
}

function graderClient(node: Node): void {
  for (const type of ["out_ok", "rd_ok", "in_ok"]) node.on(type, () => {});
}

async function runSpace(sim: Simulation, impl: TupleSpaceApi, p: SpaceParams): Promise<void> {
  spawnBystanders(sim, p.bystanders);
  sim.spawn(p.space, (node) => impl.tupleSpace(node), { role: "space" });
  for (const c of p.clients) sim.spawn(c, graderClient, { role: graderRole("client") });
  for (const plan of p.plans) {
    sim.at(plan.atMs, () => void sim.node(plan.client).send(p.space, { ...plan.body, msg_id: plan.msgId }), `${plan.client} sends ${plan.body.type}`);
  }
  const check = (): void => checkTupleSpace(sim.trace.events, p.space, p.clients);
  try {
    await sim.runFor(REQUESTS_WITHIN_MS + 200 + PAST_LAST_REQUEST_MS);
  } catch (error) {
    check(); // a broken rule explains a message storm better
    throw error;
  }
  check();
}

/**
 * Grade a tuple space with one seed: {@link TRIALS} trials.
 *
 * @example
 * await checkTupleSpaceExercise(await import("../../../solutions/04-architectural-styles/tuple-space"), 7); // { status: "pass", … }
 */
export function checkTupleSpaceExercise(impl: TupleSpaceApi, seed: number): Promise<CheckResult> {
  const scenario: Scenario<TupleSpaceApi, SpaceParams> = {
    name: (p) =>
      `your space "${p.space}" with the grader's clients ${p.clients.map((c) => `"${c}"`).join(", ")} (${p.plans.length} requests), ` +
      `bystanders ${p.bystanders.map((b) => `"${b}"`).join(", ")} spawned first; no loss, no duplication, unordered links, latency 5–15 ms`,
    trials: TRIALS,
    params: spaceParams,
    simulation: { network: { latency: latency.uniform(5, 15), ordering: "unordered" } },
    lanes: (p) => [...p.clients, p.space],
    run: runSpace,
  };
  return runScenarios(impl, seed, [scenario], { functions: ["tupleSpace"], exercise: "04.1 tuple-space" });
}
