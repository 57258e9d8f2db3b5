// `npx tsx bench/dht.ts`: what Chord costs (issue 13). Figures: (1) the pure arithmetic — finger
// tables for 10^4 nodes and 10^5 iterative lookups (lib/dht/chord-math.ts); (2) the simulated
// protocol — 10^4 Chord nodes (lib/dht/chord-node.ts, started as a stable ring, maintenance off)
// answering 10^5 lookups issued by 1000 concurrent clients at random nodes, tracing off: wall and
// CPU time, lookups per second, messages per lookup (requests + replies; iterative lookups). Target
// for (2) at 10^4 nodes × 10^5 lookups: < 5 s on a 2-core machine — missed by 7× (35 s wall, 42 s
// CPU on the quiet machine: 2,844 lookups/s at 12.5 messages each, an rpc per hop of the iterative
// lookup). So by default (2) runs 10^3 nodes × 10^4 lookups; CHORD_BENCH_SIM_NODES=10000
// CHORD_BENCH_SIM_LOOKUPS=100000 gives the full size. CHORD_BENCH_NODES / CHORD_BENCH_LOOKUPS size (1).
// Not part of `npm test`.
import os from "node:os";
import { performance } from "node:perf_hooks";
import { chordFingerTable, chordLookupPath } from "../lib/dht/chord-math";
import { chordRing } from "../lib/dht/chord-runs";
import { latency } from "../lib/net/index";
import { Prng } from "../lib/sim/index";
import { Simulation } from "../lib/simulation/index";

const NODES = Number(process.env.CHORD_BENCH_NODES ?? 10_000);
const LOOKUPS = Number(process.env.CHORD_BENCH_LOOKUPS ?? 100_000);
/** Size of the simulated part (2); see the header. */
const SIM_NODES = Number(process.env.CHORD_BENCH_SIM_NODES ?? 1_000);
const SIM_LOOKUPS = Number(process.env.CHORD_BENCH_SIM_LOOKUPS ?? 10_000);
const CLIENTS = 1000;
const M = 32;

function timed<T>(run: () => T): { value: T; wallMs: number; cpuMs: number } {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = run();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { value, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

async function timedAsync<T>(run: () => Promise<T>): Promise<{ value: T; wallMs: number; cpuMs: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await run();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { value, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main() {
  console.log(`Chord bench: ${NODES} nodes, ${LOOKUPS} lookups, m = ${M}; load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")} on ${os.cpus().length} cores`);

  // (1) pure arithmetic
  const pure = timed(() => {
    const rng = new Prng(1);
    const set = new Set<number>();
    while (set.size < NODES) set.add(rng.int(0, 2 ** M));
    const ids = [...set].sort((a, b) => a - b);
    const tables = new Map(ids.map((id) => [id, chordFingerTable(id, ids, M)]));
    let hops = 0;
    for (let i = 0; i < LOOKUPS; i++) {
      hops += chordLookupPath({ start: ids[rng.int(0, NODES)], key: rng.int(0, 2 ** M), fingers: (id) => tables.get(id)! }).length - 1;
    }
    return hops / LOOKUPS;
  });
  console.log(`(1) pure: fingers + lookups ${s(pure.wallMs)} wall, ${s(pure.cpuMs)} CPU; mean hops ${pure.value.toFixed(2)} (½·log₂N = ${(Math.log2(NODES) / 2).toFixed(2)})`);

  // (2) simulated protocol
  const sim = new Simulation({ seed: 1, network: { latency: latency.uniform(5, 15) }, trace: false, maxEvents: 1e9 });
  const build = await timedAsync(async () => {
    const ring = chordRing(sim, { nodes: SIM_NODES, m: M, successorsMax: 4, stabilizeMs: 0 });
    await sim.runFor(1);
    return ring;
  });
  const ring = build.value;
  const rng = new Prng(2);
  const run = await timedAsync(async () => {
    let messages = 0;
    let failed = 0;
    let hops = 0;
    const perClient = Math.ceil(SIM_LOOKUPS / CLIENTS);
    let left = SIM_LOOKUPS;
    const client = async () => {
      for (let i = 0; i < perClient && left > 0; i++, left--) {
        const from = ring.handles.get(rng.pick(ring.refs).name)!;
        const r = await from.lookup(rng.int(0, 2 ** M));
        messages += r.messages;
        hops += r.path.length - 1;
        if (r.kind !== "found") failed++;
      }
    };
    await sim.runUntilSettled(Promise.all(Array.from({ length: CLIENTS }, client)));
    return { messages, failed, hops };
  });
  const { messages, failed, hops } = run.value;
  console.log(`(2) simulated: build ring ${s(build.wallMs)} wall; ${SIM_LOOKUPS} lookups on ${SIM_NODES} nodes ${s(run.wallMs)} wall, ${s(run.cpuMs)} CPU ` +
    `(${Math.round(SIM_LOOKUPS / (run.wallMs / 1000))} lookups/s); ${(messages / SIM_LOOKUPS).toFixed(2)} messages per lookup ` +
    `(sim counted ${(sim.counters.sent / SIM_LOOKUPS).toFixed(2)}), mean hops ${(hops / SIM_LOOKUPS).toFixed(2)}, failed ${failed}; ` +
    `virtual time ${(sim.now() / 1000).toFixed(1)} s; target < 5 s: ${run.wallMs + build.wallMs < 5000 ? "met" : "NOT met"}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
