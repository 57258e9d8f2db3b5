// The Raft log as indices and terms (§5.3), after the snapshot that replaces its prefix (§7).
// Indices start at 1; index 0 (or the snapshot's last included index) has the snapshot's term.
import type { RaftEntry, RaftState } from "./types";

type LogView = Pick<RaftState, "log" | "snapshotIndex" | "snapshotTerm">;

/**
 * Index of the last entry (the snapshot's last index when the log after it is empty).
 *
 * @example lastLogIndex({ log: [{ index: 1, term: 1, command: "x" }], snapshotIndex: 0, snapshotTerm: 0 }) // 1
 */
export function lastLogIndex(s: LogView): number {
  return s.log.length > 0 ? s.log[s.log.length - 1].index : s.snapshotIndex;
}

/**
 * Term of the last entry (§5.4.1 compares logs by it).
 *
 * @example lastLogTerm({ log: [], snapshotIndex: 4, snapshotTerm: 2 }) // 2
 */
export function lastLogTerm(s: LogView): number {
  return s.log.length > 0 ? s.log[s.log.length - 1].term : s.snapshotTerm;
}

/**
 * Term of the entry at `index`: the snapshot's term at its last index, undefined when the index is
 * inside the snapshot (compacted away) or beyond the end of the log.
 *
 * @example termAt(state, state.commitIndex)
 */
export function termAt(s: LogView, index: number): number | undefined {
  if (index === s.snapshotIndex) return s.snapshotTerm;
  const e = entryAt(s, index);
  return e === undefined ? undefined : e.term;
}

/**
 * The entry at `index`, if the log holds it (not compacted, not beyond the end).
 *
 * @example entryAt(state, 3)?.command
 */
export function entryAt(s: LogView, index: number): RaftEntry | undefined {
  if (index <= s.snapshotIndex) return undefined;
  return s.log[index - s.snapshotIndex - 1];
}

/**
 * The entries from `index` on (at most `countMax`).
 *
 * @example entriesFrom(state, state.nextIndex.n2, 100)
 */
export function entriesFrom(s: LogView, index: number, countMax = Infinity): RaftEntry[] {
  const start = Math.max(0, index - s.snapshotIndex - 1);
  return s.log.slice(start, countMax === Infinity ? undefined : start + countMax);
}

/**
 * The entries up to and including `index` (the rest is cut off: a conflict, §5.3).
 *
 * @example entriesUpTo(state, 4) // the log without index 5 and later
 */
export function entriesUpTo(s: LogView, index: number): RaftEntry[] {
  return s.log.slice(0, Math.max(0, index - s.snapshotIndex));
}

/**
 * The index of the first entry of `term` (fast back-up: the follower's `conflictIndex`).
 *
 * @example firstIndexOfTerm(state, 3)
 */
export function firstIndexOfTerm(s: LogView, term: number): number {
  let index = s.snapshotIndex + 1;
  for (const e of s.log) {
    if (e.term === term) return e.index;
    index = e.index + 1;
  }
  return index;
}

/**
 * The index of the last entry of `term`, or undefined if the log has none (fast back-up: the leader
 * looks for the follower's `conflictTerm`).
 *
 * @example lastIndexOfTerm(state, 2)
 */
export function lastIndexOfTerm(s: LogView, term: number): number | undefined {
  for (let i = s.log.length - 1; i >= 0; i--) {
    if (s.log[i].term === term) return s.log[i].index;
    if (s.log[i].term < term) break; // terms only grow along a log
  }
  if (s.snapshotTerm === term && s.snapshotIndex > 0) return s.snapshotIndex;
  return undefined;
}

/**
 * §5.4.1: a candidate's log is at least as up-to-date as ours if its last term is later, or the
 * same with an index at least as large.
 *
 * @example isUpToDate(state, 7, 3) // a candidate whose last entry is index 7 of term 3
 */
export function isUpToDate(s: LogView, candidateLastLogIndex: number, candidateLastLogTerm: number): boolean {
  const ourTerm = lastLogTerm(s);
  if (candidateLastLogTerm !== ourTerm) return candidateLastLogTerm > ourTerm;
  return candidateLastLogIndex >= lastLogIndex(s);
}
