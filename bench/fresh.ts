// What every benchmark script shares: each figure is measured in a fresh process (so heaps and JIT
// state do not mix), several times, and the run with the median wall-clock rate is reported with
// all the runs' rates; numbers are printed the same way everywhere.
import { execFileSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** How many fresh processes each figure takes its median from (BENCH_REPEATS, default `fallback`). */
export function repeats(fallback: number): number {
  return Number(process.env.BENCH_REPEATS ?? fallback);
}

/**
 * Runs `node --import tsx <script> <args…>` (with `nodeArgs` first) and parses the JSON object on
 * its last line of output.
 *
 * @example
 * const m = measureInFreshProcess<{ perSecond: number }>("bench/channels.ts", ["part", "perfect-10"]);
 */
export function measureInFreshProcess<M>(script: string, args: readonly string[], nodeArgs: readonly string[] = []): M {
  const out = execFileSync(process.execPath, [...nodeArgs, "--import", "tsx", path.resolve(root, script), ...args], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split("\n").pop()!) as M;
}

/**
 * The run with the median `perSecond` of `count` fresh runs, with every run's rate in `runs`
 * (slowest first).
 *
 * @example
 * const m = medianOfRuns(5, () => measureInFreshProcess<Measurement>("bench/patterns.ts", ["part", "queue"]));
 */
export function medianOfRuns<M extends { perSecond: number }>(count: number, once: () => M, show: (perSecond: number) => string = fmt): M & { runs: string } {
  const runs = Array.from({ length: count }, once).sort((x, y) => x.perSecond - y.perSecond);
  return { ...runs[runs.length >> 1], runs: runs.map((r) => show(r.perSecond)).join(" ") };
}

/** A whole number with thousands separators: 1,234,567. */
export const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");

/** A ratio as a percentage: 0.47 → "47%". */
export const pct = (x: number): string => `${(100 * x).toFixed(0)}%`;

/** The 1, 5 and 15 minute load averages, for the report. */
export const loadAverage = (): string => os.loadavg().map((l) => l.toFixed(2)).join(" ");

/**
 * A benchmark script's entry: `script part NAME …` measures one part and prints it as JSON (what
 * {@link measureInFreshProcess} reads); without `part` it runs `main`, which prints the report.
 *
 * @example
 * runBenchmark((args) => part(args[0]), main);
 */
export function runBenchmark<M>(part: (args: string[]) => Promise<M>, main: () => void): void {
  if (process.argv[2] !== "part") return main();
  part(process.argv.slice(3)).then(
    (m) => console.log(JSON.stringify(m)),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}

/** What a simulator throughput part measures: things done, wire copies delivered, wall and CPU time. */
export interface Measurement {
  name: string;
  /** What was counted (messages acknowledged, operations completed, …). */
  count: number;
  /** Copies delivered by the simulator (every wire message). */
  delivered: number;
  seconds: number;
  cpuSeconds: number;
  perSecond: number;
  perCpuSecond: number;
}

/**
 * The {@link Measurement} of `count` things done since `t0` (`performance.now()`) and `c0`
 * (`process.cpuUsage()`).
 *
 * @example
 * const t0 = performance.now(), c0 = process.cpuUsage();
 * await sim.run();
 * return measured("baseline", acked, sim.counters.delivered, t0, c0);
 */
export function measured(name: string, count: number, delivered: number, t0: number, c0: NodeJS.CpuUsage): Measurement {
  const seconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cpuSeconds = (c.user + c.system) / 1e6;
  return { name, count, delivered, seconds, cpuSeconds, perSecond: count / seconds, perCpuSecond: count / cpuSeconds };
}
