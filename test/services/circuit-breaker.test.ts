// The circuit breaker (Nygard, "Release It!"): trips after consecutive failures, fails fast while
// open, lets one probe through when half-open, closes on success, reopens on failure.
import { describe, expect, it } from "vitest";
import { Simulation, latency, openCircuitBreaker, CircuitBreakerOpenError, RpcTimeoutError, toStateDiagram } from "../../lib";
import type { CircuitBreaker } from "../../lib";

function world() {
  const sim = new Simulation({ seed: 5, network: { latency: latency.constant(2) } });
  sim.spawn("payments", (node) => {
    node.on("charge", (m) => node.reply(m, { type: "charge_ok" }));
    node.on("refund", (m) => node.reply(m, { type: "error", code: "unsupported" }));
  }, { role: "service" });
  let breaker: CircuitBreaker | undefined;
  const shop = sim.spawn("shop", (node) => void (breaker = openCircuitBreaker(node, { target: "payments", failureThreshold: 3, openMs: 200, callTimeoutMs: 20 })), { role: "breaker" });
  /** Make one call; resolve to the reply type or the error's name. */
  const call = (type = "charge") => sim.runUntilSettled(breaker!.call({ type }).then((r) => r.body.type, (e: Error) => e.name));
  return { sim, shop, breaker: () => breaker!, call };
}

describe("circuit breaker", () => {
  it("stays closed while calls succeed", async () => {
    const w = world();
    for (let i = 0; i < 5; i++) expect(await w.call()).toBe("charge_ok");
    expect(w.breaker().state).toBe("closed");
    expect(w.breaker().counters).toMatchObject({ calls: 5, successes: 5, failures: 0, rejected: 0, trips: 0 });
  });

  it("trips after failureThreshold timeouts in a row, then fails fast without sending", async () => {
    const w = world();
    w.sim.crash("payments");
    for (let i = 0; i < 3; i++) expect(await w.call()).toBe("RpcTimeoutError");
    expect(w.breaker().state).toBe("open");
    const sentBefore = w.sim.counters.sent;
    const t0 = w.sim.now();
    const refused = await w.sim.runUntilSettled(w.breaker().call({ type: "charge" }).catch((e) => e));
    expect(refused).toBeInstanceOf(CircuitBreakerOpenError);
    expect(w.sim.now()).toBe(t0); // at once
    expect(w.sim.counters.sent).toBe(sentBefore); // nothing sent
    expect(w.breaker().counters).toMatchObject({ failures: 3, rejected: 1, trips: 1 });
  });

  it("a success resets the count: failures must be consecutive", async () => {
    const w = world();
    expect(await w.call("refund")).toBe("error"); // an error reply counts as a failure
    expect(await w.call("refund")).toBe("error");
    expect(await w.call()).toBe("charge_ok");
    expect(await w.call("refund")).toBe("error");
    expect(await w.call("refund")).toBe("error");
    expect(w.breaker().state).toBe("closed");
  });

  it("half-open after openMs: a failed probe reopens it, a successful one closes it", async () => {
    const w = world();
    w.sim.crash("payments");
    for (let i = 0; i < 3; i++) await w.call();
    await w.sim.runFor(200);
    expect(w.breaker().state).toBe("half-open");
    const probe = w.breaker().call({ type: "charge" }).catch((e) => e);
    expect(await w.sim.runUntilSettled(w.breaker().call({ type: "charge" }).catch((e) => e))).toBeInstanceOf(CircuitBreakerOpenError); // one probe at a time
    expect(await w.sim.runUntilSettled(probe)).toBeInstanceOf(RpcTimeoutError);
    expect(w.breaker().state).toBe("open");
    w.sim.restart("payments");
    await w.sim.runFor(200);
    expect(w.breaker().state).toBe("half-open");
    expect(await w.call()).toBe("charge_ok");
    expect(w.breaker().state).toBe("closed");
    expect(w.breaker().counters.trips).toBe(2);
    const diagram = toStateDiagram(w.sim.trace, { role: "breaker" });
    // half-open is drawn as an alias (`state "half-open" as s0`)
    expect(diagram).toMatch(/state "half-open" as (s\d+)/);
    const h = /state "half-open" as (s\d+)/.exec(diagram)![1];
    for (const edge of ["closed --> open", `open --> ${h}`, `${h} --> open: probe failed`, `${h} --> closed: probe succeeded`]) expect(diagram).toContain(edge);
  });

  it("rejects bad options", () => {
    const sim = new Simulation({ seed: 1 });
    expect(() => sim.spawn("x", (node) => void openCircuitBreaker(node, { target: "y", failureThreshold: 0, openMs: 10, callTimeoutMs: 10 }))).toThrow(/failureThreshold must be a whole number ≥ 1/);
  });
});
