/**
 * Check of exercise 03.2 contract net (the initiator of FIPA's Contract Net Interaction Protocol).
 * The student writes the initiator; the grader plays 3–6 contractors, with bystanders spawned
 * first, names, bids, deadline and behaviours drawn per trial, and {@link TRIALS} trials per seed.
 *
 * Each contractor is one of: a proposer (answers the cfp with a bid, arriving ≥ 15 ms before the
 * deadline), a refuser, a late proposer (its bid arrives ≥ 20 ms after the deadline) or a silent
 * one. Bids come from 3–4 values per trial, so ties are frequent. The winner answers the accept
 * with inform-done (a result drawn per trial) or, one time in five, with failure. A quarter of
 * the trials have only proposers and refusers (everyone answers: the initiator must not wait for
 * the deadline); 7% have no proposal at all, 8% only late ones. No loss, unordered links, latency 5–15 ms.
 * The call starts 0–20 ms into the run (the deadline counts from the call); the run goes on
 * {@link PAST_SETTLE_MS} ms after the call returned. The rules (see the stub's comment) are checked
 * on the trace, and the returned Outcome is tied to the winner's answer that arrived before it.
 */
import { latency } from "../../../lib/net";
import type { Node } from "../../../lib/node";
import { formatMs } from "../../../lib/sim";
import type { Simulation } from "../../../lib/simulation";
import type { TraceEvent } from "../../../lib/trace";
import { fail, graderRole, runScenarios, settle, spawnBystanders, throwEarliest, trialsPerSeed, type CheckResult, type Scenario, type Settled, type Trial } from "../check";
import { exercise } from "../exercises";
import { describeMessage, sentMessages, shortValue, type SentMessage } from "../messages";

/** What exercises/03-interaction-patterns/contract-net.ts exports. */
export interface ContractNetApi {
  initiator(node: Node, contractors: readonly string[], task: unknown, deadlineMs: number): Promise<unknown>;
}

// tsc checks that the stub and the reference both have this API.
type Implements<T extends ContractNetApi> = T;
export type StubImplementsContractNet = Implements<typeof import("../../../exercises/03-interaction-patterns/contract-net")>;
export type SolutionImplementsContractNet = Implements<typeof import("../../../solutions/03-interaction-patterns/contract-net")>;

/** Trials per seed: with the registry's seeds, ≥ 135 in all (see check.ts). */
export const TRIALS = trialsPerSeed(exercise("03.2").seeds.length);

/** How long the run goes on after the call returned. */
export const PAST_SETTLE_MS = 500;

/** How soon after the moment to decide (or a late proposal's arrival) the initiator must send. */
export const DECIDE_WITHIN_MS = 1;

/** Virtual times are kept in microseconds: two times closer than this are the same moment. */
const SAME_MS = 0.0005;

/** Node names; each trial shuffles them. */
const NAMES = ["initiator", "manager", "contractor", "c1", "c2", "c3", "c4", "c5", "c6", "n1", "n2", "n3"];

const TASKS = ["paint the fence", "deliver 3 boxes", "translate ✓", "ünïcödé job"];

type Kind = "propose" | "refuse" | "late" | "silent";

interface ContractorPlan {
  id: string;
  kind: Kind;
  /** Think time before answering the cfp. */
  thinkMs: number;
  bid: number;
  /** Answers an accept with failure instead of inform-done. */
  fails: boolean;
  workMs: number;
  result: unknown;
}

interface Params {
  initiator: string;
  bystanders: string[];
  contractors: ContractorPlan[];
  task: unknown;
  deadlineMs: number;
  startMs: number;
}

const ms = (trial: Trial, min: number, max: number): number => Math.round(trial.rng.uniform(min, max) * 1000) / 1000;

function params(trial: Trial): Params {
  const rng = trial.rng;
  const names = rng.shuffle(NAMES);
  const bystanderCount = rng.int(1, 3);
  const count = rng.int(3, 7);
  const deadlineMs = rng.int(100, 301);
  const bids = Array.from({ length: rng.int(3, 5) }, () => (rng.chance(0.2) ? rng.int(100, 1000) : rng.int(5, 100)));
  const mix = rng.uniform(0, 1);
  const kinds: Kind[] =
    mix < 0.25 ? ["propose", "propose", "refuse"] : mix < 0.32 ? ["refuse", "silent"] : mix < 0.4 ? ["refuse", "late", "silent"] : ["propose", "propose", "propose", "refuse", "late", "silent"];
  const contractors = names.slice(bystanderCount + 1, bystanderCount + 1 + count).map((id): ContractorPlan => {
    const kind = rng.pick(kinds);
    return {
      id,
      kind,
      // On time: the answer arrives by 15 + think + 15 ≤ deadline − 15. Late: at ≥ 5 + deadline + 10 + 5.
      thinkMs: kind === "late" ? deadlineMs + ms(trial, 10, 60) : ms(trial, 0, deadlineMs - 45),
      bid: rng.pick(bids),
      fails: rng.chance(0.2),
      workMs: ms(trial, 5, 30),
      result: rng.chance(0.5) ? `${rng.pick(["done", "ok", "finished ✓"])} #${rng.int(1, 1000)}` : { items: rng.int(1, 50), id },
    };
  });
  const task = { job: rng.pick(TASKS), size: rng.int(1, 100) };
  return { initiator: names[bystanderCount], bystanders: names.slice(0, bystanderCount), contractors, task, deadlineMs, startMs: ms(trial, 0, 20) };
}

/** The grader's contractor: answers as its plan says, with msg_ids the student cannot predict. */
function graderContractor(plan: ContractorPlan): (node: Node) => void {
  return (node) => {
    let msgId = node.rng.int(100, 5000);
    const reply = (m: Parameters<Node["reply"]>[0], body: Record<string, unknown>): void => {
      msgId += node.rng.int(1, 40);
      node.reply(m, { ...body, type: body.type as string, msg_id: msgId });
    };
    node.on("cfp", async (m) => {
      if (plan.kind === "silent") return;
      await node.sleep(plan.thinkMs);
      reply(m, plan.kind === "refuse" ? { type: "refuse" } : { type: "propose", bid: plan.bid });
    });
    node.on("accept-proposal", async (m) => {
      await node.sleep(plan.workMs);
      reply(m, plan.fails ? { type: "failure", reason: "machine broke down" } : { type: "inform-done", result: plan.result });
    });
    node.on("reject-proposal", () => {});
  };
}

function say(m: SentMessage): string {
  return describeMessage(m, m.send.type === "propose" ? ["bid"] : m.send.type === "inform-done" ? ["result"] : []);
}

const arrivalMs = (m: SentMessage): number => m.delivered[0]?.event.timeMs ?? Infinity;
const arrivalIndex = (m: SentMessage): number => m.delivered[0]?.index ?? Infinity;

/** What the check needs of the call. */
export interface InitiatorCall {
  initiator: string;
  contractors: readonly string[];
  task: unknown;
  deadlineMs: number;
  startMs: number;
  outcome: Settled<unknown>;
}

/**
 * The initiator's rules, checked on a trace (see the stub's comment); the earliest broken rule is reported.
 *
 * @example
 * checkInitiator(sim.trace.events, { initiator: "m", contractors: ["c1", "c2"], task, deadlineMs: 200, startMs: 3, outcome });
 */
export function checkInitiator(events: readonly TraceEvent[], call: InitiatorCall): void {
  const { initiator, contractors, deadlineMs, startMs, outcome } = call;
  const deadlineAt = startMs + deadlineMs;
  const sent = sentMessages(events);
  const fromInitiator = sent.filter((m) => m.send.src === initiator);
  const answers = sent.filter((m) => contractors.includes(m.send.src) && m.send.dest === initiator && (m.send.type === "propose" || m.send.type === "refuse"));
  const proposals = answers.filter((m) => m.send.type === "propose");
  const onTime = proposals.filter((m) => arrivalMs(m) < deadlineAt);
  const late = proposals.filter((m) => arrivalMs(m) >= deadlineAt);
  const everyoneAnswered = contractors.every((c) => answers.some((m) => m.send.src === c && arrivalMs(m) < deadlineAt));
  const decideMs = everyoneAnswered ? Math.max(...answers.map(arrivalMs)) : deadlineAt;
  const decideWhy = everyoneAnswered
    ? `the moment the last of the ${contractors.length} contractors had answered (t=${formatMs(decideMs)}), before the deadline t=${formatMs(deadlineAt)}`
    : `the deadline t=${formatMs(deadlineAt)} (the call started at t=${formatMs(startMs)}, deadlineMs=${deadlineMs}), as ${contractors.filter((c) => !answers.some((m) => m.send.src === c && arrivalMs(m) < deadlineAt)).join(", ")} had not answered by then`;
  const rank = (m: SentMessage): number => contractors.indexOf(m.send.src);
  const bid = (m: SentMessage): number => m.body.bid as number;
  const best = onTime.reduce<SentMessage | undefined>((a, b) => (a === undefined || bid(b) < bid(a) || (bid(b) === bid(a) && rank(b) < rank(a)) ? b : a), undefined);
  const accepts = fromInitiator.filter((m) => m.send.type === "accept-proposal");
  const words = `initiator(${initiator}, [${contractors.join(", ")}], task, ${deadlineMs})`;
  const bidWords = onTime.map((m) => `${m.send.src} bid=${bid(m)}`).join(", ");

  throwEarliest(
    () => checkCfps(),
    fromInitiator.map((m) => () => checkAnswer(m)),
    () => checkAccept(),
    [...onTime, ...late].map((p) => () => checkRejected(p)),
    () => checkOutcome(),
  );

  function checkCfps(): void {
    for (const c of contractors) {
      const cfps = fromInitiator.filter((m) => m.send.type === "cfp" && m.send.dest === c);
      if (cfps.length === 0) fail(`${words} to send a cfp to ${c} when the call starts (t=${formatMs(startMs)})`, "it sent none", { timeMs: startMs, node: initiator });
      const [first, second] = cfps;
      const at = { timeMs: first.send.timeMs, node: initiator, evidence: [first.send.id] };
      if (Math.abs(first.send.timeMs - startMs) > SAME_MS) fail(`the cfp to ${c} when the call starts (t=${formatMs(startMs)})`, say(first), at);
      if (JSON.stringify(first.body.task) !== JSON.stringify(call.task)) fail(`the cfp to ${c} to carry task=${shortValue(call.task)}`, `${say(first)} with task=${shortValue(first.body.task)}`, at);
      if (second) fail(`exactly one cfp to ${c}`, `a second one: ${say(second)}`, { ...at, timeMs: second.send.timeMs, evidence: [first.send.id, second.send.id] });
    }
  }

  /** Every message but a cfp is an accept or a reject that replies to a proposal of its dest. */
  function checkAnswer(m: SentMessage): void {
    if (m.send.type === "cfp") return;
    const at = { timeMs: m.send.timeMs, node: initiator, evidence: [m.send.id] };
    if (m.send.type !== "accept-proposal" && m.send.type !== "reject-proposal") {
      fail(`${initiator} to send only cfp, accept-proposal and reject-proposal`, say(m), at);
    }
    const proposal = proposals.find((p) => p.send.src === m.send.dest && p.send.msgId === m.send.inReplyTo && arrivalIndex(p) < m.index);
    if (proposal === undefined) {
      const own = proposals.find((p) => p.send.src === m.send.dest);
      fail(
        `every ${m.send.type} to be a reply to a propose that ${m.send.dest} sent (node.reply(proposal, …): in_reply_to = the propose's msg_id)`,
        own ? `${say(m)}; ${m.send.dest}'s proposal: ${say(own)}` : `${say(m)}, but ${m.send.dest} never proposed (${answers.find((a) => a.send.src === m.send.dest) ? "it refused" : "it never answered"})`,
        { ...at, evidence: own ? [own.send.id, m.send.id] : [m.send.id] },
      );
    }
  }

  function checkAccept(): void {
    const [accept, second] = accepts;
    if (accept !== undefined) {
      const target = proposals.find((p) => p.send.src === accept.send.dest)!;
      const at = { timeMs: accept.send.timeMs, node: initiator, evidence: [...onTime.map((p) => p.send.id), accept.send.id] };
      if (accept.send.timeMs < decideMs - SAME_MS) {
        const waiting = contractors.filter((c) => !answers.some((m) => m.send.src === c && arrivalIndex(m) < accept.index));
        fail(
          `${initiator} to decide at ${decideWhy}`,
          `it accepted at t=${formatMs(accept.send.timeMs)}, while ${waiting.join(", ")} had not answered yet: ${say(accept)}`,
          at,
        );
      }
      if (target !== undefined && late.includes(target)) {
        fail(
          `no accept-proposal for a proposal that arrived after the deadline t=${formatMs(deadlineAt)} (the call started at t=${formatMs(startMs)}, deadlineMs=${deadlineMs})`,
          `${say(accept)}, for ${say(target)}`,
          { ...at, evidence: [target.send.id, accept.send.id] },
        );
      }
      if (best !== undefined && accept.send.dest !== best.send.src) {
        fail(
          `accept-proposal to ${best.send.src}, the lowest on-time bid (${bidWords}; a tie goes to the contractor listed first in contractors)`,
          say(accept),
          at,
        );
      }
      if (accept.send.timeMs > decideMs + DECIDE_WITHIN_MS + SAME_MS) {
        fail(`${initiator} to decide at ${decideWhy}, within ${DECIDE_WITHIN_MS} ms`, `it accepted only at t=${formatMs(accept.send.timeMs)}: ${say(accept)}`, at);
      }
      if (second) fail(`exactly one accept-proposal (no second award)`, `a second one: ${say(second)}; the first: ${say(accept)}`, { ...at, timeMs: second.send.timeMs, evidence: [accept.send.id, second.send.id] });
    } else if (best !== undefined) {
      fail(
        `accept-proposal to ${best.send.src}, the lowest on-time bid (${bidWords}), at ${decideWhy}`,
        `${initiator} accepted no proposal`,
        { timeMs: decideMs + DECIDE_WITHIN_MS, node: initiator, evidence: onTime.map((p) => p.send.id) },
      );
    }
  }

  function checkRejected(p: SentMessage): void {
    if (p === best) return;
    const isLate = late.includes(p);
    const fromMs = isLate ? arrivalMs(p) : arrivalMs(p);
    const byMs = (isLate ? arrivalMs(p) : Math.max(decideMs, arrivalMs(p))) + DECIDE_WITHIN_MS;
    const rejects = fromInitiator.filter((m) => m.send.type === "reject-proposal" && m.send.dest === p.send.src);
    const why = isLate
      ? `arrived after the deadline t=${formatMs(deadlineAt)}, so it gets its reject-proposal on arrival, also after ${initiator} returned`
      : best
        ? `lost to ${best.send.src}'s bid=${bid(best)}`
        : "";
    const expected = `one reject-proposal to ${p.send.src} (${why}) between t=${formatMs(fromMs)} and t=${formatMs(byMs)}`;
    const [first, second] = rejects;
    if (first === undefined) fail(expected, `${initiator} sent ${p.send.src} none; its proposal: ${say(p)}`, { timeMs: byMs, node: initiator, evidence: [p.send.id] });
    const at = { timeMs: first.send.timeMs, node: initiator, evidence: [p.send.id, first.send.id] };
    if (first.send.timeMs > byMs + SAME_MS) fail(expected, `it came only at t=${formatMs(first.send.timeMs)}: ${say(first)}`, at);
    if (second) fail(expected, `a second one: ${say(second)}`, { ...at, timeMs: second.send.timeMs, evidence: [p.send.id, first.send.id, second.send.id] });
  }

  function checkOutcome(): void {
    const answer = best && sent.find((m) => m.send.src === best.send.src && m.send.dest === initiator && (m.send.type === "inform-done" || m.send.type === "failure"));
    const expectedOutcome =
      best === undefined
        ? { status: "no-proposals" }
        : answer === undefined
          ? undefined
          : answer.send.type === "inform-done"
            ? { status: "done", contractor: best.send.src, bid: bid(best), result: answer.body.result }
            : { status: "failed", contractor: best.send.src, bid: bid(best) };
    if (expectedOutcome === undefined) return; // no accept went to the winner: checkAccept says so
    const returnBy = best === undefined ? decideMs + DECIDE_WITHIN_MS : arrivalMs(answer!) + DECIDE_WITHIN_MS;
    const expected =
      best === undefined
        ? `${words} to return { status: "no-proposals" } at ${decideWhy} (no on-time proposal)`
        : `${words} to return ${shortValue(expectedOutcome, 120)} once ${best.send.src}'s ${answer!.send.type} arrived (t=${formatMs(arrivalMs(answer!))})`;
    const evidence = answer ? [best!.send.id, answer.send.id] : [];
    if (outcome.status === "pending") {
      const stop = outcome.stoppedBy instanceof Error ? `: ${outcome.stoppedBy.message}` : "";
      fail(expected, `its promise never settled${stop}`, { timeMs: returnBy, node: initiator, evidence });
    }
    const at = { timeMs: outcome.atMs, node: initiator, evidence };
    if (outcome.status === "rejected") {
      const e = outcome.reason;
      fail(expected, `it threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, at);
    }
    const value = outcome.value as Record<string, unknown> | undefined;
    const same =
      value !== null &&
      typeof value === "object" &&
      Object.keys(value).length === Object.keys(expectedOutcome).length &&
      Object.entries(expectedOutcome).every(([k, v]) => JSON.stringify(value[k]) === JSON.stringify(v));
    if (!same) fail(expected, `it returned ${shortValue(value, 160)} at t=${formatMs(outcome.atMs)}`, at);
    if (answer !== undefined && arrivalIndex(answer) >= outcome.eventIndex) {
      fail(expected, `it returned at t=${formatMs(outcome.atMs)}, before ${best!.send.src}'s answer arrived: ${say(answer)}`, at);
    }
    if (outcome.atMs > returnBy + SAME_MS) fail(expected, `it returned only at t=${formatMs(outcome.atMs)}`, at);
  }
}

async function run(sim: Simulation, impl: ContractNetApi, w: Params): Promise<void> {
  spawnBystanders(sim, w.bystanders);
  const node = sim.spawn(w.initiator, () => {}, { role: "initiator" });
  for (const c of w.contractors) sim.spawn(c.id, graderContractor(c), { role: graderRole("contractor") });
  await sim.runFor(w.startMs);
  const startMs = sim.now();
  const ids = w.contractors.map((c) => c.id);
  let promise: Promise<unknown>;
  try {
    promise = Promise.resolve(impl.initiator(node, ids, w.task, w.deadlineMs));
  } catch (error) {
    promise = Promise.reject(error);
  }
  const outcome = await settle(sim, promise, { withinMs: w.deadlineMs + 2000 });
  const call: InitiatorCall = { initiator: w.initiator, contractors: ids, task: w.task, deadlineMs: w.deadlineMs, startMs, outcome };
  try {
    await sim.runFor(PAST_SETTLE_MS); // run past settle: only rejects of late proposals may follow
  } catch (error) {
    checkInitiator(sim.trace.events, call);
    throw error;
  }
  checkInitiator(sim.trace.events, call);
}

function plan(c: ContractorPlan): string {
  return c.kind === "propose" || c.kind === "late" ? `${c.id} ${c.kind === "late" ? "late bid" : "bid"} ${c.bid}` : `${c.id} ${c.kind === "refuse" ? "refuses" : "silent"}`;
}

/**
 * Grade a contract-net initiator with one seed: {@link TRIALS} trials.
 *
 * @example
 * await checkContractNet(await import("../../../solutions/03-interaction-patterns/contract-net"), 7); // { status: "pass", … }
 */
export function checkContractNet(impl: ContractNetApi, seed: number): Promise<CheckResult> {
  const scenario: Scenario<ContractNetApi, Params> = {
    name: (w) =>
      `your initiator "${w.initiator}" with the grader's contractors (${w.contractors.map(plan).join(", ")}), deadlineMs=${w.deadlineMs}, ` +
      `bystanders ${w.bystanders.join(", ")} spawned first; no loss, unordered links, latency 5–15 ms`,
    trials: TRIALS,
    params,
    simulation: { network: { latency: latency.uniform(5, 15), ordering: "unordered" } },
    lanes: (w) => [w.initiator, ...w.contractors.map((c) => c.id)],
    run,
  };
  return runScenarios(impl, seed, [scenario], { functions: ["initiator"], exercise: "03.2 contract-net" });
}
