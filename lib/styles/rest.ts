/**
 * The resource-based style, REST (lecture 001, "3. Resource based Architectures"): resources are
 * named by a path (a URI); every server offers the same uniform interface — GET, PUT, POST,
 * DELETE; messages are self-describing; and the server forgets the caller after each request
 * (stateless handlers), so any replica behind a balancer can answer.
 *
 * Methods differ in what a retry does (RFC 9110 §9.2): GET is **safe** (no effect) and idempotent;
 * PUT and DELETE are **idempotent** (doing it twice leaves the same state as once); POST is neither:
 * a retried or duplicated POST creates a second resource — unless the client sends an
 * `Idempotency-Key` header, which the server remembers with the response it gave.
 *
 * Wire protocol: `{ type: "http_request", method, path, body?, headers? }` → reply
 * `{ type: "http_response", status, body?, headers? }`. Between a stateless front server and the
 * resource store: `{ type: "store_apply", request }` → reply `{ type: "store_applied", response }`.
 */
import type { Node } from "../node/node";
import type { Message } from "../node/message";
import { RpcTimeoutError } from "../node/rpc";
import { SimulationError } from "../sim/errors";
import { Simulation } from "../simulation/simulation";
import { latency } from "../net/latency";

/** The uniform interface. */
export type RestMethod = "GET" | "PUT" | "POST" | "DELETE";

/**
 * Which methods are safe and which are idempotent (RFC 9110 §9.2.1, §9.2.2).
 *
 * @example
 * REST_METHODS.POST.idempotent; // false: retrying a POST may create twice
 */
export const REST_METHODS: Readonly<Record<RestMethod, { safe: boolean; idempotent: boolean }>> = {
  GET: { safe: true, idempotent: true },
  PUT: { safe: false, idempotent: true },
  DELETE: { safe: false, idempotent: true },
  POST: { safe: false, idempotent: false },
};

/** A request, self-describing: method, resource path, optional representation and headers. */
export interface RestRequest {
  method: RestMethod;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A response: an HTTP status, an optional representation and headers (e.g. `Location`). */
export interface RestResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** All the state a REST service has: resources by path, the next id for POST, idempotency keys. */
export interface ResourceTable {
  resources: Record<string, unknown>;
  nextId: number;
  /** Idempotency key → the request it came with (JSON) and the response given. */
  keys: Record<string, { request: string; response: RestResponse }>;
}

/**
 * A new, empty resource table.
 *
 * @example
 * const table = emptyResources();
 * applyRestRequest(table, { method: "PUT", path: "/items/1", body: { n: 1 } }).status; // 201
 */
export function emptyResources(): ResourceTable {
  return { resources: {}, nextId: 1, keys: {} };
}

/**
 * Apply one request to a resource table and return the response. PUT creates (201) or replaces
 * (200); GET returns 200 or 404; DELETE returns 204 or 404; POST to a collection path creates
 * `<path>/<id>` (201 with a `Location` header). A POST carrying an `Idempotency-Key` header seen
 * before returns the stored response again without creating anything (422 if the key came with a
 * different request).
 *
 * @example
 * const t = emptyResources();
 * applyRestRequest(t, { method: "POST", path: "/orders", body: { pizza: 1 } }).headers; // { Location: "/orders/1" }
 * applyRestRequest(t, { method: "GET", path: "/orders/1" }).body; // { pizza: 1 }
 */
export function applyRestRequest(table: ResourceTable, request: RestRequest): RestResponse {
  const { method, path } = request;
  if (typeof path !== "string" || !path.startsWith("/")) return { status: 400, body: { error: `path must start with "/", got ${JSON.stringify(path)}` } };
  switch (method) {
    case "GET":
      return path in table.resources ? { status: 200, body: table.resources[path] } : { status: 404 };
    case "PUT": {
      const existed = path in table.resources;
      table.resources[path] = request.body ?? null;
      return { status: existed ? 200 : 201, body: table.resources[path] };
    }
    case "DELETE": {
      if (!(path in table.resources)) return { status: 404 };
      delete table.resources[path];
      return { status: 204 };
    }
    case "POST": {
      const key = request.headers?.["Idempotency-Key"];
      const fingerprint = JSON.stringify([path, request.body ?? null]);
      if (key !== undefined) {
        const seen = table.keys[key];
        if (seen !== undefined) return seen.request === fingerprint ? seen.response : { status: 422, body: { error: `Idempotency-Key "${key}" was used with another request` } };
      }
      const location = `${path.replace(/\/$/, "")}/${table.nextId++}`;
      table.resources[location] = request.body ?? null;
      const response: RestResponse = { status: 201, body: request.body ?? null, headers: { Location: location } };
      if (key !== undefined) table.keys[key] = { request: fingerprint, response };
      return response;
    }
    default:
      return { status: 405, body: { error: `method ${JSON.stringify(method)} is not one of GET, PUT, POST, DELETE` } };
  }
}

function requestOf(message: Message): RestRequest {
  const { method, path, body, headers } = message.body;
  return { method, path, body, headers };
}

/** Options of {@link restServer}. */
export interface RestServerOptions {
  /**
   * The node holding the resources ({@link resourceStore}). With it the server is stateless:
   * it keeps nothing between requests, so any replica can answer any request. Without it the
   * resources live in this server's memory.
   */
  storeNode?: string;
  /** Timeout of each call to the store. Default 100 ms. */
  storeTimeoutMs?: number;
}

/**
 * A REST server: answers `http_request` with `http_response`, applying the request to its own
 * resource table, or (with `storeNode`) to the resource store, keeping nothing itself. Returns
 * a handle whose `served` counts the requests it handled (duplicates included).
 *
 * @example
 * sim.spawn("store", (node) => { resourceStore(node); });
 * sim.spawnMany(["api1", "api2"], (node) => { restServer(node, { storeNode: "store" }); });
 */
export function restServer(node: Node, options: RestServerOptions = {}): { readonly served: number; readonly table: ResourceTable | undefined } {
  const table = options.storeNode === undefined ? emptyResources() : undefined;
  let served = 0;
  node.on("http_request", async (message: Message) => {
    served++;
    const request = requestOf(message);
    if (table !== undefined) return node.reply(message, { type: "http_response", ...applyRestRequest(table, request) });
    try {
      const reply = await node.rpc(options.storeNode!, { type: "store_apply", request }, { timeoutMs: options.storeTimeoutMs ?? 100 });
      node.reply(message, { type: "http_response", ...(reply.body.response as RestResponse) });
    } catch (error) {
      if (!(error instanceof RpcTimeoutError)) throw error;
      node.reply(message, { type: "http_response", status: 504, body: { error: `store "${options.storeNode}" did not answer` } });
    }
  });
  return {
    get served() {
      return served;
    },
    table,
  };
}

/**
 * The data behind stateless REST servers: applies `store_apply { request }` to its table and
 * replies `store_applied { response }`. Its table is returned for inspection.
 *
 * @example
 * let table!: ResourceTable;
 * sim.spawn("store", (node) => { table = resourceStore(node); });
 */
export function resourceStore(node: Node): ResourceTable {
  const table = emptyResources();
  node.on("store_apply", (message: Message) => {
    node.reply(message, { type: "store_applied", response: applyRestRequest(table, message.body.request as RestRequest) });
  });
  return table;
}

/** Options of {@link restClient}. */
export interface RestClientOptions {
  /** How long one attempt waits. */
  timeoutMs: number;
  /** Extra attempts after a timeout. Default 0. */
  retries?: number;
}

/** What {@link restClient} returns. */
export interface RestClient {
  /** Send a request, retrying on timeout; each attempt goes to the next server in turn. */
  request(method: RestMethod, path: string, body?: unknown, headers?: Record<string, string>): Promise<RestResponse>;
  /** A fresh idempotency key (drawn from the node's random stream). */
  newIdempotencyKey(): string;
  /** Attempts sent so far (first tries and retries). */
  readonly attempts: number;
}

/**
 * A REST client for one server or several replicas: each attempt of a request goes to the next
 * server in turn (a client-side balancer), so a retry may reach another replica. A timeout or a
 * 5xx status is retried (up to `retries` times). A retry resends
 * the same request — harmless for GET, PUT and DELETE, a duplicate for POST without a key.
 *
 * @example
 * sim.spawn("client", async (node) => {
 *   const api = restClient(node, ["api1", "api2"], { timeoutMs: 50, retries: 3 });
 *   await api.request("PUT", "/items/7", { colour: "red" });
 *   await api.request("POST", "/orders", { item: 7 }, { "Idempotency-Key": api.newIdempotencyKey() });
 * });
 */
export function restClient(node: Node, servers: string | string[], options: RestClientOptions): RestClient {
  const targets = typeof servers === "string" ? [servers] : servers;
  if (targets.length === 0) throw new SimulationError(`restClient: give at least one server`, { node: node.id, timeMs: node.now() });
  let next = 0;
  let attempts = 0;
  return {
    async request(method, path, body, headers) {
      const retries = options.retries ?? 0;
      for (let attempt = 0; ; attempt++) {
        const dest = targets[next++ % targets.length];
        attempts++;
        try {
          const reply = await node.rpc(dest, { type: "http_request", method, path, body: body ?? null, headers: headers ?? {} }, { timeoutMs: options.timeoutMs });
          const { status, body: representation, headers: replyHeaders } = reply.body;
          if (status >= 500 && attempt < retries) continue; // the server side failed: try again
          return { status, body: representation, headers: replyHeaders };
        } catch (error) {
          if (!(error instanceof RpcTimeoutError) || attempt >= retries) throw error;
        }
      }
    },
    newIdempotencyKey() {
      return `${node.id}-${node.rng.int(0, 2 ** 31)}-${node.rng.int(0, 2 ** 31)}`;
    },
    get attempts() {
      return attempts;
    },
  };
}

/** How the client of {@link runRestRetryTrial} creates its resources. */
export type RestRetryMode = "put" | "post" | "post-with-key";

/** Options of {@link runRestRetryTrial}. */
export interface RestRetryTrialOptions {
  mode: RestRetryMode;
  /** Resources the client means to create. Default 20. */
  requests?: number;
  duplicationProbability?: number;
  lossProbability?: number;
  /** Stateless replicas in front of one resource store. Default 2. */
  replicas?: number;
  seed?: number;
}

/** What {@link runRestRetryTrial} returns. */
export interface RestRetryTrialResult {
  mode: RestRetryMode;
  requests: number;
  /** Requests that got a response (possibly after retries). */
  succeeded: number;
  /** Attempts sent (first tries and retries). */
  attempts: number;
  /** Resources in the store at the end. */
  resources: number;
  /** Resources beyond one per request: the damage retries and duplicates did. */
  duplicates: number;
}

/**
 * One client creates `requests` resources through stateless replicas under a network that loses
 * and duplicates messages, retrying on timeout: with PUT to a client-chosen path, with plain POST,
 * or with POST and an idempotency key. Counts the resources created.
 *
 * @example
 * (await runRestRetryTrial({ mode: "post", duplicationProbability: 0.2, lossProbability: 0.1 })).duplicates; // > 0
 * (await runRestRetryTrial({ mode: "post-with-key", duplicationProbability: 0.2, lossProbability: 0.1 })).duplicates; // 0
 */
export async function runRestRetryTrial(options: RestRetryTrialOptions): Promise<RestRetryTrialResult> {
  const requests = options.requests ?? 20;
  const replicas = options.replicas ?? 2;
  const sim = new Simulation({
    seed: options.seed ?? 1,
    network: { latency: latency.uniform(2, 10), duplicationProbability: options.duplicationProbability ?? 0, lossProbability: options.lossProbability ?? 0 },
    trace: false,
  });
  let table!: ResourceTable;
  sim.spawn("store", (node) => { table = resourceStore(node); });
  const apis = Array.from({ length: replicas }, (_, i) => `api${i + 1}`);
  sim.spawnMany(apis, (node) => { restServer(node, { storeNode: "store", storeTimeoutMs: 60 }); });
  const node = sim.spawn("client");
  const client = restClient(node, apis, { timeoutMs: 80, retries: 8 });
  let succeeded = 0;
  const work = async () => {
    for (let i = 1; i <= requests; i++) {
      const body = { n: i };
      try {
        if (options.mode === "put") await client.request("PUT", `/items/${node.id}-${i}`, body);
        else if (options.mode === "post") await client.request("POST", "/items", body);
        else await client.request("POST", "/items", body, { "Idempotency-Key": client.newIdempotencyKey() });
        succeeded++;
      } catch (error) {
        if (!(error instanceof RpcTimeoutError)) throw error;
      }
    }
  };
  await sim.runUntilSettled(work());
  await sim.runFor(500); // let late duplicates land
  const resources = Object.keys(table.resources).length;
  return { mode: options.mode, requests, succeeded, attempts: client.attempts, resources, duplicates: Math.max(0, resources - requests) };
}
