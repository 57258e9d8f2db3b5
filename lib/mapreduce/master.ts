// The MapReduce master (Dean & Ghemawat, OSDI 2004, §3.1–3.6; MIT 6.5840 lab 1's coordinator).
// It keeps a task table — one row per map task (one per input file) and per reduce task — in
// which a task is idle, in progress or completed (§3.2, "Master Data Structures"). Workers pull
// work with `get_task` (wire.ts); the master:
//   - hands out an idle map task, preferring one whose input block has a replica on the asking
//     worker's host (§3.4, "Locality");
//   - hands out no reduce task before every map task is completed (a reduce needs partition r of
//     every map's output);
//   - gives an attempt `taskTimeoutMs`: if its report has not come by then, the task goes back to
//     idle and the next asking worker gets a new attempt (§3.3, "Worker Failure" — the paper pings
//     workers; 6.5840 uses a timeout, as here);
//   - counts the first report of a task and ignores later ones (a late duplicate from an attempt it
//     had given up on, or the loser of a backup race);
//   - with `backupTasks`, when no idle task is left in the current phase, gives a second attempt of
//     each in-progress task to the next idle worker; whichever finishes first wins (§3.6, "Backup
//     Tasks": it costs a few percent more resources and shortens jobs held up by stragglers);
//   - answers `exit` once every reduce task is completed.
// The state names ("map phase", "reduce phase", "done") are set with `node.setState` for state diagrams.
import type { Message, Node } from "../node/index";
import { ConfigError, SimulationError } from "../sim/errors";
import type { BlockStore } from "./blocks";
import type { GetTaskBody, MapReduceTask, TaskDoneBody } from "./wire";

/** A task's state in the master's table (MapReduce §3.2, "Master Data Structures"). */
export type TaskState = "idle" | "in-progress" | "completed";

/** Options of {@link mapReduceMaster}. */
export interface MapReduceMasterOptions {
  /** The input files (one map task each, in this order). */
  inputFiles: string[];
  /** Reduce tasks (partitions). A whole number ≥ 1. */
  nReduce: number;
  /** An attempt not reported within this time goes back to idle and is handed out again. > 0. */
  taskTimeoutMs: number;
  /**
   * MapReduce §3.6: when no idle task is left in the current phase, hand a second attempt of each
   * in-progress task to the next worker that asks; the first report wins. Default false.
   */
  backupTasks?: boolean;
  /** Where the input blocks are; with it the master prefers a map task local to the asking worker. */
  blocks?: BlockStore;
  /** Use `blocks` for locality (default true when `blocks` is given). */
  locality?: boolean;
}

/** One row of the task table. */
export interface TaskRow {
  kind: "map" | "reduce";
  taskId: number;
  state: TaskState;
  /** Attempts handed out so far (the last one's number is attempts − 1). */
  attempts: number;
  /** Workers running it now (two during a backup). */
  workers: string[];
  /** The input file (map tasks). */
  file?: string;
  /** The worker whose report completed it. */
  completedBy?: string;
  completedMs?: number;
}

/** What became of one attempt, as the master saw it. */
export type AttemptOutcome = "running" | "completed" | "duplicate" | "timed-out";

/** One attempt as the master handed it out. */
export interface MasterAttempt {
  kind: "map" | "reduce";
  taskId: number;
  attempt: number;
  worker: string;
  assignedMs: number;
  /** When its report arrived (if it did). */
  reportedMs?: number;
  /** A backup attempt (§3.6) rather than a first attempt or a reassignment after a timeout. */
  backup: boolean;
  /** Its input was local to the worker (map tasks, when the master knows the blocks). */
  local?: boolean;
  /** running; completed (its report counted); duplicate (reported after the task was completed); timed-out (no report in time; may still report later). */
  outcome: AttemptOutcome;
}

/** Counters of the master. */
export interface MasterCounters {
  /** Attempts handed out. */
  assigned: number;
  /** Attempts handed out because an earlier one timed out. */
  reassignments: number;
  backupAttempts: number;
  /** Reports of an already completed task. */
  duplicatesIgnored: number;
  /** Map attempts whose input block was on the worker's host / elsewhere. */
  localAssignments: number;
  remoteAssignments: number;
}

/** The reference master. */
export interface MapReduceMaster {
  /** True once every reduce task has been reported done (so every mr-out-* exists). */
  done(): boolean;
  /** "map", "reduce" or "done". */
  phase(): "map" | "reduce" | "done";
  /** The task table, map tasks first. */
  tasks(): TaskRow[];
  /** Every attempt handed out, in order. */
  attempts(): MasterAttempt[];
  readonly counters: MasterCounters;
  /** Virtual time of the last reduce report (undefined before). */
  doneAtMs(): number | undefined;
}

interface Running {
  worker: string;
  timer: number;
  record: MasterAttempt;
}

interface Entry {
  kind: "map" | "reduce";
  taskId: number;
  file?: string;
  state: TaskState;
  nextAttempt: number;
  running: Map<number, Running>;
  completedBy?: string;
  completedMs?: number;
  /** A backup attempt was handed out (at most one per task). */
  backedUp: boolean;
}

/**
 * The reference MapReduce master. Spawn it on a node; workers (see `mapReduceWorker`) pull tasks.
 *
 * @example
 * let master!: MapReduceMaster;
 * sim.spawn("master", (node) => { master = mapReduceMaster(node, { inputFiles: ["in-0", "in-1"], nReduce: 3, taskTimeoutMs: 1000 }); });
 * // … workers …
 * await sim.runUntil(() => master.done(), { withinMs: 60_000 });
 * master.tasks(); // [{ kind: "map", taskId: 0, state: "completed", attempts: 1, … }, …]
 */
export function mapReduceMaster(node: Node, options: MapReduceMasterOptions): MapReduceMaster {
  const context = { node: node.id, timeMs: node.now() };
  const where = "mapReduceMaster";
  if (options === null || typeof options !== "object") throw new ConfigError(where, options, "an options object", context);
  const { inputFiles, nReduce, taskTimeoutMs } = options;
  if (!Array.isArray(inputFiles) || inputFiles.length === 0 || inputFiles.some((f) => typeof f !== "string" || f.length === 0)) {
    throw new ConfigError(`${where}: inputFiles`, inputFiles, "a non-empty list of file names", context);
  }
  if (!Number.isInteger(nReduce) || nReduce < 1) throw new ConfigError(`${where}: nReduce`, nReduce, "a whole number ≥ 1", context);
  if (typeof taskTimeoutMs !== "number" || !(taskTimeoutMs > 0) || !Number.isFinite(taskTimeoutMs)) {
    throw new ConfigError(`${where}: taskTimeoutMs`, taskTimeoutMs, "a finite number of ms > 0", context);
  }
  const blocks = options.blocks;
  const locality = blocks !== undefined && (options.locality ?? true);
  const backups = options.backupTasks ?? false;

  const entry = (kind: "map" | "reduce", taskId: number, file?: string): Entry => ({ kind, taskId, file, state: "idle", nextAttempt: 0, running: new Map(), backedUp: false });
  const maps = inputFiles.map((f, i) => entry("map", i, f));
  const reduces = Array.from({ length: nReduce }, (_, r) => entry("reduce", r));
  const log: MasterAttempt[] = [];
  const counters: MasterCounters = { assigned: 0, reassignments: 0, backupAttempts: 0, duplicatesIgnored: 0, localAssignments: 0, remoteAssignments: 0 };
  let phase: "map" | "reduce" | "done" = "map";
  let mapsLeft = maps.length;
  let reducesLeft = reduces.length;
  let doneAt: number | undefined;
  node.setState("map phase", `${maps.length} map tasks, ${nReduce} reduce tasks`);

  const current = (): Entry[] => (phase === "map" ? maps : reduces);

  /** The idle task to hand to `worker`, local first; or a backup candidate; or none. */
  const choose = (worker: string): { task: Entry; backup: boolean } | undefined => {
    const table = current();
    let first: Entry | undefined;
    for (const t of table) {
      if (t.state !== "idle") continue;
      if (!locality || t.kind !== "map") return { task: t, backup: false };
      if (blocks!.isLocal(t.file!, worker)) return { task: t, backup: false };
      first ??= t;
    }
    if (first !== undefined) return { task: first, backup: false };
    if (!backups) return undefined;
    // Near the end of the phase: back up the in-progress task that has run longest, not on this worker.
    let pick: Entry | undefined;
    let since = Infinity;
    for (const t of table) {
      if (t.state !== "in-progress" || t.backedUp || t.running.size !== 1) continue;
      const run = [...t.running.values()][0];
      if (run.worker === worker) continue;
      if (run.record.assignedMs < since) { since = run.record.assignedMs; pick = t; }
    }
    return pick === undefined ? undefined : { task: pick, backup: true };
  };

  const assign = (t: Entry, worker: string, backup: boolean): MapReduceTask => {
    const attempt = t.nextAttempt++;
    const record: MasterAttempt = { kind: t.kind, taskId: t.taskId, attempt, worker, assignedMs: node.now(), backup, outcome: "running" };
    if (t.kind === "map" && blocks !== undefined) {
      record.local = blocks.isLocal(t.file!, worker);
      if (record.local) counters.localAssignments++;
      else counters.remoteAssignments++;
    }
    log.push(record);
    counters.assigned++;
    if (backup) { counters.backupAttempts++; t.backedUp = true; }
    else if (attempt > 0) counters.reassignments++;
    t.state = "in-progress";
    const timer = node.setTimer(taskTimeoutMs, () => {
      const run = t.running.get(attempt);
      if (run === undefined || t.state === "completed") return;
      t.running.delete(attempt);
      record.outcome = "timed-out";
      if (t.running.size === 0) t.state = "idle";
    }, `timeout ${t.kind} ${t.taskId}.${attempt}`);
    t.running.set(attempt, { worker, timer, record });
    return t.kind === "map"
      ? { kind: "map", taskId: t.taskId, attempt, file: t.file!, nReduce }
      : { kind: "reduce", taskId: t.taskId, attempt, nMap: maps.length };
  };

  node.on("get_task", (msg: Message) => {
    const body = msg.body as unknown as GetTaskBody;
    const worker = typeof body.worker === "string" && body.worker.length > 0 ? body.worker : msg.src;
    if (phase === "done") { node.reply(msg, { type: "task", task: { kind: "exit" } }); return; }
    const pick = choose(worker);
    const task: MapReduceTask = pick === undefined ? { kind: "wait" } : assign(pick.task, worker, pick.backup);
    node.reply(msg, { type: "task", task });
  });

  node.on("task_done", (msg: Message) => {
    const { kind, taskId, attempt } = msg.body as unknown as TaskDoneBody;
    const table = kind === "map" ? maps : kind === "reduce" ? reduces : undefined;
    const t = table !== undefined && Number.isInteger(taskId) ? table[taskId] : undefined;
    const record = t === undefined ? undefined : log.find((a) => a.kind === kind && a.taskId === taskId && a.attempt === attempt);
    if (t === undefined || record === undefined) {
      throw new SimulationError(`task_done from "${msg.src}" names no attempt the master handed out: ${JSON.stringify(msg.body)}`, { node: node.id, timeMs: node.now() });
    }
    record.reportedMs = node.now();
    node.reply(msg, { type: "task_done_ok" });
    if (t.state === "completed") {
      record.outcome = "duplicate";
      counters.duplicatesIgnored++;
      return;
    }
    record.outcome = "completed";
    t.state = "completed";
    t.completedBy = record.worker;
    t.completedMs = node.now();
    for (const run of t.running.values()) node.cancelTimer(run.timer);
    t.running.clear();
    if (kind === "map") {
      mapsLeft--;
      if (mapsLeft === 0) { phase = "reduce"; node.setState("reduce phase", "every map task completed"); }
    } else {
      reducesLeft--;
      if (reducesLeft === 0) { phase = "done"; doneAt = node.now(); node.setState("done", "every reduce task completed"); }
    }
  });

  const row = (t: Entry): TaskRow => {
    const r: TaskRow = { kind: t.kind, taskId: t.taskId, state: t.state, attempts: t.nextAttempt, workers: [...t.running.values()].map((x) => x.worker) };
    if (t.file !== undefined) r.file = t.file;
    if (t.completedBy !== undefined) { r.completedBy = t.completedBy; r.completedMs = t.completedMs; }
    return r;
  };

  return {
    done: () => phase === "done",
    phase: () => phase,
    tasks: () => [...maps, ...reduces].map(row),
    attempts: () => log.map((a) => ({ ...a })),
    counters,
    doneAtMs: () => doneAt,
  };
}
