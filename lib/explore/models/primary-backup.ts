// Primary–backup replication reduced to its core (Alsberg & Day 1976; the rule of DSLabs' lab 2 and
// of lib/replication's pbServer): the primary applies a client's write, forwards it to the backup,
// and answers the client only once the backup has acknowledged it — so whatever a client was told
// is written survives a crash of the primary on the backup that takes over.
//
// The planted bug ("reply-before-forward", as in pbServer's variant of that name) answers the client
// at once and ships answered writes to the backup in a batch on the primary's next tick. A primary
// that crashes between the two has acknowledged a write that no live server holds.
//
// The view is fixed (p is primary, b is backup): there is no view service here, because the
// property under test — an acknowledged write is on some live server — does not need one.
import type { Inbound, InitContext, Machine, Outbound, Ready } from "../../machine/index";

/** The right protocol, or the one that answers before forwarding. */
export type PbVariant = "correct" | "reply-before-forward";

/** One write: `key` = `value`. */
export interface PbWrite {
  key: string;
  value: string;
}

export type PbModelConfig =
  | { role: "primary"; backup: string; variant?: PbVariant }
  | { role: "backup" }
  | {
      role: "client";
      primary: string;
      /** How many writes the client makes, one at a time (x1=v1, x2=v2, ...). Default 1. */
      writes?: number;
    };

/** Client ↔ primary: put / put_ok. Primary ↔ backup: forward / forward_ok (n = the primary's write number). */
export type PbModelMessage =
  | { type: "put"; key: string; value: string }
  | { type: "put_ok"; key: string; value: string }
  | { type: "forward"; n: number; writes: PbWrite[] }
  | { type: "forward_ok"; n: number };

export interface PbPrimaryState {
  role: "primary";
  backup: string;
  variant: PbVariant;
  store: Record<string, string>;
  /** Writes numbered in order (n = 1, 2, ...): the number of the last one. */
  n: number;
  /** Correct variant: writes sent to the backup and not yet acknowledged, with who to answer. */
  pending: Array<{ n: number; client: string; write: PbWrite }>;
  /** Buggy variant: writes answered but not yet shipped to the backup. */
  unforwarded: PbWrite[];
}

export interface PbBackupState {
  role: "backup";
  store: Record<string, string>;
  /** The highest write number applied. */
  n: number;
}

export interface PbClientState {
  role: "client";
  primary: string;
  writesLeft: number;
  /** The write in flight, if any. */
  waiting: PbWrite | null;
  /** Writes the primary acknowledged, in order. */
  acknowledged: PbWrite[];
}

export type PbModelState = PbPrimaryState | PbBackupState | PbClientState;

type PbReady = Ready<PbModelState, PbModelMessage>;
type Msg = Inbound<PbModelMessage>;

function stepPrimary(s: PbPrimaryState, m: Msg): PbReady {
  const b = m.body;
  if (b.type === "put") {
    const write = { key: b.key, value: b.value };
    const n = s.n + 1;
    const store = { ...s.store, [b.key]: b.value };
    if (s.variant === "reply-before-forward") {
      // The bug: the client hears "ok" before the backup has the write.
      return { state: { ...s, store, n, unforwarded: [...s.unforwarded, write] }, messages: [{ dest: m.src, body: { type: "put_ok", ...write } }] };
    }
    return {
      state: { ...s, store, n, pending: [...s.pending, { n, client: m.src, write }] },
      messages: [{ dest: s.backup, body: { type: "forward", n, writes: [write] } }],
    };
  }
  if (b.type === "forward_ok") {
    const done = s.pending.filter((p) => p.n <= b.n);
    if (done.length === 0) return { state: s };
    const messages: Array<Outbound<PbModelMessage>> = done.map((p) => ({ dest: p.client, body: { type: "put_ok", ...p.write } }));
    return { state: { ...s, pending: s.pending.filter((p) => p.n > b.n) }, messages };
  }
  return { state: s };
}

/** The buggy primary ships answered writes in a batch on its tick; the right one has nothing to do. */
function tickPrimary(s: PbPrimaryState): PbReady {
  if (s.unforwarded.length === 0) return { state: s };
  return { state: { ...s, unforwarded: [] }, messages: [{ dest: s.backup, body: { type: "forward", n: s.n, writes: s.unforwarded } }] };
}

function stepBackup(s: PbBackupState, m: Msg): PbReady {
  const b = m.body;
  if (b.type !== "forward") return { state: s };
  const reply: Outbound<PbModelMessage> = { dest: m.src, body: { type: "forward_ok", n: b.n } };
  if (b.n <= s.n) return { state: s, messages: [reply] }; // a duplicate: already applied
  const store = { ...s.store };
  for (const w of b.writes) store[w.key] = w.value;
  return { state: { ...s, store, n: b.n }, messages: [reply] };
}

function stepClient(s: PbClientState, m: Msg): PbReady {
  const b = m.body;
  if (b.type !== "put_ok" || s.waiting === null || b.key !== s.waiting.key || b.value !== s.waiting.value) return { state: s };
  return { state: { ...s, waiting: null, acknowledged: [...s.acknowledged, s.waiting] } };
}

/** The client's tick: start its next write when none is in flight. */
function tickClient(s: PbClientState): PbReady {
  if (s.waiting !== null || s.writesLeft === 0) return { state: s };
  const i = s.acknowledged.length + 1; // each write to its own key, so a later write never hides a lost one
  const write = { key: `x${i}`, value: `v${i}` };
  return { state: { ...s, waiting: write, writesLeft: s.writesLeft - 1 }, messages: [{ dest: s.primary, body: { type: "put", ...write } }] };
}

function init(ctx: InitContext<PbModelConfig>): PbModelState {
  const c = ctx.config;
  if (c === null || typeof c !== "object") throw new RangeError(`primary-backup ${ctx.id}: config must be an object with a role, got ${JSON.stringify(c)}`);
  if (c.role === "primary") return { role: "primary", backup: c.backup, variant: c.variant ?? "correct", store: {}, n: 0, pending: [], unforwarded: [] };
  if (c.role === "backup") return { role: "backup", store: {}, n: 0 };
  if (c.role === "client") {
    const writes = c.writes ?? 1;
    if (!(Number.isInteger(writes) && writes >= 0)) throw new RangeError(`primary-backup ${ctx.id}: writes must be a whole number ≥ 0, got ${writes}`);
    return { role: "client", primary: c.primary, writesLeft: writes, waiting: null, acknowledged: [] };
  }
  throw new RangeError(`primary-backup ${ctx.id}: role must be "primary", "backup" or "client", got ${JSON.stringify((c as { role?: unknown }).role)}`);
}

function describe(s: PbModelState): string {
  if (s.role === "client") return s.waiting !== null ? "waiting" : s.acknowledged.length > 0 ? "acknowledged" : "idle";
  if (s.role === "primary") return s.unforwarded.length > 0 || s.pending.length > 0 ? "behind" : "in sync";
  return s.n > 0 ? "has writes" : "empty";
}

/**
 * Primary–backup as one pure machine with three roles (`config.role`): a client that writes x1 = v1,
 * x2 = v2, ... one at a time (a write starts on the client's tick), a primary, and a backup. With
 * `variant: "reply-before-forward"` the primary answers at once and forwards on its next tick. No
 * state is persisted: a crashed server is simply gone.
 *
 * @example
 * const host = hostMachine(pbModelMachine, { tickMs: 10, config: (id) => pbModelConfig(id, { variant: "reply-before-forward" }) });
 * sim.spawnMany(["p", "b", "c"], host, { role: pbModelMachine.name });
 * lostWriteViolations(host.states()); // [] until an acknowledged write is on no live server
 */
export const pbModelMachine: Machine<PbModelState, PbModelMessage, Record<string, never>, PbModelConfig> = {
  name: "primary-backup",
  messageTypes: ["put", "put_ok", "forward", "forward_ok"],
  init,
  step: (s, m) => (s.role === "primary" ? stepPrimary(s, m) : s.role === "backup" ? stepBackup(s, m) : stepClient(s, m)),
  tick: (s) => (s.role === "primary" ? tickPrimary(s) : s.role === "client" ? tickClient(s) : { state: s }),
  describe,
};

/**
 * The configuration of node `p` (primary), `b` (backup) or `c` (the client) in the model's fixed view.
 *
 * @example pbModelConfig("p", { variant: "reply-before-forward" }) // { role: "primary", backup: "b", variant: ... }
 */
export function pbModelConfig(id: string, options: { variant?: PbVariant; writes?: number } = {}): PbModelConfig {
  if (id === "p") return { role: "primary", backup: "b", variant: options.variant ?? "correct" };
  if (id === "b") return { role: "backup" };
  if (id === "c") return { role: "client", primary: "p", writes: options.writes ?? 1 };
  throw new RangeError(`pbModelConfig: the model's nodes are "p", "b" and "c", got ${JSON.stringify(id)}`);
}
