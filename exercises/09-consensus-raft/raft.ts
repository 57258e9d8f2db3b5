/**
 * Exercises 09A leader election, 09B log replication, 09C persistence and crash recovery, and 09E
 * snapshots (optional) — 15 points each. You write ONE Raft, in four steps, in this file. Graded by
 * `npm test` (test/09-consensus-raft.test.ts), or one part alone with `npm run grade -- 09A` (09B, 09C,
 * 09E). Spec: Figure 2 of the extended Raft paper (Ongaro & Ousterhout, 2014), §5.2–§5.4, §7.
 *
 * ## The contract: a pure machine, hosted for you
 *
 * Export `raft: RaftImplementation` (lib/raft/host.ts), the shape of lib/raft's reference:
 *
 * - `machine.init(ctx)` → the first `RaftState` (`ctx.id`, `ctx.config: RaftConfig` — `peers` are the
 *   other servers, never yourself; timing in ticks: `electionTicksMin`, `electionTicksMax`,
 *   `heartbeatTicks`, `appendEntriesMax` — use the values given, the grader chooses them — and
 *   `ctx.seed`, the seed of your random numbers: draw with `nextRandom(seed)` from lib/machine and
 *   keep the next seed in the state; `Math.random` is rejected).
 * - `machine.restore(ctx, persisted)` → the state after a crash, from what your Readies persisted (09C).
 * - `machine.tick(state)` → `RaftReady`: one tick of time passed (the host ticks every `tickMs`).
 * - `machine.step(state, { src, body })` → `RaftReady`: a message arrived.
 * - `propose(state, command)` → `{ ready, result }`: 6.5840's Start(): a leader appends the command
 *   (`{ kind: "accepted", index, term }`), anyone else answers `{ kind: "not_leader", leaderHint }`.
 * - `snapshot(state, index, data)` → `RaftReady`: the service snapshotted everything up to the applied
 *   `index` (09E).
 *
 * A `RaftReady` is `{ state, persist?, messages?, applied? }`. The host (raftNode) handles it in this
 * order: writes each `persist` field to storage (keys `currentTerm`, `votedFor`, `log`, `snapshot` —
 * `RaftPersist`) and syncs, sends `messages` (`{ dest, body }`), declares `state.role` for the
 * diagrams, then hands `applied` (`{ kind: "command", index, term, command }`, in index order, each
 * index once) to the service. Never change the state you are given: return a new one.
 *
 * Your state IS `RaftState` (lib/raft/types.ts): the graders read `role`, `currentTerm`, `votedFor`,
 * `log` (entries `{ index, term, command }` after the snapshot), `snapshotIndex`, `snapshotTerm`,
 * `commitIndex`, `lastApplied`, `bootId` (= `ctx.seed` of this incarnation) and `leaderId` after every
 * event, and check election safety, log matching, leader completeness, state machine safety and
 * that commitIndex never goes back (`RaftMonitor`). The other fields are yours to use as lib/raft does.
 *
 * ## The wire (the grader's reference servers share your cluster: speak exactly this)
 *
 * `RaftMessage` (lib/raft/types.ts), field names as in Figure 2:
 * - `request_vote { term, candidateId, lastLogIndex, lastLogTerm }` → `request_vote_resp { term, voteGranted }`
 * - `append_entries { term, leaderId, prevLogIndex, prevLogTerm, entries, leaderCommit }` →
 *   `append_entries_resp { term, success, matchIndex, conflictTerm?, conflictIndex? }` — on success
 *   `matchIndex` is the index of the last entry the request covered (prevLogIndex + entries.length);
 *   on failure the fast back-up hints of the 6.5840 guide: `conflictTerm` = the term of your entry at
 *   prevLogIndex (absent if your log is shorter) and `conflictIndex` = the first index of that term
 *   in your log (or your last index + 1).
 * - `install_snapshot { term, leaderId, lastIncludedIndex, lastIncludedTerm, data }` →
 *   `install_snapshot_resp { term, lastIncludedIndex }` (09E).
 * A message of a higher term makes anyone a follower of that term first (Figure 2, all servers).
 *
 * ## How each part is graded
 *
 * 6.5840's 3A–3D scenarios (6.5840 runs each once; here each runs several times for each of 5 seeds),
 * with server names drawn per run; in two runs of three some servers are the grader's reference Raft,
 * so your follower meets the grader's leader and the other way round. Safety is checked after every
 * event, liveness only after the network heals. Timing given in the config: ticks of 20 ms, election
 * timeouts 5–10 ticks, heartbeats every 2 ticks; latency 1–5 ms. A failure names the scenario, the
 * run's seed and the replay command, with each server's role, term, last index and commitIndex.
 *
 * - **09A leader election** (`init`, `tick`, `step` with request_vote, append_entries as heartbeat):
 *   initial election (3 servers: one leader within 5 s, all in one term, and no new term for
 *   400 ms without failures); re-election (leader disconnected → a new leader; the old one rejoins →
 *   it steps down within 1 s; no majority → no leader; majority back → a leader); many elections
 *   (7 servers, 3 drawn ones disconnected ten times: always one leader among the connected); the
 *   election RPC budget (≤ 30 messages, requests and replies, to elect among 3; when idle ≤ 45
 *   per follower in 600 ms — heartbeats every 2 ticks and their replies are 30).
 * - **09B log replication** (`propose`, entries in append_entries, commitIndex, `applied`): basic
 *   agreement (commands land at indices 1, 2, 3), RPC byte budget (ten 5000-character commands:
 *   ≤ 3 × their size + 50 000 bytes — send each entry about once per follower), follower failure,
 *   leader failure, agreement despite a disconnected follower, no agreement without a majority
 *   (nothing applied), concurrent starts, rejoin of a partitioned leader, backup (50-entry
 *   divergences: ≤ 60 rejected append_entries in the whole run — roll nextIndex back a term at a
 *   time), and the agreement RPC budget (11 entries on 3 servers in ≤ 84 messages).
 * - **09C persistence** (`restore`; 10 scenarios, 3 runs each per seed; disks are buffered, so
 *   only what a Ready persisted survives a crash): a vote survives a crash (the grader crashes a
 *   voter right after it votes and then asks it again in the same term: it must refuse), persist
 *   1–3 (all crash; repeated partial crashes; the leader crashes right after a proposal), Figure 8
 *   (built so that only your server can win with an old-term entry on a majority: commit only
 *   entries of your own term by counting), Figure 8 on an unreliable network, unreliable agreement,
 *   reliable and unreliable churn. Every restart is compared with the server's state at its crash:
 *   `restore` must give back exactly currentTerm, votedFor, the log and snapshotIndex/snapshotTerm —
 *   persist them in the same Ready as the messages that depend on them.
 * - **09E snapshots (optional)** (`snapshot`, install_snapshot; 7 scenarios, 4 runs each per seed):
 *   first the grader plays the leader against one follower of yours (entries, a snapshot inside
 *   your log, one past it in a new term, a stale one, a crash) and checks your replies and that the
 *   service gets each index once and in order; then 6.5840's cases — snapshot basic, install after
 *   a disconnect and after a crash (reliable and unreliable), all crash — with the service
 *   snapshotting every 10 entries and logs of at most 30 entries. `npm run grade -- 09C` reports
 *   "09A not implemented" until init, tick and step are written: 09C and 09E build on them.
 */
import { RAFT_MESSAGE_TYPES, type RaftImplementation } from "../../lib/raft/index";
import { NotImplementedError } from "../not-implemented";

const FILE = "exercises/09-consensus-raft/raft.ts";

/**
 * Your Raft.
 *
 * @example
 * raftCluster(sim, ["n1", "n2", "n3"], { tickMs: 10, implementation: raft });
 */
export const raft: RaftImplementation = {
  machine: {
    name: "raft",
    messageTypes: RAFT_MESSAGE_TYPES,
    init(ctx) {
      // Your code here (09A): the first state — a follower of term 0 with a random election timeout.
      throw new NotImplementedError("09A leader-election", FILE);
    },
    restore(ctx, persisted) {
      // Your code here (09C): the state after a restart, from what was persisted.
      throw new NotImplementedError("09C persistence", FILE);
    },
    tick(state) {
      // Your code here (09A): count down the election timer (followers, candidates) or the heartbeat (leaders).
      throw new NotImplementedError("09A leader-election", FILE);
    },
    step(state, message) {
      // Your code here (09A, 09B): the term rule, then the message by type and role.
      throw new NotImplementedError("09A leader-election", FILE);
    },
    describe: (state) => state.role,
  },
  propose(state, command) {
    // Your code here (09B): a leader appends { index, term, command } and sends it out.
    throw new NotImplementedError("09B log-replication", FILE);
  },
  snapshot(state, index, data) {
    // Your code here (09E): drop the entries up to index, keep data, snapshotIndex, snapshotTerm.
    throw new NotImplementedError("09E snapshots", FILE);
  },
};
