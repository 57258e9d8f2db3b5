/**
 * Check of exercise 06.1 vector clock. 3–4 nodes run the student's `vectorClock`, one node runs the
 * grader's (a correct clock, so the student's receive is also graded on vectors it did not make);
 * bystanders are spawned first and names are drawn per trial. Each of them sends
 * {@link SENDS_MIN}–{@link SENDS_MAX} `app` messages at random times in the first
 * {@link SEND_WINDOW_MS} ms to random other participants; 5% loss, 5% duplication, unordered links,
 * latency 5–40 ms; the trial runs {@link TRIAL_MS} ms (past the last arrival).
 *
 * Rules, checked on the trace with the true happened-before relation (`happenedBefore` of
 * lib/time, over the `app` messages): each node reports exactly one vector per send and per arrival,
 * in order and of the right kind; every `app` message a student node sends carries in `vc` the
 * vector reported for that send; and for every pair of events, compareVectors says "before" / "after"
 * / "concurrent" exactly as happened-before does (the earliest pair that disagrees is reported).
 *
 * What the rules separate (test/meta/06-time-and-concurrency.test.ts): no merge on receive, no
 * increment on receive, the vector sent before the increment, a shared (uncopied) vector reported,
 * entries keyed by position in node.peers().
 */
import { latency } from "../../../lib/net";
import type { Message, Node } from "../../../lib/node";
import type { Simulation } from "../../../lib/simulation";
import { compareVectors, happenedBefore, type HbEvent, type VectorOrder } from "../../../lib/time";
import type { TraceEvent } from "../../../lib/trace";
import { fail, graderRole, runScenarios, spawnBystanders, throwEarliest, trialsPerSeed, type CheckResult, type Scenario, type Trial } from "../check";
import { exercise } from "../exercises";
import { describeMessage, sentMessages, shortValue, type SentMessage } from "../messages";

type Vector = Record<string, number>;

/** What exercises/06-time-and-concurrency/vector-clock.ts exports. */
export interface VectorClockApi {
  vectorClock(node: Node, report: (kind: "send" | "receive", vector: Vector) => void): { send(dest: string, body: { type: "app"; [field: string]: unknown }): void };
}

// tsc checks that the stub and the reference both have this API.
type Implements<T extends VectorClockApi> = T;
export type StubImplementsVectorClock = Implements<typeof import("../../../exercises/06-time-and-concurrency/vector-clock")>;
export type SolutionImplementsVectorClock = Implements<typeof import("../../../solutions/06-time-and-concurrency/vector-clock")>;

/** Trials per seed: with the exercise's seeds, ≥ 135 in all (see check.ts). */
export const TRIALS = trialsPerSeed(exercise("06.1").seeds.length);

/** Messages each participant sends, at random times in the first {@link SEND_WINDOW_MS} ms. */
export const SENDS_MIN = 5;
export const SENDS_MAX = 9;
export const SEND_WINDOW_MS = 400;
/** Length of a trial. */
export const TRIAL_MS = 600;

/** Node names; each trial shuffles them. */
const NAMES = ["a", "b", "c", "d", "p1", "p2", "p3", "n1", "n2", "x", "y"];
const TEXTS = ["hello", "order 17", "ack", "stock?", "price 12", "bye", "retry", "ok"];

interface Plan {
  atMs: number;
  dest: string;
  text: string;
}

interface Params {
  students: string[];
  grader: string;
  bystanders: string[];
  plans: Map<string, Plan[]>;
}

function params(trial: Trial): Params {
  const rng = trial.rng;
  const names = rng.shuffle(NAMES);
  const bystanders = names.slice(0, rng.int(1, 3));
  const count = rng.int(3, 5);
  const students = names.slice(bystanders.length, bystanders.length + count);
  const grader = names[bystanders.length + count];
  const all = [...students, grader];
  const plans = new Map<string, Plan[]>();
  for (const id of all) {
    const others = all.filter((o) => o !== id);
    const n = rng.int(SENDS_MIN, SENDS_MAX + 1);
    plans.set(
      id,
      Array.from({ length: n }, () => ({ atMs: Math.round(rng.uniform(0, SEND_WINDOW_MS) * 1000) / 1000, dest: rng.pick(others), text: rng.pick(TEXTS) })),
    );
  }
  return { students, grader, bystanders, plans };
}

/** The grader's own vector clock (Mattern's rules), used on its node. */
function graderClock(node: Node, report: (kind: "send" | "receive", vector: Vector) => void): { send(dest: string, body: { type: "app"; [f: string]: unknown }): void } {
  const vc: Vector = {};
  node.on("app", (m: Message) => {
    const theirs = m.body.vc;
    if (theirs !== null && typeof theirs === "object") {
      for (const [id, c] of Object.entries(theirs as Record<string, unknown>)) if (typeof c === "number") vc[id] = Math.max(vc[id] ?? 0, c);
    }
    vc[node.id] = (vc[node.id] ?? 0) + 1;
    report("receive", { ...vc });
  });
  return {
    send(dest, body) {
      vc[node.id] = (vc[node.id] ?? 0) + 1;
      node.send(dest, { ...body, vc: { ...vc } });
      report("send", { ...vc });
    },
  };
}

interface Reported {
  kind: unknown;
  vector: unknown;
  timeMs: number;
}

const show = (v: unknown): string => shortValue(v, 100);

function isVector(v: unknown): v is Vector {
  return v !== null && typeof v === "object" && !Array.isArray(v) && Object.values(v as object).every((c) => typeof c === "number" && Number.isFinite(c));
}

/**
 * The rules of a vector clock, checked on a trace against happened-before.
 *
 * @example
 * checkVectors(sim.trace.events, reports, params);
 */
function checkVectors(events: readonly TraceEvent[], reports: Map<string, Reported[]>, p: Params): void {
  const hb = happenedBefore(events, { types: ["app"] });
  const byId = new Map<number, SentMessage>(sentMessages(events, (e) => e.type === "app").map((m) => [m.send.id, m]));
  const participants = [...p.students, p.grader];
  const vectorOf: Vector[] = [];
  const whose = (node: string): string => (node === p.grader ? `the grader's node ${node}` : node);
  const what = (i: number): string => {
    const e = hb.events[i];
    const m = byId.get(e.messageId as number)!;
    return `${e.kind === "send" ? `${whose(e.node)}'s send` : `${whose(e.node)}'s receipt${m.delivered.length > 1 && m.delivered[0].index !== e.traceIndex ? " of the duplicate" : ""}`} of ${describeMessage(m, ["text", "vc"])}`;
  };
  for (const id of participants) {
    const mine = hb.eventsOf(id);
    const got = reports.get(id) ?? [];
    for (let k = 0; k < Math.max(mine.length, got.length); k++) {
      const e = mine[k];
      const r = got[k];
      if (e === undefined || r === undefined || r.kind !== e.kind || !isVector(r.vector)) {
        const sentences = `one report per event, in order: report("send", vector) for each send, report("receive", vector) for each app message that arrives (duplicates too), the vector an object node id → number`;
        const m = e ? byId.get(e.messageId as number) : undefined;
        fail(
          `${id} to call ${sentences}`,
          e === undefined
            ? `${id}'s report #${k + 1} (${String(r.kind)}, ${show(r.vector)}) at t=${r.timeMs}ms matches no send or receipt of an app message (it has ${mine.length} of them)`
            : r === undefined
              ? `no report for ${what(e.index)}`
              : `report #${k + 1} of ${id} was ${JSON.stringify(r.kind)} with ${show(r.vector)}, for ${what(e.index)}`,
          { timeMs: e?.timeMs ?? r?.timeMs, node: id, evidence: m ? [m.send.id] : [] },
        );
      }
      vectorOf[e.index] = r.vector as Vector;
    }
  }
  const checkCarried = (e: HbEvent): void => {
    const m = byId.get(e.messageId as number)!;
    const carried = m.body.vc;
    if (!isVector(carried) || compareVectors(carried, vectorOf[e.index]) !== "equal") {
      fail(
        `the app message ${e.node} sends to carry in vc the vector it reports for that send: ${show(vectorOf[e.index])} ` +
          "(the grader reads the reported vectors when the trial ends, so report a copy you never change)",
        describeMessage(m, ["text", "vc"]),
        { timeMs: e.timeMs, node: e.node, evidence: [m.send.id] },
      );
    }
  };
  const truth = (i: number, j: number): VectorOrder => (hb.before(i, j) ? "before" : hb.before(j, i) ? "after" : "concurrent");
  const words: Record<VectorOrder, string> = {
    before: "the first happened before the second",
    after: "the second happened before the first",
    concurrent: "they are concurrent (neither happened before the other)",
    equal: "they are the same event",
  };
  const checkPairs = (): void => {
    for (let j = 0; j < hb.events.length; j++) {
      for (let i = 0; i < j; i++) {
        const expected = truth(i, j);
        const got = compareVectors(vectorOf[i], vectorOf[j]);
        if (got === expected) continue;
        const ei = hb.events[i];
        const ej = hb.events[j];
        fail(
          `compareVectors to say "${expected}" for ${what(i)} and ${what(j)}: ${words[expected]}`,
          `"${got}": the first was reported with ${show(vectorOf[i])}, the second with ${show(vectorOf[j])}`,
          { timeMs: ej.timeMs, node: ej.node, evidence: [ei.messageId as number, ej.messageId as number] },
        );
      }
    }
  };
  throwEarliest(
    hb.events.filter((e) => e.kind === "send" && p.students.includes(e.node)).map((e) => () => checkCarried(e)),
    checkPairs,
  );
}

async function runVectors(sim: Simulation, impl: VectorClockApi, p: Params): Promise<void> {
  spawnBystanders(sim, p.bystanders);
  const reports = new Map<string, Reported[]>();
  const participant = (clock: typeof graderClock) => (node: Node) => {
    const mine: Reported[] = [];
    reports.set(node.id, mine);
    const api = clock(node, (kind, vector) => void mine.push({ kind, vector, timeMs: node.now() }));
    for (const plan of p.plans.get(node.id) ?? []) node.setTimer(plan.atMs, () => api.send(plan.dest, { type: "app", text: plan.text }), "send app");
  };
  for (const id of p.students) sim.spawn(id, participant((node, report) => impl.vectorClock(node, report)), { role: "clock" });
  sim.spawn(p.grader, participant(graderClock), { role: graderRole("clock") });
  await sim.runFor(TRIAL_MS);
  checkVectors(sim.trace.events, reports, p);
}

/**
 * Grade a vector clock with one seed: {@link TRIALS} trials.
 *
 * @example
 * await checkVectorClock(await import("../../../solutions/06-time-and-concurrency/vector-clock"), 7); // { status: "pass", … }
 */
export function checkVectorClock(impl: VectorClockApi, seed: number): Promise<CheckResult> {
  const scenario: Scenario<VectorClockApi, Params> = {
    name: (p) =>
      `your vectorClock on ${p.students.map((s) => `"${s}"`).join(", ")} and the grader's on "${p.grader}"; each sends ${SENDS_MIN}–${SENDS_MAX} app messages ` +
      `to random others in the first ${SEND_WINDOW_MS} ms; bystanders ${p.bystanders.map((b) => `"${b}"`).join(", ")} spawned first; ` +
      "5% loss, 5% duplication, unordered links, latency 5–40 ms",
    trials: TRIALS,
    params,
    simulation: { network: { latency: latency.uniform(5, 40), lossProbability: 0.05, duplicationProbability: 0.05, ordering: "unordered" } },
    lanes: (p) => [...p.students, p.grader],
    run: (sim, impl, p) => runVectors(sim, impl, p),
  };
  return runScenarios(impl, seed, [scenario], { functions: ["vectorClock"], exercise: "06.1 vector-clock" });
}
