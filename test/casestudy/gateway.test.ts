import { describe, expect, it } from "vitest";
import { chatGateway, joinChatGateway, type ChatGateway, type ChatGatewayOptions } from "../../lib/casestudy/gateway";
import { latency } from "../../lib/net/index";
import type { Node } from "../../lib/node/index";
import { registryServer } from "../../lib/services/index";
import { Simulation } from "../../lib/simulation/index";

const LATENCY_MS = 1;
const HEARTBEAT_INTERVAL_MS = 50;

/** A stand-in front-end: answers post and read, naming itself and echoing the body it got. */
function echoFrontEnd(node: Node): void {
  let seq = 0;
  node.on("post", (m) => {
    const { msg_id: _m, ...got } = m.body;
    node.reply(m, { type: "post_ok", room: m.body.room, seq: seq++, by: node.id, got });
  });
  node.on("read", (m) => {
    const { msg_id: _m, ...got } = m.body;
    node.reply(m, { type: "read_ok", room: m.body.room, messages: [], by: node.id, got });
  });
  joinChatGateway(node, { registry: "registry", service: "chat", gateways: ["gw"], heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS });
}

/** A front-end that registers and heartbeats but never answers a request. */
function silentFrontEnd(node: Node): void {
  node.on("post", () => {});
  node.on("read", () => {});
  joinChatGateway(node, { registry: "registry", service: "chat", gateways: ["gw"], heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS });
}

interface Answer {
  sentMs: number;
  atMs: number;
  body: Record<string, unknown>;
}

/** Registry + gateway + front-ends; `view.gw` is the gateway's current incarnation. */
function world(seed: number, frontEnds: Record<string, (node: Node) => void>, options: Partial<ChatGatewayOptions> = {}) {
  const sim = new Simulation({ seed, trace: false, network: { latency: latency.constant(LATENCY_MS) } });
  const view: { gw?: ChatGateway } = {};
  sim.spawn("registry", (node) => void registryServer(node, { leaseMs: 300 }));
  sim.spawn("gw", (node) => {
    view.gw = chatGateway(node, { registry: "registry", service: "chat", ...options });
  });
  for (const [id, behaviour] of Object.entries(frontEnds)) sim.spawn(id, behaviour);
  const client = sim.spawn("c1", () => {}, { role: "client" });
  const answers: Answer[] = [];
  /** Send one request through the gateway; its answer lands in `answers`. */
  const request = (body: Record<string, unknown>): void => {
    const sentMs = client.now();
    client.rpc("gw", body as { type: string }, { timeoutMs: 2000 }).then(
      (reply) => {
        const { msg_id: _m, in_reply_to: _r, ...rest } = reply.body;
        answers.push({ sentMs, atMs: client.now(), body: rest });
      },
      (err) => answers.push({ sentMs, atMs: client.now(), body: { type: "client_timeout", text: String(err) } }),
    );
  };
  /** One post every `everyMs` from now on, with ids c1:1, c1:2, … */
  const postEvery = (everyMs: number): void => {
    let n = 0;
    client.setPeriodic(everyMs, () => request({ type: "post", token: "t", room: "r1", id: `c1:${++n}`, text: "hi" }));
  };
  return { sim, view, answers, request, postEvery, gw: () => view.gw! };
}

const post = (i: number) => ({ type: "post", token: "t", room: "r1", id: `c1:${i}`, text: `m${i}` });

describe("chat gateway: forwarding", () => {
  it("forwards any request type as it is and relays the front-end's reply unchanged", async () => {
    const { sim, answers, request, gw } = world(1, { f1: echoFrontEnd });
    await sim.runFor(300); // registered, discovered, heard from
    expect(gw().live()).toEqual(["f1"]);
    request(post(1));
    request({ type: "read", token: "t", room: "r1", after: -1 });
    await sim.runFor(100);
    expect(answers.map((a) => a.body)).toEqual([
      { type: "post_ok", room: "r1", seq: 0, by: "f1", got: post(1) },
      { type: "read_ok", room: "r1", messages: [], by: "f1", got: { type: "read", token: "t", room: "r1", after: -1 } },
    ]);
    expect(gw().counters.forwarded).toEqual({ f1: 2 });
    expect(gw().counters.relayed).toBe(2);
  });

  it("answers error 11 when no front-end is registered", async () => {
    const { sim, answers, request, gw } = world(2, {});
    await sim.runFor(300);
    request(post(1));
    await sim.runFor(100);
    expect(answers.map((a) => a.body)).toEqual([{ type: "error", code: 11, text: "no live front-end for chat" }]);
    expect(gw().counters.noBackend).toBe(1);
  });

  it("answers error 11 naming the front-end after requestTimeoutMs when it never answers (no retry)", async () => {
    const { sim, answers, request, gw } = world(3, { f1: silentFrontEnd }, { requestTimeoutMs: 250 });
    await sim.runFor(300);
    request(post(1));
    await sim.runFor(1000);
    expect(answers).toHaveLength(1);
    expect(answers[0].body).toMatchObject({ type: "error", code: 11 });
    expect(String(answers[0].body.text)).toMatch(/front-end f1 did not answer post within 250 ms/);
    expect(answers[0].atMs - answers[0].sentMs).toBe(250 + 2 * LATENCY_MS);
    expect(gw().counters).toMatchObject({ forwarded: { f1: 1 }, timeouts: 1, timedOut: { f1: 1 } });
  });

  it("round-robin spreads the requests evenly; power-of-two uses every front-end", async () => {
    const frontEnds = { f1: echoFrontEnd, f2: echoFrontEnd, f3: echoFrontEnd };
    const rr = world(4, frontEnds);
    await rr.sim.runFor(300);
    for (let i = 1; i <= 300; i++) rr.request(post(i));
    await rr.sim.runFor(100);
    expect(rr.answers.filter((a) => a.body.type === "post_ok")).toHaveLength(300);
    expect(rr.gw().counters.forwarded).toEqual({ f1: 100, f2: 100, f3: 100 });

    const p2 = world(4, frontEnds, { policy: "power-of-two" });
    await p2.sim.runFor(300);
    for (let i = 1; i <= 300; i++) p2.request(post(i));
    await p2.sim.runFor(100);
    expect(p2.answers.filter((a) => a.body.type === "post_ok")).toHaveLength(300);
    const counts = Object.values(p2.gw().counters.forwarded);
    expect(counts).toHaveLength(3);
    for (const n of counts) expect(n).toBeGreaterThan(50);
  });
});

describe("chat gateway: discovery and failure detection", () => {
  it("uses a front-end that registers late from the next refresh on", async () => {
    const { sim, answers, postEvery, gw } = world(5, { f1: echoFrontEnd }, { refreshMs: 200 });
    sim.at(500, () => sim.spawn("f2", echoFrontEnd), "f2 starts late");
    await sim.runUntilTime(300);
    expect(gw().backends()).toEqual(["f1"]);
    postEvery(10);
    await sim.runUntil(() => gw().backends().includes("f2"), { withinMs: 1000 });
    const seenMs = sim.now();
    expect(seenMs).toBeGreaterThan(500);
    expect(seenMs).toBeLessThanOrEqual(500 + 200 + 10 * LATENCY_MS); // one refresh (+ register & resolve round trips)
    await sim.runFor(200);
    const byF2 = answers.filter((a) => a.body.by === "f2");
    expect(byF2.length).toBeGreaterThan(5);
    expect(byF2[0].sentMs).toBeGreaterThanOrEqual(seenMs);
    expect(answers.every((a) => a.body.type === "post_ok")).toBe(true);
  });

  it("skips a crashed front-end within heartbeatTimeoutMs + one interval, and uses it again after its restart", async () => {
    const heartbeatTimeoutMs = 150;
    const { sim, answers, postEvery, gw } = world(6, { f1: echoFrontEnd, f2: echoFrontEnd, f3: echoFrontEnd }, { heartbeatTimeoutMs, requestTimeoutMs: 300 });
    await sim.runUntilTime(300);
    postEvery(10);
    await sim.runUntilTime(1000);
    expect(gw().live()).toEqual(["f1", "f2", "f3"]);
    const crashMs = 1003; // between two heartbeats of f2
    sim.at(crashMs, () => sim.crash("f2"), "crash f2");
    await sim.runUntil(() => gw().suspected().includes("f2"), { withinMs: 1000, description: "f2 suspected" });
    const detectionMs = sim.now() - crashMs;
    expect(detectionMs).toBeGreaterThan(heartbeatTimeoutMs - HEARTBEAT_INTERVAL_MS);
    expect(detectionMs).toBeLessThanOrEqual(heartbeatTimeoutMs + HEARTBEAT_INTERVAL_MS);
    const suspectedMs = sim.now();
    // lost in the window: requests forwarded to f2 between its crash and the suspicion
    await sim.runUntilTime(suspectedMs + 400);
    const lost = answers.filter((a) => a.body.type === "error");
    expect(lost.every((a) => a.body.code === 11 && /front-end f2 did not answer/.test(String(a.body.text)))).toBe(true);
    expect(lost.every((a) => a.sentMs >= crashMs && a.sentMs <= suspectedMs)).toBe(true);
    expect(lost.length).toBe(gw().counters.timedOut.f2);
    expect(lost.length).toBeLessThanOrEqual(Math.ceil((heartbeatTimeoutMs + HEARTBEAT_INTERVAL_MS) / 10 / 3) + 1);
    const sentAfter = answers.filter((a) => a.sentMs > suspectedMs + LATENCY_MS);
    expect(sentAfter.length).toBeGreaterThan(30);
    expect(sentAfter.every((a) => a.body.type === "post_ok" && a.body.by !== "f2")).toBe(true);
    // restart: f2 registers and heartbeats again, and gets requests again
    const before = gw().counters.forwarded.f2;
    const restartMs = sim.now();
    sim.restart("f2");
    await sim.runUntil(() => gw().live().includes("f2"), { withinMs: 1000, description: "f2 live again" });
    await sim.runFor(200);
    expect(gw().counters.forwarded.f2).toBeGreaterThan(before + 5);
    expect(answers.filter((a) => a.sentMs > restartMs).every((a) => a.body.type === "post_ok")).toBe(true);
    console.log(`gateway: crash → f2 skipped after ${detectionMs} ms; ${lost.length} request(s) lost (error 11 after the timeout); f2 live again ${gw().live().includes("f2") ? "yes" : "no"}`);
  });
  it("skips a front-end whose heartbeats stop arriving and takes it back at its next heartbeat (restore)", async () => {
    const { sim, answers, postEvery, gw } = world(8, { f1: echoFrontEnd, f2: echoFrontEnd });
    await sim.runUntilTime(300);
    postEvery(10);
    sim.at(500, () => sim.cut("f2", "gw"), "f2's messages to gw are lost (registry renewals go on)");
    await sim.runUntil(() => gw().suspected().includes("f2"), { withinMs: 400, description: "f2 suspected" });
    const suspectedMs = sim.now();
    sim.heal();
    await sim.runUntil(() => gw().live().includes("f2"), { withinMs: 200, description: "f2 restored" });
    expect(sim.now() - suspectedMs).toBeLessThanOrEqual(HEARTBEAT_INTERVAL_MS + LATENCY_MS);
    expect(gw().backends()).toEqual(["f1", "f2"]); // the lease never lapsed
    expect(gw().counters).toMatchObject({ suspicions: 1, restores: 1 });
    const restoredMs = sim.now();
    await sim.runFor(200);
    expect(answers.filter((a) => a.sentMs > suspectedMs + LATENCY_MS && a.sentMs < restoredMs).every((a) => a.body.by === "f1")).toBe(true);
    expect(answers.filter((a) => a.sentMs > restoredMs && a.body.by === "f2").length).toBeGreaterThan(5);
  });
});

describe("chat gateway: options", () => {
  it("throws a clear error for a bad option, naming the node and the virtual time", async () => {
    const sim = new Simulation({ seed: 7, trace: false });
    const node = sim.spawn("gw");
    await sim.runFor(5);
    const good = { registry: "registry", service: "chat" };
    expect(() => chatGateway(node, { ...good, registry: "" })).toThrow(/chatGateway: registry: got "", expected the registry's node id .*node "gw", t=5/);
    expect(() => chatGateway(node, { ...good, refreshMs: 0 })).toThrow(/chatGateway: refreshMs: got 0, expected a finite number > 0.*node "gw"/);
    expect(() => chatGateway(node, { ...good, heartbeatTimeoutMs: -1 })).toThrow(/heartbeatTimeoutMs/);
    expect(() => chatGateway(node, { ...good, requestTimeoutMs: Number.NaN })).toThrow(/requestTimeoutMs/);
    expect(() => chatGateway(node, { ...good, policy: "random" as "round-robin" })).toThrow(/policy: got "random", expected one of round-robin, power-of-two/);
    expect(() => chatGateway(node, { ...good, requestTypes: ["post", "heartbeat"] })).toThrow(/requestTypes.*"heartbeat"/);
    expect(() => chatGateway(node, { ...good, requestTypes: [] })).toThrow(/requestTypes/);
    expect(() => joinChatGateway(node, { registry: "registry", service: "chat", gateways: [] })).toThrow(/joinChatGateway: gateways: got \[\].*node "gw"/);
    expect(() => joinChatGateway(node, { registry: "registry", service: "chat", gateways: ["gw"] })).toThrow(/lists this node itself/);
    expect(() => joinChatGateway(node, { registry: "registry", service: "chat", gateways: ["g"], heartbeatIntervalMs: 0 })).toThrow(/heartbeatIntervalMs/);
  });
});
