// The experiment of Figure 16 of the extended Raft paper (§9.3): how long a five-server cluster is
// without a leader after the leader crashes, for a given range of election timeouts. The paper
// crashes the leader uniformly at random within its heartbeat interval (half the minimum election
// timeout) and measures until a new leader is elected, over many trials.
import { latency as latencies, type Latency } from "../net/index";
import { Simulation } from "../simulation/index";
import { raftCluster } from "./host";

/** Options of `measureElectionTime`. Times in ms. */
export interface ElectionTimeOptions {
  /** The election timeout range, e.g. 150 and 300. */
  electionMsMin: number;
  electionMsMax: number;
  /** How many trials (each its own simulation). Default 100. */
  trials?: number;
  /** Servers in the cluster. Default 5. */
  servers?: number;
  /** One-way message delay. Default uniform 7–8 ms (a broadcast time of about 15 ms, as in the paper). */
  latency?: Latency;
  /** Heartbeat interval. Default half the minimum election timeout, as in the paper. */
  heartbeatMs?: number;
  /** A trial that has no new leader this long after the crash counts as censored. Default 10 000. */
  trialMsMax?: number;
  /** Length of a tick: the resolution of the timers. Default 1 ms. */
  tickMs?: number;
  /** Seed of the first trial; trial k uses seed + k. Default 1. */
  seed?: number;
}

/** What `measureElectionTime` found. */
export interface ElectionTimeResult {
  /** Time from the crash to the new leader, per trial, sorted; censored trials are `Infinity`. */
  downtimesMs: number[];
  /** How many trials found no leader within trialMsMax. */
  censored: number;
  /** Median and mean (of the trials that finished), and the worst. */
  medianMs: number;
  meanMs: number;
  maxMs: number;
  /** Trials in which more than one election was needed after the crash (a split vote or a lost one). */
  splitVotes: number;
}

/**
 * Crash the leader of a healthy cluster at a random moment within its heartbeat interval and time
 * until another server is leader, `trials` times (Figure 16 of the extended Raft paper).
 *
 * @example
 * const r = await measureElectionTime({ electionMsMin: 150, electionMsMax: 300, trials: 100 });
 * r.medianMs; // about 250 with 15 ms broadcasts
 */
export async function measureElectionTime(options: ElectionTimeOptions): Promise<ElectionTimeResult> {
  const { electionMsMin, electionMsMax } = options;
  if (!(Number.isInteger(electionMsMin) && electionMsMin >= 2 && Number.isInteger(electionMsMax) && electionMsMax >= electionMsMin)) {
    throw new RangeError(`measureElectionTime: electionMsMin and electionMsMax must be whole numbers with 2 ≤ min ≤ max, got ${electionMsMin}–${electionMsMax}`);
  }
  const trials = options.trials ?? 100;
  const servers = options.servers ?? 5;
  const heartbeatMs = options.heartbeatMs ?? Math.max(1, Math.floor(electionMsMin / 2));
  const trialMsMax = options.trialMsMax ?? 10_000;
  const ids = Array.from({ length: servers }, (_, i) => `s${i + 1}`);
  const downtimesMs: number[] = [];
  let splitVotes = 0;
  let skipped = 0;
  for (let k = 0; k < trials; k++) {
    const seed = (options.seed ?? 1) + k + skipped;
    const sim = new Simulation({ seed, trace: false, network: { latency: options.latency ?? latencies.uniform(7, 8) } });
    const tickMs = options.tickMs ?? 1;
    const ticks = (ms: number): number => Math.max(1, Math.round(ms / tickMs));
    const cluster = raftCluster(sim, ids, { tickMs, electionTicksMin: ticks(electionMsMin), electionTicksMax: ticks(electionMsMax), heartbeatTicks: ticks(heartbeatMs) });
    // Servers that start together and time out together may split votes for ever (150–150): the
    // first leader is made by hand, as the paper starts from a cluster with a leader.
    cluster.handle(ids[0])!.campaign();
    const first = await sim.runUntil(() => cluster.leader() !== undefined, { withinMs: trialMsMax, throwOnTimeout: false });
    if (first.stoppedBy !== "predicate") throw new Error(`measureElectionTime: no first leader within ${trialMsMax} ms (seed ${seed}, ${electionMsMin}–${electionMsMax} ms)`);
    const random = sim.random("crash");
    await sim.runFor(2 * electionMsMax);
    await sim.runUntil(() => cluster.leader() !== undefined, { withinMs: trialMsMax }); // short timeouts may still be electing
    await sim.runFor(random.uniform(0, heartbeatMs)); // crash at a random point of the heartbeat interval
    const old = cluster.leader();
    if (old === undefined) {
      k--; // lost its leader at the last moment: try again with the next seed
      skipped++;
      continue;
    }
    const term = cluster.states()[old].currentTerm;
    sim.crash(old);
    const crashedMs = sim.now();
    const found = await sim.runUntil(() => {
      const l = cluster.leader();
      return l !== undefined && l !== old;
    }, { withinMs: trialMsMax, throwOnTimeout: false });
    if (found.stoppedBy !== "predicate") {
      downtimesMs.push(Infinity);
      continue;
    }
    downtimesMs.push(sim.now() - crashedMs);
    if (cluster.states()[cluster.leader()!].currentTerm > term + 1) splitVotes++;
  }
  downtimesMs.sort((a, b) => a - b);
  const finished = downtimesMs.filter((d) => d !== Infinity);
  return {
    downtimesMs,
    censored: downtimesMs.length - finished.length,
    medianMs: downtimesMs[Math.floor((downtimesMs.length - 1) / 2)],
    meanMs: finished.length === 0 ? NaN : finished.reduce((a, b) => a + b, 0) / finished.length,
    maxMs: downtimesMs[downtimesMs.length - 1],
    splitVotes,
  };
}
