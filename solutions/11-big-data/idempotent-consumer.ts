/**
 * Reference solution of exercise 11.3 — an idempotent consumer: the balances and the ids of the
 * events already in them are one durable record, written in one step, before the offset is
 * committed (Kreps et al., "Kafka", NetDB 2011, §3.3, at-least-once delivery and unique keys;
 * lecture 002, Kappa architecture, delivery paradigms). The wire and the rules are in
 * exercises/11-big-data/idempotent-consumer.ts.
 */
import type { Body, Node } from "../../lib/node";

/** One event of the stream: the `value` of a record. */
export interface AccountEvent {
  /** Unique per event; a producer's retry writes the same eventId again. */
  eventId: string;
  account: string;
  /** Added to the account's balance (may be negative). */
  amount: number;
}

/** Options of {@link idempotentConsumer}. */
export interface IdempotentConsumerOptions {
  /** The broker node. */
  broker: string;
  topic: string;
  partition: number;
  /** The consumer group whose committed offset you read and write. */
  group: string;
  /** `maxRecords` of every fetch. */
  pollMaxRecords: number;
}

/** The consumer, as the grader inspects it. */
export interface IdempotentConsumer {
  /** The number of distinct events whose effect is in the balances (read it from what you store). */
  processed(): number;
}

/** What the consumer keeps on disk, as ONE value: the state and the events it contains. */
interface Ledger {
  balances: Record<string, number>;
  /** eventId → offset of the record that applied it. */
  applied: Record<string, number>;
}

/** The storage key of the ledger. */
const LEDGER = "ledger";
/** One attempt of a request to the broker waits this long (a round trip takes ≤ 24 ms here). */
const ATTEMPT_MS = 40;
/** Attempts after the first: at 10% loss per round trip, 0.1^21 never happens. */
const RETRIES = 20;
/** Wait before polling again when the log had nothing new. */
const POLL_IDLE_MS = 15;

/**
 * Consume `options.topic`/`options.partition` from `options.broker` and keep the balances in
 * `node.storage`, applying each event's amount exactly once across crashes and duplicates.
 *
 * @example
 * sim.spawn("consumer", (node) => idempotentConsumer(node, { broker: "broker", topic: "payments", partition: 0, group: "balances", pollMaxRecords: 5 }));
 */
export function idempotentConsumer(node: Node, options: IdempotentConsumerOptions): IdempotentConsumer {
  const { broker, topic, partition, group, pollMaxRecords } = options;
  if (!Number.isInteger(pollMaxRecords) || pollMaxRecords < 1) {
    throw new Error(`${node.id} at t=${node.now()}ms: pollMaxRecords must be an integer ≥ 1, got ${pollMaxRecords}`);
  }
  const ledger: Ledger = node.storage.get<Ledger>(LEDGER) ?? { balances: {}, applied: {} };

  node.on("read_balance", (m) => node.reply(m, { type: "read_balance_ok", balance: ledger.balances[String(m.body.account)] ?? 0 }));

  /** A request to the broker, asked again until an answer of `okType` comes back. */
  const ask = async (body: Body, okType: string): Promise<Body> => {
    for (;;) {
      try {
        const reply = await node.rpc(broker, body, { timeoutMs: ATTEMPT_MS, retries: RETRIES });
        if (reply.body.type === okType) return reply.body;
        node.log(`${body.type} refused: ${String(reply.body.text)}`);
      } catch {
        // every attempt lost: ask again
      }
      await node.sleep(POLL_IDLE_MS);
    }
  };

  /** Apply a batch: one write holds the new balances and the ids that produced them. */
  const apply = (records: Array<{ offset: number; value: AccountEvent }>): void => {
    for (const { offset, value } of records) {
      if (ledger.applied[value.eventId] !== undefined) continue; // a redelivery, or a producer's retry
      ledger.balances[value.account] = (ledger.balances[value.account] ?? 0) + value.amount;
      ledger.applied[value.eventId] = offset;
    }
    node.storage.set(LEDGER, ledger);
  };

  const consume = async (): Promise<void> => {
    let offset = Number((await ask({ type: "fetch_committed", group, topic, partition }, "fetch_committed_ok")).offset);
    for (;;) {
      const reply = await ask({ type: "fetch", topic, partition, offset, maxRecords: pollMaxRecords }, "fetch_ok");
      const records = reply.records as Array<{ offset: number; value: AccountEvent }>;
      if (records.length === 0) {
        await node.sleep(POLL_IDLE_MS);
        continue;
      }
      apply(records); // first the state (with its dedupe record) ...
      offset = records[records.length - 1].offset + 1;
      await ask({ type: "commit_offset", group, topic, partition, offset }, "commit_offset_ok"); // ... then the position
    }
  };
  void consume();

  return { processed: () => Object.keys(ledger.applied).length };
}
