/**
 * Reference solution of exercise 05.1 — service registry (see exercises/05-integration-and-services/registry.ts).
 *
 * A lease per (service, instance): the time its last register or heartbeat arrived. Lookups filter
 * on the spot (now − renewed ≤ leaseMs), so an answer is exact to the millisecond and no sweep
 * timer is needed; expired entries are deleted as a lookup meets them. This is the registry of
 * Eureka or Consul in a few lines (lecture 002, "service discovery"): liveness is not a message
 * the instance sends when it dies (a crashed instance sends nothing), but the absence of renewals.
 */
import type { Message, Node } from "../../lib/node";

/**
 * The registry: leases renewed by register and heartbeat, lookups answered with the live
 * instances, sorted.
 *
 * @example
 * sim.spawn("registry", (node) => serviceRegistry(node, { leaseMs: 500 }));
 */
export function serviceRegistry(node: Node, options: { leaseMs: number }): void {
  const { leaseMs } = options;
  if (!(leaseMs > 0)) throw new Error(`serviceRegistry on ${node.id} at t=${node.now()}ms: leaseMs must be > 0, got ${leaseMs}`);
  /** service → instance → when its lease was last renewed. */
  const leases = new Map<string, Map<string, number>>();

  const renew = (message: Message): void => {
    const { service, instance } = message.body;
    let instances = leases.get(service);
    if (instances === undefined) leases.set(service, (instances = new Map()));
    instances.set(instance, node.now());
    node.reply(message, { type: "ok" });
  };
  node.on("register", renew);
  node.on("heartbeat", renew);

  node.on("lookup", (lookup) => {
    const now = node.now();
    const instances = leases.get(lookup.body.service) ?? new Map<string, number>();
    const live: string[] = [];
    for (const [instance, renewedMs] of instances) {
      if (now - renewedMs <= leaseMs) live.push(instance);
      else instances.delete(instance); // expired: forget it (a later heartbeat registers it again)
    }
    node.reply(lookup, { type: "lookup_ok", instances: live.sort() });
  });
}
