// Two-phase commit as a pure state machine: a coordinator (Gray's "commit coordinator", Gray &
// Lamport's "transaction manager") and participants ("resource managers").
//
// Sources:
// - J. Gray, "Notes on Data Base Operating Systems" (1978), §5.8.3.3: the two phases, and the
//   rule that a participant must record "prepared" durably before voting yes.
// - P. Bernstein, V. Hadzilacos, N. Goodman, "Concurrency Control and Recovery in Database Systems"
//   (1987), ch. 7: atomic commitment (AC1–AC5), the *uncertainty period* of a participant that voted
//   yes, the termination protocol (an uncertain participant sends a decision request) and why 2PC
//   *blocks* when the coordinator fails while participants are uncertain.
// - C. Mohan, B. Lindsay, R. Obermarck, "Transaction Management in the R* Distributed Database
//   Management System" (TODS 1986): *presumed abort* — a coordinator with no record of a
//   transaction answers "abort".
// - J. Gray, L. Lamport, "Consensus on Transaction Commit" (TODS 2006), §3: the state names
//   working/prepared/committed/aborted used here.
//
// The protocol, per transaction `txn`:
//   client → coordinator   begin          start txn; answered by begin_resp {outcome} once decided
//   phase 1  coordinator → every participant  prepare;  participant → coordinator  prepare_resp {vote}
//            (a yes vote is persisted as "prepared" before it is sent; a participant may vote no)
//   phase 2  the coordinator decides commit (all yes) or abort (a no, or no answer within
//            voteTimeoutTicks), persists the decision, then sends decide {outcome};
//            participants persist it and answer decide_resp
//   recovery coordinator resends prepare / decide every resendTicks until answered; an uncertain
//            (prepared) participant sends decision_req every resendTicks; after a restart each side
//            goes on from its disk; a coordinator with no record of txn decides abort.
//
// What to watch: while the coordinator is down, a participant that voted yes can neither commit (the
// coordinator may have decided abort) nor abort (it may have decided commit): it *blocks*, sending
// decision requests into the void, until the coordinator comes back.
import type { Inbound, InitContext, Machine, Outbound, Ready } from "../machine";
import { nextRandom } from "../machine";

/** The decision on a transaction. */
export type TwoPhaseOutcome = "commit" | "abort";
/** A participant's answer to `prepare`. */
export type TwoPhaseVote = "yes" | "no";
/** What a participant knows of a transaction: voted yes and waiting (uncertain), or decided. */
export type TwoPhaseParticipantPhase = "prepared" | "committed" | "aborted";

/** The messages of two-phase commit, as request/response pairs. */
export type TwoPhaseMessage =
  | { type: "begin"; txn: string }
  | { type: "begin_resp"; txn: string; outcome: TwoPhaseOutcome }
  | { type: "prepare"; txn: string }
  | { type: "prepare_resp"; txn: string; vote: TwoPhaseVote }
  | { type: "decide"; txn: string; outcome: TwoPhaseOutcome }
  | { type: "decide_resp"; txn: string }
  | { type: "decision_req"; txn: string };

/** A coordinator's configuration (times in ticks). */
export interface TwoPhaseCoordinatorConfig {
  role: "coordinator";
  participants: string[];
  /** Resend unanswered prepare / decide every this many ticks. Default 5. */
  resendTicks?: number;
  /** Decide abort when some vote is still missing this many ticks after begin. Default 20. */
  voteTimeoutTicks?: number;
}

/** A participant's configuration (times in ticks). */
export interface TwoPhaseParticipantConfig {
  role: "participant";
  coordinator: string;
  /** Probability of voting no (a lock conflict, a full disk...). Default 0. */
  abortProbability?: number;
  /** While uncertain, send decision_req every this many ticks. Default 5. */
  resendTicks?: number;
}

export type TwoPhaseConfig = TwoPhaseCoordinatorConfig | TwoPhaseParticipantConfig;

/** The coordinator's view of one transaction. */
export interface TwoPhaseCoordinatorTxn {
  /** Who sent begin: it gets begin_resp. Unknown after a restart. */
  client?: string;
  votes: Record<string, TwoPhaseVote>;
  /** Set once decided (and persisted). */
  outcome?: TwoPhaseOutcome;
  /** Participants that acknowledged the outcome. */
  acked: string[];
  /** Ticks since begin (while preparing) or since the last resend of decide. */
  elapsed: number;
}

export interface TwoPhaseCoordinatorState {
  role: "coordinator";
  participants: string[];
  resendTicks: number;
  voteTimeoutTicks: number;
  txns: Record<string, TwoPhaseCoordinatorTxn>;
  /** The durable decision log (what `persist.decisions` last wrote). */
  decisions: Record<string, TwoPhaseOutcome>;
  /** The transaction `describe` reports on. */
  latest?: string;
}

export interface TwoPhaseParticipantState {
  role: "participant";
  coordinator: string;
  abortProbability: number;
  resendTicks: number;
  /** Seed for `nextRandom` (the vote). */
  seed: number;
  /** Durable: what `persist.txns` last wrote. */
  txns: Record<string, TwoPhaseParticipantPhase>;
  /** Ticks since the last round of decision requests. */
  elapsed: number;
  latest?: string;
}

export type TwoPhaseState = TwoPhaseCoordinatorState | TwoPhaseParticipantState;

/** What each role writes to durable storage (one key each). */
export interface TwoPhasePersist {
  /** Coordinator: its decision log. */
  decisions: Record<string, TwoPhaseOutcome>;
  /** Participant: every transaction it prepared or decided. */
  txns: Record<string, TwoPhaseParticipantPhase>;
}

type TwoPhaseReady<S extends TwoPhaseState = TwoPhaseState> = Ready<S, TwoPhaseMessage, TwoPhasePersist>;
type Msg = Inbound<TwoPhaseMessage>;

// ---- coordinator ---------------------------------------------------------------------------------

function becomeCoordinator(config: TwoPhaseCoordinatorConfig, decisions: Record<string, TwoPhaseOutcome>): TwoPhaseCoordinatorState {
  const txns: Record<string, TwoPhaseCoordinatorTxn> = {};
  let latest: string | undefined;
  // After a restart every decided transaction is resent until acknowledged again.
  for (const txn of Object.keys(decisions)) {
    txns[txn] = { votes: {}, outcome: decisions[txn], acked: [], elapsed: 0 };
    latest = txn;
  }
  return {
    role: "coordinator",
    participants: config.participants.slice(),
    resendTicks: config.resendTicks ?? 5,
    voteTimeoutTicks: config.voteTimeoutTicks ?? 20,
    txns,
    decisions,
    latest,
  };
}

function withTxn(s: TwoPhaseCoordinatorState, txn: string, t: TwoPhaseCoordinatorTxn): TwoPhaseCoordinatorState {
  return { ...s, txns: { ...s.txns, [txn]: t } };
}

function bcast(to: readonly string[], body: TwoPhaseMessage): Array<Outbound<TwoPhaseMessage>> {
  return to.map((dest) => ({ dest, body }));
}

/**
 * Phase 2: record `outcome` for `txn` in the decision log (persisted before anything is sent), then
 * tell every participant and the client. The one place a decision is made.
 */
function decide(s: TwoPhaseCoordinatorState, txn: string, outcome: TwoPhaseOutcome): TwoPhaseReady {
  const t = s.txns[txn] ?? { votes: {}, acked: [], elapsed: 0 };
  const decisions = { ...s.decisions, [txn]: outcome };
  const messages = bcast(s.participants, { type: "decide", txn, outcome });
  if (t.client !== undefined) messages.push({ dest: t.client, body: { type: "begin_resp", txn, outcome } });
  return {
    state: { ...withTxn(s, txn, { ...t, outcome, elapsed: 0 }), decisions, latest: txn },
    persist: { decisions },
    messages,
  };
}

/** A decision already made, resent to one node (idempotent). */
function redecide(s: TwoPhaseCoordinatorState, txn: string, dest: string): TwoPhaseReady {
  return { state: s, messages: [{ dest, body: { type: "decide", txn, outcome: s.txns[txn].outcome! } }] };
}

function handleBegin(s: TwoPhaseCoordinatorState, m: Msg, txn: string): TwoPhaseReady {
  const t = s.txns[txn];
  if (t?.outcome !== undefined) {
    return { state: withTxn(s, txn, { ...t, client: m.src }), messages: [{ dest: m.src, body: { type: "begin_resp", txn, outcome: t.outcome } }] };
  }
  if (t !== undefined) return { state: withTxn(s, txn, { ...t, client: m.src }) }; // still preparing
  // Phase 1. Nothing is persisted: a coordinator that crashes now forgets txn, and presumes abort.
  return {
    state: { ...withTxn(s, txn, { client: m.src, votes: {}, acked: [], elapsed: 0 }), latest: txn },
    messages: bcast(s.participants, { type: "prepare", txn }),
  };
}

function handlePrepareResp(s: TwoPhaseCoordinatorState, m: Msg, txn: string, vote: TwoPhaseVote): TwoPhaseReady {
  const t = s.txns[txn];
  if (t === undefined) return decide(s, txn, "abort"); // forgotten in a crash: presumed abort
  if (t.outcome !== undefined) return t.acked.includes(m.src) ? { state: s } : redecide(s, txn, m.src);
  const next = { ...t, votes: { ...t.votes, [m.src]: vote } };
  if (vote === "no") return decide(withTxn(s, txn, next), txn, "abort");
  if (s.participants.every((p) => next.votes[p] === "yes")) return decide(withTxn(s, txn, next), txn, "commit");
  return { state: withTxn(s, txn, next) };
}

function handleDecideResp(s: TwoPhaseCoordinatorState, m: Msg, txn: string): TwoPhaseReady {
  const t = s.txns[txn];
  if (t?.outcome === undefined || t.acked.includes(m.src)) return { state: s };
  return { state: withTxn(s, txn, { ...t, acked: [...t.acked, m.src] }) };
}

/** The termination protocol: an uncertain participant asks; answer if decided, presume abort if unknown. */
function handleDecisionReq(s: TwoPhaseCoordinatorState, m: Msg, txn: string): TwoPhaseReady {
  const t = s.txns[txn];
  if (t === undefined) return decide(s, txn, "abort");
  if (t.outcome === undefined) return { state: s }; // still collecting votes: the participant waits
  return redecide(s, txn, m.src);
}

function stepCoordinator(s: TwoPhaseCoordinatorState, m: Msg): TwoPhaseReady {
  const b = m.body;
  switch (b.type) {
    case "begin":
      return handleBegin(s, m, b.txn);
    case "prepare_resp":
      return handlePrepareResp(s, m, b.txn, b.vote);
    case "decide_resp":
      return handleDecideResp(s, m, b.txn);
    case "decision_req":
      return handleDecisionReq(s, m, b.txn);
    default:
      return { state: s }; // not a coordinator's message
  }
}

/** Per transaction: time out a vote, or resend what is unanswered every resendTicks. */
function tickCoordinator(s: TwoPhaseCoordinatorState): TwoPhaseReady {
  let state = s;
  let persist: Partial<TwoPhasePersist> | undefined;
  const messages: Array<Outbound<TwoPhaseMessage>> = [];
  for (const txn of Object.keys(s.txns)) {
    const t = state.txns[txn];
    if (t.outcome !== undefined && t.acked.length === s.participants.length) continue; // done
    const elapsed = t.elapsed + 1;
    if (t.outcome === undefined && elapsed >= s.voteTimeoutTicks) {
      const r = decide(state, txn, "abort");
      state = r.state as TwoPhaseCoordinatorState;
      persist = { ...persist, ...r.persist };
      messages.push(...(r.messages ?? []));
      continue;
    }
    const resend = elapsed % s.resendTicks === 0;
    if (resend && t.outcome === undefined) {
      messages.push(...bcast(s.participants.filter((p) => t.votes[p] === undefined), { type: "prepare", txn }));
    } else if (resend) {
      messages.push(...bcast(s.participants.filter((p) => !t.acked.includes(p)), { type: "decide", txn, outcome: t.outcome! }));
    }
    // While deciding the count restarts at each resend; while preparing it runs to the vote timeout.
    state = withTxn(state, txn, { ...t, elapsed: resend && t.outcome !== undefined ? 0 : elapsed });
  }
  return { state, persist, messages };
}

// ---- participant ---------------------------------------------------------------------------------

function becomeParticipant(config: TwoPhaseParticipantConfig, seed: number, txns: Record<string, TwoPhaseParticipantPhase>): TwoPhaseParticipantState {
  const ids = Object.keys(txns);
  return {
    role: "participant",
    coordinator: config.coordinator,
    abortProbability: config.abortProbability ?? 0,
    resendTicks: config.resendTicks ?? 5,
    seed,
    txns,
    elapsed: 0,
    latest: ids.length > 0 ? ids[ids.length - 1] : undefined,
  };
}

function voteOf(phase: TwoPhaseParticipantPhase): TwoPhaseVote {
  return phase === "aborted" ? "no" : "yes";
}

/** Phase 1 at a participant: vote, persisting the vote before it leaves (Gray §5.8.3.3). */
function handlePrepare(s: TwoPhaseParticipantState, m: Msg, txn: string): TwoPhaseReady {
  const known = s.txns[txn];
  if (known !== undefined) return { state: s, messages: [{ dest: m.src, body: { type: "prepare_resp", txn, vote: voteOf(known) } }] };
  const { value, seed } = nextRandom(s.seed);
  const phase: TwoPhaseParticipantPhase = value < s.abortProbability ? "aborted" : "prepared";
  const txns = { ...s.txns, [txn]: phase };
  return {
    state: { ...s, seed, txns, latest: txn },
    persist: { txns },
    messages: [{ dest: m.src, body: { type: "prepare_resp", txn, vote: voteOf(phase) } }],
  };
}

/** Phase 2 at a participant: record the outcome durably, then acknowledge. */
function handleDecide(s: TwoPhaseParticipantState, m: Msg, txn: string, outcome: TwoPhaseOutcome): TwoPhaseReady {
  const ack: Outbound<TwoPhaseMessage> = { dest: m.src, body: { type: "decide_resp", txn } };
  const phase: TwoPhaseParticipantPhase = outcome === "commit" ? "committed" : "aborted";
  if (s.txns[txn] === phase) return { state: s, messages: [ack] };
  const txns = { ...s.txns, [txn]: phase };
  return { state: { ...s, txns, latest: txn }, persist: { txns }, messages: [ack] };
}

function stepParticipant(s: TwoPhaseParticipantState, m: Msg): TwoPhaseReady {
  const b = m.body;
  switch (b.type) {
    case "prepare":
      return handlePrepare(s, m, b.txn);
    case "decide":
      return handleDecide(s, m, b.txn, b.outcome);
    default:
      return { state: s }; // not a participant's message
  }
}

/** Every resendTicks, ask the coordinator about each transaction we are uncertain of. */
function tickParticipant(s: TwoPhaseParticipantState): TwoPhaseReady {
  const uncertain = Object.keys(s.txns).filter((txn) => s.txns[txn] === "prepared");
  if (uncertain.length === 0) return s.elapsed === 0 ? { state: s } : { state: { ...s, elapsed: 0 } };
  const elapsed = (s.elapsed + 1) % s.resendTicks;
  if (elapsed !== 0) return { state: { ...s, elapsed } };
  return { state: { ...s, elapsed }, messages: uncertain.map((txn) => ({ dest: s.coordinator, body: { type: "decision_req" as const, txn } })) };
}

// ---- the machine -----------------------------------------------------------------------------------

function describeCoordinator(s: TwoPhaseCoordinatorState): string {
  const t = s.latest === undefined ? undefined : s.txns[s.latest];
  if (t === undefined) return "idle";
  if (t.outcome === undefined) return "preparing";
  const done = t.acked.length === s.participants.length;
  return t.outcome === "commit" ? (done ? "committed" : "committing") : done ? "aborted" : "aborting";
}

/**
 * Two-phase commit: one machine, two roles chosen by `config.role` (each role has its own step and
 * tick functions, as etcd raft swaps `stepLeader` / `stepFollower`). States for diagrams, of the
 * latest transaction: coordinator idle → preparing → committing/aborting → committed/aborted (all
 * acknowledged); participant idle → prepared (uncertain) → committed/aborted.
 *
 * @example
 * const sim = new Simulation({ seed: 1 });
 * const host = hostMachine(twoPhaseCommit, { tickMs: 10, config: (id) => id === "c"
 *   ? { role: "coordinator", participants: ["p1", "p2"] }
 *   : { role: "participant", coordinator: "c" } });
 * sim.spawnMany(["c", "p1", "p2"], host, { role: twoPhaseCommit.name });
 * sim.spawn("client", (node) => node.on("begin_resp", () => {}));
 * sim.node("client").send("c", { type: "begin", txn: "t1" });
 * await sim.runFor(200);
 * host.state("c"); // { role: "coordinator", decisions: { t1: "commit" }, ... }
 */
export const twoPhaseCommit: Machine<TwoPhaseState, TwoPhaseMessage, TwoPhasePersist, TwoPhaseConfig> = {
  name: "two-phase-commit",
  // begin_resp goes to the client, which is not a machine: no 2PC node accepts it.
  messageTypes: ["begin", "prepare", "prepare_resp", "decide", "decide_resp", "decision_req"],
  init: (ctx: InitContext<TwoPhaseConfig>) =>
    ctx.config.role === "coordinator" ? becomeCoordinator(ctx.config, {}) : becomeParticipant(ctx.config, ctx.seed, {}),
  restore: (ctx, persisted) =>
    ctx.config.role === "coordinator"
      ? becomeCoordinator(ctx.config, persisted.decisions ?? {})
      : becomeParticipant(ctx.config, ctx.seed, persisted.txns ?? {}),
  step: (s, m) => (s.role === "coordinator" ? stepCoordinator(s, m) : stepParticipant(s, m)),
  tick: (s) => (s.role === "coordinator" ? tickCoordinator(s) : tickParticipant(s)),
  describe: (s) => (s.role === "coordinator" ? describeCoordinator(s) : s.latest === undefined ? "idle" : s.txns[s.latest]),
};
