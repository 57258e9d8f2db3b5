// The shape of a test that TigerBeetle's simulator and Jepsen share: a fault phase, in which a
// seeded nemesis partitions the network, crashes and restarts nodes and loses messages (safety
// must hold throughout — declare it with `sim.invariant`), then a healed phase, in which the
// system must make progress again within a bound (liveness).
import { SimulationError } from "../sim/errors";
import type { Simulation } from "./simulation";

/** What the nemesis does during the fault phase. Every choice comes from `sim.random("nemesis")`. */
export interface NemesisOptions {
  /** The nodes it may partition or crash. Default: every node when the phase starts. */
  nodes?: readonly string[];
  /** Every this many ms, change the network: split it into two random sides, or heal (in turn). */
  partitionEveryMs?: number;
  /** Every this many ms, crash a random running node (see `crashedMax`). */
  crashEveryMs?: number;
  /** How long a crashed node stays down before the nemesis restarts it. Default 2 × crashEveryMs. */
  downMs?: number;
  /** At most this many of `nodes` down at once. Default: a minority, ⌊(n − 1) / 2⌋. */
  crashedMax?: number;
  /** Message loss while the faults last (restored afterwards). */
  lossProbability?: number;
}

/** A fault phase, then a healed phase with a liveness check. */
export interface PhasesOptions {
  nemesis: NemesisOptions;
  /** How long the fault phase lasts, from now. */
  faultMs: number;
  /** What must become true once the faults are over, and how soon. */
  liveness?: {
    /** Words for the error message, e.g. "every client request is answered". */
    description: string;
    holds: () => boolean;
    withinMs: number;
  };
}

/** What happened. */
export interface PhasesResult {
  /** When the faults ended (the network healed, every node the nemesis crashed restarted). */
  healedAtMs: number;
  /** When the liveness predicate first held after healing (undefined without `liveness`). */
  livenessAtMs?: number;
  /** What the nemesis did, in order: `t=120ms partition n1,n3 | n2`, `t=300ms crash n2`, … */
  faults: string[];
}

/**
 * Run a fault phase driven by a seeded nemesis, heal everything, then require `liveness.holds()`
 * within `liveness.withinMs` — one call in a grader. Invariants declared with `sim.invariant` are
 * checked throughout, so a safety violation stops the run in either phase. Throws a
 * `SimulationError` naming the predicate, the time of healing and the seed when liveness fails.
 *
 * @example
 * sim.invariant("one leader per term", () => oneLeaderPerTerm(sim));
 * const result = await runPhases(sim, {
 *   nemesis: { partitionEveryMs: 200, crashEveryMs: 500, lossProbability: 0.05 },
 *   faultMs: 3000,
 *   liveness: { description: "a leader is elected", holds: () => leaders(sim).length === 1, withinMs: 2000 },
 * });
 * result.faults; // ["t=200ms partition n1,n3 | n2", "t=400ms heal", "t=500ms crash n2", …]
 */
export async function runPhases(sim: Simulation, options: PhasesOptions): Promise<PhasesResult> {
  const n = options.nemesis;
  const startMs = sim.now();
  const fail = (text: string): SimulationError => new SimulationError(`runPhases: ${text}`, { timeMs: sim.now(), seed: sim.seed });
  const positive = (name: string, value: number | undefined): void => {
    if (value !== undefined && !(typeof value === "number" && value > 0 && Number.isFinite(value))) throw fail(`${name} must be a number of ms > 0, got ${value}`);
  };
  positive("faultMs", options.faultMs);
  if (options.faultMs === undefined) throw fail("faultMs is required");
  positive("nemesis.partitionEveryMs", n.partitionEveryMs);
  positive("nemesis.crashEveryMs", n.crashEveryMs);
  positive("nemesis.downMs", n.downMs);
  if (n.lossProbability !== undefined && !(n.lossProbability >= 0 && n.lossProbability <= 1)) {
    throw fail(`nemesis.lossProbability must be a probability in [0, 1], got ${n.lossProbability}`);
  }
  if (options.liveness) positive("liveness.withinMs", options.liveness.withinMs);
  const nodes = (n.nodes ?? sim.nodeIds()).slice();
  for (const id of nodes) if (!sim.nodeIds().includes(id)) throw fail(`nemesis.nodes: unknown node "${id}"`);
  const crashedMax = n.crashedMax ?? Math.floor((nodes.length - 1) / 2);
  const downMs = n.downMs ?? 2 * (n.crashEveryMs ?? 0);
  const endMs = startMs + options.faultMs;
  const random = sim.random("nemesis");
  const faults: string[] = [];
  const down = new Set<string>();
  let over = false;
  let split = false;
  const note = (what: string): void => void faults.push(`t=${sim.now()}ms ${what}`);

  if (n.partitionEveryMs !== undefined && nodes.length >= 2) {
    for (let t = startMs + n.partitionEveryMs; t < endMs; t += n.partitionEveryMs) {
      sim.at(t, () => {
        if (split) {
          sim.heal();
          note("heal");
        } else {
          const shuffled = random.shuffle(nodes.slice());
          const cut = random.int(1, shuffled.length);
          const sides = [shuffled.slice(0, cut), shuffled.slice(cut)];
          sim.partition(sides);
          note(`partition ${sides.map((s) => s.join(",")).join(" | ")}`);
        }
        split = !split;
      }, "nemesis partition");
    }
  }
  if (n.crashEveryMs !== undefined && crashedMax > 0) {
    for (let t = startMs + n.crashEveryMs; t < endMs; t += n.crashEveryMs) {
      sim.at(t, () => {
        const candidates = nodes.filter((id) => sim.isUp(id));
        if (down.size >= crashedMax || candidates.length === 0) return;
        const id = random.pick(candidates);
        sim.crash(id);
        down.add(id);
        note(`crash ${id}`);
        sim.after(downMs, () => {
          if (over || !down.has(id)) return;
          sim.restart(id);
          down.delete(id);
          note(`restart ${id}`);
        }, "nemesis restart");
      }, "nemesis crash");
    }
  }
  const lossBefore = sim.network.options.lossProbability;
  if (n.lossProbability !== undefined) {
    sim.network.configure({ lossProbability: n.lossProbability });
    note(`loss ${n.lossProbability}`);
  }

  await sim.runUntilTime(endMs);
  over = true;
  if (split) sim.heal();
  for (const id of down) sim.restart(id);
  if (n.lossProbability !== undefined) sim.network.configure({ lossProbability: lossBefore });
  note(`healed${down.size ? ` (restarted ${Array.from(down).join(", ")})` : ""}`);
  down.clear();
  const healedAtMs = sim.now();
  if (!options.liveness) return { healedAtMs, faults };

  const { description, holds, withinMs } = options.liveness;
  const result = await sim.runUntil(holds, { withinMs, throwOnTimeout: false, description });
  if (result.stoppedBy !== "predicate") {
    throw fail(`liveness: "${description}" did not hold within ${withinMs}ms after the faults ended at t=${healedAtMs}ms (faults: ${faults.join("; ") || "none"})`);
  }
  return { healedAtMs, livenessAtMs: sim.now(), faults };
}
