// Raft's safety properties (extended paper, Figure 3), checked from outside: they read the states
// the servers expose (`cluster.states()` in a simulation, `env.states()` in a transcript) and never
// call into the implementation, so a student's Raft is checked by the same code.
//
//   Election Safety       at most one leader can be elected in a given term (§5.2)
//   Log Matching          two logs with an entry of the same index and term are identical up to it (§5.3)
//   Leader Completeness   a committed entry is in the log of every leader of a later term (§5.4)
//   State Machine Safety  no two servers apply different commands at one index (§5.4.3)
//   and: a server's commitIndex never goes back (within one incarnation), and a committed entry never changes.
import type { RaftEntry, RaftState } from "./types";

/** What the checkers read of a server: a subset of `RaftState`, so any implementation can expose it. */
export type RaftView = Pick<RaftState, "id" | "role" | "currentTerm" | "log" | "snapshotIndex" | "snapshotTerm" | "commitIndex" | "lastApplied" | "bootId">;

const keys = new WeakMap<object, string>();
function keyOf(e: RaftEntry): string {
  let k = keys.get(e);
  if (k === undefined) {
    k = `${e.term}:${JSON.stringify(e.command) ?? "undefined"}`;
    keys.set(e, k);
  }
  return k;
}

function entryOf(s: RaftView, index: number): RaftEntry | undefined {
  return index > s.snapshotIndex ? s.log[index - s.snapshotIndex - 1] : undefined;
}

function lastIndexOf(s: RaftView): number {
  return s.log.length > 0 ? s.log[s.log.length - 1].index : s.snapshotIndex;
}

/**
 * Election Safety in one snapshot of states: at most one leader per term.
 *
 * @example electionSafetyViolations(cluster.states()) // [] or ["election safety: term 3 has leaders n1, n2"]
 */
export function electionSafetyViolations(states: Readonly<Record<string, RaftView>>): string[] {
  const byTerm = new Map<number, string[]>();
  for (const s of Object.values(states)) if (s.role === "leader") byTerm.set(s.currentTerm, [...(byTerm.get(s.currentTerm) ?? []), s.id]);
  const out: string[] = [];
  for (const [term, ids] of byTerm) if (ids.length > 1) out.push(`election safety: term ${term} has leaders ${ids.join(", ")}`);
  return out;
}

/**
 * Log Matching between two servers: find the highest index where both logs hold an entry of the same
 * term; every entry both hold up to there must be identical.
 *
 * @example logMatchingViolation(states.n1, states.n2) // undefined, or what differs
 */
export function logMatchingViolation(a: RaftView, b: RaftView): string | undefined {
  const low = Math.max(a.snapshotIndex, b.snapshotIndex) + 1;
  let i = Math.min(lastIndexOf(a), lastIndexOf(b));
  while (i >= low && entryOf(a, i)!.term !== entryOf(b, i)!.term) i--;
  for (let j = i; j >= low; j--) {
    const ea = entryOf(a, j)!;
    const eb = entryOf(b, j)!;
    if (keyOf(ea) !== keyOf(eb)) {
      return `log matching: ${a.id} and ${b.id} both have an entry of term ${entryOf(a, i)!.term} at index ${i}, but differ at index ${j} (${a.id}: ${keyOf(ea)}, ${b.id}: ${keyOf(eb)})`;
    }
  }
  return undefined;
}

/**
 * All of Raft's safety properties over time: feed it the live servers' states after every event
 * (crashed servers are simply absent). It remembers every leader of every term and every entry it
 * has seen committed, so a violation that spans a crash or a term is caught too.
 *
 * @example
 * const monitor = new RaftMonitor();
 * sim.invariant("raft safety", () => monitor.observe(cluster.states()).join("; ") || true);
 */
export class RaftMonitor {
  /** Election Safety: the leader of each term, once seen. */
  private readonly leaders = new Map<number, string>();
  /** Each committed index as first seen: the entry's key, and the term of the server that reported it. */
  private readonly committed = new Map<number, { key: string; seenTerm: number; by: string }>();
  private readonly commits = new Map<string, { bootId: number; commitIndex: number }>();
  /** What was checked last, per server and per pair, to skip unchanged logs. */
  private readonly checkedLog = new Map<string, { log: RaftEntry[]; commitIndex: number; committedSize: number }>();
  private readonly checkedPair = new Map<string, [RaftEntry[], RaftEntry[]]>();
  private readonly checkedLeader = new Map<string, { log: RaftEntry[]; term: number; committedSize: number }>();

  /** Check the states against each other and against the history; returns what is violated. @example monitor.observe(env.states()) */
  observe(states: Readonly<Record<string, RaftView>>): string[] {
    const out: string[] = [];
    const list = Object.values(states);
    for (const s of list) {
      if (s.role === "leader") {
        const known = this.leaders.get(s.currentTerm);
        if (known === undefined) this.leaders.set(s.currentTerm, s.id);
        else if (known !== s.id) out.push(`election safety: term ${s.currentTerm} has two leaders, ${known} and ${s.id}`);
      }
      const before = this.commits.get(s.id);
      if (before !== undefined && before.bootId === s.bootId && s.commitIndex < before.commitIndex) {
        out.push(`commit index went back at ${s.id}: ${before.commitIndex} → ${s.commitIndex}`);
      }
      this.commits.set(s.id, { bootId: s.bootId, commitIndex: s.commitIndex });
      out.push(...this.checkCommitted(s));
    }
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const pair = `${list[i].id}|${list[j].id}`;
        const seen = this.checkedPair.get(pair);
        if (seen !== undefined && seen[0] === list[i].log && seen[1] === list[j].log) continue;
        const v = logMatchingViolation(list[i], list[j]);
        if (v !== undefined) out.push(v);
        else this.checkedPair.set(pair, [list[i].log, list[j].log]);
      }
    }
    for (const s of list) if (s.role === "leader") out.push(...this.checkLeaderCompleteness(s));
    return out;
  }

  /** The leader of each term seen so far. @example monitor.leadersByTerm().get(3) // "n2" */
  leadersByTerm(): Map<number, string> {
    return new Map(this.leaders);
  }

  /** Committed entries never change, and applied ones agree across servers (State Machine Safety). */
  private checkCommitted(s: RaftView): string[] {
    const last = this.checkedLog.get(s.id);
    if (last !== undefined && last.log === s.log && last.commitIndex === s.commitIndex && last.committedSize === this.committed.size) return [];
    const out: string[] = [];
    for (let i = s.snapshotIndex + 1; i <= s.commitIndex; i++) {
      const e = entryOf(s, i);
      if (e === undefined) {
        out.push(`${s.id} has commitIndex ${s.commitIndex} but no entry at index ${i}`);
        break;
      }
      const key = keyOf(e);
      const known = this.committed.get(i);
      if (known === undefined) this.committed.set(i, { key, seenTerm: s.currentTerm, by: s.id });
      else if (known.key !== key) {
        const what = i <= s.lastApplied ? "state machine safety: applied" : "committed";
        out.push(`${what} ${key} at index ${i} on ${s.id}, but ${known.by} had committed ${known.key} there`);
      }
    }
    if (out.length === 0) this.checkedLog.set(s.id, { log: s.log, commitIndex: s.commitIndex, committedSize: this.committed.size });
    return out;
  }

  /** Leader Completeness: a leader of a term after the one an entry was seen committed in holds it. */
  private checkLeaderCompleteness(leader: RaftView): string[] {
    const last = this.checkedLeader.get(leader.id);
    if (last !== undefined && last.log === leader.log && last.term === leader.currentTerm && last.committedSize === this.committed.size) return [];
    const out: string[] = [];
    for (const [index, c] of this.committed) {
      if (leader.currentTerm <= c.seenTerm || index <= leader.snapshotIndex) continue;
      const e = entryOf(leader, index);
      if (e === undefined || keyOf(e) !== c.key) {
        out.push(`leader completeness: ${leader.id}, leader of term ${leader.currentTerm}, lacks ${c.key} at index ${index}, committed by term ${c.seenTerm} (has ${e === undefined ? "nothing" : keyOf(e)})`);
      }
    }
    if (out.length === 0) this.checkedLeader.set(leader.id, { log: leader.log, term: leader.currentTerm, committedSize: this.committed.size });
    return out;
  }
}
