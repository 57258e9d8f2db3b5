/**
 * The messages of a trace, as a check reads them: each send with its parsed body and every copy's
 * fate (arrived or dropped, and when), plus the words a failure uses for a message.
 *
 * The words match the failure diagram: an arrow is drawn when the copy **arrived** (or was
 * dropped), `#N` is the body's `msg_id` and `↩N` its `in_reply_to`. So a check says
 * `a → b ping n=2 (msg_id #2), sent at t=0ms, arrived at t=14.483ms`, never only "n=2 at t=0ms".
 */
import { formatMs } from "../../lib/sim/errors";
import type { DeliverEvent, DropEvent, SendEvent, TraceEvent } from "../../lib/trace";

/** One copy of a message reaching its destination, with its trace index. */
export interface Arrival {
  event: DeliverEvent;
  index: number;
}

/** One copy of a message being dropped, with its trace index. */
export interface Drop {
  event: DropEvent;
  index: number;
}

/** A sent message: the send, its parsed body, and what became of each copy. */
export interface SentMessage {
  send: SendEvent;
  /** Index of the send event in the trace. */
  index: number;
  body: Record<string, unknown>;
  /** Copies that arrived (a duplicated message arrives twice), in trace order. */
  delivered: Arrival[];
  /** Copies that were dropped. */
  dropped: Drop[];
}

/**
 * Every sent message of a trace (or those `include` accepts), in send order, with its copies' fates.
 *
 * @example
 * const sent = sentMessages(sim.trace.events);
 * sent.filter((m) => m.send.src === "a" && m.send.type === "ping").length; // pings a sent
 */
export function sentMessages(events: readonly TraceEvent[], include: (send: SendEvent) => boolean = () => true): SentMessage[] {
  const byId = new Map<number, SentMessage>();
  const sent: SentMessage[] = [];
  events.forEach((e, index) => {
    if (e.kind === "send") {
      if (!include(e)) return;
      const m: SentMessage = { send: e, index, body: JSON.parse(e.json), delivered: [], dropped: [] };
      byId.set(e.id, m);
      sent.push(m);
    } else if (e.kind === "deliver") {
      byId.get(e.id)?.delivered.push({ event: e, index });
    } else if (e.kind === "drop") {
      byId.get(e.id)?.dropped.push({ event: e, index });
    }
  });
  return sent;
}

/** Body fields that every message has; {@link describeMessage} shows the others. */
const ENVELOPE = new Set(["type", "msg_id", "in_reply_to"]);

/** A field value in a few characters: strings quoted, long ones cut with `…`. */
export function shortValue(value: unknown, charsMax = 40): string {
  const text = value === undefined ? "undefined" : JSON.stringify(value);
  const chars = Array.from(text);
  return chars.length <= charsMax ? text : `${chars.slice(0, charsMax - 1).join("")}…`;
}

/**
 * The body fields of a message other than `type`, `msg_id`, `in_reply_to`, as `n=2` or
 * `echo="hi"` (only `fields`, when given; a missing field shows as `without n`), each value cut
 * at `valueCharsMax` characters.
 *
 * @example
 * bodyFields({ type: "ping", n: 2, msg_id: 5 }); // "n=2"
 */
export function bodyFields(body: Record<string, unknown>, fields?: readonly string[], valueCharsMax = 40): string {
  const keys = fields ?? Object.keys(body).filter((k) => !ENVELOPE.has(k));
  return keys.map((k) => (k in body ? `${k}=${shortValue(body[k], valueCharsMax)}` : `without ${k}`)).join(" ");
}

/** `msg_id #5` and `in_reply_to 2` of a message, as the words for `#5 ↩2` on its arrow. */
function ids(send: SendEvent): string {
  const parts: string[] = [];
  parts.push(send.msgId === undefined ? "no msg_id" : `msg_id #${send.msgId}`);
  if (send.inReplyTo !== undefined) parts.push(`in_reply_to ${send.inReplyTo}`);
  return parts.join(", ");
}

/**
 * What became of a message, in the diagram's terms: `sent at t=0ms, arrived at t=14.483ms`,
 * `…, dropped at t=3ms (loss)`, `…, arrived at t=9ms and again at t=12ms (duplicate)`,
 * `…, still in flight`.
 *
 * @example
 * fate(m); // "sent at t=0ms, arrived at t=14.483ms"
 */
export function fate(m: SentMessage): string {
  const parts = [`sent at t=${formatMs(m.send.timeMs)}`];
  const arrivals = m.delivered.map((a) => formatMs(a.event.timeMs));
  if (arrivals.length === 1) parts.push(`arrived at t=${arrivals[0]}`);
  else if (arrivals.length > 1) parts.push(`arrived at t=${arrivals[0]} and again at t=${arrivals.slice(1).join(", ")} (duplicate)`);
  for (const d of m.dropped) parts.push(`${d.event.duplicate ? "its duplicate " : ""}dropped at t=${formatMs(d.event.timeMs)} (${d.event.reason})`);
  if (m.delivered.length === 0 && m.dropped.length === 0) parts.push("still in flight");
  return parts.join(", ");
}

/**
 * A message in the words of the failure diagram: route, type, the fields a check looks at,
 * `msg_id` / `in_reply_to`, and when it was sent and arrived.
 *
 * @example
 * describeMessage(m, ["n"]); // "a → b ping n=2 (msg_id #2), sent at t=0ms, arrived at t=14.483ms"
 */
export function describeMessage(m: SentMessage, fields?: readonly string[]): string {
  const shown = bodyFields(m.body, fields);
  return `${m.send.src} → ${m.send.dest} ${m.send.type}${shown ? ` ${shown}` : ""} (${ids(m.send)}), ${fate(m)}`;
}

/**
 * When a message is "seen" by a check: its first arrival, else its first drop, else its send.
 *
 * @example
 * seenMs(m); // 14.483
 */
export function seenMs(m: SentMessage): number {
  return (m.delivered[0] ?? m.dropped[0])?.event.timeMs ?? m.send.timeMs;
}
