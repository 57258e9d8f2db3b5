// The systems notebook 15 searches, as pure machines with their properties kept apart:
// two-phase commit with a coordinator crash (lib/machine's example), a central-server lock with a
// planted bug, Raft's election (lib/raft) with a planted bug, and primary–backup with the
// "reply before forwarding" bug; each packaged as a search (system + bounds + properties), and
// random simulator runs of the same machines to compare with.
export { centralLockMachine } from "./mutex";
export { pbModelMachine, pbModelConfig } from "./primary-backup";
export { raftElectionMachine, raftElectionConfig, raftElectionView } from "./raft-election";
export { mutualExclusionViolations, lostWriteViolations, uncertainParticipants } from "./invariants";
export { twoPhaseCommitSearch, mutexSearch, raftElectionSearch, primaryBackupSearch } from "./searches";
export { randomRun, seedsToViolation } from "./random-runs";
export type { LockConfig, LockMessage, LockState, LockServerState, LockClientState, LockClientPhase, LockVariant, LockServerConfig, LockClientConfig } from "./mutex";
export type { PbModelConfig, PbModelMessage, PbModelState, PbPrimaryState, PbBackupState, PbClientState, PbVariant, PbWrite } from "./primary-backup";
export type { RaftElectionVariant } from "./raft-election";
export type { ModelSearch, TwoPhaseCommitSearchOptions, MutexSearchOptions, RaftElectionSearchOptions, PrimaryBackupSearchOptions } from "./searches";
export type { RandomRunOptions, RandomRunResult, SeedsToViolationResult } from "./random-runs";
