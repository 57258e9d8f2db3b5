import { EventBudgetError, Kernel, type RunResult } from "../sim/kernel";
import { Prng } from "../sim/prng";
import { SimulationError, ConfigError, formatMs, toMicros, withContext } from "../sim/errors";
import { Network } from "../net/network";
import type { NetworkOptions } from "../net/options";
import type { Node } from "../node/node";
import { DISK_MODES, type DiskMode } from "../node/index";
import type { HealScope, MessageRule, MessageRuleOptions } from "../net/index";
import { Trace, type TraceOptions } from "../trace/trace";
import { describeEvent, type PendingEvent, type SimEvent } from "./events";
import { ERROR_POLICIES, explainBudget, reportNodeError, type ErrorPolicy } from "./failures";
import { RuntimeHost } from "./host";
import { NodeRegistry, type Behaviour, type Runtime } from "./registry";
import { Transport, type Counters } from "./transport";
import { Invariants, type InvariantCheck } from "./invariants";
import { checkClockOptions, type ClockOptions } from "../node/index";
import { setNodeClock } from "./clocks";
import { configureService, resolveService, type ServiceOptions } from "./service";

export type { Behaviour } from "./registry";
export type { ErrorPolicy } from "./failures";
export type { PendingEvent } from "./events";
export type { Counters } from "./transport";

/** Everything that configures a run. */
export interface SimulationOptions {
  /** Seed for every random choice in the run. Same seed ⇒ same run. Default 1. */
  seed?: number;
  /** The network's fault model. */
  network?: NetworkOptions;
  /**
   * Record a trace. Default true (turn off only for benchmarks). For long runs, keep only the last
   * events: `trace: { eventsMax: 10_000 }` (counters and `trace.hash()` still cover every event).
   */
  trace?: boolean | TraceOptions;
  /** Stop with an error when one run call processes more than this many events (catches message storms). Default 1,000,000. */
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
  /**
   * How its disk takes writes: `"durable"` (default: each write is on disk at once) or
   * `"buffered"` (writes wait for `node.storage.sync()`; a crash loses the unsynced ones).
   */
  disk?: DiskMode;
  /** The node's local clock: offset, drift, and which clock its timers use (see `ClockOptions`). Default: true time. */
  clock?: ClockOptions;
  /** The time the node takes to handle each message, and how many at once (see `ServiceOptions`). Default: none. */
  service?: ServiceOptions;
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
export class Simulation {
  /** The seed of this run: print it, and the same program with it replays the run exactly. */
  readonly seed: number;
  /** Root generator; subsystems use `split` children. */
  private readonly prng: Prng;
  /** The network and its fault controls. */
  readonly network: Network;
  /** Everything that happened, in order. */
  readonly trace: Trace;
  /** Message counters, per copy (kept even with tracing off). */
  readonly counters: Counters;
  private readonly kernel: Kernel<SimEvent>;
  private readonly registry: NodeRegistry;
  private readonly transport: Transport;
  private readonly workloads = new Map<string, Prng>();
  private readonly onError: ErrorPolicy;
  private invariantSet: Invariants | undefined;

  constructor(options: SimulationOptions = {}) {
    const seed = options.seed ?? 1;
    if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new ConfigError("seed", seed, "a whole number in [0, 2^32)");
    }
    const maxEvents = options.maxEvents ?? 1_000_000;
    if (!(maxEvents > 0)) throw new ConfigError("maxEvents", maxEvents, "a number > 0");
    const onError = options.onError ?? "fail";
    if (!ERROR_POLICIES.includes(onError)) throw new ConfigError("onError", onError, '"fail", "crash" or "record"');
    this.seed = seed;
    this.onError = onError;
    this.prng = new Prng(seed);
    try {
      this.network = new Network(this.prng.split("network"), options.network ?? {});
    } catch (err) {
      throw withContext(err, { timeMs: 0, seed });
    }
    const traceOption = options.trace;
    const traceOptions: TraceOptions = typeof traceOption === "object" && traceOption !== null ? traceOption : { enabled: traceOption !== false };
    const eventsMax = traceOptions.eventsMax;
    if (eventsMax !== undefined && eventsMax !== Infinity && !(Number.isInteger(eventsMax) && eventsMax >= 1)) {
      throw new ConfigError("trace.eventsMax", eventsMax, "a whole number ≥ 1 (or Infinity: keep all)");
    }
    this.trace = new Trace({ seed, ...traceOptions });
    this.kernel = new Kernel<SimEvent>((e) => this.dispatch(e), {
      seed,
      maxEvents,
      explainBudget: () => explainBudget(this.registry.order, this.counters, this.transport.sentByType),
    });
    const host = new RuntimeHost(seed);
    this.registry = new NodeRegistry(host, this.prng);
    this.transport = new Transport(this.kernel, this.network, this.trace, {
      unhandled: (e, outcome) => {
        this.trace.record({ kind: "unhandled", timeMs: this.now(), id: e.id, src: e.src, dest: e.dest, type: e.type, msgId: e.msgId, inReplyTo: e.inReplyTo, reason: outcome });
        if (outcome === "no-handler") {
          const known = e.to.node.handledTypes();
          this.reportError(e.dest, `message ${e.type} from ${e.src}`, `no handler for message type "${e.type}" (this node handles: ${known.join(", ") || "nothing"})`);
        }
      },
    });
    this.counters = this.transport.counters;
    host.connect({
      kernel: this.kernel,
      registry: this.registry,
      transport: this.transport,
      trace: this.trace,
      reportError: (node, during, error) => this.reportError(node, during, error),
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
   * sim.spawn("b", behaviour, { clock: { offsetMs: 5, driftPpm: 100 } });                     // its own clock
   * sim.spawn("server", serve, { service: { timeMs: latency.exponential(5), concurrency: 1 } }); // takes time per message
   * // typed messages: declare them once, then bodies are checked and handlers need no casts
   * type Msgs = { ping: { n: number }; pong: { n: number } };
   * sim.spawn<Msgs>("b", (node) => node.on("ping", (m) => node.reply(m, { type: "pong", n: m.body.n })));
   */
  spawn<M = any>(id: string, behaviour?: (node: Node<M>) => unknown, options?: SpawnOptions): Node<M>;
  spawn(id: string, behaviour: Behaviour = () => {}, options: SpawnOptions = {}): Node {
    if (typeof id !== "string" || id === "") throw this.error(`spawn: a node id must be a non-empty string, got ${JSON.stringify(id)}`);
    if (this.registry.has(id)) {
      const left = this.registry.get(id)!.left ? " (it left; the id of a node that left is not reused)" : "";
      throw this.error(`spawn: a node with id "${id}" already exists${left}`, id);
    }
    if (typeof behaviour !== "function") throw this.error(`spawn("${id}"): behaviour must be a function (node) => { ... }`, id);
    const role = options.role ?? "node";
    if (options.disk !== undefined && !DISK_MODES.includes(options.disk)) {
      throw new ConfigError(`spawn("${id}").disk`, options.disk, '"durable" or "buffered"', { node: id, timeMs: this.now(), seed: this.seed });
    }
    const context = { node: id, timeMs: this.now(), seed: this.seed };
    if (options.clock !== undefined) checkClockOptions(options.clock, `spawn("${id}").clock`, context);
    if (options.service !== undefined) resolveService(options.service, undefined, `spawn("${id}").service`, context);
    const rt = this.registry.add(id, behaviour, role, options.disk);
    rt.link = this.network.addNode(id);
    this.trace.nodeOrder.push(id);
    for (const g of options.groups ?? []) this.registry.addToGroup(g, id);
    this.trace.record({ kind: "spawn", timeMs: this.now(), node: id, role });
    if (options.clock !== undefined) setNodeClock(rt, options.clock, `spawn("${id}").clock`, this.trace, this.now(), this.seed);
    if (options.service !== undefined) this.setService(id, options.service);
    this.start(rt, "start");
    return rt.node;
  }

  /**
   * Spawn several nodes that run the same behaviour.
   *
   * @example
   * const replicas = sim.spawnMany(["r1", "r2", "r3"], replica, { role: "replica", groups: ["replicas"] });
   */
  spawnMany<M = any>(ids: readonly string[], behaviour: (node: Node<M>) => unknown, options?: SpawnOptions): Node<M>[];
  spawnMany(ids: readonly string[], behaviour: Behaviour, options: SpawnOptions = {}): Node[] {
    return ids.map((id) => this.spawn(id, behaviour, options));
  }

  /** The current incarnation of a node (`sim.node<Msgs>("a")` for a typed handle). @example sim.node("a").state */
  node<M = any>(id: string): Node<M>;
  node(id: string): Node {
    return this.runtime(id, "node").node;
  }

  /** All node ids in spawn order (nodes that left included). @example sim.nodeIds() // ["a", "b"] */
  nodeIds(): string[] {
    return this.registry.ids();
  }

  /**
   * The members now: every node that has not left (`leave`), in spawn order. A crashed node is
   * still a member (a crash is not a leave); a node spawned mid-run is one from then on. This is
   * what `node.peers()` and `node.broadcast` use.
   *
   * @example
   * sim.leave("n3");
   * sim.members(); // ["n1", "n2", "n4"]
   */
  members(): string[] {
    return this.registry.memberIds();
  }

  /** True unless the node is crashed (or has left). @example sim.isUp("a") */
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
    for (const id of members) {
      if (this.runtime(id, `defineGroup("${name}")`).left) throw this.error(`defineGroup("${name}"): node "${id}" has left the simulation`, id);
    }
    this.registry.defineGroup(name, members);
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
    if (rt.left) throw this.error(`crash: node "${id}" has left the simulation`, id);
    if (!rt.up) throw this.error(`crash: node "${id}" is already crashed`, id);
    const lostWrites = rt.disk.mode === "buffered" ? rt.node.storage.unsyncedWrites : 0; // before the crash drops them
    this.endIncarnation(rt);
    this.trace.record(lostWrites > 0 ? { kind: "crash", timeMs: this.now(), node: id, lostWrites } : { kind: "crash", timeMs: this.now(), node: id });
    rt.service?.crash(this.now(), "crashed"); // messages waiting or being served are lost
  }

  /** The current incarnation ends: deliveries sent before now are lost, its code has no effect. */
  private endIncarnation(rt: Runtime): void {
    rt.up = false;
    rt.crashes++;
    rt.node._crash();
  }

  /**
   * A node leaves for good now: unlike a crash it never restarts. Its incarnation ends (timers,
   * pending RPCs and leftover code have no effect), it leaves every multicast group and
   * `members()` (so other nodes' `peers()` and `broadcast` skip it), and every message to it —
   * in flight or sent later — is dropped with reason `left`. Its id is not reused.
   *
   * @example
   * sim.at(500, () => sim.leave("n3"), "n3 leaves");
   */
  leave(id: string): void {
    const rt = this.runtime(id, "leave");
    if (rt.left) throw this.error(`leave: node "${id}" has already left`, id);
    rt.left = true;
    if (rt.up) this.endIncarnation(rt);
    this.registry.removeFromGroups(id);
    this.trace.record({ kind: "leave", timeMs: this.now(), node: id });
    rt.service?.crash(this.now(), "left"); // messages waiting or being served are lost
  }

  /**
   * Restart a crashed node: a new incarnation runs the behaviour again with only durable storage.
   *
   * @example
   * sim.restart("leader");
   */
  restart(id: string): Node {
    const rt = this.runtime(id, "restart");
    if (rt.left) throw this.error(`restart: node "${id}" has left the simulation for good; spawn a new node to join instead`, id);
    if (rt.up) throw this.error(`restart: node "${id}" is running; crash it first`, id);
    rt.up = true;
    const node = this.registry.newIncarnation(rt);
    this.trace.record({ kind: "restart", timeMs: this.now(), node: id, incarnation: node.incarnation });
    this.start(rt, "restart");
    return rt.node;
  }

  /** Run a node's behaviour; with onError "fail", a behaviour that throws at once makes this call throw. */
  private start(rt: Runtime, during: string): void {
    this.kernel.watching(() => rt.node.invoke(rt.behaviour, rt.node, during)); // its promises are watched
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
    this.guarded(() => this.network.partition(groups));
    this.trace.record({ kind: "partition", timeMs: this.now(), groups: groups.map((g) => g.slice()) });
  }

  /** Cut the one-way link `from` → `to` now. @example sim.cut("a", "b") */
  cut(from: string, to: string): void {
    this.guarded(() => this.network.cut(from, to));
    this.trace.record({ kind: "cut", timeMs: this.now(), from, to });
  }

  /** Cut a node off from all others now. @example sim.isolate("leader") */
  isolate(id: string): void {
    this.guarded(() => this.network.isolate(id));
    this.trace.record({ kind: "isolate", timeMs: this.now(), node: id });
  }

  /**
   * Remove all partitions, cuts and isolations now; or, given a scope, only one direction, one
   * link or one node's isolation (the rest of a partition, and the other cuts, stay). Traced as a
   * `heal` event naming what was healed.
   *
   * @example
   * sim.heal();                            // everything
   * sim.heal({ from: "a", to: "b" });      // a → b only (e.g. undo sim.cut("a", "b"))
   * sim.heal({ between: ["a", "c"] });     // a ↔ c, across the partition
   * sim.heal({ node: "n3" });              // n3 is no longer isolated
   */
  heal(scope?: HealScope): void {
    this.guarded(() => this.network.heal(scope));
    const timeMs = this.now();
    if (scope === undefined) this.trace.record({ kind: "heal", timeMs });
    else if ("node" in scope) this.trace.record({ kind: "heal", timeMs, isolated: scope.node });
    else if ("between" in scope) this.trace.record({ kind: "heal", timeMs, between: [scope.between[0], scope.between[1]] });
    else this.trace.record({ kind: "heal", timeMs, from: scope.from, to: scope.to });
  }

  /**
   * Put a message fault rule in force now: messages that match (by type, source, destination
   * or a predicate) are dropped, delayed or duplicated while the rule's window is open (a
   * message sent at `t` with `fromMs ≤ t < toMs`; default from now on). Every message it affects
   * is in the trace: a `drop` with reason `rule` and the rule's name, a `delay` event, or a
   * `duplicate` event naming the rule. Random choices (`probability`, a sampled `delayMs`) come
   * from the rule's own stream. Returns the rule: `rule.affected` counts, `rule.remove()` ends it.
   * Bad options throw a `ConfigError` naming the option, the virtual time and the seed.
   *
   * @example
   * sim.addRule({ name: "lose n2's replies", match: { type: "append_entries_ok", src: "n2" }, action: "drop", fromMs: 100, toMs: 300 });
   * sim.addRule({ name: "slow votes", match: { type: "request_vote" }, action: "delay", delayMs: latency.uniform(20, 80) });
   * sim.addRule({ name: "flaky", match: { dest: "n3", where: (m) => m.body.term > 2 }, action: "drop", probability: 0.3 });
   * sim.at(500, () => sim.addRule({ name: "echo twice", match: { type: "echo" }, action: "duplicate", delayMs: 5 }));
   */
  addRule(options: MessageRuleOptions): MessageRule {
    return this.guarded(() => this.network.addRule(options, this.now()));
  }

  /**
   * Remove a message fault rule now, by name or handle (`rule.remove()` does the same).
   * Throws if no such rule is in force.
   *
   * @example
   * sim.at(300, () => sim.removeRule("lose n2's replies"));
   */
  removeRule(rule: string | MessageRule): void {
    const name = typeof rule === "string" ? rule : rule.name;
    if (!this.network.removeRule(name)) {
      const known = this.network.ruleNames();
      throw this.error(`removeRule: no rule "${name}" is in force (rules: ${known.map((n) => `"${n}"`).join(", ") || "none"})`);
    }
  }

  /**
   * Schedule an action (a fault, a workload step) at an absolute virtual time.
   *
   * @example
   * sim.at(100, () => sim.partition([["a"], ["b", "c"]]), "partition a");
   * sim.at(300, () => sim.heal(), "heal");
   */
  at(timeMs: number, action: () => unknown, label = "script"): void {
    if (typeof timeMs !== "number" || !Number.isFinite(timeMs) || toMicros(timeMs) < this.now()) {
      throw this.error(`at("${label}"): time must be a finite number ≥ now (${formatMs(this.now())}), got ${timeMs}`);
    }
    this.kernel.schedule({ kind: "script", timeMs: toMicros(timeMs), seq: 0, label, action });
  }

  /** Schedule an action `delayMs` from now. @example sim.after(50, () => sim.crash("b")) */
  after(delayMs: number, action: () => unknown, label = "script"): void {
    if (typeof delayMs !== "number" || !(delayMs >= 0) || !Number.isFinite(delayMs)) {
      throw this.error(`after("${label}"): delay must be a finite number ≥ 0, got ${delayMs}`);
    }
    this.at(this.now() + delayMs, action, label);
  }

  /**
   * Declare an invariant: a property that must hold after every event (once the code each event
   * woke has run). The first violation stops the run with an `InvariantViolation` naming the
   * invariant, what was wrong, the virtual time and the seed; its `diagram` shows the last
   * messages. Return `true` (or nothing) when it holds, `false` or a string saying what is wrong
   * when it does not. Returns a function that removes it. With none declared, runs pay nothing.
   *
   * @example
   * sim.invariant("at most one leader per term", () => {
   *   const leaders = sim.nodeIds().filter((id) => sim.node(id).state === "leader");
   *   return leaders.length <= 1 || `leaders: ${leaders.join(", ")}`;
   * });
   */
  invariant(name: string, check: InvariantCheck): () => void {
    const invariants = (this.invariantSet ??= new Invariants({
      events: () => this.trace.events,
      nodeOrder: () => this.registry.ids(),
      now: () => this.now(),
      seed: this.seed,
    }));
    const remove = invariants.add(name, check);
    this.kernel.afterEvent = () => {
      const violation = invariants.check();
      if (violation !== undefined) this.kernel.fail(violation);
    };
    return () => {
      remove();
      if (invariants.size === 0) this.kernel.afterEvent = undefined;
    };
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

  // ---- clocks and service time -----------------------------------------------------------

  /**
   * Change a node's local clock now: `offsetMs` steps it to read that far ahead of true time
   * (negative: behind), `driftPpm` changes its rate, `timers` which clock its timers use by
   * default; what is not given is kept. Pending local-clock timers are re-armed (they fire when
   * the clock reads their deadline). Traced as a `clock` event. The clock survives crashes.
   *
   * @example
   * sim.at(500, () => sim.setClock("n2", { offsetMs: 40 }));   // an operator sets n2 40 ms ahead
   * sim.setClock("n3", { driftPpm: -100_000 });                // from now on 10% slow
   */
  setClock(id: string, options: ClockOptions): void {
    setNodeClock(this.runtime(id, "setClock"), options, "setClock", this.trace, this.now(), this.seed);
  }

  /**
   * How far a node's clock is ahead of true time now (negative: behind), in ms: the truth a clock
   * synchronisation protocol estimates, which no node can read.
   *
   * @example
   * const errorMs = estimatedOffsetMs - sim.clockOffset("client");
   */
  clockOffset(id: string): number {
    return this.runtime(id, "clockOffset").clock.offsetAt(this.now());
  }

  /**
   * Give a node service time, or change it from now on (what is not given is kept; services in
   * progress keep their times, and a larger concurrency starts waiting messages at once). To make
   * a node fast again, give it `latency.constant(0)`. Service times come from the node's own
   * random stream, so they never change any other random choice of the run.
   *
   * @example
   * sim.at(1000, () => sim.setService("worker3", { timeMs: latency.constant(50) })); // worker3 becomes a straggler
   */
  setService(id: string, options: Partial<ServiceOptions>): void {
    const rt = this.runtime(id, "setService");
    const port = { kernel: this.kernel, transport: this.transport, trace: this.trace, seed: this.seed };
    configureService(rt, options, "setService", port, () => this.prng.split(`service:${id}`));
  }

  /**
   * Messages waiting in a node's service queue now (those being served are not counted); 0 for a
   * node without service time.
   *
   * @example
   * sim.queueLength("server"); // 3
   */
  queueLength(id: string): number {
    return this.runtime(id, "queueLength").service?.length ?? 0;
  }

  /** Messages a node is serving now (at most its concurrency). @example sim.inService("server") // 1 */
  inService(id: string): number {
    return this.runtime(id, "inService").service?.inService ?? 0;
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
    return this.runUntilTime(toMicros(this.now() + durationMs));
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
    return e && describeEvent(e);
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
    if (options.withinMs !== undefined && !(options.withinMs >= 0)) {
      throw this.error(`runUntil: withinMs must be a number of ms ≥ 0, got ${options.withinMs}`);
    }
    const deadline = options.withinMs === undefined ? Infinity : toMicros(this.now() + options.withinMs);
    const what = options.description ? `"${options.description}"` : "the condition";
    let result: RunResult;
    try {
      result = await this.kernel.runUntil(predicate, deadline);
    } catch (err) {
      if (!(err instanceof EventBudgetError)) throw err;
      throw this.error(`runUntil: ${what} never became true within the event budget of ${err.maxEvents} events. ${err.explanation}`);
    }
    if (result.stoppedBy !== "predicate" && (options.throwOnTimeout ?? true)) {
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
    this.kernel.watch(tracked); // drain after every event until it settles, however it is resolved
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
    return this.kernel.pending().map(describeEvent);
  }

  /** Change the event budget. @example sim.setMaxEvents(5_000_000) */
  setMaxEvents(maxEvents: number): void {
    if (!(maxEvents > 0)) throw new ConfigError("maxEvents", maxEvents, "a number > 0");
    this.kernel.setMaxEvents(maxEvents);
  }

  private beforeRun(): void {
    this.network.checkLinks();
  }

  // ---- internals --------------------------------------------------------------------------

  private dispatch(e: SimEvent): void {
    if (e.kind === "deliver") this.transport.deliver(e);
    else if (e.kind === "timer") {
      const rt = this.registry.get(e.node)!;
      if (rt.up && rt.node.incarnation === e.incarnation) rt.node._fire(e.timer);
    } else if (e.kind === "serve") {
      e.service.complete(e);
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

  private runtime(id: string, what: string): Runtime {
    const rt = this.registry.get(id);
    if (!rt) throw this.error(`${what}: unknown node "${id}" (known: ${this.nodeIds().join(", ") || "none"})`);
    return rt;
  }

  /** Run a network fault control, adding the time and seed to its option errors. */
  private guarded<T>(control: () => T): T {
    try {
      return control();
    } catch (err) {
      throw withContext(err, { timeMs: this.now(), seed: this.seed });
    }
  }

  private error(text: string, node?: string): SimulationError {
    return new SimulationError(text, { node, timeMs: this.now(), seed: this.seed });
  }

  private reportError(node: string, during: string, error: unknown): void {
    reportNodeError(
      {
        policy: this.onError,
        counters: this.counters,
        now: () => this.now(),
        seed: this.seed,
        record: (event) => this.trace.record(event),
        fail: (err) => this.kernel.fail(err),
        isUp: (id) => this.registry.get(id)?.up ?? false,
        crash: (id) => this.crash(id),
      },
      node,
      during,
      error,
    );
  }
}
