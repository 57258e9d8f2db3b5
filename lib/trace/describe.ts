/**
 * Short words for events: the one source of wording for the diagrams, the terminal timeline and
 * the message-flow graph, so an event reads the same everywhere: `ping #3`, `ping_ok #4 ↩3`
 * (`#` the body's `msg_id`, `↩` its `in_reply_to`), `timer election fired`, `crashed`.
 */
import type { MessageRef, TraceEvent } from "./events";
import { formatMs } from "../sim/errors";

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
 * duplicate), which are drawn as arrows. The node an event happened on is left to the caller (a
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
      return "crashed";
    case "restart":
      return `restarted (incarnation ${e.incarnation})`;
    case "spawn":
      return `spawned (${e.role})`;
    case "partition":
      return `partition ${e.groups.map((g) => g.join(" ")).join(" | ")}`;
    case "cut":
      return `cut ${e.from} → ${e.to}`;
    case "isolate":
      return "isolated";
    case "heal":
      return "healed";
    case "state":
      return `${e.from === undefined ? "state " : `${e.from} → `}${e.to}${e.cause === undefined ? "" : ` (${e.cause})`}`;
    case "log":
      return e.text;
    case "error":
      return `error in ${e.during}: ${e.message}`;
  }
}
