/**
 * Check of exercise 08.3 consistent-hash ring. The student's `ConsistentHashRing` is a pure object:
 * the grader builds rings and asks owners, no messages are sent (the failure diagram shows one
 * lane, `ring`, with the finding). Per trial ({@link TRIALS} per seed) it draws virtualNodes
 * (1–160), partition ids (sometimes a pair from {@link SHARED_POSITION_PAIRS}, whose points share
 * a position on the ring, added larger id first), 1–4 first adds, then {@link OPS} adds or
 * removes, and {@link KEYS} keys; after every step it asks the owner of every key.
 *
 * Rules, in the order they are checked (the first broken one is reported):
 * 1. every owner is a current partition, and `partitions()` is the current set, sorted;
 * 2. an add moves keys only to the added partition; a remove moves only the removed one's keys;
 * 3. the errors: duplicate add, remove of an unknown id, `ownerOf` on an empty ring (also one
 *    emptied by a remove), a bad virtualNodes — each an Error naming the id or key, and a refused
 *    call leaves the ring unchanged;
 * 4. order independence: a ring built from the final set in ascending id order (with an extra
 *    partition added and removed again) agrees with the sequence's ring;
 * 5. balance: with virtualNodes = 100 and 10 partitions the busiest owns < {@link BALANCE_MAX} ×
 *    the mean;
 * 6. every owner is the one the stated rule gives (first point at a position ≥ hash32(key),
 *    wrapping around; the smaller id wins a shared position), computed by the grader.
 *
 * What the rules separate (test/meta/08-redundancy-and-recovery.test.ts): mod-N hashing, no
 * virtual nodes, the wrap-around (nobody, or the wrong partition), insertion-order ties, a remove
 * that leaves stale points.
 */
import type { Node } from "../../../lib/node";
import { Expectation, fail, isNotImplemented, runScenarios, trialsPerSeed, type CheckResult, type Scenario, type Trial } from "../check";
import { exercise } from "../exercises";

/** The ring's methods. */
export interface HashRing {
  addPartition(id: string): void;
  removePartition(id: string): void;
  ownerOf(key: string): string;
  partitions(): string[];
}

/** What exercises/08-redundancy-and-recovery/hash-ring.ts exports. */
export interface HashRingApi {
  ConsistentHashRing: new (options: { virtualNodes: number }) => HashRing;
}

/** What the scenarios call: a factory in place of the class. */
interface Factory {
  ConsistentHashRing: (options: { virtualNodes: number }) => HashRing;
}

// tsc checks that the stub and the reference both have this API.
type Implements<T extends HashRingApi> = T;
export type StubImplementsHashRing = Implements<typeof import("../../../exercises/08-redundancy-and-recovery/hash-ring")>;
export type SolutionImplementsHashRing = Implements<typeof import("../../../solutions/08-redundancy-and-recovery/hash-ring")>;

/** Trials per seed: with the registry's seeds, ≥ 135 in all (see check.ts). */
export const TRIALS = trialsPerSeed(exercise("08.3").seeds.length);
/** Keys asked after every step. */
export const KEYS = 10_000;
/** Adds or removes after the first adds. */
export const OPS = 6;
/**
 * The balance bound: with 100 virtual nodes and 10 partitions, the busiest partition owns fewer
 * than this many times the mean number of keys. The reference measured at most 1.377 over every
 * trial of the five seeds (test/meta/08-redundancy-and-recovery.test.ts prints it); one point per
 * partition gives about 2–3.
 */
export const BALANCE_MAX = 1.5;

/**
 * Partition ids two of whose points share a position (found by search: with 2³² positions, about
 * one in 4 × 10⁴ pairs of 100-point partitions does). [id, its point, other id, its point].
 */
export const SHARED_POSITION_PAIRS: ReadonlyArray<readonly [string, number, string, number]> = [
  ["shard-267", 54, "shard-773", 49],
  ["shard-675", 20, "shard-918", 62],
  ["shard-210", 70, "shard-1130", 20],
  ["shard-89", 33, "shard-1346", 75],
  ["shard-674", 1, "shard-1370", 9],
  ["shard-895", 74, "shard-1585", 41],
  ["shard-966", 30, "shard-2381", 43],
  ["shard-1510", 68, "shard-2401", 54],
];

const NAMES = ["db1", "db2", "db3", "cache-a", "cache-b", "A", "B", "C", "node-1", "node-2", "s1", "s2", "eu-west", "us-east"];
const VIRTUAL_NODES = [1, 2, 5, 10, 20, 50, 100, 100, 100, 160];
const KEY_PREFIXES = ["user", "order", "session", "cart", "key"];

/**
 * The grader's copy of the stub's `hash32` (the stub's may be edited; the rule is this one).
 *
 * @example
 * hash32("user:42"); // an integer in [0, 2³²)
 */
export function hash32(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h1 ^ h2) >>> 0;
}

/** What the checks of a seed met (for the meta tests). */
export interface HashRingStats {
  trials: number;
  ownerCalls: number;
  /** Trials with partitions that share a position. */
  sharedPositions: number;
  /** Keys whose position is past the ring's last point, over all steps. */
  wrappedKeys: number;
  /** The largest busiest/mean ratio of the balance check. */
  balanceMax: number;
}

type Op = { kind: "add"; id: string } | { kind: "remove"; id: string };

interface Params {
  virtualNodes: number;
  ops: Op[];
  keys: string[];
  shared?: readonly [string, number, string, number];
  /** 10 ids for the balance check. */
  balanceIds: string[];
  /** An id never added (remove must refuse it; the extra add of rule 4). */
  stranger: string;
}

function params(trial: Trial): Params {
  const rng = trial.rng;
  const shared = rng.chance(0.35) ? rng.pick(SHARED_POSITION_PAIRS) : undefined;
  const virtualNodes = shared ? 100 : rng.pick(VIRTUAL_NODES);
  const pool = rng.shuffle([...NAMES, ...Array.from({ length: 12 }, () => `shard-${rng.int(0, 100_000)}`)]).filter((id, i, all) => all.indexOf(id) === i);
  if (shared) for (const id of [shared[0], shared[2]]) if (pool.includes(id)) pool.splice(pool.indexOf(id), 1);
  const stranger = pool.pop()!;
  const current: string[] = [];
  const ops: Op[] = [];
  const add = (id: string): void => {
    current.push(id);
    ops.push({ kind: "add", id });
  };
  for (let i = rng.int(1, 5); i > 0; i--) add(pool.pop()!);
  const sharedAt = shared ? rng.int(0, OPS - 1) : -1;
  for (let step = 0; step < OPS; step++) {
    if (step === sharedAt && shared) {
      const [a, , b] = shared;
      add(a < b ? b : a); // the larger id first: insertion order must not decide the tie
      add(a < b ? a : b);
      continue;
    }
    const removable = current.filter((id) => !shared || (id !== shared[0] && id !== shared[2]));
    if (removable.length >= 2 && rng.chance(0.35)) {
      const id = rng.pick(removable);
      current.splice(current.indexOf(id), 1);
      ops.push({ kind: "remove", id });
    } else {
      add(pool.pop()!);
    }
  }
  const prefix = rng.pick(KEY_PREFIXES);
  const base = rng.int(0, 1_000_000);
  const keys = Array.from({ length: KEYS }, (_, i) => `${prefix}:${base + i}`);
  const balanceIds = rng.shuffle([...NAMES, ...Array.from({ length: 10 }, (_, i) => `shard-${base + i}`)]).slice(0, 10);
  return { virtualNodes, ops, keys, shared, balanceIds, stranger };
}

const NODE = "ring";
const at = { node: NODE };
const q = (s: string): string => JSON.stringify(s);
const list = (ids: readonly string[]): string => `[${ids.join(", ")}]`;
const n = (x: number): string => x.toLocaleString("en-US");
const show = (x: unknown): string => (typeof x === "string" ? q(x) : x === undefined ? "undefined" : (JSON.stringify(x) ?? String(x)));

/** The rule of the stub, computed by the grader: sorted points and the owner of a position. */
class ReferenceRing {
  readonly points: Array<{ position: number; id: string; index: number }> = [];

  constructor(ids: readonly string[], virtualNodes: number) {
    for (const id of ids) for (let i = 0; i < virtualNodes; i++) this.points.push({ position: hash32(`${id}#${i}`), id, index: i });
    this.points.sort((a, b) => a.position - b.position || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Index of the owning point of position h. */
  pointOf(h: number): number {
    let lo = 0;
    let hi = this.points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.points[mid].position < h) lo = mid + 1;
      else hi = mid;
    }
    return lo === this.points.length ? 0 : lo;
  }

  lastPosition(): number {
    return this.points[this.points.length - 1].position;
  }
}

const keyHashes = new WeakMap<Params, Uint32Array>();

/** hash32 of every key of the trial, computed once. */
function hashesOf(p: Params): Uint32Array {
  let hashes = keyHashes.get(p);
  if (hashes === undefined) keyHashes.set(p, (hashes = Uint32Array.from(p.keys, hash32)));
  return hashes;
}

/** Call `fn` and return the error it threw (rethrowing the stub's NotImplementedError), or undefined. */
function thrownBy(fn: () => unknown): { error: unknown } | undefined {
  try {
    fn();
  } catch (error) {
    if (isNotImplemented(error) || error instanceof Expectation) throw error;
    return { error };
  }
  return undefined;
}

/** Rule 3: `call` must throw an Error whose message contains `name`. */
function expectError(call: string, why: string, name: string, fn: () => unknown): void {
  const result = thrownBy(fn);
  const want = `${call} to throw an Error whose message names ${q(name)} (${why})`;
  if (result === undefined) fail(want, `${call} returned without an error`, at);
  const e = result.error;
  if (!(e instanceof Error)) fail(want, `${call} threw ${show(e)}, not an Error`, at);
  if (!e.message.includes(name)) fail(want, `${call} threw ${e.name}: ${show(e.message)}, which does not name ${q(name)}`, at);
}

/** Rule 1: the owners of all keys, each a current partition; and partitions() is the set, sorted. */
function ownersOf(ring: HashRing, p: Params, current: readonly string[], after: string, stats?: HashRingStats): string[] {
  const sorted = [...current].sort();
  const listed = ring.partitions();
  if (!Array.isArray(listed) || listed.length !== sorted.length || listed.some((id, i) => id !== sorted[i])) {
    fail(`partitions() to return ${show(sorted)} (the current ids, sorted) ${after}`, `partitions() returned ${show(listed)}`, at);
  }
  const members = new Set(current);
  const owners: string[] = [];
  for (const key of p.keys) {
    const owner = ring.ownerOf(key);
    if (typeof owner !== "string" || !members.has(owner)) {
      const reference = new ReferenceRing(current, p.virtualNodes);
      const h = hash32(key);
      const wraps = h > reference.lastPosition();
      fail(
        `every key owned by exactly one current partition ${list(sorted)} ${after}`,
        `ownerOf(${q(key)}) returned ${show(owner)}${typeof owner === "string" ? `, which is not on the ring (removed: are its points still there?)` : ""}` +
          (wraps ? ` — hash32(${q(key)}) = ${n(h)} is past the last point (${n(reference.lastPosition())}): the ring wraps around to the lowest point` : ""),
        at,
      );
    }
    owners.push(owner);
  }
  if (stats) {
    stats.ownerCalls += p.keys.length;
    const last = new ReferenceRing(current, p.virtualNodes).lastPosition();
    for (const h of hashesOf(p)) if (h > last) stats.wrappedKeys++;
  }
  return owners;
}

/** Rule 2: only keys to the added partition, or only the removed partition's keys, changed owner. */
function checkMovement(op: Op, before: readonly string[], owners: readonly string[], previous: readonly string[], p: Params): void {
  let wrong = -1;
  let wrongCount = 0;
  let moved = 0;
  for (let i = 0; i < owners.length; i++) {
    if (owners[i] === previous[i]) continue;
    moved++;
    const ok = op.kind === "add" ? owners[i] === op.id : previous[i] === op.id;
    if (!ok) {
      wrongCount++;
      if (wrong < 0) wrong = i;
    }
  }
  if (wrong < 0) return;
  const key = p.keys[wrong];
  const modN = moved > owners.length / 3 ? ` — ${n(moved)} of ${n(owners.length)} keys changed owner: hash % (number of partitions) moves most keys; the ring moves about 1/N of them` : "";
  if (op.kind === "add") {
    fail(
      `adding ${q(op.id)} to ${list(before)} to move keys only to ${op.id} (every other key keeps its owner)`,
      `ownerOf(${q(key)}) was ${q(previous[wrong])} and is now ${q(owners[wrong])}; ${n(wrongCount)} keys moved between old partitions${modN}`,
      at,
    );
  }
  fail(
    `removing ${q(op.id)} from ${list(before)} to move only the keys ${op.id} owned`,
    `ownerOf(${q(key)}) was ${q(previous[wrong])} and is now ${q(owners[wrong])}; ${n(wrongCount)} keys that ${op.id} did not own changed owner${modN}`,
    at,
  );
}

/** Rule 4: a ring built from the same set in another order gives the same owners. */
function checkOrderIndependence(impl: Factory, p: Params, current: readonly string[], owners: readonly string[]): void {
  // The sequence adds a pair that shares a position larger id first; this ring adds it smaller first.
  const orders: Array<{ ids: string[]; extra: boolean; words: string }> = [
    { ids: [...current].sort(), extra: true, words: `in ascending id order, with ${q(p.stranger)} added after the first and removed at the end` },
  ];
  for (const order of orders) {
    const ring = impl.ConsistentHashRing({ virtualNodes: p.virtualNodes });
    order.ids.forEach((id, i) => {
      ring.addPartition(id);
      if (order.extra && i === 0) ring.addPartition(p.stranger);
    });
    if (order.extra) ring.removePartition(p.stranger);
    const reference = new ReferenceRing(current, p.virtualNodes);
    for (let i = 0; i < p.keys.length; i++) {
      const owner = ring.ownerOf(p.keys[i]);
      if (owner === owners[i]) continue;
      const h = hash32(p.keys[i]);
      const point = reference.points[reference.pointOf(h)];
      const tied = reference.points.filter((x) => x.position === point.position);
      const tie =
        tied.length > 1
          ? ` — the key's point position ${n(point.position)} is shared by ${tied.map((x) => `${x.id}#${x.index}`).join(" and ")}: the smaller id wins, whatever the order of the adds`
          : "";
      fail(
        `the owner of a key to depend only on the set of partitions ${list(order.ids)}: a new ring (virtualNodes=${p.virtualNodes}) built by adding them ${order.words} agrees with the ring of the sequence`,
        `ownerOf(${q(p.keys[i])}) is ${show(owner)} in the new ring and ${q(owners[i])} in the ring of the sequence${tie}`,
        at,
      );
    }
  }
}

/** Rule 5: virtualNodes = 100, 10 partitions: the busiest owns < BALANCE_MAX × the mean. */
function checkBalance(impl: Factory, p: Params, stats?: HashRingStats): void {
  const ring = impl.ConsistentHashRing({ virtualNodes: 100 });
  for (const id of p.balanceIds) ring.addPartition(id);
  const counts = new Map<string, number>(p.balanceIds.map((id) => [id, 0]));
  for (const key of p.keys) {
    const owner = ring.ownerOf(key);
    counts.set(owner, (counts.get(owner) ?? 0) + 1);
  }
  const mean = p.keys.length / p.balanceIds.length;
  const [busiest, most] = Array.from(counts).reduce((a, b) => (b[1] > a[1] ? b : a));
  const ratio = most / mean;
  if (stats) stats.balanceMax = Math.max(stats.balanceMax, ratio);
  if (!(ratio < BALANCE_MAX)) {
    fail(
      `with virtualNodes = 100 and 10 partitions ${list(p.balanceIds)}, the busiest to own fewer than ${BALANCE_MAX} × the mean (${n(mean)} of ${n(p.keys.length)} keys)`,
      `${busiest} owns ${n(most)} keys = ${ratio.toFixed(2)} × the mean (the least loaded owns ${n(Math.min(...counts.values()))}) — does every partition get virtualNodes points on the ring?`,
      at,
    );
  }
}

/** Rule 6: the owner the stated rule gives. */
function checkRule(p: Params, current: readonly string[], owners: readonly string[], after: string): void {
  const reference = new ReferenceRing(current, p.virtualNodes);
  const hashes = hashesOf(p);
  for (let i = 0; i < p.keys.length; i++) {
    const h = hashes[i];
    const point = reference.points[reference.pointOf(h)];
    if (owners[i] === point.id) continue;
    const wraps = h > reference.lastPosition();
    fail(
      `ownerOf(${q(p.keys[i])}) = ${q(point.id)} ${after}: hash32(${q(p.keys[i])}) = ${n(h)}, ` +
        (wraps
          ? `past the last point (${n(reference.lastPosition())}), so the ring wraps around to the lowest point, ${point.id}#${point.index} at ${n(point.position)}`
          : `and the first point at a position ≥ it is ${point.id}#${point.index} at ${n(point.position)}`),
      `${q(owners[i])}`,
      at,
    );
  }
}

/** Rule 3 on the sequence's ring: refused calls throw and change nothing. */
function checkRefusals(ring: HashRing, p: Params, current: readonly string[], owners: readonly string[]): void {
  const sorted = [...current].sort();
  const dup = current[0];
  expectError(`addPartition(${q(dup)})`, `${dup} is already on the ring ${list(sorted)}`, dup, () => ring.addPartition(dup));
  expectError(`removePartition(${q(p.stranger)})`, `${p.stranger} is not on the ring ${list(sorted)}`, p.stranger, () => ring.removePartition(p.stranger));
  const listed = ring.partitions();
  const sample = p.keys.slice(0, 500);
  const changed = sample.findIndex((key, i) => ring.ownerOf(key) !== owners[i]);
  if (listed.length !== sorted.length || listed.some((id, i) => id !== sorted[i]) || changed >= 0) {
    fail(
      `a refused addPartition(${q(dup)}) or removePartition(${q(p.stranger)}) to leave the ring unchanged (${list(sorted)})`,
      changed >= 0
        ? `ownerOf(${q(sample[changed])}) changed from ${q(owners[changed])} to ${show(ring.ownerOf(sample[changed]))}`
        : `partitions() is now ${show(listed)}`,
      at,
    );
  }
}

/** Rule 3 on fresh rings: empty rings and bad options. */
function checkEmptyRings(impl: Factory, p: Params): void {
  const key = p.keys[0];
  const empty = impl.ConsistentHashRing({ virtualNodes: p.virtualNodes });
  expectError(`ownerOf(${q(key)}) on a new, empty ring`, "no partition can own it", key, () => empty.ownerOf(key));
  const id = p.balanceIds[0];
  const emptied = impl.ConsistentHashRing({ virtualNodes: p.virtualNodes });
  emptied.addPartition(id);
  emptied.removePartition(id);
  const listed = emptied.partitions();
  if (!Array.isArray(listed) || listed.length !== 0) fail(`partitions() = [] after addPartition(${q(id)}) and removePartition(${q(id)})`, `partitions() returned ${show(listed)}`, at);
  expectError(
    `ownerOf(${q(key)}) after addPartition(${q(id)}) and removePartition(${q(id)})`,
    `the ring is empty again; an owner ${q(id)} means its points were left on the ring`,
    key,
    () => emptied.ownerOf(key),
  );
  for (const bad of [0, 2.5]) {
    const result = thrownBy(() => impl.ConsistentHashRing({ virtualNodes: bad }));
    if (result === undefined || !(result.error instanceof Error)) {
      fail(`new ConsistentHashRing({ virtualNodes: ${bad} }) to throw an Error (virtualNodes must be an integer ≥ 1)`, result ? `it threw ${show(result.error)}` : "it returned a ring", at);
    }
  }
}

/**
 * Check exercise 08.3 with one grader seed.
 *
 * @example
 * const result = await checkHashRing(await loadTarget("08-redundancy-and-recovery/hash-ring"), 7);
 */
export function checkHashRing(impl: HashRingApi, seed: number, stats?: HashRingStats): Promise<CheckResult> {
  // runScenarios wraps every export in a plain function (to see NotImplementedError), which a class
  // cannot be: the scenarios call a factory instead.
  const Class = impl.ConsistentHashRing as unknown;
  const factory: Factory = {
    ConsistentHashRing: typeof Class === "function" ? (options) => new impl.ConsistentHashRing(options) : (Class as Factory["ConsistentHashRing"]),
  };
  const scenario: Scenario<Factory, Params> = {
    name: (p) =>
      `your ConsistentHashRing (virtualNodes=${p.virtualNodes}): ${p.ops.map((op) => `${op.kind} ${op.id}`).join(", ")}; ` +
      `${n(p.keys.length)} keys ${p.keys[0]}…${p.keys[p.keys.length - 1]} asked after every step`,
    trials: TRIALS,
    params,
    run: async (sim, impl, p) => {
      if (stats) {
        stats.trials++;
        if (p.shared) stats.sharedPositions++;
      }
      sim.spawn(NODE, (_node: Node) => {}, { role: "ring" });
      const ring = impl.ConsistentHashRing({ virtualNodes: p.virtualNodes });
      const current: string[] = [];
      const steps: Array<{ current: string[]; owners: string[]; after: string }> = [];
      let previous: string[] | undefined;
      for (const [i, op] of p.ops.entries()) {
        const before = [...current];
        if (op.kind === "add") {
          ring.addPartition(op.id);
          current.push(op.id);
        } else {
          ring.removePartition(op.id);
          current.splice(current.indexOf(op.id), 1);
        }
        const after = `after step ${i + 1} (${op.kind} ${op.id}; the ring holds ${list([...current].sort())})`;
        const owners = ownersOf(ring, p, current, after, stats);
        if (previous) checkMovement(op, before, owners, previous, p);
        steps.push({ current: [...current], owners, after });
        previous = owners;
      }
      const last = steps[steps.length - 1];
      checkRefusals(ring, p, last.current, last.owners);
      checkEmptyRings(impl, p);
      checkOrderIndependence(impl, p, last.current, last.owners);
      checkBalance(impl, p, stats);
      for (const step of steps) checkRule(p, step.current, step.owners, step.after);
    },
  };
  return runScenarios(factory, seed, [scenario], { functions: ["ConsistentHashRing"], exercise: "08.3 hash-ring" });
}
