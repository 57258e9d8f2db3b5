/**
 * Check of exercise 09D key–value client and server with exactly-once retries — 6.5840's kvraft
 * scenarios, each role against a counterpart the grader controls, {@link TRIALS_PER_SCENARIO}
 * trials of each scenario per seed ({@link TRIALS} per seed in all), five servers on lib/raft,
 * latency 1–5 ms, Raft's timing {@link KV_TIMING}:
 *
 * your `kvServer` on five servers, with the grader's clerks (lib/kv's `kvRaftClerk`):
 * 1. one client, reliable network;  2. five clients, reliable;  2a. a lost reply retried across a
 *    restart of every server (lib/kv `runKvLostReply`);  2b. a request stranded at a partitioned
 *    leader whose entry another leader overwrites, and a read there (`runKvPartitionedLeader`);
 *    3. three clients, 20% message loss;
 * 4. four clients whose attempts wait up to 1000 ms (so they wait at a partitioned leader),
 *    partitions of servers and clients every 400 ms;  5. three clients, a server crashed every
 *    250 ms (a minority down at once, each restarted 500 ms later), 10% loss, snapshots every 10
 *    entries (the Raft log must stay ≤ 20 entries);  6. every server crashed at once every 400 ms
 *    (6.5840's crash tests: all restart from their snapshots), 20% loss, snapshots;  7. one
 *    partition: the leader with two servers against two servers with two clients — the minority
 *    completes nothing until healed, then everything;
 *
 * your `kvClerk` with the grader's servers (lib/kv's `kvRaftServer`):
 * 8a. a lost reply retried across a restart of every server;  8. three clients, 25% message loss;  9. three clients, partitions and crashes;  10. one partition.
 *
 * Every run: Raft safety (RaftMonitor) after every event; after healing every operation completes
 * within {@link SETTLE_MS} ms; the history is linearizable for the key–value model (an "unknown"
 * verdict of the checker fails too).
 */
import { explainLinearizability } from "../../../lib/check";
import type { KvClerk, KvClerkOptions, KvServerOptions, KvNemesisOptions, KvNemesisResult, KvOnePartitionResult } from "../../../lib/kv";
import { KV_TIMING, runKvLostReply, runKvNemesis, runKvOnePartition, runKvPartitionedLeader } from "../../../lib/kv";
import type { KvScriptResult } from "../../../lib/kv";
import { latency } from "../../../lib/net";
import type { Node } from "../../../lib/node";
import type { RaftHandle } from "../../../lib/raft";
import { formatHistory } from "../../../lib/history";
import { fail, graderRole, runScenarios, type CheckResult, type Scenario } from "../check";

/** What exercises/09-consensus-raft/kv.ts exports. */
export interface KvApi {
  kvServer(node: Node, options: KvServerOptions): { raft: RaftHandle };
  kvClerk(node: Node, servers: readonly string[], options?: KvClerkOptions): KvClerk;
}

// tsc checks that the stub and the reference both have this API.
type Implements<T extends KvApi> = T;
export type StubImplementsKv = Implements<typeof import("../../../exercises/09-consensus-raft/kv")>;
export type SolutionImplementsKv = Implements<typeof import("../../../solutions/09-consensus-raft/kv")>;

/** Trials of each scenario per seed. */
export const TRIALS_PER_SCENARIO = 3;
/** Scenarios of the check. */
export const SCENARIOS = 13;
/** Trials per seed in all (13 scenarios × 3): with 5 seeds, 195. */
export const TRIALS = TRIALS_PER_SCENARIO * SCENARIOS;
/** After healing, every operation must complete within this. */
export const SETTLE_MS = 3000;
/** Snapshot threshold of scenario 5, and the bound on the Raft log it implies. */
export const SNAPSHOT_ENTRIES_MAX = 10;
export const LOG_ENTRIES_BOUND = 2 * SNAPSHOT_ENTRIES_MAX;

/** What the trials met (the meta tests read it). */
export interface KvStats {
  trials: number;
  operations: number;
  ok: number;
  faults: number;
}

const stats = new Map<object, KvStats>();
/** The stats of the last check of `impl` (meta tests). @example kvStats(impl)?.ok */
export function kvStats(impl: object): KvStats | undefined {
  return stats.get(impl);
}

const SIMULATION = { network: { latency: latency.uniform(1, 5) }, trace: { eventsMax: 3000 } };
const GRADER_SERVER = graderRole("kv-server");
const GRADER_CLIENT = graderRole("kv-client");

type Side = "server" | "clerk";

function count(impl: object, run: { history: { operations: Array<{ completion: string }> }; faults: string[] }): void {
  const s = stats.get(impl) ?? { trials: 0, operations: 0, ok: 0, faults: 0 };
  s.trials += 1;
  s.operations += run.history.operations.length;
  s.ok += run.history.operations.filter((o) => o.completion === "ok").length;
  s.faults += run.faults.length;
  stats.set(impl, s);
}

type Op = KvNemesisResult["history"]["operations"][number];
const input = (op: Op): { key: string; value?: string } => op.input as { key: string; value?: string };
const times = (text: string, part: string): number => (part === "" ? 0 : text.split(part).length - 1);

/**
 * What a non-linearizable history shows, in the words of the mistake (undefined when none fits):
 * an append applied twice (before or after the restart), an append answered ok but never applied,
 * a read answered while its server was cut off from the majority.
 *
 * @example
 * diagnose(run); // 'cr\'s get("k") at t=580ms returned "a a ": ca\'s append "a " (…) applied 2 times, before the servers crashed at t=660ms'
 */
export function diagnose(run: { history: { operations: Op[] }; marks?: Record<string, number> }): string | undefined {
  const ops = run.history.operations;
  const marks = run.marks ?? {};
  const gets = ops.filter((o) => o.f === "get" && o.completion === "ok");
  for (const g of gets) {
    const out = String(g.output ?? "");
    for (const a of ops) {
      if (a.f !== "append" || input(a).key !== input(g).key) continue;
      const n = times(out, String(input(a).value));
      if (n > 1) {
        const when =
          marks.restartMs === undefined ? "" : g.invokeMs < marks.crashMs ? `, before the servers crashed at t=${marks.crashMs}ms` : `, after every server restarted from its snapshot at t=${marks.restartMs}ms`;
        return `${g.process}'s get(${JSON.stringify(input(g).key)}) at t=${g.invokeMs}ms returned ${JSON.stringify(out)}: ${a.process}'s append ${JSON.stringify(input(a).value)} (one operation, retried with one seq) applied ${n} times${when}`;
      }
    }
  }
  if (marks.healMs !== undefined) {
    const early = gets.find((g) => g.process === "cc" && g.invokeMs >= marks.partitionMs && (g.completeMs ?? Infinity) < marks.healMs);
    if (early !== undefined) {
      return `cc's get(${JSON.stringify(input(early).key)}) invoked at t=${early.invokeMs}ms was answered at t=${early.completeMs}ms with ${JSON.stringify(early.output)}, while cc's side (the old leader) was cut off from the majority until t=${marks.healMs}ms: a read answered without the log`;
    }
  }
  for (const a of ops) {
    if (a.f !== "append" || a.completion !== "ok") continue;
    const later = gets.find((g) => input(g).key === input(a).key && g.invokeMs >= (a.completeMs ?? Infinity) && times(String(g.output ?? ""), String(input(a).value)) === 0);
    if (later !== undefined) {
      return `${a.process}'s append(${JSON.stringify(input(a).key)}, ${JSON.stringify(input(a).value)}) was answered ok at t=${a.completeMs}ms, but ${later.process}'s get invoked after it, at t=${later.invokeMs}ms, returned ${JSON.stringify(later.output)}: the append was never applied — the ok came from another entry at its index`;
    }
  }
  return undefined;
}

/** The verdicts every run gets: operations completed after healing, history linearizable. */
function judgeHistory(run: KvNemesisResult | KvOnePartitionResult | KvScriptResult, side: Side, setting: string): void {
  const ops = run.history.operations;
  const open = ops.filter((o) => o.completion !== "ok");
  const whose = side === "server" ? "your servers with the grader's clerks" : "your clerks with the grader's servers";
  if (open.length > 0) {
    const first = open[0];
    fail(
      `every operation to complete within ${SETTLE_MS} ms after the faults ended (${whose}; ${setting}) — a clerk retries with the same seq until some server answers ok`,
      `${open.length} of ${ops.length} operation(s) still open, the first: #${first.id} ${first.process} ${first.f} ${JSON.stringify(first.input)} invoked at t=${first.invokeMs}ms ` +
        `(faults: ${run.faults.join("; ")})`,
      { timeMs: run.sim.now(), node: first.process },
    );
  }
  const check = run.check;
  if (check.verdict !== "linearizable") {
    const blocked = check.violation?.blocked;
    fail(
      `a linearizable history of the key–value store (${whose}; ${setting}): each get returns what the puts and appends before it made, every append applied exactly once`,
      `${diagnose(run) ?? "not linearizable"} — ${explainLinearizability(check)}\nfaults: ${run.faults.join("; ")}\n${formatHistory(run.history, { limit: 12 })}`,
      { timeMs: blocked?.completeMs ?? run.sim.now(), node: blocked?.process },
    );
  }
}

interface NemesisScenario {
  name: string;
  side: Side;
  options: Omit<KvNemesisOptions, "seed" | "server" | "clerk" | "sim">;
  logBound?: number;
}

function nemesisScenario(key: object, s: NemesisScenario): Scenario<KvApi> {
  return {
    name: `${s.side === "server" ? "your kvServer ×5, the grader's clerks" : "your kvClerk, the grader's kvServer ×5"}: ${s.name}`,
    trials: TRIALS_PER_SCENARIO,
    simulation: SIMULATION,
    async run(sim, impl) {
      const run = await runKvNemesis({
        seed: sim.seed,
        sim,
        ...s.options,
        settleMs: SETTLE_MS,
        server: s.side === "server" ? (node, options) => impl.kvServer(node, options) : undefined,
        clerk: s.side === "clerk" ? (node, servers, options) => impl.kvClerk(node, servers, options) : undefined,
        roles: s.side === "server" ? { client: GRADER_CLIENT } : { server: GRADER_SERVER },
      });
      count(key, run);
      judgeHistory(run, s.side, s.name);
      if (s.logBound !== undefined && run.logEntriesMax > s.logBound) {
        fail(
          `the Raft log of every server to stay ≤ ${s.logBound} entries after its snapshot (snapshotEntriesMax=${s.options.snapshotEntriesMax}: pass it to raftNode with snapshotData)`,
          `a server held ${run.logEntriesMax} entries`,
          { timeMs: sim.now() },
        );
      }
    },
  };
}

function onePartitionScenario(key: object, side: Side): Scenario<KvApi> {
  return {
    name: `${side === "server" ? "your kvServer ×5, the grader's clerks" : "your kvClerk, the grader's kvServer ×5"}: one partition — leader and two servers | two servers and two clients, for 1000 ms`,
    trials: TRIALS_PER_SCENARIO,
    simulation: SIMULATION,
    async run(sim, impl) {
      const run = await runKvOnePartition({
        seed: sim.seed,
        sim,
        settleMs: SETTLE_MS,
        server: side === "server" ? (node, options) => impl.kvServer(node, options) : undefined,
        clerk: side === "clerk" ? (node, servers, options) => impl.kvClerk(node, servers, options) : undefined,
        roles: side === "server" ? { client: GRADER_CLIENT } : { server: GRADER_SERVER },
      });
      count(key, run);
      const setting = `partition ${run.majority.join(",")},cmaj | ${run.minority.join(",")},cmin1,cmin2`;
      if (run.minorityCompleted.length > 0) {
        fail(
          `no operation of the minority's clients (cmin1, cmin2) to complete while the partition lasts (${setting}): two servers cannot commit, and a get must go through the log too`,
          run.minorityCompleted.join("; "),
          { timeMs: sim.now(), node: "cmin1" },
        );
      }
      if (!run.majorityCompleted) {
        fail(`the majority's put and get to complete during the partition (${setting})`, `they did not within 1000 ms`, { timeMs: sim.now(), node: "cmaj" });
      }
      judgeHistory(run, side, setting);
    },
  };
}

const SCRIPTS = {
  "lost-reply":
    "client ca appends to k while every ok reply to it is lost for 600 ms (it retries, same seq), cb appends 12 times to j, cr reads k at +320 ms, " +
    "snapshotEntriesMax=5, every server crashes at +400 ms and restarts at +450 ms; then both read k",
  "partitioned-leader":
    "the leader and clients ca, cc are cut off; ca appends to k there (cannot commit), cc reads j, cb appends 6 times to j " +
    "under a new leader; heal at +500 ms (the old leader's entry is overwritten); then both read k",
};

function scriptScenario(key: object, side: Side, script: keyof typeof SCRIPTS): Scenario<KvApi> {
  return {
    name: `${side === "server" ? "your kvServer ×5, the grader's clerks" : "your kvClerk, the grader's kvServer ×5"}: ${SCRIPTS[script]}`,
    trials: TRIALS_PER_SCENARIO,
    simulation: SIMULATION,
    async run(sim, impl) {
      const options = {
        seed: sim.seed,
        sim,
        server: side === "server" ? (node: Node, o: KvServerOptions) => impl.kvServer(node, o) : undefined,
        clerk: side === "clerk" ? (node: Node, servers: readonly string[], o?: KvClerkOptions) => impl.kvClerk(node, servers, o) : undefined,
        roles: side === "server" ? { client: GRADER_CLIENT } : { server: GRADER_SERVER },
      };
      const run = script === "lost-reply" ? await runKvLostReply(options) : await runKvPartitionedLeader(options);
      count(key, run);
      judgeHistory(run, side, script === "lost-reply" ? "a lost reply retried across a restart of every server" : "a request stranded at a partitioned leader");
    },
  };
}

/**
 * Grade exercise 09D: thirteen scenarios, {@link TRIALS_PER_SCENARIO} trials each.
 *
 * @example
 * const result = await checkKv(await loadModule("solutions/09-consensus-raft/kv"), 1);
 * result.status; // "pass"
 */
export async function checkKv(impl: KvApi, seed: number): Promise<CheckResult> {
  const scenarios: Array<Scenario<KvApi>> = [
    nemesisScenario(impl, { side: "server", name: "one client, reliable network", options: { clients: 1, partitionEveryMs: 0, faultMs: 500 } }),
    nemesisScenario(impl, { side: "server", name: "five clients, reliable network", options: { clients: 5, partitionEveryMs: 0, faultMs: 500 } }),
    scriptScenario(impl, "server", "lost-reply"),
    scriptScenario(impl, "server", "partitioned-leader"),
    nemesisScenario(impl, { side: "server", name: "three clients, 20% message loss", options: { clients: 3, partitionEveryMs: 0, lossProbability: 0.2, faultMs: 1000 } }),
    nemesisScenario(impl, {
      side: "server",
      name: "four clients (attempts wait up to 1000 ms), partitions of servers and clients every 400 ms",
      options: { clients: 4, partitionEveryMs: 400, faultMs: 1600, clerkOptions: { attemptTimeoutMs: 1000 } },
    }),
    nemesisScenario(impl, {
      side: "server",
      name: `three clients, a server crashed every 250 ms, 10% loss, snapshotEntriesMax=${SNAPSHOT_ENTRIES_MAX}`,
      options: { clients: 3, partitionEveryMs: 0, crashEveryMs: 250, lossProbability: 0.1, snapshotEntriesMax: SNAPSHOT_ENTRIES_MAX, faultMs: 1500 },
      logBound: LOG_ENTRIES_BOUND,
    }),
    nemesisScenario(impl, {
      side: "server",
      name: `three clients, every server crashed at once every 400 ms (down 100 ms), 20% loss, snapshotEntriesMax=${SNAPSHOT_ENTRIES_MAX}`,
      options: { clients: 3, partitionEveryMs: 0, crashAllEveryMs: 400, lossProbability: 0.2, snapshotEntriesMax: SNAPSHOT_ENTRIES_MAX, faultMs: 1600 },
      logBound: LOG_ENTRIES_BOUND,
    }),
    onePartitionScenario(impl, "server"),
    scriptScenario(impl, "clerk", "lost-reply"),
    nemesisScenario(impl, { side: "clerk", name: "three clients, 25% message loss", options: { clients: 3, partitionEveryMs: 0, lossProbability: 0.25, faultMs: 1000 } }),
    nemesisScenario(impl, { side: "clerk", name: "three clients, partitions every 400 ms and a server crashed every 400 ms", options: { clients: 3, partitionEveryMs: 400, crashEveryMs: 400, faultMs: 1600 } }),
    onePartitionScenario(impl, "clerk"),
  ];
  stats.delete(impl);
  return runScenarios(impl, seed, scenarios, { functions: ["kvServer", "kvClerk"], exercise: "09D kv" });
}
