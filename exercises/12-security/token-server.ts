/**
 * Exercise 12.1 — token verification and RBAC at a server (20 points). Graded by `npm test`
 * (test/12-security.test.ts), or alone with `npm run grade -- 12.1`.
 *
 * A client proves who it is with a session token that an authentication service signed (a JWS in
 * compact form, RFC 7515 §3.1: `base64url(header) + "." + base64url(claims) + "." +
 * base64url(signature)`), and the server decides from the token's roles what the client may do
 * (role-based access control). Write `protectedServer(node, options)`: a node that checks every
 * request itself — nothing a client sends is trusted until it has been verified.
 *
 * Wire: request `{ type: "call", token: string, op: string, args: object }`.
 * - Success: run `options.operations[op].run(args, sub)` ONCE and reply
 *   `{ type: "call_ok", result }` with what it returned.
 * - Failure: reply `{ type: "error", code, text }` (text says why) and run nothing:
 *   400 — the body itself is malformed: `token` not a string, `op` not a string naming one of
 *       `options.operations` (an own key), or `args` not a plain object (null and arrays are not).
 *   401 — authentication failed: the token is not a valid token of this issuer for this service now;
 *   403 — authorisation failed: the token is valid but none of its roles grants the operation's
 *       permission.
 *   Check in that order (400, then 401, then 403). A malformed message must get its error reply;
 *   it must never make the handler throw (input validation at the service boundary).
 *
 * Verifying a token (every step is yours to write; do not call lib/security's `verifyToken`):
 * 1. Three segments separated by "."; header and claims are base64url (`base64urlDecodeText`
 *    throws on a bad character: catch it) of a JSON object (`JSON.parse` throws too).
 * 2. The header's `kid` names a key in `options.keys` (an own key: `Object.prototype.hasOwnProperty.call(options.keys, kid)`). The KEY
 *    decides the algorithm: the header's `alg` must equal `key.alg`, else refuse. Never believe
 *    the header's `alg` on its own: `"none"` means "unsigned", and `"HS256"` with the kid of an
 *    Ed25519 key asks you to check an HMAC keyed with the PUBLIC key — which anyone can compute
 *    (algorithm confusion).
 * 3. The signature covers the signing input, the ASCII text `segment0 + "." + segment1` exactly as
 *    received (not the decoded JSON, not the claims alone). HS256: compare
 *    `hmacSha256(key.secret, signingInput)` with the decoded signature by `constantTimeEqual`
 *    (an early-exit comparison leaks, through timing, how many leading bytes were right).
 *    EdDSA: `ed25519Verify(key.publicKey, signingInput, signature)`.
 * 4. Claims (virtual milliseconds, as lib/security's tokens): `now` is `node.clock()`, this
 *    server's own clock (equal to node.now() unless the grader sets the server's clock off — it
 *    does). Refuse when `exp` is missing or not a number, when `now >= exp + clockSkewMs`
 *    (expired), or when `nbf` is present and `now < nbf - clockSkewMs` (not yet valid). `iss`
 *    must equal `options.issuer`; `aud` (a string or an array of strings) must be or contain
 *    `options.audience`; `sub` must be a string and `roles` an array of strings.
 * 5. RBAC: the permissions of the token are the union of `options.rolePermissions[role]` over its
 *    roles (roles the table does not know grant nothing). The operation needs
 *    `options.operations[op].permission`, compared as a whole string — "reports:read-own" does
 *    not grant "reports:read".
 *
 * Use from `lib/security/index`: `base64urlDecode`, `base64urlDecodeText`, `hmacSha256`,
 * `constantTimeEqual`, `ed25519Verify`. The point is to write the checks themselves.
 *
 * Graded: 27 trials for each of 5 seeds; in each, the grader's clients send 28–30 calls with
 * tokens it mints: valid HS256 and EdDSA tokens (aud as a string or an array), tokens just inside
 * and just outside the skew on either side, expired ones, tampered claims (roles escalated),
 * `alg: "none"`, HS256 signed with an Ed25519 public key, unknown kids, a wrong key, wrong
 * audience or issuer, missing roles, a role whose permission merely contains the needed one,
 * malformed tokens (two segments, a bad base64url character, a header that is not JSON), and
 * malformed bodies. Half of the trials give your server a clock that is off by 0.5–3 s.
 * Every call must get the right reply, and `run` must be called exactly for the accepted ones.
 */
import type { Node } from "../../lib/node";
import type { VerificationKey } from "../../lib/security/index";
import { NotImplementedError } from "../not-implemented";

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
  /** The only issuer whose tokens are accepted (`iss`). */
  issuer: string;
  /** This service's name: tokens must be meant for it (`aud`). */
  audience: string;
  /** Verification keys by `kid`: an HMAC secret (HS256) or an Ed25519 public key (EdDSA). */
  keys: Record<string, VerificationKey>;
  /** How far the issuer's clock and this server's may disagree, in ms (applied to exp and nbf). */
  clockSkewMs: number;
  /** RBAC: the permissions each role grants. */
  rolePermissions: Record<string, string[]>;
  /** The operations, by the name a request gives in `op`. */
  operations: Record<string, Operation>;
}

/**
 * Serve `call` requests on `node`, each checked: body, token, then roles.
 *
 * @example
 * sim.spawn("api", (node) =>
 *   protectedServer(node, {
 *     issuer: "auth", audience: "api", clockSkewMs: 2000,
 *     keys: keySet([hs256Key("k1", secretFromLabel("auth/k1"))]),
 *     rolePermissions: { viewer: ["reports:read"] },
 *     operations: { read: { permission: "reports:read", run: () => "the report" } },
 *   }),
 * );
 */
export function protectedServer(node: Node, options: ProtectedServerOptions): void {
  // Your code here (12.1)
  throw new NotImplementedError("12.1 token-server", "exercises/12-security/token-server.ts");
}
