// The event-based style: an event bus, durable or not (lib/styles/event-bus.ts; lecture 000, 001 §4).
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation/index";
import { latency } from "../../lib/net/index";
import { busPublisher, busSubscriber, eventBus, runEventBusTrial, type BusSubscriber, type EventBus } from "../../lib/styles/index";

describe("an event bus couples components only by event type", () => {
  it("each event reaches the subscribers of its type; publisher and subscribers never exchange a message", async () => {
    const sim = new Simulation({ seed: 1, network: { latency: latency.uniform(2, 6) } });
    let bus!: EventBus;
    sim.spawn("bus", (node) => { bus = eventBus(node); });
    const subs: Record<string, BusSubscriber> = {};
    sim.spawn("billing", (node) => { subs.billing = busSubscriber(node, "bus", ["order_placed"]); });
    sim.spawn("shipping", (node) => { subs.shipping = busSubscriber(node, "bus", ["order_paid"]); });
    sim.spawn("shop", async (node) => {
      await node.sleep(20);
      const pub = busPublisher(node, "bus");
      await pub.publish("order_placed", { order: 1 });
      await pub.publish("order_paid", { order: 1 });
      await pub.publish("order_cancelled", { order: 2 }); // nobody listens: dropped
    });
    await sim.runFor(100);
    expect(subs.billing.received.map((e) => [e.eventType, e.event, e.publisher])).toEqual([["order_placed", { order: 1 }, "shop"]]);
    expect(subs.shipping.received.map((e) => e.eventType)).toEqual(["order_paid"]);
    expect(bus.published).toBe(3);
    expect(bus.sent).toBe(2);
    const direct = sim.trace.filter({ kinds: ["send"] }).filter((e) => e.src !== "bus" && e.dest !== "bus");
    expect(direct).toEqual([]);
  });
});

describe("a subscriber that is down", () => {
  it("misses for good what a non-durable bus published meanwhile", async () => {
    const r = await runEventBusTrial({ durable: false });
    expect(r.receivedUp).toBe(20);
    expect(r.lost).toBeGreaterThan(0);
    expect(r.lost).toBe(r.published - r.receivedRestarted);
    expect(r.redelivered).toBe(0);
  });

  it("gets every event from a durable bus after it restarts (decoupled in time)", async () => {
    for (let seed = 1; seed <= 3; seed++) {
      const r = await runEventBusTrial({ durable: true, seed });
      expect(r, `seed ${seed}`).toMatchObject({ receivedUp: 20, receivedRestarted: 20, lost: 0 });
      expect(r.redelivered, `seed ${seed}`).toBeGreaterThan(0);
    }
  });

  it("a durable bus keeps unacknowledged events across its own crash", async () => {
    const sim = new Simulation({ seed: 5, network: { latency: latency.constant(2) } });
    let bus!: EventBus;
    sim.spawn("bus", (node) => { bus = eventBus(node, { durable: true, redeliverMs: 20 }); });
    let audit!: BusSubscriber;
    sim.spawn("audit", (node) => { audit = busSubscriber(node, "bus", ["e"]); });
    sim.spawn("pub", async (node) => {
      await node.sleep(10);
      sim.crash("audit");
      await busPublisher(node, "bus").publish("e", 1);
    });
    await sim.runFor(30);
    expect(bus.unacknowledged("audit")).toBe(1);
    sim.crash("bus");
    sim.restart("bus");
    expect(bus.unacknowledged("audit")).toBe(1); // reloaded from node.storage
    sim.restart("audit");
    await sim.runFor(100);
    expect(audit.received.map((e) => e.event)).toEqual([1]);
    expect(bus.unacknowledged("audit")).toBe(0);
  });
});
