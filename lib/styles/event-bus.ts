/**
 * The event-based style (lecture 000, "Event-Based Architecture"; lecture 001, "4. Event based
 * architecture"): components never name each other; publishers hand events of a type to an
 * **event bus**, and the bus delivers each event to the components that subscribed to that type
 * (decoupled in space). Whether they are also decoupled in **time** depends on the bus:
 *
 * - not durable: the bus forwards each event once; a subscriber that is down misses it for good;
 * - durable: the bus keeps every event for each subscriber (in `node.storage`, so also across a
 *   crash of the bus) until that subscriber acknowledges it, and redelivers what has been unacknowledged
 *   for `redeliverMs` — at-least-once; subscribers drop duplicates by sequence number.
 *
 * Wire protocol: `{ type: "bus_subscribe", eventTypes }` → reply `bus_subscribe_ok`;
 * `{ type: "bus_publish", eventType, event }` → reply `{ type: "bus_publish_ok", id }`;
 * to each subscriber `{ type: "bus_event", eventType, event, publisher, seq }` (seq counts per
 * subscriber); durable subscribers answer `{ type: "bus_ack", seq }`.
 */
import type { Node } from "../node/node";
import type { Message } from "../node/message";
import { RpcTimeoutError } from "../node/rpc";
import { SimulationError } from "../sim/errors";
import { Simulation } from "../simulation/simulation";
import { latency } from "../net/latency";

/** An event as a subscriber receives it. */
export interface BusEvent {
  eventType: string;
  event: unknown;
  publisher: string;
  /** Sequence number of this event for this subscriber (1, 2, …). */
  seq: number;
  /** Virtual time of arrival. */
  atMs: number;
}

/** Options of {@link eventBus}. */
export interface EventBusOptions {
  /** Keep events until each subscriber acknowledges them. Default false. */
  durable?: boolean;
  /** With `durable`: how long an event waits for its ack before it is resent (checked every `redeliverMs`). Default 50 ms. */
  redeliverMs?: number;
}

/** What {@link eventBus} returns. */
export interface EventBus {
  /** Events published (`bus_publish` accepted, duplicates included). */
  readonly published: number;
  /** `bus_event` messages sent (first deliveries and redeliveries). */
  readonly sent: number;
  /** Of `sent`, the redeliveries. */
  readonly redelivered: number;
  /** Subscribers of an event type, in subscription order. */
  subscribers(eventType: string): string[];
  /** Events kept for `subscriber` and not yet acknowledged (always 0 when not durable). */
  unacknowledged(subscriber: string): number;
}

/** The bus's state; kept in `node.storage` when durable. */
interface BusState {
  subscriptions: Record<string, string[]>;
  /** Per subscriber: the last seq given and the events not yet acknowledged. */
  outboxes: Record<string, { seq: number; pending: { seq: number; eventType: string; event: unknown; publisher: string; sentMs: number }[] }>;
}

/**
 * An event bus on `node`: answers subscriptions and publications, and forwards each published
 * event to every subscriber of its type (except the publisher). With `durable`, keeps events per
 * subscriber in `node.storage` until acknowledged and redelivers them periodically.
 *
 * @example
 * const bus = eventBus(sim.spawn("bus"), { durable: true, redeliverMs: 50 });
 * // later: bus.unacknowledged("billing") — events waiting for a subscriber that is down
 */
export function eventBus(node: Node, options: EventBusOptions = {}): EventBus {
  const durable = options.durable ?? false;
  const redeliverMs = options.redeliverMs ?? 50;
  if (!(redeliverMs > 0)) throw new SimulationError(`eventBus: redeliverMs must be > 0, got ${redeliverMs}`, { node: node.id, timeMs: node.now() });
  const state: BusState = (durable ? node.storage.get<BusState>("bus") : undefined) ?? { subscriptions: {}, outboxes: {} };
  const save = () => { if (durable) node.storage.set("bus", state); };
  let published = 0;
  let sent = 0;
  let redelivered = 0;
  node.on("bus_subscribe", (message: Message) => {
    const types = message.body.eventTypes;
    if (!Array.isArray(types) || types.some((t) => typeof t !== "string" || t === "")) {
      throw new SimulationError(`bus_subscribe from "${message.src}": eventTypes must be an array of non-empty strings, got ${JSON.stringify(types)}`, { node: node.id, timeMs: node.now() });
    }
    for (const t of types as string[]) {
      const list = (state.subscriptions[t] ??= []);
      if (!list.includes(message.src)) list.push(message.src);
    }
    state.outboxes[message.src] ??= { seq: 0, pending: [] };
    save();
    node.reply(message, { type: "bus_subscribe_ok", eventTypes: types });
  });
  node.on("bus_publish", (message: Message) => {
    const { eventType, event } = message.body;
    if (typeof eventType !== "string" || eventType === "") throw new SimulationError(`bus_publish from "${message.src}": eventType must be a non-empty string`, { node: node.id, timeMs: node.now() });
    published++;
    for (const dest of state.subscriptions[eventType] ?? []) {
      if (dest === message.src) continue;
      const outbox = (state.outboxes[dest] ??= { seq: 0, pending: [] });
      const item = { seq: ++outbox.seq, eventType, event: event ?? null, publisher: message.src };
      if (durable) outbox.pending.push({ ...item, sentMs: node.now() });
      node.send(dest, { type: "bus_event", ...item });
      sent++;
    }
    save();
    node.reply(message, { type: "bus_publish_ok", id: published });
  });
  node.on("bus_ack", (message: Message) => {
    const outbox = state.outboxes[message.src];
    if (outbox === undefined) return;
    const before = outbox.pending.length;
    outbox.pending = outbox.pending.filter((item) => item.seq !== message.body.seq);
    if (outbox.pending.length !== before) save();
  });
  if (durable) {
    node.setPeriodic(redeliverMs, () => {
      for (const [dest, outbox] of Object.entries(state.outboxes)) {
        for (const item of outbox.pending) {
          if (node.now() - item.sentMs < redeliverMs) continue; // its ack may still be on the way
          const { sentMs: _sentMs, ...event } = item;
          item.sentMs = node.now();
          node.send(dest, { type: "bus_event", ...event });
          sent++;
          redelivered++;
        }
      }
    }, "redeliver");
  }
  return {
    get published() { return published; },
    get sent() { return sent; },
    get redelivered() { return redelivered; },
    subscribers: (eventType) => [...(state.subscriptions[eventType] ?? [])],
    unacknowledged: (subscriber) => state.outboxes[subscriber]?.pending.length ?? 0,
  };
}

/** What {@link busPublisher} returns. */
export interface BusPublisher {
  /** Publish an event; resolves when the bus has taken it, rejects with `RpcTimeoutError` if it never answers. */
  publish(eventType: string, event: unknown): Promise<void>;
}

/**
 * A publisher: knows the bus, not the subscribers.
 *
 * @example
 * sim.spawn("shop", async (node) => {
 *   await busPublisher(node, "bus").publish("order_placed", { order: 17 });
 * });
 */
export function busPublisher(node: Node, bus: string, options: { timeoutMs?: number; retries?: number } = {}): BusPublisher {
  return {
    async publish(eventType, event) {
      await node.rpc(bus, { type: "bus_publish", eventType, event: event ?? null }, { timeoutMs: options.timeoutMs ?? 100, retries: options.retries ?? 3 });
    },
  };
}

/** What {@link busSubscriber} returns. */
export interface BusSubscriber {
  /** Distinct events received by this incarnation, in arrival order (duplicates dropped by seq). */
  readonly received: BusEvent[];
  /** Resolves once the bus confirmed the subscription. */
  readonly subscribed: Promise<void>;
}

/**
 * A subscriber: subscribes to `eventTypes` at the bus when it starts (again after each restart),
 * acknowledges every `bus_event`, drops duplicates by sequence number and calls `onEvent` once
 * per distinct event. It knows the bus and the event types, never the publishers.
 *
 * @example
 * sim.spawn("billing", (node) => {
 *   busSubscriber(node, "bus", ["order_placed"], (e) => node.log(`bill order ${(e.event as any).order}`));
 * });
 */
export function busSubscriber(node: Node, bus: string, eventTypes: string[], onEvent?: (event: BusEvent) => void): BusSubscriber {
  const received: BusEvent[] = [];
  const seen = new Set<number>();
  node.on("bus_event", (message: Message) => {
    const { eventType, event, publisher, seq } = message.body;
    node.send(message.src, { type: "bus_ack", seq });
    if (seen.has(seq)) return;
    seen.add(seq);
    const e: BusEvent = { eventType, event, publisher, seq, atMs: node.now() };
    received.push(e);
    onEvent?.(e);
  });
  const subscribed = node.rpc(bus, { type: "bus_subscribe", eventTypes }, { timeoutMs: 100, retries: 5 }).then(() => undefined);
  subscribed.catch(() => {}); // a subscriber that never got through simply hears nothing
  return { received, subscribed };
}

/** Options of {@link runEventBusTrial}. */
export interface EventBusTrialOptions {
  durable: boolean;
  /** Events published, one every 10 ms from t = 20 ms. Default 20. */
  events?: number;
  /** The subscriber "audit" is down from this time … Default 60 ms. */
  downAtMs?: number;
  /** … for this long. Default 80 ms. */
  downForMs?: number;
  seed?: number;
}

/** What {@link runEventBusTrial} returns. */
export interface EventBusTrialResult {
  durable: boolean;
  published: number;
  /** Distinct events received by "billing", which stays up. */
  receivedUp: number;
  /** Distinct events received by "audit" over both its incarnations. */
  receivedRestarted: number;
  /** Events "audit" never received. */
  lost: number;
  /** Redeliveries the bus made. */
  redelivered: number;
}

/**
 * A publisher sends `events` events of type `"order_placed"` through a bus to two subscribers;
 * one of them ("audit") crashes and restarts in the middle. Counts what each received: a
 * non-durable bus loses what was published while audit was down; a durable one does not.
 *
 * @example
 * (await runEventBusTrial({ durable: false })).lost; // the events published while audit was down
 * (await runEventBusTrial({ durable: true })).lost;  // 0
 */
export async function runEventBusTrial(options: EventBusTrialOptions): Promise<EventBusTrialResult> {
  const events = options.events ?? 20;
  const downAtMs = options.downAtMs ?? 60;
  const downForMs = options.downForMs ?? 80;
  const sim = new Simulation({ seed: options.seed ?? 1, network: { latency: latency.uniform(2, 6) }, trace: false });
  let bus!: EventBus;
  sim.spawn("bus", (node) => { bus = eventBus(node, { durable: options.durable, redeliverMs: 40 }); });
  const distinct: Record<string, Set<number>> = { billing: new Set(), audit: new Set() };
  for (const id of ["billing", "audit"]) {
    sim.spawn(id, (node) => { busSubscriber(node, "bus", ["order_placed"], (e) => distinct[id].add((e.event as { order: number }).order)); });
  }
  sim.spawn("shop", async (node) => {
    const publisher = busPublisher(node, "bus");
    await node.sleep(20);
    for (let order = 1; order <= events; order++) {
      try {
        await publisher.publish("order_placed", { order });
      } catch (error) {
        if (!(error instanceof RpcTimeoutError)) throw error;
      }
      await node.sleep(10);
    }
  });
  sim.at(downAtMs, () => sim.crash("audit"), "crash audit");
  sim.at(downAtMs + downForMs, () => sim.restart("audit"), "restart audit");
  await sim.runFor(Math.max(20 + events * 25, downAtMs + downForMs) + 200);
  return {
    durable: options.durable,
    published: bus.published,
    receivedUp: distinct.billing.size,
    receivedRestarted: distinct.audit.size,
    lost: events - distinct.audit.size,
    redelivered: bus.redelivered,
  };
}
