// Causal broadcast (Birman, Schiper & Stephenson 1991): a reply is never delivered before its
// question, even when the network reorders, loses and duplicates; FIFO-only delivery lets it happen.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import { latency } from "../../lib/net";
import { compareVectors, openCausalBroadcast, questionAndReply } from "../../lib/time/index";
import type { BroadcastOrder, CausalBroadcast, VectorTimestamp } from "../../lib/time/index";

const SEEDS = Array.from({ length: 10 }, (_, i) => i + 1);
const GROUP = ["n1", "n2", "n3", "n4", "n5"];

describe("the anomaly causal order prevents: a reply seen before its question", () => {
  it("FIFO order shows n3 the reply first; causal order holds the reply back until the question", async () => {
    const fifo = await questionAndReply({ seed: 1, order: "fifo" });
    const causal = await questionAndReply({ seed: 1, order: "causal" });
    expect(fifo.seenAtN3).toEqual(["n2: reply", "n1: question"]);
    expect(fifo.anomaly).toBe(true);
    expect(causal.seenAtN3).toEqual(["n1: question", "n2: reply"]);
    expect(causal.delayedAtN3).toBe(1);
  });

  it("over 10 seeds: the anomaly in every FIFO run, never in a causal one", async () => {
    let fifoAnomalies = 0;
    for (const seed of SEEDS) {
      if ((await questionAndReply({ seed, order: "fifo" })).anomaly) fifoAnomalies++;
      expect((await questionAndReply({ seed, order: "causal" })).anomaly, `seed=${seed}`).toBe(false);
    }
    expect(fifoAnomalies).toBe(SEEDS.length);
  });
});

/**
 * Five members broadcast at random times and each answers about a third of what it delivers:
 * lots of causal chains across senders. Returns, per member, the stamps of what it delivered.
 */
async function chatter(seed: number, order: BroadcastOrder) {
  const sim = new Simulation({ seed, network: { latency: latency.uniform(1, 40), ordering: "unordered", lossProbability: 0.1, duplicationProbability: 0.05 } });
  const delivered = new Map<string, Array<{ origin: string; stamp: VectorTimestamp }>>();
  const endpoints = new Map<string, CausalBroadcast<string>>();
  sim.spawnMany(GROUP, (node) => {
    const log: Array<{ origin: string; stamp: VectorTimestamp }> = [];
    delivered.set(node.id, log);
    let replies = 0;
    const cb = openCausalBroadcast<string>(node, {
      group: GROUP,
      order,
      retransmitMs: 100,
      deliver: (origin, _text, stamp) => {
        log.push({ origin, stamp });
        if (origin !== node.id && replies < 4 && node.rng.chance(0.35)) {
          replies++;
          cb.broadcast(`re ${origin}`);
        }
      },
    });
    endpoints.set(node.id, cb);
    let left = 4;
    const next = (): void => void node.setTimer(node.rng.uniform(5, 60), () => {
      cb.broadcast("news");
      if (--left > 0) next();
    }, "broadcast");
    next();
  });
  await sim.runFor(3000);
  for (const cb of endpoints.values()) cb.stop();
  return { delivered, endpoints };
}

/** Pairs delivered against causal order at some member: m2 delivered before m1 although m1 → m2. */
function causalViolations(delivered: Map<string, Array<{ origin: string; stamp: VectorTimestamp }>>): number {
  let bad = 0;
  for (const log of delivered.values()) {
    for (let i = 0; i < log.length; i++) for (let j = i + 1; j < log.length; j++) if (compareVectors(log[j].stamp, log[i].stamp) === "before") bad++;
  }
  return bad;
}

describe("causal broadcast under loss, duplication and reordering (5 members, 10 seeds)", () => {
  it("causal order: every member delivers every message once, never out of causal order", async () => {
    let messages = 0;
    let delayed = 0;
    for (const seed of SEEDS) {
      const { delivered, endpoints } = await chatter(seed, "causal");
      expect(causalViolations(delivered), `seed=${seed}`).toBe(0);
      const counts = [...delivered.values()].map((log) => log.length);
      expect(new Set(counts).size, `seed=${seed}: ${counts}`).toBe(1); // all delivered the same number
      for (const log of delivered.values()) expect(new Set(log.map((d) => JSON.stringify(d.stamp))).size).toBe(log.length); // no duplicates
      for (const cb of endpoints.values()) expect(cb.counters.buffered).toBe(0);
      messages += counts[0];
      delayed += [...endpoints.values()].reduce((s, cb) => s + cb.counters.delayed, 0);
    }
    console.log(`causal: ${messages} messages over ${SEEDS.length} seeds, ${delayed} deliveries held back, 0 out of causal order`);
    expect(delayed).toBeGreaterThan(10); // the buffer really did work
  });

  it("FIFO-only delivery keeps each sender's order but breaks causal order", async () => {
    let violations = 0;
    for (const seed of SEEDS) {
      const { delivered } = await chatter(seed, "fifo");
      for (const log of delivered.values()) {
        for (const origin of GROUP) {
          const own = log.filter((d) => d.origin === origin).map((d) => d.stamp[origin]);
          expect(own, `seed=${seed} from ${origin}`).toEqual(own.map((_, i) => i + 1)); // FIFO holds
        }
      }
      violations += causalViolations(delivered);
    }
    console.log(`fifo: ${violations} pairs delivered out of causal order over ${SEEDS.length} seeds`);
    expect(violations).toBeGreaterThan(0);
  });

  it("a message from outside the group, or a bad option, is a clear error", async () => {
    const sim = new Simulation({ seed: 1 });
    const a = sim.spawn("a", () => {});
    expect(() => openCausalBroadcast(a, { group: ["b", "c"], deliver: () => {} })).toThrow(/group must be an array of node ids that includes this node.*node "a"/);
    expect(() => openCausalBroadcast(a, { group: ["a"], deliver: () => {}, order: "total" as never })).toThrow(/order must be "causal" or "fifo"/);
    expect(() => openCausalBroadcast(a, { group: ["a"] } as never)).toThrow(/deliver must be a function/);
  });
});
