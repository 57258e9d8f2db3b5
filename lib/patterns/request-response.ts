/**
 * Request–response, the most common interaction pattern (lecture 000, "Common interaction
 * protocols, pt. 1"): a client (the initiator) sends a request, a server (the responder) answers it
 * with exactly one response, paired with its request by `in_reply_to`.
 *
 * How the client *waits* is a separate choice, and this file makes it measurable:
 * - **synchronous wait**: the caller blocks on each call (`await node.rpc(...)`) and sends the next
 *   request only when the previous reply is in — k requests cost about k round trips;
 * - **asynchronous callbacks**: the caller sends, carries on, and a handler for the reply type
 *   matches each reply to its request by `in_reply_to` and runs that request's callback — k
 *   independent requests overlap, and cost about one round trip plus the server's work.
 *
 * `measureRequestResponse` runs k requests both ways in a fresh simulation and reports the time.
 */
import type { Node } from "../node/node";
import type { Body, Message } from "../node/message";
import type { RpcOptions } from "../node/rpc";
import type { Latency } from "../net/latency";
import { SimulationError } from "../sim/errors";
import { Simulation } from "../simulation/index";
import { latency as latencies } from "../net/index";

/** Options of {@link requestResponseServer}. */
export interface RequestResponseServerOptions {
  /** The request type to answer. Default `"request"`. */
  requestType?: string;
  /** The type of the response. Default `"response"`. */
  replyType?: string;
  /** Fields of the response computed from the request's body. Default: echo `n` back. */
  answer?: (request: Body) => Record<string, unknown>;
}

/**
 * The responder: answers every request (every copy, retries included) with one response sent to
 * the requester, `in_reply_to` set to the request's `msg_id`. The server's work time comes from the
 * node's service time (`sim.spawn(id, b, { service: { timeMs, concurrency } })`), so a server that
 * handles one request at a time queues the others.
 *
 * @example
 * sim.spawn("server", (node) => requestResponseServer(node, { answer: (b) => ({ square: b.n * b.n }) }),
 *   { service: { timeMs: latency.constant(5), concurrency: 1 } });
 */
export function requestResponseServer(node: Node, options: RequestResponseServerOptions = {}): void {
  const requestType = options.requestType ?? "request";
  const replyType = options.replyType ?? "response";
  const answer = options.answer ?? ((body: Body) => ({ n: body.n }));
  node.on(requestType, (request) => {
    node.reply(request, { ...answer(request.body), type: replyType });
  });
}

/**
 * Synchronous wait: send each request and block until its response is in before sending the next
 * (`await node.rpc` in a loop). Returns the responses in request order; rejects with
 * `RpcTimeoutError` if one request gets no answer after its retries.
 *
 * @example
 * const client = sim.spawn("client");
 * const replies = await sim.runUntilSettled(callSequentially(client, "server",
 *   [{ type: "request", n: 1 }, { type: "request", n: 2 }], { timeoutMs: 100 }));
 */
export async function callSequentially(node: Node, server: string, requests: readonly Body[], options: RpcOptions = {}): Promise<Message[]> {
  const replies: Message[] = [];
  for (const request of requests) replies.push(await node.rpc(server, request, options));
  return replies;
}

/** Options of {@link callbackRequester}. */
export interface CallbackRequesterOptions {
  /** The response type whose handler this requester registers. Default `"response"`. */
  replyType?: string;
  /** Give up on a request after this long without a response (its `onTimeout` runs). Default: never. */
  timeoutMs?: number;
}

/** What {@link callbackRequester} returns: send requests with callbacks, count the outstanding ones. */
export interface CallbackRequester {
  /**
   * Send `body` to `dest` and return at once with the request's `msg_id`; `onReply` runs when the
   * response arrives, `onTimeout` if `timeoutMs` passes first.
   */
  request(dest: string, body: Body, onReply: (reply: Message) => void, onTimeout?: () => void): number;
  /** Requests sent whose response has not arrived (and that have not timed out). */
  outstanding(): number;
  /** Responses that matched no outstanding request: duplicates, or answers after a timeout. */
  readonly unmatched: number;
}

/**
 * Asynchronous callbacks: the node sends requests and carries on; one handler for the response type
 * correlates each response with its request by `in_reply_to` (Maelstrom's pairing) and runs that
 * request's callback. A response to nothing outstanding (a duplicate, or one after the timeout) is
 * counted in `unmatched` and otherwise ignored. It registers the handler for `replyType`, so a node
 * has at most one requester per response type.
 *
 * @example
 * const requester = callbackRequester(node, { timeoutMs: 100 });
 * for (const n of [1, 2, 3]) {
 *   requester.request("server", { type: "request", n }, (reply) => node.log(`answer ${reply.body.n}`));
 * }
 * // the three requests are on the wire together; node code keeps running
 */
export function callbackRequester(node: Node, options: CallbackRequesterOptions = {}): CallbackRequester {
  const replyType = options.replyType ?? "response";
  const { timeoutMs } = options;
  if (timeoutMs !== undefined && !(timeoutMs > 0)) {
    throw new SimulationError(`callbackRequester: timeoutMs must be > 0 ms, got ${timeoutMs}`, { node: node.id, timeMs: node.now() });
  }
  const waiting = new Map<number, { onReply: (reply: Message) => void; timer: number }>();
  let unmatched = 0;
  node.on(replyType, (reply) => {
    const inReplyTo = reply.body.in_reply_to;
    const entry = inReplyTo === undefined ? undefined : waiting.get(inReplyTo);
    if (entry === undefined || inReplyTo === undefined) {
      unmatched++;
      return;
    }
    waiting.delete(inReplyTo);
    if (entry.timer >= 0) node.cancelTimer(entry.timer);
    entry.onReply(reply);
  });
  return {
    request(dest, body, onReply, onTimeout) {
      const msgId = node.send(dest, body);
      let timer = -1;
      if (timeoutMs !== undefined) {
        timer = node.setTimer(timeoutMs, () => {
          if (waiting.delete(msgId)) onTimeout?.();
        }, `timeout ${body.type} #${msgId}`);
      }
      waiting.set(msgId, { onReply, timer });
      return msgId;
    },
    outstanding: () => waiting.size,
    get unmatched() {
      return unmatched;
    },
  };
}

/**
 * Send every request at once through a {@link callbackRequester} and resolve with the responses in
 * request order when the last one is in (rejects when one times out). The callback style, wrapped
 * in a promise so it can be compared with {@link callSequentially}.
 *
 * @example
 * const client = sim.spawn("client");
 * const replies = await sim.runUntilSettled(callConcurrently(client, "server",
 *   [{ type: "request", n: 1 }, { type: "request", n: 2 }], { timeoutMs: 100 }));
 */
export function callConcurrently(node: Node, server: string, requests: readonly Body[], options: CallbackRequesterOptions = {}): Promise<Message[]> {
  const requester = callbackRequester(node, options);
  return new Promise((resolve, reject) => {
    const replies: Message[] = new Array(requests.length);
    let missing = requests.length;
    if (missing === 0) resolve([]);
    requests.forEach((body, i) => {
      requester.request(server, body, (reply) => {
        replies[i] = reply;
        if (--missing === 0) resolve(replies);
      }, () => reject(new SimulationError(`callConcurrently: no response to ${body.type} ${i + 1} of ${requests.length} within ${options.timeoutMs} ms`, { node: node.id, timeMs: node.now() })));
    });
  });
}

/** Options of {@link measureRequestResponse}. */
export interface RequestResponseExperiment {
  seed: number;
  /** How many independent requests the client makes. */
  requests: number;
  /** `"sequential"`: synchronous wait, one at a time; `"concurrent"`: callbacks, all at once. */
  style: "sequential" | "concurrent";
  /** One-way delay. Default uniform 5–15 ms. */
  latency?: Latency;
  /** The server's work per request. Default 2 ms. */
  serviceMs?: number;
  /** Requests the server works on at once. Default Infinity (no queueing). */
  serverConcurrency?: number;
}

/** What {@link measureRequestResponse} measured. */
export interface RequestResponseMeasurement {
  style: "sequential" | "concurrent";
  requests: number;
  /** Virtual time from the first request to the last response. */
  totalMs: number;
  /** Messages sent (requests and responses). */
  messages: number;
}

/**
 * Run one client making `requests` independent requests to one server in a fresh simulation, in
 * the given style, and measure the time until the last response. Sequential costs about
 * `requests × (round trip + service)`; concurrent about one round trip plus the server's work on
 * all of them (`requests × service / serverConcurrency`) — the same number of messages either way.
 *
 * @example
 * const sync = await measureRequestResponse({ seed: 1, requests: 10, style: "sequential" });
 * const async = await measureRequestResponse({ seed: 1, requests: 10, style: "concurrent" });
 * sync.totalMs / async.totalMs; // about 8
 */
export async function measureRequestResponse(options: RequestResponseExperiment): Promise<RequestResponseMeasurement> {
  const { seed, requests, style } = options;
  if (!Number.isInteger(requests) || requests < 1) throw new SimulationError(`measureRequestResponse: requests must be a whole number ≥ 1, got ${requests}`, { seed });
  const sim = new Simulation({
    seed,
    trace: false,
    network: { latency: options.latency ?? latencies.uniform(5, 15), ordering: "unordered" },
  });
  const serviceMs = options.serviceMs ?? 2;
  sim.spawn("server", (node) => requestResponseServer(node), {
    service: { timeMs: latencies.constant(serviceMs), concurrency: options.serverConcurrency ?? Infinity },
  });
  const client = sim.spawn("client");
  const bodies = Array.from({ length: requests }, (_, i) => ({ type: "request", n: i + 1 }));
  const startMs = sim.now();
  const done = style === "sequential"
    ? callSequentially(client, "server", bodies, { timeoutMs: 10_000 })
    : callConcurrently(client, "server", bodies, { timeoutMs: 10_000 });
  await sim.runUntilSettled(done);
  return { style, requests, totalMs: sim.now() - startMs, messages: sim.counters.sent };
}
