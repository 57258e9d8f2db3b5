// summarize / formatStats: on the hand-built fixture (every number below is counted by hand from
// test/trace/fixtures.ts), and on real runs, where they must equal the simulator's counters.
import { describe, expect, it } from "vitest";
import { formatStats, percentiles, summarize, type TraceEvent } from "../../lib/trace";
import { Simulation } from "../../lib/simulation";
import { latency } from "../../lib/net";
import type { DeliverEvent, DropEvent } from "../../lib/trace/events";
import { EVENTS, fixtureTrace } from "./fixtures";

describe("percentiles (nearest rank)", () => {
  it("reports observed values: the ⌈p·n⌉-th smallest", () => {
    expect(percentiles([5, 1, 3, 2, 4])).toEqual({ count: 5, p50: 3, p90: 5, p99: 5, max: 5 });
    expect(percentiles([7])).toEqual({ count: 1, p50: 7, p90: 7, p99: 7, max: 7 });
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1
    expect(percentiles(hundred)).toEqual({ count: 100, p50: 50, p90: 90, p99: 99, max: 100 });
    expect(percentiles([])).toBeUndefined();
  });
});

describe("summarize", () => {
  it("counts messages (one per send) and copies (duplicates included), drops by reason, bytes and per-type numbers", () => {
    const s = summarize(fixtureTrace(), { clientNodes: ["c1"] });
    expect(s.durationMs).toBe(29);
    // 8 sends; append_ok was duplicated and both its copies arrived; heartbeat and read_ok were lost
    expect(s.messages).toEqual({ sent: 8, delivered: 6, lost: 2, inFlight: 0 });
    expect(s.copies).toEqual({ sent: 9, duplicated: 1, delivered: 7, dropped: 2, droppedByReason: { loss: 1, partition: 1, crashed: 0, rule: 0, left: 0, "queue-full": 0 }, inFlight: 0 });
    expect(s.bytes).toBe(30 + 50 + 20 + 25 + 20 + 50 + 30 + 10);
    // type, messages sent / delivered / lost, copies duplicated / delivered / dropped, bytes
    const row = (t: (typeof s.byType)[number]) => [t.type, t.messages.sent, t.messages.delivered, t.messages.lost, t.copies.duplicated, t.copies.delivered, t.copies.dropped, t.bytes];
    expect(s.byType.map(row)).toEqual([
      ["write", 1, 1, 0, 0, 1, 0, 30],
      ["append", 2, 1, 1, 0, 1, 1, 100],
      ["append_ok", 1, 1, 0, 1, 2, 0, 20],
      ["write_ok", 1, 1, 0, 0, 1, 0, 25],
      ["read", 1, 1, 0, 0, 1, 0, 20],
      ["read_ok", 1, 0, 1, 0, 0, 1, 30],
      ["bogus", 1, 1, 0, 0, 1, 0, 10],
    ]);
    expect(s.errors).toBe(1);
    expect(s.unhandled).toEqual({ noHandler: 1, lateReply: 0 });
    expect([s.crashes, s.restarts]).toEqual([1, 1]);
  });

  it("a message whose original is dropped but whose duplicate arrives is delivered once, with one copy dropped", () => {
    const ref = { id: 1, src: "a", dest: "b", type: "m", msgId: 1 };
    const events: TraceEvent[] = [
      { kind: "send", timeMs: 0, ...ref, bytes: 20, json: '{"type":"m","msg_id":1}' },
      { kind: "duplicate", timeMs: 0, ...ref },
      { kind: "drop", timeMs: 3, ...ref, sentMs: 0, reason: "partition", duplicate: false },
      { kind: "deliver", timeMs: 7, ...ref, sentMs: 0, duplicate: true },
    ];
    const s = summarize(events);
    expect(s.messages).toEqual({ sent: 1, delivered: 1, lost: 0, inFlight: 0 });
    expect(s.copies).toEqual({ sent: 2, duplicated: 1, delivered: 1, dropped: 1, droppedByReason: { loss: 0, partition: 1, crashed: 0, rule: 0, left: 0, "queue-full": 0 }, inFlight: 0 });
    expect(s.latencyMs).toEqual({ count: 1, p50: 7, p90: 7, p99: 7, max: 7 }); // the copy that arrived
    // both copies dropped: the message is lost; one dropped, one still on the way: in flight
    const bothDropped = [...events.slice(0, 3), { ...events[2], timeMs: 7, reason: "crashed", duplicate: true } as TraceEvent];
    expect(summarize(bothDropped).messages).toEqual({ sent: 1, delivered: 0, lost: 1, inFlight: 0 });
    expect(summarize(events.slice(0, 3)).messages).toEqual({ sent: 1, delivered: 0, lost: 0, inFlight: 1 });
    expect(summarize(events.slice(0, 3)).copies.inFlight).toBe(1);
  });

  it("computes exact latency quantiles of delivered originals and of finished RPCs", () => {
    const s = summarize(EVENTS);
    // one-way latencies 2, 3, 1, 2, 4, 1: per message, to its first delivered copy (append_ok's duplicate is not counted)
    expect(s.latencyMs).toEqual({ count: 6, p50: 2, p90: 4, p99: 4, max: 4 });
    expect(s.rpc).toEqual({ ok: 1, timeout: 1, latencyMs: { count: 1, p50: 9, p90: 9, p99: 9, max: 9 } });
  });

  it("counts operations as client requests when clientNodes are given, else as RPCs", () => {
    expect(summarize(EVENTS, { clientNodes: ["c1"] }).operations).toEqual({
      count: 3, // write, read, bogus (replies to c1 are not requests)
      source: "clients",
      messagesPerOperation: 8 / 3,
      serverMessagesPerOperation: 1, // append, append_ok, heartbeat append
    });
    expect(summarize(EVENTS).operations).toEqual({ count: 2, source: "rpcs", messagesPerOperation: 4, serverMessagesPerOperation: undefined });
    const noRpc = EVENTS.filter((e) => e.kind !== "rpc");
    expect(summarize(noRpc).operations).toEqual({ count: 0, source: "none", messagesPerOperation: undefined, serverMessagesPerOperation: undefined });
  });

  it("is all zeros for an empty trace", () => {
    const s = summarize([]);
    expect(s.messages.sent).toBe(0);
    expect(s.latencyMs).toBeUndefined();
    expect(s.durationMs).toBe(0);
  });
});

describe("formatStats", () => {
  it("prints an aligned table", () => {
    expect(formatStats(summarize(fixtureTrace(), { clientNodes: ["c1"] }))).toBe(
      [
        "duration    29ms",
        "messages    sent 8  delivered 6  lost 2  in flight 0  (per message: one per send)",
        "copies      sent 9  delivered 7  dropped 2  in flight 0  (per copy: 1 duplicated)",
        "dropped     loss 1  partition 1  crashed 0  (copies)",
        "bytes       235  (bodies sent, once per message)",
        "latency     p50 2ms  p90 4ms  p99 4ms  max 4ms  (send → first delivered copy, 6 messages)",
        "rpc         ok 1  timeout 1  latency p50 9ms  p90 9ms  p99 9ms  max 9ms",
        "operations  3 (client requests)  messages/op 2.67  server messages/op 1",
        "errors      1  unhandled 1  late replies 0",
        "faults      crashes 1  restarts 1",
        "",
        "           messages               copies",
        "type       sent  delivered  lost  duplicated  delivered  dropped  bytes",
        "write         1          1     0           0          1        0     30",
        "append        2          1     1           0          1        1    100",
        "append_ok     1          1     0           1          2        0     20",
        "write_ok      1          1     0           0          1        0     25",
        "read          1          1     0           0          1        0     20",
        "read_ok       1          0     1           0          0        1     30",
        "bogus         1          1     0           0          1        0     10",
      ].join("\n"),
    );
  });

  it("shows dashes for missing quantiles and ratios", () => {
    const text = formatStats(summarize([]));
    expect(text).toContain("latency     -  (send → first delivered copy, 0 messages)");
    expect(text).toContain("operations  0 (none counted)  messages/op -");
    expect(text).not.toContain("type");
  });
});

// ---- summarize against the simulator's own counters -----------------------------------------
// The counters (sim.counters) are kept by the simulator whether or not it traces; summarize reads
// only the trace. Both must tell the same story: `sent` counts messages (one per send), while
// `delivered`, `dropped` and `duplicated` count copies (a duplicated message has two copies, each
// delivered or dropped on its own).

/**
 * Three servers and two clients under loss, duplication, a long latency tail, a partition that
 * changes while copies are in flight, and a server that crashes and restarts. Stopped by `runFor`
 * while messages are still in flight.
 */
async function faultyRun(seed: number): Promise<Simulation> {
  const sim = new Simulation({
    seed,
    onError: "record",
    network: { lossProbability: 0.2, duplicationProbability: 0.3, latency: latency.exponential(8, 1), ordering: "unordered" },
  });
  const servers = ["s1", "s2", "s3"];
  for (const id of servers) sim.spawn(id, (node) => node.on("ping", (m) => node.reply(m, { type: "pong" })));
  for (const id of ["c1", "c2"]) {
    sim.spawn(id, (node) => {
      node.on("pong", () => {});
      let i = 0;
      node.setPeriodic(2, () => node.send(servers[i++ % servers.length], { type: "ping" }), "tick");
    });
  }
  sim.at(40, () => sim.partition([["c1", "s1"], ["c2", "s2", "s3"]]));
  sim.at(60, () => sim.crash("s2"));
  sim.at(75, () => sim.heal());
  sim.at(90, () => sim.restart("s2"));
  sim.at(110, () => sim.isolate("s3"));
  sim.at(130, () => sim.heal());
  await sim.runFor(150);
  return sim;
}

describe("summarize agrees with sim.counters on real runs", () => {
  const SEEDS = [1, 2, 3, 4, 5, 6];
  const runs = new Map<number, Promise<Simulation>>(); // each seed runs once, whichever test asks first
  const runOf = (seed: number): Promise<Simulation> => runs.get(seed) ?? runs.set(seed, faultyRun(seed)).get(seed)!;

  for (const seed of SEEDS) {
    it(`seed ${seed}: copies delivered, dropped and duplicated, messages sent and bytes equal the counters`, async () => {
      const sim = await runOf(seed);
      const c = sim.counters;
      const s = summarize(sim.trace);
      // per copy: exactly the simulator's counters
      expect(s.copies.delivered).toBe(c.delivered);
      expect(s.copies.dropped).toBe(c.dropped);
      expect(s.copies.duplicated).toBe(c.duplicated);
      expect(s.copies.sent).toBe(c.sent + c.duplicated);
      expect(s.copies.delivered + s.copies.dropped + s.copies.inFlight).toBe(s.copies.sent);
      const r = s.copies.droppedByReason;
      expect(r.loss + r.partition + r.crashed).toBe(c.dropped);
      // per message: one per send, each delivered, lost or still in flight
      expect(s.messages.sent).toBe(c.sent);
      expect(s.messages.delivered + s.messages.lost + s.messages.inFlight).toBe(c.sent);
      expect(s.latencyMs?.count).toBe(s.messages.delivered);
      expect(s.bytes).toBe(c.bytesSent);
      // the per-type rows add up to the totals
      const sum = (f: (t: (typeof s.byType)[number]) => number) => s.byType.reduce((acc, t) => acc + f(t), 0);
      expect(sum((t) => t.messages.sent)).toBe(c.sent);
      expect(sum((t) => t.messages.lost)).toBe(s.messages.lost);
      expect(sum((t) => t.copies.delivered)).toBe(c.delivered);
      expect(sum((t) => t.copies.dropped)).toBe(c.dropped);
      expect(sum((t) => t.copies.duplicated)).toBe(c.duplicated);
    });
  }

  it("those runs cover every case: both copies delivered, either one dropped, each drop reason, copies in flight", async () => {
    const seen = { deliveredTwice: 0, duplicateDropped: 0, originalDroppedDuplicateDelivered: 0, inFlight: 0, loss: 0, partition: 0, crashed: 0 };
    for (const seed of SEEDS) {
      const sim = await runOf(seed);
      const drops = sim.trace.events.filter((e): e is DropEvent => e.kind === "drop");
      const delivered = sim.trace.events.filter((e): e is DeliverEvent => e.kind === "deliver");
      const duplicateDelivered = new Set(delivered.filter((e) => e.duplicate).map((e) => e.id));
      const originalDelivered = new Set(delivered.filter((e) => !e.duplicate).map((e) => e.id));
      seen.deliveredTwice += [...duplicateDelivered].filter((id) => originalDelivered.has(id)).length;
      seen.duplicateDropped += drops.filter((e) => e.duplicate).length;
      seen.originalDroppedDuplicateDelivered += drops.filter((e) => !e.duplicate && duplicateDelivered.has(e.id)).length;
      seen.inFlight += summarize(sim.trace).copies.inFlight;
      for (const e of drops) seen[e.reason as "loss" | "partition" | "crashed"]++; // these runs have no rules and no leaves
    }
    for (const [what, count] of Object.entries(seen)) expect(count, what).toBeGreaterThan(0);
  });

  it("after the run drains, nothing is in flight and every message is delivered or lost", async () => {
    const sim = await faultyRun(7);
    for (const id of ["c1", "c2"]) sim.crash(id); // stops the periodic sends; their replies are dropped
    await sim.run();
    const s = summarize(sim.trace);
    expect([s.copies.inFlight, s.messages.inFlight]).toEqual([0, 0]);
    expect([s.copies.delivered, s.copies.dropped, s.copies.duplicated]).toEqual([sim.counters.delivered, sim.counters.dropped, sim.counters.duplicated]);
    expect(s.messages.delivered + s.messages.lost).toBe(sim.counters.sent);
  });
});
