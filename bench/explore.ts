// `npx tsx bench/explore.ts`: the Performance part of issue 16 — how fast lib/explore searches.
//
// Figures, each in a fresh process, the median of BENCH_REPEATS runs (default 3):
// (1) states per second (wall and CPU) of a BFS over two-phase commit (lib/machine's
//     `twoPhaseCommit`, coordinator + 2 participants, one transaction, resend every tick, at most 3
//     ticks on a path, no faults: every interleaving), and over the central-lock mutex of
//     lib/explore/models (`mutexSearch`, 4 clients, 2 critical sections each, correct variant);
// (2) memory per visited state: the heap (after a full GC) while the finished two-phase-commit
//     search still holds its visited set, minus the heap before it, over the state count; and the
//     peak heap seen during the search over the state count (visited set + frontier + caches);
// (3) a 3-node Raft election (lib/raft's `raftMachine`, every election timeout one tick, leaders do
//     not tick, no client entries: ticks and vote messages, plus the append_entries a new leader
//     sends) searched every way within a term bound: states, depth and time. Two bounds: term 1
//     (every split vote of the first election), and terms ≤ 2 with symmetry and at most 4 messages
//     in flight.
// Not part of `npm test`.
import { performance } from "node:perf_hooks";
import { explore, type ExploreSystem } from "../lib/explore/index";
import { mutexSearch } from "../lib/explore/models/index";
import { atomicCommitViolations, twoPhaseCommit, type TwoPhaseConfig, type TwoPhaseMessage, type TwoPhasePersist, type TwoPhaseState } from "../lib/machine/index";
import { electionSafetyViolations, raftMachine, type RaftConfig, type RaftMessage, type RaftPersist, type RaftState } from "../lib/raft/index";
import { fmt, loadAverage, measureInFreshProcess, medianOfRuns, repeats, runBenchmark } from "./fresh";

const REPEATS = repeats(3);

interface Part {
  name: string;
  states: number;
  transitions: number;
  depth: number;
  verdict: string;
  seconds: number;
  cpuSeconds: number;
  perSecond: number;
  perCpuSecond: number;
  /** Memory part: bytes per state retained (visited set) and at the peak. */
  retainedBytesPerState?: number;
  peakBytesPerState?: number;
}

const twoPhase: ExploreSystem<TwoPhaseState, TwoPhaseMessage, TwoPhasePersist, TwoPhaseConfig> = {
  machine: twoPhaseCommit,
  nodes: [
    { id: "c", config: { role: "coordinator", participants: ["p1", "p2"], resendTicks: 1, voteTimeoutTicks: 2 } },
    { id: "p1", config: { role: "participant", coordinator: "c", resendTicks: 1 } },
    { id: "p2", config: { role: "participant", coordinator: "c", resendTicks: 1 } },
  ],
  messages: [{ src: "client", dest: "c", body: { type: "begin", txn: "t1" } }],
};
const TWO_PHASE_TICKS = 3;

const ids = ["n1", "n2", "n3"];
const raftElection: ExploreSystem<RaftState, RaftMessage, RaftPersist, RaftConfig> = {
  machine: raftMachine,
  nodes: ids.map((id) => ({ id, config: { peers: ids.filter((p) => p !== id), electionTicksMin: 1, electionTicksMax: 1, heartbeatTicks: 1 } })),
  // What can change behaviour: not the seed (every timeout is one tick), the boot id or the config copies.
  view: (s) => ({ role: s.role, currentTerm: s.currentTerm, votedFor: s.votedFor, log: s.log, commitIndex: s.commitIndex, leaderId: s.leaderId, votesGranted: s.votesGranted, nextIndex: s.nextIndex, matchIndex: s.matchIndex }),
};

function timed(name: string, run: () => { states: number; transitions: number; depth: number; verdict: { kind: string } }): Part {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const r = run();
  const seconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cpuSeconds = (c.user + c.system) / 1e6;
  return { name, states: r.states, transitions: r.transitions, depth: r.depth, verdict: r.verdict.kind, seconds, cpuSeconds, perSecond: r.states / seconds, perCpuSecond: r.states / cpuSeconds };
}

async function part(args: string[]): Promise<Part> {
  const gc = (globalThis as { gc?: () => void }).gc;
  switch (args[0]) {
    case "2pc":
      return timed("2pc", () => explore(twoPhase, { ticksMax: TWO_PHASE_TICKS, invariants: [{ name: "AC1", check: (v) => atomicCommitViolations(v.states) }] }));
    case "mutex": {
      const { system, options } = mutexSearch({ clients: 4, rounds: 2 });
      return timed("mutex", () => explore(system, options));
    }
    case "memory": {
      if (gc === undefined) throw new Error("memory part needs node --expose-gc");
      gc();
      const base = process.memoryUsage().heapUsed;
      let retained = 0;
      let peak = 0;
      const p = timed("memory", () =>
        explore(twoPhase, {
          ticksMax: TWO_PHASE_TICKS,
          progressEvery: 2000,
          onProgress: (pr) => {
            peak = Math.max(peak, process.memoryUsage().heapUsed - base);
            if (pr.frontier === 0) {
              gc(); // the last call: the search still holds its visited set
              retained = process.memoryUsage().heapUsed - base;
            }
          },
        }),
      );
      return { ...p, retainedBytesPerState: retained / p.states, peakBytesPerState: peak / p.states };
    }
    case "raft-term1":
      return timed("raft-term1", () =>
        explore(raftElection, {
          invariants: [{ name: "election safety", check: (v) => electionSafetyViolations(v.states) }],
          tickable: (s) => s.role !== "leader",
          boundary: (v) => Object.values(v.states).every((s) => s.currentTerm < 2),
        }),
      );
    case "raft-term2":
      return timed("raft-term2", () =>
        explore(raftElection, {
          invariants: [{ name: "election safety", check: (v) => electionSafetyViolations(v.states) }],
          tickable: (s) => s.role !== "leader",
          boundary: (v) => Object.values(v.states).every((s) => s.currentTerm < 3),
          symmetry: [ids],
          inFlightMax: 4,
        }),
      );
    default:
      throw new Error(`unknown part ${args[0]} (2pc, mutex, memory, raft-term1, raft-term2)`);
  }
}

function main(): void {
  console.log(`bench/explore.ts — lib/explore (issue 16). Median of ${REPEATS} fresh processes each; load average ${loadAverage()}.`);
  const run = (name: string, nodeArgs: string[] = []): Part & { runs: string } =>
    medianOfRuns(REPEATS, () => measureInFreshProcess<Part>("bench/explore.ts", ["part", name], nodeArgs));
  const line = (label: string, p: Part & { runs: string }): void =>
    console.log(
      `  ${label}: ${fmt(p.states)} states, ${fmt(p.transitions)} transitions, depth ${p.depth}, ${p.verdict}; ` +
        `${p.seconds.toFixed(2)} s wall (${p.cpuSeconds.toFixed(2)} s CPU): ${fmt(p.perSecond)} states/s wall, ${fmt(p.perCpuSecond)} states/s CPU (runs: ${p.runs})`,
    );
  console.log("(1) states explored per second");
  line(`two-phase commit, 1 txn, ≤ ${TWO_PHASE_TICKS} ticks, BFS`, run("2pc"));
  line("central-lock mutex, 4 clients × 2 rounds, BFS", run("mutex"));
  console.log("(2) memory per visited state (two-phase commit search)");
  const m = run("memory", ["--expose-gc"]);
  console.log(`  retained (visited set, after GC): ${fmt(m.retainedBytesPerState ?? 0)} bytes/state; peak during the search: ${fmt(m.peakBytesPerState ?? 0)} bytes/state (${fmt(m.states)} states)`);
  console.log("(3) 3-node Raft election, every interleaving within a term bound");
  line("term 1 only (every split vote), no symmetry", run("raft-term1"));
  line("terms ≤ 2, symmetry n1–n3, ≤ 4 messages in flight", run("raft-term2"));
}

runBenchmark(part, main);
