// `npx tsx bench/raft.ts`: the Performance part of issue 12 — what grading Raft (and the key–value
// store on it) costs, against the 6.5840 anchor (its 3A–3D tests take about six minutes of real
// time), and how fast the reference Raft commits.
//
// Figures: (1) the graders of notebook 09 against the reference, every seed of the registry, in one
// process (each exercise's wall time, and the total); (2) the same as a student gets it: the wall
// time of `DISTLAB_TARGET=solutions npx vitest run test/09-consensus-raft.test.ts` (vitest's start-up
// included); (3) commits per second of wall time of the reference on 5 servers, tracing off, no
// monitor: a client proposes 5 commands per virtual ms at the leader for 2 virtual seconds
// (RAFT_BENCH_MS), the service snapshots every 1000 entries (RAFT_BENCH_SNAPSHOT). Every persist
// writes the whole log as JSON (as 6.5840's persister does), which is most of that figure's time.
// Each figure in a fresh process, the median of BENCH_REPEATS runs (default 3; the vitest run once).
// Not part of `npm test`.
import { execFileSync } from "node:child_process";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { latency } from "../lib/net";
import { raftCluster } from "../lib/raft/index";
import { Simulation } from "../lib/simulation";
import type { CheckResult } from "../test/grading/check";
import { EXERCISES } from "../test/grading/exercises";
import { loadModule } from "../test/grading/target";
import { fmt, loadAverage, measureInFreshProcess, medianOfRuns, repeats, root, runBenchmark } from "./fresh";

const REPEATS = repeats(3);
const NOTEBOOK = "09-consensus-raft";

/** Each exercise's check: grader module (under test/grading/09-consensus-raft/) and export. */
const CHECKS: Record<string, [module: string, exported: string]> = {
  "09A": ["raft-election", "checkRaftElection"],
  "09B": ["raft-replication", "checkRaftReplication"],
  "09C": ["raft-persistence", "checkPersistence"],
  "09D": ["kv", "checkKv"],
  "09E": ["raft-snapshot", "checkSnapshots"],
};

interface SuitePart {
  perSecond: number;
  seconds: number;
  exercises: Array<{ id: string; seconds: number; seeds: number; status: string }>;
}

interface CommitPart {
  perSecond: number;
  seconds: number;
  commits: number;
  virtualSeconds: number;
}

type Check = (impl: unknown, seed: number) => Promise<CheckResult>;

async function suite(): Promise<SuitePart> {
  const t0 = performance.now();
  const exercises: SuitePart["exercises"] = [];
  for (const ex of EXERCISES.filter((e) => e.notebook === NOTEBOOK)) {
    const entry = CHECKS[ex.id];
    if (entry === undefined) {
      exercises.push({ id: ex.id, seconds: 0, seeds: 0, status: "no check known to bench/raft.ts" });
      continue;
    }
    let check: Check;
    try {
      const grader = await loadModule<Record<string, Check>>(`test/grading/${NOTEBOOK}/${entry[0]}`);
      check = grader[entry[1]];
      if (typeof check !== "function") throw new Error(`no export ${entry[1]}`);
    } catch (error) {
      exercises.push({ id: ex.id, seconds: 0, seeds: 0, status: `grader not loadable: ${String(error).slice(0, 80)}` });
      continue;
    }
    const impl = await loadModule<unknown>(`solutions/${ex.module}`);
    const t1 = performance.now();
    const statuses: string[] = [];
    for (const seed of ex.seeds) statuses.push((await check(impl, seed)).status);
    const bad = statuses.filter((s) => s !== "pass").length;
    exercises.push({ id: ex.id, seconds: (performance.now() - t1) / 1000, seeds: ex.seeds.length, status: bad === 0 ? "pass" : `${bad} seed(s) not passing` });
  }
  const seconds = (performance.now() - t0) / 1000;
  return { perSecond: 1 / seconds, seconds, exercises };
}

async function commits(): Promise<CommitPart> {
  const VIRTUAL_MS = Number(process.env.RAFT_BENCH_MS ?? 2000);
  const PER_MS = 5;
  const SNAPSHOT_ENTRIES = Number(process.env.RAFT_BENCH_SNAPSHOT ?? 1000);
  const sim = new Simulation({ seed: 1, trace: false, network: { latency: latency.uniform(1, 5) } });
  const ids = ["n1", "n2", "n3", "n4", "n5"];
  const cluster = raftCluster(sim, ids, { tickMs: 10, snapshotEntriesMax: SNAPSHOT_ENTRIES, snapshotData: () => null });
  await sim.runUntil(() => cluster.leader() !== undefined, { withinMs: 5000 });
  const start = sim.now();
  const base = Math.max(...Object.values(cluster.states()).map((s) => s.commitIndex));
  let n = 0;
  sim.spawn("client", (node) => {
    node.setPeriodic(1, () => {
      for (let k = 0; k < PER_MS; k++) cluster.propose(n++);
    }, "propose");
  });
  const t0 = performance.now();
  await sim.runUntilTime(start + VIRTUAL_MS);
  const seconds = (performance.now() - t0) / 1000;
  const committed = Math.max(...Object.values(cluster.states()).map((s) => s.commitIndex)) - base;
  return { perSecond: committed / seconds, seconds, commits: committed, virtualSeconds: VIRTUAL_MS / 1000 };
}

async function part(name: string): Promise<SuitePart | CommitPart> {
  if (name === "suite") return suite();
  if (name === "commits") return commits();
  throw new Error(`unknown part ${JSON.stringify(name)}`);
}

function main(): void {
  console.log(`distlab Raft benchmark — node ${process.version}, ${os.cpus().length} CPU(s), load average ${loadAverage()}`);
  console.log(`each figure: median of ${REPEATS} runs, each in a fresh process (BENCH_REPEATS to change); 6.5840's Raft tests (3A–3D): about 360 s\n`);
  const s = medianOfRuns(REPEATS, () => measureInFreshProcess<SuitePart>("bench/raft.ts", ["part", "suite"]), (r) => `${(1 / r).toFixed(2)} s`);
  console.log(`graders of notebook 09 against the reference, every seed, one process: ${s.seconds.toFixed(2)} s (runs ${s.runs})`);
  for (const e of s.exercises) console.log(`  ${e.id.padEnd(4)} ${e.seconds.toFixed(2).padStart(6)} s  ${e.seeds} seeds  ${e.status}`);

  const t0 = performance.now();
  let vitest = "";
  try {
    execFileSync("npx", ["vitest", "run", `test/${NOTEBOOK}.test.ts`], { cwd: root, env: { ...process.env, DISTLAB_TARGET: "solutions" }, stdio: "pipe", encoding: "utf8" });
    vitest = "green";
  } catch (error) {
    vitest = `NOT green (${String((error as { status?: number }).status ?? error)})`;
  }
  const wall = (performance.now() - t0) / 1000;
  console.log(`as a student gets it: DISTLAB_TARGET=solutions npx vitest run test/${NOTEBOOK}.test.ts: ${wall.toFixed(2)} s wall, ${vitest} (target ≤ 10 s)`);

  const c = medianOfRuns(REPEATS, () => measureInFreshProcess<CommitPart>("bench/raft.ts", ["part", "commits"]));
  console.log(
    `reference Raft, 5 servers, tracing off: ${fmt(c.perSecond)} commits/s of wall time (${fmt(c.commits)} commits in ${c.virtualSeconds} virtual s, ${c.seconds.toFixed(2)} s wall; runs ${c.runs})`,
  );
  console.log(`\nload average at the end ${loadAverage()}`);
}

runBenchmark((args) => part(args[0]), main);
