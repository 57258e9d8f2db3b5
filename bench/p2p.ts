// `npx tsx bench/p2p.ts`: unstructured search on 10⁴ peers (lib/p2p), in one process.
//
// Figures: (1) building a random overlay of N = 10⁴ peers, degree 4; (2) a full flood counted on
// the graph (countFlood): floods per second, and the count against 2|E| − N + 1; (3) the same flood
// run as messages on the simulator (floodingPeer, tracing off, 1 ms per hop): wall time and
// messages per second; (4) Lv, Cao, Cohen, Li & Shenker's comparison (ICS 2002, §4–5) at N = 10⁴
// with the fast counters: success rate and messages per query of flooding by TTL and of 32 random
// walkers, for uniform, proportional and square-root replication (100 objects, Zipf 1, 1% of the
// peers hold an object on average, 200 queries). Each timing is the median of BENCH_REPEATS runs
// (default 5). Not part of `npm test`.
import { performance } from "node:perf_hooks";
import { latency } from "../lib/net";
import { Simulation } from "../lib/simulation";
import { Prng } from "../lib/sim/prng";
import { ZipfSampler } from "../lib/patterns/zipf";
import { countFlood, countWalk, floodingPeer, placeReplicas, randomOverlay, type FloodingPeer, type ReplicationStrategy } from "../lib/p2p/index";
import { fmt, loadAverage, repeats } from "./fresh";

const REPEATS = repeats(5);
const N = 10_000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const timed = <T>(f: () => T): [T, number] => { const t0 = performance.now(); const v = f(); return [v, performance.now() - t0]; };

async function simulatedFlood(overlay: ReturnType<typeof randomOverlay>): Promise<{ ms: number; messages: number }> {
  const t0 = performance.now();
  const sim = new Simulation({ seed: 1, trace: false, maxEvents: 10_000_000, network: { latency: latency.constant(1), ordering: "unordered" } });
  const peers = new Map<string, FloodingPeer>();
  sim.spawnMany(overlay.ids, (node) => { peers.set(node.id, floodingPeer(node, { neighbours: overlay.neighbours[node.id] })); });
  sim.at(0, () => peers.get("p1")!.flood("q", "x", N));
  await sim.runFor(1_000);
  let messages = 0;
  for (const p of peers.values()) messages += p.stats.queriesSent;
  return { ms: performance.now() - t0, messages };
}

async function main(): Promise<void> {
  console.log(`bench/p2p.ts — N = ${fmt(N)}, degree 4, ${REPEATS} repeats, load ${loadAverage()}`);
  const builds = Array.from({ length: REPEATS }, () => timed(() => randomOverlay({ n: N, degree: 4, seed: 1 })));
  const overlay = builds[0][0];
  console.log(`(1) randomOverlay: ${median(builds.map((b) => b[1])).toFixed(1)} ms, |E| = ${fmt(overlay.edges)}`);

  const floods = Array.from({ length: REPEATS }, (_, i) => timed(() => countFlood(overlay, { source: `p${i + 1}`, ttl: N })));
  const expected = 2 * overlay.edges - N + 1;
  const ms = median(floods.map((f) => f[1]));
  console.log(`(2) countFlood, full: ${fmt(floods[0][0].messages)} messages (2|E| − N + 1 = ${fmt(expected)}${floods.every((f) => f[0].messages === expected) ? ", exact" : ", MISMATCH"}), ${ms.toFixed(2)} ms, ${fmt(1000 / ms)} floods/s`);

  const sims: Array<{ ms: number; messages: number }> = [];
  for (let i = 0; i < Math.min(REPEATS, 3); i++) sims.push(await simulatedFlood(overlay));
  const simMs = median(sims.map((s) => s.ms));
  console.log(`(3) simulated full flood: ${fmt(sims[0].messages)} messages in ${simMs.toFixed(0)} ms (${fmt(sims[0].messages / (simMs / 1000))} messages/s, spawning 10⁴ nodes included)`);

  console.log("(4) Lv et al. at N = 10⁴ (fast counters; 200 queries; 100 objects, Zipf 1, replica ratio 1%):");
  const rng = new Prng(7);
  const zipf = new ZipfSampler({ keyCount: 100, exponent: 1 }, rng.split("q"));
  const queries = Array.from({ length: 200 }, () => ({ origin: overlay.ids[rng.int(0, N)], object: `o${zipf.next()}` }));
  for (const strategy of ["uniform", "proportional", "square-root"] as ReplicationStrategy[]) {
    const pl = placeReplicas({ ids: overlay.ids, objects: 100, replicaRatio: 0.01, strategy, seed: 2 });
    const holderSets = new Map(pl.objects.map((o) => [o, new Set(pl.holders[o])]));
    const cells: string[] = [];
    for (const ttl of [2, 4, 6, 8]) {
      let ok = 0;
      let msgs = 0;
      for (const q of queries) { const r = countFlood(overlay, { source: q.origin, ttl, holders: holderSets.get(q.object) }); ok += r.found ? 1 : 0; msgs += r.messages; }
      cells.push(`flood ttl=${ttl}: ${(100 * ok / queries.length).toFixed(0)}% / ${fmt(msgs / queries.length)}`);
    }
    let ok = 0;
    let msgs = 0;
    const [, walkMs] = timed(() => queries.forEach((q, i) => { const r = countWalk(overlay, { source: q.origin, walkers: 32, ttl: 1024, holders: holderSets.get(q.object)!, seed: i }); ok += r.found ? 1 : 0; msgs += r.messages; }));
    cells.push(`walk k=32: ${(100 * ok / queries.length).toFixed(0)}% / ${fmt(msgs / queries.length)} (${(walkMs / queries.length).toFixed(2)} ms per walk)`);
    console.log(`    ${strategy.padEnd(12)} success / messages per query — ${cells.join("; ")}`);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
