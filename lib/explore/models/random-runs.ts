// The other way to look for a bug: run the same machines on the simulator with random timing and
// random faults, one seed at a time, and check the same properties after every event. This is what
// the graders of earlier chapters do; the explorer's searches are measured against it.
//
// A run: every node of the search's system hosted with `hostMachine` (one tick every `tickMs`), the
// system's initial messages sent at time 0 by their senders (a client node outside the system), a
// network with random one-way delays (and loss when the search allows drops), and as many crashes
// (and restarts) as the search allows, of the nodes it allows, at random times drawn from the run's
// own seed, and 5 % message loss when the search allows drops. Invariants are checked after every
// event; "eventually" properties at the end of the run. Unlike the search, every node ticks every
// `tickMs` for the whole run (`tickable` and `ticksMax` do not apply), and nothing bounds the depth.
import type { MachineBody } from "../../machine/index";
import { hostMachine } from "../../machine/index";
import { latency as latencies } from "../../net/index";
import type { Latency } from "../../net/index";
import { Simulation } from "../../simulation/index";
import type { ExploreProperty, ExploreView } from "../types";
import type { ModelSearch } from "./searches";

/** Options of {@link randomRun} and {@link seedsToViolation}. */
export interface RandomRunOptions<C> {
  /** Virtual milliseconds per run. Default 500. */
  durationMs?: number;
  /** Virtual milliseconds per machine tick. Default 10. */
  tickMs?: number;
  /** One-way delay of every message. Default uniform 1–10 ms (messages overtake each other). */
  latency?: Latency;
  /** Crashes happen at random times in [0, faultWindowMs). Default durationMs / 2. */
  faultWindowMs?: number;
  /** A restart follows its crash after a random 1 … restartDelayMsMax ms. Default 50. */
  restartDelayMsMax?: number;
  /** Another configuration for the simulator (e.g. Raft's real randomised timeouts). Default: the search's. */
  config?: (id: string) => C;
}

/** What one random run found. */
export interface RandomRunResult {
  seed: number;
  /** The first property that failed, where ("state": after some event; "end": at the end of the run), and when. */
  violation?: { property: string; where: "state" | "end"; problems: string[]; timeMs: number };
  /** The faults the run injected, e.g. `["crash c at 37 ms"]`. */
  faults: string[];
}

/** What a series of random runs found. */
export interface SeedsToViolationResult {
  /** Runs made (seeds 1, 2, … up to the one that failed, or `seedsMax`). */
  runs: number;
  /** The first seed whose run broke a property, or undefined if none within the cap. */
  seed?: number;
  /** True when the cap was reached without a violation. */
  capped: boolean;
  /** The failing run. */
  found?: RandomRunResult;
}

/**
 * One random run of a search's system on the simulator (see the file's comment for what is random).
 *
 * @example
 * const run = await randomRun(mutexSearch({ variant: "forgets-pending-grant" }), 7);
 * run.violation?.problems // ["mutual exclusion: c2, c3 hold the lock at once"], or undefined
 */
export async function randomRun<S, M extends MachineBody, P extends object, C>(search: ModelSearch<S, M, P, C>, seed: number, options: RandomRunOptions<C> = {}): Promise<RandomRunResult> {
  const { system, options: bounds } = search;
  const durationMs = options.durationMs ?? 500;
  const tickMs = options.tickMs ?? 10;
  const ids = system.nodes.map((n) => n.id);
  const configOf = options.config ?? ((id: string) => system.nodes.find((n) => n.id === id)!.config);
  const sim = new Simulation({
    seed,
    trace: false,
    network: { latency: options.latency ?? latencies.uniform(1, 10), ordering: "unordered", lossProbability: (bounds.dropsMax ?? 0) > 0 ? 0.05 : 0 },
  });
  const host = hostMachine(system.machine, { tickMs, config: configOf, states: false });
  sim.spawnMany(ids, host, { role: system.machine.name });

  // The outside world: a node for each sender of an initial message; it ignores every answer.
  const outside = [...new Set((system.messages ?? []).map((m) => m.src))].filter((id) => !ids.includes(id));
  for (const id of outside) sim.spawn(id, (node) => (search.outsideTypes ?? []).forEach((type) => node.on(type, () => {})));
  for (const m of system.messages ?? []) sim.node(m.src).send(m.dest, m.body as unknown as { type: string });

  // Faults, from the run's own seed.
  const faults: string[] = [];
  const rng = sim.random("faults");
  const crashable = bounds.crashable ?? ids;
  const windowMs = options.faultWindowMs ?? durationMs / 2;
  const crashes = Math.min(bounds.crashesMax ?? 0, crashable.length);
  let restarts = bounds.restartsMax ?? 0;
  const victims = crashable.slice();
  for (let k = 0; k < crashes; k++) {
    const id = victims.splice(rng.int(0, victims.length), 1)[0];
    const atMs = rng.int(0, Math.max(1, Math.floor(windowMs)));
    sim.at(atMs, () => sim.crash(id), `crash ${id}`);
    faults.push(`crash ${id} at ${atMs} ms`);
    if (restarts > 0) {
      restarts--;
      const backMs = atMs + rng.int(1, (options.restartDelayMsMax ?? 50) + 1);
      sim.at(backMs, () => sim.restart(id), `restart ${id}`);
      faults.push(`restart ${id} at ${backMs} ms`);
    }
  }

  const view = (): ExploreView<S, M> => {
    const states = host.states();
    const crashed = ids.filter((id) => states[id] === undefined);
    return {
      states,
      nodes: ids.map((id) => ({ id, state: states[id], disk: {}, incarnation: sim.node(id).incarnation })),
      messages: [],
      crashed,
      depth: 0,
      spent: { drops: 0, duplicates: 0, crashes: crashed.length, restarts: 0, ticks: 0 },
    };
  };
  const failing = (props: ReadonlyArray<ExploreProperty<S, M>> | undefined): { property: string; problems: string[] } | undefined => {
    if (props === undefined || props.length === 0) return undefined;
    const v = view();
    for (const p of props) {
      const problems = problemsOf(p.name, p.check(v));
      if (problems.length > 0) return { property: p.name, problems };
    }
    return undefined;
  };

  let found: { property: string; problems: string[] } | undefined;
  await sim.runUntil(() => (found = failing(bounds.invariants)) !== undefined, { withinMs: durationMs, throwOnTimeout: false });
  if (found) return { seed, violation: { ...found, where: "state", timeMs: sim.now() }, faults };
  const late = failing(bounds.eventually);
  if (late) return { seed, violation: { ...late, where: "end", timeMs: sim.now() }, faults };
  return { seed, faults };
}

/**
 * Random runs with seeds 1, 2, 3, … until one breaks a property, or `seedsMax` runs found nothing
 * (`capped`: said as such — the bug may still be there).
 *
 * @example
 * const r = await seedsToViolation(mutexSearch({ variant: "forgets-pending-grant" }), { seedsMax: 200 });
 * r.capped ? `not found in ${r.runs} runs` : `found by seed ${r.seed}`
 */
export async function seedsToViolation<S, M extends MachineBody, P extends object, C>(
  search: ModelSearch<S, M, P, C>,
  options: RandomRunOptions<C> & { seedsMax: number; seedFirst?: number },
): Promise<SeedsToViolationResult> {
  if (!(Number.isInteger(options.seedsMax) && options.seedsMax >= 1)) throw new RangeError(`seedsToViolation: seedsMax must be a whole number ≥ 1, got ${options.seedsMax}`);
  const first = options.seedFirst ?? 1;
  for (let k = 0; k < options.seedsMax; k++) {
    const run = await randomRun(search, first + k, options);
    if (run.violation) return { runs: k + 1, seed: run.seed, capped: false, found: run };
  }
  return { runs: options.seedsMax, capped: true };
}

function problemsOf(name: string, result: unknown): string[] {
  if (result === undefined || result === true || result === "") return [];
  if (result === false) return [name];
  if (typeof result === "string") return [result];
  if (Array.isArray(result)) return result.map(String);
  return [String(result)];
}
