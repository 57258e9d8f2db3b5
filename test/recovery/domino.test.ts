// Uncoordinated checkpoints and the domino effect (Randell 1975; Elnozahy et al. 2002, §2.4, §3.1):
// the recovery line is the latest set of checkpoints with no orphan message, and one crash can
// drag every process back to its start.
import { describe, expect, it } from "vitest";
import { dominoScenario, measureRollback, recoveryLine, runUncoordinatedCheckpoints, type CheckpointRecord, type RecoveryLine } from "../../lib/recovery/index";

/** The step each process restarts at under `line` (Infinity: its current state). */
function cutOf(record: CheckpointRecord, line: RecoveryLine): Map<string, number> {
  return new Map(line.points.map((p) => [p.process, p.checkpoint === null ? Infinity : record.checkpoints[p.process][p.checkpoint].step]));
}

/** Messages received inside the cut but sent outside it. */
function orphansUnder(record: CheckpointRecord, cut: Map<string, number>) {
  return record.messages.filter((m) => m.receiveStep < cut.get(m.to)! && m.sendStep >= cut.get(m.from)!);
}

describe("uncoordinated checkpoints", () => {
  it("the crafted run: p1 crashes and every process rolls back to its initial state", async () => {
    const { record, line, diagram } = await dominoScenario();
    expect(line.points.map((p) => [p.process, p.checkpoint, p.rolledBack])).toEqual([
      ["p1", 0, 3],
      ["p2", 0, 3],
      ["p3", 0, 1],
    ]);
    expect(line.toInitialState).toBe(true);
    expect(line.orphans.length).toBeGreaterThanOrEqual(6); // one per domino
    expect(record.messages).toHaveLength(7);
    // Checkpoints are notes (lane ids are generated for names like p1; the label shows p1).
    expect(diagram).toContain("participant p0 as p1");
    expect(diagram).toContain("Note over p0: C1,2");
    expect(diagram).toContain("Note over p0: crashed");
    expect(diagram.split("\n").pop()).toBe("  Note over p0,p2: recovery line#58; p1 → C1,0, p2 → C2,0, p3 → C3,0");
  });

  it("the same run without the last message from p1: p2 keeps its state and p1 loses only its tail", async () => {
    const { record } = await dominoScenario();
    const trimmed: CheckpointRecord = { ...record, messages: record.messages.filter((m) => !(m.from === "p1" && m.sentMs === 140)) };
    const line = recoveryLine(trimmed, "p1");
    expect(line.points.map((p) => p.checkpoint)).toEqual([3, null, null]);
    expect(line.points[0].rollbackMs).toBe(170 - 130);
    expect(line.orphans).toEqual([]);
  });

  it("random runs: the line has no orphan, and no process can move one checkpoint later on its own", async () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const run = await runUncoordinatedCheckpoints({ seed, processes: 4, checkpointIntervalMs: 60, failAtMs: 600 });
      const { record, line } = run;
      const cut = cutOf(record, line);
      expect(orphansUnder(record, cut), `seed ${seed}`).toEqual([]);
      for (const p of line.points) {
        if (p.checkpoint === null) continue;
        const isFailed = line.failed.includes(p.process);
        const cps = record.checkpoints[p.process];
        if (isFailed && p.checkpoint === cps.length - 1) continue; // a failed process cannot go past its last checkpoint
        const later = new Map(cut);
        later.set(p.process, p.checkpoint + 1 < cps.length ? cps[p.checkpoint + 1].step : Infinity);
        expect(orphansUnder(record, later).length, `seed ${seed}, ${p.process} one later`).toBeGreaterThan(0);
      }
    }
  });

  it("two failures at once: both start no later than their last checkpoints", async () => {
    const { record } = await runUncoordinatedCheckpoints({ seed: 9, processes: 3 });
    const line = recoveryLine(record, ["p1", "p3"]);
    expect(line.points.find((p) => p.process === "p1")!.checkpoint).not.toBeNull();
    expect(line.points.find((p) => p.process === "p3")!.checkpoint).not.toBeNull();
    expect(orphansUnder(record, cutOf(record, line))).toEqual([]);
  });

  it("is deterministic: the same seed gives the same record and trace", async () => {
    const a = await runUncoordinatedCheckpoints({ seed: 4 });
    const b = await runUncoordinatedCheckpoints({ seed: 4 });
    expect(a.record).toEqual(b.record);
    expect(a.simulation.trace.events).toEqual(b.simulation.trace.events);
  });

  it("checkpointing rarely loses far more work than checkpointing often", async () => {
    const rows = await measureRollback({ checkpointIntervalsMs: [25, 400], seeds: [1, 2, 3, 4] });
    expect(rows[0].rollbackMsMean).toBeLessThan(rows[1].rollbackMsMean);
    expect(rows[1].toInitialShare).toBeGreaterThan(0);
  });

  it("names an unknown failed process", async () => {
    const { record } = await dominoScenario();
    expect(() => recoveryLine(record, "p9")).toThrow(/unknown failed process "p9"/);
    await expect(runUncoordinatedCheckpoints({ processes: 1 })).rejects.toThrow(/processes/);
  });
});
