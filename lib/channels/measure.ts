// Measurements for the notebooks: what a link costs as the loss rate grows, and how many rounds
// push gossip needs. Each builds its own simulation (tracing off) from a seed, so the numbers
// replay exactly.
import { Simulation } from "../simulation/simulation";
import { latency as latencies, type Latency } from "../net/latency";
import { ConfigError } from "../sim/errors";
import { percentiles } from "../trace/stats";
import { openFifoLink } from "./fifo";
import { openGossip } from "./gossip";
import { openPerfectLink } from "./perfect";
import { openStubbornLink } from "./stubborn";

/** Options of {@link measureLinkCost}. */
export interface LinkCostOptions {
  /** Which link carries the messages from `a` to `b`. */
  link: "perfect" | "stubborn" | "fifo";
  /** The network's loss probability, in each direction. */
  lossProbability: number;
  /** Messages `a` sends to `b`, all at time 0 unless `sendIntervalMs` spaces them. Default 200. */
  messages?: number;
  /** Seed of the run. Default 1. */
  seed?: number;
  /** The links' retransmission period. Default 50 ms (above the largest round trip of the default latency). */
  retransmitMs?: number;
  /** One-way latency. Default `latency.uniform(5, 15)`. */
  latency?: Latency;
  /** Network duplication probability. Default 0 (the prediction assumes 0). */
  duplicationProbability?: number;
  /** Network ordering. Default `"unordered"`. */
  ordering?: "fifo" | "unordered";
  /** Gap between two sends. Default 0: all at once. */
  sendIntervalMs?: number;
  /** Give up (with an error) after this much virtual time. Default 600,000 ms. */
  withinMs?: number;
}

/** What {@link measureLinkCost} measured, next to what theory predicts. */
export interface LinkCost {
  link: LinkCostOptions["link"];
  lossProbability: number;
  seed: number;
  /** Messages sent by the application. */
  messages: number;
  /** Distinct messages delivered (all of them, or the run would have failed). */
  deliveries: number;
  /** Data transmissions (first sends and retransmissions). */
  dataSent: number;
  /** Acknowledgements sent (0 for a stubborn link). */
  acksSent: number;
  /** `(dataSent + acksSent) / deliveries`: messages on the wire per delivered message. */
  messagesPerDelivery: number;
  /** Copies handed to the application beyond the first (only a stubborn link has any). */
  duplicatesDelivered: number;
  /** Time from a message's send to its first delivery, ms. */
  latencyMsMean: number;
  latencyMsP99: number;
  latencyMsMax: number;
  /** Virtual time until the run was done (everything acknowledged; for stubborn: everything delivered once). */
  durationMs: number;
  /** What the formulas of {@link predictedLinkCost} give for these options. */
  predicted: PredictedLinkCost;
}

/** The predictions of {@link predictedLinkCost}. */
export interface PredictedLinkCost {
  /** Expected data transmissions per message. */
  dataPerMessage: number;
  /** Expected acknowledgements per message. */
  acksPerMessage: number;
  /** Expected messages on the wire per delivery. */
  messagesPerDelivery: number;
  /** Expected send-to-delivery latency in ms (undefined for FIFO: head-of-line blocking has no simple formula). */
  latencyMsMean: number | undefined;
}

/**
 * The mean of a latency distribution (a normal one ignoring its cut-off at `msMin`).
 *
 * @example
 * latencyMeanMs(latency.uniform(5, 15)); // 10
 */
export function latencyMeanMs(dist: Latency): number {
  switch (dist.kind) {
    case "constant":
      return dist.ms;
    case "uniform":
      return (dist.msMin + dist.msMax) / 2;
    case "normal":
      return dist.msMean;
    case "exponential":
      return (dist.msMin ?? 0) + dist.msMean;
  }
}

/**
 * What theory predicts for {@link measureLinkCost}, with loss probability p in each direction,
 * no duplication, and `retransmitMs` R longer than any round trip (so an acknowledgement is back
 * before the next retransmission).
 *
 * **Perfect and FIFO links.** Each transmission of a data message is one attempt; it ends the
 * retransmissions if the data arrives (1 − p) and its acknowledgement comes back (1 − p), so it
 * succeeds with q = (1 − p)². The number of data transmissions D is geometric: E[D] = 1/q =
 * 1/(1 − p)². The receiver acknowledges every copy it receives, and a copy arrives with
 * probability 1 − p, so E[acks] = E[D]·(1 − p) = 1/(1 − p). In all
 *
 *     E[messages per delivery] = 1/(1 − p)² + 1/(1 − p) = (2 − p)/(1 − p)²
 *
 * — 2 with no loss, 2.35 at p = 0.1, 6 at p = 0.5. Delivery needs only the data to arrive: the
 * k-th transmission is the first to arrive with probability p^(k−1)(1 − p), so the latency is the
 * one-way latency plus R·(k − 1): E[latency] = E[one-way] + R·p/(1 − p).
 *
 * **Stubborn link** (stopped the moment the last of m messages, all sent together, is delivered):
 * every message is transmitted once per round until then, so each costs the number of rounds
 * until all m got through once, the maximum of m geometric variables with success 1 − p:
 * E[max] = Σ_{k≥0} (1 − (1 − p^k)^m). It grows with m (like log m), unlike the perfect link's cost,
 * and without a stop it grows with time forever. Its latency is as for the perfect link.
 *
 * @example
 * predictedLinkCost({ link: "perfect", lossProbability: 0.1 }).messagesPerDelivery; // 2.345…
 */
export function predictedLinkCost(options: LinkCostOptions): PredictedLinkCost {
  const p = options.lossProbability;
  const retransmitMs = options.retransmitMs ?? 50;
  const oneWayMs = latencyMeanMs(options.latency ?? latencies.uniform(5, 15));
  const latencyMsMean = oneWayMs + (p < 1 ? (retransmitMs * p) / (1 - p) : Infinity);
  if (options.link === "stubborn") {
    const m = options.messages ?? 200;
    let rounds = 0;
    for (let k = 0; k < 100_000; k++) {
      const term = 1 - Math.pow(1 - Math.pow(p, k), m);
      rounds += term;
      if (term < 1e-12) break;
    }
    return { dataPerMessage: rounds, acksPerMessage: 0, messagesPerDelivery: rounds, latencyMsMean };
  }
  const dataPerMessage = 1 / ((1 - p) * (1 - p));
  const acksPerMessage = 1 / (1 - p);
  return {
    dataPerMessage,
    acksPerMessage,
    messagesPerDelivery: dataPerMessage + acksPerMessage,
    latencyMsMean: options.link === "fifo" ? undefined : latencyMsMean,
  };
}

/**
 * Measure what reliability costs: node `a` sends `messages` messages to node `b` over the chosen
 * link on a network that loses each message with `lossProbability` (tracing off), and the run goes
 * on until every message is delivered and (perfect, FIFO) acknowledged. Returns the messages on the
 * wire per delivery, the send-to-delivery latency, and the prediction of {@link predictedLinkCost}
 * beside them, so a notebook can chart cost against the loss rate.
 *
 * @example
 * const cost = measureLinkCost({ link: "perfect", lossProbability: 0.1, seed: 1 });
 * cost.messagesPerDelivery;           // ≈ 2.3 (theory: 2.35)
 * cost.predicted.messagesPerDelivery; // 2.345…
 * cost.latencyMsP99;                  // ms
 */
export async function measureLinkCost(options: LinkCostOptions): Promise<LinkCost> {
  const kinds = ["perfect", "stubborn", "fifo"];
  if (!kinds.includes(options?.link)) throw new ConfigError("measureLinkCost: link", options?.link, `one of ${kinds.join(", ")}`);
  const seed = options.seed ?? 1;
  const messages = options.messages ?? 200;
  if (!Number.isInteger(messages) || messages < 1) throw new ConfigError("measureLinkCost: messages", messages, "a whole number ≥ 1");
  const p = options.lossProbability;
  if (typeof p !== "number" || !(p >= 0 && p < 1)) throw new ConfigError("measureLinkCost: lossProbability", p, "a probability in [0, 1)");
  const retransmitMs = options.retransmitMs ?? 50;
  const sendIntervalMs = options.sendIntervalMs ?? 0;
  const sim = new Simulation({
    seed,
    trace: false,
    network: {
      latency: options.latency ?? latencies.uniform(5, 15),
      lossProbability: p,
      duplicationProbability: options.duplicationProbability ?? 0,
      ordering: options.ordering ?? "unordered",
    },
  });

  type Payload = { i: number; sentMs: number };
  const firstDeliveryMs: number[] = [];
  let distinct = 0;
  let copies = 0;
  const onDeliver = (payload: Payload): void => {
    copies++;
    if (firstDeliveryMs[payload.i] !== undefined) return;
    firstDeliveryMs[payload.i] = sim.now() - payload.sentMs;
    distinct++;
  };
  const a = sim.spawn("a");
  const b = sim.spawn("b");
  let send: (payload: Payload) => void;
  let dataSent: () => number;
  let acksSent: () => number;
  let done: () => boolean;
  let stop: () => void;
  if (options.link === "stubborn") {
    const sender = openStubbornLink<Payload>(a, { deliver: () => {}, retransmitMs });
    openStubbornLink<Payload>(b, { deliver: (_src, payload) => onDeliver(payload), retransmitMs });
    send = (payload) => sender.send("b", payload);
    dataSent = () => sender.counters.sent;
    acksSent = () => 0;
    done = () => distinct === messages;
    stop = () => sender.stop();
  } else {
    const open = options.link === "perfect" ? openPerfectLink : openFifoLink;
    const sender = open<Payload>(a, { deliver: () => {}, retransmitMs });
    const receiver = open<Payload>(b, { deliver: (_src, payload) => onDeliver(payload), retransmitMs });
    const senderCounters = "linkCounters" in sender ? sender.linkCounters : sender.counters;
    const receiverCounters = "linkCounters" in receiver ? receiver.linkCounters : receiver.counters;
    send = (payload) => sender.send("b", payload);
    dataSent = () => senderCounters.dataSent;
    acksSent = () => receiverCounters.acksSent;
    done = () => distinct === messages && sender.pending === 0;
    stop = () => sender.stop();
  }
  for (let i = 0; i < messages; i++) {
    if (sendIntervalMs === 0) send({ i, sentMs: 0 });
    else sim.at(i * sendIntervalMs, () => send({ i, sentMs: sim.now() }), "send");
  }
  await sim.runUntil(done, { withinMs: options.withinMs ?? 600_000, description: `every message delivered over the ${options.link} link` });
  stop();
  const durationMs = sim.now();
  const stats = percentiles(firstDeliveryMs)!;
  const sum = firstDeliveryMs.reduce((s, x) => s + x, 0);
  const data = dataSent();
  const acks = acksSent();
  return {
    link: options.link,
    lossProbability: p,
    seed,
    messages,
    deliveries: distinct,
    dataSent: data,
    acksSent: acks,
    messagesPerDelivery: (data + acks) / distinct,
    duplicatesDelivered: copies - distinct,
    latencyMsMean: sum / distinct,
    latencyMsP99: stats.p99,
    latencyMsMax: stats.max,
    durationMs,
    predicted: predictedLinkCost({ ...options, messages, retransmitMs }),
  };
}

/** Options of {@link gossipRounds}. */
export interface GossipRoundsOptions {
  /** Nodes, n ≥ 2. */
  n: number;
  /** Peers pushed to per round. Default 1. */
  fanout?: number;
  /** Seed of the run. Default 1. */
  seed?: number;
  /** Loss of interest after this many rounds (see `GossipOptions.roundsMax`). Default Infinity. */
  roundsMax?: number;
  /** Network loss probability. Default 0. */
  lossProbability?: number;
}

/** What {@link gossipRounds} measured. */
export interface GossipRoundsResult {
  n: number;
  fanout: number;
  seed: number;
  /** Rounds until every node knew the rumour; undefined if some never did (rumour mongering's residue). */
  rounds: number | undefined;
  /** Nodes that learnt the rumour (the origin included). */
  infected: number;
  /** Fraction of nodes that never learnt it (Demers' s). */
  residue: number;
  /** Push messages sent over the whole run. */
  messages: number;
  /** Nodes that knew the rumour after each round: `infectedByRound[r]` after round r (index 0: the origin alone). */
  infectedByRound: number[];
  /** {@link gossipRoundsPredicted} for n and the fanout. */
  predictedRounds: number;
}

/**
 * The asymptotic rounds of push gossip until all n nodes know a rumour, when every informed node
 * pushes to `fanout` random peers per round: log₍₁₊f₎ n + (ln n)/f. For fanout 1 it is Pittel's
 * log₂ n + ln n (1987); the first term is the doubling (or (1+f)-fold growth) while few know, the
 * second the end game, where each uninformed node is missed by all f·n pushes of a round with
 * probability ≈ e^(−f).
 *
 * @example
 * gossipRoundsPredicted(1000);    // 16.87: log₂ 1000 + ln 1000
 * gossipRoundsPredicted(1000, 3); // 7.29
 */
export function gossipRoundsPredicted(n: number, fanout = 1): number {
  return Math.log(n) / Math.log(1 + fanout) + Math.log(n) / fanout;
}

/**
 * Run push gossip on n nodes (tracing off, 1 ms latency, 10 ms rounds) from one origin until every
 * node knows the rumour, or until everyone has lost interest, and count the rounds. Fast enough
 * for a chart: n = 1000 takes about 0.2 s of CPU (8,000 pushes).
 *
 * @example
 * const r = await gossipRounds({ n: 1000, fanout: 1, seed: 1 });
 * r.rounds;          // 18 (seed 1)
 * r.predictedRounds; // 16.87 (log₂ n + ln n)
 * (await gossipRounds({ n: 1000, roundsMax: 3, seed: 1 })).residue; // > 0: some never heard it
 */
export async function gossipRounds(options: GossipRoundsOptions): Promise<GossipRoundsResult> {
  const n = options?.n;
  if (!Number.isInteger(n) || n < 2) throw new ConfigError("gossipRounds: n", n, "a whole number ≥ 2");
  const fanout = options.fanout ?? 1;
  const seed = options.seed ?? 1;
  const roundMs = 10;
  const sim = new Simulation({ seed, trace: false, network: { latency: latencies.constant(1), ordering: "unordered", lossProbability: options.lossProbability ?? 0 } });
  const ids = Array.from({ length: n }, (_, i) => `n${i + 1}`);
  const infectedByRound: number[] = [1];
  let infected = 0;
  let lastInfectionMs = 0;
  sim.spawnMany(ids, (node) => {
    const gossip = openGossip<null>(node, {
      fanout,
      roundMs,
      roundsMax: options.roundsMax,
      peers: ids,
      deliver: () => {
        infected++;
        lastInfectionMs = node.now();
        const round = Math.floor(node.now() / roundMs);
        while (infectedByRound.length <= round) infectedByRound.push(infectedByRound[infectedByRound.length - 1]);
        infectedByRound[round] = infected;
      },
    });
    if (node.id === ids[0]) gossip.broadcast(null);
  });
  await sim.runUntil(() => infected === n, { throwOnTimeout: false });
  const messages = sim.counters.sent;
  const everyone = infected === n;
  return {
    n,
    fanout,
    seed,
    rounds: everyone ? Math.floor(lastInfectionMs / roundMs) : undefined,
    infected,
    residue: (n - infected) / n,
    messages,
    infectedByRound,
    predictedRounds: gossipRoundsPredicted(n, fanout),
  };
}
