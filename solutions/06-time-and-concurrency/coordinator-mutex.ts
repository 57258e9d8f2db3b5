/**
 * Reference solution of exercise 06.2 — coordinator mutex (see exercises/06-time-and-concurrency/coordinator-mutex.ts).
 *
 * The coordinator keeps the holder and a FIFO queue of request messages, and answers each request
 * with node.reply when its turn comes (so in_reply_to is the request's own msg_id). The client
 * keeps the resolver of its pending acquire and settles it on the grant.
 */
import type { Message, Node } from "../../lib/node";

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
  let holder: string | undefined;
  const queue: Message[] = [];
  const grant = (request: Message): void => {
    holder = request.src;
    node.reply(request, { type: "lock_grant" });
  };
  node.on("lock_request", (request: Message) => {
    if (holder === undefined) grant(request);
    else queue.push(request);
  });
  node.on("lock_release", (release: Message) => {
    if (release.src !== holder) return; // not the holder's: nothing to give back
    const next = queue.shift();
    if (next === undefined) holder = undefined;
    else grant(next);
  });
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
  let granted: (() => void) | undefined;
  let requestId: number | undefined;
  node.on("lock_grant", (grant: Message) => {
    if (granted === undefined || grant.body.in_reply_to !== requestId) return;
    const resolve = granted;
    granted = undefined;
    resolve();
  });
  return {
    acquire() {
      return new Promise<void>((resolve) => {
        granted = resolve;
        requestId = node.send(coordinatorId, { type: "lock_request" });
      });
    },
    release() {
      node.send(coordinatorId, { type: "lock_release" });
    },
  };
}
