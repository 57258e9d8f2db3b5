/**
 * Reference solution of exercise 11.2 — the MapReduce master (Dean & Ghemawat, OSDI 2004, §3.1
 * "Execution Overview", §3.2 "Master Data Structures", §3.3 "Fault Tolerance"; the wire of MIT
 * 6.5840's lab 1, see exercises/11-big-data/master.ts).
 *
 * The master keeps, per task, its state (idle, in progress, completed), its latest attempt number
 * and when that attempt was handed out. It schedules lazily, when a worker asks: an idle task
 * first, else an in-progress task whose attempt is at least taskTimeoutMs old (its worker is
 * presumed dead or stuck; the paper's master pings workers, 6.5840's waits ten seconds), else
 * `wait`. Reduce tasks go out only when every map task is completed. A report completes a task
 * that is not yet completed, whichever attempt sent it: outputs are committed by an atomic rename,
 * so a late attempt wrote the same bytes; a report for a completed task changes nothing. Completed
 * tasks stay completed: their output lives in the shared file system, not on the worker.
 */
import type { Node } from "../../lib/node";

type TaskState = "idle" | "in_progress" | "completed";

interface TaskInfo {
  state: TaskState;
  /** Attempts handed out so far; the next one gets this number. */
  attempts: number;
  /** When the latest attempt was handed out (virtual ms). */
  startedMs: number;
}

/** Options of {@link mapReduceMaster}. */
export interface MasterOptions {
  /** Input files in the shared file system; map task i reads inputFiles[i]. */
  inputFiles: string[];
  /** Number of reduce tasks (partitions). */
  nReduce: number;
  /** An attempt older than this may be handed out again. */
  taskTimeoutMs: number;
}

function fresh(count: number): TaskInfo[] {
  return Array.from({ length: count }, () => ({ state: "idle" as TaskState, attempts: 0, startedMs: 0 }));
}

/**
 * The master of one MapReduce job: answers `get_task` and `task_done` until every reduce task is
 * completed, then `exit`.
 *
 * @example
 * const master = mapReduceMaster(node, { inputFiles: ["pg-1.txt", "pg-2.txt"], nReduce: 3, taskTimeoutMs: 1000 });
 * master.done(); // false until mr-out-0 … mr-out-2 are all committed
 */
export function mapReduceMaster(node: Node, options: MasterOptions): { done(): boolean } {
  const { inputFiles, nReduce, taskTimeoutMs } = options;
  const maps = fresh(inputFiles.length);
  const reduces = fresh(nReduce);
  let mapsLeft = maps.length;
  let reducesLeft = reduces.length;

  /** An idle task, or one whose latest attempt timed out; -1 if none. */
  const pick = (tasks: TaskInfo[]): number => {
    const idle = tasks.findIndex((t) => t.state === "idle");
    if (idle >= 0) return idle;
    return tasks.findIndex((t) => t.state === "in_progress" && node.now() - t.startedMs >= taskTimeoutMs);
  };

  const start = (t: TaskInfo): number => {
    t.state = "in_progress";
    t.startedMs = node.now();
    return t.attempts++;
  };

  node.on("get_task", (msg) => {
    if (reducesLeft === 0) return node.reply(msg, { type: "task", task: { kind: "exit" } });
    if (mapsLeft > 0) {
      const i = pick(maps);
      if (i < 0) return node.reply(msg, { type: "task", task: { kind: "wait" } });
      const attempt = start(maps[i]);
      return node.reply(msg, { type: "task", task: { kind: "map", taskId: i, attempt, file: inputFiles[i], nReduce } });
    }
    const r = pick(reduces);
    if (r < 0) return node.reply(msg, { type: "task", task: { kind: "wait" } });
    const attempt = start(reduces[r]);
    node.reply(msg, { type: "task", task: { kind: "reduce", taskId: r, attempt, nMap: maps.length } });
  });

  node.on("task_done", (msg) => {
    const kind = msg.body.kind as string;
    const taskId = msg.body.taskId as number;
    const tasks = kind === "map" ? maps : kind === "reduce" ? reduces : undefined;
    const t = tasks?.[taskId];
    if (t !== undefined && t.state !== "completed") {
      t.state = "completed";
      if (kind === "map") mapsLeft--;
      else reducesLeft--;
    }
    node.reply(msg, { type: "task_done_ok" });
  });

  return { done: () => reducesLeft === 0 };
}
