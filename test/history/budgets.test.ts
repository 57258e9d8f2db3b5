// Budgets on runs whose numbers can be worked out by hand, the counting rules on a hand-made
// trace, and the matchers graders use.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import { latency } from "../../lib/net";
import type { Node } from "../../lib/node";
import type { SendEvent } from "../../lib/trace";
import { checkBudget, formatBudgets, kvOps, kvServer, measureBudgets, runClients } from "../../lib/history";
import type { Budgets } from "../../lib/history";

/**
 * A primary that copies every request to two backups by rpc and replies once both acknowledged.
 * With 5 ms links an operation takes 20 ms and 6 messages: request, 2 copies, 2 acks, reply.
 */
function primaryBackup(sim: Simulation): void {
  const backup = (node: Node): void => {
    node.on("hello", () => {});
    node.on("copy", (m) => node.reply(m, { type: "copy_ok" }));
  };
  sim.spawn("b1", backup);
  sim.spawn("b2", backup);
  sim.spawn("primary", (node) => {
    node.send("b1", { type: "hello" }); // before the clients start: outside the window
    node.send("b2", { type: "hello" });
    const values = new Map<string, string>();
    const serve = async (req: { src: string; body: any }, apply: () => Record<string, unknown>): Promise<void> => {
      await Promise.all(["b1", "b2"].map((b) => node.rpc(b, { type: "copy", op: req.body.type }, { timeoutMs: 100 })));
      node.reply(req as never, { type: `${req.body.type}_ok`, ...apply() });
    };
    node.on("get", (req) => serve(req, () => ({ value: values.get(req.body.key) ?? "" })));
    node.on("put", (req) => serve(req, () => (values.set(req.body.key, req.body.value), {})));
    node.on("append", (req) => serve(req, () => (values.set(req.body.key, (values.get(req.body.key) ?? "") + req.body.value), {})));
  });
}

describe("measureBudgets on runs worked out by hand", () => {
  it("one server, 5 ms links, two clients for 100 ms: 20 ok operations of 2 messages and 10 ms each", async () => {
    const sim = new Simulation({ seed: 1, network: { latency: latency.constant(5) } });
    sim.spawn("server", kvServer());
    const run = await runClients(sim, { clients: 2, ops: kvOps({ keys: ["x", "y"] }), target: "server", durationMs: 100, timeoutMs: 50 });
    expect(measureBudgets(run, sim.trace)).toEqual({
      operations: { invoked: 20, ok: 20, fail: 0, info: 0 },
      messages: 40,
      messagesPerOp: 2,
      serverMessages: 0,
      serverMessagesPerOp: 0,
      serverRpcs: 0,
      rpcsPerCommit: 0,
      latencyMs: { count: 20, p50: 10, p90: 10, p99: 10, max: 10 },
      throughputPerSecond: 200,
      startMs: 0,
      endMs: 100,
      durationMs: 100,
    } satisfies Budgets);
  });

  it("primary–backup: 6 messages per operation, 4 between servers, 2 RPCs per committed operation; traffic before the clients is left out", async () => {
    const sim = new Simulation({ seed: 1, network: { latency: latency.constant(5) } });
    primaryBackup(sim);
    await sim.runFor(50);
    const run = await runClients(sim, { clients: 2, ops: kvOps(), target: "primary", durationMs: 100, timeoutMs: 50 });
    const b = measureBudgets(run, sim.trace);
    expect(b).toMatchObject({
      operations: { invoked: 10, ok: 10, fail: 0, info: 0 },
      messages: 60,
      messagesPerOp: 6,
      serverMessages: 40,
      serverMessagesPerOp: 4,
      serverRpcs: 20,
      rpcsPerCommit: 2,
      latencyMs: { count: 10, p50: 20, p90: 20, p99: 20, max: 20 },
      throughputPerSecond: 100,
      startMs: 50,
      endMs: 150,
    });
    expect(formatBudgets(b)).toBe(
      [
        "operations  10 invoked: 10 ok, 0 fail, 0 info",
        "throughput  100 ok ops/s over 100ms",
        "latency     p50 20ms  p90 20ms  p99 20ms  max 20ms  (ok operations)",
        "messages    60 sent, 6 per ok op; between servers 40, 4 per ok op",
        "rpcs        20 requests between servers, 2 per committed op",
      ].join("\n"),
    );
  });

  it("counts by the rules on a hand-made trace: per send, requests only, retries again, the window inclusive", () => {
    let id = 0;
    const send = (timeMs: number, src: string, dest: string, type: string, msgId: number, inReplyTo?: number): SendEvent => ({
      kind: "send", timeMs, id: id++, src, dest, type, msgId, inReplyTo, bytes: 10, json: "{}",
    });
    const events = [
      send(0, "s1", "s2", "heartbeat", 1), // before the window
      send(10, "c1", "s1", "put", 1),
      send(11, "s1", "s2", "append_entries", 2),
      send(21, "s1", "s2", "append_entries", 2), // the rpc's retry: same msg_id, sent again
      send(26, "s2", "s1", "append_entries_ok", 7, 2),
      send(31, "s1", "c1", "put_ok", 3, 1),
      send(40, "s1", "s2", "heartbeat", 4), // at endMs: inside
      send(41, "s1", "s2", "heartbeat", 5), // after
    ];
    const history = { operations: [{ id: 0, process: "c1", f: "put", input: { key: "x", value: "a" }, invokeMs: 10, completion: "ok" as const, completeMs: 31 }] };
    const b = measureBudgets({ history, endMs: 40 }, events);
    expect(b).toMatchObject({ startMs: 10, endMs: 40, durationMs: 30, messages: 6, serverMessages: 4, serverRpcs: 3, rpcsPerCommit: 3, latencyMs: { p50: 21 } });
    // Without an end, the window closes at the last event of the trace.
    expect(measureBudgets({ history }, events)).toMatchObject({ endMs: 41, messages: 7, serverRpcs: 4 });
  });

  it("refuses a simulation whose trace is off, rather than report zero messages", async () => {
    const sim = new Simulation({ seed: 1, trace: false });
    sim.spawn("server", kvServer());
    const run = await runClients(sim, { clients: 1, ops: kvOps(), target: "server", durationMs: 10 });
    expect(() => measureBudgets(run, sim.trace)).toThrow(/trace is off \(trace: false\)/);
  });
});

describe("checkBudget", () => {
  const measured = async (): Promise<Budgets> => {
    const sim = new Simulation({ seed: 1, network: { latency: latency.constant(5) } });
    primaryBackup(sim);
    await sim.runFor(50);
    return measureBudgets(await runClients(sim, { clients: 2, ops: kvOps(), target: "primary", durationMs: 100, timeoutMs: 50 }), sim.trace);
  };

  it("returns nothing when every limit holds", async () => {
    const b = await measured();
    expect(checkBudget(b, { messagesPerOpMax: 6, serverMessagesPerOpMax: 4, rpcsPerCommitMax: 2, latencyMsP99Max: 20, latencyMsMax: 20, throughputPerSecondMin: 100, okOpsMin: 10, infoOpsMax: 0, failOpsMax: 0 })).toEqual([]);
    expect(checkBudget(b, {})).toEqual([]);
  });

  it("says each limit broken in a sentence, in a fixed order, the same every time", async () => {
    const b = await measured();
    const limits = { latencyMsP99Max: 15, messagesPerOpMax: 5, rpcsPerCommitMax: 1, throughputPerSecondMin: 150, okOpsMin: 11, latencyMsP50Max: 20 };
    const violations = [
      "messages per operation 6 > 5",
      "RPCs between servers per committed operation 2 > 1",
      "latency p99 20ms > 15ms",
      "throughput 100 ok ops/s < 150 ok ops/s",
      "ok operations 10 < 11",
    ];
    expect(checkBudget(b, limits)).toEqual(violations);
    expect(checkBudget(b, limits)).toEqual(violations);
  });

  it("rounds to two decimals in its sentences", () => {
    const b: Budgets = {
      operations: { invoked: 3, ok: 3, fail: 0, info: 0 }, messages: 25, messagesPerOp: 25 / 3, serverMessages: 0, serverMessagesPerOp: 0,
      serverRpcs: 0, rpcsPerCommit: 0, latencyMs: { count: 3, p50: 1, p90: 1, p99: 1, max: 1 }, throughputPerSecond: 3, startMs: 0, endMs: 1000, durationMs: 1000,
    };
    expect(checkBudget(b, { messagesPerOpMax: 6 })).toEqual(["messages per operation 8.33 > 6"]);
  });

  it("a limit on something not measured is a violation, never a silent pass", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("server", (node) => node.on("get", () => {}).on("put", () => {}).on("append", () => {})); // never answers
    const run = await runClients(sim, { clients: 2, ops: kvOps(), target: "server", durationMs: 20, timeoutMs: 10 });
    const b = measureBudgets(run, sim.trace);
    expect(b.operations.ok).toBe(0);
    expect(checkBudget(b, { messagesPerOpMax: 6, latencyMsP99Max: 50, infoOpsMax: 1 })).toEqual([
      "messages per operation: not measured (no ok operations), limit ≤ 6",
      "latency p99: not measured (no ok operations), limit ≤ 50ms",
      `info (unknown) operations ${b.operations.info} > 1`,
    ]);
  });

  it("throws on a limit it does not know or that is not a number: a grader's typo must not pass", async () => {
    const b = await measured();
    expect(() => checkBudget(b, { messagesPerOperationMax: 6 } as never)).toThrow(/unknown limit "messagesPerOperationMax" \(known: messagesPerOpMax, /);
    expect(() => checkBudget(b, { latencyMsP99Max: Number.NaN })).toThrow(/limit latencyMsP99Max must be a finite number, got NaN/);
    expect(() => checkBudget(b, { okOpsMin: "10" as never })).toThrow(/limit okOpsMin must be a finite number, got 10/);
  });
});
