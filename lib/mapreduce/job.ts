// One MapReduce job in a fresh simulation: a master, N workers co-located with the chunk servers
// of a replicated block store holding the input, a network with finite link capacity if asked,
// seeded or scripted faults (6.5840's crash model), stragglers, backup tasks. Returns the output,
// whether it equals the sequential run, the job time, every attempt with its outcome, counters,
// and the simulation itself (for sequence and state diagrams).
import { latency as latencies, type Latency } from "../net/latency";
import { ConfigError } from "../sim/errors";
import { Prng } from "../sim/prng";
import { Simulation } from "../simulation/simulation";
import { runSequential, type InputFile, type MapReduceApp } from "./app";
import { BlockStore } from "./blocks";
import { MapReduceFs } from "./fs";
import { mapReduceMaster, type MapReduceMaster, type MasterCounters, type TaskRow } from "./master";
import { mapReduceWorker, type MapReduceCommit, type MapReduceWorker, type WorkerFault } from "./worker";
import type { MapTask, ReduceTask } from "./wire";

/** Seeded per-attempt faults (6.5840's crash model: each attempt exits, stalls or runs normally). */
export interface FaultRates {
  /** Probability that an attempt's worker exits mid-task. */
  exitRate?: number;
  /** Probability that an attempt stalls for `stallMs` before finishing. */
  stallRate?: number;
}

/** A scripted fault: this attempt of this task gets this fate. */
export interface ScriptedFault {
  kind: "map" | "reduce";
  taskId: number;
  /** Default 0 (the first attempt). */
  attempt?: number;
  fault: WorkerFault;
}

/** Options of {@link runMapReduceJob}. */
export interface MapReduceJobOptions {
  seed?: number;
  app: MapReduceApp;
  inputs: InputFile[];
  /** Worker count (ids w1..wN) or ids. Default 3. */
  workers?: number | string[];
  /** Reduce tasks. Default 3. */
  nReduce?: number;
  /** Default 1000. */
  taskTimeoutMs?: number;
  /** MapReduce §3.6 backup tasks. Default false. */
  backupTasks?: boolean;
  /** Seeded rates per attempt, or a script of chosen attempts. Default: none. */
  faults?: FaultRates | ScriptedFault[];
  /** Delay of a stalled attempt. Default 3 × taskTimeoutMs. */
  stallMs?: number;
  /** After an exit, the host starts a new worker process after this long. Default 2 × taskTimeoutMs; null = never. */
  restartAfterMs?: number | null;
  /** Slow workers: id → slowdown factor (10 = ten times slower). */
  stragglers?: Record<string, number>;
  /** Link capacity (bytes per virtual ms) of every directed link. Default: infinite. */
  bandwidthBytesPerMs?: number;
  /** One-way delay. Default latency.uniform(1, 3). */
  latency?: Latency;
  /** Service time per input byte. Default 0.01 (100 bytes per ms). */
  msPerByte?: number;
  /** Fixed service time per task. Default 5. */
  taskOverheadMs?: number;
  /** Default "atomic-rename". */
  commit?: MapReduceCommit;
  /** Combine each map task's output with the app's reduce (MapReduce §4.3). Default false. */
  combiner?: boolean;
  /** Replicas per input block. Default 3 (at most the worker count). */
  replication?: number;
  /** The master prefers map tasks with a local block. Default true. */
  locality?: boolean;
  /** Record the simulation trace. Default true. */
  trace?: boolean;
  /** Give up (throw) after this much virtual time. Default 10 000 000. */
  maxTimeMs?: number;
  /** Compute runSequential and compare (default true); false leaves `expected` "" and `matchesSequential` false (for benchmarks). */
  checkSequential?: boolean;
}

/** One attempt of the job, merged from the master's and the worker's views. */
export interface JobAttempt {
  kind: "map" | "reduce";
  taskId: number;
  attempt: number;
  worker: string;
  /** When the worker started it (the master's assignment time if the worker never did). */
  startMs: number;
  /** When the worker committed or crashed (undefined if still running when the run ended). */
  endMs?: number;
  /**
   * completed: its report completed the task; duplicate: it finished after another attempt had
   * completed the task (ignored); crashed: the worker process exited mid-task; running: still
   * running when the run ended.
   */
  outcome: "completed" | "duplicate" | "crashed" | "running";
  fault: WorkerFault;
  /** A backup attempt (§3.6). */
  backup: boolean;
  /** Map input read from a local replica. */
  local?: boolean;
}

/** Counters of a job. */
export interface JobCounters extends MasterCounters {
  /** Attempts the workers started. */
  attempts: number;
  localReads: number;
  remoteReads: number;
  remoteReadBytes: number;
  /** Intermediate bytes that crossed the network to reduce tasks. */
  bytesShuffled: number;
  fsBytesWritten: number;
  fsBytesRead: number;
  exits: number;
  stalls: number;
}

/** What {@link runMapReduceJob} returns. */
export interface MapReduceJobResult {
  /** The sorted concatenation of the mr-out-* files. */
  output: string;
  /** runSequential of the same app and inputs ("" with `checkSequential: false`). */
  expected: string;
  matchesSequential: boolean;
  /** Virtual time from the start to the master's last reduce report. */
  jobTimeMs: number;
  /** Attempts in the order they were handed out. */
  attempts: JobAttempt[];
  tasks: TaskRow[];
  counters: JobCounters;
  workers: string[];
  master: MapReduceMaster;
  sim: Simulation;
  fs: MapReduceFs;
  blocks: BlockStore;
}

/**
 * Run one MapReduce job in a fresh simulation and wait until the master is done and every worker
 * has stopped (so a late duplicate has had its chance to land). Throws naming the option for bad
 * input: `nReduce: 0`, a straggler that is not a worker, a negative timeout, ….
 *
 * @example
 * const r = await runMapReduceJob({ seed: 1, app: wordCount, inputs: generateCorpus({ seed: 1 }), workers: 4,
 *   faults: { exitRate: 0.2, stallRate: 0.1 }, backupTasks: true });
 * r.matchesSequential;        // true: faults do not change the output
 * r.counters.duplicatesIgnored;
 * showMermaid(mapReduceGantt(r), { file: "diagrams/11-big-data/job.mmd" });
 */
export async function runMapReduceJob(options: MapReduceJobOptions): Promise<MapReduceJobResult> {
  const seed = options.seed ?? 1;
  const ctx = (node?: string) => ({ node, timeMs: 0, seed });
  const where = "runMapReduceJob";
  const { app, inputs } = options;
  if (app === null || typeof app !== "object" || typeof app.map !== "function" || typeof app.reduce !== "function") {
    throw new ConfigError(`${where}: app`, app, "a MapReduceApp { name, map, reduce }", ctx());
  }
  if (!Array.isArray(inputs) || inputs.length === 0) throw new ConfigError(`${where}: inputs`, inputs, "a non-empty list of { file, contents }", ctx());
  const files = new Set<string>();
  for (const f of inputs) {
    if (f === null || typeof f !== "object" || typeof f.file !== "string" || f.file.length === 0 || typeof f.contents !== "string") {
      throw new ConfigError(`${where}: inputs[]`, f, "{ file: a non-empty name, contents: text }", ctx());
    }
    if (files.has(f.file) || f.file.startsWith("mr-")) throw new ConfigError(`${where}: inputs[].file`, f.file, "distinct names not starting with \"mr-\"", ctx());
    files.add(f.file);
  }
  const workerOpt = options.workers ?? 3;
  const workers = typeof workerOpt === "number" ? Array.from({ length: workerOpt }, (_, i) => `w${i + 1}`) : [...workerOpt];
  if ((typeof workerOpt === "number" && (!Number.isInteger(workerOpt) || workerOpt < 1)) || workers.length === 0 || new Set(workers).size !== workers.length || workers.includes("master")) {
    throw new ConfigError(`${where}: workers`, workerOpt, 'a whole number ≥ 1 or a list of distinct node ids other than "master"', ctx());
  }
  const nReduce = options.nReduce ?? 3;
  if (!Number.isInteger(nReduce) || nReduce < 1) throw new ConfigError(`${where}: nReduce`, nReduce, "a whole number ≥ 1", ctx("master"));
  const taskTimeoutMs = options.taskTimeoutMs ?? 1000;
  if (typeof taskTimeoutMs !== "number" || !(taskTimeoutMs > 0) || !Number.isFinite(taskTimeoutMs)) {
    throw new ConfigError(`${where}: taskTimeoutMs`, taskTimeoutMs, "a finite number of ms > 0", ctx("master"));
  }
  const stragglers = options.stragglers ?? {};
  for (const [id, factor] of Object.entries(stragglers)) {
    if (!workers.includes(id)) throw new ConfigError(`${where}: stragglers`, id, `a worker id (one of ${workers.join(", ")}); unknown worker`, ctx(id));
    if (typeof factor !== "number" || !(factor > 0) || !Number.isFinite(factor)) throw new ConfigError(`${where}: stragglers.${id}`, factor, "a slowdown factor > 0", ctx(id));
  }
  const stallMs = options.stallMs ?? 3 * taskTimeoutMs;
  const restartAfterMs = options.restartAfterMs === null ? undefined : options.restartAfterMs ?? 2 * taskTimeoutMs;
  const maxTimeMs = options.maxTimeMs ?? 10_000_000;
  const fault = faultHook(options.faults, seed, inputs.length, nReduce, where, ctx());

  const fs = new MapReduceFs();
  const blocks = new BlockStore({ hosts: workers, replication: options.replication ?? Math.min(3, workers.length) });
  blocks.put(fs, inputs);
  const bytesBefore = { written: fs.counters.bytesWritten, read: fs.counters.bytesRead };

  const network = { latency: options.latency ?? latencies.uniform(1, 3), ...(options.bandwidthBytesPerMs === undefined ? {} : { bandwidthBytesPerMs: options.bandwidthBytesPerMs }) };
  const sim = new Simulation({ seed, network, trace: options.trace ?? true, maxEvents: 50_000_000 });
  let master!: MapReduceMaster;
  sim.spawn("master", (node) => {
    master = mapReduceMaster(node, { inputFiles: inputs.map((f) => f.file), nReduce, taskTimeoutMs, backupTasks: options.backupTasks ?? false, blocks, locality: options.locality ?? true });
  }, { role: "master" });
  const running = new Map<string, MapReduceWorker>();
  for (const id of workers) {
    sim.spawn(id, (node) => {
      running.set(id, mapReduceWorker(node, {
        master: "master", app, fs, blocks, fault, stallMs, restartAfterMs, commit: options.commit, combiner: options.combiner ?? false,
        msPerByte: options.msPerByte ?? 0.01, taskOverheadMs: options.taskOverheadMs ?? 5, slowdown: stragglers[id] ?? 1,
        waitMs: Math.max(1, Math.min(50, taskTimeoutMs / 10)),
      }));
    }, { role: "worker" });
  }
  await sim.runUntil(() => master.done() && [...running.values()].every((w) => w.stopped()), { withinMs: maxTimeMs, description: "the job done and every worker stopped" });

  const attempts = mergeAttempts(master, [...running.values()]);
  const output = fs.output();
  const check = options.checkSequential ?? true;
  const expected = check ? runSequential(app, inputs) : "";
  const wc = [...running.values()].map((w) => w.counters);
  const sum = (f: (c: (typeof wc)[number]) => number) => wc.reduce((s, c) => s + f(c), 0);
  const counters: JobCounters = {
    ...master.counters,
    attempts: attempts.length,
    localReads: blocks.counters.localReads,
    remoteReads: blocks.counters.remoteReads,
    remoteReadBytes: blocks.counters.remoteBytes,
    bytesShuffled: sum((c) => c.bytesShuffled),
    fsBytesWritten: fs.counters.bytesWritten - bytesBefore.written,
    fsBytesRead: fs.counters.bytesRead - bytesBefore.read,
    exits: sum((c) => c.exits),
    stalls: sum((c) => c.stalls),
  };
  return { output, expected, matchesSequential: check && output === expected, jobTimeMs: master.doneAtMs()!, attempts, tasks: master.tasks(), counters, workers, master, sim, fs, blocks };
}

/** The fault hook for rates (seeded, one draw per attempt) or a script. */
function faultHook(faults: FaultRates | ScriptedFault[] | undefined, seed: number, nMap: number, nReduce: number, where: string, context: { timeMs: number; seed: number }): ((task: MapTask | ReduceTask) => WorkerFault) | undefined {
  if (faults === undefined) return undefined;
  if (Array.isArray(faults)) {
    const script = new Map<string, WorkerFault>();
    for (const f of faults) {
      const ok = f !== null && typeof f === "object" && (f.kind === "map" || f.kind === "reduce") && Number.isInteger(f.taskId) && f.taskId >= 0 &&
        f.taskId < (f.kind === "map" ? nMap : nReduce) && (f.fault === "normal" || f.fault === "exit" || f.fault === "stall") &&
        (f.attempt === undefined || (Number.isInteger(f.attempt) && f.attempt >= 0));
      if (!ok) throw new ConfigError(`${where}: faults[]`, f, `{ kind: "map" (taskId < ${nMap}) | "reduce" (taskId < ${nReduce}), attempt?, fault: "normal" | "exit" | "stall" }`, context);
      script.set(`${f.kind} ${f.taskId} ${f.attempt ?? 0}`, f.fault);
    }
    return (task) => script.get(`${task.kind} ${task.taskId} ${task.attempt}`) ?? "normal";
  }
  const exitRate = faults.exitRate ?? 0;
  const stallRate = faults.stallRate ?? 0;
  for (const [name, p] of [["exitRate", exitRate], ["stallRate", stallRate]] as const) {
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new ConfigError(`${where}: faults.${name}`, p, "a probability in [0, 1]", context);
  }
  if (exitRate + stallRate > 1) throw new ConfigError(`${where}: faults`, faults, "exitRate + stallRate ≤ 1", context);
  const prng = new Prng(seed).split("mapreduce faults");
  return () => {
    const x = prng.float();
    return x < exitRate ? "exit" : x < exitRate + stallRate ? "stall" : "normal";
  };
}

/** One row per attempt the master handed out, with the worker's start and end. */
function mergeAttempts(master: MapReduceMaster, workers: MapReduceWorker[]): JobAttempt[] {
  const seen = new Map<string, ReturnType<MapReduceWorker["attempts"]>[number]>();
  for (const w of workers) for (const a of w.attempts()) seen.set(`${a.kind} ${a.taskId} ${a.attempt}`, a);
  return master.attempts().map((m) => {
    const w = seen.get(`${m.kind} ${m.taskId} ${m.attempt}`);
    const outcome: JobAttempt["outcome"] =
      w?.end === "crashed" ? "crashed" : m.outcome === "completed" ? "completed" : w?.end === "finished" ? "duplicate" : "running";
    const row: JobAttempt = { kind: m.kind, taskId: m.taskId, attempt: m.attempt, worker: m.worker, startMs: w?.startMs ?? m.assignedMs, outcome, fault: w?.fault ?? "normal", backup: m.backup };
    if (w?.endMs !== undefined) row.endMs = w.endMs;
    if (m.local !== undefined) row.local = m.local;
    return row;
  });
}
