// The φ accrual detector (Hayashibara et al. 2004): φ(t) = −log₁₀(1 − F(t − t_last)), F the normal
// CDF of the window of inter-arrival times (Akka: σ floored, an acceptable pause added to the mean).
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import { latency } from "../../lib/net";
import { Prng } from "../../lib/sim";
import { AKKA_PHI_DEFAULTS, PhiAccrualDetector, phiOf, sendHeartbeats, watchPhi } from "../../lib/failure/index";

/** 1 − Φ(z) by Simpson's rule on the normal density over [z, z + 40] — independent of the library's erfc. */
function normalTail(z: number): number {
  const steps = 200_000;
  const h = 40 / steps;
  const pdf = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
  let sum = pdf(z) + pdf(z + 40);
  for (let i = 1; i < steps; i++) sum += (i % 2 ? 4 : 2) * pdf(z + i * h);
  return (sum * h) / 3;
}

/** φ straight from the paper's formula over an explicit window. */
function phiByHand(arrivals: number[], nowMs: number, windowMax: number, minStd: number, pauseMs: number): number {
  const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]).slice(-windowMax);
  const mean = gaps.reduce((s, g) => s + g, 0) / gaps.length;
  const std = Math.max(Math.sqrt(gaps.reduce((s, g) => s + (g - mean) ** 2, 0) / gaps.length), minStd);
  const z = (nowMs - arrivals[arrivals.length - 1] - (mean + pauseMs)) / std;
  return z < 0 ? -Math.log10(1 - normalTail(-z) < 0 ? 0 : 1 - normalTail(-z)) : -Math.log10(normalTail(z));
}

describe("φ from the formula", () => {
  it("matches −log10(1 − F(Δt)) within 1e-9 on jittery streams, windows and floors", () => {
    const prng = new Prng(11);
    for (const [windowMax, minStd, pauseMs] of [[1000, 100, 0], [10, 5, 0], [50, 1, 200], [1000, 100, 3000]] as const) {
      const d = new PhiAccrualDetector({ maxSampleSize: windowMax, minStdDeviationMs: minStd, acceptableHeartbeatPauseMs: pauseMs });
      const arrivals: number[] = [];
      let t = 0;
      for (let i = 0; i < 60; i++) {
        t += prng.normal(100, 15) + (prng.chance(0.05) ? 200 : 0);
        arrivals.push(t);
        d.heartbeat(t);
      }
      for (const elapsed of [0, 50, 100, 150, 250, 400, 700, 3300]) {
        const want = phiByHand(arrivals, t + elapsed, windowMax, minStd, pauseMs);
        const got = d.phi(t + elapsed);
        if (want === Infinity) {
          expect(got, `Δt ${elapsed}: 1 − F underflows to 0 in both`).toBe(Infinity);
          continue;
        }
        expect(Math.abs(got - want), `window ${windowMax}, σmin ${minStd}, pause ${pauseMs}, Δt ${elapsed}: φ ${got} vs ${want}`).toBeLessThan(1e-9);
      }
    }
  });

  it("φ = 0.301 at the mean, 2.870 at 3σ and 6.543 at 5σ", () => {
    expect(phiOf(1000, 1000, 100)).toBeCloseTo(-Math.log10(0.5), 12);
    expect(phiOf(1300, 1000, 100)).toBeCloseTo(2.8697, 4);
    expect(phiOf(1500, 1000, 100)).toBeCloseTo(6.5426, 4);
  });

  it("the window keeps only the last maxSampleSize intervals", () => {
    const d = new PhiAccrualDetector({ maxSampleSize: 3 });
    for (const t of [0, 100, 300, 600, 1000]) d.heartbeat(t);
    expect(d.window()).toEqual([200, 300, 400]);
    expect(d.meanMs).toBe(300);
  });

  it("is 0 before two heartbeats and refuses time going backwards", () => {
    const d = new PhiAccrualDetector();
    expect(d.phi(5_000)).toBe(0);
    d.heartbeat(1_000);
    expect(d.phi(50_000)).toBe(0);
    expect(() => d.heartbeat(900)).toThrow(/backwards/);
  });
});

describe("φ during a pause", () => {
  it("rises monotonically while heartbeats stop and crosses Akka's threshold 8 after mean + pause + 5.6σ", () => {
    const d = new PhiAccrualDetector(); // Akka defaults
    for (let t = 0; t <= 20_000; t += 1000) d.heartbeat(t);
    const phis = [];
    for (let t = 20_000; t <= 26_000; t += 100) phis.push(d.phi(t));
    // Flat near 0 while within the acceptable pause, then strictly rising.
    for (let i = 1; i < phis.length; i++) expect(phis[i]).toBeGreaterThanOrEqual(phis[i - 1]);
    for (let i = 31; i < phis.length; i++) expect(phis[i]).toBeGreaterThan(phis[i - 1]);
    expect(phis[10]).toBeLessThan(1e-6); // 1 s after the last heartbeat: nothing yet
    const crossing = phis.findIndex((p) => p >= AKKA_PHI_DEFAULTS.threshold) * 100;
    expect(crossing).toBe(4_600); // 1 s mean + 3 s pause + 5.6 × 100 ms, rounded up to the 100 ms grid
    expect(d.suspects(24_000)).toBe(false);
    d.heartbeat(25_000);
    expect(d.suspects(25_100)).toBe(false); // the next heartbeat clears it
  });

  it("a node watching with φ suspects a crashed sender once, and restores it after a restart", async () => {
    const sim = new Simulation({ seed: 4, network: { latency: latency.normal(10, 2) } });
    const events: string[] = [];
    sim.spawn("monitor", (node) => {
      watchPhi(node, { from: ["p"], threshold: 8, acceptableHeartbeatPauseMs: 0, minStdDeviationMs: 20, checkIntervalMs: 10,
        onSuspect: (p, phi) => events.push(`suspect ${p} ${node.now()} φ≥${Math.floor(phi)}`),
        onRestore: (p) => events.push(`restore ${p} ${Math.round(node.now())}`) });
    });
    sim.spawn("p", (node) => void sendHeartbeats(node, { to: ["monitor"], heartbeatIntervalMs: 100 }));
    sim.at(2_000, () => sim.crash("p"));
    sim.at(3_000, () => sim.restart("p"));
    await sim.runUntilTime(3_500);
    expect(events).toHaveLength(2);
    const at = Number(events[0].split(" ")[2]);
    // Last heartbeat ≈ 1,910; mean 100, σ floored at 20: φ = 8 at 100 + 5.6·20 ≈ 212 ms later.
    expect(at).toBeGreaterThanOrEqual(2_110);
    expect(at).toBeLessThanOrEqual(2_140);
    expect(events[1]).toMatch(/^restore p 30\d\d$/);
  });
});
