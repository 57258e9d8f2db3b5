// The chat front-end's post path as one replaceable function (exercise 13.1): check the request and
// the token, append the message to the room's log partition, then answer with the seq the room's
// HISTORY holds for the message id — not the offset just appended, which for a retry through
// another front-end is the offset of a duplicate the history drops.
import type { Node } from "../node/index";
import { verifyToken, type VerificationKey } from "../security/index";
import { CHAT_ERRORS, parsePost, type PostRequest } from "./wire";

/** What the front-end appends to the rooms log (key = room). */
export interface ChatRecord {
  /** The client-chosen message id, the same on every retry. */
  id: string;
  /** The token's subject. */
  user: string;
  text: string;
}

/** What a post handler may use: the front-end's node, the token keys, the log and the history. */
export interface PostContext {
  /** The front-end's node: clock(), sleep(), id. */
  node: Node;
  /** Token verification keys by kid. */
  keys: Record<string, VerificationKey>;
  /** The audience a token must name ("chat"). */
  audience: string;
  /** How long a post may wait for the history to hold the message. Default 500. */
  catchUpMs: number;
  /** Append to the rooms log under `key`; resolves once the log acknowledged it (acks=all); rejects when the log is unavailable. */
  append(key: string, value: ChatRecord): Promise<{ partition: number; offset: number }>;
  /** The seq the room's history holds for message `id` (its first copy), or undefined if it does not hold it (yet). */
  lookup(room: string, id: string): Promise<number | undefined>;
}

/**
 * The reply body: `{ type: "post_ok", room, seq }` or `{ type: "error", code, text }` (CHAT_ERRORS).
 *
 * @example
 * const refuseAll: PostHandler = async () => ({ type: "error", code: 14, text: "unauthorized: closed" });
 */
export type PostHandler = (ctx: PostContext, body: unknown) => Promise<Record<string, unknown>>;

/** How often {@link handlePost} asks the history whether it holds the message yet. */
const LOOKUP_EVERY_MS = 5;

/**
 * The reference post handler: `parsePost` (error 12) → `verifyToken(token, { keys, now:
 * node.clock(), audience })` (error 14 "unauthorized: …") → `append(room, { id, user: sub, text })`
 * (error 11 when the log is unavailable) → poll `lookup(room, id)` every 5 ms until it is defined
 * or `catchUpMs` passed (error 11) → `post_ok` with THAT seq. A retry of the same id, through any
 * front-end, is therefore answered with the same seq: the first copy's, which the history keeps.
 *
 * @example
 * sim.spawn("f1", (node) => void chatFrontEnd(node, { brokers: ["b1"], keys: keySet([key]), history: ["h1", "h2", "h3"], handlePost }));
 * // a client: post { token, room: "r1", id: "c1:1", text: "hi" } → { type: "post_ok", room: "r1", seq: 0 }
 */
export const handlePost: PostHandler = async (ctx, body) => {
  const checked = checkPost(ctx, body);
  if ("error" in checked) return checked.error;
  const { room, id, text } = checked.request;
  try {
    await ctx.append(room, { id, user: checked.user, text });
  } catch (e) {
    return unavailable(e);
  }
  const deadlineMs = ctx.node.clock() + ctx.catchUpMs;
  for (;;) {
    let seq: number | undefined;
    try {
      seq = await ctx.lookup(room, id);
    } catch {
      seq = undefined; // the history store did not answer: ask again until the deadline
    }
    if (seq !== undefined) return { type: "post_ok", room, seq };
    if (ctx.node.clock() >= deadlineMs) break;
    await ctx.node.sleep(LOOKUP_EVERY_MS);
  }
  return { type: "error", code: CHAT_ERRORS.unavailable, text: `history of ${room} does not hold ${id} yet; retry with the same id` };
};

/**
 * The first design's post handler (designs "first" and "dedup-only"): the same checks, but it
 * answers the offset it just appended. Right for a first attempt; wrong for a retry that reached
 * the log twice through two front-ends: the client is told the duplicate's offset, which a
 * deduplicating history drops. Kept to show the bug the acceptance suite finds.
 *
 * @example
 * sim.spawn("f1", (node) => void chatFrontEnd(node, { brokers: ["b1"], keys: keySet([key]), handlePost: answerAppendedOffset }));
 */
export const answerAppendedOffset: PostHandler = async (ctx, body) => {
  const checked = checkPost(ctx, body);
  if ("error" in checked) return checked.error;
  const { room, id, text } = checked.request;
  try {
    const { offset } = await ctx.append(room, { id, user: checked.user, text });
    return { type: "post_ok", room, seq: offset };
  } catch (e) {
    return unavailable(e);
  }
};

/** Both handlers' first steps: the body's shape (error 12), then the token (error 14). */
function checkPost(ctx: PostContext, body: unknown): { request: PostRequest; user: string } | { error: Record<string, unknown> } {
  const parsed = parsePost(body);
  if ("code" in parsed) return { error: { type: "error", code: parsed.code, text: parsed.text } };
  const verdict = verifyToken(parsed.request.token, { keys: ctx.keys, now: ctx.node.clock(), audience: ctx.audience });
  if (verdict.kind !== "valid") return { error: { type: "error", code: CHAT_ERRORS.unauthorized, text: `unauthorized: ${verdict.reason}` } };
  return { request: parsed.request, user: verdict.claims.sub };
}

function unavailable(e: unknown): Record<string, unknown> {
  return { type: "error", code: CHAT_ERRORS.unavailable, text: `log unavailable: ${(e as Error).message}` };
}
