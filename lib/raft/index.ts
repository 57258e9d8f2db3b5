// Raft (Ongaro & Ousterhout, extended paper): a pure machine (raft.ts, with the rules in
// election.ts, replication.ts and snapshot.ts), its host on simulator nodes (host.ts), the safety
// checkers, kept apart (invariants.ts), and the Figure 16 experiment (election-time.ts).
export { raftMachine, raftPropose, raftSnapshot, raftCampaign, RAFT_MESSAGE_TYPES } from "./raft";
export { raftNode, raftCluster, raftReference } from "./host";
export { RaftMonitor, electionSafetyViolations, logMatchingViolation } from "./invariants";
export { measureElectionTime } from "./election-time";
export { lastLogIndex, lastLogTerm, termAt, entryAt, isUpToDate } from "./log";
export type { ProposeResult, RaftApplyMsg, RaftConfig, RaftEntry, RaftMessage, RaftPersist, RaftReady, RaftRole, RaftSnapshot, RaftState } from "./types";
export type { RaftCluster, RaftClusterOptions, RaftHandle, RaftImplementation, RaftNodeOptions } from "./host";
export type { RaftView } from "./invariants";
export type { ElectionTimeOptions, ElectionTimeResult } from "./election-time";
