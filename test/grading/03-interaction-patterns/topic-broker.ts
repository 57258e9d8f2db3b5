/**
 * Check of exercise 03.1 topic broker. The student writes the broker only; the grader plays every
 * publisher and subscriber, with bystanders spawned first, node and topic names drawn per trial,
 * and {@link TRIALS} independent trials per seed:
 *
 * 2–3 publishers each publish 4–8 messages a few ms apart, numbered from a starting seq drawn per
 * trial (100–99,999; the first marked `first: true`), on an unordered network with latency
 * 5–15 ms (no loss, no duplication), so a publisher's messages often overtake each other. 3–4
 * subscribers subscribe (sometimes twice), unsubscribe and resubscribe to 2–3 topics at random
 * times. After the last message has been quiet for {@link PAST_LAST_MS} ms the check reads the
 * trace:
 *
 * - a publish is *ready* when it and every earlier publish of its publisher have arrived at the
 *   broker (the trace index of the last of these arrivals);
 * - a subscriber must get it iff the last subscribe/unsubscribe of that subscriber for its topic
 *   to arrive before that index is a subscribe;
 * - every `event` from the broker answers a publish that had arrived (same topic, payload,
 *   publisher = the publish's src, seq), goes to a subscriber that should get it, at most once,
 *   and per subscriber and publisher in seq order; none is missing at the end.
 */
import { latency } from "../../../lib/net";
import type { Node } from "../../../lib/node";
import { formatMs } from "../../../lib/sim";
import type { Simulation } from "../../../lib/simulation";
import type { TraceEvent } from "../../../lib/trace";
import { fail, graderRole, runScenarios, spawnBystanders, throwEarliest, trialsPerSeed, type CheckResult, type Scenario, type Trial } from "../check";
import { exercise } from "../exercises";
import { describeMessage, sentMessages, type SentMessage } from "../messages";

/** What exercises/03-interaction-patterns/topic-broker.ts exports. */
export interface TopicBrokerApi {
  topicBroker(node: Node): void | Promise<void>;
}

// tsc checks that the stub and the reference both have this API.
type Implements<T extends TopicBrokerApi> = T;
export type StubImplementsTopicBroker = Implements<typeof import("../../../exercises/03-interaction-patterns/topic-broker")>;
export type SolutionImplementsTopicBroker = Implements<typeof import("../../../solutions/03-interaction-patterns/topic-broker")>;

/** Trials per seed: with the registry's seeds, ≥ 135 in all (see check.ts). */
export const TRIALS = trialsPerSeed(exercise("03.1").seeds.length);

/** How long the run goes on after the grader's last message was sent. */
export const PAST_LAST_MS = 500;

/** Node names; each trial shuffles them ("broker" is sometimes a publisher or a bystander). */
const NAMES = ["broker", "pub", "sub", "p1", "p2", "p3", "s1", "s2", "s3", "n1", "n2", "n3", "n4"];

/** Topic names; each trial picks 2–3. */
const TOPICS = ["news", "sports", "weather", "prices/eur", "alerts", "t1", "t2", "chat"];

const WORDS = ["rain", "goal", "+3%", "storm ⚡", "ünïcödé", 'say "hi"', "sale"];

interface Params {
  broker: string;
  publishers: string[];
  subscribers: string[];
  bystanders: string[];
  topics: string[];
  /** [publisher, time, topic, seq, payload, first] */
  publishes: Array<[string, number, string, number, unknown, boolean]>;
  /** [subscriber, time, "subscribe" | "unsubscribe", topic] */
  subscriptions: Array<[string, number, "subscribe" | "unsubscribe", string]>;
}

const ms = (trial: Trial, min: number, max: number): number => Math.round(trial.rng.uniform(min, max) * 1000) / 1000;

function params(trial: Trial): Params {
  const rng = trial.rng;
  const names = rng.shuffle(NAMES);
  const bystanderCount = rng.int(1, 3);
  const publisherCount = rng.int(2, 4);
  const subscriberCount = rng.int(3, 5);
  const bystanders = names.slice(0, bystanderCount);
  const broker = names[bystanderCount];
  const publishers = names.slice(bystanderCount + 1, bystanderCount + 1 + publisherCount);
  const subscribers = names.slice(bystanderCount + 1 + publisherCount, bystanderCount + 1 + publisherCount + subscriberCount);
  const topics = rng.shuffle(TOPICS).slice(0, rng.int(2, 4));
  const publishes: Params["publishes"] = [];
  for (const p of publishers) {
    const start = rng.int(100, 100_000);
    let t = ms(trial, 0, 60);
    const count = rng.int(4, 9);
    for (let i = 0; i < count; i++) {
      const payload = rng.chance(0.5) ? `${rng.pick(WORDS)} ${rng.int(0, 1000)}` : { value: rng.int(0, 1000), from: p };
      publishes.push([p, t, rng.pick(topics), start + i, payload, i === 0]);
      t = Math.round((t + rng.uniform(0, 8)) * 1000) / 1000;
    }
  }
  const subscriptions: Params["subscriptions"] = [];
  for (const s of subscribers) {
    for (const topic of topics) {
      if (rng.chance(0.15)) subscriptions.push([s, ms(trial, 0, 100), "unsubscribe", topic]); // not subscribed: nothing happens
      if (rng.chance(0.25)) continue;
      let t = ms(trial, 0, 70);
      subscriptions.push([s, t, "subscribe", topic]);
      if (rng.chance(0.3)) subscriptions.push([s, Math.round((t + rng.uniform(0, 30)) * 1000) / 1000, "subscribe", topic]);
      if (rng.chance(0.5)) {
        t = Math.round((t + rng.uniform(5, 60)) * 1000) / 1000;
        subscriptions.push([s, t, "unsubscribe", topic]);
        if (rng.chance(0.4)) subscriptions.push([s, Math.round((t + rng.uniform(5, 40)) * 1000) / 1000, "subscribe", topic]);
      }
    }
  }
  return { broker, publishers, subscribers, bystanders, topics, publishes, subscriptions };
}

function say(m: SentMessage): string {
  return describeMessage(m, m.send.type === "event" ? ["topic", "publisher", "seq"] : m.send.type === "publish" ? ["topic", "seq"] : ["topic"]);
}

/** The arrival of a message (exactly one: the network neither loses nor duplicates). */
function arrival(m: SentMessage): { index: number; timeMs: number } {
  const a = m.delivered[0];
  return a ? { index: a.index, timeMs: a.event.timeMs } : { index: Infinity, timeMs: Infinity };
}

/** A publish with the trace index and time at which it became ready (it and all before it arrived). */
interface Publish {
  m: SentMessage;
  publisher: string;
  seq: number;
  readyIndex: number;
  readyMs: number;
}

/**
 * The broker's rules, checked on a trace (see the file's comment).
 *
 * @example
 * checkBroker(sim.trace.events, "broker", ["p1", "p2"], ["s1", "s2", "s3"]);
 */
export function checkBroker(events: readonly TraceEvent[], broker: string, publishers: readonly string[], subscribers: readonly string[]): void {
  const sent = sentMessages(events);
  const publishes: Publish[] = [];
  for (const p of publishers) {
    const own = sent.filter((m) => m.send.src === p && m.send.dest === broker && m.send.type === "publish").sort((a, b) => (a.body.seq as number) - (b.body.seq as number));
    let readyIndex = -1;
    let readyMs = 0;
    for (const m of own) {
      const a = arrival(m);
      if (a.index > readyIndex) ({ index: readyIndex, timeMs: readyMs } = a);
      publishes.push({ m, publisher: p, seq: m.body.seq as number, readyIndex, readyMs });
    }
  }
  const subs = sent.filter((m) => m.send.dest === broker && (m.send.type === "subscribe" || m.send.type === "unsubscribe"));
  /** The subscribe/unsubscribe of `node` for `topic` that last arrived before trace index `index`. */
  const lastSub = (node: string, topic: unknown, index: number): SentMessage | undefined =>
    subs.filter((m) => m.send.src === node && m.body.topic === topic && arrival(m).index < index).sort((a, b) => arrival(b).index - arrival(a).index)[0];
  const shouldGet = (node: string, p: Publish): boolean => lastSub(node, p.m.body.topic, p.readyIndex)?.send.type === "subscribe";
  const fromBroker = sent.filter((m) => m.send.src === broker);
  const name = (p: Publish): string => `${p.publisher}'s publish seq=${p.seq} on "${p.m.body.topic}"`;

  throwEarliest(
    fromBroker.map((m) => () => checkEvent(m)),
    () => checkOrder(),
    publishes.flatMap((p) => subscribers.map((s) => () => checkReceived(p, s))),
  );

  function checkEvent(m: SentMessage): void {
    const at = { timeMs: m.send.timeMs, node: broker, evidence: [m.send.id] };
    if (m.send.type !== "event") fail(`the broker to send only { type: "event", … } messages`, say(m), at);
    const p = publishes.find((x) => x.publisher === m.body.publisher && x.seq === m.body.seq);
    if (p === undefined || arrival(p.m).index > m.index) {
      fail(
        `every event from ${broker} to copy a publish that reached it: publisher = the publish's src, seq = its seq`,
        p ? `${say(m)}, sent before the publish arrived: ${say(p.m)}` : `${say(m)}, which matches no publish (publishers: ${publishers.join(", ")})`,
        { ...at, evidence: p ? [p.m.send.id, m.send.id] : [m.send.id] },
      );
    }
    const evidence = [p.m.send.id, m.send.id];
    if (m.body.topic !== p.m.body.topic || JSON.stringify(m.body.payload) !== JSON.stringify(p.m.body.payload)) {
      fail(`the event for ${name(p)} to carry its topic and payload`, `${say(m)} with payload=${JSON.stringify(m.body.payload)}; the publish: ${say(p.m)}, payload=${JSON.stringify(p.m.body.payload)}`, { ...at, evidence });
    }
    const dest = m.send.dest;
    if (!shouldGet(dest, p)) {
      const last = lastSub(dest, p.m.body.topic, p.readyIndex);
      const why = !subscribers.includes(dest)
        ? `${dest} never subscribed to anything (it is ${publishers.includes(dest) ? "a publisher" : "no subscriber"})`
        : last === undefined
          ? `no subscribe of ${dest} to "${p.m.body.topic}" had reached ${broker} when the message became ready at t=${formatMs(p.readyMs)}`
          : `${dest}'s last subscription message for "${p.m.body.topic}" before the message became ready (t=${formatMs(p.readyMs)}) was an unsubscribe: ${say(last)}`;
      fail(`events for ${name(p)} only to nodes subscribed to "${p.m.body.topic}" when it became ready`, `${say(m)}, but ${why}`, {
        ...at,
        evidence: last ? [...evidence, last.send.id] : evidence,
      });
    }
    const earlier = fromBroker.find((x) => x !== m && x.index < m.index && x.send.dest === dest && x.body.publisher === p.publisher && x.body.seq === p.seq);
    if (earlier) {
      fail(`exactly one event for ${name(p)} to ${dest}`, `a second one: ${say(m)}; the first: ${say(earlier)}`, { ...at, evidence: [...evidence, earlier.send.id] });
    }
  }

  function checkOrder(): void {
    for (const s of subscribers) {
      for (const p of publishers) {
        const evs = fromBroker.filter((m) => m.send.dest === s && m.send.type === "event" && m.body.publisher === p);
        for (let i = 1; i < evs.length; i++) {
          if ((evs[i].body.seq as number) < (evs[i - 1].body.seq as number)) {
            const skipped = publishes.find((x) => x.publisher === p && x.seq === evs[i].body.seq);
            fail(
              `the events of ${p} to ${s} in ${p}'s seq order (hold a message back until all earlier ones of its publisher have arrived)`,
              `${say(evs[i - 1])} first, then ${say(evs[i])}` + (skipped ? `; seq=${skipped.seq} had reached ${broker} at t=${formatMs(arrival(skipped.m).timeMs)}` : ""),
              { timeMs: evs[i - 1].send.timeMs, node: broker, evidence: [evs[i - 1].send.id, evs[i].send.id, ...(skipped ? [skipped.m.send.id] : [])] },
            );
          }
        }
      }
    }
  }

  function checkReceived(p: Publish, s: string): void {
    if (!shouldGet(s, p)) return;
    const got = fromBroker.some((m) => m.send.dest === s && m.body.publisher === p.publisher && m.body.seq === p.seq);
    if (got) return;
    const sub = lastSub(s, p.m.body.topic, p.readyIndex)!;
    // The publisher's messages that had reached the broker when this one became ready, in arrival order.
    const upTo = publishes.filter((x) => x.publisher === p.publisher && arrival(x.m).index <= p.readyIndex).sort((a, b) => arrival(a.m).index - arrival(b.m).index);
    const reordered = upTo.some((x, i) => i > 0 && x.seq < upTo[i - 1].seq);
    const first = publishes.find((x) => x.publisher === p.publisher && x.m.body.first === true);
    const gap = reordered
      ? `; ${p.publisher}'s publishes had arrived in the order ${upTo.map((x) => `seq=${x.seq}`).join(", ")}` +
        ` (seq=${first?.seq} carries first: true; hold an early message back until the gap is filled, never drop it)`
      : "";
    fail(
      `an event for ${name(p)} to ${s}, subscribed to "${p.m.body.topic}" since ${say(sub)}`,
      `${broker} never sent it; the publish: ${say(p.m)}${gap}`,
      { timeMs: p.readyMs, node: broker, evidence: [sub.send.id, ...upTo.map((x) => x.m.send.id)] },
    );
  }
}

async function run(sim: Simulation, impl: TopicBrokerApi, w: Params): Promise<void> {
  spawnBystanders(sim, w.bystanders);
  sim.spawn(w.broker, (node) => impl.topicBroker(node), { role: "broker" });
  for (const p of w.publishers) sim.spawn(p, () => {}, { role: graderRole("publisher") });
  for (const s of w.subscribers) sim.spawn(s, (node) => void node.on("event", () => {}), { role: graderRole("subscriber") });
  let lastMs = 0;
  for (const [p, atMs, topic, seq, payload, first] of w.publishes) {
    const body = first ? { type: "publish", topic, seq, payload, first: true } : { type: "publish", topic, seq, payload };
    sim.at(atMs, () => void sim.node(p).send(w.broker, body), `${p} publishes`);
    lastMs = Math.max(lastMs, atMs);
  }
  for (const [s, atMs, type, topic] of w.subscriptions) {
    sim.at(atMs, () => void sim.node(s).send(w.broker, { type, topic }), `${s} ${type}s`);
    lastMs = Math.max(lastMs, atMs);
  }
  try {
    await sim.runFor(lastMs + PAST_LAST_MS);
  } catch (error) {
    checkBroker(sim.trace.events, w.broker, w.publishers, w.subscribers); // a broken rule explains a storm better
    throw error;
  }
  checkBroker(sim.trace.events, w.broker, w.publishers, w.subscribers);
}

/**
 * Grade a topic broker with one seed: {@link TRIALS} trials.
 *
 * @example
 * await checkTopicBroker(await import("../../../solutions/03-interaction-patterns/topic-broker"), 7); // { status: "pass", … }
 */
export function checkTopicBroker(impl: TopicBrokerApi, seed: number): Promise<CheckResult> {
  const scenario: Scenario<TopicBrokerApi, Params> = {
    name: (w) =>
      `your topicBroker "${w.broker}" with the grader's publishers ${w.publishers.join(", ")} and subscribers ${w.subscribers.join(", ")} ` +
      `on topics ${w.topics.map((t) => `"${t}"`).join(", ")}, bystanders ${w.bystanders.join(", ")} spawned first; ` +
      "no loss, unordered links, latency 5–15 ms",
    trials: TRIALS,
    params,
    simulation: { network: { latency: latency.uniform(5, 15), ordering: "unordered" } },
    lanes: (w) => [...w.publishers, w.broker, ...w.subscribers],
    run,
  };
  return runScenarios(impl, seed, [scenario], { functions: ["topicBroker"], exercise: "03.1 topic-broker" });
}
