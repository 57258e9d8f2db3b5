// `npx tsx bench/channels.ts`: what the channels of lib/channels cost, in messages and in wall time.
// Each figure is the median of REPEATS runs, each in a fresh process (`node --import tsx
// bench/channels.ts part <name>`), like bench/run.ts. The baseline, measured in the same run, is
// the raw network: fair-loss sends delivered per second. Not part of `npm test`.
//
// Figures: (1) fair-loss link, no loss: deliveries/s (the baseline); (2) perfect link at 10% loss:
// deliveries/s, and messages on the wire per delivery against the prediction (2 − p)/(1 − p)²;
// (3) the same at 0% loss (the cost of acks and dedup alone); (4) FIFO link at 10% loss;
// (5) push gossip to 1000 nodes (gossipRounds), runs per second.
import os from "node:os";
import { performance } from "node:perf_hooks";
import { Simulation } from "../lib/simulation";
import { latency } from "../lib/net";
import { fmt, loadAverage, measureInFreshProcess, medianOfRuns, pct, repeats, runBenchmark } from "./fresh";
import { gossipRounds, openFairLossLink, openFifoLink, openPerfectLink, predictedLinkCost } from "../lib/channels/index";

const REPEATS = repeats(5);
const MESSAGES = 50_000;
const BATCH = 50;

/** One measurement, as a child process prints it. */
interface Part {
  name: string;
  /** Deliveries (or gossip runs) counted. */
  count: number;
  seconds: number;
  cpuSeconds: number;
  perSecond: number;
  perCpuSecond: number;
  /** Messages on the wire per delivery. */
  messagesPerDelivery?: number;
}

function timed(name: string, run: () => Promise<{ count: number; messagesPerDelivery?: number }>): Promise<Part> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  return run().then(({ count, messagesPerDelivery }) => {
    const seconds = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    const cpuSeconds = (c.user + c.system) / 1e6;
    return { name, count, seconds, cpuSeconds, perSecond: count / seconds, perCpuSecond: count / cpuSeconds, messagesPerDelivery };
  });
}

/**
 * a sends MESSAGES payloads to b over the chosen link, BATCH every virtual millisecond (so a few
 * thousand are in flight, not all of them); run until all are delivered (and acknowledged).
 */
async function linkRun(link: "fair-loss" | "perfect" | "fifo", lossProbability: number): Promise<{ count: number; messagesPerDelivery: number }> {
  const sim = new Simulation({ seed: 1, trace: false, maxEvents: 20 * MESSAGES, network: { latency: latency.uniform(5, 15), lossProbability, ordering: "unordered" } });
  let delivered = 0;
  const a = sim.spawn("a");
  const b = sim.spawn("b");
  const deliver = (): void => void delivered++;
  const sender =
    link === "fair-loss" ? openFairLossLink<number>(a, { deliver }) : link === "perfect" ? openPerfectLink<number>(a, { deliver }) : openFifoLink<number>(a, { deliver });
  if (link === "fair-loss") openFairLossLink<number>(b, { deliver });
  else if (link === "perfect") openPerfectLink<number>(b, { deliver });
  else openFifoLink<number>(b, { deliver });
  let sent = 0;
  const timer = a.setPeriodic(1, () => {
    for (let k = 0; k < BATCH && sent < MESSAGES; k++) sender.send("b", sent++);
    if (sent === MESSAGES) a.cancelTimer(timer);
  }, "send batch");
  await sim.runUntil(() => delivered === MESSAGES && (!("pending" in sender) || sender.pending === 0));
  return { count: delivered, messagesPerDelivery: sim.counters.sent / delivered };
}

async function part(name: string): Promise<Part> {
  switch (name) {
    case "fair-loss":
      return timed("fair-loss link, no loss", () => linkRun("fair-loss", 0));
    case "perfect-10":
      return timed("perfect link, 10% loss", () => linkRun("perfect", 0.1));
    case "perfect-0":
      return timed("perfect link, no loss", () => linkRun("perfect", 0));
    case "fifo-10":
      return timed("FIFO link, 10% loss", () => linkRun("fifo", 0.1));
    case "gossip-1000":
      return timed("gossip, n = 1000, fanout 1", async () => {
        const runs = 5;
        for (let seed = 1; seed <= runs; seed++) await gossipRounds({ n: 1000, seed });
        return { count: runs };
      });
    default:
      throw new Error(`unknown part ${JSON.stringify(name)}`);
  }
}

function measure(name: string): Part & { runs: string } {
  const once = (): Part => measureInFreshProcess<Part>("bench/channels.ts", ["part", name]);
  return medianOfRuns(REPEATS, once, (r) => (r < 100 ? r.toFixed(2) : fmt(r)));
}

function main(): void {
  console.log(`distlab channels benchmark — node ${process.version}, ${os.cpus().length} CPU(s), load average ${loadAverage()}`);
  console.log(`each figure: median of ${REPEATS} runs, each in a fresh process (BENCH_REPEATS to change); ${fmt(MESSAGES)} messages a → b, 50 per virtual ms, latency 5–15 ms, unordered\n`);
  const base = measure("fair-loss");
  const perfect10 = measure("perfect-10");
  const perfect0 = measure("perfect-0");
  const fifo10 = measure("fifo-10");
  const gossip = measure("gossip-1000");
  const predicted10 = predictedLinkCost({ link: "perfect", lossProbability: 0.1 }).messagesPerDelivery;
  const row = (a: string, b: string, c: string, d: string, e: string): void => console.log(`${a.padEnd(30)} ${b.padStart(14)} ${c.padStart(12)} ${d.padStart(16)}  ${e}`);
  row("figure", "per second", "vs baseline", "msgs/delivery", "notes");
  const line = (p: Part & { runs: string }, note: string): void =>
    row(p.name, fmt(p.perSecond), pct(p.perSecond / base.perSecond), p.messagesPerDelivery === undefined ? "" : p.messagesPerDelivery.toFixed(3), `${note}; CPU ${fmt(p.perCpuSecond)}/s (${pct(p.perCpuSecond / base.perCpuSecond)} of base); runs ${p.runs}`);
  line(base, "baseline: deliveries/s of the raw network");
  line(perfect0, "acks and dedup alone (theory: 2 messages/delivery)");
  line(perfect10, `theory ${predicted10.toFixed(3)} messages/delivery`);
  line(fifo10, "sequence numbers + reorder buffer on top");
  row(gossip.name, gossip.perSecond.toFixed(2), "", "", `runs/s until all 1000 know; ${(1000 / gossip.perSecond).toFixed(0)} ms per run (${(1000 / gossip.perCpuSecond).toFixed(0)} CPU-ms); runs ${gossip.runs}`);
  console.log(`\nload average at the end ${loadAverage()} (other processes share the CPUs: the CPU-time figures vary less)`);
}

runBenchmark((args) => part(args[0]), main);
