// Ricart & Agrawala, "An Optimal Algorithm for Mutual Exclusion in Computer Networks", CACM 24(1),
// 1981: a node enters when every other node has replied to its timestamped request; a node defers
// its reply while it holds, or while it wants with an earlier (timestamp, id). 2(N − 1) messages
// per entry. Coulouris et al. (5th ed.), §15.2.3, Figure 15.4.
import type { Node } from "../node/node";
import type { Message } from "../node/message";
import { checkIds, mutexCore, type Mutex } from "./mutex";

/** Options of {@link openRicartAgrawala}. */
export interface RicartAgrawalaOptions {
  /** Every participant (this node may be listed). Default: this node and `node.peers()` at each request. */
  members?: readonly string[];
}

/** A Ricart–Agrawala endpoint. */
export interface RicartAgrawalaMutex extends Mutex {
  /** The sequence number (Lamport timestamp) of this node's current or last request. */
  readonly ourSequenceNumber: number;
  /** Nodes whose replies are deferred until this node releases. */
  readonly deferred: readonly string[];
}

/**
 * Open Ricart–Agrawala's algorithm on `node`. `request()` sends `ra_request { seq }` to the N − 1
 * other members (seq = highest sequence number seen + 1) and enters once all N − 1 `ra_reply`
 * have arrived. On a request, a node replies at once unless it holds, or wants with priority —
 * (ourSequenceNumber, own id) < (seq, sender) — and then defers the reply until it releases.
 * **2(N − 1) messages per entry**, exactly, under any load: every request is answered once,
 * sooner or later.
 *
 * Links: needs no FIFO order (each reply answers one request; priorities come from the
 * timestamps), so it is safe on unordered links — the tests run it so.
 *
 * Failures: a crashed member never replies, so **every** later request blocks, not only the
 * holder's waiters — N points of failure instead of the central algorithm's one.
 *
 * @example
 * sim.spawnMany(["p1", "p2", "p3"], async (node) => {
 *   const mutex = openRicartAgrawala(node);
 *   await node.sleep(0);       // every member spawned
 *   await mutex.request();     // 2 requests out, 2 replies back
 *   mutex.release();           // deferred replies go out now
 * }, { role: "mutex" });
 */
export function openRicartAgrawala(node: Node, options: RicartAgrawalaOptions = {}): RicartAgrawalaMutex {
  const where = "openRicartAgrawala";
  checkIds(node, where, "members", options.members);
  const core = mutexCore(node, where);
  let ourSequenceNumber = 0;
  let highestSequenceNumber = 0;
  let outstandingReplies = 0;
  const deferred: string[] = [];

  const others = (): string[] => (options.members ?? [node.id, ...node.peers()]).filter((id) => id !== node.id);
  /** (seq, id) order: the lower sequence number wins, ties go to the lower id. */
  const before = (seqA: number, idA: string, seqB: number, idB: string): boolean => seqA < seqB || (seqA === seqB && idA < idB);

  node.on("ra_request", (m: Message) => {
    const seq = m.body.seq as number;
    highestSequenceNumber = Math.max(highestSequenceNumber, seq);
    const defer = core.state === "held" || (core.state === "wanted" && before(ourSequenceNumber, node.id, seq, m.src));
    if (defer) deferred.push(m.src);
    else core.send(m.src, { type: "ra_reply" });
  });
  node.on("ra_reply", () => {
    if (core.state !== "wanted") return;
    outstandingReplies--;
    if (outstandingReplies === 0) core.enter("all replies");
  });

  return {
    algorithm: "ricart-agrawala",
    counters: core.counters,
    get state() {
      return core.state;
    },
    get ourSequenceNumber() {
      return ourSequenceNumber;
    },
    get deferred() {
      return deferred.slice();
    },
    request() {
      const granted = core.want();
      ourSequenceNumber = highestSequenceNumber + 1;
      highestSequenceNumber = ourSequenceNumber;
      const peers = others();
      outstandingReplies = peers.length;
      if (peers.length === 0) core.enter("alone");
      for (const id of peers) core.send(id, { type: "ra_request", seq: ourSequenceNumber });
      return granted;
    },
    release() {
      core.exit();
      for (const id of deferred.splice(0)) core.send(id, { type: "ra_reply" });
    },
  };
}
