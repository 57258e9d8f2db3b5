// The hierarchical name service: iterative resolution through referrals, caching by TTL, the
// staleness a TTL allows after a change, a server that is down.
import { describe, expect, it } from "vitest";
import { Simulation, latency, nameServer, cachingResolver, runNamingExperiment } from "../../lib";

function world(ttlMs: number) {
  const sim = new Simulation({ seed: 8, network: { latency: latency.constant(5) } });
  sim.spawn("ns-root", (node) => void nameServer(node, { zone: "", delegations: { com: "ns-com" }, ttlMs: 60_000 }), { role: "name-server" });
  sim.spawn("ns-com", (node) => void nameServer(node, { zone: "com", delegations: { "example.com": "ns-example" }, ttlMs: 60_000 }), { role: "name-server" });
  sim.spawn("ns-example", (node) => void nameServer(node, { zone: "example.com", records: { "www.example.com": "10.0.0.7", "db.example.com": "10.0.0.9" }, ttlMs }), { role: "name-server" });
  sim.spawn("resolver", (node) => void cachingResolver(node, { root: "ns-root" }), { role: "resolver" });
  const client = sim.spawn("client");
  const resolve = async (name: string) => (await sim.runUntilSettled(client.rpc("resolver", { type: "resolve", name }, { timeoutMs: 1000 }))).body;
  return { sim, client, resolve };
}

describe("hierarchical name service", () => {
  it("the first lookup walks root → com → example.com; the cache answers the next one, and a sibling name skips the upper levels", async () => {
    const w = world(1000);
    expect(await w.resolve("www.example.com")).toMatchObject({ type: "resolve_ok", value: "10.0.0.7", hops: 3 });
    expect(await w.resolve("www.example.com")).toMatchObject({ value: "10.0.0.7", hops: 0 });
    expect(await w.resolve("db.example.com")).toMatchObject({ value: "10.0.0.9", hops: 1 }); // the referral to example.com is cached
    expect(await w.resolve("nope.example.com")).toMatchObject({ type: "resolve_failed", reason: "no such name" });
  });

  it("after a change the cached value is served until its TTL runs out", async () => {
    const w = world(1000);
    await w.resolve("www.example.com");
    await w.sim.runUntilSettled(w.client.rpc("ns-example", { type: "ns_update", name: "www.example.com", value: "10.0.0.8" }));
    expect((await w.resolve("www.example.com")).value).toBe("10.0.0.7"); // stale, as the TTL allows
    await w.sim.runFor(1000);
    expect((await w.resolve("www.example.com")).value).toBe("10.0.0.8");
  });

  it("cached referrals keep names resolvable while the root is down", async () => {
    const w = world(0);
    await w.resolve("www.example.com");
    w.sim.crash("ns-root");
    expect(await w.resolve("www.example.com")).toMatchObject({ value: "10.0.0.7", hops: 1 });
  });

  it("the TTL trades queries against staleness", async () => {
    const none = await runNamingExperiment({ ttlMs: 1000, cache: false, lookups: 150 });
    const short = await runNamingExperiment({ ttlMs: 100, lookups: 150 });
    const long = await runNamingExperiment({ ttlMs: 10_000, lookups: 150 });
    expect(none.queriesPerLookup).toBe(3);
    expect(none.staleAnswers).toBe(0);
    expect(long.queriesPerLookup).toBeLessThan(short.queriesPerLookup);
    expect(long.rootQueries).toBeLessThan(5);
    expect(long.staleAnswers).toBeGreaterThan(short.staleAnswers);
    expect(long.staleForMs).toBeGreaterThan(1000);
  });
});
