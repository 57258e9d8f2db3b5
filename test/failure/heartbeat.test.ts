// Heartbeats and a timeout (Chandra & Toueg 1996): complete — a crash is always suspected within
// timeout + latency of the last heartbeat — and accurate only while no heartbeat is later than the
// slack timeout − interval. A longer timeout trades detection time for fewer false suspicions.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import { latency } from "../../lib/net";
import { HeartbeatDetector, measureHeartbeatDetector, sendHeartbeats, watchHeartbeats } from "../../lib/failure/index";

describe("HeartbeatDetector (pure)", () => {
  it("suspects after strictly more than timeoutMs of silence and withdraws on the next heartbeat", () => {
    const d = new HeartbeatDetector({ timeoutMs: 300 });
    d.heartbeat(100);
    expect(d.suspects(400)).toBe(false); // exactly 300 ms
    expect(d.suspects(400.5)).toBe(true);
    d.heartbeat(450);
    expect(d.suspects(700)).toBe(false);
    expect(d.deadlineMs).toBe(750);
    d.heartbeat(420); // a late, reordered heartbeat does not move the deadline back
    expect(d.lastHeartbeatMs).toBe(450);
  });

  it("rejects a bad timeout with the option's name", () => {
    expect(() => new HeartbeatDetector({ timeoutMs: 0 })).toThrow(/timeoutMs.*got 0/);
  });
});

describe("heartbeats between nodes", () => {
  it("a crash is suspected within timeout + one-way latency of the last heartbeat; a restart is noticed", async () => {
    const sim = new Simulation({ seed: 3, network: { latency: latency.uniform(5, 15) } });
    const log: string[] = [];
    sim.spawn("monitor", (node) => {
      watchHeartbeats(node, {
        from: ["p"],
        timeoutMs: 250,
        onSuspect: (p) => log.push(`suspect ${p} at ${node.now().toFixed(0)}`),
        onRestore: (p) => log.push(`restore ${p} at ${node.now().toFixed(0)}`),
      });
    });
    sim.spawn("p", (node) => void sendHeartbeats(node, { to: ["monitor"], heartbeatIntervalMs: 100 }));
    sim.at(1_000, () => sim.crash("p"));
    sim.at(2_000, () => sim.restart("p"));
    await sim.runUntilTime(2_500);
    expect(log).toHaveLength(2);
    const suspectMs = Number(log[0].split(" at ")[1]);
    // Last heartbeat sent at 900 (arrives ≤ 915); the crash at 1000 is suspected in (1150, 1165].
    expect(suspectMs).toBeGreaterThan(1_150);
    expect(suspectMs).toBeLessThanOrEqual(1_166);
    expect(log[1]).toMatch(/^restore p at 20(0[5-9]|1[0-5])$/);
  });

  it("latency spikes longer than the slack cause false suspicions; a long timeout has none", async () => {
    const short = await measureHeartbeatDetector({ timeoutMs: 150, heartbeatIntervalMs: 100, spikes: { probability: 0.02, delayMs: 250 }, seed: 1 });
    const long = await measureHeartbeatDetector({ timeoutMs: 400, heartbeatIntervalMs: 100, spikes: { probability: 0.02, delayMs: 250 }, seed: 1 });
    expect(short.falseSuspicions).toBeGreaterThanOrEqual(3);
    expect(long.falseSuspicions).toBe(0);
    expect(short.heartbeats).toBe(601); // one at 0 and one every 100 ms for 60 s
  });

  it("detection time grows with the timeout: roughly timeout − (time since the last heartbeat)", async () => {
    const rows = [];
    for (const timeoutMs of [150, 300, 600]) rows.push(await measureHeartbeatDetector({ timeoutMs, heartbeatIntervalMs: 100, crashAtMs: 20_050, durationMs: 21_000, seed: 2 }));
    for (const r of rows) {
      // Last heartbeat sent at 20,000 ms arrives about 10 ms later; suspicion at arrival + timeout.
      expect(r.detectionMs!).toBeGreaterThan(r.timeoutMs - 50 - 1);
      expect(r.detectionMs!).toBeLessThan(r.timeoutMs - 50 + 25);
    }
    expect(rows[0].falseSuspicions).toBeGreaterThanOrEqual(rows[2].falseSuspicions);
  });

  it("without a crash there is no detection time", async () => {
    const m = await measureHeartbeatDetector({ timeoutMs: 500, heartbeatIntervalMs: 100, durationMs: 5_000, seed: 1 });
    expect(m.detectionMs).toBeUndefined();
    expect(m.events).toEqual([]);
  });
});
