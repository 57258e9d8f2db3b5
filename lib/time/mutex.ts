// The common shape of the mutual-exclusion algorithms (lecture 003; Coulouris et al.,
// "Distributed Systems: Concepts and Design", 5th ed., §15.2): a node asks with `request()`,
// holds the critical section until `release()`, and declares its state — released, wanted,
// held — with `node.setState`, so the trace draws the state diagram by itself.
import { SimulationError } from "../sim/errors";
import type { Node } from "../node/node";

/** Where a node stands towards the critical section (Ricart & Agrawala's RELEASED, WANTED, HELD). */
export type MutexState = "released" | "wanted" | "held";

/** The algorithms of this folder. */
export type MutexAlgorithm = "central" | "ricart-agrawala" | "lamport" | "token-ring";

/** What a mutex endpoint has done so far (updated in place). */
export interface MutexCounters {
  /** `request()` calls. */
  requests: number;
  /** Entries into the critical section. */
  entries: number;
  /** Messages this endpoint sent (coordinator duties included). */
  sent: number;
}

/**
 * One node's endpoint of a mutual-exclusion algorithm. Every algorithm of `lib/time` returns one.
 *
 * @example
 * await mutex.request();   // wanted → held
 * // … the critical section …
 * mutex.release();         // held → released
 */
export interface Mutex {
  readonly algorithm: MutexAlgorithm;
  /** Released, wanted or held (also declared with `node.setState`). */
  readonly state: MutexState;
  /** Ask for the critical section; resolves when this node holds it (never, if it never gets it). */
  request(): Promise<void>;
  /** Leave the critical section. Only the holder may release. */
  release(): void;
  readonly counters: MutexCounters;
}

/**
 * An error about a mutex on `node`, naming the node and its virtual time.
 *
 * @example
 * throw mutexError(node, "release(): this node does not hold the critical section");
 */
export function mutexError(node: Node, text: string): SimulationError {
  return new SimulationError(text, { node: node.id, timeMs: node.now() });
}

/** @internal The state, the pending request and the counters that every algorithm shares. */
export interface MutexCore {
  readonly state: MutexState;
  readonly counters: MutexCounters;
  /** released → wanted; the promise resolves at `enter()`. Throws unless released. */
  want(): Promise<void>;
  /** wanted → held: resolve the pending request. */
  enter(cause: string): void;
  /** held → released. Throws unless held. */
  exit(): void;
  /** `node.send`, counted. */
  send(dest: string, body: { type: string; [key: string]: unknown }): void;
}

/**
 * @internal Make the shared part of a mutex endpoint (declares `released` at once).
 *
 * @example
 * const core = mutexCore(node, "openRicartAgrawala");
 */
export function mutexCore(node: Node, where: string): MutexCore {
  let state: MutexState = "released";
  let resolveRequest: (() => void) | undefined;
  const counters: MutexCounters = { requests: 0, entries: 0, sent: 0 };
  const set = (next: MutexState, cause: string): void => {
    state = next;
    node.setState(next, cause);
  };
  set("released", "start");
  return {
    get state() {
      return state;
    },
    counters,
    want() {
      if (state !== "released") throw mutexError(node, `${where}: request() while ${state}: release the critical section before asking again`);
      counters.requests++;
      set("wanted", "request()");
      return new Promise<void>((resolve) => (resolveRequest = resolve));
    },
    enter(cause) {
      if (state !== "wanted") throw mutexError(node, `${where}: granted the critical section while ${state} (${cause}) — a protocol bug`);
      counters.entries++;
      set("held", cause);
      const resolve = resolveRequest;
      resolveRequest = undefined;
      resolve?.();
    },
    exit() {
      if (state !== "held") throw mutexError(node, `${where}: release() while ${state}: only the holder may release`);
      set("released", "release()");
    },
    send(dest, body) {
      if (!node.isAlive()) return;
      counters.sent++;
      node.send(dest, body);
    },
  };
}

/** @internal Check an optional list of node ids. */
export function checkIds(node: Node, where: string, name: string, ids: unknown): void {
  if (ids === undefined) return;
  if (!Array.isArray(ids) || ids.length === 0 || ids.some((id) => typeof id !== "string" || id === "")) {
    throw mutexError(node, `${where}: ${name} must be a non-empty array of node ids, got ${JSON.stringify(ids)}`);
  }
}
