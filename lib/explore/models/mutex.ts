// Mutual exclusion by a central lock server (Coulouris et al., "Distributed Systems", §15.2, the
// central server algorithm): a client asks the server for the lock (`acquire`), the server grants it
// at once when it is free and queues the request otherwise; a client leaves its critical section
// by `release`, and the server then grants the lock to the next client in its queue.
//
// The planted bug ("forgets-pending-grant") is a check-then-grant server that, on release, sends the
// grant to the next client but forgets to record that client as the holder: the lock looks free,
// so the next `acquire` to arrive is granted too. It needs three things to happen in one order — a
// request queued behind a holder, that holder's release, and another request arriving before the
// grant — which random runs meet only now and then.
import type { Inbound, InitContext, Machine, Outbound, Ready } from "../../machine/index";

/** Which lock server: the right one, or the one that forgets the pending grant on release. */
export type LockVariant = "correct" | "forgets-pending-grant";

/** The lock server's configuration. */
export interface LockServerConfig {
  role: "server";
  /** Default `"correct"`. */
  variant?: LockVariant;
}

/** A client's configuration. */
export interface LockClientConfig {
  role: "client";
  /** The lock server's node id. */
  server: string;
  /** How many times the client enters its critical section, then it stops. Default 1. */
  rounds?: number;
}

export type LockConfig = LockServerConfig | LockClientConfig;

/** The messages: a request/response pair, and the release that ends a critical section. */
export type LockMessage = { type: "acquire" } | { type: "grant" } | { type: "release" };

/** The server: who holds the lock (as far as it knows) and who waits, in order. */
export interface LockServerState {
  role: "server";
  variant: LockVariant;
  holder: string | null;
  queue: string[];
}

/** Where a client is: `idle` (outside), `waiting` (asked), `holding` (in its critical section), `done`. */
export type LockClientPhase = "idle" | "waiting" | "holding" | "done";

export interface LockClientState {
  role: "client";
  server: string;
  phase: LockClientPhase;
  /** Critical sections still to enter. */
  roundsLeft: number;
}

export type LockState = LockServerState | LockClientState;

type LockReady = Ready<LockState, LockMessage>;

function grant(dest: string): Outbound<LockMessage> {
  return { dest, body: { type: "grant" } };
}

function stepServer(s: LockServerState, m: Inbound<LockMessage>): LockReady {
  if (m.body.type === "acquire") {
    if (s.holder === null) return { state: { ...s, holder: m.src }, messages: [grant(m.src)] }; // check, then grant
    return { state: { ...s, queue: [...s.queue, m.src] } };
  }
  if (m.body.type !== "release" || m.src !== s.holder) return { state: s };
  const [next, ...rest] = s.queue;
  if (next === undefined) return { state: { ...s, holder: null } };
  // The bug: the grant leaves, but the lock is recorded as free.
  const holder = s.variant === "forgets-pending-grant" ? null : next;
  return { state: { ...s, holder, queue: rest }, messages: [grant(next)] };
}

function stepClient(s: LockClientState, m: Inbound<LockMessage>): LockReady {
  if (m.body.type === "grant" && s.phase === "waiting") return { state: { ...s, phase: "holding" } };
  return { state: s };
}

/** A tick is the client's own decision to move on: ask for the lock, or leave the critical section. */
function tickClient(s: LockClientState): LockReady {
  if (s.phase === "idle") return { state: { ...s, phase: "waiting" }, messages: [{ dest: s.server, body: { type: "acquire" } }] };
  if (s.phase === "holding") {
    const roundsLeft = s.roundsLeft - 1;
    return { state: { ...s, phase: roundsLeft > 0 ? "idle" : "done", roundsLeft }, messages: [{ dest: s.server, body: { type: "release" } }] };
  }
  return { state: s };
}

function init(ctx: InitContext<LockConfig>): LockState {
  const c = ctx.config;
  if (c === null || typeof c !== "object" || (c.role !== "server" && c.role !== "client")) {
    throw new RangeError(`mutex ${ctx.id}: config must be { role: "server" } or { role: "client", server }, got ${JSON.stringify(c)}`);
  }
  if (c.role === "server") return { role: "server", variant: c.variant ?? "correct", holder: null, queue: [] };
  const rounds = c.rounds ?? 1;
  if (!(Number.isInteger(rounds) && rounds >= 1)) throw new RangeError(`mutex ${ctx.id}: rounds must be a whole number ≥ 1, got ${rounds}`);
  return { role: "client", server: c.server, phase: "idle", roundsLeft: rounds };
}

/**
 * The central-server lock as one pure machine with two roles (`config.role`). A client's `tick`
 * is its own step forward: `idle` → send acquire → `waiting` → (grant) → `holding` → tick: send
 * release → `idle` again, or `done` after its last round. The server's state names who holds the
 * lock: `free` or `held`.
 *
 * @example
 * const host = hostMachine(centralLockMachine, { tickMs: 10, config: (id) => id === "s" ? { role: "server", variant: "forgets-pending-grant" } : { role: "client", server: "s" } });
 * sim.spawnMany(["s", "c1", "c2", "c3"], host, { role: centralLockMachine.name });
 * mutualExclusionViolations(host.states()); // [] until two clients hold the lock
 */
export const centralLockMachine: Machine<LockState, LockMessage, Record<string, never>, LockConfig> = {
  name: "central-lock",
  messageTypes: ["acquire", "grant", "release"],
  init,
  step: (s, m) => (s.role === "server" ? stepServer(s, m) : stepClient(s, m)),
  tick: (s) => (s.role === "server" ? { state: s } : tickClient(s)),
  describe: (s) => (s.role === "server" ? (s.holder === null ? "free" : "held") : s.phase),
};
