// Chord experiments for notebook 10, each a small simulation: a ready-made stable ring, failures of a
// fraction of the nodes at once with successor lists of different lengths (the paper's Fig. 13 /
// SIGCOMM §6.4 experiment, smaller), keys surviving a crash through their copies on successors, one
// lookup to draw as a sequence diagram and a few joins to draw as a state diagram.
import { latency } from "../net/index";
import { ConfigError, Prng } from "../sim/index";
import { Simulation } from "../simulation/index";
import { chordFingerTable, chordId, successorOf } from "./chord-math";
import { chordNode } from "./chord-node";
import type { ChordLookupResult, ChordNodeHandle, ChordNodeOptions, ChordRef } from "./chord-node";

/** Options of `chordRing`. */
export interface ChordRingOptions extends Omit<ChordNodeOptions, "id" | "bootstrap" | "initial"> {
  /** How many nodes. */
  nodes: number;
  /** Simulator ids are `${prefix}${i}`; default "n". */
  prefix?: string;
}

/** A ring built by `chordRing`. */
export interface ChordRing {
  /** Handles by simulator id. */
  handles: Map<string, ChordNodeHandle>;
  /** Every node, sorted by identifier. */
  refs: ChordRef[];
}

/**
 * Spawn `nodes` Chord nodes already in a stable ring (exact successor lists, predecessors and
 * fingers), as the paper's experiments start; identifiers are hashes of the simulator ids.
 * @example
 * const sim = new Simulation({ seed: 1, trace: false });
 * const ring = chordRing(sim, { nodes: 100, m: 16, successorsMax: 4, stabilizeMs: 0 });
 */
export function chordRing(sim: Simulation, options: ChordRingOptions): ChordRing {
  const prefix = options.prefix ?? "n";
  if (!(Number.isInteger(options.nodes) && options.nodes >= 1)) throw new ConfigError("nodes", options.nodes, "an integer ≥ 1");
  const byId = new Map<number, string>();
  for (let i = 0; byId.size < options.nodes; i++) {
    const name = `${prefix}${i}`;
    let id = chordId(name, options.m);
    while (byId.has(id)) id = (id + 1) % 2 ** options.m;
    byId.set(id, name);
    if (i > 4 * options.nodes + 100) throw new ConfigError("nodes", options.nodes, `at most 2^${options.m} nodes`);
  }
  const ids = [...byId.keys()].sort((a, b) => a - b);
  const refs = ids.map((id) => ({ id, name: byId.get(id)! }));
  const refOf = (id: number) => ({ id, name: byId.get(id)! });
  const handles = new Map<string, ChordNodeHandle>();
  const { nodes: _n, prefix: _p, ...nodeOptions } = options;
  refs.forEach((ref, i) => {
    const successors: ChordRef[] = [];
    for (let k = 1; k <= Math.min(options.successorsMax, refs.length - 1); k++) successors.push(refs[(i + k) % refs.length]);
    if (successors.length === 0) successors.push(ref);
    const initial = {
      predecessor: refs.length > 1 ? refs[(i - 1 + refs.length) % refs.length] : null,
      successors,
      fingers: chordFingerTable(ref.id, ids, options.m).map(refOf),
    };
    sim.spawn(ref.name, (node) => {
      handles.set(ref.name, chordNode(node, { ...nodeOptions, id: ref.id, bootstrap: null, initial }));
    }, { role: "chord" });
  });
  return { handles, refs };
}

/** Options of `runChordChurn`. */
export interface ChordChurnOptions {
  seed: number;
  /** Nodes in the ring; default 64. */
  nodes?: number;
  /** Fraction of nodes that fail at once; default 0.2. */
  failFraction?: number;
  /** Successor-list lengths to compare; default [1, 4]. */
  successorsMax?: number | readonly number[];
  /** Lookups in each measurement; default 100. */
  lookups?: number;
  /** Rounds of stabilize (every live node) before the second measurement; default 4. */
  stabilizeRounds?: number;
  /** Identifier bits; default 16. */
  m?: number;
  /** Also refresh every finger of every node after the rounds (slower); default false. */
  fixFingers?: boolean;
}

/** One row of `runChordChurn`: a successor-list length and the failed-lookup rates. */
export interface ChordChurnResult {
  successorsMax: number;
  nodes: number;
  failed: number;
  /** Fraction of lookups that failed (timed out everywhere or returned a wrong owner) right after the failures. */
  failedRightAfter: number;
  /** The same after `stabilizeRounds` rounds of check_predecessor + stabilize (fingers as they are, unless `fixFingers`). */
  failedAfterStabilisation: number;
  /** Mean hops of the successful lookups right after, and after stabilisation. */
  hopsRightAfter: number;
  hopsAfterStabilisation: number;
}

async function measure(sim: Simulation, ring: ChordRing, live: ChordRef[], rng: Prng, lookups: number, m: number) {
  const liveIds = live.map((r) => r.id).sort((a, b) => a - b);
  const pending: Array<Promise<[ChordLookupResult, number]>> = [];
  for (let i = 0; i < lookups; i++) {
    const from = ring.handles.get(rng.pick(live).name)!;
    const key = rng.int(0, 2 ** m);
    pending.push(from.lookup(key).then((r) => [r, key]));
  }
  const results = await sim.runUntilSettled(Promise.all(pending));
  let failed = 0;
  let hops = 0;
  for (const [r, key] of results) {
    if (r.kind !== "found" || !r.owner || r.owner.id !== successorOf(liveIds, key)) failed++;
    else hops += r.path.length - 1;
  }
  const ok = results.length - failed;
  return { rate: failed / results.length, hops: ok > 0 ? hops / ok : 0 };
}

/** Rounds of check_predecessor + stabilize on every live node, then (optionally) fix every finger. */
async function stabiliseRounds(sim: Simulation, ring: ChordRing, live: ChordRef[], rounds: number, fixAllFingers: boolean) {
  const hs = live.map((r) => ring.handles.get(r.name)!);
  for (let i = 0; i < rounds; i++) {
    await sim.runUntilSettled(Promise.all(hs.map((h) => h.checkPredecessor())));
    await sim.runUntilSettled(Promise.all(hs.map((h) => h.stabilize())));
  }
  if (!fixAllFingers) return;
  const m = hs[0].fingers().length;
  for (let f = 0; f < m; f++) await sim.runUntilSettled(Promise.all(hs.map((h) => h.fixFingers())));
}

/**
 * A fraction of the nodes of a stable ring fail at once (SIGCOMM §6.4 / ToN Fig. 13, smaller):
 * the fraction of lookups that fail right after (nobody has repaired anything yet, lookups route
 * around dead hops using fingers and successor lists) and after a few rounds of stabilisation, for
 * each successor-list length. The paper: with lists of length r = O(log N) the lookups keep working;
 * with a single successor, a node whose successor died cannot go on.
 * @example const rows = await runChordChurn({ seed: 1, failFraction: 0.2, successorsMax: [1, 4] });
 */
export async function runChordChurn(options: ChordChurnOptions): Promise<ChordChurnResult[]> {
  const n = options.nodes ?? 64;
  const m = options.m ?? 16;
  const fraction = options.failFraction ?? 0.2;
  if (!(fraction >= 0 && fraction < 1)) throw new ConfigError("failFraction", fraction, "a number in [0, 1)");
  const lengths = options.successorsMax === undefined ? [1, 4] : typeof options.successorsMax === "number" ? [options.successorsMax] : options.successorsMax;
  const rows: ChordChurnResult[] = [];
  for (const r of lengths) {
    const sim = new Simulation({ seed: options.seed, network: { latency: latency.uniform(5, 15) }, trace: false, maxEvents: 20_000_000 });
    const ring = chordRing(sim, { nodes: n, m, successorsMax: r, stabilizeMs: 0, rpcTimeoutMs: 50 });
    await sim.runFor(1);
    const rng = new Prng(options.seed).split("churn");
    const dead = new Set(rng.shuffle(ring.refs).slice(0, Math.round(fraction * n)).map((x) => x.name));
    for (const name of dead) sim.crash(name);
    const live = ring.refs.filter((x) => !dead.has(x.name));
    const lookups = options.lookups ?? 100;
    const after = await measure(sim, ring, live, rng.split("after"), lookups, m);
    await stabiliseRounds(sim, ring, live, options.stabilizeRounds ?? 4, options.fixFingers ?? false);
    const later = await measure(sim, ring, live, rng.split("later"), lookups, m);
    rows.push({
      successorsMax: r,
      nodes: n,
      failed: dead.size,
      failedRightAfter: after.rate,
      failedAfterStabilisation: later.rate,
      hopsRightAfter: after.hops,
      hopsAfterStabilisation: later.hops,
    });
  }
  return rows;
}

/** Options of `runChordReplication`. */
export interface ChordReplicationOptions {
  seed: number;
  /** Default 32. */
  nodes?: number;
  /** Keys written before the crash; default 100. */
  keys?: number;
  /** Successors holding a copy of each key; default 2. */
  replicas?: number;
  /** Nodes that crash at once (those owning the most keys); default 1. */
  crashes?: number;
  /** Identifier bits; default 16. */
  m?: number;
}

/** What `runChordReplication` found. */
export interface ChordReplicationResult {
  replicas: number;
  keys: number;
  crashed: string[];
  /** Keys whose owner crashed. */
  keysOnCrashed: number;
  /** Keys read back after stabilisation: found, missing (lost), failed lookups. */
  found: number;
  missing: number;
  failed: number;
}

/**
 * Keys stored at their successor and copied to the next `replicas` successors survive a crash:
 * write keys, crash nodes, stabilise, read every key back from a random live node.
 * @example const r = await runChordReplication({ seed: 1, replicas: 2 }); r.missing // 0
 */
export async function runChordReplication(options: ChordReplicationOptions): Promise<ChordReplicationResult> {
  const n = options.nodes ?? 32;
  const m = options.m ?? 16;
  const replicas = options.replicas ?? 2;
  const keyCount = options.keys ?? 100;
  const sim = new Simulation({ seed: options.seed, network: { latency: latency.uniform(5, 15) }, trace: false });
  const ring = chordRing(sim, { nodes: n, m, successorsMax: Math.max(replicas + 1, 3), replicas, stabilizeMs: 0, rpcTimeoutMs: 50 });
  await sim.runFor(1);
  const rng = new Prng(options.seed).split("replication");
  const keys = Array.from({ length: keyCount }, (_, i) => chordId(`key-${i}`, m));
  const ids = ring.refs.map((r) => r.id).sort((a, b) => a - b);
  await sim.runUntilSettled(Promise.all(keys.map((k, i) => ring.handles.get(rng.pick(ring.refs).name)!.put(k, `v${i}`))));
  await sim.runFor(50);
  // Crash the nodes that own the most keys (ties by ring order): the worst case for the data.
  const owned = (r: ChordRef) => keys.filter((k) => successorOf(ids, k) === r.id).length;
  const crashed = ring.refs.slice().sort((a, b) => owned(b) - owned(a)).slice(0, options.crashes ?? 1).map((r) => r.name);
  const crashedIds = new Set(ring.refs.filter((r) => crashed.includes(r.name)).map((r) => r.id));
  for (const name of crashed) sim.crash(name);
  const live = ring.refs.filter((r) => !crashed.includes(r.name));
  await stabiliseRounds(sim, ring, live, 3, false);
  await sim.runFor(50);
  const reads = await sim.runUntilSettled(Promise.all(keys.map((k) => ring.handles.get(rng.pick(live).name)!.get(k))));
  return {
    replicas,
    keys: keyCount,
    crashed,
    keysOnCrashed: keys.filter((k) => crashedIds.has(successorOf(ids, k))).length,
    found: reads.filter((r) => r.kind === "found").length,
    missing: reads.filter((r) => r.kind === "missing").length,
    failed: reads.filter((r) => r.kind === "failed").length,
  };
}

/**
 * One lookup in a small stable ring with tracing on: its trace draws as a sequence diagram
 * (`toSequenceDiagram(sim.trace, { types: ["chord_step", "chord_step_ok"] })`).
 * @example const { sim, result } = await runChordLookupTrace({ seed: 1 }); result.path
 */
export async function runChordLookupTrace(options: { seed: number; nodes?: number; m?: number; key?: number }) {
  const m = options.m ?? 8;
  const sim = new Simulation({ seed: options.seed, network: { latency: latency.uniform(5, 15) } });
  const ring = chordRing(sim, { nodes: options.nodes ?? 16, m, successorsMax: 3, stabilizeMs: 0 });
  await sim.runFor(1);
  const from = ring.refs[0];
  const key = options.key ?? (from.id + 2 ** m / 2 + 3) % 2 ** m;
  const result = await sim.runUntilSettled(ring.handles.get(from.name)!.lookup(key));
  return { sim, ring, key, result };
}

/**
 * Nodes join one at a time through the first one, with stabilize, fix_fingers and
 * check_predecessor running; ends when every node is `stable` and every successor pointer is right.
 * Its trace draws as a state diagram of a join (`toStateDiagram(sim.trace)`).
 * @example const { sim, converged } = await runChordJoin({ seed: 1 }); converged // true
 */
export async function runChordJoin(options: { seed: number; nodes?: number; m?: number; stabilizeMs?: number; joinEveryMs?: number }) {
  const m = options.m ?? 8;
  const n = options.nodes ?? 5;
  const stabilizeMs = options.stabilizeMs ?? 40;
  const sim = new Simulation({ seed: options.seed, network: { latency: latency.uniform(5, 15) } });
  const handles = new Map<string, ChordNodeHandle>();
  const refs: ChordRef[] = [];
  for (let i = 0; i < n; i++) {
    const name = `n${i}`;
    const id = chordId(name, m);
    refs.push({ id, name });
    sim.at(i * (options.joinEveryMs ?? 100), () => {
      sim.spawn(name, (node) => {
        handles.set(name, chordNode(node, { id, m, bootstrap: i === 0 ? null : "n0", successorsMax: 3, stabilizeMs }));
      }, { role: "chord" });
    }, `${name} joins`);
  }
  const ringRight = () => {
    if (handles.size < n) return false;
    const ids = refs.map((r) => r.id).sort((a, b) => a - b);
    return refs.every((r) => {
      const h = handles.get(r.name)!;
      const want = successorOf(ids, (r.id + 1) % 2 ** m);
      return h.state() === "stable" && h.successors()[0]?.id === want;
    });
  };
  let converged = true;
  try {
    await sim.runUntil(ringRight, { withinMs: 20_000 });
  } catch {
    converged = false;
  }
  return { sim, handles, converged, convergedAtMs: sim.now() };
}
