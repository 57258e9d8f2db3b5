/**
 * The trace is the single record of a run. Every event carries the virtual time (`timeMs`) at which
 * it happened; events are appended in the order the simulator processed them.
 *
 * Message events share a wire `id` (one per `send`): a `send` is followed by a `deliver`
 * (possibly two, when the network duplicates it: the second has `duplicate: true`) or by a `drop`.
 * A message fault rule that touches a message adds a `delay` or a `duplicate` event (at the send)
 * naming the rule, or makes its `drop` carry `reason: "rule"` and the rule's name.
 */

/** Why the network or the simulator did not deliver a message. */
export type DropReason =
  /** the fault model's random loss (`lossProbability`) */
  | "loss"
  /** the link was cut by a partition, a one-way cut or an isolated node */
  | "partition"
  /** the destination was crashed when the message arrived (or crashed while it was in flight) */
  | "crashed"
  /** a message fault rule dropped it (`DropEvent.rule` names the rule; see `sim.addRule`) */
  | "rule"
  /** the destination had left the simulation for good (`sim.leave`) */
  | "left"
  /** the destination's service queue was full (`service.queueLengthMax`) */
  | "queue-full";

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

/**
 * A message reached its handler (or the rpc it answers) at this time. At a node with service time
 * (`spawn(…, { service })`) that is when it has been served: it reached the node's queue at
 * `arrivedMs`, waited `timeMs − arrivedMs − serviceMs`, and was served for `serviceMs`.
 */
export interface DeliverEvent extends MessageRef {
  kind: "deliver";
  timeMs: number;
  /** Virtual time of the matching send. */
  sentMs: number;
  /** True for the extra copy made by the duplication fault. */
  duplicate: boolean;
  /** At a node with service time: when the copy reached the node (and its queue). */
  arrivedMs?: number;
  /** At a node with service time: how long serving it took. */
  serviceMs?: number;
}

/** A message that was not delivered; `reason` says why. */
export interface DropEvent extends MessageRef {
  kind: "drop";
  timeMs: number;
  sentMs: number;
  reason: DropReason;
  /** True when the copy lost was the extra copy made by the duplication fault. */
  duplicate: boolean;
  /** With reason `"rule"`: the name of the message fault rule that dropped it. */
  rule?: string;
}

/** The network decided to deliver a second copy of a message (the duplication fault, or a rule). */
export interface DuplicateEvent extends MessageRef {
  kind: "duplicate";
  timeMs: number;
  /** The message fault rule that made the copy, if a rule did. */
  rule?: string;
}

/** A message fault rule delayed a message (recorded when it is sent; its delivery comes later). */
export interface DelayEvent extends MessageRef {
  kind: "delay";
  timeMs: number;
  /** The rule's name. */
  rule: string;
  /** The extra delay the rule added. */
  delayMs: number;
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
  /** On a buffered disk (`spawn(…, { disk: "buffered" })`): storage writes not yet synced, now lost. */
  lostWrites?: number;
}

/** A crashed node started again with only its durable storage. */
export interface RestartEvent {
  kind: "restart";
  timeMs: number;
  node: string;
  /** 1 for the first start, +1 at each restart. */
  incarnation: number;
}

/** A node joined the simulation (after time 0: it joined a running system). */
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

/**
 * All partitions, cuts and isolations were removed; or, for a partial heal, only one direction
 * (`from`, `to`), one link both ways (`between`) or one node's isolation (`isolated`, from
 * `sim.heal({ node })`).
 */
export interface HealEvent {
  kind: "heal";
  timeMs: number;
  from?: string;
  to?: string;
  between?: [string, string];
  /** The node whose isolation ended. */
  isolated?: string;
}

/** A node left the simulation for good (`sim.leave`): it never restarts, messages to it are dropped. */
export interface LeaveEvent {
  kind: "leave";
  timeMs: number;
  node: string;
}

/**
 * A node's local clock changed: set at spawn or by `sim.setClock` (`set`), stepped by
 * `node.adjustClock(deltaMs)` (`step`), or slewed by `node.adjustClock(deltaMs, { slewMs })`.
 */
export interface ClockEvent {
  kind: "clock";
  timeMs: number;
  node: string;
  change: "set" | "step" | "slew";
  /** The clock's offset right after the change: its reading minus true time. */
  offsetMs: number;
  driftPpm: number;
  /** For a step or a slew: the correction. */
  deltaMs?: number;
  /** For a slew: over how many true milliseconds it is absorbed. */
  slewMs?: number;
}

/** The number of messages waiting in a node's service queue changed (they wait for a free slot). */
export interface QueueEvent {
  kind: "queue";
  timeMs: number;
  node: string;
  /** Messages waiting now (those being served are not counted). */
  length: number;
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
  | DelayEvent
  | UnhandledEvent
  | TimerEvent
  | RpcEvent
  | CrashEvent
  | RestartEvent
  | SpawnEvent
  | LeaveEvent
  | ClockEvent
  | QueueEvent
  | PartitionEvent
  | CutEvent
  | IsolateEvent
  | HealEvent
  | StateEvent
  | LogEvent
  | ErrorEvent;

/** The `kind` of a trace event. */
export type TraceEventKind = TraceEvent["kind"];

/**
 * The events of some kinds: `TraceEventOf<"deliver">` is `DeliverEvent`,
 * `TraceEventOf<"send" | "drop">` is `SendEvent | DropEvent` (what `trace.filter({ kinds })` returns).
 */
export type TraceEventOf<K extends TraceEventKind> = Extract<TraceEvent, { kind: K }>;
