// Leader election (§5.2): the election timer, campaigning, the vote rules and becoming leader, one
// function per rule with the paper's section at each.
import type { Outbound } from "../machine/index";
import { isUpToDate, lastLogIndex, lastLogTerm } from "./log";
import { bcastAppend, maybeCommit } from "./replication";
import { resetElectionTimer } from "./roles";
import type { RaftMessage, RaftReady, RaftState } from "./types";

type Out = Outbound<RaftMessage>;

/**
 * Start an election (§5.2): increment currentTerm, vote for self, reset the election timer, send
 * RequestVote to every other server. A single-server cluster wins at once.
 *
 * @example campaign(state).messages // one request_vote per peer
 */
export function campaign(s: RaftState): RaftReady {
  const term = s.currentTerm + 1;
  const next = resetElectionTimer({ ...s, role: "candidate", currentTerm: term, votedFor: s.id, leaderId: null, votesGranted: [s.id], nextIndex: {}, matchIndex: {} });
  if (isElected(next)) return becomeLeader(next);
  const body: RaftMessage = { type: "request_vote", term, candidateId: s.id, lastLogIndex: lastLogIndex(s), lastLogTerm: lastLogTerm(s) };
  return { state: next, messages: s.peers.map((dest): Out => ({ dest, body })) };
}

function isElected(s: RaftState): boolean {
  return s.votesGranted.length * 2 > s.peers.length + 1; // a majority of the whole cluster (§5.2)
}

/**
 * Become leader (§5.2, §5.3): nextIndex of every peer is set just past the leader's last entry,
 * matchIndex to 0, and an immediate round of AppendEntries announces the leadership. With
 * `leaderNoop`, a no-op entry of the new term goes first (§8).
 *
 * @example becomeLeader(candidateState).state.role // "leader"
 */
export function becomeLeader(s: RaftState): RaftReady {
  let log = s.log;
  if (s.leaderNoop) log = [...log, { index: lastLogIndex(s) + 1, term: s.currentTerm, command: null }];
  const last = log.length > 0 ? log[log.length - 1].index : s.snapshotIndex;
  const nextIndex: Record<string, number> = {};
  const matchIndex: Record<string, number> = {};
  for (const p of s.peers) {
    nextIndex[p] = last + 1;
    matchIndex[p] = 0;
  }
  const state: RaftState = { ...s, role: "leader", log, leaderId: s.id, votesGranted: [], nextIndex, matchIndex, heartbeatElapsed: 0, electionElapsed: 0 };
  const committed = maybeCommit(state); // a single-server cluster commits its no-op at once
  return { state: committed, messages: bcastAppend(committed) };
}

/**
 * A follower or candidate whose election timer runs out starts an election (§5.2).
 *
 * @example tickElection(state) // usually just counts; at the timeout, campaign
 */
export function tickElection(s: RaftState): RaftReady {
  const elapsed = s.electionElapsed + 1;
  if (elapsed < s.electionTimeout) return { state: { ...s, electionElapsed: elapsed } };
  return campaign(s);
}

/**
 * RequestVote receiver (Figure 2; the term rule has already run): reply false if term <
 * currentTerm (§5.1); grant if votedFor is null or candidateId (§5.2) and the candidate's log is at
 * least as up-to-date as ours (§5.4.1). Granting resets the election timer; the vote is persisted
 * before the reply leaves (the host writes `persist` first).
 *
 * @example handleRequestVote(state, "n3", { type: "request_vote", term: 2, candidateId: "n3", lastLogIndex: 0, lastLogTerm: 0 })
 */
export function handleRequestVote(s: RaftState, src: string, m: Extract<RaftMessage, { type: "request_vote" }>): RaftReady {
  const reply = (state: RaftState, voteGranted: boolean): RaftReady => ({
    state,
    messages: [{ dest: src, body: { type: "request_vote_resp", term: state.currentTerm, voteGranted } }],
  });
  if (m.term < s.currentTerm) return reply(s, false); // §5.1
  const free = s.votedFor === null || s.votedFor === m.candidateId; // §5.2
  if (!free || !isUpToDate(s, m.lastLogIndex, m.lastLogTerm)) return reply(s, false); // §5.4.1
  return reply(resetElectionTimer({ ...s, votedFor: m.candidateId }), true);
}

/**
 * A candidate counts votes of its own term; a majority makes it leader (§5.2).
 *
 * @example handleRequestVoteResp(candidate, "n2", { type: "request_vote_resp", term: 2, voteGranted: true })
 */
export function handleRequestVoteResp(s: RaftState, src: string, m: Extract<RaftMessage, { type: "request_vote_resp" }>): RaftReady {
  if (s.role !== "candidate" || m.term !== s.currentTerm || !m.voteGranted || s.votesGranted.includes(src)) return { state: s };
  const next = { ...s, votesGranted: [...s.votesGranted, src] };
  return isElected(next) ? becomeLeader(next) : { state: next };
}
