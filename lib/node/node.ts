import { SimulationError, toMicros } from "../sim/errors";
import type { Prng } from "../sim/prng";
import type { BodiesOf, Body, BodyOf, Message, MessageTypes } from "./message";
import type { NodeHost, NodeResources, TimerEntry } from "./host";
import { RpcEngine, type RpcOptions } from "./rpc";
import { DurableStorage } from "./storage";
import { timerLabel } from "../trace/describe";
import { LocalTimers, type TimerClock } from "./clock";

/**
 * A message handler; it may be `async` (a rejected promise is reported like a throw). Any other
 * return value is ignored, so `(m) => node.reply(m, { type: "pong" })` is a fine handler.
 */
export type Handler<B extends Body = Body> = (message: Message<B>) => unknown;

/** Options of `setTimer`, `setPeriodic` and `sleep`. */
export interface TimerOptions {
  /**
   * `"local"`: count the delay on this node's local clock — the timer fires when `node.clock()`
   * has advanced by it (after `delay / (1 + drift)` true ms; a clock step while it is pending
   * moves it: it fires when the clock reads its deadline). `"true"`: count true time. Default: the
   * node's `clock.timers` option, `"true"` unless set.
   */
  clock?: TimerClock;
}

/**
 * A node as its code sees it (one incarnation: a restart creates a new `Node`). Register handlers
 * with `on`, talk with `send`, `reply`, `rpc`, `multicast` and `broadcast`, keep time with timers,
 * declare states for state diagrams, and keep what must survive a crash in `storage`.
 *
 * Once this incarnation has crashed, none of its methods has any effect: code left over from the
 * dead process (a background task, a handle kept in a notebook) cannot send, set timers, write
 * storage, declare states or log, and its errors are ignored. `isAlive()` tells.
 *
 * @example
 * sim.spawn("server", (node) => {
 *   let served = 0; // volatile: lost in a crash
 *   node.on("echo", (req) => {
 *     served++;
 *     node.reply(req, { type: "echo_ok", echo: req.body.echo });
 *   });
 * });
 */
export class Node<M = any> {
  private readonly handlers = new Map<string, Handler<any>>();
  /** Made on first use (most nodes of a big simulation never call rpc). */
  private rpcEngine: RpcEngine | undefined;
  private readonly timers = new Map<number, TimerEntry>();
  private nextTimerId = 1;
  private alive = true;
  private currentState: string | undefined;
  private disk: DurableStorage | undefined;
  /** Timers on the local clock, made on first use. */
  private localTimers: LocalTimers | undefined;

  /** @internal Created by the simulation; use `sim.spawn`. */
  constructor(
    /** This node's id, e.g. `"n1"`. */
    readonly id: string,
    /** The node's role: which state machine its states belong to (e.g. `"raft"`, `"client"`). */
    readonly role: string,
    /** 1 for the first start, +1 after each restart. */
    readonly incarnation: number,
    private readonly host: NodeHost,
    private readonly resources: NodeResources,
  ) {}

  private get rpcs(): RpcEngine {
    const host = this.host;
    return (this.rpcEngine ??= new RpcEngine({
      node: this.id,
      seed: host.seed,
      prng: this.resources.rpcPrng(),
      now: () => host.nowMs(),
      send: (dest, body) => void this.send(dest, body as BodiesOf<M>),
      startTimer: (delayMs, name, callback) => this.startTimer(delayMs, 0, name, true, callback),
      newMsgId: () => host.nextMsgId(this.id),
      noteRpcMsgId: (msgId) => void this.resources.rpcMsgIds.add(msgId),
      record: (event) => host.record(event),
      reportError: (during, error) => this.reportError(during, error),
      error: (text) => this.error(text),
    }));
  }

  /**
   * This incarnation's random numbers (split from the run's seed by node id and incarnation, so a
   * restarted node draws anew). @example node.rng.int(150, 300)
   */
  get rng(): Prng {
    return this.resources.prng;
  }

  /** Durable storage: the only state kept across a crash. @example node.storage.set("term", 3) */
  get storage(): DurableStorage {
    return (this.disk ??= new DurableStorage(this.resources.disk, () => this.alive));
  }

  /**
   * True time: the simulator's virtual time in milliseconds, the same for every node — omniscient,
   * so no real node could read it. Use it to measure and log (and in lessons that assume perfect
   * clocks). Protocol code that needs the time a real node would have (timestamps in messages,
   * lease expiry, clock synchronisation) reads `clock()` instead; with no clock configured the
   * two are equal.
   *
   * @example
   * node.now(); // 12.5
   */
  now(): number {
    return this.host.nowMs();
  }

  /**
   * This node's local clock reading in milliseconds: what the node itself can know about time.
   * It is `now()` unless the node has a clock (`spawn(…, { clock: { offsetMs, driftPpm } })`,
   * `sim.setClock`): then it is ahead or behind by an offset, runs fast or slow by its drift, and
   * jumps when stepped (`adjustClock`) — it may even go backwards.
   *
   * @example
   * node.send(peer, { type: "time_req" });
   * node.on("time_req", (m) => node.reply(m, { type: "time_resp", serverMs: node.clock() }));
   */
  clock(): number {
    return this.resources.clock.read(this.host.nowMs());
  }

  /**
   * Correct this node's clock by `deltaMs` (as a clock-synchronisation protocol does): at once (a
   * step, which may move it backwards), or with `slewMs` gradually over that many true
   * milliseconds (the clock runs a little faster or slower and never jumps; a new slew replaces
   * one in progress). Pending local-clock timers are re-armed. Traced as a `clock` event.
   *
   * @example
   * node.adjustClock(estimatedOffsetMs);                 // Cristian: step to the server's time
   * node.adjustClock(-3.5, { slewMs: 1000 });            // NTP-style: absorb 3.5 ms over a second
   */
  adjustClock(deltaMs: number, options: { slewMs?: number } = {}): void {
    if (!this.alive) return;
    if (typeof deltaMs !== "number" || !Number.isFinite(deltaMs)) throw this.error(`adjustClock: deltaMs must be a finite number of ms, got ${deltaMs}`);
    const slewMs = options.slewMs;
    const clock = this.resources.clock;
    const now = this.host.nowMs();
    let change;
    if (slewMs === undefined) {
      change = clock.step(now, deltaMs);
    } else {
      if (typeof slewMs !== "number" || !Number.isFinite(slewMs) || !(slewMs > 0)) throw this.error(`adjustClock: slewMs must be a finite number of ms > 0, got ${slewMs}`);
      change = clock.slew(now, deltaMs, slewMs);
      if (change === undefined) throw this.error(`adjustClock: slewing ${deltaMs}ms over ${slewMs}ms would stop the clock or run it backwards; slew over more time`);
    }
    this.host.record({ kind: "clock", timeMs: now, node: this.id, ...change });
    this._clockChanged();
  }

  /** False once this incarnation has crashed. @example node.isAlive() */
  isAlive(): boolean {
    return this.alive;
  }

  /**
   * Ids of every other member, in spawn order: nodes that joined later are in, nodes that left
   * (`sim.leave`) are out; a crashed node stays a peer (it may restart).
   *
   * @example
   * node.peers() // ["n2", "n3"]
   */
  peers(): string[] {
    return this.host.nodeIds().filter((id) => id !== this.id);
  }

  /** The state last declared with `setState`, if any. */
  get state(): string | undefined {
    return this.currentState;
  }

  private error(text: string): SimulationError {
    return new SimulationError(text, { node: this.id, timeMs: this.host.nowMs(), seed: this.host.seed });
  }

  /**
   * Register the handler for one message type. A type can have only one handler.
   *
   * @example
   * node.on("ping", (msg) => node.reply(msg, { type: "pong" }));
   * // typed (sim.spawn<{ ping: { n: number }; pong: { n: number } }>): msg.body.n is a number
   * node.on("ping", (msg) => node.reply(msg, { type: "pong", n: msg.body.n + 1 }));
   */
  on<T extends MessageTypes<M>>(type: T, handler: Handler<BodyOf<M, T>>): this;
  on<B extends Body = Body>(type: string, handler: Handler<B>): this {
    if (typeof type !== "string" || type === "") throw this.error(`on(): message type must be a non-empty string, got ${JSON.stringify(type)}`);
    if (this.handlers.has(type)) throw this.error(`on("${type}"): a handler for "${type}" is already registered`);
    if (typeof handler !== "function") throw this.error(`on("${type}"): the handler must be a function`);
    this.handlers.set(type, handler);
    return this;
  }

  /** Message types this node handles. @example node.handledTypes() // ["ping"] */
  handledTypes(): string[] {
    return Array.from(this.handlers.keys());
  }

  /**
   * Send a message (a JSON copy is sent). A `msg_id` is added if the body has none; it is returned.
   *
   * @example
   * const id = node.send("b", { type: "ping", n: 1 }); // on a typed node, checked against the map
   */
  send(dest: string, body: BodiesOf<M>): number;
  send(dest: string, body: Body): number {
    if (!this.alive) return -1; // a crashed incarnation's leftover code has no effect
    if (!body || typeof body !== "object" || typeof body.type !== "string" || body.type === "") {
      throw this.error(`send to "${dest}": the body must be an object with a non-empty string "type", got ${safeJson(body)}`);
    }
    if (body.msg_id === undefined) {
      const msgId = this.host.nextMsgId(this.id);
      this.host.transmit(this.id, dest, body, msgId); // the copy on the wire gets the msg_id
      return msgId;
    }
    this.host.transmit(this.id, dest, body);
    return body.msg_id;
  }

  /**
   * Reply to a request: sends `body` to the request's sender with `in_reply_to` set to its `msg_id`.
   *
   * @example
   * node.on("read", (req) => node.reply(req, { type: "read_ok", value: 42 }));
   */
  reply(request: Message<any>, body: BodiesOf<M>): number;
  reply(request: Message, body: Body): number {
    return this.send(request.src, Object.assign({}, body, { in_reply_to: request.body.msg_id }) as BodiesOf<M>);
  }

  /**
   * Send to every member of a named group (except this node). Groups come from `spawn(..., { groups })`
   * or `sim.defineGroup`.
   *
   * @example
   * node.multicast("replicas", { type: "update", value: 7 });
   */
  multicast(group: string, body: BodiesOf<M>): void;
  multicast(group: string, body: Body): void {
    if (!this.alive) return;
    for (const dest of this.host.groupMembers(group, this.id)) if (dest !== this.id) this.send(dest, body as BodiesOf<M>);
  }

  /** Send to every other member (`peers()`). @example node.broadcast({ type: "hello" }) */
  broadcast(body: BodiesOf<M>): void;
  broadcast(body: Body): void {
    if (!this.alive) return;
    for (const dest of this.peers()) this.send(dest, body as BodiesOf<M>);
  }

  /**
   * Send a request and wait for its reply (the message whose `in_reply_to` is the request's
   * `msg_id`). Rejects with `RpcTimeoutError` if no reply arrives within `timeoutMs` after each of
   * `1 + retries` attempts. Retries resend the same request (same `msg_id`), after a backoff.
   * A reply that arrives at the very moment an attempt times out is too late (the timeout was
   * queued first). An rpc that times out while no code handles its rejection (no `await` in a
   * try/catch, no `.catch`) is reported as this node's error, under the simulation's `onError`.
   *
   * @example
   * const reply = await node.rpc("server", { type: "read", key: "x" }, { timeoutMs: 100, retries: 3 });
   * reply.body.value;
   * // typed: the reply is any body of the map (narrow on reply.body.type), or say which
   * const ok = await node.rpc<BodyOf<Msgs, "read_ok">>("server", { type: "read", key: "x" });
   */
  rpc<R extends Body = BodiesOf<M>>(dest: string, body: BodiesOf<M>, options?: RpcOptions): Promise<Message<R>>;
  rpc<R extends Body = Body>(dest: string, body: Body, options: RpcOptions = {}): Promise<Message<R>> {
    if (!this.alive) return new Promise(() => {}); // a dead incarnation's rpc never settles
    return this.rpcs.call<R>(dest, body, options);
  }

  /**
   * Run `callback` once after `delayMs` virtual milliseconds. Returns an id for `cancelTimer`.
   * With `{ clock: "local" }` the delay is counted on the node's own clock (see `TimerOptions`).
   * Timers are never subject to a node's service time.
   *
   * @example
   * const t = node.setTimer(300, () => node.setState("candidate", "election timeout"), "election");
   * node.setTimer(100, () => node.log("lease over"), "lease", { clock: "local" }); // 100 ms as this node's clock counts
   */
  setTimer(delayMs: number, callback: () => unknown, name = "timer", options: TimerOptions = {}): number {
    if (!this.alive) return -1;
    return this.startTimer(delayMs, 0, name, false, callback, options.clock).id;
  }

  /**
   * Run `callback` every `intervalMs` virtual milliseconds (first run after one interval). On the
   * local clock (`{ clock: "local" }`), every `intervalMs` of local time; runs missed because the
   * clock was stepped forward are skipped, not run in a burst.
   *
   * @example
   * node.setPeriodic(50, () => node.broadcast({ type: "heartbeat" }), "heartbeat");
   * node.setPeriodic(1000, () => syncClock(), "sync", { clock: "local" });
   */
  setPeriodic(intervalMs: number, callback: () => unknown, name = "periodic", options: TimerOptions = {}): number {
    if (!this.alive) return -1;
    if (!(intervalMs > 0)) throw this.error(`setPeriodic("${name}"): intervalMs must be > 0, got ${intervalMs}`);
    return this.startTimer(intervalMs, intervalMs, name, false, callback, options.clock).id;
  }

  /** Cancel a timer (no effect if it already fired or was cancelled). @example node.cancelTimer(t) */
  cancelTimer(timerId: number): void {
    const timer = this.timers.get(timerId);
    if (timer) {
      timer.cancelled = true;
      this.timers.delete(timerId);
    }
  }

  /**
   * A promise that resolves after `delayMs` virtual milliseconds (of the local clock with
   * `{ clock: "local" }`). @example await node.sleep(100)
   */
  sleep(delayMs: number, options: TimerOptions = {}): Promise<void> {
    if (!this.alive) return new Promise(() => {}); // a dead incarnation never wakes
    return new Promise((resolve) => {
      this.startTimer(delayMs, 0, "sleep", true, resolve, options.clock);
    });
  }

  private startTimer(delayMs: number, intervalMs: number, name: string, internal: boolean, callback: () => unknown, clock?: TimerClock): TimerEntry {
    if (typeof delayMs !== "number" || !(delayMs >= 0) || !Number.isFinite(delayMs)) {
      throw this.error(`timer "${name}": delay must be a finite number of ms ≥ 0, got ${delayMs}`);
    }
    if (clock !== undefined && clock !== "local" && clock !== "true") throw this.error(`timer "${name}": clock must be "local" or "true", got ${JSON.stringify(clock)}`);
    const timer: TimerEntry = { id: this.nextTimerId++, name, intervalMs, callback, internal, cancelled: false };
    if (!internal) this.timers.set(timer.id, timer);
    if (!this.alive) return timer;
    if ((clock ?? this.resources.clock.timers) === "local") this.local.start(timer, delayMs);
    else this.host.scheduleTimer(this.id, this.incarnation, timer, toMicros(this.now() + delayMs));
    return timer;
  }

  private get local(): LocalTimers {
    return (this.localTimers ??= new LocalTimers({
      clock: this.resources.clock,
      nowMs: () => this.host.nowMs(),
      schedule: (shot, atMs) => this.host.scheduleTimer(this.id, this.incarnation, shot, atMs),
      fire: (timer) => {
        if (timer.intervalMs === 0) this.timers.delete(timer.id);
        this.runTimer(timer);
      },
    }));
  }

  /**
   * Declare this node's state for state diagrams (e.g. follower → candidate), with the cause.
   * Each change is a `state` event in the trace; setting the same state again records nothing.
   *
   * @example
   * node.setState("candidate", "election timeout");
   */
  setState(state: string, cause?: string): void {
    if (!this.alive || state === this.currentState) return;
    this.host.record({ kind: "state", timeMs: this.now(), node: this.id, role: this.role, from: this.currentState, to: state, cause });
    this.currentState = state;
  }

  /** Write a line to the trace. @example node.log(`became leader for term ${term}`) */
  log(text: string): void {
    if (!this.alive) return;
    this.host.record({ kind: "log", timeMs: this.now(), node: this.id, text: String(text) });
  }

  // ---- called by the simulation -------------------------------------------------------------

  /** @internal Deliver a message to this incarnation; says whether a handler or a waiting RPC took it. */
  _deliver(message: Message): "handled" | "no-handler" | "late-reply" {
    const reply = this.rpcEngine === undefined ? "none" : this.rpcEngine.takeReply(message);
    if (reply === "taken") return "handled";
    const handler = this.handlers.get(message.body.type);
    if (handler === undefined) {
      // A reply to one of our RPCs that already finished (timed out, or answered by an earlier copy)
      // is expected on a faulty network. Anything else without a handler is a bug — including a
      // reply from another node than the one a still-pending RPC asked.
      const inReplyTo = message.body.in_reply_to;
      const ours = reply === "none" && inReplyTo !== undefined && this.resources.rpcMsgIds.has(inReplyTo);
      return ours ? "late-reply" : "no-handler";
    }
    this.invoke(handler, message, message);
    return "handled";
  }

  /** @internal Run a timer that fired. */
  _fire(timer: TimerEntry): void {
    if (timer.cancelled || !this.alive) return;
    if (timer.intervalMs > 0) {
      this.host.scheduleTimer(this.id, this.incarnation, timer, toMicros(this.now() + timer.intervalMs));
    } else {
      this.timers.delete(timer.id);
    }
    this.runTimer(timer);
  }

  /** Trace a timer (unless internal) and run its callback. */
  private runTimer(timer: TimerEntry): void {
    if (!this.alive) return;
    if (!timer.internal) {
      this.host.record({ kind: "timer", timeMs: this.now(), node: this.id, name: timer.name, periodic: timer.intervalMs > 0 });
    }
    this.invoke(timer.callback, undefined, timerLabel(timer.name, timer.intervalMs > 0));
  }

  /**
   * @internal Run user code `fn(arg)`: a throw, or a rejection of the promise it returns, is
   * reported as this node's error, made `during` a task (a message is described only if needed).
   */
  invoke<A>(fn: (arg: A) => unknown, arg: A, during: string | Message): void {
    try {
      const result = fn(arg);
      if (result && typeof (result as PromiseLike<unknown>).then === "function") {
        (result as Promise<unknown>).then(undefined, (err) => this.reportError(during, err));
      }
    } catch (err) {
      this.reportError(during, err);
    }
  }

  private reportError(during: string | Message, err: unknown): void {
    if (!this.alive) return; // errors of a dead incarnation's leftover code are ignored
    this.host.reportError(this.id, typeof during === "string" ? during : describeDelivery(during), err);
  }

  /** @internal The clock was changed (`sim.setClock`, `adjustClock`): re-arm pending local-clock timers. */
  _clockChanged(): void {
    if (this.alive) this.localTimers?.clockChanged();
  }

  /** @internal The node crashed: drop timers and pending RPCs (their promises never settle). */
  _crash(): void {
    this.alive = false;
    for (const timer of this.timers.values()) timer.cancelled = true;
    this.timers.clear();
    this.rpcEngine?.abandon();
  }

  /** A one-line description. @example String(node) // "Node(a, role=node, incarnation 1, state=leader)" */
  toString(): string {
    return `Node(${this.id}, role=${this.role}, incarnation ${this.incarnation}${this.currentState ? `, state=${this.currentState}` : ""}${this.alive ? "" : ", crashed"})`;
  }
}

/** What a node was doing when its handler failed, as error messages say it: `message ping from a`. */
function describeDelivery(message: Message): string {
  return `message ${message.body.type} from ${message.src}`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
