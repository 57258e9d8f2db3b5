// A caching proxy between clients and an origin server. Lecture 000, "Proxy": a server acting as a
// gateway towards another server; it intercepts requests and responses, and "may cache responses
// to reduce the load on the server" — then it is a cache server. Lecture 003 names the price:
// a cached copy can be out of date (caching vs. replication).
//
// Wire protocol (the same as exercise 02.2, plus a version so staleness can be measured):
//   client → proxy   { type: "get", key }            reply { type: "get_ok", key, value, version, hit }
//   proxy  → origin  { type: "read", key }           reply { type: "read_ok", key, value, version }
// The origin's values change over time (writes at a rate), so a long TTL trades freshness for
// hits. `runCacheExperiment` measures hit ratio, stale reads and origin load for one setting.
import { latency as latencyOf } from "../net/index";
import type { Node, Message } from "../node/index";
import type { Prng } from "../sim/index";
import { Simulation } from "../simulation/index";
import { TtlLruCache, type CacheStats } from "./cache";

/** Draws the next key of a workload from a random stream (e.g. uniform, or Zipf-distributed). */
export type KeySampler = (rng: Prng) => string;

/**
 * Keys `k0` … `k{keyCount-1}`, each equally likely.
 *
 * @example
 * const next = uniformKeys(100);
 * next(new Prng(1)); // e.g. "k42"
 */
export function uniformKeys(keyCount: number): KeySampler {
  if (!Number.isInteger(keyCount) || keyCount < 1) throw new Error(`uniformKeys: keyCount must be a whole number ≥ 1, got ${String(keyCount)}`);
  return (rng) => `k${rng.int(0, keyCount)}`;
}

/** Options of {@link originServer}. */
export interface OriginServerOptions {
  /** Mean virtual ms between two writes (exponential gaps, from `node.rng`). Default Infinity: values never change. */
  writeIntervalMs?: number;
  /** Which key each write changes. Default `uniformKeys(100)`. */
  writeKeys?: KeySampler;
}

const versionKey = (key: string): string => `version:${key}`;

/**
 * The origin: the server that owns the data (a database tier). It answers `read` with the key's
 * current value and version, and on its own changes values over time: every write bumps one
 * key's version (kept in `node.storage`, so it survives a crash). A key never written has version 0.
 * Values are `"<key>@<version>"`.
 *
 * @example
 * sim.spawn("origin", (node) => originServer(node, { writeIntervalMs: 10, writeKeys: uniformKeys(50) }));
 * originVersion(sim.node("origin"), "k3"); // the truth, for measuring staleness
 */
export function originServer(node: Node, options: OriginServerOptions = {}): void {
  const { writeIntervalMs = Infinity, writeKeys = uniformKeys(100) } = options;
  if (!(writeIntervalMs > 0)) throw new Error(`originServer on ${node.id} at t=${node.now()}ms: writeIntervalMs must be > 0 (or Infinity), got ${String(writeIntervalMs)}`);
  const version = (key: string): number => node.storage.get<number>(versionKey(key)) ?? 0;
  const write = (key: string): number => {
    const v = version(key) + 1;
    node.storage.set(versionKey(key), v);
    return v;
  };
  node.on("read", (msg) => {
    const key = msg.body.key;
    if (typeof key !== "string") throw new Error(`originServer on ${node.id} at t=${node.now()}ms: read from ${msg.src} has no string key`);
    const v = version(key);
    node.reply(msg, { type: "read_ok", key, value: `${key}@${v}`, version: v });
  });
  node.on("write", (msg) => {
    const v = write(msg.body.key);
    node.reply(msg, { type: "write_ok", key: msg.body.key, version: v });
  });
  if (writeIntervalMs !== Infinity) {
    const rng = node.rng;
    const scheduleWrite = (): void => {
      node.setTimer(rng.exponential(writeIntervalMs), () => {
        write(writeKeys(rng));
        scheduleWrite();
      }, "write");
    };
    scheduleWrite();
  }
}

/**
 * The origin's current version of `key`, read from its storage: the oracle an experiment uses to
 * tell a stale answer. (Not for protocol code: a real proxy cannot look into the origin.)
 *
 * @example
 * const stale = reply.body.version < originVersion(sim.node("origin"), reply.body.key);
 */
export function originVersion(origin: Node, key: string): number {
  return origin.storage.get<number>(versionKey(key)) ?? 0;
}

/** Options of {@link proxyCache}. */
export interface ProxyCacheOptions {
  /** The origin server's node id. */
  origin: string;
  /** Entries the cache holds. */
  capacity: number;
  /** Freshness lifetime of a cached value. Default Infinity. */
  ttlMs?: number;
  /** How long one read of the origin may take. Default 1000. */
  readTimeoutMs?: number;
  /** Extra attempts after a read times out. Default 2. */
  readRetries?: number;
  /** The origin's current version of a key, if the experiment knows it: then stale answers are counted. */
  currentVersion?: (key: string) => number;
  /**
   * Let concurrent misses on one key wait for a single origin read (request collapsing, like
   * nginx's `proxy_cache_lock`). Default false: every miss reads the origin.
   */
  collapseMisses?: boolean;
}

/** What a proxy counted in one incarnation. */
export interface ProxyCounters {
  /** `get` requests received. */
  requests: number;
  /** `read` requests sent to the origin (one per miss, unless misses are collapsed). */
  originReads: number;
  /** Answers (hits or fresh reads) older than the origin's version when they were sent. */
  staleReplies: number;
  /** Requests answered `get_fail` because the origin did not answer. */
  failures: number;
}

/** A running proxy: its cache and its counters. */
export interface ProxyCache {
  readonly cache: TtlLruCache<unknown>;
  readonly counters: ProxyCounters;
}

/**
 * A caching proxy: answers `get` from its TTL+LRU cache when the entry is fresh, otherwise reads
 * the origin, stores the answer and replies. With `collapseMisses`, concurrent misses on one key
 * wait for a single origin read. If the origin does not answer, the client gets
 * `{ type: "get_fail", key }`. The cache lives in memory: a crash empties it.
 *
 * @example
 * sim.spawn("proxy", (node) => { proxy = proxyCache(node, { origin: "origin", capacity: 50, ttlMs: 100 }); });
 * // a client: await node.rpc("proxy", { type: "get", key: "k1" }) → { type: "get_ok", key, value, version, hit }
 */
export function proxyCache(node: Node, options: ProxyCacheOptions): ProxyCache {
  const { origin, capacity, ttlMs = Infinity, readTimeoutMs = 1000, readRetries = 2, currentVersion, collapseMisses = false } = options;
  if (typeof origin !== "string") throw new Error(`proxyCache on ${node.id} at t=${node.now()}ms: options.origin must be the origin's node id`);
  const cache = new TtlLruCache<unknown>({ capacity, ttlMs });
  const counters: ProxyCounters = { requests: 0, originReads: 0, staleReplies: 0, failures: 0 };
  /** Requests waiting for a collapsed origin read, per key. */
  const waiting = new Map<string, Message[]>();

  const answer = (msg: Message, key: string, value: unknown, version: number, hit: boolean): void => {
    if (currentVersion !== undefined && version < currentVersion(key)) counters.staleReplies++;
    node.reply(msg, { type: "get_ok", key, value, version, hit });
  };

  /** Read the origin for `requests` (one, or every collapsed miss on `key`). */
  const readOrigin = async (key: string, requests: Message[]): Promise<void> => {
    counters.originReads++;
    try {
      const res = await node.rpc<{ type: "read_ok"; key: string; value: unknown; version: number }>(origin, { type: "read", key }, { timeoutMs: readTimeoutMs, retries: readRetries });
      const { value, version } = res.body;
      cache.set(key, value, version, node.now());
      for (const msg of requests) answer(msg, key, value, version, false);
    } catch {
      for (const msg of requests) {
        counters.failures++;
        node.reply(msg, { type: "get_fail", key, reason: "origin did not answer" });
      }
    }
    if (requests === waiting.get(key)) waiting.delete(key);
  };

  node.on("get", (msg) => {
    const key = msg.body.key;
    if (typeof key !== "string") throw new Error(`proxyCache on ${node.id} at t=${node.now()}ms: get from ${msg.src} has no string key`);
    counters.requests++;
    const hit = cache.get(key, node.now(), currentVersion?.(key));
    if (hit !== undefined) return answer(msg, key, hit.value, hit.version, true);
    if (!collapseMisses) return readOrigin(key, [msg]);
    const queue = waiting.get(key);
    if (queue !== undefined) return void queue.push(msg);
    const requests = [msg];
    waiting.set(key, requests);
    return readOrigin(key, requests);
  });
  return { cache, counters };
}

/** Options of {@link runCacheExperiment}. */
export interface CacheExperimentOptions {
  /** Entries the proxy's cache holds. */
  capacity: number;
  /** Freshness lifetime (Infinity: never expires; 0: no caching). */
  ttlMs: number;
  /** Which key each request reads. Default `uniformKeys(keyCount)`. */
  workload?: KeySampler;
  /** Size of the key space for the default workload and the origin's writes. Default 100. */
  keyCount?: number;
  /** Which key each origin write changes. Default `uniformKeys(keyCount)`. */
  writeKeys?: KeySampler;
  /** Mean virtual ms between origin writes. Default 10. Infinity: values never change. */
  writeIntervalMs?: number;
  /** Requests the client sends. Default 2000. */
  requests?: number;
  /** Virtual ms between two requests (open loop: the client does not wait for answers). Default 1. */
  requestIntervalMs?: number;
  /** One-way delay client ↔ proxy. Default 1. */
  proxyLatencyMs?: number;
  /** One-way delay proxy ↔ origin. Default 20. */
  originLatencyMs?: number;
  /** See `ProxyCacheOptions.collapseMisses`. Default false. */
  collapseMisses?: boolean;
  /** Seed of the run. Default 1. */
  seed?: number;
}

/** What {@link runCacheExperiment} measured. */
export interface CacheExperimentResult {
  requests: number;
  /** Cache hits / cache reads. */
  hitRatio: number;
  /** Answers older than the origin's version when the proxy sent them, per request. */
  staleReadFraction: number;
  /** Reads that reached the origin, per request (the miss ratio, unless misses are collapsed). */
  originLoad: number;
  /** Mean response time the client saw. */
  latencyMsMean: number;
  /** The cache's counters (hits, misses, expirations, evictions, stale hits). */
  cache: CacheStats;
  /** The proxy's counters. */
  proxy: ProxyCounters;
}

/**
 * One cache experiment: a client sends `requests` gets (keys from `workload`) to a proxy with the
 * given capacity and TTL, in front of an origin whose values change every `writeIntervalMs` on
 * average. Tracing is off; a run of the defaults takes a few tens of ms.
 *
 * @example
 * const r = await runCacheExperiment({ capacity: 20, ttlMs: 50, seed: 1 });
 * console.log(r.hitRatio.toFixed(2), r.staleReadFraction.toFixed(3), r.originLoad.toFixed(2));
 */
export async function runCacheExperiment(options: CacheExperimentOptions): Promise<CacheExperimentResult> {
  const {
    capacity,
    ttlMs,
    keyCount = 100,
    writeIntervalMs = 10,
    requests = 2000,
    requestIntervalMs = 1,
    proxyLatencyMs = 1,
    originLatencyMs = 20,
    seed = 1,
    collapseMisses = false,
  } = options;
  const workload = options.workload ?? uniformKeys(keyCount);
  const writeKeys = options.writeKeys ?? uniformKeys(keyCount);
  const sim = new Simulation({
    seed,
    trace: false,
    network: {
      latency: latencyOf.constant(proxyLatencyMs),
      links: [
        { from: "proxy", to: "origin", latency: latencyOf.constant(originLatencyMs) },
        { from: "origin", to: "proxy", latency: latencyOf.constant(originLatencyMs) },
      ],
    },
  });
  sim.spawn("origin", (node) => originServer(node, { writeIntervalMs, writeKeys }), { role: "origin" });
  const originNode = sim.node("origin");
  let proxy: ProxyCache | undefined;
  sim.spawn("proxy", (node) => {
    proxy = proxyCache(node, { origin: "origin", capacity, ttlMs, currentVersion: (key) => originVersion(originNode, key), collapseMisses });
  }, { role: "proxy" });
  let sent = 0;
  let answered = 0;
  let latencySumMs = 0;
  const sentMs = new Map<number, number>();
  sim.spawn("client", (node) => {
    const keys = sim.random("keys");
    node.on("get_ok", (msg) => {
      answered++;
      latencySumMs += node.now() - sentMs.get(msg.body.in_reply_to as number)!;
    });
    node.on("get_fail", () => void answered++);
    const tick = node.setPeriodic(requestIntervalMs, () => {
      if (sent >= requests) return node.cancelTimer(tick);
      sent++;
      const id = node.send("proxy", { type: "get", key: workload(keys) });
      sentMs.set(id, node.now());
    }, "request");
  }, { role: "client" });
  await sim.runUntil(() => answered >= requests, { withinMs: requests * requestIntervalMs + 10 * (originLatencyMs + proxyLatencyMs) * 10 + 10_000, description: "every request answered" });
  const p = proxy!;
  const stats = p.cache.stats;
  return {
    requests,
    hitRatio: p.cache.hitRatio,
    staleReadFraction: p.counters.staleReplies / requests,
    originLoad: p.counters.originReads / requests,
    latencyMsMean: latencySumMs / requests,
    cache: stats,
    proxy: { ...p.counters },
  };
}
