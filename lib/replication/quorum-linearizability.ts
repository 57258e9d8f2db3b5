// Which quorum stores are linearizable? Record what clients see (lib/history) and let the checker
// decide (lib/check). Three configurations of the same store, N = 3, R = W = 2:
//   "consistent"            ABD (Attiya, Bar-Noy & Dolev 1995): a read writes the newest version
//                           back to a write quorum before it returns — linearizable;
//   "consistent-no-repair"  R + W > N but reads return at once: a read that saw a write still in
//                           flight, followed by a read that did not, is a new/old inversion;
//   "available"             sloppy quorums: under a partition both sides accept writes and reads,
//                           so a read can miss a write that completed long before.
import { Simulation } from "../simulation/index";
import { latency as latencies } from "../net/index";
import { ConfigError } from "../sim/index";
import { HistoryRecorder, type History } from "../history/index";
import { checkLinearizability, kvModel, type KvInput, type LinearizabilityResult, type Verdict } from "../check/index";
import { QuorumUnavailableError, quorumStoreClient, type QuorumStoreOptions } from "./quorum";
import { checkWhole, spawnClient, spawnReplicas } from "./quorum-sim";

/** The configurations {@link runQuorumLinearizability} compares. */
export type QuorumLinearizabilityConfig = "consistent" | "consistent-no-repair" | "available";

/** The three configurations, in the order a table shows them. */
export const QUORUM_LINEARIZABILITY_CONFIGS: readonly QuorumLinearizabilityConfig[] = ["consistent", "consistent-no-repair", "available"];

/** Options of {@link runQuorumLinearizability}. */
export interface QuorumLinearizabilityOptions {
  config: QuorumLinearizabilityConfig;
  seed?: number;
  /** Client processes. Default 4 (c1 is cut off with r1 during the partition). */
  clients?: number;
  /** How long clients run operations. Default 600 ms. */
  durationMs?: number;
  /** Partition [[r1, c1], [the rest]] from 150 to 400 ms. Default true. */
  partition?: boolean;
  /** Each phase of an operation waits this long. Default 50 ms. */
  timeoutMs?: number;
  /** A client waits a random time up to this between operations. Default 20 ms. */
  thinkMsMax?: number;
  /** Mean one-way delay (exponential, at least 1 ms). Default 6 ms. */
  latencyMsMean?: number;
  /**
   * Probability that a `quorum_write` is held up 20–80 ms more (a replica's disk stalls), so a
   * write sits on one replica while the others lag. Default 0.3.
   */
  slowWriteProbability?: number;
}

/** What {@link runQuorumLinearizability} recorded and found. */
export interface QuorumLinearizabilityResult {
  config: QuorumLinearizabilityConfig;
  seed: number;
  history: History<KvInput, string>;
  /** The checker's result: pass it to `explainLinearizability` or `linearizabilityDiagram`. */
  result: LinearizabilityResult;
  verdict: Verdict;
  operations: number;
  /** Operations that ended ok. */
  ok: number;
  /** Operations refused for want of a quorum (fail for a get, info for a put). */
  refused: number;
}

/** The client options of a configuration (N = 3, R = W = 2). */
function storeOptions(config: QuorumLinearizabilityConfig, replicas: string[], timeoutMs: number): QuorumStoreOptions {
  return {
    replicas,
    n: 3,
    r: 2,
    w: 2,
    timeoutMs,
    readRepair: config === "consistent",
    mode: config === "available" ? "available" : "consistent",
  };
}

/**
 * Clients get and put one key `x` on three replicas (one-way delays exponential, mean 6 ms; 30 % of
 * `quorum_write` messages held up 20–80 ms more), with a partition that cuts r1 and client c1 off
 * from 150 to 400 ms, and the history goes to the linearizability checker with `kvModel()`. A
 * slow write can outlast the client's timeout and land on one replica only: reads that meet that
 * replica return the new value, later reads that miss it the old one — unless reads write back. Puts write unique values (`c2-7`). A refused get is
 * `fail` (it changed nothing); a refused put is `info` (it may have landed on some replicas), after
 * which the client goes on as a new process (`c1#2`).
 *
 * @example
 * const abd = await runQuorumLinearizability({ config: "consistent", seed: 1 });
 * abd.verdict;  // "linearizable"
 * const ap = await runQuorumLinearizability({ config: "available", seed: 1 });
 * ap.verdict;   // "not-linearizable"; linearizabilityDiagram(ap.result) draws why
 */
export async function runQuorumLinearizability(options: QuorumLinearizabilityOptions): Promise<QuorumLinearizabilityResult> {
  const where = "runQuorumLinearizability";
  const config = options?.config;
  if (!QUORUM_LINEARIZABILITY_CONFIGS.includes(config)) throw new ConfigError(`${where}: config`, config, QUORUM_LINEARIZABILITY_CONFIGS.map((c) => `"${c}"`).join(", "));
  const seed = checkWhole(where, "seed", options.seed ?? 1, 0);
  const clients = checkWhole(where, "clients", options.clients ?? 4, 1);
  const durationMs = options.durationMs ?? 600;
  const timeoutMs = options.timeoutMs ?? 50;
  const thinkMsMax = options.thinkMsMax ?? 20;
  const latencyMsMean = options.latencyMsMean ?? 6;
  const sim = new Simulation({ seed, trace: false, network: { latency: latencies.exponential(latencyMsMean, 1), ordering: "unordered" } });
  const ids = ["r1", "r2", "r3"];
  spawnReplicas(sim, ids);
  const recorder = new HistoryRecorder<KvInput, string>();
  const errors: unknown[] = [];
  let refused = 0;
  for (let c = 1; c <= clients; c++) {
    const name = `c${c}`;
    spawnClient(sim, name, errors, async (node) => {
      const client = quorumStoreClient(node, storeOptions(config, ids, timeoutMs));
      let process = name;
      let incarnation = 1;
      await node.sleep(node.rng.uniform(0, 10));
      for (let i = 1; node.now() < durationMs; i++) {
        const isPut = node.rng.chance(0.4);
        const input: KvInput = isPut ? { key: "x", value: `${name}-${i}` } : { key: "x" };
        const op = recorder.invoke(process, isPut ? "put" : "get", input, node.now());
        try {
          if (isPut) {
            await client.put("x", input.value!);
            recorder.complete(op, "ok", undefined, node.now());
          } else {
            const value = await client.get("x");
            recorder.complete(op, "ok", value ?? "", node.now());
          }
        } catch (e) {
          if (!(e instanceof QuorumUnavailableError)) throw e;
          refused++;
          recorder.complete(op, isPut ? "info" : "fail", undefined, node.now(), { text: e.detail });
          if (isPut) process = `${name}#${++incarnation}`;
        }
        await node.sleep(node.rng.uniform(0, thinkMsMax));
      }
    });
  }
  const slowWriteProbability = options.slowWriteProbability ?? 0.3;
  if (slowWriteProbability > 0) {
    sim.addRule({ name: "slow write", match: { type: "quorum_write" }, action: "delay", delayMs: latencies.uniform(20, 80), probability: slowWriteProbability });
  }
  if (options.partition ?? true) {
    sim.at(150, () => sim.partition([["r1", "c1"], ["r2", "r3", ...Array.from({ length: clients - 1 }, (_, i) => `c${i + 2}`)]]), "partition");
    sim.at(400, () => sim.heal(), "heal");
  }
  await sim.runUntil(() => sim.now() >= durationMs && recorder.openCount() === 0, { withinMs: durationMs + 10 * timeoutMs, throwOnTimeout: false });
  if (errors.length) throw errors[0];
  const history = recorder.history();
  const result = checkLinearizability(history, kvModel());
  return {
    config,
    seed,
    history,
    result,
    verdict: result.verdict,
    operations: history.operations.length,
    ok: history.operations.filter((op) => op.completion === "ok").length,
    refused,
  };
}

/** One row of {@link quorumLinearizabilityTable}. */
export type QuorumLinearizabilityRow = {
  config: QuorumLinearizabilityConfig;
  runs: number;
  linearizable: number;
  notLinearizable: number;
  unknown: number;
  /** The first seed whose history is not linearizable (to draw it), if any. */
  firstViolationSeed: number | undefined;
};

/**
 * {@link runQuorumLinearizability} for every configuration over `seeds`: how many runs the checker
 * found linearizable, not linearizable, or could not decide.
 *
 * @example
 * const rows = await quorumLinearizabilityTable({ seeds: [1, 2, 3, 4, 5] });
 * console.log(formatTable(rows));
 */
export async function quorumLinearizabilityTable(options: { seeds: number[]; configs?: readonly QuorumLinearizabilityConfig[] }): Promise<QuorumLinearizabilityRow[]> {
  if (!Array.isArray(options?.seeds) || options.seeds.length === 0) throw new ConfigError("quorumLinearizabilityTable: seeds", options?.seeds, "a non-empty list of seeds");
  const rows: QuorumLinearizabilityRow[] = [];
  for (const config of options.configs ?? QUORUM_LINEARIZABILITY_CONFIGS) {
    const row: QuorumLinearizabilityRow = { config, runs: 0, linearizable: 0, notLinearizable: 0, unknown: 0, firstViolationSeed: undefined };
    for (const seed of options.seeds) {
      const { verdict } = await runQuorumLinearizability({ config, seed });
      row.runs++;
      if (verdict === "linearizable") row.linearizable++;
      else if (verdict === "not-linearizable") {
        row.notLinearizable++;
        row.firstViolationSeed ??= seed;
      } else row.unknown++;
    }
    rows.push(row);
  }
  return rows;
}
