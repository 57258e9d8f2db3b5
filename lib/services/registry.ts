// A service registry: where a client finds the live instances of a service (lecture 002, SOA's
// "endpoint: service location" and the microservices' "API layer … offers a proxy or naming
// service"; the pattern is Netflix Eureka's and Consul's). An instance registers itself with a
// *lease*: the registry keeps it only while the instance renews the lease by heartbeats. A crashed
// instance stops renewing, and after `leaseMs` without a renewal it is dropped — no one has to
// report the crash. A lease is the registry's only evidence that an instance is alive, so a
// lookup can still return an instance that crashed less than `leaseMs` ago: callers must expect
// a stale answer (retry another instance, or put a circuit breaker in front).
//
// Wire protocol (the library's own; exercise 05.1 uses other names):
//   instance → registry  { type: "svc_register", service, instance }  → { type: "svc_register_ok", leaseMs }
//   instance → registry  { type: "svc_renew", service, instance }     → { type: "svc_renew_ok" }
//                                     (or { type: "svc_renew_unknown" } when the lease had expired:
//                                      the instance registers again)
//   instance → registry  { type: "svc_deregister", service, instance } → { type: "svc_deregister_ok" }
//   client   → registry  { type: "svc_resolve", service }             → { type: "svc_resolve_ok", service, instances }
// `instances` lists the live instances, sorted. The registry keeps its table in memory.
import type { Message, Node } from "../node/index";

/** Options of {@link registryServer}. */
export interface RegistryServerOptions {
  /** How long a registration lives without a renewal. */
  leaseMs: number;
  /** How often expired leases are swept out (and logged). Default leaseMs / 4. */
  sweepMs?: number;
}

/** A running registry (one incarnation). */
export interface RegistryServer {
  /** The live instances of `service`, sorted. */
  instances(service: string): string[];
  /** Every service with at least one live instance, sorted. */
  services(): string[];
  readonly counters: { registered: number; renewed: number; expired: number; resolved: number; deregistered: number };
}

const text = (value: unknown): value is string => typeof value === "string" && value !== "";

/**
 * A service registry node with leases. Registrations expire `leaseMs` after their last renewal;
 * a lookup (`svc_resolve`) never returns an expired instance, and a periodic sweep removes them
 * (each expiry is logged to the trace).
 *
 * @example
 * sim.spawn("registry", (node) => void registryServer(node, { leaseMs: 300 }), { role: "registry" });
 * sim.spawn("pay-1", (node) => void registeredInstance(node, { registry: "registry", service: "payments", renewMs: 100 }));
 * // later, from any node:
 * const live = await discoverInstances(client, { registry: "registry", service: "payments" }); // ["pay-1"]
 */
export function registryServer(node: Node, options: RegistryServerOptions): RegistryServer {
  const { leaseMs } = options;
  const where = (): string => `registryServer on ${node.id} at t=${node.now()}ms`;
  if (!(typeof leaseMs === "number" && leaseMs > 0 && Number.isFinite(leaseMs))) throw new Error(`${where()}: leaseMs must be a finite number > 0, got ${String(leaseMs)}`);
  const sweepMs = options.sweepMs ?? leaseMs / 4;
  if (!(sweepMs > 0)) throw new Error(`${where()}: sweepMs must be > 0, got ${String(sweepMs)}`);
  /** service → instance → lease expiry (true time of this node's clock). */
  const table = new Map<string, Map<string, number>>();
  const counters = { registered: 0, renewed: 0, expired: 0, resolved: 0, deregistered: 0 };

  const live = (service: string): string[] => {
    const leases = table.get(service);
    if (leases === undefined) return [];
    const now = node.clock();
    return [...leases].filter(([, expiresMs]) => expiresMs > now).map(([id]) => id).sort();
  };
  const checked = (msg: Message, withInstance: boolean): boolean => {
    if (text(msg.body.service) && (!withInstance || text(msg.body.instance))) return true;
    node.reply(msg, { type: "error", code: "bad_request", text: `${msg.body.type} needs a non-empty string service${withInstance ? " and instance" : ""}` });
    return false;
  };

  node.on("svc_register", (msg) => {
    if (!checked(msg, true)) return;
    const service: string = msg.body.service;
    const instance: string = msg.body.instance;
    let leases = table.get(service);
    if (leases === undefined) table.set(service, (leases = new Map()));
    leases.set(instance, node.clock() + leaseMs);
    counters.registered++;
    node.reply(msg, { type: "svc_register_ok", leaseMs });
  });
  node.on("svc_renew", (msg) => {
    if (!checked(msg, true)) return;
    const service: string = msg.body.service;
    const instance: string = msg.body.instance;
    const leases = table.get(service);
    const expiresMs = leases?.get(instance);
    if (leases === undefined || expiresMs === undefined || expiresMs <= node.clock()) {
      node.reply(msg, { type: "svc_renew_unknown" }); // the lease is gone: register again
      return;
    }
    leases.set(instance, node.clock() + leaseMs);
    counters.renewed++;
    node.reply(msg, { type: "svc_renew_ok" });
  });
  node.on("svc_deregister", (msg) => {
    if (!checked(msg, true)) return;
    const service: string = msg.body.service;
    const instance: string = msg.body.instance;
    if (table.get(service)?.delete(instance)) counters.deregistered++;
    node.reply(msg, { type: "svc_deregister_ok" });
  });
  node.on("svc_resolve", (msg) => {
    if (!checked(msg, false)) return;
    counters.resolved++;
    const service = msg.body.service as string;
    node.reply(msg, { type: "svc_resolve_ok", service, instances: live(service) });
  });
  node.setPeriodic(sweepMs, () => {
    const now = node.clock();
    for (const [service, leases] of table) {
      for (const [instance, expiresMs] of leases) {
        if (expiresMs > now) continue;
        leases.delete(instance);
        counters.expired++;
        node.log(`lease of ${instance} (${service}) expired`);
      }
    }
  }, "lease-sweep");

  return {
    instances: live,
    services: () => [...table.keys()].filter((s) => live(s).length > 0).sort(),
    counters,
  };
}

/** Options of {@link registeredInstance}. */
export interface RegisteredInstanceOptions {
  registry: string;
  service: string;
  /** Heartbeat period: renew the lease this often (well under the registry's leaseMs). */
  renewMs: number;
  /** How long one register or renew request waits for its reply. Default renewMs. */
  timeoutMs?: number;
}

/** The instance side's view (one incarnation). */
export interface RegisteredInstance {
  /** True once the registry has acknowledged the registration (and no renewal was refused since). */
  readonly registered: boolean;
  /** Renewals acknowledged. */
  readonly renewals: number;
  /** Registrations acknowledged (more than one after a lease was lost). */
  readonly registrations: number;
}

/**
 * The instance side: register with the registry, then send a renewal every `renewMs`. A lost
 * reply is simply retried at the next heartbeat; a refused renewal (`svc_renew_unknown`, the
 * lease expired meanwhile) makes it register again. Call it from the instance's behaviour, so a
 * restarted instance registers anew.
 *
 * @example
 * sim.spawn("pay-1", (node) => {
 *   node.on("charge", (m) => node.reply(m, { type: "charge_ok" }));
 *   registeredInstance(node, { registry: "registry", service: "payments", renewMs: 100 });
 * });
 */
export function registeredInstance(node: Node, options: RegisteredInstanceOptions): RegisteredInstance {
  const { registry, service, renewMs } = options;
  const timeoutMs = options.timeoutMs ?? renewMs;
  if (!text(registry) || !text(service)) throw new Error(`registeredInstance on ${node.id} at t=${node.now()}ms: registry and service must be non-empty strings`);
  if (!(renewMs > 0)) throw new Error(`registeredInstance on ${node.id} at t=${node.now()}ms: renewMs must be > 0, got ${String(renewMs)}`);
  const view = { registered: false, renewals: 0, registrations: 0 };
  let busy = false;
  const beat = async (): Promise<void> => {
    if (busy) return; // the previous request is still waiting for its reply
    busy = true;
    let again = false;
    try {
      const type = view.registered ? "svc_renew" : "svc_register";
      const reply = await node.rpc(registry, { type, service, instance: node.id }, { timeoutMs });
      if (reply.body.type === "svc_register_ok") {
        view.registered = true;
        view.registrations++;
      } else if (reply.body.type === "svc_renew_ok") {
        view.renewals++;
      } else if (reply.body.type === "svc_renew_unknown") {
        view.registered = false;
        again = true; // register again at once
      }
    } catch {
      // no reply (registry down, message lost): the next heartbeat tries again
    }
    busy = false;
    if (again) void beat();
  };
  void beat();
  node.setPeriodic(renewMs, () => void beat(), "heartbeat");
  return view;
}

/** Options of {@link discoverInstances}. */
export interface DiscoverOptions {
  registry: string;
  service: string;
  /** Default 100. */
  timeoutMs?: number;
  /** Extra attempts. Default 2. */
  retries?: number;
}

/**
 * Ask the registry for the live instances of a service (discovery). Rejects with
 * `RpcTimeoutError` when the registry does not answer.
 *
 * @example
 * const instances = await discoverInstances(node, { registry: "registry", service: "payments" });
 * const target = instances[node.rng.int(0, instances.length)];
 */
export async function discoverInstances(node: Node, options: DiscoverOptions): Promise<string[]> {
  const { registry, service, timeoutMs = 100, retries = 2 } = options;
  const reply = await node.rpc(registry, { type: "svc_resolve", service }, { timeoutMs, retries });
  if (reply.body.type !== "svc_resolve_ok") throw new Error(`discoverInstances on ${node.id} at t=${node.now()}ms: registry answered ${JSON.stringify(reply.body)}`);
  return reply.body.instances as string[];
}
