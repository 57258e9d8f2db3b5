// The properties the models are checked against, kept apart from the systems (as lib/raft's
// invariants.ts and lib/machine's atomic-commit.ts are). Each reads the live states by node id —
// crashed nodes absent — exactly like `host.states()` in a simulation, so the same function serves
// the explorer (through a one-line ExploreProperty) and a simulator invariant.
import type { TwoPhaseState } from "../../machine/index";
import type { LockState } from "./mutex";
import type { PbBackupState, PbModelState, PbPrimaryState } from "./primary-backup";

/**
 * Mutual exclusion (Coulouris §15.2, ME1 "safety"): at most one client in its critical section.
 *
 * @example mutualExclusionViolations(host.states()) // [] or ["mutual exclusion: c2, c3 hold the lock at once"]
 */
export function mutualExclusionViolations(states: Readonly<Record<string, LockState>>): string[] {
  const holders = Object.keys(states).filter((id) => {
    const s = states[id];
    return s.role === "client" && s.phase === "holding";
  });
  return holders.length > 1 ? [`mutual exclusion: ${holders.join(", ")} hold the lock at once`] : [];
}

/**
 * Durability of acknowledged writes: every write a client was told succeeded is in the store of
 * some live server (primary or backup). A crash of one server must not lose an answered write.
 *
 * @example lostWriteViolations(host.states()) // [] or ["lost write: c was told x1=v1 is written, but no live server has it"]
 */
export function lostWriteViolations(states: Readonly<Record<string, PbModelState>>): string[] {
  const servers = Object.values(states).filter((s): s is PbPrimaryState | PbBackupState => s.role !== "client");
  const out: string[] = [];
  for (const id of Object.keys(states)) {
    const c = states[id];
    if (c.role !== "client") continue;
    for (const w of c.acknowledged) {
      if (!servers.some((s) => s.store[w.key] === w.value)) {
        out.push(`lost write: ${id} was told ${w.key}=${w.value} is written, but no live server has it`);
      }
    }
  }
  return out;
}

/**
 * Termination of atomic commitment (Bernstein et al. §7.2, AC5-like): every participant that voted
 * yes eventually learns the outcome. An "eventually" property: it can only fail in a final state —
 * a state where nothing more can happen (or, honestly said, where the search's bound stops it).
 * `crashed` names nodes that are down (their states are absent).
 *
 * @example uncertainParticipants(view.states, view.crashed) // ["p1 voted yes on t1 and is still uncertain (coordinator c is down)"]
 */
export function uncertainParticipants(states: Readonly<Record<string, TwoPhaseState>>, crashed: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const id of Object.keys(states)) {
    const s = states[id];
    if (s.role !== "participant") continue;
    for (const txn of Object.keys(s.txns)) {
      if (s.txns[txn] !== "prepared") continue;
      const why = crashed.includes(s.coordinator) ? ` (coordinator ${s.coordinator} is down)` : "";
      out.push(`${id} voted yes on ${txn} and is still uncertain${why}`);
    }
  }
  return out;
}
