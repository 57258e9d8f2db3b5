// A node's local clock: what the node can know about time, as opposed to the simulator's true
// time. A clock has an offset (how far ahead of true time it reads) and a drift rate in parts per
// million (how much faster it runs); it can be stepped (set at once) or slewed (run a little
// faster or slower until a correction is absorbed), as NTP and `adjtime` do.
//
//   reading(t) = reading(t₀) + (t − t₀) × (1 + driftPpm / 1e6)     between two changes at t₀ and t
//
// Local timers (`node.setTimer(ms, fn, name, { clock: "local" })`) fire when the local clock has
// advanced by their delay: their local deadline is converted to true time when they are set, and
// again whenever the clock changes while they are pending (see `LocalTimers`).
import { ConfigError, toMicros, type ErrorContext } from "../sim/index";
import type { TimerEntry } from "./host";

/** Which clock a timer runs on: the node's own clock, or the simulator's true time. */
export type TimerClock = "local" | "true";

/**
 * A node's clock, given at spawn (`sim.spawn(id, b, { clock })`) or changed later
 * (`sim.setClock(id, …)`). Every field is optional.
 *
 * @example
 * sim.spawn("fast", behaviour, { clock: { offsetMs: 5, driftPpm: 100 } });   // 5 ms ahead, gains 0.1 ms/s
 * sim.spawn("slow", behaviour, { clock: { driftPpm: -50_000, timers: "local" } }); // 5% slow, and so are its timers
 */
export interface ClockOptions {
  /**
   * How far the clock reads ahead of true time at the moment it is set (negative: behind). At
   * spawn time 0 the reading is `offsetMs + t × (1 + driftPpm/1e6)`. Default: at spawn 0; in
   * `setClock`, the clock keeps its current reading (only the drift changes).
   */
  offsetMs?: number;
  /**
   * How much faster than true time the clock runs, in parts per million: +100 gains 0.1 ms per
   * true second, −1000 loses 1 ms per second. Must be > −1,000,000 (a clock that runs). Default 0
   * at spawn; in `setClock`, the current drift.
   */
  driftPpm?: number;
  /**
   * Which clock the node's timers use when a timer does not say (`setTimer`, `setPeriodic`,
   * `sleep`, rpc timeouts and backoff): `"true"` (default) or `"local"`, as in a real machine,
   * where every timer counts ticks of its own oscillator.
   */
  timers?: TimerClock;
}

/** How a clock was changed, as the `clock` trace event says. */
export type ClockChange = "set" | "step" | "slew";

/** What one clock change did, for the trace. */
export interface ClockChangeRecord {
  change: ClockChange;
  /** The offset (reading − true time) right after the change. */
  offsetMs: number;
  driftPpm: number;
  /** For a step or a slew: the correction. */
  deltaMs?: number;
  /** For a slew: the true milliseconds over which it is absorbed. */
  slewMs?: number;
}

/**
 * A piecewise-linear clock: a current segment from true time `t0` (reading `l0`) at
 * `1 + driftPpm/1e6` local ms per true ms, plus an optional slew that adds `slewRate` until
 * `slewEndMs`. Readings are on the microsecond grid, like every virtual time.
 *
 * @example
 * const clock = new LocalClock();
 * clock.set(0, { offsetMs: 5, driftPpm: 100_000 }); // 5 ms ahead, 10% fast
 * clock.read(100);         // 115
 * clock.trueTimeAt(126, 100); // 110: when it will read 126
 */
export class LocalClock {
  /** Drift in parts per million (the slew, if any, is on top). */
  driftPpm = 0;
  /** The default clock of the node's timers. */
  timers: TimerClock = "true";
  private t0 = 0;
  private l0 = 0;
  private rate = 1;
  private slewRate = 0;
  private slewEndMs = 0;

  /**
   * The clock's reading at true time `trueMs` (≥ the last change), on the microsecond grid.
   *
   * @example
   * new LocalClock().read(12.5); // 12.5: an unset clock reads true time
   */
  read(trueMs: number): number {
    return toMicros(this.exact(trueMs));
  }

  /**
   * Reading minus true time at `trueMs`: positive when the clock is ahead.
   *
   * @example
   * clock.offsetAt(sim.now()); // e.g. 5.01
   */
  offsetAt(trueMs: number): number {
    return toMicros(this.exact(trueMs) - trueMs);
  }

  /**
   * The first true time ≥ `fromMs` (on the microsecond grid) at which the clock reads at least
   * `localMs`: when a local timer with that deadline fires.
   *
   * @example
   * clock.trueTimeAt(clock.read(now) + 100, now); // now + 100 / (1 + drift)
   */
  trueTimeAt(localMs: number, fromMs: number): number {
    if (this.read(fromMs) >= localMs) return fromMs;
    const slewing = this.slewEndMs > this.t0;
    const atSlewEnd = this.exact(this.slewEndMs);
    let t = slewing && localMs <= atSlewEnd
      ? this.t0 + (localMs - this.l0) / (this.rate + this.slewRate)
      : Math.max(this.slewEndMs, this.t0) + (localMs - (slewing ? atSlewEnd : this.l0)) / this.rate;
    t = Math.max(fromMs, toMicros(t));
    for (let i = 0; i < 1000 && this.read(t) < localMs; i++) t = toMicros(t + 0.001); // rounding: at most a step or two
    return t;
  }

  /**
   * Set the clock at true time `nowMs`: `offsetMs` steps it to read `nowMs + offsetMs`; `driftPpm`
   * changes its rate from now on; a slew in progress ends. Options must be valid (see
   * `checkClockOptions`).
   *
   * @example
   * clock.set(sim.now(), { offsetMs: -20 }); // now 20 ms behind
   */
  set(nowMs: number, options: ClockOptions): ClockChangeRecord {
    this.fold(nowMs);
    this.slewRate = 0;
    this.slewEndMs = nowMs;
    if (options.offsetMs !== undefined) this.l0 = nowMs + options.offsetMs;
    if (options.driftPpm !== undefined) {
      this.driftPpm = options.driftPpm;
      this.rate = 1 + options.driftPpm / 1e6;
    }
    if (options.timers !== undefined) this.timers = options.timers;
    return { change: "set", offsetMs: this.offsetAt(nowMs), driftPpm: this.driftPpm };
  }

  /**
   * Step the clock by `deltaMs` at true time `nowMs` (a slew in progress goes on).
   *
   * @example
   * clock.step(sim.now(), -3.5); // the reading jumps back 3.5 ms
   */
  step(nowMs: number, deltaMs: number): ClockChangeRecord {
    this.fold(nowMs);
    this.l0 += deltaMs;
    return { change: "step", offsetMs: this.offsetAt(nowMs), driftPpm: this.driftPpm, deltaMs };
  }

  /**
   * Absorb `deltaMs` gradually over the next `slewMs` true milliseconds: the clock runs faster
   * (or slower) by `deltaMs / slewMs` until then, so it never jumps. A new slew replaces one still
   * in progress (the rest of the old correction is dropped, as `adjtime` does). Returns undefined
   * when the clock would stop or run backwards meanwhile.
   *
   * @example
   * clock.slew(sim.now(), -3.5, 1000); // lose 3.5 ms over the next second
   */
  slew(nowMs: number, deltaMs: number, slewMs: number): ClockChangeRecord | undefined {
    if (!(this.rate + deltaMs / slewMs > 0)) return undefined;
    this.fold(nowMs);
    this.slewRate = deltaMs / slewMs;
    this.slewEndMs = nowMs + slewMs;
    return { change: "slew", offsetMs: this.offsetAt(nowMs), driftPpm: this.driftPpm, deltaMs, slewMs };
  }

  /** The exact (unrounded) reading at `t`. */
  private exact(t: number): number {
    const end = this.slewEndMs;
    if (t <= end) return this.l0 + (t - this.t0) * (this.rate + this.slewRate);
    return this.l0 + (end - this.t0) * (this.rate + this.slewRate) + (t - Math.max(end, this.t0)) * this.rate;
  }

  /** Start a new segment at `nowMs` (the reading is unchanged). */
  private fold(nowMs: number): void {
    this.l0 = this.exact(nowMs);
    if (nowMs >= this.slewEndMs) {
      this.slewRate = 0;
      this.slewEndMs = nowMs;
    }
    this.t0 = nowMs;
  }
}

/**
 * Check clock options, throwing a `ConfigError` that names the option (under `option`, e.g.
 * `clock` or `setClock`), the value, and the node, time and seed in `context`.
 *
 * @example
 * checkClockOptions({ driftPpm: -2e6 }, "clock", { node: "a", timeMs: 0, seed: 1 }); // throws: … expected a number > -1000000 …
 */
export function checkClockOptions(options: ClockOptions, option: string, context: ErrorContext): void {
  if (options === null || typeof options !== "object") throw new ConfigError(option, options, "an object such as { offsetMs: 5, driftPpm: 100 }", context);
  const known = ["offsetMs", "driftPpm", "timers"];
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new ConfigError(`${option}.${key}`, (options as Record<string, unknown>)[key], `a known option (${known.join(", ")})`, context);
  }
  const { offsetMs, driftPpm, timers } = options;
  if (offsetMs !== undefined && (typeof offsetMs !== "number" || !Number.isFinite(offsetMs))) {
    throw new ConfigError(`${option}.offsetMs`, offsetMs, "a finite number of milliseconds (negative: behind true time)", context);
  }
  if (driftPpm !== undefined && (typeof driftPpm !== "number" || !Number.isFinite(driftPpm) || !(driftPpm > -1e6))) {
    throw new ConfigError(`${option}.driftPpm`, driftPpm, "a finite number of parts per million > -1000000 (the clock must run forwards)", context);
  }
  if (timers !== undefined && timers !== "local" && timers !== "true") throw new ConfigError(`${option}.timers`, timers, '"local" or "true"', context);
}

/** What local timers need from their node. */
export interface LocalTimersPort {
  readonly clock: LocalClock;
  nowMs(): number;
  /** Schedule an internal timer at a true time (it is ignored once cancelled). */
  schedule(shot: TimerEntry, atMs: number): void;
  /** A local timer came due: run it as the node runs any timer. */
  fire(timer: TimerEntry): void;
}

/** A pending local timer: its deadline on the local clock, and the true-time event armed for it. */
interface Pending {
  deadlineMs: number;
  shot: TimerEntry;
}

/**
 * The local-clock timers of one node incarnation. Each has a deadline on the local clock; an
 * internal true-time timer (a "shot") is armed for the first true time at which the clock reads
 * it. When the clock changes, every pending shot is cancelled and re-armed from the deadline, so
 * a step forward makes local timers fire early and a step back makes them fire late. A periodic
 * local timer's next deadline is the previous one plus its interval (missed runs after a step
 * forward are skipped, not run in a burst). The timer entry the node's code holds never changes,
 * so `cancelTimer` and the rpc layer's `timer.cancelled = true` work as for any timer.
 *
 * @example
 * const timers = new LocalTimers(port);
 * timers.start(entry, 100);   // fires when the local clock has advanced 100 ms
 * timers.clockChanged();      // after a step or a drift change: re-arm everything pending
 */
export class LocalTimers {
  private readonly pending = new Map<TimerEntry, Pending>();

  constructor(private readonly port: LocalTimersPort) {}

  /** Arm `timer` to fire `delayMs` local ms from now. @example timers.start(entry, 100) */
  start(timer: TimerEntry, delayMs: number): void {
    const port = this.port;
    this.arm(timer, port.clock.read(port.nowMs()) + delayMs);
  }

  /** The clock changed: re-arm every pending timer from its local deadline. @example timers.clockChanged() */
  clockChanged(): void {
    for (const [timer, p] of Array.from(this.pending)) {
      p.shot.cancelled = true;
      if (timer.cancelled) this.pending.delete(timer);
      else this.arm(timer, p.deadlineMs);
    }
  }

  private arm(timer: TimerEntry, deadlineMs: number): void {
    const port = this.port;
    const shot: TimerEntry = { id: -1, name: timer.name, intervalMs: 0, internal: true, cancelled: false, callback: () => this.due(timer, shot) };
    this.pending.set(timer, { deadlineMs, shot });
    port.schedule(shot, port.clock.trueTimeAt(deadlineMs, port.nowMs()));
  }

  private due(timer: TimerEntry, shot: TimerEntry): void {
    const p = this.pending.get(timer);
    if (p === undefined || p.shot !== shot) return; // re-armed since
    if (timer.cancelled) {
      this.pending.delete(timer);
      return;
    }
    if (timer.intervalMs > 0) {
      const nowLocal = this.port.clock.read(this.port.nowMs());
      let next = p.deadlineMs + timer.intervalMs;
      if (next <= nowLocal) next = nowLocal + timer.intervalMs;
      this.arm(timer, next);
    } else {
      this.pending.delete(timer);
    }
    this.port.fire(timer);
  }
}
