// Push gossip (epidemic broadcast): every round, each node that knows a rumour pushes it to a few
// peers chosen at random. Demers et al., "Epidemic algorithms for replicated database
// maintenance", PODC 1987, §1.1 (anti-entropy, push) and §1.4 (rumour mongering, blind counter);
// the round count is Pittel's "On spreading a rumor" (SIAM J. Appl. Math. 47, 1987).
import type { Node } from "../node/node";
import { channelError, checkDeliver, checkFree, checkPositive, checkTag } from "./errors";

/** Options of {@link openGossip}. */
export interface GossipOptions<P = unknown> {
  /** Called once per rumour, the first time this node hears it (or broadcasts it). */
  deliver: (origin: string, payload: P) => void;
  /** Peers each node pushes to per round (distinct, chosen uniformly). Default 1. */
  fanout?: number;
  /** Length of a round; pushes happen when the local clock reads a multiple of it. Default 100 ms. */
  roundMs?: number;
  /**
   * Loss of interest: a node pushes a rumour in this many rounds after it learnt it, then stops
   * (Demers' "blind counter" rumour mongering). Default `Infinity`: push until `stop()`, which is
   * the push variant of anti-entropy and reaches everyone with probability 1.
   */
  roundsMax?: number;
  /** Whom to push to (this node is skipped if listed). Default `node.peers()` at each round. */
  peers?: readonly string[];
  /** The wire type. Default `"gossip"`. */
  tag?: string;
}

/** What a gossip endpoint has done so far. */
export interface GossipCounters {
  /** Push messages sent (one per target per round, carrying every active rumour). */
  pushes: number;
  /** Rumours delivered here (own broadcasts included). */
  delivered: number;
  /** Rumours received that this node already knew: the epidemic's waste. */
  redundant: number;
}

/** A gossip endpoint on one node. */
export interface GossipBroadcast<P = unknown> {
  /** Start a rumour: deliver it here and push it from the next round on. */
  broadcast(payload: P): void;
  /** Rumours this node still pushes. */
  readonly active: number;
  /** Stop pushing anything (the node still learns rumours pushed to it, and delivers them). */
  stop(): void;
  /** Counters, updated in place. */
  readonly counters: GossipCounters;
}

/** One rumour on the wire. */
type Rumour<P> = { origin: string; seq: number; payload: P };
type GossipBody<P> = { type: string; rumours: Array<Rumour<P>> };

/**
 * Open push gossip on `node`. Each round, a node that has active rumours picks `fanout` distinct
 * peers at random and sends each of them one message with all those rumours; a node delivers a
 * rumour the first time it hears of it and from then on pushes it too. Nobody acknowledges
 * anything: the redundancy of random pushes replaces retransmission, so loss only slows the
 * epidemic down, and no node needs to know whether another is up.
 *
 * How fast it spreads: with fanout 1 and everyone pushing every round, the rounds until all n nodes
 * know a rumour are log₂ n + ln n + O(1) (Pittel 1987, quoted by Demers et al.) — the informed set
 * roughly doubles each round until half know, then the uninformed shrink by a factor e per round.
 * With a finite `roundsMax` (rumour mongering) the cost stops but a fraction of nodes may never
 * hear it (Demers' "residue"). See {@link gossipRounds} to measure both.
 *
 * Rounds are aligned on the local clock (multiples of `roundMs`), the synchronous rounds of the
 * analysis; pick `roundMs` above the largest latency so a push arrives before the next round.
 *
 * @example
 * const sim = new Simulation({ seed: 1, network: { latency: latency.constant(1) } });
 * const ids = Array.from({ length: 32 }, (_, i) => `n${i + 1}`);
 * const knows = new Set<string>();
 * sim.spawnMany(ids, (node) => {
 *   const g = openGossip<string>(node, { roundMs: 10, deliver: () => knows.add(node.id) });
 *   if (node.id === "n1") g.broadcast("rumour");
 * });
 * await sim.runUntil(() => knows.size === 32);
 * sim.now(); // about 10 ms × (log₂ 32 + ln 32) ≈ 90 ms
 */
export function openGossip<P = unknown>(node: Node, options: GossipOptions<P>): GossipBroadcast<P> {
  const where = "openGossip";
  checkDeliver(node, where, options?.deliver);
  const fanout = options.fanout ?? 1;
  if (!Number.isInteger(fanout) || fanout < 1) throw channelError(node, `${where}: fanout must be a whole number ≥ 1, got ${JSON.stringify(fanout)}`);
  const roundMs = options.roundMs ?? 100;
  checkPositive(node, where, "roundMs", roundMs);
  const roundsMax = options.roundsMax ?? Infinity;
  if (!(roundsMax === Infinity || (Number.isInteger(roundsMax) && roundsMax >= 1))) {
    throw channelError(node, `${where}: roundsMax must be a whole number ≥ 1 or Infinity, got ${JSON.stringify(roundsMax)}`);
  }
  const tag = options.tag ?? "gossip";
  checkTag(node, where, tag);
  checkFree(node, where, [tag]);
  const fixedPeers = options.peers;
  if (fixedPeers !== undefined && !Array.isArray(fixedPeers)) throw channelError(node, `${where}: peers must be an array of node ids`);
  const counters: GossipCounters = { pushes: 0, delivered: 0, redundant: 0 };

  /** Every rumour known here, by `origin#seq`. */
  const known = new Set<string>();
  /** Rumours still pushed, with the rounds left. */
  const active = new Map<string, { rumour: Rumour<P>; roundsLeft: number }>();
  let seq = 0;
  let timer: number | undefined;
  let stopped = false;

  function learn(rumour: Rumour<P>): void {
    const id = `${rumour.origin}#${rumour.seq}`;
    if (known.has(id)) {
      counters.redundant++;
      return;
    }
    known.add(id);
    if (!stopped) active.set(id, { rumour, roundsLeft: roundsMax });
    counters.delivered++;
    options.deliver(rumour.origin, rumour.payload);
    startRounds();
  }

  /** Start the round timer (first push at the next multiple of roundMs) if there is work. */
  function startRounds(): void {
    if (timer !== undefined || active.size === 0 || stopped) return;
    const clock = node.clock();
    const nextMs = (Math.floor(clock / roundMs) + 1) * roundMs;
    timer = node.setTimer(nextMs - clock, round, `${tag} round`);
  }

  /** Up to `fanout` distinct peers, uniformly at random (rejection sampling: fanout ≪ n). */
  function targets(): string[] {
    const peers = fixedPeers ?? node.peers();
    // At most one entry is this node, so beyond fanout + 1 entries sampling always finds enough.
    if (peers.length <= fanout + 1) {
      const others = peers.filter((p) => p !== node.id);
      return others.length <= fanout ? others : node.rng.shuffle(others).slice(0, fanout);
    }
    const chosen: string[] = [];
    while (chosen.length < fanout) {
      const peer = peers[node.rng.int(0, peers.length)];
      if (peer !== node.id && !chosen.includes(peer)) chosen.push(peer);
    }
    return chosen;
  }

  function round(): void {
    timer = undefined;
    if (stopped || active.size === 0) return;
    const rumours: Array<Rumour<P>> = [];
    for (const [id, entry] of active) {
      rumours.push(entry.rumour);
      if (--entry.roundsLeft <= 0) active.delete(id);
    }
    for (const dest of targets()) {
      counters.pushes++;
      node.send(dest, { type: tag, rumours } satisfies GossipBody<P>);
    }
    startRounds();
  }

  node.on(tag, (message) => {
    for (const rumour of (message.body as GossipBody<P>).rumours) learn(rumour);
  });

  return {
    counters,
    get active(): number {
      return active.size;
    },
    broadcast(payload: P): void {
      if (!node.isAlive()) return;
      seq++;
      learn({ origin: node.id, seq, payload });
    },
    stop(): void {
      stopped = true;
      active.clear();
      if (timer !== undefined) node.cancelTimer(timer);
      timer = undefined;
    },
  };
}
