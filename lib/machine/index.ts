// Protocols as pure state machines (the etcd raft shape): step/tick return a Ready (next state,
// what to persist, what to send); hostMachine runs one on simulator nodes; InteractionEnv and
// transcripts test one without a simulator; examples/ has two-phase commit.
export { nextRandom } from "./machine";
export { hostMachine } from "./host";
export { InteractionEnv, InteractionError, formatMessage } from "./interaction";
export { parseTranscript, formatTranscript, runTranscript, explainTranscriptFailures, TranscriptError } from "./transcript";
export { deepFreeze, callPure, checkedMachine, MachinePurityError } from "./purity";
export { twoPhaseCommit, AtomicCommitMonitor, atomicCommitViolations, decisionsOf } from "./examples/index";
export type { Machine, MachineBody, Ready, Inbound, Outbound, InitContext } from "./machine";
export type { HostMachineOptions, MachineHost } from "./host";
export type { InFlight, InteractionEnvOptions } from "./interaction";
export type { RunTranscriptOptions, Transcript, TranscriptCase, TranscriptOutcome, TranscriptResult } from "./transcript";
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
} from "./examples/index";
