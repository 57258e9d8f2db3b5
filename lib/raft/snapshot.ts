// Log compaction (§7): the service snapshots its state up to an applied index and Raft drops the
// entries it replaces; a leader whose follower needs compacted entries sends InstallSnapshot
// (Figure 13) instead.
import { entriesFrom, lastLogIndex, termAt } from "./log";
import { maybeCommit, sendAppend } from "./replication";
import { resetElectionTimer } from "./roles";
import type { RaftMessage, RaftReady, RaftState } from "./types";

type Msg<T extends RaftMessage["type"]> = Extract<RaftMessage, { type: T }>;

/**
 * The service has saved its state up to and including `index` as `data` (6.5840's
 * `Snapshot(index, snapshot)`): keep the snapshot, drop the entries it replaces (§7). `index` must
 * be applied already; a snapshot at or before the current one changes nothing. Throws on an index
 * not yet applied, naming the node.
 *
 * @example takeSnapshot(state, 10, { x: 3 }).snapshotIndex // 10
 */
export function takeSnapshot(s: RaftState, index: number, data: unknown): RaftState {
  if (!Number.isInteger(index) || index > s.lastApplied) {
    throw new RangeError(`raft ${s.id}: snapshot at index ${index}, but only entries up to ${s.lastApplied} are applied (a snapshot may only hold applied entries, §7)`);
  }
  if (index <= s.snapshotIndex) return s;
  return { ...s, snapshotIndex: index, snapshotTerm: termAt(s, index)!, snapshotData: data, log: entriesFrom(s, index + 1) };
}

/**
 * InstallSnapshot receiver (Figure 13; the term rule has already run): reply at once if term <
 * currentTerm; ignore a snapshot that holds nothing new (its last index is already committed here);
 * if the log has the snapshot's last entry, keep the entries after it, else discard the whole log;
 * hand the snapshot to the service (an `applied` snapshot message) and answer.
 *
 * @example handleInstallSnapshot(follower, "n1", { type: "install_snapshot", term: 3, leaderId: "n1", lastIncludedIndex: 50, lastIncludedTerm: 2, data: {} })
 */
export function handleInstallSnapshot(s: RaftState, src: string, m: Msg<"install_snapshot">): RaftReady {
  const reply = (state: RaftState): RaftReady["messages"] => [
    { dest: src, body: { type: "install_snapshot_resp", term: state.currentTerm, lastIncludedIndex: m.lastIncludedIndex } },
  ];
  if (m.term < s.currentTerm) return { state: s, messages: reply(s) };
  const current = resetElectionTimer({ ...s, leaderId: m.leaderId });
  if (m.lastIncludedIndex <= current.commitIndex) return { state: current, messages: reply(current) };
  const keep = termAt(current, m.lastIncludedIndex) === m.lastIncludedTerm ? entriesFrom(current, m.lastIncludedIndex + 1) : [];
  const state: RaftState = {
    ...current,
    log: keep,
    snapshotIndex: m.lastIncludedIndex,
    snapshotTerm: m.lastIncludedTerm,
    snapshotData: m.data,
    commitIndex: m.lastIncludedIndex,
    lastApplied: m.lastIncludedIndex,
  };
  return { state, messages: reply(state), applied: [{ kind: "snapshot", index: m.lastIncludedIndex, term: m.lastIncludedTerm, data: m.data }] };
}

/**
 * The leader's side of InstallSnapshot: the follower now holds everything up to the snapshot's last
 * index; go on with AppendEntries from there.
 *
 * @example handleInstallSnapshotResp(leader, "n3", { type: "install_snapshot_resp", term: 3, lastIncludedIndex: 50 })
 */
export function handleInstallSnapshotResp(s: RaftState, src: string, m: Msg<"install_snapshot_resp">): RaftReady {
  if (s.role !== "leader" || m.term !== s.currentTerm || !(src in s.nextIndex)) return { state: s };
  const matchIndex = Math.max(s.matchIndex[src], m.lastIncludedIndex);
  const nextIndex = Math.max(s.nextIndex[src], matchIndex + 1);
  const state = maybeCommit({ ...s, matchIndex: { ...s.matchIndex, [src]: matchIndex }, nextIndex: { ...s.nextIndex, [src]: nextIndex } });
  return { state, messages: nextIndex <= lastLogIndex(state) ? [sendAppend(state, src)] : [] };
}
