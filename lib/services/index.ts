// Integration and services (lecture 002): registry, resilience patterns, gateway, integration
// styles and topologies, microservices, serverless; naming and orchestration (second reading).
// One concept per file.
export { registryServer, registeredInstance, discoverInstances } from "./registry";
export { CircuitBreakerOpenError, openCircuitBreaker } from "./circuit-breaker";
export { BulkheadFullError, openBulkhead, runBulkheadExperiment } from "./bulkhead";
export { apiGateway } from "./gateway";
export { INTEGRATION_STYLES, TOPOLOGIES, runIntegrationStyle, compareIntegrationStyles, runTopology, compareTopologies } from "./integration";
export { runFailureIsolation, runHotServiceScaling, RETRY_POLICIES, runRetryStorm, compareRetryPolicies } from "./microservices";
export { faasPlatform, serverlessCost, runServerlessTrial, runServerlessExperiment } from "./serverless";
export { nameServer, cachingResolver, runNamingExperiment } from "./naming";
export { orchestrator, machineAgent, runOrchestratorScenario } from "./orchestrator";
export type { RegistryServerOptions, RegistryServer, RegisteredInstanceOptions, RegisteredInstance, DiscoverOptions } from "./registry";
export type { BreakerState, CircuitBreakerOptions, CircuitBreaker, CircuitBreakerCounters } from "./circuit-breaker";
export type { BulkheadOptions, Bulkhead, BulkheadExperimentOptions, BulkheadExperimentResult } from "./bulkhead";
export type { GatewayRoute, ApiGatewayOptions, ApiGateway, GatewayRouteCounters } from "./gateway";
export type { IntegrationStyle, IntegrationOptions, IntegrationResult, Topology, TopologyOptions, TopologyResult } from "./integration";
export type { FailureIsolationOptions, FailureIsolationResult, HotServiceScalingOptions, HotServiceScalingRow, RetryPolicy, RetryStormOptions, RetryStormResult } from "./microservices";
export type { FaasPlatformOptions, FaasPlatform, FaasCounters, ServerlessPrices, ServerlessCost, ServerlessTrialOptions, ServerlessTrialResult, ServerlessExperimentOptions } from "./serverless";
export type { NameServerOptions, NameServer, CachingResolverOptions, CachingResolver, NamingExperimentOptions, NamingExperimentResult } from "./naming";
export type { DesiredState, OrchestratorOptions, ContainerView, Orchestrator, MachineAgentOptions, OrchestratorScenarioOptions, OrchestratorScenarioResult } from "./orchestrator";
