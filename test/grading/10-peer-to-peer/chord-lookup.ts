/**
 * Check of exercise 10.2 Chord lookup with finger tables. Both functions are pure: the grader
 * builds rings and calls them, no messages are sent (the failure diagram shows one lane, `chord`,
 * with the finding). Per trial ({@link TRIALS} per seed) it draws m (16–24), N (1–1,024, mostly
 * large) distinct node ids, passed to `fingerTable` in a shuffled order.
 *
 * Rules, in the order they are checked (the first broken one is reported):
 * 1. `fingerTable(self, nodes, m)` of up to {@link FINGER_NODES} nodes (the lowest and the highest
 *    among them) equals the grader's: entry i = successor((self + 2^i) mod 2^m);
 * 2. per lookup ({@link LOOKUPS} per ring, from random nodes; `fingers` is the grader's own table,
 *    so a wrong fingerTable does not spoil this part): `fingers` is asked only of nodes on the ring
 *    and at most N + m + 2 times; the path starts at `start` and ends at the key's successor;
 * 3. hops = path length − 1 ≤ ⌈log₂ N⌉ + {@link HOP_SLACK};
 * 4. every hop is the rule's: the successor when key ∈ (n, successor], else the finger in (n, key)
 *    closest to the key.
 *
 * What the rules separate (test/meta/10-peer-to-peer.test.ts): finger i at self + 2^(i+1); the
 * owner's predecessor at the wrap; a walk along successors; a jump by finger start past the key;
 * a closed (n, key] in the closest-preceding test.
 */
import type { Node } from "../../../lib/node";
import { fail, runScenarios, trialsPerSeed, type CheckResult, type Scenario, type Trial } from "../check";
import { exercise } from "../exercises";

/** What exercises/10-peer-to-peer/chord-lookup.ts exports. */
export interface ChordLookupApi {
  fingerTable(self: number, nodes: number[], m: number): number[];
  lookupPath(start: number, key: number, fingers: (id: number) => number[], m: number): number[];
}

type Implements<T extends ChordLookupApi> = T;
export type StubImplementsChordLookup = Implements<typeof import("../../../exercises/10-peer-to-peer/chord-lookup")>;
export type SolutionImplementsChordLookup = Implements<typeof import("../../../solutions/10-peer-to-peer/chord-lookup")>;

/** Trials per seed: with the registry's seeds, ≥ 135 in all (see check.ts). */
export const TRIALS = trialsPerSeed(exercise("10.2").seeds.length);
/** Lookups per ring. */
export const LOOKUPS = 200;
/** Nodes per ring whose finger table is checked. */
export const FINGER_NODES = 24;
/**
 * Hops allowed beyond ⌈log₂ N⌉. The reference measured at most ⌈log₂ N⌉ + 1 over every lookup of
 * the five seeds (the meta test prints it); a walk along successors needs up to N − 1.
 */
export const HOP_SLACK = 2;

/** What the checks of a seed met (for the meta tests). */
export interface ChordLookupStats {
  trials: number;
  lookups: number;
  /** Lookups whose key is past the highest node or at most the lowest (the owner is the lowest). */
  wrapped: number;
  /** Lookups whose key is a node id. */
  keyIsNode: number;
  /** The largest hops − ⌈log₂ N⌉ seen. */
  hopExcessMax: number;
  /** Rings with more than 512 nodes. */
  largeRings: number;
}

interface Lookup {
  start: number;
  key: number;
  kind: string;
}

interface Params {
  m: number;
  /** Node ids in the order given to fingerTable. */
  nodes: number[];
  sorted: number[];
  fingerNodes: number[];
  lookups: Lookup[];
}

const SIZES = [1, 2, 3, 5, 8, 40, 200, 600, 1024, 1024];

function params(trial: Trial): Params {
  const rng = trial.rng;
  const m = rng.int(16, 25);
  const count = trial.index === 0 ? 1024 : rng.pick(SIZES) === 1024 ? 1024 : rng.int(1, 1025) > 700 ? rng.pick(SIZES) : rng.int(1, 1025);
  const size = 2 ** m;
  const ids = new Set<number>();
  while (ids.size < count) ids.add(rng.int(0, size));
  const nodes = rng.shuffle([...ids]);
  const sorted = [...nodes].sort((a, b) => a - b);
  const lowest = sorted[0];
  const highest = sorted[sorted.length - 1];
  const fingerNodes = [lowest, highest, ...rng.shuffle([...nodes]).slice(0, FINGER_NODES - 2)].filter((id, i, all) => all.indexOf(id) === i);
  const lookups: Lookup[] = [];
  for (let i = 0; i < LOOKUPS; i++) {
    const start = rng.pick(nodes);
    const roll = rng.int(0, 10);
    const node = rng.pick(nodes);
    if (roll === 0) lookups.push({ start, key: node, kind: "a node id" });
    else if (roll === 1) lookups.push({ start, key: (node + 1) % size, kind: "one past a node id" });
    else if (roll === 2 && highest < size - 1) lookups.push({ start, key: rng.int(highest + 1, size), kind: "past the highest node" });
    else if (roll === 3) lookups.push({ start, key: rng.int(0, lowest + 1), kind: "at most the lowest node" });
    else if (roll === 4) lookups.push({ start, key: start, kind: "the start node's id" });
    else lookups.push({ start, key: rng.int(0, size), kind: "random" });
  }
  return { m, nodes, sorted, fingerNodes, lookups };
}

const NODE = "chord";
const at = { node: NODE };
const n = (x: number): string => x.toLocaleString("en-US");
const show = (x: unknown): string => (x === undefined ? "undefined" : (JSON.stringify(x) ?? String(x)));

/** The first node ≥ x, wrapping to the lowest. */
function successorOf(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo === sorted.length ? sorted[0] : sorted[lo];
}

function inHalfOpen(x: number, a: number, b: number): boolean {
  if (a === b) return true;
  return a < b ? a < x && x <= b : a < x || x <= b;
}

function inOpen(x: number, a: number, b: number): boolean {
  if (a === b) return x !== a;
  return a < b ? a < x && x < b : a < x || x < b;
}

/** The grader's finger table. */
function referenceFingers(self: number, sorted: readonly number[], m: number): number[] {
  return Array.from({ length: m }, (_, i) => successorOf(sorted, (self + 2 ** i) % 2 ** m));
}

function ringText(p: Params): string {
  const s = p.sorted;
  const ids = s.length <= 6 ? s.map(n).join(", ") : `${n(s[0])}, ${n(s[1])}, ${n(s[2])}, …, ${n(s[s.length - 2])}, ${n(s[s.length - 1])}`;
  return `the ring of ${n(s.length)} nodes [${ids}] with m = ${p.m} (ids 0–${n(2 ** p.m - 1)})`;
}

/** Rule 1. */
function checkFingers(impl: ChordLookupApi, p: Params): void {
  for (const self of p.fingerNodes) {
    const want = referenceFingers(self, p.sorted, p.m);
    const got = impl.fingerTable(self, [...p.nodes], p.m);
    const expected = `fingerTable(${self}, nodes, ${p.m}) on ${ringText(p)}: entry i = successor((${self} + 2^i) mod 2^${p.m}), the first node ≥ that id, wrapping`;
    if (!Array.isArray(got) || got.length !== p.m) fail(expected, `it returned ${Array.isArray(got) ? `${got.length} entries, not m = ${p.m}` : show(got)}`, at);
    for (let i = 0; i < p.m; i++) {
      if (got[i] === want[i]) continue;
      const start = (self + 2 ** i) % 2 ** p.m;
      let why = "";
      if (i + 1 < p.m && got[i] === successorOf(p.sorted, (self + 2 ** (i + 1)) % 2 ** p.m)) why = ` — that is successor(${self} + 2^${i + 1}): finger i starts at self + 2^i, so finger 0 is the successor`;
      else if (got[i] === successorOf(p.sorted, (start + 1) % 2 ** p.m) && p.sorted.includes(start)) why = ` — ${start} is itself a node: successor(x) is the first node ≥ x, not > x`;
      else if (start > p.sorted[p.sorted.length - 1]) why = ` — ${n(start)} is past the highest node ${n(p.sorted[p.sorted.length - 1])}: it wraps around to the lowest, ${n(p.sorted[0])}`;
      fail(expected, `entry ${i} (start ${n(start)}) is ${show(got[i])}, not ${n(want[i])}${why}`, at);
    }
  }
}

/** Rule 4 for hop i of a path (whole: the returned path; otherwise the nodes visited so far). */
function checkHop(p: Params, l: Lookup, call: string, path: readonly number[], i: number, whole: boolean, tables: Map<number, number[]>): void {
  const here = path[i];
  let table = tables.get(here);
  if (table === undefined) tables.set(here, (table = referenceFingers(here, p.sorted, p.m)));
  const succ = table[0];
  const next = path[i + 1];
  if (inHalfOpen(l.key, here, succ)) {
    if (next !== succ) fail(`hop ${i + 1} of ${call}: at ${here}, the key ${l.key} ∈ (${here}, ${succ}] (its successor), so the next node is ${succ} and the lookup ends`, `the path goes ${here} → ${next}`, at);
    if (whole && i + 2 !== path.length) fail(`${call} to end at ${succ}: the key ${l.key} ∈ (${here}, ${succ}]`, `the path goes on: [${path.join(", ")}]`, at);
    return;
  }
  let want = succ;
  for (let j = p.m - 1; j >= 0; j--) {
    if (inOpen(table[j], here, l.key)) {
      want = table[j];
      break;
    }
  }
  if (next === want) return;
  const fi = table.indexOf(next);
  let why = "";
  if (next === l.key) why = ` — ${next} is the key itself: the closest preceding finger lies in the open interval (${here}, ${l.key}), so the key's node is reached from its predecessor`;
  else if (!inOpen(next, here, l.key) && fi >= 0) why = ` — finger ${fi} (${next}) is past the key: its start ${here} + 2^${fi} precedes the key, but the node it points to does not`;
  else if (next === succ) why = ` — ${next} is only the successor: the finger closest to the key is ${want}`;
  fail(
    `hop ${i + 1} of ${call}: at ${here}, key ∉ (${here}, ${succ}], so the next node is the closest preceding finger: the finger in (${here}, ${l.key}) closest to the key, ${want}`,
    `the path goes ${here} → ${next}${why} (path [${path.slice(0, 8).join(", ")}${path.length > 8 ? ", …" : ""}])`,
    at,
  );
}

/** Rules 2–4 for one lookup. */
function checkLookup(impl: ChordLookupApi, p: Params, l: Lookup, tables: Map<number, number[]>, stats?: ChordLookupStats): void {
  const members = new Set(p.nodes);
  const call = `lookupPath(${l.start}, ${l.key}, fingers, ${p.m}) on ${ringText(p)} (the key is ${l.kind})`;
  const limit = p.nodes.length + p.m + 2;
  let asked = 0;
  const fingers = (id: number): number[] => {
    if (!members.has(id)) fail(`${call} to ask fingers(id) only of nodes on the ring`, `it asked fingers(${show(id)}), which is not a node`, at);
    if (++asked > limit) fail(`${call} to finish after at most ${limit} calls of fingers (N + m + 2)`, `it called fingers ${asked} times — is it going around the ring? The last call was fingers(${id})`, at);
    let table = tables.get(id);
    if (table === undefined) tables.set(id, (table = referenceFingers(id, p.sorted, p.m)));
    // A hop to a new node is checked as it happens, so that a lookup that would go round forever
    // is reported at its first wrong hop.
    if (visited.length > 0 && id !== visited[visited.length - 1]) {
      visited.push(id);
      checkHop(p, l, call, visited, visited.length - 2, false, tables);
    } else if (visited.length === 0) visited.push(id);
    return [...table];
  };
  const visited: number[] = [];
  const path = impl.lookupPath(l.start, l.key, fingers, p.m);
  const owner = successorOf(p.sorted, l.key);
  const wraps = l.key > p.sorted[p.sorted.length - 1] || l.key <= p.sorted[0];
  const ownerText = `the key's successor ${n(owner)}${wraps && p.sorted.length > 1 ? ` (${n(l.key)} is ${l.key > p.sorted[p.sorted.length - 1] ? `past the highest node ${n(p.sorted[p.sorted.length - 1])}` : `at most the lowest node`}: it wraps around to the lowest node, not the highest)` : ""}`;
  if (!Array.isArray(path) || path.length === 0) fail(`${call} to return the path, ${l.start} first`, `it returned ${show(path)}`, at);
  if (path[0] !== l.start) fail(`${call} to return the path with ${l.start} first`, `the path starts ${show(path.slice(0, 3))}`, at);
  if (path[path.length - 1] !== owner) fail(`${call} to end at ${ownerText}`, `the path [${path.join(", ")}] ends at ${show(path[path.length - 1])}`, at);
  const hops = path.length - 1;
  const log = Math.ceil(Math.log2(p.nodes.length));
  if (hops > log + HOP_SLACK) {
    const walk = path.slice(1).every((x, i) => x === successorOf(p.sorted, (path[i] + 1) % 2 ** p.m));
    fail(
      `${call} to take at most ⌈log₂ ${p.nodes.length}⌉ + ${HOP_SLACK} = ${log + HOP_SLACK} hops`,
      `it took ${hops} hops${walk ? ", each to the next node's successor: a walk along successors; jump to the closest preceding finger instead" : ""} (path ${path.slice(0, 6).join(", ")}${path.length > 6 ? ", …" : ""})`,
      at,
    );
  }
  for (let i = 0; i + 1 < path.length; i++) checkHop(p, l, call, path, i, true, tables);
  if (stats) {
    stats.lookups++;
    if (wraps) stats.wrapped++;
    if (members.has(l.key)) stats.keyIsNode++;
    stats.hopExcessMax = Math.max(stats.hopExcessMax, hops - log);
  }
}

/**
 * Check exercise 10.2 with one grader seed.
 *
 * @example
 * const result = await checkChordLookup(await loadTarget("10-peer-to-peer/chord-lookup"), 7);
 */
export function checkChordLookup(impl: ChordLookupApi, seed: number, stats?: ChordLookupStats): Promise<CheckResult> {
  const scenario: Scenario<ChordLookupApi, Params> = {
    name: (p) => `your fingerTable and lookupPath on ${ringText(p)}: ${p.fingerNodes.length} finger tables, ${p.lookups.length} lookups`,
    trials: TRIALS,
    params,
    run: async (sim, impl, p) => {
      if (stats) {
        stats.trials++;
        if (p.nodes.length > 512) stats.largeRings++;
      }
      sim.spawn(NODE, (_node: Node) => {}, { role: "chord" });
      checkFingers(impl, p);
      const tables = new Map<number, number[]>();
      for (const l of p.lookups) checkLookup(impl, p, l, tables, stats);
    },
  };
  return runScenarios(impl, seed, [scenario], { functions: ["fingerTable", "lookupPath"], exercise: "10.2 chord-lookup" });
}
