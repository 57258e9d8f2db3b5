// Bounded exhaustive search over a system of pure machines (lib/machine), in the manner of DSLabs'
// search and Stateright's checker: every interleaving of deliveries, ticks and (bounded) faults.
//
// The shape:
// - A system (`ExploreSystem`) = one `Machine` (several roles by config, as `twoPhaseCommit` does),
//   its nodes `{ id, config, seed? }`, and the messages in flight at the start (a client's requests).
//   Messages to ids outside the system (a client) leave it.
// - A search state = every node's machine state (undefined while crashed), its disk (what `persist`
//   wrote) and incarnation, the multiset of messages in flight, and the faults and ticks spent.
// - A step (`Choice`) = deliver one message, tick one node, drop / duplicate one message, crash /
//   restart one node — faults within `dropsMax`, `duplicatesMax`, `crashesMax`, `restartsMax`
//   (default 0 each), ticks within `ticksMax` (default none). A tick that changes nothing is no step.
//   A crash loses the node's state and the messages in flight to it; a restart runs `restore(disk)`
//   with the incarnation number as seed. `tickable` (ids, or a test of the state, e.g. "not a
//   leader") and `crashable` say who may tick or crash; `boundary` / `inFlightMax` cut states that
//   are checked but not expanded (TLC's CONSTRAINT): e.g. `currentTerm < 3` for Raft.
// - "Terminal" = no choice changes anything: every message delivered, the tick budget spent (or no
//   tick changes a state) and no fault budget left to spend. So with ticks unbounded a protocol with
//   timers has no terminal state: give `ticksMax` to check "eventually" properties.
// - Visited states are 53-bit fingerprints of a canonical encoding (object keys sorted, message
//   multiset hashed order-free; `system.view` says what of a node's state counts), cached per node
//   state object so a step re-encodes only what changed. Opt-in `symmetry` groups of interchangeable
//   ids: states equal up to renaming are explored once.
// - BFS (default: the first counterexample is a shortest one) or DFS (own stack, `depthMax` default
//   50). Invariants are checked in every state; `eventually` properties in terminal states (no step
//   left), and at the depth bound / boundary with `eventuallyAtBound` (reported as `where: "bound"`).
//   `statesMax` / `transitionsMax` stop the search with verdict `bound-reached` (never a pass).
// - A counterexample: `choices`, a replay string (`d0.t1.x0`: see replay.ts), one line per step
//   (`formatCounterexample`), and `replayInSimulator(system, choices)`, an ordinary run whose
//   `trace` draws with `toSequenceDiagram` / `toStateDiagram` and ends in the same state.
//
// @example
// // Two-phase commit, coordinator c and participants p1, p2; a client's begin is in flight.
// const system: ExploreSystem<TwoPhaseState, TwoPhaseMessage, TwoPhasePersist, TwoPhaseConfig> = {
//   machine: twoPhaseCommit,
//   nodes: [
//     { id: "c", config: { role: "coordinator", participants: ["p1", "p2"], resendTicks: 1, voteTimeoutTicks: 2 } },
//     { id: "p1", config: { role: "participant", coordinator: "c", resendTicks: 1 } },
//     { id: "p2", config: { role: "participant", coordinator: "c", resendTicks: 1 } },
//   ],
//   messages: [{ src: "client", dest: "c", body: { type: "begin", txn: "t1" } }],
// };
// // The same checker the simulator's monitor uses (state-based; a monitor with memory, like
// // AtomicCommitMonitor, would need its memory in the state):
// const agreement = { name: "AC1", check: (v: ExploreView<TwoPhaseState, TwoPhaseMessage>) => atomicCommitViolations(v.states) };
// const decided = { name: "every participant decides", check: (v: ExploreView<TwoPhaseState, TwoPhaseMessage>) =>
//   Object.values(v.states).every((s) => s.role === "coordinator" || s.txns.t1 !== "prepared") };
// explore(system, { invariants: [agreement], eventually: [decided], ticksMax: 1 }).verdict; // { kind: "exhausted" } (304 states)
// const r = explore(system, { invariants: [agreement], eventually: [decided], crashesMax: 1, crashable: ["c"], ticksMax: 0 });
// if (r.verdict.kind === "violated") {                                                  // where: "terminal", 4 steps
//   console.log(formatCounterexample(r.verdict.counterexample));                        // begin, crash c, both prepares: p1, p2 blocked
//   const run = replayInSimulator(system, r.verdict.counterexample.replay, { crashable: ["c"] });
//   await showMermaid(toSequenceDiagram(run.trace));
// }
export { explore, problemsOf } from "./search";
export { formatReplay, parseReplay, formatCounterexample, replayInSimulator, ReplayError } from "./replay";
export { hashValue, fingerprint, combineOrdered, combineUnordered } from "./encode";
export {
  centralLockMachine,
  pbModelMachine,
  pbModelConfig,
  raftElectionMachine,
  raftElectionConfig,
  raftElectionView,
  mutualExclusionViolations,
  lostWriteViolations,
  uncertainParticipants,
  twoPhaseCommitSearch,
  mutexSearch,
  raftElectionSearch,
  primaryBackupSearch,
  randomRun,
  seedsToViolation,
} from "./models/index";
export type {
  LockConfig,
  LockMessage,
  LockState,
  LockServerState,
  LockClientState,
  LockClientPhase,
  LockVariant,
  LockServerConfig,
  LockClientConfig,
  PbModelConfig,
  PbModelMessage,
  PbModelState,
  PbPrimaryState,
  PbBackupState,
  PbClientState,
  PbVariant,
  PbWrite,
  RaftElectionVariant,
  ModelSearch,
  TwoPhaseCommitSearchOptions,
  MutexSearchOptions,
  RaftElectionSearchOptions,
  PrimaryBackupSearchOptions,
  RandomRunOptions,
  RandomRunResult,
  SeedsToViolationResult,
} from "./models/index";
export type { Fingerprint } from "./encode";
export type {
  Choice,
  ChoiceKind,
  Counterexample,
  CounterexampleStep,
  ExploreBounds,
  ExploreMessage,
  ExploreNode,
  ExploreOptions,
  ExploreProgress,
  ExploreProperty,
  ExploreReport,
  ExploreSystem,
  ExploreVerdict,
  ExploreView,
  NodeSnapshot,
  PropertyResult,
  ReplayRun,
  Spent,
} from "./types";
