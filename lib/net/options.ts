import { ConfigError } from "../sim/errors";
import { latency, latencyNumbers, type Latency } from "./latency";

/**
 * Per-link overrides for one direction, `from` → `to`: its `latency`, its `lossProbability`, or
 * both (a field not given falls back to the network-wide option).
 *
 * @example
 * const links: LinkOptions[] = [
 *   { from: "eu", to: "us", latency: latency.constant(80) },
 *   { from: "n1", to: "n2", lossProbability: 0.5 }, // a flaky link: half of n1's messages to n2 are lost
 * ];
 */
export interface LinkOptions {
  from: string;
  to: string;
  /** The link's one-way delay instead of the network's `latency`. */
  latency?: Latency;
  /** The link's loss probability in [0, 1] instead of the network's `lossProbability`. */
  lossProbability?: number;
}

/** The former name of {@link LinkOptions} (a latency override). */
export type LinkLatency = LinkOptions;

/**
 * The network's fault model, in one typed object (after TigerBeetle's packet simulator options).
 * Every field is optional; the defaults give a perfect network with 1 ms latency.
 *
 * @example
 * const network: NetworkOptions = {
 *   latency: latency.uniform(5, 15),
 *   lossProbability: 0.1,        // 10% of messages vanish
 *   duplicationProbability: 0.01,
 *   ordering: "unordered",        // messages on a link may overtake each other
 *   links: [
 *     { from: "eu", to: "us", latency: latency.constant(80) },
 *     { from: "n1", to: "n2", lossProbability: 0.5 }, // one flaky direction
 *   ],
 * };
 */
export interface NetworkOptions {
  /** One-way delay of every message unless a link overrides it. Default `latency.constant(1)`. */
  latency?: Latency;
  /** Directed per-link overrides of `latency` and `lossProbability`. */
  links?: LinkOptions[];
  /** Probability in [0, 1] that a message is lost. Default 0. */
  lossProbability?: number;
  /** Probability in [0, 1] that a delivered message is delivered a second time. Default 0. */
  duplicationProbability?: number;
  /**
   * `"fifo"` (default): messages on one link (a → b) arrive in the order they were sent, like TCP.
   * `"unordered"`: each message's delay is drawn independently, so later messages may overtake.
   */
  ordering?: "fifo" | "unordered";
  /**
   * Capacity of each directed link in bytes per virtual ms. A link is a queue: a message waits for
   * the messages sent before it on the same link, then takes `bytes / bandwidth` to send, then
   * its latency. Default: infinite (no queueing).
   */
  bandwidthBytesPerMs?: number;
}

/** Options with every default filled in. */
export type ResolvedNetworkOptions = Required<Omit<NetworkOptions, "bandwidthBytesPerMs">> & {
  bandwidthBytesPerMs: number;
};

const LINK_KEYS = ["from", "to", "latency", "lossProbability"];

/** The defaults: 1 ms constant latency, no loss, no duplication, FIFO links, infinite bandwidth. */
export const defaultNetworkOptions: ResolvedNetworkOptions = {
  latency: latency.constant(1),
  links: [],
  lossProbability: 0,
  duplicationProbability: 0,
  ordering: "fifo",
  bandwidthBytesPerMs: Infinity,
};

/** Throw a ConfigError unless `p` is a probability in [0, 1]. @example checkProbability("network.lossProbability", 0.1) */
export function checkProbability(option: string, p: unknown): void {
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new ConfigError(option, p, "a probability in [0, 1]");
}

/** Throw a ConfigError unless `dist` is a valid latency distribution. @example checkLatency("network.latency", latency.uniform(5, 15)) */
export function checkLatency(option: string, dist: Latency | undefined): void {
  if (!dist || typeof dist !== "object") throw new ConfigError(option, dist, "a latency distribution such as latency.constant(5)");
  const kinds = ["constant", "uniform", "normal", "exponential"];
  if (!kinds.includes(dist.kind)) throw new ConfigError(`${option}.kind`, dist.kind, `one of ${kinds.join(", ")}`);
  for (const [name, value] of latencyNumbers(dist)) {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new ConfigError(`${option}.${name}`, value, "a finite number of milliseconds ≥ 0");
    }
  }
  if (dist.kind === "uniform" && dist.msMax < dist.msMin) {
    throw new ConfigError(`${option}.msMax`, dist.msMax, `≥ msMin (${dist.msMin})`);
  }
}

/**
 * Check options and fill in defaults. Throws a `ConfigError` naming the option and the bad value;
 * `knownNode` lets it reject links that name unknown nodes.
 *
 * @example
 * resolveNetworkOptions({ lossProbability: 0.1 }); // { latency: { kind: "constant", ms: 1 }, lossProbability: 0.1, ... }
 * resolveNetworkOptions({ lossProbability: 1.5 }); // throws: invalid option network.lossProbability: got 1.5, expected a probability in [0, 1]
 */
export function resolveNetworkOptions(
  options: NetworkOptions,
  base: ResolvedNetworkOptions = defaultNetworkOptions,
  knownNode?: (id: string) => boolean,
): ResolvedNetworkOptions {
  const merged: ResolvedNetworkOptions = { ...base };
  for (const key of Object.keys(options) as Array<keyof NetworkOptions>) {
    if (!Object.prototype.hasOwnProperty.call(defaultNetworkOptions, key)) {
      throw new ConfigError(`network.${key}`, options[key], `a known option (${Object.keys(defaultNetworkOptions).join(", ")})`);
    }
    if (options[key] !== undefined) (merged as any)[key] = options[key];
  }
  checkLatency("network.latency", merged.latency);
  checkProbability("network.lossProbability", merged.lossProbability);
  checkProbability("network.duplicationProbability", merged.duplicationProbability);
  if (merged.ordering !== "fifo" && merged.ordering !== "unordered") {
    throw new ConfigError("network.ordering", merged.ordering, '"fifo" or "unordered"');
  }
  const bw = merged.bandwidthBytesPerMs;
  if (typeof bw !== "number" || Number.isNaN(bw) || bw <= 0) {
    throw new ConfigError("network.bandwidthBytesPerMs", bw, "a number of bytes per ms > 0");
  }
  if (!Array.isArray(merged.links)) throw new ConfigError("network.links", merged.links, "an array of { from, to, latency } overrides (a latency, a lossProbability or both)");
  merged.links.forEach((link, i) => {
    if (!link || typeof link !== "object") throw new ConfigError(`network.links[${i}]`, link, "{ from, to, latency?, lossProbability? }");
    for (const key of Object.keys(link)) {
      if (!LINK_KEYS.includes(key)) throw new ConfigError(`network.links[${i}].${key}`, (link as any)[key], `a known field (${LINK_KEYS.join(", ")})`);
    }
    if (link.latency === undefined && link.lossProbability === undefined) {
      throw new ConfigError(`network.links[${i}]`, link, "a latency, a lossProbability or both to override");
    }
    if (link.latency !== undefined) checkLatency(`network.links[${i}].latency`, link.latency);
    if (link.lossProbability !== undefined) checkProbability(`network.links[${i}].lossProbability`, link.lossProbability);
    if (knownNode) {
      if (!knownNode(link.from)) throw new ConfigError(`network.links[${i}].from`, link.from, "the id of a spawned node");
      if (!knownNode(link.to)) throw new ConfigError(`network.links[${i}].to`, link.to, "the id of a spawned node");
    }
  });
  return merged;
}
