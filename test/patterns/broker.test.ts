// The queue broker (MOM): FIFO queues, acknowledgements, redelivery (at-least-once), a consumer
// that is down, a broker that restarts, topics fanned out into per-subscriber queues.
import { describe, expect, it } from "vitest";
import { Simulation, latency, newQueueBrokerCounters, queueBroker, queueConsumer } from "../../lib";
import type { Node, QueueBroker, QueueDelivery } from "../../lib";

/** A broker, a producer that enqueues via rpc (with retries), and a log of what consumers processed. */
function world(options: { seed?: number; ackTimeoutMs?: number; lossProbability?: number } = {}) {
  const sim = new Simulation({ seed: options.seed ?? 1, network: { latency: latency.constant(1), lossProbability: options.lossProbability ?? 0 } });
  const counters = newQueueBrokerCounters();
  let broker: QueueBroker | undefined;
  sim.spawn("broker", (node) => void (broker = queueBroker(node, { ackTimeoutMs: options.ackTimeoutMs ?? 50, counters })), { role: "broker" });
  const producer = sim.spawn("producer");
  const processed: Array<{ by: string; atMs: number } & QueueDelivery> = [];
  const enqueue = (queue: string, payload: unknown) => producer.rpc("broker", { type: "enqueue", queue, payload }, { timeoutMs: 20, retries: 10 });
  const publish = (topic: string, payload: unknown) => producer.rpc("broker", { type: "publish", topic, payload }, { timeoutMs: 20, retries: 10 });
  /** A consumer that takes `workMs` per message (recorded when it starts) before its ack. */
  const consumer = (id: string, spec: { queues?: string[]; topics?: string[]; workMs?: number; dedup?: boolean; prefetch?: number }) =>
    sim.spawn(id, (node: Node) =>
      void queueConsumer(node, {
        broker: "broker",
        queues: spec.queues,
        topics: spec.topics,
        dedup: spec.dedup,
        prefetch: spec.prefetch,
        process: async (d) => {
          processed.push({ by: id, atMs: node.now(), ...d });
          if (spec.workMs) await node.sleep(spec.workMs);
        },
      }), { role: "consumer" });
  return { sim, counters, broker: () => broker!, enqueue, publish, consumer, processed };
}

const payloads = (list: Array<{ payload: unknown }>) => list.map((d) => d.payload);

describe("queueBroker", () => {
  it("a queue delivers in FIFO order, each message once; acked messages leave the queue", async () => {
    const w = world();
    w.consumer("c1", { queues: ["jobs"] });
    await w.sim.runFor(10);
    for (let i = 1; i <= 5; i++) await w.sim.runUntilSettled(w.enqueue("jobs", i));
    await w.sim.runFor(100);
    expect(payloads(w.processed)).toEqual([1, 2, 3, 4, 5]);
    expect(w.processed.every((d) => !d.redelivered && d.deliveryCount === 1)).toBe(true);
    expect(w.broker().depth("jobs")).toBe(0);
    expect(w.counters).toMatchObject({ enqueued: 5, deliveries: 5, acked: 5, redeliveries: 0, ackTimeouts: 0 });
  });

  it("messages wait while the consumer is down and are delivered, in order, when it comes back", async () => {
    const w = world();
    w.consumer("c1", { queues: ["jobs"] });
    await w.sim.runFor(10);
    w.sim.crash("c1");
    for (let i = 1; i <= 4; i++) await w.sim.runUntilSettled(w.enqueue("jobs", i));
    await w.sim.runFor(300); // the broker keeps trying (and timing out): nothing is lost
    expect(w.processed).toEqual([]);
    expect(w.broker().depth("jobs")).toBe(4);
    w.sim.restart("c1");
    await w.sim.runFor(100);
    expect(payloads(w.processed)).toEqual([1, 2, 3, 4]);
    expect(w.broker().depth("jobs")).toBe(0);
  });

  it("a consumer that crashes after processing but before its ack gets the message again: processed twice", async () => {
    const w = world();
    w.consumer("c1", { queues: ["mail"], workMs: 20, prefetch: 1 });
    await w.sim.runFor(10);
    await w.sim.runUntilSettled(w.enqueue("mail", "send invoice #7"));
    await w.sim.runFor(5); // c1 is working on it: its ack will only leave at the end
    w.sim.crash("c1");
    w.sim.restart("c1"); // re-registers: the broker requeues what c1 had in flight
    await w.sim.runFor(100);
    expect(w.processed.map((d) => [d.payload, d.redelivered, d.deliveryCount])).toEqual([
      ["send invoice #7", false, 1],
      ["send invoice #7", true, 2], // the duplicate the application must tolerate
    ]);
    expect(w.counters.acked).toBe(1);
  });

  it("the same crash with dedup: the redelivery is acknowledged but not processed again", async () => {
    const w = world();
    // dedup keeps the processed ids on the consumer's disk, so it also holds across its restarts
    w.consumer("c1", { queues: ["mail"], dedup: true });
    await w.sim.runFor(10);
    await w.sim.runUntilSettled(w.enqueue("mail", "m1"));
    await w.sim.runFor(10); // processed and acked
    w.sim.addRule({ match: { type: "ack" }, action: "drop", fromMs: w.sim.now(), toMs: w.sim.now() + 30 }); // the next ack is lost
    await w.sim.runUntilSettled(w.enqueue("mail", "m2"));
    await w.sim.runFor(200);
    expect(payloads(w.processed)).toEqual(["m1", "m2"]); // m2 arrived twice, processed once
    expect(w.counters.redeliveries).toBe(1);
    expect(w.counters.ackTimeouts).toBe(1);
    expect(w.broker().depth("mail")).toBe(0);
  });

  it("the broker restarts: every message not yet acknowledged is still there, in order", async () => {
    const w = world();
    for (let i = 1; i <= 5; i++) await w.sim.runUntilSettled(w.enqueue("orders", i));
    w.sim.crash("broker");
    w.sim.restart("broker");
    expect(w.broker().depth("orders")).toBe(5);
    w.consumer("c1", { queues: ["orders"] });
    await w.sim.runFor(100);
    expect(payloads(w.processed)).toEqual([1, 2, 3, 4, 5]);
    // a registration survives too: crash again with c1 registered, enqueue after the restart
    w.sim.crash("broker");
    w.sim.restart("broker");
    await w.sim.runUntilSettled(w.enqueue("orders", 6));
    await w.sim.runFor(50);
    expect(payloads(w.processed)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("a broker crash with deliveries in flight: they are delivered again after the restart (marked redelivered)", async () => {
    const w = world();
    w.consumer("c1", { queues: ["q"], workMs: 30 });
    await w.sim.runFor(10);
    await w.sim.runUntilSettled(w.enqueue("q", "x"));
    await w.sim.runFor(5);
    w.sim.crash("broker"); // c1's ack will find no broker
    await w.sim.runFor(50);
    w.sim.restart("broker");
    await w.sim.runFor(100);
    expect(w.processed.map((d) => [d.payload, d.redelivered])).toEqual([
      ["x", false],
      ["x", true],
    ]);
    expect(w.broker().depth("q")).toBe(0);
  });

  it("competing consumers: each message goes to exactly one of them, and the work is shared", async () => {
    const w = world();
    w.consumer("c1", { queues: ["jobs"], workMs: 5, prefetch: 1 });
    w.consumer("c2", { queues: ["jobs"], workMs: 5, prefetch: 1 });
    await w.sim.runFor(10);
    for (let i = 1; i <= 20; i++) void w.enqueue("jobs", i);
    await w.sim.runFor(500);
    expect(payloads(w.processed).sort((a, b) => (a as number) - (b as number))).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const byC1 = w.processed.filter((d) => d.by === "c1").length;
    expect(byC1).toBeGreaterThanOrEqual(8);
    expect(byC1).toBeLessThanOrEqual(12);
  });

  it("topics fan out: every subscriber gets every message in its own queue, kept while it is down", async () => {
    const w = world();
    w.consumer("s1", { topics: ["prices"] });
    w.consumer("s2", { topics: ["prices"] });
    await w.sim.runFor(10);
    await w.sim.runUntilSettled(w.publish("prices", "p1"));
    await w.sim.runFor(5); // delivered and acknowledged
    w.sim.crash("s2");
    await w.sim.runUntilSettled(w.publish("prices", "p2"));
    const late = w.consumer("s3", { topics: ["prices"] }); // subscribes now: sees only what comes after
    await w.sim.runFor(10);
    await w.sim.runUntilSettled(w.publish("prices", "p3"));
    await w.sim.runFor(100);
    expect(w.broker().depth("prices:s2")).toBe(2); // p2, p3 wait for s2
    w.sim.restart("s2");
    await w.sim.runFor(100);
    const of = (id: string) => payloads(w.processed.filter((d) => d.by === id));
    expect(of("s1")).toEqual(["p1", "p2", "p3"]);
    expect(of("s2")).toEqual(["p1", "p2", "p3"]);
    expect(of("s3")).toEqual(["p3"]);
    expect(late.id).toBe("s3");
    expect(w.counters).toMatchObject({ published: 3, enqueued: 2 + 2 + 3 });
    const none = await w.sim.runUntilSettled(w.publish("nobody-listens", "x"));
    expect(none.body.messageIds).toEqual([]);
    expect(w.counters.unroutable).toBe(1);
  });

  it("at-least-once under message loss: every message is processed at least once, and the queue drains", async () => {
    for (const seed of [1, 2, 3]) {
      const w = world({ seed, lossProbability: 0.2, ackTimeoutMs: 30 });
      w.consumer("c1", { queues: ["jobs"] });
      for (let i = 1; i <= 20; i++) void w.enqueue("jobs", i).catch(() => {});
      await w.sim.runFor(2000);
      const seen = new Set(payloads(w.processed));
      expect(seen.size, `seed ${seed}`).toBe(20);
      expect(w.broker().depth("jobs"), `seed ${seed}`).toBe(0);
      expect(w.processed.length, `seed ${seed}`).toBeGreaterThan(20); // lost deliveries and acks cause duplicates
    }
  });

  it("rejects a request without a queue name, naming the broker and the sender", async () => {
    const w = world();
    void w.sim.node("producer").send("broker", { type: "enqueue", payload: 1 });
    await expect(w.sim.runFor(10)).rejects.toThrow(/queueBroker on broker at t=1ms: enqueue from producer: "queue" must be a non-empty string/);
  });
});
