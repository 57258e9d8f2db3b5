/**
 * Grader of exercise 13.1 (a post that is idempotent end to end), in two layers:
 * (a) post-context.ts — the handler against a PostContext the grader controls (135 trials of ~22
 *     posts: every answer, append and timing checked against the oracle);
 * (b) end-to-end.ts — only once (a) passes: the handler in every front-end of the whole chat
 *     cluster, in lib/casestudy's acceptance scenarios R2, R3 and R7.
 */
import type { CheckResult } from "../index";
import { checkPostEndToEnd } from "./end-to-end";
import { checkPostAgainstContext, type PostApi, type PostStats } from "./post-context";

export type { PostApi, PostStats };
export { TRIALS } from "./post-context";
export { END_TO_END_REQUIREMENTS, checkPostEndToEnd } from "./end-to-end";
export { checkPostAgainstContext } from "./post-context";

/**
 * Grade exercise 13.1 with one seed: layer (a), then layer (b).
 *
 * @example
 * const result = await checkPost(await loadModule("solutions/13-case-study/post"), 7);
 */
export async function checkPost(impl: PostApi, seed: number, stats?: PostStats): Promise<CheckResult> {
  const unit = await checkPostAgainstContext(impl, seed, stats);
  if (unit.status !== "pass") return unit;
  const endToEnd = await checkPostEndToEnd(impl, seed);
  return { ...endToEnd, traceHashes: [...unit.traceHashes, ...endToEnd.traceHashes] };
}
