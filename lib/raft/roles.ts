// The role every server falls back to (Figure 2, "Rules for Servers"), and the randomised election
// timer all non-leaders run (§5.2).
import { nextRandom } from "../machine/index";
import type { RaftState } from "./types";

/**
 * Draw a fresh election timeout in [electionTicksMin, electionTicksMax] and restart the count
 * (§5.2: "randomized election timeouts … chosen randomly from a fixed interval").
 *
 * @example resetElectionTimer(state).electionTimeout // e.g. 14
 */
export function resetElectionTimer(s: RaftState): RaftState {
  const { value, seed } = nextRandom(s.seed);
  const span = s.electionTicksMax - s.electionTicksMin + 1;
  return { ...s, seed, electionElapsed: 0, electionTimeout: s.electionTicksMin + Math.floor(value * span) };
}

/**
 * Become a follower of `term` (Figure 2, all servers: "If RPC request or response contains term T >
 * currentTerm: set currentTerm = T, convert to follower"). A new term clears `votedFor`.
 *
 * @example becomeFollower(state, 5, "n2") // a follower of n2 in term 5
 */
export function becomeFollower(s: RaftState, term: number, leaderId: string | null): RaftState {
  const votedFor = term === s.currentTerm ? s.votedFor : null;
  return resetElectionTimer({
    ...s,
    role: "follower",
    currentTerm: term,
    votedFor,
    leaderId,
    votesGranted: [],
    nextIndex: {},
    matchIndex: {},
  });
}

