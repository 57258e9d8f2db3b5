/**
 * Short words for events, shared by the diagrams and the terminal timeline, so a message reads the
 * same everywhere: `ping #3`, `ping_ok #4 ↩3`, `dropped: partition`.
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

/**
 * What a non-message event says, without the nodes it concerns (the caller shows those), or
 * `undefined` for message events, which are drawn as arrows.
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
      return `timer ${e.name} fired`;
    case "rpc":
      return e.outcome === "ok"
        ? `rpc ${e.type} #${e.msgId} to ${e.dest} ok in ${formatMs(e.latencyMs)}`
        : `rpc ${e.type} #${e.msgId} to ${e.dest} timed out after ${e.attempts} attempt${e.attempts === 1 ? "" : "s"}`;
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
