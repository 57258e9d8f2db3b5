/**
 * The Contract Net interaction protocol (Smith 1980; as standardised in FIPA SC00029H, "FIPA
 * Contract Net Interaction Protocol Specification", 2002), lecture 000 "Common interaction
 * protocols, pt. 3". Two roles:
 *
 * - the **initiator** sends a call for proposals (`cfp`) with a task to m participants and a
 *   deadline; collects `propose { bid }` and `refuse` until the deadline; evaluates the proposals
 *   (lowest bid wins by default) — or earlier, once every participant has answered; sends `accept-proposal` to the winner and `reject-proposal` to the
 *   other proposers; then waits for the winner's `inform-done { result }` (FIPA's inform-done /
 *   inform-result; `inform-result` is accepted too) or `failure { reason }`;
 * - each **participant** (contractor) answers a `cfp` with `propose { bid }` or `refuse { reason }`,
 *   and, once accepted, performs the task and reports `inform-done { result }` or `failure`.
 *
 * Replies carry `in_reply_to` (propose/refuse answer the cfp; accept/reject answer the propose;
 * inform-done/failure answer the accept) and every message carries the `conversation_id` of its
 * cfp (FIPA's conversation-id), so one initiator node can run several conversations.
 *
 * The cases the lecture lists as "not shown in the picture", and what this code does:
 * - **no proposals** (everyone refused, or nobody answered by the deadline): the initiator ends
 *   in state `no contract`, outcome `no-proposals`; nobody is accepted or rejected;
 * - **late proposals** (arriving after the deadline): rejected at once with
 *   `reject-proposal { reason: "late" }`, as FIPA prescribes ("any responses received after the
 *   deadline are automatically rejected"), so the late participant is not left waiting; a late
 *   `refuse` is ignored;
 * - **failure after acceptance**: the winner sends `failure` (outcome `failed`), or never answers
 *   (it crashed, or the answer was lost): after `resultTimeoutMs` the outcome is `no-result`.
 *   This initiator does not re-announce the task (a new cfp round is the caller's choice).
 *
 * The transport is assumed reliable, as in FIPA: a lost cfp or proposal looks like a participant
 * that stayed silent. Both roles call `node.setState`, so `toStateDiagram(trace, { role })` draws
 * each role's state machine (spawn them with `{ role: "initiator" }` / `{ role: "participant" }`).
 */
import type { Node } from "../node/node";
import type { Message } from "../node/message";
import { SimulationError } from "../sim/errors";

/**
 * The FIPA performatives this protocol uses, in the order they appear in a conversation.
 *
 * @example
 * sim.trace.filter({ kinds: ["send"], types: [...CONTRACT_NET_PERFORMATIVES] }).length; // the conversation's messages
 */
export const CONTRACT_NET_PERFORMATIVES = [
  "cfp",
  "propose",
  "refuse",
  "accept-proposal",
  "reject-proposal",
  "inform-done",
  "inform-result",
  "failure",
] as const;

/** One proposal as the initiator saw it. */
export interface ContractNetProposal {
  participant: string;
  bid: number;
  /** Virtual time of arrival. */
  atMs: number;
}

/** How a conversation ended, with everything the initiator learnt. */
export type ContractNetOutcome =
  | (ContractNetSummary & { status: "done"; contractor: string; bid: number; result: unknown })
  | (ContractNetSummary & { status: "failed"; contractor: string; bid: number; reason: string })
  | (ContractNetSummary & { status: "no-result"; contractor: string; bid: number })
  | (ContractNetSummary & { status: "no-proposals" });

/** What every outcome reports about the bidding. */
export interface ContractNetSummary {
  /** Proposals received in time, in arrival order. */
  proposals: ContractNetProposal[];
  /** Participants that refused in time. */
  refused: string[];
  /** Participants whose proposal came after the deadline (each got a `reject-proposal`). */
  late: string[];
  /** Participants that had said nothing by the deadline. */
  silent: string[];
}

/** Options of {@link contractNetInitiator}. */
export interface ContractNetInitiatorOptions {
  /** Who gets the cfp. */
  participants: readonly string[];
  /** The task announced in the cfp (any JSON value). */
  task: unknown;
  /** How long after sending the cfp proposals are accepted. */
  deadlineMs: number;
  /** How long to wait for the winner's result after accepting. Default `10 × deadlineMs`. */
  resultTimeoutMs?: number;
  /**
   * Pick the winner among the timely proposals (non-empty). Default: the lowest bid; on a tie, the
   * participant listed first in `participants`.
   */
  select?: (proposals: readonly ContractNetProposal[]) => ContractNetProposal;
  /**
   * Evaluate as soon as every participant has answered (propose or refuse) instead of waiting for
   * the deadline, as JADE's ContractNetInitiator does. Default true. With false, always at the deadline.
   */
  decideWhenAllAnswered?: boolean;
}

/** The conversations of one initiator node, dispatched by conversation id. */
interface InitiatorConversation {
  onAnswer(message: Message): void;
}
const initiatorConversations = new WeakMap<Node, Map<string, InitiatorConversation>>();

function conversationsOf(node: Node): Map<string, InitiatorConversation> {
  let conversations = initiatorConversations.get(node);
  if (conversations === undefined) {
    const table = (conversations = new Map());
    initiatorConversations.set(node, table);
    const dispatch = (message: Message) => {
      const id = message.body.conversation_id;
      // An answer to no conversation of ours (e.g. one already finished): nothing to do.
      if (typeof id === "string") table.get(id)?.onAnswer(message);
    };
    for (const type of ["propose", "refuse", "inform-done", "inform-result", "failure"]) node.on(type, dispatch);
  }
  return conversations;
}

/**
 * The initiator role: run one Contract Net conversation and resolve with its outcome. States
 * (`node.setState`): `calling for proposals` → `evaluating` (deadline, or all answered) → `awaiting result`
 * (accept-proposal sent) → `done` / `failed`; or `evaluating` → `no contract`.
 *
 * @example
 * const manager = sim.spawn("manager", () => {}, { role: "initiator" });
 * const outcome = await sim.runUntilSettled(contractNetInitiator(manager,
 *   { participants: ["c1", "c2", "c3"], task: { job: "render" }, deadlineMs: 50 }));
 * if (outcome.status === "done") console.log(`${outcome.contractor} did it for ${outcome.bid}`);
 */
export function contractNetInitiator(node: Node, options: ContractNetInitiatorOptions): Promise<ContractNetOutcome> {
  const { participants, task, deadlineMs } = options;
  const fail = (text: string) => new SimulationError(`contractNetInitiator: ${text}`, { node: node.id, timeMs: node.now() });
  if (!(deadlineMs > 0) || !Number.isFinite(deadlineMs)) throw fail(`deadlineMs must be a finite number of ms > 0, got ${deadlineMs}`);
  if (participants.length === 0) throw fail("participants is empty: a cfp needs at least one participant");
  const resultTimeoutMs = options.resultTimeoutMs ?? 10 * deadlineMs;
  if (!(resultTimeoutMs > 0)) throw fail(`resultTimeoutMs must be > 0, got ${resultTimeoutMs}`);
  const select = options.select ?? ((proposals: readonly ContractNetProposal[]) => lowestBid(proposals, participants));
  const decideWhenAllAnswered = options.decideWhenAllAnswered ?? true;

  const conversations = conversationsOf(node);
  const conversationId = `${node.id}/${node.incarnation}/${conversations.size + 1}`; // never deleted, so unique
  const proposals: ContractNetProposal[] = [];
  const proposeMsgIds = new Map<string, number>();
  const refused: string[] = [];
  const late: string[] = [];
  const answered = new Set<string>();
  let phase: "bidding" | "evaluating" | "awaiting" | "over" = "bidding";
  let winner: ContractNetProposal | undefined;
  let acceptMsgId = -1;

  return new Promise<ContractNetOutcome>((resolve) => {
    const summary = (): ContractNetSummary => ({
      proposals,
      refused,
      late,
      silent: participants.filter((p) => !answered.has(p)),
    });
    let silentAtDeadline: string[] = [];
    const finish = (state: string, cause: string, outcome: ContractNetOutcome) => {
      phase = "over";
      node.setState(state, cause);
      resolve(outcome); // the conversation stays registered, to reject proposals that come even later

    };
    conversations.set(conversationId, {
      onAnswer(message) {
        const type = message.body.type;
        if (type === "propose" || type === "refuse") {
          if (!participants.includes(message.src) || answered.has(message.src) && phase === "bidding") return; // not asked, or a duplicate
          if (phase !== "bidding") {
            if (type === "propose" && !late.includes(message.src) && !answered.has(message.src)) {
              late.push(message.src);
              node.reply(message, { type: "reject-proposal", conversation_id: conversationId, reason: "late" });
            }
            return;
          }
          answered.add(message.src);
          if (type === "refuse") refused.push(message.src);
          else {
            const bid = Number(message.body.bid);
            proposals.push({ participant: message.src, bid, atMs: node.now() });
            proposeMsgIds.set(message.src, message.body.msg_id ?? -1);
          }
          if (decideWhenAllAnswered && answered.size === new Set(participants).size) {
            node.cancelTimer(deadlineTimer);
            evaluate("all answered");
          }
          return;
        }
        // inform-done, inform-result, failure: only the winner's answer to our accept counts.
        if (phase !== "awaiting" || winner === undefined || message.src !== winner.participant) return;
        if (message.body.in_reply_to !== undefined && message.body.in_reply_to !== acceptMsgId) return;
        const base = { ...summary(), silent: silentAtDeadline, contractor: winner.participant, bid: winner.bid };
        if (type === "failure") finish("failed", "failure", { ...base, status: "failed", reason: String(message.body.reason ?? "unspecified") });
        else finish("done", type, { ...base, status: "done", result: message.body.result });
      },
    });

    node.setState("calling for proposals", "start");
    const replyByMs = node.now() + deadlineMs;
    for (const p of participants) node.send(p, { type: "cfp", conversation_id: conversationId, task, replyByMs });

    const evaluate = (cause: string) => {
      if (phase !== "bidding") return;
      phase = "evaluating";
      node.setState("evaluating", cause);
      silentAtDeadline = participants.filter((p) => !answered.has(p));
      if (proposals.length === 0) {
        finish("no contract", "no proposals", { ...summary(), status: "no-proposals" });
        return;
      }
      winner = select(proposals);
      for (const proposal of proposals) {
        const inReplyTo = proposeMsgIds.get(proposal.participant);
        const type = proposal === winner ? "accept-proposal" : "reject-proposal";
        const body = { type, conversation_id: conversationId, task, ...(type === "reject-proposal" ? { reason: "not selected" } : {}) };
        const msgId = node.send(proposal.participant, inReplyTo === undefined || inReplyTo < 0 ? body : { ...body, in_reply_to: inReplyTo });
        if (proposal === winner) acceptMsgId = msgId;
      }
      phase = "awaiting";
      node.setState("awaiting result", "accept-proposal sent");
      const chosen = winner;
      node.setTimer(resultTimeoutMs, () => {
        if (phase !== "awaiting") return;
        finish("failed", "result timeout", { ...summary(), silent: silentAtDeadline, status: "no-result", contractor: chosen.participant, bid: chosen.bid });
      }, "result timeout");
    };
    const deadlineTimer = node.setTimer(deadlineMs, () => evaluate("deadline"), "deadline");
  });
}

/** The default evaluation: the lowest bid; on a tie, the participant listed first. */
function lowestBid(proposals: readonly ContractNetProposal[], participants: readonly string[]): ContractNetProposal {
  const rank = (p: ContractNetProposal) => participants.indexOf(p.participant);
  return proposals.reduce((best, p) => (p.bid < best.bid || (p.bid === best.bid && rank(p) < rank(best)) ? p : best));
}

/** Options of {@link contractNetParticipant}. */
export interface ContractNetParticipantOptions {
  /** The bid for a task (lower is better), or `undefined` to refuse it. Default: always 10. */
  bid?: (task: unknown, node: Node) => number | undefined;
  /** Time to prepare a proposal before sending it (a large one makes the proposal late). Default 0. */
  thinkMs?: number;
  /** Time to perform the task once accepted. Default 0. */
  workMs?: number;
  /** The result of the task, or throw to report `failure` with the error's message. Default: `"done"`. */
  perform?: (task: unknown, node: Node) => unknown;
}

/**
 * The participant (contractor) role. States: `idle` → `proposed` (cfp, with a bid) or `refused`;
 * `proposed` → `rejected` (reject-proposal, also when the proposal was late) or `working`
 * (accept-proposal) → `done` (inform-done sent) or `failed` (failure sent). A repeated cfp of the
 * same conversation gets the same answer again; an accept for nothing it proposed gets `failure`.
 *
 * @example
 * sim.spawn("c1", (node) => contractNetParticipant(node, { bid: () => node.rng.int(1, 100), workMs: 20 }),
 *   { role: "participant" });
 * sim.spawn("c2", (node) => contractNetParticipant(node, { perform: () => { throw new Error("disk full"); } }),
 *   { role: "participant" });
 */
export function contractNetParticipant(node: Node, options: ContractNetParticipantOptions = {}): void {
  const bidFor = options.bid ?? (() => 10);
  const thinkMs = options.thinkMs ?? 0;
  const workMs = options.workMs ?? 0;
  const perform = options.perform ?? (() => "done");
  /** Per conversation (initiator + conversation id): what we answered. */
  const answers = new Map<string, { bid: number | undefined; task: unknown; stage: "proposed" | "refused" | "working" | "over" }>();
  const keyOf = (message: Message) => `${message.src} ${String(message.body.conversation_id ?? "")}`;
  const conversation = (message: Message) => (message.body.conversation_id === undefined ? {} : { conversation_id: message.body.conversation_id });

  node.setState("idle");
  node.on("cfp", async (cfp) => {
    const key = keyOf(cfp);
    const known = answers.get(key);
    if (known !== undefined) {
      // A duplicate cfp: repeat the answer while it still matters.
      if (known.stage === "proposed") node.reply(cfp, { type: "propose", ...conversation(cfp), bid: known.bid });
      if (known.stage === "refused") node.reply(cfp, { type: "refuse", ...conversation(cfp), reason: "not interested" });
      return;
    }
    const bid = bidFor(cfp.body.task, node);
    const entry = { bid, task: cfp.body.task, stage: (bid === undefined ? "refused" : "proposed") as "proposed" | "refused" | "working" | "over" };
    answers.set(key, entry);
    if (thinkMs > 0) await node.sleep(thinkMs);
    if (bid === undefined) {
      node.setState("refused", "cfp");
      node.reply(cfp, { type: "refuse", ...conversation(cfp), reason: "not interested" });
    } else {
      node.setState("proposed", "cfp");
      node.reply(cfp, { type: "propose", ...conversation(cfp), bid });
    }
  });
  node.on("reject-proposal", (message) => {
    const entry = answers.get(keyOf(message));
    if (entry === undefined || entry.stage !== "proposed") return;
    entry.stage = "over";
    node.setState("rejected", message.body.reason === "late" ? "reject-proposal (late)" : "reject-proposal");
  });
  node.on("accept-proposal", async (accept) => {
    const entry = answers.get(keyOf(accept));
    if (entry === undefined || entry.stage !== "proposed") {
      if (entry === undefined) node.reply(accept, { type: "failure", ...conversation(accept), reason: "no proposal to accept" });
      return; // a duplicate accept: the work is under way or over
    }
    entry.stage = "working";
    node.setState("working", "accept-proposal");
    if (workMs > 0) await node.sleep(workMs);
    entry.stage = "over";
    let result: unknown;
    try {
      result = perform(entry.task, node);
    } catch (error) {
      node.setState("failed", "task failed");
      node.reply(accept, { type: "failure", ...conversation(accept), reason: error instanceof Error ? error.message : String(error) });
      return;
    }
    node.setState("done", "task performed");
    node.reply(accept, { type: "inform-done", ...conversation(accept), result });
  });
}
