// Uncoordinated checkpoints and the domino effect. Each process saves its state whenever it likes,
// without asking the others; after a failure the system must restart from a *consistent* set of
// checkpoints, the recovery line: no checkpoint may remember receiving a message that its
// sender's checkpoint does not remember sending (an orphan message). Rolling one process back can
// turn a message it sent into an orphan, which rolls its receiver back, and so on — in the worst
// case every process falls back to its initial state (the domino effect, Randell 1975, "System
// structure for software fault tolerance", §4). The survey this follows: Elnozahy, Alvisi, Wang &
// Johnson, "A survey of rollback-recovery protocols in message-passing systems" (ACM Computing
// Surveys 2002), §2.2 (consistent states), §2.4 (the rollback-dependency graph) and §3.1
// (uncoordinated checkpointing).
import type { Node } from "../node/index";
import { Simulation } from "../simulation/index";
import { latency as latencies } from "../net/index";
import { toSequenceDiagram } from "../trace/index";
import { mermaidLabel } from "../trace/mermaid-escape";
import { checkInteger, checkPositive, failureError } from "../failure/errors";

/** One local checkpoint: `C<process>,<index>` in the survey's notation; index 0 is the initial state. */
export interface LocalCheckpoint {
  process: string;
  index: number;
  atMs: number;
  /** Position in the process's own sequence of events: the checkpoint holds every event before it. */
  step: number;
}

/** One application message that arrived (messages still in flight at the failure cannot be orphans). */
export interface RecordedMessage {
  from: string;
  to: string;
  sentMs: number;
  receivedMs: number;
  /** The sender's event step of the send, and the receiver's of the receipt. */
  sendStep: number;
  receiveStep: number;
}

/** What a run of uncoordinated checkpointing left behind: the input of {@link recoveryLine}. */
export interface CheckpointRecord {
  processes: string[];
  /** Per process, its checkpoints in order; `[0]` is the initial state. */
  checkpoints: Record<string, LocalCheckpoint[]>;
  messages: RecordedMessage[];
  /** When the failure happened (the end of the record). */
  failAtMs: number;
}

/** Where one process restarts from, in a recovery line. */
export interface RecoveryPoint {
  process: string;
  /** Index of the checkpoint it rolls back to, or `null`: it keeps its current state (survivors only). */
  checkpoint: number | null;
  /** When that checkpoint was taken (`failAtMs` for a process that keeps its state). */
  atMs: number;
  /** Checkpoints discarded: taken after the one it restarts from. */
  rolledBack: number;
  /** Work lost: `failAtMs − atMs`. */
  rollbackMs: number;
}

/** The recovery line: one {@link RecoveryPoint} per process, in the record's process order. */
export interface RecoveryLine {
  failed: string[];
  points: RecoveryPoint[];
  /** True when every process is back at its initial state (checkpoint 0): the full domino effect. */
  toInitialState: boolean;
  /** The orphan messages that forced a rollback, in the order they were found. */
  orphans: RecordedMessage[];
}

/**
 * The most recent consistent set of checkpoints after `failed` processes lose their volatile
 * state. A failed process starts at its latest checkpoint; a survivor starts at its current state.
 * While some message is an orphan (its receipt lies before the receiver's restart point, its send
 * after the sender's), the receiver rolls back to its latest checkpoint taken before that receipt.
 * The iteration is the rollback propagation of the survey's §2.4; it ends, at worst, at the
 * initial states, which are always consistent.
 *
 * @example
 * const { record } = await dominoScenario();
 * const line = recoveryLine(record, ["p1"]);
 * line.points.map((p) => p.checkpoint); // [0, 0, 0]: the domino effect
 * line.toInitialState;                  // true
 */
export function recoveryLine(record: CheckpointRecord, failed: string | readonly string[]): RecoveryLine {
  const where = "recoveryLine";
  const failedList = typeof failed === "string" ? [failed] : [...failed];
  for (const p of failedList) {
    if (!record.processes.includes(p)) throw failureError(`${where}: unknown failed process "${p}" (processes: ${record.processes.join(", ")})`, { timeMs: record.failAtMs });
  }
  // cut[p] = the step p restarts at (events before it are kept); Infinity = its current state.
  const cut = new Map<string, number>();
  const chosen = new Map<string, number | null>();
  for (const p of record.processes) {
    const cps = record.checkpoints[p];
    if (!cps || cps.length === 0) throw failureError(`${where}: process "${p}" has no checkpoint (index 0 is its initial state)`, { timeMs: record.failAtMs });
    if (failedList.includes(p)) {
      cut.set(p, cps[cps.length - 1].step);
      chosen.set(p, cps.length - 1);
    } else {
      cut.set(p, Infinity);
      chosen.set(p, null);
    }
  }
  const orphans: RecordedMessage[] = [];
  let changed = true;
  while (changed) {
    changed = false;
    for (const m of record.messages) {
      const received = m.receiveStep < (cut.get(m.to) as number);
      const unsent = m.sendStep >= (cut.get(m.from) as number);
      if (!received || !unsent) continue;
      const cps = record.checkpoints[m.to];
      let k = cps.length - 1;
      while (k > 0 && cps[k].step > m.receiveStep) k--;
      cut.set(m.to, cps[k].step);
      chosen.set(m.to, k);
      orphans.push(m);
      changed = true;
    }
  }
  const points = record.processes.map((p): RecoveryPoint => {
    const cps = record.checkpoints[p];
    const k = chosen.get(p) as number | null;
    const atMs = k === null ? record.failAtMs : cps[k].atMs;
    return { process: p, checkpoint: k, atMs, rolledBack: k === null ? 0 : cps.length - 1 - k, rollbackMs: record.failAtMs - atMs };
  });
  return { failed: failedList, points, toInitialState: points.every((p) => p.checkpoint === 0), orphans };
}

/** Records checkpoints and messages as they happen, each with its step in its process's history. */
class CheckpointRecorder {
  readonly checkpoints: Record<string, LocalCheckpoint[]> = {};
  readonly messages: RecordedMessage[] = [];
  private readonly steps = new Map<string, number>();

  constructor(readonly processes: string[]) {
    for (const p of processes) {
      this.checkpoints[p] = [{ process: p, index: 0, atMs: 0, step: 0 }];
      this.steps.set(p, 0);
    }
  }

  private nextStep(p: string): number {
    const s = (this.steps.get(p) as number) + 1;
    this.steps.set(p, s);
    return s;
  }

  checkpoint(node: Node): LocalCheckpoint {
    const list = this.checkpoints[node.id];
    const cp: LocalCheckpoint = { process: node.id, index: list.length, atMs: node.now(), step: this.nextStep(node.id) };
    list.push(cp);
    node.storage.set(`checkpoint/${cp.index}`, { atMs: cp.atMs, step: cp.step });
    node.log(`C${node.id.replace(/^p/, "")},${cp.index}`);
    return cp;
  }

  send(node: Node, to: string): void {
    node.send(to, { type: "app", sentMs: node.now(), sendStep: this.nextStep(node.id) });
  }

  receive(node: Node, body: { sentMs: number; sendStep: number }, from: string): void {
    this.messages.push({ from, to: node.id, sentMs: body.sentMs, receivedMs: node.now(), sendStep: body.sendStep, receiveStep: this.nextStep(node.id) });
  }

  record(failAtMs: number): CheckpointRecord {
    return { processes: [...this.processes], checkpoints: this.checkpoints, messages: this.messages, failAtMs };
  }
}

/** Options of {@link runUncoordinatedCheckpoints}. */
export interface UncoordinatedOptions {
  seed?: number;
  /** Number of processes, named p1…pN. Default 3. */
  processes?: number;
  /** Mean time between one process's checkpoints; each gap is drawn from [0.5, 1.5) × this. Default 100 ms. */
  checkpointIntervalMs?: number;
  /** Mean time between one process's sends (exponential gaps) to a random peer. Default 20 ms. */
  messageIntervalMs?: number;
  /** The failure happens at this time. Default 1,000 ms. */
  failAtMs?: number;
  /** The process that fails. Default `"p1"`. */
  failed?: string;
}

/** What {@link runUncoordinatedCheckpoints} returns. */
export interface UncoordinatedRun {
  seed: number;
  record: CheckpointRecord;
  /** The recovery line for the failure. */
  line: RecoveryLine;
  /** The simulation, for diagrams (`checkpointDiagram`). */
  simulation: Simulation;
}

/**
 * Processes that checkpoint at their own times while sending each other messages; at `failAtMs`
 * one of them crashes and the recovery line is computed. Each checkpoint is written to the node's
 * storage and logged as `C<i>,<k>` (a note in `checkpointDiagram`).
 *
 * @example
 * const run = await runUncoordinatedCheckpoints({ seed: 1, processes: 3, checkpointIntervalMs: 100 });
 * run.line.points; // per process: the checkpoint it rolls back to and how many it discarded
 */
export async function runUncoordinatedCheckpoints(options: UncoordinatedOptions = {}): Promise<UncoordinatedRun> {
  const where = "runUncoordinatedCheckpoints";
  const seed = checkInteger(where, "seed", options.seed ?? 1, 0, {});
  const n = checkInteger(where, "processes", options.processes ?? 3, 2, {});
  const checkpointIntervalMs = checkPositive(where, "checkpointIntervalMs", options.checkpointIntervalMs ?? 100, {});
  const messageIntervalMs = checkPositive(where, "messageIntervalMs", options.messageIntervalMs ?? 20, {});
  const failAtMs = checkPositive(where, "failAtMs", options.failAtMs ?? 1000, {});
  const ids = Array.from({ length: n }, (_, i) => `p${i + 1}`);
  const failed = options.failed ?? "p1";
  if (!ids.includes(failed)) throw failureError(`${where}: failed must be one of ${ids.join(", ")}, got ${JSON.stringify(failed)}`, {});

  const sim = new Simulation({ seed, network: { latency: latencies.uniform(2, 10) } });
  const recorder = new CheckpointRecorder(ids);
  for (const id of ids) {
    sim.spawn(id, (node) => {
      node.log(`C${id.replace(/^p/, "")},0`);
      node.on("app", (m) => recorder.receive(node, m.body as unknown as { sentMs: number; sendStep: number }, m.src));
      const peers = ids.filter((p) => p !== id);
      const nextCheckpoint = (): void => {
        node.setTimer(checkpointIntervalMs * node.rng.uniform(0.5, 1.5), () => {
          recorder.checkpoint(node);
          nextCheckpoint();
        }, "checkpoint");
      };
      const nextSend = (): void => {
        node.setTimer(node.rng.exponential(messageIntervalMs), () => {
          recorder.send(node, node.rng.pick(peers));
          nextSend();
        }, "send");
      };
      nextCheckpoint();
      nextSend();
    });
  }
  sim.at(failAtMs, () => sim.crash(failed), `crash ${failed}`);
  await sim.runFor(failAtMs);
  const record = recorder.record(failAtMs);
  return { seed, record, line: recoveryLine(record, failed), simulation: sim };
}

/** What {@link dominoScenario} returns. */
export interface DominoScenario {
  record: CheckpointRecord;
  line: RecoveryLine;
  simulation: Simulation;
  /** Mermaid sequence diagram: messages as arrows, checkpoints as notes, the recovery line at the end. */
  diagram: string;
}

/**
 * A crafted run of three processes where the crash of p1 rolls every process back to its initial
 * state. p1 and p2 exchange messages so that between any two checkpoints of one there is a
 * message from the other (sent after the other's checkpoint): p1 fails and restarts from C1,3,
 * which makes p2's receipt of p1's last message an orphan, p2 falls back behind C2,2, which
 * orphans p1's receipt of b2, and so on down to C1,0 and C2,0; p3 received a message p2 sent
 * after C2,0, so it falls to C3,0 as well. Latency is a constant 10 ms.
 *
 * @example
 * const { line, diagram } = await dominoScenario();
 * line.toInitialState; // true
 * showMermaid(diagram, { file: "diagrams/08-redundancy-and-recovery/domino.mmd", title: "The domino effect" });
 */
export async function dominoScenario(): Promise<DominoScenario> {
  const sim = new Simulation({ seed: 1, network: { latency: latencies.constant(10) } });
  const ids = ["p1", "p2", "p3"];
  const recorder = new CheckpointRecorder(ids);
  const nodes = new Map<string, Node>();
  for (const id of ids) {
    nodes.set(id, sim.spawn(id, (node) => {
      node.log(`C${id.replace(/^p/, "")},0`);
      node.on("app", (m) => recorder.receive(node, m.body as unknown as { sentMs: number; sendStep: number }, m.src));
    }));
  }
  const send = (atMs: number, from: string, to: string): void => sim.at(atMs, () => recorder.send(nodes.get(from) as Node, to), `${from} sends to ${to}`);
  const checkpoint = (atMs: number, p: string): void => sim.at(atMs, () => { recorder.checkpoint(nodes.get(p) as Node); }, `${p} checkpoints`);
  send(2, "p2", "p1"); // b0, arrives 12
  checkpoint(15, "p1"); // C1,1
  send(20, "p1", "p2"); // a1, arrives 30
  send(35, "p2", "p3"); // c, arrives 45
  checkpoint(40, "p2"); // C2,1
  send(50, "p2", "p1"); // b1, arrives 60
  checkpoint(55, "p3"); // C3,1
  checkpoint(70, "p1"); // C1,2
  send(80, "p1", "p2"); // a2, arrives 90
  checkpoint(100, "p2"); // C2,2
  send(110, "p2", "p1"); // b2, arrives 120
  checkpoint(130, "p1"); // C1,3
  send(140, "p1", "p2"); // a3, arrives 150
  checkpoint(160, "p2"); // C2,3
  const failAtMs = 170;
  sim.at(failAtMs, () => sim.crash("p1"), "crash p1");
  await sim.runFor(failAtMs);
  const record = recorder.record(failAtMs);
  const line = recoveryLine(record, "p1");
  return { record, line, simulation: sim, diagram: checkpointDiagram(sim, { line, title: "Uncoordinated checkpoints: one crash, every process back to its start" }) };
}

/** Options of {@link checkpointDiagram}. */
export interface CheckpointDiagramOptions {
  /** Add a final note naming each process's restart point. */
  line?: RecoveryLine;
  title?: string;
  /** At most this many arrows (default 120). */
  maxMessages?: number;
  /** Stamp arrows and notes with their virtual time (default false). */
  showTime?: boolean;
}

/**
 * A sequence diagram of a checkpointing run: application messages as arrows, each checkpoint as a
 * note (`C1,2` over p1), the crash as a note, and optionally the recovery line at the end.
 *
 * @example
 * const run = await runUncoordinatedCheckpoints({ seed: 3, failAtMs: 300 });
 * showMermaid(checkpointDiagram(run.simulation, { line: run.line }), { file: "diagrams/08-redundancy-and-recovery/checkpoints.mmd" });
 */
export function checkpointDiagram(simulation: Simulation, options: CheckpointDiagramOptions = {}): string {
  let text = toSequenceDiagram(simulation.trace, { showLogs: true, showTime: options.showTime ?? false, title: options.title, maxMessages: options.maxMessages ?? 120 });
  if (options.line) {
    // Lane ids as toSequenceDiagram chose them (names like "p1" get generated ids and a label).
    const lanes = [...text.matchAll(/^ {2}participant (\S+)/gm)].map((m) => m[1]);
    const parts = options.line.points.map((p) => `${p.process} → ${p.checkpoint === null ? "its current state" : `C${p.process.replace(/^p/, "")},${p.checkpoint}`}`);
    if (lanes.length > 0) text += `\n  Note over ${lanes[0]},${lanes[lanes.length - 1]}: ${mermaidLabel(`recovery line: ${parts.join(", ")}`)}`;
  }
  return text;
}

/** Options of {@link measureRollback}. */
export interface RollbackMeasureOptions {
  /** The checkpoint intervals to compare. */
  checkpointIntervalsMs: readonly number[];
  /** Seeds per interval. Default [1, …, 10]. */
  seeds?: readonly number[];
  processes?: number;
  messageIntervalMs?: number;
  failAtMs?: number;
}

/** One row of {@link measureRollback}: averages over the seeds. */
export interface RollbackRow {
  checkpointIntervalMs: number;
  runs: number;
  /** Mean checkpoints discarded per process. */
  rolledBackMean: number;
  /** Mean work lost per process, ms (0 for a survivor that keeps its state). */
  rollbackMsMean: number;
  /** The worst process's loss, averaged over the runs, ms. */
  rollbackMsWorstMean: number;
  /** Share of runs in which every process fell back to its initial state. */
  toInitialShare: number;
}

/**
 * Rollback distance against checkpoint interval, over seeds: one row per interval. With messages
 * much more frequent than checkpoints, nearly every checkpoint interval holds a message each way,
 * and the domino effect throws away most of the run whatever the interval.
 *
 * @example
 * const rows = await measureRollback({ checkpointIntervalsMs: [25, 50, 100, 200], seeds: [1, 2, 3] });
 * console.log(formatTable(rows));
 */
export async function measureRollback(options: RollbackMeasureOptions): Promise<RollbackRow[]> {
  const where = "measureRollback";
  if (!Array.isArray(options?.checkpointIntervalsMs) || options.checkpointIntervalsMs.length === 0) {
    throw failureError(`${where}: checkpointIntervalsMs must be a non-empty array of numbers, got ${JSON.stringify(options?.checkpointIntervalsMs)}`, {});
  }
  const seeds = options.seeds ?? Array.from({ length: 10 }, (_, i) => i + 1);
  const rows: RollbackRow[] = [];
  for (const checkpointIntervalMs of options.checkpointIntervalsMs) {
    let rolledBack = 0;
    let rollbackMs = 0;
    let worst = 0;
    let toInitial = 0;
    let points = 0;
    for (const seed of seeds) {
      const run = await runUncoordinatedCheckpoints({
        seed,
        checkpointIntervalMs,
        processes: options.processes,
        messageIntervalMs: options.messageIntervalMs,
        failAtMs: options.failAtMs,
      });
      for (const p of run.line.points) {
        rolledBack += p.rolledBack;
        rollbackMs += p.rollbackMs;
        points++;
      }
      worst += Math.max(...run.line.points.map((p) => p.rollbackMs));
      if (run.line.toInitialState) toInitial++;
    }
    rows.push({
      checkpointIntervalMs,
      runs: seeds.length,
      rolledBackMean: round(rolledBack / points),
      rollbackMsMean: round(rollbackMs / points),
      rollbackMsWorstMean: round(worst / seeds.length),
      toInitialShare: round(toInitial / seeds.length),
    });
  }
  return rows;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
