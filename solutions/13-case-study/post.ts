/**
 * Reference solution of exercise 13.1 — a post that is idempotent end to end. The task and the
 * wire are in exercises/13-case-study/post.ts; lib/casestudy/post.ts's `handlePost` behaves the same.
 */
import type { ChatRecord, PostContext, PostHandler } from "../../lib/casestudy/post";
import { CHAT_ERRORS, parsePost } from "../../lib/casestudy/wire";
import { verifyToken } from "../../lib/security/index";

export type { ChatRecord, PostContext, PostHandler };

/** How often the history is asked again while it does not hold the message yet. */
const LOOKUP_EVERY_MS = 5;

/**
 * The front-end's post path: parse (12) → verify the token by this node's clock and the audience
 * (14) → append under the room and wait for the log's acknowledgement (11) → answer the seq the
 * room's history holds for the id, asking until it does or catchUpMs passed (11).
 *
 * @example
 * const reply = await handlePost(ctx, { type: "post", token, room: "r1", id: "c1:1", text: "hi" });
 * // { type: "post_ok", room: "r1", seq: 17 }
 */
export async function handlePost(ctx: PostContext, body: unknown): Promise<Record<string, unknown>> {
  const parsed = parsePost(body);
  if ("code" in parsed) return { type: "error", code: parsed.code, text: parsed.text };
  const { token, room, id, text } = parsed.request;

  const verdict = verifyToken(token, { keys: ctx.keys, now: ctx.node.clock(), audience: ctx.audience });
  if (verdict.kind !== "valid") return { type: "error", code: CHAT_ERRORS.unauthorized, text: `unauthorized: ${verdict.reason} (${verdict.detail})` };

  const record: ChatRecord = { id, user: verdict.claims.sub, text };
  try {
    await ctx.append(room, record); // key = room: one room, one partition, one order
  } catch (error) {
    return { type: "error", code: CHAT_ERRORS.unavailable, text: `the log did not take the post: ${error instanceof Error ? error.message : String(error)}; retry with the same id` };
  }

  // The seq of the FIRST copy of this id, as the history holds it (never the offset just appended).
  const deadlineMs = ctx.node.clock() + ctx.catchUpMs;
  for (;;) {
    let seq: number | undefined;
    try {
      seq = await ctx.lookup(room, id);
    } catch {
      seq = undefined; // the history store did not answer: not yet
    }
    if (seq !== undefined) return { type: "post_ok", room, seq };
    if (ctx.node.clock() >= deadlineMs) break;
    await ctx.node.sleep(LOOKUP_EVERY_MS);
  }
  return { type: "error", code: CHAT_ERRORS.unavailable, text: `the history of ${room} does not hold ${id} after ${ctx.catchUpMs} ms; retry with the same id` };
}
