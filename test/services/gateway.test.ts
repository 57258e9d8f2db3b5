// The API gateway: routing by name, round robin over instances, per-route timeout, fallback,
// and a breaker that answers the fallback at once while a service is down.
import { describe, expect, it } from "vitest";
import { Simulation, latency, apiGateway } from "../../lib";
import type { ApiGateway } from "../../lib";

function world() {
  const sim = new Simulation({ seed: 4, network: { latency: latency.constant(1) } });
  for (const id of ["catalog-1", "catalog-2", "recs"]) sim.spawn(id, (node) => node.on("request", (m) => node.reply(m, { type: "response", by: node.id, item: m.body.item })), { role: "service" });
  let gw: ApiGateway | undefined;
  sim.spawn("gateway", (node) => void (gw = apiGateway(node, { routes: {
    catalog: { targets: ["catalog-1", "catalog-2"], timeoutMs: 20 },
    recommendations: { targets: ["recs"], timeoutMs: 20, fallback: { items: [] }, breaker: { failureThreshold: 2, openMs: 500 } },
  } })), { role: "gateway" });
  const client = sim.spawn("client");
  const get = async (route: string, extra = {}) => (await sim.runUntilSettled(client.rpc("gateway", { type: "api_request", route, ...extra }, { timeoutMs: 200 }))).body;
  return { sim, get, gw: () => gw! };
}

describe("API gateway", () => {
  it("routes by name, spreads a route over its instances, and answers unknown routes", async () => {
    const w = world();
    const a = await w.get("catalog", { item: 7 });
    const b = await w.get("catalog", { item: 8 });
    expect([a.status, a.body.by, a.body.item]).toEqual(["ok", "catalog-1", 7]);
    expect([b.status, b.body.by]).toEqual(["ok", "catalog-2"]);
    expect((await w.get("orders")).status).toBe("unknown_route");
  });

  it("a service down: the route with a fallback degrades, the one without reports unavailable after its timeout", async () => {
    const w = world();
    w.sim.crash("catalog-1");
    w.sim.crash("recs");
    const t0 = w.sim.now();
    const c = await w.get("catalog");
    expect(c.status).toBe("unavailable");
    expect(w.sim.now() - t0).toBeGreaterThanOrEqual(20);
    expect((await w.get("catalog")).status).toBe("ok"); // catalog-2 is up
    const r = await w.get("recommendations");
    expect(r).toMatchObject({ status: "fallback", body: { items: [] } });
  });

  it("with a breaker, the fallback comes at once once the breaker is open, and the service is back after its reset timeout", async () => {
    const w = world();
    w.sim.crash("recs");
    await w.get("recommendations");
    await w.get("recommendations"); // second failure: the breaker opens
    const t0 = w.sim.now();
    expect((await w.get("recommendations")).status).toBe("fallback");
    expect(w.sim.now() - t0).toBe(2); // only the client ↔ gateway round trip
    expect(w.gw().counters.recommendations).toMatchObject({ requests: 3, fallbacks: 3, shortCircuited: 1 });
    w.sim.restart("recs");
    await w.sim.runFor(500);
    expect((await w.get("recommendations")).status).toBe("ok");
    expect(w.gw().breaker("recommendations", "recs")!.state).toBe("closed");
  });
});
