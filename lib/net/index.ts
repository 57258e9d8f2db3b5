// The simulated network: latency distributions, the fault model, partitions, message fault rules.
export { Network } from "./network";
export { latency, sampleLatency, latencyNumbers } from "./latency";
export { resolveNetworkOptions, defaultNetworkOptions } from "./options";
export { MessageRule, MessageRules } from "./rules";
export type { Route, RuleEffects, HealScope } from "./network";
export type { Latency } from "./latency";
export type { NetworkOptions, ResolvedNetworkOptions, LinkLatency, LinkOptions } from "./options";
export type { MessageMatch, MessageRuleOptions, RuleAction, RuleMessage, RuleVerdict } from "./rules";
