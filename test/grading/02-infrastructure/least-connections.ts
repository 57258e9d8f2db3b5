/**
 * Check of exercise 02.1 least-connections balancer. The student writes only the balancer; the
 * grader plays both of its counterparts, with bystanders spawned first (so `node.peers()[0]` is
 * never a backend), node names drawn per trial and {@link TRIALS} trials per seed:
 *
 * - two or three clients send 6–10 requests each, in bursts around three moments of the first
 *   400 ms, with payloads and `msg_id`s the student cannot guess (two clients often share a
 *   `msg_id`);
 * - three or four backends serve one or two requests at a time with exponential service times:
 *   most with a mean of 8–20 ms, one or two with a mean of 60–150 ms. Each answers
 *   `{ type: "response", result }` with a result of its own, so a relayed result can be traced back.
 *
 * The network loses and duplicates nothing (so "outstanding" is exact), latency 5–15 ms,
 * unordered. Rules, checked on the trace in the order the balancer sent its messages:
 *
 * 1. a forward goes to a backend, is `{ type: "request", payload }` with the payload of a client
 *    request that had arrived and was not forwarded before;
 * 2. the backend chosen had the fewest outstanding requests at that moment: forwards to it earlier
 *    in the trace minus its responses delivered to the balancer earlier in the trace (any of the
 *    tied backends will do);
 * 3. a relay goes to the client that asked, is `{ type: "response", result }` with `in_reply_to`
 *    = the request's `msg_id`, after the backend's response to that request's forward reached the
 *    balancer, and carries that response's result; one relay per request;
 * 4. every request is answered, and nothing more is sent in the second after the last relay.
 *
 * Measured with the buggy fixtures: round-robin, a counter that never comes down, a decrement on
 * the wrong backend and a random choice each break rule 2 in the first or second trial of every
 * seed: the slow backends' queues grow to several requests while the fast ones sit idle.
 */
import { latency } from "../../../lib/net";
import type { Node } from "../../../lib/node";
import { formatMs } from "../../../lib/sim";
import type { Simulation } from "../../../lib/simulation";
import type { TraceEvent } from "../../../lib/trace";
import {
  ensure,
  fail,
  graderRole,
  runScenarios,
  spawnBystanders,
  trialsPerSeed,
  type CheckResult,
  type Scenario,
  type Trial,
} from "../check";
import { exercise } from "../exercises";
import { describeMessage, sentMessages, shortValue, type SentMessage } from "../messages";

/** What exercises/02-infrastructure/least-connections.ts exports. */
export interface LeastConnectionsApi {
  leastConnectionsBalancer(node: Node, backends: readonly string[]): void | Promise<void>;
}

// tsc checks that the stub and the reference both have this API.
type Implements<T extends LeastConnectionsApi> = T;
export type StubImplementsLeastConnections = Implements<typeof import("../../../exercises/02-infrastructure/least-connections")>;
export type SolutionImplementsLeastConnections = Implements<typeof import("../../../solutions/02-infrastructure/least-connections")>;

/** Trials per seed: with the registry's seeds, ≥ 135 in all (see check.ts). */
export const TRIALS = trialsPerSeed(exercise("02.1").seeds.length);

/** How long the run goes on after the last response reached its client. */
const PAST_LAST_RESPONSE_MS = 1000;

/** How long the grader waits for every request to be answered. */
const ANSWERED_WITHIN_MS = 20_000;

/** Node names; each trial shuffles them, so a fixed name is sometimes a bystander or no node. */
const NAMES = ["lb", "balancer", "client", "server", "backend", "b1", "b2", "b3", "c1", "c2", "n1", "n2", "n3", "n4", "n5"];

const WORDS = ["resize", "render", "lookup", "checkout", "search", "upload", "thumbnail", "report"];

/** One request a grader client sends. */
interface ClientRequestPlan {
  client: string;
  atMs: number;
  msgId: number;
  payload: string;
}

/** A grader backend: its service-time mean and how many requests it serves at once. */
interface BackendPlan {
  id: string;
  serviceMsMean: number;
  concurrency: number;
}

interface BalancerParams {
  balancer: string;
  clients: string[];
  backends: BackendPlan[];
  bystanders: string[];
  requests: ClientRequestPlan[];
}

const ms = (rng: Trial["rng"], min: number, max: number): number => Math.round(rng.uniform(min, max) * 1000) / 1000;

function balancerParams(trial: Trial): BalancerParams {
  const rng = trial.rng;
  const names = rng.shuffle(NAMES);
  const bystanderCount = rng.int(1, 3);
  const clientCount = rng.int(2, 4);
  const backendCount = rng.int(3, 5);
  const bystanders = names.slice(0, bystanderCount);
  const balancer = names[bystanderCount];
  const clients = names.slice(bystanderCount + 1, bystanderCount + 1 + clientCount);
  const backendIds = names.slice(bystanderCount + 1 + clientCount, bystanderCount + 1 + clientCount + backendCount);
  const slowCount = rng.int(1, 3);
  const slow = new Set(rng.shuffle(backendIds).slice(0, slowCount));
  const backends = backendIds.map((id) => ({
    id,
    serviceMsMean: slow.has(id) ? Math.round(rng.uniform(60, 150)) : Math.round(rng.uniform(8, 20)),
    concurrency: rng.int(1, 3),
  }));
  const bursts = [ms(rng, 0, 100), ms(rng, 100, 250), ms(rng, 250, 400)];
  const payloads = new Set<string>();
  const requests: ClientRequestPlan[] = [];
  for (const client of clients) {
    const count = rng.int(6, 11);
    // msg_ids in no order from a small range: two clients often use the same one.
    const msgIds = rng.shuffle(Array.from({ length: 30 }, (_, i) => i + 1)).slice(0, count);
    for (const msgId of msgIds) {
      let payload = `${rng.pick(WORDS)}-${rng.int(100, 1000)}`;
      while (payloads.has(payload)) payload = `${rng.pick(WORDS)}-${rng.int(100, 1000)}`;
      payloads.add(payload);
      requests.push({ client, atMs: rng.pick(bursts) + ms(rng, 0, 25), msgId, payload });
    }
  }
  requests.sort((a, b) => a.atMs - b.atMs);
  return { balancer, clients, backends, bystanders, requests };
}

/**
 * The grader's backend: answers each request with a result of its own (node id and a counter
 * that starts at a random value), and notes which payload each result answers.
 */
function graderBackend(answered: Map<string, string>): (node: Node) => void {
  return (node) => {
    let counter = node.rng.int(100, 900);
    node.on("request", (request) => {
      counter += node.rng.int(1, 40);
      const result = `${node.id}:${counter}`;
      answered.set(result, String(request.body.payload));
      node.reply(request, { type: "response", result });
    });
    node.on("response", () => {}); // a balancer that relays to the backend: the check reports it
  };
}

function say(m: SentMessage): string {
  return describeMessage(m);
}

/** One client request and what became of it. */
interface Request {
  message: SentMessage;
  client: string;
  msgId: number | undefined;
  payload: unknown;
  forward?: SentMessage;
  relays: SentMessage[];
}

function requestName(r: Request): string {
  return `${r.client}'s request payload=${shortValue(r.payload)} (msg_id #${r.msgId})`;
}

function endMs(events: readonly TraceEvent[]): number {
  return events.length ? events[events.length - 1].timeMs : 0;
}

/**
 * The balancer's rules, checked on a finished trace. `answered` maps each result a grader backend
 * sent to the payload it answered.
 *
 * @example
 * checkBalancer(sim.trace.events, "lb", ["b1", "b2", "b3"], ["c1", "c2"], answered);
 */
export function checkBalancer(
  events: readonly TraceEvent[],
  balancer: string,
  backends: readonly string[],
  clients: readonly string[],
  answered: ReadonlyMap<string, string>,
): void {
  const sent = sentMessages(events);
  const requests: Request[] = sent
    .filter((m) => clients.includes(m.send.src) && m.send.dest === balancer && m.send.type === "request")
    .map((m) => ({ message: m, client: m.send.src, msgId: m.send.msgId, payload: m.body.payload, relays: [] }));
  const byPayload = new Map(requests.map((r) => [r.payload, r]));
  const responses = sent.filter((m) => backends.includes(m.send.src) && m.send.dest === balancer && m.send.type === "response");
  const forwards: SentMessage[] = [];
  /** The backend's response to a request's forward: the one whose result answers its payload. */
  const responseTo = (r: Request): SentMessage | undefined =>
    r.forward && responses.find((m) => m.send.src === r.forward!.send.dest && answered.get(String(m.body.result)) === r.payload);

  for (const m of sent) {
    if (m.send.src !== balancer) continue;
    const at = { timeMs: m.send.timeMs, node: balancer, evidence: [m.send.id] };
    if (backends.includes(m.send.dest) && m.send.type === "request") checkForward(m);
    else if (clients.includes(m.send.dest) && m.send.type === "response") checkRelay(m);
    else if (backends.includes(m.send.dest) && m.send.type === "response") {
      const r = requests.find((x) => m.body.result !== undefined && responseTo(x)?.body.result === m.body.result);
      fail(
        `${balancer} to relay each backend response to the client that asked${r ? ` (${r.client})` : ""}`,
        `${say(m)}: a response sent back to a backend; reply to the client's request (its src and msg_id), not to the backend's response`,
        { ...at, evidence: r ? [r.message.send.id, m.send.id] : [m.send.id] },
      );
    } else {
      fail(`${balancer} to send only forwards { type: "request", payload } to backends and { type: "response", result } to clients`, say(m), at);
    }
  }

  function checkForward(m: SentMessage): void {
    const at = { timeMs: m.send.timeMs, node: balancer, evidence: [m.send.id] };
    const r = byPayload.get(m.body.payload);
    if (r === undefined) {
      fail(`every request ${balancer} forwards to carry the payload of a client request`, `${say(m)}, a payload no client sent`, at);
    }
    const evidence = [r.message.send.id, m.send.id];
    ensure(
      r.message.delivered.some((a) => a.index < m.index),
      () => `${balancer} to forward ${requestName(r)} only after it arrived`,
      () => `${say(m)}, before the request arrived: ${say(r.message)}`,
      { ...at, evidence },
    );
    if (r.forward !== undefined) {
      fail(
        `each client request to be forwarded exactly once (the network loses nothing here): ${requestName(r)}`,
        `it was forwarded twice: ${say(r.forward)}; then ${say(m)}`,
        { ...at, evidence: [r.message.send.id, r.forward.send.id, m.send.id] },
      );
    }
    const outstanding = new Map(backends.map((b) => [b, 0]));
    for (const f of forwards) outstanding.set(f.send.dest, outstanding.get(f.send.dest)! + 1);
    for (const resp of responses) {
      if (resp.delivered.some((a) => a.index < m.index)) outstanding.set(resp.send.src, outstanding.get(resp.send.src)! - 1);
    }
    const fewest = Math.min(...outstanding.values());
    const chosen = outstanding.get(m.send.dest)!;
    if (chosen > fewest) {
      const counts = backends.map((b) => `${b}: ${outstanding.get(b)}`).join(", ");
      const idle = backends.filter((b) => outstanding.get(b) === fewest);
      // Evidence: the forwards to the chosen backend still outstanding, and this one.
      const pending = forwards.filter((f) => f.send.dest === m.send.dest && !responses.some((x) => x.send.src === f.send.dest && x.send.inReplyTo === f.send.msgId && x.delivered.some((a) => a.index < m.index)));
      fail(
        `${balancer} to forward ${requestName(r)} at t=${formatMs(m.send.timeMs)} to a backend with the fewest outstanding requests ` +
          `(forwarded by ${balancer} and not yet answered to it; then: ${counts})`,
        `it went to ${m.send.dest}, which had ${chosen} outstanding, while ${idle.join(" and ")} had ${fewest}: ${say(m)}`,
        { ...at, evidence: [...pending.slice(-5).map((f) => f.send.id), m.send.id] },
      );
    }
    r.forward = m;
    forwards.push(m);
  }

  function checkRelay(m: SentMessage): void {
    const at = { timeMs: m.send.timeMs, node: balancer, evidence: [m.send.id] };
    const client = m.send.dest;
    const fromResult = requests.find((x) => m.body.result !== undefined && responseTo(x)?.body.result === m.body.result);
    const r = requests.find((x) => x.client === client && x.msgId === m.send.inReplyTo);
    if (m.send.inReplyTo === undefined) {
      const which = fromResult ? ` (the request it answers: msg_id #${fromResult.msgId})` : "";
      fail(
        `each response ${balancer} relays to be a reply to the client's request: in_reply_to = the request's msg_id${which}`,
        `no in_reply_to: ${say(m)}`,
        { ...at, evidence: fromResult ? [fromResult.message.send.id, m.send.id] : [m.send.id] },
      );
    }
    if (r === undefined) {
      const meant = fromResult ? `; its result is the answer to ${requestName(fromResult)}` : "";
      fail(
        `each response ${balancer} relays to answer a request of the client it goes to (in_reply_to = that request's msg_id)`,
        `${say(m)}, but ${client} sent no request with msg_id #${m.send.inReplyTo}${meant}`,
        { ...at, evidence: fromResult ? [fromResult.message.send.id, m.send.id] : [m.send.id] },
      );
    }
    const response = responseTo(r);
    if (response === undefined || !response.delivered.some((a) => a.index < m.index)) {
      const wrong = fromResult && fromResult !== r ? `; its result is the answer to ${requestName(fromResult)}` : "";
      fail(
        `${balancer} to answer ${requestName(r)} only after the backend's response to its forward arrived`,
        `${say(m)}, ${response ? `before ${say(response)}` : r.forward ? `but ${r.forward.send.dest} had not answered ${say(r.forward)}` : "but the request was never forwarded"}${wrong}`,
        { ...at, evidence: [r.message.send.id, ...(r.forward ? [r.forward.send.id] : []), ...(response ? [response.send.id] : []), m.send.id] },
      );
    }
    ensure(
      m.body.result === response.body.result,
      () => `the response to ${requestName(r)} to carry result=${shortValue(response.body.result)}, the result of ${response.send.src}'s response to its forward`,
      () => `${say(m)}${fromResult && fromResult !== r ? `; its result is the answer to ${requestName(fromResult)}` : ""}`,
      { ...at, evidence: [r.message.send.id, response.send.id, m.send.id] },
    );
    if (r.relays.length > 0) {
      fail(
        `exactly one response to ${requestName(r)}`,
        `a second one: ${say(r.relays[0])}; then ${say(m)}`,
        { ...at, evidence: [r.message.send.id, r.relays[0].send.id, m.send.id] },
      );
    }
    r.relays.push(m);
  }

  for (const r of requests) {
    if (r.relays.length > 0) continue;
    const response = responseTo(r);
    const why = !r.message.delivered.length
      ? "the request never arrived"
      : r.forward === undefined
        ? `${balancer} never forwarded it`
        : response === undefined || response.delivered.length === 0
          ? `${r.forward.send.dest} never answered ${say(r.forward)}`
          : `${response.send.src}'s response arrived (${say(response)}), but ${balancer} relayed nothing to ${r.client}`;
    fail(
      `a response to ${requestName(r)}, relayed to ${r.client}`,
      `none: ${why}`,
      { timeMs: endMs(events), node: balancer, evidence: [r.message.send.id, ...(r.forward ? [r.forward.send.id] : []), ...(response ? [response.send.id] : [])] },
    );
  }
}

async function balance(sim: Simulation, impl: LeastConnectionsApi, p: BalancerParams): Promise<void> {
  spawnBystanders(sim, p.bystanders);
  const answered = new Map<string, string>();
  const backendIds = p.backends.map((b) => b.id);
  sim.spawn(p.balancer, (node) => impl.leastConnectionsBalancer(node, backendIds), { role: "balancer" });
  for (const b of p.backends) {
    sim.spawn(b.id, graderBackend(answered), {
      role: graderRole("backend"),
      service: { timeMs: latency.exponential(b.serviceMsMean), concurrency: b.concurrency },
    });
  }
  let relayed = 0;
  for (const c of p.clients) sim.spawn(c, (node) => void node.on("response", () => void relayed++), { role: graderRole("client") });
  for (const r of p.requests) {
    sim.at(r.atMs, () => void sim.node(r.client).send(p.balancer, { type: "request", payload: r.payload, msg_id: r.msgId }), `${r.client} sends a request`);
  }
  const check = (): void => checkBalancer(sim.trace.events, p.balancer, backendIds, p.clients, answered);
  try {
    await sim.runUntil(() => relayed >= p.requests.length, { withinMs: ANSWERED_WITHIN_MS, throwOnTimeout: false });
    await sim.runFor(PAST_LAST_RESPONSE_MS); // run past the last response: nothing more may be sent
  } catch (error) {
    check(); // a broken rule explains a message storm better
    throw error;
  }
  check();
}

/**
 * Grade a least-connections balancer with one seed: {@link TRIALS} trials.
 *
 * @example
 * await checkLeastConnections(await import("../../../solutions/02-infrastructure/least-connections"), 7); // { status: "pass", … }
 */
export function checkLeastConnections(impl: LeastConnectionsApi, seed: number): Promise<CheckResult> {
  const scenario: Scenario<LeastConnectionsApi, BalancerParams> = {
    name: (p) =>
      `your balancer "${p.balancer}" between the grader's clients ${p.clients.map((c) => `"${c}"`).join(", ")} ` +
      `(${p.requests.length} requests in bursts) and backends ${p.backends.map((b) => `"${b.id}" (mean ${b.serviceMsMean} ms, ${b.concurrency} at a time)`).join(", ")}, ` +
      `bystanders ${p.bystanders.map((b) => `"${b}"`).join(", ")} spawned first; no loss, unordered links, latency 5–15 ms`,
    trials: TRIALS,
    params: balancerParams,
    simulation: { network: { latency: latency.uniform(5, 15), ordering: "unordered" } },
    lanes: (p) => [...p.clients, p.balancer, ...p.backends.map((b) => b.id)],
    run: balance,
  };
  return runScenarios(impl, seed, [scenario], { functions: ["leastConnectionsBalancer"], exercise: "02.1 least-connections" });
}
