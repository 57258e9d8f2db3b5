/**
 * Exercise 06.2 — coordinator mutex (15 points). Graded by `npm test` (test/06-time-and-concurrency.test.ts),
 * or alone with `npm run grade -- 06.2`.
 *
 * Mutual exclusion with a central coordinator (the first algorithm of the lecture): a client that
 * wants the lock asks the coordinator; the coordinator grants the lock to one client at a time and
 * queues the other requests, first come first served; the holder gives it back when done. Write
 * both halves: `coordinator(node)` and `mutexClient(node, coordinatorId)`.
 *
 * Messages (the grader's clients and coordinator send and expect exactly these):
 * - client → coordinator `{ type: "lock_request" }` (node.send gives it a msg_id; the grader's
 *   clients choose their own msg_ids, and two clients may use the same numbers);
 * - coordinator → client `{ type: "lock_grant" }` with `in_reply_to` = the request's msg_id:
 *   keep the request message and answer it with `node.reply(request, { type: "lock_grant" })`
 *   when its turn comes;
 * - holder → coordinator `{ type: "lock_release" }`: the coordinator then grants the oldest queued
 *   request, or marks the lock free.
 * `acquire()` sends a lock_request to coordinatorId and resolves when the lock_grant arrives (not
 * before); `release()` sends a lock_release to coordinatorId. Send nothing else, to nobody else.
 *
 * How it is graded (a `sim.invariant` checked after every event, and the trace): never two holders
 * (a client holds the lock from the lock_grant's arrival, or acquire() resolving, until it sends
 * lock_release); every lock_request is granted; the grants go out in the order the requests
 * arrived at the coordinator; every acquire() resolves, after a lock_grant answering one of its
 * client's requests. Three scenarios of 27 trials for each of 5 seeds: your coordinator with the
 * grader's clients, your clients with the grader's coordinator, yours together; 3–5 clients each
 * acquiring 2–4 times (think 0–60 ms, hold 5–40 ms), names drawn per trial, other nodes spawned
 * first; FIFO links without loss, latency 5–25 ms, 3 s per trial.
 */
import type { Node } from "../../lib/node";
import { NotImplementedError } from "../not-implemented";

/** A client's handle on the lock. */
export interface MutexClient {
  /** Ask the coordinator for the lock; resolves when the lock_grant arrives. */
  acquire(): Promise<void>;
  /** Give the lock back: a lock_release to the coordinator. */
  release(): void;
}

/**
 * The coordinator: grants the lock to one client at a time, the others in arrival order.
 *
 * @example
 * sim.spawn("coord", (node) => coordinator(node));
 */
export function coordinator(node: Node): void {
  // Your code here (06.2)
  throw new NotImplementedError("06.2 coordinator-mutex", "exercises/06-time-and-concurrency/coordinator-mutex.ts");
}

/**
 * A client of the coordinator at `coordinatorId`.
 *
 * @example
 * sim.spawn("a", async (node) => {
 *   const lock = mutexClient(node, "coord");
 *   await lock.acquire();
 *   // critical section
 *   lock.release();
 * });
 */
export function mutexClient(node: Node, coordinatorId: string): MutexClient {
  // Your code here (06.2)
  throw new NotImplementedError("06.2 coordinator-mutex", "exercises/06-time-and-concurrency/coordinator-mutex.ts");
}
