/**
 * Reference solution of exercise 03.1 — topic broker (see exercises/03-interaction-patterns/topic-broker.ts).
 *
 * The broker keeps a set of subscribers per topic and, per publisher, a hold-back queue: the next
 * seq it expects (learnt from the publish marked `first`) and the messages that arrived early.
 * When the expected message arrives it is released together with every held message that follows
 * it without a gap — each goes to the subscribers its topic has at that moment. This is the
 * sequencing a FIFO channel does above an unordered network (Cachin, Guerraoui & Rodrigues,
 * *Introduction to Reliable and Secure Distributed Programming*, §3.9 on FIFO broadcast).
 */
import type { Message, Node } from "../../lib/node";

/** What the broker knows of one publisher: the next seq to release and the early arrivals. */
interface Publisher {
  /** Undefined until the publish marked `first` has arrived. */
  next: number | undefined;
  held: Map<number, Message>;
}

/**
 * The broker: subscriptions per topic, per-publisher order restored by seq, events to subscribers.
 *
 * @example
 * sim.spawn("broker", topicBroker);
 */
export function topicBroker(node: Node): void {
  const subscribers = new Map<string, Set<string>>();
  const publishers = new Map<string, Publisher>();

  node.on("subscribe", (m) => {
    const set = subscribers.get(m.body.topic) ?? new Set<string>();
    set.add(m.src);
    subscribers.set(m.body.topic, set);
  });
  node.on("unsubscribe", (m) => void subscribers.get(m.body.topic)?.delete(m.src));

  node.on("publish", (m) => {
    let p = publishers.get(m.src);
    if (p === undefined) publishers.set(m.src, (p = { next: undefined, held: new Map() }));
    if (m.body.first === true) p.next = m.body.seq;
    p.held.set(m.body.seq, m);
    while (p.next !== undefined && p.held.has(p.next)) {
      const ready = p.held.get(p.next)!;
      p.held.delete(p.next);
      p.next++;
      const { topic, seq, payload } = ready.body;
      for (const dest of subscribers.get(topic) ?? []) node.send(dest, { type: "event", topic, publisher: ready.src, seq, payload });
    }
  });
}
