// Chandy–Lamport snapshots (Chandy & Lamport 1985, §3–4) of a bank over a network that reorders:
// per-channel sequence numbers give the FIFO channels the marker rules need, and the recorded
// balances plus the money recorded in flight equal the money in the system.
import { describe, expect, it } from "vitest";
import { Simulation, latency } from "../../lib/index";
import { bankSnapshotDiagram, clBranch, runBankSnapshot, type ClBranch, type ClLocalSnapshot } from "../../lib/recovery/index";

type Sent = { src: string; dest: string; body: { type: string; amount?: number; snapshotId?: string; seq: number } };

/** The messages sent, from the trace, in send order. */
function sentOf(sim: Simulation): Sent[] {
  return sim.trace.events.flatMap((e) => (e.kind === "send" ? [{ src: e.src, dest: e.dest, body: JSON.parse(e.json) }] : []));
}

describe("Chandy–Lamport on a bank", () => {
  it("reordering network, transfers going on: the snapshot total is exactly the money in the system", async () => {
    let captured = 0;
    for (const seed of [1, 2, 3, 4, 5]) {
      const r = await runBankSnapshot({ seed, branches: 4 });
      expect(r.snapshotTotal, `seed ${seed}`).toBe(r.moneyTotal);
      expect(r.error).toBe(0);
      expect(Object.keys(r.channels)).toHaveLength(4 * 3);
      captured += r.inFlightCaptured;
      expect(r.transfers).toBeGreaterThan(50);
    }
    expect(captured).toBeGreaterThan(0);
  });

  it("each recorded channel holds the transfers sent before the sender's marker and handled after the receiver recorded", async () => {
    const r = await runBankSnapshot({ seed: 2, branches: 3 });
    const sent = sentOf(r.simulation);
    for (const [channel, amounts] of Object.entries(r.channels)) {
      const [from, to] = channel.split("→");
      const onChannel = sent.filter((m) => m.src === from && m.dest === to);
      const marker = onChannel.find((m) => m.body.type === "cl_marker")!;
      const beforeMarker = onChannel.filter((m) => m.body.seq < marker.body.seq).map((m) => m.body.amount);
      // FIFO: what the receiver handled before recording is a prefix, so the channel state is the rest.
      expect(beforeMarker.slice(beforeMarker.length - amounts.length), channel).toEqual(amounts);
    }
    // The network did reorder: some message arrived before one sent earlier on its channel.
    const arrivals = r.simulation.trace.events.flatMap((e) => (e.kind === "deliver" ? [e] : []));
    expect(arrivals.some((a, i) => arrivals.slice(i + 1).some((b) => b.src === a.src && b.dest === a.dest && b.sentMs < a.sentMs))).toBe(true);
  });

  it("two snapshots started at once by different branches both add up", async () => {
    const ids = ["a", "b", "c", "d"];
    const sim = new Simulation({ seed: 7, network: { latency: latency.uniform(1, 25), ordering: "unordered" } });
    const banks = new Map<string, ClBranch>();
    const done: ClLocalSnapshot[] = [];
    for (const id of ids) {
      sim.spawn(id, (node) => {
        const bank = clBranch(node, { balance: 500, branches: ids, onSnapshot: (s) => done.push(s) });
        banks.set(id, bank);
        node.setPeriodic(3, () => bank.transfer(node.rng.pick(ids.filter((p) => p !== id)), node.rng.int(1, 30)), "transfer");
      });
    }
    sim.at(50, () => banks.get("a")!.startSnapshot("x"), "a starts x");
    sim.at(50, () => banks.get("c")!.startSnapshot("y"), "c starts y");
    await sim.runUntil(() => done.length === 8, { withinMs: 1000 });
    for (const id of ["x", "y"]) {
      const parts = done.filter((s) => s.snapshotId === id);
      expect(parts).toHaveLength(4);
      const total = parts.reduce((sum, s) => sum + s.balance + Object.values(s.channels).flat().reduce((a, b) => a + b, 0), 0);
      expect(total, id).toBe(2000);
    }
    const now = [...banks.values()].reduce((sum, b) => sum + b.balance, 0);
    expect(now).toBeLessThanOrEqual(2000); // the rest is in flight
  });

  it("without markers, or forgetting channel state, the total is wrong", async () => {
    for (const seed of [1, 2, 3]) {
      const forget = await runBankSnapshot({ seed, variant: "forget-channels" });
      const right = await runBankSnapshot({ seed });
      expect(forget.balances).toEqual(right.balances);
      expect(forget.error).toBe(-right.snapshotTotal + forget.snapshotTotal);
      expect(forget.error).toBeLessThan(0);
      const naive = await runBankSnapshot({ seed, variant: "no-markers" });
      expect(naive.error, `seed ${seed}`).not.toBe(0);
    }
  });

  it("draws the markers with each branch's recording as a note", async () => {
    const r = await runBankSnapshot({ seed: 2, branches: 3 });
    const text = bankSnapshotDiagram(r);
    expect(text.split("\n").filter((l) => l.includes("marker s1"))).toHaveLength(6);
    expect(text).toContain("Note over b1: t=100ms s1#58; recorded balance");
    expect(text.split("\n").filter((l) => l.includes("s1 done"))).toHaveLength(3);
  });

  it("is deterministic and says what was wrong", async () => {
    const a = await runBankSnapshot({ seed: 3 });
    const b = await runBankSnapshot({ seed: 3 });
    expect(a.channels).toEqual(b.channels);
    expect(a.simulation.trace.events).toEqual(b.simulation.trace.events);
    const sim = new Simulation({ seed: 1 });
    let bank: ClBranch | undefined;
    sim.spawn("a", (node) => { bank = clBranch(node, { balance: 10, branches: ["a", "b"] }); });
    expect(() => bank!.transfer("z", 5)).toThrow(/clBranch\(a\): transfer to "z"/);
    expect(bank!.transfer("b", 50)).toBe(false);
    await expect(runBankSnapshot({ variant: "psychic" as never })).rejects.toThrow(/variant/);
  });
});
