// Experiments with the quorum store for notebook 08 (each one run, deterministic from its seed):
//   runStaleReads / staleReadTable   stale reads against (R, W) — Gifford's R + W > N rule
// The partition experiment is in quorum-partition.ts, the linearizability one in
// quorum-linearizability.ts.
import { Simulation } from "../simulation/index";
import { latency as latencies, type Latency } from "../net/index";
import { ConfigError } from "../sim/index";
import { quorumStoreClient } from "./quorum";
import { checkWhole, spawnClient, spawnReplicas } from "./quorum-sim";

/** n choose k. */
function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let c = 1;
  for (let i = 0; i < k; i++) c = (c * (n - i)) / (i + 1);
  return c;
}

/**
 * The chance that a read quorum of R replicas, picked at random among N, misses every one of the
 * W replicas a write reached (if the write reached no others): C(N−W, R) / C(N, R). Zero exactly
 * when R + W > N. It is the stale-read chance at the instant a write commits; in a real store the
 * write keeps spreading, so later reads are stale less often (Malkhi, Reiter & Wright's
 * probabilistic quorums, 1997; Bailis et al.'s PBS, VLDB 2012, adds the time since the write).
 *
 * @example
 * staleReadChanceAtCommit(3, 1, 1); // 2/3
 * staleReadChanceAtCommit(3, 2, 2); // 0
 */
export function staleReadChanceAtCommit(n: number, r: number, w: number): number {
  return choose(n - w, r) / choose(n, r);
}

/** Options of {@link runStaleReads}. */
export interface StaleReadOptions {
  n: number;
  r: number;
  w: number;
  seed?: number;
  /** How long the writer writes and the readers read. Default 2,000 ms. */
  durationMs?: number;
  /** Reader clients. Default 2. */
  readers?: number;
  /** One-way message delay. Default exponential, mean 8 ms, at least 1 ms (a long tail, as PBS's WARS model has). */
  latency?: Latency;
}

/** What {@link runStaleReads} measured. */
export interface StaleReadResult {
  n: number;
  r: number;
  w: number;
  seed: number;
  /** R + W > N: every read quorum meets every write quorum. */
  strict: boolean;
  writes: number;
  reads: number;
  /** Reads that returned an older value than the latest write completed before the read began. */
  staleReads: number;
  staleFraction: number;
  /** {@link staleReadChanceAtCommit}: the stale chance right at commit, for random quorums. */
  predictedAtCommit: number;
}

/**
 * One writer puts "1", "2", "3", … to key `x` on N replicas, back to back, while readers get `x`
 * over and over (no read repair: we watch the quorums alone). A read is stale when it returns a
 * value older than the latest write that had completed when the read began. With R + W > N no read
 * is ever stale; with R + W ≤ N some are, depending on how far behind the slow replicas are.
 *
 * @example
 * const strict = await runStaleReads({ n: 3, r: 2, w: 2, seed: 1 });
 * strict.staleReads;   // 0
 * const partial = await runStaleReads({ n: 3, r: 1, w: 1, seed: 1 });
 * partial.staleFraction; // > 0, well below staleReadChanceAtCommit(3, 1, 1) = 2/3
 */
export async function runStaleReads(options: StaleReadOptions): Promise<StaleReadResult> {
  const where = "runStaleReads";
  const n = checkWhole(where, "n", options?.n, 1);
  const r = checkWhole(where, "r", options.r, 1);
  const w = checkWhole(where, "w", options.w, 1);
  if (r > n || w > n) throw new ConfigError(`${where}: r and w`, { r, w }, `at most n = ${n}`);
  const seed = checkWhole(where, "seed", options.seed ?? 1, 0);
  const durationMs = options.durationMs ?? 2000;
  const readers = checkWhole(where, "readers", options.readers ?? 2, 1);
  const sim = new Simulation({ seed, trace: false, network: { latency: options.latency ?? latencies.exponential(8, 1), ordering: "unordered" } });
  const ids = Array.from({ length: n }, (_, i) => `r${i + 1}`);
  spawnReplicas(sim, ids);
  const config = { replicas: ids, n, r, w, timeoutMs: 200, readRepair: false, mode: "consistent" as const };
  const errors: unknown[] = [];
  const completed: Array<{ value: number; atMs: number }> = [];
  const reads: Array<{ invokeMs: number; value: number }> = [];
  spawnClient(sim, "writer", errors, async (node) => {
    const client = quorumStoreClient(node, config);
    for (let i = 1; node.now() < durationMs; i++) {
      await client.put("x", String(i));
      completed.push({ value: i, atMs: node.now() });
    }
  });
  for (let k = 1; k <= readers; k++) {
    spawnClient(sim, `reader${k}`, errors, async (node) => {
      const client = quorumStoreClient(node, config);
      await node.sleep(node.rng.uniform(0, 10));
      while (node.now() < durationMs) {
        const invokeMs = node.now();
        const value = await client.get("x");
        reads.push({ invokeMs, value: value === null ? 0 : Number(value) });
      }
    });
  }
  await sim.runFor(durationMs + 2000);
  if (errors.length) throw errors[0];
  // The latest completed write before each read began (writes complete in order: one writer).
  let staleReads = 0;
  for (const read of reads) {
    let latest = 0;
    for (const c of completed) if (c.atMs <= read.invokeMs) latest = c.value;
    if (read.value < latest) staleReads++;
  }
  return {
    n, r, w, seed,
    strict: r + w > n,
    writes: completed.length,
    reads: reads.length,
    staleReads,
    staleFraction: reads.length ? staleReads / reads.length : 0,
    predictedAtCommit: staleReadChanceAtCommit(n, r, w),
  };
}

/**
 * {@link runStaleReads} for several (R, W) pairs, one row each (default: every pair for N = 3, or
 * a selection for larger N), for `formatTable`.
 *
 * @example
 * const rows = await staleReadTable({ n: 3, seed: 1 });
 * rows.map((x) => `R=${x.r} W=${x.w} stale ${(100 * x.staleFraction).toFixed(1)}%`);
 */
export async function staleReadTable(options: { n: number; pairs?: Array<[number, number]>; seed?: number; durationMs?: number }): Promise<StaleReadResult[]> {
  const n = checkWhole("staleReadTable", "n", options?.n, 1);
  const majority = Math.floor(n / 2) + 1;
  const pairs =
    options.pairs ??
    (n <= 3
      ? ([[1, 1], [1, 2], [2, 1], [2, 2], [1, 3], [3, 1]] as Array<[number, number]>).filter(([r, w]) => r <= n && w <= n)
      : ([[1, 1], [1, majority], [majority, 1], [majority - 1, majority - 1], [majority, majority], [1, n], [n, 1]] as Array<[number, number]>).filter(([r, w]) => r >= 1 && w >= 1));
  const rows: StaleReadResult[] = [];
  for (const [r, w] of pairs) rows.push(await runStaleReads({ n, r, w, seed: options.seed, durationMs: options.durationMs }));
  return rows;
}
