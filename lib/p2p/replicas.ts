// Where the copies of each object live, and which objects are asked for (Lv, Cao, Cohen, Li &
// Shenker, ICS 2002, §3.2–3.3 and §5). m objects; object i is queried with Zipf probability q_i.
// The copies of all objects together fill a fraction `replicaRatio` of the N·m (peer, object)
// slots; how they are shared out:
//   - "uniform": every object on the same number of peers;
//   - "proportional": object i on a number of peers ∝ q_i (popular objects have more copies);
//   - "square-root": ∝ √q_i, which Lv et al. (and Cohen & Shenker, SIGCOMM 2002) show minimises
//     the expected search size of random probing.
// Every object has at least one copy. Holders are chosen at random from the seed.
import { Prng } from "../sim/prng";
import { ConfigError } from "../sim/errors";
import { zipfProbabilities } from "../patterns/zipf";

/** How copies are shared out among objects. */
export type ReplicationStrategy = "uniform" | "proportional" | "square-root";

/** Options for {@link placeReplicas}. */
export interface PlaceReplicasOptions {
  /** Peer ids. */
  ids: string[];
  /** Number of objects m; object i is named `o<i>` (o0 the most popular). */
  objects: number;
  /** Zipf exponent of the query distribution. Default 1 (Lv et al. use Zipf with α ≈ 1 … 1.2). */
  exponent?: number;
  /** Average fraction of peers holding an object (0 < r ≤ 1). */
  replicaRatio: number;
  strategy: ReplicationStrategy;
  seed: number;
}

/** The placement: who holds what, and how often each object is asked for. */
export interface Placement {
  /** Object names, most popular first. */
  objects: string[];
  /** Query probability of each object (same order). */
  queryProbability: number[];
  /** Holders of each object. */
  holders: Record<string, string[]>;
  /** Objects each peer holds. */
  holdings: Record<string, Set<string>>;
}

/**
 * Place copies of m objects on the peers (Lv et al. 2002, §3.2–3.3, §5).
 *
 * @example
 * const pl = placeReplicas({ ids: overlay.ids, objects: 50, replicaRatio: 0.02, strategy: "proportional", seed: 1 });
 * pl.holders.o0.length;  // many copies: o0 is the most popular object
 * pl.holdings.p7.has("o3");
 */
export function placeReplicas(options: PlaceReplicasOptions): Placement {
  const { ids, objects: m, replicaRatio, strategy, seed } = options;
  const n = ids.length;
  if (n < 1) throw new ConfigError("placeReplicas: ids", ids, "at least one peer");
  if (!Number.isInteger(m) || m < 1) throw new ConfigError("placeReplicas: objects", m, "a whole number ≥ 1");
  if (!(replicaRatio > 0 && replicaRatio <= 1)) throw new ConfigError("placeReplicas: replicaRatio", replicaRatio, "a number in (0, 1]");
  if (!["uniform", "proportional", "square-root"].includes(strategy)) {
    throw new ConfigError("placeReplicas: strategy", strategy, '"uniform", "proportional" or "square-root"');
  }
  const q = Array.from(zipfProbabilities({ keyCount: m, exponent: options.exponent ?? 1 }));
  const weight = q.map((p) => (strategy === "uniform" ? 1 : strategy === "proportional" ? p : Math.sqrt(p)));
  const total = weight.reduce((a, b) => a + b, 0);
  const copiesTotal = replicaRatio * n * m;
  const rng = new Prng(seed);
  const objects = q.map((_, i) => `o${i}`);
  const holders: Record<string, string[]> = {};
  const holdings: Record<string, Set<string>> = {};
  for (const id of ids) holdings[id] = new Set();
  const pool = [...ids];
  objects.forEach((name, i) => {
    const copies = Math.min(n, Math.max(1, Math.round((copiesTotal * weight[i]) / total)));
    // Partial Fisher–Yates: the first `copies` entries of pool become a random sample.
    for (let k = 0; k < copies; k++) {
      const j = rng.int(k, n);
      [pool[k], pool[j]] = [pool[j], pool[k]];
    }
    holders[name] = pool.slice(0, copies);
    for (const h of holders[name]) holdings[h].add(name);
  });
  return { objects, queryProbability: q, holders, holdings };
}
