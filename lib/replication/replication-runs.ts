// Experiments on primary–backup replication for notebook 08: one seeded run of a view service,
// three servers and a few clients under a named fault, with the history checked for
// linearizability — so the broken "reply-before-forward" variant can be caught in the act.
import { Simulation } from "../simulation/index";
import { latency } from "../net/index";
import { HistoryRecorder, type History } from "../history/index";
import { checkLinearizability, kvModel, type LinearizabilityResult } from "../check/index";
import { ConfigError } from "../sim/index";
import { viewService, type View, type ViewServiceHandle } from "./view-service";
import { pbServer } from "./primary-backup";
import { pbClient } from "./pb-client";

/** The faults {@link runPrimaryBackup} can inject. */
export type PbScenario = "no-fault" | "primary-crash" | "backup-crash" | "partitioned-primary";

/** The scenarios, in the order a notebook shows them. */
export const PB_SCENARIOS: readonly PbScenario[] = ["no-fault", "primary-crash", "backup-crash", "partitioned-primary"];

/** Options of {@link runPrimaryBackup}. */
export interface PbRunOptions {
  seed: number;
  scenario: PbScenario;
  /** Which server code runs (see `pbServer`). Default `"correct"`. */
  variant?: "correct" | "reply-before-forward";
  /** Client nodes `c1` … Default 3. */
  clients?: number;
  /** Operations each client runs, one after another. Default 15. */
  opsPerClient?: number;
  /** Keys the operations pick from. Default `["x", "y"]`. */
  keys?: string[];
  /** When the fault strikes. Default 120. */
  faultAtMs?: number;
  /** How long the fault lasts: the crashed server restarts, the partition heals. Default 250. */
  faultForMs?: number;
  /** Servers' ping period (the view service declares death after 3 missed). Default 20. */
  pingIntervalMs?: number;
  /** Stop after this long even if clients are still waiting (their operations stay open). Default 2000. */
  runForMs?: number;
  /** Record the trace (for diagrams). Default true. */
  trace?: boolean;
}

/** What {@link runPrimaryBackup} returns. */
export interface PbRun {
  sim: Simulation;
  history: History;
  /** The history checked against the key–value model. */
  result: LinearizabilityResult;
  /** Every view the view service went through. */
  views: View[];
  counts: {
    /** Operations answered. */
    ok: number;
    /** Operations never answered (open when the run stopped). */
    open: number;
    /** View changes after the first complete view (primary and backup). */
    viewChanges: number;
    /** Requests clients sent beyond one per operation. */
    retries: number;
    /** From the fault to the view that replaced the failed server; null when there was none. */
    failoverMs: number | null;
  };
}

/**
 * One run: view service `vs`, servers `s1` (first primary), `s2` (first backup), `s3` (spare),
 * clients `c1` … doing random get/put/append with unique values; at `faultAtMs` the scenario's
 * fault: `primary-crash` / `backup-crash` crash s1 / s2 (restarted `faultForMs` later, empty);
 * `partitioned-primary` cuts s1 and c1 off from everyone else (c1 still believes s1 is primary)
 * until `faultForMs` later. Network latency 2–8 ms. The history is checked with the key–value
 * model; the same seed gives the same run.
 *
 * @example
 * const run = await runPrimaryBackup({ seed: 3, scenario: "primary-crash", variant: "reply-before-forward" });
 * run.result.verdict;   // "not-linearizable" for some seeds: acknowledged writes died with s1
 * run.counts.failoverMs; // ≈ 50: s1 is dead 3 ping intervals (60 ms) after its last ping
 */
export async function runPrimaryBackup(options: PbRunOptions): Promise<PbRun> {
  const o = {
    variant: "correct" as const,
    clients: 3,
    opsPerClient: 15,
    keys: ["x", "y"],
    faultAtMs: 120,
    faultForMs: 250,
    pingIntervalMs: 20,
    runForMs: 2_000,
    trace: true,
    ...options,
  };
  if (!["no-fault", "primary-crash", "backup-crash", "partitioned-primary"].includes(o.scenario)) {
    throw new ConfigError("runPrimaryBackup: scenario", o.scenario, PB_SCENARIOS.map((s) => `"${s}"`).join(", "), { seed: o.seed });
  }
  if (!Number.isInteger(o.clients) || o.clients < 1) throw new ConfigError("runPrimaryBackup: clients", o.clients, "a whole number ≥ 1", { seed: o.seed });
  const sim = new Simulation({ seed: o.seed, network: { latency: latency.uniform(2, 8) }, trace: o.trace });
  let vs!: ViewServiceHandle;
  sim.spawn("vs", (node) => void (vs = viewService(node, { pingIntervalMs: o.pingIntervalMs, deadPings: 3 })), { role: "view-service" });
  const servers = ["s1", "s2", "s3"];
  servers.forEach((id, i) => {
    sim.at(i * 5, () => void sim.spawn(id, (node) => void pbServer(node, { viewServer: "vs", pingIntervalMs: o.pingIntervalMs, variant: o.variant }), { role: "server" }), `start ${id}`);
  });

  const recorder = new HistoryRecorder();
  const clients = Array.from({ length: o.clients }, (_, i) => `c${i + 1}`);
  let done = 0;
  let attempts = 0;
  const clientStartMs = 4 * o.pingIntervalMs;
  for (const id of clients) {
    const rng = sim.random(`pb:${id}`);
    sim.at(clientStartMs, () =>
      void sim.spawn(id, async (node) => {
        const kv = pbClient(node, { viewServer: "vs", rpcTimeoutMs: 3 * o.pingIntervalMs, retryMs: o.pingIntervalMs / 2 });
        for (let i = 1; i <= o.opsPerClient; i++) {
          const key = rng.pick(o.keys);
          const f = rng.pick(["get", "get", "put", "append"] as const);
          const value = `${id}:${i} `;
          const input = f === "get" ? { key } : { key, value };
          const before = kv.attempts;
          const op = recorder.invoke(id, f, input, node.now());
          const output = f === "get" ? await kv.get(key) : f === "put" ? await kv.put(key, value) : await kv.append(key, value);
          recorder.complete(op, "ok", f === "get" ? output : undefined, node.now());
          attempts += kv.attempts - before - 1;
        }
        done++;
      }, { role: "client" }),
    );
  }

  const at = o.faultAtMs;
  if (o.scenario === "primary-crash" || o.scenario === "backup-crash") {
    const victim = o.scenario === "primary-crash" ? "s1" : "s2";
    sim.at(at, () => sim.crash(victim), `crash ${victim}`);
    sim.at(at + o.faultForMs, () => void sim.restart(victim), `restart ${victim}`);
  } else if (o.scenario === "partitioned-primary") {
    sim.at(at, () => sim.partition([["s1", "c1"], ["vs", "s2", "s3", ...clients.filter((c) => c !== "c1")]]), "cut s1 and c1 off");
    sim.at(at + o.faultForMs, () => sim.heal(), "heal");
  }

  await sim.runUntil(() => done === clients.length, { withinMs: o.runForMs });
  const history = recorder.history();
  const result = checkLinearizability(history, kvModel());
  const views = vs.views();
  const full = views.findIndex((v) => v.primary !== null && v.backup !== null);
  const failed = o.scenario === "primary-crash" || o.scenario === "partitioned-primary" ? "s1" : "s2";
  const replaced = o.scenario === "no-fault" ? -1 : views.findIndex((v, i) => i > full && v.primary !== failed && v.backup !== failed);
  const replacedAt = replaced > 0 ? vs.viewStartMs()[replaced] : undefined;
  return {
    sim,
    history,
    result,
    views,
    counts: {
      ok: history.operations.filter((op) => op.completion === "ok").length,
      open: history.operations.filter((op) => op.completion !== "ok").length,
      viewChanges: full < 0 ? 0 : views.length - 1 - full,
      retries: attempts,
      failoverMs: replacedAt === undefined ? null : replacedAt - at,
    },
  };
}
