// Retry policies (Brooker, "Exponential Backoff and Jitter", AWS Architecture Blog 2015) and his
// experiment: 100 clients on one optimistic-concurrency record; jitter spreads the retries.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import { Prng } from "../../lib/sim";
import { BACKOFF_POLICIES, RetriesExhaustedError, backoff, backoffDelayMs, backoffPolicy, retryWithBackoff, runContention } from "../../lib/failure/index";

describe("backoff delays", () => {
  it("exponential doubles up to the cap; no backoff is 0", () => {
    const prng = new Prng(1);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelayMs(backoffPolicy.exponential(10, 1000), n, prng))).toEqual([10, 20, 40, 80, 160, 320, 640, 1000]);
    expect(backoffDelayMs(backoffPolicy.none(), 9, prng)).toBe(0);
  });

  it("full jitter is uniform on [0, min(cap, base·2ⁿ)); equal jitter on [half, all)", () => {
    const prng = new Prng(2);
    for (const n of [0, 3, 10]) {
      const ceiling = Math.min(1000, 10 * 2 ** n);
      const full = Array.from({ length: 2000 }, () => backoffDelayMs(backoffPolicy.fullJitter(10, 1000), n, prng));
      const equal = Array.from({ length: 2000 }, () => backoffDelayMs(backoffPolicy.equalJitter(10, 1000), n, prng));
      expect(Math.min(...full)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...full)).toBeLessThan(ceiling);
      expect(full.reduce((a, b) => a + b) / full.length).toBeCloseTo(ceiling / 2, -Math.log10(ceiling / 20));
      expect(full.filter((d) => d < ceiling / 4).length / full.length).toBeCloseTo(0.25, 1);
      expect(Math.min(...equal)).toBeGreaterThanOrEqual(ceiling / 2);
      expect(Math.max(...equal)).toBeLessThan(ceiling);
    }
  });

  it("decorrelated jitter stays in [base, 3 × previous] and under the cap", () => {
    const b = backoff(backoffPolicy.decorrelatedJitter(10, 500), new Prng(3));
    let previous = 10;
    for (let i = 0; i < 200; i++) {
      const d = b.next();
      expect(d).toBeGreaterThanOrEqual(10);
      expect(d).toBeLessThanOrEqual(Math.min(500, previous * 3));
      previous = d;
    }
    expect(b.attempts).toBe(200);
  });

  it("rejects a cap below the base, naming both", () => {
    expect(() => backoffDelayMs(backoffPolicy.fullJitter(100, 10), 0, new Prng(1))).toThrow(/capMs \(10\) is below policy.baseMs \(100\)/);
  });
});

describe("retryWithBackoff on a node", () => {
  it("retries a failing call with virtual sleeps and gives up cleanly after retriesMax", async () => {
    const sim = new Simulation({ seed: 1 });
    const node = sim.spawn("client");
    const attempts: number[] = [];
    const outcome = retryWithBackoff(node, async (attempt) => {
      attempts.push(node.now());
      throw new Error(`busy (attempt ${attempt})`);
    }, { policy: backoffPolicy.exponential(10, 1000), retriesMax: 3 }).catch((e) => e);
    const error = await sim.runUntilSettled(outcome);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect(error.message).toMatch(/gave up after 4 attempts: busy \(attempt 3\)/);
    expect(attempts).toEqual([0, 10, 30, 70]);
  });

  it("returns the first success", async () => {
    const sim = new Simulation({ seed: 1 });
    const node = sim.spawn("client");
    const result = retryWithBackoff(node, async (attempt) => {
      if (attempt < 2) throw new Error("conflict");
      return `ok after ${attempt} retries`;
    }, { policy: backoffPolicy.fullJitter(10, 100), retriesMax: 5 });
    expect(await sim.runUntilSettled(result)).toBe("ok after 2 retries");
  });
});

describe("Brooker's contention experiment: 100 clients, one OCC record", () => {
  const seeds = [1, 2, 3, 4, 5];
  const table = BACKOFF_POLICIES.map((policy) => {
    const runs = seeds.map((seed) => runContention({ clients: 100, policy, seed }));
    return { policy: policy.kind, calls: runs.map((r) => r.calls), durationMs: runs.map((r) => r.durationMs) };
  });
  const row = (kind: string) => table.find((r) => r.policy === kind)!;

  it("every client succeeds exactly once: calls = 100 + conflicts", () => {
    const r = runContention({ clients: 100, policy: backoffPolicy.fullJitter(10, 1000), seed: 9 });
    expect(r.calls).toBe(100 + r.conflicts);
  });

  it("jittered policies need far fewer calls than no backoff and plain exponential, on every seed", () => {
    for (let i = 0; i < seeds.length; i++) {
      for (const jittered of ["full-jitter", "equal-jitter", "decorrelated-jitter"]) {
        expect(row(jittered).calls[i], `${jittered} vs none, seed ${seeds[i]}`).toBeLessThan(0.5 * row("none").calls[i]);
        expect(row(jittered).calls[i], `${jittered} vs exponential, seed ${seeds[i]}`).toBeLessThan(0.7 * row("exponential").calls[i]);
      }
      expect(row("exponential").calls[i]).toBeLessThan(row("none").calls[i]);
    }
  });

  it("plain exponential backoff finishes last: the clients stay synchronised and collide at every doubling", () => {
    for (let i = 0; i < seeds.length; i++) {
      for (const other of ["none", "full-jitter", "equal-jitter", "decorrelated-jitter"]) {
        expect(row("exponential").durationMs[i]).toBeGreaterThan(3 * row(other).durationMs[i]);
      }
    }
  });
});
