// The compact trace: message events are kept as columns and built as objects when read, so what a
// reader sees — the events, their fields and field order, their JSON, the hash — must be exactly
// what the simulator recorded as objects before. And a bounded trace (`eventsMax`) keeps the last
// N events, counts all of them, and hashes all of them (a running hash), so a long run can still
// be checked for replay.
import { describe, expect, it } from "vitest";
import { EventHash, Trace, formatTimeline, hashEvents, summarize, toSequenceDiagram, type TraceEvent } from "../../lib/trace";
import { Simulation } from "../../lib/simulation";
import { latency } from "../../lib/net";
import { ConfigError } from "../../lib/sim";
import { runWorkload } from "../core/fixtures/workload";

/** Events counted per kind, as `countsByKind` reports them. */
function countKinds(events: readonly TraceEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of events) counts[e.kind] = (counts[e.kind] ?? 0) + 1;
  return counts;
}

/** A run with odd bodies: quotes, backslashes, control characters, non-ASCII text, emoji, large and odd ids. */
async function oddBodies(options: { seed?: number; eventsMax?: number } = {}): Promise<Simulation> {
  const sim = new Simulation({
    seed: options.seed ?? 3,
    trace: options.eventsMax === undefined ? true : { eventsMax: options.eventsMax },
    network: { latency: latency.uniform(1, 5), lossProbability: 0.2, duplicationProbability: 0.2, ordering: "unordered" },
  });
  const texts = ['say "hi"', "back\\slash", "tab\there\nnewline\u0001", "héllo wörld", "中文 🚀 👨‍👩‍👧", "", "x".repeat(300)];
  sim.spawn("server", (node) => {
    node.on("echo", (m) => node.reply(m, { type: "echo_ok", echo: m.body.echo }));
    node.on("odd", () => {});
  });
  sim.spawn("client", (node) => {
    node.on("echo_ok", () => {});
    texts.forEach((text, i) => node.setTimer(i, () => node.send("server", { type: "echo", echo: text, list: [i, null, true] })));
    node.setTimer(10, () => node.send("server", { type: "odd", msg_id: 2 ** 40 })); // not a 32-bit integer
    node.setTimer(11, () => node.send("server", { type: "odd", msg_id: 1.5, in_reply_to: -7 }));
    node.setTimer(12, () => node.send("server", { type: "odd", msg_id: -0 }));
    node.setTimer(13, () => node.send("server", { type: "odd", msg_id: "seven" as unknown as number }));
    node.setTimer(14, () => node.send("server", { type: "odd", msg_id: -2147483648, in_reply_to: 2147483647 }));
  });
  await sim.runFor(100);
  return sim;
}

describe("the compact trace", () => {
  it("builds message events with the fields, in the order and with the JSON the simulator recorded", () => {
    const trace = new Trace({ seed: 1 });
    trace.recordSend(1, 1, "a", "b", "ping", 1, undefined, 26, '{"type":"ping","msg_id":1}');
    const copy = { id: 1, src: "a", dest: "b", type: "ping", msgId: 1, inReplyTo: undefined, sentMs: 1, duplicate: false };
    trace.recordDuplicate(copy, 1);
    trace.recordDeliver(copy, 3.25);
    trace.recordDrop({ ...copy, duplicate: true }, 4, "partition");
    trace.recordSend(5, 2, "b", "a", "pong", 4, 1, 40, '{"type":"pong","in_reply_to":1,"msg_id":4}');
    trace.recordDrop({ id: 2, src: "b", dest: "a", type: "pong", msgId: 4, inReplyTo: 1, sentMs: 5, duplicate: false }, 5, "loss");
    expect(trace.events.map((e) => JSON.stringify(e))).toEqual([
      '{"kind":"send","timeMs":1,"id":1,"src":"a","dest":"b","type":"ping","msgId":1,"bytes":26,"json":"{\\"type\\":\\"ping\\",\\"msg_id\\":1}"}',
      '{"kind":"duplicate","timeMs":1,"id":1,"src":"a","dest":"b","type":"ping","msgId":1}',
      '{"kind":"deliver","timeMs":3.25,"id":1,"src":"a","dest":"b","type":"ping","msgId":1,"sentMs":1,"duplicate":false}',
      '{"kind":"drop","timeMs":4,"id":1,"src":"a","dest":"b","type":"ping","msgId":1,"sentMs":1,"reason":"partition","duplicate":true}',
      '{"kind":"send","timeMs":5,"id":2,"src":"b","dest":"a","type":"pong","msgId":4,"inReplyTo":1,"bytes":40,"json":"{\\"type\\":\\"pong\\",\\"in_reply_to\\":1,\\"msg_id\\":4}"}',
      '{"kind":"drop","timeMs":5,"id":2,"src":"b","dest":"a","type":"pong","msgId":4,"inReplyTo":1,"sentMs":5,"reason":"loss","duplicate":false}',
    ]);
    // absent ids are present as undefined, as in the objects the simulator made
    expect(Object.keys(trace.events[0])).toEqual(["kind", "timeMs", "id", "src", "dest", "type", "msgId", "inReplyTo", "bytes", "json"]);
    expect(trace.hash()).toBe(hashEvents(trace.events));
    expect(trace.hash()).toBe("adc125c9eac45f17"); // pinned: what hashEvents gave for these events before the trace was compact
  });

  it("keeps any time exactly: fractions of a µs, times that go back, spans longer than 2^32 µs", () => {
    const times = [0, 0.001, 1e-7, 5, 4.5, 0.1 + 0.2, 3 * 3600_000, 1e15, 2.5, 1234.5678, 7];
    const trace = new Trace({ seed: 1 });
    const expected: TraceEvent[] = [];
    times.forEach((t, k) => {
      const json = `{"type":"t","msg_id":${k}}`;
      trace.recordSend(t, k + 1, "a", "b", "t", k, undefined, json.length, json);
      const copy = { id: k + 1, src: "a", dest: "b", type: "t", msgId: k, inReplyTo: undefined, sentMs: t, duplicate: false };
      trace.recordDeliver(copy, times[times.length - 1 - k]);
      expected.push({ kind: "send", timeMs: t, id: k + 1, src: "a", dest: "b", type: "t", msgId: k, inReplyTo: undefined, bytes: json.length, json });
      expected.push({ kind: "deliver", timeMs: times[times.length - 1 - k], id: k + 1, src: "a", dest: "b", type: "t", msgId: k, inReplyTo: undefined, sentMs: t, duplicate: false });
    });
    expect(trace.events).toEqual(expected);
    expect(trace.filter({ fromMs: 5, toMs: 5 })).toEqual(expected.filter((e) => e.timeMs === 5));
    expect(trace.hash()).toBe(hashEvents(expected));
  });

  it("hashes every event as hashEvents does over the built events (the workload, seeds 1–5)", async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const sim = await runWorkload(seed);
      expect(sim.trace.hash(), `seed ${seed}`).toBe(hashEvents(sim.trace.events));
      expect(sim.trace.countsByKind()).toEqual(countKinds(sim.trace.events));
      expect(sim.trace.recorded).toBe(sim.trace.events.length);
    }
  });

  it("keeps odd bodies and ids exactly (quotes, control characters, non-ASCII, ids that are not 32-bit integers)", async () => {
    const sim = await oddBodies();
    const sends = sim.trace.filter({ kinds: ["send"] });
    expect(sends.length).toBeGreaterThan(10);
    for (const e of sends) {
      expect(e.bytes).toBe(Buffer.byteLength(e.json));
      expect(JSON.parse(e.json).type).toBe(e.type);
    }
    const echoed = sends.filter((e) => e.type === "echo").map((e) => JSON.parse(e.json).echo);
    expect(echoed).toContain("中文 🚀 👨‍👩‍👧");
    expect(echoed).toContain("tab\there\nnewline\u0001");
    const odd = sends.filter((e) => e.type === "odd").map((e) => e.msgId);
    expect(odd).toEqual([2 ** 40, 1.5, -0, "seven", -2147483648]);
    expect(Object.is(odd[2], -0)).toBe(true);
    expect(sim.trace.hash()).toBe(hashEvents(sim.trace.events));
    // every delivery and drop names a send of the trace, with the same fields
    const byId = new Map(sends.map((e) => [e.id, e]));
    for (const e of sim.trace.filter({ kinds: ["deliver", "drop", "duplicate"] })) {
      const s = byId.get(e.id)!;
      expect([e.src, e.dest, e.type, e.msgId, e.inReplyTo]).toEqual([s.src, s.dest, s.type, s.msgId, s.inReplyTo]);
      if (e.kind !== "duplicate") expect(e.sentMs).toBe(s.timeMs);
    }
  });

  it("keeps every body exactly, whatever its shape, across many batches of bodies", async () => {
    const sim = new Simulation({ seed: 11, network: { latency: latency.uniform(1, 4) } });
    const sent: string[] = [];
    const shapes = [
      (i: number) => ({ type: "put", key: `k${i}`, value: i }),
      (i: number) => ({ key: `k${i}`, type: "put" }), // type not first
      (i: number) => ({ type: "put", msg_id: 1_000_000 + i }), // msg_id set by the sender: not last
      (i: number) => ({ type: "put", value: "é".repeat(i % 3) }), // non-ASCII now and then
      (i: number) => ({ type: "put", nested: { type: "put", msg_id: i }, list: [i, "x\"y\\z"] }),
      (i: number) => ({ type: "typé", n: i }),
      () => ({ type: "put" }),
    ];
    sim.spawn("sink", (node) => {
      node.on("put", () => {});
      node.on("typé", () => {});
    });
    sim.spawn("source", (node) => {
      node.setPeriodic(1, () => {
        const i = sent.length;
        const body: { type: string; msg_id?: number } = shapes[i % shapes.length](i);
        const id = node.send("sink", body);
        sent.push(JSON.stringify(body.msg_id === undefined ? { ...body, msg_id: id } : body));
      });
    });
    await sim.runFor(3000);
    expect(sent.length).toBeGreaterThan(2500);
    const sends = sim.trace.filter({ kinds: ["send"] });
    expect(sends.map((e) => e.json)).toEqual(sent);
    expect(sends.map((e) => e.bytes)).toEqual(sent.map((j) => Buffer.byteLength(j)));
    expect(sim.trace.hash()).toBe(hashEvents(sim.trace.events));
    for (const eventsMax of [10, 700]) {
      const bounded = new Simulation({ seed: 11, trace: { eventsMax }, network: { latency: latency.uniform(1, 4) } });
      let n = 0;
      bounded.spawn("sink", (node) => {
        node.on("put", () => {});
        node.on("typé", () => {});
      });
      bounded.spawn("source", (node) => node.setPeriodic(1, () => void node.send("sink", shapes[n % shapes.length](n++))));
      await bounded.runFor(3000);
      expect(bounded.trace.events).toEqual(sim.trace.events.slice(-eventsMax));
      expect(bounded.trace.hash()).toBe(sim.trace.hash());
    }
  });

  it("keeps big bodies exactly (batches larger than a chunk of the body store)", () => {
    const trace = new Trace({ seed: 1 });
    const expected: string[] = [];
    for (let k = 0; k < 1500; k++) {
      const body = { type: "blob", data: (k % 3 === 0 ? "x" : "yz").repeat(k < 300 ? 6000 : 7), msg_id: k };
      const json = JSON.stringify(body);
      trace.recordSend(k, k + 1, "a", "b", "blob", k, undefined, json.length, json);
      expected.push(json);
    }
    expect(trace.filter({ kinds: ["send"] }).map((e) => e.json)).toEqual(expected);
    expect(trace.hash()).toBe(hashEvents(trace.events));
  });

  it("still records a copy whose send was not traced (tracing switched on while it flew)", async () => {
    const sim = new Simulation({ seed: 1, trace: false, network: { latency: latency.constant(10) } });
    sim.spawn("b", (node) => node.on("ping", () => {}));
    sim.spawn("a", (node) => node.send("b", { type: "ping" }));
    await sim.runFor(5);
    sim.trace.enabled = true;
    await sim.runFor(10);
    expect(sim.trace.events).toEqual([
      { kind: "deliver", timeMs: 10, id: 1, src: "a", dest: "b", type: "ping", msgId: 1, inReplyTo: undefined, sentMs: 0, duplicate: false },
    ]);
    expect(sim.trace.hash()).toBe(hashEvents(sim.trace.events));
  });

  it("keeps any other event as the very object recorded", () => {
    const trace = new Trace({ seed: 1 });
    const heal = { kind: "heal" as const, timeMs: 5 };
    trace.record(heal);
    expect(trace.events[0]).toBe(heal);
  });

  it("builds events once: reading again gives the same array, grown by what happened since", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("b", (node) => node.on("ping", () => {}));
    const a = sim.spawn("a");
    a.send("b", { type: "ping" });
    await sim.runFor(5);
    const first = sim.trace.events;
    const firstDeliver = first.find((e) => e.kind === "deliver");
    expect(sim.trace.events).toBe(first);
    a.send("b", { type: "ping" });
    await sim.runFor(5);
    const second = sim.trace.events;
    expect(second.length).toBe(sim.trace.length);
    expect(second.find((e) => e.kind === "deliver")).toBe(firstDeliver);
  });

  it("filter builds only what matches, typed by the kinds asked for", async () => {
    const sim = await runWorkload(42);
    const drops = sim.trace.filter({ kinds: ["drop"] });
    expect(drops.map((e) => e.reason).sort()).toEqual(sim.trace.events.filter((e) => e.kind === "drop").map((e) => (e.kind === "drop" ? e.reason : "")).sort());
    const early = sim.trace.filter({ kinds: ["deliver", "send"], nodes: ["n1"], types: ["gossip"], fromMs: 10, toMs: 200 });
    expect(early.length).toBeGreaterThan(0);
    for (const e of early) expect(e.src === "n1" || e.dest === "n1").toBe(true);
  });

  it("keeps messages naming more than 65,536 strings (as objects)", () => {
    const trace = new Trace({ seed: 1 });
    const expected: TraceEvent[] = [];
    for (let i = 0; i < 70_000; i++) {
      const json = `{"type":"t${i}","msg_id":${i}}`;
      trace.recordSend(i, i + 1, "a", "b", `t${i}`, i, undefined, json.length, json);
      expected.push({ kind: "send", timeMs: i, id: i + 1, src: "a", dest: "b", type: `t${i}`, msgId: i, inReplyTo: undefined, bytes: json.length, json });
    }
    trace.recordDeliver({ id: 70_000, src: "a", dest: "b", type: "t69999", msgId: 69_999, inReplyTo: undefined, sentMs: 69_999, duplicate: false }, 70_000);
    expected.push({ kind: "deliver", timeMs: 70_000, id: 70_000, src: "a", dest: "b", type: "t69999", msgId: 69_999, inReplyTo: undefined, sentMs: 69_999, duplicate: false });
    expect(trace.events).toEqual(expected);
    expect(trace.hash()).toBe(hashEvents(expected));
  });
});

describe("a bounded trace (trace: { eventsMax })", () => {
  it("keeps the last N events, and counts all of them", async () => {
    const full = await runWorkload(42);
    const all = full.trace.events;
    for (const eventsMax of [1, 2, 7, 64, 500]) {
      const sim = await runBounded(42, eventsMax);
      expect(sim.trace.length, `eventsMax ${eventsMax}`).toBe(eventsMax);
      expect(sim.trace.events).toEqual(all.slice(-eventsMax));
      expect(sim.trace.recorded).toBe(all.length);
      expect(sim.trace.evicted).toBe(all.length - eventsMax);
      expect(sim.trace.countsByKind()).toEqual(countKinds(all));
      expect(sim.counters).toEqual(full.counters);
    }
  });

  it("hashes the whole run (a running hash), so a long run can still be checked for replay", async () => {
    const full = await runWorkload(42);
    for (const eventsMax of [1, 3, 100, 10_000]) {
      const sim = await runBounded(42, eventsMax);
      expect(sim.trace.hash(), `eventsMax ${eventsMax}`).toBe(full.trace.hash());
    }
    const other = await runBounded(43, 100);
    expect(other.trace.hash()).not.toBe(full.trace.hash());
  });

  it("agrees with the unbounded hash when asked midway, and again at the end", async () => {
    const make = (eventsMax?: number): Simulation => {
      const sim = new Simulation({ seed: 9, trace: eventsMax === undefined ? true : { eventsMax }, network: { latency: latency.uniform(1, 9), lossProbability: 0.1, duplicationProbability: 0.1 } });
      sim.spawnMany(["a", "b", "c"], (node) => {
        node.on("tick", () => {});
        node.setPeriodic(3, () => node.broadcast({ type: "tick", from: node.id }), "tick");
      });
      return sim;
    };
    const full = make();
    const bounded = make(25);
    for (const ms of [10, 50, 200]) {
      await full.runFor(ms);
      await bounded.runFor(ms);
      expect(bounded.trace.hash()).toBe(full.trace.hash());
      expect(bounded.trace.events).toEqual(full.trace.events.slice(-25));
    }
  });

  it("keeps odd bodies and the copies of messages whose send it let go", async () => {
    const full = await oddBodies();
    for (const eventsMax of [1, 5, 40]) {
      const sim = await oddBodies({ eventsMax });
      expect(sim.trace.events).toEqual(full.trace.events.slice(-eventsMax));
      expect(sim.trace.hash()).toBe(full.trace.hash());
    }
  });

  it("feeds the exporters the events it kept", async () => {
    const sim = await runBounded(42, 40);
    const kept = sim.trace.events;
    expect(formatTimeline(sim.trace)).toBe(formatTimeline(kept));
    expect(toSequenceDiagram(sim.trace)).toContain("sequenceDiagram");
    expect(summarize(sim.trace).copies.delivered).toBe(kept.filter((e) => e.kind === "deliver").length);
  });

  it("stays small on a long run", async () => {
    const sim = new Simulation({ seed: 1, trace: { eventsMax: 1000 }, maxEvents: 10_000_000 });
    let sent = 0;
    sim.spawnMany(["a", "b"], (node) => {
      node.on("token", (m) => {
        if (sent++ < 100_000) node.send(m.src, { type: "token", hops: m.body.hops + 1 });
      });
    });
    sim.node("a").send("b", { type: "token", hops: 0 });
    await sim.run();
    expect(sim.trace.recorded).toBeGreaterThan(200_000);
    expect(sim.trace.length).toBe(1000);
    const last = sim.trace.events.at(-1)!;
    expect(last.kind).toBe("deliver");
    expect(sim.trace.filter({ kinds: ["send"] }).at(-1)).toMatchObject({ type: "token", json: `{"type":"token","hops":${100_000},"msg_id":${50_001}}` });
  });

  it("rejects an eventsMax that is not a whole number ≥ 1", () => {
    for (const eventsMax of [0, -1, 1.5, Number.NaN]) {
      expect(() => new Simulation({ trace: { eventsMax } }), String(eventsMax)).toThrow(ConfigError);
    }
  });
});

describe("EventHash", () => {
  it("folds text in pieces as the whole, and escapes JSON text as JSON.stringify does", () => {
    const whole = new EventHash();
    whole.text('{"kind":"x","n":-120034,"json":"{\\"a\\":\\"q\\\\\\"\\"}"}');
    whole.end();
    const pieces = new EventHash();
    pieces.text('{"kind":"x","n":');
    pieces.number(-120034);
    pieces.text(',"json":');
    pieces.escaped('{"a":"q\\""}');
    pieces.text("}");
    pieces.end();
    expect(pieces.digest()).toBe(whole.digest());
    for (const s of ['{"a":"q\\""}', "plain", "", "new\nline", "中文 🚀", "lone \ud800"]) {
      const escaped = new EventHash();
      escaped.escaped(s);
      const text = new EventHash();
      text.text(JSON.stringify(s));
      expect(escaped.digest(), s).toBe(text.digest());
    }
    for (const n of [0, -0, 7, 1e15, 1e21, 0.1, Number.NaN, Infinity, -2147483648]) {
      const a = new EventHash();
      a.number(n);
      const b = new EventHash();
      b.text(JSON.stringify(n));
      expect(a.digest(), String(n)).toBe(b.digest());
    }
  });
});

/** The determinism workload with a bounded trace (tracing never changes the run, so it is the same run). */
async function runBounded(seed: number, eventsMax: number): Promise<Simulation> {
  const trace = { eventsMax } as unknown as boolean; // the fixture's option is typed `boolean`; Simulation takes either
  return runWorkload(seed, { trace });
}
