// Logs and streams (lecture 002 "Big data and scalable systems"; Kreps et al. 2011, Kafka): a
// partitioned, replicated append-only log — the pure PartitionLog, a broker with leader/follower
// replication and a group coordinator, producers (idempotent or not), consumer groups, and the
// delivery-semantics runs notebook 11 shows.
export { PartitionLog, OffsetOutOfRangeError } from "./partition-log";
export type { LogRecord, LogSegment, PartitionLogOptions, PartitionLogObserver } from "./partition-log";
export { LOG_ERRORS } from "./wire";
export type {
  FetchedRecord,
  ProduceRequest,
  ProduceOk,
  FetchRequest,
  FetchOk,
  CommitOffsetRequest,
  CommitOffsetOk,
  FetchCommittedRequest,
  FetchCommittedOk,
  MetadataRequest,
  MetadataOk,
  JoinGroupRequest,
  JoinGroupOk,
  HeartbeatRequest,
  HeartbeatOk,
  LeaveGroupRequest,
  LeaveGroupOk,
  ReplicaFetchRequest,
  ReplicaFetchOk,
  LogErrorBody,
  BrokerReply,
} from "./wire";
export { makePartitioner } from "./partitioner";
export type { LogPartitioner } from "./partitioner";
export { assignPartitions } from "./assignment";
export type { AssignmentStrategy } from "./assignment";
export { logBroker } from "./broker";
export type { TopicSpec, LogBrokerOptions, LogBrokerHandle, LogGroupView } from "./broker";
export { logProducer } from "./producer";
export type { LogProducerOptions, LogProducer, ProducedRecord } from "./producer";
export { logConsumer } from "./consumer";
export type { ConsumedRecord, OffsetCommitMode, LogConsumerOptions, LogConsumer } from "./consumer";
export { runDeliverySemantics, runProducerRetry, DELIVERY_MODES } from "./delivery";
export type { DeliveryMode, DeliveryRunOptions, DeliveryEffect, DeliveryRow, DeliveryRun, ProducerRetryOptions, ProducerRetryRun } from "./delivery";
export { GroupCoordinator } from "./coordinator";
export type { CoordinatorReply } from "./coordinator";
export { brokerClient } from "./client";
export type { BrokerClient } from "./client";
export type { LeaderChange } from "./wire";
export { runLeaderCrash } from "./acks-runs";
export type { LeaderCrashOptions, LeaderCrashRun } from "./acks-runs";
// Lambda against Kappa: page views per minute, by batch + speed + serving layers and by one replayable stream job.
export {
  generatePageViews,
  windowLabel,
  isBot,
  viewKey,
  addViews,
  sortViewCounts,
  viewsPerMinute,
  mergeViewCounts,
  viewRows,
  compareViewCounts,
  pageViewLines,
  viewsPerMinuteApp,
  pageViewsPerMinuteApp,
  parseViewCounts,
} from "./pageviews";
export type { PageView, PageViewArrival, PageViewOptions, ViewsDefinition, ViewCounts, ViewRow, ViewDiffRow, ViewComparison } from "./pageviews";
export { MasterDataset, runLambda, lambdaAnswerRows, lambdaTimelineRows } from "./lambda";
export type { SpeedLayerBug, LambdaOptions, LambdaSnapshot, LambdaCounters, BatchRun, LambdaRun, LambdaAnswerRow } from "./lambda";
export { streamJob, runKappa, kappaTimelineRows, compareLambdaAndKappa } from "./kappa";
export type { StreamJobOptions, StreamJob, KappaOptions, KappaSnapshot, KappaCounters, KappaRun, LambdaKappaOptions, LambdaKappaRow, LambdaKappaComparison } from "./kappa";
