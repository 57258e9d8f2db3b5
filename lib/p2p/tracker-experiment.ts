// The central index as a single point of failure, measured (Napster; BitTorrent trackers): peers
// register with a tracker and fetch objects by lookup; then the tracker crashes. Three phases of
// fetches by random peers for random objects: with the tracker up; after the crash, new lookups;
// after the crash, repeats of the first phase's fetches (the peer remembers the holders it was
// told about). Every object is still on its holders throughout.
import { latency } from "../net/latency";
import { Simulation } from "../simulation/simulation";
import { ConfigError } from "../sim/errors";
import { Prng } from "../sim/prng";
import { trackedPeer, trackerNode, type FetchStatus, type TrackedPeer } from "./tracker";

/** Options for {@link trackerExperiment}. */
export interface TrackerExperimentOptions {
  /** Peers besides the tracker. Default 30. */
  n?: number;
  /** Objects. Default 10. */
  objects?: number;
  /** Holders per object. Default 3. */
  copies?: number;
  /** Fetches per phase. Default 20. */
  queries?: number;
  lossProbability?: number;
  seed?: number;
}

/** One phase's outcome. */
export interface TrackerRow {
  phase: "tracker up" | "tracker crashed, new lookups" | "tracker crashed, repeated fetches";
  queries: number;
  fetched: number;
  notFound: number;
  trackerUnreachable: number;
  holdersUnreachable: number;
  /** Messages on the network per fetch (requests, replies, retries). */
  messagesPerQuery: number;
}

/**
 * Run the tracker experiment: three phases, one row each.
 *
 * @example
 * const rows = await trackerExperiment({ seed: 1 });
 * rows[0].fetched;            // 20: all found with the tracker up
 * rows[1].trackerUnreachable; // 20: no new lookup works once it crashed
 * rows[2].fetched;            // 20: fetches from remembered holders still work
 */
export async function trackerExperiment(options: TrackerExperimentOptions = {}): Promise<TrackerRow[]> {
  const n = options.n ?? 30;
  const m = options.objects ?? 10;
  const copies = options.copies ?? 3;
  const count = options.queries ?? 20;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(n) || n < 2) throw new ConfigError("trackerExperiment: n", n, "a whole number ≥ 2");
  if (!Number.isInteger(copies) || copies < 1 || copies > n) throw new ConfigError("trackerExperiment: copies", copies, `a whole number in [1, ${n}]`);
  const rng = new Prng(seed + 1);
  const ids = Array.from({ length: n }, (_, i) => `p${i + 1}`);
  const holdings = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (let o = 0; o < m; o++) {
    const pool = [...ids];
    for (let k = 0; k < copies; k++) {
      const j = rng.int(k, n);
      [pool[k], pool[j]] = [pool[j], pool[k]];
      holdings.get(pool[k])!.push(`o${o}`);
    }
  }
  const sim = new Simulation({ seed, trace: false, network: { latency: latency.uniform(5, 15), lossProbability: options.lossProbability ?? 0 } });
  sim.spawn("tracker", (node) => { trackerNode(node); });
  const peers = new Map<string, TrackedPeer>();
  sim.spawnMany(ids, (node) => { peers.set(node.id, trackedPeer(node, { tracker: "tracker", objects: holdings.get(node.id)! })); });
  let registered = 0;
  sim.at(0, () => { for (const p of peers.values()) void p.register().then(() => { registered++; }); }, "register");
  await sim.runUntil(() => registered === n, { withinMs: 10_000 });

  const draw = () => {
    // a peer asking for an object it does not hold
    for (;;) {
      const who = ids[rng.int(0, n)];
      const key = `o${rng.int(0, m)}`;
      if (!holdings.get(who)!.includes(key)) return { who, key };
    }
  };
  const phase = async (name: TrackerRow["phase"], asks: Array<{ who: string; key: string }>): Promise<TrackerRow> => {
    const row: TrackerRow = { phase: name, queries: asks.length, fetched: 0, notFound: 0, trackerUnreachable: 0, holdersUnreachable: 0, messagesPerQuery: 0 };
    const before = sim.counters.sent;
    const tally: Record<FetchStatus, keyof TrackerRow> = { fetched: "fetched", "not-found": "notFound", "tracker-unreachable": "trackerUnreachable", "holders-unreachable": "holdersUnreachable" };
    for (const { who, key } of asks) {
      let done = false;
      sim.at(sim.now(), () => peers.get(who)!.fetch(key).then((r) => { (row[tally[r.status]] as number)++; done = true; }), "fetch");
      await sim.runUntil(() => done, { withinMs: 10_000 });
    }
    row.messagesPerQuery = (sim.counters.sent - before) / asks.length;
    return row;
  };
  const first = Array.from({ length: count }, draw);
  const rows = [await phase("tracker up", first)];
  sim.crash("tracker");
  rows.push(await phase("tracker crashed, new lookups", Array.from({ length: count }, draw)));
  rows.push(await phase("tracker crashed, repeated fetches", first));
  return rows;
}
