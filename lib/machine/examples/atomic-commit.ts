// Invariant checks for two-phase commit, kept apart from the protocol. They read machine states
// only (from `host.states()` in a simulation, or `env.states()` in a transcript).
//
// Atomic commitment, as Bernstein, Hadzilacos & Goodman state it ("Concurrency Control and Recovery
// in Database Systems", 1987, §7.2):
//   AC1  all processes that reach a decision reach the same one;
//   AC2  a process cannot reverse its decision after it has reached one;
//   AC3  the commit decision can only be reached if all processes voted yes.
// A participant that votes no records "aborted" at once, so AC3 shows up as an AC1 disagreement
// (a commit somewhere, "aborted" at the participant that voted no).
import type { TwoPhaseOutcome, TwoPhaseState } from "./two-phase-commit";

/**
 * The decisions in a set of states: transaction → node → outcome (a participant that voted yes
 * and is still uncertain has none).
 *
 * @example
 * decisionsOf(host.states()); // { t1: { c: "commit", p1: "commit" } }
 */
export function decisionsOf(states: Readonly<Record<string, TwoPhaseState>>): Record<string, Record<string, TwoPhaseOutcome>> {
  const out: Record<string, Record<string, TwoPhaseOutcome>> = {};
  for (const node of Object.keys(states)) {
    const s = states[node];
    if (s.role === "coordinator") {
      for (const txn of Object.keys(s.decisions)) (out[txn] ??= {})[node] = s.decisions[txn];
    } else {
      for (const txn of Object.keys(s.txns)) {
        const phase = s.txns[txn];
        if (phase !== "prepared") (out[txn] ??= {})[node] = phase === "committed" ? "commit" : "abort";
      }
    }
  }
  return out;
}

/**
 * AC1 (and with it AC3) over one snapshot of states: one line per transaction decided both ways.
 *
 * @example
 * atomicCommitViolations(host.states()); // [] — or ["AC1: t1 committed at c, p1 but aborted at p2"]
 */
export function atomicCommitViolations(states: Readonly<Record<string, TwoPhaseState>>): string[] {
  return agreementViolations(decisionsOf(states));
}

function agreementViolations(decisions: Record<string, Record<string, TwoPhaseOutcome>>): string[] {
  const problems: string[] = [];
  for (const txn of Object.keys(decisions)) {
    const byNode = decisions[txn];
    const nodes = Object.keys(byNode);
    const commit = nodes.filter((n) => byNode[n] === "commit");
    const abort = nodes.filter((n) => byNode[n] === "abort");
    if (commit.length > 0 && abort.length > 0) {
      problems.push(`AC1: ${txn} committed at ${commit.join(", ")} but aborted at ${abort.join(", ")}`);
    }
  }
  return problems;
}

/**
 * AC1 and AC2 over time: feed it the live states after every event (crashed nodes are simply
 * absent). It remembers every decision it has seen, so a node that comes back from a crash without
 * a decision it had reached (it did not persist before acting), or with the opposite one, is caught,
 * as is a disagreement with a node that is down right now.
 *
 * @example
 * const monitor = new AtomicCommitMonitor();
 * await sim.runUntil(() => { const v = monitor.observe(host.states()); if (v.length) throw new Error(v.join("; ")); return false; }, { withinMs: 5000, throwOnTimeout: false });
 */
export class AtomicCommitMonitor {
  private readonly seen: Record<string, Record<string, TwoPhaseOutcome>> = {};

  /** Check the states against each other and against every decision seen before. @example monitor.observe(host.states()) */
  observe(states: Readonly<Record<string, TwoPhaseState>>): string[] {
    const now = decisionsOf(states);
    const problems: string[] = [];
    for (const txn of Object.keys(this.seen)) {
      for (const node of Object.keys(this.seen[txn])) {
        if (states[node] === undefined) continue; // down: it will be checked when it is back
        const before = this.seen[txn][node];
        const after = now[txn]?.[node];
        if (after !== before) problems.push(`AC2: ${node} reversed its decision on ${txn}: ${before} → ${after ?? "undecided"}`);
      }
    }
    for (const txn of Object.keys(now)) for (const node of Object.keys(now[txn])) (this.seen[txn] ??= {})[node] ??= now[txn][node];
    return problems.concat(agreementViolations(this.seen));
  }

  /** Every decision seen so far: transaction → node → outcome. @example monitor.decisions().t1 */
  decisions(): Record<string, Record<string, TwoPhaseOutcome>> {
    const out: Record<string, Record<string, TwoPhaseOutcome>> = {};
    for (const txn of Object.keys(this.seen)) out[txn] = { ...this.seen[txn] };
    return out;
  }
}
