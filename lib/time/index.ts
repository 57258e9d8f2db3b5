// Time and order (lecture 000, 003): physical clock synchronisation, logical and vector clocks,
// causal broadcast, mutual exclusion. One concept per file.
// Physical clocks: Cristian (1989), Berkeley (Gusella & Zatti 1989), NTP (Mills 1991), leases (Gray & Cheriton 1989).
export { serveTime } from "./time-server";
export { cristianSync, checkOffsetBound } from "./cristian";
export { berkeleyMember, berkeleyRound } from "./berkeley";
export { ntpOffsetDelay, ntpSample, bestSample } from "./ntp";
export { openLeaseGrantor, openLeaseHolder, leaseOnDriftingClock } from "./lease";
// Logical clocks (Lamport 1978; Fidge 1988, Mattern 1989), happened-before, causal broadcast (Birman et al. 1991).
export { LamportClock, lamportNode } from "./lamport";
export { VectorClock, compareVectors, mergeVectors, checkVector, vectorNode } from "./vector";
export { happenedBefore, checkVectorOrder, checkLamportOrder } from "./happened-before";
export { openCausalBroadcast, questionAndReply } from "./causal-broadcast";
export type { TimeRequest, TimeReply, TimeServerOptions } from "./time-server";
export type { CristianOptions, CristianEstimate, BoundCheck } from "./cristian";
export type { BerkeleyOptions, BerkeleyRound } from "./berkeley";
export type { NtpSample } from "./ntp";
export type { LeaseGrantor, LeaseHolder, LeaseHolderOptions, LeaseScenarioOptions, LeaseScenarioResult } from "./lease";
export type { StampedEvent, LamportNode } from "./lamport";
export type { VectorTimestamp, VectorOrder, VectorNode } from "./vector";
export type { HbEvent, HappenedBefore, HappenedBeforeOptions, OrderMismatch, LamportCheck } from "./happened-before";
export type { BroadcastOrder, CausalBroadcast, CausalBroadcastOptions, CausalBroadcastCounters, QuestionAndReplyOptions, QuestionAndReplyResult } from "./causal-broadcast";
// Mutual exclusion (Coulouris et al. §15.2) and the lost update.
export { openCentralMutex } from "./mutex-central";
export { openRicartAgrawala } from "./ricart-agrawala";
export { openLamportMutex } from "./lamport-mutex";
export { openTokenRing } from "./token-ring";
export { measureMutex, watchMutualExclusion, textbookMessagesPerEntry, mutexEntries, jainIndex } from "./mutex-measure";
export { lostUpdate, compareLostUpdate } from "./lost-update";
export type { Mutex, MutexState, MutexAlgorithm, MutexCounters } from "./mutex";
export type { CentralMutex, CentralMutexOptions } from "./mutex-central";
export type { RicartAgrawalaMutex, RicartAgrawalaOptions } from "./ricart-agrawala";
export type { LamportMutex, LamportMutexOptions, TimestampedRequest } from "./lamport-mutex";
export type { TokenRingMutex, TokenRingOptions } from "./token-ring";
export type { MeasureMutexOptions, MutexMeasurement, MutexEntry, TextbookCost } from "./mutex-measure";
export type { LostUpdateOptions, LostUpdateResult, LostUpdateVariant } from "./lost-update";
export {};
