/**
 * Reference solution of exercise 03.2 — contract net (see exercises/03-interaction-patterns/contract-net.ts).
 *
 * The initiator side of the FIPA Contract Net Interaction Protocol (FIPA SC00029H; R. G. Smith,
 * "The Contract Net Protocol", IEEE Trans. Computers C-29(12), 1980): one cfp to each contractor,
 * then collect answers until the deadline timer fires or everyone has answered, whichever comes
 * first. The lowest on-time bid wins (ties: the contractor listed first); every other bidder gets
 * reject-proposal, and so does a late one when it arrives. Then wait for inform-done or failure.
 */
import type { Message, Node } from "../../lib/node";

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
  const proposals: Message[] = [];
  const answered = new Set<string>();
  let decided = false;
  let decide = (): void => {};
  let answer = (_reply: Message): void => {};

  node.on("propose", (m) => {
    if (!contractors.includes(m.src)) return;
    if (decided) return void node.reply(m, { type: "reject-proposal" }); // late: never accepted
    proposals.push(m);
    answered.add(m.src);
    if (answered.size === contractors.length) decide();
  });
  node.on("refuse", (m) => {
    if (decided || !contractors.includes(m.src)) return;
    answered.add(m.src);
    if (answered.size === contractors.length) decide();
  });
  node.on("inform-done", (m) => answer(m));
  node.on("failure", (m) => answer(m));

  for (const contractor of contractors) node.send(contractor, { type: "cfp", task });
  await new Promise<void>((resolve) => {
    const timer = node.setTimer(deadlineMs, () => resolve(), "deadline");
    decide = () => {
      node.cancelTimer(timer);
      resolve();
    };
  });
  decided = true;

  if (proposals.length === 0) return { status: "no-proposals" };
  const rank = (m: Message): number => contractors.indexOf(m.src);
  const best = proposals.reduce((a, b) => (b.body.bid < a.body.bid || (b.body.bid === a.body.bid && rank(b) < rank(a)) ? b : a));
  const reply = new Promise<Message>((resolve) => {
    answer = (m) => {
      if (m.src === best.src) resolve(m);
    };
  });
  node.reply(best, { type: "accept-proposal" });
  for (const other of proposals) if (other !== best) node.reply(other, { type: "reject-proposal" });

  const result = await reply;
  const bid: number = best.body.bid;
  if (result.body.type === "inform-done") return { status: "done", contractor: best.src, bid, result: result.body.result };
  return { status: "failed", contractor: best.src, bid };
}
