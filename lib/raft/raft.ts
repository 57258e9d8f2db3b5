// Raft as a pure machine (the etcd raft shape of lib/machine): `step` for a message, `tick` for a
// unit of time, each returning the next state, what to persist, what to send and what to apply.
// Figure 2 of the extended paper is the spec; the rules live in election.ts, replication.ts and
// snapshot.ts, and this file is the part every server runs: the term rule, the dispatch by role
// (etcd's stepFollower / stepCandidate / stepLeader), applying committed entries in order, and
// persisting currentTerm, votedFor and the log whenever they change — in the same Ready as the
// messages that depend on them, so the host writes them first (Figure 2: "updated on stable storage
// before responding to RPCs").
import type { Inbound, InitContext, Machine } from "../machine/index";
import { campaign, handleRequestVote, handleRequestVoteResp, tickElection } from "./election";
import { entryAt } from "./log";
import { handleAppendEntries, handleAppendEntriesResp, propose, tickHeartbeat } from "./replication";
import { becomeFollower, resetElectionTimer } from "./roles";
import { handleInstallSnapshot, handleInstallSnapshotResp, takeSnapshot } from "./snapshot";
import type { ProposeResult, RaftApplyMsg, RaftConfig, RaftMessage, RaftPersist, RaftReady, RaftState } from "./types";

type Msg = Inbound<RaftMessage>;

/**
 * Every message type a Raft server accepts (`propose_resp` goes to clients).
 *
 * @example RAFT_MESSAGE_TYPES.includes("append_entries") // true
 */
export const RAFT_MESSAGE_TYPES = ["request_vote", "request_vote_resp", "append_entries", "append_entries_resp", "install_snapshot", "install_snapshot_resp", "propose"] as const;

function checkConfig(id: string, c: RaftConfig): void {
  const bad = (what: string): never => {
    throw new RangeError(`raft ${id}: bad config: ${what}`);
  };
  if (c === null || typeof c !== "object" || !Array.isArray(c.peers)) bad(`peers must be an array of node ids, got ${JSON.stringify(c)}`);
  if (c.peers.includes(id)) bad(`peers must not include the node itself (${id})`);
  const min = c.electionTicksMin ?? 10;
  const max = c.electionTicksMax ?? 20;
  const hb = c.heartbeatTicks ?? 3;
  if (!(Number.isInteger(min) && min >= 1)) bad(`electionTicksMin must be a whole number ≥ 1, got ${min}`);
  if (!(Number.isInteger(max) && max >= min)) bad(`electionTicksMax must be a whole number ≥ electionTicksMin (${min}), got ${max}`);
  if (!(Number.isInteger(hb) && hb >= 1)) bad(`heartbeatTicks must be a whole number ≥ 1, got ${hb}`);
  const aeMax = c.appendEntriesMax ?? 100;
  if (!(Number.isInteger(aeMax) && aeMax >= 1)) bad(`appendEntriesMax must be a whole number ≥ 1, got ${aeMax}`);
}

function fresh(ctx: InitContext<RaftConfig>, disk: Partial<RaftPersist>): RaftState {
  const c = ctx.config;
  checkConfig(ctx.id, c);
  const snap = disk.snapshot;
  const snapshotIndex = snap?.lastIncludedIndex ?? 0;
  return resetElectionTimer({
    id: ctx.id,
    peers: c.peers.slice(),
    electionTicksMin: c.electionTicksMin ?? 10,
    electionTicksMax: c.electionTicksMax ?? 20,
    heartbeatTicks: c.heartbeatTicks ?? 3,
    appendEntriesMax: c.appendEntriesMax ?? 100,
    leaderNoop: c.leaderNoop ?? false,
    seed: ctx.seed,
    bootId: ctx.seed,
    role: "follower",
    currentTerm: disk.currentTerm ?? 0,
    votedFor: disk.votedFor ?? null,
    log: disk.log ?? [],
    snapshotIndex,
    snapshotTerm: snap?.lastIncludedTerm ?? 0,
    snapshotData: snap?.data ?? null,
    // Volatile state restarts at the snapshot: it holds only committed, applied entries (§7).
    commitIndex: snapshotIndex,
    lastApplied: snapshotIndex,
    leaderId: null,
    electionElapsed: 0,
    electionTimeout: 0,
    heartbeatElapsed: 0,
    votesGranted: [],
    nextIndex: {},
    matchIndex: {},
  });
}

/**
 * Figure 2, "Rules for All Servers": apply committed entries in index order (lastApplied <
 * commitIndex), and write whatever of the persistent state changed. Every Ready leaves through here.
 */
function finish(before: RaftState, ready: RaftReady): RaftReady {
  let s = ready.state;
  const applied: RaftApplyMsg[] = ready.applied ? ready.applied.slice() : [];
  if (s.lastApplied < s.commitIndex) {
    for (let i = s.lastApplied + 1; i <= s.commitIndex; i++) {
      const e = entryAt(s, i)!;
      applied.push({ kind: "command", index: e.index, term: e.term, command: e.command });
    }
    s = { ...s, lastApplied: s.commitIndex };
  }
  const persist: Partial<RaftPersist> = {};
  if (s.currentTerm !== before.currentTerm) persist.currentTerm = s.currentTerm;
  if (s.votedFor !== before.votedFor) persist.votedFor = s.votedFor;
  if (s.snapshotIndex !== before.snapshotIndex) persist.snapshot = { lastIncludedIndex: s.snapshotIndex, lastIncludedTerm: s.snapshotTerm, data: s.snapshotData };
  if (s.log !== before.log) persist.log = s.log;
  const out: RaftReady = { state: s };
  if (Object.keys(persist).length > 0) out.persist = persist;
  if (ready.messages && ready.messages.length > 0) out.messages = ready.messages;
  if (applied.length > 0) out.applied = applied;
  return out;
}

function stepFollower(s: RaftState, m: Msg): RaftReady {
  const b = m.body;
  if (b.type === "request_vote") return handleRequestVote(s, m.src, b);
  if (b.type === "append_entries") return handleAppendEntries(s, m.src, b);
  if (b.type === "install_snapshot") return handleInstallSnapshot(s, m.src, b);
  return { state: s }; // a late reply to an earlier role
}

function stepCandidate(s: RaftState, m: Msg): RaftReady {
  const b = m.body;
  if (b.type === "request_vote_resp") return handleRequestVoteResp(s, m.src, b);
  if (b.type === "request_vote") return handleRequestVote(s, m.src, b);
  return { state: s };
}

function stepLeader(s: RaftState, m: Msg): RaftReady {
  const b = m.body;
  if (b.type === "append_entries_resp") return handleAppendEntriesResp(s, m.src, b);
  if (b.type === "install_snapshot_resp") return handleInstallSnapshotResp(s, m.src, b);
  if (b.type === "request_vote") return handleRequestVote(s, m.src, b);
  return { state: s }; // append_entries of our own term cannot come from another leader (§5.2)
}

function step(before: RaftState, m: Msg): RaftReady {
  const b = m.body;
  if (b.type === "propose") {
    const { ready, result } = propose(before, b.command);
    const answer = result.kind === "accepted" ? { ok: true, index: result.index, term: result.term } : { ok: false, leaderHint: result.leaderHint ?? undefined };
    return finish(before, { ...ready, messages: [...(ready.messages ?? []), { dest: m.src, body: { type: "propose_resp", ...answer } }] });
  }
  if (b.type === "propose_resp") return { state: before };
  if (!(Number.isInteger(b.term) && b.term >= 0)) {
    throw new TypeError(`raft ${before.id}: ${b.type} from ${m.src} has no valid term (a whole number ≥ 0): ${JSON.stringify(b)}`);
  }
  let s = before;
  const fromLeader = b.type === "append_entries" || b.type === "install_snapshot";
  if (b.term > s.currentTerm) s = becomeFollower(s, b.term, fromLeader ? m.src : null); // Figure 2, all servers (§5.1)
  else if (fromLeader && b.term === s.currentTerm && s.role === "candidate") s = becomeFollower(s, b.term, m.src); // §5.2: another won
  const role = s.role === "leader" ? stepLeader : s.role === "candidate" ? stepCandidate : stepFollower;
  const r = role(s, m);
  return finish(before, r);
}

/**
 * Raft (Ongaro & Ousterhout, extended paper, Figure 2 and §7) as a pure `Machine`: leader election
 * with randomised timeouts, log replication with the consistency check and fast back-up, commitment
 * of current-term entries only, persistence before answering, restart from storage, snapshots and
 * InstallSnapshot. States for diagrams are the three roles, `follower` / `candidate` / `leader`; the
 * term is in the state, never in the name. A client sends `propose {command}` and gets
 * `propose_resp {ok, index, term}` or `{ok: false, leaderHint}`.
 *
 * `step` and `tick` return a `RaftReady`: besides `state`, `persist` and `messages`, `applied` lists
 * what was committed since, in index order, for the service (`raftNode` hands it to `onApply`).
 *
 * @example
 * const env = new InteractionEnv(raftMachine);
 * env.init("n1", { peers: ["n2", "n3"], electionTicksMin: 5, electionTicksMax: 5 });
 * env.init("n2", { peers: ["n1", "n3"] });
 * env.init("n3", { peers: ["n1", "n2"] });
 * env.tick("n1", 5);   // n1 times out: persists term 1 and its vote, sends request_vote
 * env.deliver();       // n2, n3 grant
 * env.deliver("n1");   // state candidate → leader
 */
export const raftMachine: Machine<RaftState, RaftMessage, RaftPersist, RaftConfig> & {
  step(state: RaftState, message: Inbound<RaftMessage>): RaftReady;
  tick(state: RaftState): RaftReady;
} = {
  name: "raft",
  messageTypes: RAFT_MESSAGE_TYPES,
  init: (ctx) => fresh(ctx, {}),
  restore: (ctx, persisted) => fresh(ctx, persisted),
  step,
  tick: (s) => finish(s, s.role === "leader" ? tickHeartbeat(s) : tickElection(s)),
  describe: (s) => s.role,
};

/**
 * Propose a command at a server, from outside (a host method rather than a message): the Ready to
 * handle, and where the command will be if it commits, or "not leader" with a hint.
 *
 * @example
 * const { ready, result } = raftPropose(state, "x=1");
 * if (result.kind === "not_leader") retryAt(result.leaderHint);
 */
export function raftPropose(s: RaftState, command: unknown): { ready: RaftReady; result: ProposeResult } {
  const { ready, result } = propose(s, command);
  return { ready: finish(s, ready), result };
}

/**
 * The service's snapshot up to an applied `index` (§7): the Ready that persists it and drops the
 * entries it replaces.
 *
 * @example raftSnapshot(state, state.lastApplied, serviceState).persist // { snapshot: {...}, log: [...] }
 */
export function raftSnapshot(s: RaftState, index: number, data: unknown): RaftReady {
  return finish(s, { state: takeSnapshot(s, index, data) });
}

/**
 * Start an election now (etcd's `campaign` command; for scripted scenarios), unless already leader.
 *
 * @example raftCampaign(state).messages // request_vote to every peer
 */
export function raftCampaign(s: RaftState): RaftReady {
  return s.role === "leader" ? { state: s } : finish(s, campaign(s));
}
