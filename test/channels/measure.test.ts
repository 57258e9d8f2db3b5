// What reliability costs, measured and predicted: messages per delivery and latency of the perfect
// link against (2 − p)/(1 − p)² and E[one-way] + R·p/(1 − p) (see predictedLinkCost).
import { describe, expect, it } from "vitest";
import { latency } from "../../lib/net";
import { measureLinkCost, predictedLinkCost, type LinkCost, type LinkCostOptions } from "../../lib/channels/index";

const SEEDS = [1, 2, 3, 4, 5];

async function overSeeds(options: Omit<LinkCostOptions, "seed">): Promise<{ messagesPerDelivery: number; latencyMsMean: number; runs: LinkCost[] }> {
  const runs: LinkCost[] = [];
  for (const seed of SEEDS) runs.push(await measureLinkCost({ ...options, seed }));
  const mean = (f: (c: LinkCost) => number): number => runs.reduce((s, c) => s + f(c), 0) / runs.length;
  return { messagesPerDelivery: mean((c) => c.messagesPerDelivery), latencyMsMean: mean((c) => c.latencyMsMean), runs };
}

describe("measureLinkCost: the perfect link against theory", () => {
  it("costs exactly 2 messages per delivery (data + ack) on a perfect network", async () => {
    const cost = await measureLinkCost({ link: "perfect", lossProbability: 0, seed: 1 });
    expect(cost.messagesPerDelivery).toBe(2);
    expect(cost.deliveries).toBe(200);
    expect(cost.duplicatesDelivered).toBe(0);
    expect(cost.latencyMsMax).toBeLessThanOrEqual(15);
  });

  for (const p of [0.1, 0.3, 0.5]) {
    it(`at loss ${p}: messages per delivery ≈ (2 − p)/(1 − p)², latency ≈ 10 + 50·p/(1 − p) ms (5 seeds × 200 messages)`, async () => {
      const measured = await overSeeds({ link: "perfect", lossProbability: p });
      const predicted = predictedLinkCost({ link: "perfect", lossProbability: p });
      expect(predicted.messagesPerDelivery).toBeCloseTo((2 - p) / (1 - p) ** 2, 10);
      // Tolerances are about three standard errors of the mean over 1000 messages.
      expect(Math.abs(measured.messagesPerDelivery / predicted.messagesPerDelivery - 1)).toBeLessThan(0.06);
      expect(Math.abs(measured.latencyMsMean / predicted.latencyMsMean! - 1)).toBeLessThan(0.1);
      for (const run of measured.runs) expect(run.deliveries).toBe(200);
    });
  }

  it("the prediction breaks when retransmitMs is below the round trip (copies sent while the ack is on its way)", async () => {
    const options = { link: "perfect", lossProbability: 0.1, retransmitMs: 12, latency: latency.uniform(5, 15) } as const;
    const measured = await overSeeds(options);
    expect(measured.messagesPerDelivery).toBeGreaterThan(predictedLinkCost(options).messagesPerDelivery * 1.3);
  });
});

describe("measureLinkCost: stubborn and FIFO links", () => {
  it("a stubborn link pays per round until the last message is through: E[max of m geometrics]", async () => {
    const measured = await overSeeds({ link: "stubborn", lossProbability: 0.3 });
    const predicted = predictedLinkCost({ link: "stubborn", lossProbability: 0.3, messages: 200 }).messagesPerDelivery;
    expect(Math.abs(measured.messagesPerDelivery / predicted - 1)).toBeLessThan(0.15);
    expect(measured.runs.every((r) => r.duplicatesDelivered > 0)).toBe(true); // no dedup: the receiver sees copies
    const perfect = predictedLinkCost({ link: "perfect", lossProbability: 0.3 }).messagesPerDelivery;
    expect(measured.messagesPerDelivery).toBeGreaterThan(perfect); // more than with acks, and it grows with m
    expect(predictedLinkCost({ link: "stubborn", lossProbability: 0.3, messages: 2000 }).messagesPerDelivery).toBeGreaterThan(predicted);
  });

  it("a FIFO link sends as much as a perfect link but delivers later (head-of-line blocking)", async () => {
    const fifo = await measureLinkCost({ link: "fifo", lossProbability: 0.2, seed: 1 });
    const perfect = await measureLinkCost({ link: "perfect", lossProbability: 0.2, seed: 1 });
    expect(fifo.messagesPerDelivery).toBe(perfect.messagesPerDelivery); // same seed: the same copies are lost
    expect(fifo.latencyMsMean).toBeGreaterThan(2 * perfect.latencyMsMean);
    expect(fifo.predicted.latencyMsMean).toBeUndefined();
  });

  it("is deterministic and checks its options", async () => {
    expect(await measureLinkCost({ link: "perfect", lossProbability: 0.2, seed: 7, messages: 50 })).toEqual(await measureLinkCost({ link: "perfect", lossProbability: 0.2, seed: 7, messages: 50 }));
    await expect(measureLinkCost({ link: "perfect", lossProbability: 1 })).rejects.toThrow(/lossProbability: got 1, expected a probability in \[0, 1\)/);
    await expect(measureLinkCost({ link: "carrier-pigeon" as never, lossProbability: 0 })).rejects.toThrow(/one of perfect, stubborn, fifo/);
  });
});
