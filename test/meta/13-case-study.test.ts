// Meta tests of the grader of notebook 13 (test/grading/meta.ts says what each checks): the
// reference passes, the stub is pending, and each buggy fixture is rejected for its stated reason.
import { describe, expect, it } from "vitest";
import { exercise, loadModule } from "../grading";
import { explain, measuring, metaTests, notImplemented, type Graded } from "../grading/meta";
import { EVIDENCE_MARK, failureDiagram, type CheckResult } from "../grading";
import { checkPost, checkPostEndToEnd, TRIALS, type PostApi, type PostStats } from "../grading/13-case-study/post";
import { answerAppendedOffset } from "../../lib/casestudy/post";
import * as solution from "../../solutions/13-case-study/post";

const measured = new WeakMap<object, Map<number, PostStats>>();
const checkPostMeasured = measuring<PostApi, PostStats>(
  measured,
  () => ({ trials: 0, posts: 0, fresh: 0, retries: 0, malformed: 0, unauthorized: 0, unavailable: 0, skewedClocks: 0, boundaryPosts: 0, lookups: 0 }),
  checkPost,
);

/** "— for <client>'s post id=… to room … (<label>; token …); it reached <fe> at t=…, when node.clock() read …". */
const POST = String.raw`— for [\w-]+'s post id=\S+ to room \S+ \(`;
const REACHED = String.raw`it reached [\w-]+ at t=[\d.]+m?s, when node\.clock\(\) read -?[\d.]+m?s`;
/** "… to answer post_ok room=… seq=N (the seq the history holds for id …" */
const POST_OK = String.raw`to answer post_ok room="[\w-]+" seq=(\d+) \(the seq the history holds for id `;

export const idempotentPost: Graded<PostApi> = {
  exercise: exercise("13.1"),
  check: checkPostMeasured,
  trials: TRIALS,
  stub: { handlePost: () => notImplemented(exercise("13.1")) },
  buggy: [
    // post_ok with the offset of this retry's append: a duplicate the history drops.
    ["post-answers-appended-offset", new RegExp(`${POST_OK}.*its first copy's, \\1, not the offset of this retry's append\\).*${POST}a retry of a post.*; got post_ok room="[\\w-]+" seq=(?!\\1\\b)\\d+ at t=[\\d.]+m?s — the offset the append returned$`)],
    // Answers before append_ok arrived (the append is not awaited).
    ["post-reply-before-ack", new RegExp(`${POST_OK}.*after the log acknowledged the append ${POST}.*; got post_ok .* at t=[\\d.]+m?s, before the log acknowledged the append \\(append sent at t=[\\d.]+m?s, append_ok partition=\\d+ offset=\\d+ arrived at t=[\\d.]+m?s\\)$`)],
    // Key = user: one room over several partitions.
    ["post-key-by-user", new RegExp(`to append the post keyed by its room "([\\w-]+)" \\(the log hashes the key to a partition, and only one partition has one order: one room = one key\\) ${POST}.*; got append key="(?!\\1")[\\w-]+" sent at t=[\\d.]+m?s$`)],
    // One lookup, then 11: too early (a post that would have shown, or before catchUpMs).
    ["post-no-catch-up-wait", new RegExp(`(${POST_OK}|to answer error 11 once catchUpMs = \\d+ ms had passed).*; got error 11 \\(.*\\) at t=[\\d.]+m?s, (only )?[\\d.]+m?s after the ack.*; 1 lookup before replying$`)],
    // verifyToken without the audience.
    ["post-skips-audience", new RegExp(`to answer error 14 and append nothing, because its token is refused: wrong_audience .*${POST}a token for another audience; .*; got post_ok .*, and it appended the post: append key="[\\w-]+" sent at t=[\\d.]+m?s$`)],
    // node.now() instead of node.clock(): wrong exactly when the clock is off.
    ["post-uses-true-time", new RegExp(`(to answer error 14 and append nothing, because its token is refused: expired .*${POST}a token that expired by the front-end's clock \\(its clock is ahead\\), not yet by the true time|${POST_OK}.*${POST}a token still valid by the front-end's clock).*${REACHED} \\(true time [+−] \\d+ ms: this front-end's clock is off\\).*; got (post_ok|error 14)`)],
    // 13 instead of 11 for a refused append.
    ["post-unavailable-as-crash", new RegExp(`to answer error 11 \\(the log refused the append; the client retries with the same id\\) ${POST}a post the log refuses.*; got error 13 \\(.*\\) at t=[\\d.]+m?s$`)],
    // The token is checked after the append: a refused post is in the log.
    ["post-verifies-after-append", new RegExp(`to answer error 14 and append nothing, because its token is refused: \\w+ .*${POST}.*; got error 14 \\(.*\\), and it appended the post: append key="[\\w-]+" sent at t=[\\d.]+m?s$`)],
    // A hard-coded 500 ms instead of ctx.catchUpMs.
    ["post-ignores-catch-up-ms", new RegExp(`to answer error 11 once catchUpMs = (\\d+) ms had passed without the history holding the post — not before t=[\\d.]+m?s \\(asking lookup again meanwhile\\), not after t=[\\d.]+m?s ${POST}a post the history never shows.*; got error 11 \\(.*\\) at t=[\\d.]+m?s, 5\\d\\d(\\.\\d+)?ms after the ack; \\d+ lookups before replying$`)],
    // lookup's rejection escapes: the handler throws.
    ["post-lookup-rejection-escapes", /^expected node "[\w-]+" handles every message and timer without throwing; got it threw an error \(during message post from [\w-]+, at t=[\d.]+ms\): the history store did not answer: no read quorum$/],
    // No parsePost: a malformed body crashes the handler or reaches the log.
    ["post-skips-validation", new RegExp(`(^expected node "[\\w-]+" handles every message and timer without throwing; got it threw an error .*TypeError|to answer error 12 and append nothing, because it is malformed \\(post: \\w+ must be .*\\) ${POST}a body whose .*, and it appended the post)`)],
  ],
  accepted: ["post-polls-every-20ms", "post-eleven-on-lookup-failure"],
};

metaTests(idempotentPost);

describe("grader 13.1 idempotent-post: what its trials contain", () => {
  it("the reference meets fresh posts, retries, refusals, a refusing log, a stuck history and skewed clocks in every seed", async () => {
    const impl = await loadModule<PostApi>("solutions/13-case-study/post");
    for (const seed of idempotentPost.exercise.seeds) {
      if (!measured.get(impl)?.has(seed)) expect((await checkPostMeasured(impl, seed)).status).toBe("pass");
    }
    const all = Array.from(measured.get(impl)!.values());
    const sum = (key: keyof PostStats): number => all.reduce((n, s) => n + s[key], 0);
    const stats = Object.fromEntries((Object.keys(all[0]) as Array<keyof PostStats>).map((k) => [k, sum(k)])) as unknown as PostStats;
    console.log(`13.1 reference: ${JSON.stringify(stats)}`);
    expect(stats.trials).toBe(idempotentPost.exercise.seeds.length * TRIALS);
    expect(stats.trials).toBeGreaterThanOrEqual(135);
    expect(stats.posts).toBeGreaterThanOrEqual(stats.trials * 21);
    expect(stats.fresh).toBeGreaterThanOrEqual(stats.trials * 7);
    expect(stats.retries).toBe(stats.trials * 2);
    expect(stats.unauthorized).toBeGreaterThanOrEqual(stats.trials * 9);
    expect(stats.malformed).toBe(stats.trials * 2);
    expect(stats.unavailable).toBe(stats.trials * 2);
    expect(stats.skewedClocks).toBeGreaterThan(stats.trials / 3);
    expect(stats.boundaryPosts).toBe(stats.skewedClocks);
    expect(stats.lookups).toBeGreaterThan(stats.trials * 20);
  });
});

describe("grader 13.1 idempotent-post: layer (b), the whole cluster", () => {
  it("rejects lib's answerAppendedOffset (the dedup-only design) for the acked-seq ≠ stored-seq problem, with seed and trace", async () => {
    const results: CheckResult[] = [];
    for (const seed of idempotentPost.exercise.seeds) {
      results.push(await checkPostEndToEnd({ handlePost: answerAppendedOffset }, seed));
      if (results[results.length - 1].status === "fail") break;
    }
    const first = results.find((r) => r.status === "fail");
    expect(first, results.map(explain).join("\n")).toBeDefined();
    expect(first!.scenario).toMatch(/^end to end: requirement R\d \(.*\) with your handlePost in every front-end of the chat cluster — runScenario\("R\d", \{ seed: \d+ \}\)/);
    expect(`expected ${first!.expected}; got ${first!.got}`).toMatch(/^expected the chat cluster with your handlePost to meet R\d: .*; got .*was acked with seq \d+ but is stored at seq \d+/);
    expect(first!.events?.length ?? 0).toBeGreaterThan(100);
    // The diagram shows the posts of the message id the problem names, and the replies to them.
    expect(first!.evidence?.length ?? 0).toBeGreaterThanOrEqual(2);
    const diagram = failureDiagram(first!, `13.1 idempotent-post, seed ${first!.seed}`);
    expect(diagram).toContain(`${EVIDENCE_MARK} post_ok`);
  });

  it("reports a handler that throws in the cluster as a problem naming the seed", async () => {
    const throwing: PostApi = {
      handlePost: async (ctx, body) => {
        if ((body as { id?: string }).id?.endsWith(":3")) throw new TypeError("cannot read properties of undefined (reading 'seq')");
        return solution.handlePost(ctx, body);
      },
    };
    const r = await checkPostEndToEnd(throwing, 1);
    expect(r.status, explain(r)).toBe("fail");
    expect(r.got).toMatch(/^seed 1: post handler threw on f\d at t=[\d.]+ms: cannot read properties of undefined/);
  });
});
