// Failure detection and recovery (lecture 000): heartbeats, phi accrual, SWIM, retry policies,
// failover with fencing. One concept per file.
export { HeartbeatDetector, sendHeartbeats, watchHeartbeats, measureHeartbeatDetector } from "./heartbeat";
export { PhiAccrualDetector, AKKA_PHI_DEFAULTS, phiOf, watchPhi } from "./phi-accrual";
export { openSwim, measureSwim, swimExpectedFirstDetectionPeriods } from "./swim";
export { backoffPolicy, BACKOFF_POLICIES, backoffDelayMs, backoff, retryWithBackoff, RetriesExhaustedError, runContention } from "./retry";
export { runFailover, runActiveActive } from "./failover";
export type {
  HeartbeatDetectorOptions,
  HeartbeatSenderOptions,
  HeartbeatSender,
  HeartbeatWatchOptions,
  HeartbeatWatch,
  HeartbeatMeasureOptions,
  HeartbeatMeasurement,
} from "./heartbeat";
export type { PhiAccrualOptions, PhiWatchOptions, PhiWatch } from "./phi-accrual";
export type { SwimStatus, SwimUpdate, SwimOptions, SwimCounters, SwimMember, SwimMeasureOptions, SwimMeasurement } from "./swim";
export type { BackoffPolicy, ContentionOptions, ContentionResult } from "./retry";
export type { FailoverOptions, StorageWrite, FailoverResult, ActiveActiveOptions, ActiveActiveResult } from "./failover";
