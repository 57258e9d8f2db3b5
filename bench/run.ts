// `npm run bench`: how fast the simulator runs, against a bare binary-heap loop as the baseline.
// Each measurement runs in its own process (`node --expose-gc --import tsx bench/part.ts …`) so
// heaps and JIT state do not mix, and is repeated; the median is printed. Not part of `npm test`.
//
// Figures: (a) delivered messages per second, 100 nodes forwarding 10^6 messages (every message
// JSON-copied as always), tracing off, on, and bounded (the last 10^4 events kept), with memory
// (JavaScript heap plus ArrayBuffers: the trace keeps its columns outside the heap) and the trace's
// bytes per event; (b) kernel events per second with timers; (c) heap for 10^4 and 10^5 idle
// nodes; (d) the baselines: a bare binary heap doing 10^6 pop/push pairs, and (d′) the irreducible
// work of one message (a heap push and pop, a JSON round trip of the same body, one handler
// lookup); (e) async node code: round trips of awaited RPCs. Rates are wall-clock; CPU-time rates
// are shown too, as they vary less on a shared machine.
import os from "node:os";
import { fmt, loadAverage, measureInFreshProcess, medianOfRuns, pct, repeats } from "./fresh";
import type { Measurement } from "./workloads";

const REPEATS = repeats(3);
const MESSAGES = 1_000_000;
/** Events a bounded trace keeps in the bounded-trace figure. */
const BOUNDED_EVENTS = 10_000;

/** One fresh process of bench/part.ts (with a collectable heap, for the memory figures). */
function measureOnce(args: string[]): Measurement {
  return measureInFreshProcess<Measurement>("bench/part.ts", args, ["--expose-gc"]);
}

/** The run with the median wall-clock rate of `REPEATS` fresh processes. */
function measure(args: string[]): Measurement {
  const median = medianOfRuns(REPEATS, () => measureOnce(args));
  median.extra = { ...median.extra, runs: median.runs };
  return median;
}

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`;

function row(label: string, value: string, ratio = "", note = ""): void {
  console.log(`${label.padEnd(44)} ${value.padStart(16)}  ${ratio.padStart(12)}  ${note}`);
}

console.log(`distlab benchmark — node ${process.version}, ${os.cpus().length} CPU(s), load average ${loadAverage()}`);
console.log(`each figure: median of ${REPEATS} runs, each in a fresh process (set BENCH_REPEATS to change)\n`);

const baseline = measure(["heap", String(MESSAGES)]);
const perMessage = measure(["message", String(MESSAGES)]);
const queue = measure(["queue", String(MESSAGES)]);
const off = measure(["forwarding", String(MESSAGES), "off"]);
const on = measure(["forwarding", String(MESSAGES), "on"]);
const bounded = measure(["forwarding", String(MESSAGES), "on", "100", String(BOUNDED_EVENTS)]);
const oneInvariant = measure(["invariants", String(MESSAGES), "off", "1"]);
const events = measure(["timers", String(MESSAGES), "off"]);
const rpc = measure(["rpc", String(MESSAGES / 4), "off"]);
const idle4 = measureOnce(["idle", "10000"]);
const idle5 = measureOnce(["idle", "100000"]);

const vsBase = (m: Measurement): string => `${pct(m.perSecond / baseline.perSecond)} of base`;
const vsMessage = (m: Measurement): string => `${pct(m.perSecond / perMessage.perSecond)} of msg base`;
const cpu = (m: Measurement): string => `(${fmt(m.perCpuSecond)}/CPU-s, ${pct(m.perCpuSecond / baseline.perCpuSecond)} of base)`;
const cpuBoth = (m: Measurement): string =>
  `(${fmt(m.perCpuSecond)}/CPU-s: ${pct(m.perCpuSecond / baseline.perCpuSecond)} of base, ${pct(m.perCpuSecond / perMessage.perCpuSecond)} of msg base)`;
const bytesPerEvent = (m: Measurement): number => m.heapGrowthBytes / Number(m.extra?.traceRecorded);
const slowdown = off.perSecond / on.perSecond;
const slowdownCpu = off.perCpuSecond / on.perCpuSecond;

row("figure", "per second", "vs baseline", "notes");
row("(d) baseline: bare binary heap, pop+push pairs", fmt(baseline.perSecond), "100%", `${cpu(baseline)}; 100 entries waiting`);
row("(d′) baseline: one message's irreducible work", fmt(perMessage.perSecond), vsBase(perMessage), `${cpu(perMessage)}; heap push+pop, JSON stringify+parse, Map lookup`);
row("    lib EventQueue, pop+push pairs", fmt(queue.perSecond), vsBase(queue), cpu(queue));
row("(a) delivered messages/s, tracing off", fmt(off.perSecond), vsBase(off), `${vsMessage(off)} ${cpuBoth(off)}; memory growth ${mb(off.heapGrowthBytes)}`);
row(
  "(a) delivered messages/s, tracing on",
  fmt(on.perSecond),
  vsBase(on),
  `${vsMessage(on)} ${cpuBoth(on)}; ${slowdown.toFixed(2)}× slower than off (CPU ${slowdownCpu.toFixed(2)}×); memory growth ${mb(on.heapGrowthBytes)} for ${fmt(Number(on.extra?.traceEvents))} trace events: ${bytesPerEvent(on).toFixed(1)} bytes/event`,
);
row(
  `(a) … tracing on, last ${fmt(BOUNDED_EVENTS)} events kept`,
  fmt(bounded.perSecond),
  vsBase(bounded),
  `${vsMessage(bounded)} ${cpuBoth(bounded)}; memory growth ${mb(bounded.heapGrowthBytes)} for ${fmt(Number(bounded.extra?.traceRecorded))} events recorded (running hash of all)`,
);
row("(a) tracing off, one invariant checked per event", fmt(oneInvariant.perSecond), vsBase(oneInvariant), `${pct(oneInvariant.perSecond / off.perSecond)} of the rate without (none registered costs one field check per event)`);
row("(b) kernel events/s (timers + messages)", fmt(events.perSecond), vsBase(events), `${cpu(events)}; ${fmt(Number(events.extra?.delivered))} deliveries`);
row("(e) async rpc round trips/s (await loops)", fmt(rpc.perSecond), vsBase(rpc), `${cpu(rpc)}; ${fmt(Number(rpc.extra?.delivered))} deliveries, i.e. ${fmt((2 * rpc.perSecond))} messages/s`);
row("(c) heap, 10^4 idle nodes", mb(idle4.heapGrowthBytes), "", `${fmt(Number(idle4.extra?.bytesPerNode))} bytes/node; spawned in ${(idle4.seconds * 1000).toFixed(0)} ms`);
row("(c) heap, 10^5 idle nodes", mb(idle5.heapGrowthBytes), "", `${fmt(Number(idle5.extra?.bytesPerNode))} bytes/node; spawned in ${(idle5.seconds * 1000).toFixed(0)} ms; RSS ${mb(Number(idle5.extra?.rssBytes))}`);

console.log(`\nevery run, slowest first (wall clock): tracing off ${off.extra?.runs}; on ${on.extra?.runs}`);

const checks: Array<[string, boolean, string]> = [
  ["≥ 1,000,000 delivered messages/s, tracing off", off.perSecond >= 1_000_000, fmt(off.perSecond)],
  ["≥ 30% of the baseline's rate, tracing off", off.perSecond >= 0.3 * baseline.perSecond, `${pct(off.perSecond / baseline.perSecond)} (CPU time: ${pct(off.perCpuSecond / baseline.perCpuSecond)})`],
  [
    "≥ 50% of the per-message baseline, tracing off",
    off.perSecond >= 0.5 * perMessage.perSecond,
    `${pct(off.perSecond / perMessage.perSecond)} (CPU time: ${pct(off.perCpuSecond / perMessage.perCpuSecond)})`,
  ],
  ["tracing on at most 2× slower", slowdown <= 2, `${slowdown.toFixed(2)}× (CPU time: ${slowdownCpu.toFixed(2)}×)`],
  ["trace memory well under 100 bytes/event", bytesPerEvent(on) < 80, `${bytesPerEvent(on).toFixed(1)} bytes/event`],
  [
    `bounded trace (${fmt(BOUNDED_EVENTS)} events) memory under 10 MB`,
    bounded.heapGrowthBytes < 10 * 2 ** 20,
    `${mb(bounded.heapGrowthBytes)} for ${fmt(Number(bounded.extra?.traceRecorded))} events`,
  ],
  ["10^5 idle nodes under 1 GB", idle5.heapGrowthBytes < 2 ** 30, mb(idle5.heapGrowthBytes)],
];
console.log("\ntargets");
for (const [what, ok, got] of checks) console.log(`  ${ok ? "met   " : "MISSED"}  ${what.padEnd(48)} ${got}`);
console.log(`\nload average at the end ${loadAverage()} (other processes share the CPUs: the CPU-time figures vary less)`);
