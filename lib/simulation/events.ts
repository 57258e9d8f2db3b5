// The events in the simulation's queue, and what the facade says about them.
import type { TimerEntry } from "../node/host";
import type { Body } from "../node/message";
import type { Runtime } from "./registry";
import type { ServiceQueue } from "./service";

/** A copy of a message arriving at its destination. */
export interface DeliverEv {
  kind: "deliver";
  timeMs: number;
  seq: number;
  id: number;
  src: string;
  dest: string;
  /** The sender's network link index. */
  srcLink: number;
  /** The destination's runtime (saves a lookup per delivery). */
  to: Runtime;
  type: string;
  json: string;
  /** The receiver's copy of the body, made at send time (the duplicate parses `json` instead). */
  copy: Body | undefined;
  sentMs: number;
  /** The destination's crash count at send time (see `Runtime.crashes`). */
  crashes: number;
  duplicate: boolean;
  msgId: number | undefined;
  inReplyTo: number | undefined;
}

/** A node's timer coming due (ignored if its incarnation has crashed since). */
export interface TimerEv {
  kind: "timer";
  timeMs: number;
  seq: number;
  node: string;
  incarnation: number;
  timer: TimerEntry;
}

/** An action scheduled with `sim.at` / `sim.after`. */
export interface ScriptEv {
  kind: "script";
  timeMs: number;
  seq: number;
  label: string;
  action: () => unknown;
}

/** The end of one message's service at a node with service time (see `ServiceQueue`). */
export interface ServeEv {
  kind: "serve";
  timeMs: number;
  seq: number;
  service: ServiceQueue;
  /** The copy being served; it reaches its handler now. */
  copy: DeliverEv;
  /** When it reached the node's queue. */
  arrivedMs: number;
  serviceMs: number;
  /** The node's crash count when the service started (a crash since empties the queue). */
  crashes: number;
}

export type SimEvent = DeliverEv | TimerEv | ScriptEv | ServeEv;

/** An event waiting in the queue, described for people. */
export interface PendingEvent {
  timeMs: number;
  kind: "deliver" | "timer" | "script" | "serve";
  /** The node it concerns (the destination, for a message). */
  node?: string;
  description: string;
}

/**
 * Describe a queued event for `sim.pending()` and `sim.step()`.
 *
 * @example
 * describeEvent(e); // { timeMs: 1, kind: "deliver", node: "b", description: "a → b ping #1" }
 */
export function describeEvent(e: SimEvent): PendingEvent {
  switch (e.kind) {
    case "deliver":
      return {
        timeMs: e.timeMs,
        kind: e.kind,
        node: e.dest,
        description: `${e.src} → ${e.dest} ${e.type}${e.msgId !== undefined ? ` #${e.msgId}` : ""}${e.duplicate ? " (duplicate)" : ""}`,
      };
    case "timer":
      return { timeMs: e.timeMs, kind: e.kind, node: e.node, description: `${e.node} timer ${e.timer.name}` };
    case "script":
      return { timeMs: e.timeMs, kind: e.kind, description: e.label };
    case "serve":
      return { timeMs: e.timeMs, kind: e.kind, node: e.copy.dest, description: `${e.copy.dest} finishes serving ${e.copy.src} → ${e.copy.dest} ${e.copy.type}${e.copy.msgId !== undefined ? ` #${e.copy.msgId}` : ""}` };
  }
}
