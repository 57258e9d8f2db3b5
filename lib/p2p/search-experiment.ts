// The experiment of Lv, Cao, Cohen, Li & Shenker ("Search and replication in unstructured
// peer-to-peer networks", ICS 2002, §4–5) on the simulator: a random overlay, m objects copied onto
// a fraction of the peers (uniform, proportional or square-root), queries from random peers for
// Zipf-popular objects, and one search method at a time — flooding with a TTL, k random walkers,
// or the expanding ring. Each method gets the same overlay, copies and queries, and its own run
// (1 ms per hop, tracing off), one query at a time. Rows, one per method, for a chart of messages
// per query against success rate.
//
// Lv et al.'s findings to look for: flooding's messages grow with the TTL far faster than its
// success rate once the TTL passes the hops to most copies (peers see the same query many times);
// the expanding ring saves much of that for popular objects; 16–64 walkers with checking back find
// objects with about as many successes as a well-chosen TTL, for one to two orders of magnitude
// fewer messages; and proportional (or better square-root) replication beats uniform.
import { latency } from "../net/latency";
import { Simulation } from "../simulation/simulation";
import { ConfigError } from "../sim/errors";
import { Prng } from "../sim/prng";
import { ZipfSampler } from "../patterns/zipf";
import type { Node } from "../node/index";
import { randomOverlay, type Overlay } from "./overlay";
import { placeReplicas, type Placement, type ReplicationStrategy } from "./replicas";
import { floodingPeer, type P2pHit } from "./flooding";
import { randomWalkPeer } from "./random-walk";
import { expandingRingPeer } from "./expanding-ring";

/** One search method. */
export type SearchMethod =
  | { kind: "flood"; ttl: number }
  | { kind: "walk"; walkers: number; ttl: number; checkEvery?: number }
  | { kind: "ring"; ttls?: number[] };

/** Options for {@link searchExperiment}. */
export interface SearchExperimentOptions {
  methods: SearchMethod[];
  /** Peers. Default 200. */
  n?: number;
  /** Neighbours per peer. Default 4. */
  degree?: number;
  /** Objects. Default 20. */
  objects?: number;
  /** Zipf exponent of the queries. Default 1. */
  exponent?: number;
  /** Average fraction of peers holding an object. Default 0.02. */
  replicaRatio?: number;
  /** Default "uniform". */
  strategy?: ReplicationStrategy;
  /** Queries per method. Default 20. */
  queries?: number;
  /** Message loss on every link. Default 0. */
  lossProbability?: number;
  seed?: number;
}

/** One method's result. */
export interface SearchRow {
  /** "flood", "walk" or "ring". */
  method: string;
  /** e.g. "flood ttl=4", "walk k=16 ttl=64", "ring 1,2,4,8". */
  label: string;
  /** The TTL (largest ring for the expanding ring). */
  ttl: number;
  /** Queries that got at least one hit. */
  successRate: number;
  /** Search messages per query (queries, walker steps, check-backs and their answers; hits excluded). */
  messagesPerQuery: number;
  /** Hit messages per query. */
  hitsPerQuery: number;
  /** Mean hops to the first hit, over successful queries answered by another peer. */
  meanHopsToHit: number;
  /** Queries the origin could answer from its own objects (counted as successes with 0 messages). */
  localHits: number;
}

/** The world of one experiment: overlay, copies and queries. */
export interface SearchWorld {
  overlay: Overlay;
  placement: Placement;
  /** Each query: the origin peer and the object. */
  queries: Array<{ origin: string; key: string }>;
}

/**
 * Build the overlay, the copies and the queries of {@link searchExperiment} from its options.
 *
 * @example
 * const world = searchWorld({ n: 200, replicaRatio: 0.02, strategy: "proportional", seed: 1 });
 * world.queries[0]; // { origin: "p…", key: "o…" }: a random peer, a Zipf-drawn object
 */
export function searchWorld(options: Omit<SearchExperimentOptions, "methods">): SearchWorld {
  const seed = options.seed ?? 1;
  const overlay = randomOverlay({ n: options.n ?? 200, degree: options.degree ?? 4, seed });
  const placement = placeReplicas({
    ids: overlay.ids, objects: options.objects ?? 20, exponent: options.exponent ?? 1,
    replicaRatio: options.replicaRatio ?? 0.02, strategy: options.strategy ?? "uniform", seed: seed + 1,
  });
  const rng = new Prng(seed + 2);
  const zipf = new ZipfSampler({ keyCount: placement.objects.length, exponent: options.exponent ?? 1 }, rng.split("objects"));
  const count = options.queries ?? 20;
  if (!Number.isInteger(count) || count < 1) throw new ConfigError("searchExperiment: queries", count, "a whole number ≥ 1");
  const queries = Array.from({ length: count }, () => ({ origin: overlay.ids[rng.int(0, overlay.ids.length)], key: placement.objects[zipf.next()] }));
  return { overlay, placement, queries };
}

function labelOf(m: SearchMethod): string {
  if (m.kind === "flood") return `flood ttl=${m.ttl}`;
  if (m.kind === "walk") return `walk k=${m.walkers} ttl=${m.ttl}`;
  return `ring ${(m.ttls ?? [1, 2, 4, 8]).join(",")}`;
}

/**
 * Run Lv et al.'s search experiment (ICS 2002, §4–5): one row per method, same world for all.
 * About 100–150 ms of CPU per method at the defaults (200 peers, 20 queries, TTL ≤ 4 or 16 walkers).
 *
 * @example
 * const rows = await searchExperiment({
 *   methods: [{ kind: "flood", ttl: 2 }, { kind: "flood", ttl: 4 }, { kind: "walk", walkers: 16, ttl: 32 }, { kind: "ring" }],
 *   strategy: "proportional", seed: 1,
 * });
 * rows.map((r) => [r.label, r.successRate, r.messagesPerQuery]); // a chart of messages against success
 */
export async function searchExperiment(options: SearchExperimentOptions): Promise<SearchRow[]> {
  if (!Array.isArray(options?.methods) || options.methods.length === 0) throw new ConfigError("searchExperiment: methods", options?.methods, "a non-empty list of search methods");
  const world = searchWorld(options);
  const rows: SearchRow[] = [];
  for (const method of options.methods) rows.push(await runMethod(world, method, options));
  return rows;
}

async function runMethod(world: SearchWorld, method: SearchMethod, options: SearchExperimentOptions): Promise<SearchRow> {
  const { overlay, placement } = world;
  const sim = new Simulation({ seed: options.seed ?? 1, trace: false, network: { latency: latency.constant(1), ordering: "unordered", lossProbability: options.lossProbability ?? 0 } });
  const hits = new Map<string, P2pHit[]>();
  const onHit = (h: P2pHit) => hits.get(h.queryId)?.push(h);
  type Handle = { start: (queryId: string, key: string) => Promise<unknown> | void; messages: () => number; hitsSent: () => number };
  const handles = new Map<string, Handle>();
  const checkTimeoutMs = 4;
  sim.spawnMany(overlay.ids, (node: Node) => {
    const common = { neighbours: overlay.neighbours[node.id], holds: (k: string) => placement.holdings[node.id].has(k), onHit };
    if (method.kind === "flood") {
      const p = floodingPeer(node, common);
      handles.set(node.id, { start: (q, k) => p.flood(q, k, method.ttl), messages: () => p.stats.queriesSent, hitsSent: () => p.stats.hitsSent });
    } else if (method.kind === "walk") {
      const p = randomWalkPeer(node, { ...common, checkEvery: method.checkEvery, checkTimeoutMs });
      handles.set(node.id, {
        start: (q, k) => p.search(q, k, { walkers: method.walkers, ttl: method.ttl }),
        messages: () => p.stats.walkSteps + p.stats.checks + p.stats.statusReplies,
        hitsSent: () => p.stats.hitsSent,
      });
    } else {
      const p = expandingRingPeer(node, { neighbours: common.neighbours, holds: common.holds, ttls: method.ttls, hopMs: 1 });
      handles.set(node.id, {
        start: (q, k) => p.search(q, k).then((outcome) => { hits.get(q)?.push(...outcome.hits); }),
        messages: () => p.stats.queriesSent,
        hitsSent: () => p.stats.hitsSent,
      });
    }
  });
  const total = (f: (h: Handle) => number) => { let s = 0; for (const h of handles.values()) s += f(h); return s; };
  const ttl = method.kind === "ring" ? Math.max(...(method.ttls ?? [1, 2, 4, 8])) : method.ttl;
  const checkEvery = method.kind === "walk" ? method.checkEvery ?? 4 : 0;
  const windowMs = method.kind === "walk" && checkEvery > 0 ? ttl + Math.ceil(ttl / checkEvery) * checkTimeoutMs + 3 : ttl + 3;
  let successes = 0;
  let localHits = 0;
  let hopsSum = 0;
  let hopsCount = 0;
  for (let i = 0; i < world.queries.length; i++) {
    const { origin, key } = world.queries[i];
    if (placement.holdings[origin].has(key)) { successes++; localHits++; continue; }
    const queryId = `q${i}`;
    const got: P2pHit[] = [];
    hits.set(queryId, got);
    const handle = handles.get(origin)!;
    if (method.kind === "ring") {
      let done = false;
      sim.at(sim.now(), () => (handle.start(queryId, key) as Promise<unknown>).then(() => { done = true; }), "query");
      await sim.runUntil(() => done, { withinMs: 100_000 });
      await sim.runFor(2);
    } else {
      sim.at(sim.now(), () => handle.start(queryId, key), "query");
      await sim.runFor(windowMs);
    }
    hits.delete(queryId);
    if (got.length > 0) {
      successes++;
      hopsSum += Math.min(...got.map((h) => h.hops));
      hopsCount++;
    }
  }
  const n = world.queries.length;
  return {
    method: method.kind,
    label: labelOf(method),
    ttl,
    successRate: successes / n,
    messagesPerQuery: total((h) => h.messages()) / n,
    hitsPerQuery: total((h) => h.hitsSent()) / n,
    meanHopsToHit: hopsCount > 0 ? hopsSum / hopsCount : NaN,
    localHits,
  };
}
