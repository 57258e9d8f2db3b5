// The master of chain replication (van Renesse & Schneider 2004, §3): it watches the replicas and,
// when one has crashed, sends everyone the chain without it. One node here; a Paxos-replicated
// service in the paper.
import type { Node } from "../node/index";
import { ConfigError } from "../sim/index";
import { checkChain } from "./chain";

/** Options of {@link chainMaster}. */
export interface ChainMasterOptions {
  /** The initial chain, head first. */
  chain: readonly string[];
  /** Replicas ping this often. Default 100. */
  pingIntervalMs?: number;
  /** A replica silent for more than this many ping intervals has crashed. Default 3. */
  deadPings?: number;
}

/**
 * The chain's master (paper §3; one node here, a Paxos group in the paper): it hears
 * `{ type: "chain_ping", version }` from every replica, removes those silent for more than
 * `deadPings` ping intervals (never the last one), and sends the new `{ type: "chain_config",
 * version, chain }` to every replica left; it answers pings and `{ type: "chain_get_config" }`
 * (from clients) with the current one. Declares node state `serving` with the chain in the cause.
 *
 * @example
 * sim.spawn("master", (node) => void chainMaster(node, { chain: ["a", "b", "c"] }));
 * for (const id of ["a", "b", "c"]) sim.spawn(id, (node) => void chainNode(node, { chain: ["a", "b", "c"], master: "master" }));
 */
export function chainMaster(node: Node, options: ChainMasterOptions): { chain(): string[]; version(): number } {
  const context = () => ({ node: node.id, timeMs: node.now() });
  let chain = checkChain("chainMaster", options?.chain, null, context());
  const pingIntervalMs = options.pingIntervalMs ?? 100;
  const deadPings = options.deadPings ?? 3;
  if (!(pingIntervalMs > 0) || !Number.isFinite(pingIntervalMs)) throw new ConfigError("chainMaster: pingIntervalMs", pingIntervalMs, "a finite number > 0", context());
  if (!Number.isInteger(deadPings) || deadPings < 1) throw new ConfigError("chainMaster: deadPings", deadPings, "a whole number ≥ 1", context());
  let version = 1;
  const lastPingMs = new Map(chain.map((id) => [id, node.now()]));
  const config = () => ({ type: "chain_config", version, chain: chain.slice() });

  node.on("chain_ping", (msg) => {
    if (lastPingMs.has(msg.src)) lastPingMs.set(msg.src, node.now());
    node.reply(msg, config());
  });
  node.on("chain_get_config", (msg) => node.reply(msg, config()));
  node.setPeriodic(
    pingIntervalMs,
    () => {
      const dead = chain.filter((id) => node.now() - lastPingMs.get(id)! > deadPings * pingIntervalMs);
      const left = chain.filter((id) => !dead.includes(id));
      if (dead.length === 0 || left.length === 0) return;
      for (const id of dead) lastPingMs.delete(id);
      chain = left;
      version++;
      node.setState("serving", `${dead.join(", ")} silent → chain v${version}: ${chain.join(" → ")}`);
      for (const id of chain) node.send(id, config());
    },
    "chain-check",
  );
  node.setState("serving", `chain v${version}: ${chain.join(" → ")}`);
  return { chain: () => chain.slice(), version: () => version };
}
