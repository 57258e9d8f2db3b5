// Counterexamples: the replay string, its text, and its replay as an ordinary run with a trace.
//
// The replay string is one token per step, joined by dots, e.g. `d0.d1.t0.x0.d2`:
//   d<i>  deliver message i        l<i>  lose (drop) message i       u<i>  duplicate message i
//   t<n>  tick node n              x<n>  crash node n                r<n>  restart node n
// where a node is its position in `system.nodes` (0 first) and a message its position in the
// multiset of messages in flight at that step, in the order `ExploreView.messages` lists them (by
// fingerprint: arbitrary but fixed, the same for equal states). Like a seed it reproduces the run
// exactly, for the same system.
//
// The replay runs the search's own transition function (world.ts) with a recorder that writes the
// events a simulated run would: spawn, send, deliver, drop, duplicate, timer, crash, restart and
// state changes, one virtual millisecond per step. So `toSequenceDiagram(run.trace)` and
// `toStateDiagram(run.trace)` draw it like any simulator run.
import { formatMessage, type MachineBody } from "../machine/index";
import { Trace, type TraceEvent } from "../trace/index";
import type { Choice, Counterexample, CounterexampleStep, ExploreOptions, ExploreSystem, ReplayRun } from "./types";
import { applyChoice, ChoiceError, initialWorld, makeSpace, viewOf, type Flight, type Recorder, type Space, type World } from "./world";

const LETTER: Record<Choice["kind"], string> = { deliver: "d", drop: "l", duplicate: "u", tick: "t", crash: "x", restart: "r" };
const KIND: Record<string, Choice["kind"]> = { d: "deliver", l: "drop", u: "duplicate", t: "tick", x: "crash", r: "restart" };

/**
 * A replay string that does not parse or does not fit its system (the message names the step).
 *
 * @example try { parseReplay(system, "t9") } catch (e) { e instanceof ReplayError } // true: unknown node 9
 */
export class ReplayError extends Error {
  override name = "ReplayError";
}

/**
 * The compact replay string of a list of choices (see the grammar at the top of replay.ts).
 *
 * @example formatReplay(system, [{ kind: "deliver", message: 0 }, { kind: "crash", node: "c" }]) // "d0.x0"
 */
export function formatReplay(system: Pick<ExploreSystem<unknown, MachineBody, object, unknown>, "nodes">, choices: readonly Choice[]): string {
  const ids = system.nodes.map((n) => n.id);
  return choices
    .map((c, step) => {
      if ("node" in c) {
        const n = ids.indexOf(c.node);
        if (n < 0) throw new ReplayError(`step ${step + 1} (${c.kind} ${c.node}): unknown node "${c.node}" (nodes: ${ids.join(", ")})`);
        return LETTER[c.kind] + n;
      }
      return LETTER[c.kind] + c.message;
    })
    .join(".");
}

/**
 * Parse a replay string into choices for `system`. Errors name the step and what is wrong (an
 * unknown letter, a node number the system does not have). Whether each message number exists is
 * checked when the choices are replayed.
 *
 * @example parseReplay(system, "d0.t2.x0") // [{ kind: "deliver", message: 0 }, { kind: "tick", node: "p2" }, { kind: "crash", node: "c" }]
 */
export function parseReplay(system: Pick<ExploreSystem<unknown, MachineBody, object, unknown>, "nodes">, text: string): Choice[] {
  if (typeof text !== "string") throw new ReplayError(`parseReplay: expected a string, got ${typeof text}`);
  const ids = system.nodes.map((n) => n.id);
  if (text.trim() === "") return [];
  return text
    .trim()
    .split(".")
    .map((token, step): Choice => {
      const m = /^([dlutxr])(\d+)$/.exec(token);
      if (!m) throw new ReplayError(`replay step ${step + 1} "${token}": expected a letter (d deliver, l lose, u duplicate, t tick, x crash, r restart) and a number, as in "d0"`);
      const kind = KIND[m[1]];
      const n = Number(m[2]);
      if (kind === "deliver" || kind === "drop" || kind === "duplicate") return { kind, message: n };
      if (n >= ids.length) throw new ReplayError(`replay step ${step + 1} "${token}": unknown node ${n} (the system has ${ids.length} nodes, 0–${ids.length - 1}: ${ids.join(", ")})`);
      return { kind, node: ids[n] };
    });
}

/** Runs choices from the initial world with a recorder; returns each step's text, the trace and the last world. */
function run<S, M extends MachineBody, P extends object, C>(space: Space<S, M, P, C>, choices: readonly Choice[], withTrace: boolean) {
  const trace = new Trace({ seed: 0, enabled: withTrace });
  let time = 0;
  let wire = 0;
  const sentAt = new Map<number, number>();
  let lines: string[] = [];
  const ref = (f: Flight<M>) => ({ id: f.wire, src: f.src, dest: f.dest, type: f.body.type });
  const record = (e: TraceEvent): void => {
    if (withTrace) trace.record(e);
  };
  const rec: Recorder<M> = {
    nextWire: () => ++wire,
    send: (f) => {
      sentAt.set(f.wire, time);
      const json = JSON.stringify(f.body);
      record({ kind: "send", timeMs: time, ...ref(f), bytes: Buffer.byteLength(json), json });
      lines.push(`sends ${formatMessage(f)}`);
    },
    lost: (f, why) => {
      const json = JSON.stringify(f.body);
      record({ kind: "send", timeMs: time, ...ref(f), bytes: Buffer.byteLength(json), json });
      if (why === "outside") {
        record({ kind: "deliver", timeMs: time, ...ref(f), sentMs: time, duplicate: false });
        lines.push(`sends ${formatMessage(f)} (leaves the system)`);
      } else {
        record({ kind: "drop", timeMs: time, ...ref(f), sentMs: time, reason: "crashed", duplicate: false });
        lines.push(`sends ${formatMessage(f)} (lost: ${f.dest} is crashed)`);
      }
    },
    deliver: (f) => record({ kind: "deliver", timeMs: time, ...ref(f), sentMs: sentAt.get(f.wire) ?? 0, duplicate: f.copy }),
    drop: (f, why) => {
      record({ kind: "drop", timeMs: time, ...ref(f), sentMs: sentAt.get(f.wire) ?? 0, reason: why, duplicate: f.copy });
      if (why === "crashed") lines.push(`loses ${formatMessage(f)}`);
    },
    duplicate: (f) => record({ kind: "duplicate", timeMs: time, ...ref(f) }),
    tick: (node) => record({ kind: "timer", timeMs: time, node, name: "tick", periodic: true }),
    crash: (node) => record({ kind: "crash", timeMs: time, node }),
    restart: (node, incarnation) => record({ kind: "restart", timeMs: time, node, incarnation }),
    state: (node, from, to, cause) => {
      // A crash is its own event (state diagrams draw it as the crashed pseudo-state).
      if (cause !== "crash") record({ kind: "state", timeMs: time, node, role: space.system.machine.name, from, to, cause });
      if (from !== undefined) lines.push(`${node} ${from} → ${to}`);
    },
    persist: (node, fields) => lines.push(`${node} persists ${JSON.stringify(fields)}`),
  };
  for (const id of space.ids) record({ kind: "spawn", timeMs: 0, node: id, role: space.system.machine.name });
  let world: World<S, M> = initialWorld(space, rec);
  lines = [];
  const steps: CounterexampleStep[] = [];
  choices.forEach((choice, k) => {
    time = k + 1;
    const head = headline(space, world, choice, k);
    let next: World<S, M> | undefined;
    try {
      next = applyChoice(space, world, choice, rec);
    } catch (err) {
      if (err instanceof ChoiceError) throw new ReplayError(`replay step ${k + 1} (${head}): ${err.message}`);
      throw err;
    }
    if (next === undefined) lines.push("(no change)");
    else world = next;
    steps.push({ choice, text: `${k + 1}. ${head}${lines.length > 0 ? ": " + lines.join("; ") : ""}` });
    lines = [];
  });
  return { trace, world, steps };
}

function headline<S, M extends MachineBody, P extends object, C>(space: Space<S, M, P, C>, w: World<S, M>, c: Choice, k: number): string {
  if ("node" in c) return `${c.kind} ${c.node}`;
  const f = w.messages[c.message];
  if (f === undefined) throw new ReplayError(`replay step ${k + 1} (${c.kind} message ${c.message}): only ${w.messages.length} message(s) in flight`);
  const verb = c.kind === "drop" ? "drop" : c.kind;
  return `${verb} ${formatMessage(f)}`;
}

/** @internal The counterexample of a path the search found. */
export function counterexampleOf<S, M extends MachineBody, P extends object, C>(space: Space<S, M, P, C>, choices: Choice[]): Counterexample<S, M> {
  const { world, steps } = run(space, choices, false);
  return { choices, replay: formatReplay(space.system, choices), steps, final: viewOf(space, world) };
}

/**
 * A counterexample as text, one line per step: who, what, and what changed (persists, sends, state
 * names), then the property's problems if given.
 *
 * @example console.log(formatCounterexample(report.verdict.counterexample))
 * // 1. deliver client->c begin {"txn":"t1"}: sends c->p1 prepare {"txn":"t1"}; ...; c idle → preparing
 */
export function formatCounterexample(counterexample: Pick<Counterexample<unknown, MachineBody>, "steps" | "replay">): string {
  return [...counterexample.steps.map((s) => s.text), `replay: ${counterexample.replay || "(no steps)"}`].join("\n");
}

/**
 * Replay choices (a list, or a replay string) as an ordinary run: the search's own transitions,
 * recorded as a trace with sends, deliveries, drops, duplicates, ticks (timer events), crashes,
 * restarts and state changes, one virtual millisecond per step. The run ends in the same state the
 * search reached (`final`).
 *
 * @example
 * const run = replayInSimulator(system, report.verdict.counterexample.choices);
 * await showMermaid(toSequenceDiagram(run.trace));
 * await showMermaid(toStateDiagram(run.trace));
 */
export function replayInSimulator<S, M extends MachineBody, P extends object, C>(
  system: ExploreSystem<S, M, P, C>,
  choices: readonly Choice[] | string,
  options: Pick<ExploreOptions<S, M>, "dropsMax" | "duplicatesMax" | "crashesMax" | "restartsMax" | "ticksMax" | "crashable" | "tickable"> = {},
): ReplayRun<S, M> {
  const list = typeof choices === "string" ? parseReplay(system, choices) : choices;
  // Replays take the bounds as given, or wide enough for the choices themselves.
  const count = (kind: Choice["kind"]): number => list.filter((c) => c.kind === kind).length;
  const space = makeSpace(system, {
    dropsMax: options.dropsMax ?? count("drop"),
    duplicatesMax: options.duplicatesMax ?? count("duplicate"),
    crashesMax: options.crashesMax ?? count("crash"),
    restartsMax: options.restartsMax ?? count("restart"),
    ticksMax: options.ticksMax ?? Infinity,
    crashable: options.crashable,
    tickable: options.tickable,
  });
  const { trace, world, steps } = run(space, list, true);
  return { trace, final: viewOf(space, world), steps };
}
