import { ConfigError, toMicros } from "../sim/errors";
import type { Prng } from "../sim/prng";
import { sampleLatency, type Latency } from "./latency";
import { defaultNetworkOptions, resolveNetworkOptions, type NetworkOptions, type ResolvedNetworkOptions } from "./options";
import type { DropReason } from "../trace/events";

/** What the network decided for one message. */
export type Route =
  | { delivered: false; reason: DropReason }
  /** Deliver at `atMs`; if `duplicateAtMs` is set, deliver a second copy then. */
  | { delivered: true; atMs: number; duplicateAtMs?: number };

const NO_GROUP = -1;
/** Links between the first DENSE_LINKS nodes keep their FIFO state in dense rows (fast); others in a map. */
const DENSE_LINKS = 1024;

/**
 * The simulated network: one-way delays, loss, duplication, FIFO or unordered links, bandwidth,
 * and scriptable faults (partitions, one-way cuts, isolated nodes, heal). It decides the fate of
 * each message; the simulation schedules the delivery and records the trace.
 *
 * Each fault decision is one line, in a fixed order per message: loss, then delay, then duplication
 * (and the duplicate's delay). Every directed link draws them from its own PRNG, split from the
 * network's by the two node ids, so traffic on one link never changes the fate of another link's
 * messages, and adding a node changes nothing for the others.
 *
 * @example
 * const net = new Network(new Prng(1).split("network"), { lossProbability: 0.1 });
 * const a = net.addNode("a"), b = net.addNode("b");
 * net.routeLink(a, b, 20, 0); // { delivered: true, atMs: 1 } — or { delivered: false, reason: "loss" }
 */
export class Network {
  private opts: ResolvedNetworkOptions;
  private readonly prng: Prng;
  private readonly index = new Map<string, number>();
  /** Partition group per node index; NO_GROUP when there is no partition. */
  private groupOf: number[] = [];
  private partitioned = false;
  /** One-way cuts, as "fromIndex,toIndex". */
  private readonly cuts = new Set<number>();
  private readonly isolated = new Set<number>();
  /** True while any partition, cut or isolation is in force (lets the common case skip the checks). */
  private faulty = false;
  /**
   * FIFO: the latest scheduled delivery time per directed link. Links between the first
   * DENSE_LINKS nodes use `fifoRows[from][to]` (a row is made when `from` first sends; 0 means
   * nothing sent yet, as times are ≥ 0); other links use a map of cells keyed like `cuts`.
   */
  private readonly fifoRows: Array<Float64Array | undefined> = [];
  private readonly fifoCells = new Map<number, { ms: number }>();
  /** Bandwidth: when each directed link finishes sending what it has queued (key as `cuts`). */
  private readonly linkBusyUntilMs = new Map<number, number>();
  private linkLatency = new Map<number, Latency>();
  /** Node ids by link index. */
  private readonly ids: string[] = [];
  /** Per-link PRNGs: rows for links between the first DENSE_LINKS nodes, a map for the rest. */
  private readonly prngRows: Array<Array<Prng | undefined> | undefined> = [];
  private readonly prngCells = new Map<number, Prng>();
  /** Partition groups as given, for display. */
  private groups: string[][] = [];

  constructor(prng: Prng, options: NetworkOptions = {}) {
    this.prng = prng;
    this.opts = resolveNetworkOptions(options, defaultNetworkOptions);
  }

  /** The options in force (defaults filled in). @example sim.network.options.lossProbability */
  get options(): Readonly<ResolvedNetworkOptions> {
    return this.opts;
  }

  /**
   * Change some options from now on (messages already in flight keep their fate).
   *
   * @example
   * sim.network.configure({ lossProbability: 0.3 });
   */
  configure(options: NetworkOptions): void {
    this.opts = resolveNetworkOptions(options, this.opts, (id) => this.index.has(id));
    this.indexLinks();
  }

  /** Register a node (the simulation does this at spawn); returns its link index. @example const a = net.addNode("a") */
  addNode(id: string): number {
    const known = this.index.get(id);
    if (known !== undefined) return known;
    const i = this.index.size;
    this.index.set(id, i);
    this.ids.push(id);
    this.groupOf.push(this.partitioned ? this.restGroup() : NO_GROUP);
    if (this.opts.links.length > 0) this.indexLinks();
    return i;
  }

  /** Node ids known to the network, in the order they were added. @example net.nodeIds() // ["a", "b"] */
  nodeIds(): string[] {
    return this.ids.slice();
  }

  /** Throw a ConfigError unless every link override names known nodes. @example net.checkLinks() */
  checkLinks(): void {
    resolveNetworkOptions({}, this.opts, (id) => this.index.has(id));
  }

  private indexLinks(): void {
    this.linkLatency = new Map();
    for (const link of this.opts.links) {
      const f = this.index.get(link.from);
      const t = this.index.get(link.to);
      if (f !== undefined && t !== undefined) this.linkLatency.set(this.key(f, t), link.latency);
    }
  }

  private key(from: number, to: number): number {
    return from * 1048576 + to;
  }

  private idx(id: string, option: string): number {
    const i = this.index.get(id);
    if (i === undefined) throw new ConfigError(option, id, `the id of a spawned node (known: ${this.nodeIds().join(", ") || "none"})`);
    return i;
  }

  private restGroup(): number {
    return this.groups.length; // nodes not named in any group share one extra group
  }

  /**
   * Split the network into groups: messages between different groups are dropped. Nodes not named
   * in any group form one more group together. Replaces any earlier partition (cuts stay).
   *
   * @example
   * net.partition([["a", "b"], ["c"]]); // a,b | c (and any other node joins a third group)
   */
  partition(groups: string[][]): void {
    const seen = new Set<string>();
    const groupOf = this.groupOf.map(() => groups.length);
    groups.forEach((group, g) => {
      for (const id of group) {
        if (seen.has(id)) throw new ConfigError(`partition groups`, id, "each node in at most one group");
        seen.add(id);
        groupOf[this.idx(id, `partition groups[${g}]`)] = g;
      }
    });
    this.groups = groups.map((g) => g.slice());
    this.groupOf = groupOf;
    this.partitioned = true;
    this.faulty = true;
  }

  /** Cut the one-way link `from` → `to`. @example net.cut("a", "b"); // a's messages to b are dropped */
  cut(from: string, to: string): void {
    this.cuts.add(this.key(this.idx(from, "cut from"), this.idx(to, "cut to")));
    this.faulty = true;
  }

  /** Cut a node off from every other node, both ways. @example net.isolate("leader") */
  isolate(id: string): void {
    this.isolated.add(this.idx(id, "isolate node"));
    this.faulty = true;
  }

  /** Remove all partitions, cuts and isolations. @example net.heal() */
  heal(): void {
    this.partitioned = false;
    this.groups = [];
    this.groupOf = this.groupOf.map(() => NO_GROUP);
    this.cuts.clear();
    this.isolated.clear();
    this.faulty = false;
  }

  /** True when messages from `from` to `to` are blocked by a fault right now. @example net.isBlocked("a", "b") */
  isBlocked(from: string, to: string): boolean {
    return this.blocked(this.idx(from, "from"), this.idx(to, "to"));
  }

  private blocked(f: number, t: number): boolean {
    if (!this.faulty || f === t) return false;
    if (this.partitioned && this.groupOf[f] !== this.groupOf[t]) return true;
    if (this.isolated.size > 0 && (this.isolated.has(f) || this.isolated.has(t))) return true;
    return this.cuts.size > 0 && this.cuts.has(this.key(f, t));
  }

  /**
   * Whether a message arriving now on link f → t (indices from `addNode`) may pass: faults are
   * checked when a message is sent and again when it arrives.
   *
   * @example
   * net.passesLink(net.addNode("a"), net.addNode("b")); // true unless a fault cuts a → b
   */
  passesLink(f: number, t: number): boolean {
    return !this.blocked(f, t);
  }

  /**
   * Decide the fate of a message of `bytes` bytes sent now (`nowMs`) on link f → t (indices from
   * `addNode`; the simulation checks node ids first, with a clearer error).
   *
   * @example
   * const a = net.addNode("a"), b = net.addNode("b");
   * net.routeLink(a, b, 20, 0); // { delivered: true, atMs: 1 } — or { delivered: false, reason: "loss" }
   */
  routeLink(f: number, t: number, bytes: number, nowMs: number): Route {
    if (this.blocked(f, t)) return { delivered: false, reason: "partition" };
    const o = this.opts;
    const prng = this.linkPrng(f, t);
    // With limited bandwidth the link is a queue: a message starts on the wire when the one before
    // it has left, and takes bytes / bandwidth to send. A message lost on the way used the link too.
    const sentMs = o.bandwidthBytesPerMs === Infinity ? nowMs : this.transmitted(f, t, bytes, nowMs);
    if (o.lossProbability > 0 && prng.chance(o.lossProbability)) return { delivered: false, reason: "loss" };
    const atMs = this.arrival(f, t, sentMs, prng);
    if (o.duplicationProbability > 0 && prng.chance(o.duplicationProbability)) {
      return { delivered: true, atMs, duplicateAtMs: this.arrival(f, t, sentMs, prng) };
    }
    return { delivered: true, atMs };
  }

  /** Queue `bytes` on link f → t at `nowMs`; returns when its last byte has left the sender. */
  private transmitted(f: number, t: number, bytes: number, nowMs: number): number {
    const key = this.key(f, t);
    const startMs = Math.max(nowMs, this.linkBusyUntilMs.get(key) ?? 0);
    const doneMs = startMs + bytes / this.opts.bandwidthBytesPerMs;
    this.linkBusyUntilMs.set(key, doneMs);
    return doneMs;
  }

  /** The PRNG of the directed link f → t, made on first use. */
  private linkPrng(f: number, t: number): Prng {
    if (f < DENSE_LINKS && t < DENSE_LINKS) {
      const row = this.prngRows[f] ?? (this.prngRows[f] = []);
      return row[t] ?? (row[t] = this.prng.split(`link:${this.ids[f]}->${this.ids[t]}`));
    }
    const key = this.key(f, t);
    let prng = this.prngCells.get(key);
    if (prng === undefined) {
      prng = this.prng.split(`link:${this.ids[f]}->${this.ids[t]}`);
      this.prngCells.set(key, prng);
    }
    return prng;
  }

  /** When a message whose last byte left at `sentMs` arrives: one latency sample later (FIFO: not before the last). */
  private arrival(f: number, t: number, sentMs: number, prng: Prng): number {
    const o = this.opts;
    const dist = this.linkLatency.size > 0 ? this.linkLatency.get(this.key(f, t)) ?? o.latency : o.latency;
    let atMs = sentMs + (dist.kind === "constant" ? dist.ms : sampleLatency(dist, prng));
    atMs = toMicros(atMs); // microsecond resolution keeps traces readable
    const leftMs = toMicros(sentMs);
    if (atMs < leftMs) atMs = leftMs; // rounding must never move a delivery before its send (e.g. 0 ms latency)
    if (o.ordering === "fifo") atMs = this.afterLastOnLink(f, t, atMs);
    return atMs;
  }

  /** FIFO: never before the last delivery scheduled on the link; remember this one. */
  private afterLastOnLink(f: number, t: number, atMs: number): number {
    if (f < DENSE_LINKS && t < DENSE_LINKS) {
      const row = this.fifoRows[f] ?? (this.fifoRows[f] = new Float64Array(DENSE_LINKS));
      if (row[t] > atMs) atMs = row[t];
      row[t] = atMs;
      return atMs;
    }
    const key = this.key(f, t);
    const last = this.fifoCells.get(key);
    if (last === undefined) this.fifoCells.set(key, { ms: atMs });
    else {
      if (last.ms > atMs) atMs = last.ms;
      last.ms = atMs;
    }
    return atMs;
  }

  /** The current partition groups, cuts and isolated nodes, for display. @example net.describeFaults() */
  describeFaults(): { groups: string[][]; cuts: Array<[string, string]>; isolated: string[] } {
    const ids = this.nodeIds();
    return {
      groups: this.groups.map((g) => g.slice()),
      cuts: Array.from(this.cuts, (k): [string, string] => [ids[Math.floor(k / 1048576)], ids[k % 1048576]]),
      isolated: Array.from(this.isolated, (i) => ids[i]),
    };
  }
}
