/**
 * The viewer's playback model: what a run looks like at any virtual time, computed from its trace.
 *
 * {@link playbackModel} reads the events once and keeps intervals: each copy of a message from its
 * send to its delivery or drop, each node's crashes, the network's faults after each change, the
 * states nodes declared and the timers that fired. {@link frameAt} answers "what is on screen at
 * time t" from those: the copies in flight (with their progress along the link), the drops just
 * marked, which nodes are crashed, the cut links and each node's state. The page's script does the
 * same sums in the browser (page-script.ts), so the two are tested against each other.
 *
 * At one instant, every event at or before `t` has happened: a message delivered at `t` is no
 * longer in flight, a node crashed at `t` is crashed.
 */
import type { TraceEvent } from "../trace/index";
import { savedTraceOf, type TraceMeta, type ViewerSource } from "./trace-file";

/** How a copy of a message ended. */
export type CopyFate = "delivered" | "dropped" | "pending";

/** One copy of a message on the wire (a duplicate is a second copy of the same send). */
export interface MessageCopy {
  /** `id` for the first copy, `id.2`, `id.3` … for duplicates. */
  key: string;
  /** The wire id (the `send` event's `id`). */
  id: number;
  src: string;
  dest: string;
  type: string;
  /** True for an extra copy made by the duplication fault or a rule. */
  duplicate: boolean;
  sentMs: number;
  /** When it was delivered or dropped; Infinity for a copy still on the wire when the trace ends. */
  endMs: number;
  fate: CopyFate;
  /** Why it was dropped (a `DropReason`, or `rule "name"`). */
  reason?: string;
  /** The body as JSON text ("" when the trace lost its send). */
  json: string;
}

/** A time a node was down: crashed (until it restarted) or gone for good (`sim.leave`). */
export interface DownInterval {
  node: string;
  kind: "crashed" | "left";
  fromMs: number;
  /** Infinity when it never came back. */
  toMs: number;
  /** Index of the crash in the trace (orders events at one instant). */
  seq: number;
}

/** The network's faults from a time on. */
export interface NetworkState {
  atMs: number;
  /** The partition's groups (empty: no partition). */
  groups: string[][];
  /** One-way cuts `[from, to]`. */
  cuts: Array<[string, string]>;
  /** Nodes cut off from every other. */
  isolated: string[];
}

/** A state a node declared. */
export interface StateChange {
  atMs: number;
  node: string;
  role: string;
  state: string;
  seq: number;
}

/** A timer that fired. */
export interface TimerFire {
  atMs: number;
  node: string;
  name: string;
}

/** Where the viewer draws a node, in the SVG's coordinates. */
export interface NodePlace {
  x: number;
  y: number;
  /** Index of its group in `groups` (0 without named groups). */
  group: number;
}

/** Everything the viewer needs to draw a run at any time. */
export interface PlaybackModel {
  title?: string;
  /** A line shown under the title (a grader's finding, say). */
  note?: string;
  seed?: number;
  /** Every node, in drawing order (by group, then spawn order). */
  nodes: string[];
  /** Named groups (one unnamed group `""` when none were given). */
  groups: Array<{ name: string; nodes: string[] }>;
  places: Record<string, NodePlace>;
  /** Width and height of the drawing (the SVG's viewBox). */
  size: { width: number; height: number };
  /** Message types, sorted. */
  types: string[];
  startMs: number;
  endMs: number;
  /** The times the picture changes (a send, an arrival, a drop, a fault, a state, a timer), ascending: what step next/previous visits. */
  times: number[];
  copies: MessageCopy[];
  down: DownInterval[];
  /** Nodes that joined after the start, and when. */
  joinedMs: Record<string, number>;
  /** Network faults after each change (the first entry, at -Infinity, has none). */
  network: NetworkState[];
  states: StateChange[];
  timers: TimerFire[];
  /**
   * How long a drop mark and a timer ring stay on screen; also the flight a copy still on the wire at
   * the end is drawn over. The median flight time of the run's delivered copies, unless given.
   */
  markMs: number;
}

/** A copy on screen at some time. */
export interface CopyOnScreen {
  key: string;
  id: number;
  src: string;
  dest: string;
  type: string;
  duplicate: boolean;
  /** 0 at the sender, 1 at the receiver. */
  progress: number;
}

/** What the viewer shows at one time. */
export interface PlaybackFrame {
  timeMs: number;
  /** Copies between send and arrival (or drop), in send order. */
  inFlight: CopyOnScreen[];
  /** Copies dropped within the last `markMs`: drawn as a mark where they vanished. */
  dropped: Array<CopyOnScreen & { reason: string }>;
  /** Nodes crashed now (not restarted yet). */
  crashed: string[];
  /** Nodes that left for good. */
  left: string[];
  /** Nodes that have not joined yet. */
  absent: string[];
  /** Each node's last declared state in its current incarnation. */
  states: Record<string, { role: string; state: string }>;
  /** The network's faults now. */
  network: NetworkState;
  /** Timers that fired within the last `markMs`. */
  timers: TimerFire[];
}

/** Options of {@link playbackModel}. */
export interface PlaybackOptions {
  /** A caption (default: the saved trace's title, or none). */
  title?: string;
  /** A line under the caption (default: the saved trace's `meta.note`, or none). */
  note?: string;
  /** Named groups of nodes, drawn apart on the circle (default: the saved trace's, or none). */
  groups?: Record<string, string[]>;
  /** Start the time axis here (default: the first event). */
  fromMs?: number;
  /** End the time axis here (default: the last event). */
  toMs?: number;
  /** How long a drop mark and a timer ring stay (default: the median flight time). */
  markMs?: number;
}

/** The drawing's size: nodes on a circle in a square. */
const SIZE = 560;
const RADIUS = 210;
/** Where a copy dropped as it was sent (loss, a cut link) is marked along its link. @example frameAt(model, 3).dropped[0].progress === DROP_AT_SEND_PROGRESS */
export const DROP_AT_SEND_PROGRESS = 0.25;
/** Where a copy dropped on arrival (its receiver crashed, a partition) is marked along its link. @example frameAt(model, 15).dropped[0].progress === DROP_AT_ARRIVAL_PROGRESS */
export const DROP_AT_ARRIVAL_PROGRESS = 0.85;
/** Where a copy still on the wire at the end of the trace stops (it never arrives). */
const PENDING_PROGRESS_MAX = 0.9;

/**
 * The playback model of a run (see the module comment).
 *
 * @example
 * const model = playbackModel(sim.trace);
 * frameAt(model, 12).inFlight.map((c) => c.key); // ["4", "5.2"]
 */
export function playbackModel(source: ViewerSource, options: PlaybackOptions = {}): PlaybackModel {
  const saved = savedTraceOf(source);
  const events = saved.events;
  const meta: TraceMeta = saved.meta;
  const copies: MessageCopy[] = [];
  const sends = new Map<number, { json: string; copies: number }>();
  const firstCopy = new Map<number, MessageCopy>();
  const down: DownInterval[] = [];
  const openDown = new Map<string, DownInterval>();
  const joinedMs: Record<string, number> = {};
  const network: NetworkState[] = [{ atMs: -Infinity, groups: [], cuts: [], isolated: [] }];
  const states: StateChange[] = [];
  const timers: TimerFire[] = [];
  const times = new Set<number>();
  const types = new Set<string>();
  let startMs = Infinity;
  let endMs = -Infinity;

  const copyOf = (e: TraceEvent & { kind: "send" | "deliver" | "drop" }, sentMs: number, duplicate: boolean): MessageCopy => {
    const send = sends.get(e.id);
    const n = duplicate ? ++send!.copies : 1;
    return { key: n === 1 ? `${e.id}` : `${e.id}.${n}`, id: e.id, src: e.src, dest: e.dest, type: e.type, duplicate, sentMs, endMs: Infinity, fate: "pending", json: send?.json ?? "" };
  };

  events.forEach((e, seq) => {
    startMs = Math.min(startMs, e.timeMs);
    endMs = Math.max(endMs, e.timeMs);
    switch (e.kind) {
      case "send": {
        sends.set(e.id, { json: e.json, copies: 1 });
        const c = copyOf(e, e.timeMs, false);
        firstCopy.set(e.id, c);
        copies.push(c);
        types.add(e.type);
        times.add(e.timeMs);
        return;
      }
      case "duplicate": {
        // An extra copy on the wire: it ends with a `deliver` or `drop` marked `duplicate`.
        if (!sends.has(e.id)) sends.set(e.id, { json: "", copies: 1 });
        const c = copyOf({ ...e, kind: "send" } as TraceEvent & { kind: "send" }, e.timeMs, true);
        c.json = sends.get(e.id)!.json;
        copies.push(c);
        types.add(e.type);
        return;
      }
      case "deliver":
      case "drop": {
        types.add(e.type);
        times.add(e.timeMs);
        let c: MessageCopy | undefined;
        if (!e.duplicate) c = firstCopy.get(e.id);
        else c = copies.find((x) => x.id === e.id && x.duplicate && x.fate === "pending");
        if (c === undefined || c.fate !== "pending") {
          // The trace lost the send (a bounded trace): the copy starts at its sentMs.
          if (!sends.has(e.id)) sends.set(e.id, { json: "", copies: 0 });
          c = copyOf(e, e.sentMs, e.duplicate);
          if (!e.duplicate) firstCopy.set(e.id, c);
          copies.push(c);
        }
        c.endMs = e.timeMs;
        if (e.kind === "deliver") c.fate = "delivered";
        else {
          c.fate = "dropped";
          c.reason = e.reason === "rule" && e.rule !== undefined ? `rule "${e.rule}"` : e.reason;
        }
        return;
      }
      case "crash":
      case "leave": {
        const d: DownInterval = { node: e.node, kind: e.kind === "crash" ? "crashed" : "left", fromMs: e.timeMs, toMs: Infinity, seq };
        closeDown(openDown, e.node, e.timeMs);
        down.push(d);
        openDown.set(e.node, d);
        times.add(e.timeMs);
        return;
      }
      case "restart":
        closeDown(openDown, e.node, e.timeMs);
        times.add(e.timeMs);
        return;
      case "spawn":
        if (e.timeMs > 0 && joinedMs[e.node] === undefined) joinedMs[e.node] = e.timeMs;
        return;
      case "partition":
      case "cut":
      case "isolate":
      case "heal":
        network.push(nextNetwork(network[network.length - 1], e));
        times.add(e.timeMs);
        return;
      case "state":
        states.push({ atMs: e.timeMs, node: e.node, role: e.role, state: e.to, seq });
        times.add(e.timeMs);
        return;
      case "timer":
        timers.push({ atMs: e.timeMs, node: e.node, name: e.name });
        times.add(e.timeMs);
        return;
      default:
        return;
    }
  });
  if (startMs === Infinity) startMs = endMs = 0;

  const flights = copies.filter((c) => c.fate === "delivered" && c.endMs > c.sentMs).map((c) => c.endMs - c.sentMs).sort((a, b) => a - b);
  const markMs = options.markMs ?? (flights.length > 0 ? flights[Math.floor(flights.length / 2)] : 1);
  const groupsGiven = options.groups ?? meta.groups;
  const { nodes, groups, places } = layout(meta.nodes, groupsGiven);
  return {
    ...(options.title ?? meta.title ? { title: options.title ?? meta.title } : {}),
    ...(options.note ?? meta.note ? { note: options.note ?? meta.note } : {}),
    ...(meta.seed !== undefined ? { seed: meta.seed } : {}),
    nodes,
    groups,
    places,
    size: { width: SIZE, height: SIZE },
    types: [...types].sort(),
    startMs: options.fromMs ?? startMs,
    endMs: options.toMs ?? endMs,
    times: [...times].sort((a, b) => a - b),
    copies,
    down,
    joinedMs,
    network,
    states,
    timers,
    markMs,
  };
}

function closeDown(open: Map<string, DownInterval>, node: string, atMs: number): void {
  const d = open.get(node);
  if (d && d.toMs === Infinity) d.toMs = atMs;
  open.delete(node);
}

/** The network's faults after a partition, cut, isolation or heal. */
function nextNetwork(prev: NetworkState, e: TraceEvent): NetworkState {
  const next: NetworkState = { atMs: e.timeMs, groups: prev.groups, cuts: prev.cuts, isolated: prev.isolated };
  if (e.kind === "partition") next.groups = e.groups.map((g) => [...g]);
  else if (e.kind === "cut") next.cuts = [...prev.cuts, [e.from, e.to]];
  else if (e.kind === "isolate") next.isolated = [...prev.isolated, e.node];
  else if (e.kind === "heal") {
    if (e.isolated !== undefined) next.isolated = prev.isolated.filter((n) => n !== e.isolated);
    else if (e.between !== undefined) {
      const [a, b] = e.between;
      next.cuts = prev.cuts.filter(([f, t]) => !((f === a && t === b) || (f === b && t === a)));
    } else if (e.from !== undefined && e.to !== undefined) next.cuts = prev.cuts.filter(([f, t]) => !(f === e.from && t === e.to));
    else return { atMs: e.timeMs, groups: [], cuts: [], isolated: [] };
  }
  return next;
}

/** Nodes on a circle in spawn order; named groups take arcs of their own, with a gap between them. */
function layout(all: readonly string[], groupsGiven: Record<string, string[]> | undefined): Pick<PlaybackModel, "nodes" | "groups" | "places"> {
  const groups: Array<{ name: string; nodes: string[] }> = [];
  const placed = new Set<string>();
  for (const [name, members] of Object.entries(groupsGiven ?? {})) {
    const nodes = members.filter((n) => !placed.has(n));
    nodes.forEach((n) => placed.add(n));
    groups.push({ name, nodes });
  }
  const rest = all.filter((n) => !placed.has(n));
  if (rest.length > 0 || groups.length === 0) groups.push({ name: groups.length > 0 ? "other" : "", nodes: rest });
  const nodes = groups.flatMap((g) => g.nodes);
  const gaps = groups.length > 1 ? groups.length : 0;
  const slots = Math.max(1, nodes.length + gaps);
  const places: Record<string, NodePlace> = {};
  let slot = 0;
  groups.forEach((g, gi) => {
    for (const n of g.nodes) {
      const angle = -Math.PI / 2 + (2 * Math.PI * slot++) / slots;
      places[n] = { x: round(SIZE / 2 + RADIUS * Math.cos(angle)), y: round(SIZE / 2 + RADIUS * Math.sin(angle)), group: gi };
    }
    if (gaps > 0) slot++;
  });
  return { nodes, groups, places };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

/**
 * What is on screen at `timeMs` (see {@link PlaybackFrame}).
 *
 * @example
 * const frame = frameAt(playbackModel(sim.trace), 20);
 * frame.crashed;                     // ["n2"]
 * frame.inFlight.map((c) => c.key);  // ["7"]
 * frame.states.n1;                   // { role: "raft", state: "leader" }
 */
export function frameAt(model: PlaybackModel, timeMs: number): PlaybackFrame {
  const t = timeMs;
  const inFlight: CopyOnScreen[] = [];
  const dropped: Array<CopyOnScreen & { reason: string }> = [];
  for (const c of model.copies) {
    if (c.sentMs > t) continue;
    const on = { key: c.key, id: c.id, src: c.src, dest: c.dest, type: c.type, duplicate: c.duplicate };
    if (t < c.endMs) {
      const progress = c.endMs === Infinity ? Math.min(PENDING_PROGRESS_MAX, (t - c.sentMs) / model.markMs) : (t - c.sentMs) / (c.endMs - c.sentMs);
      inFlight.push({ ...on, progress });
    } else if (c.fate === "dropped" && t < c.endMs + model.markMs) {
      dropped.push({ ...on, progress: c.endMs > c.sentMs ? DROP_AT_ARRIVAL_PROGRESS : DROP_AT_SEND_PROGRESS, reason: c.reason ?? "" });
    }
  }
  const crashed: string[] = [];
  const left: string[] = [];
  const lastDown = new Map<string, number>();
  for (const d of model.down) {
    if (d.fromMs > t) continue;
    lastDown.set(d.node, d.seq);
    if (t < d.toMs) (d.kind === "crashed" ? crashed : left).push(d.node);
  }
  const absent = model.nodes.filter((n) => model.joinedMs[n] !== undefined && model.joinedMs[n] > t);
  const states: Record<string, { role: string; state: string }> = {};
  for (const s of model.states) {
    if (s.atMs > t) break;
    if (s.seq > (lastDown.get(s.node) ?? -1)) states[s.node] = { role: s.role, state: s.state };
    else delete states[s.node];
  }
  let network = model.network[0];
  for (const n of model.network) if (n.atMs <= t) network = n;
  const timers = model.timers.filter((f) => f.atMs <= t && t < f.atMs + model.markMs);
  return { timeMs: t, inFlight, dropped, crashed: unique(crashed), left: unique(left), absent, states, network, timers };
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
