// Raft's leader election (extended paper §5.2) for the explorer: lib/raft's own `raftMachine`, and a
// planted bug in a thin wrapper around it.
//
// The bug ("vote-not-persisted") is a server that keeps `votedFor` only in memory: after a crash
// and restart it comes back with its term but no memory of its vote, and can vote a second time in
// the same term — Figure 2 says votedFor is persistent for exactly this reason. Two candidates of
// one term can then both collect a majority: two leaders in one term (Election Safety, Figure 3).
import type { Machine } from "../../machine/index";
import { raftMachine } from "../../raft/index";
import type { RaftConfig, RaftMessage, RaftPersist, RaftState } from "../../raft/index";

/** The right Raft, or one that does not keep its vote across a restart. */
export type RaftElectionVariant = "correct" | "vote-not-persisted";

/**
 * Raft as the explorer searches it: `raftMachine` itself for `"correct"`; for
 * `"vote-not-persisted"` the same machine whose `restore` ignores the persisted `votedFor`.
 *
 * @example
 * const buggy = raftElectionMachine("vote-not-persisted");
 * buggy.restore!({ id: "n3", config: { peers: ["n1", "n2"] }, seed: 1 }, { currentTerm: 1, votedFor: "n1" }).votedFor // null
 */
export function raftElectionMachine(variant: RaftElectionVariant = "correct"): Machine<RaftState, RaftMessage, RaftPersist, RaftConfig> {
  if (variant === "correct") return raftMachine;
  if (variant !== "vote-not-persisted") throw new RangeError(`raftElectionMachine: variant must be "correct" or "vote-not-persisted", got ${JSON.stringify(variant)}`);
  return {
    ...raftMachine,
    name: "raft",
    restore: (ctx, persisted) => {
      const { votedFor: _forgotten, ...rest } = persisted;
      return raftMachine.restore!(ctx, rest);
    },
  };
}

/**
 * The configuration of a 3-node cluster `n1`, `n2`, `n3` for a search: every election timeout is
 * exactly `electionTicks` ticks (one tick = one timeout by default), so the random timeout draws
 * cannot change what happens and the seed can be left out of the state.
 *
 * @example raftElectionConfig("n1") // { peers: ["n2", "n3"], electionTicksMin: 1, electionTicksMax: 1, heartbeatTicks: 1 }
 */
export function raftElectionConfig(id: string, options: { ids?: readonly string[]; electionTicks?: number; heartbeatTicks?: number } = {}): RaftConfig {
  const ids = options.ids ?? ["n1", "n2", "n3"];
  if (!ids.includes(id)) throw new RangeError(`raftElectionConfig: ${JSON.stringify(id)} is not one of ${ids.join(", ")}`);
  const ticks = options.electionTicks ?? 1;
  return { peers: ids.filter((p) => p !== id), electionTicksMin: ticks, electionTicksMax: ticks, heartbeatTicks: options.heartbeatTicks ?? 1 };
}

/**
 * What of a Raft state matters for the election search: leaves out the seed and boot id (with a
 * fixed timeout they change nothing), the configuration copies and the peer list (so that
 * symmetry reduction can rename servers), and the log and commit state (empty in an election).
 *
 * @example raftElectionView(state) // { role: "candidate", currentTerm: 1, votedFor: "n1", votesGranted: ["n1"], ... }
 */
export function raftElectionView(s: RaftState): unknown {
  return {
    role: s.role,
    currentTerm: s.currentTerm,
    votedFor: s.votedFor,
    leaderId: s.leaderId,
    log: s.log,
    commitIndex: s.commitIndex,
    electionElapsed: s.electionElapsed,
    heartbeatElapsed: s.heartbeatElapsed,
    votesGranted: Object.fromEntries(s.votesGranted.map((id) => [id, true])), // a set: no order to rename
    matchIndex: s.matchIndex,
    nextIndex: s.nextIndex,
  };
}
