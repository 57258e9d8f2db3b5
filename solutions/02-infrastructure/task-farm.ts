/**
 * Reference solution of exercise 02.3 — master–worker task farm (see
 * exercises/02-infrastructure/task-farm.ts).
 *
 * The master keeps a task table as in the MapReduce paper (§3.1, §3.3): each assignment has a
 * msg_id, a worker and a deadline timer. A worker is idle, busy, or suspected (its last task
 * timed out). A timeout puts the task back in the queue and suspects the worker; any result from a
 * suspected worker (a late one) shows it is alive, so it becomes idle again. A result counts only
 * for a task not yet done, so duplicates and late results change nothing. When every worker is
 * suspected and none is busy, they all get another chance, so a burst of losses cannot stall the
 * farm. The worker is stateless: it squares the input of each task message it receives.
 */
import type { Node } from "../../lib/node";

/** A task: an id unique among the master's tasks, and the number to square. */
export interface Task {
  id: string;
  input: number;
}

/** The result of a task: its id and input × input. */
export interface Result {
  id: string;
  output: number;
}

/** How long the master waits for a result before it gives the task to another worker. */
const TASK_TIMEOUT_MS = 150;

interface Assignment {
  task: Task;
  worker: string;
  timer: number;
  /** Neither answered nor timed out yet: the worker's current task. */
  live: boolean;
  answered: boolean;
}

/**
 * The master: runs every task on `workers` and resolves with one result per task.
 *
 * @example
 * const results = await sim.runUntilSettled(master(sim.node("m"), ["w1", "w2"], [{ id: "a", input: 3 }])); // [{ id: "a", output: 9 }]
 */
export function master(node: Node, workers: readonly string[], tasks: readonly Task[]): Promise<Result[]> {
  return new Promise((resolve) => {
    const outputs = new Map<string, number>();
    const queue: Task[] = [...tasks];
    const state = new Map<string, "idle" | "busy" | "suspected">(workers.map((w) => [w, "idle"]));
    const assignments = new Map<number, Assignment>();
    let nextMsgId = 1;
    let finished = tasks.length === 0;
    if (finished) resolve([]);

    const assign = (): void => {
      if (finished) return;
      for (;;) {
        while (queue.length > 0 && outputs.has(queue[0].id)) queue.shift();
        if (queue.length === 0) return;
        let worker = workers.find((w) => state.get(w) === "idle");
        if (worker === undefined && !workers.some((w) => state.get(w) === "busy")) {
          for (const w of workers) state.set(w, "idle"); // everyone suspected: try them all again
          worker = workers[0];
        }
        if (worker === undefined) return;
        const task = queue.shift()!;
        const msgId = nextMsgId++;
        const timer = node.setTimer(TASK_TIMEOUT_MS, () => timedOut(msgId), "task timeout");
        assignments.set(msgId, { task, worker, timer, live: true, answered: false });
        state.set(worker, "busy");
        node.send(worker, { type: "task", id: task.id, input: task.input, msg_id: msgId });
      }
    };

    const timedOut = (msgId: number): void => {
      const a = assignments.get(msgId)!;
      if (finished || !a.live) return;
      a.live = false;
      state.set(a.worker, "suspected");
      if (!outputs.has(a.task.id)) queue.unshift(a.task);
      assign();
    };

    node.on("result", (result) => {
      const a = assignments.get(result.body.in_reply_to!);
      if (finished || a === undefined || a.worker !== result.src || a.answered) return; // unknown, duplicate or finished
      a.answered = true;
      node.cancelTimer(a.timer);
      // Its current task answered, or a late answer from a suspected worker: either way it is idle.
      if (a.live || state.get(a.worker) === "suspected") state.set(a.worker, "idle");
      a.live = false;
      if (!outputs.has(a.task.id)) outputs.set(a.task.id, result.body.output);
      if (outputs.size === tasks.length) {
        finished = true;
        for (const x of assignments.values()) node.cancelTimer(x.timer);
        resolve(tasks.map((t) => ({ id: t.id, output: outputs.get(t.id)! })));
        return;
      }
      assign();
    });

    assign();
  });
}

/**
 * The worker: answers each `task` with a `result` whose output is input × input.
 *
 * @example
 * sim.spawn("w1", worker);
 */
export function worker(node: Node): void {
  node.on("task", (task) => {
    node.reply(task, { type: "result", id: task.body.id, output: task.body.input * task.body.input });
  });
}
