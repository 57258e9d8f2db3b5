// A token authority (the "identity provider" of SOA security, file 003; OAuth 2.0's authorization
// server, RFC 6749 §1.1, much simplified): users log in ONCE with a password and receive a signed,
// short-lived session token; every service then checks the token's signature with the
// authority's key instead of asking the authority or seeing the password. Short expiry limits the
// harm of a stolen token; a longer-lived refresh token gets a new one without the password.
//
// Wire:
//   client → authority { type: "login", user, password }   → { type: "login_ok", token, expMs, refreshToken }
//   client → authority { type: "refresh", refreshToken }    → { type: "refresh_ok", token, expMs }
//   refusals: { type: "error", code: 400 (malformed) | 401 (bad password, bad refresh token), text }
// Passwords are stored only as salted PBKDF2-SHA-256 hashes (RFC 8018 §5.2), compared in constant time.
import { pbkdf2Sync } from "node:crypto";
import type { Node } from "../node/index";
import { base64urlDecode, base64urlEncode } from "./base64url";
import { constantTimeEqual } from "./hmac";
import { signToken, verifyToken, keySet, type SigningKey } from "./jws";
import { guardedHandler } from "./validate";

/** PBKDF2 iterations: deliberately low so simulations stay fast (real systems use ≥ 600 000). */
const PBKDF2_ITERATIONS = 1000;

/** A stored user: roles and a salted password hash (never the password). */
export interface UserRecord {
  roles: string[];
  /** base64url salt. */
  salt: string;
  /** base64url PBKDF2-SHA-256(password, salt). */
  passwordHash: string;
}

/**
 * Hash a password with a salt (PBKDF2-SHA-256, 32 bytes, base64url).
 *
 * @example
 * hashPassword("correct horse", "c2FsdA"); // the same string every run
 */
export function hashPassword(password: string, salt: string): string {
  if (typeof password !== "string") throw new TypeError(`hashPassword: password must be a string, got ${typeof password}`);
  return base64urlEncode(new Uint8Array(pbkdf2Sync(password, Buffer.from(base64urlDecode(salt)), PBKDF2_ITERATIONS, 32, "sha256")));
}

/**
 * A user record for a password and roles. The salt is derived from the user name here (for
 * determinism); a real system draws a random salt per user.
 *
 * @example
 * const users = { alice: userRecord("alice", "wonderland", ["teller"]) };
 */
export function userRecord(user: string, password: string, roles: string[]): UserRecord {
  const salt = base64urlEncode(`salt:${user}`);
  return { roles: [...roles], salt, passwordHash: hashPassword(password, salt) };
}

/**
 * Whether a password matches a stored record (constant-time comparison of the hashes).
 *
 * @example
 * checkPassword(users.alice, "wonderland"); // true
 */
export function checkPassword(record: UserRecord, password: string): boolean {
  if (typeof password !== "string") return false;
  return constantTimeEqual(hashPassword(password, record.salt), record.passwordHash);
}

/** Options for {@link tokenAuthority}. */
export interface TokenAuthorityOptions {
  /** The key tokens are signed with (HS256 secret shared with services, or EdDSA pair). */
  key: SigningKey;
  /** `iss` of the tokens. Default the node's id. */
  issuer?: string;
  /** `aud` of the tokens: the services that should accept them. */
  audience: string | string[];
  /** Users by name. */
  users: Record<string, UserRecord>;
  /** Session token lifetime. */
  tokenTtlMs: number;
  /** Refresh token lifetime. Default 10 × tokenTtlMs. */
  refreshTtlMs?: number;
}

/** Counters of a token authority. */
export interface TokenAuthorityStats {
  logins: number;
  loginsRefused: number;
  refreshes: number;
  refreshesRefused: number;
}

/**
 * Run a token authority on a node: password login issues a session token and a refresh token.
 * Token ids (`jti`) are "<node>-<n>", so they are unique and deterministic.
 *
 * @example
 * sim.spawn("auth", (node) => { tokenAuthority(node, { key, audience: "bank", tokenTtlMs: 30_000,
 *   users: { alice: userRecord("alice", "wonderland", ["customer"]) } }); });
 */
export function tokenAuthority(node: Node, options: TokenAuthorityOptions): { readonly stats: TokenAuthorityStats } {
  if (!options || !options.key || !options.users) throw new TypeError(`tokenAuthority on "${node.id}": options need key and users`);
  if (!(options.tokenTtlMs > 0)) throw new RangeError(`tokenAuthority on "${node.id}": tokenTtlMs must be > 0, got ${options.tokenTtlMs}`);
  const issuer = options.issuer ?? node.id;
  const refreshTtlMs = options.refreshTtlMs ?? options.tokenTtlMs * 10;
  const stats: TokenAuthorityStats = { logins: 0, loginsRefused: 0, refreshes: 0, refreshesRefused: 0 };
  let counter = 0;
  const issue = (user: string) => {
    const now = node.now();
    const record = options.users[user];
    const expMs = now + options.tokenTtlMs;
    const token = signToken({ sub: user, roles: record.roles, iss: issuer, aud: options.audience, iat: now, nbf: now, exp: expMs, jti: `${node.id}-${++counter}` }, options.key);
    const refreshToken = signToken({ sub: user, iss: issuer, aud: issuer, use: "refresh", iat: now, exp: now + refreshTtlMs, jti: `${node.id}-${++counter}` }, options.key);
    return { token, expMs, refreshToken };
  };
  node.on(
    "login",
    guardedHandler(node, { user: { type: "string", maxLength: 256 }, password: { type: "string", maxLength: 1024 } }, (msg) => {
      const { user, password } = msg.body as unknown as { user: string; password: string };
      const record = Object.prototype.hasOwnProperty.call(options.users, user) ? options.users[user] : undefined;
      if (!record || !checkPassword(record, password)) {
        stats.loginsRefused++;
        node.reply(msg, { type: "error", code: 401, text: "unknown user or wrong password" });
        return;
      }
      stats.logins++;
      const { token, expMs, refreshToken } = issue(user);
      node.reply(msg, { type: "login_ok", token, expMs, refreshToken });
    }),
  );
  const ownKeys = keySet([options.key]);
  node.on(
    "refresh",
    guardedHandler(node, { refreshToken: { type: "string", maxLength: 4096 } }, (msg) => {
      const v = verifyToken((msg.body as unknown as { refreshToken: string }).refreshToken, { keys: ownKeys, now: node.now(), issuer, audience: issuer });
      if (v.kind === "invalid" || v.claims.use !== "refresh" || !options.users[v.claims.sub]) {
        stats.refreshesRefused++;
        node.reply(msg, { type: "error", code: 401, text: `refresh refused: ${v.kind === "invalid" ? v.reason : "not a refresh token"}` });
        return;
      }
      stats.refreshes++;
      const { token, expMs } = issue(v.claims.sub);
      node.reply(msg, { type: "refresh_ok", token, expMs });
    }),
  );
  return { stats };
}

/** What {@link login} returns. */
export type LoginResult =
  | { kind: "ok"; token: string; expMs: number; refreshToken: string }
  | { kind: "refused"; text: string }
  | { kind: "timeout" };

/**
 * Log in at a token authority from a client node.
 *
 * @example
 * const r = await login(node, { authority: "auth", user: "alice", password: "wonderland" });
 * if (r.kind === "ok") token = r.token;
 */
export async function login(node: Node, options: { authority: string; user: string; password: string; timeoutMs?: number }): Promise<LoginResult> {
  try {
    const reply = await node.rpc(options.authority, { type: "login", user: options.user, password: options.password }, { timeoutMs: options.timeoutMs ?? 1000 });
    const body = reply.body as Record<string, any>;
    if (body.type === "login_ok") return { kind: "ok", token: body.token, expMs: body.expMs, refreshToken: body.refreshToken };
    return { kind: "refused", text: String(body.text) };
  } catch {
    return { kind: "timeout" };
  }
}
