/**
 * Check of exercise 00.2 echo. Each role is graded against the grader's own counterpart, with
 * bystander nodes spawned first (so `node.peers()[0]` is never the node to talk to), node names
 * drawn per trial, and {@link TRIALS} independent trials per seed of each scenario:
 *
 * 1. The server, with two or three grader clients that send requests with texts and `msg_id`s the
 *    student cannot guess (and sometimes retry them, same `msg_id`), on a network that loses,
 *    duplicates and reorders: every copy of a request that reaches the server gets exactly one
 *    `echo_ok`, sent after the copy arrived, to the client that asked, with `in_reply_to` = the
 *    request's `msg_id` and the same `echo` text.
 * 2. The client `echoWithRetries`, {@link CALLS_PER_TRIAL} calls one after another against the
 *    grader's echo server, with 30% loss, duplication and reordering: each call returns its text,
 *    and that text is the `echo` of an `echo_ok` that answered one of the call's own requests and
 *    reached the client before the call returned; the client sends nothing once a call returned,
 *    and the run goes on for {@link PAST_LAST_CALL_MS} ms after the last call to see it.
 *
 * With 30% loss each way a round trip fails with probability 1 − 0.7² = 0.51, so a client with
 * `r` retries fails a call with probability 0.51^(1+r). The grader makes
 * 5 seeds × TRIALS × CALLS_PER_TRIAL = 405 calls: 3 retries (6.8% per call) pass them all with
 * probability 0.932^405 ≈ 4·10⁻¹³; the reference's 20 retries fail one with probability ≈ 3·10⁻⁴.
 */
import { latency } from "../../../lib/net";
import { RpcTimeoutError, type Node } from "../../../lib/node";
import { formatMs } from "../../../lib/sim";
import type { Simulation } from "../../../lib/simulation";
import type { TraceEvent } from "../../../lib/trace";
import {
  ensure,
  fail,
  graderRole,
  runScenarios,
  settle,
  throwEarliest,
  spawnBystanders,
  trialsPerSeed,
  type CheckResult,
  type Scenario,
  type Settled,
  type Trial,
} from "../check";
import { exercise } from "../exercises";
import { describeMessage, seenMs, sentMessages, shortValue, type SentMessage } from "../messages";

/** What exercises/00-getting-started/echo.ts exports. */
export interface EchoApi {
  echoServer(node: Node): void | Promise<void>;
  echoWithRetries(node: Node, server: string, text: string): Promise<string>;
}

// tsc checks that the stub and the reference both have this API.
type Implements<T extends EchoApi> = T;
export type StubImplementsEcho = Implements<typeof import("../../../exercises/00-getting-started/echo")>;
export type SolutionImplementsEcho = Implements<typeof import("../../../solutions/00-getting-started/echo")>;

/** Trials per seed of each scenario: with the registry's seeds, ≥ 135 in all (see check.ts). */
export const TRIALS = trialsPerSeed(exercise("00.2").seeds.length);

/** Calls of `echoWithRetries` per client trial, one after another. */
export const CALLS_PER_TRIAL = 3;

/** How long the client trial keeps running after the last call returned. */
const PAST_LAST_CALL_MS = 1000;

/** How long one call may take (20 retries of 100 ms take about 2 s). */
const CALL_WITHIN_MS = 60_000;

/** Node names; each trial shuffles them ("server" and "client" are sometimes bystanders). */
const NAMES = ["server", "client", "n1", "n2", "n3", "n4", "n5"];

/** Words the texts are made of; each text also gets a number, so no two are alike. */
const WORDS = ["hello", "distributed ✓", "ünïcödé", 'say "quote" & more', "bye", "one more time", "ping?", "ελληνικά"];

function say(m: SentMessage): string {
  return describeMessage(m, ["echo"]);
}

function endMs(events: readonly TraceEvent[]): number {
  return events.length ? events[events.length - 1].timeMs : 0;
}

/** A request as its client sent it (the original and its retries share `msg_id`). */
interface Request {
  src: string;
  msgId: number | undefined;
  text: unknown;
  sends: SentMessage[];
  /** Copies that reached the server. */
  copies: number;
  /** Replies the server sent to it. */
  replies: number;
}

function requestName(r: Request): string {
  return `${r.src}'s echo ${shortValue(r.text)} (msg_id #${r.msgId})`;
}

/**
 * The server's rules, checked on a trace: requests from `clients` to `server`.
 *
 * @example
 * checkServerReplies(sim.trace.events, "server", ["c1", "c2"]);
 */
export function checkServerReplies(events: readonly TraceEvent[], server: string, clients: readonly string[]): void {
  const sent = sentMessages(events);
  const requests = new Map<string, Request>();
  for (const m of sent) {
    if (m.send.dest !== server || !clients.includes(m.send.src) || m.send.type !== "echo") continue;
    const key = `${m.send.src}#${m.send.msgId}`;
    let r = requests.get(key);
    if (r === undefined) requests.set(key, (r = { src: m.send.src, msgId: m.send.msgId, text: m.body.echo, sends: [], copies: 0, replies: 0 }));
    r.sends.push(m);
    r.copies += m.delivered.length;
  }
  const all = Array.from(requests.values());
  for (const m of sent) {
    if (m.send.src !== server) continue;
    const r =
      requests.get(`${m.send.dest}#${m.send.inReplyTo}`) ??
      all.find((x) => x.text === m.body.echo && x.src === m.send.dest) ??
      all.find((x) => x.msgId === m.send.inReplyTo) ??
      all.find((x) => x.text === m.body.echo);
    const evidence = [...(r?.sends.map((s) => s.send.id) ?? []), m.send.id];
    const at = { timeMs: seenMs(m), node: server, evidence };
    if (r === undefined) fail(`every message from ${server} to answer one of the requests it received`, `${say(m)}, which answers none of them`, at);
    const arrived = r.sends.flatMap((s) => s.delivered).some((a) => a.index < m.index);
    ensure(arrived, `${server} to answer ${requestName(r)} only after it arrived`, () => `${say(m)}, before any copy of the request arrived`, at);
    ensure(m.send.type === "echo_ok", `the reply to ${requestName(r)} to have type "echo_ok"`, () => say(m), at);
    ensure(m.body.echo === r.text, `the reply to ${requestName(r)} to carry echo=${shortValue(r.text)}`, () => say(m), at);
    ensure(
      m.send.dest === r.src,
      `the reply to ${requestName(r)} to go to ${r.src}, the node that asked (the request's src)`,
      () => `it went to ${m.send.dest}: ${say(m)}`,
      at,
    );
    ensure(
      m.send.inReplyTo === r.msgId,
      `the reply to ${requestName(r)} to have in_reply_to ${r.msgId} (the request's msg_id #${r.msgId})`,
      () => (m.send.inReplyTo === undefined ? `no in_reply_to: ${say(m)}` : say(m)),
      at,
    );
    r.replies++;
  }
  for (const r of all) {
    if (r.replies === r.copies) continue;
    const retried = r.sends.length > 1 ? ` (sent ${r.sends.length} times: the client retried)` : "";
    const arrived = r.copies === 1 ? "arrived once" : `arrived ${r.copies} times${retried || " (the network duplicated it)"}`;
    const why = r.replies < r.copies && r.replies > 0 ? ": a client's retry looks just like a duplicate (same msg_id), so answer every copy" : "";
    const replies = sent.filter((m) => m.send.src === server && m.send.dest === r.src && m.send.inReplyTo === r.msgId);
    fail(
      `one echo_ok for every copy of a request that reaches ${server}: ${requestName(r)} ${arrived}`,
      `${r.replies} ${r.replies === 1 ? "reply" : "replies"}${why}`,
      { timeMs: endMs(events), node: server, evidence: [...r.sends.map((s) => s.send.id), ...replies.map((m) => m.send.id)] },
    );
  }
}

/** The grader's clients' workload against the student's server. */
interface ServerParams {
  server: string;
  clients: string[];
  bystanders: string[];
  /** [client, send time, text, msg_id, resend time or -1] */
  requests: Array<[string, number, string, number, number]>;
}

const REQUESTS_PER_CLIENT = 3;

function text(trial: Trial): string {
  return `${trial.rng.pick(WORDS)} ${trial.rng.int(10, 100)}`;
}

function serverParams(trial: Trial): ServerParams {
  const rng = trial.rng;
  const names = rng.shuffle(NAMES);
  const count = rng.int(1, 3);
  const clients = names.slice(count + 1, count + 1 + rng.int(2, 4));
  const requests: Array<[string, number, string, number, number]> = [];
  const ms = (min: number, max: number): number => Math.round(rng.uniform(min, max) * 1000) / 1000;
  const texts = new Set<string>();
  for (const client of clients) {
    // Small msg_ids in no order: two clients often use the same one, and no counter predicts them.
    const ids = rng.shuffle([1, 2, 3, 4, 5, 6, 7, 8, 9]).slice(0, REQUESTS_PER_CLIENT);
    for (const msgId of ids) {
      let t = text(trial);
      while (texts.has(t)) t = text(trial);
      texts.add(t);
      const atMs = ms(0, 60);
      requests.push([client, atMs, t, msgId, rng.chance(0.5) ? atMs + ms(20, 80) : -1]);
    }
  }
  return { server: names[count], clients, bystanders: names.slice(0, count), requests };
}

async function serveClients(sim: Simulation, impl: EchoApi, w: ServerParams): Promise<void> {
  spawnBystanders(sim, w.bystanders);
  sim.spawn(w.server, (node) => impl.echoServer(node), { role: "server" });
  for (const id of w.clients) sim.spawn(id, (node) => void node.on("echo_ok", () => {}), { role: graderRole("client") });
  for (const [client, atMs, echo, msgId, resendMs] of w.requests) {
    const request = { type: "echo", echo, msg_id: msgId };
    sim.at(atMs, () => void sim.node(client).send(w.server, request), `${client} sends an echo`);
    if (resendMs >= 0) sim.at(resendMs, () => void sim.node(client).send(w.server, request), `${client} retries`);
  }
  try {
    await sim.runFor(1000); // the last request goes out by t=140ms: everything has been answered long before
  } catch (error) {
    checkServerReplies(sim.trace.events, w.server, w.clients); // a broken rule explains a message storm better
    throw error;
  }
  checkServerReplies(sim.trace.events, w.server, w.clients);
}

/** One call of the student's client, as the check sees it afterwards. */
export interface ClientCall {
  text: string;
  /** Trace length and virtual time when the call started. */
  startIndex: number;
  startMs: number;
  outcome: Settled<unknown>;
}

/** Trace index at which a call returned (the end of the trace if it never did). */
function endIndex(call: ClientCall, events: readonly TraceEvent[]): number {
  return call.outcome.status === "pending" ? events.length : call.outcome.eventIndex;
}

function callWords(call: ClientCall, client: string, server: string): string {
  return `echoWithRetries(${client}, "${server}", ${JSON.stringify(call.text)})`;
}

/**
 * The client's rules, checked on a trace after the calls (and {@link PAST_LAST_CALL_MS} more):
 * each call sent its text to `server` and returned it, and the text it returned is the echo of a
 * reply to one of its own requests that had reached `client` before it returned; nothing was sent
 * for a call after it returned. The earliest broken rule is reported.
 *
 * @example
 * checkClientCalls(sim.trace.events, "client", "server", calls);
 */
export function checkClientCalls(events: readonly TraceEvent[], client: string, server: string, calls: readonly ClientCall[]): void {
  const sent = sentMessages(events);
  const fromClient = sent.filter((m) => m.send.src === client);
  const replies = sent.filter((m) => m.send.src === server && m.send.dest === client);
  const ownerOf = (m: SentMessage): ClientCall | undefined => calls.find((c) => c.text === m.body.echo);
  throwEarliest(
    calls.map((call) => () => checkCall(call)),
    () => checkNothingAfterReturn(),
  );

  function checkCall(call: ClientCall): void {
    const { text, outcome } = call;
    const words = callWords(call, client, server);
    const end = endIndex(call, events);
    // Requests of this call: sent while it ran, and not a leftover of an earlier call (see below).
    const requests = fromClient.filter((m) => m.index >= call.startIndex && m.index < end && (ownerOf(m) ?? call) === call);
    const requestIds = new Set(requests.map((m) => m.send.msgId));
    const ids = requests.map((m) => m.send.id);
    for (const r of requests) {
      ensure(
        r.send.dest === server && r.send.type === "echo" && r.body.echo === text,
        `${words} to send { type: "echo", echo: ${JSON.stringify(text)} } to ${server}`,
        () => say(r),
        { timeMs: r.send.timeMs, node: client, evidence: [r.send.id] },
      );
    }
    const expected = `${words} to return ${JSON.stringify(text)} despite 30% message loss`;
    if (outcome.status === "pending") {
      const why = outcome.stoppedBy instanceof Error ? `: ${outcome.stoppedBy.message}` : "";
      fail(expected, `its promise never settled${why}`, { timeMs: endMs(events), node: client, evidence: ids });
    }
    const at = { timeMs: outcome.atMs, node: client, evidence: ids };
    if (outcome.status === "rejected") {
      const error = outcome.reason;
      if (error instanceof RpcTimeoutError) fail(expected, `it gave up: ${error.message}`, at);
      fail(expected, `it threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, at);
    }
    const value = outcome.value;
    const arrived = replies.filter((m) => m.delivered.some((a) => a.index < end));
    if (value !== text) {
      // The reply it most likely took its answer from: the last one with that echo to arrive.
      const lastArrival = (m: SentMessage): number => Math.max(...m.delivered.filter((a) => a.index < end).map((a) => a.index));
      const earlier = arrived
        .filter((m) => m.body.echo === value && !requestIds.has(m.send.inReplyTo))
        .sort((a, b) => lastArrival(b) - lastArrival(a))[0];
      fail(
        `${words} to return ${JSON.stringify(text)}`,
        `it returned ${shortValue(value)} at t=${formatMs(outcome.atMs)}` + (earlier ? `, the echo of an earlier request: ${say(earlier)}` : ""),
        { ...at, evidence: earlier ? [...ids, earlier.send.id] : ids },
      );
    }
    const answer = arrived.find((m) => m.send.type === "echo_ok" && requestIds.has(m.send.inReplyTo) && m.body.echo === value);
    if (answer === undefined) {
      const what = requests.length
        ? `its request${requests.length === 1 ? "" : "s"} (${requests.map((r) => `msg_id #${r.send.msgId}`).join(", ")})`
        : "its request (it sent none)";
      fail(
        `${words} to return the echo of an echo_ok reply to its own request that reached ${client}`,
        `it returned ${JSON.stringify(value)} at t=${formatMs(outcome.atMs)}, but no reply to ${what} had arrived at ${client} by then` +
          (requests.length ? `: ${requests.map(say).join("; ")}` : ""),
        at,
      );
    }
  }

  /** The call that had already returned when `m` was sent, and `m` belongs to, if any. */
  function returnedCall(m: SentMessage): ClientCall | undefined {
    const running = calls.find((c) => c.startIndex <= m.index && m.index < endIndex(c, events));
    const owner = ownerOf(m);
    if (owner !== undefined && owner !== running && endIndex(owner, events) <= m.index) return owner; // a leftover of that call
    if (running === undefined) return calls.filter((c) => c.startIndex <= m.index).pop(); // sent between calls, or after the last
    return undefined;
  }

  /** A request sent after its call returned (or between calls) only loads the server. */
  function checkNothingAfterReturn(): void {
    for (const m of fromClient) {
      const done = returnedCall(m);
      if (done === undefined || done.outcome.status === "pending") continue;
      const end = endIndex(done, events);
      const answer = replies.find((r) => r.delivered.some((a) => a.index < end) && r.body.echo === done.text);
      fail(
        `no message from ${client} for ${callWords(done, client, server)} after it returned at t=${formatMs(done.outcome.atMs)}`,
        `${say(m)}: a request sent after the answer is in only loads the server`,
        { timeMs: m.send.timeMs, node: client, evidence: answer ? [answer.send.id, m.send.id] : [m.send.id] },
      );
    }
  }
}

/** The grader's echo server: answers every copy at once, with `msg_id`s of its own. */
function graderEchoServer(node: Node): void {
  let msgId = node.rng.int(1000, 9000);
  node.on("echo", (request) => {
    msgId += node.rng.int(1, 50);
    node.reply(request, { type: "echo_ok", echo: request.body.echo, msg_id: msgId });
  });
}

interface ClientParams {
  server: string;
  client: string;
  bystanders: string[];
  /** [text, pause after the call] */
  calls: Array<[string, number]>;
}

function clientParams(trial: Trial): ClientParams {
  const rng = trial.rng;
  const names = rng.shuffle(NAMES);
  const count = rng.int(1, 3);
  const calls: Array<[string, number]> = [];
  const texts = new Set<string>();
  while (calls.length < CALLS_PER_TRIAL) {
    const t = text(trial);
    if (texts.has(t)) continue;
    texts.add(t);
    calls.push([t, Math.round(rng.uniform(0, 30) * 1000) / 1000]);
  }
  return { server: names[count], client: names[count + 1], bystanders: names.slice(0, count), calls };
}

async function getEchoesThrough(sim: Simulation, impl: EchoApi, w: ClientParams): Promise<void> {
  spawnBystanders(sim, w.bystanders);
  sim.spawn(w.server, graderEchoServer, { role: graderRole("server") });
  const client = sim.spawn(w.client, () => {}, { role: "client" });
  const calls: ClientCall[] = [];
  for (const [text, pauseMs] of w.calls) {
    const call = { text, startIndex: sim.trace.events.length, startMs: sim.now() };
    let promise: Promise<unknown>;
    try {
      promise = Promise.resolve(impl.echoWithRetries(client, w.server, text));
    } catch (error) {
      promise = Promise.reject(error);
    }
    const outcome = await settle(sim, promise, { withinMs: CALL_WITHIN_MS });
    calls.push({ ...call, outcome });
    if (outcome.status !== "fulfilled") break;
    await sim.runFor(pauseMs);
  }
  await sim.runFor(PAST_LAST_CALL_MS); // run past the answer: nothing more may be sent
  checkClientCalls(sim.trace.events, w.client, w.server, calls);
}

/**
 * Grade an echo implementation with one seed: {@link TRIALS} trials of each scenario.
 *
 * @example
 * await checkEcho(await import("../../../solutions/00-getting-started/echo"), 7); // { status: "pass", … }
 */
export function checkEcho(impl: EchoApi, seed: number): Promise<CheckResult> {
  const server: Scenario<EchoApi, ServerParams> = {
    name: (w) =>
      `your echoServer "${w.server}" with the grader's clients ${w.clients.map((c) => `"${c}"`).join(", ")} ` +
      `(${REQUESTS_PER_CLIENT} requests each, some retried), bystanders ${w.bystanders.map((b) => `"${b}"`).join(", ")} spawned first; ` +
      "20% loss, 30% duplication, unordered links, latency 5–15 ms",
    trials: TRIALS,
    params: serverParams,
    simulation: {
      network: { latency: latency.uniform(5, 15), lossProbability: 0.2, duplicationProbability: 0.3, ordering: "unordered" },
    },
    lanes: (w) => [w.server, ...w.clients],
    run: serveClients,
  };
  const client: Scenario<EchoApi, ClientParams> = {
    name: (w) =>
      `your echoWithRetries from "${w.client}" to the grader's echo server "${w.server}", ${CALLS_PER_TRIAL} calls one after another, ` +
      `bystanders ${w.bystanders.map((b) => `"${b}"`).join(", ")} spawned first; 30% loss, 20% duplication, unordered links, latency 5–15 ms`,
    trials: TRIALS,
    params: clientParams,
    simulation: {
      network: { latency: latency.uniform(5, 15), lossProbability: 0.3, duplicationProbability: 0.2, ordering: "unordered" },
    },
    lanes: (w) => [w.client, w.server],
    run: getEchoesThrough,
  };
  return runScenarios(impl, seed, [server, client], { functions: ["echoServer", "echoWithRetries"], exercise: "00.2 echo" });
}
