// The four searches of notebook 15, each a system (nodes running one pure machine, plus the
// messages in flight at the start) with the bounds and properties it is searched under. A caller
// passes both to `explore`, changing what it likes:
//
//   const { system, options } = mutexSearch({ variant: "forgets-pending-grant" });
//   explore(system, { ...options, strategy: "dfs" });
//
// Bounds are chosen so that each search finishes in well under a second; each says why it is enough
// to show the bug, and none of them proves the correct variant right beyond its bounds.
import { atomicCommitViolations, twoPhaseCommit } from "../../machine/index";
import type { Machine, MachineBody, TwoPhaseConfig, TwoPhaseMessage, TwoPhasePersist, TwoPhaseState } from "../../machine/index";
import { electionSafetyViolations } from "../../raft/index";
import type { RaftConfig, RaftMessage, RaftPersist, RaftState } from "../../raft/index";
import type { ExploreOptions, ExploreSystem } from "../types";
import { lostWriteViolations, mutualExclusionViolations, uncertainParticipants } from "./invariants";
import { centralLockMachine } from "./mutex";
import type { LockConfig, LockMessage, LockState, LockVariant } from "./mutex";
import { pbModelConfig, pbModelMachine } from "./primary-backup";
import type { PbModelConfig, PbModelMessage, PbModelState, PbVariant } from "./primary-backup";
import { raftElectionConfig, raftElectionMachine, raftElectionView } from "./raft-election";
import type { RaftElectionVariant } from "./raft-election";

/** A system and how to search it: hand both to `explore` (`explore(m.system, m.options)`). */
export interface ModelSearch<S, M extends MachineBody, P extends object, C> {
  /** A short title for tables, e.g. `"mutex (forgets-pending-grant)"`. */
  title: string;
  system: ExploreSystem<S, M, P, C>;
  options: ExploreOptions<S, M>;
  /** Message types the world outside the system (a client) receives, for simulator runs. */
  outsideTypes?: string[];
}

// ---- two-phase commit ------------------------------------------------------------------------------

/** Options of {@link twoPhaseCommitSearch}. */
export interface TwoPhaseCommitSearchOptions {
  /** Participants p1 … pN. Default 2. */
  participants?: number;
  /** Ticks in all on a path. Default 2 (each participant may ask once for the decision). */
  ticksMax?: number;
  /** Let the coordinator come back once (default false: it stays down — the blocking case). */
  restart?: boolean;
}

/**
 * Two-phase commit (lib/machine's `twoPhaseCommit`) with one transaction `t1` begun by a client,
 * a coordinator `c` that may crash once, and participants that ask for the decision on their ticks.
 * Checked: AC1 (agreement) in every state, and "every participant that voted yes learns the
 * outcome" in every terminal state — a state where every message is delivered and the tick budget
 * is spent, so "eventually" here means "by the end of the bounded run".
 *
 * @example
 * const { system, options } = twoPhaseCommitSearch();
 * explore(system, options).verdict // { kind: "violated", property: "every yes voter learns the outcome", where: "terminal", ... }
 */
export function twoPhaseCommitSearch(options: TwoPhaseCommitSearchOptions = {}): ModelSearch<TwoPhaseState, TwoPhaseMessage, TwoPhasePersist, TwoPhaseConfig> {
  const n = options.participants ?? 2;
  const participants = Array.from({ length: n }, (_, i) => `p${i + 1}`);
  return {
    title: `two-phase commit, ${n} participants${options.restart ? ", coordinator may restart" : ""}`,
    system: {
      machine: twoPhaseCommit,
      nodes: [
        { id: "c", config: { role: "coordinator", participants, resendTicks: 1, voteTimeoutTicks: 2 } },
        ...participants.map((id) => ({ id, config: { role: "participant" as const, coordinator: "c", resendTicks: 1 } })),
      ],
      messages: [{ src: "client", dest: "c", body: { type: "begin", txn: "t1" } }],
      // The participant's seed is drawn from only when abortProbability > 0 (here 0).
      view: (s) => (s.role === "participant" ? { ...s, seed: 0 } : s),
    },
    options: {
      crashesMax: 1,
      crashable: ["c"],
      restartsMax: options.restart ? 1 : 0,
      ticksMax: options.ticksMax ?? 2,
      invariants: [{ name: "AC1 agreement", check: (v) => atomicCommitViolations(v.states) }],
      eventually: [{ name: "every yes voter learns the outcome", check: (v) => uncertainParticipants(v.states, v.crashed) }],
    },
    outsideTypes: ["begin_resp"],
  };
}

// ---- mutual exclusion ------------------------------------------------------------------------------

/** Options of {@link mutexSearch}. */
export interface MutexSearchOptions {
  /** Default `"correct"`. */
  variant?: LockVariant;
  /** Clients c1 … cN. Default 3. */
  clients?: number;
  /** Critical sections per client. Default 1. */
  rounds?: number;
  /** Treat the clients as interchangeable (symmetry reduction). Default false. */
  symmetry?: boolean;
}

/**
 * The central lock server `s` and its clients; checked: at most one client holds the lock, in every
 * state. Ticks are the clients' own steps (ask, leave), so only clients tick; no faults.
 *
 * @example
 * const { system, options } = mutexSearch({ variant: "forgets-pending-grant" });
 * explore(system, options).verdict.kind // "violated"
 */
export function mutexSearch(options: MutexSearchOptions = {}): ModelSearch<LockState, LockMessage, Record<string, never>, LockConfig> {
  const variant = options.variant ?? "correct";
  const clients = Array.from({ length: options.clients ?? 3 }, (_, i) => `c${i + 1}`);
  return {
    title: `mutex (${variant}), ${clients.length} clients`,
    system: {
      machine: centralLockMachine,
      nodes: [{ id: "s", config: { role: "server", variant } }, ...clients.map((id) => ({ id, config: { role: "client" as const, server: "s", rounds: options.rounds ?? 1 } }))],
    },
    options: {
      tickable: clients,
      symmetry: options.symmetry ? [clients] : undefined,
      invariants: [{ name: "mutual exclusion", check: (v) => mutualExclusionViolations(v.states) }],
    },
  };
}

// ---- Raft election ---------------------------------------------------------------------------------

/** Options of {@link raftElectionSearch}. */
export interface RaftElectionSearchOptions {
  /** Default `"correct"`. */
  variant?: RaftElectionVariant;
  /** Ticks in all on a path: each tick of a follower or candidate starts an election. Default 2 (3 is already hundreds of thousands of states). */
  ticksMax?: number;
  /** Crashes and restarts on a path. Default 1 each. */
  crashesMax?: number;
  restartsMax?: number;
  /** Treat n1, n2, n3 as interchangeable (symmetry reduction). Default false. */
  symmetry?: boolean;
}

/**
 * Raft's election for 3 servers n1, n2, n3 (lib/raft's `raftMachine`; every election timeout one
 * tick). Checked: Election Safety — at most one leader per term among the live servers — in every
 * state. The bounds (ticks, crashes, restarts) are what make it finite: there is no bound on terms
 * in Raft itself.
 *
 * @example
 * const { system, options } = raftElectionSearch({ variant: "vote-not-persisted" });
 * explore(system, options).verdict.kind // "violated": two leaders in term 1
 */
export function raftElectionSearch(options: RaftElectionSearchOptions = {}): ModelSearch<RaftState, RaftMessage, RaftPersist, RaftConfig> {
  const variant = options.variant ?? "correct";
  const ids = ["n1", "n2", "n3"];
  const machine: Machine<RaftState, RaftMessage, RaftPersist, RaftConfig> = raftElectionMachine(variant);
  return {
    title: `Raft election (${variant}), 3 servers`,
    system: {
      machine,
      nodes: ids.map((id) => ({ id, config: raftElectionConfig(id, { ids }) })),
      view: (s) => raftElectionView(s),
    },
    options: {
      ticksMax: options.ticksMax ?? 2,
      crashesMax: options.crashesMax ?? 1,
      restartsMax: options.restartsMax ?? 1,
      symmetry: options.symmetry ? [ids] : undefined,
      invariants: [{ name: "election safety", check: (v) => electionSafetyViolations(v.states) }],
    },
  };
}

// ---- primary–backup --------------------------------------------------------------------------------

/** Options of {@link primaryBackupSearch}. */
export interface PrimaryBackupSearchOptions {
  /** Default `"correct"`. */
  variant?: PbVariant;
  /** Writes the client makes, one after the other. Default 2. */
  writes?: number;
  /** Messages the network may lose on a path. Default 1. */
  dropsMax?: number;
}

/**
 * Primary `p`, backup `b` and client `c` (the model in primary-backup.ts); one server may crash.
 * Checked: every acknowledged write is on a live server, in every state.
 *
 * @example
 * const { system, options } = primaryBackupSearch({ variant: "reply-before-forward" });
 * explore(system, options).verdict.kind // "violated"
 */
export function primaryBackupSearch(options: PrimaryBackupSearchOptions = {}): ModelSearch<PbModelState, PbModelMessage, Record<string, never>, PbModelConfig> {
  const variant = options.variant ?? "correct";
  return {
    title: `primary–backup (${variant})`,
    system: {
      machine: pbModelMachine,
      nodes: ["p", "b", "c"].map((id) => ({ id, config: pbModelConfig(id, { variant, writes: options.writes ?? 2 }) })),
    },
    options: {
      crashesMax: 1,
      crashable: ["p", "b"],
      dropsMax: options.dropsMax ?? 1,
      invariants: [{ name: "acknowledged writes survive", check: (v) => lostWriteViolations(v.states) }],
    },
  };
}
