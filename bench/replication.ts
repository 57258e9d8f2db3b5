// `npx tsx bench/replication.ts`: how fast the replicated key–value stores of lib/replication run in
// the simulator, against a baseline measured in the same run: the same closed-loop clients against
// one unreplicated `kvServer` (lib/history). Each figure runs in its own fresh process
// (`node --import tsx bench/replication.ts part <what> <ops>`), `BENCH_REPEATS` times (default 5);
// the median is printed. Wall-clock and CPU-time rates; not part of `npm test`.
//
// - baseline: CLIENTS clients, each one `put` or `get` at a time (half each) to one kvServer.
// - primary-backup: the same clients through `pbClient` to a `pbServer` pair with a view service
//   (every update is forwarded to the backup before the reply; pings every 20 ms of virtual time).
// - chain: the same clients through `chainClient` to a three-node `chainNode` chain.
// - checker: `checkLinearizability` on the primary–backup run's history (operations per second).
import os from "node:os";
import { performance } from "node:perf_hooks";
import {
  Simulation,
  HistoryRecorder,
  chainClient,
  chainNode,
  checkLinearizability,
  kvModel,
  kvServer,
  latency,
  pbClient,
  pbServer,
  viewService,
  type KvInput,
  type Node,
} from "../lib/index";
import { fmt, loadAverage, measured, measureInFreshProcess, medianOfRuns, pct, repeats, runBenchmark, type Measurement } from "./fresh";

const REPEATS = repeats(5);
const OPS = Number(process.env.BENCH_OPS ?? 20_000);
const CLIENTS = 10;
const KEYS = ["a", "b", "c", "d"];

interface KvLike {
  get(key: string): Promise<unknown>;
  put(key: string, value: string): Promise<unknown>;
}

/** The plain wire of `kvServer`, as a client with one operation at a time. */
function plainClient(node: Node, server: string): KvLike {
  return {
    get: (key) => node.rpc(server, { type: "get", key }, { timeoutMs: 1000 }),
    put: (key, value) => node.rpc(server, { type: "put", key, value }, { timeoutMs: 1000 }),
  };
}

/**
 * CLIENTS closed-loop clients doing `total` operations in all through `connect`; records a history
 * when `recorder` is given. Returns the operations completed and the simulator that ran them.
 */
async function closedLoop(
  name: string,
  setup: (sim: Simulation) => void,
  connect: (node: Node) => KvLike,
  total: number,
  recorder?: HistoryRecorder<KvInput, string | undefined>,
): Promise<Measurement> {
  const sim = new Simulation({ seed: 1, trace: false, network: { latency: latency.uniform(1, 3) }, maxEvents: 200 * total + 100_000 });
  setup(sim);
  await sim.runFor(100); // views settle, chains configure
  let started = 0;
  let done = 0;
  for (let c = 1; c <= CLIENTS; c++) {
    sim.spawn(`c${c}`, async (node) => {
      const kv = connect(node);
      while (started < total) {
        const n = ++started;
        const key = KEYS[n % KEYS.length];
        if (n % 2 === 0) {
          const op = recorder?.invoke(node.id, "put", { key, value: String(n) }, node.now());
          await kv.put(key, String(n));
          if (op !== undefined) recorder!.complete(op, "ok", undefined, node.now());
        } else {
          const op = recorder?.invoke(node.id, "get", { key }, node.now());
          const got = await kv.get(key);
          if (op !== undefined) recorder!.complete(op, "ok", typeof got === "string" ? got : (got as { body?: { value?: string } })?.body?.value, node.now());
        }
        done++;
      }
    });
  }
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await sim.runUntil(() => done >= total, { description: `${name}: every operation answered` });
  return measured(name, done, sim.counters.delivered, t0, c0);
}

const primaryBackup = (sim: Simulation): void => {
  sim.spawn("vs", (node) => void viewService(node, { pingIntervalMs: 20 }));
  for (const id of ["s1", "s2"]) sim.spawn(id, (node) => void pbServer(node, { viewServer: "vs", pingIntervalMs: 20 }));
};

async function part(what: string, total: number): Promise<Measurement> {
  switch (what) {
    case "baseline":
      return closedLoop("baseline", (sim) => sim.spawn("server", kvServer()), (node) => plainClient(node, "server"), total);
    case "primary-backup":
      return closedLoop("primary-backup", primaryBackup, (node) => pbClient(node, { viewServer: "vs" }), total);
    case "chain": {
      const chain = ["h", "m", "t"];
      return closedLoop("chain", (sim) => chain.forEach((id) => sim.spawn(id, (node) => void chainNode(node, { chain }))), (node) => chainClient(node, { chain }), total);
    }
    case "checker": {
      const recorder = new HistoryRecorder<KvInput, string | undefined>();
      await closedLoop("pb for the checker", primaryBackup, (node) => pbClient(node, { viewServer: "vs" }), total, recorder);
      const history = recorder.history();
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const result = checkLinearizability(history, kvModel(), { maxSteps: 10_000_000 });
      if (result.verdict !== "linearizable") throw new Error(`checker: the primary–backup history is ${result.verdict}`);
      return measured("checker", history.operations.length, 0, t0, c0);
    }
    default:
      throw new Error(`unknown part ${JSON.stringify(what)}`);
  }
}

/** Median (by wall-clock rate) of REPEATS fresh processes, with every run's rate. */
function measure(what: string, count: number): Measurement & { runs: string } {
  return medianOfRuns(REPEATS, () => measureInFreshProcess<Measurement>("bench/replication.ts", ["part", what, String(count)]));
}

function main(): void {
  console.log(`distlab replication benchmark — node ${process.version}, ${os.cpus().length} CPU(s), load average ${loadAverage()}`);
  console.log(`each figure: median of ${REPEATS} runs, each in a fresh process; ${fmt(OPS)} operations by ${CLIENTS} closed-loop clients\n`);
  const base = measure("baseline", OPS);
  const row = (label: string, m: Measurement & { runs: string }, note: string): void => {
    console.log(
      `${label.padEnd(44)} ${fmt(m.perSecond).padStart(9)} ops/s  ${pct(m.perSecond / base.perSecond).padStart(5)} of baseline  ` +
        `CPU ${fmt(m.perCpuSecond)}/CPU-s (${pct(m.perCpuSecond / base.perCpuSecond)})  ${(m.delivered / m.count).toFixed(2)} msgs/op  ${note}`,
    );
    console.log(`${"".padEnd(44)} runs (slowest first): ${m.runs}`);
  };
  row("baseline: one kvServer, no replication", base, "2 wire messages per operation");
  row("primary–backup: view service + 2 servers", measure("primary-backup", OPS), "forward + ack per operation, pings");
  row("chain: 3 replicas", measure("chain", OPS), "updates down the chain, queries at the tail");
  const checker = measure("checker", OPS / 4);
  console.log(
    `${"linearizability check of a p–b history".padEnd(44)} ${fmt(checker.perSecond).padStart(9)} ops checked/s  (${fmt(checker.count)} operations, ${KEYS.length} keys)`,
  );
  console.log(`${"".padEnd(44)} runs (slowest first): ${checker.runs}`);
  console.log(`\nload average at the end ${loadAverage()} (other processes share the CPUs: the CPU-time figures vary less)`);
}

runBenchmark((args) => part(args[0], Number(args[1] ?? OPS)), main);
