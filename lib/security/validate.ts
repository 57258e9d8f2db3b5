// Input validation at a service boundary (OWASP: "validate all input on the server side"): a
// message from a network you do not own may have missing fields, wrong types, huge strings or
// extra fields. A handler that trusts it throws — and in this simulator a handler that throws
// stops the whole run, as an uncaught exception stops a real process. So a service checks each
// body against a schema first, replies with an error naming every problem, and wraps its handler
// so that even an unforeseen exception becomes an error reply instead of a crash.
import type { Node } from "../node/index";
import type { Message } from "../node/message";

/** The schema of one field. */
export type FieldSchema =
  | { type: "string"; optional?: boolean; minLength?: number; maxLength?: number; pattern?: RegExp; oneOf?: string[] }
  | { type: "number"; optional?: boolean; integer?: boolean; min?: number; max?: number }
  | { type: "boolean"; optional?: boolean }
  | { type: "array"; optional?: boolean; items: FieldSchema; maxItems?: number }
  | { type: "object"; optional?: boolean; fields: BodySchema; allowExtra?: boolean }
  | { type: "any"; optional?: boolean };

/** A message body's schema: field name → field schema. Fields not listed are refused (except
 * the envelope's `type`, `msg_id`, `in_reply_to`) unless the schema object says `allowExtra`. */
export type BodySchema = Record<string, FieldSchema>;

const ENVELOPE_FIELDS = ["type", "msg_id", "in_reply_to"];
const SCHEMA_TYPES = ["string", "number", "boolean", "array", "object", "any"];

/**
 * Check a body against a schema. Returns every problem found, each naming the field path
 * ("amount: expected a number, got string \"10\""); an empty list means valid.
 * Throws (a programming error, not bad input) when the schema itself is malformed.
 *
 * @example
 * validateBody({ type: "transfer", to: "bob", amount: "10" },
 *   { to: { type: "string", maxLength: 32 }, amount: { type: "number", integer: true, min: 1 } });
 * // ['amount: expected a number, got string "10"']
 */
export function validateBody(body: unknown, schema: BodySchema, options: { allowExtra?: boolean } = {}): string[] {
  checkSchema(schema, "schema");
  const errors: string[] = [];
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    errors.push(`body: expected an object, got ${describe(body)}`);
    return errors;
  }
  validateObject(body as Record<string, unknown>, schema, "", options.allowExtra ?? false, errors, true);
  return errors;
}

function validateObject(obj: Record<string, unknown>, schema: BodySchema, path: string, allowExtra: boolean, errors: string[], top: boolean): void {
  for (const [name, field] of Object.entries(schema)) {
    const value = obj[name];
    const here = path ? `${path}.${name}` : name;
    if (value === undefined) {
      if (!field.optional) errors.push(`${here}: required ${field.type} is missing`);
      continue;
    }
    validateValue(value, field, here, errors);
  }
  if (!allowExtra) {
    for (const name of Object.keys(obj)) {
      if (Object.prototype.hasOwnProperty.call(schema, name)) continue;
      if (top && ENVELOPE_FIELDS.includes(name)) continue;
      errors.push(`${path ? `${path}.${name}` : name}: unexpected field`);
    }
  }
}

function validateValue(value: unknown, field: FieldSchema, path: string, errors: string[]): void {
  switch (field.type) {
    case "any":
      return;
    case "string": {
      if (typeof value !== "string") return void errors.push(`${path}: expected a string, got ${describe(value)}`);
      if (field.minLength !== undefined && value.length < field.minLength) errors.push(`${path}: shorter than ${field.minLength} characters`);
      if (field.maxLength !== undefined && value.length > field.maxLength) errors.push(`${path}: longer than ${field.maxLength} characters (${value.length})`);
      if (field.pattern && !field.pattern.test(value)) errors.push(`${path}: does not match ${field.pattern}`);
      if (field.oneOf && !field.oneOf.includes(value)) errors.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(field.oneOf)}`);
      return;
    }
    case "number": {
      if (typeof value !== "number" || !Number.isFinite(value)) return void errors.push(`${path}: expected a number, got ${describe(value)}`);
      if (field.integer && !Number.isInteger(value)) errors.push(`${path}: expected an integer, got ${value}`);
      if (field.min !== undefined && value < field.min) errors.push(`${path}: ${value} is below the minimum ${field.min}`);
      if (field.max !== undefined && value > field.max) errors.push(`${path}: ${value} is above the maximum ${field.max}`);
      return;
    }
    case "boolean":
      if (typeof value !== "boolean") errors.push(`${path}: expected a boolean, got ${describe(value)}`);
      return;
    case "array": {
      if (!Array.isArray(value)) return void errors.push(`${path}: expected an array, got ${describe(value)}`);
      if (field.maxItems !== undefined && value.length > field.maxItems) errors.push(`${path}: more than ${field.maxItems} items (${value.length})`);
      value.forEach((item, i) => validateValue(item, field.items, `${path}[${i}]`, errors));
      return;
    }
    case "object": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return void errors.push(`${path}: expected an object, got ${describe(value)}`);
      validateObject(value as Record<string, unknown>, field.fields, path, field.allowExtra ?? false, errors, false);
      return;
    }
  }
}

function checkSchema(schema: BodySchema, path: string): void {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) throw new TypeError(`validateBody: ${path} must be an object of field schemas`);
  for (const [name, field] of Object.entries(schema)) checkField(field, `${path}.${name}`);
}

function checkField(field: FieldSchema, path: string): void {
  if (!field || typeof field !== "object" || !SCHEMA_TYPES.includes((field as FieldSchema).type)) {
    throw new TypeError(`validateBody: ${path} has no valid type (one of ${SCHEMA_TYPES.join(", ")}), got ${JSON.stringify(field && (field as FieldSchema).type)}`);
  }
  if (field.type === "array") {
    if (!field.items) throw new TypeError(`validateBody: ${path} is an array schema without \`items\``);
    checkField(field.items, `${path}[]`);
  }
  if (field.type === "object") {
    if (!field.fields) throw new TypeError(`validateBody: ${path} is an object schema without \`fields\``);
    checkSchema(field.fields, path);
  }
  if (field.type === "string" && field.pattern !== undefined && !(field.pattern instanceof RegExp)) {
    throw new TypeError(`validateBody: ${path}.pattern must be a RegExp`);
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `string ${JSON.stringify(value.length > 30 ? value.slice(0, 27) + "..." : value)}`;
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

/** Options for {@link guardedHandler}. */
export interface GuardedHandlerOptions {
  /** Accept fields the schema does not list. Default false. */
  allowExtra?: boolean;
  /** Called for each refused or failed message (for counting in experiments). */
  onReject?: (message: Message, reply: { type: "error"; code: number; text: string }) => void;
}

/**
 * Wrap a handler so that a body failing `schema` gets `{ type: "error", code: 400, text }`
 * listing the problems, and a handler that throws (or whose promise rejects) gets
 * `{ type: "error", code: 500, text }` and a log line — the node keeps running either way.
 *
 * @example
 * node.on("transfer", guardedHandler(node, { to: { type: "string" }, amount: { type: "number", min: 1 } },
 *   (msg) => { balances[msg.body.to] += msg.body.amount; node.reply(msg, { type: "transfer_ok" }); }));
 */
export function guardedHandler(
  node: Node,
  schema: BodySchema,
  handler: (message: Message) => unknown,
  options: GuardedHandlerOptions = {},
): (message: Message) => Promise<void> {
  checkSchema(schema, `guardedHandler schema (node "${node.id}")`);
  const refuse = (message: Message, code: number, text: string) => {
    const reply = { type: "error" as const, code, text };
    node.log(`refused ${message.body?.type} from ${message.src} at ${node.now()} ms: ${text}`);
    options.onReject?.(message, reply);
    node.reply(message, reply);
  };
  return async (message: Message) => {
    const errors = validateBody(message.body, schema, { allowExtra: options.allowExtra });
    if (errors.length > 0) return refuse(message, 400, `malformed ${message.body?.type}: ${errors.join("; ")}`);
    try {
      await handler(message);
    } catch (err) {
      refuse(message, 500, `handler failed: ${(err as Error)?.message ?? String(err)}`);
    }
  };
}
