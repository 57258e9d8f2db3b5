/**
 * Check of exercise 03.3 reliable broadcast (regular reliable broadcast with crash-stop nodes,
 * Cachin, Guerraoui & Rodrigues §3.3). Links lose and duplicate nothing and reorder (latency
 * 5–15 ms); a node crashes right after its k-th `node.send` (the grader wraps `send`), which is how
 * a crash in the middle of a loop of sends looks. Bystanders outside the group are spawned first,
 * names are drawn per trial, {@link TRIALS} trials per seed of each scenario:
 *
 * 1. **Your group**: 4–6 of your nodes, 3–6 broadcasts from random members (sometimes the same
 *    payload twice from one origin: two messages), and in 80% of the trials one member crashes
 *    after its k-th send — mostly an origin in the middle of its broadcast.
 * 2. **Your node among the grader's members**: 1–2 of your nodes with 3–4 grader members, of which
 *    some (at least one) do not relay: they deliver only copies that reach them directly. A grader
 *    origin sends a message to your node(s) only and crashes, so only your relay can carry it to
 *    the others; other grader origins broadcast normally (seqs 0–3, the same numbers as your
 *    counters, and one payload twice), and your nodes broadcast too.
 *
 * After {@link PAST_LAST_MS} ms past the last broadcast the check reads every delivery (the
 * grader's `deliver` records node, origin, payload, time and trace index) and every `rb` message:
 * validity, agreement, no duplication and no creation over the correct (never crashed) members,
 * each node sends each (origin, seq) to each member at most once, and messages of your nodes are
 * well formed `rb` messages. The earliest broken rule is reported.
 */
import { latency } from "../../../lib/net";
import type { Body, Node } from "../../../lib/node";
import { formatMs } from "../../../lib/sim";
import type { Simulation } from "../../../lib/simulation";
import type { TraceEvent } from "../../../lib/trace";
import { fail, graderRole, runScenarios, spawnBystanders, throwEarliest, trialsPerSeed, type CheckResult, type Scenario, type Trial } from "../check";
import { exercise } from "../exercises";
import { describeMessage, sentMessages, shortValue, type SentMessage } from "../messages";

/** What exercises/03-interaction-patterns/reliable-broadcast.ts exports. */
export interface ReliableBroadcastApi {
  reliableBroadcast(node: Node, group: readonly string[], deliver: (origin: string, payload: unknown) => void): { broadcast(payload: unknown): void };
}

// tsc checks that the stub and the reference both have this API.
type Implements<T extends ReliableBroadcastApi> = T;
export type StubImplementsReliableBroadcast = Implements<typeof import("../../../exercises/03-interaction-patterns/reliable-broadcast")>;
export type SolutionImplementsReliableBroadcast = Implements<typeof import("../../../solutions/03-interaction-patterns/reliable-broadcast")>;

/** Trials per seed of each scenario: with the registry's seeds, ≥ 135 in all (see check.ts). */
export const TRIALS = trialsPerSeed(exercise("03.3").seeds.length);

/** How long the run goes on after the last broadcast. */
export const PAST_LAST_MS = 500;

/** Event budget of a run (see checkReliableBroadcast). */
const EVENTS_MAX = 5000;

/** Node names; each trial shuffles them. */
const NAMES = ["n1", "n2", "n3", "n4", "n5", "n6", "a", "b", "c", "d", "p1", "p2", "x"];

const WORDS = ["hello", "commit tx 7", "ünïcödé", 'say "hi"', "bye ✓", "update"];

/** One call of broadcast, as the grader made it. */
export interface Broadcast {
  origin: string;
  payload: unknown;
  atMs: number;
}

/** One call of a node's `deliver`. */
export interface Delivery {
  node: string;
  origin: string;
  payload: unknown;
  timeMs: number;
  index: number;
}

/** What the check needs to know about a run. */
export interface Run {
  group: readonly string[];
  /** Nodes that run the student's code. */
  studentNodes: readonly string[];
  broadcasts: readonly Broadcast[];
  deliveries: readonly Delivery[];
  /** Members that crashed during the run. */
  crashed: ReadonlySet<string>;
}

const keyOf = (origin: unknown, payload: unknown): string => JSON.stringify([origin, payload]);

function say(m: SentMessage): string {
  return describeMessage(m, ["origin", "seq", "payload"]);
}

/**
 * The rules of reliable broadcast, checked on a trace and the recorded deliveries.
 *
 * @example
 * checkBroadcastRules(sim.trace.events, { group, studentNodes: group, broadcasts, deliveries, crashed: new Set(["n2"]) });
 */
export function checkBroadcastRules(events: readonly TraceEvent[], run: Run): void {
  const { group, studentNodes, broadcasts, deliveries, crashed } = run;
  const correct = group.filter((n) => !crashed.has(n));
  const sent = sentMessages(events);
  const rbs = sent.filter((m) => m.send.type === "rb");
  const fromStudents = sent.filter((m) => studentNodes.includes(m.send.src));
  const endMs = events.length ? events[events.length - 1].timeMs : 0;
  const keys = new Map<string, Broadcast[]>();
  for (const b of broadcasts) keys.set(keyOf(b.origin, b.payload), [...(keys.get(keyOf(b.origin, b.payload)) ?? []), b]);
  const delivered = (node: string, key: string): Delivery[] => deliveries.filter((d) => d.node === node && keyOf(d.origin, d.payload) === key);
  const copiesOf = (key: string): SentMessage[] => rbs.filter((m) => keyOf(m.body.origin, m.body.payload) === key);
  const words = (key: string): string => {
    const [origin, payload] = JSON.parse(key) as [string, unknown];
    const n = keys.get(key)?.length ?? 0;
    return `${origin}'s broadcast of payload=${shortValue(payload)}${n > 1 ? ` (${n} broadcasts with this payload: ${n} messages)` : ""}`;
  };
  const arrivedAt = (node: string, key: string): string => {
    const copies = copiesOf(key).filter((m) => m.send.dest === node);
    return copies.length ? `copies that reached ${node}: ${copies.slice(0, 4).map(say).join("; ")}` : `no rb message for it was sent to ${node}`;
  };
  const evidenceFor = (key: string, node?: string): number[] => {
    const copies = copiesOf(key);
    const to = node ? copies.filter((m) => m.send.dest === node) : [];
    return [...new Set([...to, ...copies].slice(0, 8).map((m) => m.send.id))];
  };

  throwEarliest(
    () => checkWellFormed(),
    () => checkSentOnce(),
    group.map((node) => () => checkNoDuplicationNoCreation(node)),
    [...new Set([...keys.keys(), ...deliveries.map((d) => keyOf(d.origin, d.payload))])].map((key) => () => checkValidityAgreement(key)),
  );

  /** Every message of a student node is a well-formed rb to a member (the first one that is not, in trace order). */
  function checkWellFormed(): void {
    for (const m of fromStudents) {
      const b = m.body;
      const at = { timeMs: m.send.timeMs, node: m.send.src, evidence: [m.send.id] };
      const ok = m.send.type === "rb" && typeof b.origin === "string" && group.includes(b.origin) && typeof b.seq === "number" && Number.isFinite(b.seq) && "payload" in b;
      if (!ok) fail(`every message of ${m.send.src} to be { type: "rb", origin: <a member>, seq: <a number>, payload }`, say(m), at);
      if (!group.includes(m.send.dest)) fail(`${m.send.src} to send only to members of the group (${group.join(", ")})`, say(m), at);
    }
  }

  /** No student node sends one message (origin, seq) to one member twice (the first repeat, in trace order). */
  function checkSentOnce(): void {
    const firsts = new Map<string, SentMessage>();
    const counts = new Map<string, number>();
    for (const m of fromStudents) {
      const id = JSON.stringify([m.send.src, m.send.dest, m.body.origin, m.body.seq]);
      const first = firsts.get(id);
      counts.set(id, (counts.get(id) ?? 0) + 1);
      if (first === undefined) {
        firsts.set(id, m);
        continue;
      }
      fail(
        `${m.send.src} to send message (origin ${m.body.origin}, seq ${m.body.seq}) to ${m.send.dest} at most once (links are reliable: one relay per message is enough)`,
        `copy number ${counts.get(id)}: ${say(m)}; the first: ${say(first)}`,
        { timeMs: m.send.timeMs, node: m.send.src, evidence: [first.send.id, m.send.id] },
      );
    }
  }

  function checkNoDuplicationNoCreation(node: string): void {
    const byKey = new Map<string, Delivery[]>();
    for (const d of deliveries.filter((x) => x.node === node)) byKey.set(keyOf(d.origin, d.payload), [...(byKey.get(keyOf(d.origin, d.payload)) ?? []), d]);
    for (const [key, ds] of byKey) {
      const allowed = keys.get(key)?.length ?? 0;
      if (ds.length <= allowed) continue;
      const extra = ds[allowed];
      const at = { timeMs: extra.timeMs, node, evidence: evidenceFor(key, node) };
      const [origin, payload] = JSON.parse(key) as [string, unknown];
      if (allowed === 0) {
        fail(
          `${node} to deliver only messages that were broadcast (no creation)`,
          `${node} delivered origin=${origin} payload=${shortValue(payload)} at t=${formatMs(extra.timeMs)}, which ${origin} never broadcast; ${arrivedAt(node, key)}`,
          at,
        );
      }
      const times = ds.map((d) => `t=${formatMs(d.timeMs)}`).join(", ");
      fail(
        `${node} to deliver ${words(key)} ${allowed === 1 ? "once" : `${allowed} times`} (no duplication: remember (origin, seq) of what you delivered)`,
        `it delivered it ${ds.length} times, at ${times}; ${arrivedAt(node, key)}`,
        at,
      );
    }
  }

  function checkValidityAgreement(key: string): void {
    const [origin] = JSON.parse(key) as [string, unknown];
    const made = keys.get(key) ?? [];
    if (made.length === 0) return; // creation: checkNoDuplicationNoCreation says so
    const originCorrect = !crashed.has(origin);
    const counts = correct.map((n) => delivered(n, key).length);
    const want = originCorrect ? made.length : Math.max(0, ...counts);
    if (want === 0) return;
    for (const node of correct) {
      const got = delivered(node, key).length;
      if (got >= want) continue;
      const witness = correct.map((n) => delivered(n, key)).find((ds) => ds.length >= want)?.[want - 1];
      const reason = originCorrect
        ? `${origin} is correct (it never crashed), so every correct member delivers what it broadcast (validity)` +
          (node === origin ? `, ${origin} itself included: call deliver when you broadcast` : "")
        : `${origin} crashed, but ${witness?.node} (correct) delivered it at t=${formatMs(witness?.timeMs ?? 0)}, so every correct member must (agreement)`;
      const crashes = [...crashed].filter((n) => group.includes(n));
      fail(
        `${node} to deliver ${words(key)}${want > 1 ? ` ${want} times` : ""}: ${reason}`,
        `${node} delivered it ${got === 0 ? "never" : `${got} time${got === 1 ? "" : "s"}`}; ${arrivedAt(node, key)}` +
          (crashes.length ? ` (crashed: ${crashes.join(", ")})` : ""),
        { timeMs: endMs, node, evidence: evidenceFor(key, node) },
      );
    }
  }
}

/** Wrap a node so that it crashes right after its k-th `send` (undefined: never). */
function crashAfterSends(sim: Simulation, node: Node, k: number | undefined): Node {
  if (k === undefined) return node;
  let sends = 0;
  return new Proxy(node, {
    get(target, prop) {
      if (prop === "send") {
        return (dest: string, body: Body): number => {
          const id = target.send(dest, body);
          if (++sends === k && target.isAlive()) sim.crash(target.id);
          return id;
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** A grader member's own broadcast: deliver, remember, send to `dests` (the group but itself, by default). */
type Originate = (seq: number, payload: unknown, dests?: readonly string[]) => void;

/**
 * The grader's member: eager reliable broadcast if `relays`, otherwise it only delivers what
 * reaches it. Returns through `ready` the function its own broadcasts go through.
 */
function graderMember(group: readonly string[], relays: boolean, deliver: (origin: string, payload: unknown) => void, ready: (originate: Originate) => void): (node: Node) => void {
  return (node) => {
    const seen = new Set<string>();
    const first = (origin: string, seq: number): boolean => {
      const id = JSON.stringify([origin, seq]);
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    };
    const others = group.filter((m) => m !== node.id);
    node.on("rb", (m) => {
      if (!first(m.body.origin, m.body.seq)) return;
      deliver(m.body.origin, m.body.payload);
      if (relays) for (const member of others) node.send(member, { type: "rb", origin: m.body.origin, seq: m.body.seq, payload: m.body.payload });
    });
    ready((seq, payload, dests = others) => {
      first(node.id, seq);
      deliver(node.id, payload);
      for (const member of dests) node.send(member, { type: "rb", origin: node.id, seq, payload });
    });
  };
}

interface GroupParams {
  bystanders: string[];
  group: string[];
  /** [origin, time, payload] */
  broadcasts: Array<[string, number, unknown]>;
  /** The member that crashes right after its k-th send, if any. */
  crash: [string, number] | undefined;
}

const ms = (trial: Trial, min: number, max: number): number => Math.round(trial.rng.uniform(min, max) * 1000) / 1000;

function payload(trial: Trial): unknown {
  const rng = trial.rng;
  return rng.chance(0.6) ? `${rng.pick(WORDS)} ${rng.int(0, 1000)}` : { value: rng.int(0, 1000), tag: rng.pick(WORDS) };
}

function groupParams(trial: Trial): GroupParams {
  const rng = trial.rng;
  const names = rng.shuffle(NAMES);
  const b = rng.int(1, 3);
  const group = names.slice(b, b + rng.int(4, 7));
  const broadcasts: GroupParams["broadcasts"] = [];
  const count = rng.int(3, 6);
  for (let i = 0; i < count; i++) broadcasts.push([rng.pick(group), ms(trial, 0, 60), payload(trial)]);
  broadcasts.sort((x, y) => x[1] - y[1]);
  if (rng.chance(0.5)) {
    const [origin, atMs, p] = rng.pick(broadcasts);
    broadcasts.push([origin, Math.round((atMs + rng.uniform(0, 20)) * 1000) / 1000, p]); // the same payload again: a second message
  }
  let crash: GroupParams["crash"];
  if (rng.chance(0.8)) {
    // Mostly the first origin, in the middle of its broadcast (it has group.length − 1 sends to make).
    crash = rng.chance(0.6) ? [broadcasts[0][0], rng.int(1, group.length - 1)] : [rng.pick(group), rng.int(1, 2 * group.length)];
  }
  return { bystanders: names.slice(0, b), group, broadcasts, crash };
}

interface MixedParams {
  bystanders: string[];
  group: string[];
  students: string[];
  /** Grader members and whether each relays. */
  graders: Array<[string, boolean]>;
  /** Grader origin that sends to the student nodes only, then crashes. */
  crashing: { origin: string; atMs: number; seq: number; payload: unknown } | undefined;
  /** [origin, time, seq (grader origins), payload] */
  broadcasts: Array<[string, number, number, unknown]>;
}

function mixedParams(trial: Trial): MixedParams {
  const rng = trial.rng;
  const names = rng.shuffle(NAMES);
  const b = rng.int(1, 3);
  const students = names.slice(b, b + (rng.chance(0.3) ? 2 : 1));
  const allSilent = rng.chance(0.5);
  const graderIds = names.slice(b + students.length, b + students.length + rng.int(3, 5));
  const graders: Array<[string, boolean]> = graderIds.map((id, i) => [id, !allSilent && i > 0 && rng.chance(0.5)]);
  const group = rng.shuffle([...students, ...graderIds]);
  const seqs = new Map<string, number[]>();
  const nextSeq = (origin: string): number => {
    const free = [0, 1, 2, 3].filter((s) => !(seqs.get(origin) ?? []).includes(s));
    const seq = rng.pick(free);
    seqs.set(origin, [...(seqs.get(origin) ?? []), seq]);
    return seq;
  };
  const crashingOrigin = rng.chance(0.85) ? rng.pick(graderIds) : undefined;
  const crashing = crashingOrigin ? { origin: crashingOrigin, atMs: ms(trial, 0, 30), seq: nextSeq(crashingOrigin), payload: payload(trial) } : undefined;
  const broadcasts: MixedParams["broadcasts"] = [];
  for (const s of students) for (let i = rng.int(1, 3); i > 0; i--) broadcasts.push([s, ms(trial, 0, 60), -1, payload(trial)]);
  const others = graderIds.filter((g) => g !== crashingOrigin);
  for (let i = rng.int(1, 3); i > 0; i--) {
    const origin = rng.pick(others);
    broadcasts.push([origin, ms(trial, 0, 60), nextSeq(origin), payload(trial)]);
  }
  if (rng.chance(0.5)) {
    const origin = rng.pick(others);
    const p = payload(trial);
    broadcasts.push([origin, ms(trial, 0, 30), nextSeq(origin), p], [origin, ms(trial, 30, 60), nextSeq(origin), p]); // one payload, two messages
  }
  broadcasts.sort((x, y) => x[1] - y[1]);
  return { bystanders: names.slice(0, b), group, students, graders, crashing, broadcasts };
}

/** Run the simulation past the last broadcast, then check (also when a message storm stops it). */
async function finish(sim: Simulation, lastMs: number, check: () => void): Promise<void> {
  try {
    await sim.runFor(lastMs + PAST_LAST_MS);
  } catch (error) {
    check(); // a broken rule explains a storm better than the event budget
    throw error;
  }
  check();
}

async function runGroup(sim: Simulation, impl: ReliableBroadcastApi, w: GroupParams): Promise<void> {
  spawnBystanders(sim, w.bystanders);
  const deliveries: Delivery[] = [];
  const members = new Map<string, { broadcast(payload: unknown): void }>();
  for (const id of w.group) {
    const deliver = (origin: string, payload: unknown): void => {
      if (sim.isUp(id)) deliveries.push({ node: id, origin, payload, timeMs: sim.now(), index: sim.trace.events.length });
    };
    sim.spawn(id, (node) => void members.set(id, impl.reliableBroadcast(crashAfterSends(sim, node, w.crash?.[0] === id ? w.crash[1] : undefined), w.group, deliver)), {
      role: "member",
    });
  }
  const broadcasts: Broadcast[] = [];
  for (const [origin, atMs, payload] of w.broadcasts) {
    sim.at(
      atMs,
      () => {
        if (!sim.isUp(origin)) return;
        broadcasts.push({ origin, payload, atMs });
        members.get(origin)?.broadcast(payload);
      },
      `${origin} broadcasts`,
    );
  }
  const crashed = (): Set<string> => new Set(w.group.filter((id) => !sim.isUp(id)));
  await finish(sim, Math.max(...w.broadcasts.map((x) => x[1])), () =>
    checkBroadcastRules(sim.trace.events, { group: w.group, studentNodes: w.group, broadcasts, deliveries, crashed: crashed() }),
  );
}

async function runMixed(sim: Simulation, impl: ReliableBroadcastApi, w: MixedParams): Promise<void> {
  spawnBystanders(sim, w.bystanders);
  const deliveries: Delivery[] = [];
  const recorder = (id: string) => (origin: string, payload: unknown): void => {
    if (sim.isUp(id)) deliveries.push({ node: id, origin, payload, timeMs: sim.now(), index: sim.trace.events.length });
  };
  const members = new Map<string, { broadcast(payload: unknown): void }>();
  const originates = new Map<string, Originate>();
  for (const id of w.group) {
    const grader = w.graders.find(([g]) => g === id);
    if (grader) {
      const behaviour = graderMember(w.group, grader[1], recorder(id), (originate) => void originates.set(id, originate));
      sim.spawn(id, behaviour, { role: graderRole(grader[1] ? "relaying-member" : "non-relaying-member") });
    } else {
      sim.spawn(id, (node) => void members.set(id, impl.reliableBroadcast(node, w.group, recorder(id))), { role: "member" });
    }
  }
  const broadcasts: Broadcast[] = [];
  const c = w.crashing;
  if (c) {
    sim.at(
      c.atMs,
      () => {
        broadcasts.push({ origin: c.origin, payload: c.payload, atMs: c.atMs });
        originates.get(c.origin)!(c.seq, c.payload, w.students);
        sim.crash(c.origin); // before its sends to the grader's members
      },
      `${c.origin} broadcasts, sends to ${w.students.join(", ")} only, and crashes`,
    );
  }
  for (const [origin, atMs, seq, payload] of w.broadcasts) {
    sim.at(
      atMs,
      () => {
        broadcasts.push({ origin, payload, atMs });
        const student = members.get(origin);
        if (student) student.broadcast(payload);
        else originates.get(origin)!(seq, payload);
      },
      `${origin} broadcasts`,
    );
  }
  const lastMs = Math.max(c?.atMs ?? 0, ...w.broadcasts.map((x) => x[1]));
  const crashed = new Set(c ? [c.origin] : []);
  await finish(sim, lastMs, () => checkBroadcastRules(sim.trace.events, { group: w.group, studentNodes: w.students, broadcasts, deliveries, crashed }));
}

/**
 * Grade a reliable broadcast with one seed: {@link TRIALS} trials of each scenario.
 *
 * @example
 * await checkReliableBroadcast(await import("../../../solutions/03-interaction-patterns/reliable-broadcast"), 7); // { status: "pass", … }
 */
export function checkReliableBroadcast(impl: ReliableBroadcastApi, seed: number): Promise<CheckResult> {
  const network = { latency: latency.uniform(5, 15), ordering: "unordered" as const };
  // The reference needs at most ~700 events (6 members, 6 broadcasts, n·(n−1) sends each): a
  // relay storm stops at EVENTS_MAX, within a few ms, instead of the harness's 50,000.
  const group: Scenario<ReliableBroadcastApi, GroupParams> = {
    name: (w) =>
      `your reliableBroadcast on every member of the group ${w.group.join(", ")}, ${w.broadcasts.length} broadcasts` +
      (w.crash ? `, ${w.crash[0]} crashes right after its send number ${w.crash[1]}` : ", no crash") +
      `, bystanders ${w.bystanders.join(", ")} spawned first; no loss, unordered links, latency 5–15 ms`,
    trials: TRIALS,
    params: groupParams,
    simulation: { network, maxEvents: EVENTS_MAX },
    lanes: (w) => w.group,
    run: runGroup,
  };
  const mixed: Scenario<ReliableBroadcastApi, MixedParams> = {
    name: (w) =>
      `your reliableBroadcast on ${w.students.join(", ")} in the group ${w.group.join(", ")} with the grader's members ` +
      `${w.graders.map(([g, relays]) => `${g} (${relays ? "relays" : "does not relay"})`).join(", ")}` +
      (w.crashing ? `; ${w.crashing.origin} sends its broadcast to ${w.students.join(", ")} only and crashes` : "") +
      `; bystanders ${w.bystanders.join(", ")} spawned first; no loss, unordered links, latency 5–15 ms`,
    trials: TRIALS,
    params: mixedParams,
    simulation: { network, maxEvents: EVENTS_MAX },
    lanes: (w) => [...w.students, ...w.graders.map(([g]) => g)],
    run: runMixed,
  };
  return runScenarios(impl, seed, [group, mixed], { functions: ["reliableBroadcast"], exercise: "03.3 reliable-broadcast" });
}
