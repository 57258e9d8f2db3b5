// SWIM: Scalable Weakly-consistent Infection-style process group Membership. Das, Gupta &
// Motivala, DSN 2002. §3.1 the failure detector: each protocol period, a member pings one member
// chosen at random; without an ack within the ping timeout it asks k other members to ping it
// (ping-req) and relay the ack; without any ack by the end of the period the target is suspected.
// §4.2 suspicion: a suspected member that does not refute (by gossiping an Alive message with a
// higher incarnation number) within the suspicion timeout is confirmed faulty. §4.1 dissemination:
// membership updates ride on the pings and acks themselves (infection style), each update sent
// λ·log n times. Every member sends a constant expected number of messages per period, whatever
// the group size; the expected time to the first detection of a crash is 1/(1 − (1 − 1/(n−1))^(n−1))
// periods, which tends to e/(e − 1) ≈ 1.58 (§3.1).
import type { Node } from "../node/index";
import { Simulation } from "../simulation/index";
import { latency as latencies, type Latency } from "../net/index";
import { checkInteger, checkPositive, contextOf, failureError } from "./errors";

/** A member's status in a SWIM membership list (§4.2). */
export type SwimStatus = "alive" | "suspect" | "dead";

/** One membership update, as piggybacked (§4.2's Alive / Suspect / Confirm messages). */
export interface SwimUpdate {
  kind: "alive" | "suspect" | "confirm";
  member: string;
  incarnation: number;
}

/** Options of {@link openSwim}. */
export interface SwimOptions {
  /** The group (this node may be listed). Default `node.peers()` at start — pass it under `spawnMany`, where later nodes do not exist yet. */
  members?: readonly string[];
  /** Members asked to ping the target indirectly (ping-req). Default 3. */
  k?: number;
  /** The protocol period T′; periods start when the local clock reads a multiple of it. Default 1000 ms. */
  periodMs?: number;
  /** Wait this long for the direct ack before sending ping-reqs. Default `periodMs / 4`. */
  pingTimeoutMs?: number;
  /** A suspect not refuted within this time is confirmed dead. Default 5 periods. */
  suspicionTimeoutMs?: number;
  /** Each update is piggybacked on λ·⌈log₂(n + 1)⌉ messages. Default λ = 3. */
  lambda?: number;
  /** Updates carried by one message at most. Default 6. */
  piggybackMax?: number;
  /** `(member, how)`: `how` is `"probe"` when this node's own probe failed, `"gossip"` when it heard it. */
  onSuspect?: (member: string, how: "probe" | "gossip") => void;
  onDead?: (member: string, how: "timeout" | "gossip") => void;
  onAlive?: (member: string) => void;
}

/** Messages sent by one SWIM member, by kind. */
export interface SwimCounters {
  pings: number;
  acks: number;
  pingReqs: number;
  /** Periods run. */
  periods: number;
  /** Updates piggybacked (summed over messages). */
  piggybacked: number;
}

/** A SWIM member running on a node. */
export interface SwimMember {
  /** This member's view of `member`. */
  status(member: string): SwimStatus;
  /** The members this one believes alive or suspect (itself excluded). */
  live(): string[];
  /** Its own incarnation number (raised to refute a suspicion). */
  readonly incarnation: number;
  readonly counters: SwimCounters;
  /** Stop the protocol (the node keeps answering pings). */
  stop(): void;
}

type SwimBody =
  | { type: "swim_ping"; seq: number; updates: SwimUpdate[] }
  | { type: "swim_ack"; seq: number; updates: SwimUpdate[] }
  | { type: "swim_ping_req"; seq: number; target: string; updates: SwimUpdate[] };

/**
 * Run SWIM on `node` (Das, Gupta & Motivala 2002, §3–4): the failure detector component (ping,
 * ping-req through k members, suspicion) and the dissemination component (updates piggybacked
 * on every ping, ping-req and ack).
 *
 * @example
 * const sim = new Simulation({ seed: 1, network: { latency: latency.uniform(5, 15) } });
 * const ids = Array.from({ length: 8 }, (_, i) => `n${i + 1}`);
 * sim.spawnMany(ids, (node) => { openSwim(node, { members: ids, periodMs: 200, onDead: (m) => node.log(`${m} is dead`) }); });
 * sim.at(1_000, () => sim.crash("n3"));
 * await sim.runFor(5_000); // every live member has logged "n3 is dead"
 */
export function openSwim(node: Node, options: SwimOptions = {}): SwimMember {
  const where = "openSwim";
  const ctx = contextOf(node);
  const k = checkInteger(where, "k", options.k ?? 3, 0, ctx);
  const periodMs = checkPositive(where, "periodMs", options.periodMs ?? 1000, ctx);
  const pingTimeoutMs = checkPositive(where, "pingTimeoutMs", options.pingTimeoutMs ?? periodMs / 4, ctx);
  if (pingTimeoutMs >= periodMs) throw failureError(`${where}: pingTimeoutMs (${pingTimeoutMs}) must be shorter than periodMs (${periodMs}) to leave time for ping-req`, ctx);
  const suspicionTimeoutMs = checkPositive(where, "suspicionTimeoutMs", options.suspicionTimeoutMs ?? 5 * periodMs, ctx);
  const lambda = checkPositive(where, "lambda", options.lambda ?? 3, ctx);
  const piggybackMax = checkInteger(where, "piggybackMax", options.piggybackMax ?? 6, 0, ctx);
  // The group list is shared, not copied (n members × n nodes would be n² entries): this node is
  // skipped when sampling, and the list is only copied when a member is removed.
  const group: readonly string[] = options.members ?? node.peers();
  if (!Array.isArray(group)) throw failureError(`${where}: members must be an array of node ids`, ctx);
  const groupSize = group.filter((m) => m !== node.id).length;
  if (groupSize === 0) throw failureError(`${where}: the group has no other member`, ctx);

  const counters: SwimCounters = { pings: 0, acks: 0, pingReqs: 0, periods: 0, piggybacked: 0 };
  /** Members whose entry differs from the initial (alive, incarnation 0), and members who joined. */
  const view = new Map<string, { status: SwimStatus; incarnation: number; suspicionTimer?: number }>();
  let groupSet: Set<string> | undefined;
  const inGroup = (m: string): boolean => m !== node.id && (view.has(m) || (groupSet ??= new Set(group)).has(m));
  const entryOf = (m: string) => {
    let entry = view.get(m);
    if (!entry) view.set(m, (entry = { status: "alive", incarnation: 0 }));
    return entry;
  };
  let incarnation = 0;
  /** Members to probe (alive or suspect), possibly including this node (skipped when drawn). */
  let candidates: readonly string[] = group;
  let candidatesOthers = groupSize;
  const transmitLimit = Math.ceil(lambda * Math.ceil(Math.log2(groupSize + 2)));
  /** Updates still to piggyback, by member: the newest update about each member wins. */
  const outbox = new Map<string, { update: SwimUpdate; sent: number }>();
  let seq = 0;
  let probe: { target: string; seq: number; acked: boolean } | undefined;
  /** Pings this node sends on behalf of a ping-req: its own seq → the requester and its seq. */
  const relays = new Map<number, { requester: string; seq: number }>();
  let stopped = false;
  let timer: number | undefined;

  // ---- dissemination (§4.1) ----
  function disseminate(update: SwimUpdate): void {
    outbox.set(update.member, { update, sent: 0 });
  }
  function piggyback(): SwimUpdate[] {
    if (outbox.size === 0 || piggybackMax === 0) return [];
    const chosen = [...outbox.values()].sort((a, b) => a.sent - b.sent).slice(0, piggybackMax);
    for (const entry of chosen) if (++entry.sent >= transmitLimit) outbox.delete(entry.update.member);
    counters.piggybacked += chosen.length;
    return chosen.map((e) => e.update);
  }
  function send(dest: string, body: SwimBody): void {
    if (body.type === "swim_ping") counters.pings++;
    else if (body.type === "swim_ack") counters.acks++;
    else counters.pingReqs++;
    node.send(dest, body);
  }

  // ---- membership updates (§4.2, the override rules) ----
  function markDead(member: string, how: "timeout" | "gossip"): void {
    const entry = entryOf(member);
    if (entry.suspicionTimer !== undefined) node.cancelTimer(entry.suspicionTimer);
    entry.status = "dead";
    candidates = candidates.filter((m) => m !== member);
    candidatesOthers--;
    disseminate({ kind: "confirm", member, incarnation: entry.incarnation });
    options.onDead?.(member, how);
  }
  function apply(update: SwimUpdate, how: "probe" | "gossip"): void {
    if (update.member === node.id) {
      // Someone suspects us (or declared us dead): refute with a higher incarnation (§4.2).
      if (update.kind !== "alive" && update.incarnation >= incarnation) {
        incarnation = update.incarnation + 1;
        disseminate({ kind: "alive", member: node.id, incarnation });
      }
      return;
    }
    if (!inGroup(update.member)) {
      // A member we did not know: gossip membership (a join spread by piggybacking).
      if (update.kind !== "alive") return;
      view.set(update.member, { status: "alive", incarnation: update.incarnation });
      candidates = [...candidates, update.member];
      candidatesOthers++;
      disseminate(update);
      return;
    }
    const entry = entryOf(update.member);
    if (entry.status === "dead") return;
    if (update.kind === "confirm") return markDead(update.member, "gossip");
    if (update.kind === "suspect") {
      const overrides = entry.status === "alive" ? update.incarnation >= entry.incarnation : update.incarnation > entry.incarnation;
      if (!overrides) return;
      entry.status = "suspect";
      entry.incarnation = update.incarnation;
      if (entry.suspicionTimer !== undefined) node.cancelTimer(entry.suspicionTimer);
      const inc = update.incarnation;
      entry.suspicionTimer = node.setTimer(suspicionTimeoutMs, () => {
        const e = entryOf(update.member);
        if (e.status === "suspect" && e.incarnation === inc) markDead(update.member, "timeout");
      }, `swim suspicion ${update.member}`, { clock: "local" });
      disseminate({ kind: "suspect", member: update.member, incarnation: inc });
      options.onSuspect?.(update.member, how);
      return;
    }
    if (update.incarnation > entry.incarnation) {
      const wasSuspect = entry.status === "suspect";
      entry.status = "alive";
      entry.incarnation = update.incarnation;
      if (entry.suspicionTimer !== undefined) node.cancelTimer(entry.suspicionTimer);
      entry.suspicionTimer = undefined;
      disseminate(update);
      if (wasSuspect) options.onAlive?.(update.member);
    }
  }
  function receive(updates: SwimUpdate[]): void {
    for (const u of updates) apply(u, "gossip");
  }

  // ---- the failure detector (§3.1) ----
  function protocolPeriod(): void {
    timer = undefined;
    if (stopped) return;
    if (probe && !probe.acked) {
      const entry = entryOf(probe.target);
      if (entry.status === "alive") apply({ kind: "suspect", member: probe.target, incarnation: entry.incarnation }, "probe");
    }
    probe = undefined;
    counters.periods++;
    if (candidatesOthers > 0) {
      const target = drawOther([]);
      const current = { target, seq: ++seq, acked: false };
      probe = current;
      send(target, { type: "swim_ping", seq: current.seq, updates: piggyback() });
      node.setTimer(pingTimeoutMs, () => {
        if (current.acked || probe !== current || stopped) return;
        for (const helper of pickHelpers(target)) send(helper, { type: "swim_ping_req", seq: current.seq, target, updates: piggyback() });
      }, "swim ping timeout", { clock: "local" });
    }
    schedule();
  }
  /** A candidate other than this node and `excluded`, uniformly (rejection sampling). */
  function drawOther(excluded: readonly string[]): string {
    for (;;) {
      const m = candidates[node.rng.int(0, candidates.length)];
      if (m !== node.id && !excluded.includes(m)) return m;
    }
  }
  function pickHelpers(target: string): string[] {
    if (candidatesOthers - 1 <= k) return candidates.filter((m) => m !== target && m !== node.id);
    const chosen: string[] = [target];
    while (chosen.length < k + 1) chosen.push(drawOther(chosen));
    return chosen.slice(1);
  }
  function schedule(): void {
    const clock = node.clock();
    const nextMs = (Math.floor(clock / periodMs + 1e-9) + 1) * periodMs;
    timer = node.setTimer(nextMs - clock, protocolPeriod, "swim period", { clock: "local" });
  }

  node.on("swim_ping", (message) => {
    const body = message.body as Extract<SwimBody, { type: "swim_ping" }>;
    receive(body.updates);
    send(message.src, { type: "swim_ack", seq: body.seq, updates: piggyback() });
  });
  node.on("swim_ping_req", (message) => {
    const body = message.body as Extract<SwimBody, { type: "swim_ping_req" }>;
    receive(body.updates);
    const mine = ++seq;
    relays.set(mine, { requester: message.src, seq: body.seq });
    send(body.target, { type: "swim_ping", seq: mine, updates: piggyback() });
    node.setTimer(periodMs, () => relays.delete(mine), "swim relay expiry", { clock: "local" });
  });
  node.on("swim_ack", (message) => {
    const body = message.body as Extract<SwimBody, { type: "swim_ack" }>;
    receive(body.updates);
    const relay = relays.get(body.seq);
    if (relay) {
      relays.delete(body.seq);
      send(relay.requester, { type: "swim_ack", seq: relay.seq, updates: piggyback() });
      return;
    }
    if (probe && probe.seq === body.seq) probe.acked = true;
  });
  schedule();

  return {
    counters,
    get incarnation() {
      return incarnation;
    },
    status(member) {
      if (!inGroup(member)) throw failureError(`${where}: "${member}" is not a member of ${node.id}'s group`, contextOf(node));
      return view.get(member)?.status ?? "alive";
    },
    live: () => candidates.filter((m) => m !== node.id),
    stop() {
      stopped = true;
      if (timer !== undefined) node.cancelTimer(timer);
    },
  };
}

/**
 * The expected number of protocol periods until some member first pings a crashed one (Das et al.
 * 2002, §3.1): 1 / (1 − (1 − 1/(n−1))^(n−1)), which tends to e/(e − 1) ≈ 1.582 as n grows.
 *
 * @example
 * swimExpectedFirstDetectionPeriods(8);   // 1.66
 * swimExpectedFirstDetectionPeriods(512); // 1.58
 */
export function swimExpectedFirstDetectionPeriods(n: number): number {
  checkInteger("swimExpectedFirstDetectionPeriods", "n", n, 2, {});
  return 1 / (1 - Math.pow(1 - 1 / (n - 1), n - 1));
}

/** Options of {@link measureSwim}. */
export interface SwimMeasureOptions {
  /** Group size. */
  n: number;
  /** Ping-req fan-out. Default 3. */
  k?: number;
  /** Protocol period. Default 200 ms. */
  periodMs?: number;
  /** Members that crash together, just before a period starts. Default 1. */
  crash?: number;
  /** Quiet periods before the crash (the steady state is measured over them). Default 4. */
  warmupPeriods?: number;
  /** Suspicion timeout in periods. Default 3. */
  suspicionPeriods?: number;
  /** One-way latency. Default `latency.uniform(5, 15)`. */
  latency?: Latency;
  lossProbability?: number;
  seed?: number;
}

/** What {@link measureSwim} measured. */
export interface SwimMeasurement {
  n: number;
  k: number;
  seed: number;
  /** For each crashed member, the protocol periods from the crash to its first suspicion by a failed probe. */
  firstDetectionPeriods: number[];
  /** Their mean. */
  firstDetectionPeriodsMean: number;
  /** The paper's expectation for this n (§3.1). */
  firstDetectionPeriodsExpected: number;
  /** Periods from the crash until every live member had confirmed every crashed one dead. */
  deadEverywherePeriods: number;
  /** Messages (pings, acks, ping-reqs) per member per period before the crash: 2 in steady state. */
  messagesPerMemberPerPeriod: number;
  /** The same over the whole run, crash and dissemination included. */
  messagesPerMemberPerPeriodOverall: number;
  /** Live members wrongly confirmed dead (0 without loss). */
  falseDeaths: number;
}

/**
 * Measure SWIM on n members: the time to first detection in protocol periods (against the paper's
 * e/(e − 1)), the time until all know, and the messages each member sends per period — constant
 * as n grows, where all-to-all heartbeating costs n − 1. Runs with tracing off.
 *
 * @example
 * const m = await measureSwim({ n: 64, k: 3, seed: 1 });
 * m.messagesPerMemberPerPeriod; // 2 (a ping and an ack)
 * m.firstDetectionPeriods;      // e.g. [1]; the mean over seeds approaches 1.58
 */
export async function measureSwim(options: SwimMeasureOptions): Promise<SwimMeasurement> {
  const where = "measureSwim";
  const n = checkInteger(where, "n", options?.n, 3, {});
  const k = checkInteger(where, "k", options.k ?? 3, 0, {});
  const periodMs = checkPositive(where, "periodMs", options.periodMs ?? 200, {});
  const crash = checkInteger(where, "crash", options.crash ?? 1, 1, {});
  if (crash > n - 2) throw failureError(`${where}: crash (${crash}) must leave at least 2 live members of ${n}`, {});
  const warmupPeriods = checkInteger(where, "warmupPeriods", options.warmupPeriods ?? 4, 1, {});
  const suspicionPeriods = checkPositive(where, "suspicionPeriods", options.suspicionPeriods ?? 3, {});
  const seed = checkInteger(where, "seed", options.seed ?? 1, 0, {});
  const sim = new Simulation({ seed, trace: false, network: { latency: options.latency ?? latencies.uniform(5, 15), lossProbability: options.lossProbability ?? 0, ordering: "unordered" } });
  const ids = Array.from({ length: n }, (_, i) => `n${i + 1}`);
  const members = new Map<string, SwimMember>();
  const firstSuspectMs = new Map<string, number>();
  const crashed = new Set<string>();
  const deadCount = new Map<string, number>();
  let falseDeaths = 0;
  sim.spawnMany(ids, (node) => {
    members.set(node.id, openSwim(node, {
      members: ids,
      k,
      periodMs,
      suspicionTimeoutMs: suspicionPeriods * periodMs,
      onSuspect: (m, how) => {
        if (how === "probe" && crashed.has(m) && !firstSuspectMs.has(m)) firstSuspectMs.set(m, node.now());
      },
      onDead: (m) => {
        if (!crashed.has(m)) falseDeaths++;
        deadCount.set(m, (deadCount.get(m) ?? 0) + 1);
      },
    }));
  });
  /** Messages sent per member-period so far (a crashed member's periods stop counting). */
  const perMemberPeriod = () => {
    let messages = 0;
    let periods = 0;
    for (const m of members.values()) {
      messages += m.counters.pings + m.counters.acks + m.counters.pingReqs;
      periods += m.counters.periods;
    }
    return messages / periods;
  };
  // Crash just before period `warmupPeriods` starts, after the previous period's probes ended.
  const crashAtMs = warmupPeriods * periodMs - 1;
  const victims = sim.random("victims").shuffle(ids).slice(0, crash);
  await sim.runUntilTime(crashAtMs - 0.5);
  const steady = perMemberPeriod();
  sim.at(crashAtMs, () => {
    for (const v of victims) {
      crashed.add(v);
      sim.crash(v);
    }
  });
  const live = n - crash;
  await sim.runUntil(() => victims.every((v) => (deadCount.get(v) ?? 0) >= live), {
    withinMs: (200 + suspicionPeriods) * periodMs,
    description: `every live member confirms ${victims.join(", ")} dead`,
  });
  const endMs = sim.now();
  const overall = perMemberPeriod();
  const firstDetectionPeriods = victims.map((v) => Math.round(((firstSuspectMs.get(v) ?? NaN) - crashAtMs) / periodMs));
  return {
    n,
    k,
    seed,
    firstDetectionPeriods,
    firstDetectionPeriodsMean: firstDetectionPeriods.reduce((a, b) => a + b, 0) / firstDetectionPeriods.length,
    firstDetectionPeriodsExpected: swimExpectedFirstDetectionPeriods(n),
    deadEverywherePeriods: (endMs - crashAtMs) / periodMs,
    messagesPerMemberPerPeriod: steady,
    messagesPerMemberPerPeriodOverall: overall,
    falseDeaths,
  };
}
