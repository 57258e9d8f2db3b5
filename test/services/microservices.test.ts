// Monolith vs microservices: failure isolation with and without fallbacks, scaling one hot
// service, and the retry storm (load amplification, metastable overload) against backoff and breakers.
import { describe, expect, it } from "vitest";
import { runFailureIsolation, runHotServiceScaling, runRetryStorm } from "../../lib";

describe("failure isolation", () => {
  it("recommendations fail: the monolith loses every route, microservices only that one, a fallback none", async () => {
    const trial = { ratePerS: 60, downMs: 500 };
    const mono = await runFailureIsolation({ architecture: "monolith", ...trial });
    const micro = await runFailureIsolation({ architecture: "microservices", ...trial });
    const fallback = await runFailureIsolation({ architecture: "microservices", fallbacks: true, ...trial });
    expect([mono.catalogAnswered, mono.cartAnswered, mono.recommendationsAnswered]).toEqual([0, 0, 0]);
    expect([micro.catalogAnswered, micro.cartAnswered, micro.recommendationsAnswered]).toEqual([1, 1, 0]);
    expect(fallback.answered).toBe(1);
    expect(fallback.recommendationsFallback).toBe(1); // degraded, not failed
  });
});

describe("scaling one hot service", () => {
  it("replicas behind the balancer bring the tail down; a monolith deploys every component each time", async () => {
    const rows = await runHotServiceScaling({ replicas: [2, 3, 4], requests: 500 });
    expect(rows[0].utilisation).toBeGreaterThan(1); // 2 replicas cannot keep up
    expect(rows[2].latencyMsP99).toBeLessThan(rows[1].latencyMsP99);
    expect(rows[1].latencyMsP99).toBeLessThan(rows[0].latencyMsP99 / 5);
    expect(rows.map((r) => [r.instancesMicroservices, r.instancesMonolith])).toEqual([[5, 8], [6, 12], [7, 16]]);
  });
});

describe("retry storm", () => {
  const small = { clients: 10, ratePerSPerClient: 30, durationMs: 2500 };
  it("immediate retries amplify the load and the overload outlives the slowdown; without retries it recovers", async () => {
    const none = await runRetryStorm({ policy: "none", ...small });
    const storm = await runRetryStorm({ policy: "immediate", ...small });
    const backoff = await runRetryStorm({ policy: "backoff", ...small });
    expect(none.amplification).toBe(1);
    expect(none.recovered).toBe(true);
    expect(none.recoveryMs).toBeLessThanOrEqual(1000);
    expect(storm.amplificationIncident).toBeGreaterThan(3);
    expect(storm.recovered).toBe(false); // metastable: the retries alone keep the server overloaded
    expect(storm.successRate).toBeLessThan(none.successRate);
    // backoff spreads the retries out but sends as many: here it does not end the overload either
    expect(backoff.amplificationIncident).toBeGreaterThan(3);
    expect(backoff.recovered).toBe(false);
  });

  it("a retry budget caps the amplification and the server recovers", async () => {
    const budget = await runRetryStorm({ policy: "budget", ...small });
    expect(budget.amplificationIncident).toBeLessThan(1.5);
    expect(budget.recovered).toBe(true);
  });

  it("a circuit breaker sheds load while the server struggles: amplification below 1 and a quick recovery", async () => {
    const breaker = await runRetryStorm({ policy: "breaker", ...small });
    expect(breaker.amplificationIncident).toBeLessThan(1);
    expect(breaker.recovered).toBe(true);
    expect(breaker.recoveryMs).toBeLessThanOrEqual(1000);
  });
});
