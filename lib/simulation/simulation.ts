import { Kernel, type RunResult } from "../sim/kernel";
import { Prng } from "../sim/prng";
import { SimulationError, ConfigError, formatMs, toMicros, withContext } from "../sim/errors";
import { Network } from "../net/network";
import type { NetworkOptions } from "../net/options";
import { Node } from "../node/node";
import { DurableStorage } from "../node/storage";
import { flat, toWire } from "../node/wire";
import type { NodeHost, NodeResources, TimerEntry } from "../node/host";
import type { Body, Message } from "../node/message";
import { Trace } from "../trace/trace";
import type { TraceEvent } from "../trace/events";

/**
 * The code a node runs when it starts (and again after each restart). It may be `async`; any other
 * return value is ignored, so `(node) => node.on("ping", …)` is a fine behaviour.
 */
export type Behaviour = (node: Node) => unknown;

/** What happens when a handler or timer throws (or its promise rejects), or a message has no handler. */
export type ErrorPolicy =
  /** Stop the run with an error naming the node, the message and the virtual time (default). */
  | "fail"
  /** Record the error and crash the node, like a process dying on an uncaught exception. */
  | "crash"
  /** Record the error in the trace and go on. */
  | "record";

/** Everything that configures a run. */
export interface SimulationOptions {
  /** Seed for every random choice in the run. Same seed ⇒ same run. Default 1. */
  seed?: number;
  /** The network's fault model. */
  network?: NetworkOptions;
  /** Record a trace. Default true (turn off only for benchmarks). */
  trace?: boolean;
  /** Stop with an error after this many events (catches message storms). Default 1,000,000. */
  maxEvents?: number;
  /** See `ErrorPolicy`. Default `"fail"`. */
  onError?: ErrorPolicy;
}

/** Options for `spawn`. */
export interface SpawnOptions {
  /** Which state machine the node's states belong to, for state diagrams. Default `"node"`. */
  role?: string;
  /** Multicast groups the node belongs to. */
  groups?: string[];
}

/** Options for `runUntil`. */
export interface RunUntilOptions {
  /** Give up after this many virtual milliseconds from now. Default: when the queue is empty. */
  withinMs?: number;
  /** Words for the error message when the predicate never holds, e.g. "one leader elected". */
  description?: string;
  /** Throw when the predicate does not hold in time (default true); otherwise return the result. */
  throwOnTimeout?: boolean;
}

/** An event waiting in the queue, described for people. */
export interface PendingEvent {
  timeMs: number;
  kind: "deliver" | "timer" | "script";
  /** The node it concerns (the destination, for a message). */
  node?: string;
  description: string;
}

/** Counters kept even when tracing is off. */
export interface Counters {
  sent: number;
  delivered: number;
  dropped: number;
  duplicated: number;
  bytesSent: number;
  errors: number;
}

interface DeliverEv {
  kind: "deliver";
  timeMs: number;
  seq: number;
  id: number;
  src: string;
  dest: string;
  /** The sender's network link index. */
  srcLink: number;
  /** The destination's runtime (saves a lookup per delivery). */
  to: Runtime;
  type: string;
  json: string;
  /** The receiver's copy of the body, made at send time (the duplicate parses `json` instead). */
  copy: Body | undefined;
  sentMs: number;
  /** The destination's crash count at send time (see `Runtime.crashes`). */
  crashes: number;
  duplicate: boolean;
  msgId: number | undefined;
  inReplyTo: number | undefined;
}
interface TimerEv {
  kind: "timer";
  timeMs: number;
  seq: number;
  node: string;
  incarnation: number;
  timer: TimerEntry;
}
interface ScriptEv {
  kind: "script";
  timeMs: number;
  seq: number;
  label: string;
  action: () => unknown;
}
type SimEvent = DeliverEv | TimerEv | ScriptEv;

interface Runtime {
  id: string;
  /** Index of the node in the network (see `Network.addNode`). */
  link: number;
  role: string;
  behaviour: Behaviour;
  node: Node;
  up: boolean;
  prng: Prng;
  storage: DurableStorage;
  rpcMsgIds: Set<number>;
  /** How many times the node has crashed: a message sent before a crash is lost. */
  crashes: number;
  nextMsgId: number;
  sent: number;
}

/**
 * A simulated distributed system: nodes, a network with faults, virtual time, one seed, and a
 * trace of everything that happened. This is the object a notebook or a test starts from.
 *
 * @example
 * const sim = new Simulation({ seed: 42, network: { latency: latency.uniform(5, 15), lossProbability: 0.1 } });
 * sim.spawn("server", (node) => node.on("ping", (msg) => node.reply(msg, { type: "pong" })));
 * const client = sim.spawn("client");
 * const reply = await sim.runUntilSettled(client.rpc("server", { type: "ping" }, { timeoutMs: 50, retries: 5 }));
 * sim.now(); // virtual ms the exchange took
 */
export class Simulation implements NodeHost {
  /** The seed of this run: print it, and the same program with it replays the run exactly. */
  readonly seed: number;
  /** Root generator; subsystems use `split` children. */
  private readonly prng: Prng;
  /** The network and its fault controls. */
  readonly network: Network;
  /** Everything that happened, in order. */
  readonly trace: Trace;
  /** Message counters (kept even with tracing off). */
  readonly counters: Counters = { sent: 0, delivered: 0, dropped: 0, duplicated: 0, bytesSent: 0, errors: 0 };
  private readonly kernel: Kernel<SimEvent>;
  private readonly runtimes = new Map<string, Runtime>();
  private readonly order: Runtime[] = [];
  private readonly groups = new Map<string, string[]>();
  private readonly sentByType = new Map<string, number>();
  private readonly workloads = new Map<string, Prng>();
  private readonly onError: ErrorPolicy;
  private wireId = 0;

  constructor(options: SimulationOptions = {}) {
    const seed = options.seed ?? 1;
    if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new ConfigError("seed", seed, "a whole number in [0, 2^32)");
    }
    const maxEvents = options.maxEvents ?? 1_000_000;
    if (!(maxEvents > 0)) throw new ConfigError("maxEvents", maxEvents, "a number > 0");
    const onError = options.onError ?? "fail";
    if (!["fail", "crash", "record"].includes(onError)) throw new ConfigError("onError", onError, '"fail", "crash" or "record"');
    this.seed = seed;
    this.onError = onError;
    this.prng = new Prng(seed);
    try {
      this.network = new Network(this.prng.split("network"), options.network ?? {});
    } catch (err) {
      throw withContext(err, { timeMs: 0, seed });
    }
    this.trace = new Trace({ seed, enabled: options.trace ?? true });
    this.kernel = new Kernel<SimEvent>((e) => this.dispatch(e), {
      seed,
      maxEvents,
      explainBudget: () => this.explainBudget(),
    });
  }

  // ---- nodes ------------------------------------------------------------------------------

  /**
   * Add a node that runs `behaviour` now (and again after every restart). Returns the node, so a
   * notebook can also drive it from outside (`client.send(...)`).
   *
   * @example
   * sim.spawn("a", (node) => node.on("ping", (m) => node.reply(m, { type: "pong" })));
   * const client = sim.spawn("client", () => {}, { role: "client" });
   */
  spawn(id: string, behaviour: Behaviour = () => {}, options: SpawnOptions = {}): Node {
    if (typeof id !== "string" || id === "") throw this.error(`spawn: a node id must be a non-empty string, got ${JSON.stringify(id)}`);
    if (this.runtimes.has(id)) throw this.error(`spawn: a node with id "${id}" already exists`, id);
    if (typeof behaviour !== "function") throw this.error(`spawn("${id}"): behaviour must be a function (node) => { ... }`, id);
    const role = options.role ?? "node";
    const rt: Runtime = {
      id,
      link: -1,
      role,
      behaviour,
      node: new Node(id, role, 1, this),
      up: true,
      prng: this.prng.split(`node:${id}`),
      storage: new DurableStorage(),
      rpcMsgIds: new Set(),
      crashes: 0,
      nextMsgId: 1,
      sent: 0,
    };
    this.runtimes.set(id, rt);
    this.order.push(rt);
    rt.link = this.network.addNode(id);
    this.trace.nodeOrder.push(id);
    for (const g of options.groups ?? []) this.addToGroup(g, id);
    this.record({ kind: "spawn", timeMs: this.nowMs(), node: id, role });
    this.start(rt, "start");
    return rt.node;
  }

  /**
   * Spawn several nodes that run the same behaviour.
   *
   * @example
   * const replicas = sim.spawnMany(["r1", "r2", "r3"], replica, { role: "replica", groups: ["replicas"] });
   */
  spawnMany(ids: readonly string[], behaviour: Behaviour, options: SpawnOptions = {}): Node[] {
    return ids.map((id) => this.spawn(id, behaviour, options));
  }

  /** The current incarnation of a node. @example sim.node("a").state */
  node(id: string): Node {
    return this.runtime(id, "node").node;
  }

  /** All node ids in spawn order. @example sim.nodeIds() // ["a", "b"] */
  nodeIds(): string[] {
    return this.order.map((r) => r.id);
  }

  /** True unless the node is crashed. @example sim.isUp("a") */
  isUp(id: string): boolean {
    return this.runtime(id, "isUp").up;
  }

  /**
   * Name a multicast group (members may be added later with spawn's `groups`).
   *
   * @example
   * sim.defineGroup("replicas", ["r1", "r2", "r3"]);
   */
  defineGroup(name: string, members: readonly string[]): void {
    for (const id of members) this.runtime(id, `defineGroup("${name}")`);
    this.groups.set(name, members.slice());
  }

  private addToGroup(group: string, id: string): void {
    const members = this.groups.get(group) ?? [];
    if (!members.includes(id)) members.push(id);
    this.groups.set(group, members);
  }

  /**
   * Crash a node now: its volatile state, timers and pending RPCs are gone, and messages in flight
   * to it will be lost. Its durable `storage` survives.
   *
   * @example
   * sim.crash("leader");
   */
  crash(id: string): void {
    const rt = this.runtime(id, "crash");
    if (!rt.up) throw this.error(`crash: node "${id}" is already crashed`, id);
    rt.up = false;
    rt.crashes++;
    rt.node._crash();
    this.record({ kind: "crash", timeMs: this.nowMs(), node: id });
  }

  /**
   * Restart a crashed node: a new incarnation runs the behaviour again with only durable storage.
   *
   * @example
   * sim.restart("leader");
   */
  restart(id: string): Node {
    const rt = this.runtime(id, "restart");
    if (rt.up) throw this.error(`restart: node "${id}" is running; crash it first`, id);
    rt.up = true;
    rt.node = new Node(id, rt.role, rt.node.incarnation + 1, this);
    this.record({ kind: "restart", timeMs: this.nowMs(), node: id, incarnation: rt.node.incarnation });
    this.start(rt, "restart");
    return rt.node;
  }

  /** Run a node's behaviour; with onError "fail", a behaviour that throws at once makes this call throw. */
  private start(rt: Runtime, during: string): void {
    rt.node.invoke(rt.behaviour, rt.node, during);
    const failure = this.onError === "fail" ? this.kernel.takeFailure() : undefined;
    if (failure) throw failure;
  }

  // ---- faults -----------------------------------------------------------------------------

  /**
   * Split the network into groups now (see `Network.partition`).
   *
   * @example
   * sim.partition([["a", "b"], ["c", "d", "e"]]);
   */
  partition(groups: string[][]): void {
    this.withContext(() => this.network.partition(groups));
    this.record({ kind: "partition", timeMs: this.nowMs(), groups: groups.map((g) => g.slice()) });
  }

  /** Cut the one-way link `from` → `to` now. @example sim.cut("a", "b") */
  cut(from: string, to: string): void {
    this.withContext(() => this.network.cut(from, to));
    this.record({ kind: "cut", timeMs: this.nowMs(), from, to });
  }

  /** Cut a node off from all others now. @example sim.isolate("leader") */
  isolate(id: string): void {
    this.withContext(() => this.network.isolate(id));
    this.record({ kind: "isolate", timeMs: this.nowMs(), node: id });
  }

  /** Remove all partitions, cuts and isolations now. @example sim.heal() */
  heal(): void {
    this.network.heal();
    this.record({ kind: "heal", timeMs: this.nowMs() });
  }

  /**
   * Schedule an action (a fault, a workload step) at an absolute virtual time.
   *
   * @example
   * sim.at(100, () => sim.partition([["a"], ["b", "c"]]), "partition a");
   * sim.at(300, () => sim.heal(), "heal");
   */
  at(timeMs: number, action: () => unknown, label = "script"): void {
    if (typeof timeMs !== "number" || !Number.isFinite(timeMs) || toMicros(timeMs) < this.nowMs()) {
      throw this.error(`at("${label}"): time must be a finite number ≥ now (${formatMs(this.nowMs())}), got ${timeMs}`);
    }
    this.kernel.schedule({ kind: "script", timeMs: toMicros(timeMs), seq: 0, label, action });
  }

  /** Schedule an action `delayMs` from now. @example sim.after(50, () => sim.crash("b")) */
  after(delayMs: number, action: () => unknown, label = "script"): void {
    if (typeof delayMs !== "number" || !(delayMs >= 0) || !Number.isFinite(delayMs)) {
      throw this.error(`after("${label}"): delay must be a finite number ≥ 0, got ${delayMs}`);
    }
    this.at(this.nowMs() + delayMs, action, label);
  }

  /**
   * A PRNG for workload choices (which key to write, which client goes next), split from the
   * run's seed by `label` so it never disturbs the network's or the nodes' random choices. The
   * same label always gives the same generator, which goes on where it left off.
   *
   * @example
   * const workload = sim.random("workload");
   * workload.pick(["x", "y", "z"]);
   */
  random(label = "workload"): Prng {
    let prng = this.workloads.get(label);
    if (prng === undefined) {
      prng = this.prng.split(`workload:${label}`);
      this.workloads.set(label, prng);
    }
    return prng;
  }

  // ---- running ----------------------------------------------------------------------------

  /** Current virtual time in milliseconds. @example sim.now() */
  now(): number {
    return this.kernel.nowMs;
  }

  /** Run every event in the next `durationMs` virtual milliseconds. @example await sim.runFor(1000) */
  async runFor(durationMs: number): Promise<RunResult> {
    if (typeof durationMs !== "number" || !(durationMs >= 0) || !Number.isFinite(durationMs)) {
      throw this.error(`runFor: duration must be a finite number of ms ≥ 0, got ${durationMs}`);
    }
    return this.runUntilTime(toMicros(this.nowMs() + durationMs));
  }

  /** Run every event up to virtual time `timeMs`. @example await sim.runUntilTime(5000) */
  async runUntilTime(timeMs: number): Promise<RunResult> {
    this.beforeRun();
    return this.kernel.runUntilTime(timeMs);
  }

  /** Run at most `count` events. @example await sim.runEvents(10) */
  async runEvents(count: number): Promise<RunResult> {
    this.beforeRun();
    return this.kernel.runEvents(count);
  }

  /**
   * Run one event and return a description of it (undefined when nothing is left). Inspect
   * `sim.pending()` between steps.
   *
   * @example
   * sim.pending();          // what is about to happen
   * await sim.step();       // make the first of it happen
   */
  async step(): Promise<PendingEvent | undefined> {
    this.beforeRun();
    const e = await this.kernel.step();
    return e && this.describe(e);
  }

  /** Run until no event is left (periodic timers never stop: use `runFor` then). @example await sim.run() */
  async run(): Promise<RunResult> {
    this.beforeRun();
    return this.kernel.runUntil(() => false);
  }

  /**
   * Run until `predicate()` holds. Throws (naming the seed and the time) if it still does not hold
   * after `withinMs`, or when nothing is left to run.
   *
   * @example
   * await sim.runUntil(() => leaders().length === 1, { withinMs: 5000, description: "one leader" });
   */
  async runUntil(predicate: () => boolean, options: RunUntilOptions = {}): Promise<RunResult> {
    this.beforeRun();
    const deadline = options.withinMs === undefined ? Infinity : this.nowMs() + options.withinMs;
    const result = await this.kernel.runUntil(predicate, deadline);
    if (result.stoppedBy !== "predicate" && (options.throwOnTimeout ?? true)) {
      const what = options.description ? `"${options.description}"` : "the condition";
      const why = result.stoppedBy === "idle" ? "nothing was left to run" : `${options.withinMs}ms of virtual time passed`;
      throw this.error(`runUntil: ${what} never became true: ${why}`);
    }
    return result;
  }

  /**
   * Run the simulation until a promise (e.g. an RPC started from a notebook cell) settles, and
   * return its value. Throws if it is still pending after `withinMs` or when nothing is left to run.
   *
   * @example
   * const reply = await sim.runUntilSettled(client.rpc("server", { type: "ping" }));
   */
  async runUntilSettled<T>(promise: Promise<T>, options: { withinMs?: number } = {}): Promise<T> {
    let settled = false;
    const tracked = promise.then(
      (v) => ((settled = true), v),
      (e) => {
        settled = true;
        throw e;
      },
    );
    tracked.catch(() => {}); // handled by the caller's await below
    await this.runUntil(() => settled, { ...options, description: "the promise settles" });
    return tracked;
  }

  /**
   * Events waiting in the queue, in firing order.
   *
   * @example
   * sim.pending().slice(0, 3); // [{ timeMs: 1, kind: "deliver", node: "b", description: "a → b ping #1" }, ...]
   */
  pending(): PendingEvent[] {
    return this.kernel.pending().map((e) => this.describe(e));
  }

  /** Change the event budget. @example sim.setMaxEvents(5_000_000) */
  setMaxEvents(maxEvents: number): void {
    if (!(maxEvents > 0)) throw new ConfigError("maxEvents", maxEvents, "a number > 0");
    this.kernel.setMaxEvents(maxEvents);
  }

  private beforeRun(): void {
    this.network.checkLinks();
  }

  private describe(e: SimEvent): PendingEvent {
    switch (e.kind) {
      case "deliver":
        return {
          timeMs: e.timeMs,
          kind: e.kind,
          node: e.dest,
          description: `${e.src} → ${e.dest} ${e.type}${e.msgId !== undefined ? ` #${e.msgId}` : ""}${e.duplicate ? " (duplicate)" : ""}`,
        };
      case "timer":
        return { timeMs: e.timeMs, kind: e.kind, node: e.node, description: `${e.node} timer ${e.timer.name}` };
      case "script":
        return { timeMs: e.timeMs, kind: e.kind, description: e.label };
    }
  }

  // ---- NodeHost (used by Node; not for notebooks) -----------------------------------------

  /** @internal */
  nowMs(): number {
    return this.kernel.nowMs;
  }

  /** @internal */
  record(event: TraceEvent): void {
    this.trace.record(event);
  }

  /** @internal */
  nextMsgId(node: string): number {
    return this.runtime(node, "nextMsgId").nextMsgId++;
  }

  /** @internal */
  nodeResources(node: string): NodeResources {
    return this.runtime(node, "nodeResources");
  }

  /** @internal */
  groupMembers(group: string, from: string): string[] {
    const members = this.groups.get(group);
    if (!members) {
      throw this.error(`multicast: unknown group "${group}" (known: ${Array.from(this.groups.keys()).join(", ") || "none"})`, from);
    }
    return members;
  }

  /** @internal */
  scheduleTimer(node: string, incarnation: number, timer: TimerEntry, atMs: number): void {
    this.kernel.schedule({ kind: "timer", timeMs: atMs, seq: 0, node, incarnation, timer });
  }

  /** @internal */
  transmit(from: string, dest: string, body: Body, addMsgId?: number): void {
    const src = this.runtimes.get(from)!;
    const to = this.runtimes.get(dest);
    if (to === undefined) {
      throw this.error(`send ${body.type}: unknown destination node "${dest}" (known: ${this.nodeIds().join(", ")})`, from);
    }
    const wire = toWire(body, addMsgId);
    const json = wire.json;
    const bytes = wire.bytes;
    const now = this.kernel.nowMs;
    const id = ++this.wireId;
    const type = body.type;
    const msgId = addMsgId ?? body.msg_id;
    const inReplyTo = body.in_reply_to;
    const c = this.counters;
    c.sent++;
    c.bytesSent += bytes;
    src.sent++;
    this.sentByType.set(type, (this.sentByType.get(type) ?? 0) + 1);
    const tracing = this.trace.enabled;
    if (tracing) this.trace.record({ kind: "send", timeMs: now, id, src: from, dest, type, msgId, inReplyTo, bytes, json: flat(json) });
    const route = this.network.routeLink(src.link, to.link, bytes, now);
    if (route.delivered === false) {
      c.dropped++;
      if (tracing) this.trace.record({ kind: "drop", timeMs: now, id, src: from, dest, type, msgId, inReplyTo, sentMs: now, reason: route.reason, duplicate: false });
      return;
    }
    const crashes = to.crashes;
    const srcLink = src.link;
    this.kernel.schedule({ kind: "deliver", timeMs: route.atMs, seq: 0, id, src: from, dest, srcLink, to, type, json, copy: wire.copy, sentMs: now, crashes, duplicate: false, msgId, inReplyTo });
    if (route.duplicateAtMs !== undefined) {
      c.duplicated++;
      if (tracing) this.trace.record({ kind: "duplicate", timeMs: now, id, src: from, dest, type, msgId, inReplyTo });
      this.kernel.schedule({ kind: "deliver", timeMs: route.duplicateAtMs, seq: 0, id, src: from, dest, srcLink, to, type, json, copy: undefined, sentMs: now, crashes, duplicate: true, msgId, inReplyTo });
    }
  }

  /** @internal */
  reportError(node: string, during: string, error: unknown): void {
    this.counters.errors++;
    const text = error instanceof SimulationError ? error.detail : error instanceof Error ? error.message : String(error);
    this.record({ kind: "error", timeMs: this.nowMs(), node, during, message: text });
    const rt = this.runtimes.get(node);
    if (this.onError === "fail") {
      const err = this.error(`${during}: ${text}`, node);
      if (error instanceof Error && error.stack) err.stack = `${err.name}: ${err.message}\nCaused by: ${error.stack}`;
      this.kernel.fail(err);
    } else if (this.onError === "crash" && rt && rt.up) {
      this.crash(node);
    }
  }

  // ---- internals --------------------------------------------------------------------------

  private dispatch(e: SimEvent): void {
    if (e.kind === "deliver") this.deliver(e);
    else if (e.kind === "timer") {
      const rt = this.runtimes.get(e.node)!;
      if (rt.up && rt.node.incarnation === e.incarnation) rt.node._fire(e.timer);
    } else {
      const failed = (err: unknown): void =>
        this.kernel.fail(err instanceof SimulationError ? err : this.error(`scripted action "${e.label}" failed: ${err instanceof Error ? err.message : err}`));
      try {
        const r = e.action();
        if (r && typeof (r as Promise<void>).then === "function") (r as Promise<void>).then(undefined, failed);
      } catch (err) {
        failed(err);
      }
    }
  }

  private deliver(e: DeliverEv): void {
    const rt = e.to;
    const tracing = this.trace.enabled;
    // Lost if the destination is down, or crashed at any moment since the message was sent.
    const reason = !rt.up || rt.crashes !== e.crashes ? "crashed" : this.network.passesLink(e.srcLink, rt.link) ? undefined : "partition";
    if (reason !== undefined) {
      this.counters.dropped++;
      if (tracing) {
        this.trace.record({ kind: "drop", timeMs: e.timeMs, id: e.id, src: e.src, dest: e.dest, type: e.type, msgId: e.msgId, inReplyTo: e.inReplyTo, sentMs: e.sentMs, reason, duplicate: e.duplicate });
      }
      return;
    }
    this.counters.delivered++;
    if (tracing) {
      this.trace.record({ kind: "deliver", timeMs: e.timeMs, id: e.id, src: e.src, dest: e.dest, type: e.type, msgId: e.msgId, inReplyTo: e.inReplyTo, sentMs: e.sentMs, duplicate: e.duplicate });
    }
    const message: Message = { src: e.src, dest: e.dest, body: e.copy ?? JSON.parse(e.json) };
    const outcome = rt.node._deliver(message);
    if (outcome !== "handled") {
      this.record({ kind: "unhandled", timeMs: e.timeMs, id: e.id, src: e.src, dest: e.dest, type: e.type, msgId: e.msgId, inReplyTo: e.inReplyTo, reason: outcome });
      if (outcome === "no-handler") {
        const known = rt.node.handledTypes();
        this.reportError(e.dest, `message ${e.type} from ${e.src}`, `no handler for message type "${e.type}" (this node handles: ${known.join(", ") || "nothing"})`);
      }
    }
  }

  private runtime(id: string, what: string): Runtime {
    const rt = this.runtimes.get(id);
    if (!rt) throw this.error(`${what}: unknown node "${id}" (known: ${this.nodeIds().join(", ") || "none"})`);
    return rt;
  }

  /** Run a network fault control, adding the time and seed to its option errors. */
  private withContext(control: () => void): void {
    try {
      control();
    } catch (err) {
      throw withContext(err, { timeMs: this.nowMs(), seed: this.seed });
    }
  }

  private error(text: string, node?: string): SimulationError {
    return new SimulationError(text, { node, timeMs: this.nowMs(), seed: this.seed });
  }

  private explainBudget(): string {
    const total = this.counters.sent;
    if (total === 0) return "No messages were sent: look for a timer that keeps rescheduling itself.";
    const top = this.order.slice().sort((a, b) => b.sent - a.sent)[0];
    const types = Array.from(this.sentByType.entries())
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([t, n]) => `${t} ${Math.round((100 * n) / total)}%`)
      .join(", ");
    return `${total} messages were sent; node "${top.id}" sent the most (${top.sent}); top message types: ${types}. Raise the budget with new Simulation({ maxEvents }) if this load is intended.`;
  }
}
