// Master–worker (a task farm). Lecture 000, "Master—Worker": the master distributes the work among
// workers and collects their results; the workers execute what they are given. The master's task
// table follows the MapReduce paper (Dean & Ghemawat, OSDI 2004, §3.3 "Fault Tolerance"): a task
// is idle, in progress on a worker, or completed; a task in progress on a worker that does not
// answer in time goes back to idle and is given to another worker; and since a slow worker may
// still finish it, a task can complete twice — the master keeps the first result and ignores the
// rest (MapReduce, §3.6 "Backup Tasks", does this on purpose against stragglers).
//
// Wire protocol (the notebook's own; exercise 02.3 uses `task`/`result`):
//   master → worker  { type: "work", taskId, input }
//   worker → master  { type: "work_done", taskId, output }   (a reply to the work message)
//   worker → master  { type: "worker_ready" }                 (after a restart, if it knows the master)
// A worker takes time through the simulator's service time (spawn it with `service`), one task
// at a time; a restarted worker announces itself, and whatever it was doing is handed out again.
import type { Node } from "../node/index";

/** One unit of work. */
export interface FarmTask<I = unknown> {
  id: string;
  input: I;
}

/** A task's result and the worker whose answer was kept. */
export interface FarmResult<O = unknown> {
  id: string;
  output: O;
  worker: string;
}

/** Options of {@link farmMaster}. */
export interface FarmMasterOptions<I = unknown> {
  /** The workers' node ids (more may announce themselves with `worker_ready`). */
  workers: readonly string[];
  tasks: readonly FarmTask<I>[];
  /** How long a worker may take before its task is handed to another worker. Default 100. */
  taskTimeoutMs?: number;
}

/** What the master returns when every task has a result. */
export interface FarmOutcome<O = unknown> {
  /** One result per task, in the order of the tasks. */
  results: FarmResult<O>[];
  /** `work` messages sent. */
  assignments: number;
  /** Tasks taken back from a worker after a timeout (or its restart) and handed out again. */
  reassignments: number;
  /** Results that arrived for a task already completed (ignored). */
  duplicateResults: number;
  /** Virtual time when the last result arrived. */
  finishedMs: number;
}

type TaskStatus = "idle" | "in-progress" | "completed";

interface TaskEntry<I> {
  task: FarmTask<I>;
  status: TaskStatus;
  worker?: string;
  timer?: number;
  /** Assignments so far (a timeout checks it is still about the same one). */
  attempt: number;
}

interface WorkerEntry {
  /** The task this worker is working on, as far as the master knows. */
  task?: string;
  /** Its last task timed out: it gets work only when every worker is suspect; any answer clears it. */
  suspect: boolean;
}

/**
 * The master of a task farm: hands each idle task to a free worker, takes a task back after
 * `taskTimeoutMs` and gives it to another worker (the late one is suspected and gets no more work
 * until it answers, unless every worker is suspected), keeps the first result
 * of each task, and resolves with the complete result set. Run it inside a node's code or from
 * the notebook with `sim.runUntilSettled`.
 *
 * @example
 * sim.spawnMany(["w1", "w2", "w3"], (node) => farmWorker(node, { compute: (x: number) => x * x, master: "m" }), { service: { timeMs: latency.constant(10) } });
 * const m = sim.spawn("m", () => {}, { role: "master" });
 * const tasks = [1, 2, 3, 4].map((x) => ({ id: `t${x}`, input: x }));
 * const outcome = await sim.runUntilSettled(farmMaster(m, { workers: ["w1", "w2", "w3"], tasks, taskTimeoutMs: 50 }));
 * outcome.results.map((r) => r.output); // [1, 4, 9, 16]
 */
export function farmMaster<I = unknown, O = unknown>(node: Node, options: FarmMasterOptions<I>): Promise<FarmOutcome<O>> {
  const { workers: initial, tasks, taskTimeoutMs = 100 } = options;
  const fail = (what: string): never => {
    throw new Error(`farmMaster on ${node.id} at t=${node.now()}ms: ${what}`);
  };
  if (!Array.isArray(initial) || initial.length === 0) fail("options.workers must list at least one worker");
  if (!(taskTimeoutMs > 0)) fail(`taskTimeoutMs must be > 0, got ${String(taskTimeoutMs)}`);
  const table = new Map<string, TaskEntry<I>>();
  for (const task of tasks) {
    if (typeof task?.id !== "string") fail(`every task needs a string id, got ${JSON.stringify(task)}`);
    if (table.has(task.id)) fail(`two tasks have the id ${JSON.stringify(task.id)}`);
    table.set(task.id, { task, status: "idle", attempt: 0 });
  }
  const workers = new Map<string, WorkerEntry>(initial.map((w) => [w, { suspect: false }]));
  /** Idle task ids, in the order they should go out (taken-back tasks first). */
  const idle: string[] = tasks.map((t) => t.id);
  const results = new Map<string, FarmResult<O>>();
  const outcome = { assignments: 0, reassignments: 0, duplicateResults: 0 };
  let done: (o: FarmOutcome<O>) => void = () => {};
  const finished = new Promise<FarmOutcome<O>>((resolve) => (done = resolve));

  /**
   * A free worker to give a task to: a trusted one; a suspect only when every worker is suspect
   * (so the farm goes on even if the only workers left are slow ones).
   */
  const freeWorker = (): string | undefined => {
    let fallback: string | undefined;
    let trusted = false;
    for (const [id, w] of workers) {
      if (!w.suspect) trusted = true;
      if (w.task !== undefined) continue;
      if (!w.suspect) return id;
      fallback ??= id;
    }
    return trusted ? undefined : fallback;
  };

  /** Put an in-progress task back at the front of the idle list. */
  const takeBack = (entry: TaskEntry<I>): void => {
    if (entry.timer !== undefined) node.cancelTimer(entry.timer);
    entry.status = "idle";
    entry.worker = undefined;
    entry.timer = undefined;
    outcome.reassignments++;
    idle.unshift(entry.task.id);
  };

  const assign = (): void => {
    while (idle.length > 0) {
      const worker = freeWorker();
      if (worker === undefined) return;
      const entry = table.get(idle.shift()!)!;
      if (entry.status !== "idle") continue; // completed meanwhile by a late answer
      const attempt = ++entry.attempt;
      entry.status = "in-progress";
      entry.worker = worker;
      workers.get(worker)!.task = entry.task.id;
      outcome.assignments++;
      node.send(worker, { type: "work", taskId: entry.task.id, input: entry.task.input });
      entry.timer = node.setTimer(taskTimeoutMs, () => {
        if (entry.status !== "in-progress" || entry.attempt !== attempt) return;
        const w = workers.get(worker)!;
        w.suspect = true; // crashed or slow: we cannot tell which (lecture 003, partial failure)
        w.task = undefined;
        takeBack(entry);
        assign();
      }, `task ${entry.task.id} timeout`);
    }
  };

  node.on("work_done", (msg) => {
    const taskId = msg.body.taskId as string;
    const output = msg.body.output as O;
    const w = workers.get(msg.src);
    if (w !== undefined) {
      if (w.task === taskId) w.task = undefined;
      w.suspect = false;
    }
    const entry = table.get(taskId);
    if (entry === undefined) return;
    if (entry.status === "completed") {
      outcome.duplicateResults++;
    } else {
      if (entry.timer !== undefined) node.cancelTimer(entry.timer);
      if (entry.worker !== undefined && entry.worker !== msg.src) {
        const other = workers.get(entry.worker);
        if (other?.task === taskId) other.task = undefined; // its answer, if any, will be a duplicate
      }
      entry.status = "completed";
      entry.timer = undefined;
      results.set(taskId, { id: taskId, output, worker: msg.src });
      if (results.size === table.size) {
        node.setState("done", "every task has a result");
        done({ results: tasks.map((t) => results.get(t.id)!), ...outcome, finishedMs: node.now() });
        return;
      }
    }
    assign();
  });

  node.on("worker_ready", (msg) => {
    const w = workers.get(msg.src);
    if (w === undefined) {
      workers.set(msg.src, { suspect: false });
    } else {
      const lost = w.task === undefined ? undefined : table.get(w.task);
      if (lost !== undefined && lost.status === "in-progress" && lost.worker === msg.src) takeBack(lost); // it restarted: that work is gone
      w.task = undefined;
      w.suspect = false;
    }
    if (results.size < table.size) assign();
  });

  node.setState("farming", `${table.size} tasks, ${workers.size} workers`);
  if (table.size === 0) done({ results: [], ...outcome, finishedMs: node.now() });
  else assign();
  return finished;
}

/** Options of {@link farmWorker}. */
export interface FarmWorkerOptions<I = unknown, O = unknown> {
  /** The work: a pure function of the task's input. */
  compute: (input: I) => O;
  /** The master's id: if given, the worker announces itself after every restart (`worker_ready`), so its lost task is handed out at once. */
  master?: string;
}

/**
 * A worker of the task farm: answers each `work` with `work_done` and `compute(input)`. How long
 * that takes is its service time (give it one at spawn); it keeps nothing across a crash.
 *
 * @example
 * sim.spawn("w1", (node) => farmWorker(node, { compute: (x: number) => x * x, master: "m" }), { service: { timeMs: latency.exponential(10) } });
 */
export function farmWorker<I = unknown, O = unknown>(node: Node, options: FarmWorkerOptions<I, O>): void {
  const { compute, master } = options;
  if (typeof compute !== "function") throw new Error(`farmWorker on ${node.id} at t=${node.now()}ms: options.compute must be a function`);
  node.on("work", (msg) => {
    node.reply(msg, { type: "work_done", taskId: msg.body.taskId, output: compute(msg.body.input as I) });
  });
  if (master !== undefined && node.incarnation > 1) node.send(master, { type: "worker_ready" });
}
