/**
 * Exercises 09A leader election, 09B log replication, 09C persistence and crash recovery and 09E
 * snapshots (optional) — the reference: the library's Raft (lib/raft, Figure 2 of the extended
 * paper), which the graders also run as their own servers beside the student's.
 * exercises/09-consensus-raft/raft.ts says what each part asks and how it is graded.
 */
import { raftReference, type RaftImplementation } from "../../lib/raft/index";

/**
 * The library's Raft: `raftMachine` (pure step / tick), `raftPropose`, `raftSnapshot`.
 *
 * @example
 * raftCluster(sim, ["n1", "n2", "n3"], { tickMs: 10, implementation: raft });
 */
export const raft: RaftImplementation = raftReference;
