// The chat service's client wire: Maelstrom-style bodies, one request/response pair per use case.
// `runClients` sends `{ type: f, ...input }` and expects `<f>_ok` or `error`, so f is "post" / "read".

/** UC2: post `text` to `room`. `id` is chosen by the client and reused on every retry. */
export interface PostRequest {
  type: "post";
  token: string;
  room: string;
  id: string;
  text: string;
}

/** The post is in the log: `seq` is its offset, the room's order. */
export interface PostOk {
  type: "post_ok";
  room: string;
  seq: number;
}

/** UC3: the messages of `room` after `after` (−1: all). */
export interface ReadRequest {
  type: "read";
  token: string;
  room: string;
  after: number;
}

/** What a front-end answers a read with. */
export interface ReadOk {
  type: "read_ok";
  room: string;
  messages: Array<{ seq: number; id: string; user: string; text: string }>;
}

/** Maelstrom error codes the service uses (see `MAELSTROM_ERRORS`). */
export const CHAT_ERRORS = Object.freeze({
  /** The log or the store did not answer in time; the client may retry with the same id. */
  unavailable: 11,
  /** A field is missing or has the wrong type. */
  malformed: 12,
  /** The token is missing, forged, expired or for another audience. */
  unauthorized: 14,
});

/** A parsed request, or the error reply to send instead. */
export type Parsed<T> = { ok: true; request: T } | { ok: false; code: number; text: string };

/**
 * Check a `post` body field by field; the front-end replies `error` with the returned code when
 * it is not `ok`. Room names and ids are non-empty strings, text at most `textMax` characters.
 *
 * @example
 * parsePost({ type: "post", token: "t", room: "r1", id: "c1:1", text: "hi" }).ok; // true
 * parsePost({ type: "post", token: "t", room: "", id: "c1:1", text: "hi" });
 * // { ok: false, code: 12, text: "post: room must be a non-empty string" }
 */
export function parsePost(body: unknown, textMax = 1000): Parsed<PostRequest> {
  const b = (body ?? {}) as Record<string, unknown>;
  for (const field of ["token", "room", "id"] as const) {
    if (typeof b[field] !== "string" || b[field] === "") return malformed("post", `${field} must be a non-empty string`);
  }
  if (typeof b.text !== "string") return malformed("post", "text must be a string");
  if (b.text.length > textMax) return malformed("post", `text is longer than ${textMax} characters`);
  return { ok: true, request: { type: "post", token: b.token as string, room: b.room as string, id: b.id as string, text: b.text } };
}

/**
 * Check a `read` body; `after` defaults to −1 (the whole history).
 *
 * @example
 * parseRead({ type: "read", token: "t", room: "r1" }); // { ok: true, request: { type: "read", token: "t", room: "r1", after: -1 } }
 */
export function parseRead(body: unknown): Parsed<ReadRequest> {
  const b = (body ?? {}) as Record<string, unknown>;
  for (const field of ["token", "room"] as const) {
    if (typeof b[field] !== "string" || b[field] === "") return malformed("read", `${field} must be a non-empty string`);
  }
  const after = b.after === undefined ? -1 : b.after;
  if (typeof after !== "number" || !Number.isInteger(after) || after < -1) return malformed("read", "after must be an integer ≥ −1");
  return { ok: true, request: { type: "read", token: b.token as string, room: b.room as string, after } };
}

function malformed(what: string, why: string): { ok: false; code: number; text: string } {
  return { ok: false, code: CHAT_ERRORS.malformed, text: `${what}: ${why}` };
}
