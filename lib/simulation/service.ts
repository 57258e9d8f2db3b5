// Service time and capacity: a node that takes time to handle each message. Messages that reach
// a node with service time wait in a FIFO queue for one of its `concurrency` slots, are served
// for a time drawn from the node's service-time distribution, and only then reach their handler
// (or the rpc they answer). So a reply leaves when the work is done, and a client sees
// response time = waiting + service (+ the network): the quantity load-balancing, back-pressure
// and straggler lessons are about.
//
// A message is *delivered* (the `deliver` trace event, `sim.counters.delivered`) when it reaches
// its handler; until then it is still in flight, so a crash that empties the queue drops it (reason
// "crashed") and every copy still has exactly one fate. Timers are not subject to service time.
import { ConfigError, SimulationError, toMicros, type ErrorContext, type Kernel, type Prng } from "../sim/index";
import { latencyNumbers, sampleLatency, type Latency } from "../net/index";
import type { Message } from "../node/index";
import type { DropReason, Trace } from "../trace/index";
import type { DeliverEv, ServeEv, SimEvent } from "./events";
import type { Runtime } from "./registry";
import type { Transport } from "./transport";

/**
 * How long a node takes to handle one message: a latency distribution (`latency.constant(2)`,
 * `latency.exponential(5)`, …) drawn from the node's own random stream, or a function of the
 * message (e.g. a map task's size) that may draw from that stream. Do not change the message.
 */
export type ServiceTime = Latency | ((message: Message, rng: Prng) => number);

/**
 * A node's service time and capacity, given at spawn (`{ service: … }`) or changed later with
 * `sim.setService`.
 *
 * @example
 * sim.spawn("server", serve, { service: { timeMs: latency.exponential(5) } });                 // one at a time
 * sim.spawn("worker", work, { service: { timeMs: latency.constant(10), concurrency: 4, queueLengthMax: 100 } });
 * sim.spawn("mapper", map, { service: { timeMs: (m) => m.body.sizeMb * 2 } });                // 2 ms per MB
 */
export interface ServiceOptions {
  /** The time one message takes (required when service is first enabled). */
  timeMs: ServiceTime;
  /** Messages served at once. A whole number ≥ 1, or Infinity (pure delay, no queueing). Default 1. */
  concurrency?: number;
  /**
   * Messages that may wait for a slot (those being served do not count). A message that finds the
   * queue full is dropped with reason "queue-full". Default Infinity.
   */
  queueLengthMax?: number;
}

/** Service options with their defaults filled in. */
interface ResolvedService {
  timeMs: ServiceTime;
  concurrency: number;
  queueLengthMax: number;
}

/** A message waiting for a slot. */
interface Waiting {
  copy: DeliverEv;
  arrivedMs: number;
}

/** What a node's service queue needs from the simulation. */
export interface ServicePort {
  readonly kernel: Kernel<SimEvent>;
  readonly transport: Transport;
  readonly trace: Trace;
  readonly seed: number;
}

const LATENCY_KINDS = ["constant", "uniform", "normal", "exponential"];

/**
 * Check service options (merged over `base`, if any) and fill in defaults. Throws a `ConfigError`
 * naming the option, the value, and the node, time and seed in `context`.
 *
 * @example
 * resolveService({ timeMs: latency.constant(-1) }, undefined, "service", { node: "a", timeMs: 0, seed: 1 });
 * // throws: invalid option service.timeMs.ms: got -1, expected a finite number of milliseconds ≥ 0 (node "a", t=0ms, seed=1)
 */
export function resolveService(options: Partial<ServiceOptions>, base: ResolvedService | undefined, option: string, context: ErrorContext): ResolvedService {
  if (options === null || typeof options !== "object") throw new ConfigError(option, options, "an object such as { timeMs: latency.constant(5) }", context);
  const known = ["timeMs", "concurrency", "queueLengthMax"];
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new ConfigError(`${option}.${key}`, (options as Record<string, unknown>)[key], `a known option (${known.join(", ")})`, context);
  }
  const merged: ResolvedService = {
    timeMs: options.timeMs ?? (base?.timeMs as ServiceTime),
    concurrency: options.concurrency ?? base?.concurrency ?? 1,
    queueLengthMax: options.queueLengthMax ?? base?.queueLengthMax ?? Infinity,
  };
  const time = merged.timeMs;
  if (time === undefined) {
    throw new ConfigError(`${option}.timeMs`, undefined, "a service time such as latency.constant(5) (the node has none yet)", context);
  }
  if (typeof time !== "function") {
    if (!time || typeof time !== "object" || !LATENCY_KINDS.includes(time.kind)) {
      throw new ConfigError(`${option}.timeMs`, time, "a distribution such as latency.constant(5), or a function (message, rng) => ms", context);
    }
    for (const [name, value] of latencyNumbers(time)) {
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
        throw new ConfigError(`${option}.timeMs.${name}`, value, "a finite number of milliseconds ≥ 0", context);
      }
    }
    if (time.kind === "uniform" && time.msMax < time.msMin) throw new ConfigError(`${option}.timeMs.msMax`, time.msMax, `≥ msMin (${time.msMin})`, context);
  }
  const c = merged.concurrency;
  if (typeof c !== "number" || !(c >= 1) || !(Number.isInteger(c) || c === Infinity)) {
    throw new ConfigError(`${option}.concurrency`, c, "a whole number ≥ 1 (or Infinity)", context);
  }
  const q = merged.queueLengthMax;
  if (typeof q !== "number" || !(q >= 0) || !(Number.isInteger(q) || q === Infinity)) {
    throw new ConfigError(`${option}.queueLengthMax`, q, "a whole number ≥ 0 (or Infinity)", context);
  }
  return merged;
}

/**
 * One node's service: its slots, its FIFO queue, its service-time stream. The transport hands it
 * every copy that reaches the node (`arrive`); a `serve` event ends each service (`complete`),
 * and the copy goes on to its handler. A crash empties it.
 *
 * @example
 * rt.service = new ServiceQueue(rt, resolveService({ timeMs: latency.constant(10) }, undefined, "service", {}), prng, port);
 * rt.service.length; // messages waiting for a slot
 */
export class ServiceQueue {
  private readonly waiting: Array<Waiting | undefined> = [];
  private head = 0;
  /** Services in progress, in the order they started. */
  private readonly serving = new Set<ServeEv>();

  constructor(
    private readonly rt: Runtime,
    private options: ResolvedService,
    /** The node's service-time stream (split from the run's seed by node id: it disturbs nothing else). */
    private readonly rng: Prng,
    private readonly port: ServicePort,
  ) {}

  /** Messages waiting for a slot. @example rt.service.length */
  get length(): number {
    return this.waiting.length - this.head;
  }

  /** Messages being served now. @example rt.service.inService */
  get inService(): number {
    return this.serving.size;
  }

  /** The options in force. @example rt.service.settings.concurrency */
  get settings(): Readonly<ResolvedService> {
    return this.options;
  }

  /**
   * Change the options from now on (services in progress keep their times); a larger concurrency
   * starts waiting messages at once.
   *
   * @example
   * rt.service.configure(resolved, sim.now());
   */
  configure(options: ResolvedService, nowMs: number): void {
    this.options = options;
    this.pump(nowMs);
  }

  /**
   * A copy reached the node: serve it now if a slot is free, else queue it (or drop it with
   * reason "queue-full").
   *
   * @example
   * rt.service.arrive(deliverEvent);
   */
  arrive(copy: DeliverEv): void {
    const now = copy.timeMs;
    if (this.serving.size < this.options.concurrency && this.length === 0) {
      this.start(copy, now, now);
    } else if (this.length >= this.options.queueLengthMax) {
      this.port.transport.dropCopy(copy, "queue-full", now);
    } else {
      this.waiting.push({ copy, arrivedMs: now });
      this.recordLength(now);
    }
  }

  /**
   * A service ended: hand the copy to its handler, then start the next waiting message. Ignored
   * when a crash emptied the queue since the service started.
   *
   * @example
   * rt.service.complete(serveEvent);
   */
  complete(ev: ServeEv): void {
    if (ev.crashes !== this.rt.crashes || !this.serving.delete(ev)) return;
    this.port.transport.handOverServed(ev.copy, ev.arrivedMs, ev.serviceMs);
    if (ev.crashes === this.rt.crashes) this.pump(ev.timeMs); // unless the handler crashed the node
  }

  /**
   * The node crashed (or left): every message being served or waiting is lost (dropped with
   * that reason).
   *
   * @example
   * rt.service.crash(sim.now(), "crashed");
   */
  crash(nowMs: number, reason: DropReason): void {
    const transport = this.port.transport;
    for (const ev of this.serving) transport.dropCopy(ev.copy, reason, nowMs);
    this.serving.clear();
    const queued = this.length;
    for (let i = this.head; i < this.waiting.length; i++) transport.dropCopy(this.waiting[i]!.copy, reason, nowMs);
    this.waiting.length = 0;
    this.head = 0;
    if (queued > 0) this.recordLength(nowMs);
  }

  /** Start waiting messages while slots are free. */
  private pump(nowMs: number): void {
    const before = this.length;
    while (this.serving.size < this.options.concurrency && this.head < this.waiting.length) {
      const w = this.waiting[this.head]!;
      this.waiting[this.head++] = undefined;
      this.start(w.copy, w.arrivedMs, nowMs);
    }
    if (this.head === this.waiting.length) {
      this.waiting.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
    if (this.length !== before) this.recordLength(nowMs);
  }

  private start(copy: DeliverEv, arrivedMs: number, nowMs: number): void {
    const endMs = toMicros(nowMs + this.sample(copy, nowMs));
    const serviceMs = toMicros(endMs - nowMs); // as served, on the microsecond grid
    const ev: ServeEv = { kind: "serve", timeMs: endMs, seq: 0, service: this, copy, arrivedMs, serviceMs, crashes: this.rt.crashes };
    this.serving.add(ev);
    this.port.kernel.schedule(ev);
  }

  /** One service time; a bad one stops the run (naming the node, the time and the seed) and counts as 0. */
  private sample(copy: DeliverEv, nowMs: number): number {
    const time = this.options.timeMs;
    const context = { node: this.rt.id, timeMs: nowMs, seed: this.port.seed };
    let ms: unknown;
    if (typeof time !== "function") {
      ms = sampleLatency(time, this.rng);
    } else {
      try {
        ms = time({ src: copy.src, dest: copy.dest, body: (copy.copy ??= JSON.parse(copy.json)) }, this.rng);
      } catch (err) {
        this.port.kernel.fail(new SimulationError(`the service-time function failed for message ${copy.type} from ${copy.src}: ${err instanceof Error ? err.message : String(err)}`, context));
        return 0;
      }
    }
    if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) {
      const expected = `a finite number of milliseconds ≥ 0 (drawn for message ${copy.type} from ${copy.src})`;
      this.port.kernel.fail(new ConfigError("service.timeMs", ms, expected, context));
      return 0;
    }
    return ms;
  }

  private recordLength(nowMs: number): void {
    this.port.trace.record({ kind: "queue", timeMs: nowMs, node: this.rt.id, length: this.length });
  }
}

/**
 * Enable or change a node's service (spawn's `service` option and `sim.setService`).
 *
 * @example
 * configureService(rt, { timeMs: latency.constant(10) }, "service", port, prng.split("service:a"));
 */
export function configureService(rt: Runtime, options: Partial<ServiceOptions>, option: string, port: ServicePort, rng: () => Prng): void {
  const nowMs = port.kernel.nowMs;
  const context = { node: rt.id, timeMs: nowMs, seed: port.seed };
  const resolved = resolveService(options, rt.service?.settings, option, context);
  if (rt.service === undefined) rt.service = new ServiceQueue(rt, resolved, rng(), port);
  else rt.service.configure(resolved, nowMs);
}
