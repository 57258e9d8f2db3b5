/**
 * Check of exercise 02.2 caching proxy with a TTL. The student writes only the proxy; the grader
 * plays the origin and the clients, with bystanders spawned first (so `node.peers()[0]` is never
 * the origin), node names drawn per trial and {@link TRIALS} trials per seed:
 *
 * - the origin holds {@link KEY_COUNT} keys whose values change every 100–500 ms (a new version
 *   is a new number, unique in the trial), and answers `{ type: "read", key }` with
 *   `{ type: "read_ok", key, value }` after 1–3 ms;
 * - four or five clients send 20–30 gets each over the first two seconds, with `msg_id`s the
 *   student cannot guess, for keys drawn with Zipf weights 1/rank (the hottest key gets about a
 *   third of the gets); ttlMs is drawn per trial between 150 and 400 ms.
 *
 * No loss, latency 5–15 ms, unordered. Rules, checked on the trace:
 *
 * 1. every message of the proxy is a read `{ type: "read", key }` to the origin or a `get_ok` to a
 *    client;
 * 2. a get_ok answers a get of that client that had arrived (in_reply_to = its msg_id), carries its
 *    key, and a value v such that a read_ok with that key and value reached the proxy at a time f
 *    with t − ttlMs ≤ f ≤ t (t: when the get_ok was sent); one get_ok per get;
 * 3. every get is answered, and nothing is sent after the last get_ok (the run goes on 1 s);
 * 4. hit ratio = 1 − reads / gets ≥ the ideal ratio − {@link HIT_RATIO_MARGIN}. The ideal cache
 *    walks each key's gets in arrival order and counts a read for a get that comes more than
 *    ttlMs after the key's last counted read (it coalesces, and its entry never waits for the
 *    origin, so no real proxy beats it by much).
 *
 * Measured over the 135 trials (seeds 1, 7, 42, 2024, 31337): the ideal ratio is 0.51–0.78; the
 * reference (no coalescing, age from the read_ok's arrival) falls 0.04 short of it at the median
 * and 0.11 at most; stamping the read's send time instead, 0.12 at most; a coalescing proxy
 * matches it; a cache per client falls 0.24–0.45 short; no cache scores 0. Hence the margin 0.17.
 */
import { latency } from "../../../lib/net";
import type { Node } from "../../../lib/node";
import { formatMs } from "../../../lib/sim";
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
import { describeMessage, sentMessages, shortValue, type SentMessage } from "../messages";

/** What exercises/02-infrastructure/caching-proxy.ts exports. */
export interface CachingProxyApi {
  cachingProxy(node: Node, origin: string, ttlMs: number): void | Promise<void>;
}

// tsc checks that the stub and the reference both have this API.
type Implements<T extends CachingProxyApi> = T;
export type StubImplementsCachingProxy = Implements<typeof import("../../../exercises/02-infrastructure/caching-proxy")>;
export type SolutionImplementsCachingProxy = Implements<typeof import("../../../solutions/02-infrastructure/caching-proxy")>;

/** Trials per seed: with the registry's seeds, ≥ 135 in all (see check.ts). */
export const TRIALS = trialsPerSeed(exercise("02.2").seeds.length);

/** The proxy's hit ratio may fall this far below the ideal cache's on the same gets. */
export const HIT_RATIO_MARGIN = 0.17;

/** Keys at the origin. */
export const KEY_COUNT = 8;

/** Grader clients per trial. */
const CLIENTS_MIN = 4;
const CLIENTS_MAX = 5;
/** Gets per client, sent at uniform random times in the first GETS_WITHIN_MS. */
const GETS_MIN = 20;
const GETS_MAX = 30;
const GETS_WITHIN_MS = 2000;
/** ttlMs is drawn per trial from this range. */
const TTL_MS_MIN = 150;
const TTL_MS_MAX = 400;

/** How long the run goes on after the last get_ok. */
const PAST_LAST_ANSWER_MS = 1000;

/** How long the grader waits for every get to be answered. */
const ANSWERED_WITHIN_MS = 20_000;

/** Node names; each trial shuffles them, so a fixed name is sometimes a bystander or no node. */
const NAMES = ["proxy", "cache", "origin", "server", "client", "c1", "c2", "c3", "n1", "n2", "n3", "n4", "n5"];

const KEY_WORDS = ["user", "cart", "item", "page", "price", "stock", "session", "profile", "order", "city"];

/** One get a grader client sends. */
interface GetPlan {
  client: string;
  atMs: number;
  msgId: number;
  key: string;
}

export interface ProxyParams {
  proxy: string;
  origin: string;
  clients: string[];
  bystanders: string[];
  ttlMs: number;
  keys: string[];
  /** Per key, its versions: [from time, value], in time order (the first from t=0). */
  versions: Map<string, Array<[number, number]>>;
  gets: GetPlan[];
}

const ms = (rng: Trial["rng"], min: number, max: number): number => Math.round(rng.uniform(min, max) * 1000) / 1000;

function proxyParams(trial: Trial): ProxyParams {
  const rng = trial.rng;
  const names = rng.shuffle(NAMES);
  const bystanderCount = rng.int(1, 3);
  const bystanders = names.slice(0, bystanderCount);
  const proxy = names[bystanderCount];
  const origin = names[bystanderCount + 1];
  const clients = names.slice(bystanderCount + 2, bystanderCount + 2 + rng.int(CLIENTS_MIN, CLIENTS_MAX + 1));
  const keys = rng.shuffle(KEY_WORDS).slice(0, KEY_COUNT).map((w) => `${w}:${rng.int(1, 100)}`);
  const used = new Set<number>();
  const freshValue = (): number => {
    let v = rng.int(1000, 100_000);
    while (used.has(v)) v = rng.int(1000, 100_000);
    used.add(v);
    return v;
  };
  const versions = new Map<string, Array<[number, number]>>();
  for (const key of keys) {
    const list: Array<[number, number]> = [[0, freshValue()]];
    for (let t = ms(rng, 100, 500); t < GETS_WITHIN_MS + 2000; t += ms(rng, 100, 500)) list.push([t, freshValue()]);
    versions.set(key, list);
  }
  // Zipf weights 1/rank over the keys in their shuffled order.
  const weights = keys.map((_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const drawKey = (): string => {
    let x = rng.uniform(0, total);
    for (let i = 0; i < keys.length; i++) if ((x -= weights[i]) < 0) return keys[i];
    return keys[keys.length - 1];
  };
  const gets: GetPlan[] = [];
  for (const client of clients) {
    const count = rng.int(GETS_MIN, GETS_MAX + 1);
    const msgIds = rng.shuffle(Array.from({ length: 200 }, (_, i) => i + 1)).slice(0, count);
    for (const msgId of msgIds) gets.push({ client, atMs: ms(rng, 0, GETS_WITHIN_MS), msgId, key: drawKey() });
  }
  gets.sort((a, b) => a.atMs - b.atMs);
  return { proxy, origin, clients, bystanders, ttlMs: rng.int(TTL_MS_MIN, TTL_MS_MAX + 1), keys, versions, gets };
}

/** The value of `key` at the origin at time `nowMs`. */
function valueAt(versions: ReadonlyMap<string, Array<[number, number]>>, key: string, nowMs: number): number | null {
  const list = versions.get(key);
  if (list === undefined) return null;
  let value = list[0][1];
  for (const [fromMs, v] of list) if (fromMs <= nowMs) value = v;
  return value;
}

/** The grader's origin: answers each read with the key's current value after 1–3 ms. */
function graderOrigin(versions: ReadonlyMap<string, Array<[number, number]>>): (node: Node) => void {
  return (node) => {
    node.on("read", (read) => {
      const key = String(read.body.key);
      node.reply(read, { type: "read_ok", key, value: valueAt(versions, key, node.now()) });
    });
    node.on("get_ok", () => {}); // a proxy that answers the origin: the check reports it
  };
}

function say(m: SentMessage): string {
  return describeMessage(m);
}

/** One get and what became of it. */
interface Get {
  message: SentMessage;
  client: string;
  msgId: number | undefined;
  key: unknown;
  answers: SentMessage[];
}

function getName(g: Get): string {
  return `${g.client}'s get key=${shortValue(g.key)} (msg_id #${g.msgId})`;
}

function endMs(events: readonly TraceEvent[]): number {
  return events.length ? events[events.length - 1].timeMs : 0;
}

/** The ideal cache's reads on these get arrival times (see the file's header). */
export function idealReads(arrivals: ReadonlyArray<{ key: unknown; timeMs: number }>, ttlMs: number): number {
  const lastRead = new Map<unknown, number>();
  let reads = 0;
  for (const { key, timeMs } of arrivals) {
    const last = lastRead.get(key);
    if (last === undefined || timeMs - last > ttlMs) {
      reads++;
      lastRead.set(key, timeMs);
    }
  }
  return reads;
}

/** The hit ratios of a finished run: the proxy's and the ideal cache's. */
export interface HitRatios {
  gets: number;
  reads: number;
  idealReads: number;
  ratio: number;
  idealRatio: number;
}

/**
 * The proxy's hit ratio and the ideal cache's on the gets that reached it.
 *
 * @example
 * hitRatios(sim.trace.events, "proxy", "origin", ["c1", "c2"], 200); // { ratio: 0.71, idealRatio: 0.74, … }
 */
export function hitRatios(
  events: readonly TraceEvent[],
  proxy: string,
  origin: string,
  clients: readonly string[],
  ttlMs: number,
  sent: readonly SentMessage[] = sentMessages(events),
): HitRatios {
  const arrivals = sent
    .filter((m) => clients.includes(m.send.src) && m.send.dest === proxy && m.send.type === "get")
    .flatMap((m) => m.delivered.map((a) => ({ key: m.body.key, timeMs: a.event.timeMs, index: a.index })))
    .sort((a, b) => a.index - b.index);
  const reads = sent.filter((m) => m.send.src === proxy && m.send.dest === origin && m.send.type === "read").length;
  const ideal = idealReads(arrivals, ttlMs);
  const gets = arrivals.length;
  return { gets, reads, idealReads: ideal, ratio: gets ? 1 - reads / gets : 1, idealRatio: gets ? 1 - ideal / gets : 1 };
}

/**
 * The proxy's rules, checked on a finished trace (see the file's header).
 *
 * @example
 * checkProxy(sim.trace.events, { proxy: "proxy", origin: "origin", clients: ["c1"], ttlMs: 200, versions });
 */
export function checkProxy(
  events: readonly TraceEvent[],
  p: { proxy: string; origin: string; clients: readonly string[]; ttlMs: number; versions: ReadonlyMap<string, Array<[number, number]>> },
): void {
  const { proxy, origin, clients, ttlMs, versions } = p;
  const sent = sentMessages(events);
  const gets: Get[] = sent
    .filter((m) => clients.includes(m.send.src) && m.send.dest === proxy && m.send.type === "get")
    .map((m) => ({ message: m, client: m.send.src, msgId: m.send.msgId, key: m.body.key, answers: [] }));
  const readOks = sent.filter((m) => m.send.src === origin && m.send.dest === proxy && m.send.type === "read_ok");
  const fromProxy = sent.filter((m) => m.send.src === proxy);
  const keyOfValue = (value: unknown): string | undefined => {
    for (const [key, list] of versions) if (list.some(([, v]) => v === value)) return key;
    return undefined;
  };

  for (const m of fromProxy) {
    const at = { timeMs: m.send.timeMs, node: proxy, evidence: [m.send.id] };
    if (m.send.dest === origin && m.send.type === "read") continue;
    if (clients.includes(m.send.dest) && m.send.type === "get_ok") {
      checkAnswer(m);
      continue;
    }
    if (m.send.dest === origin && m.send.type === "get_ok") {
      fail(
        `${proxy} to send each get_ok to the client whose get it answers`,
        `${say(m)}: a get_ok sent to the origin; reply to the client's get (its src and msg_id), not to the origin's read_ok`,
        at,
      );
    }
    fail(`${proxy} to send only { type: "read", key } to the origin and { type: "get_ok", key, value } to clients`, say(m), at);
  }

  function checkAnswer(m: SentMessage): void {
    const at = { timeMs: m.send.timeMs, node: proxy, evidence: [m.send.id] };
    const client = m.send.dest;
    if (m.send.inReplyTo === undefined) {
      fail(`each get_ok to be a reply to the client's get: in_reply_to = the get's msg_id`, `no in_reply_to: ${say(m)}`, at);
    }
    const g = gets.find((x) => x.client === client && x.msgId === m.send.inReplyTo);
    if (g === undefined) {
      fail(`each get_ok to answer a get of the client it goes to (in_reply_to = that get's msg_id)`, `${say(m)}, but ${client} sent no get with msg_id #${m.send.inReplyTo}`, at);
    }
    const evidence = [g.message.send.id, m.send.id];
    ensure(
      g.message.delivered.some((a) => a.index < m.index),
      () => `${proxy} to answer ${getName(g)} only after it arrived`,
      () => `${say(m)}, before the get arrived: ${say(g.message)}`,
      { ...at, evidence },
    );
    ensure(m.body.key === g.key, () => `the get_ok for ${getName(g)} to carry key=${shortValue(g.key)}`, () => say(m), { ...at, evidence });
    if (g.answers.length > 0) {
      fail(`exactly one get_ok for ${getName(g)}`, `a second one: ${say(g.answers[0])}; then ${say(m)}`, { ...at, evidence: [g.message.send.id, g.answers[0].send.id, m.send.id] });
    }
    g.answers.push(m);
    const t = m.send.timeMs;
    const value = m.body.value;
    const sameValue = readOks.filter((r) => r.body.key === g.key && r.body.value === value && r.delivered.some((a) => a.index < m.index));
    // A nanosecond of slack, so that `node.now() − fetchedAtMs <= ttlMs` in floating point never disagrees with it.
    const fresh = sameValue.some((r) => r.delivered.some((a) => a.index < m.index && a.event.timeMs >= t - ttlMs - 1e-6));
    if (fresh) return;
    const expected =
      `the get_ok for ${getName(g)} at t=${formatMs(t)} to carry a value that a read_ok for ${shortValue(g.key)} brought from the origin ` +
      `within the last ttlMs=${ttlMs} ms (at t=${formatMs(Math.max(0, t - ttlMs))} or later)`;
    if (sameValue.length > 0) {
      const last = sameValue[sameValue.length - 1];
      const arrivedMs = Math.max(...last.delivered.filter((a) => a.index < m.index).map((a) => a.event.timeMs));
      const current = valueAt(versions, String(g.key), t);
      const changed = versions.get(String(g.key))?.find(([fromMs, v]) => v === current && fromMs > 0);
      const newer = current !== value && changed ? `; the origin has had ${shortValue(current)} since t=${formatMs(changed[0])}` : "";
      fail(
        expected,
        `${say(m)}: stale, that value was fetched ${formatMs(t - arrivedMs)} earlier (its read_ok arrived at t=${formatMs(arrivedMs)})${newer}`,
        { ...at, evidence: [g.message.send.id, last.send.id, m.send.id] },
      );
    }
    const owner = keyOfValue(value);
    const otherKey = readOks.find((r) => r.body.value === value && r.delivered.some((a) => a.index < m.index));
    fail(
      expected,
      `${say(m)}: ` +
        (owner !== undefined && owner !== g.key
          ? `${shortValue(value)} is a value of key ${shortValue(owner)}, not of ${shortValue(g.key)}`
          : `no read_ok from the origin had brought value=${shortValue(value)} for ${shortValue(g.key)}`),
      { ...at, evidence: otherKey ? [g.message.send.id, otherKey.send.id, m.send.id] : [g.message.send.id, m.send.id] },
    );
  }

  for (const g of gets) {
    if (g.answers.length > 0) continue;
    fail(`a get_ok for ${getName(g)}`, g.message.delivered.length ? `none: ${proxy} never answered it` : "none: the get never arrived", {
      timeMs: endMs(events),
      node: proxy,
      evidence: [g.message.send.id],
    });
  }

  // Run past settle: nothing after the last get_ok.
  const lastAnswer = fromProxy.filter((m) => m.send.type === "get_ok").pop();
  const late = lastAnswer && fromProxy.find((m) => m.index > lastAnswer.index);
  if (lastAnswer && late) {
    fail(
      `no message from ${proxy} after the last get was answered at t=${formatMs(lastAnswer.send.timeMs)}`,
      `${say(late)}: with no get waiting, a read only loads the origin`,
      { timeMs: late.send.timeMs, node: proxy, evidence: [lastAnswer.send.id, late.send.id] },
    );
  }

  const h = hitRatios(events, proxy, origin, clients, ttlMs, sent);
  if (h.ratio < h.idealRatio - HIT_RATIO_MARGIN) {
    // Evidence: the first read of a key sent while a value for it fetched less than ttlMs / 2 before was at hand.
    const reads = fromProxy.filter((m) => m.send.dest === origin && m.send.type === "read");
    let pair: [SentMessage, SentMessage, number] | undefined;
    for (const r of reads) {
      const before = readOks
        .filter((x) => x.body.key === r.body.key)
        .flatMap((x) => x.delivered.filter((a) => a.index < r.index && r.send.timeMs - a.event.timeMs <= ttlMs / 2).map((a) => [x, a.event.timeMs] as const))
        .pop();
      if (before) {
        pair = [before[0], r, before[1]];
        break;
      }
    }
    const example = pair
      ? `; e.g. a read_ok for ${shortValue(pair[1].body.key)} had arrived at t=${formatMs(pair[2])}, yet ${formatMs(pair[1].send.timeMs - pair[2])} later ` +
        `${proxy} read it again: ${say(pair[1])}`
      : "";
    fail(
      `a hit ratio (1 − reads / gets) of at least ${(h.idealRatio - HIT_RATIO_MARGIN).toFixed(2)}: the ideal cache needs ${h.idealReads} reads ` +
        `for these ${h.gets} gets with ttlMs=${ttlMs} (ratio ${h.idealRatio.toFixed(2)}), and the margin is ${HIT_RATIO_MARGIN}`,
      `${h.ratio.toFixed(2)}: ${proxy} sent ${h.reads} reads to the origin for ${h.gets} gets${example}`,
      { timeMs: endMs(events), node: proxy, evidence: pair ? [pair[0].send.id, pair[1].send.id] : [] },
    );
  }
}

async function serveGets(sim: Simulation, impl: CachingProxyApi, p: ProxyParams): Promise<void> {
  spawnBystanders(sim, p.bystanders);
  sim.spawn(p.proxy, (node) => impl.cachingProxy(node, p.origin, p.ttlMs), { role: "proxy" });
  sim.spawn(p.origin, graderOrigin(p.versions), {
    role: graderRole("origin"),
    service: { timeMs: latency.uniform(1, 3), concurrency: Infinity },
  });
  let answered = 0;
  for (const c of p.clients) sim.spawn(c, (node) => void node.on("get_ok", () => void answered++), { role: graderRole("client") });
  for (const g of p.gets) {
    sim.at(g.atMs, () => void sim.node(g.client).send(p.proxy, { type: "get", key: g.key, msg_id: g.msgId }), `${g.client} sends a get`);
  }
  const check = (): void => checkProxy(sim.trace.events, p);
  try {
    await sim.runUntil(() => answered >= p.gets.length, { withinMs: ANSWERED_WITHIN_MS, throwOnTimeout: false });
    await sim.runFor(PAST_LAST_ANSWER_MS); // run past the last answer: nothing more may be sent
  } catch (error) {
    check(); // a broken rule explains a message storm better
    throw error;
  }
  check();
}

/** The scenario of the grader, exported so that the meta tests can measure hit ratios with it. */
export function proxyScenario(onRun?: (sim: Simulation, p: ProxyParams) => void): Scenario<CachingProxyApi, ProxyParams> {
  return {
    name: (p) =>
      `your proxy "${p.proxy}" (ttlMs=${p.ttlMs}) in front of the grader's origin "${p.origin}" (${KEY_COUNT} keys, values changing every 100–500 ms), ` +
      `clients ${p.clients.map((c) => `"${c}"`).join(", ")} (${p.gets.length} gets, skewed), bystanders ${p.bystanders.map((b) => `"${b}"`).join(", ")} spawned first; ` +
      "no loss, unordered links, latency 5–15 ms",
    trials: TRIALS,
    params: proxyParams,
    simulation: { network: { latency: latency.uniform(5, 15), ordering: "unordered" } },
    lanes: (p) => [...p.clients, p.proxy, p.origin],
    run: async (sim, impl, p) => {
      try {
        await serveGets(sim, impl, p);
      } finally {
        onRun?.(sim, p);
      }
    },
  };
}

/**
 * Grade a caching proxy with one seed: {@link TRIALS} trials.
 *
 * @example
 * await checkCachingProxy(await import("../../../solutions/02-infrastructure/caching-proxy"), 7); // { status: "pass", … }
 */
export function checkCachingProxy(impl: CachingProxyApi, seed: number): Promise<CheckResult> {
  return runScenarios(impl, seed, [proxyScenario()], { functions: ["cachingProxy"], exercise: "02.2 caching-proxy" });
}

/**
 * The hit ratios of every trial of one seed (for the meta tests and the numbers in the hint).
 *
 * @example
 * const ratios = await measureHitRatios(impl, 7); // [{ ratio: 0.71, idealRatio: 0.74, … }, …]
 */
export async function measureHitRatios(impl: CachingProxyApi, seed: number): Promise<HitRatios[]> {
  const out: HitRatios[] = [];
  const scenario = proxyScenario((sim, p) => out.push(hitRatios(sim.trace.events, p.proxy, p.origin, p.clients, p.ttlMs)));
  // Measure every trial, whatever the verdict: wrap run so that a failed check does not stop it.
  const measuring: Scenario<CachingProxyApi, ProxyParams> = { ...scenario, run: (sim, i, p, t) => scenario.run(sim, i, p, t).catch(() => {}) };
  await runScenarios(impl, seed, [measuring], { functions: ["cachingProxy"] });
  return out;
}
