import { ConfigError, toMicros } from "../sim/errors";
import type { Prng } from "../sim/prng";
import { sampleLatency, type Latency } from "./latency";
import { defaultNetworkOptions, resolveNetworkOptions, type NetworkOptions, type ResolvedNetworkOptions } from "./options";
import { MessageRules, type MessageRule, type MessageRuleOptions } from "./rules";
import type { DropReason } from "../trace/events";

/** What the network decided for one message. */
export type Route =
  /** Not delivered; `rule` names the message fault rule that dropped it (reason `"rule"`). */
  | { delivered: false; reason: DropReason; rule?: string }
  /**
   * Deliver at `atMs`; if `duplicateAtMs` is set, deliver a second copy then. `rules` says what
   * message fault rules did: the delays they added (included in `atMs`) and the copies they made.
   */
  | { delivered: true; atMs: number; duplicateAtMs?: number; rules?: RuleEffects };

/** What message fault rules did to a delivered message, for the trace. */
export interface RuleEffects {
  /** Each delay rule that applied, and the ms it added. */
  delays: Array<{ rule: string; delayMs: number }>;
  /** Each extra copy a duplicate rule made, and when it arrives. */
  copies: Array<{ rule: string; atMs: number }>;
}

/**
 * What a partial heal restores (`sim.heal(scope)`); the rest of a partition, the other cuts and
 * the other isolated nodes stay.
 *
 * @example
 * sim.heal({ from: "a", to: "b" });        // a's messages reach b again (one direction, e.g. one cut)
 * sim.heal({ between: ["a", "c"] });       // a and c talk again, both ways, across the partition
 * sim.heal({ node: "n3" });                // n3 is no longer isolated
 */
export type HealScope =
  /** One direction: undo a cut from → to, and let from → to through a partition or an isolation. */
  | { from: string; to: string }
  /** Both directions between two nodes. */
  | { between: readonly [string, string] }
  /** End one node's isolation (a partition or cuts that also concern it stay). */
  | { node: string };

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
 * messages, and adding a node changes nothing for the others. A link may override the latency
 * and the loss probability (`links`). Message fault rules (`addRule`, see rules.ts) act after
 * the loss draw, with random streams of their own, so a rule changes only what it matches.
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
  /** Directed links (keyed like `cuts`) a partial heal let through a partition or an isolation. */
  private readonly restored = new Set<number>();
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
  /** Per-link loss probabilities (key as `cuts`). */
  private linkLoss = new Map<number, number>();
  /** Message fault rules, made at the first `addRule`. */
  private rules: MessageRules | undefined;
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
    this.linkLoss = new Map();
    for (const link of this.opts.links) {
      const f = this.index.get(link.from);
      const t = this.index.get(link.to);
      if (f === undefined || t === undefined) continue;
      if (link.latency !== undefined) this.linkLatency.set(this.key(f, t), link.latency);
      if (link.lossProbability !== undefined) this.linkLoss.set(this.key(f, t), link.lossProbability);
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
    this.restored.clear(); // a new partition blocks every link between its groups, healed before or not
    this.faulty = true;
  }

  /** Cut the one-way link `from` → `to`. @example net.cut("a", "b"); // a's messages to b are dropped */
  cut(from: string, to: string): void {
    const key = this.key(this.idx(from, "cut from"), this.idx(to, "cut to"));
    this.cuts.add(key);
    this.restored.delete(key);
    this.faulty = true;
  }

  /** Cut a node off from every other node, both ways. @example net.isolate("leader") */
  isolate(id: string): void {
    const i = this.idx(id, "isolate node");
    this.isolated.add(i);
    for (const key of this.restored) if (Math.floor(key / 1048576) === i || key % 1048576 === i) this.restored.delete(key);
    this.faulty = true;
  }

  /**
   * Remove all partitions, cuts and isolations; or, given a scope, restore only one link, one
   * direction or one node's isolation (see {@link HealScope}).
   *
   * @example
   * net.heal();                        // everything
   * net.heal({ from: "a", to: "b" });  // only a → b
   */
  heal(scope?: HealScope): void {
    if (scope !== undefined) return this.healPart(scope);
    this.partitioned = false;
    this.groups = [];
    this.groupOf = this.groupOf.map(() => NO_GROUP);
    this.cuts.clear();
    this.isolated.clear();
    this.restored.clear();
    this.faulty = false;
  }

  private healPart(scope: HealScope): void {
    const shape = "{ from, to }, { between: [a, b] } or { node }";
    if (!scope || typeof scope !== "object") throw new ConfigError("heal", scope, shape);
    const keys = Object.keys(scope).sort().join(",");
    if (keys === "from,to") {
      const s = scope as { from: string; to: string };
      this.restore(this.idx(s.from, "heal from"), this.idx(s.to, "heal to"));
    } else if (keys === "between") {
      const pair = (scope as { between: readonly [string, string] }).between;
      if (!Array.isArray(pair) || pair.length !== 2) throw new ConfigError("heal between", pair, "two node ids, e.g. [\"a\", \"b\"]");
      const a = this.idx(pair[0], "heal between[0]");
      const b = this.idx(pair[1], "heal between[1]");
      this.restore(a, b);
      this.restore(b, a);
    } else if (keys === "node") {
      this.isolated.delete(this.idx((scope as { node: string }).node, "heal node"));
    } else {
      throw new ConfigError("heal", scope, shape);
    }
    this.faulty = this.partitioned || this.cuts.size > 0 || this.isolated.size > 0;
  }

  /** Let f → t through: undo its cut, and if a partition or an isolation still blocks it, except it. */
  private restore(f: number, t: number): void {
    const key = this.key(f, t);
    this.cuts.delete(key);
    if (this.blocked(f, t)) this.restored.add(key);
  }

  /** True when messages from `from` to `to` are blocked by a fault right now. @example net.isBlocked("a", "b") */
  isBlocked(from: string, to: string): boolean {
    return this.blocked(this.idx(from, "from"), this.idx(to, "to"));
  }

  private blocked(f: number, t: number): boolean {
    if (!this.faulty || f === t) return false;
    if (this.restored.size > 0 && this.restored.has(this.key(f, t))) return false;
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
   * `addNode`; the simulation checks node ids first, with a clearer error). Message fault rules
   * see its `type` and body (`json`); without them no rule applies.
   *
   * The link's own draws come first and are the same with or without rules (loss, then delay,
   * then duplication); a rule that drops a message drops it after the loss draw, and a delay
   * rule's extra ms are added before the FIFO order is kept (later messages on the link wait).
   *
   * @example
   * const a = net.addNode("a"), b = net.addNode("b");
   * net.routeLink(a, b, 20, 0); // { delivered: true, atMs: 1 } — or { delivered: false, reason: "loss" }
   */
  routeLink(f: number, t: number, bytes: number, nowMs: number, type?: string, json?: string): Route {
    if (this.blocked(f, t)) return { delivered: false, reason: "partition" };
    const o = this.opts;
    const prng = this.linkPrng(f, t);
    // With limited bandwidth the link is a queue: a message starts on the wire when the one before
    // it has left, and takes bytes / bandwidth to send. A message lost on the way used the link too.
    const sentMs = o.bandwidthBytesPerMs === Infinity ? nowMs : this.transmitted(f, t, bytes, nowMs);
    const loss = this.linkLoss.size > 0 ? this.linkLoss.get(this.key(f, t)) ?? o.lossProbability : o.lossProbability;
    if (loss > 0 && prng.chance(loss)) return { delivered: false, reason: "loss" };
    if (this.rules !== undefined && this.rules.size > 0 && type !== undefined && json !== undefined) {
      return this.routeByRules(f, t, sentMs, nowMs, type, json, prng);
    }
    const atMs = this.arrival(f, t, sentMs, prng);
    if (o.duplicationProbability > 0 && prng.chance(o.duplicationProbability)) {
      return { delivered: true, atMs, duplicateAtMs: this.arrival(f, t, sentMs, prng) };
    }
    return { delivered: true, atMs };
  }

  /** routeLink's second half when message fault rules are in force. */
  private routeByRules(f: number, t: number, sentMs: number, nowMs: number, type: string, json: string, prng: Prng): Route {
    const verdict = this.rules!.decide(this.ids[f], this.ids[t], type, json, nowMs);
    const o = this.opts;
    if (verdict?.droppedBy !== undefined) {
      // Make the draws the link would have made for this message, so that the rule changes the
      // fate of no other message on the link (the FIFO order is not touched: nothing arrives).
      const dist = this.linkLatency.size > 0 ? this.linkLatency.get(this.key(f, t)) ?? o.latency : o.latency;
      if (dist.kind !== "constant") sampleLatency(dist, prng);
      if (o.duplicationProbability > 0 && prng.chance(o.duplicationProbability) && dist.kind !== "constant") sampleLatency(dist, prng);
      return { delivered: false, reason: "rule", rule: verdict.droppedBy };
    }
    const extraMs = verdict?.extraDelayMs ?? 0;
    const atMs = this.arrival(f, t, sentMs + extraMs, prng);
    const duplicateAtMs =
      o.duplicationProbability > 0 && prng.chance(o.duplicationProbability) ? this.arrival(f, t, sentMs + extraMs, prng) : undefined;
    const route: Route = { delivered: true, atMs };
    if (duplicateAtMs !== undefined) route.duplicateAtMs = duplicateAtMs;
    if (verdict !== undefined) {
      const copies = verdict.copies.map((c) => {
        let copyMs = toMicros(atMs + c.delayMs);
        if (o.ordering === "fifo") copyMs = this.afterLastOnLink(f, t, copyMs);
        return { rule: c.rule, atMs: copyMs };
      });
      route.rules = { delays: verdict.delays.map((d) => ({ rule: d.rule, delayMs: toMicros(d.delayMs) })), copies };
    }
    return route;
  }

  /**
   * Put a message fault rule in force (see `MessageRuleOptions`); `nowMs` is the default start
   * of its window. Throws a `ConfigError` naming the option.
   *
   * @example
   * net.addRule({ name: "lose n2's replies", match: { type: "append_entries_ok", src: "n2" }, action: "drop", fromMs: 100, toMs: 300 }, 0);
   */
  addRule(options: MessageRuleOptions, nowMs: number): MessageRule {
    this.rules ??= new MessageRules(this.prng.split("rules"), (id) => this.index.has(id));
    return this.rules.add(options, nowMs);
  }

  /** Remove a message fault rule by name; false if none is in force. @example net.removeRule("lose n2's replies") */
  removeRule(name: string): boolean {
    return this.rules?.remove(name) ?? false;
  }

  /** Names of the message fault rules in force. @example net.ruleNames() // ["lose n2's replies"] */
  ruleNames(): string[] {
    return this.rules?.ruleNames() ?? [];
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

  /**
   * The current partition groups, cuts and isolated nodes, for display; `restored` lists the
   * directed links partial heals let through (only when there are some).
   *
   * @example
   * net.describeFaults(); // { groups: [["a", "b"], ["c"]], cuts: [], isolated: [], restored: [["a", "c"]] }
   */
  describeFaults(): { groups: string[][]; cuts: Array<[string, string]>; isolated: string[]; restored?: Array<[string, string]> } {
    const ids = this.nodeIds();
    const pair = (k: number): [string, string] => [ids[Math.floor(k / 1048576)], ids[k % 1048576]];
    const faults = {
      groups: this.groups.map((g) => g.slice()),
      cuts: Array.from(this.cuts, pair),
      isolated: Array.from(this.isolated, (i) => ids[i]),
    };
    // links a partial heal let through a partition or an isolation, only when there are some
    return this.restored.size === 0 ? faults : { ...faults, restored: Array.from(this.restored, pair) };
  }
}
