// The MapReduce worker (MapReduce, OSDI 2004, §3.1; MIT 6.5840 lab 1's worker). A loop: ask the
// master for a task (`get_task`), run it, commit its output, report it (`task_done`), ask again;
// sleep a little after `wait`; stop after `exit` (or when the master no longer answers).
//
// A map task reads its input split — from the local disk if this host holds a replica of the
// block, otherwise from a chunk server over the network (`read_block`, so the transfer pays the
// link's bandwidth) — applies the app's map, and partitions the pairs by `ihash(key) % nReduce`
// into the intermediate files mr-i-r, kept on this host (§3.1 step 4: map output goes to the
// worker's local disk). A reduce task fetches partition r of every map's output from the host
// that wrote it (`read_partition`: the shuffle, limited by link capacity), groups by key in byte
// order, reduces, and writes mr-out-r.
//
// Service time: a task takes (taskOverheadMs + msPerByte × input bytes) × slowdown of virtual
// time, so a worker with slowdown k is a straggler (§3.6: a bad disk, a busy machine).
//
// Commit (§3.3, "Semantics in the Presence of Failures"): with "atomic-rename" each output is
// written under a temporary name and renamed, so a late duplicate attempt replaces a file with the
// same bytes and the job's output equals a sequential run. "append" writes straight into the final
// files — the broken variant: two attempts of one task both land, and the output counts twice.
//
// Faults (6.5840's crash model, through the `fault` hook): "exit" — the worker process dies
// half-way through the task and never reports (if `restartAfterMs` is set, a new worker process
// starts on the host that long after); "stall" — the attempt finishes `stallMs` late, usually
// after the master has handed the task to someone else.
// The worker also serves `read_block` and `read_partition` for other workers: the host's chunk
// server and its map-output server, which keep running while the worker process is down.
import type { Message, Node } from "../node/index";
import { ConfigError } from "../sim/errors";
import { combinePairs, ihash, reduceGroups, type KeyValue, type MapReduceApp } from "./app";
import type { BlockStore } from "./blocks";
import { byteLength, type MapReduceFs } from "./fs";
import { intermediateName, outputName, type MapTask, type ReduceTask, type TaskBody } from "./wire";

/** What the fault hook decides for one attempt (6.5840's crash model). */
export type WorkerFault = "normal" | "exit" | "stall";

/** How a worker commits a task's output. */
export type MapReduceCommit = "atomic-rename" | "append";

/** Options of {@link mapReduceWorker}. */
export interface MapReduceWorkerOptions {
  master: string;
  app: MapReduceApp;
  fs: MapReduceFs;
  /** Input blocks: a map task reads locally if this host holds a replica, else over the network. */
  blocks?: BlockStore;
  /** Service time per input byte of a task (map: its split; reduce: its partitions). Default 0. */
  msPerByte?: number;
  /** Fixed service time per task. Default 0. */
  taskOverheadMs?: number;
  /** Slowness factor: 1 normal, k = k times slower (a straggler). Default 1. */
  slowdown?: number;
  /** Decide each attempt's fate. Default: always "normal". */
  fault?: (task: MapTask | ReduceTask) => WorkerFault;
  /** Extra delay of a stalled attempt before it finishes. Default 10 000. */
  stallMs?: number;
  /** After an "exit", a new worker process starts on the host after this long (never if undefined). */
  restartAfterMs?: number;
  /** "atomic-rename" (default) or the broken "append". */
  commit?: MapReduceCommit;
  /**
   * Run the app's reduce on each map task's output before writing it (MapReduce §4.3's combiner):
   * fewer intermediate bytes to write and shuffle. Only for a reduce that is associative and
   * accepts its own output (word count, inverted index). Default false.
   */
  combiner?: boolean;
  /** Sleep after a `wait` before asking again. Default 50. */
  waitMs?: number;
  /** Timeout of each rpc to the master (3 tries; then the worker assumes the job is over). Default 1000. */
  rpcTimeoutMs?: number;
  /** Timeout of a block or partition transfer from another host. Default 1 000 000. */
  transferTimeoutMs?: number;
}

/** What became of an attempt, as the worker saw it. */
export type WorkerAttemptEnd = "finished" | "crashed" | "running";

/** One attempt as the worker ran it. */
export interface WorkerAttempt {
  kind: "map" | "reduce";
  taskId: number;
  attempt: number;
  worker: string;
  startMs: number;
  /** When it committed its output (finished) or died (crashed). */
  endMs?: number;
  fault: WorkerFault;
  end: WorkerAttemptEnd;
  /** Input bytes read over the network (a remote block, or shuffled partitions). */
  remoteBytes: number;
  /** Input bytes read from this host. */
  localBytes: number;
}

/** Counters of a worker. */
export interface WorkerCounters {
  /** Map inputs read from a local replica / from another host. */
  localReads: number;
  remoteReads: number;
  remoteReadBytes: number;
  /** Intermediate bytes this worker fetched from other hosts for its reduce tasks. */
  bytesShuffled: number;
  exits: number;
  stalls: number;
}

/** A running worker. */
export interface MapReduceWorker {
  attempts(): WorkerAttempt[];
  /** True once its loop has ended: `exit` from the master, no answer from the master, or an exit fault with no restart. */
  stopped(): boolean;
  readonly counters: WorkerCounters;
}

interface ReadBlockBody { type: "read_block"; file: string }
interface ReadPartitionBody { type: "read_partition"; file: string }
interface ContentsBody { type: string; file: string; contents: string }

/**
 * The library's MapReduce worker: spawn one per host; it runs until the master says `exit`.
 *
 * @example
 * const fs = new MapReduceFs();
 * fs.write("in-0", "to be or not to be");
 * sim.spawn("master", (node) => { master = mapReduceMaster(node, { inputFiles: ["in-0"], nReduce: 2, taskTimeoutMs: 500 }); });
 * sim.spawn("w1", (node) => { mapReduceWorker(node, { master: "master", app: wordCount, fs, msPerByte: 0.1 }); });
 * await sim.runUntil(() => master.done(), { withinMs: 10_000 });
 * fs.output(); // "be 2\nnot 1\nor 1\nto 2\n"
 */
export function mapReduceWorker(node: Node, options: MapReduceWorkerOptions): MapReduceWorker {
  const context = { node: node.id, timeMs: node.now() };
  const where = "mapReduceWorker";
  if (options === null || typeof options !== "object") throw new ConfigError(where, options, "an options object", context);
  const { master, app, fs, blocks } = options;
  if (typeof master !== "string" || master.length === 0) throw new ConfigError(`${where}: master`, master, "the master's node id", context);
  if (app === null || typeof app !== "object" || typeof app.map !== "function" || typeof app.reduce !== "function") {
    throw new ConfigError(`${where}: app`, app, "a MapReduceApp { name, map, reduce }", context);
  }
  if (fs === null || typeof fs !== "object" || typeof fs.read !== "function") throw new ConfigError(`${where}: fs`, fs, "a MapReduceFs", context);
  const nonNegative = (name: string, value: number | undefined, fallback: number): number => {
    const v = value ?? fallback;
    if (typeof v !== "number" || !(v >= 0) || !Number.isFinite(v)) throw new ConfigError(`${where}: ${name}`, value, "a finite number ≥ 0", context);
    return v;
  };
  const msPerByte = nonNegative("msPerByte", options.msPerByte, 0);
  const overheadMs = nonNegative("taskOverheadMs", options.taskOverheadMs, 0);
  const stallMs = nonNegative("stallMs", options.stallMs, 10_000);
  const waitMs = nonNegative("waitMs", options.waitMs, 50);
  const rpcTimeoutMs = nonNegative("rpcTimeoutMs", options.rpcTimeoutMs, 1000);
  const transferTimeoutMs = nonNegative("transferTimeoutMs", options.transferTimeoutMs, 1_000_000);
  const restartAfterMs = options.restartAfterMs === undefined ? undefined : nonNegative("restartAfterMs", options.restartAfterMs, 0);
  const slowdown = options.slowdown ?? 1;
  if (typeof slowdown !== "number" || !(slowdown > 0) || !Number.isFinite(slowdown)) throw new ConfigError(`${where}: slowdown`, slowdown, "a finite number > 0 (1 = normal speed)", context);
  const commit = options.commit ?? "atomic-rename";
  if (commit !== "atomic-rename" && commit !== "append") throw new ConfigError(`${where}: commit`, commit, '"atomic-rename" or "append"', context);

  const log: WorkerAttempt[] = [];
  const counters: WorkerCounters = { localReads: 0, remoteReads: 0, remoteReadBytes: 0, bytesShuffled: 0, exits: 0, stalls: 0 };
  let stopped = false;

  // The host's chunk server and map-output server (they outlive the worker process).
  node.on("read_block", (msg: Message) => {
    const { file } = msg.body as unknown as ReadBlockBody;
    blocks?.checkHolds(file, node.id, node.now());
    node.reply(msg, { type: "read_block_ok", file, contents: fs.read(file) });
  });
  node.on("read_partition", (msg: Message) => {
    const { file } = msg.body as unknown as ReadPartitionBody;
    node.reply(msg, { type: "read_partition_ok", file, contents: fs.exists(file) ? fs.read(file) : "" });
  });

  /** Read a file from `host` over the network; the fs directly if the host does not answer. */
  const fetchFrom = async (host: string, type: "read_block" | "read_partition", file: string): Promise<string> => {
    try {
      const reply = await node.rpc(host, { type, file }, { timeoutMs: transferTimeoutMs });
      return (reply.body as unknown as ContentsBody).contents;
    } catch {
      return fs.exists(file) ? fs.read(file) : "";
    }
  };

  const readInput = async (task: MapTask, rec: WorkerAttempt): Promise<string> => {
    if (blocks === undefined || !blocks.has(task.file)) {
      rec.localBytes += fs.size(task.file);
      return fs.read(task.file);
    }
    if (blocks.isLocal(task.file, node.id)) {
      counters.localReads++;
      blocks.counters.localReads++;
      const n = fs.size(task.file);
      rec.localBytes += n;
      blocks.counters.localBytes += n;
      return fs.read(task.file);
    }
    const replicas = blocks.replicas(task.file);
    const from = replicas[node.rng.int(0, replicas.length)];
    const text = await fetchFrom(from, "read_block", task.file);
    const n = byteLength(text);
    counters.remoteReads++;
    counters.remoteReadBytes += n;
    blocks.counters.remoteReads++;
    blocks.counters.remoteBytes += n;
    rec.remoteBytes += n;
    return text;
  };

  const readPartitions = async (task: ReduceTask, rec: WorkerAttempt): Promise<string[]> => {
    const names = Array.from({ length: task.nMap }, (_, i) => intermediateName(i, task.taskId));
    // Fetch from every host at once: transfers on different links overlap.
    return Promise.all(names.map(async (name) => {
      const host = fs.hostOf(name);
      if (host === undefined || host === node.id) {
        rec.localBytes += fs.size(name);
        return fs.exists(name) ? fs.read(name) : "";
      }
      const text = await fetchFrom(host, "read_partition", name);
      const n = byteLength(text);
      rec.remoteBytes += n;
      counters.bytesShuffled += n;
      return text;
    }));
  };

  const put = (name: string, text: string, tag: string): void => {
    if (commit === "append") { fs.append(name, text, node.id); return; }
    const tmp = `mr-tmp-${tag}-${node.id}`;
    fs.write(tmp, text, node.id);
    fs.rename(tmp, name);
  };

  /** Run one attempt; false if the worker process died in it. */
  const run = async (task: MapTask | ReduceTask): Promise<boolean> => {
    const fault = options.fault?.(task) ?? "normal";
    if (fault !== "normal" && fault !== "exit" && fault !== "stall") {
      throw new ConfigError(`${where}: fault hook result`, fault, '"normal", "exit" or "stall"', { node: node.id, timeMs: node.now() });
    }
    const rec: WorkerAttempt = { kind: task.kind, taskId: task.taskId, attempt: task.attempt, worker: node.id, startMs: node.now(), fault, end: "running", remoteBytes: 0, localBytes: 0 };
    log.push(rec);
    const label = `${task.kind} ${task.taskId}.${task.attempt}`;
    let input: string[];
    if (task.kind === "map") {
      node.setState("reading input", label);
      input = [await readInput(task, rec)];
    } else {
      node.setState("shuffling", label);
      input = await readPartitions(task, rec);
    }
    node.setState(task.kind === "map" ? "mapping" : "reducing", label);
    const bytes = rec.localBytes + rec.remoteBytes;
    const workMs = (overheadMs + msPerByte * bytes) * slowdown;
    if (fault === "exit") {
      if (workMs > 0) await node.sleep(workMs / 2);
      counters.exits++;
      rec.end = "crashed";
      rec.endMs = node.now();
      node.setState("crashed", `${label}: the worker process exits mid-task`);
      return false;
    }
    if (workMs > 0) await node.sleep(workMs);
    if (fault === "stall") {
      counters.stalls++;
      node.setState("stalled", label);
      await node.sleep(stallMs);
    }
    if (task.kind === "map") {
      const buckets: string[][] = Array.from({ length: task.nReduce }, () => []);
      const mapped = app.map(task.file, input[0]);
      for (const kv of options.combiner === true ? combinePairs(app, mapped) : mapped) buckets[ihash(kv.key) % task.nReduce].push(encodePair(kv));
      for (let r = 0; r < task.nReduce; r++) put(intermediateName(task.taskId, r), buckets[r].join(""), `${task.taskId}-${r}-${task.attempt}`);
    } else {
      const groups = new Map<string, string[]>();
      for (const text of input) decodeInto(text, groups);
      put(outputName(task.taskId), reduceGroups(app, groups), `out-${task.taskId}-${task.attempt}`);
    }
    rec.end = "finished";
    rec.endMs = node.now();
    node.setState("idle", `${label} committed`);
    try {
      await node.rpc(options.master, { type: "task_done", kind: task.kind, taskId: task.taskId, attempt: task.attempt }, { timeoutMs: rpcTimeoutMs, retries: 2 });
    } catch {
      // the next get_task finds out whether the master is still there
    }
    return true;
  };

  const loop = async (): Promise<void> => {
    node.setState("idle", "worker process starts");
    for (;;) {
      let reply: Message;
      try {
        reply = await node.rpc(options.master, { type: "get_task", worker: node.id }, { timeoutMs: rpcTimeoutMs, retries: 2 });
      } catch {
        stopped = true;
        node.setState("done", "the master does not answer");
        return;
      }
      const task = (reply.body as unknown as TaskBody).task;
      if (task === undefined || task === null || typeof task !== "object") {
        throw new ConfigError(`${where}: the master's task reply`, reply.body, '{ type: "task", task: { kind: … } }', { node: node.id, timeMs: node.now() });
      }
      if (task.kind === "exit") {
        stopped = true;
        node.setState("done", "the master says exit");
        return;
      }
      if (task.kind === "wait") {
        node.setState("waiting", "no task to hand out");
        await node.sleep(waitMs);
        continue;
      }
      if (task.kind !== "map" && task.kind !== "reduce") {
        throw new ConfigError(`${where}: task.kind`, (task as { kind: unknown }).kind, '"map", "reduce", "wait" or "exit"', { node: node.id, timeMs: node.now() });
      }
      const alive = await run(task);
      if (!alive) {
        if (restartAfterMs === undefined) { stopped = true; return; }
        await node.sleep(restartAfterMs);
        node.setState("idle", "a new worker process starts");
      }
    }
  };
  node.setTimer(0, loop, "worker process starts");

  return {
    attempts: () => log.map((a) => ({ ...a })),
    stopped: () => stopped,
    counters,
  };
}

// Intermediate files hold one pair a line, "key<TAB>value\n"; a backslash, tab or newline inside
// a key or value is escaped (\\, \t, \n), so any text survives the round trip.
const NEEDS_ESCAPE = /[\\\t\n]/;

function escapeField(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n") : text;
}

function unescapeField(text: string): string {
  return text.indexOf("\\") < 0 ? text : text.replace(/\\(.)/g, (_, c: string) => (c === "t" ? "\t" : c === "n" ? "\n" : c));
}

/** One intermediate line. @example encodePair({ key: "a\tb", value: "1" }) // "a\\tb\t1\n" */
export function encodePair(kv: KeyValue): string {
  return `${escapeField(kv.key)}\t${escapeField(kv.value)}\n`;
}

/** Add the pairs of an intermediate file to `groups` (key → values, in file order). @example decodeInto("a\t1\n", groups) // groups: a → ["1"] */
export function decodeInto(text: string, groups: Map<string, string[]>): Map<string, string[]> {
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const tab = text.indexOf("\t", start);
    if (tab >= 0 && tab < end) {
      const key = unescapeField(text.slice(start, tab));
      const value = unescapeField(text.slice(tab + 1, end));
      const g = groups.get(key);
      if (g === undefined) groups.set(key, [value]);
      else g.push(value);
    }
    start = end + 1;
  }
  return groups;
}
