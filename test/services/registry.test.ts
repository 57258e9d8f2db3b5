// The service registry: leases renewed by heartbeats, discovery, expiry of a crashed instance,
// re-registration after a lost lease.
import { describe, expect, it } from "vitest";
import { Simulation, latency, registryServer, registeredInstance, discoverInstances } from "../../lib";
import type { RegisteredInstance, RegistryServer } from "../../lib";

function world(leaseMs = 300) {
  const sim = new Simulation({ seed: 3, network: { latency: latency.uniform(1, 3) } });
  let registry: RegistryServer | undefined;
  sim.spawn("registry", (node) => void (registry = registryServer(node, { leaseMs })), { role: "registry" });
  const instances = new Map<string, RegisteredInstance>();
  for (const id of ["pay-1", "pay-2"]) sim.spawn(id, (node) => void instances.set(id, registeredInstance(node, { registry: "registry", service: "payments", renewMs: 100 })), { role: "instance" });
  sim.spawn("mail-1", (node) => void registeredInstance(node, { registry: "registry", service: "mail", renewMs: 100 }), { role: "instance" });
  const client = sim.spawn("client");
  const lookup = (service: string) => sim.runUntilSettled(discoverInstances(client, { registry: "registry", service }));
  return { sim, lookup, registry: () => registry!, instance: (id: string) => instances.get(id)! };
}

describe("service registry", () => {
  it("instances register themselves and are found by service name (sorted)", async () => {
    const w = world();
    await w.sim.runFor(50);
    expect(await w.lookup("payments")).toEqual(["pay-1", "pay-2"]);
    expect(await w.lookup("mail")).toEqual(["mail-1"]);
    expect(await w.lookup("nothing")).toEqual([]);
    await w.sim.runFor(1000); // heartbeats keep the leases alive
    expect(await w.lookup("payments")).toEqual(["pay-1", "pay-2"]);
    expect(w.registry().counters.expired).toBe(0);
    expect(w.registry().counters.renewed).toBeGreaterThan(20);
  });

  it("a crashed instance is still listed until its lease runs out, then it expires", async () => {
    const w = world(300);
    await w.sim.runFor(200);
    w.sim.crash("pay-2");
    await w.sim.runFor(100);
    expect(await w.lookup("payments")).toEqual(["pay-1", "pay-2"]); // stale: the registry cannot know yet
    await w.sim.runFor(300);
    expect(await w.lookup("payments")).toEqual(["pay-1"]);
    expect(w.registry().counters.expired).toBe(1);
    w.sim.restart("pay-2"); // a restarted instance registers again
    await w.sim.runFor(50);
    expect(await w.lookup("payments")).toEqual(["pay-1", "pay-2"]);
  });

  it("an instance cut off longer than its lease is dropped, and registers again after healing", async () => {
    const w = world(300);
    await w.sim.runFor(100);
    w.sim.partition([["pay-1"], ["registry", "pay-2", "mail-1", "client"]]);
    await w.sim.runFor(500);
    expect(await w.lookup("payments")).toEqual(["pay-2"]);
    w.sim.heal();
    await w.sim.runFor(250); // a renewal is refused (svc_renew_unknown), so pay-1 registers again
    expect(await w.lookup("payments")).toEqual(["pay-1", "pay-2"]);
    expect(w.instance("pay-1").registrations).toBe(2);
    expect(w.instance("pay-2").registrations).toBe(1);
  });

  it("rejects bad options and bad requests with clear errors", async () => {
    const sim = new Simulation({ seed: 1 });
    expect(() => sim.spawn("r", (node) => void registryServer(node, { leaseMs: 0 }))).toThrow(/leaseMs must be a finite number > 0/);
    const sim2 = new Simulation({ seed: 1 });
    sim2.spawn("registry", (node) => void registryServer(node, { leaseMs: 100 }));
    const c = sim2.spawn("c");
    const reply = await sim2.runUntilSettled(c.rpc("registry", { type: "svc_register", service: "x" }));
    expect(reply.body).toMatchObject({ type: "error", code: "bad_request" });
  });
});
