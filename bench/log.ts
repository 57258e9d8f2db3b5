// `npx tsx bench/log.ts`: what the Kafka-like log of issue 14 costs (lib/log). Figures, each the
// median of BENCH_REPEATS fresh processes (default 3):
// (1) the pure PartitionLog as a baseline — appends per second, and records read per second in
//     batches of 500 (LOG_BENCH_PURE records, default 10^6);
// (2) a simulated broker, tracing off — appends per second of wall time: 8 producers, one per
//     partition of an 8-partition topic, each sending LOG_BENCH_RECORDS / 8 records one after the
//     other (acks: "all" on a single broker, so every append is a round trip and a durable write);
// (3) the same broker, prefilled with LOG_BENCH_RECORDS records, read by 8 consumers (one per
//     partition, manual assignment, 100 records a poll, processing time 0) — records fetched per
//     second of wall time.
// Not part of `npm test`.
import os from "node:os";
import { performance } from "node:perf_hooks";
import { logBroker, logConsumer, logProducer, PartitionLog, type LogBrokerHandle } from "../lib/log/index";
import { latency } from "../lib/net/index";
import { Simulation } from "../lib/simulation/index";
import { fmt, loadAverage, measured, measureInFreshProcess, medianOfRuns, repeats, runBenchmark, type Measurement } from "./fresh";

const REPEATS = repeats(3);
const PURE = Number(process.env.LOG_BENCH_PURE ?? 1_000_000);
const RECORDS = Number(process.env.LOG_BENCH_RECORDS ?? 40_000);
const PARTITIONS = 8;

function pureAppends(): Measurement {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const log = new PartitionLog<number>({ segmentRecords: 1000 });
  for (let i = 0; i < PURE; i++) log.append(`k${i & 1023}`, i, i);
  return measured("pure appends", PURE, 0, t0, c0);
}

function pureReads(): Measurement {
  const log = new PartitionLog<number>({ segmentRecords: 1000 });
  for (let i = 0; i < PURE; i++) log.append(`k${i & 1023}`, i, i);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let read = 0;
  for (let offset = 0; offset < PURE; ) {
    const batch = log.read(offset, 500);
    read += batch.length;
    offset = batch[batch.length - 1].offset + 1;
  }
  return measured("pure reads", read, 0, t0, c0);
}

async function simAppends(): Promise<Measurement> {
  const sim = new Simulation({ seed: 1, trace: false, maxEvents: 1e9, network: { latency: latency.uniform(1, 3) } });
  sim.spawn("b1", (node) => void logBroker(node, { topics: [{ name: "t", partitions: PARTITIONS }] }));
  let acked = 0;
  const done: Promise<void>[] = [];
  for (let p = 0; p < PARTITIONS; p++) {
    sim.spawn(`p${p}`, (node) => {
      const producer = logProducer(node, { broker: "b1", topic: "t", partitions: PARTITIONS, timeoutMs: 1000 });
      done.push((async () => {
        for (let i = 0; i < RECORDS / PARTITIONS; i++) {
          await producer.send(`k${i}`, i, { partition: p });
          acked++;
        }
      })());
    });
  }
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await sim.runUntilSettled(Promise.all(done));
  return measured("simulated appends", acked, sim.counters.delivered, t0, c0);
}

async function simReads(): Promise<Measurement> {
  const sim = new Simulation({ seed: 1, trace: false, maxEvents: 1e9, network: { latency: latency.uniform(1, 3) } });
  let broker!: LogBrokerHandle;
  sim.spawn("b1", (node) => void (broker = logBroker(node, { topics: [{ name: "t", partitions: PARTITIONS }] })));
  for (let i = 0; i < RECORDS; i++) broker.log("t", i % PARTITIONS).append(`k${i}`, i, 0);
  let fetched = 0;
  const perPartition = RECORDS / PARTITIONS;
  const positions: Array<() => Record<number, number>> = [];
  for (let p = 0; p < PARTITIONS; p++) {
    sim.spawn(`c${p}`, (node) => {
      const c = logConsumer(node, { broker: "b1", topic: "t", group: "g", partitions: [p], pollMaxRecords: 100, processMs: 0, commit: "after-processing", process: () => void fetched++ });
      positions.push(c.positions);
    });
  }
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await sim.runUntil(() => positions.every((pos, p) => (pos()[p] ?? 0) >= perPartition), { withinMs: 1e9 });
  return measured("simulated reads", fetched, sim.counters.delivered, t0, c0);
}

async function part(name: string): Promise<Measurement> {
  if (name === "pure-appends") return pureAppends();
  if (name === "pure-reads") return pureReads();
  if (name === "sim-appends") return simAppends();
  if (name === "sim-reads") return simReads();
  throw new Error(`unknown part ${JSON.stringify(name)}`);
}

function main(): void {
  console.log(`distlab log benchmark — node ${process.version}, ${os.cpus().length} CPU(s), load average ${loadAverage()}`);
  console.log(`each figure: median of ${REPEATS} runs, each in a fresh process (BENCH_REPEATS to change)\n`);
  const rows: Array<[string, string]> = [
    ["pure-appends", `PartitionLog appends (${fmt(PURE)})`],
    ["pure-reads", `PartitionLog records read, batches of 500 (${fmt(PURE)})`],
    ["sim-appends", `simulated broker, tracing off: appends acknowledged (${fmt(RECORDS)}, 8 producers)`],
    ["sim-reads", `simulated broker, tracing off: records fetched by consumers (${fmt(RECORDS)}, 8 consumers)`],
  ];
  for (const [name, label] of rows) {
    const m = medianOfRuns(REPEATS, () => measureInFreshProcess<Measurement>("bench/log.ts", ["part", name]));
    const msgs = m.delivered > 0 ? `, ${fmt(m.delivered)} messages delivered` : "";
    console.log(`${label}: ${fmt(m.perSecond)}/s of wall time, ${fmt(m.perCpuSecond)}/s of CPU (${m.seconds.toFixed(2)} s${msgs}; runs ${m.runs})`);
  }
  console.log(`\nload average at the end ${loadAverage()}`);
}

runBenchmark((args) => part(args[0]), main);
