/**
 * Check of exercise 11.2 the MapReduce master. Per trial: a bystander first, then the student's
 * master and 2–5 of the library's workers (`mapReduceWorker`, grader nodes) that share one
 * `MapReduceFs` holding 1–7 generated input files; the app (word count or inverted index), the
 * names, nReduce (1–5) and taskTimeoutMs (300–500) are drawn per trial. The workers' `fault` hook
 * applies MIT 6.5840's crash model, driven by the grader's Prng: each attempt exits (the worker
 * crashes mid-task; a new worker process starts on that host {@link RESTART_AFTER_MS} later),
 * stalls (it finishes after stallMs, longer than the timeout: a late duplicate) or runs normally.
 *
 * Scenarios per seed: {@link RANDOM_TRIALS} trials at random rates (exit and stall 0–15% each),
 * and {@link SCRIPTED_TRIALS} each of four scripted runs: a crash mid-map, a crash mid-reduce, a
 * late duplicate finishing after its task was reassigned (a map and a reduce), and more workers
 * than tasks, so that all tasks are busy and workers must be told to `wait`.
 *
 * Rules, checked on every hand-out and report in trace order and after every event:
 * 1. every `task` reply is well formed (map i carries inputFiles[i] and nReduce, reduce carries nMap);
 * 2. no `exit` before every reduce task has reported, and nothing but `exit` afterwards;
 * 3. no reduce task before every map task has reported `task_done`;
 * 4. a task reported done is never handed out again;
 * 5. every hand-out of a task carries a new attempt number;
 * 6. a task goes out again only taskTimeoutMs after its previous hand-out;
 * 7. `done()` is never true while an mr-out-r file is missing or differs from the sequential run,
 *    and it is true within {@link DONE_LAG_MS} of the last reduce report;
 * 8. the job is done within {@link BOUND_MS}, every worker has stopped (it got `exit`), and the
 *    output (mr-out-* lines, sorted) is byte-identical to `runSequential`.
 */
import type { Node } from "../../../lib/node";
import { latency } from "../../../lib/net";
import { formatMs, Prng } from "../../../lib/sim";
import type { Simulation } from "../../../lib/simulation";
import {
  invertedIndex,
  mapReduceWorker,
  MapReduceFs,
  outputName,
  runSequential,
  sortOutputLines,
  wordCount,
  type InputFile,
  type MapReduceApp,
  type MapReduceWorker,
  type MapTask,
  type ReduceTask,
  type WorkerFault,
} from "../../../lib/mapreduce/index";
import { fail, graderRole, runScenarios, spawnBystanders, trialsPerSeed, type CheckResult, type Scenario, type Trial } from "../check";
import { exercise } from "../exercises";
import { fate, sentMessages, type SentMessage } from "../messages";

/** What exercises/11-big-data/master.ts exports. */
export interface MasterApi {
  mapReduceMaster(node: Node, options: { inputFiles: string[]; nReduce: number; taskTimeoutMs: number }): { done(): boolean };
}

type Implements<T extends MasterApi> = T;
export type StubImplementsMaster = Implements<typeof import("../../../exercises/11-big-data/master")>;
export type SolutionImplementsMaster = Implements<typeof import("../../../solutions/11-big-data/master")>;

/** Trials per seed of each scripted scenario. */
export const SCRIPTED_TRIALS = 2;
/** Trials per seed at random fault rates: with the scripted ones, ≥ 135 in all (see check.ts). */
export const RANDOM_TRIALS = trialsPerSeed(exercise("11.2").seeds.length) - 4 * SCRIPTED_TRIALS;
/** Trials per seed over all scenarios. */
export const TRIALS = RANDOM_TRIALS + 4 * SCRIPTED_TRIALS;
/** The job must be done within this much virtual time (the reference needs far less: the meta test prints it). */
export const BOUND_MS = 12_000;
/** done() must be true at most this long after the last reduce task reported. */
export const DONE_LAG_MS = 200;
/** After done, the run goes on this long: nothing but `exit` may go out, and every worker stops. */
export const SETTLE_MS = 1_000;
/** A worker process that exited is replaced on its host after this long. */
export const RESTART_AFTER_MS = 150;
/** A worker sleeps this long after `wait`. */
export const WAIT_MS = 100;

/** What the checks of a seed met (for the meta tests). */
export interface MasterStats {
  trials: number;
  exits: number;
  stalls: number;
  /** Hand-outs of a task that had gone out before. */
  reassignments: number;
  /** Reports of a task that had already reported (late duplicates). */
  duplicates: number;
  waits: number;
  /** Latest virtual time of the last reduce report, over the trials. */
  jobMsMax: number;
  /** Trace events of all trials (the grader's cost). */
  events: number;
}

type Kind = "random" | "crash-map" | "crash-reduce" | "late-duplicate" | "all-busy";

interface Params {
  kind: Kind;
  master: string;
  workers: string[];
  bystander: string;
  inputs: InputFile[];
  nReduce: number;
  taskTimeoutMs: number;
  stallMs: number;
  appName: "wordCount" | "invertedIndex";
  exitRate: number;
  stallRate: number;
  /** Scripted faults: "map 2" → fault of its attempt 0. */
  scripted: Map<string, WorkerFault>;
}

const MASTER_NAMES = ["master", "coordinator", "m", "jobtracker"];
const WORKER_NAMES = ["w1", "w2", "w3", "w4", "w5", "worker-a", "worker-b", "worker-c", "tt1", "tt2", "tt3"];
const VOCABULARY = ["map", "reduce", "shuffle", "sort", "key", "value", "worker", "master", "task", "file", "split", "Google", "GFS", "the", "a", "of", "and", "to", "in", "crash", "straggler", "backup", "combiner", "partition", "Österreich", "naïve", "data"];

function corpus(rng: Prng, files: number): InputFile[] {
  return Array.from({ length: files }, (_, i) => {
    const words = rng.int(0, 10) === 0 ? 0 : rng.int(5, 60);
    let text = "";
    for (let j = 0; j < words; j++) text += rng.pick(VOCABULARY) + rng.pick([" ", " ", ", ", ". ", "\n"]);
    return { file: `pg-${i}-${rng.pick(["alice", "bob", "carol", "dave"])}.txt`, contents: text };
  });
}

function makeParams(kind: Kind, trial: Trial): Params {
  const rng = trial.rng;
  const names = rng.shuffle([...WORKER_NAMES]);
  const taskTimeoutMs = rng.pick([300, 400, 500]);
  const p: Params = {
    kind,
    master: rng.pick(MASTER_NAMES),
    bystander: names[0],
    workers: names.slice(1, 1 + rng.int(2, 6)),
    inputs: corpus(rng, rng.int(1, 8)),
    nReduce: rng.int(1, 6),
    taskTimeoutMs,
    stallMs: Math.round(taskTimeoutMs * rng.uniform(1.3, 2.5)),
    appName: rng.chance(0.5) ? "wordCount" : "invertedIndex",
    exitRate: 0,
    stallRate: 0,
    scripted: new Map(),
  };
  if (kind === "random") {
    p.exitRate = rng.uniform(0, 0.15);
    p.stallRate = rng.uniform(0, 0.15);
  } else if (kind === "crash-map") {
    if (p.inputs.length < 2) p.inputs = corpus(rng, rng.int(2, 8));
    p.scripted.set(`map ${rng.int(0, p.inputs.length)}`, "exit");
  } else if (kind === "crash-reduce") {
    p.nReduce = rng.int(2, 6);
    p.scripted.set(`reduce ${rng.int(0, p.nReduce)}`, "exit");
  } else if (kind === "late-duplicate") {
    // Just longer than the timeout: the task goes out again, and then the first attempt reports too.
    p.stallMs = taskTimeoutMs + rng.int(150, 220);
    p.nReduce = rng.int(2, 6);
    p.scripted.set(`map ${rng.int(0, p.inputs.length)}`, "stall");
    p.scripted.set(`reduce ${rng.int(0, p.nReduce)}`, "stall");
  } else {
    p.workers = names.slice(1, 1 + rng.int(4, 6));
    p.inputs = corpus(rng, rng.int(1, 3));
    p.nReduce = rng.int(1, 3);
    p.scripted.set("map 0", "stall");
  }
  return p;
}

/** What became of one attempt, by the fault hook. */
interface Fate {
  worker: string;
  fault: WorkerFault;
  atMs: number;
}

interface Handout {
  index: number;
  timeMs: number;
  m: SentMessage;
  worker: string;
  task: Record<string, unknown>;
}

interface Report {
  index: number;
  timeMs: number;
  m: SentMessage;
  kind: string;
  taskId: number;
  attempt: number;
}

interface DoneSeen {
  index: number;
  timeMs: number;
  missing: string[];
  /** The first differing line of the output, if every file exists but the output is wrong. */
  wrong?: string;
}

const show = (x: unknown): string => (x === undefined ? "undefined" : (JSON.stringify(x) ?? String(x)));

function taskText(task: Record<string, unknown>): string {
  if (task.kind === "map") return `map ${show(task.taskId)} attempt ${show(task.attempt)}`;
  if (task.kind === "reduce") return `reduce ${show(task.taskId)} attempt ${show(task.attempt)}`;
  return typeof task.kind === "string" ? task.kind : show(task);
}

/** A task reply in the diagram's words. */
function handoutText(h: Handout): string {
  return `${h.m.send.src} → ${h.worker} task ${taskText(h.task)} (in_reply_to ${h.m.send.inReplyTo ?? "none"}), ${fate(h.m)}`;
}

function reportText(r: Report): string {
  return `${r.m.send.src} → ${r.m.send.dest} task_done ${r.kind} ${r.taskId} attempt ${r.attempt} (msg_id #${r.m.send.msgId ?? "none"}), ${fate(r.m)}`;
}

/** The first line where two outputs differ, in words. */
function firstDifference(want: string, got: string): string {
  const w = want.split("\n");
  const g = got.split("\n");
  const i = w.findIndex((line, j) => g[j] !== line);
  const k = i < 0 ? w.length : i;
  return `line ${k + 1} is ${show(g[k] ?? "no line")}, runSequential has ${show(w[k] ?? "no line")}`;
}

/** The output now, from exactly mr-out-0 … mr-out-(nReduce−1). */
function outputOf(fs: MapReduceFs, nReduce: number): string {
  let all = "";
  for (let r = 0; r < nReduce; r++) if (fs.exists(outputName(r))) all += fs.read(outputName(r));
  return sortOutputLines(all);
}

interface Run {
  p: Params;
  fs: MapReduceFs;
  expected: string;
  fates: Map<string, Fate>;
  workers: Map<string, MapReduceWorker>;
  doneSeen?: DoneSeen;
  doneError?: string;
}

/** Rules 1–7 over the trace, in order; then rule 8. */
function judge(sim: Simulation, run: Run, stats?: MasterStats): void {
  const { p } = run;
  const nMap = p.inputs.length;
  const at = (timeMs: number, evidence: number[] = []) => ({ timeMs, node: p.master, evidence });
  const sent = sentMessages(sim.trace.events, (e) => (e.src === p.master && e.type === "task") || (e.dest === p.master && e.type === "task_done"));
  const facts: Array<{ index: number; handout?: Handout; report?: Report }> = [];
  for (const m of sent) {
    if (m.send.type === "task") {
      const task = (m.body.task ?? {}) as Record<string, unknown>;
      facts.push({ index: m.index, handout: { index: m.index, timeMs: m.send.timeMs, m, worker: m.send.dest, task } });
    } else {
      for (const d of m.delivered) {
        facts.push({ index: d.index, report: { index: d.index, timeMs: d.event.timeMs, m, kind: String(m.body.kind), taskId: Number(m.body.taskId), attempt: Number(m.body.attempt) } });
      }
    }
  }
  facts.sort((a, b) => a.index - b.index);

  const reported = new Map<string, Report>();
  const mapsLeft = new Set(Array.from({ length: nMap }, (_, i) => i));
  const reducesLeft = new Set(Array.from({ length: p.nReduce }, (_, r) => r));
  const last = new Map<string, Handout>();
  const attempts = new Map<string, Map<number, Handout>>();
  let completed: Report | undefined;
  const reports: Report[] = [];
  const doneSeen = run.doneSeen;
  let doneChecked = false;

  const checkDone = (): void => {
    if (doneSeen === undefined || doneChecked) return;
    doneChecked = true;
    if (doneSeen.missing.length === 0 && doneSeen.wrong === undefined) return;
    const distinct = new Set(reports.map((r) => `${r.kind} ${r.taskId}`));
    const twice = reports.filter((r, i) => reports.findIndex((x) => x.kind === r.kind && x.taskId === r.taskId) !== i);
    const dup = twice[0];
    const counted =
      `; the master had received ${reports.length} task_done reports for ${distinct.size} distinct tasks of ${nMap + p.nReduce}` +
      (dup ? ` (${dup.kind} ${dup.taskId} reported again by attempt ${dup.attempt} at t=${formatMs(dup.timeMs)}: count tasks, not reports)` : "");
    fail(
      `done() to stay false until every mr-out-r (r < ${p.nReduce}) exists and the output equals runSequential`,
      doneSeen.missing.length > 0
        ? `done() was true at t=${formatMs(doneSeen.timeMs)} while ${doneSeen.missing.join(", ")} did not exist${counted}`
        : `done() was true at t=${formatMs(doneSeen.timeMs)} with a wrong output: ${doneSeen.wrong}`,
      at(doneSeen.timeMs, dup ? [dup.m.send.id] : []),
    );
  };

  for (const f of facts) {
    if (doneSeen && f.index > doneSeen.index) checkDone();
    if (f.report) {
      const r = f.report;
      const key = `${r.kind} ${r.taskId}`;
      reports.push(r);
      if (reported.has(key)) {
        if (stats) stats.duplicates++;
        continue;
      }
      reported.set(key, r);
      if (r.kind === "map") mapsLeft.delete(r.taskId);
      else reducesLeft.delete(r.taskId);
      if (reducesLeft.size === 0 && completed === undefined) completed = r;
      continue;
    }
    const h = f.handout!;
    const task = h.task;
    const kind = task.kind;
    if (kind === "wait") {
      if (stats) stats.waits++;
      if (completed) fail(`every get_task after the job is done (the last reduce task reported at t=${formatMs(completed.timeMs)}) to be answered { kind: "exit" }, so the workers stop`, `${handoutText(h)} — a wait: the worker will ask forever`, at(h.timeMs, [h.m.send.id, completed.m.send.id]));
      continue;
    }
    if (kind === "exit") {
      if (!completed) {
        const left = [...mapsLeft].map((i) => `map ${i}`).concat([...reducesLeft].map((r) => `reduce ${r}`));
        fail(`exit only once every reduce task has reported task_done`, `${handoutText(h)} while ${left.slice(0, 4).join(", ")}${left.length > 4 ? ", …" : ""} had not reported — that worker stops for good`, at(h.timeMs, [h.m.send.id]));
      }
      continue;
    }
    if (kind !== "map" && kind !== "reduce") fail(`every reply to get_task to be { type: "task", task } with task.kind "map", "reduce", "wait" or "exit"`, `${h.m.send.src} → ${h.worker} task with task ${show(task)}`, at(h.timeMs, [h.m.send.id]));
    const id = task.taskId as number;
    const count = kind === "map" ? nMap : p.nReduce;
    if (!Number.isInteger(id) || id < 0 || id >= count) fail(`a ${kind} task's taskId to be an integer 0 … ${count - 1}`, `${handoutText(h)}`, at(h.timeMs, [h.m.send.id]));
    if (!Number.isInteger(task.attempt) || (task.attempt as number) < 0) fail(`every hand-out to carry attempt, a number 0, 1, 2, … per task`, `${handoutText(h)}`, at(h.timeMs, [h.m.send.id]));
    if (kind === "map" && (task.file !== p.inputs[id].file || task.nReduce !== p.nReduce)) {
      fail(`map task ${id} to carry file ${show(p.inputs[id].file)} (inputFiles[${id}]) and nReduce ${p.nReduce}`, `${h.m.send.src} → ${h.worker} task ${show(task)}`, at(h.timeMs, [h.m.send.id]));
    }
    if (kind === "reduce" && task.nMap !== nMap) fail(`reduce task ${id} to carry nMap ${nMap} (inputFiles.length)`, `${h.m.send.src} → ${h.worker} task ${show(task)}`, at(h.timeMs, [h.m.send.id]));
    if (completed) fail(`every get_task after the job is done (the last reduce task reported at t=${formatMs(completed.timeMs)}) to be answered { kind: "exit" }`, `${handoutText(h)}`, at(h.timeMs, [h.m.send.id, completed.m.send.id]));
    const key = `${kind} ${id}`;
    if (kind === "reduce" && mapsLeft.size > 0) {
      const waiting = [...mapsLeft];
      const lastMap = last.get(`map ${waiting[0]}`);
      fail(
        `no reduce task before every map task has reported task_done (reduce ${id} reads mr-i-${id} of every map i)`,
        `${handoutText(h)} while map ${waiting.join(", ")} had not reported${lastMap ? ` (map ${waiting[0]} was last handed out at t=${formatMs(lastMap.timeMs)})` : " (and was never handed out)"}`,
        at(h.timeMs, lastMap ? [h.m.send.id, lastMap.m.send.id] : [h.m.send.id]),
      );
    }
    const done = reported.get(key);
    if (done) {
      const later = [...run.fates.values()].find((x) => x.worker === done.m.send.src && x.atMs >= done.timeMs && x.atMs <= h.timeMs && x.fault !== "normal");
      fail(
        `${key} never to be handed out again after its task_done arrived (${reportText(done)}): its output is in the shared file system, a later crash of its worker loses nothing`,
        `${handoutText(h)}${later ? ` — after ${done.m.send.src}, which had completed it, ${later.fault === "exit" ? "crashed" : "stalled"} on a later task at t=${formatMs(later.atMs)}` : ""}`,
        at(h.timeMs, [h.m.send.id, done.m.send.id]),
      );
    }
    const byAttempt = attempts.get(key) ?? new Map<number, Handout>();
    attempts.set(key, byAttempt);
    const same = byAttempt.get(task.attempt as number);
    if (same) {
      fail(
        `every hand-out of ${key} to carry a new attempt number (two attempts may run at once; the worker names its temp files and its task_done by it)`,
        `${handoutText(h)} — attempt ${show(task.attempt)} again: ${handoutText(same)}`,
        at(h.timeMs, [h.m.send.id, same.m.send.id]),
      );
    }
    byAttempt.set(task.attempt as number, h);
    const prev = last.get(key);
    if (prev) {
      if (stats) stats.reassignments++;
      const gap = h.timeMs - prev.timeMs;
      if (gap < p.taskTimeoutMs) {
        fail(
          `${key} handed out again only taskTimeoutMs = ${p.taskTimeoutMs} ms after its previous hand-out (${handoutText(prev)}), if it has not reported by then — the first attempt may just be slow`,
          `${handoutText(h)} — only ${formatMs(gap)} later`,
          at(h.timeMs, [h.m.send.id, prev.m.send.id]),
        );
      }
    }
    last.set(key, h);
  }
  checkDone();

  // Rule 8.
  const stuck = (): string => {
    const left = [...mapsLeft].map((i) => `map ${i}`).concat(mapsLeft.size > 0 ? [] : [...reducesLeft].map((r) => `reduce ${r}`));
    const parts = left.slice(0, 3).map((key) => {
      const h = last.get(key);
      if (!h) return `${key} was never handed out`;
      const f = run.fates.get(`${key} ${h.task.attempt as number}`);
      const why = f?.fault === "exit" ? ` and its worker crashed mid-task (the attempt exited)` : f?.fault === "stall" ? " and the attempt stalled" : "";
      return `${key} was last handed out at t=${formatMs(h.timeMs)} (attempt ${show(h.task.attempt)} to ${h.worker})${why}, and never again`;
    });
    return parts.join("; ");
  };
  const end = sim.now();
  if (completed === undefined) {
    fail(
      `the job to be done within ${BOUND_MS} ms: every task reported task_done and done() true — a task whose attempt is older than taskTimeoutMs = ${p.taskTimeoutMs} ms goes out again`,
      `it never converged within ${BOUND_MS} ms: ${stuck() || "every task had reported"}`,
      at(end),
    );
  }
  if (doneSeen === undefined) fail(`done() to be true once every reduce task has reported (the last at t=${formatMs(completed.timeMs)})`, `done() was still false at t=${formatMs(end)}${run.doneError ? `; it threw ${run.doneError}` : ""}`, at(end, [completed.m.send.id]));
  if (doneSeen.timeMs > completed.timeMs + DONE_LAG_MS) {
    fail(`done() to be true within ${DONE_LAG_MS} ms of the last reduce report (${reportText(completed)})`, `done() became true only at t=${formatMs(doneSeen.timeMs)}`, at(doneSeen.timeMs, [completed.m.send.id]));
  }
  const output = outputOf(run.fs, p.nReduce);
  if (output !== run.expected) fail(`the output (mr-out-* lines, sorted) to be byte-identical to runSequential(${p.appName}, inputs)`, firstDifference(run.expected, output), at(end));
  const running = [...run.workers].filter(([, w]) => !w.stopped()).map(([id]) => id);
  if (running.length > 0) {
    fail(`every worker to stop after the job is done: each get_task gets { kind: "exit" }`, `${running.join(", ")} still running ${SETTLE_MS} ms after done()`, at(end));
  }
  if (stats) stats.jobMsMax = Math.max(stats.jobMsMax, completed.timeMs);
  if (stats) stats.events += sim.trace.events.length;
}

function scenario(kind: Kind, trials: number, label: string, stats?: MasterStats): Scenario<MasterApi, Params> {
  return {
    name: (p) =>
      `${label}: your master ${p.master} with ${p.workers.length} library workers (${p.workers.join(", ")}), ${p.inputs.length} input files, ` +
      `nReduce ${p.nReduce}, ${p.appName}, taskTimeoutMs ${p.taskTimeoutMs}, stallMs ${p.stallMs}` +
      (kind === "random" ? `, exit ${Math.round(p.exitRate * 100)}% and stall ${Math.round(p.stallRate * 100)}% of attempts` : `, scripted: ${[...p.scripted].map(([k, f]) => `${k} attempt 0 ${f === "exit" ? "exits" : "stalls"}`).join(", ")}`),
    trials,
    params: (trial) => makeParams(kind, trial),
    simulation: { network: { latency: latency.uniform(1, 8), ordering: "unordered" } },
    lanes: (p) => [p.master, ...p.workers],
    run: async (sim, impl, p, trial) => {
      if (stats) stats.trials++;
      const fs = new MapReduceFs();
      for (const f of p.inputs) fs.write(f.file, f.contents);
      const app: MapReduceApp = p.appName === "wordCount" ? wordCount : invertedIndex;
      const run: Run = { p, fs, expected: runSequential(app, p.inputs), fates: new Map(), workers: new Map() };
      const faults = new Prng(trial.seed).split("faults");
      spawnBystanders(sim, [p.bystander]);
      let handle: { done(): boolean } | undefined;
      sim.spawn(p.master, (node) => {
        handle = impl.mapReduceMaster(node, { inputFiles: p.inputs.map((f) => f.file), nReduce: p.nReduce, taskTimeoutMs: p.taskTimeoutMs });
      }, { role: "master" });
      for (const id of p.workers) {
        const fault = (task: MapTask | ReduceTask): WorkerFault => {
          const key = `${task.kind} ${task.taskId}`;
          let f: WorkerFault = "normal";
          if (p.kind === "random") {
            const x = faults.float();
            f = x < p.exitRate ? "exit" : x < p.exitRate + p.stallRate ? "stall" : "normal";
          } else if (task.attempt === 0 && p.scripted.has(key)) f = p.scripted.get(key)!;
          if (!run.fates.has(`${key} ${task.attempt}`)) run.fates.set(`${key} ${task.attempt}`, { worker: id, fault: f, atMs: sim.now() });
          if (stats && f === "exit") stats.exits++;
          if (stats && f === "stall") stats.stalls++;
          return f;
        };
        sim.spawn(id, (node) => {
          run.workers.set(id, mapReduceWorker(node, { master: p.master, app, fs, fault, stallMs: p.stallMs, restartAfterMs: RESTART_AFTER_MS, waitMs: WAIT_MS, taskOverheadMs: 10, msPerByte: 0.05 }));
        }, { role: graderRole("worker") });
      }
      sim.invariant("done() only when every mr-out-r is there and right", () => {
        if (run.doneSeen !== undefined || handle === undefined || run.doneError !== undefined) return true;
        let d: unknown;
        try {
          d = handle.done();
        } catch (error) {
          run.doneError = error instanceof Error ? error.message : String(error);
          return true;
        }
        if (d !== true) return true;
        const missing: string[] = [];
        for (let r = 0; r < p.nReduce; r++) if (!fs.exists(outputName(r))) missing.push(outputName(r));
        const seen: DoneSeen = { index: sim.trace.events.length - 1, timeMs: sim.now(), missing };
        if (missing.length === 0) {
          const output = outputOf(fs, p.nReduce);
          if (output !== run.expected) seen.wrong = firstDifference(run.expected, output);
        }
        run.doneSeen = seen;
        return true;
      });
      const finished = (): boolean => {
        if (run.doneSeen === undefined) return false;
        for (const w of run.workers.values()) if (!w.stopped()) return false;
        return true;
      };
      await sim.runUntil(finished, { withinMs: BOUND_MS, throwOnTimeout: false });
      if (run.doneSeen !== undefined) await sim.runFor(SETTLE_MS);
      judge(sim, run, stats);
    },
  };
}

/**
 * Check exercise 11.2 with one grader seed.
 *
 * @example
 * const result = await checkMaster(await loadTarget("11-big-data/master"), 7);
 */
export function checkMaster(impl: MasterApi, seed: number, stats?: MasterStats): Promise<CheckResult> {
  return runScenarios(
    impl,
    seed,
    [
      scenario("crash-map", SCRIPTED_TRIALS, "a worker crashes mid-map", stats),
      scenario("crash-reduce", SCRIPTED_TRIALS, "a worker crashes mid-reduce", stats),
      scenario("late-duplicate", SCRIPTED_TRIALS, "a stalled attempt reports after its task was reassigned", stats),
      scenario("all-busy", SCRIPTED_TRIALS, "more workers than tasks, the first map stalls", stats),
      scenario("random", RANDOM_TRIALS, "seeded crash model", stats),
    ],
    { functions: ["mapReduceMaster"], exercise: "11.2 master" },
  );
}
