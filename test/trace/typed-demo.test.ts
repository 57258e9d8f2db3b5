// A demonstration, written as notebook cells would be: typed messages, trace filters typed by
// kind (no `as any`), and a bounded trace for a long run. Later notebooks can copy these cells.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import { latency } from "../../lib/net";
import { formatTimeline, type DeliverEvent } from "../../lib/trace";
import type { BodyOf, Node } from "../../lib/node";

describe("typed messages and typed trace filters, as notebook cells", () => {
  it("cell 1 — declare the messages once; handlers read fields without casts", async () => {
    // The protocol's messages: each body `type`, with its fields.
    type KvMsgs = {
      write: { key: string; value: number };
      write_ok: {};
      read: { key: string };
      read_ok: { value: number | null };
    };

    const sim = new Simulation({ seed: 7, network: { latency: latency.uniform(2, 8) } });
    sim.spawn<KvMsgs>("store", (node) => {
      const data = new Map<string, number>();
      node.on("write", (m) => {
        data.set(m.body.key, m.body.value); // m.body.key: string, m.body.value: number
        node.reply(m, { type: "write_ok" });
      });
      node.on("read", (m) => node.reply(m, { type: "read_ok", value: data.get(m.body.key) ?? null }));
    });
    const client = sim.spawn<KvMsgs>("client");

    await sim.runUntilSettled(client.rpc("store", { type: "write", key: "x", value: 42 }));
    const reply = await sim.runUntilSettled(client.rpc<BodyOf<KvMsgs, "read_ok">>("store", { type: "read", key: "x" }));
    console.log(`read x = ${reply.body.value} at t=${sim.now()}ms`);
    expect(reply.body.value).toBe(42);
  });

  it("cell 2 — trace.filter({ kinds }) returns those events, typed", async () => {
    const sim = new Simulation({ seed: 3, network: { latency: latency.uniform(1, 10), lossProbability: 0.3, ordering: "unordered" } });
    sim.spawn("server", (node) => node.on("ping", (m) => node.reply(m, { type: "pong" })));
    sim.spawnMany(["c1", "c2"], (node) => {
      node.on("pong", () => {});
      for (let i = 0; i < 5; i++) node.send("server", { type: "ping" });
    });
    await sim.runFor(50);

    const arrivals: DeliverEvent[] = sim.trace.filter({ kinds: ["deliver"], types: ["ping"] });
    console.log("arrival order:", arrivals.map((e) => e.src).join(" "));
    const reasons = sim.trace.filter({ kinds: ["drop"] }).map((e) => e.reason);
    console.log("drops:", reasons.length, [...new Set(reasons)]);
    const oneWayMs = arrivals.map((e) => e.timeMs - e.sentMs);
    console.log("one-way delays:", oneWayMs.join(", "));

    expect(arrivals.length + sim.trace.filter({ kinds: ["drop"], types: ["ping"] }).length).toBe(10);
    expect(new Set(reasons)).toEqual(new Set(["loss"]));
    for (const ms of oneWayMs) expect(ms).toBeGreaterThanOrEqual(1);
  });

  it("cell 3 — a long run keeps only the last events, yet counts and hashes them all", async () => {
    type Msgs = { heartbeat: { seq: number } };
    const run = async (trace: boolean | { eventsMax: number }): Promise<Simulation> => {
      const sim = new Simulation({ seed: 1, trace, network: { latency: latency.uniform(1, 3) } });
      sim.spawn<Msgs>("monitor", (node) => node.on("heartbeat", () => {}));
      sim.spawn<Msgs>("worker", (node: Node<Msgs>) => {
        let seq = 0;
        node.setPeriodic(10, () => node.send("monitor", { type: "heartbeat", seq: ++seq }), "heartbeat");
      });
      await sim.runFor(60 * 1000 + 5); // a virtual minute: 6,000 heartbeats (and time for the last to arrive)
      return sim;
    };
    const long = await run({ eventsMax: 1000 });
    console.log(`${long.trace.recorded} events recorded, ${long.trace.length} kept`, long.trace.countsByKind());
    console.log(formatTimeline(long.trace, { kinds: ["deliver"], maxLines: 3 }));

    expect(long.trace.length).toBe(1000);
    expect(long.trace.countsByKind()).toMatchObject({ send: 6000, deliver: 6000 });
    // the same run with the whole trace has the same hash: a bounded trace still checks replays
    const whole = await run(true);
    expect(long.trace.hash()).toBe(whole.trace.hash());
    expect(long.trace.events).toEqual(whole.trace.events.slice(-1000));
  });
});
