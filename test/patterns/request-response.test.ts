// Request–response, synchronous wait versus asynchronous callbacks (lib/patterns/request-response.ts).
import { describe, expect, it } from "vitest";
import {
  Simulation,
  callConcurrently,
  callSequentially,
  callbackRequester,
  latency,
  measureRequestResponse,
  requestResponseServer,
  type Message,
} from "../../lib";

/** The `n` of each message of `type` delivered, in delivery order (bodies are in the send events). */
function deliveredNs(sim: Simulation, type: string): Array<{ n: number; timeMs: number }> {
  const bodies = new Map(sim.trace.filter({ kinds: ["send"], types: [type] }).map((e) => [e.id, JSON.parse(e.json)]));
  return sim.trace.filter({ kinds: ["deliver"], types: [type] }).map((e) => ({ n: bodies.get(e.id).n, timeMs: e.timeMs }));
}

const requests = (k: number) => Array.from({ length: k }, (_, i) => ({ type: "request", n: i + 1 }));

describe("synchronous wait versus asynchronous callbacks", () => {
  it("10 independent requests: waiting for each costs 10 round trips, callbacks cost one", async () => {
    const oneWay = latency.constant(10);
    const sync = await measureRequestResponse({ seed: 1, requests: 10, style: "sequential", latency: oneWay, serviceMs: 2 });
    const async = await measureRequestResponse({ seed: 1, requests: 10, style: "concurrent", latency: oneWay, serviceMs: 2 });
    expect(sync.totalMs).toBe(10 * (10 + 2 + 10));
    expect(async.totalMs).toBe(10 + 2 + 10);
    expect(sync.messages).toBe(20);
    expect(async.messages).toBe(20); // same messages, different waiting
  });

  it("a server that works on one request at a time takes back most of the gain", async () => {
    const serial = await measureRequestResponse({ seed: 1, requests: 10, style: "concurrent", latency: latency.constant(10), serviceMs: 5, serverConcurrency: 1 });
    expect(serial.totalMs).toBe(10 + 10 * 5 + 10); // the requests queue at the server
  });

  it("both styles return the responses in request order, paired by in_reply_to, over a reordering network", async () => {
    for (const style of ["sequential", "concurrent"] as const) {
      const sim = new Simulation({ seed: 5, network: { latency: latency.uniform(1, 30), ordering: "unordered" } });
      sim.spawn("server", (node) => requestResponseServer(node, { answer: (b) => ({ n: b.n, square: b.n * b.n }) }));
      const client = sim.spawn("client");
      const call = style === "sequential" ? callSequentially : callConcurrently;
      const replies: Message[] = await sim.runUntilSettled(call(client, "server", requests(6), { timeoutMs: 100 }));
      expect(replies.map((r) => r.body.square)).toEqual([1, 4, 9, 16, 25, 36]);
      if (style === "concurrent") {
        // the replies did arrive out of order: the pairing, not the arrival order, put them back
        const arrivals = deliveredNs(sim, "response").map((d) => d.n);
        expect(arrivals).not.toEqual([1, 2, 3, 4, 5, 6]);
      }
    }
  });
});

describe("callbackRequester under faults", () => {
  it("a duplicated response runs its callback once; the extra copy is counted as unmatched", async () => {
    const sim = new Simulation({ seed: 3, network: { latency: latency.uniform(2, 6), duplicationProbability: 0.5, ordering: "unordered" } });
    sim.spawn("server", (node) => requestResponseServer(node));
    const calls = new Map<number, number>();
    let requester!: ReturnType<typeof callbackRequester>;
    sim.spawn("client", (node) => {
      requester = callbackRequester(node);
      for (const body of requests(8)) requester.request("server", body, (reply) => calls.set(reply.body.n, (calls.get(reply.body.n) ?? 0) + 1));
    });
    await sim.runFor(100);
    expect([...calls.keys()].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...calls.values()].every((c) => c === 1)).toBe(true);
    expect(requester.unmatched).toBeGreaterThan(0);
    expect(requester.outstanding()).toBe(0);
  });

  it("a response that is lost ends in onTimeout; the same response arriving after the timeout is ignored", async () => {
    const sim = new Simulation({ seed: 1, network: { latency: latency.constant(5) } });
    sim.spawn("server", (node) => requestResponseServer(node));
    sim.addRule({ name: "lose the answer to n=2", match: { type: "response", where: (m) => m.body.n === 2 }, action: "drop" });
    sim.addRule({ name: "slow answer to n=3", match: { type: "response", where: (m) => m.body.n === 3 }, action: "delay", delayMs: latency.constant(50) });
    const outcome: string[] = [];
    let requester!: ReturnType<typeof callbackRequester>;
    sim.spawn("client", (node) => {
      requester = callbackRequester(node, { timeoutMs: 30 });
      for (const body of requests(3)) requester.request("server", body, () => outcome.push(`reply ${body.n}`), () => outcome.push(`timeout ${body.n}`));
    });
    await sim.runFor(200);
    expect(outcome).toEqual(["reply 1", "timeout 2", "timeout 3"]);
    expect(requester.unmatched).toBe(1); // the slow answer to 3, after its timeout
  });

  it("callConcurrently rejects, naming the request, when one response never comes", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("server", (node) => requestResponseServer(node));
    sim.addRule({ match: { type: "response", where: (m) => m.body.n === 2 }, action: "drop" });
    const client = sim.spawn("client");
    await expect(sim.runUntilSettled(callConcurrently(client, "server", requests(3), { timeoutMs: 20 }))).rejects.toThrow(/no response to request 2 of 3 within 20 ms/);
  });

  it("the synchronous caller survives 30% loss with rpc retries, one request at a time", async () => {
    const sim = new Simulation({ seed: 9, network: { latency: latency.uniform(5, 15), lossProbability: 0.3 } });
    sim.spawn("server", (node) => requestResponseServer(node));
    const client = sim.spawn("client");
    const replies = await sim.runUntilSettled(callSequentially(client, "server", requests(5), { timeoutMs: 40, retries: 10 }));
    expect(replies.map((r) => r.body.n)).toEqual([1, 2, 3, 4, 5]);
    expect(sim.counters.dropped).toBeGreaterThan(0);
    // never two requests in flight: each request is sent only after the previous response arrived
    const firstSends = new Map<number, number>();
    for (const e of sim.trace.filter({ kinds: ["send"], types: ["request"] })) {
      const n = JSON.parse(e.json).n;
      if (!firstSends.has(n)) firstSends.set(n, e.timeMs);
    }
    const answered = deliveredNs(sim, "response");
    for (let n = 2; n <= 5; n++) {
      const previousAnswer = answered.find((d) => d.n === n - 1)!;
      expect(firstSends.get(n)!).toBeGreaterThanOrEqual(previousAnswer.timeMs);
    }
  });

  it("rejects a bad timeout with the node's name", () => {
    const sim = new Simulation({ seed: 1 });
    expect(() => sim.spawn("client", (node) => callbackRequester(node, { timeoutMs: 0 }))).toThrow(/timeoutMs must be > 0 ms, got 0 \(node "client", t=0ms/);
  });
});
