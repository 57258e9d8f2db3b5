// Recovery of a state machine from durable storage: replay its whole event log, or load the latest
// snapshot (checkpoint) and replay only the log's tail after it. Replaying costs time per entry, so
// full replay grows with the log; snapshot + tail costs one snapshot load plus at most
// `snapshotEvery` entries — bounded, a sawtooth over the log's length. This is why logging
// protocols checkpoint and truncate their logs: Elnozahy, Alvisi, Wang & Johnson, "A survey of
// rollback-recovery protocols in message-passing systems" (ACM Computing Surveys 2002), §2.7
// (garbage collection) and §4 (log-based recovery); the same idea as Raft's log compaction (§7).
//
// Storage layout on the node (all durable across crash and restart):
//   "log/<i>"   entry i (from 1): { account, amount }
//   "log/last"  index of the last entry
//   "snapshot"  { lastIndex, state } — the state after applying entries 1…lastIndex
import type { Node } from "../node/index";
import { Simulation } from "../simulation/index";
import { Prng } from "../sim/prng";
import { checkInteger, checkPositive, contextOf, failureError } from "../failure/errors";

/** One event of the accounts state machine: add `amount` (may be negative) to `account`. */
export interface AccountEntry {
  account: string;
  amount: number;
}

/** The accounts state machine's state: balance per account. */
export type AccountState = Record<string, number>;

/** The snapshot kept in storage. */
export interface AccountSnapshot {
  lastIndex: number;
  state: AccountState;
}

/**
 * Apply one entry to `state` (in place) and return it: the state machine's transition.
 *
 * @example
 * applyAccountEntry({ alice: 10 }, { account: "alice", amount: -3 }); // { alice: 7 }
 */
export function applyAccountEntry(state: AccountState, entry: AccountEntry): AccountState {
  state[entry.account] = (state[entry.account] ?? 0) + entry.amount;
  return state;
}

/** Options of {@link appendAccountEntry}. */
export interface AccountAppendOptions {
  /** Write a snapshot after every this many entries (0 or absent: never). */
  snapshotEvery?: number;
}

/**
 * Log `entry` durably on `node`, apply it to `state` (the node's in-memory state) and, every
 * `snapshotEvery` entries, write a snapshot of `state`. Returns the entry's index.
 *
 * @example
 * const state: AccountState = {};
 * appendAccountEntry(node, state, { account: "alice", amount: 5 }, { snapshotEvery: 100 }); // 1
 */
export function appendAccountEntry(node: Node, state: AccountState, entry: AccountEntry, options: AccountAppendOptions = {}): number {
  const index = (node.storage.get<number>("log/last") ?? 0) + 1;
  node.storage.set(`log/${index}`, entry);
  node.storage.set("log/last", index);
  applyAccountEntry(state, entry);
  const every = options.snapshotEvery ?? 0;
  if (every > 0 && index % every === 0) node.storage.set("snapshot", { lastIndex: index, state } satisfies AccountSnapshot);
  return index;
}

/** Options of {@link recoverState}. */
export interface RecoverOptions {
  /** `"replay"`: every entry from 1; `"snapshot"`: the latest snapshot, then the entries after it. */
  mode: "replay" | "snapshot";
  /** Virtual time to apply one entry. Default 0.05 ms. */
  replayCostMsPerEntry?: number;
  /** Virtual time to load one byte of snapshot. Default 0.01 ms. */
  loadCostMsPerByte?: number;
}

/** What {@link recoverState} did. */
export interface StateRecovery {
  state: AccountState;
  entriesReplayed: number;
  /** Size of the snapshot loaded (JSON characters), 0 if none. */
  snapshotBytes: number;
  /** Virtual time the recovery took, ms. */
  recoveryMs: number;
}

/**
 * Rebuild the state from `node.storage` after a restart, spending virtual time for the work:
 * `replayCostMsPerEntry` per entry applied and `loadCostMsPerByte` per byte of snapshot loaded.
 *
 * @example
 * sim.spawn("db", async (node) => {
 *   const { state, recoveryMs } = await recoverState(node, { mode: "snapshot" });
 * });
 */
export async function recoverState(node: Node, options: RecoverOptions): Promise<StateRecovery> {
  const where = `recoverState(${node.id})`;
  if (options?.mode !== "replay" && options?.mode !== "snapshot") {
    throw failureError(`${where}: mode must be "replay" or "snapshot", got ${JSON.stringify(options?.mode)}`, contextOf(node));
  }
  const replayCostMsPerEntry = checkPositive(where, "replayCostMsPerEntry", options.replayCostMsPerEntry ?? 0.05, contextOf(node), true);
  const loadCostMsPerByte = checkPositive(where, "loadCostMsPerByte", options.loadCostMsPerByte ?? 0.01, contextOf(node), true);
  const startMs = node.now();
  let state: AccountState = {};
  let from = 1;
  let snapshotBytes = 0;
  if (options.mode === "snapshot") {
    const snapshot = node.storage.get<AccountSnapshot>("snapshot");
    if (snapshot !== undefined) {
      snapshotBytes = JSON.stringify(snapshot).length;
      if (snapshotBytes > 0 && loadCostMsPerByte > 0) await node.sleep(snapshotBytes * loadCostMsPerByte);
      state = snapshot.state;
      from = snapshot.lastIndex + 1;
    }
  }
  const last = node.storage.get<number>("log/last") ?? 0;
  for (let i = from; i <= last; i++) {
    const entry = node.storage.get<AccountEntry>(`log/${i}`);
    if (entry === undefined) throw failureError(`${where}: log entry ${i} of ${last} is missing`, contextOf(node));
    applyAccountEntry(state, entry);
  }
  const entriesReplayed = Math.max(0, last - from + 1);
  if (entriesReplayed > 0 && replayCostMsPerEntry > 0) await node.sleep(entriesReplayed * replayCostMsPerEntry);
  return { state, entriesReplayed, snapshotBytes, recoveryMs: node.now() - startMs };
}

/** Options of {@link runRecovery}. */
export interface RecoveryRunOptions {
  seed?: number;
  /** Entries written before the crash. */
  logLength: number;
  /** Snapshot after every this many entries. Default 200. */
  snapshotEvery?: number;
  mode: RecoverOptions["mode"];
  /** Number of accounts the entries touch. Default 20. */
  accounts?: number;
  replayCostMsPerEntry?: number;
  loadCostMsPerByte?: number;
}

/** What {@link runRecovery} returns. */
export interface RecoveryRun extends StateRecovery {
  logLength: number;
  mode: RecoverOptions["mode"];
  /** The in-memory state just before the crash. */
  preCrash: AccountState;
  /** True when the recovered state equals `preCrash`. */
  equal: boolean;
}

/**
 * One node writes `logLength` entries (snapshotting every `snapshotEvery`), crashes —
 * losing its memory — and restarts, recovering with `mode`; the recovered state is compared with
 * the state it had before the crash.
 *
 * @example
 * const run = await runRecovery({ logLength: 1000, snapshotEvery: 200, mode: "snapshot" });
 * run.equal;      // true
 * run.recoveryMs; // one snapshot load, no tail (1000 is a multiple of 200)
 */
export async function runRecovery(options: RecoveryRunOptions): Promise<RecoveryRun> {
  const where = "runRecovery";
  const seed = checkInteger(where, "seed", options?.seed ?? 1, 0, {});
  const logLength = checkInteger(where, "logLength", options?.logLength, 0, {});
  const snapshotEvery = checkInteger(where, "snapshotEvery", options.snapshotEvery ?? 200, 1, {});
  const accounts = checkInteger(where, "accounts", options.accounts ?? 20, 1, {});
  const sim = new Simulation({ seed, trace: false });
  const prng = new Prng(seed).split("workload");
  const entries: AccountEntry[] = Array.from({ length: logLength }, () => ({ account: `acct${prng.int(0, accounts)}`, amount: prng.int(-50, 101) }));
  let preCrash: AccountState = {};
  let recovery: StateRecovery | undefined;
  let written = false;
  sim.spawn("db", async (node) => {
    if (!written) {
      written = true;
      const state: AccountState = {};
      for (const entry of entries) appendAccountEntry(node, state, entry, { snapshotEvery });
      preCrash = copyState(state);
      return;
    }
    recovery = await recoverState(node, { mode: options.mode, replayCostMsPerEntry: options.replayCostMsPerEntry, loadCostMsPerByte: options.loadCostMsPerByte });
  });
  await sim.runFor(1);
  sim.crash("db");
  sim.restart("db");
  await sim.runUntil(() => recovery !== undefined, { withinMs: 1e9 });
  const r = recovery as StateRecovery;
  return { ...r, logLength, mode: options.mode, preCrash, equal: sameState(preCrash, r.state) };
}

/** One row of {@link measureRecovery}. */
export interface RecoveryRow {
  logLength: number;
  /** Recovery time by full replay, ms. */
  replayMs: number;
  /** Recovery time by snapshot + tail, ms. */
  snapshotMs: number;
  /** Entries replayed after the snapshot. */
  tailEntries: number;
  /** Both recoveries rebuilt the pre-crash state. */
  equal: boolean;
}

/** Options of {@link measureRecovery}. */
export interface RecoveryMeasureOptions {
  logLengths: readonly number[];
  snapshotEvery: number;
  seed?: number;
  accounts?: number;
  replayCostMsPerEntry?: number;
  loadCostMsPerByte?: number;
}

/**
 * Recovery time against log length, by full replay (a straight line) and by snapshot + tail (a
 * bounded sawtooth: it drops each time a snapshot is taken). Rows suit `formatTable`, and their
 * columns `formatSeriesChart`.
 *
 * @example
 * const rows = await measureRecovery({ logLengths: [0, 100, 200, 300, 400, 500, 600], snapshotEvery: 250 });
 * console.log(formatSeriesChart(rows.map((r) => r.logLength),
 *   { "full replay": rows.map((r) => r.replayMs), "snapshot + tail": rows.map((r) => r.snapshotMs) },
 *   { x: "log length (entries)", y: "recovery time (ms)" }));
 */
export async function measureRecovery(options: RecoveryMeasureOptions): Promise<RecoveryRow[]> {
  if (!Array.isArray(options?.logLengths) || options.logLengths.length === 0) {
    throw failureError(`measureRecovery: logLengths must be a non-empty array of whole numbers, got ${JSON.stringify(options?.logLengths)}`, {});
  }
  const rows: RecoveryRow[] = [];
  for (const logLength of options.logLengths) {
    const common = { ...options, logLength };
    const replay = await runRecovery({ ...common, mode: "replay" });
    const snap = await runRecovery({ ...common, mode: "snapshot" });
    rows.push({
      logLength,
      replayMs: round(replay.recoveryMs),
      snapshotMs: round(snap.recoveryMs),
      tailEntries: snap.entriesReplayed,
      equal: replay.equal && snap.equal,
    });
  }
  return rows;
}

function copyState(state: AccountState): AccountState {
  return { ...state };
}

function sameState(a: AccountState, b: AccountState): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && a[k] === b[k]);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
