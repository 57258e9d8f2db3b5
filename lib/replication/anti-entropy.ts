// Anti-entropy (Demers et al., "Epidemic algorithms for replicated database maintenance", PODC
// 1987; Dynamo §4.7): every so often a replica picks a random peer and the two compare what they
// hold, then each takes the other's newer entries. Push–pull on a flat digest (key → version):
// the asker sends `quorum_digest`, the peer answers `quorum_digest_ok` with its newer entries and
// the keys the asker holds newer, and the asker pushes those with `quorum_sync`. Dynamo compares
// Merkle trees instead, so that two replicas that agree exchange one hash, not one version per
// key; the flat digest is the same idea without the tree.
import type { Node } from "../node/index";
import { ConfigError } from "../sim/index";
import type { QuorumEntry, QuorumReplica } from "./quorum";

/** Options of {@link antiEntropy}. */
export interface AntiEntropyOptions {
  /** This node's replica (from `quorumReplica`). */
  replica: QuorumReplica;
  /** The other replicas to sync with (one picked at random each round). */
  peers: string[];
  /** Time between rounds. */
  intervalMs: number;
  /** How long a round waits for the peer's answer. Default `intervalMs`. */
  timeoutMs?: number;
}

/** A running anti-entropy process, with its counters. */
export interface AntiEntropy {
  /** Stop the periodic rounds. */
  stop(): void;
  /** Rounds started. */
  readonly rounds: number;
  /** Entries this node took from peers (it was stale). */
  readonly pulled: number;
  /** Entries this node pushed to peers (they were stale). */
  readonly pushed: number;
}

/**
 * Start periodic anti-entropy on a quorum replica: every `intervalMs` it syncs with one random peer,
 * both ways (see the file header). Replicas that stop receiving writes converge: with a random
 * peer each round, news reaches all of them in O(log n) rounds (Demers et al.).
 *
 * @example
 * sim.spawnMany(ids, (node) => {
 *   const replica = quorumReplica(node);
 *   antiEntropy(node, { replica, peers: ids.filter((p) => p !== node.id), intervalMs: 50 });
 * });
 */
export function antiEntropy(node: Node, options: AntiEntropyOptions): AntiEntropy {
  const context = { node: node.id, timeMs: node.now() };
  const { replica, peers, intervalMs } = options ?? ({} as AntiEntropyOptions);
  if (!replica || typeof replica.digest !== "function") throw new ConfigError("antiEntropy: replica", replica, "the handle quorumReplica returned", context);
  if (!Array.isArray(peers) || peers.length === 0) throw new ConfigError("antiEntropy: peers", peers, "a non-empty list of replica ids", context);
  if (!(typeof intervalMs === "number" && intervalMs > 0)) throw new ConfigError("antiEntropy: intervalMs", intervalMs, "a number > 0", context);
  const timeoutMs = options.timeoutMs ?? intervalMs;
  if (!(typeof timeoutMs === "number" && timeoutMs > 0)) throw new ConfigError("antiEntropy: timeoutMs", timeoutMs, "a number > 0", context);

  let rounds = 0;
  let pulled = 0;
  let pushed = 0;
  const round = async (): Promise<void> => {
    rounds++;
    const peer = node.rng.pick(peers);
    let answer;
    try {
      answer = await node.rpc(peer, { type: "quorum_digest", digest: replica.digest() }, { timeoutMs });
    } catch {
      return; // unreachable this round; try another peer next time
    }
    const body = answer.body as unknown as { entries: Record<string, QuorumEntry>; want: string[] };
    for (const key of Object.keys(body.entries ?? {})) if (replica.apply(key, body.entries[key])) pulled++;
    const entries: Record<string, QuorumEntry> = {};
    for (const key of body.want ?? []) {
      const entry = replica.read(key);
      if (entry) entries[key] = entry;
    }
    if (Object.keys(entries).length > 0) {
      pushed += Object.keys(entries).length;
      node.send(peer, { type: "quorum_sync", entries });
    }
  };
  const timer = node.setPeriodic(intervalMs, () => round(), "anti-entropy");
  return {
    stop: () => node.cancelTimer(timer),
    get rounds() {
      return rounds;
    },
    get pulled() {
      return pulled;
    },
    get pushed() {
      return pushed;
    },
  };
}
