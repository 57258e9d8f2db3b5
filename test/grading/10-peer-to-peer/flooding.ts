/**
 * Grader of exercise 10.3 (TTL flooding with duplicate suppression). Overlays of 6–14 peers, some
 * the student's and some the grader's (speaking the same wire), bystanders first, names drawn per
 * trial, 10% duplication. Full floods (ttl = N) run over reordering links; short floods (ttl 1–3)
 * over links of equal latency, so that the first copy comes along a shortest path.
 *
 * Counting: a "send" is one `node.send` (one `send` event in the trace); the extra copy the network
 * makes of a duplicated message is not a send. Every copy that reaches a node is an arrival; the
 * FIRST arrival at a node of a query (origin, queryId) is the one that counts, later ones must
 * change nothing. Each send and each `deliver` call is attributed to the arrival whose handler
 * made it: the latest arrival at that node before it in the trace.
 */
import { Prng } from "../../../lib/sim";
import { latency } from "../../../lib/net";
import type { Node } from "../../../lib/node";
import type { Simulation } from "../../../lib/simulation";
import {
  describeMessage,
  fail,
  graderRole,
  runScenarios,
  sentMessages,
  spawnBystanders,
  throwEarliest,
  type CheckResult,
  type Scenario,
  type SentMessage,
} from "../index";
import type { FloodQuery, FloodingPeer, FloodingPeerOptions } from "../../../exercises/10-peer-to-peer/flooding";

/** The module under test. */
export interface FloodingApi {
  floodingPeer(node: Node, options: FloodingPeerOptions, deliver: (query: FloodQuery) => void): FloodingPeer;
}

/** Full-flood trials per seed (ttl = N, reordering). */
export const FULL_TRIALS = 14;
/** Short-flood trials per seed (ttl 1–3, equal latency). */
export const SHORT_TRIALS = 13;
/** Trials per seed in all (× 5 seeds = 135). */
export const TRIALS = FULL_TRIALS + SHORT_TRIALS;
/** Probability that the network duplicates a message. */
export const DUPLICATION = 0.1;

/** What the trials met, for the meta tests. */
export interface FloodingStats {
  trials: number;
  floods: number;
  sends: number;
  duplicatesArrived: number;
  laterCopies: number;
  sharedQueryIds: number;
}

interface Flood {
  origin: string;
  queryId: string;
  ttl: number;
  payload: { token: number };
  atMs: number;
}

interface Params {
  full: boolean;
  peers: string[];
  student: Set<string>;
  links: Map<string, string[]>;
  edges: number;
  bystanders: string[];
  floods: Flood[];
}

/** A correct peer for the grader's side of the overlay. */
function graderPeer(node: Node, neighbours: string[], deliver: (q: FloodQuery) => void): FloodingPeer {
  const seen = new Set<string>();
  node.on("flood", (m) => {
    const b = m.body as unknown as { queryId: string; ttl: number; payload: unknown; origin: string };
    const key = `${b.origin}\u0000${b.queryId}`;
    if (seen.has(key)) return;
    seen.add(key);
    deliver({ queryId: b.queryId, origin: b.origin, payload: b.payload });
    if (b.ttl > 1) for (const n of neighbours) if (n !== m.src) node.send(n, { type: "flood", queryId: b.queryId, ttl: b.ttl - 1, payload: b.payload, origin: b.origin });
  });
  return {
    flood(queryId, ttl, payload) {
      seen.add(`${node.id}\u0000${queryId}`);
      for (const n of neighbours) node.send(n, { type: "flood", queryId, ttl, payload, origin: node.id });
    },
  };
}

function drawParams(rng: Prng, full: boolean): Params {
  const n = rng.int(6, 15);
  const prefix = rng.pick(["p", "peer", "v", "host"]);
  const used = new Set<string>();
  const peers: string[] = [];
  while (peers.length < n) {
    const name = `${prefix}${rng.int(1, 100)}`;
    if (!used.has(name)) (used.add(name), peers.push(name));
  }
  const edgeSet = new Set<string>();
  const links = new Map<string, string[]>(peers.map((p) => [p, []]));
  const link = (a: string, b: string): void => {
    if (a === b) return;
    const key = a < b ? `${a}|${b}` : `${b}|${a}`;
    if (edgeSet.has(key)) return;
    edgeSet.add(key);
    links.get(a)!.push(b);
    links.get(b)!.push(a);
  };
  if (rng.chance(0.5)) {
    for (let i = 0; i < n; i++) link(peers[i], peers[(i + 1) % n]); // a ring …
    for (let c = rng.int(1, 4); c > 0; c--) link(rng.pick(peers), rng.pick(peers)); // … with chords
  } else {
    for (let i = 1; i < n; i++) link(peers[i], peers[rng.int(0, i)]); // a random tree …
    for (let c = rng.int(1, 5); c > 0; c--) link(rng.pick(peers), rng.pick(peers)); // … with extra links
  }
  const shuffled = rng.shuffle(peers);
  const graders = Math.max(1, Math.floor(n / 3));
  const student = new Set(shuffled.slice(graders));
  const bystanders = rng.shuffle(["b0", "zz", "aa1"]).slice(0, 2).map((b) => `${prefix}-${b}`);
  const origins = rng.shuffle(peers).slice(0, 2);
  if (!student.has(origins[0]) && !student.has(origins[1])) origins[0] = Array.from(student)[0];
  const shared = rng.chance(0.4);
  const floods: Flood[] = origins.map((origin, i) => ({
    origin,
    queryId: shared ? "q-1" : `q-${rng.int(100, 999)}-${i}`,
    ttl: full ? n : rng.int(1, 4),
    payload: { token: rng.int(0, 1_000_000) },
    atMs: 5 + i * rng.int(0, 30),
  }));
  return { full, peers, student, links, edges: edgeSet.size, bystanders, floods };
}

function distancesFrom(origin: string, links: Map<string, string[]>): Map<string, number> {
  const dist = new Map<string, number>([[origin, 0]]);
  const queue = [origin];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of links.get(v)!) if (!dist.has(w)) (dist.set(w, dist.get(v)! + 1), queue.push(w));
  }
  return dist;
}

interface Arrival {
  m: SentMessage;
  index: number;
  timeMs: number;
}

interface Delivered {
  node: string;
  query: FloodQuery;
  index: number;
  timeMs: number;
}

const ms = (t: number): string => `${Math.round(t * 1000) / 1000}ms`;
const qName = (f: { origin: string; queryId: string }): string => `query "${f.queryId}" of ${f.origin}`;

/** Checks one run's trace, rule by rule, and throws the earliest violation. */
function judgeRun(p: Params, events: Simulation["trace"]["events"], delivered: Delivered[], stats?: FloodingStats): void {
  const floods = sentMessages(events, (s) => s.type === "flood");
  const arrivalsAt = new Map<string, Arrival[]>(); // every arrival (any flood) per node, trace order
  for (const m of floods) for (const a of m.delivered) {
    const list = arrivalsAt.get(m.send.dest) ?? [];
    list.push({ m, index: a.index, timeMs: a.event.timeMs });
    arrivalsAt.set(m.send.dest, list);
    if (a.event.duplicate && stats) stats.duplicatesArrived++;
  }
  for (const list of arrivalsAt.values()) list.sort((a, b) => a.index - b.index);
  const handling = (node: string, index: number): Arrival | undefined => {
    let found: Arrival | undefined;
    for (const a of arrivalsAt.get(node) ?? []) if (a.index < index) found = a;
    return found;
  };
  const keyOf = (b: Record<string, unknown>): string => `${b.origin}\u0000${b.queryId}`;
  const firstAt = (node: string, key: string): Arrival | undefined => (arrivalsAt.get(node) ?? []).find((a) => keyOf(a.m.body) === key);
  const checks: Array<() => void> = [];
  if (stats) stats.sends += floods.length;

  for (const f of p.floods) {
    const key = keyOf(f as unknown as Record<string, unknown>);
    const dist = distancesFrom(f.origin, p.links);
    const mine = floods.filter((m) => keyOf(m.body) === key);
    if (stats) stats.laterCopies += mine.reduce((n, m) => n + m.delivered.length, 0) - new Set(mine.flatMap((m) => m.delivered.map(() => m.send.dest))).size;
    for (const v of p.peers) {
      if (!p.student.has(v)) continue;
      const neighbours = p.links.get(v)!;
      const sends = mine.filter((m) => m.send.src === v);
      if (v === f.origin) {
        // The origin: one send per neighbour at flood time, ttl as given; nothing on returning copies.
        checks.push(() => {
          const served = new Set<string>();
          for (const s of sends) {
            const ok = s.send.timeMs === f.atMs && s.body.ttl === f.ttl && neighbours.includes(s.send.dest) && !served.has(s.send.dest);
            served.add(s.send.dest);
            if (ok) continue;
            const during = s.send.timeMs === f.atMs ? undefined : handling(v, s.index);
            const back = during && keyOf(during.m.body) === key ? ` on the copy of its own query that came back from ${during.m.send.src} at t=${ms(during.timeMs)} (the origin has seen it: duplicate suppression)` : "";
            fail(`${v}, the origin of ${qName(f)} (ttl ${f.ttl}), to send it once to each neighbour (${neighbours.join(", ")}) at t=${ms(f.atMs)} with ttl ${f.ttl}, and nothing when copies of it come back`, `${describeMessage(s, ["queryId", "ttl", "origin"])}${back}`, { timeMs: s.send.timeMs, node: v, evidence: during ? [during.m.send.id, s.send.id] : [s.send.id] });
          }
          const missing = neighbours.filter((n) => !sends.some((s) => s.send.dest === n));
          if (missing.length > 0) fail(`${v}, the origin of ${qName(f)}, to send it to every neighbour at t=${ms(f.atMs)}`, `nothing to ${missing.join(", ")}`, { timeMs: f.atMs, node: v });
        });
        checks.push(() => {
          const own = delivered.find((d) => d.node === v && keyOf(d.query as unknown as Record<string, unknown>) === key);
          if (own) fail(`${v} not to deliver its own ${qName(f)}`, `deliver(${JSON.stringify(own.query)}) at t=${ms(own.timeMs)}`, { timeMs: own.timeMs, node: v });
        });
        continue;
      }
      const first = firstAt(v, key);
      const twin = p.floods.find((g) => g !== f && g.queryId === f.queryId);
      const twinFirst = twin ? firstAt(v, keyOf(twin as unknown as Record<string, unknown>)) : undefined;
      const sameId = twin && twinFirst && first && twinFirst.index < first.index ? ` — ${v} had already seen ${qName(twin)}, a different query with the same queryId: a query is the pair (origin, queryId)` : "";
      // Every send of this query by v: made while handling the first copy, to a neighbour but its sender, ttl − 1.
      checks.push(() => {
        for (const s of sends) {
          const during = handling(v, s.index);
          const at = { timeMs: s.send.timeMs, node: v, evidence: during ? [during.m.send.id, s.send.id] : [s.send.id] };
          const sent = describeMessage(s, ["queryId", "ttl", "origin"]);
          if (first === undefined || during === undefined || keyOf(during.m.body) !== key) {
            fail(`${v} to send ${qName(f)} only while handling the first copy that reached it`, `${sent}, not in the handler of a copy of it`, at);
          }
          if (during.index !== first.index) {
            fail(
              `${v} to do nothing at a later copy of ${qName(f)}: the first (from ${first.m.send.src}, arrived at t=${ms(first.timeMs)}) was already forwarded — duplicate suppression, each node forwards a query at most once`,
              `on the copy from ${during.m.send.src} that arrived at t=${ms(during.timeMs)}${during.m.delivered.length > 1 ? " (a copy the network duplicated)" : ""}, ${v} sent ${sent}`,
              at,
            );
          }
          const ttl = first.m.body.ttl as number;
          if (s.send.dest === first.m.send.src) {
            fail(`${v} to forward ${qName(f)} to every neighbour except ${first.m.send.src}, the one it came from`, `${sent} — back to the sender`, at);
          }
          if (ttl <= 1) {
            fail(`${v} to deliver but not forward ${qName(f)}: its first copy arrived with ttl ${ttl}, its last hop`, `${sent} (forwarded at ttl ${ttl})`, at);
          }
          if (s.body.ttl !== ttl - 1) fail(`${v} to forward ${qName(f)} with ttl ${ttl} − 1 = ${ttl - 1} (its first copy came with ttl ${ttl})`, `${sent} with ttl ${String(s.body.ttl)}`, at);
          if (!neighbours.includes(s.send.dest)) fail(`${v} to send only to its neighbours (${neighbours.join(", ")})`, sent, at);
          const twice = sends.filter((x) => x.send.dest === s.send.dest && handling(v, x.index)?.index === first.index).length;
          if (twice > 1) fail(`${v} to forward ${qName(f)} once to ${s.send.dest} at its first copy`, `${twice} sends to it while handling that copy`, at);
          if (s.body.origin !== f.origin || s.body.queryId !== f.queryId || JSON.stringify(s.body.payload) !== JSON.stringify(f.payload)) fail(`${v} to forward ${qName(f)} with origin, queryId and payload unchanged`, sent, at);
        }
        if (first !== undefined && (first.m.body.ttl as number) > 1) {
          const missing = neighbours.filter((n) => n !== first.m.send.src && !sends.some((s) => s.send.dest === n));
          if (missing.length > 0) fail(`${v} to forward ${qName(f)} (its first copy came from ${first.m.send.src} with ttl ${String(first.m.body.ttl)} at t=${ms(first.timeMs)}) to every other neighbour`, `nothing to ${missing.join(", ")}${sameId}`, { timeMs: first.timeMs, node: v, evidence: [first.m.send.id] });
        }
      });
      // deliver: exactly once, in the handler of the first copy, with the query's fields.
      checks.push(() => {
        const mineDelivered = delivered.filter((d) => d.node === v && keyOf(d.query as unknown as Record<string, unknown>) === key);
        for (const d of mineDelivered) {
          const during = handling(v, d.index);
          const at = { timeMs: d.timeMs, node: v, evidence: during ? [during.m.send.id] : [] };
          if (first === undefined || during === undefined || keyOf(during.m.body) !== key) fail(`${v} to deliver ${qName(f)} only when a copy of it arrives`, `deliver at t=${ms(d.timeMs)} outside such a handler`, at);
          if (during.index !== first.index) {
            fail(
              `${v} to deliver ${qName(f)} once, at its first copy (from ${first.m.send.src}, arrived at t=${ms(first.timeMs)})`,
              `deliver called again for the copy from ${during.m.send.src} that arrived at t=${ms(during.timeMs)}${during.m.delivered.length > 1 ? " (a copy the network duplicated)" : ""}`,
              at,
            );
          }
          if (JSON.stringify(d.query.payload) !== JSON.stringify(f.payload)) fail(`deliver(${qName(f)}) with payload ${JSON.stringify(f.payload)}`, `payload ${JSON.stringify(d.query.payload)}`, at);
        }
        if (first !== undefined && mineDelivered.length === 0) fail(`${v} to deliver ${qName(f)} when its first copy arrived (from ${first.m.send.src} at t=${ms(first.timeMs)})`, `no deliver call${sameId}`, { timeMs: first.timeMs, node: v, evidence: [first.m.send.id] });
      });
    }
    // The whole flood: who got it, and how many sends.
    checks.push(() => {
      const endMs = events.length ? events[events.length - 1].timeMs : 0;
      const reached = new Set(delivered.filter((d) => keyOf(d.query as unknown as Record<string, unknown>) === key).map((d) => d.node));
      const want = p.peers.filter((v) => v !== f.origin && dist.get(v)! <= f.ttl);
      const extra = Array.from(reached).filter((v) => !want.includes(v));
      const missing = want.filter((v) => !reached.has(v));
      if (extra.length + missing.length > 0) {
        fail(`${qName(f)} with ttl ${f.ttl} delivered by exactly the ${want.length} peers within ${f.ttl} hop(s) of ${f.origin}`, `${extra.length ? `also by ${extra.map((v) => `${v} (${dist.get(v)} hops)`).join(", ")}` : ""}${extra.length && missing.length ? "; " : ""}${missing.length ? `not by ${missing.join(", ")}` : ""}`, { timeMs: endMs, node: f.origin });
      }
      if (p.full) {
        const want2 = 2 * p.edges - p.peers.length + 1;
        if (mine.length !== want2) fail(`a full flood of ${qName(f)} to cost 2|E| − N + 1 = 2·${p.edges} − ${p.peers.length} + 1 = ${want2} sends (each node forwards once, never back to its sender)`, `${mine.length} sends`, { timeMs: endMs, node: f.origin });
      }
    });
  }
  if (stats && p.floods[0].queryId === p.floods[1].queryId) stats.sharedQueryIds++;
  throwEarliest(checks);
}

function scenario(full: boolean): Scenario<FloodingApi, Params> {
  return {
    name: (p) =>
      full
        ? `full floods (ttl = N = ${p.peers.length}, |E| = ${p.edges}) over reordering links 1–40 ms, ${DUPLICATION * 100}% duplication`
        : `short floods (ttl ${p.floods.map((f) => f.ttl).join(" and ")}) on ${p.peers.length} peers, every link 10 ms, ${DUPLICATION * 100}% duplication`,
    trials: full ? FULL_TRIALS : SHORT_TRIALS,
    params: (trial) => drawParams(trial.rng, full),
    simulation: () => ({
      network: full
        ? { latency: latency.uniform(1, 40), ordering: "unordered" as const, duplicationProbability: DUPLICATION }
        : { latency: latency.constant(10), duplicationProbability: DUPLICATION },
    }),
    lanes: (p) => p.peers,
    async run(sim, impl, p) {
      spawnBystanders(sim, p.bystanders);
      const delivered: Delivered[] = [];
      const handles = new Map<string, FloodingPeer>();
      for (const v of p.peers) {
        const neighbours = [...p.links.get(v)!];
        const record = (query: FloodQuery): void => {
          delivered.push({ node: v, query: { queryId: query?.queryId, origin: query?.origin, payload: query?.payload }, index: sim.trace.events.length, timeMs: sim.now() });
        };
        if (p.student.has(v)) sim.spawn(v, (node) => void handles.set(v, impl.floodingPeer(node, { neighbours }, record)));
        else sim.spawn(v, (node) => void handles.set(v, graderPeer(node, neighbours, record)), { role: graderRole("peer") });
      }
      for (const f of p.floods) sim.at(f.atMs, () => handles.get(f.origin)!.flood(f.queryId, f.ttl, f.payload), `${f.origin} floods ${f.queryId}`);
      await sim.runFor(2000);
      judgeRun(p, sim.trace.events, delivered, currentStats);
    },
  };
}

let currentStats: FloodingStats | undefined;

/**
 * Grade an implementation of 10.3 with one seed: 14 full and 13 short trials.
 *
 * @example
 * const result = await checkFlooding(await loadModule("solutions/10-peer-to-peer/flooding"), 7);
 */
export async function checkFlooding(impl: FloodingApi, seed: number, stats?: FloodingStats): Promise<CheckResult> {
  currentStats = stats;
  try {
    if (stats) {
      stats.trials += TRIALS;
      stats.floods += TRIALS * 2;
    }
    return await runScenarios(impl, seed, [scenario(true), scenario(false)], { functions: ["floodingPeer"], exercise: "10.3 flooding" });
  } finally {
    currentStats = undefined;
  }
}
