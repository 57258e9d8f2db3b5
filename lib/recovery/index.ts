// Recovery: checkpoints and the domino effect, Chandy–Lamport snapshots, recovery by log replay.
export { recoveryLine, runUncoordinatedCheckpoints, dominoScenario, checkpointDiagram, measureRollback } from "./domino";
export { clBranch, runBankSnapshot, bankSnapshotDiagram } from "./chandy-lamport";
export { applyAccountEntry, appendAccountEntry, recoverState, runRecovery, measureRecovery } from "./log-replay";
export type {
  LocalCheckpoint,
  RecordedMessage,
  CheckpointRecord,
  RecoveryPoint,
  RecoveryLine,
  UncoordinatedOptions,
  UncoordinatedRun,
  DominoScenario,
  CheckpointDiagramOptions,
  RollbackMeasureOptions,
  RollbackRow,
} from "./domino";
export type { ClLocalSnapshot, ClBranchOptions, ClBranch, BankSnapshotOptions, BankSnapshotResult, BankSnapshotDiagramOptions } from "./chandy-lamport";
export type { AccountEntry, AccountState, AccountSnapshot, AccountAppendOptions, RecoverOptions, StateRecovery, RecoveryRunOptions, RecoveryRun, RecoveryRow, RecoveryMeasureOptions } from "./log-replay";
