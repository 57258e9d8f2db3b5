// Publish–subscribe, direct and through a broker with topics (lib/patterns/pubsub.ts).
import { describe, expect, it } from "vitest";
import {
  Simulation,
  TopicSubscriptions,
  latency,
  pubSubBroker,
  pubSubPublish,
  pubSubPublisher,
  pubSubSubscriber,
  type PubSubPublisher,
  type PubSubSubscriber,
} from "../../lib";

/** Spawn subscribers that subscribe to their topics at `source` when they start. */
function subscribers(sim: Simulation, source: string, topicsById: Record<string, string[]>): Map<string, PubSubSubscriber> {
  const handles = new Map<string, PubSubSubscriber>();
  for (const [id, topics] of Object.entries(topicsById)) {
    sim.spawn(id, async (node) => {
      const me = pubSubSubscriber(node, source);
      handles.set(id, me);
      for (const topic of topics) await me.subscribe(topic);
    });
  }
  return handles;
}

describe("direct publish–subscribe: the publisher keeps the list", () => {
  it("subscription phase, then notification phase: one notify per subscriber of the topic", async () => {
    const sim = new Simulation({ seed: 1, network: { latency: latency.uniform(2, 8) } });
    let weather!: PubSubPublisher;
    sim.spawn("weather", (node) => { weather = pubSubPublisher(node); });
    const subs = subscribers(sim, "weather", { s1: ["rain"], s2: ["rain", "wind"], s3: ["wind"] });
    await sim.runFor(50); // subscription phase
    expect(weather.subscriptions.subscribers("rain")).toEqual(["s1", "s2"]);
    const sentBefore = sim.counters.sent;
    expect(weather.publish("rain", { mm: 3 })).toBe(2);
    await sim.runFor(50);
    expect(sim.counters.sent - sentBefore).toBe(2);
    expect(subs.get("s1")!.received.map((n) => n.payload)).toEqual([{ mm: 3 }]);
    expect(subs.get("s2")!.received.map((n) => [n.topic, n.publisher])).toEqual([["rain", "weather"]]);
    expect(subs.get("s3")!.received).toEqual([]);
  });

  it("after unsubscribe a subscriber hears nothing more", async () => {
    const sim = new Simulation({ seed: 2 });
    let pub!: PubSubPublisher;
    sim.spawn("pub", (node) => { pub = pubSubPublisher(node); });
    const subs = subscribers(sim, "pub", { s1: ["t"], s2: ["t"] });
    await sim.runFor(10);
    pub.publish("t", 1);
    await sim.runFor(10);
    await sim.runUntilSettled(subs.get("s1")!.unsubscribe("t"));
    pub.publish("t", 2);
    await sim.runFor(10);
    expect(subs.get("s1")!.received.map((n) => n.payload)).toEqual([1]);
    expect(subs.get("s2")!.received.map((n) => n.payload)).toEqual([1, 2]);
  });
});

describe("publish–subscribe through a broker with topics", () => {
  it("the publisher sends one message; the broker fans it out to the topic's subscribers only", async () => {
    const sim = new Simulation({ seed: 3, network: { latency: latency.uniform(2, 8) } });
    const broker = pubSubBroker(sim.spawn("broker"));
    const subs = subscribers(sim, "broker", { s1: ["A"], s2: ["A"], s3: ["B"], s4: [] });
    const publisher = sim.spawn("publisher");
    await sim.runFor(50);
    const sentBefore = sim.counters.sent;
    pubSubPublish(publisher, "broker", "A", "hello A");
    await sim.runFor(50);
    expect(sim.counters.sent - sentBefore).toBe(1 + 2); // one publish, two notifies
    expect(broker.published).toBe(1);
    expect(broker.notified).toBe(2);
    expect(subs.get("s1")!.received.map((n) => n.publisher)).toEqual(["publisher"]);
    expect(subs.get("s3")!.received).toEqual([]);
    expect(subs.get("s4")!.received).toEqual([]);
  });

  it("a lost subscribe is retried, a duplicated one is recorded once", async () => {
    const sim = new Simulation({ seed: 4, network: { latency: latency.uniform(2, 8), lossProbability: 0.5, duplicationProbability: 0.3 } });
    const broker = pubSubBroker(sim.spawn("broker"));
    subscribers(sim, "broker", { s1: ["A"], s2: ["A"], s3: ["A"] });
    await sim.runFor(2000);
    expect(broker.subscriptions.subscribers("A").sort()).toEqual(["s1", "s2", "s3"]);
    expect(sim.trace.filter({ kinds: ["send"], types: ["subscribe"] }).length).toBeGreaterThan(3); // some were retried
    expect(sim.trace.filter({ kinds: ["deliver"], types: ["subscribe"] }).length).toBeGreaterThan(3); // and some arrived twice
  });

  it("best effort: events published while a subscriber is down are lost, not stored", async () => {
    const sim = new Simulation({ seed: 5, network: { latency: latency.constant(2) } });
    pubSubBroker(sim.spawn("broker"));
    const received: unknown[] = [];
    sim.spawn("s1", async (node) => {
      const me = pubSubSubscriber(node, "broker", (n) => received.push(n.payload));
      if (node.incarnation === 1) await me.subscribe("A"); // the broker remembers it across the crash
    });
    const publisher = sim.spawn("publisher", (node) => {
      let k = 0;
      node.setPeriodic(10, () => pubSubPublish(node, "broker", "A", ++k), "publish");
    });
    void publisher;
    sim.at(25, () => sim.crash("s1"), "crash");
    sim.at(55, () => sim.restart("s1"), "restart");
    await sim.runFor(85);
    expect(received).toEqual([1, 2, 6, 7, 8]); // 3, 4 and 5 arrived while s1 was down
    expect(sim.trace.filter({ kinds: ["drop"], types: ["notify"] }).map((e) => e.reason)).toEqual(["crashed", "crashed", "crashed"]);
  });

  it("a publish without a topic is an error naming the broker", async () => {
    const sim = new Simulation({ seed: 6 });
    pubSubBroker(sim.spawn("broker"));
    sim.spawn("p", (node) => node.send("broker", { type: "publish", payload: 1 }));
    await expect(sim.runFor(10)).rejects.toThrow(/publish from "p": topic must be a non-empty string.*node "broker"/);
  });
});

describe("TopicSubscriptions", () => {
  it("keeps subscription order, ignores a repeated subscribe and forgets empty topics", () => {
    const subs = new TopicSubscriptions();
    expect(subs.subscribe("A", "s2")).toBe(true);
    expect(subs.subscribe("A", "s1")).toBe(true);
    expect(subs.subscribe("A", "s2")).toBe(false);
    expect(subs.subscribers("A")).toEqual(["s2", "s1"]);
    expect(subs.unsubscribe("A", "s2")).toBe(true);
    expect(subs.unsubscribe("A", "s1")).toBe(true);
    expect(subs.unsubscribe("A", "s1")).toBe(false);
    expect(subs.topics()).toEqual([]);
  });
});
