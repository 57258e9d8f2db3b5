// Load on super-peers against leaves, and what a super-peer crash costs (Yang & Garcia-Molina,
// ICDE 2003, §5: a super-peer's load grows with its cluster size, a leaf's stays tiny). S
// super-peers on a random overlay, L leaves each (a leaf's backup is the next super-peer), objects
// on random leaves, queries from random leaves. Optionally one super-peer crashes halfway: its
// leaves' objects cannot be found until those leaves notice (on their own next query) and join
// their backup.
import { latency } from "../net/latency";
import { Simulation } from "../simulation/simulation";
import { ConfigError } from "../sim/errors";
import { Prng } from "../sim/prng";
import { randomOverlay } from "./overlay";
import { leafPeer, superPeerNode, type LeafPeer, type PeerLoad } from "./super-peers";

/** Options for {@link superPeerExperiment}. */
export interface SuperPeerExperimentOptions {
  /** Super-peers (≥ 3). Default 8. */
  superPeers?: number;
  /** Leaves per super-peer. Default 12. */
  leavesPerSuper?: number;
  /** Neighbours per super-peer in the super-peer overlay. Default 3. */
  degree?: number;
  /** Super-peer hops a query may travel. Default 3. */
  ttl?: number;
  /** Objects. Default 30. */
  objects?: number;
  /** Leaves holding each object. Default 1 (so a crash visibly cuts objects off). */
  copies?: number;
  /** Queries per phase. Default 30. */
  queries?: number;
  /** Crash this super-peer between the two phases (e.g. "sp1"); none by default (then one phase). */
  crash?: string;
  lossProbability?: number;
  seed?: number;
}

/** One phase's outcome. */
export interface SuperPeerRow {
  phase: string;
  queries: number;
  /** Queries that found at least one holder. */
  successRate: number;
  /** Queries whose object was held only by leaves of the crashed super-peer (cut off). */
  cutOff: number;
  messagesPerQuery: number;
  /** Mean messages handled (received + sent) per live super-peer in the phase. */
  superPeerLoad: number;
  /** Mean messages handled per leaf in the phase. */
  leafLoad: number;
  /** Leaves attached to no live super-peer at the phase's end. */
  orphanLeaves: number;
}

/**
 * Run the super-peer experiment.
 *
 * @example
 * const [up, afterCrash] = await superPeerExperiment({ crash: "sp1", seed: 1 });
 * up.superPeerLoad / up.leafLoad; // ≈ 140 (seed 1): super-peers carry the search
 * afterCrash.cutOff;              // queries for objects only sp1's leaves held
 */
export async function superPeerExperiment(options: SuperPeerExperimentOptions = {}): Promise<SuperPeerRow[]> {
  const S = options.superPeers ?? 8;
  const L = options.leavesPerSuper ?? 12;
  const ttl = options.ttl ?? 3;
  const m = options.objects ?? 30;
  const copies = options.copies ?? 1;
  const count = options.queries ?? 30;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(S) || S < 3) throw new ConfigError("superPeerExperiment: superPeers", S, "a whole number ≥ 3");
  if (!Number.isInteger(L) || L < 1) throw new ConfigError("superPeerExperiment: leavesPerSuper", L, "a whole number ≥ 1");
  const supers = randomOverlay({ n: S, degree: Math.min(options.degree ?? 3, S - 1), seed, prefix: "sp" });
  if (options.crash !== undefined && !supers.ids.includes(options.crash)) throw new ConfigError("superPeerExperiment: crash", options.crash, `one of ${supers.ids.join(", ")}`);
  const leafIds = Array.from({ length: S * L }, (_, i) => `l${i + 1}`);
  const home = (i: number) => i % S;
  const rng = new Prng(seed + 1);
  const holdings = new Map<string, string[]>(leafIds.map((id) => [id, []]));
  const holdersOf = new Map<string, string[]>();
  for (let o = 0; o < m; o++) {
    const pool = [...leafIds];
    const chosen: string[] = [];
    for (let k = 0; k < Math.min(copies, pool.length); k++) {
      const j = rng.int(k, pool.length);
      [pool[k], pool[j]] = [pool[j], pool[k]];
      holdings.get(pool[k])!.push(`o${o}`);
      chosen.push(pool[k]);
    }
    holdersOf.set(`o${o}`, chosen);
  }
  const sim = new Simulation({ seed, trace: false, network: { latency: latency.uniform(5, 15), lossProbability: options.lossProbability ?? 0 } });
  const superLoad = new Map<string, PeerLoad>();
  sim.spawnMany(supers.ids, (node) => { superLoad.set(node.id, superPeerNode(node, { superNeighbours: supers.neighbours[node.id] }).load); });
  const leaves = new Map<string, LeafPeer>();
  sim.spawnMany(leafIds, (node) => {
    const i = leafIds.indexOf(node.id);
    const prefs = [supers.ids[home(i)], supers.ids[(home(i) + 1) % S]];
    leaves.set(node.id, leafPeer(node, { superPeers: prefs, objects: holdings.get(node.id)! }));
  });
  let joined = 0;
  sim.at(0, () => { for (const l of leaves.values()) void l.join().then(() => { joined++; }); }, "join");
  await sim.runUntil(() => joined === leafIds.length, { withinMs: 10_000 });

  const handled = (l: PeerLoad) => l.received + l.sent;
  const phase = async (name: string, crashed: string | undefined): Promise<SuperPeerRow> => {
    const superBefore = new Map([...superLoad].map(([id, l]) => [id, handled(l)]));
    const leafBefore = new Map([...leaves].map(([id, l]) => [id, handled(l.load)]));
    const sentBefore = sim.counters.sent;
    let successes = 0;
    let cutOff = 0;
    for (let q = 0; q < count; q++) {
      // a leaf asking for an object it does not hold
      let asker: string;
      let key: string;
      do {
        asker = leafIds[rng.int(0, leafIds.length)];
        key = `o${rng.int(0, m)}`;
      } while (holdersOf.get(key)!.includes(asker));
      const reachable = holdersOf.get(key)!.filter((h) => leaves.get(h)!.superPeer() !== crashed);
      if (reachable.length === 0) cutOff++;
      let result: string[] | undefined;
      sim.at(sim.now(), () => leaves.get(asker)!.search(`${name}-q${q}`, key, { ttl, waitMs: (ttl + 2) * 15 }).then((r) => { result = r; }), "query");
      await sim.runUntil(() => result !== undefined, { withinMs: 10_000 });
      if (result!.length > 0) successes++;
    }
    const live = supers.ids.filter((id) => id !== crashed);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    return {
      phase: name,
      queries: count,
      successRate: successes / count,
      cutOff,
      messagesPerQuery: (sim.counters.sent - sentBefore) / count,
      superPeerLoad: mean(live.map((id) => handled(superLoad.get(id)!) - superBefore.get(id)!)),
      leafLoad: mean(leafIds.map((id) => handled(leaves.get(id)!.load) - leafBefore.get(id)!)),
      orphanLeaves: leafIds.filter((id) => { const sp = leaves.get(id)!.superPeer(); return sp === undefined || sp === crashed; }).length,
    };
  };
  const rows = [await phase("all super-peers up", undefined)];
  if (options.crash !== undefined) {
    sim.crash(options.crash);
    rows.push(await phase(`${options.crash} crashed`, options.crash));
  }
  return rows;
}
