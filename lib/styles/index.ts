// Architectural styles (lecture 000, 001): one concept per file.
// — layered: a protocol stack (pure, mixed, upcalls)
export { ProtocolStack, LayeringViolation, internetLayers, stackNode, measureLayering } from "./layers";
// — object-based: client proxy (stub) and server skeleton, remote references
export { RemoteException, rmiSkeleton, rmiClient, measureRmiGranularity } from "./stubs";
// — resource-based: REST, safe and idempotent methods, stateless handlers
export { REST_METHODS, emptyResources, applyRestRequest, restServer, resourceStore, restClient, runRestRetryTrial } from "./rest";
// — event-based: an event bus, durable or not
export { eventBus, busPublisher, busSubscriber, runEventBusTrial } from "./event-bus";
// — shared data space: a Linda tuple space
export { tupleMatches, tupleSpaceNode, tupleSpaceClient, measureTupleSpaceLoad } from "./tuple-space";
// — three tiers: presentation, logic, data on separate nodes
export { dataTier, logicTier, presentationTier, measureThreeTier } from "./three-tier";
// — hexagonal: a domain core, its ports and adapters
export { InsufficientFunds, AccountsCore, inMemoryLedger, ledgerNode, remoteLedger, accountsAdapterNode, accountsClient } from "./hexagonal";
export type { Layer, LayerCall, LayerBytes, LayeredFrame, LayerOrganisation, ProtocolStackOptions, DownOptions, DownResult, UpResult, StackNode, StackNodeOptions, LayeringMeasurement, MeasureLayeringOptions } from "./layers";
export type { RemoteRef, RemoteObject, RmiSkeleton, RmiClient, RmiClientOptions, RmiStats, RmiGranularityOptions, RmiGranularityCost, RmiGranularityResult } from "./stubs";
export type { RestMethod, RestRequest, RestResponse, ResourceTable, RestServerOptions, RestClient, RestClientOptions, RestRetryMode, RestRetryTrialOptions, RestRetryTrialResult } from "./rest";
export type { BusEvent, EventBus, EventBusOptions, BusPublisher, BusSubscriber, EventBusTrialOptions, EventBusTrialResult } from "./event-bus";
export type { Tuple, TuplePattern, TupleSpace, TupleSpaceClient, TupleSpaceClientOptions, TupleSpaceLoadOptions, TupleSpaceLoadResult } from "./tuple-space";
export type { TierStats, DataTierOptions, LogicTierOptions, PresentationTierOptions, ThreeTierOptions, ThreeTierResult } from "./three-tier";
export type { AccountsPort, LedgerPort, RemoteLedgerOptions, AccountsClientOptions } from "./hexagonal";
