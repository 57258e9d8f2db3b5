// Failover: active–passive with a heartbeat detector. A wrong suspicion (partition, pause) makes
// two primaries; fencing tokens (epochs checked at the storage node) keep the stale one's writes
// out. Active–active keeps state in shared storage and needs no takeover.
import { describe, expect, it } from "vitest";
import { runActiveActive, runFailover } from "../../lib/failure/index";

describe("active–passive failover", () => {
  it("a crash: the backup takes over within the timeout, one primary at a time, no stale write", async () => {
    const r = await runFailover({ fencing: false, fault: "crash", faultAtMs: 1_000, seed: 1 });
    expect(r.takeoverAtMs!).toBeGreaterThan(1_000);
    expect(r.takeoverAtMs!).toBeLessThanOrEqual(1_000 + 200 + 50 + 10);
    expect(r.twoPrimariesMs).toBe(0);
    expect(r.splitBrainWrites).toBe(0);
    expect(r.roles).toEqual({ a: "crashed", b: "primary" });
    expect(r.writes.some((w) => w.from === "b" && w.epoch === 2 && w.accepted)).toBe(true);
  });

  for (const fault of ["partition", "pause"] as const) {
    it(`a ${fault} without fencing: two primaries, and the stale primary's writes reach storage`, async () => {
      const r = await runFailover({ fencing: false, fault, seed: 1 });
      expect(r.takeoverAtMs).toBeDefined();
      expect(r.twoPrimariesMs).toBeGreaterThan(0);
      expect(r.splitBrainWrites).toBeGreaterThan(0);
      expect(r.refused).toBe(0);
      const stale = r.writes.filter((w) => w.from === "a" && w.epoch === 1 && w.atMs > r.takeoverAtMs! + 20);
      expect(stale.length).toBeGreaterThan(0);
    });

    it(`a ${fault} with fencing: storage refuses every epoch-1 write after epoch 2, and a steps down`, async () => {
      const r = await runFailover({ fencing: true, fault, seed: 1 });
      expect(r.splitBrainWrites).toBe(0);
      expect(r.refused).toBeGreaterThanOrEqual(1);
      const firstEpoch2 = r.writes.find((w) => w.epoch === 2)!;
      for (const w of r.writes.filter((x) => x.epoch === 1 && x.atMs > firstEpoch2.atMs)) expect(w.accepted, w.value).toBe(false);
    });
  }

  it("split-brain writes over seeds: many without fencing, none with", async () => {
    let unfenced = 0;
    for (const seed of [1, 2, 3]) {
      unfenced += (await runFailover({ fencing: false, fault: "partition", seed })).splitBrainWrites;
      expect((await runFailover({ fencing: true, fault: "partition", seed })).splitBrainWrites).toBe(0);
    }
    expect(unfenced).toBeGreaterThanOrEqual(30);
  });

  it("no fault: no takeover, a is primary throughout", async () => {
    const r = await runFailover({ fencing: true, fault: "none", seed: 1 });
    expect(r.takeoverAtMs).toBeUndefined();
    expect(r.roles).toEqual({ a: "primary", b: "backup" });
    expect(r.writes.every((w) => w.from === "a" && w.accepted)).toBe(true);
  });

  it("rejects an unknown fault by name", async () => {
    await expect(runFailover({ fencing: true, fault: "meteor" as never })).rejects.toThrow(/fault must be one of partition, pause, crash, none, got "meteor"/);
  });
});

describe("active–active", () => {
  it("both serve; after s1 crashes, s2 serves the rest and no increment is lost", async () => {
    const r = await runActiveActive({ requests: 40, crashAtMs: 200, seed: 1 });
    expect(r.served.s1).toBeGreaterThan(0);
    expect(r.served.s2).toBeGreaterThan(r.served.s1);
    expect(r.redirected).toBeGreaterThan(0);
    expect(r.counter).toBeGreaterThanOrEqual(r.requests);
    expect(r.counter - r.requests).toBeLessThanOrEqual(2); // s1's applied-but-unanswered increments
  });

  it("finishes on every seed: a client whose request timed out at the live server tries the servers in turn", async () => {
    for (const seed of [2, 3, 4, 5, 6]) {
      const r = await runActiveActive({ requests: 40, crashAtMs: 200, seed });
      expect(r.counter, `seed ${seed}`).toBeGreaterThanOrEqual(r.requests);
      expect(r.served.s1 + r.served.s2, `seed ${seed}`).toBeGreaterThanOrEqual(r.requests);
    }
  });
});
