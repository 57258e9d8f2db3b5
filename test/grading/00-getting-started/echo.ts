/**
 * Check of exercise 00.2 echo.
 *
 * 1. The server, with two grader clients on a network that loses and duplicates messages: every
 *    copy of a request that reaches the server gets exactly one `echo_ok` reply, sent to the
 *    client that asked, with `in_reply_to` = the request's `msg_id` and the same `echo` text.
 * 2. The client `echoWithRetries`, against the grader's own echo server with 30% loss: each call
 *    returns the text it sent.
 */
import { latency } from "../../../lib/net";
import { RpcTimeoutError, type Node } from "../../../lib/node";
import type { Simulation } from "../../../lib/simulation";
import type { SendEvent, TraceEvent } from "../../../lib/trace";
import { ensure, fail, runScenarios, type CheckResult, type Scenario } from "../check";

/** What exercises/00-getting-started/echo.ts exports. */
export interface EchoApi {
  echoServer(node: Node): void | Promise<void>;
  echoWithRetries(node: Node, server: string, text: string): Promise<string>;
}

// tsc checks that the stub and the reference both have this API.
type Implements<T extends EchoApi> = T;
export type StubImplementsEcho = Implements<typeof import("../../../exercises/00-getting-started/echo")>;
export type SolutionImplementsEcho = Implements<typeof import("../../../solutions/00-getting-started/echo")>;

/** The requests each grader client sends to the student's server: [client, send time, text]. */
const SERVER_WORKLOAD: ReadonlyArray<[string, number, string]> = [
  ["c1", 0, "hello from c1"],
  ["c2", 3, "hello from c2"],
  ["c1", 20, "c1: second message"],
  ["c2", 21, "c2: ünïcödé ✓"],
  ["c1", 40, 'c1 says "quote" & more'],
  ["c2", 44, "c2: third"],
  ["c1", 60, "c1: last one"],
  ["c2", 61, "c2: last one"],
];

/** Texts the student's client must get through. */
const CLIENT_TEXTS = ["hello", "distributed ✓", "one more time", "ünïcödé", "bye"];

interface Request {
  send: SendEvent;
  text: string;
  /** How many copies reached the server. */
  copies: number;
  /** Replies attributed to it. */
  replies: number;
}

function describeReply(reply: SendEvent, body: Record<string, unknown>): string {
  const fields = Object.entries(body)
    .filter(([k]) => k !== "msg_id")
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join(", ");
  return `${reply.src} → ${reply.dest} { ${fields} }`;
}

/** When a message is "seen": its delivery or drop time (the diagram stops there). */
function seenMs(events: readonly TraceEvent[], id: number, fallbackMs: number): number {
  const e = events.find((x) => (x.kind === "deliver" || x.kind === "drop") && x.id === id);
  return e ? e.timeMs : fallbackMs;
}

/** The server's rules, checked on a trace. */
export function checkServerReplies(events: readonly TraceEvent[], server: string): void {
  const requests = new Map<string, Request>();
  const byWireId = new Map<number, Request>();
  for (const e of events) {
    if (e.kind === "send" && e.dest === server && e.type === "echo") {
      const text = JSON.parse(e.json).echo as string;
      const r: Request = { send: e, text, copies: 0, replies: 0 };
      requests.set(text, r);
      byWireId.set(e.id, r);
    } else if (e.kind === "deliver" && e.dest === server) {
      const r = byWireId.get(e.id);
      if (r) r.copies++;
    }
  }
  const name = (r: Request): string => `${r.send.src}'s echo #${r.send.msgId} ${JSON.stringify(r.text)}`;
  for (const e of events) {
    if (e.kind !== "send" || e.src !== server) continue;
    const body = JSON.parse(e.json) as Record<string, unknown>;
    const at = { timeMs: seenMs(events, e.id, e.timeMs), node: server };
    const byText = typeof body.echo === "string" ? requests.get(body.echo) : undefined;
    const byId = Array.from(requests.values()).find((r) => r.send.src === e.dest && r.send.msgId === body.in_reply_to);
    const request = byText ?? byId;
    if (request === undefined) {
      fail(`every message from ${server} to answer one of the requests`, `${describeReply(e, body)}, which matches no request`, at);
    }
    ensure(e.type === "echo_ok", `the reply to ${name(request)} to have type "echo_ok"`, `type ${JSON.stringify(e.type)}: ${describeReply(e, body)}`, at);
    ensure(
      body.echo === request.text,
      `the reply to ${name(request)} to carry echo: ${JSON.stringify(request.text)}`,
      () => describeReply(e, body),
      at,
    );
    ensure(
      e.dest === request.send.src,
      `the reply to ${name(request)} to go to ${request.send.src}, the node that asked (the request's src)`,
      `it went to ${e.dest}: ${describeReply(e, body)}`,
      at,
    );
    ensure(
      body.in_reply_to === request.send.msgId,
      `the reply to ${name(request)} to have in_reply_to: ${request.send.msgId} (the request's msg_id)`,
      () => (body.in_reply_to === undefined ? `no in_reply_to: ${describeReply(e, body)}` : describeReply(e, body)),
      at,
    );
    request.replies++;
  }
  const endMs = events.length ? events[events.length - 1].timeMs : 0;
  for (const r of requests.values()) {
    if (r.replies === r.copies) continue;
    const arrived = r.copies === 1 ? "arrived once" : `arrived ${r.copies} times (the network duplicated it)`;
    const why =
      r.replies < r.copies && r.replies > 0
        ? ": a client's retry looks just like a duplicate (same msg_id), so answer every copy"
        : "";
    fail(
      `one echo_ok for every copy of a request that reaches ${server}: ${name(r)} ${arrived}`,
      `${r.replies} ${r.replies === 1 ? "reply" : "replies"}${why}`,
      { timeMs: endMs, node: server },
    );
  }
}

async function serveTwoClients(sim: Simulation, impl: EchoApi): Promise<void> {
  sim.spawn("server", (node) => impl.echoServer(node), { role: "server" });
  for (const id of ["c1", "c2"]) {
    sim.spawn(id, (node) => void node.on("echo_ok", () => {}), { role: "client" });
  }
  for (const [client, atMs, text] of SERVER_WORKLOAD) {
    sim.at(atMs, () => void sim.node(client).send("server", { type: "echo", echo: text }), `${client} sends an echo`);
  }
  try {
    await sim.runFor(1000);
  } catch (error) {
    checkServerReplies(sim.trace.events, "server"); // a broken rule explains a message storm better
    throw error;
  }
  checkServerReplies(sim.trace.events, "server");
}

async function getEchoesThrough(sim: Simulation, impl: EchoApi): Promise<void> {
  sim.spawn("server", (node) => void node.on("echo", (req) => void node.reply(req, { type: "echo_ok", echo: req.body.echo })), {
    role: "server",
  });
  const client = sim.spawn("client", () => {}, { role: "client" });
  for (const text of CLIENT_TEXTS) {
    const call = `echoWithRetries(client, "server", ${JSON.stringify(text)})`;
    let settled = false;
    let got: unknown;
    try {
      const promise = Promise.resolve(impl.echoWithRetries(client, "server", text));
      promise.then(
        () => (settled = true),
        () => (settled = true),
      );
      got = await sim.runUntilSettled(promise, { withinMs: 60_000 });
    } catch (error) {
      const at = { timeMs: sim.now(), node: "client" };
      const expected = `${call} to return ${JSON.stringify(text)} despite 30% message loss`;
      if (error instanceof RpcTimeoutError) fail(expected, `it gave up: ${error.message}`, at);
      if (!settled) fail(expected, "its promise never settled (60 s of virtual time passed, or nothing was left to run)", at);
      fail(expected, `it threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, at);
    }
    ensure(got === text, `${call} to return ${JSON.stringify(text)}`, `it returned ${JSON.stringify(got)}`, { timeMs: sim.now(), node: "client" });
  }
}

/**
 * Grade an echo implementation with one seed.
 *
 * @example
 * await checkEcho(await import("../../../solutions/00-getting-started/echo"), 7); // { status: "pass", … }
 */
export function checkEcho(impl: EchoApi, seed: number): Promise<CheckResult> {
  const scenarios: Array<Scenario<EchoApi>> = [
    {
      name: "echoServer with two clients c1, c2 (4 requests each); 20% loss, 30% duplication, unordered links, latency 5–15 ms",
      simulation: {
        network: { latency: latency.uniform(5, 15), lossProbability: 0.2, duplicationProbability: 0.3, ordering: "unordered" },
      },
      studentNodes: ["server"],
      run: serveTwoClients,
    },
    {
      name: `echoWithRetries from "client" to the grader's echo server, ${CLIENT_TEXTS.length} calls one after another; 30% loss, 5% duplication, latency 5–15 ms`,
      simulation: { network: { latency: latency.uniform(5, 15), lossProbability: 0.3, duplicationProbability: 0.05 } },
      run: getEchoesThrough,
    },
  ];
  return runScenarios(impl, seed, scenarios, ["echoServer", "echoWithRetries"]);
}
