// Interaction patterns and infrastructure components, one concept per file.
// — notebook 02 (infrastructure): proxy, cache, load balancer, broker with queues, master–worker
export { TtlLruCache } from "./cache";
export { uniformKeys, originServer, originVersion, proxyCache, runCacheExperiment } from "./proxy";
export { BALANCING_POLICIES, loadBalancer, backendServer, pickPowerOfTwo, runBalancerTrial, runBalancerExperiment } from "./balancer";
export { queueBroker, newQueueBrokerCounters } from "./broker";
export { queueConsumer } from "./queue-consumer";
export { farmMaster, farmWorker } from "./master-worker";
export type { CacheOptions, CacheStats, CacheLookup } from "./cache";
export type { KeySampler, OriginServerOptions, ProxyCacheOptions, ProxyCounters, ProxyCache, CacheExperimentOptions, CacheExperimentResult } from "./proxy";
export type { BalancingPolicy, LoadBalancerOptions, LoadBalancer, BalancerTrialOptions, BalancerTrialResult, BalancerExperimentOptions, BalancerExperimentRow } from "./balancer";
export type { QueueBrokerOptions, QueueBrokerCounters, QueueBroker, QueueDelivery } from "./broker";
export type { QueueConsumerOptions, QueueConsumer } from "./queue-consumer";
export type { FarmTask, FarmResult, FarmMasterOptions, FarmOutcome, FarmWorkerOptions } from "./master-worker";
export { ZipfSampler, zipfProbabilities, zipfKeys, cheApproximation, ttlHitRatio, ttlCacheHitRatio, ttlStaleHitRatio } from "./zipf";
export { ballsIntoBins, inverseGamma, predictedLoadMax } from "./balls-into-bins";
export type { ZipfOptions, CheEstimate, TtlModel } from "./zipf";
export type { BallsIntoBinsOptions, BallsIntoBinsResult, LoadMaxPrediction } from "./balls-into-bins";
// — notebook 03 (interaction patterns): request–response, publish–subscribe, contract net
export { requestResponseServer, callSequentially, callbackRequester, callConcurrently, measureRequestResponse } from "./request-response";
export { TopicSubscriptions, pubSubPublisher, pubSubBroker, pubSubSubscriber, pubSubPublish } from "./pubsub";
export { CONTRACT_NET_PERFORMATIVES, contractNetInitiator, contractNetParticipant } from "./contract-net";
export type { RequestResponseServerOptions, CallbackRequester, CallbackRequesterOptions, RequestResponseExperiment, RequestResponseMeasurement } from "./request-response";
export type { PubSubPublisher, PubSubBroker, PubSubNotification, PubSubSubscriber } from "./pubsub";
export type { ContractNetOutcome, ContractNetProposal, ContractNetSummary, ContractNetInitiatorOptions, ContractNetParticipantOptions } from "./contract-net";
