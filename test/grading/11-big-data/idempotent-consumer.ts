/**
 * Grader of exercise 11.3 (an idempotent consumer of an at-least-once log). Each trial: the
 * library's broker (`logBroker` of lib/log, one node, the topic with 1–3 partitions), the grader's
 * producer, the student's consumer, a grader client, bystanders first; names drawn per trial; 5%
 * loss, 5% duplication, latency 2–12 ms.
 *
 * The producer writes 24–40 events `{ eventId, account, amount }` one after another with
 * `node.rpc` and retries (a lost produce_ok makes a duplicate record), and retries some events
 * again later on purpose (the same eventId 2–12 records further on). While a crash is armed the
 * grader steps the run one event at a time, and crashes the consumer at seeded points of three kinds:
 * - "during a poll": a fetch has just reached the broker (its fetch_ok is lost with the crash);
 * - "between processing and commit": a fetch_ok with records has just been handled by the
 *   consumer's code; everything the consumer sent in that same step is dropped (rule "died with
 *   the crash"), as if the process died before it left;
 * - "right after commit": a commit_offset that moves the group forward has just reached the broker
 *   (the broker stored it; the commit_offset_ok is lost with the crash).
 * Each crash is followed by a restart 10–60 ms later.
 *
 * Checks: within LIVENESS_MS after the producer's last record the group's committed offset equals
 * the high watermark; then every account's balance (read_balance) equals the sum over its distinct
 * events, and `processed()` their number; then once more after a crash and restart with the broker
 * cut off, when only the node's storage can answer. Amounts are powers of ten per account (event k
 * of an account has amount 10^k), so each decimal digit of a balance says how many times one event
 * was applied: a failure names the event applied twice or never, and the crash that caused it.
 */
import { logBroker, type LogBrokerHandle } from "../../../lib/log/index";
import { latency } from "../../../lib/net";
import type { Node } from "../../../lib/node";
import { formatMs, type Prng } from "../../../lib/sim";
import type { SendEvent } from "../../../lib/trace";
import {
  describeMessage,
  ensure,
  fail,
  graderRole,
  runScenarios,
  sentMessages,
  settle,
  spawnBystanders,
  type CheckResult,
  type Scenario,
  type SentMessage,
} from "../index";
import type { AccountEvent, IdempotentConsumer, IdempotentConsumerOptions } from "../../../exercises/11-big-data/idempotent-consumer";

/** The module under test. */
export interface IdempotentConsumerApi {
  idempotentConsumer(node: Node, options: IdempotentConsumerOptions): IdempotentConsumer;
}

type Implements<T extends IdempotentConsumerApi> = T;
export type StubImplementsIdempotentConsumer = Implements<typeof import("../../../exercises/11-big-data/idempotent-consumer")>;
export type SolutionImplementsIdempotentConsumer = Implements<typeof import("../../../solutions/11-big-data/idempotent-consumer")>;

/** Trials per seed (× 5 seeds = 135). */
export const TRIALS = 27;
/** Message loss and duplication probability. */
export const LOSS = 0.05;
export const DUPLICATION = 0.05;
/** After the producer's last record, the committed offset must reach the high watermark within this. */
export const LIVENESS_MS = 3000;

/** Where in the consumer's cycle the grader crashes it. */
export type CrashKind = "poll" | "processed" | "committed";

/** The words a failure uses for each kind of crash. */
export const CRASH_WORDS: Readonly<Record<CrashKind | "final", string>> = {
  poll: "during a poll",
  processed: "between processing and commit",
  committed: "right after commit",
  final: "the grader's last crash, to read the storage",
};

/** What the trials met, for the meta tests. */
export interface IdempotentConsumerStats {
  trials: number;
  events: number;
  /** Records in the logs beyond one per event: the producer's duplicates. */
  producerDuplicates: number;
  /** Crashes by kind (the final storage check not counted). */
  crashesPoll: number;
  crashesProcessed: number;
  crashesCommitted: number;
  /** Records the consumer received again after a crash (same offset, a later incarnation). */
  redelivered: number;
  /** Events whose duplicate records reached the consumer in different incarnations. */
  duplicatesAcrossCrash: number;
  /** The longest time from the producer's last record to committed = high watermark. */
  caughtUpMsMax: number;
}

interface CrashPlan {
  kind: CrashKind;
  /** The crash waits for its trigger from this virtual time on. */
  afterMs: number;
  downMs: number;
}

interface Params {
  broker: string;
  consumer: string;
  producer: string;
  client: string;
  bystanders: string[];
  topic: string;
  partition: number;
  partitions: number;
  group: string;
  pollMaxRecords: number;
  accounts: string[];
  /** Distinct events. */
  events: AccountEvent[];
  /** What the producer writes, in order (some events twice). */
  plan: AccountEvent[];
  gapsMs: number[];
  crashes: CrashPlan[];
}

/** A record as a fetch_ok carries it. */
interface FetchedRecord {
  offset: number;
  key: string;
  value: unknown;
}

function distinctNames(rng: Prng, prefixes: readonly string[], count: number, taken: Set<string>): string[] {
  const out: string[] = [];
  while (out.length < count) {
    const name = `${rng.pick(prefixes)}${rng.int(1, 100)}`;
    if (!taken.has(name)) (taken.add(name), out.push(name));
  }
  return out;
}

function drawParams(rng: Prng): Params {
  const taken = new Set<string>();
  const [broker] = distinctNames(rng, ["broker-", "kafka-", "log-"], 1, taken);
  const [consumer] = distinctNames(rng, ["consumer-", "c", "ledger-"], 1, taken);
  const [producer] = distinctNames(rng, ["producer-", "p"], 1, taken);
  const [client] = distinctNames(rng, ["client-", "teller-"], 1, taken);
  const bystanders = distinctNames(rng, ["x", "node-"], 2, taken);
  const eventCount = rng.int(24, 41);
  const accountCount = rng.int(Math.max(3, Math.ceil(eventCount / 10)), 7);
  const accounts = rng.shuffle(["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "acct-17", "acct-42"]).slice(0, accountCount);
  const idPrefix = rng.pick(["ev-", "tx-", "pay-", "e"]);
  const ids = new Set<string>();
  while (ids.size < eventCount) ids.add(`${idPrefix}${rng.int(100, 10_000)}`);
  // Round-robin over the accounts: each has at most 14 events, amounts up to 10^13 (exact in a double).
  const perAccount = new Map<string, number>();
  const events = Array.from(ids).map((eventId, i) => {
    const account = accounts[i % accounts.length];
    const k = perAccount.get(account) ?? 0;
    perAccount.set(account, k + 1);
    return { eventId, account, amount: 10 ** k };
  });
  const shuffled = rng.shuffle(events);
  const plan: AccountEvent[] = [...shuffled];
  const retried = shuffled.filter(() => rng.chance(0.2));
  if (retried.length < 2) retried.push(shuffled[0], shuffled[1]);
  for (const e of retried) {
    const at = plan.indexOf(e) + rng.int(2, 13);
    plan.splice(Math.min(at, plan.length), 0, e);
  }
  const gapsMs = plan.map(() => rng.int(2, 13));
  const productionMs = gapsMs.reduce((a, b) => a + b, 0) + plan.length * 12;
  const crashCount = rng.int(3, 6);
  const kinds: CrashKind[] = rng.shuffle(["processed", "committed", ...Array.from({ length: crashCount - 2 }, () => rng.pick<CrashKind>(["poll", "processed", "committed"]))]);
  const slot = (productionMs * 0.85) / crashCount;
  const crashes = kinds.map((kind, i) => ({ kind, afterMs: Math.round(30 + i * slot + rng.int(0, Math.max(1, Math.floor(slot / 3)))), downMs: rng.int(10, 61) }));
  const partitions = rng.int(1, 4);
  return {
    broker,
    consumer,
    producer,
    client,
    bystanders,
    topic: rng.pick(["payments", "ledger", "transfers"]),
    partition: rng.int(0, partitions),
    partitions,
    group: `${rng.pick(["balances", "ledger-view", "accounts"])}-${rng.int(1, 100)}`,
    pollMaxRecords: rng.int(2, 9),
    accounts,
    events,
    plan,
    gapsMs,
    crashes,
  };
}

const ms = (t: number): string => formatMs(Math.round(t * 1000) / 1000);

/** One record the consumer received: which event, at which offset, in which incarnation. */
interface Receipt {
  eventId: string;
  offset: number;
  timeMs: number;
  /** 1 for the first run, +1 after each crash. */
  incarnation: number;
  message: SentMessage;
}

/** How two records of one event reached the consumer. */
type Situation = "retry-in-run" | "redelivery" | "retry-across-crash";

interface CrashRecord {
  kind: CrashKind | "final";
  timeMs: number;
  /** The incarnation the crash ended. */
  incarnation: number;
}

let currentStats: IdempotentConsumerStats | undefined;

const scenario: Scenario<IdempotentConsumerApi, Params> = {
  name: (p) =>
    `${p.producer} writes ${p.events.length} events over ${p.accounts.length} accounts (${p.plan.length} records with its retries) to ${p.broker}'s ` +
    `"${p.topic}" partition ${p.partition}; your ${p.consumer} (group "${p.group}", pollMaxRecords ${p.pollMaxRecords}) is crashed ` +
    `${p.crashes.map((c) => CRASH_WORDS[c.kind]).join(", ")}; ${LOSS * 100}% loss, ${DUPLICATION * 100}% duplication`,
  trials: TRIALS,
  params: (trial) => drawParams(trial.rng),
  simulation: { network: { latency: latency.uniform(2, 12), ordering: "unordered", lossProbability: LOSS, duplicationProbability: DUPLICATION } },
  lanes: (p) => [p.producer, p.broker, p.consumer, p.client],
  async run(sim, impl, p) {
    const stats = currentStats;
    if (stats) (stats.trials++, (stats.events += p.events.length));
    spawnBystanders(sim, p.bystanders);
    let broker: LogBrokerHandle | undefined;
    sim.spawn(p.broker, (node) => void (broker = logBroker(node, { topics: [{ name: p.topic, partitions: p.partitions }] })), { role: graderRole("broker") });
    const options: IdempotentConsumerOptions = { broker: p.broker, topic: p.topic, partition: p.partition, group: p.group, pollMaxRecords: p.pollMaxRecords };
    let handle: IdempotentConsumer | undefined;
    sim.spawn(p.consumer, (node) => {
      handle = undefined;
      handle = impl.idempotentConsumer(node, options);
    });
    const client = sim.spawn(p.client, () => {}, { role: graderRole("client") });
    let producedAtMs: number | undefined;
    sim.spawn(
      p.producer,
      async (node) => {
        for (let i = 0; i < p.plan.length; i++) {
          await node.sleep(p.gapsMs[i]);
          const e = p.plan[i];
          await node.rpc(p.broker, { type: "produce", topic: p.topic, partition: p.partition, key: e.account, value: { ...e } }, { timeoutMs: 30, retries: 60 });
        }
        producedAtMs = node.now();
      },
      { role: graderRole("producer") },
    );
    let dying = false;
    sim.addRule({ name: "died with the crash", match: { src: p.consumer, where: () => dying }, action: "drop" });

    const highWatermark = (): number => broker!.log(p.topic, p.partition).highWatermark;
    const committed = (): number => broker!.committed(p.group, p.topic, p.partition);
    const crashes: CrashRecord[] = [];
    let incarnation = 1;
    let nextCrash = 0;
    const crash = (kind: CrashKind | "final"): void => {
      sim.crash(p.consumer);
      crashes.push({ kind, timeMs: sim.now(), incarnation });
      incarnation++;
      if (stats && kind !== "final") stats[kind === "poll" ? "crashesPoll" : kind === "processed" ? "crashesProcessed" : "crashesCommitted"]++;
    };
    /** The body of the message a pending delivery carries (looked up by its route, type and msg_id). */
    const bodyOf = (src: string, dest: string, type: string, msgId: number): Record<string, unknown> | undefined => {
      const events = sim.trace.events;
      for (let i = events.length - 1; i >= 0; i--) {
        const e = events[i];
        if (e.kind === "send" && e.src === src && e.dest === dest && e.type === type && e.msgId === msgId) return JSON.parse((e as SendEvent).json);
      }
      return undefined;
    };
    /** Which armed crash the next event triggers, if any. */
    const trigger = (): CrashKind | undefined => {
      const plan = p.crashes[nextCrash];
      const next = sim.pending()[0];
      if (plan === undefined || next === undefined || next.kind !== "deliver" || next.timeMs < plan.afterMs || !sim.isUp(p.consumer)) return undefined;
      if (next.description.endsWith("(duplicate)")) return undefined;
      const match = /^(\S+) → (\S+) (\w+)(?: #(\d+))?/.exec(next.description);
      if (!match) return undefined;
      const [, src, dest, type, id] = match;
      const msgId = id === undefined ? NaN : Number(id);
      if (plan.kind === "poll" && src === p.consumer && dest === p.broker && type === "fetch") return "poll";
      if (plan.kind === "processed" && src === p.broker && dest === p.consumer && type === "fetch_ok") {
        const records = bodyOf(src, dest, type, msgId)?.records;
        return Array.isArray(records) && records.length > 0 ? "processed" : undefined;
      }
      if (plan.kind === "committed" && src === p.consumer && dest === p.broker && type === "commit_offset") {
        const offset = bodyOf(src, dest, type, msgId)?.offset;
        return typeof offset === "number" && offset > committed() && offset <= highWatermark() ? "committed" : undefined;
      }
      return undefined;
    };
    /** Step the run until `done()` or virtual time `untilMs`, crashing the consumer where the plan says. */
    const stepUntil = async (done: () => boolean, untilMs: number, crashing: boolean): Promise<void> => {
      const armed = (): boolean => crashing && nextCrash < p.crashes.length && sim.isUp(p.consumer) && sim.now() >= p.crashes[nextCrash].afterMs;
      while (!done()) {
        if (!armed()) {
          // Nothing to watch for: run in one go up to the next armed crash (the queue is looked at only while one is armed).
          await sim.runUntil(() => done() || armed(), { withinMs: Math.max(0, untilMs - sim.now()), throwOnTimeout: false });
          if (done() || sim.now() >= untilMs || !armed()) return;
        }
        const next = sim.pending()[0];
        if (next === undefined || next.timeMs > untilMs) {
          await sim.runUntilTime(untilMs);
          return;
        }
        const kind = crashing ? trigger() : undefined;
        dying = kind === "processed";
        await sim.step();
        dying = false;
        if (kind === undefined) continue;
        crash(kind);
        const down = p.crashes[nextCrash++].downMs;
        sim.after(down, () => sim.restart(p.consumer), `restart ${p.consumer}`);
      }
    };

    // Production, with crashes.
    await stepUntil(() => producedAtMs !== undefined, 20_000, true);
    ensure(producedAtMs !== undefined, "the grader's producer to finish", `it had not at t=${ms(sim.now())}`);
    // Liveness: read to the end (crashes still pending are dropped).
    const deadline = producedAtMs + LIVENESS_MS;
    await stepUntil(() => sim.isUp(p.consumer) && committed() === highWatermark(), deadline, false);
    const commits = sentMessages(sim.trace.events, (s) => s.src === p.consumer && s.type === "commit_offset");
    const lastCommit = commits[commits.length - 1];
    ensure(
      committed() === highWatermark(),
      () => `${p.consumer} to read to the end: group "${p.group}"'s committed offset to reach the high watermark ${highWatermark()} within ${LIVENESS_MS} ms after the producer's last record (t=${ms(producedAtMs!)}), i.e. by t=${ms(deadline)}`,
      () =>
        `the committed offset is ${committed()} at t=${ms(sim.now())}; ${lastCommit ? `the last commit_offset was ${describeMessage(lastCommit, ["offset"])}` : "no commit_offset was ever sent"}` +
        (p.partition !== 0 ? ` (the partition is ${p.partition}, not 0)` : ""),
      { timeMs: deadline, node: p.consumer, evidence: lastCommit ? [lastCommit.send.id] : [] },
    );
    if (stats) stats.caughtUpMsMax = Math.max(stats.caughtUpMsMax, sim.now() - producedAtMs);
    await stepUntil(() => false, sim.now() + 200, false); // run past settle

    const log = broker!.log(p.topic, p.partition).read(0, Number.MAX_SAFE_INTEGER);
    // What the consumer received, per event, for the explanations.
    const byId = new Map(p.events.map((e) => [e.eventId, e]));
    const receipts = new Map<string, Receipt[]>();
    const crashEvents = sim.trace.events.map((e, i) => [e, i] as const).filter(([e]) => e.kind === "crash" && e.node === p.consumer).map(([, i]) => i);
    for (const m of sentMessages(sim.trace.events, (s) => s.src === p.broker && s.dest === p.consumer && s.type === "fetch_ok")) {
      const first = m.delivered[0];
      if (first === undefined) continue;
      const inc = 1 + crashEvents.filter((i) => i < first.index).length;
      for (const r of m.body.records as FetchedRecord[]) {
        const id = (r.value as AccountEvent).eventId;
        receipts.set(id, [...(receipts.get(id) ?? []), { eventId: id, offset: r.offset, timeMs: first.event.timeMs, incarnation: inc, message: m }]);
      }
    }
    if (stats) {
      stats.producerDuplicates += log.length - p.events.length;
      for (const list of receipts.values()) {
        const seen = new Map<number, number>();
        for (const r of list) {
          const inc = seen.get(r.offset);
          if (inc !== undefined && inc < r.incarnation) stats.redelivered++;
          if (inc === undefined) seen.set(r.offset, r.incarnation);
        }
        if (list.some((a) => list.some((b) => a.offset !== b.offset && a.incarnation !== b.incarnation))) stats.duplicatesAcrossCrash++;
      }
    }
    const inLog = new Set(log.map((r) => (r.value as AccountEvent).eventId));
    ensure(inLog.size === p.events.length, "every planned event in the log", `${inLog.size} of ${p.events.length}`);

    /**
     * Read every balance, then check them all (the mistake whose cause came first is reported),
     * then processed(); `when` says which reading this is.
     */
    const checkBalances = async (when: string): Promise<void> => {
      const readings: Array<{ account: string; events: AccountEvent[]; expectedBalance: number; balance: unknown }> = [];
      for (const account of p.accounts) {
        const events = p.events.filter((e) => e.account === account).sort((a, b) => a.amount - b.amount);
        const expectedBalance = events.reduce((n, e) => n + e.amount, 0);
        const askedAt = sim.now();
        const call = await settle(sim, client.rpc(p.consumer, { type: "read_balance", account }, { timeoutMs: 40, retries: 30 }), { withinMs: 3000 });
        if (call.status !== "fulfilled") fail(expectation(account, events, when), `no read_balance_ok from ${p.consumer} (asked at t=${ms(askedAt)})`, { timeMs: askedAt, node: p.consumer });
        readings.push({ account, events, expectedBalance, balance: call.value.body.balance });
      }
      // How often each event was applied, where the balance tells (its decimal digits).
      const applied = new Map<string, number>();
      for (const r of readings) {
        const c = counts(r.balance, r.events);
        if (c) r.events.forEach((e, k) => applied.set(e.eventId, c[k]));
      }
      const handled = handledSituations(applied);
      const wrong = readings
        .filter((r) => r.balance !== r.expectedBalance)
        .map((r) => {
          const c = counts(r.balance, r.events);
          const stories = c === undefined ? [] : r.events.flatMap((e, k) => (c[k] === 1 ? [] : [story(e, c[k], handled)]));
          stories.sort((a, b) => a.timeMs - b.timeMs);
          const a = stories[0];
          return {
            expected: expectation(r.account, r.events, when),
            got: `read_balance_ok balance=${JSON.stringify(r.balance)}${a ? ` — ${a.text}` : " (no mix of its events applied 0–9 times each gives it)"}`,
            at: { timeMs: a?.timeMs ?? sim.now(), node: p.consumer, evidence: a?.evidence ?? [] },
          };
        });
      wrong.sort((a, b) => a.at.timeMs - b.at.timeMs);
      if (wrong.length > 0) fail(wrong[0].expected, wrong[0].got, wrong[0].at);
      const processed = handle?.processed();
      ensure(processed === p.events.length, `processed() ${when} to be ${p.events.length}, the number of distinct events`, () => `${JSON.stringify(processed)}`, { timeMs: sim.now(), node: p.consumer });
    };
    const expectation = (account: string, events: AccountEvent[], when: string): string =>
      `read_balance "${account}" ${when} to return ${events.reduce((n, e) => n + e.amount, 0)}, the sum over its ${events.length} distinct events (amounts ${events.map((e) => e.amount).join(", ")})`;

    /** The kind of a pair of receipts of one event: in one run at two offsets, or across a crash at one offset or two. */
    const situation = (a: Receipt, b: Receipt): Situation | undefined =>
      a.incarnation === b.incarnation ? (a.offset === b.offset ? undefined : "retry-in-run") : a.offset === b.offset ? "redelivery" : "retry-across-crash";
    /**
     * The situations the consumer handled at least once: an event applied exactly once although
     * a pair of its records of that kind reached the consumer. A mistake is then explained by a
     * situation it did NOT handle (an in-memory dedupe handles a retry within one run, not across a crash).
     */
    const handledSituations = (applied: ReadonlyMap<string, number>): Set<Situation> => {
      const handled = new Set<Situation>();
      for (const [id, n] of applied) {
        if (n !== 1) continue;
        const got = receipts.get(id) ?? [];
        for (let i = 0; i < got.length; i++) for (let j = i + 1; j < got.length; j++) {
          const kind = situation(got[i], got[j]);
          if (kind) handled.add(kind);
        }
      }
      return handled;
    };

    /** The counts of each event's applications, from the decimal digits of a balance (event k has amount 10^k). */
    const counts = (balance: unknown, events: AccountEvent[]): number[] | undefined => {
      if (typeof balance !== "number" || !Number.isInteger(balance) || balance < 0) return undefined;
      const digits = String(balance).split("").reverse().map(Number);
      if (digits.length > events.length) return undefined;
      return events.map((_, k) => digits[k] ?? 0);
    };
    const crashAfter = (timeMs: number, inc: number): CrashRecord | undefined => crashes.find((c) => c.incarnation === inc && c.timeMs >= timeMs);
    const story = (e: AccountEvent, count: number, handled: ReadonlySet<Situation>): { text: string; timeMs: number; evidence: number[] } => {
      const got = receipts.get(e.eventId) ?? [];
      const offsets = log.filter((r) => (r.value as AccountEvent).eventId === e.eventId).map((r) => r.offset);
      const head = `event "${e.eventId}" (amount ${e.amount}) ${count === 0 ? "is missing from it (applied 0 times)" : count === 2 ? "was applied twice" : `was applied ${count} times`}`;
      if (count === 0) {
        const last = got[got.length - 1];
        if (last === undefined) return { text: `${head}: its record${offsets.length > 1 ? "s at offsets" : " at offset"} ${offsets.join(", ")} never reached ${p.consumer}`, timeMs: sim.now(), evidence: [] };
        const c = crashAfter(last.timeMs, last.incarnation);
        const commit = sentMessages(sim.trace.events, (s) => s.src === p.consumer && s.type === "commit_offset").find(
          (m) => m.send.timeMs >= last.timeMs && m.delivered.length > 0 && Number(m.body.offset) > last.offset,
        );
        const committedText = commit ? `; ${describeMessage(commit, ["offset"])} moved the group past it` : "";
        const nothingStored = sim.node(p.consumer).storage.writes === 0 ? ` (${p.consumer} never wrote to node.storage: only the storage survives a crash)` : "";
        const crashText = c
          ? `, and ${p.consumer} crashed at t=${ms(c.timeMs)} (${CRASH_WORDS[c.kind]}): after its restart the balance does not have it${nothingStored}` +
            (c.kind === "final" ? ` — keep the balances in node.storage: a restarted node must answer from it at once, without the broker` : ` — commit only offsets whose records are applied and on disk`)
          : ", and it was never applied";
        return {
          text: `${head}: its record at offset ${last.offset} reached ${p.consumer} in ${describeMessage(last.message, [])}${committedText}${crashText}`,
          timeMs: c?.timeMs ?? last.timeMs,
          evidence: [last.message.send.id, ...(commit ? [commit.send.id] : [])],
        };
      }
      // The first pair of its receipts of a kind the consumer did not handle elsewhere (else the first pair).
      const pairs: Array<[Receipt, Receipt]> = [];
      for (let i = 0; i < got.length; i++) for (let j = i + 1; j < got.length; j++) if (situation(got[i], got[j])) pairs.push([got[i], got[j]]);
      const pair = pairs.find(([a, b]) => !handled.has(situation(a, b)!)) ?? pairs[0];
      if (pair !== undefined && pair[0].incarnation !== pair[1].incarnation) {
        const [a, b] = pair;
        const c = crashAfter(a.timeMs, a.incarnation)!;
        const retry = b.offset !== a.offset;
        const again = retry ? `the producer's retry of it, at offset ${b.offset}, came` : `the same record came again`;
        return {
          text:
            `${head}: its record at offset ${a.offset} reached ${p.consumer} at t=${ms(a.timeMs)}, ${p.consumer} crashed at t=${ms(c.timeMs)} (${CRASH_WORDS[c.kind]}) and after its restart ${again} at t=${ms(b.timeMs)}` +
            ` — keep the applied eventIds on disk, written in the same step as the balances${retry ? " (an offset does not identify a retried event)" : ""}`,
          timeMs: b.timeMs,
          evidence: [a.message.send.id, b.message.send.id],
        };
      }
      if (pair !== undefined) {
        const [a, b] = pair;
        return {
          text:
            `${head}: its records at offsets ${a.offset} and ${b.offset} (the producer wrote it twice) both reached ${p.consumer}, ` +
            `${a.message === b.message ? `in one fetch_ok at t=${ms(a.timeMs)}` : `at t=${ms(a.timeMs)} and t=${ms(b.timeMs)}, with no crash between`} — dedupe by eventId, not by offset`,
          timeMs: b.timeMs,
          evidence: [a.message.send.id, b.message.send.id],
        };
      }
      return { text: `${head}: its record${offsets.length > 1 ? "s at offsets" : " at offset"} ${offsets.join(", ")} reached ${p.consumer} ${got.length} time(s)`, timeMs: got[0]?.timeMs ?? sim.now(), evidence: [] };
    };
    await checkBalances(`after the consumer caught up (t=${ms(sim.now())})`);

    // Once more after a crash, with the broker cut off: only the node's storage can answer.
    crash("final");
    sim.cut(p.consumer, p.broker);
    sim.cut(p.broker, p.consumer);
    await sim.runFor(20);
    sim.restart(p.consumer);
    await sim.runFor(5);
    await checkBalances(`after a crash and restart at t=${ms(sim.now() - 5)} with ${p.broker} cut off (only node.storage can answer)`);
    sim.heal();
    await sim.runFor(100);
  },
};

/**
 * Grade an implementation of 11.3 with one seed: 27 trials of a producer with retries, a consumer
 * crashed at seeded points, and the balances read at the end and again from storage.
 *
 * @example
 * const result = await checkIdempotentConsumer(await loadModule("solutions/11-big-data/idempotent-consumer"), 7);
 */
export async function checkIdempotentConsumer(impl: IdempotentConsumerApi, seed: number, stats?: IdempotentConsumerStats): Promise<CheckResult> {
  currentStats = stats;
  try {
    return await runScenarios(impl, seed, [scenario], { functions: ["idempotentConsumer"], exercise: "11.3 idempotent-consumer" });
  } finally {
    currentStats = undefined;
  }
}
