// Mutual exclusion (Coulouris et al. §15.2): the textbook message counts exactly, safety as an
// invariant under concurrency and reordering, liveness, fairness, and what each algorithm does
// when the holder or the coordinator crashes.
import { describe, expect, it } from "vitest";
import { Simulation, InvariantViolation } from "../../lib/simulation/index";
import { latency } from "../../lib/net/index";
import type { Node } from "../../lib/node/index";
import {
  jainIndex,
  measureMutex,
  mutexEntries,
  openCentralMutex,
  openLamportMutex,
  openRicartAgrawala,
  openTokenRing,
  textbookMessagesPerEntry,
  watchMutualExclusion,
  type CentralMutex,
  type Mutex,
} from "../../lib/time/index";

const SIZES = [3, 5, 8];

describe("the textbook message counts, exactly (reliable links)", () => {
  for (const algorithm of ["central", "ricart-agrawala", "lamport"] as const) {
    for (const workload of ["sequential", "concurrent"] as const) {
      it(`${algorithm}, ${workload} requests: ${textbookMessagesPerEntry(algorithm, 5).formula} messages per entry for N = 3, 5, 8`, async () => {
        for (const n of SIZES) {
          const m = await measureMutex({ algorithm, n, workload, entriesPerNode: 3, seed: n });
          expect(m.entries).toBe(3 * n); // liveness: every request granted
          expect(m.messages).toBe(m.entries * m.textbook.low);
          expect(m.messagesPerEntry).toBe({ central: 3, "ricart-agrawala": 2 * (n - 1), lamport: 3 * (n - 1) }[algorithm]);
        }
      });
    }
  }

  it("Ricart–Agrawala and the central server keep their counts on unordered links too", async () => {
    for (const n of SIZES) {
      const ra = await measureMutex({ algorithm: "ricart-agrawala", n, ordering: "unordered", latency: latency.uniform(1, 30), thinkMsMean: 5, seed: n });
      expect(ra.messagesPerEntry).toBe(2 * (n - 1));
      const central = await measureMutex({ algorithm: "central", n, ordering: "unordered", latency: latency.uniform(1, 30), thinkMsMean: 5, seed: n });
      expect(central.messagesPerEntry).toBe(3);
    }
  });

  it("token ring: about 1 message per entry when every node always wants, more than N when requests are rare", async () => {
    for (const n of SIZES) {
      const busy = await measureMutex({ algorithm: "token-ring", n, entriesPerNode: 10, seed: 1 });
      // Each pass is an entry; only the first trip to the first requester is extra.
      expect(busy.messagesPerEntry).toBeGreaterThanOrEqual(1);
      expect(busy.messagesPerEntry).toBeLessThanOrEqual(1 + n / busy.entries);
      const idle = await measureMutex({ algorithm: "token-ring", n, workload: "sequential", gapMs: 200, entriesPerNode: 2, seed: 1 });
      expect(idle.messagesPerEntry).toBeGreaterThan(n); // the token circles while nobody wants it
      const idler = await measureMutex({ algorithm: "token-ring", n, workload: "sequential", gapMs: 800, entriesPerNode: 2, seed: 1 });
      expect(idler.messagesPerEntry).toBeGreaterThan(3 * idle.messagesPerEntry); // and without bound as the gaps grow
    }
    expect(textbookMessagesPerEntry("token-ring", 5)).toEqual({ low: 1, high: Infinity, formula: "1 to ∞" });
  });
});

describe("safety under concurrent requests and reordering; liveness", () => {
  it("no two holders over 10 seeds of concurrent requests with random think times (central, RA, token ring on unordered links; Lamport on FIFO)", async () => {
    for (let seed = 1; seed <= 10; seed++) {
      for (const algorithm of ["central", "ricart-agrawala", "token-ring"] as const) {
        const m = await measureMutex({ algorithm, n: 4, ordering: "unordered", latency: latency.uniform(1, 30), thinkMsMean: 10, entriesPerNode: 4, seed });
        expect(m.entries, `${algorithm}, seed ${seed}`).toBe(16); // the invariant held after every event, and every request was granted
      }
      const lamport = await measureMutex({ algorithm: "lamport", n: 4, latency: latency.uniform(1, 30), thinkMsMean: 10, entriesPerNode: 4, seed });
      expect(lamport.entries).toBe(16);
    }
  });

  /** p1 and p2 request together; p1's request to p2 is held up 50 ms; the critical section lasts 100 ms. */
  async function overtakenRequest(open: (node: Node) => Mutex, ordering: "fifo" | "unordered"): Promise<string[]> {
    const sim = new Simulation({ seed: 1, network: { latency: latency.constant(1), ordering } });
    const entered: string[] = [];
    sim.spawnMany(["p1", "p2"], async (node) => {
      const mutex = open(node);
      await node.sleep(0);
      await mutex.request();
      entered.push(`${node.id}@${node.now()}`);
      await node.sleep(100);
      mutex.release();
    }, { role: "mutex" });
    sim.addRule({ name: "slow request p1→p2", match: { src: "p1", dest: "p2", where: (m) => /request/.test(m.body.type) }, action: "delay", delayMs: latency.constant(50) });
    watchMutualExclusion(sim, ["p1", "p2"]);
    await sim.run();
    return entered;
  }

  it("Lamport's algorithm needs FIFO links: an acknowledgment that overtakes its sender's request lets two nodes in", async () => {
    // p2 hears p1's ack (timestamp 3) before p1's request (timestamp 1), so it believes its own request is first.
    await expect(overtakenRequest((node) => openLamportMutex(node), "unordered")).rejects.toThrow(InvariantViolation);
    await expect(overtakenRequest((node) => openLamportMutex(node), "unordered")).rejects.toThrow(/never two in the critical section.*p1 and p2 are in the critical section together/);
    // On FIFO links the ack waits behind the request: p1 (timestamp 1, lower id) enters first, p2 after.
    expect(await overtakenRequest((node) => openLamportMutex(node), "fifo")).toEqual(["p1@52", "p2@153"]);
  });

  it("Ricart–Agrawala is safe in the same scenario on unordered links (a reply answers one request)", async () => {
    const entered = await overtakenRequest((node) => openRicartAgrawala(node), "unordered");
    // p1 defers its reply to p2's (1, p2) — (1, p1) wins the tie — and p2 replies only when p1's late request arrives.
    expect(entered).toEqual(["p1@52", "p2@153"]);
  });

  it("the central server grants in the order requests arrive: no inversions with equal latencies", async () => {
    const m = await measureMutex({ algorithm: "central", n: 5, latency: latency.constant(2), thinkMsMean: 20, entriesPerNode: 6, seed: 3 });
    expect(m.orderInversions).toBe(0);
    expect(m.jainIndex).toBeGreaterThan(0.8);
    expect(m.waitMsMax).toBeGreaterThanOrEqual(4); // a round trip at least
    expect(m.entriesPerSecond).toBeGreaterThan(0);
    const jittery = await measureMutex({ algorithm: "central", n: 5, latency: latency.uniform(1, 30), thinkMsMean: 20, entriesPerNode: 6, seed: 3 });
    expect(jittery.orderInversions).toBeGreaterThan(0); // arrival order is not request order
  });

  it("Jain's index: 1 for equal waits, 1/n when one node does all the waiting", () => {
    expect(jainIndex([10, 10, 10])).toBe(1);
    expect(jainIndex([30, 0, 0])).toBeCloseTo(1 / 3, 10);
    expect(jainIndex([0, 0])).toBe(1);
  });
});

/** Spawn a coordinator and members p1…p3 running the central mutex; the current handles by node id. */
function centralSystem(sim: Simulation): Map<string, CentralMutex> {
  const handles = new Map<string, CentralMutex>();
  const ids = ["p1", "p2", "p3"];
  sim.spawn("coordinator", (node) => void handles.set(node.id, openCentralMutex(node, { coordinator: "coordinator", members: ids })), { role: "coordinator" });
  sim.spawnMany(ids, (node) => void handles.set(node.id, openCentralMutex(node, { coordinator: "coordinator" })), { role: "mutex" });
  watchMutualExclusion(sim, ids);
  return handles;
}

describe("crashes", () => {
  it("central: when the holder crashes, everyone else blocks for good (the coordinator still thinks it holds)", async () => {
    const sim = new Simulation({ seed: 1 });
    const m = centralSystem(sim);
    void m.get("p1")!.request();
    await sim.runFor(10);
    expect(m.get("p1")!.state).toBe("held");
    sim.crash("p1");
    void m.get("p2")!.request();
    await sim.runFor(5000);
    expect(m.get("p2")!.state).toBe("wanted");
    expect(m.get("coordinator")!.holder).toBe("p1");
    expect(m.get("coordinator")!.queue).toEqual(["p2"]);
  });

  it("central: while the coordinator is down requests block; restarted, it recovers holder and queue from the members and grants again", async () => {
    const sim = new Simulation({ seed: 1 });
    const m = centralSystem(sim);
    void m.get("p1")!.request();
    await sim.runFor(10);
    void m.get("p2")!.request(); // queued behind p1
    await sim.runFor(10);
    sim.crash("coordinator");
    void m.get("p3")!.request(); // lost: the coordinator is down
    await sim.runFor(1000);
    expect([m.get("p1")!.state, m.get("p2")!.state, m.get("p3")!.state]).toEqual(["held", "wanted", "wanted"]);
    sim.restart("coordinator");
    await sim.runFor(100);
    // Recovered: p1 still holds, so nobody else is granted (the invariant watched every event).
    const coordinator = m.get("coordinator")!;
    expect(coordinator.holder).toBe("p1");
    expect(coordinator.queue.slice().sort()).toEqual(["p2", "p3"]);
    m.get("p1")!.release();
    await sim.runFor(10);
    const next = coordinator.holder!;
    expect(m.get(next)!.state).toBe("held");
    m.get(next)!.release();
    await sim.runFor(10);
    m.get(coordinator.holder!)!.release();
    await sim.run();
    expect(["p1", "p2", "p3"].map((id) => m.get(id)!.counters.entries)).toEqual([1, 1, 1]); // liveness after the restart
    expect(sim.trace.events.some((e) => e.kind === "log" && /recovered: holder p1/.test(e.text))).toBe(true);
  });

  it("central: a release lost in the outage is repaired by recovery (the member reports released)", async () => {
    const sim = new Simulation({ seed: 1 });
    const m = centralSystem(sim);
    void m.get("p1")!.request();
    await sim.runFor(10);
    sim.crash("coordinator");
    m.get("p1")!.release(); // lost
    void m.get("p2")!.request(); // lost
    sim.restart("coordinator");
    await sim.runFor(100);
    expect(m.get("p2")!.state).toBe("held");
  });

  for (const [name, open] of [
    ["Ricart–Agrawala", (node: Node) => openRicartAgrawala(node)],
    ["Lamport", (node: Node) => openLamportMutex(node)],
  ] as const) {
    it(`${name}: a crashed node that is not even interested blocks every later request (it never replies)`, async () => {
      const sim = new Simulation({ seed: 1 });
      const handles = new Map<string, Mutex>();
      sim.spawnMany(["p1", "p2", "p3"], (node) => void handles.set(node.id, open(node)), { role: "mutex" });
      watchMutualExclusion(sim, ["p1", "p2", "p3"]);
      await sim.runFor(1);
      void handles.get("p1")!.request();
      await sim.runFor(10);
      expect(handles.get("p1")!.state).toBe("held");
      handles.get("p1")!.release();
      sim.crash("p3");
      void handles.get("p1")!.request();
      await sim.runFor(5000);
      expect(handles.get("p1")!.state).toBe("wanted");
    });
  }

  it("token ring: a crashed holder loses the token; nobody enters again, even after it restarts", async () => {
    const sim = new Simulation({ seed: 1 });
    const ring = ["p1", "p2", "p3"];
    const handles = new Map<string, Mutex>();
    sim.spawnMany(ring, (node) => void handles.set(node.id, openTokenRing(node, { ring })), { role: "mutex" });
    watchMutualExclusion(sim, ring);
    void handles.get("p2")!.request();
    await sim.runFor(50);
    expect(handles.get("p2")!.state).toBe("held");
    sim.crash("p2");
    void handles.get("p3")!.request();
    await sim.runFor(100);
    sim.restart("p2");
    await sim.run(); // the queue empties: no token is moving any more
    expect(handles.get("p3")!.state).toBe("wanted");
    expect(sim.now()).toBeLessThan(200);
  });

  it("token ring: the token also dies when it is passed to a crashed node", async () => {
    const sim = new Simulation({ seed: 1 });
    const ring = ["p1", "p2", "p3"];
    const handles = new Map<string, Mutex>();
    sim.spawnMany(ring, (node) => void handles.set(node.id, openTokenRing(node, { ring })), { role: "mutex" });
    sim.crash("p2");
    void handles.get("p3")!.request();
    await sim.run();
    expect(handles.get("p3")!.state).toBe("wanted");
    expect(sim.trace.events.filter((e) => e.kind === "drop").length).toBe(1);
  });
});

describe("states for the state diagram, and misuse", () => {
  it("each entry is released → wanted → held → released in the trace; mutexEntries reads them back", async () => {
    const m = await measureMutex({ algorithm: "ricart-agrawala", n: 3, entriesPerNode: 2, seed: 1 });
    expect(m.log).toHaveLength(6);
    for (const e of m.log) expect(e.grantedMs - e.requestedMs).toBe(e.waitMs);
    const sim = new Simulation({ seed: 1 });
    const ids = ["p1", "p2"];
    sim.spawnMany(ids, async (node) => {
      const mutex = openRicartAgrawala(node);
      await node.sleep(node.id === "p1" ? 0 : 1);
      await mutex.request();
      await node.sleep(5);
      mutex.release();
    }, { role: "mutex" });
    await sim.run();
    const p2 = sim.trace.events.filter((e) => e.kind === "state" && e.node === "p2").map((e) => (e.kind === "state" ? `${e.to}(${e.cause})` : ""));
    expect(p2).toEqual(["released(start)", "wanted(request())", "held(all replies)", "released(release())"]);
    expect(mutexEntries(sim.trace.events, ids).map((e) => [e.node, e.requestedMs, e.grantedMs])).toEqual([["p1", 0, 2], ["p2", 1, 8]]); // p1 releases at 7, its deferred reply reaches p2 at 8
  });

  it("release without holding, a second request, and a ring without this node are clear errors", async () => {
    const sim = new Simulation({ seed: 4 });
    const a = sim.spawn("a");
    sim.spawn("b");
    const mutex = openRicartAgrawala(a);
    expect(() => mutex.release()).toThrow(/openRicartAgrawala: release\(\) while released: only the holder may release \(node "a", t=0ms\)/);
    void mutex.request();
    expect(() => mutex.request()).toThrow(/request\(\) while wanted/);
    expect(() => openTokenRing(a, { ring: ["x", "y"] })).toThrow(/openTokenRing: this node is not in the ring \[x, y\]/);
    expect(() => openCentralMutex(a, { coordinator: "" })).toThrow(/options.coordinator must be a node id/);
    await expect(measureMutex({ algorithm: "bakery" as never, n: 3 })).rejects.toThrow(/one of central, ricart-agrawala, lamport, token-ring/);
    await expect(measureMutex({ algorithm: "lamport", n: 1 })).rejects.toThrow(/n: got 1, expected a whole number ≥ 2/);
  });

  it("is deterministic: the same seed gives the same measurement", async () => {
    const options = { algorithm: "lamport", n: 4, thinkMsMean: 10, entriesPerNode: 3, seed: 9 } as const;
    expect(await measureMutex(options)).toEqual(await measureMutex(options));
  });
});
