// A broker with queues: message-oriented middleware (MOM). Lecture 000, "Broker": a server that
// mediates between producers and consumers; "[Broker with] Queues": a queue stores messages in
// FIFO order so that "messages are not lost if consumers are unavailable"; "MOM": a broker with
// many channels, one per topic, to which consumers subscribe — and "most MOM technologies use
// queues to implement channels". The model is AMQP's (RabbitMQ): durable queues, consumer
// acknowledgements, a prefetch limit, and a fanout of each topic into one queue per subscriber.
//
// Delivery is **at least once** (lecture 002, delivery semantics). A message leaves its queue only
// when a consumer acknowledges it. A delivery not acknowledged within `ackTimeoutMs` goes back to
// the head of the queue and is delivered again (`redelivered: true`). So when a consumer crashes
// after processing a message but before its ack left (or the ack is lost), the message is
// processed twice: a consumer must be idempotent, or remember what it processed (`dedup`).
// When a consumer registers again (after its restart), whatever it had in flight is requeued at once.
//
// Wire protocol (every request gets a reply):
//   producer → broker  { type: "enqueue", queue, payload }   → { type: "enqueue_ok", queue, messageId }
//   producer → broker  { type: "publish", topic, payload }   → { type: "publish_ok", topic, messageIds }
//   consumer → broker  { type: "consume", queue, prefetch? } → { type: "consume_ok", queue }
//   consumer → broker  { type: "subscribe", topic, prefetch? } → { type: "subscribe_ok", topic, queue }
//   consumer → broker  { type: "cancel", queue }             → { type: "cancel_ok", queue }
//   broker → consumer  { type: "deliver", queue, messageId, payload, redelivered, deliveryCount }
//   consumer → broker  { type: "ack", queue, messageId }      (no reply)
// Messages, queues, registrations and topic bindings live in `node.storage`: they survive a
// broker crash and restart (only deliveries in flight are forgotten, and delivered again).
import type { Message, Node } from "../node/index";

/** Options of {@link queueBroker}. */
export interface QueueBrokerOptions {
  /** How long a delivery may stay unacknowledged before it is delivered again. Default 200. */
  ackTimeoutMs?: number;
  /** Unacknowledged deliveries per consumer and queue, unless the consumer asks otherwise. Default 10. */
  prefetch?: number;
  /** Counters to add to (pass the same object to every incarnation to count across restarts). */
  counters?: QueueBrokerCounters;
}

/** What a broker counted. */
export interface QueueBrokerCounters {
  /** Messages stored in a queue (a topic publish stores one per subscriber queue). */
  enqueued: number;
  /** `publish` requests on topics. */
  published: number;
  /** Publishes to a topic without subscribers (nothing stored). */
  unroutable: number;
  /** `deliver` messages sent, first deliveries and redeliveries. */
  deliveries: number;
  /** Deliveries of a message that had been delivered before (or recovered after a restart). */
  redeliveries: number;
  /** Messages acknowledged and removed. */
  acked: number;
  /** Deliveries whose ack did not come within `ackTimeoutMs`. */
  ackTimeouts: number;
  /** Acks of messages no longer held (already acknowledged). */
  unknownAcks: number;
}

/**
 * A fresh set of zeroed broker counters.
 *
 * @example
 * const counters = newQueueBrokerCounters();
 * sim.spawn("broker", (node) => void queueBroker(node, { counters }));
 */
export function newQueueBrokerCounters(): QueueBrokerCounters {
  return { enqueued: 0, published: 0, unroutable: 0, deliveries: 0, redeliveries: 0, acked: 0, ackTimeouts: 0, unknownAcks: 0 };
}

/** A running broker (one incarnation). */
export interface QueueBroker {
  readonly counters: QueueBrokerCounters;
  /** Messages held for `queue`: waiting plus delivered and not yet acknowledged. */
  depth(queue: string): number;
  /** Messages of `queue` delivered and not yet acknowledged. */
  inFlight(queue: string): number;
  /** Every queue's name. */
  queues(): string[];
}

/** A delivery as a consumer sees it. */
export interface QueueDelivery {
  queue: string;
  messageId: number;
  payload: unknown;
  /** True when this message may have been delivered before (to anyone). */
  redelivered: boolean;
  /** Deliveries of this message by this broker incarnation, this one included. */
  deliveryCount: number;
}

/** Durable metadata: consumers per queue (with their prefetch), queues per topic. */
interface Meta {
  queues: Record<string, Record<string, number>>;
  topics: Record<string, string[]>;
}

/** A stored message, as kept in memory. */
interface Held {
  queue: string;
  payload: unknown;
  deliveryCount: number;
  /** Recovered from disk after a restart: it may have been delivered before. */
  recovered: boolean;
  /** Set while delivered and unacknowledged. */
  consumer?: string;
  timer?: number;
}

interface QueueState {
  /** Message ids waiting, FIFO from `head` (acknowledged ids are skipped lazily). */
  ready: number[];
  head: number;
  /** Consumer → prefetch. */
  consumers: Map<string, number>;
  /** The consumers' ids, in registration order (for the round robin). */
  order: string[];
  /** Consumer → deliveries in flight. */
  busy: Map<string, number>;
  /** Consumers whose last delivery timed out: served only when no other consumer can take a message. */
  suspects: Set<string>;
  /** Round-robin position among consumers. */
  turn: number;
}

const META = "meta";
/** On disk: a bound on the message ids handed out so far (ids are reserved in blocks, one write per block). */
const ID_CEILING = "messageIdCeiling";
const ID_BLOCK = 1024;
const messageKey = (id: number): string => `message:${id}`;

/**
 * A message broker with durable FIFO queues, competing consumers with acknowledgements and a
 * prefetch limit, redelivery after an ack timeout (at-least-once), and topics that fan out into
 * one durable queue per subscriber. State is in `node.storage`, so a restart keeps every
 * unacknowledged message.
 *
 * @example
 * const counters = newQueueBrokerCounters();
 * sim.spawn("broker", (node) => void queueBroker(node, { ackTimeoutMs: 100, counters }), { role: "broker" });
 * sim.spawn("worker", (node) => queueConsumer(node, { broker: "broker", queues: ["jobs"], process: (d) => console.log(d.payload) }));
 * await sim.runUntilSettled(sim.spawn("producer").rpc("broker", { type: "enqueue", queue: "jobs", payload: "build #1" }));
 */
export function queueBroker(node: Node, options: QueueBrokerOptions = {}): QueueBroker {
  const { ackTimeoutMs = 200, prefetch: prefetchDefault = 10 } = options;
  const counters = options.counters ?? newQueueBrokerCounters();
  const fail = (what: string): never => {
    throw new Error(`queueBroker on ${node.id} at t=${node.now()}ms: ${what}`);
  };
  if (!(ackTimeoutMs > 0)) fail(`ackTimeoutMs must be > 0, got ${String(ackTimeoutMs)}`);
  if (!(Number.isInteger(prefetchDefault) && prefetchDefault >= 1)) fail(`prefetch must be a whole number ≥ 1, got ${String(prefetchDefault)}`);

  const storage = node.storage;
  const meta: Meta = storage.get<Meta>(META) ?? { queues: {}, topics: {} };
  // After a restart, start above every id that may have been used: ids stay unique and increasing.
  let nextId = storage.get<number>(ID_CEILING) ?? 1;
  let ceiling = nextId;
  const held = new Map<number, Held>();
  const queues = new Map<string, QueueState>();

  const queueState = (name: string): QueueState => {
    let q = queues.get(name);
    if (q === undefined) {
      q = { ready: [], head: 0, consumers: new Map(), order: [], busy: new Map(), suspects: new Set(), turn: 0 };
      queues.set(name, q);
      if (meta.queues[name] === undefined) {
        meta.queues[name] = {};
        storage.set(META, meta);
      }
    }
    return q;
  };

  // Recovery: rebuild the queues from the disk, each in id order (= arrival order).
  for (const [name, consumers] of Object.entries(meta.queues)) {
    const q = queueState(name);
    for (const [consumer, prefetch] of Object.entries(consumers)) q.consumers.set(consumer, prefetch);
    q.order = [...q.consumers.keys()];
  }
  const recoveredIds = storage
    .keys()
    .filter((k) => k.startsWith("message:"))
    .map((k) => Number(k.slice("message:".length)))
    .sort((a, b) => a - b);
  for (const id of recoveredIds) {
    const m = storage.get<{ queue: string; payload: unknown }>(messageKey(id))!;
    held.set(id, { queue: m.queue, payload: m.payload, deliveryCount: 0, recovered: true });
    queueState(m.queue).ready.push(id);
  }

  const store = (queue: string, payload: unknown): number => {
    if (nextId >= ceiling) {
      ceiling = nextId + ID_BLOCK;
      storage.set(ID_CEILING, ceiling);
    }
    const id = nextId++;
    storage.set(messageKey(id), { queue, payload });
    held.set(id, { queue, payload, deliveryCount: 0, recovered: false });
    queueState(queue).ready.push(id);
    counters.enqueued++;
    return id;
  };

  /** Put a delivered message back at the head of its queue. */
  const requeue = (id: number, m: Held): void => {
    const q = queueState(m.queue);
    q.busy.set(m.consumer!, q.busy.get(m.consumer!)! - 1);
    if (m.timer !== undefined) node.cancelTimer(m.timer);
    m.consumer = undefined;
    m.timer = undefined;
    if (q.head > 0) q.ready[--q.head] = id;
    else q.ready.unshift(id);
  };

  /** The next consumer (round robin) with room under its prefetch; suspects only if nobody else has room. */
  const nextConsumer = (q: QueueState): string | undefined => {
    const list = q.order;
    let fallback: string | undefined;
    for (let i = 0; i < list.length; i++) {
      const c = list[(q.turn + i) % list.length];
      if ((q.busy.get(c) ?? 0) >= q.consumers.get(c)!) continue;
      if (q.suspects.has(c)) {
        fallback ??= c;
        continue;
      }
      q.turn = (q.turn + i + 1) % list.length;
      return c;
    }
    return fallback;
  };

  const dispatch = (name: string): void => {
    const q = queueState(name);
    while (q.head < q.ready.length) {
      const id = q.ready[q.head];
      const m = held.get(id);
      if (m === undefined || m.consumer !== undefined) {
        q.head++; // acknowledged meanwhile (or already out): skip
        continue;
      }
      const consumer = nextConsumer(q);
      if (consumer === undefined) break;
      q.head++;
      m.consumer = consumer;
      m.deliveryCount++;
      q.busy.set(consumer, (q.busy.get(consumer) ?? 0) + 1);
      const redelivered = m.recovered || m.deliveryCount > 1;
      counters.deliveries++;
      if (redelivered) counters.redeliveries++;
      node.send(consumer, { type: "deliver", queue: name, messageId: id, payload: m.payload, redelivered, deliveryCount: m.deliveryCount });
      const count = m.deliveryCount;
      m.timer = node.setTimer(ackTimeoutMs, () => {
        if (m.consumer !== consumer || m.deliveryCount !== count || !held.has(id)) return;
        counters.ackTimeouts++;
        q.suspects.add(consumer);
        requeue(id, m);
        dispatch(name);
      }, "ack-timeout");
    }
    if (q.head > 1024 && q.head * 2 > q.ready.length) {
      q.ready = q.ready.slice(q.head);
      q.head = 0;
    }
  };

  /** Register `consumer` on `queue` as a new session: whatever it had in flight is requeued. */
  const register = (queue: string, consumer: string, prefetch: number): void => {
    const q = queueState(queue);
    const inFlight = [...held].filter(([, m]) => m.queue === queue && m.consumer === consumer).sort((a, b) => b[0] - a[0]);
    for (const [id, m] of inFlight) requeue(id, m); // highest id first, so the oldest ends at the head
    q.consumers.set(consumer, prefetch);
    q.order = [...q.consumers.keys()];
    q.suspects.delete(consumer);
    if (meta.queues[queue][consumer] !== prefetch) {
      meta.queues[queue][consumer] = prefetch;
      storage.set(META, meta);
    }
  };

  const prefetchOf = (msg: Message): number => {
    const p = msg.body.prefetch ?? prefetchDefault;
    if (!(Number.isInteger(p) && p >= 1)) fail(`${msg.body.type} from ${msg.src}: prefetch must be a whole number ≥ 1, got ${String(p)}`);
    return p;
  };
  const nameOf = (msg: Message, field: "queue" | "topic"): string => {
    const name = msg.body[field];
    if (typeof name !== "string" || name === "") fail(`${msg.body.type} from ${msg.src}: "${field}" must be a non-empty string, got ${JSON.stringify(name)}`);
    return name;
  };

  node.on("enqueue", (msg) => {
    const queue = nameOf(msg, "queue");
    const messageId = store(queue, msg.body.payload);
    node.reply(msg, { type: "enqueue_ok", queue, messageId });
    dispatch(queue);
  });
  node.on("publish", (msg) => {
    const topic = nameOf(msg, "topic");
    counters.published++;
    const bound = meta.topics[topic] ?? [];
    if (bound.length === 0) counters.unroutable++;
    const messageIds = bound.map((queue) => store(queue, msg.body.payload));
    node.reply(msg, { type: "publish_ok", topic, messageIds });
    for (const queue of bound) dispatch(queue);
  });
  node.on("consume", (msg) => {
    const queue = nameOf(msg, "queue");
    register(queue, msg.src, prefetchOf(msg));
    node.reply(msg, { type: "consume_ok", queue });
    dispatch(queue);
  });
  node.on("subscribe", (msg) => {
    const topic = nameOf(msg, "topic");
    const queue = `${topic}:${msg.src}`; // one durable queue per subscriber
    const bound = (meta.topics[topic] ??= []);
    if (!bound.includes(queue)) {
      bound.push(queue);
      storage.set(META, meta);
    }
    register(queue, msg.src, prefetchOf(msg));
    node.reply(msg, { type: "subscribe_ok", topic, queue });
    dispatch(queue);
  });
  node.on("cancel", (msg) => {
    const queue = nameOf(msg, "queue");
    const q = queueState(queue);
    for (const [id, m] of [...held].sort((a, b) => b[0] - a[0])) if (m.queue === queue && m.consumer === msg.src) requeue(id, m);
    q.consumers.delete(msg.src);
    q.order = [...q.consumers.keys()];
    q.busy.delete(msg.src);
    q.turn = 0;
    delete meta.queues[queue][msg.src];
    storage.set(META, meta);
    node.reply(msg, { type: "cancel_ok", queue });
    dispatch(queue);
  });
  node.on("ack", (msg) => {
    const id = msg.body.messageId as number;
    const m = held.get(id);
    if (m === undefined) return void counters.unknownAcks++;
    const q = queueState(m.queue);
    if (m.consumer !== undefined) {
      q.busy.set(m.consumer, q.busy.get(m.consumer)! - 1);
      if (m.timer !== undefined) node.cancelTimer(m.timer);
    }
    q.suspects.delete(msg.src);
    held.delete(id);
    storage.delete(messageKey(id));
    counters.acked++;
    dispatch(m.queue);
  });

  for (const name of queues.keys()) dispatch(name); // after a restart: deliver what was kept

  const inFlightOf = (queue: string): number => {
    let n = 0;
    for (const m of held.values()) if (m.queue === queue && m.consumer !== undefined) n++;
    return n;
  };
  return {
    counters,
    depth: (queue) => {
      let n = 0;
      for (const m of held.values()) if (m.queue === queue) n++;
      return n;
    },
    inFlight: (queue) => inFlightOf(queue),
    queues: () => [...queues.keys()],
  };
}
