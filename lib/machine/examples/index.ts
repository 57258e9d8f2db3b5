// Small protocols written as pure machines, with their invariant checks kept apart.
export { twoPhaseCommit } from "./two-phase-commit";
export { AtomicCommitMonitor, atomicCommitViolations, decisionsOf } from "./atomic-commit";
export type {
  TwoPhaseConfig,
  TwoPhaseCoordinatorConfig,
  TwoPhaseCoordinatorState,
  TwoPhaseCoordinatorTxn,
  TwoPhaseMessage,
  TwoPhaseOutcome,
  TwoPhaseParticipantConfig,
  TwoPhaseParticipantPhase,
  TwoPhaseParticipantState,
  TwoPhasePersist,
  TwoPhaseState,
  TwoPhaseVote,
} from "./two-phase-commit";
