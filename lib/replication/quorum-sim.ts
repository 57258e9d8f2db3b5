// Shared by the quorum experiments (quorum-runs, quorum-partition, quorum-linearizability): spawn
// replicas and client loops, check options. Internal to lib/replication.
import type { Node } from "../node/index";
import type { Simulation } from "../simulation/index";
import { ConfigError } from "../sim/index";
import { antiEntropy, type AntiEntropy } from "./anti-entropy";
import { quorumReplica, type QuorumReplica } from "./quorum";

/**
 * @internal Throw a `ConfigError` unless `value` is a whole number ≥ `min`.
 * @example checkWhole("runStaleReads", "n", 3, 1); // 3
 */
export function checkWhole(where: string, name: string, value: unknown, min: number): number {
  if (!Number.isInteger(value) || (value as number) < min) throw new ConfigError(`${where}: ${name}`, value, `a whole number ≥ ${min}`);
  return value as number;
}

/**
 * @internal Spawn `ids` as quorum replicas (with anti-entropy every `antiEntropyIntervalMs` if given).
 * @example const { replicas } = spawnReplicas(sim, ["r1", "r2", "r3"]);
 */
export function spawnReplicas(sim: Simulation, ids: string[], antiEntropyIntervalMs?: number): { replicas: Map<string, QuorumReplica>; syncs: Map<string, AntiEntropy> } {
  const replicas = new Map<string, QuorumReplica>();
  const syncs = new Map<string, AntiEntropy>();
  sim.spawnMany(
    ids,
    (node) => {
      const replica = quorumReplica(node);
      replicas.set(node.id, replica);
      if (antiEntropyIntervalMs) syncs.set(node.id, antiEntropy(node, { replica, peers: ids.filter((p) => p !== node.id), intervalMs: antiEntropyIntervalMs }));
    },
    { role: "replica" },
  );
  return { replicas, syncs };
}

/**
 * Spawn a client node running `loop(node)`; an error the loop lets escape (a loop catches the
 * refusals it expects) is kept in `errors`, and the runner rethrows it after the run.
 * @internal
 * @example spawnClient(sim, "c1", errors, async (node) => { await node.sleep(5); });
 */
export function spawnClient(sim: Simulation, id: string, errors: unknown[], loop: (node: Node) => Promise<void>): void {
  sim.spawn(id, (node) => {
    loop(node).catch((e) => errors.push(e));
  }, { role: "client" });
}

