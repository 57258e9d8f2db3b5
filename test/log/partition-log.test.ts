import { describe, expect, it } from "vitest";
import { OffsetOutOfRangeError, PartitionLog } from "../../lib/log/index";

describe("PartitionLog", () => {
  it("gives every append the next offset, and reads from any offset in order", () => {
    const log = new PartitionLog<number>({ segmentRecords: 4 });
    const offsets = Array.from({ length: 10 }, (_, i) => log.append(`k${i % 3}`, i, i));
    expect(offsets).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(log.logEndOffset).toBe(10);
    expect(log.highWatermark).toBe(10);
    expect(log.segmentList().map((s) => s.baseOffset)).toEqual([0, 4, 8]);
    expect(log.read(3, 4).map((r) => r.value)).toEqual([3, 4, 5, 6]);
    expect(log.read(10, 5)).toEqual([]); // at the end: nothing yet, no error
  });

  it("retention by record count deletes whole old segments, never the active one, and moves the log start offset", () => {
    const log = new PartitionLog<number>({ segmentRecords: 3, retentionRecords: 4 });
    for (let i = 0; i < 10; i++) log.append("k", i, i);
    const removed = log.applyRetention(100);
    expect(removed).toEqual([0, 1, 2, 3, 4, 5]); // 4 left: segments [6..8] and [9]
    expect(log.logStartOffset).toBe(6);
    expect(log.size).toBe(4);
    expect(log.read(6, 100).map((r) => r.offset)).toEqual([6, 7, 8, 9]);
  });

  it("retention by age deletes segments whose newest record is older than retentionMs", () => {
    const log = new PartitionLog<number>({ segmentRecords: 2, retentionMs: 50 });
    for (let i = 0; i < 6; i++) log.append("k", i, i * 20); // timestamps 0, 20, …, 100
    expect(log.applyRetention(90)).toEqual([0, 1]); // segment [0,1] newest at 20: 70 old
    expect(log.applyRetention(200)).toEqual([2, 3]); // the active segment [4,5] stays
    expect(log.logStartOffset).toBe(4);
  });

  it("a read below the log start offset is a clear 'offset out of range' error", () => {
    const log = new PartitionLog<number>({ segmentRecords: 2, retentionRecords: 2, name: "orders-0 on b1" });
    for (let i = 0; i < 6; i++) log.append("k", i, i);
    log.applyRetention(10);
    expect(() => log.read(0, 1)).toThrow(OffsetOutOfRangeError);
    expect(() => log.read(0, 1)).toThrow(/offset out of range: orders-0 on b1 holds offsets 4\.\.5 .*asked for 0 — deleted by retention/);
    expect(() => log.read(7, 1)).toThrow(/asked for 7/);
  });

  it("compaction keeps the newest record of every key, with its offset (gaps allowed)", () => {
    const log = new PartitionLog<string>({ segmentRecords: 3 });
    const writes: Array<[string, string]> = [["a", "a1"], ["b", "b1"], ["a", "a2"], ["c", "c1"], ["b", "b2"], ["a", "a3"], ["d", "d1"]];
    for (const [k, v] of writes) log.append(k, v);
    expect(log.compact()).toEqual([0, 1, 2]); // a1, b1, a2 shadowed; the active segment [6] untouched
    const kept = log.read(0, 100).map((r) => `${r.offset}:${r.value}`);
    expect(kept).toEqual(["3:c1", "4:b2", "5:a3", "6:d1"]);
    expect(log.logStartOffset).toBe(0); // compacted away is not out of range
    expect(log.read(1, 1)[0].offset).toBe(3); // a read in a gap starts at the next record kept
    expect(log.append("a", "a4")).toBe(7); // offsets go on
  });

  it("truncateTo drops the tail (a follower's unreplicated records), and the observer hears every change", () => {
    const changes: string[] = [];
    const log = new PartitionLog<number>({ highWatermark: "manual", observer: { appended: (r) => changes.push(`+${r.offset}`), removed: (o) => changes.push(`-${o.join(",")}`) } });
    for (let i = 0; i < 5; i++) log.append("k", i);
    expect(log.highWatermark).toBe(0);
    log.advanceHighWatermark(3);
    expect(log.read(0, 10).length).toBe(3); // consumers see only below the high watermark
    log.truncateTo(3);
    expect(log.logEndOffset).toBe(3);
    expect(changes).toEqual(["+0", "+1", "+2", "+3", "+4", "-4,3"]);
  });

  it("rejects bad options and offsets clearly", () => {
    expect(() => new PartitionLog({ segmentRecords: 0, name: "t-0" })).toThrow(/t-0: segmentRecords must be a whole number ≥ 1/);
    const log = new PartitionLog();
    log.append("k", 1);
    expect(() => log.appendRecord({ offset: 0, key: "k", value: 2, timestampMs: 0 })).toThrow(/below the log end offset 1/);
  });
});
