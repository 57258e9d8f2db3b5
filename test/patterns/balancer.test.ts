// The load balancer: each policy's choice in a small scripted scenario, the relay of responses to
// the right client, a crashed backend, and the comparison under skew (slow backends, rising load)
// that notebook 02 charts.
import { describe, expect, it } from "vitest";
import { BALANCING_POLICIES, Simulation, backendServer, latency, loadBalancer, runBalancerExperiment, runBalancerTrial } from "../../lib";
import type { BalancingPolicy, LoadBalancer } from "../../lib";

/** Backends s1..sN with the given constant service times, a balancer, two clients. */
function cluster(policy: BalancingPolicy, serviceMs: number[], seed = 1) {
  const sim = new Simulation({ seed, network: { latency: latency.constant(1) } });
  const backends = serviceMs.map((_, i) => `s${i + 1}`);
  backends.forEach((id, i) => sim.spawn(id, backendServer, { service: { timeMs: latency.constant(serviceMs[i]) } }));
  let lb: LoadBalancer | undefined;
  sim.spawn("lb", (node) => void (lb = loadBalancer(node, { backends, policy })));
  const got: Record<string, Array<{ id: number; server: string }>> = { c1: [], c2: [] };
  const clients = ["c1", "c2"].map((c) => sim.spawn(c, (node) => node.on("response", (m) => void got[c].push({ id: m.body.id, server: m.body.server }))));
  return { sim, lb: () => lb!, got, clients };
}

describe("loadBalancer", () => {
  it("round-robin: backends in turn, whatever their speed; every response goes back to the client that asked", async () => {
    const c = cluster("round-robin", [1, 1, 50]);
    for (let i = 0; i < 6; i++) c.clients[i % 2].send("lb", { type: "request", id: i });
    await c.sim.runFor(500);
    expect(Object.fromEntries(c.lb().forwarded)).toEqual({ s1: 2, s2: 2, s3: 2 });
    expect(c.got.c1.map((r) => r.id).sort()).toEqual([0, 2, 4]);
    expect(c.got.c2.map((r) => r.id).sort()).toEqual([1, 3, 5]);
    expect([...c.got.c1, ...c.got.c2].find((r) => r.id === 2)?.server).toBe("s3"); // the third request went to s3
  });

  it("least-connections steers around a slow backend; round-robin keeps feeding it", async () => {
    const count = (policy: BalancingPolicy) => {
      const c = cluster(policy, [2, 2, 20]);
      c.sim.spawn("load", (node) => {
        let n = 0;
        const t = node.setPeriodic(2, () => (n++ < 100 ? node.send("lb", { type: "request", id: n }) : node.cancelTimer(t)));
        node.on("response", () => {});
      });
      return c.sim.runFor(2000).then(() => c.lb().forwarded.get("s3")!);
    };
    expect(await count("round-robin")).toBe(33); // every third of 100
    expect(await count("least-connections")).toBeLessThan(15);
  });

  it("least-response-time learns which backend is slow from the response times it sees", async () => {
    const c = cluster("least-response-time", [2, 2, 20]);
    c.sim.spawn("load", (node) => {
      let n = 0;
      const t = node.setPeriodic(3, () => (n++ < 100 ? node.send("lb", { type: "request", id: n }) : node.cancelTimer(t)));
      node.on("response", () => {});
    });
    await c.sim.runFor(2000);
    const ewma = c.lb().responseMsEwma;
    expect(ewma.get("s3")!).toBeGreaterThan(5 * ewma.get("s1")!);
    expect(c.lb().forwarded.get("s3")!).toBeLessThan(15);
  });

  it("a crashed backend: least-connections stops choosing it once requests pile up there; the rest are served", async () => {
    const c = cluster("least-connections", [2, 2, 2]);
    c.sim.at(0, () => c.sim.crash("s2"));
    for (let i = 0; i < 30; i++) c.sim.at(i * 3, () => c.clients[0].send("lb", { type: "request", id: i }));
    await c.sim.runFor(1000);
    expect(c.lb().forwarded.get("s2")).toBe(1); // one request lost, then s2 always has the most outstanding
    expect(c.lb().outstanding.get("s2")).toBe(1);
    expect(c.got.c1.length).toBe(29);
  });

  it("power-of-two compares two different backends: with two backends it always takes the less loaded", async () => {
    const c = cluster("power-of-two", [10, 10]);
    for (let i = 0; i < 10; i++) c.clients[0].send("lb", { type: "request", id: i }); // all at t=0
    await c.sim.runFor(1);
    expect(Object.fromEntries(c.lb().outstanding)).toEqual({ s1: 5, s2: 5 });
  });

  it("rejects an unknown policy or an empty backend list, naming the node", () => {
    const sim = new Simulation();
    expect(() => sim.spawn("lb", (node) => void loadBalancer(node, { backends: ["s1"], policy: "fastest" as BalancingPolicy }))).toThrow(/loadBalancer on lb at t=0ms: unknown policy "fastest"/);
    expect(() => sim.spawn("lb2", (node) => void loadBalancer(node, { backends: [], policy: "random" }))).toThrow(/at least one backend/);
  });
});

describe("runBalancerTrial / runBalancerExperiment (slow backends, rising load)", () => {
  it("at 90% load, the state-aware policies beat the blind ones on p99 and on the longest queue", async () => {
    const rows = await runBalancerExperiment({ utilisations: [0.9], requests: 1000 });
    const by = Object.fromEntries(rows.map((r) => [r.policy, r]));
    expect(rows.map((r) => r.policy)).toEqual([...BALANCING_POLICIES]);
    for (const blind of ["round-robin", "random"]) {
      for (const aware of ["least-connections", "least-response-time", "power-of-two"]) {
        expect(by[aware].latencyMsP99).toBeLessThan(by[blind].latencyMsP99 / 3);
        expect(by[aware].queueLengthMax).toBeLessThan(by[blind].queueLengthMax);
      }
    }
  });

  it("latency grows with load; the same seed gives the same run", async () => {
    const low = await runBalancerTrial({ policy: "least-connections", utilisation: 0.5, requests: 800 });
    const high = await runBalancerTrial({ policy: "least-connections", utilisation: 0.95, requests: 800 });
    expect(high.latencyMsP50).toBeGreaterThan(low.latencyMsP50);
    expect(high.queueLengthMean).toBeGreaterThan(low.queueLengthMean);
    expect(low.latenciesMs.length).toBe(800);
    expect(await runBalancerTrial({ policy: "least-connections", utilisation: 0.5, requests: 800 })).toEqual(low);
    await expect(runBalancerTrial({ policy: "random", utilisation: 1.2 })).rejects.toThrow(/utilisation must be in \(0, 1\)/);
  });
});
