// The launcher with real processes: the same node code as the simulator's, run as `distlab-node`
// processes on this machine and reached through the launcher's router. Real time makes these
// slow, so they are few, bounded, never retried, and every test stops its processes (`afterEach`),
// pass or fail. Each process loads TypeScript with tsx before it answers init: ~0.5 s on a quiet
// machine, but 2.5–5 s each on the shared 2-core machine at load 12, where starting 3 at once took
// 11.5 s and the 3-process tests 11.7 s and 12.3 s. Hence generous limits (START_MS, the test
// timeouts); the protocol parts themselves take well under a second (Raft: first put ~0.2 s after
// start, a put after killing the leader ~0.3 s).
import { afterEach, describe, expect, it } from "vitest";
import { launch, type Cluster, type LaunchClient } from "../../runtime/launcher";
import { toSequenceDiagram } from "../../lib/trace/index";
import type { Message } from "../../lib/node/index";

const ECHO = { module: "solutions/00-getting-started/echo.ts", exportName: "echoServer" };
const BROADCAST = { module: "test/runtime/fixtures/reliable-broadcast-node.ts", exportName: "reliableBroadcastNode" };
const PROBE = { module: "runtime/examples/probe.ts", exportName: "probeNode" };
const KV = { module: "lib/kv/server.ts", exportName: "kvRaftServer" };

/** Raft timing for real processes: 20 ms ticks, elections after 200–400 ms, heartbeats every 60 ms. */
/** Per-test limits: process start-up dominates (see above). */
const ONE_PROCESS_TEST_MS = 20_000;
const THREE_PROCESS_TEST_MS = 40_000;

const RAFT_TIMING = { tickMs: 20, electionTicksMin: 10, electionTicksMax: 20, heartbeatTicks: 3 };

let cluster: Cluster | undefined;

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

/** Why a test failed, with what the nodes wrote to stderr and the last messages. */
function context(c: Cluster): string {
  const logs = c.nodeIds.map((id) => `${id} stderr:\n  ${c.stderr(id).slice(-8).join("\n  ")}`).join("\n");
  return `${logs}\nlast messages:\n${toSequenceDiagram(c.trace(), { showTime: true, maxMessages: 40, fromMs: Math.max(0, lastTimeMs(c) - 3000) })}`;
}

function lastTimeMs(c: Cluster): number {
  const events = c.trace().events;
  return events.length === 0 ? 0 : events[events.length - 1].timeMs;
}

describe("launcher (real processes)", () => {
  it("routes a client's echo to the reference echo server and its reply back", async () => {
    cluster = await launch({ nodes: [{ id: "n1", ...ECHO }] });
    const reply = await cluster.client("c1").rpc("n1", { type: "echo", echo: "hello" }, { timeoutMs: 5000 });
    expect(reply.src).toBe("n1");
    expect(reply.body).toMatchObject({ type: "echo_ok", echo: "hello", in_reply_to: 1 });

    // The trace is lib's: the request and the reply, each sent once and delivered once, drawn by toSequenceDiagram.
    const trace = cluster.trace();
    const echoes = trace.filter({ types: ["echo", "echo_ok"], kinds: ["send", "deliver", "drop"] });
    expect(echoes.map((e) => `${e.kind} ${e.src}→${e.dest} ${e.type}`)).toEqual([
      "send c1→n1 echo",
      "deliver c1→n1 echo",
      "send n1→c1 echo_ok",
      "deliver n1→c1 echo_ok",
    ]);
    const diagram = toSequenceDiagram(trace, { types: ["echo", "echo_ok"] });
    expect(diagram).toContain("c1->>n1: echo #35;1");
    expect(diagram).toMatch(/n1->>c1: echo_ok #35;\d+ ↩1/);
  }, ONE_PROCESS_TEST_MS);

  it("reliable broadcast (lib/channels, over perfect links) reaches all 3 nodes through 10% router loss", async () => {
    cluster = await launch({ nodes: ["n1", "n2", "n3"].map((id) => ({ id, ...BROADCAST })), lossProbability: 0.1, seed: 3 });
    const c = cluster;
    const client = c.client("c1");
    // The client's own request can be lost too: retry it (the node broadcasts a value once).
    await client.rpc("n1", { type: "broadcast", message: 42 }, { timeoutMs: 300, retries: 20 });
    const deadlineMs = Date.now() + 6000;
    const missing = new Set(c.nodeIds);
    while (missing.size > 0 && Date.now() < deadlineMs) {
      for (const id of [...missing]) {
        const read = await client.rpc(id, { type: "read" }, { timeoutMs: 300, retries: 5 }).catch(() => undefined);
        if (read?.body.messages?.includes(42)) missing.delete(id);
      }
      if (missing.size > 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect([...missing], `nodes that never read 42:\n${context(c)}`).toEqual([]);

    // Loss is recorded, never silent: every routed message is delivered or dropped exactly once.
    await c.stop(); // messages still held by the router are recorded as dropped (reason crashed)
    const trace = c.trace();
    expect(trace.filter({ kinds: ["deliver", "drop"] }).length).toBe(trace.countsByKind().send);
    expect(trace.filter({ kinds: ["drop"] }).filter((e) => e.reason !== "loss" && e.reason !== "crashed")).toEqual([]);
  }, THREE_PROCESS_TEST_MS);

  it("the Raft key–value store (lib/kv) on 3 processes serves put/get, and still does after its leader is killed", async () => {
    const ids = ["n1", "n2", "n3"];
    const started = Date.now();
    cluster = await launch({ nodes: ids.map((id) => ({ id, ...KV, options: { peers: ids.filter((p) => p !== id), ...RAFT_TIMING } })) });
    const c = cluster;
    const startMs = Date.now() - started;
    const clerk = kvClerk(c.client("c1"), ids);

    const put1 = await clerk.call({ op: "put", key: "x", value: "1" }, 6000);
    expect(put1.reply?.status, `no leader accepted put x=1:\n${context(c)}`).toBe("ok");
    const get1 = await clerk.call({ op: "get", key: "x" }, 3000);
    expect(get1.reply?.value).toBe("1");
    const leader = get1.server;

    const killedAt = Date.now();
    c.crash(leader);
    clerk.forget(leader);
    const put2 = await clerk.call({ op: "put", key: "x", value: "2" }, 6000);
    expect(put2.reply?.status, `the two left did not serve put x=2 after ${leader} was killed:\n${context(c)}`).toBe("ok");
    const failoverMs = Date.now() - killedAt;
    const get2 = await clerk.call({ op: "get", key: "x" }, 3000);
    expect(get2.reply?.value).toBe("2");
    expect(get2.server).not.toBe(leader);
    // The nodes' own trace files are merged: their Raft role changes are in the launcher's trace.
    const leaders = c.trace().filter({ kinds: ["state"] }).filter((e) => e.to === "leader").map((e) => e.node);
    expect(leaders).toContain(leader);
    expect(leaders).toContain(get2.server);
    // Measured for the report: start-up of 3 processes, then the put after the kill (election included).
    console.log(`launcher raft: started 3 processes in ${startMs} ms; first put after ${put1.elapsedMs} ms; after killing ${leader}, a put took ${failoverMs} ms`);
  }, THREE_PROCESS_TEST_MS);

  it("a crashed node's messages are dropped (reason crashed); restarted, it keeps its storage", async () => {
    cluster = await launch({ nodes: [{ id: "n1", ...PROBE }] });
    const c = cluster;
    const client = c.client("c1");
    await client.rpc("n1", { type: "keep", value: "kept across the crash" }, { timeoutMs: 5000 });
    c.crash("n1");
    expect(c.isUp("n1")).toBe(false);
    await expect(client.rpc("n1", { type: "status" }, { timeoutMs: 200 })).rejects.toThrow(/no reply/);
    await c.restart("n1");
    const status = await client.rpc("n1", { type: "status" }, { timeoutMs: 5000 });
    expect(status.body).toMatchObject({ type: "status_ok", incarnation: 2, kept: "kept across the crash" });

    const trace = c.trace();
    expect(trace.filter({ kinds: ["drop"] }).map((e) => `${e.type} ${e.reason}`)).toEqual(["status crashed"]);
    expect(trace.events.filter((e) => e.kind === "crash" || e.kind === "restart").map((e) => e.kind)).toEqual(["crash", "restart"]);
  }, THREE_PROCESS_TEST_MS);
});

/** A tiny clerk: tries the servers in turn (or the leader hint), same clientId and seq on every retry. */
function kvClerk(client: LaunchClient, servers: readonly string[]) {
  let seq = 0;
  let preferred = servers[0];
  const dead = new Set<string>();
  return {
    forget(id: string) {
      dead.add(id);
      if (preferred === id) preferred = servers.find((s) => !dead.has(s)) ?? preferred;
    },
    async call(op: { op: "get" | "put"; key: string; value?: string }, withinMs: number): Promise<{ reply?: Message["body"]; server: string; elapsedMs: number }> {
      seq++;
      const start = Date.now();
      let server = preferred;
      while (Date.now() - start < withinMs) {
        const reply = await client
          .rpc(server, { type: "kv_request", ...op, clientId: client.id, seq }, { timeoutMs: 500 })
          .catch(() => undefined);
        if (reply?.body.status === "ok") {
          preferred = server;
          return { reply: reply.body, server, elapsedMs: Date.now() - start };
        }
        const hint = reply?.body.leaderHint;
        const alive = servers.filter((s) => !dead.has(s));
        server = typeof hint === "string" && !dead.has(hint) && hint !== server ? hint : alive[(alive.indexOf(server) + 1) % alive.length];
        if (reply !== undefined) await new Promise((r) => setTimeout(r, 50)); // no leader yet: let the election finish
      }
      return { server, elapsedMs: Date.now() - start };
    },
  };
}
