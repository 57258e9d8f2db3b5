// Replication (lecture 000 "about redundancy", "about failover"): a view service and primary–backup
// (as DSLabs' lab 2 builds it), chain replication (van Renesse & Schneider 2004), and quorum
// replication with read repair and anti-entropy (Dynamo; Gifford 1979).
export { viewService } from "./view-service";
export type { View, ViewServiceOptions, ViewServiceHandle } from "./view-service";
export { pbServer } from "./primary-backup";
export { pbClient } from "./pb-client";
export { runPrimaryBackup, PB_SCENARIOS } from "./replication-runs";
export type { PbServerOptions, PbServerHandle } from "./primary-backup";
export type { PbClientOptions, PbClient } from "./pb-client";
export type { PbScenario, PbRunOptions, PbRun } from "./replication-runs";
export { chainNode, chainClient } from "./chain";
export { chainMaster } from "./chain-master";
export { compareChainAndPrimaryBackup } from "./chain-bench";
export { runChain, CHAIN_SCENARIOS } from "./chain-runs";
export type { ChainNodeOptions, ChainNodeHandle, ChainClientOptions, ChainClient } from "./chain";
export type { ChainMasterOptions } from "./chain-master";
export type { ReplicationCosts, ChainComparisonOptions, ChainComparisonRow } from "./chain-bench";
export type { ChainScenario, ChainRunOptions, ChainRun } from "./chain-runs";
export { quorumReplica, quorumStoreClient, compareVersions, preferenceList, QuorumUnavailableError } from "./quorum";
export { antiEntropy } from "./anti-entropy";
export type { QuorumVersion, QuorumEntry, QuorumReplica, QuorumReplicaOptions, QuorumStoreOptions, QuorumStoreClient } from "./quorum";
export type { AntiEntropy, AntiEntropyOptions } from "./anti-entropy";
export { runStaleReads, staleReadTable, staleReadChanceAtCommit } from "./quorum-runs";
export { runQuorumPartition } from "./quorum-partition";
export { runQuorumLinearizability, quorumLinearizabilityTable, QUORUM_LINEARIZABILITY_CONFIGS } from "./quorum-linearizability";
export type { StaleReadOptions, StaleReadResult } from "./quorum-runs";
export type { QuorumPartitionOptions, QuorumPartitionResult, QuorumPartitionSide } from "./quorum-partition";
export type { QuorumLinearizabilityConfig, QuorumLinearizabilityOptions, QuorumLinearizabilityResult, QuorumLinearizabilityRow } from "./quorum-linearizability";
