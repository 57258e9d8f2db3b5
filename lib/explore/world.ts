// The state space: a search state ("world") is every node's machine state, disk and incarnation,
// the multiset of messages in flight (kept sorted, so message numbers are canonical) and the faults
// and ticks spent. `choicesOf` lists the enabled steps, `applyChoice` takes one. A host's contract
// is kept as hostMachine keeps it: persist, then send. A crash drops the messages in flight to the
// node (as the simulator does); a message sent to a crashed node is lost at once; a message to an id
// that is not a node (a client) leaves the system. The same code runs in the search and in the
// replay (with a recorder), so a replay is the search's own transition, step for step.
import type { MachineBody, Ready } from "../machine/index";
import { combineOrdered, combineUnordered, hashValue, type Fingerprint } from "./encode";
import type { Choice, ExploreMessage, ExploreOptions, ExploreSystem, ExploreView, NodeSnapshot, Spent } from "./types";

/** A message in flight: the message and its fingerprints (one per renaming, lazily; `fps[0]` is its sort key). */
export interface Flight<M extends MachineBody> extends ExploreMessage<M> {
  fps: Array<Fingerprint | undefined>;
  /** The trace's wire id (replay only), and whether this is a duplicated copy. */
  wire: number;
  copy: boolean;
}

export interface Slot<S> {
  state: S | undefined;
  disk: Readonly<Record<string, unknown>>;
  incarnation: number;
  /** The slot's fingerprint per renaming, filled in lazily (slots are shared between worlds, never changed otherwise). */
  fps?: Array<Fingerprint | undefined>;
  /** `system.view(state)`, computed once for all renamings. */
  viewed?: unknown;
}

export interface World<S, M extends MachineBody> {
  nodes: ReadonlyArray<Slot<S>>;
  /** Sorted by fingerprint (`fps[0]`; equal messages are neighbours, ties keep their order). */
  messages: ReadonlyArray<Flight<M>>;
  spent: Spent;
  depth: number;
}

/** What a replay records: each call is one event of an ordinary run. */
export interface Recorder<M extends MachineBody> {
  send(f: Flight<M>): void;
  /** A message lost at once: to a crashed node (`crashed`), or out of the system (`outside`: not recorded as lost). */
  lost(f: Flight<M>, why: "crashed" | "outside"): void;
  deliver(f: Flight<M>): void;
  drop(f: Flight<M>, why: "loss" | "crashed"): void;
  duplicate(f: Flight<M>): void;
  tick(node: string): void;
  crash(node: string): void;
  restart(node: string, incarnation: number): void;
  state(node: string, from: string | undefined, to: string, cause: string): void;
  persist(node: string, fields: Record<string, unknown>): void;
  nextWire(): number;
}

/** A search's fixed context: the system, its bounds, and the caches the fingerprints use. */
export interface Space<S, M extends MachineBody, P extends object, C> {
  system: ExploreSystem<S, M, P, C>;
  ids: string[];
  index: Map<string, number>;
  bounds: Required<Pick<ExploreOptions<S, M>, "dropsMax" | "duplicatesMax" | "crashesMax" | "restartsMax" | "ticksMax">>;
  crashable: boolean[];
  tickable: boolean[];
  tickableState?: (state: S, id: string) => boolean;
  /** Renamings allowed by symmetry (identity first): node index → node index, and id → id. */
  perms: Array<{ to: number[]; rename: Map<string, string> | undefined }>;
  /** Disk and incarnation are part of a node's identity only when a restart can read them. */
  withDisk: boolean;
}

/** Build the context of a search, checking the system and options (errors name what was wrong). */
export function makeSpace<S, M extends MachineBody, P extends object, C>(system: ExploreSystem<S, M, P, C>, options: ExploreOptions<S, M>): Space<S, M, P, C> {
  if (system === null || typeof system !== "object" || system.machine === undefined) throw new TypeError("explore: system must be { machine, nodes, messages? }");
  if (!Array.isArray(system.nodes) || system.nodes.length === 0) throw new TypeError(`explore(${system.machine.name}): system.nodes must be a non-empty array of { id, config }`);
  const ids = system.nodes.map((n) => n.id);
  const index = new Map<string, number>();
  ids.forEach((id, i) => {
    if (typeof id !== "string" || id === "") throw new TypeError(`explore(${system.machine.name}): node ${i} has no id`);
    if (index.has(id)) throw new TypeError(`explore(${system.machine.name}): node id "${id}" appears twice`);
    index.set(id, i);
  });
  const count = (name: keyof ExploreOptions<S, M>, fallback: number): number => {
    const v = options[name] ?? fallback;
    if (typeof v !== "number" || !(v >= 0) || (Number.isFinite(v) && !Number.isInteger(v))) {
      throw new RangeError(`explore: ${String(name)} must be a whole number ≥ 0 (or Infinity), got ${String(v)}`);
    }
    return v;
  };
  const bounds = {
    dropsMax: count("dropsMax", 0),
    duplicatesMax: count("duplicatesMax", 0),
    crashesMax: count("crashesMax", 0),
    restartsMax: count("restartsMax", 0),
    ticksMax: count("ticksMax", Infinity),
  };
  const known = (list: readonly string[] | undefined, what: string): boolean[] => {
    if (list === undefined) return ids.map(() => true);
    for (const id of list) if (!index.has(id)) throw new RangeError(`explore: ${what} names unknown node "${id}" (nodes: ${ids.join(", ")})`);
    return ids.map((id) => list.includes(id));
  };
  return {
    system,
    ids,
    index,
    bounds,
    crashable: known(options.crashable, "crashable"),
    tickable: typeof options.tickable === "function" ? ids.map(() => true) : known(options.tickable, "tickable"),
    tickableState: typeof options.tickable === "function" ? options.tickable : undefined,
    perms: permutations(ids, index, options.symmetry ?? []),
    withDisk: bounds.restartsMax > 0,
  };
}

const PERMUTATIONS_MAX = 5040;

function permutations(ids: string[], index: Map<string, number>, groups: ReadonlyArray<readonly string[]>): Space<unknown, MachineBody, object, unknown>["perms"] {
  const seen = new Set<string>();
  for (const g of groups) {
    for (const id of g) {
      if (!index.has(id)) throw new RangeError(`explore: symmetry names unknown node "${id}" (nodes: ${ids.join(", ")})`);
      if (seen.has(id)) throw new RangeError(`explore: symmetry names node "${id}" in two groups`);
      seen.add(id);
    }
  }
  let perms: number[][] = [ids.map((_, i) => i)];
  for (const g of groups) {
    const members = g.map((id) => index.get(id)!);
    const next: number[][] = [];
    for (const base of perms) {
      for (const order of orderings(members)) {
        const to = base.slice();
        members.forEach((from, k) => (to[from] = order[k]));
        next.push(to);
      }
    }
    perms = next;
    if (perms.length > PERMUTATIONS_MAX) throw new RangeError(`explore: symmetry allows ${perms.length}+ renamings (at most ${PERMUTATIONS_MAX}); use smaller groups`);
  }
  return perms.map((to, k) => ({ to, rename: k === 0 ? undefined : new Map(ids.map((id, i) => [id, ids[to[i]]])) }));
}

function orderings(items: number[]): number[][] {
  if (items.length <= 1) return [items.slice()];
  const out: number[][] = [];
  items.forEach((x, i) => {
    for (const rest of orderings([...items.slice(0, i), ...items.slice(i + 1)])) out.push([x, ...rest]);
  });
  return out;
}

// ---- building and changing worlds ---------------------------------------------------------------------

function flight<M extends MachineBody>(src: string, dest: string, body: M, wire: number, copy = false): Flight<M> {
  return { src, dest, body, fps: [hashValue([dest, src, body])], wire, copy };
}

function insertSorted<M extends MachineBody>(list: Array<Flight<M>>, f: Flight<M>): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].fps[0]! <= f.fps[0]!) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, f);
}

/** The initial world: every node `init`ed, the system's messages in flight. */
export function initialWorld<S, M extends MachineBody, P extends object, C>(space: Space<S, M, P, C>, rec?: Recorder<M>): World<S, M> {
  const { system } = space;
  const nodes = system.nodes.map((n) => {
    const state = system.machine.init({ id: n.id, config: n.config, seed: n.seed ?? 1 });
    rec?.state(n.id, undefined, describe(space, state), "init");
    return { state, disk: {}, incarnation: 1 };
  });
  const messages: Array<Flight<M>> = [];
  for (const m of system.messages ?? []) {
    if (!space.index.has(m.dest)) throw new RangeError(`explore: initial message ${m.src}->${m.dest} ${m.body?.type}: unknown destination "${m.dest}" (nodes: ${space.ids.join(", ")})`);
    const f = flight(m.src, m.dest, m.body, rec ? rec.nextWire() : 0);
    rec?.send(f);
    insertSorted(messages, f);
  }
  return { nodes, messages, spent: { drops: 0, duplicates: 0, crashes: 0, restarts: 0, ticks: 0 }, depth: 0 };
}

function describe<S>(space: Space<S, MachineBody, object, unknown>, state: S | undefined): string {
  if (state === undefined) return "crashed";
  const d = space.system.machine.describe;
  return d ? d.call(space.system.machine, state) : "running";
}

/**
 * The enabled choices in a world, in a fixed order: deliveries, ticks, drops, duplicates, crashes,
 * restarts. Of several equal messages only the first is offered.
 */
export function choicesOf<S, M extends MachineBody, P extends object, C>(space: Space<S, M, P, C>, w: World<S, M>): Choice[] {
  const out: Choice[] = [];
  const { bounds } = space;
  const distinct: number[] = [];
  for (let i = 0; i < w.messages.length; i++) if (i === 0 || w.messages[i].fps[0] !== w.messages[i - 1].fps[0]) distinct.push(i);
  for (const i of distinct) out.push({ kind: "deliver", message: i });
  if (w.spent.ticks < bounds.ticksMax) {
    w.nodes.forEach((n, i) => {
      if (n.state !== undefined && space.tickable[i] && (space.tickableState === undefined || space.tickableState(n.state, space.ids[i]))) {
        out.push({ kind: "tick", node: space.ids[i] });
      }
    });
  }
  if (w.spent.drops < bounds.dropsMax) for (const i of distinct) out.push({ kind: "drop", message: i });
  if (w.spent.duplicates < bounds.duplicatesMax) for (const i of distinct) out.push({ kind: "duplicate", message: i });
  if (w.spent.crashes < bounds.crashesMax) {
    w.nodes.forEach((n, i) => {
      if (n.state !== undefined && space.crashable[i]) out.push({ kind: "crash", node: space.ids[i] });
    });
  }
  if (w.spent.restarts < bounds.restartsMax) {
    w.nodes.forEach((n, i) => {
      if (n.state === undefined) out.push({ kind: "restart", node: space.ids[i] });
    });
  }
  return out;
}

/** Thrown for a choice that is not enabled in the world it is applied to (a bad replay). */
export class ChoiceError extends Error {
  override name = "ChoiceError";
}

/**
 * The world after one choice, or `undefined` when the choice changes nothing (a tick that leaves the
 * state as it was and sends nothing: a self-loop, not worth a transition). Throws `ChoiceError` for
 * a choice that is not enabled.
 */
export function applyChoice<S, M extends MachineBody, P extends object, C>(space: Space<S, M, P, C>, w: World<S, M>, choice: Choice, rec?: Recorder<M>): World<S, M> | undefined {
  const { machine } = space.system;
  const spent = { ...w.spent };
  const message = (i: number): Flight<M> => {
    const f = w.messages[i];
    if (f === undefined) throw new ChoiceError(`${choice.kind} message ${i}: only ${w.messages.length} message(s) in flight`);
    return f;
  };
  const nodeIndex = (id: string): number => {
    const i = space.index.get(id);
    if (i === undefined) throw new ChoiceError(`${choice.kind} ${id}: unknown node "${id}" (nodes: ${space.ids.join(", ")})`);
    return i;
  };
  switch (choice.kind) {
    case "deliver": {
      const f = message(choice.message);
      const messages = w.messages.slice();
      messages.splice(choice.message, 1);
      const i = space.index.get(f.dest)!;
      const slot = w.nodes[i];
      rec?.deliver(f);
      if (slot.state === undefined) return { ...w, messages, spent, depth: w.depth + 1 }; // cannot happen: crash drops them
      const ready = machine.step(slot.state, { src: f.src, body: f.body });
      return handle(space, { ...w, messages, spent, depth: w.depth + 1 }, i, ready, f.body.type, rec);
    }
    case "tick": {
      const i = nodeIndex(choice.node);
      const slot = w.nodes[i];
      if (slot.state === undefined) throw new ChoiceError(`tick ${choice.node}: the node is crashed`);
      if (!space.tickable[i] || (space.tickableState !== undefined && !space.tickableState(slot.state, choice.node))) throw new ChoiceError(`tick ${choice.node}: the node may not tick here (options.tickable)`);
      if (!(spent.ticks < space.bounds.ticksMax)) throw new ChoiceError(`tick ${choice.node}: ticksMax (${space.bounds.ticksMax}) spent`);
      const ready = machine.tick(slot.state);
      if (ready.state === slot.state && (ready.messages?.length ?? 0) === 0 && (ready.persist === undefined || Object.keys(ready.persist).length === 0)) return undefined;
      rec?.tick(choice.node);
      spent.ticks++;
      return handle(space, { ...w, spent, depth: w.depth + 1 }, i, ready, "tick", rec);
    }
    case "drop": {
      const f = message(choice.message);
      if (!(spent.drops < space.bounds.dropsMax)) throw new ChoiceError(`drop: dropsMax (${space.bounds.dropsMax}) spent`);
      spent.drops++;
      const messages = w.messages.slice();
      messages.splice(choice.message, 1);
      rec?.drop(f, "loss");
      return { ...w, messages, spent, depth: w.depth + 1 };
    }
    case "duplicate": {
      const f = message(choice.message);
      if (!(spent.duplicates < space.bounds.duplicatesMax)) throw new ChoiceError(`duplicate: duplicatesMax (${space.bounds.duplicatesMax}) spent`);
      spent.duplicates++;
      const messages = w.messages.slice();
      const copy: Flight<M> = { ...f, copy: true };
      rec?.duplicate(f);
      messages.splice(choice.message + 1, 0, copy);
      return { ...w, messages, spent, depth: w.depth + 1 };
    }
    case "crash": {
      const i = nodeIndex(choice.node);
      const slot = w.nodes[i];
      if (slot.state === undefined) throw new ChoiceError(`crash ${choice.node}: the node is already crashed`);
      if (!(spent.crashes < space.bounds.crashesMax)) throw new ChoiceError(`crash ${choice.node}: crashesMax (${space.bounds.crashesMax}) spent`);
      spent.crashes++;
      rec?.crash(choice.node);
      const messages = w.messages.filter((f) => {
        if (f.dest !== choice.node) return true;
        rec?.drop(f, "crashed");
        return false;
      });
      const nodes = w.nodes.slice();
      nodes[i] = { state: undefined, disk: slot.disk, incarnation: slot.incarnation };
      rec?.state(choice.node, describe(space, slot.state), "crashed", "crash");
      return { ...w, nodes, messages, spent, depth: w.depth + 1 };
    }
    case "restart": {
      const i = nodeIndex(choice.node);
      const slot = w.nodes[i];
      if (slot.state !== undefined) throw new ChoiceError(`restart ${choice.node}: the node is running; crash it first`);
      if (!(spent.restarts < space.bounds.restartsMax)) throw new ChoiceError(`restart ${choice.node}: restartsMax (${space.bounds.restartsMax}) spent`);
      spent.restarts++;
      const incarnation = slot.incarnation + 1;
      const node = space.system.nodes[i];
      const ctx = { id: node.id, config: node.config, seed: incarnation };
      const state = machine.restore ? machine.restore(ctx, slot.disk as Partial<P>) : machine.init(ctx);
      rec?.restart(node.id, incarnation);
      rec?.state(node.id, undefined, describe(space, state), "restore");
      const nodes = w.nodes.slice();
      nodes[i] = { state, disk: slot.disk, incarnation };
      return { ...w, nodes, spent, depth: w.depth + 1 };
    }
    default:
      throw new ChoiceError(`unknown choice ${JSON.stringify(choice)}`);
  }
}

/** Handle a Ready at node `i` as a host does: persist, then send; the state changes last. */
function handle<S, M extends MachineBody, P extends object, C>(space: Space<S, M, P, C>, w: World<S, M>, i: number, ready: Ready<S, M, P>, cause: string, rec?: Recorder<M>): World<S, M> {
  const slot = w.nodes[i];
  const id = space.ids[i];
  let disk = slot.disk;
  if (ready.persist !== undefined) {
    const keys = Object.keys(ready.persist);
    if (keys.length > 0) {
      disk = { ...disk, ...ready.persist };
      rec?.persist(id, ready.persist as Record<string, unknown>);
    }
  }
  let messages = w.messages as Array<Flight<M>>;
  const out = ready.messages;
  if (out !== undefined && out.length > 0) {
    messages = messages.slice();
    for (const m of out) {
      const f = flight(id, m.dest, m.body, rec ? rec.nextWire() : 0);
      const d = space.index.get(m.dest);
      if (d === undefined) {
        rec?.lost(f, "outside");
      } else if (w.nodes[d].state === undefined && d !== i) {
        rec?.lost(f, "crashed");
      } else {
        rec?.send(f);
        insertSorted(messages, f);
      }
    }
  }
  const nodes = w.nodes.slice();
  nodes[i] = { state: ready.state, disk, incarnation: slot.incarnation, fps: ready.state === slot.state && disk === slot.disk ? slot.fps : undefined };
  if (rec) {
    const before = describe(space, slot.state);
    const after = describe(space, ready.state);
    if (before !== after) rec.state(id, before, after, cause);
  }
  return { ...w, nodes, messages };
}

// ---- fingerprints ---------------------------------------------------------------------------------

const CRASHED = hashValue("\u0000crashed");

function nodeFp<S, M extends MachineBody, P extends object, C>(space: Space<S, M, P, C>, slot: Slot<S>, i: number, p: number): Fingerprint {
  const fps = slot.fps ?? (slot.fps = []);
  let f = fps[p];
  if (f !== undefined) return f;
  const rename = space.perms[p].rename;
  const view = space.system.view;
  const state = slot.state;
  if (state !== undefined && view !== undefined && slot.viewed === undefined) slot.viewed = view(state, space.ids[i]);
  f = state === undefined ? CRASHED : hashValue(view ? slot.viewed : state, rename);
  if (space.withDisk) f = combineOrdered([f, hashValue(slot.disk, rename), slot.incarnation]);
  return (fps[p] = f);
}

function messageFp<M extends MachineBody>(space: Space<unknown, M, object, unknown>, f: Flight<M>, p: number): Fingerprint {
  let fp = f.fps[p];
  if (fp === undefined) fp = f.fps[p] = hashValue([f.dest, f.src, f.body], space.perms[p].rename);
  return fp;
}

/**
 * The world's fingerprint: the smallest over the symmetry's renamings (just one without symmetry).
 * Depth is not part of it; the budget spent is (for bounded faults and ticks).
 */
export function worldFingerprint<S, M extends MachineBody, P extends object, C>(space: Space<S, M, P, C>, w: World<S, M>): Fingerprint {
  const { bounds } = space;
  const spent = [
    bounds.dropsMax > 0 ? w.spent.drops : 0,
    bounds.duplicatesMax > 0 ? w.spent.duplicates : 0,
    bounds.crashesMax > 0 ? w.spent.crashes : 0,
    bounds.restartsMax > 0 ? w.spent.restarts : 0,
    Number.isFinite(bounds.ticksMax) ? w.spent.ticks : 0,
  ];
  let best = Infinity;
  const n = w.nodes.length;
  const parts: Fingerprint[] = new Array(n + 6);
  const mfps: Fingerprint[] = new Array(w.messages.length);
  for (let p = 0; p < space.perms.length; p++) {
    const to = space.perms[p].to;
    for (let i = 0; i < n; i++) parts[to[i]] = nodeFp(space, w.nodes[i], i, p);
    for (let k = 0; k < w.messages.length; k++) mfps[k] = messageFp(space as unknown as Space<unknown, M, object, unknown>, w.messages[k], p);
    parts[n] = combineUnordered(mfps);
    for (let k = 0; k < 5; k++) parts[n + 1 + k] = spent[k];
    const f = combineOrdered(parts);
    if (f < best) best = f;
  }
  return best;
}

/** What properties see of a world (the node list is built only if read). */
export function viewOf<S, M extends MachineBody, P extends object, C>(space: Space<S, M, P, C>, w: World<S, M>): ExploreView<S, M> {
  const states: Record<string, S> = {};
  const crashed: string[] = [];
  for (let i = 0; i < w.nodes.length; i++) {
    const state = w.nodes[i].state;
    if (state === undefined) crashed.push(space.ids[i]);
    else states[space.ids[i]] = state;
  }
  let nodes: Array<NodeSnapshot<S>> | undefined;
  return {
    states,
    get nodes() {
      return (nodes ??= w.nodes.map((slot, i) => ({ id: space.ids[i], state: slot.state, disk: slot.disk, incarnation: slot.incarnation })));
    },
    messages: w.messages,
    crashed,
    depth: w.depth,
    spent: w.spent,
  };
}
