/**
 * Grader of exercise 10.1 (ring storage with key hand-off). Each trial: 3–5 storage nodes (some
 * the student's, some the grader's, which speak the same wire), bystanders first, names drawn per
 * trial, grader clients and a grader admin; 5% loss, 5% duplication, latency 2–12 ms. Keys are put,
 * a node joins, a node leaves, more keys are put; after each step has settled the grader checks
 * every store against the library's ring (`ringOwnerOf` of lib/dht) and counts the hand-offs.
 *
 * Counting: a key is "handed off by v in change i" when it is in the `entries` of at least one
 * `handoff` message v sent after the grader sent ring_change i (resends and network copies count
 * once). v must hand off exactly the keys of its store, as it was just before change i, whose owner
 * by the new ring is another node — each to that new owner.
 */
import { keyPoint, ringOwnerOf } from "../../../lib/dht/index";
import { latency } from "../../../lib/net";
import type { Body, Message, Node } from "../../../lib/node";
import type { Prng } from "../../../lib/sim";
import type { Simulation } from "../../../lib/simulation";
import {
  describeMessage,
  ensure,
  fail,
  graderRole,
  runScenarios,
  sentMessages,
  settle,
  spawnBystanders,
  throwEarliest,
  type CheckResult,
  type Scenario,
  type SentMessage,
} from "../index";
import type { RingStorage, RingStorageOptions } from "../../../exercises/10-peer-to-peer/ring-storage";

/** The module under test. */
export interface RingStorageApi {
  ringStorageNode(node: Node, options: RingStorageOptions): RingStorage;
}

/** Trials per seed (× 5 seeds = 135). */
export const TRIALS = 27;
/** Message loss and duplication probability. */
export const LOSS = 0.05;
export const DUPLICATION = 0.05;
/** How long the grader lets a ring change settle after every node acknowledged it. */
export const SETTLE_MS = 800;

/** What the trials met, for the meta tests. */
export interface RingStorageStats {
  trials: number;
  keys: number;
  /** Keys whose owner changed, over all changes. */
  keysMoved: number;
  /** Keys the student's nodes handed off (distinct per change). */
  studentHandoffs: number;
  /** Hand-off messages dropped by the network. */
  handoffsDropped: number;
  /** Gets answered. */
  gets: number;
}

interface Params {
  virtualNodes: number;
  initial: string[];
  joiner: string;
  leaver: string;
  student: Set<string>;
  clients: string[];
  admin: string;
  bystanders: string[];
  keys: string[];
  later: string[];
}

/** A correct storage node for the grader's side (same wire as the exercise). */
function graderStorageNode(node: Node, options: RingStorageOptions): RingStorage {
  let ring = [...options.ring];
  const store = new Map<string, string>();
  const ownerOf = (key: string): string => ringOwnerOf(key, ring, options.virtualNodes);
  const serve = async (m: Message, local: () => Body): Promise<void> => {
    const to = ownerOf(String(m.body.key));
    if (to === node.id) return void node.reply(m, local());
    const body: Record<string, unknown> = { type: m.body.type, key: m.body.key };
    if (m.body.value !== undefined) body.value = m.body.value;
    const answer = await node.rpc(to, body as { type: string }, { timeoutMs: 60, retries: 30 });
    node.reply(m, { type: answer.body.type, key: answer.body.key, ...(answer.body.type === "get_ok" ? { value: answer.body.value } : {}) });
  };
  node.on("put", (m) => serve(m, () => (store.set(String(m.body.key), String(m.body.value)), { type: "put_ok", key: m.body.key })));
  node.on("get", (m) => serve(m, () => ({ type: "get_ok", key: m.body.key, value: store.get(String(m.body.key)) ?? null })));
  node.on("ring_change", (m) => {
    node.reply(m, { type: "ring_change_ok" });
    const next = [...(m.body.ring as string[])];
    if ([...next].sort().join() === [...ring].sort().join()) return;
    ring = next;
    const moving = new Map<string, string[]>();
    for (const key of store.keys()) if (ownerOf(key) !== node.id) moving.set(ownerOf(key), [...(moving.get(ownerOf(key)) ?? []), key]);
    for (const [to, keys] of moving) {
      void node.rpc(to, { type: "handoff", entries: keys.map((k) => [k, store.get(k)]) }, { timeoutMs: 60, retries: 30 }).then((ack) => {
        for (const k of ack.body.keys as string[]) store.delete(k);
      });
    }
  });
  node.on("handoff", (m) => {
    const entries = m.body.entries as Array<[string, string]>;
    for (const [k, v] of entries) store.set(k, v);
    node.reply(m, { type: "handoff_ok", keys: entries.map(([k]) => k) });
  });
  return { stored: () => Object.fromEntries(store) };
}

function distinctNames(rng: Prng, prefix: string, count: number, taken: Set<string>): string[] {
  const out: string[] = [];
  while (out.length < count) {
    const name = `${prefix}${rng.int(1, 100)}`;
    if (!taken.has(name)) (taken.add(name), out.push(name));
  }
  return out;
}

function drawParams(rng: Prng): Params {
  const taken = new Set<string>();
  const prefix = rng.pick(["s", "store", "n", "dht"]);
  const nodes = distinctNames(rng, prefix, rng.int(3, 6) + 1, taken);
  const joiner = nodes.pop()!;
  const initial = nodes;
  const student = new Set<string>();
  for (const v of [...initial, joiner]) if (rng.chance(0.6)) student.add(v);
  if (!initial.some((v) => student.has(v))) student.add(rng.pick(initial));
  const leaver = rng.pick([...initial, joiner]);
  const keyPrefix = rng.pick(["user:", "item-", "k", "doc/"]);
  const keySet = new Set<string>();
  const keyCount = rng.int(16, 31);
  while (keySet.size < keyCount) keySet.add(`${keyPrefix}${rng.int(0, 100_000)}`);
  const keys = Array.from(keySet);
  const later = [...rng.shuffle(keys).slice(0, 4), ...Array.from({ length: 4 }, (_, i) => `${keyPrefix}late${i}-${rng.int(0, 1000)}`)];
  return {
    virtualNodes: rng.int(8, 33),
    initial,
    joiner,
    leaver,
    student,
    clients: distinctNames(rng, "client-", 2, taken),
    admin: `admin-${rng.int(1, 100)}`,
    bystanders: distinctNames(rng, `${prefix}-x`, 2, taken),
    keys,
    later: Array.from(new Set(later)),
  };
}

/** Why a node that is not the owner may have been picked: the two classic mistakes. */
function ownerHints(node: string, key: string, ring: readonly string[]): string {
  const sorted = [...ring].sort();
  const why: string[] = [];
  if (node === sorted[keyPoint(key) % sorted.length]) why.push(`${node} is where hash mod N would put it (ownership is the ring's, not hash % ring.length)`);
  if (node === ringOwnerOf(key, ring, 1)) why.push(`${node} is its owner with 1 point per node (give ringOwnerOf the virtualNodes you were given)`);
  return why.length ? ` — ${why.join("; ")}` : "";
}

const ms = (t: number): string => `${Math.round(t * 1000) / 1000}ms`;
const list = (xs: readonly string[], max = 6): string => (xs.length <= max ? xs.map((x) => `"${x}"`).join(", ") : `${xs.slice(0, max).map((x) => `"${x}"`).join(", ")} … (${xs.length})`);

let currentStats: RingStorageStats | undefined;

const scenario: Scenario<RingStorageApi, Params> = {
  name: (p) =>
    `ring ${p.initial.join(", ")} (virtualNodes ${p.virtualNodes}; yours: ${p.initial.concat(p.joiner).filter((v) => p.student.has(v)).join(", ")}): ` +
    `${p.keys.length} puts, ${p.joiner} joins, ${p.leaver} leaves, ${p.later.length} more puts; ${LOSS * 100}% loss, ${DUPLICATION * 100}% duplication`,
  trials: TRIALS,
  params: (trial) => drawParams(trial.rng),
  simulation: { network: { latency: latency.uniform(2, 12), ordering: "unordered", lossProbability: LOSS, duplicationProbability: DUPLICATION } },
  lanes: (p) => [...p.clients, p.admin, ...p.initial, p.joiner],
  async run(sim, impl, p, trial) {
    const stats = currentStats;
    if (stats) (stats.trials++, (stats.keys += p.keys.length));
    spawnBystanders(sim, p.bystanders);
    const handles = new Map<string, RingStorage>();
    const clients = p.clients.map((c) => sim.spawn(c, () => {}, { role: graderRole("client") }));
    const admin = sim.spawn(p.admin, () => {}, { role: graderRole("admin") });
    const spawnStorage = (v: string, ring: string[]): void => {
      const options = { virtualNodes: p.virtualNodes, ring: [...ring] };
      if (p.student.has(v)) sim.spawn(v, (node) => void handles.set(v, impl.ringStorageNode(node, options)));
      else sim.spawn(v, (node) => void handles.set(v, graderStorageNode(node, options)), { role: graderRole("storage") });
    };
    for (const v of p.initial) spawnStorage(v, p.initial);
    const model = new Map<string, string>();
    const rpcOptions = { timeoutMs: 120, retries: 40 };

    /** Every put/get a student's node sent (a forward) went to the key's owner by `ring`. */
    const checkForwards = (ring: string[], fromIndex: number): void => {
      const forwards = sentMessages(sim.trace.events, (e) => (e.type === "put" || e.type === "get") && p.student.has(e.src)).filter((m) => m.index >= fromIndex);
      for (const m of forwards) {
        const key = String(m.body.key);
        const owner = ringOwnerOf(key, ring, p.virtualNodes);
        if (m.send.dest === owner) continue;
        const sorted = [...ring].sort();
        const hint = ownerHints(m.send.dest, key, ring);
        fail(
          `${m.send.src} to forward ${m.send.type}("${key}") to the key's owner ${owner} (ringOwnerOf over ring [${ring.join(", ")}], virtualNodes ${p.virtualNodes})`,
          `${describeMessage(m, ["key"])}${hint}`,
          { timeMs: m.send.timeMs, node: m.send.src, evidence: [m.send.id] },
        );
      }
    };
    /** Run until `work` settles; an unsettled or failed step fails the trial. */
    const step = async (what: string, work: Promise<unknown>, ring?: string[]): Promise<void> => {
      const fromIndex = sim.trace.events.length;
      // In slices, so that a forwarding loop between two nodes is caught by its first wrong forward.
      let s = await settle(sim, work, { withinMs: 250 });
      for (let slice = 1; s.status === "pending" && slice < 20; slice++) {
        if (ring) checkForwards(ring, fromIndex);
        s = await settle(sim, work, { withinMs: 250 });
      }
      if (ring) checkForwards(ring, fromIndex);
      if (s.status === "pending") fail(`${what} to finish`, `still waiting at t=${ms(sim.now())}`);
      if (s.status === "rejected") fail(`${what} to finish`, `${String(s.reason)} at t=${ms(s.atMs)}`);
    };
    const puts = async (keys: string[], ring: string[], label: string): Promise<void> => {
      await step(
        `the ${label} puts (each client asks random nodes of the ring, with retries)`,
        Promise.all(
          clients.map(async (c, ci) => {
            for (const key of keys.filter((_, i) => i % clients.length === ci)) {
              const value = `v${trial.rng.int(0, 1_000_000)}`;
              const at = trial.rng.pick(ring);
              await c.rpc(at, { type: "put", key, value }, rpcOptions);
              model.set(key, value);
            }
          }),
        ),
        ring,
      );
    };
    const gets = async (ring: string[], label: string, share: number): Promise<void> => {
      const keys = Array.from(model.keys()).filter(() => trial.rng.chance(share));
      const answers: Array<{ key: string; at: string; value: unknown; timeMs: number }> = [];
      await step(
        `the gets ${label}`,
        Promise.all(
          clients.map(async (c, ci) => {
            for (const key of keys.filter((_, i) => i % clients.length === ci)) {
              const at = trial.rng.pick(ring);
              const reply = await c.rpc(at, { type: "get", key }, rpcOptions);
              answers.push({ key, at, value: reply.body.value, timeMs: sim.now() });
            }
          }),
        ),
        ring,
      );
      if (stats) stats.gets += answers.length;
      for (const a of answers) {
        ensure(a.value === model.get(a.key), () => `get("${a.key}") asked at ${a.at} ${label} to return "${model.get(a.key)}", the last value put`, () => `${JSON.stringify(a.value)} at t=${ms(a.timeMs)}`, { timeMs: a.timeMs, node: a.at });
      }
    };
    const ownersBy = (ring: string[]): Map<string, string> => {
      const owners = new Map<string, string>();
      for (const key of model.keys()) owners.set(key, ringOwnerOf(key, ring, p.virtualNodes));
      return owners;
    };
    const snapshot = (nodes: string[]): Map<string, Record<string, string>> => new Map(nodes.map((v) => [v, { ...handles.get(v)!.stored() }]));

    /** Every key at exactly its owner, with its value; nothing else anywhere. */
    const checkPlacement = (ring: string[], nodes: string[], label: string): void => {
      const owners = ownersBy(ring);
      const stores = snapshot(nodes);
      const now = sim.now();
      const handoffs = sentMessages(sim.trace.events, (s) => s.type === "handoff");
      for (const [key, value] of model) {
        const owner = owners.get(key)!;
        const holders = nodes.filter((v) => stores.get(v)![key] !== undefined);
        const expected = `key "${key}" ${label} in the store of exactly its owner ${owner} (ringOwnerOf over ring [${ring.join(", ")}], virtualNodes ${p.virtualNodes}) with value "${value}"`;
        const hints = holders.filter((h) => h !== owner).map((h) => ownerHints(h, key, ring));
        if (holders.length === 0) {
          const carriers = handoffs.filter((m) => (m.body.entries as Array<[string, string]>).some(([k]) => k === key));
          const evidence = carriers.map((m) => m.send.id);
          const story = carriers.length
            ? `; it was handed off in ${carriers.map((m) => describeMessage(m, [])).join("; ")} — its sender deleted it although no handoff_ok naming it came back (delete a key only after the acknowledgement; resend until then)`
            : "";
          fail(expected, `it is in no store — lost${story}`, { timeMs: now, node: owner, evidence: evidence.slice(0, 4) });
        }
        if (holders.length !== 1 || holders[0] !== owner || stores.get(owner)![key] !== value) {
          fail(expected, `it is at ${holders.map((h) => `${h} ("${stores.get(h)![key]}")`).join(", ")}${hints.join("")}`, { timeMs: now, node: holders.find((h) => h !== owner) ?? owner });
        }
      }
      for (const v of nodes) {
        const extra = Object.keys(stores.get(v)!).filter((k) => !model.has(k));
        ensure(extra.length === 0, `${v} to store only keys that were put`, () => `it stores ${list(extra)}`, { timeMs: now, node: v });
      }
    };

    /** Send ring_change to `nodes`, let it settle, and count the student's hand-offs. */
    const change = async (oldRing: string[], newRing: string[], nodes: string[], label: string): Promise<void> => {
      const before = snapshot(nodes);
      const owners = ownersBy(newRing);
      const startIndex = sim.trace.events.length;
      const startMs = sim.now();
      const acks = nodes.map((v) => admin.rpc(v, { type: "ring_change", ring: [...newRing] }, rpcOptions));
      await step(`every node to answer ring_change ${label}`, Promise.all(acks));
      await sim.runFor(SETTLE_MS);
      const events = sim.trace.events;
      const handoffs = sentMessages(events, (s) => s.type === "handoff").filter((m) => m.index >= startIndex);
      const changeArrival = (v: string): number => {
        for (let i = startIndex; i < events.length; i++) {
          const e = events[i];
          if (e.kind === "deliver" && e.dest === v && e.type === "ring_change") return e.timeMs;
        }
        return startMs;
      };
      if (stats) {
        for (const key of model.keys()) if (ringOwnerOf(key, oldRing, p.virtualNodes) !== owners.get(key)) stats.keysMoved++;
        stats.handoffsDropped += handoffs.reduce((n, m) => n + m.dropped.length, 0);
      }
      const checks: Array<() => void> = [];
      for (const v of nodes) {
        if (!p.student.has(v)) continue;
        const mine = handoffs.filter((m) => m.send.src === v);
        const must = Object.keys(before.get(v)!).filter((k) => owners.get(k) !== v);
        const sentKeys = new Map<string, SentMessage>();
        for (const m of mine) for (const [k] of m.body.entries as Array<[string, string]>) if (!sentKeys.has(k)) sentKeys.set(k, m);
        if (stats) stats.studentHandoffs += sentKeys.size;
        checks.push(() => {
          for (const m of mine) {
            const entries = m.body.entries;
            ensure(Array.isArray(entries) && entries.every((e) => Array.isArray(e) && e.length === 2), `${v}'s handoff entries to be [key, value] pairs`, () => describeMessage(m), { timeMs: m.send.timeMs, node: v, evidence: [m.send.id] });
            for (const [k, value] of entries as Array<[string, string]>) {
              const what = describeMessage(m, []);
              if (!must.includes(k)) {
                fail(
                  `${v} to hand off ${label} only the ${must.length} key(s) of its store whose owner changed (ring [${oldRing.join(", ")}] → [${newRing.join(", ")}])${must.length ? `: ${list(must)}` : ""} — only keys that must move`,
                  `${what} carries "${k}", ${before.get(v)![k] === undefined ? `which ${v} did not hold` : `whose owner is still ${v}`}`,
                  { timeMs: m.send.timeMs, node: v, evidence: [m.send.id] },
                );
              }
              ensure(m.send.dest === owners.get(k), () => `${v} to hand "${k}" to its new owner ${owners.get(k)} (ringOwnerOf over the new ring [${newRing.join(", ")}])`, () => `${what} — to ${m.send.dest}${m.send.dest === ringOwnerOf(k, oldRing, p.virtualNodes) ? ", its owner by the old ring" : ""}`, { timeMs: m.send.timeMs, node: v, evidence: [m.send.id] });
              ensure(value === before.get(v)![k], () => `${v} to hand off "${k}" with its value "${before.get(v)![k]}"`, () => `${what} with "${value}"`, { timeMs: m.send.timeMs, node: v, evidence: [m.send.id] });
            }
          }
          const missing = must.filter((k) => !sentKeys.has(k));
          if (missing.length > 0) {
            const t = changeArrival(v);
            fail(`${v} to hand off ${label} the ${must.length} key(s) of its store whose owner changed (ring [${oldRing.join(", ")}] → [${newRing.join(", ")}]): ${list(must)}`, `it never sent ${list(missing)} (ring_change reached it at t=${ms(t)}): each node sends the keys it no longer owns to their new owners`, { timeMs: t, node: v });
          }
        });
      }
      throwEarliest(checks);
    };

    const r1 = [...p.initial, p.joiner];
    const r2 = r1.filter((v) => v !== p.leaver);
    await puts(p.keys, p.initial, "first");
    await sim.runFor(200);
    checkPlacement(p.initial, p.initial, "after the first puts");
    spawnStorage(p.joiner, r1);
    await change(p.initial, r1, p.initial, `when ${p.joiner} joins`);
    checkPlacement(r1, r1, `after ${p.joiner} joined`);
    await gets(r1, `after ${p.joiner} joined`, 0.5);
    await change(r1, r2, r1, `when ${p.leaver} leaves`);
    checkPlacement(r2, r1, `after ${p.leaver} left (it must keep nothing)`);
    sim.crash(p.leaver);
    await puts(p.later, r2, "later");
    await sim.runFor(200);
    checkPlacement(r2, r2, "after the later puts");
    await gets(r2, `after ${p.leaver} left and the later puts`, 1);
    await sim.runFor(200);
  },
};

/**
 * Grade an implementation of 10.1 with one seed: 27 trials of puts, a join, a leave and more puts.
 *
 * @example
 * const result = await checkRingStorage(await loadModule("solutions/10-peer-to-peer/ring-storage"), 7);
 */
export async function checkRingStorage(impl: RingStorageApi, seed: number, stats?: RingStorageStats): Promise<CheckResult> {
  currentStats = stats;
  try {
    return await runScenarios(impl, seed, [scenario], { functions: ["ringStorageNode"], exercise: "10.1 ring-storage" });
  } finally {
    currentStats = undefined;
  }
}
