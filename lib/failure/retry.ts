// Retry policies and the experiment behind them. Marc Brooker, "Exponential Backoff and Jitter",
// AWS Architecture Blog, 4 March 2015: clients that retry a conflicting write immediately, or after
// the same exponential delays, keep colliding in clusters; randomising the delay ("jitter")
// spreads them out, so the record sees far fewer wasted calls. The policies are his:
//   exponential          sleep = min(cap, base · 2^attempt)
//   full jitter          sleep = random(0, min(cap, base · 2^attempt))
//   equal jitter         t = min(cap, base · 2^attempt); sleep = t/2 + random(0, t/2)
//   decorrelated jitter  sleep = min(cap, random(base, previous sleep · 3))
import type { Node } from "../node/index";
import { Prng } from "../sim/index";
import { latency as latencies, sampleLatency, type Latency } from "../net/index";
import { checkInteger, checkPositive, contextOf, failureError } from "./errors";

/** A retry policy: how long to wait before retry number `attempt` (0 = the first retry). */
export type BackoffPolicy =
  | { kind: "none" }
  | { kind: "exponential"; baseMs: number; capMs: number }
  | { kind: "full-jitter"; baseMs: number; capMs: number }
  | { kind: "equal-jitter"; baseMs: number; capMs: number }
  | { kind: "decorrelated-jitter"; baseMs: number; capMs: number };

/**
 * Constructors for the policies of Brooker 2015, so options read well.
 *
 * @example
 * backoffPolicy.fullJitter(10, 1000); // { kind: "full-jitter", baseMs: 10, capMs: 1000 }
 * backoffPolicy.none();                // retry at once
 */
export const backoffPolicy = {
  none: (): BackoffPolicy => ({ kind: "none" }),
  exponential: (baseMs: number, capMs: number): BackoffPolicy => ({ kind: "exponential", baseMs, capMs }),
  fullJitter: (baseMs: number, capMs: number): BackoffPolicy => ({ kind: "full-jitter", baseMs, capMs }),
  equalJitter: (baseMs: number, capMs: number): BackoffPolicy => ({ kind: "equal-jitter", baseMs, capMs }),
  decorrelatedJitter: (baseMs: number, capMs: number): BackoffPolicy => ({ kind: "decorrelated-jitter", baseMs, capMs }),
};

/** The five policies of the comparison, with base 10 ms and cap 1 s. @example BACKOFF_POLICIES.map((p) => p.kind) */
export const BACKOFF_POLICIES: readonly BackoffPolicy[] = [
  backoffPolicy.none(),
  backoffPolicy.exponential(10, 1000),
  backoffPolicy.fullJitter(10, 1000),
  backoffPolicy.equalJitter(10, 1000),
  backoffPolicy.decorrelatedJitter(10, 1000),
];

function checkPolicy(policy: BackoffPolicy, where: string): void {
  const kinds = ["none", "exponential", "full-jitter", "equal-jitter", "decorrelated-jitter"];
  if (!policy || !kinds.includes(policy.kind)) throw failureError(`${where}: policy.kind must be one of ${kinds.join(", ")}, got ${JSON.stringify(policy?.kind)}`, {});
  if (policy.kind === "none") return;
  checkPositive(where, "policy.baseMs", policy.baseMs, {});
  checkPositive(where, "policy.capMs", policy.capMs, {});
  if (policy.capMs < policy.baseMs) throw failureError(`${where}: policy.capMs (${policy.capMs}) is below policy.baseMs (${policy.baseMs})`, {});
}

/**
 * The delay before retry number `attempt` (0-based) under `policy`, drawing from `prng`
 * (Brooker 2015). Decorrelated jitter depends on the previous delay: pass it as `previousDelayMs`
 * (default `baseMs`, the value before the first retry).
 *
 * @example
 * const prng = new Prng(1);
 * backoffDelayMs(backoffPolicy.exponential(10, 1000), 3, prng); // 80
 * backoffDelayMs(backoffPolicy.fullJitter(10, 1000), 3, prng);  // in [0, 80)
 */
export function backoffDelayMs(policy: BackoffPolicy, attempt: number, prng: Prng, previousDelayMs?: number): number {
  checkPolicy(policy, "backoffDelayMs");
  checkInteger("backoffDelayMs", "attempt", attempt, 0, {});
  if (policy.kind === "none") return 0;
  const { baseMs, capMs } = policy;
  const ceiling = Math.min(capMs, baseMs * Math.pow(2, attempt));
  switch (policy.kind) {
    case "exponential":
      return ceiling;
    case "full-jitter":
      return prng.uniform(0, ceiling);
    case "equal-jitter":
      return ceiling / 2 + prng.uniform(0, ceiling / 2);
    case "decorrelated-jitter":
      return Math.min(capMs, prng.uniform(baseMs, (previousDelayMs ?? baseMs) * 3));
  }
}

/**
 * A stateful backoff for one caller: `next()` gives the delay before each successive retry,
 * carrying decorrelated jitter's previous delay.
 *
 * @example
 * const b = backoff(backoffPolicy.decorrelatedJitter(10, 1000), new Prng(7));
 * b.next(); b.next(); // each in [10, 3 × the previous]
 */
export function backoff(policy: BackoffPolicy, prng: Prng): { next(): number; readonly attempts: number; reset(): void } {
  checkPolicy(policy, "backoff");
  let attempt = 0;
  let previous: number | undefined;
  return {
    next() {
      previous = backoffDelayMs(policy, attempt++, prng, previous);
      return previous;
    },
    get attempts() {
      return attempt;
    },
    reset() {
      attempt = 0;
      previous = undefined;
    },
  };
}

/**
 * Thrown by {@link retryWithBackoff} when every attempt failed, with the attempts made and the
 * last error; the message names the node and the virtual time (Brooker 2015: retries must be bounded).
 *
 * @example
 * try { await retryWithBackoff(node, call, { policy, retriesMax: 3 }); }
 * catch (e) { if (e instanceof RetriesExhaustedError) node.log(`gave up after ${e.attempts}`); }
 */
export class RetriesExhaustedError extends Error {
  constructor(readonly attempts: number, readonly lastError: unknown, readonly node: string, readonly timeMs: number) {
    super(`gave up after ${attempts} attempts: ${lastError instanceof Error ? lastError.message : String(lastError)} (node "${node}", t=${timeMs}ms)`);
    this.name = "RetriesExhaustedError";
  }
}

/**
 * Call `operation` until it resolves, sleeping (virtual time) between attempts as `policy` says;
 * after `retriesMax` retries, give up with a {@link RetriesExhaustedError}. Brooker 2015.
 *
 * @example
 * const reply = await retryWithBackoff(node, () => node.rpc("db", { type: "write", v: 1 }, { timeoutMs: 50 }),
 *   { policy: backoffPolicy.fullJitter(10, 1000), retriesMax: 5 });
 */
export async function retryWithBackoff<T>(node: Node, operation: (attempt: number) => Promise<T>, options: { policy: BackoffPolicy; retriesMax: number }): Promise<T> {
  checkPolicy(options?.policy, "retryWithBackoff");
  const retriesMax = checkInteger("retryWithBackoff", "retriesMax", options.retriesMax, 0, contextOf(node));
  const delays = backoff(options.policy, node.rng);
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt >= retriesMax) throw new RetriesExhaustedError(attempt + 1, error, node.id, node.now());
      await node.sleep(delays.next());
    }
  }
}

/** Options of {@link runContention}. */
export interface ContentionOptions {
  /** Clients, each wanting one successful write. Default 100 (Brooker's experiment). */
  clients?: number;
  policy: BackoffPolicy;
  seed?: number;
  /** One-way delay between a client and the server. Default `latency.uniform(5, 15)`. */
  latency?: Latency;
  /** Clients start at a uniform time in [0, startSpreadMs). Default 0: all at once, as in Brooker's runs. */
  startSpreadMs?: number;
}

/** What {@link runContention} measured. */
export interface ContentionResult {
  policy: BackoffPolicy["kind"];
  clients: number;
  seed: number;
  /** Write calls the server received (each preceded by a read): the work Brooker charts. */
  calls: number;
  /** Writes refused because another write landed since the client's read. */
  conflicts: number;
  /** Virtual time until the last client's write succeeded, ms. */
  durationMs: number;
  /** Attempts of the unluckiest client. */
  attemptsMax: number;
}

/**
 * Brooker's experiment (2015): `clients` clients each read one record (getting its version) and
 * write it back conditionally — optimistic concurrency control: the server refuses the write if
 * another write landed since that read. Every refused write is retried (a fresh read, then the
 * write) after the policy's delay. Returns the total calls and the time until all succeeded.
 * A pure discrete-event model driven by one seed (no nodes: 100 clients × thousands of calls stay
 * fast).
 *
 * @example
 * runContention({ clients: 100, policy: backoffPolicy.none(), seed: 1 }).calls;                // ≈ 2,200
 * runContention({ clients: 100, policy: backoffPolicy.fullJitter(10, 1000), seed: 1 }).calls; // ≈ 800
 */
export function runContention(options: ContentionOptions): ContentionResult {
  const where = "runContention";
  checkPolicy(options?.policy, where);
  const clients = checkInteger(where, "clients", options.clients ?? 100, 1, {});
  const seed = checkInteger(where, "seed", options.seed ?? 1, 0, {});
  const startSpreadMs = checkPositive(where, "startSpreadMs", options.startSpreadMs ?? 0, {}, true);
  const dist = options.latency ?? latencies.uniform(5, 15);
  const root = new Prng(seed);
  const net = root.split("network");
  const jitter = root.split("backoff");
  const starts = root.split("starts");
  type Phase = "read" | "write" | "result";
  interface Client {
    /** Time of this client's next event: its read or write reaching the server, or the answer reaching it. */
    atMs: number;
    phase: Phase;
    readVersion: number;
    ok: boolean;
    attempts: number;
    delays: ReturnType<typeof backoff>;
  }
  const state: Client[] = [];
  for (let i = 0; i < clients; i++) {
    const startMs = startSpreadMs > 0 ? starts.uniform(0, startSpreadMs) : 0;
    state.push({ atMs: startMs + sampleLatency(dist, net), phase: "read", readVersion: -1, ok: false, attempts: 0, delays: backoff(options.policy, jitter.split(`client ${i}`)) });
  }
  let version = 0;
  let calls = 0;
  let conflicts = 0;
  let done = 0;
  let endMs = 0;
  while (done < clients) {
    // Next event: the smallest time, ties by client index (deterministic).
    let i = -1;
    for (let j = 0; j < clients; j++) if (state[j].atMs !== Infinity && (i < 0 || state[j].atMs < state[i].atMs)) i = j;
    const c = state[i];
    if (c.phase === "read") {
      // The server answers the read with the version; the client writes as soon as it has it.
      c.readVersion = version;
      c.phase = "write";
      c.atMs += sampleLatency(dist, net) + sampleLatency(dist, net);
    } else if (c.phase === "write") {
      calls++;
      c.attempts++;
      c.ok = c.readVersion === version;
      if (c.ok) version++;
      else conflicts++;
      c.phase = "result";
      c.atMs += sampleLatency(dist, net);
    } else if (c.ok) {
      done++;
      endMs = Math.max(endMs, c.atMs);
      c.atMs = Infinity;
    } else {
      c.phase = "read";
      c.atMs += c.delays.next() + sampleLatency(dist, net);
    }
  }
  return { policy: options.policy.kind, clients, seed, calls, conflicts, durationMs: endMs, attemptsMax: Math.max(...state.map((s) => s.attempts)) };
}
