// Real-process code (outside lib/): Maelstrom's wire protocol as a node process speaks it — one
// JSON message `{ src, dest, body }` per line on stdin and stdout, diagnostics on stderr.
// Facts from jepsen-io/maelstrom doc/protocol.md ("Errors", "Initialization").
import type { Body, Message } from "../lib/node/message";

/**
 * Maelstrom's error codes (doc/protocol.md, "Errors"). Codes 0–999 are Maelstrom's; 1000 and up
 * are free for a protocol's own errors. Definite errors (every code but 0 and 13) promise that the
 * operation did not and never will happen.
 *
 * @example
 * node.reply(req, errorBody(ERROR_CODES.keyDoesNotExist, `no key ${req.body.key}`));
 */
export const ERROR_CODES = {
  timeout: 0,
  nodeNotFound: 1,
  notSupported: 10,
  temporarilyUnavailable: 11,
  malformedRequest: 12,
  crash: 13,
  abort: 14,
  keyDoesNotExist: 20,
  keyAlreadyExists: 21,
  preconditionFailed: 22,
  txnConflict: 30,
} as const;

/** One of Maelstrom's error codes. */
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** Maelstrom's error body: `{ type: "error", code, text }` (send it with `node.reply`, which adds `in_reply_to`). */
export interface ErrorBody extends Body {
  type: "error";
  code: number;
  text: string;
}

/**
 * An error body for a reply.
 *
 * @example
 * errorBody(ERROR_CODES.notSupported, "unknown message type foo"); // { type: "error", code: 10, text: "…" }
 */
export function errorBody(code: number, text: string): ErrorBody {
  return { type: "error", code, text };
}

/** The `init` body Maelstrom sends each node first. */
export interface InitBody extends Body {
  type: "init";
  node_id: string;
  node_ids: string[];
}

/** What one stdin line held: a message, or why it is not one. */
export type ParsedLine = { kind: "message"; message: Message } | { kind: "malformed"; reason: string };

/**
 * Parse one stdin line as a Maelstrom message `{ src, dest, body: { type, … } }`.
 *
 * @example
 * parseLine('{"src":"c1","dest":"n1","body":{"type":"echo","msg_id":1,"echo":"hi"}}'); // { kind: "message", message }
 * parseLine("{oops");                                                                  // { kind: "malformed", reason: "not valid JSON (…)" }
 */
export function parseLine(line: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return { kind: "malformed", reason: `not valid JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return { kind: "malformed", reason: "not a JSON object" };
  const { src, dest, body } = value as Record<string, unknown>;
  if (typeof src !== "string" || src === "") return { kind: "malformed", reason: 'no "src" node id (a non-empty string)' };
  if (typeof dest !== "string" || dest === "") return { kind: "malformed", reason: 'no "dest" node id (a non-empty string)' };
  if (body === null || typeof body !== "object" || Array.isArray(body)) return { kind: "malformed", reason: 'no "body" object' };
  const type = (body as Record<string, unknown>).type;
  if (typeof type !== "string" || type === "") return { kind: "malformed", reason: 'the body has no "type" (a non-empty string)' };
  const msgId = (body as Record<string, unknown>).msg_id;
  if (msgId !== undefined && typeof msgId !== "number") return { kind: "malformed", reason: `the body's "msg_id" must be a number, got ${JSON.stringify(msgId)}` };
  return { kind: "message", message: { src, dest, body: body as Body } };
}

/**
 * Check an `init` body; returns why it is wrong, or undefined.
 *
 * @example
 * initProblem({ type: "init", msg_id: 1, node_id: "n1", node_ids: ["n1"] }); // undefined
 */
export function initProblem(body: Body): string | undefined {
  if (typeof body.node_id !== "string" || body.node_id === "") return 'init needs "node_id", a non-empty string';
  const ids = body.node_ids;
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === "string" && id !== "")) return 'init needs "node_ids", an array of node id strings';
  if (!ids.includes(body.node_id)) return `init: "node_ids" ${JSON.stringify(ids)} does not include this node's id "${body.node_id}"`;
  return undefined;
}

/**
 * One stdout line for a message whose body is already JSON text (as `toWire` gives it).
 *
 * @example
 * envelopeLine("n1", "c1", '{"type":"echo_ok","in_reply_to":1}'); // '{"src":"n1","dest":"c1","body":{…}}'
 */
export function envelopeLine(src: string, dest: string, bodyJson: string): string {
  return `{"src":${JSON.stringify(src)},"dest":${JSON.stringify(dest)},"body":${bodyJson}}`;
}
