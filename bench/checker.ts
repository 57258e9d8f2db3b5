// The linearizability checker's speed on the recorded histories of ../shared/fixtures/histories:
// time per history for the 60 etcd compare-and-set logs, and for the ten-client key–value
// histories with and without the per-key split (P-compositionality). Run: `npx tsx bench/checker.ts`.
//
// Each history is checked BENCH_REPEATS times (default 3) after one warm-up pass, and the median is
// printed, in wall-clock and CPU time (CPU time varies less on a shared machine). The search has a
// step budget (BENCH_MAX_STEPS, default the checker's DEFAULT_MAX_STEPS): a history that needs more
// is reported as "unknown after N steps" instead of running for minutes. Not part of `npm test`.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_MAX_STEPS, casRegisterModel, checkLinearizability, kvModel, parseJepsenEtcdLog, parseKvHistory, type LinearizabilityResult, type Model } from "../lib/check";
import type { History } from "../lib/history";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const FIXTURES = path.resolve(root, "../shared/fixtures/histories");
const REPEATS = Math.max(1, Number(process.env.BENCH_REPEATS ?? 3));
const MAX_STEPS = Number(process.env.BENCH_MAX_STEPS ?? DEFAULT_MAX_STEPS);

interface Timing {
  result: LinearizabilityResult;
  wallMs: number;
  cpuMs: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The median of REPEATS checks (the result is the same every time: the checker is deterministic). */
function time(h: History, model: Model<any, any, any>, partition: boolean): Timing {
  const walls: number[] = [];
  const cpus: number[] = [];
  let result: LinearizabilityResult | undefined;
  for (let i = 0; i < REPEATS; i++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    result = checkLinearizability(h, model, { maxSteps: MAX_STEPS, partition });
    walls.push(performance.now() - t0);
    const cpu = process.cpuUsage(cpu0);
    cpus.push((cpu.user + cpu.system) / 1000);
  }
  return { result: result!, wallMs: median(walls), cpuMs: median(cpus) };
}

const ms = (x: number): string => (x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));
const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");
const load = (): string => os.loadavg().map((l) => l.toFixed(2)).join(" ");

function verdictText(t: Timing): string {
  return t.result.verdict === "unknown" ? `unknown after ${fmt(t.result.steps)} steps` : t.result.verdict;
}

function row(cells: string[]): void {
  const widths = [30, 11, 30, 14, 14, 14];
  console.log(cells.map((c, i) => (i === 0 || i === 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" "));
}

console.log(`distlab checker benchmark — node ${process.version}, ${os.cpus().length} CPU(s), load average ${load()} (1, 5, 15 min)`);
console.log(`each figure: median of ${REPEATS} checks after a warm-up (BENCH_REPEATS); budget ${fmt(MAX_STEPS)} steps (BENCH_MAX_STEPS)\n`);

// etcd: one register, nothing to split.
const verdicts = fs
  .readFileSync(path.join(FIXTURES, "etcd/verdicts.txt"), "utf8")
  .trim()
  .split("\n")
  .map((line) => line.trim().split(/\s+/) as [string, string]);
const etcd = verdicts.map(([file, expected]) => ({ file, expected, h: parseJepsenEtcdLog(fs.readFileSync(path.join(FIXTURES, "etcd", file), "utf8"), file) }));
for (const { h } of etcd) checkLinearizability(h, casRegisterModel(), { maxSteps: MAX_STEPS }); // warm-up
const etcdTimes = etcd.map((e) => ({ ...e, t: time(e.h, casRegisterModel(), true) }));
const wrong = etcdTimes.filter((e) => e.t.result.verdict !== e.expected && e.t.result.verdict !== "unknown");
const unknown = etcdTimes.filter((e) => e.t.result.verdict === "unknown");
const slowest = etcdTimes.reduce((a, b) => (b.t.wallMs > a.t.wallMs ? b : a));

row(["histories", "split", "verdict", "steps", "wall ms", "CPU ms"]);
row([
  `etcd, ${etcd.length} logs (${Math.min(...etcd.map((e) => e.h.operations.length))}–${Math.max(...etcd.map((e) => e.h.operations.length))} ops)`,
  "—",
  wrong.length > 0
    ? `${wrong.length} WRONG: ${wrong.map((e) => e.file).join(" ")}`
    : unknown.length > 0
      ? `${etcd.length - unknown.length} as stated, ${unknown.length} unknown`
      : `all ${etcd.length} as stated`,
  `${fmt(median(etcdTimes.map((e) => e.t.result.steps)))} med`,
  `${ms(median(etcdTimes.map((e) => e.t.wallMs)))} med`,
  `${ms(median(etcdTimes.map((e) => e.t.cpuMs)))} med`,
]);
row([
  `  slowest: ${slowest.file}`,
  "—",
  verdictText(slowest.t),
  fmt(slowest.t.result.steps),
  ms(slowest.t.wallMs),
  ms(slowest.t.cpuMs),
]);
row([
  `  all ${etcd.length} together`,
  "—",
  "",
  fmt(etcdTimes.reduce((s, e) => s + e.t.result.steps, 0)),
  ms(etcdTimes.reduce((s, e) => s + e.t.wallMs, 0)),
  ms(etcdTimes.reduce((s, e) => s + e.t.cpuMs, 0)),
]);

// Key–value histories: with the per-key split, and checked whole.
for (const name of ["c10-ok", "c10-bad"]) {
  const h = parseKvHistory(fs.readFileSync(path.join(FIXTURES, "kv", `${name}.txt`), "utf8"), name);
  const expected = name.endsWith("-ok") ? "linearizable" : "not-linearizable";
  checkLinearizability(h, kvModel(), { maxSteps: MAX_STEPS }); // warm-up
  for (const partition of [true, false]) {
    const t = time(h, kvModel(), partition);
    const stated = t.result.verdict === expected ? " (as stated)" : t.result.verdict === "unknown" ? "" : " WRONG";
    row([
      `kv ${name} (${h.operations.length} ops, 10 clients)`,
      partition ? `${t.result.parts.length} keys` : "whole",
      `${verdictText(t)}${stated}`,
      fmt(t.result.steps),
      ms(t.wallMs),
      ms(t.cpuMs),
    ]);
  }
}

console.log(`\nload average after: ${load()}; resident memory ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
