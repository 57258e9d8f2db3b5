/**
 * Errors raised by the simulator. Each says which node, at which virtual time, and the seed that
 * replays the run, so a student can reproduce it exactly.
 */

/** Where and when something went wrong. */
export interface ErrorContext {
  /** The run's seed. */
  seed?: number;
  /** Virtual time in milliseconds. */
  timeMs?: number;
  /** The node concerned, if any. */
  node?: string;
}

/**
 * An error from the simulator with its context appended to the message:
 * `… (node "b", t=12.5ms, seed=42)`.
 *
 * @example
 * throw new SimulationError("unknown node \"z\"", { node: "a", timeMs: 10, seed: 1 });
 */
export class SimulationError extends Error {
  /** The message without the context suffix. */
  readonly detail: string;
  readonly seed?: number;
  readonly timeMs?: number;
  readonly node?: string;

  constructor(message: string, context: ErrorContext = {}) {
    const parts: string[] = [];
    if (context.node !== undefined) parts.push(`node "${context.node}"`);
    if (context.timeMs !== undefined) parts.push(`t=${formatMs(context.timeMs)}`);
    if (context.seed !== undefined) parts.push(`seed=${context.seed}`);
    super(parts.length ? `${message} (${parts.join(", ")})` : message);
    this.name = "SimulationError";
    this.detail = message;
    this.seed = context.seed;
    this.timeMs = context.timeMs;
    this.node = context.node;
  }
}

/** Invalid configuration: names the option and the value. @example new ConfigError("network.lossProbability", 2, "a probability in [0, 1]") */
export class ConfigError extends SimulationError {
  constructor(option: string, value: unknown, expected: string, context: ErrorContext = {}) {
    super(`invalid option ${option}: got ${describeValue(value)}, expected ${expected}`, context);
    this.name = "ConfigError";
  }
}

/**
 * The same error with `context` (a node, the time, the seed) where it had none: for errors raised
 * by parts that do not know the run, such as option checks.
 *
 * @example
 * throw withContext(err, { timeMs: sim.now(), seed: sim.seed });
 */
export function withContext(error: unknown, context: ErrorContext): unknown {
  if (!(error instanceof SimulationError) || error.seed !== undefined) return error;
  const merged: ErrorContext = { node: error.node ?? context.node, timeMs: error.timeMs ?? context.timeMs, seed: context.seed };
  const copy = new SimulationError(error.detail, merged);
  copy.name = error.name;
  Object.setPrototypeOf(copy, Object.getPrototypeOf(error));
  return copy;
}

/** Microsecond resolution for virtual times, so that sums of fractional delays stay exact-looking (0.1 + 0.2 → 0.3). @example toMicros(0.30000000000000004) // 0.3 */
export function toMicros(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** Virtual milliseconds as text: `12ms`, `12.5ms`. @example formatMs(12.5) // "12.5ms" */
export function formatMs(ms: number): string {
  return `${toMicros(ms)}ms`;
}

function describeValue(value: unknown): string {
  if (typeof value === "number" || typeof value === "boolean" || value === undefined || value === null) return String(value);
  if (typeof value === "string") return JSON.stringify(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
