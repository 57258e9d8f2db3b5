// The chat service's gateway: one address for the clients, a load balancer in front of the
// front-ends (lecture 000, "Load Balancer"; lib/patterns/balancer.ts is the model it copies). Two
// things make it more than `loadBalancer`:
// - its backends are not a fixed list: it asks the service registry (lib/services/registry.ts,
//   `discoverInstances`) for the instances of `service` every `refreshMs`, so a front-end that
//   registers late is used once the next refresh sees it, and one whose lease expired is dropped;
// - it skips the backends its heartbeat failure detector suspects (Chandra & Toueg 1996 §2; one
//   `HeartbeatDetector` of lib/failure per backend, re-armed by each heartbeat). The registry's
//   lease is slow evidence (a crashed instance stays listed for up to `leaseMs`); the heartbeats
//   are the fast one. A backend newly discovered and never heard from counts as live for one
//   `heartbeatTimeoutMs` (its detector starts at the discovery), then it must have sent a heartbeat.
// The live backends = the registry's instances minus the suspected ones; the policy picks one.
//
// The gateway does not read the request: every body of a type in `requestTypes` is forwarded as it
// is, and the backend's reply (any type: `post_ok`, `read_ok`, `error`…) is relayed to the client
// unchanged except for `in_reply_to`. It does NOT retry a request whose backend did not answer in
// `requestTimeoutMs` — a post is not idempotent at the gateway (the backend may have appended it);
// it answers error 11 and the client retries with the same message id.
//
// Wire protocol:
//   client    → gateway   { type: <one of requestTypes>, ... }                 (any fields)
//   gateway   → front-end the same body (new msg_id)        → any reply body, relayed to the client
//   gateway   → client    { type: "error", code: 11, text }  no live front-end, or it timed out
//   front-end → gateway   { type: "heartbeat", seq }         every heartbeatIntervalMs (joinChatGateway)
//   gateway   ↔ registry  svc_resolve / svc_resolve_ok       every refreshMs
// Why `requestTypes`: a node has one handler per message type and no catch-all, so the gateway
// must be told which request types to accept (default `post` and `read`).
import type { Body, Message, Node } from "../node/index";
import { ConfigError, SimulationError, type ErrorContext } from "../sim/index";
import { HeartbeatDetector, sendHeartbeats, type HeartbeatSender } from "../failure/index";
import { discoverInstances, registeredInstance, type RegisteredInstance } from "../services/index";
import { pickPowerOfTwo, type BalancingPolicy } from "../patterns/index";
import { CHAT_ERRORS } from "./wire";

/**
 * How the gateway picks among the live front-ends: two of lib/patterns/balancer.ts's policies —
 * round-robin over the current live list, or its `pickPowerOfTwo` by requests outstanding.
 *
 * @example
 * const policy: GatewayPolicy = "power-of-two";
 */
export type GatewayPolicy = Extract<BalancingPolicy, "round-robin" | "power-of-two">;

/**
 * Every gateway policy.
 *
 * @example
 * for (const policy of GATEWAY_POLICIES) chatGateway(node, { registry: "registry", service: "chat", policy });
 */
export const GATEWAY_POLICIES: readonly GatewayPolicy[] = ["round-robin", "power-of-two"];

/** The wire type of the front-ends' heartbeats to the gateway. */
const HEARTBEAT = "heartbeat";

/** Options of {@link chatGateway}. Times are virtual ms (the gateway's local clock). */
export interface ChatGatewayOptions {
  /** The registry node. */
  registry: string;
  /** The service name the front-ends register under (e.g. "chat"). */
  service: string;
  /** Ask the registry for the instances this often. Default 200. */
  refreshMs?: number;
  /** Suspect a front-end after this long without its heartbeat. Default 150. */
  heartbeatTimeoutMs?: number;
  /** How long a forwarded request waits for the front-end's reply. Default 300. */
  requestTimeoutMs?: number;
  /** Default "round-robin". */
  policy?: GatewayPolicy;
  /** The request types forwarded (one handler each). Default ["post", "read"]. */
  requestTypes?: readonly string[];
}

/** What a gateway counts (one incarnation). */
export interface ChatGatewayCounters {
  /** Client requests received. */
  requests: number;
  /** Requests forwarded, per front-end. */
  forwarded: Record<string, number>;
  /** Front-end replies relayed to the client. */
  relayed: number;
  /** Requests answered error 11 because no front-end was live. */
  noBackend: number;
  /** Requests answered error 11 because the front-end did not answer in time, per front-end. */
  timedOut: Record<string, number>;
  /** Sum of `timedOut`. */
  timeouts: number;
  /** Registry look-ups answered, and not answered. */
  refreshes: number;
  refreshFailures: number;
  /** Suspicions raised by the heartbeat detectors, and withdrawn. */
  suspicions: number;
  restores: number;
}

/** A running gateway (one incarnation). */
export interface ChatGateway {
  /** The front-ends the registry listed at the last refresh, sorted. */
  backends(): string[];
  /** The listed front-ends the heartbeat detector suspects now, sorted. */
  suspected(): string[];
  /** `backends()` minus `suspected()`: the ones a request may go to. */
  live(): string[];
  readonly counters: ChatGatewayCounters;
}

/** One listed backend's failure detector. */
interface Watched {
  detector: HeartbeatDetector;
  suspected: boolean;
  timer: number;
}

const text = (value: unknown): value is string => typeof value === "string" && value !== "";

function checkTime(where: string, name: string, value: unknown, context: ErrorContext): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) throw new ConfigError(`${where}: ${name}`, value, "a finite number > 0", context);
  return value;
}

/**
 * The chat gateway on `node`: forwards each request to a live front-end of `service` (found at
 * `registry`, minus the ones whose heartbeats stopped), relays the reply, and answers
 * `{ type: "error", code: 11 }` when no front-end is live or the chosen one does not answer within
 * `requestTimeoutMs` (no retry: the client retries with the same id). Throws a `ConfigError`
 * naming the node and the virtual time for a bad option.
 *
 * @example
 * sim.spawn("registry", (node) => void registryServer(node, { leaseMs: 300 }));
 * sim.spawn("gw", (node) => void chatGateway(node, { registry: "registry", service: "chat" }));
 * for (const f of ["f1", "f2"]) sim.spawn(f, (node) => {
 *   node.on("post", (m) => node.reply(m, { type: "post_ok", room: m.body.room, seq: 0 }));
 *   joinChatGateway(node, { registry: "registry", service: "chat", gateways: ["gw"] });
 * });
 * // a client: await node.rpc("gw", { type: "post", token, room: "r1", id: "c1:1", text: "hi" })
 */
export function chatGateway(node: Node, options: ChatGatewayOptions): ChatGateway {
  const where = "chatGateway";
  const context: ErrorContext = { node: node.id, timeMs: node.now() };
  if (options === null || typeof options !== "object") throw new ConfigError(where, options, "an options object { registry, service, ... }", context);
  const { registry, service } = options;
  if (!text(registry)) throw new ConfigError(`${where}: registry`, registry, "the registry's node id (a non-empty string)", context);
  if (!text(service)) throw new ConfigError(`${where}: service`, service, "the service name the front-ends register under (a non-empty string)", context);
  const refreshMs = checkTime(where, "refreshMs", options.refreshMs ?? 200, context);
  const heartbeatTimeoutMs = checkTime(where, "heartbeatTimeoutMs", options.heartbeatTimeoutMs ?? 150, context);
  const requestTimeoutMs = checkTime(where, "requestTimeoutMs", options.requestTimeoutMs ?? 300, context);
  const policy = options.policy ?? "round-robin";
  if (!GATEWAY_POLICIES.includes(policy)) throw new ConfigError(`${where}: policy`, policy, `one of ${GATEWAY_POLICIES.join(", ")}`, context);
  const requestTypes = options.requestTypes ?? ["post", "read"];
  if (!Array.isArray(requestTypes) || requestTypes.length === 0 || !requestTypes.every(text) || new Set(requestTypes).size !== requestTypes.length) {
    throw new ConfigError(`${where}: requestTypes`, requestTypes, "a non-empty list of distinct message types", context);
  }
  const reserved = requestTypes.find((t) => t === HEARTBEAT || t.startsWith("svc_"));
  if (reserved !== undefined) throw new ConfigError(`${where}: requestTypes`, requestTypes, `no "${reserved}": the gateway uses that type itself`, context);

  const counters: ChatGatewayCounters = {
    requests: 0, forwarded: {}, relayed: 0, noBackend: 0, timedOut: {}, timeouts: 0,
    refreshes: 0, refreshFailures: 0, suspicions: 0, restores: 0,
  };
  /** The registry's last list, sorted, each with its detector. */
  let listed: string[] = [];
  const watched = new Map<string, Watched>();
  /** Last heartbeat arrival (local clock) of every sender, listed or not yet. */
  const heardMs = new Map<string, number>();
  const outstanding = new Map<string, number>();
  let next = 0;

  // ---- failure detection: one HeartbeatDetector per listed backend, a local timer at its deadline
  const arm = (peer: string, entry: Watched): void => {
    node.cancelTimer(entry.timer);
    const delayMs = Math.max(0, entry.detector.deadlineMs - node.clock());
    entry.timer = node.setTimer(delayMs, () => expire(peer), `heartbeat timeout ${peer}`, { clock: "local" });
  };
  const expire = (peer: string): void => {
    const entry = watched.get(peer);
    if (entry === undefined || entry.suspected) return; // the timer is re-armed by every heartbeat: it fired = timeoutMs of silence
    entry.suspected = true;
    counters.suspicions++;
    node.log(`suspect ${peer}: no heartbeat for ${heartbeatTimeoutMs} ms`);
  };
  node.on(HEARTBEAT, (msg) => {
    const peer = msg.src;
    heardMs.set(peer, node.clock());
    const entry = watched.get(peer);
    if (entry === undefined) return; // not listed (yet): remembered for when it is
    entry.detector.heartbeat(node.clock());
    arm(peer, entry);
    if (entry.suspected) {
      entry.suspected = false;
      counters.restores++;
      node.log(`restore ${peer}: heartbeat again`);
    }
  });

  // ---- discovery: the registry's list every refreshMs; new ones watched, gone ones forgotten
  const adopt = (instances: string[]): void => {
    const now = node.clock();
    for (const peer of instances) {
      if (watched.has(peer)) continue;
      // never heard from: live for one timeout from now; heard before: judged from its last heartbeat
      const startMs = Math.max(0, heardMs.get(peer) ?? now);
      const entry: Watched = { detector: new HeartbeatDetector({ timeoutMs: heartbeatTimeoutMs, startMs }), suspected: false, timer: -1 };
      watched.set(peer, entry);
      if (entry.detector.suspects(now)) {
        entry.suspected = true;
        counters.suspicions++;
      } else arm(peer, entry);
    }
    for (const peer of listed) {
      if (instances.includes(peer)) continue;
      node.cancelTimer(watched.get(peer)!.timer);
      watched.delete(peer);
    }
    listed = [...instances].sort();
  };
  let refreshing = false;
  const refresh = async (): Promise<void> => {
    if (refreshing) return;
    refreshing = true;
    try {
      adopt(await discoverInstances(node, { registry, service, timeoutMs: refreshMs, retries: 0 }));
      counters.refreshes++;
    } catch {
      counters.refreshFailures++; // registry down or message lost: keep the last list
    }
    refreshing = false;
  };
  void refresh();
  node.setPeriodic(refreshMs, () => void refresh(), "gateway refresh");

  const live = (): string[] => listed.filter((peer) => !watched.get(peer)!.suspected);
  const choose = (candidates: string[]): string => {
    if (policy === "power-of-two" && candidates.length > 1) return pickPowerOfTwo(candidates, (b) => outstanding.get(b) ?? 0, node.rng);
    const pick = candidates[next % candidates.length];
    next = (next + 1) % Number.MAX_SAFE_INTEGER;
    return pick;
  };

  // ---- forwarding: one handler per request type, the body passed on as it is
  const forward = async (msg: Message): Promise<void> => {
    counters.requests++;
    const candidates = live();
    if (candidates.length === 0) {
      counters.noBackend++;
      node.reply(msg, { type: "error", code: CHAT_ERRORS.unavailable, text: `no live front-end for ${service}` });
      return;
    }
    const backend = choose(candidates);
    const { msg_id: _id, in_reply_to: _re, ...body } = msg.body;
    counters.forwarded[backend] = (counters.forwarded[backend] ?? 0) + 1;
    outstanding.set(backend, (outstanding.get(backend) ?? 0) + 1);
    let reply: Message | undefined;
    try {
      reply = await node.rpc(backend, body as Body, { timeoutMs: requestTimeoutMs, retries: 0 });
    } catch {
      reply = undefined; // the only way node.rpc fails: no reply within requestTimeoutMs
    }
    outstanding.set(backend, outstanding.get(backend)! - 1);
    if (reply === undefined) {
      counters.timeouts++;
      counters.timedOut[backend] = (counters.timedOut[backend] ?? 0) + 1;
      node.reply(msg, { type: "error", code: CHAT_ERRORS.unavailable, text: `front-end ${backend} did not answer ${msg.body.type} within ${requestTimeoutMs} ms; retry with the same id` });
      return;
    }
    const { msg_id: _rid, in_reply_to: _rre, ...answer } = reply.body;
    counters.relayed++;
    node.reply(msg, answer as Body);
  };
  for (const type of requestTypes) node.on(type, forward);

  return {
    backends: () => [...listed],
    suspected: () => listed.filter((peer) => watched.get(peer)!.suspected),
    live,
    counters,
  };
}

/** Options of {@link joinChatGateway}. Times are virtual ms. */
export interface JoinChatGatewayOptions {
  registry: string;
  service: string;
  /** The gateways to send heartbeats to. */
  gateways: readonly string[];
  /** Default 50 (a third of the gateway's default heartbeatTimeoutMs). */
  heartbeatIntervalMs?: number;
  /** Renew the registry lease this often (well under its leaseMs). Default 100. */
  renewMs?: number;
}

/** A front-end's membership (one incarnation). */
export interface ChatGatewayMember {
  readonly registration: RegisteredInstance;
  readonly heartbeats: HeartbeatSender;
}

/**
 * On a front-end: register under `service` at `registry` (a lease renewed every `renewMs`) and send
 * heartbeats to the gateways every `heartbeatIntervalMs`. Call it from the front-end's behaviour,
 * so a restarted front-end registers and heartbeats anew. Throws a `ConfigError` naming the node
 * and the virtual time for a bad option.
 *
 * @example
 * sim.spawn("f1", (node) => {
 *   chatFrontEnd(node, { brokers: ["b1"], keys });
 *   joinChatGateway(node, { registry: "registry", service: "chat", gateways: ["gw"] });
 * });
 */
export function joinChatGateway(node: Node, options: JoinChatGatewayOptions): ChatGatewayMember {
  const where = "joinChatGateway";
  const context: ErrorContext = { node: node.id, timeMs: node.now() };
  if (options === null || typeof options !== "object") throw new ConfigError(where, options, "an options object { registry, service, gateways, ... }", context);
  const { registry, service, gateways } = options;
  if (!text(registry)) throw new ConfigError(`${where}: registry`, registry, "the registry's node id (a non-empty string)", context);
  if (!text(service)) throw new ConfigError(`${where}: service`, service, "the service name to register under (a non-empty string)", context);
  if (!Array.isArray(gateways) || gateways.length === 0 || !gateways.every(text)) {
    throw new ConfigError(`${where}: gateways`, gateways, "a non-empty list of gateway node ids", context);
  }
  const heartbeatIntervalMs = checkTime(where, "heartbeatIntervalMs", options.heartbeatIntervalMs ?? 50, context);
  const renewMs = checkTime(where, "renewMs", options.renewMs ?? 100, context);
  if (gateways.includes(node.id)) throw new SimulationError(`${where}: gateways lists this node itself`, context);
  const registration = registeredInstance(node, { registry, service, renewMs });
  const heartbeats = sendHeartbeats(node, { to: gateways, heartbeatIntervalMs, tag: HEARTBEAT });
  return { registration, heartbeats };
}
