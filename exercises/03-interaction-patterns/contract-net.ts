/**
 * Exercise 03.2 — contract net (15 points). Graded by `npm test` (test/03-interaction-patterns.test.ts),
 * or alone with `npm run grade -- 03.2`.
 *
 * The initiator of the FIPA Contract Net Interaction Protocol (FIPA SC00029H): it calls for
 * proposals, waits for bids until a deadline, awards the task to the best bid and tells the other
 * bidders no. The contractors are the grader's. Every message below except the cfp is a reply
 * (`node.reply`, so `in_reply_to` = the msg_id of the message it answers):
 *
 *   initiator → contractor  { type: "cfp", task }                  at the start, once to each contractor
 *   contractor → initiator  { type: "propose", bid: 42 }           reply to the cfp (bid: a price, lower is better)
 *                           { type: "refuse" }                     reply to the cfp
 *   initiator → contractor  { type: "accept-proposal" }            reply to the winning propose
 *                           { type: "reject-proposal" }            reply to every other propose
 *   contractor → initiator  { type: "inform-done", result: … }     reply to the accept-proposal
 *                           { type: "failure", reason: "…" }       reply to the accept-proposal
 *
 * `deadlineMs` counts from the moment `initiator` is called. A proposal is *on time* if it arrives
 * before then. The rules the grader checks:
 * 1. Send one cfp to each of `contractors`, and to nobody else, when the call starts.
 * 2. Decide at the deadline — or earlier, the moment every contractor has answered (propose or
 *    refuse); not before, and at most 1 ms after.
 * 3. The best proposal is the on-time one with the lowest bid; on a tie, the contractor that comes
 *    first in `contractors`. Send it accept-proposal, and one reject-proposal to every other
 *    on-time proposer, at the moment you decide (a loser may also be rejected earlier, as soon as
 *    a better bid is in). With no on-time proposal, return `{ status: "no-proposals" }` then.
 * 4. A proposal that arrives after the deadline is never accepted: answer it with one
 *    reject-proposal as soon as it arrives — also after `initiator` has returned. Refusers and
 *    silent contractors get nothing after the cfp.
 * 5. Wait for the winner's answer: return `{ status: "done", contractor, bid, result }` (result
 *    copied from inform-done) or `{ status: "failed", contractor, bid }` after a failure. No
 *    second award: after a failure the other bidders have been rejected already.
 *
 * The grader runs 3–6 contractors per call with deadlines of 100–300 ms: some propose (bids drawn
 * per run, ties on purpose), some refuse, some propose 20 ms or more after the deadline, some never
 * answer; one winner in five fails. No loss, unordered links, latency 5–15 ms, other nodes spawned
 * first, names drawn per run, 27 runs for each of 5 seeds; it keeps running 500 ms after the last
 * message. Wait with `node.sleep` / `node.setTimer` and read time with `node.now()`, never
 * `setTimeout` or `Date.now`.
 */
import type { Node } from "../../lib/node";
import { NotImplementedError } from "../not-implemented";

/** How a contract-net round ended. */
export type Outcome =
  | { status: "done"; contractor: string; bid: number; result: unknown }
  | { status: "failed"; contractor: string; bid: number }
  | { status: "no-proposals" };

/**
 * Run one round of the Contract Net as its initiator and say how it ended.
 *
 * @example
 * const manager = sim.spawn("manager");
 * const outcome = await sim.runUntilSettled(initiator(manager, ["c1", "c2", "c3"], { job: "paint" }, 200));
 * // { status: "done", contractor: "c2", bid: 17, result: … }
 */
export async function initiator(node: Node, contractors: readonly string[], task: unknown, deadlineMs: number): Promise<Outcome> {
  // Your code here (03.2)
  throw new NotImplementedError("03.2 contract-net", "exercises/03-interaction-patterns/contract-net.ts");
}
