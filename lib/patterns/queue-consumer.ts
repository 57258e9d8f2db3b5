// The consumer side of the queue broker (broker.ts): register for queues and topics, process each
// delivery, acknowledge it. At-least-once delivery means a redelivered message may arrive again
// after it was processed; with `dedup` the consumer remembers processed ids in `node.storage` and
// acknowledges a repeat without processing it (an idempotent consumer, lecture 002).
import type { Node } from "../node/index";
import type { QueueDelivery } from "./broker";

/** Options of {@link queueConsumer}. */
export interface QueueConsumerOptions {
  /** The broker's node id. */
  broker: string;
  /** Queues to consume from (competing consumers: each message goes to one of them). */
  queues?: readonly string[];
  /** Topics to subscribe to (each subscriber gets its own copy, in its own durable queue). */
  topics?: readonly string[];
  /** Deliveries in flight at once per queue. Default: the broker's. */
  prefetch?: number;
  /**
   * Handle one delivery; the ack is sent when it returns (or its promise resolves). If it throws
   * (or rejects), no ack is sent (counted in `failures`) and the broker delivers the message
   * again after its ack timeout.
   */
  process: (delivery: QueueDelivery) => unknown;
  /**
   * Remember processed message ids in `node.storage` and skip (but acknowledge) a delivery seen
   * before: an idempotent consumer, so a redelivery is not processed twice. Default false.
   */
  dedup?: boolean;
  /** Wait between attempts to register with the broker (it tries until the broker answers). Default 100. */
  retryMs?: number;
}

/** What a consumer counted (one incarnation). */
export interface QueueConsumer {
  readonly counters: { received: number; processed: number; skippedDuplicates: number; failures: number };
  /** True once every queue and topic is registered with the broker. */
  readonly registered: boolean;
}

/**
 * A consumer: registers with the broker (at every start, so a restarted consumer gets its
 * requeued messages), processes each delivery, then acknowledges it.
 *
 * @example
 * const seen: unknown[] = [];
 * sim.spawn("c1", (node) => queueConsumer(node, { broker: "broker", topics: ["orders"], dedup: true, process: (d) => seen.push(d.payload) }));
 */
export function queueConsumer(node: Node, options: QueueConsumerOptions): QueueConsumer {
  const { broker, queues = [], topics = [], prefetch, process: handle, dedup = false, retryMs = 100 } = options;
  if (typeof handle !== "function") throw new Error(`queueConsumer on ${node.id} at t=${node.now()}ms: options.process must be a function`);
  const counters = { received: 0, processed: 0, skippedDuplicates: 0, failures: 0 };
  let pending = queues.length + topics.length;
  const extra = prefetch === undefined ? {} : { prefetch };

  const registerOnce = async (body: { type: string; [field: string]: unknown }): Promise<void> => {
    for (;;) {
      try {
        await node.rpc(broker, { ...body, ...extra }, { timeoutMs: retryMs });
        pending--;
        return;
      } catch {
        // the broker is down or the message was lost: try again
      }
    }
  };
  for (const queue of queues) void registerOnce({ type: "consume", queue });
  for (const topic of topics) void registerOnce({ type: "subscribe", topic });

  node.on("deliver", (msg) => {
    const { queue, messageId, payload, redelivered, deliveryCount } = msg.body;
    counters.received++;
    const doneKey = `processed:${queue}:${messageId}`;
    const ack = (): void => void node.send(broker, { type: "ack", queue, messageId });
    if (dedup && node.storage.has(doneKey)) {
      counters.skippedDuplicates++;
      return ack();
    }
    const processed = (): void => {
      counters.processed++;
      if (dedup) node.storage.set(doneKey, true);
      ack();
    };
    const failed = (): void => void counters.failures++; // no ack: the broker delivers it again after its ack timeout
    let result: unknown;
    try {
      result = handle({ queue, messageId, payload, redelivered, deliveryCount });
    } catch {
      return failed();
    }
    if (result instanceof Promise) return result.then(processed, failed);
    return processed();
  });
  return {
    counters,
    get registered() {
      return pending === 0;
    },
  };
}
