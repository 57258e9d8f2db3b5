// Message transport: a send becomes a wire copy, the network decides its fate, and each copy
// that survives becomes a deliver event; at delivery time the destination is checked again (a
// crash since the send, a partition since the send) and the message reaches its node.
import type { Kernel } from "../sim/kernel";
import type { Network } from "../net/network";
import { toWire } from "../node/wire";
import type { Body, Message } from "../node/message";
import type { Trace } from "../trace/trace";
import type { DeliverEvent, DropEvent, DropReason } from "../trace/events";
import type { DeliverEv, SimEvent } from "./events";
import type { Runtime } from "./registry";

/** Counters kept even when tracing is off. Each counts copies: a duplicated message delivered twice counts 2. */
export interface Counters {
  /** Messages sent (each send once, whatever became of it). */
  sent: number;
  /** Copies delivered to a node's handler (duplicates included; at a node with service time, once served). */
  delivered: number;
  /** Copies lost: to the loss fault, a partition, a message fault rule, a full service queue, or a crashed or departed destination (duplicates included). */
  dropped: number;
  /** Extra copies made by the duplication fault and by duplicate rules. */
  duplicated: number;
  bytesSent: number;
  errors: number;
}

/** What transport needs to hand a delivered message to its node and report what went wrong. */
export interface TransportPort {
  /** The delivered message found no handler (or was a late reply, which is fine). */
  unhandled(e: DeliverEv, outcome: "no-handler" | "late-reply"): void;
}

/**
 * Sends and deliveries, with their counters and trace events.
 *
 * @example
 * transport.transmit(src, dest, { type: "ping" }, 1);
 */
export class Transport {
  readonly counters: Counters = { sent: 0, delivered: 0, dropped: 0, duplicated: 0, bytesSent: 0, errors: 0 };
  /** Messages sent per body type, for the budget diagnosis. */
  readonly sentByType = new Map<string, number>();
  private wireId = 0;

  constructor(
    private readonly kernel: Kernel<SimEvent>,
    private readonly network: Network,
    private readonly trace: Trace,
    private readonly port: TransportPort,
  ) {}

  /**
   * Copy `body` onto the wire from `src` to `to` and schedule its arrival (or record its loss).
   * With `addMsgId`, the copy gets that msg_id.
   *
   * @example
   * transport.transmit(registry.get("a")!, registry.get("b")!, { type: "ping" }, 1);
   */
  transmit(src: Runtime, to: Runtime, body: Body, addMsgId?: number): void {
    const wire = toWire(body, addMsgId);
    const json = wire.json;
    const bytes = wire.bytes;
    const now = this.kernel.nowMs;
    const id = ++this.wireId;
    const type = body.type;
    const from = src.id;
    const dest = to.id;
    const msgId = addMsgId ?? body.msg_id;
    const inReplyTo = body.in_reply_to;
    const c = this.counters;
    c.sent++;
    c.bytesSent += bytes;
    src.sent++;
    this.sentByType.set(type, (this.sentByType.get(type) ?? 0) + 1);
    const tracing = this.trace.enabled;
    if (tracing) this.trace.recordSend(now, id, from, dest, type, msgId, inReplyTo, bytes, json); // compact: no event object
    const route = this.network.routeLink(src.link, to.link, bytes, now, type, json);
    if (route.delivered === false) {
      c.dropped++;
      if (tracing && route.rule === undefined) this.trace.recordDrop({ id, src: from, dest, type, msgId, inReplyTo, sentMs: now, duplicate: false }, now, route.reason);
      else if (tracing) {
        const drop: DropEvent = { kind: "drop", timeMs: now, id, src: from, dest, type, msgId, inReplyTo, sentMs: now, reason: route.reason, duplicate: false };
        if (route.rule !== undefined) drop.rule = route.rule;
        this.trace.record(drop);
      }
      return;
    }
    const crashes = to.crashes;
    const srcLink = src.link;
    const first: DeliverEv = { kind: "deliver", timeMs: route.atMs, seq: 0, id, src: from, dest, srcLink, to, type, json, copy: wire.copy, sentMs: now, crashes, duplicate: false, msgId, inReplyTo };
    this.kernel.schedule(first);
    if (route.duplicateAtMs !== undefined) {
      c.duplicated++;
      if (tracing) this.trace.recordDuplicate(first, now);
      this.kernel.schedule({ kind: "deliver", timeMs: route.duplicateAtMs, seq: 0, id, src: from, dest, srcLink, to, type, json, copy: undefined, sentMs: now, crashes, duplicate: true, msgId, inReplyTo });
    }
    if (route.rules !== undefined) {
      // Message fault rules: each delay and each extra copy is in the trace, under the rule's name.
      for (const d of route.rules.delays) {
        if (tracing) this.trace.record({ kind: "delay", timeMs: now, id, src: from, dest, type, msgId, inReplyTo, rule: d.rule, delayMs: d.delayMs });
      }
      for (const copy of route.rules.copies) {
        c.duplicated++;
        if (tracing) this.trace.record({ kind: "duplicate", timeMs: now, id, src: from, dest, type, msgId, inReplyTo, rule: copy.rule });
        this.kernel.schedule({ kind: "deliver", timeMs: copy.atMs, seq: 0, id, src: from, dest, srcLink, to, type, json, copy: undefined, sentMs: now, crashes, duplicate: true, msgId, inReplyTo });
      }
    }
  }

  /**
   * A copy arrives: lost if its destination is down or crashed since the send, or a fault now
   * blocks the link; otherwise handed to the current incarnation.
   *
   * @example
   * transport.deliver(event);
   */
  deliver(e: DeliverEv): void {
    const rt = e.to;
    const tracing = this.trace.enabled;
    const reason = !rt.up || rt.crashes !== e.crashes ? (rt.left ? "left" : "crashed") : this.network.passesLink(e.srcLink, rt.link) ? undefined : "partition";
    if (reason !== undefined) {
      this.counters.dropped++;
      if (tracing) this.trace.recordDrop(e, e.timeMs, reason);
      return;
    }
    if (rt.service !== undefined) return rt.service.arrive(e); // a node with service time queues it (see service.ts)
    this.handOver(e);
  }

  /**
   * Hand a copy straight from the network to its node: count and trace the delivery, then run its
   * handler (or settle the rpc it answers).
   *
   * @example
   * transport.handOver(event);
   */
  handOver(e: DeliverEv): void {
    this.counters.delivered++;
    if (this.trace.enabled) this.trace.recordDeliver(e, e.timeMs); // compact: no event object
    this.toHandler(e);
  }

  /**
   * At a node with service time, the service queue hands a copy over once it has been served: it
   * arrived at `arrivedMs` and took `serviceMs` (both go into the `deliver` event).
   *
   * @example
   * transport.handOverServed(event, 10, 2.5); // arrived at 10 ms, served for 2.5 ms
   */
  handOverServed(e: DeliverEv, arrivedMs: number, serviceMs: number): void {
    this.counters.delivered++;
    if (this.trace.enabled) {
      const ev: DeliverEvent = { kind: "deliver", timeMs: this.kernel.nowMs, id: e.id, src: e.src, dest: e.dest, type: e.type, msgId: e.msgId, inReplyTo: e.inReplyTo, sentMs: e.sentMs, duplicate: e.duplicate, arrivedMs, serviceMs };
      this.trace.record(ev);
    }
    this.toHandler(e);
  }

  private toHandler(e: DeliverEv): void {
    const message: Message = { src: e.src, dest: e.dest, body: e.copy ?? JSON.parse(e.json) };
    const outcome = e.to.node._deliver(message);
    if (outcome !== "handled") this.port.unhandled(e, outcome);
  }

  /**
   * Lose a copy that reached its node but not its handler (a full service queue, or a crash that
   * emptied the queue), at `timeMs`.
   *
   * @example
   * transport.dropCopy(event, "queue-full", sim.now());
   */
  dropCopy(e: DeliverEv, reason: DropReason, timeMs: number): void {
    this.counters.dropped++;
    if (this.trace.enabled) this.trace.recordDrop(e, timeMs, reason);
  }
}
