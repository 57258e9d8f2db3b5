// The data of Raft: messages, configuration, state and what is persisted, named as in Figure 2 of
// the extended Raft paper (D. Ongaro, J. Ousterhout, "In Search of an Understandable Consensus
// Algorithm (Extended Version)", 2014). Every type is plain JSON, so the machine stays pure and
// transcripts can print it.
import type { Ready } from "../machine/index";

/** One log entry (§5.3): the command, the term in which a leader received it, and its index. */
export interface RaftEntry {
  index: number;
  term: number;
  command: unknown;
}

/**
 * The messages of Raft as request/response pairs (Figure 2, Figure 13), plus the client's `propose`.
 * `append_entries_resp` carries `matchIndex` (on success) and the fast back-up hints `conflictTerm` /
 * `conflictIndex` (on failure) of the 6.5840 students' guide.
 */
export type RaftMessage =
  | { type: "request_vote"; term: number; candidateId: string; lastLogIndex: number; lastLogTerm: number }
  | { type: "request_vote_resp"; term: number; voteGranted: boolean }
  | { type: "append_entries"; term: number; leaderId: string; prevLogIndex: number; prevLogTerm: number; entries: RaftEntry[]; leaderCommit: number }
  | { type: "append_entries_resp"; term: number; success: boolean; matchIndex: number; conflictTerm?: number; conflictIndex?: number }
  | { type: "install_snapshot"; term: number; leaderId: string; lastIncludedIndex: number; lastIncludedTerm: number; data: unknown }
  | { type: "install_snapshot_resp"; term: number; lastIncludedIndex: number }
  | { type: "propose"; command: unknown }
  | { type: "propose_resp"; ok: boolean; index?: number; term?: number; leaderHint?: string };

/** Configuration of one Raft node (times in ticks). */
export interface RaftConfig {
  /** Every other member of the cluster (not this node). */
  peers: string[];
  /** The election timeout is drawn uniformly from [electionTicksMin, electionTicksMax] (§5.2). Default 10–20. */
  electionTicksMin?: number;
  electionTicksMax?: number;
  /** A leader sends AppendEntries (heartbeats, and retries) every this many ticks. Default 3. */
  heartbeatTicks?: number;
  /** At most this many entries in one AppendEntries. Default 100. */
  appendEntriesMax?: number;
  /** A new leader appends a no-op entry so that it can commit what earlier terms left (§8). Default false, as in 6.5840. */
  leaderNoop?: boolean;
}

/** The paper's three roles; the term is in `currentTerm`, never in the role. */
export type RaftRole = "follower" | "candidate" | "leader";

/**
 * The state of one Raft server: Figure 2's persistent state (`currentTerm`, `votedFor`, `log`), its
 * volatile state (`commitIndex`, `lastApplied`; on leaders `nextIndex`, `matchIndex`), the snapshot
 * the log starts after (§7), and the bookkeeping of timers in ticks.
 */
export interface RaftState {
  id: string;
  peers: string[];
  electionTicksMin: number;
  electionTicksMax: number;
  heartbeatTicks: number;
  appendEntriesMax: number;
  leaderNoop: boolean;
  /** Seed for `nextRandom` (election timeouts). */
  seed: number;
  /** The seed this incarnation started with: changes at every restart (observers tell a restart from a step back). */
  bootId: number;

  role: RaftRole;
  /** Persistent: latest term this server has seen. */
  currentTerm: number;
  /** Persistent: candidate that received this server's vote in currentTerm, or null. */
  votedFor: string | null;
  /** Persistent: the entries after the snapshot (`log[0].index === snapshotIndex + 1`). */
  log: RaftEntry[];
  /** Persistent (§7): the last index and term the snapshot replaces; 0 and 0 without a snapshot. */
  snapshotIndex: number;
  snapshotTerm: number;
  /** Persistent (§7): the service's state the snapshot holds; null without a snapshot. */
  snapshotData: unknown;
  /** Highest log index known to be committed. */
  commitIndex: number;
  /** Highest log index applied to the state machine. */
  lastApplied: number;
  /** The leader of currentTerm as far as this server knows (a hint for clients). */
  leaderId: string | null;

  /** Ticks since the last reset of the election timer, and the timeout drawn for it. */
  electionElapsed: number;
  electionTimeout: number;
  /** Leader: ticks since the last heartbeat round. */
  heartbeatElapsed: number;
  /** Candidate: who granted a vote in currentTerm (self included). */
  votesGranted: string[];
  /** Leader: for each peer, index of the next entry to send. */
  nextIndex: Record<string, number>;
  /** Leader: for each peer, highest index known to be replicated there. */
  matchIndex: Record<string, number>;
}

/** A snapshot (§7): the state machine's state up to and including `lastIncludedIndex`. */
export interface RaftSnapshot {
  lastIncludedIndex: number;
  lastIncludedTerm: number;
  data: unknown;
}

/** What a Raft server writes to stable storage (one storage key each) before it answers (Figure 2). */
export interface RaftPersist {
  currentTerm: number;
  votedFor: string | null;
  log: RaftEntry[];
  snapshot: RaftSnapshot;
}

/**
 * What the host hands to the service, in order (6.5840's ApplyMsg): a committed command, or a
 * snapshot that replaces the service's state (installed from the leader, or found on restart).
 */
export type RaftApplyMsg =
  | { kind: "command"; index: number; term: number; command: unknown }
  | { kind: "snapshot"; index: number; term: number; data: unknown };

/** A Ready with what to apply: the host persists, sends, then applies. */
export interface RaftReady extends Ready<RaftState, RaftMessage, RaftPersist> {
  applied?: RaftApplyMsg[];
}

/** The answer to a proposal: where the command will be if it commits, or who may be the leader. */
export type ProposeResult = { kind: "accepted"; index: number; term: number } | { kind: "not_leader"; leaderHint: string | null };
