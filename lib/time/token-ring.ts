// The ring-based algorithm for mutual exclusion: one token travels round a logical ring; only the
// node that has it may enter. Coulouris et al., "Distributed Systems: Concepts and Design"
// (5th ed.), §15.2.2, Figure 15.3 (after Le Lann, 1977).
import type { Node } from "../node/node";
import { checkIds, mutexCore, mutexError, type Mutex } from "./mutex";

/** Options of {@link openTokenRing}. */
export interface TokenRingOptions {
  /** The ring, in passing order: each node passes the token to the next, the last to the first. Must contain this node. */
  ring: readonly string[];
  /** Which node holds the token at the start. Default `ring[0]`. */
  initialHolder?: string;
}

/** A token-ring endpoint. */
export interface TokenRingMutex extends Mutex {
  /** True while the token is at this node (held, or parked after `stop()`). */
  readonly hasToken: boolean;
  /** Times the token has passed through this node. */
  readonly tokenVisits: number;
  /** Stop passing the token on (it parks here when it next arrives); `resume()` sends it on again. */
  stop(): void;
  resume(): void;
}

/**
 * Open the token ring on `node`. The node that has the token enters if it wants to, and passes the
 * token (`token` message) to its successor when it releases — or at once if it does not want it.
 * The token therefore circulates even when nobody wants it, and the **messages per entry depend
 * on the load**: 1 when every node always wants (each pass is an entry), and unbounded when nobody
 * does (the token keeps moving, about one message per link latency, with no entry at all; with
 * one entry per round of N passes it is N). A node waits between 0 and N passes for the token.
 *
 * Links: one message in flight at a time, so order never matters.
 *
 * Failures: a crashed holder **loses the token**, and so does a crashed successor (the token sent
 * to it is dropped): no node ever enters again — regenerating it needs an election (and care not
 * to make two tokens).
 *
 * @example
 * const ring = ["p1", "p2", "p3"];
 * sim.spawnMany(ring, async (node) => {
 *   const mutex = openTokenRing(node, { ring });
 *   await mutex.request();    // waits for the token
 *   mutex.release();          // passes it on
 * }, { role: "mutex" });
 */
export function openTokenRing(node: Node, options: TokenRingOptions): TokenRingMutex {
  const where = "openTokenRing";
  checkIds(node, where, "ring", options?.ring);
  if (options?.ring === undefined) throw mutexError(node, `${where}: options.ring is required (the node ids in passing order)`);
  const ring = options.ring.slice();
  const position = ring.indexOf(node.id);
  if (position < 0) throw mutexError(node, `${where}: this node is not in the ring [${ring.join(", ")}]`);
  const initialHolder = options.initialHolder ?? ring[0];
  if (!ring.includes(initialHolder)) throw mutexError(node, `${where}: initialHolder "${initialHolder}" is not in the ring`);
  const successor = ring[(position + 1) % ring.length];
  const core = mutexCore(node, where);
  let hasToken = false;
  let stopped = false;
  let tokenVisits = 0;

  const pass = (): void => {
    if (stopped || ring.length === 1) return; // parked
    hasToken = false;
    core.send(successor, { type: "token" });
  };
  const receiveToken = (): void => {
    hasToken = true;
    tokenVisits++;
    if (core.state === "wanted") core.enter("token");
    else pass();
  };
  node.on("token", receiveToken);
  // Only the first incarnation starts with the token: a restarted node has lost it. Timer 0: after every member is spawned.
  if (node.id === initialHolder && node.incarnation === 1) node.setTimer(0, receiveToken, "token created");

  return {
    algorithm: "token-ring",
    counters: core.counters,
    get state() {
      return core.state;
    },
    get hasToken() {
      return hasToken;
    },
    get tokenVisits() {
      return tokenVisits;
    },
    request() {
      const granted = core.want();
      if (hasToken) core.enter("token already here");
      return granted;
    },
    release() {
      core.exit();
      pass();
    },
    stop() {
      stopped = true;
    },
    resume() {
      stopped = false;
      if (hasToken && core.state !== "held") pass();
    },
  };
}
