// Recovery after a crash: replay the whole event log, or load the latest snapshot and replay the
// tail (Elnozahy et al. 2002, §2.7, §4). Both rebuild the state the node had before the crash;
// replay time grows with the log, snapshot + tail stays bounded.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/index";
import { appendAccountEntry, measureRecovery, recoverState, runRecovery, type AccountState, type StateRecovery } from "../../lib/recovery/index";

describe("recovery by replay vs snapshot + tail", () => {
  it("a crash after 1,234 entries: both recoveries rebuild exactly the pre-crash state", async () => {
    const replay = await runRecovery({ seed: 3, logLength: 1234, snapshotEvery: 200, mode: "replay" });
    const snap = await runRecovery({ seed: 3, logLength: 1234, snapshotEvery: 200, mode: "snapshot" });
    expect(replay.equal).toBe(true);
    expect(snap.equal).toBe(true);
    expect(snap.state).toEqual(replay.state);
    expect(Object.keys(replay.preCrash).length).toBeGreaterThan(10);
    expect(replay.entriesReplayed).toBe(1234);
    expect(snap.entriesReplayed).toBe(34);
    expect(snap.snapshotBytes).toBeGreaterThan(0);
    expect(replay.recoveryMs).toBeCloseTo(1234 * 0.05, 6);
    expect(snap.recoveryMs).toBeCloseTo(snap.snapshotBytes * 0.01 + 34 * 0.05, 6);
  });

  it("replay grows linearly with the log; snapshot + tail is a bounded sawtooth", async () => {
    const rows = await measureRecovery({ logLengths: [0, 100, 200, 300, 400, 500, 600, 700, 800], snapshotEvery: 300 });
    expect(rows.every((r) => r.equal)).toBe(true);
    expect(rows.map((r) => r.replayMs)).toEqual(rows.map((r) => r.logLength * 0.05));
    expect(rows.map((r) => r.tailEntries)).toEqual([0, 100, 200, 0, 100, 200, 0, 100, 200]);
    const bound = 299 * 0.05 + 10; // a full tail plus a generous snapshot load
    expect(Math.max(...rows.map((r) => r.snapshotMs))).toBeLessThan(bound);
    expect(rows[6].snapshotMs).toBeLessThan(rows[5].snapshotMs); // the drop after a snapshot
  });

  it("a node that crashes while writing recovers every entry it logged", async () => {
    const sim = new Simulation({ seed: 1 });
    const live: AccountState = {};
    let recovered: StateRecovery | undefined;
    let incarnation = 0;
    sim.spawn("db", async (node) => {
      incarnation++;
      if (incarnation === 1) {
        node.setPeriodic(1, () => appendAccountEntry(node, live, { account: `a${node.rng.int(0, 5)}`, amount: node.rng.int(1, 10) }, { snapshotEvery: 7 }), "write");
        return;
      }
      recovered = await recoverState(node, { mode: "snapshot" });
    });
    sim.at(50.5, () => sim.crash("db"), "crash");
    sim.at(60, () => sim.restart("db"), "restart");
    await sim.runUntil(() => recovered !== undefined, { withinMs: 1000 });
    expect(recovered!.state).toEqual(live);
    expect(recovered!.entriesReplayed).toBe(50 % 7);
  });

  it("says what was wrong", async () => {
    await expect(runRecovery({ logLength: -1, mode: "replay" })).rejects.toThrow(/logLength/);
    const sim = new Simulation({ seed: 1 });
    let error: unknown;
    sim.spawn("db", async (node) => {
      node.storage.set("log/last", 2);
      try {
        await recoverState(node, { mode: "replay" });
      } catch (e) {
        error = e;
      }
    });
    await sim.runFor(10);
    expect(String(error)).toMatch(/recoverState\(db\): log entry 1 of 2 is missing/);
  });
});
