// `npm run bench`: how fast the simulator runs, against a bare binary-heap loop as the baseline.
// Each measurement runs in its own process (`node --expose-gc --import tsx bench/part.ts …`) so
// heaps and JIT state do not mix, and is repeated; the median is printed. Not part of `npm test`.
//
// Figures: (a) delivered messages per second, 100 nodes forwarding 10^6 messages (every message
// JSON-copied as always), tracing off and on, with memory; (b) kernel events per second with timers;
// (c) heap for 10^4 and 10^5 idle nodes; (d) the baseline: a bare binary heap doing 10^6 pop/push
// pairs; (e) async node code: round trips of awaited RPCs. Rates are wall-clock; CPU-time rates
// are shown too, as they vary less on a shared machine.
import { execFileSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Measurement } from "./workloads";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const MESSAGES = 1_000_000;

function measureOnce(args: string[]): Measurement {
  const out = execFileSync(process.execPath, ["--expose-gc", "--import", "tsx", path.join(root, "bench/part.ts"), ...args], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split("\n").pop()!) as Measurement;
}

/** The run with the median wall-clock rate of `REPEATS` runs. */
function measure(args: string[]): Measurement {
  const runs = Array.from({ length: REPEATS }, () => measureOnce(args)).sort((x, y) => x.perSecond - y.perSecond);
  return runs[runs.length >> 1];
}

const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");
const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const pct = (x: number): string => `${(100 * x).toFixed(0)}%`;

function row(label: string, value: string, ratio = "", note = ""): void {
  console.log(`${label.padEnd(44)} ${value.padStart(16)}  ${ratio.padStart(12)}  ${note}`);
}

console.log(`distlab benchmark — node ${process.version}, ${os.cpus().length} CPU(s), load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
console.log(`each figure: median of ${REPEATS} runs, each in a fresh process (set BENCH_REPEATS to change)\n`);

const baseline = measure(["heap", String(MESSAGES)]);
const queue = measure(["queue", String(MESSAGES)]);
const off = measure(["forwarding", String(MESSAGES), "off"]);
const on = measure(["forwarding", String(MESSAGES), "on"]);
const events = measure(["timers", String(MESSAGES), "off"]);
const rpc = measure(["rpc", String(MESSAGES / 4), "off"]);
const idle4 = measureOnce(["idle", "10000"]);
const idle5 = measureOnce(["idle", "100000"]);

const vsBase = (m: Measurement): string => `${pct(m.perSecond / baseline.perSecond)} of base`;
const cpu = (m: Measurement): string => `(${fmt(m.perCpuSecond)}/CPU-s, ${pct(m.perCpuSecond / baseline.perCpuSecond)} of base)`;

row("figure", "per second", "vs baseline", "notes");
row("(d) baseline: bare binary heap, pop+push pairs", fmt(baseline.perSecond), "100%", `${cpu(baseline)}; 100 entries waiting`);
row("    lib EventQueue, pop+push pairs", fmt(queue.perSecond), vsBase(queue), cpu(queue));
row("(a) delivered messages/s, tracing off", fmt(off.perSecond), vsBase(off), `${cpu(off)}; heap growth ${mb(off.heapGrowthBytes)}`);
row("(a) delivered messages/s, tracing on", fmt(on.perSecond), vsBase(on), `${cpu(on)}; heap growth ${mb(on.heapGrowthBytes)} for ${fmt(Number(on.extra?.traceEvents))} trace events`);
row("(b) kernel events/s (timers + messages)", fmt(events.perSecond), vsBase(events), `${cpu(events)}; ${fmt(Number(events.extra?.delivered))} deliveries`);
row("(e) async rpc round trips/s (await loops)", fmt(rpc.perSecond), vsBase(rpc), `${cpu(rpc)}; ${fmt(Number(rpc.extra?.delivered))} deliveries, i.e. ${fmt((2 * rpc.perSecond))} messages/s`);
row("(c) heap, 10^4 idle nodes", mb(idle4.heapGrowthBytes), "", `${fmt(Number(idle4.extra?.bytesPerNode))} bytes/node; spawned in ${(idle4.seconds * 1000).toFixed(0)} ms`);
row("(c) heap, 10^5 idle nodes", mb(idle5.heapGrowthBytes), "", `${fmt(Number(idle5.extra?.bytesPerNode))} bytes/node; spawned in ${(idle5.seconds * 1000).toFixed(0)} ms; RSS ${mb(Number(idle5.extra?.rssBytes))}`);

const slowdown = off.perSecond / on.perSecond;
const checks: Array<[string, boolean, string]> = [
  ["≥ 1,000,000 delivered messages/s, tracing off", off.perSecond >= 1_000_000, fmt(off.perSecond)],
  ["≥ 30% of the baseline's rate, tracing off", off.perSecond >= 0.3 * baseline.perSecond, pct(off.perSecond / baseline.perSecond)],
  ["tracing on at most 2× slower", slowdown <= 2, `${slowdown.toFixed(2)}× (CPU time: ${(off.perCpuSecond / on.perCpuSecond).toFixed(2)}×)`],
  ["10^5 idle nodes under 1 GB", idle5.heapGrowthBytes < 2 ** 30, mb(idle5.heapGrowthBytes)],
];
console.log("\ntargets");
for (const [what, ok, got] of checks) console.log(`  ${ok ? "met   " : "MISSED"}  ${what.padEnd(48)} ${got}`);
