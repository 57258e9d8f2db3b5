/**
 * The trace is the single record of a run. Every event carries the virtual time (`timeMs`) at which
 * it happened; events are appended in the order the simulator processed them.
 *
 * Message events share a wire `id` (one per `send`): a `send` is followed by a `deliver`
 * (possibly two, when the network duplicates it: the second has `duplicate: true`) or by a `drop`.
 */

/** Why the network or the simulator did not deliver a message. */
export type DropReason =
  /** the fault model's random loss (`lossProbability`) */
  | "loss"
  /** the link was cut by a partition, a one-way cut or an isolated node */
  | "partition"
  /** the destination was crashed when the message arrived (or crashed while it was in flight) */
  | "crashed";

/** Fields shared by all message events. */
export interface MessageRef {
  /** Wire id of the send (unique per run). */
  id: number;
  src: string;
  dest: string;
  /** `body.type` of the message. */
  type: string;
  /** `body.msg_id`, if any. */
  msgId?: number;
  /** `body.in_reply_to`, if any. */
  inReplyTo?: number;
}

/** A node handed a message to the network. */
export interface SendEvent extends MessageRef {
  kind: "send";
  timeMs: number;
  /** Size of the JSON-encoded body in bytes (UTF-8). */
  bytes: number;
  /** The body as JSON text, exactly as it was sent. */
  json: string;
}

/** The network delivered a message (its handler runs at this time). */
export interface DeliverEvent extends MessageRef {
  kind: "deliver";
  timeMs: number;
  /** Virtual time of the matching send. */
  sentMs: number;
  /** True for the extra copy made by the duplication fault. */
  duplicate: boolean;
}

/** A message that was not delivered; `reason` says why. */
export interface DropEvent extends MessageRef {
  kind: "drop";
  timeMs: number;
  sentMs: number;
  reason: DropReason;
  /** True when the copy lost was the extra copy made by the duplication fault. */
  duplicate: boolean;
}

/** The network decided to deliver a second copy of a message. */
export interface DuplicateEvent extends MessageRef {
  kind: "duplicate";
  timeMs: number;
}

/** A delivered message found no handler (an error), or was a reply nobody waited for any more. */
export interface UnhandledEvent extends MessageRef {
  kind: "unhandled";
  timeMs: number;
  /** `no-handler` is a bug in the node; `late-reply` is a reply to an RPC that already gave up. */
  reason: "no-handler" | "late-reply";
}

/** A node's timer fired. */
export interface TimerEvent {
  kind: "timer";
  timeMs: number;
  node: string;
  /** The name given when the timer was set (default "timer"). */
  name: string;
  periodic: boolean;
}

/** A node's RPC finished: a reply arrived, or every attempt timed out. */
export interface RpcEvent {
  kind: "rpc";
  timeMs: number;
  node: string;
  dest: string;
  type: string;
  msgId: number;
  outcome: "ok" | "timeout";
  /** From the first attempt to the outcome. */
  latencyMs: number;
  attempts: number;
}

/** A node crashed: volatile state, timers and messages in flight to it are gone. */
export interface CrashEvent {
  kind: "crash";
  timeMs: number;
  node: string;
}

/** A crashed node started again with only its durable storage. */
export interface RestartEvent {
  kind: "restart";
  timeMs: number;
  node: string;
  /** 1 for the first start, +1 at each restart. */
  incarnation: number;
}

/** A node joined the simulation. */
export interface SpawnEvent {
  kind: "spawn";
  timeMs: number;
  node: string;
  role: string;
}

/** The network was split into groups; messages between different groups are dropped. */
export interface PartitionEvent {
  kind: "partition";
  timeMs: number;
  groups: string[][];
}

/** A one-way link cut: messages `from` → `to` are dropped (the other direction still works). */
export interface CutEvent {
  kind: "cut";
  timeMs: number;
  from: string;
  to: string;
}

/** A node was cut off from every other node in both directions. */
export interface IsolateEvent {
  kind: "isolate";
  timeMs: number;
  node: string;
}

/** All partitions, cuts and isolations were removed. */
export interface HealEvent {
  kind: "heal";
  timeMs: number;
}

/** A node declared a new state (for state diagrams), with the cause. */
export interface StateEvent {
  kind: "state";
  timeMs: number;
  node: string;
  /** The node's role (which state machine this is), e.g. "raft" or "client". */
  role: string;
  /** Previous state; undefined for the first state of an incarnation. */
  from?: string;
  to: string;
  cause?: string;
}

/** A log line written by a node (`node.log(...)`). */
export interface LogEvent {
  kind: "log";
  timeMs: number;
  node: string;
  text: string;
}

/** A handler threw (or its promise rejected), or a node misused the API. */
export interface ErrorEvent {
  kind: "error";
  timeMs: number;
  node: string;
  /** What the node was doing: the message type handled, or the timer's name. */
  during: string;
  message: string;
}

/** Any event in a trace. */
export type TraceEvent =
  | SendEvent
  | DeliverEvent
  | DropEvent
  | DuplicateEvent
  | UnhandledEvent
  | TimerEvent
  | RpcEvent
  | CrashEvent
  | RestartEvent
  | SpawnEvent
  | PartitionEvent
  | CutEvent
  | IsolateEvent
  | HealEvent
  | StateEvent
  | LogEvent
  | ErrorEvent;

/** The `kind` of a trace event. */
export type TraceEventKind = TraceEvent["kind"];
