/**
 * Check of exercise 01.1 perfect link. Each half is graded against the grader's own other half,
 * and the student's pair plays too; bystanders are spawned first, node names are drawn per trial,
 * and each scenario runs {@link TRIALS} trials per seed on a network that loses 20%, duplicates
 * 20% and reorders (latency 5–15 ms):
 *
 * 1. **Your receiver, the grader's senders.** Two grader senders send 5 messages each, with ids
 *    the student cannot guess (large random numbers or random strings, in no order, and the two
 *    senders share some ids), retransmit every 40–80 ms until acked (each retransmission is a new
 *    message with a new `msg_id`; they give up after 40), and for half the messages send one more
 *    late copy 100–600 ms after the ack, as a slow network would. The receiver crashes mid-run and restarts (its spawn function runs again;
 *    `node.storage` survives). Rules: `deliver` is called exactly once per message, with the
 *    sender's id as `src` and the payload sent, after a copy arrived; every copy of `pl_data` that
 *    reaches the receiver gets a `pl_ack` with its id, back to its sender.
 * 2. **Your sender, the grader's receiver.** The application sends a first batch; once every
 *    message of it is acked, the sender crashes and restarts, and the new incarnation sends a
 *    second batch. The grader's receiver acks every copy after 0–40 ms, sometimes twice. Rules:
 *    every payload reaches the receiver, under one id; no id carries two payloads (ids stay unique
 *    across the restart); no `pl_data` with an id is sent after its `pl_ack` arrived.
 * 3. **Your pair.** Two of your senders (their ids may well coincide) and your receiver, which
 *    crashes mid-run: exactly-once delivery, and no retransmission after the ack.
 *
 * Every trial runs {@link PAST_MS} ms past the point where everything was acked.
 */
import { latency } from "../../../lib/net";
import type { Node } from "../../../lib/node";
import { formatMs } from "../../../lib/sim";
import type { Simulation } from "../../../lib/simulation";
import type { TraceEvent } from "../../../lib/trace";
import {
  fail,
  graderRole,
  runScenarios,
  spawnBystanders,
  throwEarliest,
  trialsPerSeed,
  type CheckResult,
  type Scenario,
  type Trial,
} from "../check";
import { exercise } from "../exercises";
import { describeMessage, sentMessages, shortValue, type SentMessage } from "../messages";

/** The sending half that `perfectLink` returns. */
export interface PerfectLinkHandle {
  send(dest: string, payload: unknown): void;
}

/** What exercises/01-why-distributed/perfect-link.ts exports. */
export interface PerfectLinkApi {
  perfectLink(node: Node, deliver: (src: string, payload: unknown) => void): PerfectLinkHandle;
}

// tsc checks that the stub and the reference both have this API.
type Implements<T extends PerfectLinkApi> = T;
export type StubImplementsPerfectLink = Implements<typeof import("../../../exercises/01-why-distributed/perfect-link")>;
export type SolutionImplementsPerfectLink = Implements<typeof import("../../../solutions/01-why-distributed/perfect-link")>;

/** Trials per seed of each scenario: with the registry's seeds, ≥ 135 in all (see check.ts). */
export const TRIALS = trialsPerSeed(exercise("01.1").seeds.length);

/** How long each trial keeps running after everything was acked (run past settle). */
export const PAST_MS = 1000;

/** How long the messages of a trial may take to get through. */
const WITHIN_MS = 5000;

/** Messages per grader sender (scenario 1) and per batch (scenarios 2 and 3). */
const MESSAGES_PER_SENDER = 5;

const NETWORK = { latency: latency.uniform(5, 15), lossProbability: 0.2, duplicationProbability: 0.2, ordering: "unordered" as const };
const NETWORK_WORDS = "20% loss, 20% duplication, unordered links, latency 5–15 ms";

/** Node names; each trial shuffles them ("a" and "b" are sometimes bystanders). */
const NAMES = ["a", "b", "sender", "receiver", "n1", "n2", "n3", "n4"];

/** Words the payload texts are made of. */
const WORDS = ["hello", "transfer 10€", "ünïcödé", 'say "quote"', "bye", "ελληνικά", "again?", "tick"];

const round = (ms: number): number => Math.round(ms * 1000) / 1000;
/** JSON text of an id or a payload, to compare them (memoised for objects: the checks compare them often). */
const keys = new WeakMap<object, string>();
function key(value: unknown): string {
  if (typeof value !== "object" || value === null) return JSON.stringify(value) ?? "undefined";
  let text = keys.get(value);
  if (text === undefined) keys.set(value, (text = JSON.stringify(value)));
  return text;
}
const quote = (names: readonly string[]): string => names.map((n) => `"${n}"`).join(", ");

/** A payload the student cannot predict, unique in the trial (`n` makes it so). */
function payload(trial: Trial, n: number): unknown {
  const rng = trial.rng;
  const text = `${rng.pick(WORDS)} ${n}`;
  switch (rng.int(0, 4)) {
    case 0:
      return text;
    case 1:
      return { text, amount: rng.int(1, 1000) };
    case 2:
      return [n, text];
    default:
      return { nested: { text }, n };
  }
}

/** A delivery the application saw, with where it happened in the trace. */
interface Delivery {
  node: string;
  src: string;
  payload: unknown;
  timeMs: number;
  /** Trace length when deliver was called (the copy that caused it arrived before). */
  index: number;
}

/** A `deliver` callback that records each call. */
function recorder(sim: Simulation, node: Node, deliveries: Delivery[]): (src: string, payload: unknown) => void {
  return (src, payload) => void deliveries.push({ node: node.id, src, payload, timeMs: sim.now(), index: sim.trace.length });
}

/** The handle `perfectLink` returned, or an error that says what it should have returned. */
function handle(value: unknown, node: Node): PerfectLinkHandle {
  if (typeof value === "object" && value !== null && typeof (value as PerfectLinkHandle).send === "function") return value as PerfectLinkHandle;
  throw new Error(`perfectLink(node "${node.id}", deliver) returned ${shortValue(value)}: it must return an object with a method send(dest, payload)`);
}

/** A message the application asked to send, from the check's point of view. */
interface Expected {
  src: string;
  payload: unknown;
}

function say(m: SentMessage): string {
  return describeMessage(m, m.send.type === "pl_data" ? ["id", "payload"] : ["id"]);
}

function endMs(events: readonly TraceEvent[]): number {
  return events.length ? events[events.length - 1].timeMs : 0;
}

/** Crashes and restarts of `node`, in words: " (receiver crashed at t=… and restarted at t=…)". */
function crashWords(events: readonly TraceEvent[], node: string, fromMs = -1, toMs = Infinity): string {
  const parts = events
    .filter((e) => (e.kind === "crash" || e.kind === "restart") && e.node === node && e.timeMs > fromMs && e.timeMs <= toMs)
    .map((e) => `${e.kind === "crash" ? "crashed" : "restarted"} at t=${formatMs(e.timeMs)}`);
  return parts.length ? ` (${node} ${parts.join(" and ")} in between)` : "";
}

/**
 * The receiver's rules: `deliver` was called exactly once for each expected message, with its
 * sender as `src` and its payload, each time after a copy of it had arrived.
 *
 * @example
 * checkDeliveries(sim.trace.events, "receiver", expected, deliveries);
 */
export function checkDeliveries(
  events: readonly TraceEvent[],
  receiver: string,
  expected: readonly Expected[],
  deliveries: readonly Delivery[],
  sent: readonly SentMessage[] = sentMessages(events),
  endAtMs = endMs(events),
): void {
  const data = sent.filter((m) => m.send.dest === receiver && m.send.type === "pl_data");
  const copiesOf = (e: Expected): SentMessage[] => data.filter((m) => m.send.src === e.src && key(m.body.payload) === key(e.payload));
  /** The copy of `e` that arrived last before trace index `index` (the one deliver was called for). */
  const causeOf = (e: Expected, index: number): SentMessage | undefined => {
    let cause: SentMessage | undefined;
    let latest = -1;
    for (const m of copiesOf(e)) {
      for (const a of m.delivered) {
        if (a.index < index && a.index > latest) [cause, latest] = [m, a.index];
      }
    }
    return cause;
  };
  const callWords = (d: Delivery): string => `deliver(${JSON.stringify(d.src)}, ${shortValue(d.payload)}) at t=${formatMs(d.timeMs)}`;

  throwEarliest(
    deliveries.map((d) => () => {
      const e = expected.find((x) => x.src === d.src && key(x.payload) === key(d.payload));
      if (e === undefined) {
        const sender = expected.find((x) => key(x.payload) === key(d.payload));
        fail(
          sender
            ? `deliver(src, payload) with src = the sender's id: ${shortValue(d.payload)} came from ${sender.src}`
            : `${receiver} to deliver only payloads that were sent to it`,
          `${receiver} called ${callWords(d)}`,
          { timeMs: d.timeMs, node: receiver, evidence: sender ? copiesOf(sender).slice(0, 3).map((m) => m.send.id) : [] },
        );
      }
      const cause = causeOf(e, d.index);
      if (cause === undefined) {
        fail(
          `${receiver} to deliver ${shortValue(d.payload)} only after a pl_data copy of it from ${d.src} arrived`,
          `${receiver} called ${callWords(d)}, before any copy arrived`,
          { timeMs: d.timeMs, node: receiver, evidence: copiesOf(e).slice(0, 3).map((m) => m.send.id) },
        );
      }
    }),
    expected.map((e) => () => {
      const mine = deliveries.filter((d) => d.src === e.src && key(d.payload) === key(e.payload));
      const copies = copiesOf(e);
      const arrivals = copies.reduce((n, m) => n + m.delivered.length, 0);
      if (mine.length === 0) {
        const id = copies[0]?.body.id;
        fail(
          `${receiver} to deliver ${e.src}'s message ${shortValue(e.payload)}${id === undefined ? "" : ` (id=${shortValue(id)})`} exactly once`,
          copies.length === 0
            ? `${e.src} never sent it`
            : `it was never delivered, though ${arrivals} ${arrivals === 1 ? "copy" : "copies"} of it arrived at ${receiver} ` +
                `(${e.src} sent it ${copies.length} times)` +
                (arrivals ? ": deliver it the first time its pair (src, id) arrives (ids are not sequential, and two senders may use the same id)" : ""),
          { timeMs: endAtMs, node: receiver, evidence: copies.slice(0, 6).map((m) => m.send.id) },
        );
      }
      if (mine.length > 1) {
        const [first, second] = mine;
        const c1 = causeOf(e, first.index);
        const c2 = causeOf(e, second.index);
        const restarted = crashWords(events, receiver, first.timeMs, second.timeMs);
        fail(
          `${receiver} to deliver ${e.src}'s message ${shortValue(e.payload)} exactly once`,
          `it called ${callWords(first)} and again ${callWords(second)}${restarted}, ` +
            (c1 === c2 ? `both for copies of ${c1 ? say(c1) : "?"}` : `first for ${c1 ? say(c1) : "?"}, then for ${c2 ? say(c2) : "?"}`) +
            ": " +
            (restarted
              ? "what the receiver remembers of delivered (src, id) pairs must survive a crash (keep it in node.storage)"
              : "a retransmission or a network duplicate carries the same (src, id) as the first copy: deliver it only once"),
          { timeMs: second.timeMs, node: receiver, evidence: Array.from(new Set([c1, c2].filter((m): m is SentMessage => m !== undefined).map((m) => m.send.id))) },
        );
      }
    }),
  );
}

/**
 * The receiver's acks: every pl_data copy from one of `senders` that reached `receiver` gets a
 * pl_ack with its id, sent back to its sender after the copy arrived.
 *
 * @example
 * checkAcks(sim.trace.events, "receiver", ["a", "b"]);
 */
export function checkAcks(events: readonly TraceEvent[], receiver: string, senders: readonly string[], sent: readonly SentMessage[] = sentMessages(events)): void {
  const acks = sent.filter((m) => m.send.src === receiver && m.send.type === "pl_ack");
  const data = sent.filter((m) => m.send.dest === receiver && m.send.type === "pl_data" && senders.includes(m.send.src));
  const groups = new Map<string, SentMessage[]>();
  for (const m of data) {
    const k = `${m.send.src} ${key(m.body.id)}`;
    groups.set(k, [...(groups.get(k) ?? []), m]);
  }
  throwEarliest(
    acks.map((ack) => () => {
      const answered = data.some((m) => m.send.src === ack.send.dest && key(m.body.id) === key(ack.body.id) && m.delivered.some((a) => a.index < ack.index));
      if (!answered) {
        fail(
          `every pl_ack from ${receiver} to carry the id of a pl_data that had arrived from its dest (send it to message.src, with message.body.id)`,
          say(ack),
          { timeMs: ack.send.timeMs, node: receiver, evidence: [ack.send.id] },
        );
      }
    }),
    Array.from(groups.values()).map((copies) => () => {
      const arrivals = copies.flatMap((m) => m.delivered.map((a) => ({ m, a }))).sort((x, y) => x.a.index - y.a.index);
      const src = copies[0].send.src;
      const id = copies[0].body.id;
      const answers = acks.filter((ack) => ack.send.dest === src && key(ack.body.id) === key(id));
      if (answers.length >= arrivals.length) return;
      // Match each arrival, in order, with the first unused ack sent after it: the first copy left without one.
      let next = 0;
      const unanswered =
        arrivals.find((x) => {
          while (next < answers.length && answers[next].index < x.a.index) next++;
          if (next === answers.length) return true;
          next++;
          return false;
        }) ?? arrivals[arrivals.length - 1];
      fail(
        `a pl_ack with id=${shortValue(id)} back to ${src} for every pl_data copy that reaches ${receiver} (an ack can be lost, and the sender retransmits until one arrives)`,
        `${arrivals.length} copies arrived, ${answers.length} ${answers.length === 1 ? "ack was" : "acks were"} sent; no ack answered ${say(unanswered.m)}`,
        { timeMs: unanswered.a.event.timeMs, node: receiver, evidence: [unanswered.m.send.id, ...answers.slice(0, 3).map((a) => a.send.id)] },
      );
    }),
  );
}

/**
 * The sender's rules against a receiver that acks every copy: every payload of `expected`
 * (from `sender` to `receiver`) went out under one id that no other payload used, a copy of it
 * arrived, and no pl_data with that id was sent after a pl_ack for it arrived at the sender.
 *
 * @example
 * checkSender(sim.trace.events, "a", "b", expected);
 */
export function checkSender(
  events: readonly TraceEvent[],
  sender: string,
  receiver: string,
  expected: readonly Expected[],
  sent: readonly SentMessage[] = sentMessages(events),
  endAtMs = endMs(events),
): void {
  const data = sent.filter((m) => m.send.src === sender && m.send.type === "pl_data");
  const acks = sent.filter((m) => m.send.src === receiver && m.send.dest === sender && m.send.type === "pl_ack");
  throwEarliest(
    data.map((m) => () => {
      const at = { timeMs: m.send.timeMs, node: sender, evidence: [m.send.id] };
      if (m.send.dest !== receiver) fail(`pl_data from ${sender} only to ${receiver}, the dest given to send()`, say(m), at);
      const id = m.body.id;
      if (typeof id !== "number" && typeof id !== "string") fail(`every pl_data to carry an id (a number or a string)`, say(m), at);
      if (!expected.some((e) => key(e.payload) === key(m.body.payload))) fail(`pl_data to carry a payload the application sent`, say(m), at);
    }),
    // One id, one payload: a reused id (a counter that restarts from 1) looks like a duplicate to the receiver.
    data.map((m) => () => {
      const first = data.find((x) => key(x.body.id) === key(m.body.id));
      if (first === undefined || key(first.body.payload) === key(m.body.payload)) return;
      fail(
        `each id to carry one payload only: ids must stay unique, also across ${sender}'s restarts (keep what you need in node.storage)`,
        `${say(first)}; later ${say(m)}${crashWords(events, sender, first.send.timeMs, m.send.timeMs)}: the receiver takes it for a copy of the first and drops it`,
        { timeMs: m.send.timeMs, node: sender, evidence: [first.send.id, m.send.id] },
      );
    }),
    expected.map((e) => () => {
      const copies = data.filter((m) => key(m.body.payload) === key(e.payload));
      const ids = Array.from(new Set(copies.map((m) => key(m.body.id))));
      if (ids.length > 1) {
        const a = copies.find((m) => key(m.body.id) === ids[0])!;
        const b = copies.find((m) => key(m.body.id) === ids[1])!;
        fail(
          `${sender} to send the payload ${shortValue(e.payload)} under one id, and to retransmit it with the same id`,
          `${say(a)}; then ${say(b)}: the receiver cannot tell that the second is a copy, and delivers it twice`,
          { timeMs: b.send.timeMs, node: sender, evidence: [a.send.id, b.send.id] },
        );
      }
      if (!copies.some((m) => m.delivered.length > 0)) {
        fail(
          `${sender}'s payload ${shortValue(e.payload)} to reach ${receiver}: retransmit until a pl_ack with its id comes back`,
          copies.length === 0
            ? `${sender} never sent it`
            : `all ${copies.length} cop${copies.length === 1 ? "y was" : "ies were"} lost (the last sent at t=${formatMs(copies[copies.length - 1].send.timeMs)}), and ${sender} sent no more`,
          { timeMs: endAtMs, node: sender, evidence: copies.slice(-4).map((m) => m.send.id) },
        );
      }
    }),
    // Stop once acked: a retransmission after the ack only loads the network.
    data.map((m) => () => {
      const ack = acks.find((a) => key(a.body.id) === key(m.body.id) && a.delivered.some((x) => x.index < m.index));
      if (ack === undefined) return;
      const first = data.find((x) => key(x.body.id) === key(m.body.id));
      if (first !== undefined && key(first.body.payload) !== key(m.body.payload)) return; // a reused id: the rule above
      fail(
        `no pl_data with id=${shortValue(m.body.id)} from ${sender} after its pl_ack arrived at t=${formatMs(ack.delivered[0].event.timeMs)} (stop retransmitting once acked)`,
        say(m),
        { timeMs: m.send.timeMs, node: sender, evidence: [ack.send.id, m.send.id] },
      );
    }),
  );
}

// ---- scenario 1: your receiver, the grader's senders ---------------------------------------------

/** A message a grader sender sends: when, with which id, how often, and whether a late copy follows. */
interface Outgoing {
  id: number | string;
  payload: unknown;
  atMs: number;
  retransmitMs: number;
  /** Delay after the ack of one more copy, or -1. */
  lateCopyMs: number;
}

interface ReceiverParams {
  receiver: string;
  senders: string[];
  bystanders: string[];
  plans: Outgoing[][];
  crashMs: number;
  restartMs: number;
}

/** An id the student cannot guess: a large random number, or a random string. */
function graderId(trial: Trial, numeric: boolean): number | string {
  return numeric ? trial.rng.int(10_000, 100_000_000) : `m-${trial.rng.int(100_000, 1_000_000).toString(36)}`;
}

function receiverParams(trial: Trial): ReceiverParams {
  const rng = trial.rng;
  const names = rng.shuffle(NAMES);
  const count = rng.int(1, 3);
  const [receiver, ...senders] = names.slice(count, count + 3);
  let n = 0;
  const numeric = rng.chance(0.5); // numbers or strings, for both senders of the trial
  const plans: Outgoing[][] = [];
  for (let s = 0; s < senders.length; s++) {
    const ids = new Set<string>();
    const plan: Outgoing[] = [];
    while (plan.length < MESSAGES_PER_SENDER) {
      // The second sender reuses two of the first one's ids: dedup by (src, id), not by id alone.
      const id = s > 0 && plan.length < 2 ? plans[0][plan.length * 2].id : graderId(trial, numeric);
      if (ids.has(key(id))) continue;
      ids.add(key(id));
      plan.push({
        id,
        payload: payload(trial, ++n),
        atMs: round(rng.uniform(0, 200)),
        retransmitMs: round(rng.uniform(40, 80)),
        lateCopyMs: rng.chance(0.5) ? round(rng.uniform(100, 600)) : -1,
      });
    }
    plans.push(plan);
  }
  const crashMs = round(rng.uniform(150, 350));
  return { receiver, senders, bystanders: names.slice(0, count), plans, crashMs, restartMs: round(crashMs + rng.uniform(100, 300)) };
}

/** The grader's senders give a message up after this many transmissions (0.36^40 ≈ 10⁻¹⁸ for a correct receiver). */
const GRADER_TRANSMISSIONS_MAX = 40;

/** The grader's sender: sends each message, retransmits it until acked, then maybe one late copy. */
function graderSender(receiver: string, plan: readonly Outgoing[], acked: Set<string>): (node: Node) => void {
  return (node) => {
    const timers = new Map<string, number>();
    const transmissions = new Map<Outgoing, number>();
    const send = (o: Outgoing): void => {
      const n = (transmissions.get(o) ?? 0) + 1;
      transmissions.set(o, n);
      if (n <= GRADER_TRANSMISSIONS_MAX) node.send(receiver, { type: "pl_data", id: o.id, payload: o.payload });
    };
    node.on("pl_ack", (m) => {
      const o = plan.find((x) => key(x.id) === key(m.body.id));
      const k = `${node.id} ${key(m.body.id)}`;
      if (o === undefined || m.src !== receiver || acked.has(k)) return;
      acked.add(k);
      node.cancelTimer(timers.get(k) ?? -1);
      if (o.lateCopyMs >= 0) node.setTimer(o.lateCopyMs, () => send(o), "a late copy");
    });
    for (const o of plan) {
      node.setTimer(
        o.atMs,
        () => {
          send(o);
          timers.set(`${node.id} ${key(o.id)}`, node.setPeriodic(o.retransmitMs, () => send(o), "retransmit"));
        },
        "send",
      );
    }
  };
}

async function receiveFromGrader(sim: Simulation, impl: PerfectLinkApi, p: ReceiverParams): Promise<void> {
  spawnBystanders(sim, p.bystanders);
  const deliveries: Delivery[] = [];
  sim.spawn(p.receiver, (node) => void impl.perfectLink(node, recorder(sim, node, deliveries)), { role: "receiver" });
  const acked = new Set<string>();
  p.senders.forEach((s, i) => sim.spawn(s, graderSender(p.receiver, p.plans[i], acked), { role: graderRole("sender") }));
  sim.at(p.crashMs, () => sim.crash(p.receiver), "the receiver crashes");
  sim.at(p.restartMs, () => void sim.restart(p.receiver), "the receiver restarts");
  const total = p.plans.reduce((n, plan) => n + plan.length, 0);
  await sim.runUntil(() => acked.size === total && sim.now() > p.restartMs, { withinMs: WITHIN_MS, throwOnTimeout: false });
  await sim.runFor(PAST_MS); // late copies arrive now: none may be delivered again
  const events = sim.trace.events;
  const sent = sentMessages(events);
  const expected = p.senders.flatMap((src, i) => p.plans[i].map((o) => ({ src, payload: o.payload })));
  throwEarliest(
    () => checkDeliveries(events, p.receiver, expected, deliveries, sent, sim.now()),
    () => checkAcks(events, p.receiver, p.senders, sent),
  );
}

// ---- scenario 2: your sender, the grader's receiver ----------------------------------------------

interface SenderParams {
  sender: string;
  receiver: string;
  bystanders: string[];
  /** Two batches of [payload, send time after the batch starts]. */
  batches: Array<Array<[unknown, number]>>;
  /** Down time of the sender between the batches. */
  downMs: number;
}

function senderParams(trial: Trial): SenderParams {
  const rng = trial.rng;
  const names = rng.shuffle(NAMES);
  const count = rng.int(1, 3);
  let n = 0;
  const batch = (): Array<[unknown, number]> =>
    Array.from({ length: rng.int(3, MESSAGES_PER_SENDER + 1) }, () => [payload(trial, ++n), round(rng.uniform(0, 150))] as [unknown, number]);
  return { sender: names[count], receiver: names[count + 1], bystanders: names.slice(0, count), batches: [batch(), batch()], downMs: round(rng.uniform(50, 200)) };
}

/** The grader's receiver: acks every copy after 0–40 ms (sometimes twice); `ackIds` maps each ack's msg_id to its id. */
function graderReceiver(ackIds: Map<number, string>): (node: Node) => void {
  return (node) => {
    node.on("pl_data", (m) => {
      const ack = (): void => void ackIds.set(node.reply(m, { type: "pl_ack", id: m.body.id }), key(m.body.id));
      node.setTimer(node.rng.uniform(0, 40), ack, "ack");
      if (node.rng.chance(0.3)) node.setTimer(node.rng.uniform(0, 60), ack, "ack again");
    });
  };
}

async function sendToGrader(sim: Simulation, impl: PerfectLinkApi, p: SenderParams): Promise<void> {
  spawnBystanders(sim, p.bystanders);
  const ackIds = new Map<number, string>();
  sim.spawn(p.receiver, graderReceiver(ackIds), { role: graderRole("receiver") });
  let link: PerfectLinkHandle | undefined;
  const strays: Delivery[] = [];
  sim.spawn(p.sender, (node) => void (link = handle(impl.perfectLink(node, recorder(sim, node, strays)), node)), { role: "sender" });
  const expected: Expected[] = [];
  /** Ids (as keys) acked at the sender so far, and the id each payload went out under, found by scanning the trace as it grows. */
  const ackedAtSender = new Set<string>();
  const batchKeys = p.batches.map((batch) => batch.map(([payload]) => key(payload)));
  const idOfPayload = new Map<string, string>();
  let scanned = 0;
  const allAcked = (batch: number): boolean => {
    const events = sim.trace.events;
    for (; scanned < events.length; scanned++) {
      const e = events[scanned];
      if (e.kind === "deliver" && e.dest === p.sender && e.type === "pl_ack" && e.msgId !== undefined) ackedAtSender.add(ackIds.get(e.msgId) ?? "");
      if (e.kind === "send" && e.src === p.sender && e.type === "pl_data") {
        const body = JSON.parse(e.json) as Record<string, unknown>;
        if (!idOfPayload.has(key(body.payload))) idOfPayload.set(key(body.payload), key(body.id));
      }
    }
    return batchKeys[batch].every((k) => ackedAtSender.has(idOfPayload.get(k) ?? "?"));
  };
  for (let b = 0; b < p.batches.length; b++) {
    const startMs = sim.now();
    for (const [payload, atMs] of p.batches[b]) {
      expected.push({ src: p.sender, payload });
      sim.at(startMs + atMs, () => link?.send(p.receiver, payload), `the application sends batch ${b + 1}`);
    }
    await sim.runFor(150);
    const result = await sim.runUntil(() => allAcked(b), { withinMs: WITHIN_MS, throwOnTimeout: false });
    if (result.stoppedBy !== "predicate") break;
    await sim.runFor(200); // every message of the batch is acked: nothing more to send
    if (b === 0) {
      sim.crash(p.sender); // between batches: the next incarnation must not reuse an id
      await sim.runFor(p.downMs);
      sim.restart(p.sender);
    }
  }
  await sim.runFor(PAST_MS);
  checkSender(sim.trace.events, p.sender, p.receiver, expected, sentMessages(sim.trace.events), sim.now());
}

// ---- scenario 3: your pair -----------------------------------------------------------------------

interface PairParams {
  receiver: string;
  senders: string[];
  bystanders: string[];
  /** Per sender: [payload, send time]. */
  sends: Array<Array<[unknown, number]>>;
  crashMs: number;
  restartMs: number;
}

function pairParams(trial: Trial): PairParams {
  const rng = trial.rng;
  const names = rng.shuffle(NAMES);
  const count = rng.int(1, 3);
  const [receiver, ...senders] = names.slice(count, count + 3);
  let n = 0;
  const sends = senders.map(() =>
    Array.from({ length: rng.int(3, MESSAGES_PER_SENDER + 1) }, () => [payload(trial, ++n), round(rng.uniform(0, 300))] as [unknown, number]),
  );
  const crashMs = round(rng.uniform(150, 350));
  return { receiver, senders, bystanders: names.slice(0, count), sends, crashMs, restartMs: round(crashMs + rng.uniform(100, 300)) };
}

async function pairUp(sim: Simulation, impl: PerfectLinkApi, p: PairParams): Promise<void> {
  spawnBystanders(sim, p.bystanders);
  const deliveries: Delivery[] = [];
  sim.spawn(p.receiver, (node) => void impl.perfectLink(node, recorder(sim, node, deliveries)), { role: "receiver" });
  const links = new Map<string, PerfectLinkHandle>();
  const strays: Delivery[] = []; // nothing is sent to a sender
  for (const s of p.senders) sim.spawn(s, (node) => void links.set(s, handle(impl.perfectLink(node, recorder(sim, node, strays)), node)), { role: "sender" });
  p.senders.forEach((s, i) => {
    for (const [payload, atMs] of p.sends[i]) sim.at(atMs, () => links.get(s)?.send(p.receiver, payload), `${s}'s application sends`);
  });
  sim.at(p.crashMs, () => sim.crash(p.receiver), "the receiver crashes");
  sim.at(p.restartMs, () => void sim.restart(p.receiver), "the receiver restarts");
  const expected = p.senders.flatMap((src, i) => p.sends[i].map(([payload]) => ({ src, payload })));
  await sim.runUntil(() => deliveries.length >= expected.length && sim.now() > p.restartMs, { withinMs: WITHIN_MS, throwOnTimeout: false });
  await sim.runFor(PAST_MS);
  const events = sim.trace.events;
  const sent = sentMessages(events);
  throwEarliest(
    () => checkDeliveries(events, p.receiver, expected, deliveries, sent, sim.now()),
    p.senders.map((s, i) => () =>
      checkSender(
        events,
        s,
        p.receiver,
        p.sends[i].map(([payload]) => ({ src: s, payload })),
        sent,
        sim.now(),
      ),
    ),
  );
}

/**
 * Grade a perfect link with one seed: {@link TRIALS} trials of each scenario.
 *
 * @example
 * await checkPerfectLink(await import("../../../solutions/01-why-distributed/perfect-link"), 7); // { status: "pass", … }
 */
export function checkPerfectLink(impl: PerfectLinkApi, seed: number): Promise<CheckResult> {
  const receiver: Scenario<PerfectLinkApi, ReceiverParams> = {
    name: (p) =>
      `your receiver "${p.receiver}" with the grader's senders ${quote(p.senders)} (${MESSAGES_PER_SENDER} messages each, ids you cannot guess, ` +
      `retransmitted until acked, some with a late copy); "${p.receiver}" crashes at t=${formatMs(p.crashMs)} and restarts at t=${formatMs(p.restartMs)}; ` +
      `bystanders ${quote(p.bystanders)} spawned first; ${NETWORK_WORDS}`,
    trials: TRIALS,
    params: receiverParams,
    simulation: { network: NETWORK },
    lanes: (p) => [p.receiver, ...p.senders],
    run: receiveFromGrader,
  };
  const sender: Scenario<PerfectLinkApi, SenderParams> = {
    name: (p) =>
      `your sender "${p.sender}" with the grader's receiver "${p.receiver}" (acks every copy after 0–40 ms, some twice): ` +
      `${p.batches[0].length} messages, then a crash and restart of "${p.sender}", then ${p.batches[1].length} more; ` +
      `bystanders ${quote(p.bystanders)} spawned first; ${NETWORK_WORDS}`,
    trials: TRIALS,
    params: senderParams,
    simulation: { network: NETWORK },
    lanes: (p) => [p.sender, p.receiver],
    run: sendToGrader,
  };
  const pair: Scenario<PerfectLinkApi, PairParams> = {
    name: (p) =>
      `your senders ${quote(p.senders)} and your receiver "${p.receiver}" (${p.sends.map((s) => s.length).join(" and ")} messages); ` +
      `"${p.receiver}" crashes at t=${formatMs(p.crashMs)} and restarts at t=${formatMs(p.restartMs)}; bystanders ${quote(p.bystanders)} spawned first; ${NETWORK_WORDS}`,
    trials: TRIALS,
    params: pairParams,
    simulation: { network: NETWORK },
    lanes: (p) => [p.receiver, ...p.senders],
    run: pairUp,
  };
  return runScenarios(impl, seed, [receiver, sender, pair], { functions: ["perfectLink"], exercise: "01.1 perfect-link" });
}
