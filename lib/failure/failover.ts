// Failover. Active–passive: a primary serves and heartbeats to a backup; the backup's timeout
// detector decides the primary is gone and takes over. A timeout cannot tell a crash from a
// partition or a long pause (Chandra & Toueg 1996: no detector is both complete and accurate in
// an asynchronous system), so a wrong suspicion makes two primaries at once — split brain — and
// both write to storage. Fencing tokens (Kleppmann, "How to do distributed locking", 2016; the
// epochs of Viewstamped Replication, Oki & Liskov 1988, and ZooKeeper's zxid epochs): every
// takeover carries a larger epoch, the storage node remembers the largest it has seen and refuses
// writes with a smaller one, so the stale primary's writes never land. Active–active: both
// servers serve at once and keep all state in shared storage, so losing one costs no takeover.
import type { Node } from "../node/index";
import { Simulation } from "../simulation/index";
import { latency as latencies } from "../net/index";
import { HeartbeatDetector } from "./heartbeat";
import { checkInteger, checkPositive, failureError } from "./errors";

/** Options of {@link runFailover}. */
export interface FailoverOptions {
  /** Whether the storage node checks epochs (fencing tokens). */
  fencing: boolean;
  /**
   * The fault: `"partition"` cuts primary ↔ backup (both still reach storage); `"pause"` freezes the
   * primary (a stop-the-world GC) with a write in hand, sent when it wakes; `"crash"` crashes it
   * (failover done right); `"none"`.
   */
  fault: "partition" | "pause" | "crash" | "none";
  /** When the fault starts. Default 1,000 ms. */
  faultAtMs?: number;
  /** How long a partition or pause lasts. Default 600 ms. */
  faultDurationMs?: number;
  heartbeatIntervalMs?: number;
  /** The backup's detector timeout. Default 4 heartbeat intervals. */
  timeoutMs?: number;
  /** A primary writes to storage this often. Default 20 ms. */
  writeIntervalMs?: number;
  /** Length of the run. Default 3,000 ms. */
  durationMs?: number;
  seed?: number;
}

/** One write as the storage node saw it. */
export interface StorageWrite {
  from: string;
  epoch: number;
  value: string;
  atMs: number;
  accepted: boolean;
}

/** What {@link runFailover} observed. */
export interface FailoverResult {
  fencing: boolean;
  fault: FailoverOptions["fault"];
  seed: number;
  /** Every write that reached storage, accepted or refused, in arrival order. */
  writes: StorageWrite[];
  /** Writes accepted. */
  accepted: number;
  /** Writes refused by fencing. */
  refused: number;
  /** Accepted writes whose epoch was below an epoch already accepted: the stale primary's writes that landed. */
  splitBrainWrites: number;
  /** When the backup took over (undefined if it never did). */
  takeoverAtMs: number | undefined;
  /** Time during which both nodes believed they were primary, ms. */
  twoPrimariesMs: number;
  /** Roles at the end (`"crashed"` after the crash fault). */
  roles: Record<string, "primary" | "backup" | "crashed">;
}

/**
 * Active–passive failover with a heartbeat detector, with or without fencing at the storage node.
 * Node `a` starts as primary with epoch 1 and `b` as backup; the primary heartbeats
 * `{ epoch }` to the backup and writes `{ epoch, value }` to `storage` every `writeIntervalMs`; the
 * backup suspects after `timeoutMs` of silence and takes over with epoch + 1. A primary steps down
 * when storage refuses its write (fenced) or when it hears a heartbeat with a larger epoch.
 * With fencing, an invariant checks after every event that storage never accepts a smaller epoch
 * than one it has accepted.
 *
 * @example
 * const unfenced = await runFailover({ fencing: false, fault: "partition", seed: 1 });
 * unfenced.splitBrainWrites; // > 0: the old primary's writes landed after the takeover
 * const fenced = await runFailover({ fencing: true, fault: "partition", seed: 1 });
 * fenced.splitBrainWrites;   // 0; fenced.refused ≥ 1 and a steps down
 *
 * Fencing protects storage, not leadership: while the partition lasts, a fenced node that hears no
 * heartbeat may suspect the other in turn and take over with a yet larger epoch, so leadership can
 * flap — but storage never accepts a smaller epoch than one it has accepted. Electing one leader
 * needs a majority (Raft, notebook 09).
 */
export async function runFailover(options: FailoverOptions): Promise<FailoverResult> {
  const where = "runFailover";
  if (typeof options?.fencing !== "boolean") throw failureError(`${where}: fencing must be true or false, got ${JSON.stringify(options?.fencing)}`, {});
  const faults = ["partition", "pause", "crash", "none"];
  if (!faults.includes(options.fault)) throw failureError(`${where}: fault must be one of ${faults.join(", ")}, got ${JSON.stringify(options.fault)}`, {});
  const seed = checkInteger(where, "seed", options.seed ?? 1, 0, {});
  const heartbeatIntervalMs = checkPositive(where, "heartbeatIntervalMs", options.heartbeatIntervalMs ?? 50, {});
  const timeoutMs = checkPositive(where, "timeoutMs", options.timeoutMs ?? 4 * heartbeatIntervalMs, {});
  const writeIntervalMs = checkPositive(where, "writeIntervalMs", options.writeIntervalMs ?? 20, {});
  const faultAtMs = checkPositive(where, "faultAtMs", options.faultAtMs ?? 1000, {});
  const faultDurationMs = checkPositive(where, "faultDurationMs", options.faultDurationMs ?? 600, {});
  const durationMs = checkPositive(where, "durationMs", options.durationMs ?? 3000, {});
  const sim = new Simulation({ seed, network: { latency: latencies.uniform(2, 6) } });

  const writes: StorageWrite[] = [];
  let epochMax = 0;
  sim.spawn("storage", (node) => {
    node.on("write", (message) => {
      const { epoch, value } = message.body as unknown as { epoch: number; value: string };
      const accepted = !options.fencing || epoch >= epochMax;
      if (accepted) epochMax = Math.max(epochMax, epoch);
      writes.push({ from: message.src, epoch, value, atMs: node.now(), accepted });
      node.reply(message, accepted ? { type: "write_ok" } : { type: "write_fenced", epochMax });
    });
  });
  if (options.fencing) {
    sim.invariant("storage never accepts a stale epoch", () => {
      let max = 0;
      for (const w of writes) {
        if (!w.accepted) continue;
        if (w.epoch < max) return `accepted ${w.value} with epoch ${w.epoch} after epoch ${max}`;
        max = w.epoch;
      }
      return true;
    });
  }

  const roles: Record<string, "primary" | "backup" | "crashed"> = { a: "primary", b: "backup" };
  const pausedUntil: Record<string, number> = { a: 0, b: 0 };
  let takeoverAtMs: number | undefined;
  let twoPrimariesMs = 0;
  let bothSinceMs: number | undefined;
  const noteRoles = (nowMs: number): void => {
    const both = roles.a === "primary" && roles.b === "primary";
    if (both && bothSinceMs === undefined) bothSinceMs = nowMs;
    if (!both && bothSinceMs !== undefined) {
      twoPrimariesMs += nowMs - bothSinceMs;
      bothSinceMs = undefined;
    }
  };

  const replica = (node: Node): void => {
    const peer = node.id === "a" ? "b" : "a";
    let epoch = 1;
    let seq = 0;
    const detector = new HeartbeatDetector({ timeoutMs, startMs: node.now() });
    const become = (role: "primary" | "backup", cause: string): void => {
      roles[node.id] = role;
      node.setState(role, cause);
      noteRoles(node.now());
    };
    node.setState(roles[node.id], "start");
    const write = (): void => {
      const value = `${node.id}#${++seq}`;
      node.send("storage", { type: "write", epoch, value });
    };
    node.on("write_fenced", (message) => {
      const { epochMax: newer } = message.body as unknown as { epochMax: number };
      if (roles[node.id] === "primary") {
        epoch = Math.max(epoch, newer);
        become("backup", `fenced by epoch ${newer}`);
        detector.heartbeat(node.now());
      }
    });
    node.on("write_ok", () => {});
    node.on("heartbeat", (message) => {
      if (node.now() < pausedUntil[node.id]) return;
      const { epoch: theirs } = message.body as unknown as { epoch: number };
      detector.heartbeat(node.now());
      if (theirs > epoch) {
        epoch = theirs;
        if (roles[node.id] === "primary") become("backup", `heard epoch ${theirs}`);
      }
    });
    node.setPeriodic(writeIntervalMs, () => {
      if (node.now() < pausedUntil[node.id]) return;
      if (roles[node.id] === "primary") write();
    }, "write");
    node.setPeriodic(heartbeatIntervalMs, () => {
      if (node.now() < pausedUntil[node.id]) return;
      if (roles[node.id] === "primary") node.send(peer, { type: "heartbeat", epoch });
      else if (detector.suspects(node.now())) {
        epoch += 1;
        takeoverAtMs ??= node.now();
        become("primary", `suspected ${peer}: took over with epoch ${epoch}`);
      }
    }, "heartbeat");
    // The pause: the primary prepared a write just before freezing and sends it when it wakes.
    if (node.id === "a" && options.fault === "pause") {
      sim.at(faultAtMs, () => {
        pausedUntil.a = faultAtMs + faultDurationMs;
      }, "pause a");
      sim.at(faultAtMs + faultDurationMs, () => {
        if (roles.a === "primary") write();
      }, "a wakes");
    }
  };
  sim.spawn("a", replica);
  sim.spawn("b", replica);
  if (options.fault === "partition") {
    sim.at(faultAtMs, () => {
      sim.heal();
      sim.cut("a", "b");
      sim.cut("b", "a");
    }, "cut a ↔ b");
    sim.at(faultAtMs + faultDurationMs, () => sim.heal(), "heal");
  }
  if (options.fault === "crash") {
    sim.at(faultAtMs, () => {
      sim.crash("a");
      roles.a = "crashed";
    }, "crash a");
  }
  await sim.runUntilTime(durationMs);
  noteRoles(durationMs);
  if (bothSinceMs !== undefined) twoPrimariesMs += durationMs - bothSinceMs;

  let maxSeen = 0;
  let splitBrainWrites = 0;
  for (const w of writes) {
    if (!w.accepted) continue;
    if (w.epoch < maxSeen) splitBrainWrites++;
    maxSeen = Math.max(maxSeen, w.epoch);
  }
  return {
    fencing: options.fencing,
    fault: options.fault,
    seed,
    writes,
    accepted: writes.filter((w) => w.accepted).length,
    refused: writes.filter((w) => !w.accepted).length,
    splitBrainWrites,
    takeoverAtMs,
    twoPrimariesMs,
    roles: { ...roles },
  };
}

/** How many times an active–active client tries the servers in turn after its first attempt failed. */
const REDIRECT_ATTEMPTS_MAX = 6;

/** Options of {@link runActiveActive}. */
export interface ActiveActiveOptions {
  /** Client increments, sent alternately to `s1` and `s2`. Default 40. */
  requests?: number;
  /** When `s1` crashes. Default 200 ms. */
  crashAtMs?: number;
  seed?: number;
}

/** What {@link runActiveActive} observed. */
export interface ActiveActiveResult {
  /** Increments each server completed. */
  served: Record<string, number>;
  /** Requests the client had to resend to the other server after a timeout. */
  redirected: number;
  /**
   * The counter in shared storage at the end: never below `requests` (no increment lost), but it
   * may exceed it by the increments `s1` applied just before crashing whose replies died with it —
   * the client's resend to `s2` is not deduplicated (at-least-once).
   */
  counter: number;
  requests: number;
}

/**
 * Active–active: two stateless servers both serve increments of one counter kept in shared
 * storage (read, then compare-and-set, retried on conflict — the servers never coordinate with
 * each other). When `s1` crashes, the client's timed-out requests go to `s2`: no detector, no
 * takeover, no epoch — the price is that every request pays the shared store and the CAS retries.
 *
 * @example
 * const r = await runActiveActive({ requests: 40, crashAtMs: 200, seed: 1 });
 * r.counter >= r.requests; // true: nothing lost, s2 served the rest (41 for seed 1: one increment applied twice)
 */
export async function runActiveActive(options: ActiveActiveOptions = {}): Promise<ActiveActiveResult> {
  const where = "runActiveActive";
  const requests = checkInteger(where, "requests", options.requests ?? 40, 1, {});
  const crashAtMs = checkPositive(where, "crashAtMs", options.crashAtMs ?? 200, {});
  const seed = checkInteger(where, "seed", options.seed ?? 1, 0, {});
  const sim = new Simulation({ seed, network: { latency: latencies.uniform(2, 6) } });
  let counter = 0;
  sim.spawn("storage", (node) => {
    node.on("read", (m) => node.reply(m, { type: "read_ok", value: counter }));
    node.on("cas", (m) => {
      const { from, to } = m.body as unknown as { from: number; to: number };
      const ok = counter === from;
      if (ok) counter = to;
      node.reply(m, { type: ok ? "cas_ok" : "cas_fail" });
    });
  });
  const served: Record<string, number> = { s1: 0, s2: 0 };
  const server = (node: Node): void => {
    node.on("increment", async (m) => {
      for (;;) {
        const read = await node.rpc<{ type: string; value: number }>("storage", { type: "read" }, { timeoutMs: 100, retries: 3 });
        const cas = await node.rpc("storage", { type: "cas", from: read.body.value, to: read.body.value + 1 }, { timeoutMs: 100, retries: 3 });
        if (cas.body.type === "cas_ok") break;
        await node.sleep(node.rng.uniform(0, 10));
      }
      served[node.id]++;
      node.reply(m, { type: "increment_ok" });
    });
  };
  sim.spawn("s1", server);
  sim.spawn("s2", server);
  let redirected = 0;
  const client = sim.spawn("client");
  sim.at(crashAtMs, () => sim.crash("s1"), "crash s1");
  const work = (async () => {
    const pending: Array<Promise<void>> = [];
    for (let i = 0; i < requests; i++) {
      const first = i % 2 === 0 ? "s1" : "s2";
      pending.push((async () => {
        try {
          await client.rpc(first, { type: "increment" }, { timeoutMs: 100 });
        } catch {
          // Try the other server, then each in turn: the first may be the crashed one, or only slow.
          redirected++;
          const other = first === "s1" ? "s2" : "s1";
          for (let attempt = 0; ; attempt++) {
            try {
              await client.rpc(attempt % 2 === 0 ? other : first, { type: "increment" }, { timeoutMs: 1000 });
              break;
            } catch (error) {
              if (attempt >= REDIRECT_ATTEMPTS_MAX) throw error;
            }
          }
        }
      })());
      await client.sleep(10);
    }
    await Promise.all(pending);
  })();
  await sim.runUntilSettled(work, { withinMs: 60_000 });
  return { served, redirected, counter, requests };
}
