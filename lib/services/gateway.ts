// An API gateway: the single entry point in front of a set of services (lecture 002,
// microservices: "API layer (optional) offers a proxy or naming service"; Chris Richardson's
// "API Gateway" pattern, microservices.io). Clients call one address with a route name; the
// gateway forwards the request to an instance of the service behind that route (round robin),
// waits at most the route's `timeoutMs`, and when the service does not answer it replies with the
// route's `fallback` (a default answer: an empty list of recommendations, a cached price…), so
// one service down degrades one part of a page instead of failing the whole request. A route may
// also put a circuit breaker in front of its service, so that while the service is down the
// gateway answers with the fallback at once instead of after every timeout.
//
// Wire protocol:
//   client  → gateway  { type: "api_request", route, ...fields }
//   gateway → service  { type: <route.requestType, default "request">, ...fields }
//   gateway → client   { type: "api_response", route, status, body }
// status: "ok" (body = the service's reply), "fallback" (body = the route's fallback),
// "unavailable" (no fallback: body = { reason }), "unknown_route".
import type { Body, Message, Node } from "../node/index";
import { openCircuitBreaker, type CircuitBreaker } from "./circuit-breaker";

/** One route of the gateway. */
export interface GatewayRoute {
  /** Instances of the service (node ids), used in turn. */
  targets: readonly string[];
  /** How long the gateway waits for the service. */
  timeoutMs: number;
  /** The type of the request sent to the service. Default "request". */
  requestType?: string;
  /** The answer given when the service fails (fields of the body). None: status "unavailable". */
  fallback?: Record<string, unknown>;
  /** Put a circuit breaker in front of each target (its state is not declared on the node). */
  breaker?: { failureThreshold: number; openMs: number };
}

/** Options of {@link apiGateway}. */
export interface ApiGatewayOptions {
  routes: Record<string, GatewayRoute>;
}

/** What the gateway counted for one route. */
export interface GatewayRouteCounters {
  requests: number;
  ok: number;
  fallbacks: number;
  unavailable: number;
  /** Requests answered without calling the service because its breaker was open. */
  shortCircuited: number;
}

/** A running gateway (one incarnation). */
export interface ApiGateway {
  readonly counters: Readonly<Record<string, GatewayRouteCounters>>;
  /** The breaker of one target of a route, if the route has breakers. */
  breaker(route: string, target: string): CircuitBreaker | undefined;
}

/**
 * An API gateway node with per-route timeouts, fallbacks and optional circuit breakers.
 *
 * @example
 * sim.spawn("gateway", (node) => void apiGateway(node, { routes: {
 *   catalog: { targets: ["catalog-1", "catalog-2"], timeoutMs: 100 },
 *   recommendations: { targets: ["recs"], timeoutMs: 50, fallback: { items: [] }, breaker: { failureThreshold: 3, openMs: 1000 } },
 * } }));
 * const reply = await client.rpc("gateway", { type: "api_request", route: "recommendations", user: 7 });
 * // reply.body: { type: "api_response", route: "recommendations", status: "fallback", body: { items: [] } } while recs is down
 */
export function apiGateway(node: Node, options: ApiGatewayOptions): ApiGateway {
  const where = `apiGateway on ${node.id} at t=${node.now()}ms`;
  const routes = options?.routes;
  if (!routes || typeof routes !== "object") throw new Error(`${where}: options.routes must map route names to { targets, timeoutMs }`);
  const counters: Record<string, GatewayRouteCounters> = {};
  const turn: Record<string, number> = {};
  const breakers = new Map<string, CircuitBreaker>();
  for (const [name, route] of Object.entries(routes)) {
    if (!Array.isArray(route.targets) || route.targets.length === 0) throw new Error(`${where}: route "${name}" needs at least one target`);
    if (!(route.timeoutMs > 0)) throw new Error(`${where}: route "${name}" needs timeoutMs > 0, got ${String(route.timeoutMs)}`);
    counters[name] = { requests: 0, ok: 0, fallbacks: 0, unavailable: 0, shortCircuited: 0 };
    turn[name] = 0;
    if (route.breaker) {
      for (const target of route.targets) {
        breakers.set(`${name}\u0000${target}`, openCircuitBreaker(node, { target, callTimeoutMs: route.timeoutMs, declareState: false, ...route.breaker }));
      }
    }
  }

  node.on("api_request", async (msg: Message) => {
    const { msg_id: _id, in_reply_to: _re, type: _t, route: name, ...fields } = msg.body;
    const route = typeof name === "string" ? routes[name] : undefined;
    if (route === undefined || !Object.prototype.hasOwnProperty.call(routes, name)) {
      node.reply(msg, { type: "api_response", route: name, status: "unknown_route", body: { reason: `no route ${JSON.stringify(name)}` } });
      return;
    }
    const count = counters[name];
    count.requests++;
    const target = route.targets[turn[name]++ % route.targets.length];
    const request: Body = { ...fields, type: route.requestType ?? "request" };
    const breaker = breakers.get(`${name}\u0000${target}`);
    let reason: string;
    try {
      const reply = breaker ? await breaker.call(request) : await node.rpc(target, request, { timeoutMs: route.timeoutMs });
      if (reply.body.type !== "error") {
        count.ok++;
        const { msg_id: _m, in_reply_to: _r, ...body } = reply.body;
        node.reply(msg, { type: "api_response", route: name, status: "ok", body });
        return;
      }
      reason = `${target} answered error`;
    } catch (error) {
      const refused = error instanceof Error && error.name === "CircuitBreakerOpenError";
      if (refused) count.shortCircuited++;
      reason = refused ? `breaker to ${target} open` : `${target} timed out`;
    }
    if (route.fallback !== undefined) {
      count.fallbacks++;
      node.reply(msg, { type: "api_response", route: name, status: "fallback", body: { ...route.fallback } });
    } else {
      count.unavailable++;
      node.reply(msg, { type: "api_response", route: name, status: "unavailable", body: { reason } });
    }
  });

  return { counters, breaker: (route, target) => breakers.get(`${route}\u0000${target}`) };
}
