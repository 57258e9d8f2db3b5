// Measuring mutual exclusion: the safety invariant (never two in the critical section), and
// messages per entry, throughput, waits and fairness of each algorithm, computed from the trace.
// The textbook costs are Coulouris et al. (5th ed.), §15.2, and Ricart & Agrawala (1981), Table I.
import { Simulation } from "../simulation/simulation";
import { latency as latencies, type Latency } from "../net/latency";
import { ConfigError } from "../sim/errors";
import type { TraceEvent } from "../trace/events";
import type { Node } from "../node/node";
import { openCentralMutex } from "./mutex-central";
import { openRicartAgrawala } from "./ricart-agrawala";
import { openLamportMutex } from "./lamport-mutex";
import { openTokenRing, type TokenRingMutex } from "./token-ring";
import type { Mutex, MutexAlgorithm } from "./mutex";

const ALGORITHMS: readonly MutexAlgorithm[] = ["central", "ricart-agrawala", "lamport", "token-ring"];

/**
 * Declare mutual exclusion's safety property as an invariant of `sim`: among the running nodes
 * of `ids`, at most one is in state `"held"` — checked after every event. A crashed holder is
 * not in the critical section any more (its state stays `"held"` in the trace, but it does not
 * count). Returns the function that removes the invariant.
 *
 * @example
 * watchMutualExclusion(sim, ["p1", "p2", "p3"]);
 * await sim.runFor(1000); // throws InvariantViolation "never two in the critical section" at the first overlap
 */
export function watchMutualExclusion(sim: Simulation, ids: readonly string[]): () => void {
  return sim.invariant("never two in the critical section", () => {
    const holders = ids.filter((id) => sim.isUp(id) && sim.node(id).state === "held");
    return holders.length <= 1 || `${holders.join(" and ")} are in the critical section together`;
  });
}

/** Messages per entry that the textbook gives: a single number, or a range for the token ring. */
export interface TextbookCost {
  /** Fewest messages per entry. */
  low: number;
  /** Most messages per entry (Infinity for the token ring: the token moves when nobody enters). */
  high: number;
  /** The formula as written in the book. */
  formula: string;
}

/**
 * The textbook messages per entry of each algorithm with n participants: central 3 (request,
 * grant, release), Ricart–Agrawala 2(n − 1), Lamport 3(n − 1), token ring 1 to ∞.
 *
 * @example
 * textbookMessagesPerEntry("ricart-agrawala", 5); // { low: 8, high: 8, formula: "2(N − 1)" }
 */
export function textbookMessagesPerEntry(algorithm: MutexAlgorithm, n: number): TextbookCost {
  switch (algorithm) {
    case "central":
      return { low: 3, high: 3, formula: "3" };
    case "ricart-agrawala":
      return { low: 2 * (n - 1), high: 2 * (n - 1), formula: "2(N − 1)" };
    case "lamport":
      return { low: 3 * (n - 1), high: 3 * (n - 1), formula: "3(N − 1)" };
    case "token-ring":
      return { low: 1, high: Infinity, formula: "1 to ∞" };
    default:
      throw new ConfigError("textbookMessagesPerEntry: algorithm", algorithm, `one of ${ALGORITHMS.join(", ")}`);
  }
}

/** Options of {@link measureMutex}. */
export interface MeasureMutexOptions {
  algorithm: MutexAlgorithm;
  /** Participants p1…pn (the central algorithm adds a coordinator node besides). n ≥ 2. */
  n: number;
  /** Entries each participant makes. Default 5. */
  entriesPerNode?: number;
  /** Seed of the run. Default 1. */
  seed?: number;
  /**
   * `"concurrent"` (default): every participant loops think → request → critical section →
   * release, all starting together. `"sequential"`: one request at a time, p1, p2, …, pn, p1, …,
   * each `gapMs` after the previous release (so no two requests ever overlap).
   */
  workload?: "concurrent" | "sequential";
  /** Time spent in the critical section. Default 5 ms. */
  criticalSectionMs?: number;
  /** Concurrent workload: mean of the exponential think time before each request. Default 0 (always wanting). */
  thinkMsMean?: number;
  /** Sequential workload: the pause between a release and the next request. Default 50 ms. */
  gapMs?: number;
  /** One-way latency. Default `latency.uniform(1, 10)`. */
  latency?: Latency;
  /** Link order. Default `"fifo"` (Lamport's algorithm needs it). */
  ordering?: "fifo" | "unordered";
  /** Check "never two in the critical section" after every event. Default true. */
  checkSafety?: boolean;
  /** Give up (with an error) after this much virtual time. Default 600,000 ms. */
  withinMs?: number;
}

/** One entry into the critical section, read from the trace's state events. */
export interface MutexEntry {
  node: string;
  requestedMs: number;
  grantedMs: number;
  releasedMs: number;
  /** `grantedMs − requestedMs`. */
  waitMs: number;
}

/** What {@link measureMutex} measured. */
export interface MutexMeasurement {
  algorithm: MutexAlgorithm;
  n: number;
  seed: number;
  workload: "concurrent" | "sequential";
  /** Entries made (all n · entriesPerNode: every request was granted). */
  entries: number;
  /** Protocol messages sent (for the token ring: up to the last release). */
  messages: number;
  messagesPerEntry: number;
  textbook: TextbookCost;
  /** Entries per second of virtual time, from time 0 to the last release. */
  entriesPerSecond: number;
  waitMsMean: number;
  waitMsMax: number;
  /**
   * Jain's fairness index of the participants' mean waits, (Σx)² / (n·Σx²): 1 when all wait
   * alike, 1/n when one waits and the others do not (1 when nobody waits).
   */
  jainIndex: number;
  /** Pairs of entries granted in the opposite order to their requests (a requested strictly first, b granted first). */
  orderInversions: number;
  /** Virtual time of the last release. */
  durationMs: number;
  /** Every entry, in grant order. */
  log: MutexEntry[];
}

/**
 * Read the entries into the critical section from a trace: each wanted → held → released of a
 * node in `ids`, from its `state` events. Open entries (not released yet) are left out.
 *
 * @example
 * mutexEntries(sim.trace.events, ["p1", "p2"]); // [{ node: "p1", requestedMs: 0, grantedMs: 4.2, releasedMs: 9.2, waitMs: 4.2 }, …]
 */
export function mutexEntries(events: readonly TraceEvent[], ids: readonly string[]): MutexEntry[] {
  const open = new Map<string, { requestedMs: number; grantedMs?: number }>();
  const entries: MutexEntry[] = [];
  const watched = new Set(ids);
  for (const e of events) {
    if (e.kind !== "state" || !watched.has(e.node)) continue;
    if (e.to === "wanted") open.set(e.node, { requestedMs: e.timeMs });
    else if (e.to === "held") {
      const o = open.get(e.node);
      if (o) o.grantedMs = e.timeMs;
    } else if (e.to === "released" && e.from === "held") {
      const o = open.get(e.node);
      if (o?.grantedMs !== undefined) entries.push({ node: e.node, requestedMs: o.requestedMs, grantedMs: o.grantedMs, releasedMs: e.timeMs, waitMs: o.grantedMs - o.requestedMs });
      open.delete(e.node);
    }
  }
  return entries.sort((a, b) => a.grantedMs - b.grantedMs);
}

/**
 * Jain's fairness index (Jain, Chiu & Hawe, DEC-TR-301, 1984): (Σx)² / (n·Σx²); 1 if all are zero.
 *
 * @example
 * jainIndex([10, 10, 10]); // 1
 * jainIndex([30, 0, 0]);   // 0.333…
 */
export function jainIndex(values: readonly number[]): number {
  const sum = values.reduce((s, x) => s + x, 0);
  const squares = values.reduce((s, x) => s + x * x, 0);
  return squares === 0 ? 1 : (sum * sum) / (values.length * squares);
}

/**
 * Run one mutual-exclusion algorithm on n participants p1…pn and measure it from the trace:
 * messages per entry (beside the textbook count), entries per second, mean and maximum wait,
 * Jain's index of the participants' mean waits, and how many pairs were granted against request
 * order. Safety is an invariant checked after every event (a violation throws); liveness is
 * checked at the end (every request granted, or an error naming the seed).
 *
 * @example
 * const m = await measureMutex({ algorithm: "ricart-agrawala", n: 5, entriesPerNode: 4, seed: 1 });
 * m.messagesPerEntry; // 8 = 2(N − 1)
 * m.textbook.formula; // "2(N − 1)"
 */
export async function measureMutex(options: MeasureMutexOptions): Promise<MutexMeasurement> {
  const algorithm = options?.algorithm;
  if (!ALGORITHMS.includes(algorithm)) throw new ConfigError("measureMutex: algorithm", algorithm, `one of ${ALGORITHMS.join(", ")}`);
  const n = options.n;
  if (!Number.isInteger(n) || n < 2) throw new ConfigError("measureMutex: n", n, "a whole number ≥ 2");
  const entriesPerNode = options.entriesPerNode ?? 5;
  if (!Number.isInteger(entriesPerNode) || entriesPerNode < 1) throw new ConfigError("measureMutex: entriesPerNode", entriesPerNode, "a whole number ≥ 1");
  const workload = options.workload ?? "concurrent";
  if (workload !== "concurrent" && workload !== "sequential") throw new ConfigError("measureMutex: workload", workload, '"concurrent" or "sequential"');
  const criticalSectionMs = options.criticalSectionMs ?? 5;
  const thinkMsMean = options.thinkMsMean ?? 0;
  const gapMs = options.gapMs ?? 50;
  for (const [name, value] of [["criticalSectionMs", criticalSectionMs], ["thinkMsMean", thinkMsMean], ["gapMs", gapMs]] as const) {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) throw new ConfigError(`measureMutex: ${name}`, value, "a finite number of ms ≥ 0");
  }
  const seed = options.seed ?? 1;
  const sim = new Simulation({ seed, network: { latency: options.latency ?? latencies.uniform(1, 10), ordering: options.ordering ?? "fifo" } });
  const ids = Array.from({ length: n }, (_, i) => `p${i + 1}`);
  const mutexes = new Map<string, Mutex>();
  const open = (node: Node): Mutex => {
    switch (algorithm) {
      case "central":
        return openCentralMutex(node, { coordinator: "coordinator", members: ids });
      case "ricart-agrawala":
        return openRicartAgrawala(node, { members: ids });
      case "lamport":
        return openLamportMutex(node, { members: ids });
      case "token-ring":
        return openTokenRing(node, { ring: ids });
    }
  };
  const total = n * entriesPerNode;
  let done = 0;
  let lastReleaseMs = 0;
  let messagesAtLastRelease = 0;
  const release = (mutex: Mutex): void => {
    mutex.release();
    done++;
    lastReleaseMs = sim.now();
    messagesAtLastRelease = sim.counters.sent;
    if (done === total && algorithm === "token-ring") for (const m of mutexes.values()) (m as TokenRingMutex).stop();
  };

  if (algorithm === "central") sim.spawn("coordinator", (node) => void openCentralMutex(node, { coordinator: "coordinator", members: ids }), { role: "coordinator" });
  sim.spawnMany(
    ids,
    async (node) => {
      const mutex = open(node);
      mutexes.set(node.id, mutex);
      if (workload === "sequential") return;
      await node.sleep(0); // every participant spawned
      for (let k = 0; k < entriesPerNode; k++) {
        if (thinkMsMean > 0) await node.sleep(node.rng.exponential(thinkMsMean));
        await mutex.request();
        await node.sleep(criticalSectionMs);
        release(mutex);
      }
    },
    { role: "mutex" },
  );
  if (workload === "sequential") {
    const next = async (k: number): Promise<void> => {
      if (k === total) return;
      const mutex = mutexes.get(ids[k % n])!;
      await mutex.request();
      sim.after(criticalSectionMs, () => {
        release(mutex);
        sim.after(gapMs, () => next(k + 1), "next request");
      }, "leave critical section");
    };
    sim.at(0, () => void next(0), "first request");
  }
  if (options.checkSafety ?? true) watchMutualExclusion(sim, ids);
  await sim.runUntil(() => done === total, { withinMs: options.withinMs ?? 600_000, description: `all ${total} entries of ${algorithm} made (seed ${seed})` });
  if (algorithm !== "token-ring") await sim.run(); // the last releases and replies, still in flight
  const messages = algorithm === "token-ring" ? messagesAtLastRelease : sim.counters.sent;

  const log = mutexEntries(sim.trace.events, ids);
  const waits = log.map((e) => e.waitMs);
  const meanWaitOf = (id: string): number => {
    const own = log.filter((e) => e.node === id);
    return own.reduce((s, e) => s + e.waitMs, 0) / own.length;
  };
  let orderInversions = 0;
  for (const a of log) for (const b of log) if (a.requestedMs < b.requestedMs && b.grantedMs < a.grantedMs) orderInversions++;
  return {
    algorithm,
    n,
    seed,
    workload,
    entries: log.length,
    messages,
    messagesPerEntry: messages / log.length,
    textbook: textbookMessagesPerEntry(algorithm, n),
    entriesPerSecond: lastReleaseMs > 0 ? log.length / (lastReleaseMs / 1000) : Infinity,
    waitMsMean: waits.reduce((s, x) => s + x, 0) / waits.length,
    waitMsMax: Math.max(...waits),
    jainIndex: jainIndex(ids.map(meanWaitOf)),
    orderInversions,
    durationMs: lastReleaseMs,
    log,
  };
}
