import { describe, expect, it } from "vitest";
import { LOG_ERRORS, logBroker, runLeaderCrash, runProducerRetry, type LogBrokerHandle } from "../../lib/log/index";
import { latency } from "../../lib/net/index";
import type { Node } from "../../lib/node/index";
import { Simulation } from "../../lib/simulation/index";

/** A one-broker simulation and a client whose requests the test awaits. */
function oneBroker(seed: number, options: Partial<Parameters<typeof logBroker>[1]> = {}) {
  const sim = new Simulation({ seed, network: { latency: latency.uniform(5, 15) } });
  const handles: LogBrokerHandle[] = [];
  sim.spawn("b1", (node) => void handles.push(logBroker(node, { topics: [{ name: "orders", partitions: 2 }], ...options })));
  let client!: Node;
  sim.spawn("client", (node) => void (client = node));
  const ask = async (body: Record<string, unknown>) => (await sim.runUntilSettled(client.rpc("b1", body as any, { timeoutMs: 100 }))).body as any;
  return { sim, ask, broker: () => handles[handles.length - 1] };
}

describe("log broker: the wire", () => {
  it("produce gives increasing offsets per partition; fetch returns them with the high watermark", async () => {
    const { ask } = oneBroker(1);
    const offsets: number[] = [];
    for (let i = 0; i < 5; i++) offsets.push((await ask({ type: "produce", topic: "orders", partition: 1, key: `k${i}`, value: i })).offset);
    expect(offsets).toEqual([0, 1, 2, 3, 4]);
    const keyed = await ask({ type: "produce", topic: "orders", key: "user-7", value: "x" });
    expect(keyed.type).toBe("produce_ok");
    const fetched = await ask({ type: "fetch", topic: "orders", partition: 1, offset: 2, maxRecords: 2 });
    expect(fetched).toMatchObject({ type: "fetch_ok", highWatermark: 5, records: [{ offset: 2, key: "k2", value: 2 }, { offset: 3, key: "k3", value: 3 }] });
  });

  it("unknown topic or partition: an error naming the broker, the time and what exists", async () => {
    const { ask } = oneBroker(1);
    const noTopic = await ask({ type: "fetch", topic: "nope", partition: 0, offset: 0, maxRecords: 1 });
    expect(noTopic.code).toBe(LOG_ERRORS.unknownTopicOrPartition);
    expect(noTopic.text).toMatch(/^unknown_topic_or_partition: fetch: unknown topic "nope"; b1 hosts "orders" \(broker b1, t=\d+(\.\d+)?ms\)$/);
    const noPartition = await ask({ type: "produce", topic: "orders", partition: 7, key: "k", value: 1 });
    expect(noPartition.text).toMatch(/topic "orders" has partitions 0\.\.1, got 7/);
    const badKey = await ask({ type: "produce", topic: "orders", partition: 0, key: 3, value: 1 });
    expect(badKey.code).toBe(LOG_ERRORS.malformedRequest);
  });

  it("after retention, a fetch below the log start offset is offset_out_of_range and says where to start", async () => {
    const { sim, ask } = oneBroker(2, { segmentRecords: 5, retentionRecords: 5, retentionCheckMs: 10 });
    for (let i = 0; i < 12; i++) await ask({ type: "produce", topic: "orders", partition: 0, key: "k", value: i });
    await sim.runFor(20);
    const reply = await ask({ type: "fetch", topic: "orders", partition: 0, offset: 0, maxRecords: 3 });
    expect(reply).toMatchObject({ type: "error", code: LOG_ERRORS.offsetOutOfRange, logStartOffset: 5, logEndOffset: 12 });
    expect(reply.text).toMatch(/offset_out_of_range: fetch orders-0: orders-0 on b1 holds offsets 5\.\.11/);
    expect((await ask({ type: "fetch", topic: "orders", partition: 0, offset: 5, maxRecords: 1 })).records[0].value).toBe(5);
  });

  it("committed offsets and the log survive a broker crash and restart", async () => {
    const { sim, ask, broker } = oneBroker(3);
    for (let i = 0; i < 4; i++) await ask({ type: "produce", topic: "orders", partition: 0, key: `k${i}`, value: i });
    expect(await ask({ type: "fetch_committed", group: "g", topic: "orders", partition: 0 })).toEqual(expect.objectContaining({ offset: 0 }));
    await ask({ type: "commit_offset", group: "g", topic: "orders", partition: 0, offset: 3 });
    sim.crash("b1");
    await sim.runFor(50);
    sim.restart("b1");
    expect(broker().log("orders", 0).logEndOffset).toBe(4);
    expect((await ask({ type: "fetch_committed", group: "g", topic: "orders", partition: 0 })).offset).toBe(3);
    expect((await ask({ type: "produce", topic: "orders", partition: 0, key: "k4", value: 4 })).offset).toBe(4);
  });

  it("the idempotent producer's duplicate seq is answered with the first offset; a skipped seq is refused", async () => {
    const { ask } = oneBroker(4);
    const first = await ask({ type: "produce", topic: "orders", partition: 0, key: "k", value: "a", producerId: "p.1", seq: 0 });
    const again = await ask({ type: "produce", topic: "orders", partition: 0, key: "k", value: "a", producerId: "p.1", seq: 0 });
    expect(again).toMatchObject({ offset: first.offset, duplicate: true });
    const skipped = await ask({ type: "produce", topic: "orders", partition: 0, key: "k", value: "c", producerId: "p.1", seq: 2 });
    expect(skipped.code).toBe(LOG_ERRORS.outOfOrderSequence);
  });
});

describe("producer retries and replication", () => {
  it("reply loss: the plain producer writes records twice, the idempotent one once (also with duplicated requests)", async () => {
    const plain = await runProducerRetry({ seed: 1, idempotent: false, replyLoss: 0.3 });
    const idem = await runProducerRetry({ seed: 1, idempotent: true, replyLoss: 0.3, requestDuplication: 0.3 });
    expect(plain.retries).toBeGreaterThan(0);
    expect(plain.duplicatesInLog).toBeGreaterThan(0);
    expect(plain.recordsInLog).toBe(plain.events + plain.duplicatesInLog);
    expect(idem.retries).toBeGreaterThan(0);
    expect(idem.recognised).toBeGreaterThan(0);
    expect(idem.duplicatesInLog).toBe(0);
    expect(idem.recordsInLog).toBe(idem.events);
  });

  it("leader crash: acks=1 loses acknowledged records on some seeds, acks=all never", async () => {
    let lostWithOne = 0;
    for (const seed of [3, 4]) {
      const one = await runLeaderCrash({ seed, acks: 1 });
      const all = await runLeaderCrash({ seed, acks: "all" });
      lostWithOne += one.lostAcknowledged;
      expect(all.lostAcknowledged).toBe(0);
      expect(all.acknowledged).toBe(30); // the producer found the new leader and finished
      expect(all.newLeader).toBe("b2");
    }
    expect(lostWithOne).toBeGreaterThan(0);
  });

  it("the same seed gives the same trace", async () => {
    const a = await runLeaderCrash({ seed: 7, acks: 1 });
    const b = await runLeaderCrash({ seed: 7, acks: 1 });
    expect(a.traceHash).toBe(b.traceHash);
    expect(a.traceLines).toEqual(b.traceLines);
  });
});
