// Physical clocks (notebook 06): Cristian's bound checked against the true offset only the
// simulator knows, Berkeley shrinking the spread of a group's clocks, NTP's four timestamps, and a
// lease that a slow clock makes a node keep after the grantor gave it away.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import { latency } from "../../lib/net";
import { Prng } from "../../lib/sim";
import { berkeleyMember, berkeleyRound, bestSample, checkOffsetBound, cristianSync, leaseOnDriftingClock, ntpOffsetDelay, ntpSample, serveTime } from "../../lib/time/index";
import type { CristianEstimate, NtpSample } from "../../lib/time/index";

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

describe("Cristian's algorithm (Cristian 1989 §3)", () => {
  it("reports an error bound that contains the true offset, in every round over 20 seeds", async () => {
    let rounds = 0;
    let errorMsMax = 0;
    let boundMsSum = 0;
    for (const seed of SEEDS) {
      const pick = new Prng(seed * 7919);
      const sim = new Simulation({ seed, network: { latency: latency.uniform(1, 25), ordering: "unordered" } });
      const driftPpm = Math.round((pick.float() - 0.5) * 2 * 50_000); // up to ±5%
      sim.spawn("server", (node) => serveTime(node, { processingMs: seed % 3 }), { clock: { offsetMs: (pick.float() - 0.5) * 40, driftPpm: 200 } });
      sim.spawn("client", (node) => {
        node.setPeriodic(200, async () => {
          const est: CristianEstimate = await cristianSync(node, "server", { driftPpmMax: 50_000, adjust: seed % 2 === 0 ? "step" : "none" });
          const truth = sim.clockOffset("server") - sim.clockOffset("client") - (seed % 2 === 0 ? -est.offsetMs : 0);
          // after a step the client already moved by est.offsetMs: compare with what it had to add before it
          const check = checkOffsetBound(est, truth);
          rounds++;
          errorMsMax = Math.max(errorMsMax, check.errorMs);
          boundMsSum += check.boundMs;
          expect(check.holds, `seed=${seed} t=${sim.now()}: |error| ${check.errorMs} > bound ${check.boundMs}`).toBe(true);
        }, "cristian");
      }, { clock: { offsetMs: (pick.float() - 0.5) * 400, driftPpm } });
      await sim.runFor(2000);
    }
    expect(rounds).toBe(20 * 9); // the 10th round of each run is still in flight at 2000 ms
    expect(errorMsMax).toBeGreaterThan(1); // the estimate is really off (the bound is not vacuous) …
    console.log(`Cristian: ${rounds} rounds, |error| max ${errorMsMax.toFixed(2)} ms, mean bound ${(boundMsSum / rounds).toFixed(2)} ms`);
    expect(boundMsSum / rounds).toBeLessThan(17); // … and the bound is about RTT/2 + 5%·RTT (mean RTT ≈ 26 ms + processing)
  });

  it("without the drift term, a slow client's RTT/2 bound is sometimes wrong (it measures the RTT short)", async () => {
    let rounds = 0;
    let broken = 0;
    for (const seed of SEEDS.slice(0, 10)) {
      const sim = new Simulation({ seed, network: { latency: latency.uniform(1, 40), ordering: "unordered" } });
      sim.spawn("server", (node) => serveTime(node));
      sim.spawn("client", (node) => node.setPeriodic(100, async () => {
        const est = await cristianSync(node, "server"); // driftPpmMax 0: trusts its own clock's RTT
        rounds++;
        if (!checkOffsetBound(est, sim.clockOffset("server") - sim.clockOffset("client")).holds) broken++;
      }, "cristian"), { clock: { offsetMs: 30, driftPpm: -100_000 } }); // 10% slow
      await sim.runFor(1000);
    }
    console.log(`Cristian without the drift term, client 10% slow: ${broken} of ${rounds} bounds wrong`);
    expect(broken).toBeGreaterThan(0);
    expect(broken).toBeLessThan(rounds); // only when the reply was stamped late in the round trip
  });

  it("keeps a drifting client within RTT/2 + drift of the server when it steps every 200 ms", async () => {
    const sim = new Simulation({ seed: 3, network: { latency: latency.uniform(2, 10) } });
    sim.spawn("server", (node) => serveTime(node));
    sim.spawn("client", (node) => node.setPeriodic(200, () => cristianSync(node, "server", { adjust: "step" }), "sync"), { clock: { offsetMs: 300, driftPpm: 20_000 } });
    const offsets: number[] = [];
    for (let i = 0; i < 20; i++) {
      await sim.runFor(100);
      offsets.push(sim.clockOffset("client"));
    }
    expect(offsets[0]).toBeGreaterThan(300);
    for (const ms of offsets.slice(3)) expect(Math.abs(ms)).toBeLessThanOrEqual(20 / 2 - 2 + 200 * 0.02 + 0.01); // RTT/2 − min + 200 ms of 2% drift
  });

  it("tightens the bound when the least one-way delay is known", async () => {
    const sim = new Simulation({ seed: 5, network: { latency: latency.uniform(8, 12) } });
    sim.spawn("server", (node) => serveTime(node));
    const client = sim.spawn("client", () => {}, { clock: { offsetMs: -50 } });
    const loose = await sim.runUntilSettled(cristianSync(client, "server"));
    const tight = await sim.runUntilSettled(cristianSync(client, "server", { delayMsMin: 8 }));
    expect(loose.errorMs).toBeGreaterThanOrEqual(8);
    expect(tight.errorMs).toBeLessThanOrEqual(4 + 1e-9); // RTT/2 − 8 with RTT ≤ 24
    expect(checkOffsetBound(tight, 50).holds).toBe(true);
  });

  it("fails cleanly: no server → the rpc times out; a bad server id or option → a clear error", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("server", (node) => node.on("time", () => {})); // answers nothing
    const client = sim.spawn("client", () => {});
    const err = await sim.runUntilSettled(cristianSync(client, "server", { timeoutMs: 50 }).catch((e: Error) => e));
    expect(String(err)).toMatch(/time/i);
    await expect(cristianSync(client, "client")).rejects.toThrow(/server must be another node's id.*node "client"/);
    await expect(cristianSync(client, "server", { adjust: "jump" as never })).rejects.toThrow(/adjust must be/);
  });
});

describe("NTP offset and delay (Mills 1991 §3)", () => {
  it("computes θ and δ from the four timestamps", () => {
    expect(ntpOffsetDelay(100, 160, 161, 121)).toMatchObject({ offsetMs: 50, delayMs: 20, errorMs: 10 });
    // symmetric delays of 5 ms, server 30 ms behind, 2 ms of processing: θ exact, δ without processing
    expect(ntpOffsetDelay(1000, 975, 977, 1012)).toMatchObject({ offsetMs: -30, delayMs: 10 });
    expect(() => ntpOffsetDelay(10, 20, 30, 15)).toThrow(/negative.*t1\.\.t4/);
    expect(() => ntpOffsetDelay(0, NaN, 1, 2)).toThrow(/t2 must be a finite number/);
  });

  it("is within δ/2 of the true offset on asymmetric delays; the least-delay sample is the best", async () => {
    let samples = 0;
    for (const seed of SEEDS.slice(0, 10)) {
      const sim = new Simulation({ seed, network: { latency: latency.uniform(1, 40), ordering: "unordered" } });
      sim.spawn("server", (node) => serveTime(node, { processingMs: 5 }), { clock: { offsetMs: 17 } });
      const client = sim.spawn("client", () => {}, { clock: { offsetMs: -60, driftPpm: 100 } });
      const got: NtpSample[] = [];
      for (let i = 0; i < 8; i++) {
        const s = await sim.runUntilSettled(ntpSample(client, "server"));
        const truth = sim.clockOffset("server") - sim.clockOffset("client");
        expect(checkOffsetBound(s, truth).holds, `seed=${seed}`).toBe(true);
        expect(s.delayMs).toBeLessThan(81); // processing (5 ms) is not in δ
        got.push(s);
        samples++;
      }
      const best = bestSample(got);
      expect(best.errorMs).toBe(Math.min(...got.map((s) => s.errorMs)));
      expect(Math.abs(best.offsetMs - 77)).toBeLessThanOrEqual(best.errorMs + 0.01);
    }
    expect(samples).toBe(80);
  });
});

describe("the Berkeley algorithm (Gusella & Zatti 1989)", () => {
  const spread = (sim: Simulation, ids: string[]): number => {
    const offsets = ids.map((id) => sim.clockOffset(id));
    return Math.max(...offsets) - Math.min(...offsets);
  };

  it("shrinks the spread of five clocks, over 10 seeds, and leaves an outlier out of the average", async () => {
    const ids = ["master", "m1", "m2", "m3", "m4"];
    for (const seed of SEEDS.slice(0, 10)) {
      const sim = new Simulation({ seed, network: { latency: latency.uniform(1, 9) } });
      const offsetsMs = [0, 25, -30, 12, 900]; // m4 is far off: a broken clock
      ids.forEach((id, i) => sim.spawn(id, (node) => berkeleyMember(node), { clock: { offsetMs: offsetsMs[i], driftPpm: (i - 2) * 100 } }));
      const before = spread(sim, ids.slice(0, 4));
      const round = await sim.runUntilSettled(berkeleyRound(sim.node("master"), ids.slice(1), { outlierMsMax: 100 }));
      await sim.runFor(20); // the corrections arrive
      expect(round.outliers, `seed=${seed}`).toEqual(["m4"]);
      expect(round.averageMs).toBeGreaterThan(-5); // the average of 0, 25, −30, 12 ≈ 1.75, not pulled to 900/5
      expect(round.averageMs).toBeLessThan(8);
      const after = spread(sim, ids); // m4 too: it is corrected even though it was left out
      expect(before).toBeCloseTo(55, 0);
      expect(after, `seed=${seed}`).toBeLessThan(9); // within the RTT uncertainty
    }
  });

  it("without the outlier filter the broken clock drags every clock forward", async () => {
    const sim = new Simulation({ seed: 1, network: { latency: latency.constant(2) } });
    ["master", "m1", "m2", "m3"].forEach((id, i) => sim.spawn(id, (node) => berkeleyMember(node), { clock: { offsetMs: [0, 10, -10, 1000][i] } }));
    const round = await sim.runUntilSettled(berkeleyRound(sim.node("master"), ["m1", "m2", "m3"]));
    await sim.runFor(10);
    expect(round.averageMs).toBeCloseTo(250, 0);
    expect(sim.clockOffset("m1")).toBeCloseTo(250, 0);
  });

  it("corrects the members that answer and reports the one that does not", async () => {
    const sim = new Simulation({ seed: 2, network: { latency: latency.constant(3) } });
    ["master", "m1", "m2"].forEach((id, i) => sim.spawn(id, (node) => berkeleyMember(node), { clock: { offsetMs: [0, 40, -20][i] } }));
    sim.crash("m2");
    const round = await sim.runUntilSettled(berkeleyRound(sim.node("master"), ["m1", "m2"], { timeoutMs: 50 }));
    expect(round.unanswered).toEqual(["m2"]);
    expect(round.averageMs).toBeCloseTo(20, 3);
    await expect(berkeleyRound(sim.node("master"), ["master"])).rejects.toThrow(/members must be the other nodes' ids/);
  });
});

describe("leases on drifting clocks (Gray & Cheriton 1989)", () => {
  it("a holder whose clock runs 20% slow still believes it holds the lease after b got it", async () => {
    const r = await leaseOnDriftingClock({ seed: 1, holderDriftPpm: -200_000 });
    expect(r.grantedToBMs).toBeGreaterThan(100);
    expect(r.intervals.a[0].toMs).toBeGreaterThan(r.grantedToBMs!); // a's belief ends after b's grant: two holders
    expect(r.overlapMs).toBeGreaterThan(10);
    expect(r.diagram).toContain("lease over (by its own clock)");
  });

  it("overlap grows with the drift; none with an accurate clock or a fast one", async () => {
    const overlap: number[] = [];
    for (const holderDriftPpm of [100_000, 0, -50_000, -100_000, -200_000]) overlap.push((await leaseOnDriftingClock({ seed: 2, holderDriftPpm })).overlapMs);
    expect(overlap[0]).toBe(0);
    expect(overlap[1]).toBe(0);
    expect(overlap[2]).toBeLessThan(overlap[3]);
    expect(overlap[3]).toBeLessThan(overlap[4]);
  });

  it("a fast grantor clock gives the lease away early, with the same effect", async () => {
    const r = await leaseOnDriftingClock({ seed: 3, holderDriftPpm: 0, grantorDriftPpm: 300_000, bAsksAtMs: 50 });
    expect(r.overlapMs).toBeGreaterThan(10);
  });

  it("the safe holder (count from the request, shorten by the drift bound) never overlaps, over 10 seeds", async () => {
    for (const seed of SEEDS.slice(0, 10)) {
      for (const [holderDriftPpm, grantorDriftPpm] of [[-200_000, 0], [0, 200_000], [-200_000, 200_000], [200_000, -200_000]]) {
        const r = await leaseOnDriftingClock({ seed, holderDriftPpm, grantorDriftPpm, mode: "safe", driftPpmMax: 200_000 });
        expect(r.overlapMs, `seed=${seed} holder ${holderDriftPpm} grantor ${grantorDriftPpm}`).toBe(0);
        expect(r.intervals.a).toHaveLength(1);
      }
    }
  });
});
