/**
 * Grader of exercise 13.1, layer (b): the student's `handlePost` in every front-end of the whole
 * chat cluster, in lib/casestudy's acceptance scenarios (`runScenario`, the same ones the notebook
 * runs): R2 and R3 (crashes, loss, client retries through other front-ends: every acked post in the
 * room's history exactly once, at the seq its client was told, in one order) and R7 (forged,
 * expired and foreign tokens never reach a history). One run per requirement and grader seed; a
 * failure gives the scenario's problems (they name node, virtual time and message), the seed, and
 * the run's trace for the diagram and the viewer. Latency and message budgets are not graded here
 * (see `graded`): a correct handler may be slower than lib's.
 */
import { REQUIREMENTS, runScenario, type RequirementId, type ScenarioResult } from "../../../lib/casestudy/acceptance";
import type { TraceEvent } from "../../../lib/trace";
import { guardImplementation, isNotImplemented, type CheckResult } from "../check";
import { sentMessages } from "../messages";
import { installDeterminismTraps } from "../traps";
import type { PostApi } from "./post-context";

/** The requirements layer (b) runs, in this order. */
export const END_TO_END_REQUIREMENTS: readonly RequirementId[] = ["R2", "R3", "R7"];

/** At most this many problems are quoted (the first ones; a scenario may list dozens). */
const PROBLEMS_SHOWN = 3;

/**
 * Run R2, R3 and R7 with the student's handler in every front-end, with one grader seed.
 *
 * @example
 * const result = await checkPostEndToEnd(await loadModule("solutions/13-case-study/post"), 7);
 */
export async function checkPostEndToEnd(impl: PostApi, seed: number): Promise<CheckResult> {
  const traceHashes: string[] = [];
  for (const id of END_TO_END_REQUIREMENTS) {
    const requirement = REQUIREMENTS.find((r) => r.id === id);
    // Without the full trace first (cheaper); a failing run is replayed with it for the diagram.
    let run = await runGuarded(impl, id, seed, false);
    if (graded(run.result).length === 0 && run.violation === undefined && run.pendingError === undefined) continue;
    run = await runGuarded(impl, id, seed, true);
    const { result, violation, pendingError } = run;
    const found = graded(result);
    const sim = result.sim;
    const events = sim.trace.events;
    traceHashes.push(sim.trace.hash());
    const scenario =
      `end to end: requirement ${id}${requirement ? ` (${requirement.title}; nemesis: ${requirement.nemesis})` : ""} with your handlePost in every ` +
      `front-end of the chat cluster — runScenario("${id}", { seed: ${seed} }) of lib/casestudy/acceptance.ts`;
    const base = { status: "fail" as const, seed, scenario, events, nodeOrder: sim.trace.nodeOrder, traceHashes };
    if (violation !== undefined) {
      return { ...base, expected: "code that takes its randomness and time only from the simulation (ctx.node.clock(), ctx.node.sleep)", got: violation.message, atMs: violation.timeMs };
    }
    const stub = pendingError ?? found.find((p) => isNotImplemented(p));
    if (stub !== undefined) return { status: "pending", seed, scenario, pendingMessage: notImplementedMessage(stub), traceHashes };
    if (found.length > 0) {
      // The handler's own errors first: a liveness timeout is only their consequence.
      const problems = [...found.filter((p) => / threw /.test(p)), ...found.filter((p) => !/ threw /.test(p))];
      const shown = problems.slice(0, PROBLEMS_SHOWN).join("; ");
      const more = problems.length > PROBLEMS_SHOWN ? ` (and ${problems.length - PROBLEMS_SHOWN} more problems)` : "";
      const criteria = requirement ? requirement.criteria.filter((c) => !/^(latency|≤ \d+ messages)/.test(c)).join("; ") : `requirement ${id}`;
      const where = findingPoint(problems[0] ?? "", events);
      const faults = result.faults.length > 0 ? ` [faults: ${result.faults.slice(0, 3).join("; ")}${result.faults.length > 3 ? "; …" : ""}]` : "";
      return {
        ...base,
        expected: `the chat cluster with your handlePost to meet ${id}: ${criteria}`,
        got: `${shown || "the scenario failed without naming a problem"}${more}${faults}`,
        atMs: where.timeMs ?? (events.length > 0 ? events[events.length - 1].timeMs : 0),
        node: where.node,
        evidence: where.evidence,
      };
    }
  }
  return { status: "pass", seed, traceHashes };
}

/**
 * The problems this layer grades: all but the latency and message-count budgets. Those were set at
 * about 1.5 × what lib's own handler measured (polling every 5 ms); a correct handler that polls
 * every 20 ms, or answers 11 when a lookup fails, is slower and still right. Correctness (every
 * acked post once, at its seq, in order), liveness (all posts acked, none left "unknown") and
 * security stay graded.
 */
function graded(result: ScenarioResult): string[] {
  return result.problems.filter((p) => !/ budget: (latency|messages)/.test(p));
}

/** Evidence shown and marked in the diagram, at most this many messages. */
const EVIDENCE_MAX = 8;

/**
 * Where a problem sentence points in the run: its time (`t=…ms`, or when the client was acked),
 * and the messages about the message ids it names (`c3:6`): the posts carrying the id and the
 * replies to them, so the failure diagram shows them (★).
 */
function findingPoint(problem: string, events: ReadonlyArray<TraceEvent>): { timeMs?: number; node?: string; evidence?: number[] } {
  const acked = /was acked at t=([\d.]+)ms/.exec(problem);
  const at = acked ?? /t=([\d.]+)ms/.exec(problem);
  const timeMs = at ? Number(at[1]) : undefined;
  const ids = new Set(Array.from(problem.matchAll(/\b([a-z][\w-]*:\d+)\b/g), (m) => m[1]));
  if (ids.size === 0) return { timeMs };
  const sent = sentMessages(events);
  const posts = sent.filter((m) => typeof m.body.id === "string" && ids.has(m.body.id));
  const keys = new Set(posts.map((m) => `${m.send.src}>${m.send.dest}#${m.send.msgId}`));
  const replies = sent.filter((m) => m.send.inReplyTo !== undefined && keys.has(`${m.send.dest}>${m.send.src}#${m.send.inReplyTo}`));
  const chosen = [...posts, ...replies].sort((a, b) => a.index - b.index);
  // Keep the last ones up to the finding's time (the retries that matter), at most EVIDENCE_MAX.
  const before = timeMs === undefined ? chosen : chosen.filter((m) => m.send.timeMs <= timeMs);
  const evidence = (before.length > 0 ? before : chosen).slice(-EVIDENCE_MAX).map((m) => m.send.id);
  const last = sent.find((m) => m.send.id === evidence[evidence.length - 1]);
  return { timeMs, node: last?.send.src, evidence };
}

/** One scenario run with the determinism traps set and the stub's error noted. */
async function runGuarded(impl: PostApi, id: RequirementId, seed: number, tracing: boolean): Promise<{ result: ScenarioResult; violation?: { message: string; timeMs?: number }; pendingError?: unknown }> {
  let pendingError: unknown;
  const guarded = guardImplementation(impl, (error) => (pendingError ??= error));
  let result: ScenarioResult | undefined;
  const traps = installDeterminismTraps({ exercise: "13.1 idempotent-post", seed, now: () => result?.sim.now() ?? 0 });
  try {
    result = await runScenario(id, { seed, handlePost: guarded.handlePost, tracing });
  } finally {
    traps.restore();
  }
  return { result, violation: traps.violation, pendingError };
}

function notImplementedMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const match = /Exercise \S+ \([^)]*\) is not implemented yet: open \S+/.exec(text);
  return match ? match[0] : text;
}
