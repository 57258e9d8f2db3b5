/**
 * Check of exercise 02.3 master–worker task farm. Each role is graded against the grader's own
 * counterpart, and the student's pair plays too; bystanders are spawned first (so
 * `node.peers()[0]` is never a worker), node names are drawn per trial, {@link TRIALS} trials per
 * seed of each scenario:
 *
 * 1. The student's master with the grader's workers: three to five, of which one is slow
 *    (250–600 ms per task), one or two crash on their first or second task (before answering),
 *    some answer every task twice, and the rest take 5–30 ms; 8–14 tasks with ids and inputs the
 *    student cannot guess; 5% loss, 10% duplication, unordered, latency 5–15 ms. The master must
 *    return within {@link MASTER_WITHIN_MS} ms; its result has every task id exactly once, with
 *    output = input², and each output is that of a result message for that id that reached the
 *    master before it returned; it sends only tasks `{ type: "task", id, input }` (a real task's
 *    id and input) to its workers, and nothing in the {@link PAST_RETURN_MS} ms after it returned.
 * 2. The student's worker with two grader masters, whose tasks have `msg_id`s the student cannot
 *    guess and ids that the two masters share (with different inputs); 20% duplication: every
 *    copy of a task that reaches the worker gets exactly one result, after it arrived, to the
 *    master that sent it, with `in_reply_to` = the task's msg_id, the task's id and output = input².
 * 3. The student's master with the student's workers (served 5–20 ms per message), one of which
 *    the grader crashes at a random moment and one of which serves 300–500 ms per message: the
 *    master's rules of scenario 1, and every result correct.
 *
 * Each buggy fixture (test/fixtures/buggy/02-infrastructure/tf-*) fails in the first trial of
 * every seed: every trial has a crashing worker, a slow one and duplicated results.
 */
import { latency } from "../../../lib/net";
import type { Node } from "../../../lib/node";
import { formatMs } from "../../../lib/sim";
import type { Simulation } from "../../../lib/simulation";
import type { TraceEvent } from "../../../lib/trace";
import {
  ensure,
  fail,
  graderRole,
  runScenarios,
  settle,
  spawnBystanders,
  throwEarliest,
  trialsPerSeed,
  type CheckResult,
  type Scenario,
  type Settled,
  type Trial,
} from "../check";
import { exercise } from "../exercises";
import { describeMessage, seenMs, sentMessages, shortValue, type SentMessage } from "../messages";

/** A task of the farm. */
export interface Task {
  id: string;
  input: number;
}

/** What exercises/02-infrastructure/task-farm.ts exports. */
export interface TaskFarmApi {
  master(node: Node, workers: readonly string[], tasks: readonly Task[]): Promise<Array<{ id: string; output: number }>>;
  worker(node: Node): void | Promise<void>;
}

// tsc checks that the stub and the reference both have this API.
type Implements<T extends TaskFarmApi> = T;
export type StubImplementsTaskFarm = Implements<typeof import("../../../exercises/02-infrastructure/task-farm")>;
export type SolutionImplementsTaskFarm = Implements<typeof import("../../../solutions/02-infrastructure/task-farm")>;

/** Trials per seed of each scenario: with the registry's seeds, ≥ 135 in all (see check.ts). */
export const TRIALS = trialsPerSeed(exercise("02.3").seeds.length);

/** How long the master may take to return. */
export const MASTER_WITHIN_MS = 10_000;

/** How long the run goes on after the master returned. */
const PAST_RETURN_MS = 1000;

/** The function a worker computes. */
export function square(input: number): number {
  return input * input;
}

/** Node names; each trial shuffles them, so a fixed name is sometimes a bystander or no node. */
const NAMES = ["master", "worker", "w1", "w2", "w3", "w4", "farm", "n1", "n2", "n3", "n4", "n5"];

const JOB_WORDS = ["job", "chunk", "frame", "tile", "batch", "shard"];

const ms = (rng: Trial["rng"], min: number, max: number): number => Math.round(rng.uniform(min, max) * 1000) / 1000;

function drawTasks(rng: Trial["rng"], count: number): Task[] {
  const ids = new Set<string>();
  const tasks: Task[] = [];
  while (tasks.length < count) {
    const id = `${rng.pick(JOB_WORDS)}-${rng.int(10, 1000)}`;
    if (ids.has(id)) continue;
    ids.add(id);
    tasks.push({ id, input: rng.int(-999, 1000) });
  }
  return tasks;
}

function say(m: SentMessage): string {
  return describeMessage(m);
}

function endMs(events: readonly TraceEvent[]): number {
  return events.length ? events[events.length - 1].timeMs : 0;
}

// ---- the master's rules ------------------------------------------------------------------------

/** The master's call, as the check sees it afterwards. */
export interface MasterCall {
  master: string;
  workers: readonly string[];
  tasks: readonly Task[];
  outcome: Settled<unknown>;
}

function callWords(c: MasterCall): string {
  return `master(${c.master}, [${c.workers.map((w) => `"${w}"`).join(", ")}], ${c.tasks.length} tasks)`;
}

/**
 * The master's rules, checked on a finished trace (see the file's header, scenario 1); the
 * earliest broken rule is reported.
 *
 * @example
 * checkMaster(sim.trace.events, { master: "m", workers: ["w1", "w2"], tasks, outcome });
 */
export function checkMaster(events: readonly TraceEvent[], call: MasterCall): void {
  const { master, workers, tasks, outcome } = call;
  const sent = sentMessages(events);
  const fromMaster = sent.filter((m) => m.send.src === master);
  const results = sent.filter((m) => m.send.dest === master && workers.includes(m.send.src) && m.send.type === "result");
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const returnIndex = outcome.status === "pending" ? events.length : outcome.eventIndex;
  const words = callWords(call);
  const crashes = events.filter((e) => e.kind === "crash");

  throwEarliest(
    () => checkMessages(),
    () => checkOutcome(),
    () => checkNothingAfterReturn(),
  );

  function checkMessages(): void {
    for (const m of fromMaster) {
      if (m.index >= returnIndex) break;
      const at = { timeMs: m.send.timeMs, node: master, evidence: [m.send.id] };
      ensure(
        workers.includes(m.send.dest) && m.send.type === "task",
        () => `${master} to send only { type: "task", id, input } to its workers (${workers.join(", ")})`,
        () => say(m),
        at,
      );
      const task = byId.get(m.body.id as string);
      if (task === undefined) fail(`every task ${master} sends to be one of its tasks`, `${say(m)}: no task has id=${shortValue(m.body.id)}`, at);
      ensure(m.body.input === task.input, () => `the task message for ${task.id} to carry input=${task.input}`, () => say(m), at);
    }
  }

  /** Where a task that never got a result went: its last task message and that worker's fate. */
  function whereabouts(task: Task): { text: string; evidence: number[] } {
    const sends = fromMaster.filter((m) => m.body.id === task.id && m.index < returnIndex);
    if (sends.length === 0) return { text: `${task.id} was never sent to a worker`, evidence: [] };
    const last = sends[sends.length - 1];
    const crash = crashes.find((e) => e.kind === "crash" && e.node === last.send.dest);
    const fate = crash ? `, and ${last.send.dest} crashed at t=${formatMs(crash.timeMs)}` : "";
    return {
      text: `${task.id} was sent ${sends.length === 1 ? "once" : `${sends.length} times`}, last ${say(last)}${fate}`,
      evidence: [last.send.id],
    };
  }

  function checkOutcome(): void {
    const expected = `${words} to return the results of all ${tasks.length} tasks within ${MASTER_WITHIN_MS} ms, though workers crash, are slow or answer twice`;
    if (outcome.status === "pending") {
      const got = new Set(results.filter((m) => m.delivered.length > 0).map((m) => m.body.id));
      const missing = tasks.filter((t) => !got.has(t.id));
      const first = missing[0];
      const where = first ? whereabouts(first) : { text: "", evidence: [] };
      fail(
        expected,
        `its promise never settled: ${missing.length ? `no result ever reached ${master} for ${missing.map((t) => t.id).join(", ")}; ${where.text}` : "every result had arrived, but it did not return"}` +
          (first ? " — reassign a task whose result does not come within a timeout" : ""),
        { timeMs: endMs(events), node: master, evidence: where.evidence },
      );
    }
    const at = { timeMs: outcome.atMs, node: master };
    if (outcome.status === "rejected") {
      const e = outcome.reason;
      fail(expected, `it threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, at);
    }
    const value = outcome.value;
    if (!Array.isArray(value)) fail(`${words} to return an array of { id, output }`, `it returned ${shortValue(value)}`, at);
    const seen = new Map<string, number>();
    for (const item of value) {
      const id = (item as { id?: unknown })?.id;
      const output = (item as { output?: unknown })?.output;
      const task = byId.get(id as string);
      if (task === undefined) fail(`${words} to return only results of its tasks`, `it returned ${shortValue(item)}: no task has that id`, at);
      if (seen.has(task.id)) {
        const twice = results.filter((m) => m.body.id === task.id && m.delivered.some((a) => a.index < returnIndex));
        fail(
          `${words} to return each task's result exactly once`,
          `${task.id} appears twice (${seen.get(task.id)} and ${shortValue(output)}); ${twice.length} result messages for it had arrived: ${twice.slice(0, 2).map(say).join("; ")} — ignore duplicate and late results`,
          { ...at, evidence: twice.slice(0, 2).map((m) => m.send.id) },
        );
      }
      seen.set(task.id, output as number);
      const want = square(task.input);
      const arrived = results.filter((m) => m.body.id === task.id && m.delivered.some((a) => a.index < returnIndex));
      ensure(
        output === want,
        () => `the output of ${task.id} to be ${want} (input ${task.input} squared)`,
        () => `it returned { id: ${shortValue(task.id)}, output: ${shortValue(output)} }` + (arrived.length ? `; the results that had arrived: ${arrived.slice(0, 2).map(say).join("; ")}` : ""),
        { ...at, evidence: arrived.slice(0, 2).map((m) => m.send.id) },
      );
      ensure(
        arrived.some((m) => m.body.output === output),
        () => `${words} to return for ${task.id} the output of a result message that reached ${master} before it returned`,
        () => `it returned output ${shortValue(output)} at t=${formatMs(outcome.atMs)}, but no result for ${task.id} had arrived by then; ${whereabouts(task).text}`,
        { ...at, evidence: whereabouts(task).evidence },
      );
    }
    const missing = tasks.filter((t) => !seen.has(t.id));
    if (missing.length > 0) {
      const where = whereabouts(missing[0]);
      fail(
        `${words} to return one result for each of its ${tasks.length} tasks`,
        `it returned ${value.length} results at t=${formatMs(outcome.atMs)}, without ${missing.map((t) => t.id).join(", ")}; ${where.text}`,
        { ...at, evidence: where.evidence },
      );
    }
  }

  function checkNothingAfterReturn(): void {
    if (outcome.status === "pending") return;
    const late = fromMaster.find((m) => m.index >= returnIndex);
    if (late === undefined) return;
    fail(
      `no message from ${master} after ${words} returned at t=${formatMs(outcome.atMs)}`,
      `${say(late)}: cancel your timers (and pending retries) when the last result is in`,
      { timeMs: late.send.timeMs, node: master, evidence: [late.send.id] },
    );
  }
}

// ---- the worker's rules ------------------------------------------------------------------------

/**
 * The workers' rules, checked on a finished trace: every result a worker sends answers a task
 * message that reached it (to its sender, `in_reply_to` = its msg_id, its id, output = input²);
 * with `everyCopy`, each copy of a task that reached a worker gets exactly one result, otherwise at
 * most one (a worker the grader crashed may have died before answering).
 *
 * @example
 * checkWorkerReplies(sim.trace.events, ["w1"], ["m1", "m2"], { everyCopy: true });
 */
export function checkWorkerReplies(events: readonly TraceEvent[], workers: readonly string[], masters: readonly string[], opts: { everyCopy: boolean }): void {
  const sent = sentMessages(events);
  const taskMessages = sent.filter((m) => masters.includes(m.send.src) && workers.includes(m.send.dest) && m.send.type === "task");
  const replies = new Map<SentMessage, number>();
  const name = (t: SentMessage): string => `${t.send.src}'s task id=${shortValue(t.body.id)} input=${shortValue(t.body.input)} (msg_id #${t.send.msgId}) to ${t.send.dest}`;
  for (const m of sent) {
    if (!workers.includes(m.send.src)) continue;
    const w = m.send.src;
    const at = { timeMs: seenMs(m), node: w, evidence: [m.send.id] };
    const toW = taskMessages.filter((t) => t.send.dest === w);
    const task =
      toW.find((t) => t.send.src === m.send.dest && t.send.msgId === m.send.inReplyTo) ??
      toW.find((t) => t.send.msgId === m.send.inReplyTo) ??
      toW.find((t) => t.body.id === m.body.id && t.send.src === m.send.dest) ??
      toW.find((t) => t.body.id === m.body.id);
    if (task === undefined) fail(`every message from ${w} to answer a task it received`, `${say(m)}, which answers none`, at);
    const evidence = [task.send.id, m.send.id];
    const tat = { ...at, evidence };
    ensure(task.delivered.some((a) => a.index < m.index), () => `${w} to answer ${name(task)} only after it arrived`, () => `${say(m)}, before any copy arrived`, tat);
    ensure(m.send.type === "result", () => `the answer to ${name(task)} to have type "result"`, () => say(m), tat);
    ensure(
      m.send.dest === task.send.src,
      () => `the result for ${name(task)} to go to ${task.send.src}, the master that sent it (the task's src)`,
      () => `it went to ${m.send.dest}: ${say(m)}`,
      tat,
    );
    ensure(
      m.send.inReplyTo === task.send.msgId,
      () => `the result for ${name(task)} to have in_reply_to ${task.send.msgId} (the task's msg_id #${task.send.msgId})`,
      () => (m.send.inReplyTo === undefined ? `no in_reply_to: ${say(m)}` : say(m)),
      tat,
    );
    ensure(m.body.id === task.body.id, () => `the result for ${name(task)} to carry id=${shortValue(task.body.id)}`, () => say(m), tat);
    const want = square(task.body.input as number);
    ensure(
      m.body.output === want,
      () => `the result for ${name(task)} to carry output=${want} (input × input, from this task's input)`,
      () => say(m),
      tat,
    );
    replies.set(task, (replies.get(task) ?? 0) + 1);
  }
  for (const t of taskMessages) {
    const count = replies.get(t) ?? 0;
    const copies = t.delivered.length;
    if (count === copies || (!opts.everyCopy && count < copies)) continue;
    const arrived = copies === 1 ? "arrived once" : `arrived ${copies} times (the network duplicated it)`;
    const answers = sent.filter((m) => m.send.src === t.send.dest && m.send.inReplyTo === t.send.msgId && m.send.dest === t.send.src);
    fail(
      `one result for every copy of a task that reaches a worker: ${name(t)} ${arrived}`,
      `${count} ${count === 1 ? "result" : "results"}${count < copies ? ": answer every task message, also a repeated one (a master that reassigns sends the same task again)" : ""}`,
      { timeMs: endMs(events), node: t.send.dest, evidence: [t.send.id, ...answers.map((m) => m.send.id)] },
    );
  }
}

// ---- scenario 1: the student's master, the grader's workers ----------------------------------

type WorkerKind = "fast" | "slow" | "crashes" | "answers-twice";

interface GraderWorkerPlan {
  id: string;
  kind: WorkerKind;
  /** For "crashes": it dies on this task (1-based) before answering. */
  crashOnTask: number;
}

interface MasterParams {
  master: string;
  workers: GraderWorkerPlan[];
  bystanders: string[];
  tasks: Task[];
}

function masterParams(trial: Trial): MasterParams {
  const rng = trial.rng;
  const names = rng.shuffle(NAMES);
  const bystanderCount = rng.int(1, 3);
  const workerCount = rng.int(3, 6);
  const ids = names.slice(bystanderCount + 1, bystanderCount + 1 + workerCount);
  // One slow, one or two crashing (never all but the slow one), some answering twice.
  const order = rng.shuffle(ids);
  const crashCount = workerCount >= 4 ? rng.int(1, 3) : 1;
  const kinds = new Map<string, WorkerKind>();
  kinds.set(order[0], "slow");
  for (const id of order.slice(1, 1 + crashCount)) kinds.set(id, "crashes");
  for (const id of order.slice(1 + crashCount)) kinds.set(id, rng.chance(0.5) ? "answers-twice" : "fast");
  const workers = ids.map((id) => ({ id, kind: kinds.get(id)!, crashOnTask: rng.int(1, 3) }));
  return { master: names[bystanderCount], workers, bystanders: names.slice(0, bystanderCount), tasks: drawTasks(rng, rng.int(8, 15)) };
}

/** The grader's worker of one kind (see {@link masterParams}). */
function graderWorker(sim: Simulation, plan: GraderWorkerPlan): (node: Node) => void {
  return (node) => {
    let received = 0;
    node.on("task", async (task) => {
      received++;
      if (plan.kind === "crashes" && received >= plan.crashOnTask) {
        sim.crash(node.id); // took the task and died: no result will come
        return;
      }
      const thinkMs = plan.kind === "slow" ? node.rng.uniform(250, 600) : node.rng.uniform(5, 30);
      await node.sleep(thinkMs);
      const result = { type: "result", id: task.body.id, output: square(task.body.input) };
      node.reply(task, result);
      if (plan.kind === "answers-twice") {
        await node.sleep(node.rng.uniform(1, 20));
        node.reply(task, result);
      }
    });
  };
}

async function runMaster(sim: Simulation, impl: TaskFarmApi, masterId: string, workers: readonly string[], tasks: readonly Task[]): Promise<MasterCall> {
  const node = sim.node(masterId);
  let promise: Promise<unknown>;
  try {
    promise = Promise.resolve(impl.master(node, workers, tasks));
  } catch (error) {
    promise = Promise.reject(error);
  }
  const outcome = await settle(sim, promise, { withinMs: MASTER_WITHIN_MS });
  await sim.runFor(PAST_RETURN_MS); // run past the return: nothing more may be sent
  return { master: masterId, workers, tasks, outcome };
}

async function masterWithGraderWorkers(sim: Simulation, impl: TaskFarmApi, p: MasterParams): Promise<void> {
  spawnBystanders(sim, p.bystanders);
  sim.spawn(p.master, () => {}, { role: "master" });
  for (const w of p.workers) sim.spawn(w.id, graderWorker(sim, w), { role: graderRole("worker") });
  const call = await runMaster(
    sim,
    impl,
    p.master,
    p.workers.map((w) => w.id),
    p.tasks,
  );
  checkMaster(sim.trace.events, call);
}

// ---- scenario 2: the student's worker, the grader's masters ----------------------------------

interface WorkerParams {
  masters: string[];
  workers: string[];
  bystanders: string[];
  /** [master, worker, send time, msg_id, task] */
  sends: Array<[string, string, number, number, Task]>;
}

function workerParams(trial: Trial): WorkerParams {
  const rng = trial.rng;
  const names = rng.shuffle(NAMES);
  const bystanderCount = rng.int(1, 3);
  const masters = names.slice(bystanderCount, bystanderCount + 2);
  const workers = names.slice(bystanderCount + 2, bystanderCount + 2 + rng.int(1, 3));
  // The two masters draw ids from one small pool, so they share some, with different inputs.
  const pool = Array.from({ length: 6 }, () => `${rng.pick(JOB_WORDS)}-${rng.int(1, 10)}`);
  const sends: Array<[string, string, number, number, Task]> = [];
  for (const m of masters) {
    const msgIds = rng.shuffle(Array.from({ length: 60 }, (_, i) => i + 1));
    const ids = rng.shuffle([...new Set(pool)]).slice(0, rng.int(4, 7));
    ids.forEach((id, i) => {
      const task = { id, input: rng.int(-999, 1000) };
      const atMs = ms(rng, 0, 150);
      sends.push([m, rng.pick(workers), atMs, msgIds[2 * i], task]);
      // Sometimes the master reassigns: the same task again, to the same or another worker.
      if (rng.chance(0.3)) sends.push([m, rng.pick(workers), atMs + ms(rng, 20, 80), msgIds[2 * i + 1], task]);
    });
  }
  return { masters, workers, bystanders: names.slice(0, bystanderCount), sends };
}

async function workerWithGraderMasters(sim: Simulation, impl: TaskFarmApi, p: WorkerParams): Promise<void> {
  spawnBystanders(sim, p.bystanders);
  for (const w of p.workers) sim.spawn(w, (node) => impl.worker(node), { role: "worker" });
  for (const m of p.masters) sim.spawn(m, (node) => void node.on("result", () => {}), { role: graderRole("master") });
  for (const [m, w, atMs, msgId, task] of p.sends) {
    sim.at(atMs, () => void sim.node(m).send(w, { type: "task", id: task.id, input: task.input, msg_id: msgId }), `${m} sends a task`);
  }
  try {
    await sim.runFor(1000); // the last task goes out by t=230ms
  } catch (error) {
    checkWorkerReplies(sim.trace.events, p.workers, p.masters, { everyCopy: true });
    throw error;
  }
  checkWorkerReplies(sim.trace.events, p.workers, p.masters, { everyCopy: true });
}

// ---- scenario 3: the student's master with the student's workers ------------------------------

interface PairParams {
  master: string;
  workers: string[];
  bystanders: string[];
  tasks: Task[];
  crashed: string;
  crashAtMs: number;
  slow: string;
}

function pairParams(trial: Trial): PairParams {
  const rng = trial.rng;
  const names = rng.shuffle(NAMES);
  const bystanderCount = rng.int(1, 3);
  const workers = names.slice(bystanderCount + 1, bystanderCount + 1 + rng.int(3, 5));
  const [crashed, slow] = rng.shuffle(workers);
  return {
    master: names[bystanderCount],
    workers,
    bystanders: names.slice(0, bystanderCount),
    tasks: drawTasks(rng, rng.int(8, 15)),
    crashed,
    crashAtMs: ms(rng, 10, 150),
    slow,
  };
}

async function studentPair(sim: Simulation, impl: TaskFarmApi, p: PairParams): Promise<void> {
  spawnBystanders(sim, p.bystanders);
  sim.spawn(p.master, () => {}, { role: "master" });
  for (const w of p.workers) {
    const service = w === p.slow ? latency.uniform(300, 500) : latency.uniform(5, 20);
    sim.spawn(w, (node) => impl.worker(node), { role: "worker", service: { timeMs: service } });
  }
  sim.at(p.crashAtMs, () => sim.crash(p.crashed), `the grader crashes ${p.crashed}`);
  const call = await runMaster(sim, impl, p.master, p.workers, p.tasks);
  throwEarliest(
    () => checkWorkerReplies(sim.trace.events, p.workers, [p.master], { everyCopy: false }),
    () => checkMaster(sim.trace.events, call),
  );
}

/**
 * Grade a task farm with one seed: {@link TRIALS} trials of each scenario.
 *
 * @example
 * await checkTaskFarm(await import("../../../solutions/02-infrastructure/task-farm"), 7); // { status: "pass", … }
 */
export function checkTaskFarm(impl: TaskFarmApi, seed: number): Promise<CheckResult> {
  const masterScenario: Scenario<TaskFarmApi, MasterParams> = {
    name: (p) =>
      `your master "${p.master}" with the grader's workers ${p.workers.map((w) => `"${w.id}" (${w.kind === "crashes" ? `crashes on task ${w.crashOnTask}` : w.kind})`).join(", ")}, ` +
      `${p.tasks.length} tasks, bystanders ${p.bystanders.map((b) => `"${b}"`).join(", ")} spawned first; 5% loss, 10% duplication, unordered links, latency 5–15 ms`,
    trials: TRIALS,
    params: masterParams,
    simulation: { network: { latency: latency.uniform(5, 15), lossProbability: 0.05, duplicationProbability: 0.1, ordering: "unordered" } },
    lanes: (p) => [p.master, ...p.workers.map((w) => w.id)],
    run: masterWithGraderWorkers,
  };
  const workerScenario: Scenario<TaskFarmApi, WorkerParams> = {
    name: (p) =>
      `your workers ${p.workers.map((w) => `"${w}"`).join(", ")} with the grader's masters ${p.masters.map((m) => `"${m}"`).join(", ")} ` +
      `(${p.sends.length} task messages, shared task ids, some reassigned), bystanders ${p.bystanders.map((b) => `"${b}"`).join(", ")} spawned first; ` +
      "20% duplication, unordered links, latency 5–15 ms",
    trials: TRIALS,
    params: workerParams,
    simulation: { network: { latency: latency.uniform(5, 15), duplicationProbability: 0.2, ordering: "unordered" } },
    lanes: (p) => [...p.masters, ...p.workers],
    run: workerWithGraderMasters,
  };
  const pairScenario: Scenario<TaskFarmApi, PairParams> = {
    name: (p) =>
      `your master "${p.master}" with your workers ${p.workers.map((w) => `"${w}"`).join(", ")} (the grader crashes "${p.crashed}" at t=${formatMs(p.crashAtMs)}; ` +
      `"${p.slow}" serves 300–500 ms per message, the others 5–20 ms), ${p.tasks.length} tasks, bystanders ${p.bystanders.map((b) => `"${b}"`).join(", ")} spawned first; ` +
      "5% loss, 10% duplication, unordered links, latency 5–15 ms",
    trials: TRIALS,
    params: pairParams,
    simulation: { network: { latency: latency.uniform(5, 15), lossProbability: 0.05, duplicationProbability: 0.1, ordering: "unordered" } },
    lanes: (p) => [p.master, ...p.workers],
    run: studentPair,
  };
  return runScenarios(impl, seed, [masterScenario, workerScenario, pairScenario], { functions: ["master", "worker"], exercise: "02.3 task-farm" });
}
