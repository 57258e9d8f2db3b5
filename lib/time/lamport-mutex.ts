// Lamport's mutual exclusion, "Time, Clocks, and the Ordering of Events in a Distributed System",
// CACM 21(7), 1978, p. 561: every node keeps a queue of timestamped requests; a node enters when its
// request heads its queue and it has heard something later from everyone. 3(N − 1) messages per
// entry: request, acknowledgment and release to each of the N − 1 others.
import type { Node } from "../node/node";
import type { Message } from "../node/message";
import { checkIds, mutexCore, type Mutex } from "./mutex";

/** Options of {@link openLamportMutex}. */
export interface LamportMutexOptions {
  /** Every participant (this node may be listed). Default: this node and `node.peers()` at each request. */
  members?: readonly string[];
}

/** A request in a node's request queue: Lamport's "T_m:P_i requests resource". */
export interface TimestampedRequest {
  timestamp: number;
  node: string;
}

/** A Lamport-mutex endpoint. */
export interface LamportMutex extends Mutex {
  /** This node's Lamport clock. */
  readonly clock: number;
  /** The request queue, in (timestamp, node) order. */
  readonly requestQueue: readonly TimestampedRequest[];
}

/**
 * Open Lamport's algorithm on `node` (rules 1–5 of the 1978 paper):
 * 1. to request, send `lamport_request { timestamp }` to every other node and put it in the own queue;
 * 2. on a request, put it in the queue and send a timestamped `lamport_ack`;
 * 3. to release, remove the own request and send `lamport_release` to every other node;
 * 4. on a release, remove that node's request;
 * 5. enter when the own request is first in the queue by (timestamp, id) **and** a message
 *    timestamped later than it has arrived from every other node.
 *
 * **3(N − 1) messages per entry**, exactly, under any load (this is the paper's algorithm
 * without Ricart & Agrawala's merging of acknowledgment and release).
 *
 * Links: **needs FIFO links.** Rule 5 trusts that once a later message from j arrived, j's
 * earlier request has too; on unordered links a request can arrive after a later ack, and two
 * nodes can enter together (the tests show a seed where it happens).
 *
 * Failures: like Ricart–Agrawala, a crashed node never acknowledges (nor releases, if it held),
 * so every other node blocks.
 *
 * @example
 * sim.spawnMany(["p1", "p2", "p3"], async (node) => {
 *   const mutex = openLamportMutex(node);
 *   await node.sleep(0);       // every member spawned
 *   await mutex.request();     // 2 requests, 2 acks
 *   mutex.release();           // 2 releases: 6 = 3(N − 1) messages
 * }, { role: "mutex" });
 */
export function openLamportMutex(node: Node, options: LamportMutexOptions = {}): LamportMutex {
  const where = "openLamportMutex";
  checkIds(node, where, "members", options.members);
  const core = mutexCore(node, where);
  let clock = 0;
  const requestQueue: TimestampedRequest[] = [];
  /** The latest timestamp received from each other node. */
  const latestFrom = new Map<string, number>();
  let own: TimestampedRequest | undefined;
  let peers: string[] = [];

  const others = (): string[] => (options.members ?? [node.id, ...node.peers()]).filter((id) => id !== node.id);
  const before = (a: TimestampedRequest, b: TimestampedRequest): boolean => a.timestamp < b.timestamp || (a.timestamp === b.timestamp && a.node < b.node);
  const enqueue = (r: TimestampedRequest): void => {
    let i = requestQueue.length;
    while (i > 0 && before(r, requestQueue[i - 1])) i--;
    requestQueue.splice(i, 0, r);
  };
  const removeOf = (id: string): void => {
    const i = requestQueue.findIndex((r) => r.node === id);
    if (i >= 0) requestQueue.splice(i, 1);
  };
  const sendAll = (type: string): void => {
    clock++;
    for (const id of peers) core.send(id, { type, timestamp: clock });
  };
  /** Rule 5. */
  const maybeEnter = (): void => {
    if (core.state !== "wanted" || own === undefined || requestQueue[0] !== own) return;
    if (peers.every((id) => (latestFrom.get(id) ?? -1) > own!.timestamp)) core.enter("head of queue, heard from all");
  };
  const receive = (m: Message): number => {
    const timestamp = m.body.timestamp as number;
    clock = Math.max(clock, timestamp) + 1;
    latestFrom.set(m.src, Math.max(latestFrom.get(m.src) ?? -1, timestamp));
    return timestamp;
  };

  node.on("lamport_request", (m: Message) => {
    const timestamp = receive(m);
    enqueue({ timestamp, node: m.src });
    clock++;
    core.send(m.src, { type: "lamport_ack", timestamp: clock });
    maybeEnter();
  });
  node.on("lamport_ack", (m: Message) => {
    receive(m);
    maybeEnter();
  });
  node.on("lamport_release", (m: Message) => {
    receive(m);
    removeOf(m.src);
    maybeEnter();
  });

  return {
    algorithm: "lamport",
    counters: core.counters,
    get state() {
      return core.state;
    },
    get clock() {
      return clock;
    },
    get requestQueue() {
      return requestQueue.map((r) => ({ ...r }));
    },
    request() {
      const granted = core.want();
      peers = others();
      sendAll("lamport_request");
      own = { timestamp: clock, node: node.id };
      enqueue(own);
      maybeEnter();
      return granted;
    },
    release() {
      core.exit();
      removeOf(node.id);
      own = undefined;
      sendAll("lamport_release");
    },
  };
}
