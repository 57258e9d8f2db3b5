// The search: breadth-first (a FIFO queue: the first violation found is at the smallest depth, so
// its counterexample is a shortest one) or depth-first (a LIFO stack of its own, bounded by
// depthMax), over one visited set of fingerprints. As in DSLabs' search and Stateright's bfs.rs,
// each frontier entry keeps a link to its parent's path, so a counterexample is the path back to
// the root; nothing else about visited states is kept.
//
// Invariants are checked when a state is first found; "eventually" properties when a state is
// expanded and turns out terminal (no choice changes anything), and, with `eventuallyAtBound`, at
// states cut by the depth bound or the boundary.
import type { MachineBody } from "../machine/index";
import type { Fingerprint } from "./encode";
import { counterexampleOf } from "./replay";
import type { Choice, ExploreOptions, ExploreProgress, ExploreProperty, ExploreReport, ExploreSystem, ExploreVerdict, PropertyResult } from "./types";
import { applyChoice, choicesOf, initialWorld, makeSpace, viewOf, worldFingerprint, type Space, type World } from "./world";

interface PathLink {
  choice: Choice;
  prev: PathLink | null;
}

interface Entry<S, M extends MachineBody> {
  world: World<S, M>;
  path: PathLink | null;
}

const PROGRESS_EVERY = 10_000;

/**
 * Search every state of `system` reachable within the bounds, checking `invariants` in each and
 * `eventually` properties in terminal states; stop at the first violation (with a counterexample),
 * when everything is explored (`exhausted`), or when `statesMax` / `transitionsMax` is hit
 * (`bound-reached`: said as such, never as a pass).
 *
 * @example
 * const report = explore(system, { invariants: [{ name: "AC1", check: (v) => atomicCommitViolations(v.states) }] });
 * report.verdict.kind; // "exhausted"
 * console.log(report.summary);
 */
export function explore<S, M extends MachineBody, P extends object, C>(system: ExploreSystem<S, M, P, C>, options: ExploreOptions<S, M> = {}): ExploreReport<S, M> {
  const space = makeSpace(system, options);
  const strategy = options.strategy ?? "bfs";
  if (strategy !== "bfs" && strategy !== "dfs") throw new RangeError(`explore: strategy must be "bfs" or "dfs", got ${JSON.stringify(strategy)}`);
  const positive = (name: "depthMax" | "statesMax" | "transitionsMax" | "inFlightMax" | "progressEvery", fallback: number): number => {
    const v = options[name] ?? fallback;
    if (typeof v !== "number" || !(v >= 0) || (Number.isFinite(v) && !Number.isInteger(v))) {
      throw new RangeError(`explore: ${name} must be a whole number ≥ 0 (or Infinity), got ${String(v)}`);
    }
    return v;
  };
  const depthMax = positive("depthMax", strategy === "dfs" ? 50 : Infinity);
  const statesMax = positive("statesMax", Infinity);
  const transitionsMax = positive("transitionsMax", Infinity);
  const inFlightMax = positive("inFlightMax", Infinity);
  const progressEvery = Math.max(1, positive("progressEvery", PROGRESS_EVERY));
  const invariants = options.invariants ?? [];
  const eventually = options.eventually ?? [];
  const atBound = options.eventuallyAtBound ?? false;
  const clock = options.clock;
  const t0 = clock ? clock() : 0;

  let states = 0;
  let transitions = 0;
  let depth = 0;
  let frontierPeak = 0;
  let terminal = 0;
  let cutByDepth = 0;
  let cutByBoundary = 0;
  let nextProgress = progressEvery;

  const visitedSet = new Set<Fingerprint>(); // BFS: a state is first found at its least depth
  const visitedDepth = new Map<Fingerprint, number>(); // DFS: re-expand a state found again at a smaller depth
  const frontier: Array<Entry<S, M>> = [];
  let head = 0;

  const progress = (): ExploreProgress => {
    const elapsedMs = clock ? clock() - t0 : 0;
    return { states, transitions, frontier: frontier.length - head, depth, elapsedMs, statesPerSecond: elapsedMs > 0 ? (states * 1000) / elapsedMs : 0 };
  };
  const finish = (verdict: ExploreVerdict<S, M>): ExploreReport<S, M> => {
    options.onProgress?.(progress());
    const report = { strategy, states, transitions, depth, frontierPeak, terminal, cutByDepth, cutByBoundary, exhausted: verdict.kind === "exhausted", verdict };
    return { ...report, summary: summarize(system.machine.name, report, { depthMax, statesMax, transitionsMax }) };
  };
  const violated = (entry: Entry<S, M>, property: string, where: "state" | "terminal" | "bound", problems: string[]): ExploreReport<S, M> => {
    const choices: Choice[] = [];
    for (let l = entry.path; l !== null; l = l.prev) choices.push(l.choice);
    choices.reverse();
    return finish({ kind: "violated", property, where, problems, counterexample: counterexampleOf(space, choices) });
  };
  const failing = (world: World<S, M>, props: ReadonlyArray<ExploreProperty<S, M>>): { name: string; problems: string[] } | undefined => {
    if (props.length === 0) return undefined;
    const view = viewOf(space, world);
    for (const p of props) {
      const problems = problemsOf(p, p.check(view));
      if (problems.length > 0) return { name: p.name, problems };
    }
    return undefined;
  };
  const discover = (entry: Entry<S, M>, fp: Fingerprint): ExploreReport<S, M> | "budget" | undefined => {
    if (strategy === "bfs") {
      if (visitedSet.has(fp)) return undefined;
      visitedSet.add(fp);
      states++;
    } else {
      const seen = visitedDepth.get(fp);
      if (seen !== undefined && seen <= entry.world.depth) return undefined;
      if (seen === undefined) states++;
      visitedDepth.set(fp, entry.world.depth);
    }
    if (entry.world.depth > depth) depth = entry.world.depth;
    const bad = failing(entry.world, invariants);
    if (bad) return violated(entry, bad.name, "state", bad.problems);
    frontier.push(entry);
    if (frontier.length - head > frontierPeak) frontierPeak = frontier.length - head;
    if (states >= nextProgress) {
      nextProgress += progressEvery;
      options.onProgress?.(progress());
    }
    return states >= statesMax ? "budget" : undefined;
  };

  const w0 = initialWorld(space);
  const first = discover({ world: w0, path: null }, worldFingerprint(space, w0));
  if (first === "budget") return finish({ kind: "bound-reached", limit: "states" });
  if (first) return first;

  while (frontier.length > head) {
    let entry: Entry<S, M>;
    if (strategy === "bfs") {
      entry = frontier[head];
      frontier[head++] = undefined as unknown as Entry<S, M>; // let the expanded world go
      if (head > 65536 && head * 2 > frontier.length) {
        frontier.splice(0, head);
        head = 0;
      }
    } else {
      entry = frontier.pop()!;
    }
    const world = entry.world;
    const cut = world.depth >= depthMax ? "depth" : world.messages.length > inFlightMax || (options.boundary && !options.boundary(viewOf(space, world))) ? "boundary" : undefined;
    if (cut !== undefined) {
      if (cut === "depth") cutByDepth++;
      else cutByBoundary++;
      if (atBound) {
        const bad = failing(world, eventually);
        if (bad) return violated(entry, bad.name, "bound", bad.problems);
      }
      continue;
    }
    let moved = false;
    for (const choice of choicesOf(space, world)) {
      const next = applyChoice(space, world, choice);
      if (next === undefined) continue;
      moved = true;
      transitions++;
      const found = discover({ world: next, path: { choice, prev: entry.path } }, worldFingerprint(space, next));
      if (found === "budget") return finish({ kind: "bound-reached", limit: "states" });
      if (found) return found;
      if (transitions >= transitionsMax) return finish({ kind: "bound-reached", limit: "transitions" });
    }
    if (!moved) {
      terminal++;
      const bad = failing(world, eventually);
      if (bad) return violated(entry, bad.name, "terminal", bad.problems);
    }
  }
  return finish({ kind: "exhausted" });
}

/**
 * The problems a property check reported, as a list (empty when it holds).
 *
 * @example problemsOf({ name: "one leader", check: () => false }, false) // ["one leader"]
 */
export function problemsOf(property: { name: string }, result: PropertyResult): string[] {
  if (result === undefined || result === true || result === "") return [];
  if (result === false) return [property.name];
  if (typeof result === "string") return [result];
  if (Array.isArray(result)) return result.slice();
  throw new TypeError(`property "${property.name}": check must return a boolean, a string or a list of strings, got ${JSON.stringify(result)}`);
}

function summarize(
  name: string,
  r: { strategy: string; states: number; transitions: number; depth: number; cutByDepth: number; cutByBoundary: number; terminal: number; verdict: ExploreVerdict<unknown, MachineBody> },
  b: { depthMax: number; statesMax: number; transitionsMax: number },
): string {
  const counts = `${r.strategy.toUpperCase()} over ${name}: ${r.states} states, ${r.transitions} transitions, depth ${r.depth}, ${r.terminal} terminal`;
  const cuts = [r.cutByDepth > 0 ? `${r.cutByDepth} states cut at depth ${b.depthMax}` : "", r.cutByBoundary > 0 ? `${r.cutByBoundary} cut by the boundary` : ""].filter(Boolean).join(", ");
  const v = r.verdict;
  switch (v.kind) {
    case "violated": {
      const where = v.where === "state" ? "invariant" : v.where === "terminal" ? "eventually property, in a terminal state" : `eventually property, at the bound (the run may just not have finished)`;
      return `${counts}. VIOLATED ${v.property} (${where}) after ${v.counterexample.choices.length} steps: ${v.problems.join("; ")}. Replay: ${v.counterexample.replay}`;
    }
    case "exhausted":
      return `${counts}. No violation: every state within the bounds was explored${cuts ? ` (${cuts}: nothing beyond was explored)` : ""}.`;
    case "bound-reached":
      return `${counts}. Bound reached (${v.limit === "states" ? `statesMax ${b.statesMax}` : `transitionsMax ${b.transitionsMax}`}) before the search was exhausted: no violation found so far, nothing proved.`;
  }
}
