// Async node code (async handlers, `await node.rpc` with retries, `await node.sleep`) is as
// deterministic as callbacks, and every continuation runs at the virtual time of the event that
// resumed it: the kernel lets promise continuations finish before it takes the next event.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import { latency } from "../../lib/net";
import type { TraceEvent, RpcEvent, LogEvent } from "../../lib/trace/events";

async function runAsyncWorkload(seed: number): Promise<Simulation> {
  const sim = new Simulation({
    seed,
    network: { latency: latency.uniform(1, 10), lossProbability: 0.2, ordering: "unordered" },
  });
  // A key-value server whose async handler "thinks" for a random time before it answers.
  sim.spawn("kv", (node) => {
    const data = new Map<string, number>();
    node.on("put", async (msg) => {
      await node.sleep(node.rng.int(1, 5));
      data.set(msg.body.key, msg.body.value);
      node.reply(msg, { type: "put_ok" });
    });
    node.on("get", async (msg) => {
      await node.sleep(node.rng.int(1, 5));
      node.reply(msg, { type: "get_ok", value: data.get(msg.body.key) ?? null });
    });
  });
  // A proxy whose async handler awaits its own RPC to the server, with retries.
  sim.spawn("proxy", (node) => {
    const forward = async (msg: { src: string; dest: string; body: any }): Promise<void> => {
      const { msg_id: _id, ...request } = msg.body;
      const answer = await node.rpc("kv", request, { timeoutMs: 30, retries: 4, backoffMsInitial: 2 });
      node.log(`forwarded ${msg.body.type} #${msg.body.msg_id} at ${node.now()}`);
      const { msg_id: _a, in_reply_to: _b, ...rest } = answer.body;
      node.reply(msg, rest as { type: string });
    };
    node.on("put", (msg) => forward(msg));
    node.on("get", (msg) => forward(msg));
  });
  // A client whose whole behaviour is an async loop.
  sim.spawn("client", async (node) => {
    for (let i = 0; i < 15; i++) {
      const key = node.rng.pick(["x", "y", "z"]);
      const request = i % 2 === 0 ? { type: "put", key, value: i } : { type: "get", key };
      try {
        const reply = await node.rpc("proxy", request, { timeoutMs: 150, retries: 2 });
        node.log(`op ${i} ${reply.body.type} at ${node.now()}`);
      } catch (err) {
        node.log(`op ${i} failed (${(err as Error).name}) at ${node.now()}`);
      }
      const before = node.now();
      await node.sleep(10);
      node.log(`slept from ${before} to ${node.now()}`);
    }
    node.log("client done");
  });
  await sim.runFor(10_000);
  return sim;
}

describe("async determinism", () => {
  it("one seed, two runs: identical traces", async () => {
    const a = await runAsyncWorkload(9);
    const b = await runAsyncWorkload(9);
    expect(b.trace.hash()).toBe(a.trace.hash());
    expect(b.trace.events).toEqual(a.trace.events);
    expect(a.trace.events.some((e) => e.kind === "log" && e.text === "client done")).toBe(true);
    // the retries really happened
    expect(a.trace.events.some((e) => e.kind === "rpc" && e.attempts > 1)).toBe(true);
    expect(a.counters.dropped).toBeGreaterThan(0);
  });

  it("a continuation after `await rpc` runs at the reply's delivery time, before any later event", async () => {
    const sim = await runAsyncWorkload(9);
    const events = sim.trace.events;
    let checked = 0;
    events.forEach((e, i) => {
      if (e.kind !== "rpc" || e.outcome !== "ok" || e.node !== "client") return;
      const reply = events
        .slice(0, i)
        .reverse()
        .find((d): d is Extract<TraceEvent, { kind: "deliver" }> => d.kind === "deliver" && d.dest === "client" && d.inReplyTo === e.msgId);
      expect(reply, `the delivery of the reply to #${e.msgId}`).toBeDefined();
      expect(e.timeMs).toBe(reply!.timeMs);
      const next = events[i + 1] as LogEvent;
      expect(next.kind).toBe("log");
      expect(next.text).toMatch(new RegExp(` at ${e.timeMs}$`));
      expect(next.timeMs).toBe(e.timeMs);
      checked++;
    });
    expect(checked).toBeGreaterThan(5);
  });

  it("a proxy's nested `await rpc` resumes at its reply's delivery, and its reply is sent then", async () => {
    const sim = await runAsyncWorkload(9);
    const events = sim.trace.events;
    const proxied = events.filter((e): e is RpcEvent => e.kind === "rpc" && e.node === "proxy" && e.outcome === "ok");
    expect(proxied.length).toBeGreaterThan(5);
    for (const rpc of proxied) {
      const i = events.indexOf(rpc);
      const log = events[i + 1] as LogEvent;
      expect(log.kind).toBe("log");
      expect(log.timeMs).toBe(rpc.timeMs);
      const send = events[i + 2];
      expect(send.kind === "send" && send.src === "proxy" && send.dest === "client" && send.timeMs === rpc.timeMs).toBe(true);
    }
  });

  it("`await node.sleep(10)` resumes exactly 10 virtual ms later", async () => {
    const sim = await runAsyncWorkload(9);
    const slept = sim.trace.events.filter((e): e is LogEvent => e.kind === "log" && e.text.startsWith("slept"));
    expect(slept).toHaveLength(15);
    for (const log of slept) {
      const [, from, to] = /slept from (\S+) to (\S+)/.exec(log.text)!;
      expect(Number(to) - Number(from)).toBeCloseTo(10, 9);
      expect(log.timeMs).toBe(Number(to));
    }
  });

  it("an rpc that gives up rejects at the end of its last timeout, in virtual time", async () => {
    const sim = new Simulation({ seed: 3, network: { lossProbability: 1 } });
    sim.spawn("server", (node) => node.on("ping", (m) => node.reply(m, { type: "pong" })));
    const client = sim.spawn("client");
    const started = sim.now();
    const outcome = client.rpc("server", { type: "ping" }, { timeoutMs: 40, retries: 2, backoffMsInitial: 10 }).then(
      () => "ok",
      (err: Error) => `${err.name} at ${client.now()}`,
    );
    const result = await sim.runUntilSettled(outcome);
    // attempts at 0, 50, 110 (backoff 10 then 20); each waits 40 ms ⇒ gives up at 150
    expect(result).toBe(`RpcTimeoutError at ${started + 150}`);
  });
});
