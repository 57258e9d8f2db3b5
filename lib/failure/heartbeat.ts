// Heartbeats and a timeout: the simplest failure detector. A monitored process sends a heartbeat
// every `heartbeatIntervalMs`; the monitor suspects it when `timeoutMs` pass without one, and takes
// the suspicion back when the next heartbeat arrives. Chandra & Toueg, "Unreliable failure
// detectors for reliable distributed systems", JACM 43(2), 1996, §2: a detector is judged by
// *completeness* (every crashed process is eventually suspected) and *accuracy* (a correct process
// is not suspected — "eventually weak accuracy" for ◇W/◇P). With a timeout, completeness is
// guaranteed (a crashed process stops sending) and accuracy is bought with a long timeout: a short
// one detects crashes fast but suspects live processes whenever a heartbeat is late (a latency
// spike, a pause). In a partially synchronous system the detector that raises its timeout after
// each mistake is ◇P (eventually perfect).
import type { Node } from "../node/index";
import { Simulation } from "../simulation/index";
import { latency as latencies, type Latency } from "../net/index";
import { checkInteger, checkPositive, contextOf, failureError } from "./errors";

/** Options of {@link HeartbeatDetector}. */
export interface HeartbeatDetectorOptions {
  /** Suspect after this long without a heartbeat. */
  timeoutMs: number;
  /** When monitoring started (the first heartbeat is expected within `timeoutMs` of it). Default 0. */
  startMs?: number;
}

/**
 * A timeout detector for one monitored process, as a pure object: tell it each heartbeat's arrival
 * time and ask whether it suspects at a given time. No node, no timers — usable in a test or a
 * notebook cell. The node helper {@link watchHeartbeats} drives one per peer.
 *
 * Chandra & Toueg 1996 §2: strongly complete (a crashed process stops sending, so after its last
 * heartbeat + `timeoutMs` it is suspected forever); accurate only if no heartbeat is ever delayed by
 * more than `timeoutMs − heartbeatIntervalMs`.
 *
 * @example
 * const d = new HeartbeatDetector({ timeoutMs: 300 });
 * d.heartbeat(100);
 * d.suspects(350); // false: 250 ms since the last heartbeat
 * d.suspects(401); // true: 301 ms
 * d.heartbeat(450); // the suspicion is withdrawn
 */
export class HeartbeatDetector {
  readonly timeoutMs: number;
  private lastMs: number;

  constructor(options: HeartbeatDetectorOptions) {
    this.timeoutMs = checkPositive("HeartbeatDetector", "timeoutMs", options?.timeoutMs, {});
    this.lastMs = checkPositive("HeartbeatDetector", "startMs", options.startMs ?? 0, {}, true);
  }

  /** Record a heartbeat that arrived at `nowMs`. @example d.heartbeat(node.clock()) */
  heartbeat(nowMs: number): void {
    if (nowMs > this.lastMs) this.lastMs = nowMs;
  }

  /** The arrival time of the latest heartbeat (or the start). @example d.lastHeartbeatMs */
  get lastHeartbeatMs(): number {
    return this.lastMs;
  }

  /** When the detector will suspect if no heartbeat comes: last heartbeat + timeout. @example d.deadlineMs */
  get deadlineMs(): number {
    return this.lastMs + this.timeoutMs;
  }

  /** Whether the process is suspected at `nowMs` (strictly more than `timeoutMs` of silence). @example d.suspects(500) */
  suspects(nowMs: number): boolean {
    return nowMs - this.lastMs > this.timeoutMs;
  }
}

/** Options of {@link sendHeartbeats}. */
export interface HeartbeatSenderOptions {
  /** Whom to send heartbeats to. */
  to: readonly string[];
  /** Period between heartbeats, on the node's local clock. */
  heartbeatIntervalMs: number;
  /** Wire type. Default `"heartbeat"`. */
  tag?: string;
}

/** A running heartbeat sender. */
export interface HeartbeatSender {
  /** Heartbeats sent so far (one per destination per period). */
  readonly sent: number;
  /** Stop sending (as a crash would, but the node stays up). */
  stop(): void;
}

/**
 * Send `{ type: "heartbeat", seq }` to every node of `to` at once and then every
 * `heartbeatIntervalMs` (Chandra & Toueg 1996 §2; the "push" style of heartbeat).
 *
 * @example
 * sim.spawn("p", (node) => sendHeartbeats(node, { to: ["monitor"], heartbeatIntervalMs: 100 }));
 */
export function sendHeartbeats(node: Node, options: HeartbeatSenderOptions): HeartbeatSender {
  const where = "sendHeartbeats";
  const interval = checkPositive(where, "heartbeatIntervalMs", options?.heartbeatIntervalMs, contextOf(node));
  if (!Array.isArray(options.to)) throw failureError(`${where}: to must be an array of node ids`, contextOf(node));
  const tag = options.tag ?? "heartbeat";
  let seq = 0;
  let sent = 0;
  const beat = (): void => {
    seq++;
    for (const dest of options.to) {
      node.send(dest, { type: tag, seq });
      sent++;
    }
  };
  beat();
  const timer = node.setPeriodic(interval, beat, tag, { clock: "local" });
  return {
    get sent() {
      return sent;
    },
    stop: () => node.cancelTimer(timer),
  };
}

/** Options of {@link watchHeartbeats}. */
export interface HeartbeatWatchOptions {
  /** The monitored peers. */
  from: readonly string[];
  /** Suspect a peer after this long (local clock) without its heartbeat. */
  timeoutMs: number;
  /** Called when a peer becomes suspected. */
  onSuspect?: (peer: string) => void;
  /** Called when a suspected peer's heartbeat arrives (the suspicion was a mistake). */
  onRestore?: (peer: string) => void;
  /** Wire type. Default `"heartbeat"`. */
  tag?: string;
}

/** A running heartbeat monitor. */
export interface HeartbeatWatch {
  /** Whether `peer` is suspected now. */
  suspects(peer: string): boolean;
  /** The peers suspected now. */
  suspected(): string[];
  /** Suspicions raised so far (right or wrong), and withdrawn. */
  readonly counters: { suspicions: number; restores: number };
}

/**
 * Monitor `from` with one {@link HeartbeatDetector} each: a local-clock timer fires at each peer's
 * deadline; a heartbeat re-arms it and withdraws a suspicion.
 *
 * @example
 * sim.spawn("monitor", (node) => {
 *   watchHeartbeats(node, { from: ["p"], timeoutMs: 300, onSuspect: (p) => node.log(`suspect ${p}`) });
 * });
 */
export function watchHeartbeats(node: Node, options: HeartbeatWatchOptions): HeartbeatWatch {
  const where = "watchHeartbeats";
  const timeoutMs = checkPositive(where, "timeoutMs", options?.timeoutMs, contextOf(node));
  if (!Array.isArray(options.from)) throw failureError(`${where}: from must be an array of node ids`, contextOf(node));
  const tag = options.tag ?? "heartbeat";
  const counters = { suspicions: 0, restores: 0 };
  const peers = new Map<string, { detector: HeartbeatDetector; suspected: boolean; timer: number }>();
  const arm = (peer: string): number => node.setTimer(timeoutMs, () => expire(peer), `${tag} timeout ${peer}`, { clock: "local" });
  const expire = (peer: string): void => {
    const entry = peers.get(peer)!;
    if (entry.suspected) return;
    entry.suspected = true;
    counters.suspicions++;
    options.onSuspect?.(peer);
  };
  for (const peer of options.from) {
    peers.set(peer, { detector: new HeartbeatDetector({ timeoutMs, startMs: Math.max(0, node.clock()) }), suspected: false, timer: -1 });
    peers.get(peer)!.timer = arm(peer);
  }
  node.on(tag, (message) => {
    const entry = peers.get(message.src);
    if (!entry) return;
    entry.detector.heartbeat(node.clock());
    node.cancelTimer(entry.timer);
    entry.timer = arm(message.src);
    if (entry.suspected) {
      entry.suspected = false;
      counters.restores++;
      options.onRestore?.(message.src);
    }
  });
  return {
    counters,
    suspects: (peer) => peers.get(peer)?.suspected ?? false,
    suspected: () => [...peers].filter(([, e]) => e.suspected).map(([p]) => p),
  };
}

/** Options of {@link measureHeartbeatDetector}. */
export interface HeartbeatMeasureOptions {
  timeoutMs: number;
  heartbeatIntervalMs: number;
  /** One-way latency of a heartbeat. Default `latency.normal(10, 3)`. */
  latency?: Latency;
  /** Latency spikes: with `probability`, a heartbeat is late by a further `delayMs`. Default 2% by 250 ms. */
  spikes?: { probability: number; delayMs: number | Latency };
  /** When the monitored process crashes (true time). Default: never. */
  crashAtMs?: number;
  /** Length of the run. Default 60,000 ms (or until `crashAtMs + 2·timeoutMs` if later). */
  durationMs?: number;
  seed?: number;
}

/** What {@link measureHeartbeatDetector} saw. */
export interface HeartbeatMeasurement {
  timeoutMs: number;
  heartbeatIntervalMs: number;
  seed: number;
  /** Suspicions of the process while it was up (accuracy violations). */
  falseSuspicions: number;
  /** Total time the live process was wrongly suspected, ms. */
  falseSuspicionMs: number;
  /** From the crash to the permanent suspicion, ms (undefined without a crash). */
  detectionMs: number | undefined;
  /** Heartbeats sent. */
  heartbeats: number;
  /** Every change of the monitor's opinion: `kind` `"suspect"` or `"restore"` at true time `atMs`. */
  events: Array<{ atMs: number; kind: "suspect" | "restore" }>;
}

/**
 * The detection-time / accuracy trade-off of one timeout: process `p` heartbeats to `monitor` over
 * a network with latency spikes; count false suspicions while `p` is up and, if it crashes, the
 * time until it is suspected for good. Notebook 07 charts this over a range of timeouts.
 *
 * @example
 * const m = await measureHeartbeatDetector({ timeoutMs: 200, heartbeatIntervalMs: 100, crashAtMs: 30_000, seed: 1 });
 * m.falseSuspicions; // a few: spikes of 250 ms beat a 100 ms slack
 * m.detectionMs;     // between timeout − interval and timeout + latency
 */
export async function measureHeartbeatDetector(options: HeartbeatMeasureOptions): Promise<HeartbeatMeasurement> {
  const where = "measureHeartbeatDetector";
  const timeoutMs = checkPositive(where, "timeoutMs", options?.timeoutMs, {});
  const heartbeatIntervalMs = checkPositive(where, "heartbeatIntervalMs", options.heartbeatIntervalMs, {});
  const seed = checkInteger(where, "seed", options.seed ?? 1, 0, {});
  const crashAtMs = options.crashAtMs === undefined ? undefined : checkPositive(where, "crashAtMs", options.crashAtMs, {});
  const durationMs = Math.max(checkPositive(where, "durationMs", options.durationMs ?? 60_000, {}), (crashAtMs ?? 0) + 2 * timeoutMs + 1_000);
  const spikes = options.spikes ?? { probability: 0.02, delayMs: 250 };
  const sim = new Simulation({ seed, trace: false, network: { latency: options.latency ?? latencies.normal(10, 3), ordering: "unordered" } });
  if (spikes.probability > 0) sim.addRule({ name: "latency spike", match: { type: "heartbeat" }, action: "delay", delayMs: spikes.delayMs, probability: spikes.probability });
  const events: HeartbeatMeasurement["events"] = [];
  let sender: HeartbeatSender | undefined;
  sim.spawn("monitor", (node) => {
    watchHeartbeats(node, {
      from: ["p"],
      timeoutMs,
      onSuspect: () => events.push({ atMs: node.now(), kind: "suspect" }),
      onRestore: () => events.push({ atMs: node.now(), kind: "restore" }),
    });
  });
  sim.spawn("p", (node) => {
    sender = sendHeartbeats(node, { to: ["monitor"], heartbeatIntervalMs });
  });
  if (crashAtMs !== undefined) sim.at(crashAtMs, () => sim.crash("p"), "crash p");
  await sim.runUntilTime(durationMs);
  let falseSuspicions = 0;
  let falseSuspicionMs = 0;
  let detectionMs: number | undefined;
  const upUntil = crashAtMs ?? durationMs;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.kind !== "suspect") continue;
    const endMs = events[i + 1]?.atMs;
    if (e.atMs < upUntil) {
      falseSuspicions++;
      falseSuspicionMs += Math.min(endMs ?? durationMs, upUntil) - e.atMs;
    }
    if (crashAtMs !== undefined && endMs === undefined) detectionMs = Math.max(0, e.atMs - crashAtMs);
  }
  return { timeoutMs, heartbeatIntervalMs, seed, falseSuspicions, falseSuspicionMs, detectionMs, heartbeats: sender?.sent ?? 0, events };
}
