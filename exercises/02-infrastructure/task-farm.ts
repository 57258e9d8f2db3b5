/**
 * Exercise 02.3 — master–worker task farm (15 points). Graded by `npm test`
 * (test/02-infrastructure.test.ts), or alone with `npm run grade -- 02.3`.
 *
 * A master hands out independent tasks to a pool of workers and collects their results; a worker
 * computes what it is given. Write both halves.
 *
 * The worker. On `{ type: "task", id: "job-17", input: 12, msg_id: 5 }` it replies to the sender
 * (`node.reply(task, …)`, so `in_reply_to` is the task's msg_id) with
 * `{ type: "result", id: "job-17", output: 144 }`: **output = input × input**, computed from this
 * message's input. Answer every task message, also one you have seen before (a master that
 * reassigns sends it again, and the network duplicates): computing again is harmless. Do not cache
 * by task id: two masters may use the same id with different inputs.
 *
 * The master. `master(node, workers, tasks)` sends each task to one of `workers` as
 * `{ type: "task", id, input }`, and resolves with one `{ id, output }` per task, each exactly
 * once (any order), taken from a result that reached it. Workers fail: one crashes while holding
 * a task and never answers, one is slow (its results come after hundreds of ms), some send their
 * result twice, and the network loses 5% of messages. So the master must **reassign** a task whose
 * result has not come within a timeout (a round trip to a healthy worker takes at most about
 * 70 ms here, so 150 ms is a good timeout), and **ignore** duplicate and late results of tasks it
 * already has. Send only to the workers you were given, and send nothing once you have returned
 * (cancel your timers).
 *
 * How it is graded. (1) Your master with the grader's workers: three to five workers (one slow,
 * taking 250–600 ms; one or two that crash on their first or second task; some that answer twice;
 * the others take 5–30 ms), 8–14 tasks with ids and inputs you cannot guess, 5% loss and 10%
 * duplication, unordered, latency 5–15 ms. It must return within 10 s; every task id exactly once
 * with output = input², each one the output of a result message that reached the master before it
 * returned; then the run goes on for 1 s, and the master must send nothing more. (2) Your worker
 * with two grader masters that send tasks with msg_ids you cannot guess and task ids that the two
 * masters share, over a network that duplicates 20% of messages: every task message that arrives
 * gets exactly one correct result, to the master that sent it. (3) Your master with your workers,
 * one of which the grader crashes and one of which it slows down. Other nodes are spawned first
 * (so `node.peers()[0]` is not a worker) and names change from run to run; 27 trials of each part
 * for each of 5 seeds. Use `node.setTimer` / `node.sleep` / `node.rng`, never `setTimeout` or
 * `Math.random`.
 *
 * Tools: `node.send(worker, body)` with your own `msg_id` and an `on("result")` handler, or
 * `node.rpc(worker, body, { timeoutMs })` (rejects with `RpcTimeoutError`); `node.setTimer`,
 * `node.cancelTimer`; `new Promise((resolve) => …)` to return once the last result is in.
 */
import type { Node } from "../../lib/node";
import { NotImplementedError } from "../not-implemented";

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

/**
 * The master: runs every task on `workers` and resolves with one result per task.
 *
 * @example
 * const results = await sim.runUntilSettled(master(sim.node("m"), ["w1", "w2"], [{ id: "a", input: 3 }])); // [{ id: "a", output: 9 }]
 */
export async function master(node: Node, workers: readonly string[], tasks: readonly Task[]): Promise<Result[]> {
  // Your code here (02.3)
  throw new NotImplementedError("02.3 task-farm", "exercises/02-infrastructure/task-farm.ts");
}

/**
 * The worker: answers each `task` with a `result` whose output is input × input.
 *
 * @example
 * sim.spawn("w1", worker);
 */
export function worker(node: Node): void {
  // Your code here (02.3)
  throw new NotImplementedError("02.3 task-farm", "exercises/02-infrastructure/task-farm.ts");
}
