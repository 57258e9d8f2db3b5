// A hierarchical name service with caching resolvers and TTLs (the DNS model: Mockapetris, RFC
// 1034 "Domain Names — Concepts and Facilities", 1987, §4.3 and §5.3; van Steen & Tanenbaum,
// "Distributed Systems", 4th ed., ch. 6 "Naming", structured naming and iterative resolution).
// The name space is a tree of zones ("" is the root, then "com", then "example.com"); each zone
// has an authoritative name server that knows its own names and the servers of its child zones.
//
// A resolver resolves iteratively: it asks the deepest server it knows for the name; a server
// answers with the value (`ns_answer`), refers the resolver to the child zone's server
// (`ns_referral`), or says the name does not exist (`ns_nxdomain`). Every answer and referral
// carries a TTL, and the resolver caches it for that long: repeated lookups skip the upper levels
// (fewer hops, less load on the root), at the price of answers that may be stale for up to a TTL
// after a record changes — the trade-off a TTL sets.
//
// Wire protocol:
//   resolver → server   { type: "ns_query", name }
//   server → resolver   { type: "ns_answer", name, value, ttlMs } | { type: "ns_referral", zone, server, ttlMs }
//                       | { type: "ns_nxdomain", name }
//   client → resolver   { type: "resolve", name } → { type: "resolve_ok", name, value, hops } | { type: "resolve_failed", name, reason }
//   (anyone) → server   { type: "ns_update", name, value } → { type: "ns_update_ok" }  (a change at the authority)
import type { Node } from "../node/index";
import { latency } from "../net/index";
import { Simulation } from "../simulation/index";

/** Options of {@link nameServer}. */
export interface NameServerOptions {
  /** The zone this server is authoritative for: "" (root), "com", "example.com". */
  zone: string;
  /** Names of the zone and their values (full names, e.g. "www.example.com"). */
  records?: Record<string, string>;
  /** Child zones and the node ids of their servers, e.g. { "example.com": "ns-example" }. */
  delegations?: Record<string, string>;
  /** TTL given with answers and referrals. */
  ttlMs: number;
}

/** What a name server counted (one incarnation). */
export interface NameServer {
  readonly counters: { queries: number };
}

/** True when `name` is `zone` or lies below it. */
const within = (name: string, zone: string): boolean => zone === "" || name === zone || name.endsWith(`.${zone}`);

/**
 * An authoritative name server for one zone.
 *
 * @example
 * sim.spawn("ns-root", (node) => void nameServer(node, { zone: "", delegations: { com: "ns-com" }, ttlMs: 60_000 }));
 * sim.spawn("ns-com", (node) => void nameServer(node, { zone: "com", delegations: { "example.com": "ns-example" }, ttlMs: 60_000 }));
 * sim.spawn("ns-example", (node) => void nameServer(node, { zone: "example.com", records: { "www.example.com": "10.0.0.7" }, ttlMs: 1000 }));
 */
export function nameServer(node: Node, options: NameServerOptions): NameServer {
  const { zone, ttlMs } = options;
  const records = new Map(Object.entries(options.records ?? {}));
  const delegations = Object.entries(options.delegations ?? {});
  const where = `nameServer "${zone}" on ${node.id} at t=${node.now()}ms`;
  if (!(ttlMs >= 0)) throw new Error(`${where}: ttlMs must be ≥ 0, got ${String(ttlMs)}`);
  for (const name of [...records.keys(), ...delegations.map(([z]) => z)]) {
    if (!within(name, zone) || name === zone) throw new Error(`${where}: "${name}" is not below the zone "${zone}"`);
  }
  const counters = { queries: 0 };
  node.on("ns_query", (m) => {
    counters.queries++;
    const name = String(m.body.name);
    const value = records.get(name);
    if (value !== undefined) return void node.reply(m, { type: "ns_answer", name, value, ttlMs });
    const child = delegations.find(([z]) => within(name, z));
    if (child !== undefined) return void node.reply(m, { type: "ns_referral", zone: child[0], server: child[1], ttlMs });
    node.reply(m, { type: "ns_nxdomain", name });
  });
  node.on("ns_update", (m) => {
    const name = String(m.body.name);
    if (!within(name, zone)) return void node.reply(m, { type: "error", code: "not_authoritative" });
    records.set(name, String(m.body.value));
    node.reply(m, { type: "ns_update_ok" });
  });
  return { counters };
}

/** Options of {@link cachingResolver}. */
export interface CachingResolverOptions {
  /** The root server's node id. */
  root: string;
  /** Cache answers and referrals for their TTL. Default true. */
  cache?: boolean;
  /** How long one query to a server waits. Default 100. */
  queryTimeoutMs?: number;
}

/** What a resolver counted. */
export interface CachingResolver {
  readonly counters: { lookups: number; queries: number; answersFromCache: number; failures: number };
}

interface Cached {
  expiresMs: number;
  value?: string;
  server?: string;
}

/**
 * A caching, iterative resolver node.
 *
 * @example
 * sim.spawn("resolver", (node) => void cachingResolver(node, { root: "ns-root" }));
 * const r = await client.rpc("resolver", { type: "resolve", name: "www.example.com" });
 * // r.body: { type: "resolve_ok", name: "www.example.com", value: "10.0.0.7", hops: 3 }, then hops 0 from the cache
 */
export function cachingResolver(node: Node, options: CachingResolverOptions): CachingResolver {
  const { root, cache = true, queryTimeoutMs = 100 } = options;
  const answers = new Map<string, Cached>();
  const zones = new Map<string, Cached>(); // zone → its server
  const counters = { lookups: 0, queries: 0, answersFromCache: 0, failures: 0 };
  const fresh = (c: Cached | undefined): c is Cached => c !== undefined && c.expiresMs > node.clock();
  /** The deepest zone above `name` whose server is cached. */
  const closest = (name: string): string => {
    let best: { zone: string; server: string } = { zone: "", server: root };
    for (const [zone, c] of zones) {
      if (fresh(c) && within(name, zone) && zone.length > best.zone.length) best = { zone, server: c.server! };
    }
    return best.server;
  };
  node.on("resolve", async (m) => {
    const name = String(m.body.name);
    counters.lookups++;
    const hit = answers.get(name);
    if (fresh(hit)) {
      counters.answersFromCache++;
      return void node.reply(m, { type: "resolve_ok", name, value: hit.value, hops: 0 });
    }
    let server = closest(name);
    for (let hops = 1; hops <= 16; hops++) {
      counters.queries++;
      const reply = await node.rpc(server, { type: "ns_query", name }, { timeoutMs: queryTimeoutMs, retries: 1 }).catch(() => undefined);
      const b = reply?.body;
      if (b === undefined || b.type === "ns_nxdomain") {
        counters.failures++;
        return void node.reply(m, { type: "resolve_failed", name, reason: b === undefined ? `no reply from ${server}` : "no such name" });
      }
      if (b.type === "ns_answer") {
        if (cache) answers.set(name, { value: b.value, expiresMs: node.clock() + b.ttlMs });
        return void node.reply(m, { type: "resolve_ok", name, value: b.value, hops });
      }
      if (cache) zones.set(b.zone, { server: b.server, expiresMs: node.clock() + b.ttlMs });
      server = b.server;
    }
    counters.failures++;
    node.reply(m, { type: "resolve_failed", name, reason: "too many referrals" });
  });
  return { counters };
}

/** Options of {@link runNamingExperiment}. */
export interface NamingExperimentOptions {
  /** TTL of the leaf zone's answers (the root and "com" referrals keep `referralTtlMs`). */
  ttlMs: number;
  /** Default 3 600 000: referrals change rarely. */
  referralTtlMs?: number;
  /** Cache at the resolver. Default true. */
  cache?: boolean;
  /** Lookups (Poisson, one every `lookupGapMs` on average) over `names` names of example.com. Default 500, 20, 8. */
  lookups?: number;
  lookupGapMs?: number;
  names?: number;
  /** The value of www.example.com changes at this time. Default half-way through the lookups. */
  changeAtMs?: number;
  seed?: number;
}

/** What {@link runNamingExperiment} measured. */
export interface NamingExperimentResult {
  ttlMs: number;
  /** Queries sent to name servers per lookup (3 without a cache: root, com, example.com). */
  queriesPerLookup: number;
  /** Queries that reached the root server. */
  rootQueries: number;
  cacheHitRate: number;
  /** Lookups of www.example.com sent after the authority confirmed the change that still got the old value. */
  staleAnswers: number;
  /** How long after the confirmed change the resolver kept answering the old value. */
  staleForMs: number;
}

/**
 * Lookups through one caching resolver over a three-level hierarchy, with one record changed
 * half-way: the TTL trades queries (load on the hierarchy, latency) against staleness.
 *
 * @example
 * for (const ttlMs of [0, 100, 1000, 10_000]) console.log(await runNamingExperiment({ ttlMs }));
 */
export async function runNamingExperiment(options: NamingExperimentOptions): Promise<NamingExperimentResult> {
  const { ttlMs, referralTtlMs = 3_600_000, cache = true, lookups = 500, lookupGapMs = 20, names = 8, seed = 1 } = options;
  const changeAtMs = options.changeAtMs ?? (lookups * lookupGapMs) / 2;
  const sim = new Simulation({ seed, trace: false, network: { latency: latency.uniform(5, 15) } });
  let rootServer: NameServer | undefined;
  const hosts = Array.from({ length: names }, (_, i) => (i === 0 ? "www.example.com" : `host${i}.example.com`));
  sim.spawn("ns-root", (node) => void (rootServer = nameServer(node, { zone: "", delegations: { com: "ns-com" }, ttlMs: referralTtlMs })), { role: "name-server" });
  sim.spawn("ns-com", (node) => void nameServer(node, { zone: "com", delegations: { "example.com": "ns-example" }, ttlMs: referralTtlMs }), { role: "name-server" });
  sim.spawn("ns-example", (node) => void nameServer(node, { zone: "example.com", records: Object.fromEntries(hosts.map((h) => [h, "v1"])), ttlMs }), { role: "name-server" });
  let resolver: CachingResolver | undefined;
  sim.spawn("resolver", (node) => void (resolver = cachingResolver(node, { root: "ns-root", cache })), { role: "resolver" });
  let stale = 0;
  let updatedMs = Infinity; // when the authority confirmed the change
  let lastStaleMs: number | undefined;
  const client = sim.spawn("client", (node) => {
    const rng = sim.random("lookups");
    let done = 0;
    const next = (): void => {
      if (++done > lookups) return;
      const name = rng.chance(0.5) ? hosts[0] : hosts[rng.int(0, hosts.length)];
      const sentMs = node.now();
      void node.rpc("resolver", { type: "resolve", name }, { timeoutMs: 2000 }).then((r) => {
        if (name === hosts[0] && sentMs > updatedMs && r.body.value === "v1") {
          stale++;
          lastStaleMs = Math.max(lastStaleMs ?? 0, node.now());
        }
      }, () => undefined);
      node.setTimer(rng.exponential(lookupGapMs), next, "lookup");
    };
    next();
  }, { role: "client" });
  sim.at(changeAtMs, () => void client.rpc("ns-example", { type: "ns_update", name: hosts[0], value: "v2" }).then(() => void (updatedMs = sim.now()), () => undefined), "change");
  await sim.runFor(lookups * lookupGapMs * 3 + 5000);
  const c = resolver!.counters;
  return {
    ttlMs,
    queriesPerLookup: c.queries / c.lookups,
    rootQueries: rootServer!.counters.queries,
    cacheHitRate: c.answersFromCache / c.lookups,
    staleAnswers: stale,
    staleForMs: lastStaleMs === undefined ? 0 : lastStaleMs - updatedMs,
  };
}
