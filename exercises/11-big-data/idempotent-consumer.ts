/**
 * Exercise 11.3 — an idempotent consumer of an at-least-once log (20 points). Graded by `npm test`
 * (test/11-big-data.test.ts), or alone with `npm run grade -- 11.3`.
 *
 * A log such as Kafka delivers every record AT LEAST once to a consumer group: after a crash the
 * consumer resumes from its last committed offset and reads again what it had processed but not
 * yet committed; and a producer that retried a `produce` whose reply was lost wrote the same
 * event twice, at two different offsets (Kreps et al., "Kafka", NetDB 2011, §3.3: Kafka delivers
 * at least once, and an application that must not see duplicates uses a unique key per message).
 * "Exactly once" is therefore something the consumer builds (lecture 002, Kappa architecture:
 * the delivery paradigms at least once, at most once, exactly once): each event carries an id, and
 * the consumer keeps, in durable storage and in the same write as the state it changes, the ids of
 * the events whose effect is already in that state — applying an event becomes idempotent.
 *
 * Your node consumes one partition of a topic. Each record's `value` is an event
 * `{ eventId: string, account: string, amount: number }` (the record's `key` is the account);
 * apply `amount` to that account's balance (a balance starts at 0), so that in the end every
 * balance is the sum over the DISTINCT eventIds of its events — whatever crashed, whatever came twice.
 *
 * The broker's wire (send with `node.rpc`, with a timeout and retries: the network loses and
 * duplicates messages; an error reply is `{ type: "error", code, text }`):
 * - `{ type: "fetch_committed", group, topic, partition }` → `{ type: "fetch_committed_ok", offset }`:
 *   where the group stopped (0 if it never committed) — ask it when you (re)start.
 * - `{ type: "fetch", topic, partition, offset, maxRecords }` → `{ type: "fetch_ok", records, highWatermark }`:
 *   at most `maxRecords` (use `pollMaxRecords`) records `{ offset, key, value }` from `offset` on, in
 *   order; `records` is empty when you have read everything (`offset` = `highWatermark`): wait a
 *   little (`await node.sleep(…)`, 10–30 ms) and poll again — the producer keeps writing.
 * - `{ type: "commit_offset", group, topic, partition, offset }` → `{ type: "commit_offset_ok" }`:
 *   `offset` is the NEXT offset to read (the last processed offset + 1), as in Kafka.
 * - Messages you answer (from the grader's clients): `{ type: "read_balance", account }` →
 *   `{ type: "read_balance_ok", balance }` (0 for an account you never saw).
 * - Talk only to the broker you were given and to whoever asked (not `node.peers()`).
 *
 * Crashes. The grader crashes your node and restarts it (your function runs again on a new `Node`;
 * only `node.storage` survives, and each `set` is on disk at once) at three kinds of points:
 * during a poll (a fetch unanswered), between processing and commit (right after your code handled
 * a fetch_ok: whatever it sent in that same step dies with it, the commit too), and right after
 * commit (the broker stored your offset; the commit_offset_ok is lost). Code runs in steps: the
 * code after an `await` is a later step, and a crash can fall between two steps, never inside one.
 *
 * Graded: 27 trials for each of 5 seeds, against the library's broker (`logBroker` of lib/log). A
 * grader producer writes 24–40 events over 3–6 accounts (with retries: duplicate records of one
 * event, at later offsets), 5% loss and 5% duplication, latency 2–12 ms, 3–5 crashes of your node at
 * seeded points, each restarted 10–60 ms later. After the producer is done, within 3 s your
 * committed offset must reach the high watermark; then every read_balance must equal the sum over
 * distinct eventIds and `processed()` the number of distinct events — and again right after one
 * more crash and restart with the broker cut off, when only your storage can answer. A failure
 * names the event applied twice or never, and the crash that caused it.
 */
import type { Node } from "../../lib/node";
import { NotImplementedError } from "../not-implemented";

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

/**
 * Consume `options.topic`/`options.partition` from `options.broker` and keep the balances in
 * `node.storage`, applying each event's amount exactly once across crashes and duplicates.
 *
 * @example
 * sim.spawn("consumer", (node) => idempotentConsumer(node, { broker: "broker", topic: "payments", partition: 0, group: "balances", pollMaxRecords: 5 }));
 */
export function idempotentConsumer(node: Node, options: IdempotentConsumerOptions): IdempotentConsumer {
  // Your code here (11.3)
  throw new NotImplementedError("11.3 idempotent-consumer", "exercises/11-big-data/idempotent-consumer.ts");
}
