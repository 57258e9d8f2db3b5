// The caching proxy between a client and an origin: hits spare the origin, a TTL bounds how old an
// answer can be, a write at the origin makes cached copies stale, and an unreachable origin is
// reported. Then the experiment runner the notebook uses.
import { describe, expect, it } from "vitest";
import { Simulation, latency, originServer, originVersion, proxyCache, runCacheExperiment, uniformKeys, zipfKeys } from "../../lib";
import type { ProxyCache } from "../../lib";

/** client — proxy (1 ms) — origin (10 ms), origin writes only when asked; the client's answers are recorded. */
function setup(options: { ttlMs: number; capacity?: number; collapseMisses?: boolean }) {
  const sim = new Simulation({
    seed: 5,
    network: {
      latency: latency.constant(1),
      links: [
        { from: "proxy", to: "origin", latency: latency.constant(10) },
        { from: "origin", to: "proxy", latency: latency.constant(10) },
      ],
    },
  });
  sim.spawn("origin", (node) => originServer(node), { role: "origin" });
  let proxy: ProxyCache | undefined;
  sim.spawn("proxy", (node) => {
    proxy = proxyCache(node, {
      origin: "origin",
      capacity: options.capacity ?? 10,
      ttlMs: options.ttlMs,
      readTimeoutMs: 50,
      readRetries: 1,
      collapseMisses: options.collapseMisses,
      currentVersion: (key) => originVersion(sim.node("origin"), key),
    });
  });
  const answers: Array<{ atMs: number; type: string; value?: string; version?: number; hit?: boolean }> = [];
  const client = sim.spawn("client", (node) => {
    node.on("get_ok", (m) => void answers.push({ atMs: node.now(), type: "get_ok", value: m.body.value, version: m.body.version, hit: m.body.hit }));
    node.on("get_fail", () => void answers.push({ atMs: node.now(), type: "get_fail" }));
  });
  const get = (atMs: number, key: string) => sim.at(atMs, () => client.send("proxy", { type: "get", key }), `get ${key}`);
  const write = (atMs: number, key: string) =>
    sim.at(atMs, () => sim.spawn(`writer${atMs}`, (node) => node.on("write_ok", () => {})).send("origin", { type: "write", key }), `write ${key}`);
  const originReads = () => sim.trace.filter({ kinds: ["send"] }).filter((e) => e.type === "read").length;
  return { sim, answers, get, write, originReads, proxy: () => proxy! };
}

describe("proxyCache", () => {
  it("a repeated read within the TTL is a hit: the origin is read once", async () => {
    const s = setup({ ttlMs: 100 });
    s.get(0, "k1");
    s.get(50, "k1");
    await s.sim.runFor(200);
    expect(s.answers.map((a) => [a.type, a.value, a.hit])).toEqual([
      ["get_ok", "k1@0", false],
      ["get_ok", "k1@0", true],
    ]);
    expect(s.answers[0].atMs).toBe(22); // 1 + 10 + 10 + 1: a miss costs the round trip to the origin
    expect(s.answers[1].atMs).toBe(52); // a hit: only the client's round trip
    expect(s.originReads()).toBe(1);
  });

  it("after the TTL the proxy reads the origin again and picks up a write; within it, it serves the old version (stale)", async () => {
    const s = setup({ ttlMs: 100 });
    s.get(0, "k1"); // cached at t=21 with version 0
    s.write(30, "k1"); // the origin moves to version 1
    s.get(60, "k1"); // within the TTL: the stale version 0
    s.get(200, "k1"); // after it: a fresh read, version 1
    await s.sim.runFor(300);
    expect(s.answers.map((a) => [a.version, a.hit])).toEqual([
      [0, false],
      [0, true],
      [1, false],
    ]);
    expect(s.proxy().counters.staleReplies).toBe(1);
    expect(s.proxy().cache.stats).toMatchObject({ hits: 1, misses: 2, expirations: 1, staleHits: 1 });
  });

  it("a full cache evicts the least recently used key, which must then be read again", async () => {
    const s = setup({ ttlMs: Infinity, capacity: 2 });
    s.get(0, "a");
    s.get(30, "b");
    s.get(60, "a"); // hit: a is now more recent than b
    s.get(90, "c"); // evicts b
    s.get(120, "a"); // still cached
    s.get(150, "b"); // evicted: a miss
    await s.sim.runFor(300);
    expect(s.answers.map((a) => a.hit)).toEqual([false, false, true, false, true, false]);
    expect(s.proxy().cache.stats.evictions).toBe(2); // b, then (storing b again) c
  });

  it("with the origin down, a fresh cached value is still served; a miss gets get_fail after the retries", async () => {
    const s = setup({ ttlMs: 1000 });
    s.get(0, "k1");
    s.sim.at(30, () => s.sim.crash("origin"));
    s.get(40, "k1"); // cached: fine
    s.get(50, "k2"); // miss: two attempts of 50 ms, then failure
    await s.sim.runFor(300);
    expect(s.answers.map((a) => a.type)).toEqual(["get_ok", "get_ok", "get_fail"]);
    expect(s.answers[2].atMs).toBe(50 + 1 + 100 + 1);
    expect(s.proxy().counters.failures).toBe(1);
  });

  it("collapsing: concurrent misses on one key share one origin read (without it, each reads)", async () => {
    for (const collapseMisses of [true, false]) {
      const s = setup({ ttlMs: 100, collapseMisses });
      for (const t of [0, 2, 4]) s.get(t, "hot");
      await s.sim.runFor(100);
      expect(s.answers.length).toBe(3);
      expect(s.originReads()).toBe(collapseMisses ? 1 : 3);
    }
  });
});

describe("runCacheExperiment", () => {
  it("TTL 0 sends every request to the origin; a longer TTL raises the hit ratio and the staleness", async () => {
    const base = { capacity: 100, keyCount: 100, writeIntervalMs: 5, requests: 600, seed: 3 };
    const none = await runCacheExperiment({ ...base, ttlMs: 0 });
    expect(none.hitRatio).toBe(0);
    expect(none.originLoad).toBe(1);
    const short = await runCacheExperiment({ ...base, ttlMs: 20 });
    const long = await runCacheExperiment({ ...base, ttlMs: 500 });
    expect(short.hitRatio).toBeGreaterThan(0);
    expect(long.hitRatio).toBeGreaterThan(short.hitRatio);
    expect(long.staleReadFraction).toBeGreaterThan(short.staleReadFraction);
    expect(long.originLoad).toBeCloseTo(1 - long.hitRatio, 10); // no collapsing: one read per miss
    expect(long.latencyMsMean).toBeLessThan(none.latencyMsMean);
  });

  it("a bigger cache hits more under a skewed (Zipf) workload, and the run is deterministic", async () => {
    const workload = zipfKeys({ keyCount: 200, exponent: 0.9 });
    const requests = 800;
    const small = await runCacheExperiment({ capacity: 5, ttlMs: Infinity, keyCount: 200, workload, writeIntervalMs: Infinity, requests, seed: 1 });
    const big = await runCacheExperiment({ capacity: 50, ttlMs: Infinity, keyCount: 200, workload, writeIntervalMs: Infinity, requests, seed: 1 });
    expect(big.hitRatio).toBeGreaterThan(small.hitRatio + 0.2);
    expect(big.staleReadFraction).toBe(0); // the origin never writes
    const again = await runCacheExperiment({ capacity: 50, ttlMs: Infinity, keyCount: 200, workload, writeIntervalMs: Infinity, requests, seed: 1 });
    expect(again).toEqual(big);
    const uniform = await runCacheExperiment({ capacity: 50, ttlMs: Infinity, keyCount: 200, workload: uniformKeys(200), writeIntervalMs: Infinity, requests, seed: 1 });
    expect(uniform.hitRatio).toBeLessThan(big.hitRatio); // skew is what makes a small cache pay
  });
});
