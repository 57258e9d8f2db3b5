// Real-process code (outside lib/): uses real time (performance.now, Date.now), real timers
// (setTimeout) and, unless --seed is given, real randomness. A `NodeHost` for one node running
// as one operating-system process: lib's unchanged `Node` runs on it.
import { randomInt } from "node:crypto";
import { performance } from "node:perf_hooks";
import { Node } from "../lib/node/node";
import { LocalClock } from "../lib/node/clock";
import type { NodeHost, NodeResources, TimerEntry } from "../lib/node/host";
import type { Body } from "../lib/node/message";
import type { Disk } from "../lib/node/storage";
import { toWire } from "../lib/node/wire";
import { Prng } from "../lib/sim/prng";
import { SimulationError, toMicros } from "../lib/sim/errors";
import type { TraceEvent } from "../lib/trace/events";
import { envelopeLine } from "./maelstrom";
import type { TraceFile } from "./trace-file";

/** What a `ProcessHost` is given. */
export interface ProcessHostOptions {
  /** This node's id (Maelstrom's init `node_id`). */
  nodeId: string;
  /** Every node of the cluster, this one included (init's `node_ids`), in Maelstrom's order. */
  nodeIds: readonly string[];
  /** Seed of `node.rng` (and of the rpc retry jitter). See {@link randomSeed}. */
  seed: number;
  /** Multicast groups (`--groups`); `node.multicast` to any other group is an error. */
  groups?: Readonly<Record<string, readonly string[]>>;
  /** Write one line to stdout (the message, without the newline). */
  writeLine: (line: string) => void;
  /** Write one diagnostic line to stderr. */
  logLine: (line: string) => void;
  /** Where `record` appends trace events (`--trace FILE`); none by default. */
  trace?: TraceFile;
  /** Called after an error is reported (logged and traced): the session replies to a request that failed. */
  onError?: (node: string, during: string, error: unknown) => void;
  /**
   * The first msg_id this process gives (default 1). A restarted node should not reuse the ids of
   * its earlier incarnations (a late reply could match a new request): see {@link firstMsgIdOf}.
   */
  firstMsgId?: number;
  /** Also write `node.log` lines to stderr (default true). */
  echoLogs?: boolean;
}

/** msg_ids one incarnation may use before they overlap the next one's. */
const MSG_IDS_PER_INCARNATION = 1_000_000_000;

/**
 * The first msg_id of incarnation `n` (1-based): 1, then 1,000,000,001, … — so replies to an
 * earlier process of the same node never match a request of this one, as lib keeps msg_ids
 * across restarts in the simulation.
 *
 * @example
 * firstMsgIdOf(2); // 1000000001
 */
export function firstMsgIdOf(incarnation: number): number {
  return (incarnation - 1) * MSG_IDS_PER_INCARNATION + 1;
}

/**
 * A random 32-bit seed from the operating system. A real run is not replayable anyway (real time
 * and the scheduler decide the order of events), so by default each process draws anew; `--seed N`
 * fixes the node's random draws (`node.rng`), not the run.
 *
 * @example
 * const seed = randomSeed(); // e.g. 2718281828
 */
export function randomSeed(): number {
  return randomInt(0, 2 ** 32);
}

/**
 * The `NodeHost` of one node in one process. Time is real milliseconds since the host was made
 * (when `init` arrived), on the microsecond grid; timers are real `setTimeout`s that respect
 * cancelled timers and ended incarnations exactly as the simulation does (`Node._fire` checks
 * both); a transmitted message is one stdout line `{ src, dest, body }`, its body written as lib's
 * wire writes it (`toWire`, with the msg_id appended as the last field when the node assigned one).
 * A handler that throws is logged to stderr with the node id and time and recorded as an `error`
 * trace event; the process stays alive (a real server keeps serving; Maelstrom sees the failed
 * request as an error reply, see `session.ts`).
 *
 * @example
 * const host = new ProcessHost({ nodeId: "n1", nodeIds: ["n1", "n2"], seed: 7,
 *   writeLine: (l) => process.stdout.write(l + "\n"), logLine: (l) => process.stderr.write(l + "\n") });
 * const node = host.start(disk, (node) => node.on("echo", (m) => node.reply(m, { type: "echo_ok", echo: m.body.echo })));
 */
export class ProcessHost implements NodeHost {
  readonly seed: number;
  /** Epoch milliseconds at time 0 of this host (`nowMs()` = 0). */
  readonly startWallMs: number;
  private readonly originMs: number;
  private msgIdNext: number;
  private node: Node | undefined;
  private readonly pending = new Set<ReturnType<typeof setTimeout>>();
  private stopped = false;

  constructor(private readonly options: ProcessHostOptions) {
    this.seed = options.seed;
    this.msgIdNext = options.firstMsgId ?? 1;
    this.originMs = performance.now();
    this.startWallMs = performance.timeOrigin + this.originMs;
  }

  /**
   * Make this process's `Node` (incarnation `incarnation`, e.g. counted on its `FileDisk`) with
   * its resources; the caller then runs the behaviour on it.
   *
   * @example
   * const node = host.createNode(new Disk(), 1);
   * behaviour(node, options);
   */
  createNode(disk: Disk, incarnation = 1, role = "node"): Node {
    if (this.node !== undefined) throw new Error(`node ${this.options.nodeId}: this process already runs its node`);
    const id = this.options.nodeId;
    const root = new Prng(this.seed);
    const label = `node:${id}:incarnation:${incarnation}`; // as the simulation splits: same seed, same node.rng draws
    const clock = new LocalClock();
    clock.set(0, { offsetMs: this.startWallMs }); // node.clock(): the machine's clock, in epoch ms
    const resources: NodeResources = {
      prng: root.split(label),
      rpcPrng: () => root.split(`${label}:rpc`),
      disk,
      rpcMsgIds: new Set<number>(),
      clock,
    };
    this.node = new Node(id, role, incarnation, this, resources);
    return this.node;
  }

  nowMs(): number {
    return toMicros(performance.now() - this.originMs);
  }

  transmit(from: string, dest: string, body: Body, msgId?: number): void {
    if (typeof dest !== "string" || dest === "") throw this.error(`send ${body.type}: the destination must be a node id (a non-empty string), got ${JSON.stringify(dest)}`, from);
    if (this.stopped) return;
    const wire = toWire(body, msgId);
    this.options.writeLine(envelopeLine(from, dest, wire.json));
  }

  groupMembers(group: string, from: string): string[] {
    const members = this.options.groups?.[group];
    if (members === undefined) {
      const known = Object.keys(this.options.groups ?? {});
      throw this.error(`multicast: unknown group "${group}" (known: ${known.join(", ") || "none"}; give groups to the process with --groups '{"${group}":["n1","n2"]}')`, from);
    }
    return members.slice();
  }

  nodeIds(): string[] {
    return this.options.nodeIds.slice();
  }

  scheduleTimer(node: string, incarnation: number, timer: TimerEntry, atMs: number): void {
    if (this.stopped) return;
    const handle = setTimeout(() => {
      this.pending.delete(handle);
      const current = this.node;
      if (current === undefined || current.id !== node || current.incarnation !== incarnation) return;
      current._fire(timer); // no effect if the timer was cancelled or the incarnation ended
    }, Math.max(0, atMs - this.nowMs()));
    this.pending.add(handle);
  }

  record(event: TraceEvent): void {
    if (event.kind === "log" && this.options.echoLogs !== false) this.options.logLine(`${event.node} ${event.timeMs}ms: ${event.text}`);
    this.options.trace?.append(event, this.startWallMs + event.timeMs);
  }

  reportError(node: string, during: string, error: unknown): void {
    const timeMs = this.nowMs();
    const text = error instanceof SimulationError ? error.detail : error instanceof Error ? error.message : String(error);
    const stack = error instanceof Error && error.stack ? `\n${error.stack}` : "";
    this.options.logLine(`distlab-node ${node} at ${timeMs}ms: error during ${during}: ${text}${stack}`);
    this.record({ kind: "error", timeMs, node, during, message: text });
    this.options.onError?.(node, during, error);
  }

  nextMsgId(_node: string): number {
    return this.msgIdNext++;
  }

  /**
   * Stop: the node's incarnation ends (`_crash`: its timers and pending RPCs are dropped), pending
   * real timers are cleared and nothing more is written.
   *
   * @example
   * process.stdin.on("end", () => host.stop());
   */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.node?._crash();
    for (const handle of this.pending) clearTimeout(handle);
    this.pending.clear();
  }

  private error(text: string, node?: string): SimulationError {
    return new SimulationError(text, { node, timeMs: this.nowMs(), seed: this.seed });
  }
}
