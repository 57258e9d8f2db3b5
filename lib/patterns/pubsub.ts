/**
 * Publish–subscribe (lecture 000, "Common interaction protocols, pt. 2"), in two shapes:
 *
 * - **direct**: the publisher itself keeps the list of subscribers. Subscribing is a small
 *   request–response (`subscribe` → `subscribe_ok`); publishing sends one `notify` to each
 *   subscriber of the topic (the publisher must know and reach every subscriber);
 * - **through a broker**: publishers send `publish { topic, payload }` to the broker, which keeps
 *   the subscriptions per topic and fans each event out as `notify` messages. Publishers and
 *   subscribers only know the broker (decoupled in space), and the broker counts what it forwarded.
 *
 * Wire protocol (both shapes):
 * `{ type: "subscribe", topic }` → reply `{ type: "subscribe_ok", topic }`;
 * `{ type: "unsubscribe", topic }` → reply `{ type: "unsubscribe_ok", topic }`;
 * `{ type: "publish", topic, payload }` (to a broker only; not acknowledged);
 * `{ type: "notify", topic, publisher, payload }` to each subscriber.
 *
 * Best effort: a lost `notify` is not resent and nothing is stored for a subscriber that is down
 * (notebook 02's queue broker keeps messages; exercise 03.1 asks for sequence numbers).
 */
import type { Node } from "../node/node";
import type { Message } from "../node/message";
import type { RpcOptions } from "../node/rpc";
import { SimulationError } from "../sim/errors";

/**
 * Who subscribed to what: a set of subscriber ids per topic, in subscription order. Both the
 * direct publisher and the broker keep one.
 *
 * @example
 * const subs = new TopicSubscriptions();
 * subs.subscribe("prices", "s1");
 * subs.subscribers("prices"); // ["s1"]
 */
export class TopicSubscriptions {
  private readonly byTopic = new Map<string, Set<string>>();

  /** Add `subscriber` to `topic`; true if it was not subscribed yet. @example subs.subscribe("prices", "s1") */
  subscribe(topic: string, subscriber: string): boolean {
    let set = this.byTopic.get(topic);
    if (set === undefined) this.byTopic.set(topic, (set = new Set()));
    const added = !set.has(subscriber);
    set.add(subscriber);
    return added;
  }

  /** Remove `subscriber` from `topic`; true if it was subscribed. @example subs.unsubscribe("prices", "s1") */
  unsubscribe(topic: string, subscriber: string): boolean {
    const set = this.byTopic.get(topic);
    const removed = set?.delete(subscriber) ?? false;
    if (set !== undefined && set.size === 0) this.byTopic.delete(topic);
    return removed;
  }

  /** The subscribers of `topic`, in the order they subscribed. @example subs.subscribers("prices") // ["s1", "s2"] */
  subscribers(topic: string): string[] {
    return Array.from(this.byTopic.get(topic) ?? []);
  }

  /** Topics with at least one subscriber. @example subs.topics() // ["prices"] */
  topics(): string[] {
    return Array.from(this.byTopic.keys());
  }
}

/** Handle `subscribe` / `unsubscribe` requests on `node`, keeping them in `subscriptions`. */
function acceptSubscriptions(node: Node, subscriptions: TopicSubscriptions): void {
  node.on("subscribe", (request) => {
    const topic = topicOf(node, request);
    subscriptions.subscribe(topic, request.src);
    node.reply(request, { type: "subscribe_ok", topic });
  });
  node.on("unsubscribe", (request) => {
    const topic = topicOf(node, request);
    subscriptions.unsubscribe(topic, request.src);
    node.reply(request, { type: "unsubscribe_ok", topic });
  });
}

function topicOf(node: Node, message: Message): string {
  const topic = message.body.topic;
  if (typeof topic !== "string" || topic === "") {
    throw new SimulationError(`${message.body.type} from "${message.src}": topic must be a non-empty string, got ${JSON.stringify(topic)}`, { node: node.id, timeMs: node.now() });
  }
  return topic;
}

/** What {@link pubSubPublisher} returns. */
export interface PubSubPublisher {
  /** Send `payload` as a `notify` to every subscriber of `topic`; returns how many were sent. */
  publish(topic: string, payload: unknown): number;
  /** The publisher's own subscription table. */
  readonly subscriptions: TopicSubscriptions;
}

/**
 * Direct publish–subscribe: this node is the publisher and keeps its subscribers itself. It
 * answers `subscribe` / `unsubscribe`, and `publish(topic, payload)` sends one `notify` per
 * subscriber of the topic (a multicast done by hand: one message per subscriber).
 *
 * @example
 * let publisher!: PubSubPublisher;
 * sim.spawn("weather", (node) => { publisher = pubSubPublisher(node); });
 * // later, from a timer or a cell: publisher.publish("rain", { mm: 3 });
 */
export function pubSubPublisher(node: Node): PubSubPublisher {
  const subscriptions = new TopicSubscriptions();
  acceptSubscriptions(node, subscriptions);
  return {
    subscriptions,
    publish(topic, payload) {
      const subscribers = subscriptions.subscribers(topic);
      for (const dest of subscribers) node.send(dest, { type: "notify", topic, publisher: node.id, payload });
      return subscribers.length;
    },
  };
}

/** What {@link pubSubBroker} returns: its table and what it forwarded. */
export interface PubSubBroker {
  readonly subscriptions: TopicSubscriptions;
  /** `publish` messages received. */
  readonly published: number;
  /** `notify` messages sent (the fan-out). */
  readonly notified: number;
}

/**
 * A publish–subscribe broker with topics: answers `subscribe` / `unsubscribe`, and forwards each
 * `publish { topic, payload }` as `notify { topic, publisher, payload }` to every subscriber of that
 * topic except the publisher itself. A publish to a topic nobody subscribed to is dropped (counted
 * in `published`, not stored).
 *
 * @example
 * const broker = pubSubBroker(sim.spawn("broker"));
 * // after a run: broker.notified / broker.published = the average fan-out
 */
export function pubSubBroker(node: Node): PubSubBroker {
  const subscriptions = new TopicSubscriptions();
  let published = 0;
  let notified = 0;
  acceptSubscriptions(node, subscriptions);
  node.on("publish", (message) => {
    const topic = topicOf(node, message);
    published++;
    for (const dest of subscriptions.subscribers(topic)) {
      if (dest === message.src) continue;
      node.send(dest, { type: "notify", topic, publisher: message.src, payload: message.body.payload });
      notified++;
    }
  });
  return {
    subscriptions,
    get published() {
      return published;
    },
    get notified() {
      return notified;
    },
  };
}

/** A notification as a subscriber receives it. */
export interface PubSubNotification {
  topic: string;
  publisher: string;
  payload: unknown;
  /** Virtual time of arrival. */
  atMs: number;
}

/** What {@link pubSubSubscriber} returns. */
export interface PubSubSubscriber {
  /** Subscribe to `topic` at the publisher or broker; resolves once confirmed (`subscribe_ok`). */
  subscribe(topic: string): Promise<void>;
  /** Unsubscribe from `topic`; resolves once confirmed. */
  unsubscribe(topic: string): Promise<void>;
  /** Every notification received so far, in arrival order. */
  readonly received: readonly PubSubNotification[];
}

/**
 * The subscriber role: (un)subscribes at `source` (a direct publisher or a broker) with a small
 * request–response (rpc with retries, so a lost `subscribe` is sent again — subscribing twice is
 * harmless), records every `notify`, and calls `onNotify` for each.
 *
 * @example
 * sim.spawn("s1", async (node) => {
 *   const me = pubSubSubscriber(node, "broker", (n) => node.log(`${n.topic}: ${JSON.stringify(n.payload)}`));
 *   await me.subscribe("prices");
 * });
 */
export function pubSubSubscriber(node: Node, source: string, onNotify?: (notification: PubSubNotification) => void, rpcOptions: RpcOptions = { timeoutMs: 100, retries: 5 }): PubSubSubscriber {
  const received: PubSubNotification[] = [];
  node.on("notify", (message) => {
    const notification: PubSubNotification = { topic: String(message.body.topic), publisher: String(message.body.publisher), payload: message.body.payload, atMs: node.now() };
    received.push(notification);
    onNotify?.(notification);
  });
  return {
    received,
    async subscribe(topic) {
      await node.rpc(source, { type: "subscribe", topic }, rpcOptions);
    },
    async unsubscribe(topic) {
      await node.rpc(source, { type: "unsubscribe", topic }, rpcOptions);
    },
  };
}

/**
 * Publish through a broker: one `publish` message, whatever the number of subscribers (the broker
 * does the fan-out).
 *
 * @example
 * pubSubPublish(node, "broker", "prices", { eur: 1.08 });
 */
export function pubSubPublish(node: Node, broker: string, topic: string, payload: unknown): number {
  return node.send(broker, { type: "publish", topic, payload });
}
