// The resource-based style: REST, safe and idempotent methods, retries (lib/styles/rest.ts; lecture 001 §3).
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation/index";
import { latency } from "../../lib/net/index";
import { REST_METHODS, applyRestRequest, emptyResources, resourceStore, restClient, restServer, runRestRetryTrial, type ResourceTable } from "../../lib/styles/index";

describe("the uniform interface on a resource table", () => {
  it("GET is safe, PUT and DELETE idempotent, POST neither", () => {
    expect(REST_METHODS).toEqual({
      GET: { safe: true, idempotent: true },
      PUT: { safe: false, idempotent: true },
      DELETE: { safe: false, idempotent: true },
      POST: { safe: false, idempotent: false },
    });
    const t = emptyResources();
    expect(applyRestRequest(t, { method: "GET", path: "/items/1" }).status).toBe(404);
    expect(applyRestRequest(t, { method: "PUT", path: "/items/1", body: { n: 1 } }).status).toBe(201);
    const once = JSON.stringify(t);
    expect(applyRestRequest(t, { method: "PUT", path: "/items/1", body: { n: 1 } }).status).toBe(200);
    expect(JSON.stringify(t)).toBe(once); // PUT twice = PUT once
    expect(applyRestRequest(t, { method: "GET", path: "/items/1" })).toEqual({ status: 200, body: { n: 1 } });
    expect(JSON.stringify(t)).toBe(once); // GET changed nothing
    expect(applyRestRequest(t, { method: "POST", path: "/orders", body: { a: 1 } }).headers).toEqual({ Location: "/orders/1" });
    expect(applyRestRequest(t, { method: "POST", path: "/orders", body: { a: 1 } }).headers).toEqual({ Location: "/orders/2" }); // POST twice: two orders
    expect(applyRestRequest(t, { method: "DELETE", path: "/orders/1" }).status).toBe(204);
    expect(applyRestRequest(t, { method: "DELETE", path: "/orders/1" }).status).toBe(404); // same state, another status
    expect(Object.keys(t.resources)).toEqual(["/items/1", "/orders/2"]);
    expect(applyRestRequest(t, { method: "PATCH" as never, path: "/x" }).status).toBe(405);
    expect(applyRestRequest(t, { method: "GET", path: "items" }).status).toBe(400);
  });

  it("a POST with an Idempotency-Key takes effect once; the key with another body is refused", () => {
    const t = emptyResources();
    const headers = { "Idempotency-Key": "k1" };
    const first = applyRestRequest(t, { method: "POST", path: "/orders", body: { pizza: 1 }, headers });
    const again = applyRestRequest(t, { method: "POST", path: "/orders", body: { pizza: 1 }, headers });
    expect(again).toEqual(first);
    expect(Object.keys(t.resources)).toEqual(["/orders/1"]);
    expect(applyRestRequest(t, { method: "POST", path: "/orders", body: { pizza: 2 }, headers }).status).toBe(422);
  });
});

describe("retries under a duplicating, lossy network", () => {
  const faults = { duplicationProbability: 0.2, lossProbability: 0.1 };
  it("PUT converges, plain POST creates duplicates, POST with a key does not (seeds 1–3)", async () => {
    for (let seed = 1; seed <= 3; seed++) {
      const put = await runRestRetryTrial({ mode: "put", seed, ...faults });
      const post = await runRestRetryTrial({ mode: "post", seed, ...faults });
      const keyed = await runRestRetryTrial({ mode: "post-with-key", seed, ...faults });
      for (const r of [put, post, keyed]) expect(r.succeeded, `seed ${seed} ${r.mode}`).toBe(20);
      expect(put.resources, `seed ${seed}`).toBe(20);
      expect(keyed.resources, `seed ${seed}`).toBe(20);
      expect(post.duplicates, `seed ${seed}`).toBeGreaterThan(0);
      expect(put.attempts, `seed ${seed}: retries happened`).toBeGreaterThan(20);
    }
  });

  it("on a perfect network even plain POST creates exactly one resource per request", async () => {
    const r = await runRestRetryTrial({ mode: "post", seed: 1 });
    expect(r).toMatchObject({ resources: 20, duplicates: 0, attempts: 20 });
  });
});

describe("stateless servers behind a client-side balancer", () => {
  it("any replica answers; when one crashes the retry reaches the other", async () => {
    const sim = new Simulation({ seed: 7, network: { latency: latency.uniform(2, 6) } });
    let table!: ResourceTable;
    sim.spawn("store", (node) => { table = resourceStore(node); });
    const served: Record<string, { readonly served: number }> = {};
    sim.spawnMany(["api1", "api2"], (node) => { served[node.id] = restServer(node, { storeNode: "store" }); });
    const client = sim.spawn("client");
    const api = restClient(client, ["api1", "api2"], { timeoutMs: 40, retries: 2 });
    expect((await sim.runUntilSettled(api.request("PUT", "/items/a", { v: 1 }))).status).toBe(201); // api1
    expect((await sim.runUntilSettled(api.request("GET", "/items/a"))).body).toEqual({ v: 1 }); // api2 knows it too
    expect([served.api1.served, served.api2.served]).toEqual([1, 1]);
    sim.crash("api1");
    expect((await sim.runUntilSettled(api.request("PUT", "/items/a", { v: 2 }))).status).toBe(200); // api1 silent, then api2
    expect(api.attempts).toBe(4);
    expect(table.resources["/items/a"]).toEqual({ v: 2 });
  });

  it("a server without a store keeps its own resources: another replica does not see them", async () => {
    const sim = new Simulation({ seed: 8 });
    sim.spawnMany(["api1", "api2"], (node) => { restServer(node); });
    const api = restClient(sim.spawn("client"), ["api1", "api2"], { timeoutMs: 40 });
    await sim.runUntilSettled(api.request("PUT", "/items/a", { v: 1 }));
    expect((await sim.runUntilSettled(api.request("GET", "/items/a"))).status).toBe(404);
  });
});
