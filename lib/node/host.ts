import type { Prng } from "../sim/prng";
import type { TraceEvent } from "../trace/events";
import type { Body } from "./message";
import type { Disk } from "./storage";
import type { LocalClock } from "./clock";

/** A timer owned by a node (the host schedules it; the node runs it). */
export interface TimerEntry {
  readonly id: number;
  readonly name: string;
  /** 0 for a one-shot timer. */
  readonly intervalMs: number;
  readonly callback: () => unknown;
  /** Internal timers (RPC timeouts and backoff) are not traced as `timer` events. */
  readonly internal: boolean;
  cancelled: boolean;
}

/** What one incarnation of a node is given when it starts (the simulation owns it). */
export interface NodeResources {
  /** This incarnation's random numbers (`node.rng`): a new stream after each restart. */
  prng: Prng;
  /** Makes this incarnation's stream for the rpc layer's retry jitter, apart from the protocol's draws. */
  rpcPrng: () => Prng;
  /** The node's disk: survives crashes. */
  disk: Disk;
  /** msg_ids this node has used for RPCs (in any incarnation): a reply to one is never an error. */
  rpcMsgIds: Set<number>;
  /** The node's local clock (`node.clock()`): kept across restarts, like the machine's. */
  clock: LocalClock;
}

/**
 * What a node needs from the world it runs in. The simulation's runtime implements it privately;
 * a node never touches the clock, the network or the trace any other way, and notebook code
 * never sees it.
 */
export interface NodeHost {
  readonly seed: number;
  nowMs(): number;
  /**
   * Copy, route and (maybe) deliver a message. With `msgId`, the copy sent is
   * `Object.assign({}, body, { msg_id: msgId })` (for a body that has no msg_id yet).
   */
  transmit(from: string, dest: string, body: Body, msgId?: number): void;
  /** Members of a multicast group. */
  groupMembers(group: string, from: string): string[];
  /** The members: every node that has not left (`sim.leave`), crashed ones included, in spawn order. */
  nodeIds(): string[];
  /** Run `timer` at `atMs` unless it is cancelled or the incarnation crashes first. */
  scheduleTimer(node: string, incarnation: number, timer: TimerEntry, atMs: number): void;
  record(event: TraceEvent): void;
  /** A handler or timer of a live incarnation threw, or its promise rejected. */
  reportError(node: string, during: string, error: unknown): void;
  /** The next msg_id for `node` (kept across restarts so old replies never match new requests). */
  nextMsgId(node: string): number;
}
