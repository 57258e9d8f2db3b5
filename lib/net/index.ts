// The simulated network: latency distributions, the fault model, partitions.
export { Network } from "./network";
export { latency, sampleLatency } from "./latency";
export { resolveNetworkOptions, defaultNetworkOptions } from "./options";
export type { Route } from "./network";
export type { Latency } from "./latency";
export type { NetworkOptions, ResolvedNetworkOptions, LinkLatency } from "./options";
