// Real-process code (outside lib/): starts operating-system processes and uses real timers
// (setTimeout) and the wall clock. A local launcher: N `distlab-node` processes on this machine,
// a router between their stdin/stdout (with optional delay and loss), clients for test and
// notebook code, crash / restart, and a trace in lib's format.
//
// A launched run is NOT replayable, even with the router's `seed`: the seed fixes the router's
// own draws (which messages it loses, what delay it picks, in the order it is asked), but the
// operating system's scheduling decides the order in which lines arrive, so the same seed meets
// different messages in a different order each run.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import type { Body, Message } from "../lib/node/message";
import { Prng } from "../lib/sim/prng";
import { Trace } from "../lib/trace/trace";
import type { TraceEvent } from "../lib/trace/events";
import { LaunchTrace } from "./launcher-trace";
import { parseLine } from "./maelstrom";

/** One node to start: the module and export `distlab-node` hosts, as `sim.spawn` would run it. */
export interface LaunchNode {
  /** Node id (Maelstrom's `node_id`), e.g. `"n1"`. */
  id: string;
  /** Path of the TypeScript module, relative to the repository root (or absolute). */
  module: string;
  /** The export to run: `behaviour(node)` or `behaviour(node, options)`. */
  exportName: string;
  /** JSON options given to the behaviour (`--options`). */
  options?: unknown;
  /** Seed of the node's `node.rng` (`--seed`); default: the process draws one. */
  seed?: number;
}

/** Options of {@link launch}. */
export interface LaunchOptions {
  nodes: readonly LaunchNode[];
  /** Where the nodes keep their storage (`--storage`; one file per node); default a fresh temporary folder. */
  storageDir?: string;
  /** One-way delay the router adds to each message: a number of ms, or `[min, max]` drawn uniformly. Default 0. */
  delayMs?: number | readonly [number, number];
  /** Probability that the router loses a message (recorded as a `drop` with reason `loss`). Default 0. */
  lossProbability?: number;
  /** Seed of the router's own draws (loss and delay). It does not make a run replayable. Default 1. */
  seed?: number;
  /** At `stop()`, write the trace here as JSON lines (one event per line). */
  traceFile?: string;
  /** The repository root (where `bin/distlab-node.js` is); default: found from the current folder upwards. */
  root?: string;
  /** How long to wait for every `init_ok`, at launch and at each restart (default 30 000 ms). */
  startTimeoutMs?: number;
  /** Called with each send, deliver and drop the router records (e.g. to print the flow live). */
  onEvent?: (event: TraceEvent) => void;
  /** Called with each line a node writes to stderr (its logs and diagnostics); they are also kept (`stderr(id)`). */
  onStderr?: (node: string, line: string) => void;
}

/** Options of {@link LaunchClient.rpc}. */
export interface ClientRpcOptions {
  /** How long to wait for the reply to each attempt (default 1000 ms). */
  timeoutMs?: number;
  /** Attempts after the first, each with the same `msg_id` (default 0). */
  retries?: number;
}

/** A client of the cluster (id like `c1`): test or notebook code that sends requests through the router. */
export interface LaunchClient {
  readonly id: string;
  /** Send one message (through the router, so it may be delayed or lost); returns its `msg_id`. */
  send(dest: string, body: Body): number;
  /** Send a request and wait for the reply (`in_reply_to` its `msg_id`); rejects after the last attempt times out. */
  rpc(dest: string, body: Body, options?: ClientRpcOptions): Promise<Message>;
  /** Every message delivered to this client, replies included, in arrival order. */
  readonly received: readonly Message[];
}

/** A running cluster (what {@link launch} returns). */
export interface Cluster {
  /** The node ids, in the order given. */
  readonly nodeIds: readonly string[];
  /** The temporary folder of this run (trace files, and storage unless `storageDir` was given). */
  readonly workDir: string;
  /** The client with this id (made on first use). `c0` is the launcher's own (it sends `init`). */
  client(id: string): LaunchClient;
  /** Kill the node's process (SIGKILL): its memory is gone, its storage file stays; messages to it are dropped. */
  crash(id: string): void;
  /** Start a crashed node's process again on the same storage; resolves once it answered `init`. */
  restart(id: string): Promise<void>;
  /** Whether the node's process is running and initialised. */
  isUp(id: string): boolean;
  /** The lines the node's processes wrote to stderr so far (the last 1000). */
  stderr(id: string): readonly string[];
  /** The run so far, as a lib `Trace` (times: wall-clock ms since launch), with the nodes' own trace events merged. */
  trace(): Trace;
  /** Kill every process, clear the router's timers, write `traceFile`, delete temporary files. Safe to call twice. */
  stop(): Promise<void>;
}

/** The launcher's own client id: it sends each node its `init`. @example toSequenceDiagram(cluster.trace(), { nodes: ["c1", "n1"] }) // leaves the c0 lane out */
export const INIT_CLIENT = "c0";

const STDERR_LINES_MAX = 1000;

/** Every child process of every cluster in this process: killed if this process exits without `stop()`. */
const liveChildren = new Set<ChildProcess>();
let exitGuardInstalled = false;

function installExitGuard(): void {
  if (exitGuardInstalled) return;
  exitGuardInstalled = true;
  process.on("exit", () => {
    for (const child of liveChildren) child.kill("SIGKILL");
  });
}

/**
 * The repository root above `from`: the first folder that holds `bin/distlab-node.js`.
 *
 * @example
 * findRoot(process.cwd()); // "/home/me/distlab"
 */
export function findRoot(from: string = process.cwd()): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "bin", "distlab-node.js"))) return dir;
    if (dirname(dir) === dir) throw new Error(`launch: no bin/distlab-node.js in ${from} or any folder above it (give options.root)`);
  }
}

interface NodeProcess {
  spec: LaunchNode;
  child?: ChildProcess;
  state: "starting" | "up" | "crashed";
  incarnation: number;
  /** Messages routed to it while it was starting (wire id and line), written after its `init_ok`. */
  waiting: Array<{ id: number; line: string }>;
  stderr: string[];
  tracePath: string;
  /** Settles the current start (launch or restart). */
  started?: { resolve: () => void; reject: (error: Error) => void; initMsgId: number };
}

/**
 * Start a cluster of real `distlab-node` processes on this machine and route their messages.
 * Resolves once every node has answered `init`. Always call `stop()` (in a `finally`, or a test's
 * `afterEach`): it kills the processes.
 *
 * @example
 * const cluster = await launch({ nodes: [{ id: "n1", module: "solutions/00-getting-started/echo.ts", exportName: "echoServer" }] });
 * try {
 *   const reply = await cluster.client("c1").rpc("n1", { type: "echo", echo: "hi" }, { timeoutMs: 2000 });
 *   reply.body.echo; // "hi"
 *   toSequenceDiagram(cluster.trace());
 * } finally {
 *   await cluster.stop();
 * }
 */
export async function launch(options: LaunchOptions): Promise<Cluster> {
  const ids = options.nodes.map((n) => n.id);
  checkOptions(options);
  installExitGuard();
  const root = options.root ?? findRoot();
  const bin = join(root, "bin", "distlab-node.js");
  const workDir = mkdtempSync(join(tmpdir(), "distlab-launch-"));
  const storageDir = options.storageDir ?? join(workDir, "storage");
  mkdirSync(storageDir, { recursive: true });
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const delay = options.delayMs ?? 0;
  const loss = options.lossProbability ?? 0;
  const seed = options.seed ?? 1;
  const prng = new Prng(seed);
  const trace = new LaunchTrace({ onRecord: options.onEvent });
  const nodes = new Map<string, NodeProcess>();
  const clients = new Map<string, ClientState>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  /** Messages the router holds (their delay is not over), by wire id: dropped as `crashed` if the run stops first. */
  const inFlight = new Map<number, ReturnType<typeof setTimeout>>();
  let initMsgIdNext = 1;
  let stopped = false;
  let stopping: Promise<void> | undefined;
  let finalTrace: Trace | undefined;

  const startProcess = (node: NodeProcess): Promise<void> => {
    const { spec } = node;
    const args = [bin, isAbsolute(spec.module) ? spec.module : join(root, spec.module), spec.exportName, "--storage", storageDir, "--trace", node.tracePath];
    if (spec.options !== undefined) args.push("--options", JSON.stringify(spec.options));
    if (spec.seed !== undefined) args.push("--seed", String(spec.seed));
    // detached: a process group of its own, so a terminal's Ctrl-C reaches only the launcher, which
    // then stops the nodes itself (a node that loses the launcher sees its stdin close and exits).
    const child = spawn(process.execPath, args, { cwd: root, stdio: ["pipe", "pipe", "pipe"], detached: true });
    liveChildren.add(child);
    node.child = child;
    node.state = "starting";
    node.waiting = [];
    child.stdin!.on("error", () => {}); // a killed process: writes fail, the router already counts it as crashed
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (node.child === child) onStdout(node, line);
    });
    createInterface({ input: child.stderr! }).on("line", (line) => {
      node.stderr.push(line);
      if (node.stderr.length > STDERR_LINES_MAX) node.stderr.shift();
      options.onStderr?.(spec.id, line);
    });
    const initMsgId = initMsgIdNext++;
    const done = new Promise<void>((resolveStart, rejectStart) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (node.started?.initMsgId !== initMsgId) return;
        node.started = undefined;
        rejectStart(new Error(`launch: node ${spec.id} did not answer init within ${startTimeoutMs} ms${stderrTail(node)}`));
      }, startTimeoutMs);
      timers.add(timer);
      node.started = {
        initMsgId,
        resolve: () => {
          clearTimeout(timer);
          timers.delete(timer);
          resolveStart();
        },
        reject: (error) => {
          clearTimeout(timer);
          timers.delete(timer);
          rejectStart(error);
        },
      };
    });
    child.on("exit", (code, signal) => {
      liveChildren.delete(child);
      if (node.child !== child) return;
      node.child = undefined;
      if (stopped || node.state === "crashed") return;
      // The process ended on its own: count it as a crash and say why.
      node.state = "crashed";
      for (const waiting of node.waiting.splice(0)) trace.drop(waiting.id, "crashed");
      const how = signal !== null ? `signal ${signal}` : `exit code ${code}`;
      trace.note({ kind: "error", timeMs: 0, node: spec.id, during: "process", message: `the process ended (${how})` });
      trace.note({ kind: "crash", timeMs: 0, node: spec.id });
      if (node.started !== undefined) {
        const started = node.started;
        node.started = undefined;
        started.reject(new Error(`launch: node ${spec.id} ended (${how}) before answering init${stderrTail(node)}`));
      }
    });
    // init goes straight to the process: the launcher's control message is never delayed or lost.
    const body: Body = { type: "init", msg_id: initMsgId, node_id: spec.id, node_ids: ids.slice() };
    const id = trace.send(INIT_CLIENT, spec.id, body);
    child.stdin!.write(`${JSON.stringify({ src: INIT_CLIENT, dest: spec.id, body })}\n`);
    trace.deliver(id);
    return done;
  };

  /** A line from a node's stdout: a message to route. */
  const onStdout = (node: NodeProcess, line: string): void => {
    if (stopped || line.trim() === "") return;
    const parsed = parseLine(line);
    if (parsed.kind === "malformed") {
      const reason = parsed.reason;
      trace.note({ kind: "error", timeMs: 0, node: node.spec.id, during: "stdout", message: `malformed line (${reason}): ${line.slice(0, 200)}` });
      return;
    }
    const { src, dest, body } = parsed.message;
    if (dest === INIT_CLIENT && body.type === "init_ok") {
      const id = trace.send(src, dest, body);
      trace.deliver(id);
      if (node.started !== undefined && body.in_reply_to === node.started.initMsgId) {
        node.state = "up";
        const started = node.started;
        node.started = undefined;
        for (const waiting of node.waiting.splice(0)) {
          node.child?.stdin!.write(waiting.line);
          trace.deliver(waiting.id);
        }
        started.resolve();
      }
      return;
    }
    route(src, dest, body);
  };

  /** Hand a message to the router: record the send, maybe lose it, deliver it after the delay. */
  const route = (src: string, dest: string, body: Body): void => {
    const id = trace.send(src, dest, body);
    if (loss > 0 && prng.chance(loss)) {
      trace.drop(id, "loss");
      return;
    }
    const delayMs = typeof delay === "number" ? delay : delay[0] + prng.float() * (delay[1] - delay[0]);
    const line = `${JSON.stringify({ src, dest, body })}\n`;
    if (delayMs <= 0) {
      arrive(id, src, dest, body, line);
      return;
    }
    const timer = setTimeout(() => {
      inFlight.delete(id);
      if (!stopped) arrive(id, src, dest, body, line);
    }, delayMs);
    inFlight.set(id, timer);
  };

  /** The message's delay is over: write it to the destination, or drop it if that cannot be done. */
  const arrive = (id: number, src: string, dest: string, body: Body, line: string): void => {
    const node = nodes.get(dest);
    if (node !== undefined) {
      if (node.state === "crashed" || node.child === undefined) {
        trace.drop(id, "crashed");
      } else {
        if (node.state === "starting") node.waiting.push({ id, line });
        else {
          node.child.stdin!.write(line);
          trace.deliver(id);
        }
      }
      return;
    }
    const client = clients.get(dest);
    if (client !== undefined) {
      trace.deliver(id);
      client.receive({ src, dest, body });
      return;
    }
    trace.note({ kind: "error", timeMs: 0, node: src, during: String(body.type), message: `sent to unknown node "${dest}" (nodes: ${ids.join(", ")}; clients: ${[...clients.keys()].join(", ") || "none"})` });
    trace.drop(id, "left");
  };

  for (const spec of options.nodes) {
    nodes.set(spec.id, { spec, state: "starting", incarnation: 1, waiting: [], stderr: [], tracePath: join(workDir, `${spec.id}.trace.jsonl`) });
  }

  const buildTrace = (): Trace => {
    if (finalTrace !== undefined) return finalTrace;
    trace.clearMerged();
    for (const node of nodes.values()) trace.mergeFile(node.tracePath);
    const result = new Trace({ seed });
    result.nodeOrder.push(...ids, ...clients.keys());
    for (const event of trace.events()) result.record(event);
    return result;
  };

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const exits: Array<Promise<void>> = [];
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      // Nothing vanishes from the trace: what was still held, or waiting for a starting node, is dropped.
      for (const [id, timer] of inFlight) {
        clearTimeout(timer);
        trace.drop(id, "crashed");
      }
      inFlight.clear();
      for (const node of nodes.values()) for (const waiting of node.waiting.splice(0)) trace.drop(waiting.id, "crashed");
      for (const client of clients.values()) client.close();
      for (const node of nodes.values()) {
        const child = node.child;
        node.started?.reject(new Error(`launch: stopped before node ${node.spec.id} answered init`));
        node.started = undefined;
        if (child === undefined) continue;
        exits.push(new Promise((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          child.once("exit", () => done());
        }));
        child.kill("SIGKILL");
      }
      await Promise.all(exits);
      finalTrace = buildTrace(); // the processes are gone; read their trace files while they exist
      if (options.traceFile !== undefined) {
        mkdirSync(dirname(resolve(options.traceFile)), { recursive: true });
        writeFileSync(options.traceFile, finalTrace.events.map((e) => JSON.stringify(e)).join("\n") + "\n");
      }
      rmSync(workDir, { recursive: true, force: true });
    })();
    return stopping;
  };

  const cluster: Cluster = {
    nodeIds: ids,
    workDir,
    client(id) {
      if (nodes.has(id)) throw new Error(`launch: "${id}" is a node id; a client needs another id (e.g. "c1")`);
      if (id === INIT_CLIENT) throw new Error(`launch: "${INIT_CLIENT}" is the launcher's own client (it sends init); use "c1", "c2", …`);
      let client = clients.get(id);
      if (client === undefined) {
        client = new ClientState(id, (dest, body) => {
          if (stopped) throw new Error(`launch: client ${id} cannot send ${body.type} to ${dest}: the cluster is stopped`);
          route(id, dest, body);
        });
        clients.set(id, client);
      }
      return client;
    },
    crash(id) {
      const node = nodeOf(nodes, id);
      if (node.state === "crashed") return;
      node.state = "crashed";
      trace.note({ kind: "crash", timeMs: 0, node: id });
      for (const waiting of node.waiting.splice(0)) trace.drop(waiting.id, "crashed");
      node.started?.reject(new Error(`launch: node ${id} was crashed before it answered init`));
      node.started = undefined;
      node.child?.kill("SIGKILL");
    },
    async restart(id) {
      const node = nodeOf(nodes, id);
      if (stopped) throw new Error(`launch: cannot restart ${id}: the cluster is stopped`);
      if (node.state !== "crashed") throw new Error(`launch: cannot restart ${id}: it is not crashed (crash it first)`);
      if (node.child !== undefined) {
        const child = node.child;
        await new Promise<void>((done) => (child.exitCode !== null || child.signalCode !== null ? done() : child.once("exit", () => done())));
        node.child = undefined;
      }
      node.incarnation++;
      trace.note({ kind: "restart", timeMs: 0, node: id, incarnation: node.incarnation });
      await startProcess(node);
    },
    isUp(id) {
      return nodeOf(nodes, id).state === "up";
    },
    stderr(id) {
      return nodeOf(nodes, id).stderr.slice();
    },
    trace: buildTrace,
    stop,
  };

  try {
    await Promise.all([...nodes.values()].map((node) => startProcess(node)));
  } catch (error) {
    await stop();
    throw error;
  }
  return cluster;
}

/** A client's pending requests and inbox. */
class ClientState implements LaunchClient {
  readonly received: Message[] = [];
  private msgIdNext = 1;
  private readonly pending = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void; timer?: ReturnType<typeof setTimeout> }>();

  constructor(
    readonly id: string,
    private readonly transmit: (dest: string, body: Body) => void,
  ) {}

  send(dest: string, body: Body): number {
    const msgId = this.msgIdNext++;
    this.transmit(dest, { ...body, msg_id: msgId });
    return msgId;
  }

  rpc(dest: string, body: Body, options: ClientRpcOptions = {}): Promise<Message> {
    const timeoutMs = options.timeoutMs ?? 1000;
    const retries = options.retries ?? 0;
    const msgId = this.msgIdNext++;
    const wire = { ...body, msg_id: msgId };
    return new Promise<Message>((resolvePromise, rejectPromise) => {
      const entry: { resolve: (m: Message) => void; reject: (e: Error) => void; timer?: ReturnType<typeof setTimeout> } = {
        resolve: resolvePromise,
        reject: rejectPromise,
      };
      this.pending.set(msgId, entry);
      let attempt = 0;
      const tryOnce = (): void => {
        attempt++;
        try {
          this.transmit(dest, wire);
        } catch (error) {
          this.pending.delete(msgId);
          rejectPromise(error as Error);
          return;
        }
        entry.timer = setTimeout(() => {
          if (!this.pending.has(msgId)) return;
          if (attempt <= retries) return tryOnce();
          this.pending.delete(msgId);
          rejectPromise(new Error(`client ${this.id}: ${body.type} #${msgId} to ${dest} got no reply in ${attempt} attempt(s) of ${timeoutMs} ms`));
        }, timeoutMs);
      };
      tryOnce();
    });
  }

  /** A message arrived for this client. */
  receive(message: Message): void {
    this.received.push(message);
    const inReplyTo = message.body.in_reply_to;
    if (typeof inReplyTo !== "number") return;
    const entry = this.pending.get(inReplyTo);
    if (entry === undefined) return;
    this.pending.delete(inReplyTo);
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    entry.resolve(message);
  }

  /** The cluster stopped: fail what still waits. */
  close(): void {
    for (const [msgId, entry] of this.pending) {
      if (entry.timer !== undefined) clearTimeout(entry.timer);
      entry.reject(new Error(`client ${this.id}: request #${msgId} still waiting when the cluster stopped`));
    }
    this.pending.clear();
  }
}

function nodeOf(nodes: ReadonlyMap<string, NodeProcess>, id: string): NodeProcess {
  const node = nodes.get(id);
  if (node === undefined) throw new Error(`launch: unknown node "${id}" (nodes: ${[...nodes.keys()].join(", ")})`);
  return node;
}

function stderrTail(node: NodeProcess): string {
  const tail = node.stderr.slice(-10);
  return tail.length === 0 ? "" : `; its stderr ends:\n  ${tail.join("\n  ")}`;
}

function checkOptions(options: LaunchOptions): void {
  if (!Array.isArray(options.nodes) || options.nodes.length === 0) throw new Error("launch: give at least one node in options.nodes");
  const seen = new Set<string>();
  for (const spec of options.nodes) {
    if (typeof spec.id !== "string" || spec.id === "") throw new Error(`launch: every node needs an id (a non-empty string), got ${JSON.stringify(spec.id)}`);
    if (seen.has(spec.id)) throw new Error(`launch: node id "${spec.id}" is given twice`);
    if (spec.id === INIT_CLIENT) throw new Error(`launch: "${INIT_CLIENT}" is the launcher's own client id; name nodes n1, n2, …`);
    seen.add(spec.id);
    if (typeof spec.module !== "string" || spec.module === "") throw new Error(`launch: node ${spec.id} needs a module path`);
    if (typeof spec.exportName !== "string" || spec.exportName === "") throw new Error(`launch: node ${spec.id} needs an exportName`);
  }
  const loss = options.lossProbability ?? 0;
  if (!(loss >= 0 && loss < 1)) throw new Error(`launch: lossProbability must be in [0, 1), got ${loss}`);
  const delay = options.delayMs ?? 0;
  const range = typeof delay === "number" ? [delay, delay] : delay;
  if (!Array.isArray(range) || range.length !== 2 || !range.every((d) => typeof d === "number" && d >= 0 && Number.isFinite(d)) || range[0] > range[1]) {
    throw new Error(`launch: delayMs must be a number of ms ≥ 0 or a range [min, max], got ${JSON.stringify(delay)}`);
  }
}
