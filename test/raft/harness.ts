// A 6.5840-style tester for lib/raft on the simulator: spawn a cluster with the safety monitor
// checked after every event, then script faults and check outcomes in a few lines
// (`checkOneLeader`, `one`, `nCommitted`), as the lab's config.go does.
import { latency, type NetworkOptions } from "../../lib/net/index";
import { Simulation } from "../../lib/simulation/index";
import { RaftMonitor, raftCluster, type RaftCluster, type RaftClusterOptions, type RaftState } from "../../lib/raft/index";

/** Timing used by the scenarios: ticks of 10 ms, election timeouts 150–300 ms, heartbeats every 50 ms. */
export const TIMING = { tickMs: 10, electionTicksMin: 15, electionTicksMax: 30, heartbeatTicks: 5 };

export interface Tester {
  sim: Simulation;
  cluster: RaftCluster;
  monitor: RaftMonitor;
  ids: string[];
  /** Run until exactly one live leader of the highest term exists among `among` (default: all); its id. */
  checkOneLeader(among?: string[], withinMs?: number): Promise<string>;
  /** How many servers have applied `index`, and the command (throws if two applied different ones). */
  nCommitted(index: number): { count: number; command: unknown };
  /** Propose `command` at a leader (retrying across leaders) until `expected` servers applied it; its index. */
  one(command: unknown, expected: number, withinMs?: number): Promise<number>;
}

export function makeTester(seed: number, n: number, options: Partial<RaftClusterOptions> & { network?: NetworkOptions } = {}): Tester {
  const { network, ...rest } = options;
  const sim = new Simulation({ seed, network: network ?? { latency: latency.uniform(1, 5) }, trace: { eventsMax: 2000 } });
  const ids = Array.from({ length: n }, (_, i) => `n${i + 1}`);
  const cluster = raftCluster(sim, ids, { ...TIMING, ...rest });
  const monitor = new RaftMonitor();
  sim.invariant("raft safety", () => {
    const v = monitor.observe(cluster.states());
    return v.length === 0 ? true : v.join("; ");
  });

  const leaderAmong = (among: string[]): string | undefined => {
    const states = cluster.states();
    let best: string | undefined;
    let term = -1;
    let count = 0;
    for (const id of among) {
      const s = states[id];
      if (s === undefined || s.role !== "leader") continue;
      if (s.currentTerm > term) [best, term, count] = [id, s.currentTerm, 1];
      else if (s.currentTerm === term) count++;
    }
    return count === 1 ? best : undefined;
  };

  const tester: Tester = {
    sim,
    cluster,
    monitor,
    ids,
    async checkOneLeader(among = ids, withinMs = 5000) {
      await sim.runUntil(() => leaderAmong(among) !== undefined, { withinMs, description: `one leader among ${among.join(",")} (seed ${seed})` });
      return leaderAmong(among)!;
    },
    nCommitted(index) {
      let count = 0;
      let command: unknown;
      let first: string | undefined;
      for (const id of ids) {
        const applied = cluster.applied(id);
        if (!applied.has(index)) continue;
        const c = applied.get(index);
        if (count > 0 && JSON.stringify(c) !== JSON.stringify(command)) {
          throw new Error(`seed ${seed}: index ${index} applied as ${JSON.stringify(command)} at ${first} but ${JSON.stringify(c)} at ${id}`);
        }
        if (count === 0) [command, first] = [c, id];
        count++;
      }
      return { count, command };
    },
    async one(command, expected, withinMs = 10_000) {
      const deadline = sim.now() + withinMs;
      const key = JSON.stringify(command);
      while (sim.now() < deadline) {
        const r = cluster.propose(command);
        if (r !== undefined && r.kind === "accepted") {
          const { index, term, at } = r;
          const agreed = (): boolean => {
            const c = tester.nCommitted(index);
            return c.count >= expected && JSON.stringify(c.command) === key;
          };
          // Wait for agreement, or until the leader that took the command is deposed (then retry).
          const deposed = (): boolean => {
            const s = cluster.states()[at];
            return s === undefined || s.role !== "leader" || s.currentTerm !== term;
          };
          await sim.runUntil(() => agreed() || deposed(), { withinMs: 2000, throwOnTimeout: false });
          if (agreed()) return index;
          await sim.runFor(10);
        } else {
          await sim.runFor(50);
        }
      }
      throw new Error(`seed ${seed}: one(${key}) failed to reach agreement on ${expected} servers within ${withinMs}ms`);
    },
  };
  return tester;
}

/** Seeds 1..count. */
export function seeds(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i + 1);
}

/** A fresh monitor: the invariant a transcript is replayed under (after every command). */
export function raftInvariant(): (states: Record<string, RaftState>) => string[] {
  const monitor = new RaftMonitor();
  return (states) => monitor.observe(states);
}
