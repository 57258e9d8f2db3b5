/**
 * Exercise 03.1 — topic broker (15 points). Graded by `npm test` (test/03-interaction-patterns.test.ts),
 * or alone with `npm run grade -- 03.1`.
 *
 * Publish/subscribe through a broker: publishers and subscribers never talk to each other, only to
 * your broker, which keeps, for every topic, the set of nodes subscribed to it.
 *
 * Messages (the grader's publishers and subscribers send and expect exactly these):
 * - subscriber → broker `{ type: "subscribe", topic: "news" }` and `{ type: "unsubscribe", topic: "news" }`.
 *   Subscribing twice to the same topic is the same as subscribing once; one unsubscribe ends it.
 *   Unsubscribing from a topic one is not subscribed to does nothing.
 * - publisher → broker `{ type: "publish", topic: "news", seq: 5821, payload: … }`. Each publisher
 *   numbers its publishes seq, seq + 1, seq + 2, … from a starting number of its own (not 0 or 1,
 *   and different for every publisher); its first publish also carries `first: true`.
 * - broker → subscriber `{ type: "event", topic, publisher, seq, payload }`: `publisher` is the
 *   node that published (the publish message's src), `topic`, `seq` and `payload` are copied.
 *
 * The network loses nothing and duplicates nothing, but it is unordered: a publisher's seq 5822
 * may reach you before its seq 5821. Restore each publisher's order: keep a message that arrives
 * early until all its publisher's earlier ones are in (never drop it, never send it early).
 *
 * The rule the grader checks: a message counts as published when it and every earlier message of
 * its publisher have reached the broker. At that moment it goes to exactly the nodes subscribed
 * to its topic then (those whose subscribe reached the broker, and no unsubscribe after it) —
 * each of them once, and to no one else (not to the publisher, not to subscribers of other
 * topics). For every subscriber, the events of one publisher are sent in seq order. Nothing is
 * sent to anyone else (other nodes are spawned first, so `node.peers()` is no list of subscribers).
 *
 * The grader plays 2–3 publishers (4–8 publishes each, a few ms apart) and 3–4 subscribers that
 * subscribe, resubscribe and unsubscribe to 2–3 topics at random times, latency 5–15 ms, node and
 * topic names drawn per run, 27 runs for each of 5 seeds; it checks the broker's sends after the
 * last message has been quiet for 500 ms. Use `node.now()` / `node.rng` if you need them, never
 * `Date.now` or `Math.random`.
 */
import type { Node } from "../../lib/node";
import { NotImplementedError } from "../not-implemented";

/**
 * The broker: keep the subscriptions per topic, restore each publisher's order by seq, and send
 * every message to the topic's subscribers.
 *
 * @example
 * sim.spawn("broker", topicBroker);
 */
export function topicBroker(node: Node): void {
  // Your code here (03.1)
  throw new NotImplementedError("03.1 topic-broker", "exercises/03-interaction-patterns/topic-broker.ts");
}
