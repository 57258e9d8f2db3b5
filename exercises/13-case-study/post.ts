/**
 * Exercise 13.1 — a post that is idempotent end to end (20 points). Graded by `npm test`
 * (test/13-case-study.test.ts), or alone with `npm run grade -- 13.1`.
 *
 * The chat service's front-ends are stateless: the gateway sends each request to any live
 * front-end, and a client that got no answer retries THE SAME POST (same message `id`) — possibly
 * through another front-end. The log's idempotent producer only deduplicates the retries of one
 * producer, so the rooms log may hold a message twice; the room's history (the materializer)
 * keeps the FIRST copy and drops the others. A post is idempotent end to end only if every
 * attempt of it is answered with the same `seq`: the one the history holds.
 *
 * Write `handlePost(ctx, body)`, the front-end's post path. The front-end calls it for every
 * `post` request and sends back what it returns. Request body:
 * `{ type: "post", token: string, room: string, id: string, text: string }`. Return one of
 * - `{ type: "post_ok", room, seq }` — the message is in the log and `seq` is the seq the room's
 *   history holds for `id`;
 * - `{ type: "error", code, text }` with `text` saying why and `code` from `CHAT_ERRORS`
 *   (lib/casestudy/wire.ts):
 *   12 (malformed) — the body is not a well-formed post: use `parsePost(body)`, which checks every
 *      field (token, room, id non-empty strings; text a string of at most 1000 characters);
 *   14 (unauthorized) — the token is missing, forged, unsigned (`alg: "none"`), expired, not yet
 *      valid, or meant for another audience;
 *   11 (unavailable) — the log refused the append, or the history did not hold the message within
 *      `ctx.catchUpMs`. The client retries with the same id, so this answer is always safe.
 *   Check in that order: 12, then 14, then the log. A refused post (12 or 14) is never appended.
 *
 * Step by step (`ctx` is a {@link PostContext}):
 * 1. `parsePost(body)`; on `"code" in parsed` answer that error.
 * 2. `verifyToken(token, { keys: ctx.keys, now: ctx.node.clock(), audience: ctx.audience })`
 *    (lib/security). `now` is the front-end's OWN clock, `node.clock()`: the grader sets it off
 *    by up to 3 s, and the front-end cannot know the true time (`node.now()`) — a token valid by
 *    the true time but expired by this node's clock must be refused, and the other way round.
 *    Pass the audience: a token for another service must not post here. Not `"valid"` → 14.
 * 3. Append `{ id, user: claims.sub, text }` with `await ctx.append(room, record)`. The key is the
 *    ROOM: the log hashes the key to a partition, and only one partition has one order — keyed by
 *    user (or id), one room's messages would spread over several partitions and two readers could
 *    see them in different orders. The user is the token's `sub` (who the token says you are),
 *    never a field of the body. Wait for the append: it resolves once the log acknowledged the
 *    record (acks=all); a reply sent before that may promise a message the log then loses. If it
 *    rejects, answer 11.
 * 4. Answer with the seq the HISTORY holds for `id`: `await ctx.lookup(room, id)`. NOT the offset
 *    `append` returned: for a retry, that is the offset of a duplicate the history drops, and the
 *    client would be told a seq that never appears in the room. The history lags the log a little,
 *    so `lookup` may say `undefined` at first: ask again every few ms (`await ctx.node.sleep(5)`)
 *    until it answers a number or `ctx.catchUpMs` has passed on your clock since the append — then
 *    answer 11 (never earlier: a post that was only slow to show must not fail). A `lookup` that
 *    rejects (the history store did not answer) counts as "not yet".
 *
 * Several posts are in flight at once: keep everything in local variables. No `Math.random`,
 * `Date.now` or real timers (use `ctx.node`).
 *
 * Graded in two layers. (a) Your handler against a context the grader controls: 27 trials for
 * each of 5 seeds, ~22 posts each — fresh posts whose history shows them at once, after a few ms
 * or after half of catchUpMs; retries of posts the history already holds (or soon will) at a seq
 * below the new offset; tokens expired or valid only by your clock, for another audience, unsigned,
 * forged, tampered or from an unknown key; malformed bodies; a log that refuses; a history that
 * never catches up (catchUpMs is drawn per trial); a history store that fails a few lookups. Each
 * post must get the right answer, at the right time, with the right append (or none).
 * (b) End to end: your handler in every front-end of the whole chat cluster (lib/casestudy's
 * acceptance scenarios R2, R3 and R7 — crashes, loss and retries through other front-ends, forged
 * tokens): every acked post in its room's history once, at the seq its client was told, in one
 * order; every post acked after healing; no refused post in any log (latency budgets are not graded).
 */
import type { ChatRecord, PostContext, PostHandler } from "../../lib/casestudy/post";
import { NotImplementedError } from "../not-implemented";

export type { ChatRecord, PostContext, PostHandler };

/**
 * The front-end's post path: see the comment at the top of this file.
 *
 * Useful: `parsePost` and `CHAT_ERRORS` from `lib/casestudy/wire`, `verifyToken` from
 * `lib/security/index`.
 *
 * @example
 * const reply = await handlePost(ctx, { type: "post", token, room: "r1", id: "c1:1", text: "hi" });
 * // { type: "post_ok", room: "r1", seq: 17 }
 */
export async function handlePost(ctx: PostContext, body: unknown): Promise<Record<string, unknown>> {
  // Your code here (13.1)
  throw new NotImplementedError("13.1 idempotent-post", "exercises/13-case-study/post.ts");
}
