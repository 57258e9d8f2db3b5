/**
 * Reference solution of exercise 12.1 — token verification and RBAC at a server (JWS compact
 * form, RFC 7515 §3.1; JWT claims, RFC 7519 §4.1; algorithm confusion, RFC 8725 §2.1 and §3.1).
 * The wire and the rules are in exercises/12-security/token-server.ts.
 */
import type { Message, Node } from "../../lib/node";
import { base64urlDecode, base64urlDecodeText, constantTimeEqual, ed25519Verify, hmacSha256 } from "../../lib/security/index";
import type { VerificationKey } from "../../lib/security/index";

export type { VerificationKey };

/** One operation the server offers. */
export interface Operation {
  /** The permission a caller's roles must grant, e.g. `"reports:read"`. */
  permission: string;
  /** Does the work for an authorised call; its return value is the reply's `result`. */
  run(args: Record<string, unknown>, subject: string): unknown;
}

/** Options of {@link protectedServer}. */
export interface ProtectedServerOptions {
  issuer: string;
  audience: string;
  keys: Record<string, VerificationKey>;
  clockSkewMs: number;
  rolePermissions: Record<string, string[]>;
  operations: Record<string, Operation>;
}

/** A verified token's subject and roles, or why it was refused. */
type Verdict = { kind: "valid"; sub: string; roles: string[] } | { kind: "invalid"; why: string };

const own = (record: object, key: string): boolean => Object.prototype.hasOwnProperty.call(record, key);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** JSON object from a base64url segment, or undefined. */
function decodeObject(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(base64urlDecodeText(segment));
    return isPlainObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function signatureMatches(key: VerificationKey, signingInput: string, segment: string): boolean {
  let signature: Uint8Array;
  try {
    signature = base64urlDecode(segment);
  } catch {
    return false;
  }
  if (key.alg === "HS256") return constantTimeEqual(hmacSha256(key.secret, signingInput), signature);
  return ed25519Verify(key.publicKey, signingInput, signature);
}

function verify(token: string, options: ProtectedServerOptions, nowMs: number): Verdict {
  const invalid = (why: string): Verdict => ({ kind: "invalid", why });
  const parts = token.split(".");
  if (parts.length !== 3) return invalid(`a token has 3 segments, this one ${parts.length}`);
  const header = decodeObject(parts[0]);
  if (header === undefined) return invalid("the header is not base64url JSON of an object");
  const kid = header.kid;
  if (typeof kid !== "string" || !own(options.keys, kid)) return invalid(`unknown kid ${JSON.stringify(kid)}`);
  const key = options.keys[kid];
  if (header.alg !== key.alg) return invalid(`key ${kid} is ${key.alg}, the header says ${JSON.stringify(header.alg)}`);
  if (!signatureMatches(key, `${parts[0]}.${parts[1]}`, parts[2])) return invalid("bad signature");
  const claims = decodeObject(parts[1]);
  if (claims === undefined) return invalid("the claims are not base64url JSON of an object");
  const { exp, nbf, iss, aud, sub, roles } = claims;
  if (typeof exp !== "number") return invalid("no numeric exp");
  if (nowMs >= exp + options.clockSkewMs) return invalid(`expired at ${exp} ms; now ${nowMs} ms, skew ${options.clockSkewMs} ms`);
  if (nbf !== undefined && (typeof nbf !== "number" || nowMs < nbf - options.clockSkewMs)) return invalid(`not valid before ${JSON.stringify(nbf)} ms; now ${nowMs} ms`);
  if (iss !== options.issuer) return invalid(`issuer ${JSON.stringify(iss)}`);
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.includes(options.audience)) return invalid(`audience ${JSON.stringify(aud)}`);
  if (typeof sub !== "string") return invalid("no string sub");
  if (!Array.isArray(roles) || !roles.every((r) => typeof r === "string")) return invalid("roles is not an array of strings");
  return { kind: "valid", sub, roles: roles as string[] };
}

/**
 * Serve `call` requests on `node`, each checked: body (400), token (401), then roles (403).
 *
 * @example
 * sim.spawn("api", (node) => protectedServer(node, options));
 */
export function protectedServer(node: Node, options: ProtectedServerOptions): void {
  const refuse = (m: Message, code: number, text: string): void => {
    node.reply(m, { type: "error", code, text });
  };
  node.on("call", (m) => {
    const { token, op, args } = m.body as Record<string, unknown>;
    if (typeof token !== "string") return refuse(m, 400, "token must be a string");
    if (typeof op !== "string" || !own(options.operations, op)) return refuse(m, 400, `unknown op ${JSON.stringify(op)}`);
    if (!isPlainObject(args)) return refuse(m, 400, "args must be an object");
    const verdict = verify(token, options, node.clock());
    if (verdict.kind === "invalid") return refuse(m, 401, verdict.why);
    const operation = options.operations[op];
    const granted = verdict.roles.some((role) => own(options.rolePermissions, role) && options.rolePermissions[role].includes(operation.permission));
    if (!granted) return refuse(m, 403, `roles ${JSON.stringify(verdict.roles)} do not grant ${operation.permission}`);
    node.reply(m, { type: "call_ok", result: operation.run(args, verdict.sub) });
  });
}
