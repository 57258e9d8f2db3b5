/**
 * Check of exercise 09A leader election: 6.5840's 3A scenarios on the tester of raft-tester.ts, each
 * {@link TRIALS} trials per seed, names drawn per trial, a bystander spawned first, latency 1–5 ms,
 * safety (`RaftMonitor`) after every event:
 *
 * 1. **initial election** — 3 servers: one leader within 5 s, every server in its term, and no new
 *    term during 2 × the largest election timeout (400 ms) without failures (heartbeats must reset the
 *    followers' election timers); still one leader after;
 * 2. **re-election** — the leader is disconnected → a new leader among the other two; it rejoins →
 *    one leader, and within {@link STEP_DOWN_MS} no connected server still leads an older term; two of
 *    three disconnected → no leader; one back → a leader; all back → one leader;
 * 3. **many elections** — 7 servers; ten times, 3 drawn servers are disconnected (a leader among the
 *    other ≥ 4 within 5 s), then reconnected; one leader at the end;
 * 4. **election RPC budget** — 3 servers: at most {@link ELECTION_MESSAGES_MAX} messages (requests and
 *    replies) until the first leader, and when idle at most {@link IDLE_MESSAGES_PER_FOLLOWER_MAX} per
 *    follower in {@link IDLE_MS} ms (heartbeats every 40 ms and their replies are 30).
 *
 * Trials 0, 3, 6… run only the student's servers; the others mix in the grader's reference servers
 * (see `drawServers`), so the student's candidate meets the grader's voters and the other way round.
 */
import { runScenarios, trialsPerSeed, type CheckResult } from "../check";
import { exercise } from "../exercises";
import { describeMessage, sentMessages } from "../messages";
import { RAFT_MS, raftScenario, type RaftApi, type RaftTester } from "./raft-tester";

export type { RaftApi } from "./raft-tester";

/**
 * Trials per seed of each scenario: the 4 scenarios together run ≥ 135 trials over the registry's
 * seeds (check.ts's rule, counted over the grader: 4 × 5 seeds × TRIALS), at least 3 per seed so
 * every scenario meets all-student and mixed clusters. Each Raft trial is a whole 6.5840 test (6.5840
 * runs each once); 27 per scenario per seed would take the suite past its 10 s budget.
 */
export const TRIALS = Math.max(3, trialsPerSeed(exercise("09A").seeds.length * 4));
/** Trials per seed over all scenarios (the meta tests' count). */
export const TRIALS_PER_SEED = TRIALS * 4;

/** A rejoined old leader must have stepped down (heard the higher term) within this long. */
export const STEP_DOWN_MS = 1000;
/** Messages (requests and replies, all servers) allowed until the first leader of 3 (6.5840: 30 RPCs). */
export const ELECTION_MESSAGES_MAX = 30;
/** The idle period measured. */
export const IDLE_MS = 600;
/** Heartbeats and their replies in IDLE_MS are 2 × IDLE_MS / heartbeatMs per follower (30); half as many again are allowed (6.5840: 20 RPCs per second per follower, twice its rate). */
export const IDLE_MESSAGES_PER_FOLLOWER_MAX = Math.floor(1.5 * 2 * (IDLE_MS / RAFT_MS.heartbeatMs));

/**
 * After a heal: within {@link STEP_DOWN_MS}, no connected server still leads a term older than the
 * highest among the connected (a rejoined old leader must have stepped down).
 *
 * @example
 * t.connect(oldLeader);
 * await checkNoStaleLeader(t, `the old leader ${oldLeader} rejoined`);
 */
export async function checkNoStaleLeader(t: RaftTester, why: string): Promise<void> {
  const stale = (): string | undefined => {
    const states = t.states();
    const connected = t.connectedIds().filter((id) => states[id] !== undefined);
    const top = Math.max(...connected.map((id) => states[id].currentTerm));
    return connected.find((id) => states[id].role === "leader" && states[id].currentTerm < top);
  };
  if (await t.runUntil(() => stale() === undefined, STEP_DOWN_MS)) return;
  const id = stale()!;
  const term = t.states()[id].currentTerm;
  // The messages of a higher term that reached it (the last two), for the diagram.
  const higher = sentMessages(t.sim.trace.events, (send) => send.dest === id).filter(
    (m) => m.delivered.length > 0 && typeof m.body.term === "number" && m.body.term > term,
  );
  const shown = higher.slice(-2);
  t.fail(
    `no connected server still leader of an older term ${STEP_DOWN_MS} ms after ${why} (a message of a higher term makes a leader a follower: Figure 2, all servers)`,
    `${id} is still leader of term ${term}${shown.length > 0 ? `, although ${describeMessage(shown[shown.length - 1], ["term"])}` : ""}: ${t.describe()}`,
    id,
    shown.map((m) => m.send.id),
  );
}

const initialElection = raftScenario({
  name: (p) => `initial election: 3 servers ${p.ids.join(", ")} (yours: ${p.student.join(", ")})`,
  trials: TRIALS,
  servers: 3,
  run: async (t) => {
    await t.checkOneLeader();
    await t.run(50);
    const term = t.checkTerms();
    if (term < 1) t.fail("a term ≥ 1 once a leader is elected", `term ${term}: ${t.describe()}`);
    const wait = 2 * RAFT_MS.electionMsMax;
    await t.run(wait);
    const after = t.checkTerms();
    if (after !== term) {
      t.fail(
        `no new term for ${wait} ms without failures (the leader's heartbeats every ${RAFT_MS.heartbeatMs} ms reset the followers' election timers)`,
        `the term went from ${term} to ${after}: ${t.describe()}`,
      );
    }
    await t.checkOneLeader();
  },
});

const reElection = raftScenario({
  name: (p) => `re-election: 3 servers ${p.ids.join(", ")} (yours: ${p.student.join(", ")}); leader disconnected, rejoins; no majority; majority back`,
  trials: TRIALS,
  servers: 3,
  run: async (t) => {
    const ids = t.ids;
    const leader1 = await t.checkOneLeader();
    t.disconnect(leader1);
    await t.checkOneLeader();
    t.connect(leader1);
    await checkNoStaleLeader(t, `the old leader ${leader1} rejoined`);
    const leader2 = await t.checkOneLeader();
    const other = ids[(ids.indexOf(leader2) + 1) % ids.length];
    t.disconnect(leader2);
    t.disconnect(other);
    await t.run(2 * RAFT_MS.electionMsMax);
    t.checkNoLeader(`${leader2} and ${other} are disconnected, so no majority`);
    t.connect(other);
    await t.checkOneLeader();
    t.connect(leader2);
    await checkNoStaleLeader(t, `${leader2} rejoined`);
    await t.checkOneLeader();
  },
});

const manyElections = raftScenario({
  name: (p) => `many elections: 7 servers ${p.ids.join(", ")} (yours: ${p.student.join(", ")}); 10 times 3 drawn servers disconnected`,
  trials: TRIALS,
  servers: 7,
  run: async (t, _p, trial) => {
    await t.checkOneLeader();
    for (let iter = 0; iter < 10; iter++) {
      const cut = [trial.rng.pick(t.ids), trial.rng.pick(t.ids), trial.rng.pick(t.ids)];
      for (const id of cut) t.disconnect(id);
      // Either the current leader is still connected, or the others (≥ 4 of 7) elect one.
      await t.checkOneLeader();
      for (const id of cut) t.connect(id);
    }
    await checkNoStaleLeader(t, "the last servers rejoined");
    await t.checkOneLeader();
  },
});

const electionBudget = raftScenario({
  name: (p) => `election RPC budget: 3 servers ${p.ids.join(", ")} (yours: ${p.student.join(", ")})`,
  trials: TRIALS,
  servers: 3,
  run: async (t) => {
    await t.checkOneLeader();
    const elect = t.rpcs();
    if (elect.total > ELECTION_MESSAGES_MAX) {
      t.fail(
        `at most ${ELECTION_MESSAGES_MAX} messages (requests and replies) until the first leader of 3 servers`,
        `${elect.total} (${JSON.stringify(elect.byType)}): ${t.describe()}`,
      );
    }
    await t.run(RAFT_MS.electionMsMax);
    const leader = await t.checkOneLeader();
    const before = t.rpcs().total;
    await t.run(IDLE_MS);
    const idle = t.rpcs().total - before;
    const allowed = IDLE_MESSAGES_PER_FOLLOWER_MAX * (t.ids.length - 1);
    if (idle > allowed) {
      t.fail(
        `at most ${allowed} messages in ${IDLE_MS} ms of idleness with leader ${leader} (${IDLE_MESSAGES_PER_FOLLOWER_MAX} per follower: a heartbeat every ${RAFT_MS.heartbeatMs} ms and its reply are ${2 * (IDLE_MS / RAFT_MS.heartbeatMs)})`,
        `${idle} messages (${t.ids.map((id) => `${id} sent ${t.rpcs(id).total}`).join(", ")} in all): ${t.describe()}`,
      );
    }
  },
});

/** The scenarios, for the bench. */
export const ELECTION_SCENARIOS = [initialElection, reElection, manyElections, electionBudget];

/**
 * Grade a Raft's leader election (09A) with one seed.
 *
 * @example
 * const result = await checkRaftElection({ raft: raftReference }, 1); // result.status === "pass"
 */
export function checkRaftElection(api: RaftApi, seed: number): Promise<CheckResult> {
  return runScenarios(api, seed, ELECTION_SCENARIOS, { exercise: "09A leader-election" });
}
