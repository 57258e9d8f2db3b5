// `npx tsx bench/patterns.ts`: how fast the queue broker of lib/patterns/broker.ts moves messages,
// against a baseline measured in the same run: two bare nodes exchanging the same number of
// messages with the same flow control, no broker in between. Each figure runs in its own fresh
// process (`node --import tsx bench/patterns.ts part <what> <count>`), `BENCH_REPEATS` times
// (default 5); the median is printed. Wall-clock and CPU-time rates; not part of `npm test`.
//
// - baseline: a producer sends `data` messages to a consumer, which answers each with `ack`; at
//   most WINDOW are unacknowledged. Counts data messages acknowledged (2 wire messages each).
// - broker: a producer enqueues (WINDOW unconfirmed at most) into one durable queue; a
//   `queueConsumer` (prefetch WINDOW) takes them and acknowledges. Counts messages delivered and
//   acknowledged (4 wire messages each: enqueue, enqueue_ok, deliver, ack; plus 2 disk writes —
//   the message and its deletion — and one ack-timeout timer, cancelled).
// - broker-fanout: the same through a topic with 4 subscribers; counts acknowledged copies.
import os from "node:os";
import { performance } from "node:perf_hooks";
import { Simulation, latency, newQueueBrokerCounters, queueBroker, queueConsumer } from "../lib/index";
import { fmt, loadAverage, measured, measureInFreshProcess, medianOfRuns, pct, repeats, runBenchmark, type Measurement } from "./fresh";

const REPEATS = repeats(5);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 200_000);
/** Messages in flight at once, for the baseline and the broker alike. */
const WINDOW = 100;

/** Two nodes, `data` → `ack`, WINDOW in flight. */
async function baseline(total: number): Promise<Measurement> {
  const sim = new Simulation({ seed: 1, trace: false, network: { latency: latency.constant(1) }, maxEvents: 10 * total + 1000 });
  let sent = 0;
  let acked = 0;
  sim.spawn("consumer", (node) => node.on("data", (m) => node.reply(m, { type: "ack" })));
  sim.spawn("producer", (node) => {
    const next = () => {
      if (sent < total) node.send("consumer", { type: "data", payload: { n: ++sent } });
    };
    node.on("ack", () => {
      acked++;
      next();
    });
    for (let i = 0; i < WINDOW; i++) next();
  });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await sim.run();
  if (acked !== total) throw new Error(`baseline: ${acked} of ${total} acknowledged`);
  return measured("baseline", acked, sim.counters.delivered, t0, c0);
}

/** Producer → broker (one durable queue, or a topic with `subscribers` subscribers) → consumer(s). */
async function broker(total: number, subscribers = 0): Promise<Measurement> {
  const sim = new Simulation({ seed: 1, trace: false, network: { latency: latency.constant(1) }, maxEvents: 20 * total * Math.max(1, subscribers) + 1000 });
  const counters = newQueueBrokerCounters();
  sim.spawn("broker", (node) => void queueBroker(node, { counters })); // default ack timeout (200 ms)
  const consumers = subscribers === 0 ? ["consumer"] : Array.from({ length: subscribers }, (_, i) => `sub${i + 1}`);
  for (const id of consumers) {
    sim.spawn(id, (node) => void queueConsumer(node, { broker: "broker", prefetch: WINDOW, process: () => {}, ...(subscribers === 0 ? { queues: ["q"] } : { topics: ["t"] }) }));
  }
  await sim.runFor(10); // registrations
  let sent = 0;
  sim.spawn("producer", (node) => {
    const next = () => {
      if (sent >= total) return;
      sent++;
      if (subscribers === 0) node.send("broker", { type: "enqueue", queue: "q", payload: { n: sent } });
      else node.send("broker", { type: "publish", topic: "t", payload: { n: sent } });
    };
    node.on("enqueue_ok", next);
    node.on("publish_ok", next);
    for (let i = 0; i < WINDOW; i++) next();
  });
  const expected = total * Math.max(1, subscribers);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await sim.runUntil(() => counters.acked >= expected, { description: "every message acknowledged" });
  return measured(subscribers === 0 ? "broker" : `broker-fanout-${subscribers}`, counters.acked, sim.counters.delivered, t0, c0);
}

async function part(what: string, count: number): Promise<Measurement> {
  switch (what) {
    case "baseline":
      return baseline(count);
    case "broker":
      return broker(count);
    case "broker-fanout":
      return broker(count, 4);
    default:
      throw new Error(`unknown part ${JSON.stringify(what)}`);
  }
}

/** Median (by wall-clock rate) of REPEATS fresh processes, with every run's rate. */
function measure(what: string, count: number): Measurement & { runs: string } {
  return medianOfRuns(REPEATS, () => measureInFreshProcess<Measurement>("bench/patterns.ts", ["part", what, String(count)]));
}

function main(): void {
  console.log(`distlab patterns benchmark — node ${process.version}, ${os.cpus().length} CPU(s), load average ${loadAverage()}`);
  console.log(`each figure: median of ${REPEATS} runs, each in a fresh process; ${fmt(MESSAGES)} messages, ${WINDOW} in flight\n`);
  const base = measure("baseline", MESSAGES);
  const queue = measure("broker", MESSAGES);
  const fanout = measure("broker-fanout", MESSAGES / 4);
  const row = (label: string, m: Measurement & { runs: string }, note: string): void => {
    const wire = m.delivered / m.seconds;
    console.log(
      `${label.padEnd(46)} ${fmt(m.perSecond).padStart(10)}/s  ${pct(m.perSecond / base.perSecond).padStart(5)} of baseline  ` +
        `CPU ${fmt(m.perCpuSecond)}/CPU-s (${pct(m.perCpuSecond / base.perCpuSecond)})  wire ${fmt(wire)} msgs/s  ${note}`,
    );
    console.log(`${"".padEnd(46)} runs (slowest first): ${m.runs}`);
  };
  row("baseline: data + ack between two bare nodes", base, "2 wire messages per message");
  row("broker: delivered and acknowledged, 1 queue", queue, "4 wire messages + 2 disk writes + 1 timer per message");
  row("broker: topic fanout to 4 subscriber queues", fanout, "counts acknowledged copies");
  console.log(`\nload average at the end ${loadAverage()} (other processes share the CPUs: the CPU-time figures vary less)`);
}

runBenchmark((args) => part(args[0], Number(args[1] ?? MESSAGES)), main);
