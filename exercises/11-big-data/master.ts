/**
 * Exercise 11.2 — the MapReduce master (25 points). Graded by `npm test`
 * (test/11-big-data.test.ts), or alone with `npm run grade -- 11.2`.
 *
 * The master of a MapReduce job (Dean & Ghemawat, OSDI 2004, §3.1–3.3; MIT 6.5840 lab 1) hands out
 * tasks to workers that ask for them and learns which ones finished. The workers are the library's
 * (`mapReduceWorker` in lib/mapreduce/index); they share a simulated file system, so the master
 * moves no data: it only schedules. Your master speaks this wire (every field listed):
 *
 *   worker → master  { type: "get_task", worker?: string }
 *   master → worker  reply { type: "task", task } where task is one of
 *       { kind: "map", taskId: i, attempt, file: inputFiles[i], nReduce }   (0 ≤ i < inputFiles.length)
 *       { kind: "reduce", taskId: r, attempt, nMap: inputFiles.length }     (0 ≤ r < nReduce)
 *       { kind: "wait" }    nothing to hand out now: the worker sleeps briefly and asks again
 *       { kind: "exit" }    the job is done: the worker stops
 *   worker → master  { type: "task_done", kind: "map" | "reduce", taskId, attempt }
 *   master → worker  reply { type: "task_done_ok" }   (to every task_done, also a duplicate)
 *
 * Answer with `node.reply(msg, body)`. Map task i reads inputFiles[i] and writes mr-i-r for every
 * r < nReduce; reduce task r reads mr-i-r of every map i and writes mr-out-r. Workers commit through
 * a temp name and an atomic rename BEFORE they send task_done, so a report means the output is there,
 * and a second attempt of a task writes the same bytes again.
 *
 * The rules your master must keep:
 * 1. No reduce task before every map task is completed (a reduce reads every map's output).
 * 2. A task goes out again only if its latest attempt was handed out at least `taskTimeoutMs` ago
 *    and it is still not completed (its worker may have crashed — or be slow: never sooner).
 * 3. Every hand-out of a task carries a new attempt number (0, 1, 2, … per task).
 * 4. A `task_done` completes its task whichever attempt sent it; a report for a task that is
 *    already completed (a late duplicate) changes nothing. A completed task is never handed out
 *    again — its output is in the shared file system, so a later crash of its worker loses nothing.
 * 5. When nothing can be handed out, answer `wait`; once every reduce task is completed, answer
 *    every `get_task` with `exit`, and never `exit` before.
 * 6. `done()` is true exactly when every reduce task is completed (then every mr-out-r exists).
 *
 * Graded with the library's workers under 6.5840's crash model: each attempt exits (the worker
 * crashes mid-task; a new worker process starts on that host later), stalls (it finishes long
 * after the timeout: a late duplicate) or runs normally, at rates drawn per trial from the
 * grader's seeded Prng; plus scripted runs: a crash mid-map, a crash mid-reduce, a late duplicate
 * after a reassignment, more workers than tasks (`wait`). 2–5 workers, 1–7 input files, 1–5
 * reduce tasks, taskTimeoutMs 300–500; 27 trials for each of 5 seeds. Checked after every event:
 * `done()` never true while an mr-out file is missing or wrong; rules 1–5 on every message; the
 * job done within the stated bound; the final output byte-identical to runSequential. Use
 * `node.now()` for time (never Date.now), and keep no timers running once done.
 */
import type { Node } from "../../lib/node";
import { NotImplementedError } from "../not-implemented";

/**
 * The master of one MapReduce job.
 *
 * @example
 * const master = mapReduceMaster(node, { inputFiles: ["pg-1.txt", "pg-2.txt"], nReduce: 3, taskTimeoutMs: 400 });
 * master.done(); // false until every reduce task has reported
 */
export function mapReduceMaster(node: Node, options: { inputFiles: string[]; nReduce: number; taskTimeoutMs: number }): { done(): boolean } {
  // Your code here (11.2)
  throw new NotImplementedError("11.2 master", "exercises/11-big-data/master.ts");
}
