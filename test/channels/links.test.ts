// Links of Cachin, Guerraoui & Rodrigues §2.4 on the simulated network: what each one promises, and
// what it does not, under loss, duplication, reordering and crashes.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import { latency, type NetworkOptions } from "../../lib/net";
import { openFairLossLink, openFifoLink, openPerfectLink, openStubbornLink } from "../../lib/channels/index";

const hostile: NetworkOptions = { latency: latency.uniform(1, 20), lossProbability: 0.3, duplicationProbability: 0.2, ordering: "unordered" };
const SEEDS = Array.from({ length: 12 }, (_, i) => i + 1);

/** How often each value was delivered. */
function tally<T>(values: readonly T[]): Map<T, number> {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

describe("fair-loss link (FLL1–3): the raw network", () => {
  it("loses some messages, duplicates some, invents none", async () => {
    const sim = new Simulation({ seed: 1, network: hostile });
    const got: number[] = [];
    sim.spawn("b", (node) => openFairLossLink<number>(node, { deliver: (_src, n) => got.push(n) }));
    const link = openFairLossLink<number>(sim.spawn("a"), { deliver: () => {} });
    for (let n = 0; n < 200; n++) link.send("b", n);
    await sim.run();
    const counts = tally(got);
    expect(link.counters.sent).toBe(200);
    expect(counts.size).toBeGreaterThan(110); // ~70% arrive
    expect(counts.size).toBeLessThan(170);
    expect([...counts.values()].some((c) => c === 2)).toBe(true); // duplicated (FLL2: finitely often)
    expect([...counts.keys()].every((n) => n >= 0 && n < 200)).toBe(true); // FLL3
  });
});

describe("stubborn link (SL1–2): retransmit forever", () => {
  it("delivers a message again and again, until the sender stops it", async () => {
    const sim = new Simulation({ seed: 2, network: { lossProbability: 0.5 } });
    let copies = 0;
    sim.spawn("b", (node) => openStubbornLink(node, { deliver: () => copies++ }));
    const link = openStubbornLink(sim.spawn("a"), { deliver: () => {}, retransmitMs: 10 });
    link.send("b", "hello");
    await sim.runFor(1000);
    expect(link.counters.sent).toBe(101); // once, then every 10 ms
    expect(copies).toBeGreaterThan(30); // half of them arrive: SL1, many times
    expect(copies).toBeLessThan(70);
    link.stop();
    await sim.run(); // with the timer stopped the run ends
    expect(sim.pending()).toHaveLength(0);
  });
});

describe("perfect link (PL1–3): retransmit until acknowledged, deliver once", () => {
  it("delivers every message exactly once under 30% loss, 20% duplication and reordering (12 seeds)", async () => {
    for (const seed of SEEDS) {
      const sim = new Simulation({ seed, network: hostile });
      const got: string[] = [];
      sim.spawn("b", (node) => openPerfectLink<string>(node, { deliver: (src, m) => got.push(`${src}:${m}`) }));
      sim.spawn("c", (node) => openPerfectLink<string>(node, { deliver: (src, m) => got.push(`${src}:${m}`) }));
      const a = openPerfectLink<string>(sim.spawn("a"), { deliver: () => {} });
      const c = openPerfectLink<string>(sim.spawn("d"), { deliver: () => {} });
      for (let i = 0; i < 30; i++) {
        a.send("b", `m${i}`);
        c.send("b", `m${i}`); // the same payloads from another sender are different messages
      }
      await sim.runUntil(() => a.pending === 0 && c.pending === 0, { withinMs: 10_000 });
      const counts = tally(got);
      expect(counts.size, `seed ${seed}`).toBe(60);
      expect([...counts.values()].every((n) => n === 1), `seed ${seed}: a message was delivered twice`).toBe(true);
      expect(a.counters.dataSent, `seed ${seed}: loss must have forced retransmissions`).toBeGreaterThan(30);
    }
  });

  it("uses the wire protocol of exercise 01.1: pl_data { id, payload } and pl_ack { id }", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("b", (node) => openPerfectLink(node, { deliver: () => {} }));
    const a = openPerfectLink(sim.spawn("a"), { deliver: () => {} });
    a.send("b", { x: 1 });
    await sim.run();
    const sends = sim.trace.filter({ kinds: ["send"] });
    expect(sends.map((e) => e.type)).toEqual(["pl_data", "pl_ack"]);
    expect(sim.trace.events.length).toBeGreaterThan(0);
    expect(a.pending).toBe(0);
  });

  /** b crashes while a's messages are in flight and restarts; a keeps retransmitting the unacknowledged ones. */
  async function receiverCrashRun(seed: number, durable: boolean, disk: "durable" | "buffered" = "durable"): Promise<Map<string, number>> {
    const sim = new Simulation({ seed, network: { latency: latency.uniform(5, 15), lossProbability: 0.3, ordering: "unordered" } });
    const got: string[] = []; // outside the node: survives b's crash, like the application's output
    sim.spawn("b", (node) => openPerfectLink<string>(node, { durable, deliver: (_src, m) => got.push(m) }), { disk });
    const a = openPerfectLink<string>(sim.spawn("a"), { deliver: () => {}, retransmitMs: 40 });
    for (let i = 0; i < 20; i++) a.send("b", `m${i}`);
    sim.at(10, () => sim.crash("b"), "b crashes: it delivered some messages, and some of its acks are lost");
    sim.at(100, () => sim.restart("b"), "b restarts");
    await sim.runUntil(() => a.pending === 0, { withinMs: 10_000 });
    return tally(got);
  }

  it("with durable: true, a receiver that crashes and restarts delivers nothing twice (12 seeds)", async () => {
    for (const seed of SEEDS) {
      const counts = await receiverCrashRun(seed, true);
      expect(counts.size, `seed ${seed}`).toBe(20);
      expect([...counts.entries()].filter(([, n]) => n > 1), `seed ${seed}: delivered twice`).toEqual([]);
    }
  });

  it("the same on a buffered disk: the link syncs its delivered set before it acknowledges", async () => {
    for (const seed of SEEDS.slice(0, 6)) {
      const counts = await receiverCrashRun(seed, true, "buffered");
      expect(counts.size, `seed ${seed}`).toBe(20);
      expect([...counts.values()].every((n) => n === 1), `seed ${seed}: delivered twice`).toBe(true);
    }
  });

  it("without durable storage the restarted receiver forgets and delivers duplicates (the test above can fail)", async () => {
    let duplicated = 0;
    for (const seed of SEEDS) {
      const counts = await receiverCrashRun(seed, false);
      if ([...counts.values()].some((n) => n > 1)) duplicated++;
    }
    expect(duplicated).toBeGreaterThan(SEEDS.length / 2);
  });

  it("with durable: true, ids stay unique across the sender's restarts, so new messages are not taken for old ones", async () => {
    const run = async (durable: boolean): Promise<string[]> => {
      const sim = new Simulation({ seed: 3 });
      const got: string[] = [];
      sim.spawn("b", (node) => openPerfectLink<string>(node, { durable, deliver: (_src, m) => got.push(m) }));
      sim.spawn("a", (node) => {
        const link = openPerfectLink<string>(node, { durable, deliver: () => {} });
        for (let i = 0; i < 3; i++) link.send("b", `incarnation ${node.incarnation} message ${i}`);
      });
      sim.at(50, () => {
        sim.crash("a");
        sim.restart("a");
      }, "a crashes and restarts");
      await sim.runFor(500);
      return got;
    };
    expect(await run(true)).toHaveLength(6);
    expect(await run(false)).toHaveLength(3); // ids 1, 2, 3 again: dropped as duplicates
  });

  it("stop() ends the retransmissions to a receiver that crashed for good", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("b", (node) => openPerfectLink(node, { deliver: () => {} }));
    sim.crash("b");
    const a = openPerfectLink(sim.spawn("a"), { deliver: () => {}, retransmitMs: 10 });
    a.send("b", 1);
    await sim.runFor(95);
    expect(a.counters.dataSent).toBe(10);
    expect(a.pending).toBe(1);
    a.stop();
    await sim.run();
    expect(a.pending).toBe(0);
    expect(a.counters.dataSent).toBe(10);
  });

  it("rejects bad options with the node and the time in the error", () => {
    const sim = new Simulation({ seed: 1 });
    const a = sim.spawn("a");
    expect(() => openPerfectLink(a, { deliver: () => {}, retransmitMs: 0 })).toThrow(/openPerfectLink: retransmitMs must be a finite number > 0, got 0 \(node "a", t=0/);
    expect(() => openPerfectLink(a, {} as never)).toThrow(/options.deliver must be a function/);
    const link = openPerfectLink(a, { deliver: () => {} });
    expect(() => link.send(undefined as never, 1)).toThrow(/dest must be a node id/);
    expect(() => openPerfectLink(a, { deliver: () => {} })).toThrow(/already handles "pl_data", "pl_ack" \(another link with the same tag\?\)/);
  });
});

describe("FIFO perfect link: sequence numbers over a perfect link", () => {
  it("delivers in send order, per sender, under loss, duplication and reordering (12 seeds)", async () => {
    for (const seed of SEEDS) {
      const sim = new Simulation({ seed, network: hostile });
      const got = new Map<string, number[]>();
      let fifo!: ReturnType<typeof openFifoLink<number>>;
      sim.spawn("b", (node) => {
        fifo = openFifoLink<number>(node, { deliver: (src, n) => got.set(src, [...(got.get(src) ?? []), n]) });
      });
      const senders = ["a", "c"].map((id) => openFifoLink<number>(sim.spawn(id), { deliver: () => {} }));
      for (let n = 1; n <= 25; n++) for (const s of senders) s.send("b", n);
      await sim.runUntil(() => senders.every((s) => s.pending === 0), { withinMs: 10_000 });
      const inOrder = Array.from({ length: 25 }, (_, i) => i + 1);
      expect(got.get("a"), `seed ${seed}`).toEqual(inOrder);
      expect(got.get("c"), `seed ${seed}`).toEqual(inOrder);
      expect(fifo.counters.buffered).toBe(0);
    }
  });

  it("the plain perfect link on the same network does reorder (so the FIFO test means something)", async () => {
    const sim = new Simulation({ seed: 1, network: hostile });
    const got: number[] = [];
    sim.spawn("b", (node) => openPerfectLink<number>(node, { deliver: (_src, n) => got.push(n) }));
    const a = openPerfectLink<number>(sim.spawn("a"), { deliver: () => {} });
    for (let n = 1; n <= 25; n++) a.send("b", n);
    await sim.runUntil(() => a.pending === 0);
    expect(got).toHaveLength(25);
    expect(got).not.toEqual([...got].sort((x, y) => x - y));
  });
});
