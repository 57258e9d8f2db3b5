/**
 * The wire: the network carries a JSON copy of each message body, so sender and receiver never
 * share objects. `toWire` gives the JSON text (exactly `JSON.stringify(body)`) and a fresh copy
 * (exactly what `JSON.parse` of that text gives) in one walk over the body, which is two to three
 * times faster than `JSON.parse(JSON.stringify(body))` for the small plain bodies protocols send.
 * Anything unusual (class instances, Dates and other `toJSON` objects, BigInt, cycles, a
 * `"__proto__"` key) takes the plain JSON route, so the result is always the same.
 */
import type { Body } from "./message";

/** A body as the network carries it. */
export interface Wire {
  /** `JSON.stringify(body)`: what the trace records and whose UTF-8 length is the message size. */
  json: string;
  /** A fresh copy equal to `JSON.parse(json)`, for the receiver. */
  copy: Body;
  /** Size of `json` in UTF-8 bytes. */
  bytes: number;
}

/**
 * Characters that send a string the slow way: what JSON.stringify escapes (quote, backslash,
 * control characters, lone surrogates) and anything outside ASCII (whose UTF-8 length differs).
 */
const NOT_PLAIN_ASCII = /["\\\u0000-\u001f\u0080-\uffff]/;
/** Deeper bodies go the plain JSON route (which also reports cycles properly). */
const MAX_DEPTH = 64;
/** Thrown inside the walk when a value needs the plain JSON route. */
const UNUSUAL = new Error("unusual value");

/** The copy of the value encoded last (an out-parameter, so the walk allocates no pairs). */
let copied: unknown;
/** False once a string may hold non-ASCII characters (then the JSON's byte length is measured). */
let ascii = true;

function quote(text: string): string {
  if (!NOT_PLAIN_ASCII.test(text)) return `"${text}"`;
  ascii = false;
  return JSON.stringify(text);
}

/** `"key":` for plain ASCII keys seen before: protocols reuse a few field names. Bounded. */
const keyPrefixes = new Map<string, string>();
const KEY_PREFIXES_MAX = 10_000;

function keyPrefix(key: string): string {
  const cached = keyPrefixes.get(key);
  if (cached !== undefined) return cached;
  if (NOT_PLAIN_ASCII.test(key)) {
    ascii = false;
    return `${JSON.stringify(key)}:`;
  }
  const prefix = `"${key}":`;
  if (keyPrefixes.size < KEY_PREFIXES_MAX) keyPrefixes.set(key, prefix);
  return prefix;
}

/** JSON text of `value` (undefined where JSON.stringify omits it), leaving its copy in `copied`. */
function encode(value: unknown, depth: number): string | undefined {
  switch (typeof value) {
    case "string":
      copied = value;
      return quote(value);
    case "number":
      if (Number.isFinite(value)) {
        copied = value === 0 ? 0 : value; // -0 is written "0" and parsed back as 0
        return `${value}`;
      }
      copied = null;
      return "null";
    case "boolean":
      copied = value;
      return value ? "true" : "false";
    case "object":
      if (value === null) {
        copied = null;
        return "null";
      }
      if (depth > MAX_DEPTH) throw UNUSUAL;
      return Array.isArray(value) ? encodeArray(value, depth) : encodeObject(value, depth);
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
    default:
      throw UNUSUAL; // bigint: JSON.stringify throws its own error
  }
}

function encodeArray(items: unknown[], depth: number): string {
  if (Object.getPrototypeOf(items) !== Array.prototype || typeof (items as { toJSON?: unknown }).toJSON === "function") throw UNUSUAL;
  const out: unknown[] = [];
  let text = "[";
  for (let i = 0; i < items.length; i++) {
    let item = encode(items[i], depth + 1);
    if (item === undefined) {
      item = "null";
      copied = null;
    }
    text += i === 0 ? item : `,${item}`;
    out.push(copied);
  }
  copied = out;
  return `${text}]`;
}

/** `extra` (already JSON, e.g. `"msg_id":7`) is written as the last field. */
function encodeObject(object: object, depth: number, extra?: string): string {
  if (Object.getPrototypeOf(object) !== Object.prototype || typeof (object as { toJSON?: unknown }).toJSON === "function") throw UNUSUAL;
  const keys = Object.keys(object);
  const out: Record<string, unknown> = {};
  let text = "{";
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const field = encode((object as Record<string, unknown>)[key], depth + 1);
    if (field === undefined) continue;
    if (key === "__proto__") throw UNUSUAL; // `out[key] =` would set the prototype
    text += text.length === 1 ? keyPrefix(key) + field : `,${keyPrefix(key)}${field}`;
    out[key] = copied;
  }
  copied = out;
  if (extra !== undefined) return text.length === 1 ? `{${extra}}` : `${text},${extra}}`;
  return `${text}}`;
}

/** Like `encode(Object.assign({}, body, { msg_id: msgId }))` for a plain body without a msg_id key. */
function encodeWithMsgId(body: Body, msgId: number): string {
  if (Object.prototype.hasOwnProperty.call(body, "msg_id")) throw UNUSUAL;
  const text = encodeObject(body, 0, `"msg_id":${msgId}`);
  (copied as Body).msg_id = msgId;
  return text;
}

/**
 * The JSON text of a body and a fresh copy of it, as if by `JSON.stringify` then `JSON.parse`.
 * With `msgId`, of `Object.assign({}, body, { msg_id: msgId })` instead (without making it).
 *
 * @example
 * const { json, copy } = toWire({ type: "echo", echo: "hi" }, 7);
 * json; // '{"type":"echo","echo":"hi","msg_id":7}'
 * copy; // { type: "echo", echo: "hi", msg_id: 7 } — a new object
 */
export function toWire(body: Body, msgId?: number): Wire {
  ascii = true;
  try {
    const json = msgId === undefined ? encode(body, 0) : encodeWithMsgId(body, msgId);
    const copy = copied as Body;
    copied = undefined;
    // all-ASCII JSON has one byte per character, and the text need not be flattened to count them
    if (json !== undefined) return { json, copy, bytes: ascii ? json.length : Buffer.byteLength(json) };
  } catch {
    copied = undefined; // an unusual body: the plain route below gives the exact result (or JSON's own error)
  }
  const json = JSON.stringify(msgId === undefined ? body : Object.assign({}, body, { msg_id: msgId }));
  return { json, copy: JSON.parse(json), bytes: Buffer.byteLength(json) };
}

/**
 * The same text, stored flat. V8 keeps a string built by concatenation as a tree of its pieces,
 * several times the size of the text; reading one character flattens it. Worth it for JSON that
 * is kept (the trace keeps every message's), not for JSON that dies young.
 *
 * @example
 * sim.trace.record({ ..., json: flat(wire.json) });
 */
export function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}
