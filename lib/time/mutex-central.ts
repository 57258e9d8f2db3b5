// The central server algorithm for mutual exclusion: one coordinator keeps the queue and grants
// the critical section to one node at a time. Coulouris et al., "Distributed Systems: Concepts and
// Design" (5th ed.), §15.2.2, Figure 15.2 — three messages per entry: request, grant, release.
import type { Node } from "../node/node";
import type { Message } from "../node/message";
import { checkIds, mutexCore, mutexError, type Mutex } from "./mutex";

/** Options of {@link openCentralMutex}. */
export interface CentralMutexOptions {
  /** The coordinator's node id. On that node, `openCentralMutex` also runs the coordinator. */
  coordinator: string;
  /**
   * The members the coordinator asks for their state when it restarts after a crash (see
   * recovery below). Default: every other member (`node.peers()`) at the time of the restart.
   */
  members?: readonly string[];
  /** How long a restarted coordinator waits for members' states before it grants again. Default 50 ms. */
  recoveryTimeoutMs?: number;
}

/** A central-mutex endpoint; on the coordinator it also tells who holds and who waits. */
export interface CentralMutex extends Mutex {
  /** On the coordinator: the node it has granted the critical section to (undefined elsewhere, or when free). */
  readonly holder: string | undefined;
  /** On the coordinator: the waiting nodes in grant order. */
  readonly queue: readonly string[];
}

/**
 * Open the central-server mutex on `node`. A member sends `mutex_request` to the coordinator
 * and waits for `mutex_grant`; leaving, it sends `mutex_release`. The coordinator grants to one
 * node at a time and queues the others first-come, first-served — in the order their requests
 * *arrive*, which is not always the order they were sent. **Three messages per entry** (request,
 * grant, release; none when the coordinator itself enters), whatever the load, and an entry costs a
 * round trip to the coordinator even when nobody else wants it.
 *
 * Links: works on unordered links (a member's next request overtaking its release is only queued).
 *
 * Failures (asserted in `test/time/mutex.test.ts`):
 * - **the holder crashes**: the coordinator keeps it as holder forever; every other member blocks
 *   (nothing here detects the crash — a lease or a failure detector would);
 * - **the coordinator crashes**: requests sent to it are lost and every member that wants the
 *   critical section blocks until it restarts. A restarted coordinator has lost its queue, so it
 *   sends `mutex_recover` to the members, rebuilds holder and queue from their `mutex_state`
 *   replies (within `recoveryTimeoutMs`), and grants again. Requests waiting at the crash are
 *   re-queued in the order their states arrive.
 *
 * @example
 * sim.spawn("coordinator", (node) => openCentralMutex(node, { coordinator: "coordinator" }));
 * sim.spawnMany(["p1", "p2"], async (node) => {
 *   const mutex = openCentralMutex(node, { coordinator: "coordinator" });
 *   await mutex.request();    // p1: request → grant
 *   await node.sleep(10);     // the critical section
 *   mutex.release();          // → release: 3 messages
 * }, { role: "mutex" });
 */
export function openCentralMutex(node: Node, options: CentralMutexOptions): CentralMutex {
  const where = "openCentralMutex";
  const coordinator = options?.coordinator;
  if (typeof coordinator !== "string" || coordinator === "") throw mutexError(node, `${where}: options.coordinator must be a node id, got ${JSON.stringify(coordinator)}`);
  checkIds(node, where, "members", options.members);
  const recoveryTimeoutMs = options.recoveryTimeoutMs ?? 50;
  if (!(recoveryTimeoutMs > 0)) throw mutexError(node, `${where}: recoveryTimeoutMs must be > 0, got ${recoveryTimeoutMs}`);
  const core = mutexCore(node, where);
  const isCoordinator = node.id === coordinator;

  // ---- coordinator --------------------------------------------------------------------------
  let holder: string | undefined;
  const queue: string[] = [];
  let recovering = false;

  const grant = (to: string): void => {
    holder = to;
    if (to === node.id) core.enter("granted by itself");
    else core.send(to, { type: "mutex_grant" });
  };
  const maybeGrantNext = (): void => {
    if (holder === undefined && !recovering && queue.length > 0) grant(queue.shift()!);
  };
  const onRequest = (from: string): void => {
    // Already queued: a re-request after recovery. (A request from the holder itself is queued: on
    // unordered links its next request can overtake its release.)
    if (queue.includes(from)) return;
    queue.push(from);
    maybeGrantNext();
  };
  const onRelease = (from: string): void => {
    if (from !== holder) {
      node.log(`mutex_release from ${from}, which does not hold (holder: ${holder ?? "none"}): ignored`);
      return;
    }
    holder = undefined;
    maybeGrantNext();
  };

  if (isCoordinator) {
    node.on("mutex_request", (m: Message) => onRequest(m.src));
    node.on("mutex_release", (m: Message) => onRelease(m.src));
    node.on("mutex_state", (m: Message) => {
      if (!recovering) return;
      if (m.body.state === "held") holder = m.src;
      else if (m.body.state === "wanted") onRequest(m.src);
      answered.add(m.src);
      if (recoveryMembers.every((id) => answered.has(id))) finishRecovery();
    });
  }
  const answered = new Set<string>();
  let recoveryMembers: string[] = [];
  const finishRecovery = (): void => {
    if (!recovering) return;
    recovering = false;
    node.log(`recovered: holder ${holder ?? "none"}, queue [${queue.join(", ")}]`);
    maybeGrantNext();
  };
  if (isCoordinator && node.incarnation > 1) {
    // A restart: the queue died with the last incarnation. Ask the members (once they exist: timer 0).
    recovering = true;
    node.setTimer(0, () => {
      recoveryMembers = (options.members ?? node.peers()).filter((id) => id !== node.id);
      for (const id of recoveryMembers) core.send(id, { type: "mutex_recover" });
      node.setTimer(recoveryTimeoutMs, finishRecovery, "recovery timeout");
    }, "recover");
  }

  // ---- member -------------------------------------------------------------------------------
  if (!isCoordinator) {
    node.on("mutex_grant", () => core.enter("mutex_grant"));
    node.on("mutex_recover", (m: Message) => core.send(m.src, { type: "mutex_state", state: core.state }));
  }

  return {
    algorithm: "central",
    counters: core.counters,
    get state() {
      return core.state;
    },
    get holder() {
      return holder;
    },
    get queue() {
      return queue.slice();
    },
    request() {
      const granted = core.want();
      if (isCoordinator) onRequest(node.id);
      else core.send(coordinator, { type: "mutex_request" });
      return granted;
    },
    release() {
      core.exit();
      if (isCoordinator) onRelease(node.id);
      else core.send(coordinator, { type: "mutex_release" });
    },
  };
}
