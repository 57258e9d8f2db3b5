// CAP with quorums (Brewer 2000; Gilbert & Lynch 2002): during a partition a replicated store must
// either refuse some requests (stay consistent) or accept them on both sides (stay available) and
// let the copies diverge. After the partition heals, anti-entropy and read repair bring the
// replicas back together — eventual consistency (Vogels 2009) — and with last-writer-wins one side's
// concurrent writes are silently lost.
import { Simulation } from "../simulation/index";
import { latency as latencies } from "../net/index";
import { ConfigError } from "../sim/index";
import { QuorumUnavailableError, compareVersions, quorumStoreClient, type QuorumStoreOptions, type QuorumVersion } from "./quorum";
import { checkWhole, spawnClient, spawnReplicas } from "./quorum-sim";

/** Options of {@link runQuorumPartition}. */
export interface QuorumPartitionOptions {
  mode: QuorumStoreOptions["mode"];
  seed?: number;
  /** Replicas (N). Default 5: r1, r2 on the minority side, the rest on the majority side. */
  n?: number;
  /** Default a majority of N. */
  r?: number;
  /** Default a majority of N. */
  w?: number;
  /** After the heal the clients read every key each round, with read repair. Default false. */
  readRepair?: boolean;
  /** Anti-entropy round interval on every replica; 0 turns it off. Default 20 ms. */
  antiEntropyIntervalMs?: number;
  /** Keys written. Default 8. */
  keys?: number;
  /** Default 100 ms. */
  partitionAtMs?: number;
  /** Default 600 ms. Clients stop writing early enough that no write is in flight at the heal. */
  healAtMs?: number;
  /** Each phase of an operation waits this long. Default 40 ms. */
  timeoutMs?: number;
  /** Give up waiting for convergence after this long past the heal. Default 2,000 ms. */
  convergeWithinMs?: number;
  /** Count the stale copies every this many ms after the heal, into `staleCopies` (for a chart). Default: not sampled. */
  sampleEveryMs?: number;
}

/** One side of the partition, as its client saw it. */
export interface QuorumPartitionSide {
  name: "minority" | "majority";
  replicas: string[];
  client: string;
  /** Writes the client started during the partition. */
  attempted: number;
  /** Of those, writes that succeeded. */
  accepted: number;
  /** accepted / attempted (1 when none was attempted). */
  availability: number;
}

/** What {@link runQuorumPartition} observed. */
export interface QuorumPartitionResult {
  mode: QuorumStoreOptions["mode"];
  seed: number;
  n: number;
  r: number;
  w: number;
  sides: QuorumPartitionSide[];
  /** Keys written successfully on both sides during the partition: two histories to reconcile. */
  divergentKeys: number;
  /** (key, replica) pairs behind the newest version at the heal. */
  staleCopiesAtHeal: number;
  /** Time from the heal until every replica holds the same versions; undefined if that never happened. */
  convergedAfterMs: number | undefined;
  /**
   * Writes lost: per side, keys whose newest value (over all replicas, at the end) is not that
   * side's last accepted write of the partition — last-writer-wins dropped it.
   */
  lostWrites: number;
  /** Anti-entropy counters summed over the replicas. */
  antiEntropy: { rounds: number; pulled: number; pushed: number };
  /** With `sampleEveryMs`: (key, replica) pairs behind the newest version, from the heal until they agree. */
  staleCopies?: Array<{ afterHealMs: number; staleCopies: number }>;
}

/**
 * Cut N replicas into a minority (r1, r2 and client `ca`) and a majority (the rest and client `cb`);
 * both clients write random keys during the partition, then the partition heals and we time how
 * long the replicas take to agree. In `"consistent"` mode the minority side refuses every write
 * (availability 0 %) and nothing diverges; in `"available"` mode both sides accept writes, the
 * same keys get different values on the two sides, and after the heal last-writer-wins keeps one
 * of them. Which one is not "the later one in real time": versions are Lamport counters, so the
 * side that wrote a key more often wins it — here usually the majority, and the minority's
 * acknowledged writes vanish (`lostWrites`).
 *
 * @example
 * const cp = await runQuorumPartition({ mode: "consistent", seed: 1 });
 * cp.sides.map((s) => s.availability); // [0, 1]
 * const ap = await runQuorumPartition({ mode: "available", seed: 1 });
 * ap.divergentKeys;     // > 0
 * ap.convergedAfterMs;  // a few anti-entropy rounds
 */
export async function runQuorumPartition(options: QuorumPartitionOptions): Promise<QuorumPartitionResult> {
  const where = "runQuorumPartition";
  const mode = options?.mode;
  if (mode !== "consistent" && mode !== "available") throw new ConfigError(`${where}: mode`, mode, '"consistent" or "available"');
  const seed = checkWhole(where, "seed", options.seed ?? 1, 0);
  const n = checkWhole(where, "n", options.n ?? 5, 3);
  const majority = Math.floor(n / 2) + 1;
  const r = checkWhole(where, "r", options.r ?? majority, 1);
  const w = checkWhole(where, "w", options.w ?? majority, 1);
  const keyCount = checkWhole(where, "keys", options.keys ?? 8, 1);
  const antiEntropyIntervalMs = options.antiEntropyIntervalMs ?? 20;
  const partitionAtMs = options.partitionAtMs ?? 100;
  const healAtMs = options.healAtMs ?? 600;
  const timeoutMs = options.timeoutMs ?? 40;
  const convergeWithinMs = options.convergeWithinMs ?? 2000;
  const writeUntilMs = healAtMs - 2 * timeoutMs - 1;
  if (!(partitionAtMs >= 0 && writeUntilMs > partitionAtMs)) {
    throw new ConfigError(`${where}: partitionAtMs and healAtMs`, { partitionAtMs, healAtMs }, `0 ≤ partitionAtMs < healAtMs − 2 × timeoutMs`);
  }

  const sim = new Simulation({ seed, trace: false, network: { latency: latencies.uniform(2, 8), ordering: "unordered" } });
  const ids = Array.from({ length: n }, (_, i) => `r${i + 1}`);
  const { replicas, syncs } = spawnReplicas(sim, ids, antiEntropyIntervalMs);
  const keys = Array.from({ length: keyCount }, (_, i) => `k${i}`);
  const sides: QuorumPartitionSide[] = [
    { name: "minority", replicas: ids.slice(0, 2), client: "ca", attempted: 0, accepted: 0, availability: 1 },
    { name: "majority", replicas: ids.slice(2), client: "cb", attempted: 0, accepted: 0, availability: 1 },
  ];
  /** Per side, key → the last value accepted during the partition. */
  const lastAccepted = sides.map(() => new Map<string, string>());
  const errors: unknown[] = [];
  let healed = false;
  sides.forEach((side, s) => {
    spawnClient(sim, side.client, errors, async (node) => {
      const client = quorumStoreClient(node, { replicas: ids, n, r, w, timeoutMs, readRepair: options.readRepair ?? false, mode });
      for (let i = 1; node.now() < writeUntilMs; i++) {
        const key = node.rng.pick(keys);
        const value = `${side.client}-${i}`;
        const during = node.now() >= partitionAtMs;
        if (during) side.attempted++;
        try {
          await client.put(key, value);
          if (during) {
            side.accepted++;
            lastAccepted[s].set(key, value);
          }
        } catch (e) {
          if (!(e instanceof QuorumUnavailableError)) throw e;
        }
        await node.sleep(node.rng.uniform(5, 15));
      }
      if (!options.readRepair) return;
      // After the heal: read every key each round; read repair fixes the replicas that answered stale.
      while (!healed) await node.sleep(10);
      for (;;) {
        for (const key of keys) {
          try {
            await client.get(key);
          } catch (e) {
            if (!(e instanceof QuorumUnavailableError)) throw e;
          }
        }
        await node.sleep(20);
      }
    });
  });

  sim.at(partitionAtMs, () => sim.partition([[...sides[0].replicas, "ca"], [...sides[1].replicas, "cb"]]), "partition");
  await sim.runUntilTime(healAtMs);
  sim.heal();
  healed = true;
  if (errors.length) throw errors[0];

  const newest = (key: string): QuorumVersion | undefined =>
    ids.map((id) => replicas.get(id)!.read(key)?.version).reduce((a, b) => (compareVersions(b, a) > 0 ? b : a), undefined);
  const countStale = (): number => {
    let stale = 0;
    for (const key of keys) {
      const top = newest(key);
      for (const id of ids) if (compareVersions(replicas.get(id)!.read(key)?.version, top) < 0) stale++;
    }
    return stale;
  };
  const staleCopiesAtHeal = countStale();
  const versionsOf = (id: string): string => JSON.stringify(keys.map((key) => replicas.get(id)!.read(key)?.version ?? null));
  const agree = (): boolean => ids.every((id) => versionsOf(id) === versionsOf(ids[0]));
  let staleCopies: QuorumPartitionResult["staleCopies"];
  const sampleEveryMs = options.sampleEveryMs;
  if (sampleEveryMs !== undefined) {
    if (!(sampleEveryMs > 0)) throw new ConfigError(`${where}: sampleEveryMs`, sampleEveryMs, "a number of ms > 0");
    const samples: NonNullable<QuorumPartitionResult["staleCopies"]> = [];
    staleCopies = samples;
    const sample = (): void => {
      if (samples.length > 0 && samples[samples.length - 1].staleCopies === 0) return;
      samples.push({ afterHealMs: sim.now() - healAtMs, staleCopies: countStale() });
      if (sim.now() < healAtMs + convergeWithinMs) sim.at(sim.now() + sampleEveryMs, sample, "sample");
    };
    sample();
  }
  const run = await sim.runUntil(agree, { withinMs: convergeWithinMs, throwOnTimeout: false });
  if (errors.length) throw errors[0];
  const convergedAfterMs = agree() ? run.timeMs - healAtMs : undefined;
  if (staleCopies !== undefined && convergedAfterMs !== undefined) staleCopies.push({ afterHealMs: convergedAfterMs, staleCopies: countStale() });

  let divergentKeys = 0;
  let lostWrites = 0;
  for (const key of keys) {
    if (lastAccepted[0].has(key) && lastAccepted[1].has(key)) divergentKeys++;
    const final = ids.map((id) => replicas.get(id)!.read(key)).reduce((a, b) => (compareVersions(b?.version, a?.version) > 0 ? b : a), undefined)?.value;
    for (const last of lastAccepted) if (last.has(key) && last.get(key) !== final) lostWrites++;
  }
  for (const side of sides) side.availability = side.attempted === 0 ? 1 : side.accepted / side.attempted;
  const counters = { rounds: 0, pulled: 0, pushed: 0 };
  for (const sync of syncs.values()) {
    counters.rounds += sync.rounds;
    counters.pulled += sync.pulled;
    counters.pushed += sync.pushed;
  }
  return { mode, seed, n, r, w, sides, divergentKeys, staleCopiesAtHeal, convergedAfterMs, lostWrites, antiEntropy: counters, ...(staleCopies ? { staleCopies } : {}) };
}
