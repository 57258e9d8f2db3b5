// Log replication (§5.3) and commitment (§5.4.2): the leader's AppendEntries with the consistency
// check, the follower's receiver rules, fast back-up of nextIndex, and counting replicas only for
// entries of the leader's own term (the Figure 8 rule).
import type { Outbound } from "../machine/index";
import { entriesFrom, entriesUpTo, firstIndexOfTerm, lastIndexOfTerm, lastLogIndex, termAt } from "./log";
import { resetElectionTimer } from "./roles";
import type { ProposeResult, RaftMessage, RaftReady, RaftState } from "./types";

type Out = Outbound<RaftMessage>;
type Msg<T extends RaftMessage["type"]> = Extract<RaftMessage, { type: T }>;

/**
 * What the leader sends `peer` now: AppendEntries from nextIndex (prevLogIndex, prevLogTerm, at
 * most appendEntriesMax entries, leaderCommit — Figure 2), or InstallSnapshot when the entries
 * it needs were compacted into the snapshot (§7).
 *
 * @example sendAppend(leader, "n2") // { dest: "n2", body: { type: "append_entries", ... } }
 */
export function sendAppend(s: RaftState, peer: string): Out {
  const next = s.nextIndex[peer];
  if (next <= s.snapshotIndex) {
    return { dest: peer, body: { type: "install_snapshot", term: s.currentTerm, leaderId: s.id, lastIncludedIndex: s.snapshotIndex, lastIncludedTerm: s.snapshotTerm, data: s.snapshotData } };
  }
  const prevLogIndex = next - 1;
  return {
    dest: peer,
    body: {
      type: "append_entries",
      term: s.currentTerm,
      leaderId: s.id,
      prevLogIndex,
      prevLogTerm: termAt(s, prevLogIndex) ?? 0,
      entries: entriesFrom(s, next, s.appendEntriesMax),
      leaderCommit: s.commitIndex,
    },
  };
}

/**
 * Send `peer` what it lacks and, when that carries entries, move its nextIndex past them at once
 * (pipelining, etcd's "replicate" state): the next entries go out without waiting for this reply.
 * A lost or refused message is found by the next consistency check, which backs nextIndex up.
 *
 * @example const [state, message] = sendAndAdvance(leader, "n2");
 */
export function sendAndAdvance(s: RaftState, peer: string): [RaftState, Out] {
  const out = sendAppend(s, peer);
  const b = out.body;
  if (b.type !== "append_entries" || b.entries.length === 0) return [s, out];
  const next = b.entries[b.entries.length - 1].index + 1;
  return [{ ...s, nextIndex: { ...s.nextIndex, [peer]: next } }, out];
}

/**
 * AppendEntries (or InstallSnapshot) to every peer: heartbeats, and the entries each one lacks.
 *
 * @example bcastAppend(leader).length // one message per peer
 */
export function bcastAppend(s: RaftState): Out[] {
  return s.peers.map((p) => sendAppend(s, p));
}

/**
 * A leader sends AppendEntries every heartbeatTicks, to keep followers from starting elections
 * (§5.2) and to retry what was lost (§5.3: "the leader retries AppendEntries RPCs indefinitely").
 *
 * @example tickHeartbeat(leader)
 */
export function tickHeartbeat(s: RaftState): RaftReady {
  const elapsed = s.heartbeatElapsed + 1;
  if (elapsed < s.heartbeatTicks) return { state: { ...s, heartbeatElapsed: elapsed } };
  const next = { ...s, heartbeatElapsed: 0 };
  return { state: next, messages: bcastAppend(next) };
}

/**
 * A client's command (§5.3, §8): a leader appends it to its log and sends it out at once; any other
 * server answers "not leader" with the leader it knows of.
 *
 * @example
 * const { ready, result } = propose(state, { op: "put", key: "x", value: 1 });
 * result; // { kind: "accepted", index: 4, term: 2 } or { kind: "not_leader", leaderHint: "n3" }
 */
export function propose(s: RaftState, command: unknown): { ready: RaftReady; result: ProposeResult } {
  if (s.role !== "leader") return { ready: { state: s }, result: { kind: "not_leader", leaderHint: s.leaderId } };
  const index = lastLogIndex(s) + 1;
  let state = maybeCommit({ ...s, log: [...s.log, { index, term: s.currentTerm, command }] });
  // A peer that was sent everything before this entry gets it now; one still catching up gets it
  // with the reply it is waiting for, or the next heartbeat.
  const messages: Out[] = [];
  for (const p of s.peers) {
    if (state.nextIndex[p] !== index) continue;
    const [next, out] = sendAndAdvance(state, p);
    state = next;
    messages.push(out);
  }
  return { ready: { state, messages }, result: { kind: "accepted", index, term: s.currentTerm } };
}

/**
 * §5.3/§5.4.2: the leader commits the highest index N > commitIndex that a majority holds
 * (matchIndex, and itself) *and* whose entry is of the current term. Older entries are committed
 * only indirectly, with it (Figure 8: counting replicas of an old-term entry is unsafe).
 *
 * @example maybeCommit(leader).commitIndex
 */
export function maybeCommit(s: RaftState): RaftState {
  if (s.role !== "leader") return s;
  const clusterSize = s.peers.length + 1;
  for (let n = lastLogIndex(s); n > s.commitIndex; n--) {
    const term = termAt(s, n);
    if (term === undefined || term < s.currentTerm) break; // §5.4.2: never by counting an old term's entry
    const holders = 1 + s.peers.filter((p) => (s.matchIndex[p] ?? 0) >= n).length;
    if (holders * 2 > clusterSize) return { ...s, commitIndex: n };
  }
  return s;
}

/**
 * AppendEntries receiver (Figure 2; the term rule has already run, and a candidate of this term has
 * stepped down):
 * 1. reply false if term < currentTerm (§5.1);
 * 2. reply false if the log has no entry at prevLogIndex whose term is prevLogTerm (§5.3), with the
 *    fast back-up hints: conflictIndex = lastLogIndex+1 when the log is too short, else conflictTerm
 *    = the term found there and conflictIndex = the first index of that term;
 * 3. if an existing entry conflicts with a new one (same index, other terms), delete it and all that
 *    follow (§5.3) — and only then: a delayed or duplicated message never cuts off newer entries;
 * 4. append any new entries not already in the log;
 * 5. if leaderCommit > commitIndex, set commitIndex = min(leaderCommit, index of last new entry).
 *
 * @example handleAppendEntries(follower, "n1", { type: "append_entries", term: 2, leaderId: "n1", prevLogIndex: 0, prevLogTerm: 0, entries: [], leaderCommit: 0 })
 */
export function handleAppendEntries(s: RaftState, src: string, m: Msg<"append_entries">): RaftReady {
  const reply = (state: RaftState, fields: { success: boolean; matchIndex: number; conflictTerm?: number; conflictIndex?: number }): RaftReady => ({
    state,
    messages: [{ dest: src, body: { type: "append_entries_resp", term: state.currentTerm, ...fields } }],
  });
  if (m.term < s.currentTerm) return reply(s, { success: false, matchIndex: 0 }); // 1. §5.1
  let state = resetElectionTimer({ ...s, leaderId: m.leaderId }); // a current leader: no election (§5.2)

  let prevLogIndex = m.prevLogIndex;
  let entries = m.entries;
  if (prevLogIndex < state.snapshotIndex) {
    // The snapshot holds committed entries, which every leader has (§5.4): skip what it covers.
    entries = entries.filter((e) => e.index > state.snapshotIndex);
    prevLogIndex = state.snapshotIndex;
  } else {
    const last = lastLogIndex(state);
    if (prevLogIndex > last) return reply(state, { success: false, matchIndex: 0, conflictIndex: last + 1 }); // 2. too short
    const term = termAt(state, prevLogIndex);
    if (prevLogIndex > state.snapshotIndex && term !== m.prevLogTerm) {
      return reply(state, { success: false, matchIndex: 0, conflictTerm: term, conflictIndex: firstIndexOfTerm(state, term!) }); // 2. §5.3
    }
  }

  for (let i = 0; i < entries.length; i++) {
    const existing = termAt(state, entries[i].index);
    if (existing === entries[i].term) continue; // 4. already there
    const kept = existing === undefined ? state.log : entriesUpTo(state, entries[i].index - 1); // 3. conflict: cut
    state = { ...state, log: [...kept, ...entries.slice(i)] };
    break;
  }
  const lastNewIndex = prevLogIndex + entries.length;
  if (m.leaderCommit > state.commitIndex) {
    state = { ...state, commitIndex: Math.max(state.commitIndex, Math.min(m.leaderCommit, lastNewIndex)) }; // 5.
  }
  return reply(state, { success: true, matchIndex: lastNewIndex });
}

/**
 * The leader's side of AppendEntries (§5.3): on success, advance matchIndex and nextIndex (never
 * backwards: replies may arrive late or twice), commit what a majority now holds, and send the
 * rest. On failure (a conflict, or a pipelined message that was lost), back nextIndex up past the whole conflicting term at once (6.5840 guide: if the
 * leader has entries of conflictTerm, next = one past its last one; else next = conflictIndex)
 * and retry at once.
 *
 * @example handleAppendEntriesResp(leader, "n2", { type: "append_entries_resp", term: 2, success: true, matchIndex: 5 })
 */
export function handleAppendEntriesResp(s: RaftState, src: string, m: Msg<"append_entries_resp">): RaftReady {
  if (s.role !== "leader" || m.term !== s.currentTerm || !(src in s.nextIndex)) return { state: s };
  const last = lastLogIndex(s);
  const match = s.matchIndex[src];
  if (m.success) {
    const matchIndex = Math.max(match, Math.min(m.matchIndex, last));
    const nextIndex = Math.max(s.nextIndex[src], matchIndex + 1);
    const state = maybeCommit({ ...s, matchIndex: { ...s.matchIndex, [src]: matchIndex }, nextIndex: { ...s.nextIndex, [src]: nextIndex } });
    // More to send, and this reply is the newest: go on now rather than at the next heartbeat.
    const more = nextIndex <= last && m.matchIndex === matchIndex && matchIndex > match;
    if (!more) return { state };
    const [next, out] = sendAndAdvance(state, src);
    return { state: next, messages: [out] };
  }
  let next = m.conflictIndex ?? s.nextIndex[src] - 1;
  if (m.conflictTerm !== undefined) {
    const ours = lastIndexOfTerm(s, m.conflictTerm);
    if (ours !== undefined) next = ours + 1;
  }
  next = Math.min(Math.max(next, match + 1), last + 1);
  const [state, out] = sendAndAdvance({ ...s, nextIndex: { ...s.nextIndex, [src]: next } }, src);
  return { state, messages: [out] };
}
