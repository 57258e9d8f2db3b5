// The serverless platform: cold starts, warm reuse, scale to zero, throttling, and the cost model.
import { describe, expect, it } from "vitest";
import { Simulation, latency, faasPlatform, serverlessCost, runServerlessTrial } from "../../lib";
import type { FaasPlatform } from "../../lib";

function world(options: { concurrencyMax?: number } = {}) {
  const sim = new Simulation({ seed: 6, network: { latency: latency.constant(1) } });
  let faas: FaasPlatform | undefined;
  sim.spawn("faas", (node) => void (faas = faasPlatform(node, { executionMs: latency.constant(20), coldStartMs: 300, idleTimeoutMs: 1000, concurrencyMax: options.concurrencyMax ?? 5 })), { role: "platform" });
  const client = sim.spawn("client");
  const invoke = () => {
    const t0 = sim.now();
    return client.rpc("faas", { type: "invoke" }, { timeoutMs: 5000 }).then((r) => ({ type: r.body.type, cold: r.body.cold, ms: sim.now() - t0 }));
  };
  return { sim, invoke, faas: () => faas! };
}

describe("serverless platform", () => {
  it("the first request pays a cold start, the next ones reuse the warm instance", async () => {
    const w = world();
    expect(await w.sim.runUntilSettled(w.invoke())).toEqual({ type: "invoke_ok", cold: true, ms: 322 });
    expect(await w.sim.runUntilSettled(w.invoke())).toEqual({ type: "invoke_ok", cold: false, ms: 22 });
    expect(w.faas().instances).toBe(1);
  });

  it("scales to zero after the idle timeout, and the next request is cold again", async () => {
    const w = world();
    await w.sim.runUntilSettled(w.invoke());
    await w.sim.runFor(1001);
    expect(w.faas().instances).toBe(0);
    expect(w.faas().counters.reclaimed).toBe(1);
    expect((await w.sim.runUntilSettled(w.invoke())).cold).toBe(true);
  });

  it("a burst starts instances up to the concurrency limit and throttles the rest at once", async () => {
    const w = world({ concurrencyMax: 3 });
    const replies = await w.sim.runUntilSettled(Promise.all(Array.from({ length: 5 }, () => w.invoke())));
    expect(replies.filter((r) => r.type === "invoke_ok").length).toBe(3);
    expect(replies.filter((r) => r.type === "throttled").map((r) => r.ms)).toEqual([2, 2]);
    expect(w.faas().counters).toMatchObject({ coldStarts: 3, throttled: 2, instancesMax: 3 });
  });

  it("the cost model: per request + GB-seconds against an always-on server's hours", () => {
    const c = serverlessCost({ requests: 1_000_000, billedMs: 20_000_000, memoryMb: 1024, durationMs: 3_600_000 });
    expect(c.serverlessUsd).toBeCloseTo(0.2 + 20_000 * 0.0000166667, 6);
    expect(c.alwaysOnUsd).toBeCloseTo(0.0416, 6);
    expect(c.breakEvenRatePerS).toBeCloseTo(0.0416 / 3600 / (c.serverlessUsd / 1e6), 6);
  });

  it("sparse traffic is mostly cold and cheap per request on FaaS; steady traffic is mostly warm", async () => {
    const sparse = await runServerlessTrial({ ratePerS: 0.01, durationMs: 1_200_000 });
    const steady = await runServerlessTrial({ ratePerS: 5, durationMs: 120_000 });
    expect(sparse.coldFraction).toBeGreaterThan(0.4);
    expect(steady.coldFraction).toBeLessThan(0.02);
    expect(steady.latencyMsP50Cold - steady.latencyMsP50Warm).toBeGreaterThan(250);
    expect(sparse.serverlessPerRequestUsd).toBeLessThan(sparse.alwaysOnPerRequestUsd / 100);
    expect(steady.instancesAtEnd).toBe(0); // scaled to zero after the traffic stopped
  });
});
