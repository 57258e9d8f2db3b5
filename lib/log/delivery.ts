// Delivery semantics under crashes (lecture 002, streams; Kafka's "message delivery semantics"):
// a producer writes payment events to a one-partition topic, a consumer applies each event's effect
// to an outside store (a database that outlives the consumer), and the consumer crashes on a
// schedule. Where it commits its position decides what a crash does:
// - at-most-once: commit, then process — a crash after the commit loses the rest of the batch;
// - at-least-once: process, then commit — a crash before the commit repeats the batch;
// - exactly-once, idempotent consumer: at-least-once delivery, but the store remembers event ids
//   and skips a repeat — even the log's own duplicates from a non-idempotent producer's retries
//   (this mode alone uses a non-idempotent producer, to show that; the others use an idempotent
//   one, so that their losses and duplicates come from the consumer alone);
// - exactly-once, idempotent producer: no duplicates in the log (the broker drops retried sequence
//   numbers), and the consumer stores its offset in the same write as the effect, so a crash never
//   separates them (Kafka's "store offsets outside Kafka"; its transactions do the same inside).
import { latency } from "../net/index";
import { Simulation } from "../simulation/index";
import { hashEvents } from "../trace/index";
import { logBroker, type LogBrokerHandle } from "./broker";
import { logConsumer } from "./consumer";
import { logProducer } from "./producer";

/** The four ways to consume (and produce) that notebook 11 compares. */
export type DeliveryMode = "at-most-once" | "at-least-once" | "exactly-once-idempotent-consumer" | "exactly-once-idempotent-producer";

/** The modes, in the order a table shows them. */
export const DELIVERY_MODES: readonly DeliveryMode[] = ["at-most-once", "at-least-once", "exactly-once-idempotent-consumer", "exactly-once-idempotent-producer"];

/** Options of {@link runDeliverySemantics}. Times are virtual ms. */
export interface DeliveryRunOptions {
  seed: number;
  mode: DeliveryMode;
  /** Events produced. Default 40. */
  events?: number;
  /** When the consumer starts (the producer starts at 0 and has usually finished by then). Default 1000. */
  consumerStartMs?: number;
  /** Virtual times at which the consumer crashes (restarted `restartAfterMs` later). Default [1075, 1300]. */
  crashAtMs?: number[];
  /** Default 40. */
  restartAfterMs?: number;
  /** Probability that a produce reply is lost (the producer retries). Default 0.2. */
  produceReplyLoss?: number;
  /** Records per poll. Default 10. */
  pollMaxRecords?: number;
  /** Processing time per record (a crash can land in it). Default 10. */
  processMs?: number;
  /** Stop after this much virtual time. Default 2500. */
  runMs?: number;
}

/** One event's fate. */
export interface DeliveryEffect {
  eventId: string;
  /** Times its effect was applied (1 is right). */
  applied: number;
}

/** A row of the comparison table. */
export interface DeliveryRow {
  mode: DeliveryMode;
  events: number;
  recordsInLog: number;
  applied: number;
  lost: number;
  duplicated: number;
  consumerCrashes: number;
}

/** The outcome of {@link runDeliverySemantics}. */
export interface DeliveryRun {
  mode: DeliveryMode;
  effects: DeliveryEffect[];
  /** Event ids whose effect was never applied. */
  lost: string[];
  /** Event ids whose effect was applied more than once. */
  duplicated: string[];
  rows: DeliveryRow[];
  /** What happened, one line per effect, crash and restart (for the notebook). */
  traceLines: string[];
  /** Hash of the whole trace: same seed ⇒ same hash. */
  traceHash: string;
  /** The simulation, for diagrams. */
  simulation: Simulation;
}

/** A payment event, the value of each record. */
interface PaymentEvent {
  eventId: string;
  account: string;
  amount: number;
}

/**
 * One run of the delivery-semantics scenario in `mode`.
 *
 * @example
 * const rows = [];
 * for (const mode of DELIVERY_MODES) rows.push(...(await runDeliverySemantics({ seed: 1, mode })).rows);
 * formatTable(rows); // at-most-once loses, at-least-once duplicates, the exactly-once rows show 0 and 0
 */
export async function runDeliverySemantics(options: DeliveryRunOptions): Promise<DeliveryRun> {
  const mode = options.mode;
  if (!DELIVERY_MODES.includes(mode)) throw new Error(`runDeliverySemantics: mode must be one of ${DELIVERY_MODES.join(", ")}, got ${JSON.stringify(mode)}`);
  const events = options.events ?? 40;
  const consumerStartMs = options.consumerStartMs ?? 1000;
  const crashAtMs = options.crashAtMs ?? [1075, 1300];
  const restartAfterMs = options.restartAfterMs ?? 40;
  const sim = new Simulation({ seed: options.seed, network: { latency: latency.uniform(5, 15) } });
  const topic = "payments";
  const lines: string[] = [];
  // the outside store: effects (and, for the last mode, the consumer's offset) survive consumer crashes
  const applied = new Map<string, number>();
  let storedOffset: number | undefined;

  let broker: LogBrokerHandle | undefined;
  sim.spawn("broker", (node) => {
    broker = logBroker(node, { topics: [{ name: topic, partitions: 1 }] });
  });
  sim.addRule({ name: "lose produce replies", match: { type: "produce_ok" }, action: "drop", probability: options.produceReplyLoss ?? 0.2 });
  sim.spawn("producer", async (node) => {
    const producer = logProducer(node, { broker: "broker", topic, idempotent: mode !== "exactly-once-idempotent-consumer", retries: 10, timeoutMs: 60, partitions: 1 });
    for (let i = 0; i < events; i++) {
      const event: PaymentEvent = { eventId: `e${i}`, account: `acct-${i % 5}`, amount: 1 + (i % 7) };
      await producer.send(event.account, event);
    }
  });
  const consumer = (node: import("../node/index").Node) => {
    logConsumer<PaymentEvent>(node, {
      broker: "broker",
      topic,
      group: "ledger",
      pollMaxRecords: options.pollMaxRecords ?? 10,
      processMs: options.processMs ?? 10,
      commit: mode === "at-most-once" ? "before-processing" : mode === "exactly-once-idempotent-producer" ? "with-effects" : "after-processing",
      loadOffset: () => storedOffset,
      idempotentBy: mode === "exactly-once-idempotent-consumer" ? (r) => r.value.eventId : undefined,
      process: (r) => {
        const n = (applied.get(r.value.eventId) ?? 0) + 1;
        applied.set(r.value.eventId, n);
        if (mode === "exactly-once-idempotent-producer") storedOffset = r.offset + 1; // same write as the effect
        lines.push(`t=${node.now()} apply ${r.value.eventId} (offset ${r.offset})${n > 1 ? ` — applied ${n} times` : ""}`);
      },
    });
  };
  sim.at(consumerStartMs, () => sim.spawn("consumer", consumer), "start consumer");
  for (const t of crashAtMs) {
    sim.at(t, () => {
      if (!sim.isUp("consumer")) return;
      lines.push(`t=${t} consumer crashes`);
      sim.crash("consumer");
      sim.after(restartAfterMs, () => {
        lines.push(`t=${sim.now()} consumer restarts`);
        sim.restart("consumer");
      }, "restart consumer");
    }, "crash consumer");
  }
  await sim.runFor(options.runMs ?? 2500);

  const log = broker!.log(topic, 0);
  const effects: DeliveryEffect[] = [];
  for (let i = 0; i < events; i++) effects.push({ eventId: `e${i}`, applied: applied.get(`e${i}`) ?? 0 });
  const lost = effects.filter((e) => e.applied === 0).map((e) => e.eventId);
  const duplicated = effects.filter((e) => e.applied > 1).map((e) => e.eventId);
  const row: DeliveryRow = {
    mode,
    events,
    recordsInLog: log.size,
    applied: effects.reduce((s, e) => s + e.applied, 0),
    lost: lost.length,
    duplicated: duplicated.length,
    consumerCrashes: crashAtMs.length,
  };
  return { mode, effects, lost, duplicated, rows: [row], traceLines: lines, traceHash: hashEvents(sim.trace.events), simulation: sim };
}

/** Options of {@link runProducerRetry}. */
export interface ProducerRetryOptions {
  seed: number;
  idempotent: boolean;
  /** Default 20. */
  events?: number;
  /** Probability a produce_ok is lost. Default 0.3. */
  replyLoss?: number;
  /** Also duplicate this share of produce requests on the wire. Default 0. */
  requestDuplication?: number;
}

/** What a producer-retry run left in the log. */
export interface ProducerRetryRun {
  idempotent: boolean;
  events: number;
  recordsInLog: number;
  /** Records beyond the first of each event. */
  duplicatesInLog: number;
  /** Attempts beyond the first, over all events. */
  retries: number;
  /** Sends the broker recognised as retries (idempotent producer only). */
  recognised: number;
  traceLines: string[];
  traceHash: string;
  simulation: Simulation;
}

/**
 * A producer whose replies get lost: it retries, and without idempotence the broker appends the
 * record again each time the earlier attempt had in fact arrived; with `idempotent` the broker
 * recognises the producerId + seq and answers with the first offset.
 *
 * @example
 * (await runProducerRetry({ seed: 1, idempotent: false })).duplicatesInLog; // > 0
 * (await runProducerRetry({ seed: 1, idempotent: true })).duplicatesInLog;  // 0
 */
export async function runProducerRetry(options: ProducerRetryOptions): Promise<ProducerRetryRun> {
  const events = options.events ?? 20;
  const sim = new Simulation({ seed: options.seed, network: { latency: latency.uniform(5, 15) } });
  const topic = "payments";
  const lines: string[] = [];
  let broker: LogBrokerHandle | undefined;
  let retries = 0;
  let recognised = 0;
  sim.spawn("broker", (node) => {
    broker = logBroker(node, { topics: [{ name: topic, partitions: 1 }] });
  });
  sim.addRule({ name: "lose produce replies", match: { type: "produce_ok" }, action: "drop", probability: options.replyLoss ?? 0.3 });
  if ((options.requestDuplication ?? 0) > 0) sim.addRule({ name: "duplicate produce requests", match: { type: "produce" }, action: "duplicate", probability: options.requestDuplication, delayMs: 3 });
  sim.spawn("producer", async (node) => {
    const producer = logProducer(node, { broker: "broker", topic, idempotent: options.idempotent, retries: 10, timeoutMs: 60, partitions: 1 });
    for (let i = 0; i < events; i++) {
      const r = await producer.send(`acct-${i % 5}`, { eventId: `e${i}`, account: `acct-${i % 5}`, amount: 1 + (i % 7) });
      retries += r.attempts - 1;
      if (r.duplicate) recognised++;
      lines.push(`t=${node.now()} e${i} acknowledged at offset ${r.offset} after ${r.attempts} attempt(s)${r.duplicate ? " (the broker had it already)" : ""}`);
    }
  });
  await sim.runFor(5000);
  const records = broker!.log(topic, 0).read(0, Number.MAX_SAFE_INTEGER);
  const ids = new Set(records.map((r) => (r.value as PaymentEvent).eventId));
  return {
    idempotent: options.idempotent,
    events,
    recordsInLog: records.length,
    duplicatesInLog: records.length - ids.size,
    retries,
    recognised,
    traceLines: lines,
    traceHash: hashEvents(sim.trace.events),
    simulation: sim,
  };
}
