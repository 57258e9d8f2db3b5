/**
 * Short words for events: the one source of wording for the diagrams, the terminal timeline and
 * the message-flow graph, so an event reads the same everywhere: `ping #3`, `ping_ok #4 ↩3`
 * (`#` the body's `msg_id`, `↩` its `in_reply_to`), `timer election fired`, `crashed`.
 */
import type { ClockEvent, DropEvent, HealEvent, MessageRef, TraceEvent } from "./events";
import { formatMs } from "../sim/errors";

/**
 * Why a copy was dropped, in words: the reason, or for a rule the rule's name.
 *
 * @example
 * dropCause({ kind: "drop", timeMs: 5, id: 1, src: "a", dest: "b", type: "ping", sentMs: 5, reason: "rule", rule: "lose pings", duplicate: false });
 * // 'rule "lose pings"'
 * dropCause({ kind: "drop", timeMs: 5, id: 1, src: "a", dest: "b", type: "ping", sentMs: 5, reason: "loss", duplicate: false }); // "loss"
 */
export function dropCause(e: DropEvent): string {
  return e.reason === "rule" && e.rule !== undefined ? `rule "${e.rule}"` : e.reason;
}

/** A heal in words: everything, one direction, one link, or one node's isolation. */
function healWords(e: HealEvent): string {
  if (e.isolated !== undefined) return `${e.isolated} no longer isolated`;
  if (e.between !== undefined) return `healed ${e.between[0]} ↔ ${e.between[1]}`;
  if (e.from !== undefined && e.to !== undefined) return `healed ${e.from} → ${e.to}`;
  return "healed";
}

/**
 * A message's compact label: its type, `#msg_id` and `↩in_reply_to` when present.
 *
 * @example
 * messageLabel({ id: 7, src: "a", dest: "b", type: "echo_ok", msgId: 4, inReplyTo: 3 }); // "echo_ok #4 ↩3"
 */
export function messageLabel(m: MessageRef): string {
  let label = m.type;
  if (m.msgId !== undefined) label += ` #${m.msgId}`;
  if (m.inReplyTo !== undefined) label += ` ↩${m.inReplyTo}`;
  return label;
}

/** The name `node.setTimer` gives a timer when none is given. */
const TIMER_NAME_DEFAULT = "timer";
/** The name `node.setPeriodic` gives a timer when none is given. */
const PERIODIC_NAME_DEFAULT = "periodic";

/**
 * A timer as words: `timer election`, `periodic timer heartbeat`; an unnamed timer (the default
 * names "timer" and "periodic") is just `timer` or `periodic timer`, never `timer timer`.
 *
 * @example
 * timerLabel("election");         // "timer election"
 * timerLabel("heartbeat", true);  // "periodic timer heartbeat"
 * timerLabel("timer");            // "timer"
 */
export function timerLabel(name: string, periodic = false): string {
  const kind = periodic || name === PERIODIC_NAME_DEFAULT ? "periodic timer" : "timer";
  return name === TIMER_NAME_DEFAULT || name === PERIODIC_NAME_DEFAULT ? kind : `${kind} ${name}`;
}

/**
 * What a non-message event says, or `undefined` for message events (send, deliver, drop,
 * duplicate, delay), which are drawn as arrows. The node an event happened on is left to the caller (a
 * diagram lane, a timeline column); the other node of an rpc or an unhandled message is named.
 *
 * @example
 * describeEvent({ kind: "state", timeMs: 3, node: "n1", role: "raft", from: "follower", to: "candidate", cause: "election timeout" });
 * // "follower → candidate (election timeout)"
 */
export function describeEvent(e: TraceEvent): string | undefined {
  switch (e.kind) {
    case "send":
    case "deliver":
    case "drop":
    case "duplicate":
    case "delay":
      return undefined;
    case "unhandled":
      return e.reason === "no-handler"
        ? `no handler for ${messageLabel(e)} from ${e.src}`
        : `late reply ${messageLabel(e)} from ${e.src}`;
    case "timer":
      return `${timerLabel(e.name, e.periodic)} fired`;
    case "rpc": {
      const attempts = `${e.attempts} attempt${e.attempts === 1 ? "" : "s"}`;
      return e.outcome === "ok"
        ? `rpc ${e.type} #${e.msgId} to ${e.dest} ok in ${formatMs(e.latencyMs)}${e.attempts === 1 ? "" : ` after ${attempts}`}`
        : `rpc ${e.type} #${e.msgId} to ${e.dest} timed out after ${attempts}`;
    }
    case "crash":
      return e.lostWrites ? `crashed (${e.lostWrites} unsynced write${e.lostWrites === 1 ? "" : "s"} lost)` : "crashed";
    case "restart":
      return `restarted (incarnation ${e.incarnation})`;
    case "spawn":
      return e.timeMs > 0 ? `joined (${e.role})` : `spawned (${e.role})`;
    case "leave":
      return "left for good";
    case "partition":
      return `partition ${e.groups.map((g) => g.join(" ")).join(" | ")}`;
    case "cut":
      return `cut ${e.from} → ${e.to}`;
    case "isolate":
      return "isolated";
    case "heal":
      return healWords(e);
    case "state":
      return `${e.from === undefined ? "state " : `${e.from} → `}${e.to}${e.cause === undefined ? "" : ` (${e.cause})`}`;
    case "log":
      return e.text;
    case "error":
      return `error in ${e.during}: ${e.message}`;
    case "clock":
      return clockWords(e);
    case "queue":
      return e.length === 0 ? "queue empty" : `${e.length} message${e.length === 1 ? "" : "s"} waiting`;
  }
}

/** A clock change in words: `clock set: offset +5ms, drift +100ppm`, `clock stepped -3.5ms (offset now +1.5ms)`. */
function clockWords(e: ClockEvent): string {
  const signed = (ms: number): string => `${ms > 0 ? "+" : ""}${formatMs(ms)}`;
  if (e.change === "set") return `clock set: offset ${signed(e.offsetMs)}, drift ${e.driftPpm > 0 ? "+" : ""}${e.driftPpm}ppm`;
  if (e.change === "step") return `clock stepped ${signed(e.deltaMs ?? 0)} (offset now ${signed(e.offsetMs)})`;
  return `clock slewing ${signed(e.deltaMs ?? 0)} over ${formatMs(e.slewMs ?? 0)} (offset now ${signed(e.offsetMs)})`;
}
