// Experiments on chain replication for notebook 08: one seeded run of a master, a chain of four
// replicas and a few clients, with one replica crashing, and the history checked for
// linearizability (van Renesse & Schneider 2004, §3: head, middle and tail failures).
import { Simulation } from "../simulation/index";
import { latency } from "../net/index";
import { HistoryRecorder, type History } from "../history/index";
import { checkLinearizability, kvModel, type LinearizabilityResult } from "../check/index";
import { ConfigError } from "../sim/index";
import { chainClient, chainNode } from "./chain";
import { chainMaster } from "./chain-master";

/** Which replica {@link runChain} crashes. */
export type ChainScenario = "no-fault" | "head-crash" | "middle-crash" | "tail-crash";

/** The scenarios, in the order a notebook shows them. */
export const CHAIN_SCENARIOS: readonly ChainScenario[] = ["no-fault", "head-crash", "middle-crash", "tail-crash"];

/** Options of {@link runChain}. */
export interface ChainRunOptions {
  seed: number;
  scenario: ChainScenario;
  /** Client nodes `c1` … Default 3. */
  clients?: number;
  /** Operations each client runs. Default 15. */
  opsPerClient?: number;
  /** When the replica crashes. Default 100. */
  faultAtMs?: number;
  /** Replicas' ping period to the master (dead after 3 missed). Default 20. */
  pingIntervalMs?: number;
  /** Stop after this long even if clients are still waiting. Default 2000. */
  runForMs?: number;
  /** Record the trace. Default true. */
  trace?: boolean;
}

/** What {@link runChain} returns. */
export interface ChainRun {
  sim: Simulation;
  history: History;
  result: LinearizabilityResult;
  /** The chain at the end, head first. */
  chain: string[];
  counts: {
    ok: number;
    open: number;
    /** Requests beyond one per operation. */
    retries: number;
  };
}

/**
 * One run: master `master`, chain `r1 → r2 → r3 → r4`, clients `c1` … doing get/put/append on
 * `x` and `y` through the master's chain; at `faultAtMs` the head (r1), a middle (r2) or the tail
 * (r4) crashes for good and the master removes it. Latency 2–8 ms. The same seed gives the same run.
 *
 * @example
 * const run = await runChain({ seed: 1, scenario: "tail-crash" });
 * run.chain;          // ["r1", "r2", "r3"]
 * run.result.verdict; // "linearizable"
 */
export async function runChain(options: ChainRunOptions): Promise<ChainRun> {
  const o = { clients: 3, opsPerClient: 15, faultAtMs: 100, pingIntervalMs: 20, runForMs: 2_000, trace: true, ...options };
  if (!CHAIN_SCENARIOS.includes(o.scenario)) throw new ConfigError("runChain: scenario", o.scenario, CHAIN_SCENARIOS.map((s) => `"${s}"`).join(", "), { seed: o.seed });
  if (!Number.isInteger(o.clients) || o.clients < 1) throw new ConfigError("runChain: clients", o.clients, "a whole number ≥ 1", { seed: o.seed });
  const sim = new Simulation({ seed: o.seed, network: { latency: latency.uniform(2, 8) }, trace: o.trace });
  const replicas = ["r1", "r2", "r3", "r4"];
  let master!: ReturnType<typeof chainMaster>;
  sim.spawn("master", (node) => void (master = chainMaster(node, { chain: replicas, pingIntervalMs: o.pingIntervalMs })), { role: "master" });
  for (const id of replicas) sim.spawn(id, (node) => void chainNode(node, { chain: replicas, master: "master", pingIntervalMs: o.pingIntervalMs }), { role: "replica" });

  const recorder = new HistoryRecorder();
  let done = 0;
  let retries = 0;
  const clients = Array.from({ length: o.clients }, (_, i) => `c${i + 1}`);
  for (const id of clients) {
    const rng = sim.random(`chain:${id}`);
    sim.spawn(
      id,
      async (node) => {
        const kv = chainClient(node, { master: "master", rpcTimeoutMs: 3 * o.pingIntervalMs });
        for (let i = 1; i <= o.opsPerClient; i++) {
          const key = rng.pick(["x", "y"]);
          const f = rng.pick(["get", "get", "put", "append"] as const);
          const value = `${id}:${i} `;
          const before = kv.attempts;
          const op = recorder.invoke(id, f, f === "get" ? { key } : { key, value }, node.now());
          const output = f === "get" ? await kv.get(key) : f === "put" ? await kv.put(key, value) : await kv.append(key, value);
          recorder.complete(op, "ok", f === "get" ? output : undefined, node.now());
          retries += kv.attempts - before - 1;
        }
        done++;
      },
      { role: "client" },
    );
  }
  const victim = { "no-fault": null, "head-crash": "r1", "middle-crash": "r2", "tail-crash": "r4" }[o.scenario];
  if (victim !== null) sim.at(o.faultAtMs, () => sim.crash(victim), `crash ${victim}`);

  await sim.runUntil(() => done === clients.length, { withinMs: o.runForMs });
  const history = recorder.history();
  return {
    sim,
    history,
    result: checkLinearizability(history, kvModel()),
    chain: master.chain(),
    counts: {
      ok: history.operations.filter((op) => op.completion === "ok").length,
      open: history.operations.filter((op) => op.completion !== "ok").length,
      retries,
    },
  };
}
