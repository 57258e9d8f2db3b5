/**
 * Grader of exercise 12.1 (token verification and RBAC at a server). Each trial: the student's
 * server (clock off by 0.5–3 s in half of the trials), bystanders first, two grader clients, names,
 * issuer, audience, keys (HS256 secrets and Ed25519 pairs from the trial's seed), skew and role
 * table drawn per trial. The clients send 28–30 calls one after another (latency 5–15 ms, no
 * loss): valid tokens, boundary times, tampered and forged tokens, wrong claims, missing or
 * look-alike roles, malformed tokens and malformed bodies.
 *
 * The grader's oracle decides each call's right answer from the token and the server's clock at
 * the moment the request arrived (true arrival time + the clock's offset); every case is also
 * drawn so that its answer is the one it was built for, with a margin of 40–300 ms around the
 * time boundaries (the latency varies by ±5 ms). Each call must get that answer (call_ok with the
 * operation's result, or error 400 / 401 / 403), and the operation must have run exactly once for
 * an accepted call and never for a refused one.
 */
import { latency } from "../../../lib/net";
import type { Node } from "../../../lib/node";
import type { Prng } from "../../../lib/sim";
import { base64urlDecodeText, base64urlEncode } from "../../../lib/security/base64url";
import { createPrivateKey, createPublicKey, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from "node:crypto";
import { ed25519KeyPair, type Ed25519KeyPair } from "../../../lib/security/ed25519";
import { constantTimeEqual, hmacSha256, randomBytesFrom } from "../../../lib/security/hmac";
import type { VerificationKey } from "../../../lib/security/jws";
import type { Simulation } from "../../../lib/simulation";
import { formatMs } from "../../../lib/sim";
import { fail, graderRole, runScenarios, sentMessages, spawnBystanders, type CheckResult, type Scenario, type SentMessage } from "../index";
import type { ProtectedServerOptions } from "../../../exercises/12-security/token-server";

/** The module under test. */
export interface TokenServerApi {
  protectedServer(node: Node, options: ProtectedServerOptions): void;
}

/** Trials per seed (× 5 seeds = 135). */
export const TRIALS = 27;

/** What the trials met, for the meta tests. */
export interface TokenServerStats {
  trials: number;
  calls: number;
  accepted: number;
  /** Refusals by code. */
  refused400: number;
  refused401: number;
  refused403: number;
  /** Trials whose server clock was off. */
  skewedClocks: number;
  /** Calls whose answer depended on the skew (accepted only thanks to it, or refused just past it). */
  boundaryCalls: number;
}

/** What a call must get. */
type Outcome = "ok" | 400 | 401 | 403;

/** A signing key of the grader's issuer. */
type GraderKey = { kid: string; alg: "HS256"; secret: Uint8Array } | { kid: string; alg: "EdDSA"; pair: PoolPair };

/** An Ed25519 pair with node:crypto's key objects made once (making them is most of the cost). */
interface PoolPair extends Ed25519KeyPair {
  privateObject: KeyObject;
  publicObject: KeyObject;
}

/** Ed25519 pairs the trials draw from: made once per process, from fixed labels. */
let edPool: PoolPair[] | undefined;
function ed25519Pool(): PoolPair[] {
  edPool ??= Array.from({ length: 12 }, (_, i) => {
    const pair = ed25519KeyPair(`grader-12.1/${i}`);
    const privateObject = createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), pair.seed]), format: "der", type: "pkcs8" });
    return { ...pair, privateObject, publicObject: createPublicKey(privateObject) };
  });
  return edPool;
}

interface Params {
  server: string;
  clients: [string, string];
  bystanders: string[];
  issuer: string;
  audience: string;
  hsKeys: GraderKey[];
  edKeys: GraderKey[];
  /** A key the server does not know (forged tokens). */
  strangerHs: GraderKey;
  strangerEd: GraderKey;
  skewMs: number;
  clockOffsetMs: number;
  resource: string;
  roles: { reader: string; writer: string; admin: string; lookalike: string; stranger: string };
}

/** One call the grader makes: how to build it at send time, and what it was built to get. */
interface CallCase {
  label: string;
  intended: Outcome;
  /** Builds the body's token (and sometimes the whole body) for the expected server clock `nowMs`. */
  build(nowMs: number): { token?: unknown; op?: unknown; args?: unknown; bodyOverride?: Record<string, unknown> };
  /** The answer depends on the skew (for the statistics). */
  boundary?: boolean;
}

/** A call as it went. */
interface CallRecord {
  callId: string;
  client: string;
  kase: CallCase;
  body: Record<string, unknown>;
  reply?: Record<string, unknown>;
  /** Executions of the operation for this call. */
  runs: number;
  expectedResult?: unknown;
}

const SERVER_NAMES = ["server", "api", "bank", "reports", "s1", "gateway", "svc"];
const CLIENT_NAMES = ["alice", "bob", "carol", "dave", "client", "c1", "c2", "app"];
const RESOURCES = ["reports", "ledger", "orders", "docs", "payroll"];

function drawKey(rng: Prng, alg: "HS256" | "EdDSA", kid: string, taken: Set<number>): GraderKey {
  if (alg === "HS256") return { kid, alg, secret: randomBytesFrom(rng, 32) };
  const pool = ed25519Pool();
  let i = rng.int(0, pool.length);
  while (taken.has(i)) i = (i + 1) % pool.length;
  taken.add(i);
  return { kid, alg, pair: pool[i] };
}

function drawParams(rng: Prng, index: number): Params {
  const names = rng.shuffle(CLIENT_NAMES);
  const server = rng.pick(SERVER_NAMES);
  const tag = rng.int(1, 1000);
  const taken = new Set<number>();
  const hsKeys = Array.from({ length: rng.int(1, 3) }, (_, i) => drawKey(rng, "HS256", `hs-${tag}-${i}`, taken));
  const edKeys = Array.from({ length: rng.int(1, 3) }, (_, i) => drawKey(rng, "EdDSA", `ed-${tag}-${i}`, taken));
  const resource = rng.pick(RESOURCES);
  const offset = rng.int(500, 3001) * (rng.chance(0.5) ? 1 : -1);
  return {
    server,
    clients: [names[0], names[1]],
    bystanders: [`${server}-x`, names[2]],
    issuer: `https://auth-${tag}.example`,
    audience: `${resource}-api`,
    hsKeys,
    edKeys,
    strangerHs: drawKey(rng, "HS256", hsKeys[0].kid, taken),
    strangerEd: drawKey(rng, "EdDSA", `ed-${tag}-x`, taken),
    skewMs: rng.int(1000, 4001),
    clockOffsetMs: index % 2 === 1 ? offset : 0,
    resource,
    roles: { reader: `${resource}-reader`, writer: `${resource}-writer`, admin: "admin", lookalike: `${resource}-self-service`, stranger: "guest" },
  };
}

/** The role table: permissions of the look-alike role contain the reader's as a substring. */
function rolePermissions(p: Params): Record<string, string[]> {
  const r = p.resource;
  return {
    [p.roles.reader]: [`${r}:read`],
    [p.roles.writer]: [`${r}:read`, `${r}:write`],
    [p.roles.admin]: [`${r}:read`, `${r}:write`, `${r}:delete`],
    [p.roles.lookalike]: [`${r}:read-own`, `${r}:write-own`],
  };
}

const OPS = ["read", "write", "delete"] as const;
function permissionOf(p: Params, op: string): string {
  return `${p.resource}:${op}`;
}

// ---- minting -------------------------------------------------------------------------------

const b64json = (value: unknown): string => base64urlEncode(JSON.stringify(value));

function signWith(key: GraderKey, signingInput: string): string {
  return base64urlEncode(key.alg === "HS256" ? hmacSha256(key.secret, signingInput) : cryptoSign(null, Buffer.from(signingInput), key.pair.privateObject));
}

function mint(key: GraderKey, claims: Record<string, unknown>, header: Record<string, unknown> = { alg: key.alg, typ: "JWT", kid: key.kid }): string {
  const input = `${b64json(header)}.${b64json(claims)}`;
  return `${input}.${signWith(key, input)}`;
}

// ---- the oracle ------------------------------------------------------------------------------

function decodeSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(base64urlDecodeText(segment));
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function publicObjectOf(publicKey: Uint8Array): KeyObject {
  const hex = Buffer.from(publicKey).toString("hex");
  const found = ed25519Pool().find((k) => Buffer.from(k.publicKey).toString("hex") === hex);
  if (!found) throw new Error("grader: an Ed25519 public key outside the pool");
  return found.publicObject;
}

/**
 * The right answer to a call body at server clock `nowMs`, and why (the checks of the exercise,
 * in its order: body 400, token 401, roles 403).
 *
 * @example
 * oracle({ type: "call", token: "a.b", op: "read", args: {} }, options, 1000); // { outcome: 401, why: "the token has 2 segments, not 3" }
 */
export function oracle(body: Record<string, unknown>, options: ProtectedServerOptions, nowMs: number): { outcome: Outcome; why: string; sub?: string } {
  const own = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
  const { token, op, args } = body;
  if (typeof token !== "string") return { outcome: 400, why: "its token is not a string" };
  if (typeof op !== "string" || !own(options.operations, op)) return { outcome: 400, why: `its op ${JSON.stringify(op)} is not an operation of the server` };
  if (typeof args !== "object" || args === null || Array.isArray(args)) return { outcome: 400, why: "its args are not an object" };
  const parts = token.split(".");
  if (parts.length !== 3) return { outcome: 401, why: `the token has ${parts.length} segments, not 3` };
  const header = decodeSegment(parts[0]);
  if (!header) return { outcome: 401, why: "the header is not base64url of a JSON object" };
  const kid = header.kid;
  if (typeof kid !== "string" || !own(options.keys, kid)) return { outcome: 401, why: `kid ${JSON.stringify(kid)} names no key of the server` };
  const key = options.keys[kid];
  if (header.alg !== key.alg) return { outcome: 401, why: `the header says alg ${JSON.stringify(header.alg)} but key ${kid} is ${key.alg}` };
  const input = `${parts[0]}.${parts[1]}`;
  let good = false;
  try {
    const sig = new Uint8Array(Buffer.from(parts[2], "base64url"));
    if (!/^[A-Za-z0-9_-]*$/.test(parts[2])) good = false;
    else good = key.alg === "HS256" ? constantTimeEqual(hmacSha256(key.secret, input), sig) : sig.length === 64 && cryptoVerify(null, Buffer.from(input), publicObjectOf(key.publicKey), sig);
  } catch {
    good = false;
  }
  if (!good) return { outcome: 401, why: `its ${key.alg} signature does not match key ${kid} over segment0.segment1` };
  const c = decodeSegment(parts[1]);
  if (!c) return { outcome: 401, why: "the claims are not base64url of a JSON object" };
  if (typeof c.exp !== "number") return { outcome: 401, why: "it has no numeric exp" };
  if (nowMs >= c.exp + options.clockSkewMs) return { outcome: 401, why: `it expired: now ${formatMs(nowMs)} ≥ exp + skew = ${formatMs(c.exp + options.clockSkewMs)}` };
  if (c.nbf !== undefined && (typeof c.nbf !== "number" || nowMs < c.nbf - options.clockSkewMs)) {
    return { outcome: 401, why: `it is not valid yet: now ${formatMs(nowMs)} < nbf − skew = ${formatMs(Number(c.nbf) - options.clockSkewMs)}` };
  }
  if (c.iss !== options.issuer) return { outcome: 401, why: `its iss ${JSON.stringify(c.iss)} is not ${JSON.stringify(options.issuer)}` };
  const aud = Array.isArray(c.aud) ? c.aud : [c.aud];
  if (!aud.includes(options.audience)) return { outcome: 401, why: `its aud ${JSON.stringify(c.aud)} does not name ${JSON.stringify(options.audience)}` };
  if (typeof c.sub !== "string") return { outcome: 401, why: "its sub is not a string" };
  if (!Array.isArray(c.roles) || !c.roles.every((r) => typeof r === "string")) return { outcome: 401, why: "its roles are not an array of strings" };
  const needed = options.operations[op].permission;
  const grants = (c.roles as string[]).filter((r) => own(options.rolePermissions, r) && options.rolePermissions[r].includes(needed));
  if (grants.length === 0) {
    return { outcome: 403, why: `none of its roles ${JSON.stringify(c.roles)} grants ${needed} (the roles grant ${JSON.stringify((c.roles as string[]).flatMap((r) => (own(options.rolePermissions, r) ? options.rolePermissions[r] : [])))})` };
  }
  const skewMattered =
    nowMs >= c.exp || (typeof c.nbf === "number" && nowMs < c.nbf);
  return { outcome: "ok", why: `it is valid${skewMattered ? " (inside the skew)" : ""} and role ${grants[0]} grants ${needed}`, sub: c.sub };
}

// ---- the cases -------------------------------------------------------------------------------

function buildCases(rng: Prng, p: Params): CallCase[] {
  const keys = [...p.hsKeys, ...p.edKeys];
  // Mostly HMAC: an Ed25519 check costs ~20 times an HMAC, and the EdDSA cases below are explicit.
  const anyKey = (): GraderKey => (rng.chance(0.9) ? rng.pick(p.hsKeys) : rng.pick(keys));
  const hs = (): GraderKey => rng.pick(p.hsKeys);
  const ed = (): GraderKey => rng.pick(p.edKeys);
  const sub = (): string => rng.pick(["alice", "bob", "svc-billing", "u-" + rng.int(1, 999)]);
  const margin = (): number => rng.int(40, 301);
  const base = (now: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    iss: p.issuer,
    sub: sub(),
    aud: p.audience,
    iat: Math.round(now - rng.int(0, 5000)),
    exp: Math.round(now + rng.int(5_000, 60_000)),
    roles: [p.roles.writer],
    ...extra,
  });
  const op = (): string => rng.pick(OPS.slice(0, 2));
  const call = (label: string, intended: Outcome, token: (now: number) => unknown, opts: { op?: string; boundary?: boolean } = {}): CallCase => {
    const theOp = opts.op ?? op();
    return { label, intended, boundary: opts.boundary, build: (now) => ({ token: token(now), op: theOp, args: { amount: rng.int(1, 100) } }) };
  };
  const cases: CallCase[] = [
    call("a valid HS256 token", "ok", (n) => mint(hs(), base(n))),
    call("a valid EdDSA token", "ok", (n) => mint(ed(), base(n))),
    call("a valid token whose aud is an array naming the server", "ok", (n) => mint(anyKey(), base(n, { aud: [`other-${p.resource}`, p.audience] }))),
    call("a valid admin token", "ok", (n) => mint(anyKey(), base(n, { roles: ["guest", p.roles.admin] })), { op: "delete" }),
    call("a valid reader token reading", "ok", (n) => mint(anyKey(), base(n, { roles: [p.roles.reader] })), { op: "read" }),
    call("a token that expired less than the skew ago", "ok", (n) => mint(anyKey(), base(n, { exp: n - p.skewMs + margin() })), { boundary: true }),
    call("a token that expired just more than the skew ago", 401, (n) => mint(anyKey(), base(n, { exp: n - p.skewMs - margin() })), { boundary: true }),
    call("a token that expired long ago", 401, (n) => mint(anyKey(), base(n, { iat: n - 90_000, exp: n - p.skewMs - rng.int(5_000, 60_000) }))),
    call("a token whose nbf is less than the skew ahead", "ok", (n) => mint(anyKey(), base(n, { nbf: n + p.skewMs - margin() })), { boundary: true }),
    call("a token whose nbf is just more than the skew ahead", 401, (n) => mint(anyKey(), base(n, { nbf: n + p.skewMs + margin() })), { boundary: true }),
    call("a token whose nbf is far ahead", 401, (n) => mint(anyKey(), base(n, { nbf: n + p.skewMs + rng.int(5_000, 60_000), exp: n + 120_000 }))),
    call("a reader token with its claims replaced (roles escalated to admin), signature kept", 401, (n) => {
      const key = anyKey();
      const claims = base(n, { roles: [p.roles.reader] });
      const [h, , s] = mint(key, claims).split(".");
      return `${h}.${b64json({ ...claims, roles: [p.roles.admin] })}.${s}`;
    }, { op: "delete" }),
    call("a token with the header changed to another kid of the same algorithm", 401, (n) => {
      const pool = rng.chance(0.5) && p.hsKeys.length > 1 ? p.hsKeys : p.edKeys.length > 1 ? p.edKeys : undefined;
      const [a, b] = pool ? rng.shuffle(pool) : [hs(), { ...hs(), kid: "nope" } as GraderKey];
      const [, c, s] = mint(a, base(n)).split(".");
      return `${b64json({ alg: b.alg, typ: "JWT", kid: b.kid })}.${c}.${s}`;
    }),
    call('an unsigned token: alg "none" and an empty signature', 401, (n) => `${b64json({ alg: "none", typ: "JWT", kid: anyKey().kid })}.${b64json(base(n, { roles: [p.roles.admin] }))}.`, { op: "delete" }),
    call("algorithm confusion: HS256 keyed with the Ed25519 public key of the kid", 401, (n) => {
      const key = ed();
      if (key.alg !== "EdDSA") throw new Error("grader: EdDSA key expected");
      const input = `${b64json({ alg: "HS256", typ: "JWT", kid: key.kid })}.${b64json(base(n, { roles: [p.roles.admin] }))}`;
      return `${input}.${base64urlEncode(hmacSha256(key.pair.publicKey, input))}`;
    }, { op: "delete" }),
    call("a token with a kid the server does not know", 401, (n) => mint(p.strangerEd, base(n))),
    call("a token signed with the wrong HS256 secret under a known kid", 401, (n) => mint(p.strangerHs, base(n))),
    call("an EdDSA token signed by another key under a known kid", 401, (n) => {
      const key = ed();
      return mint(p.strangerEd, base(n), { alg: "EdDSA", typ: "JWT", kid: key.kid });
    }),
    call("a token for another audience", 401, (n) => mint(anyKey(), base(n, { aud: rng.pick([`${p.audience}-staging`, "billing-api", [`x-${p.audience}`]]) }))),
    call("a token of another issuer", 401, (n) => mint(anyKey(), base(n, { iss: rng.pick([`${p.issuer}.evil`, "https://auth.example", p.issuer.toUpperCase()]) }))),
    call("a reader token calling write", 403, (n) => mint(anyKey(), base(n, { roles: [p.roles.reader] })), { op: "write" }),
    call("a token whose role only grants permissions that contain the needed one as a substring", 403, (n) => mint(anyKey(), base(n, { roles: [p.roles.lookalike] })), { op: rng.pick(["read", "write"]) }),
    call("a token with no roles", 403, (n) => mint(anyKey(), base(n, { roles: [] }))),
    call("a token with a role the server does not know", 403, (n) => mint(anyKey(), base(n, { roles: [p.roles.stranger, `${p.roles.admin}s`] })), { op: "delete" }),
    call("a token of two segments", 401, (n) => mint(anyKey(), base(n)).split(".").slice(0, 2).join(".")),
    call("a token with a character outside base64url in its claims", 401, (n) => {
      const [h, c, s] = mint(anyKey(), base(n)).split(".");
      const at = rng.int(1, c.length - 1);
      return `${h}.${c.slice(0, at)}${rng.pick(["!", "*", "=", "+", "/"])}${c.slice(at)}.${s}`;
    }),
    call("a token whose header is not JSON", 401, () => `${base64urlEncode(rng.pick(["alg=HS256", "{alg:HS256", "[1,2"]))}.${b64json({ sub: "x" })}.AAAA`),
  ];
  const malformed: CallCase[] = [
    { label: "a body without a token", intended: 400, build: () => ({ op: "read", args: {} }) },
    { label: "a body whose token is a number", intended: 400, build: () => ({ token: rng.int(1, 1e6), op: "read", args: {} }) },
    { label: "a body whose token is an object", intended: 400, build: () => ({ token: { alg: "none" }, op: "read", args: {} }) },
    { label: "a body whose op is unknown", intended: 400, build: (n) => ({ token: mint(anyKey(), base(n)), op: rng.pick(["drop", "toString", "__proto__"]), args: {} }) },
    { label: "a body whose op is missing", intended: 400, build: (n) => ({ token: mint(anyKey(), base(n)), args: {} }) },
    { label: "a body whose args are null", intended: 400, build: (n) => ({ token: mint(anyKey(), base(n)), op: "read", args: null }) },
    { label: "a body whose args are an array", intended: 400, build: (n) => ({ token: mint(anyKey(), base(n)), op: "read", args: [1, 2] }) },
  ];
  return rng.shuffle([...cases, ...rng.shuffle(malformed).slice(0, rng.int(1, 4))]);
}

// ---- the scenario ----------------------------------------------------------------------------

function verificationKeys(p: Params): Record<string, VerificationKey> {
  const out: Record<string, VerificationKey> = {};
  for (const k of [...p.hsKeys, ...p.edKeys]) out[k.kid] = k.alg === "HS256" ? { alg: "HS256", secret: k.secret } : { alg: "EdDSA", publicKey: k.pair.publicKey };
  return out;
}

function decodeForReport(token: unknown): string {
  if (typeof token !== "string") return `token ${JSON.stringify(token) ?? "undefined"}`;
  const parts = token.split(".");
  const show = (s: string | undefined): string => {
    if (s === undefined) return "(missing)";
    try {
      return base64urlDecodeText(s);
    } catch {
      return `(not base64url: "${s.length > 24 ? s.slice(0, 23) + "…" : s}")`;
    }
  };
  return `header ${show(parts[0])}, claims ${show(parts[1])}`;
}

function describeReply(reply: Record<string, unknown> | undefined): string {
  if (reply === undefined) return "no reply";
  if (reply.type === "call_ok") return `call_ok result=${JSON.stringify(reply.result)}`;
  if (reply.type === "error") return `error ${JSON.stringify(reply.code)} (${JSON.stringify(reply.text)})`;
  return `a ${JSON.stringify(reply.type)} reply`;
}

async function runTrial(sim: Simulation, impl: TokenServerApi, p: Params, rng: Prng, stats?: TokenServerStats): Promise<void> {
  const runsById = new Map<string, number>();
  const results = new Map<string, unknown>();
  let executions = 0;
  const operations: ProtectedServerOptions["operations"] = {};
  for (const op of OPS) {
    operations[op] = {
      permission: permissionOf(p, op),
      run: (args: Record<string, unknown>, subject: string) => {
        const id = String((args as { callId?: unknown }).callId ?? "?");
        runsById.set(id, (runsById.get(id) ?? 0) + 1);
        executions++;
        const result = { op, by: subject, receipt: `${p.resource}-${op}-${executions}` };
        results.set(id, result);
        return result;
      },
    };
  }
  const options: ProtectedServerOptions = {
    issuer: p.issuer,
    audience: p.audience,
    keys: verificationKeys(p),
    clockSkewMs: p.skewMs,
    rolePermissions: rolePermissions(p),
    operations,
  };
  spawnBystanders(sim, p.bystanders);
  sim.spawn(p.server, (node) => impl.protectedServer(node, options), p.clockOffsetMs !== 0 ? { role: "server", clock: { offsetMs: p.clockOffsetMs } } : { role: "server" });
  const cases = buildCases(rng, p);
  const records: CallRecord[] = [];
  const clients = p.clients.map((id) => sim.spawn(id, () => {}, { role: graderRole("client") }));
  const half = Math.ceil(cases.length / 2);
  const drive = async (client: Node, mine: CallCase[]): Promise<void> => {
    for (const kase of mine) {
      await client.sleep(rng.int(1, 20));
      const callId = `${client.id}-${records.length + 1}-${rng.int(0, 1000)}`;
      // The token is built for the server's clock when the request should arrive (latency 5–15 ms).
      const built = kase.build(sim.now() + 10 + p.clockOffsetMs);
      const body: Record<string, unknown> = { type: "call", callId };
      if ("token" in built) body.token = built.token;
      if ("op" in built) body.op = built.op;
      if ("args" in built) {
        const args = built.args;
        body.args = typeof args === "object" && args !== null && !Array.isArray(args) ? { ...args, callId } : args;
      }
      const record: CallRecord = { callId, client: client.id, kase, body, runs: 0 };
      records.push(record);
      try {
        const reply = await client.rpc(p.server, body as { type: string }, { timeoutMs: 300 });
        record.reply = reply.body as Record<string, unknown>;
      } catch {
        record.reply = undefined;
      }
    }
  };
  const done = Promise.all([drive(clients[0], cases.slice(0, half)), drive(clients[1], cases.slice(half))]);
  await sim.runUntilSettled(done, { withinMs: 60_000 });
  await sim.runFor(500);
  judge(sim, p, options, records, runsById, results, stats);
}

function judge(
  sim: Simulation,
  p: Params,
  options: ProtectedServerOptions,
  records: CallRecord[],
  runsById: Map<string, number>,
  results: Map<string, unknown>,
  stats?: TokenServerStats,
): void {
  const events = sim.trace.events;
  const sent = sentMessages(events);
  const requests = new Map<string, SentMessage>();
  for (const m of sent) if (m.send.type === "call" && typeof m.body.callId === "string") requests.set(m.body.callId, m);
  // msg_ids count per node: a reply is known by its destination and in_reply_to.
  const replyTo = new Map<string, SentMessage>();
  const replies = sent.filter((m) => m.send.src === p.server && m.send.inReplyTo !== undefined);
  for (const m of replies) if (!replyTo.has(`${m.send.dest}#${m.send.inReplyTo}`)) replyTo.set(`${m.send.dest}#${m.send.inReplyTo}`, m);
  const clock = p.clockOffsetMs === 0 ? "" : ` (true time + ${p.clockOffsetMs} ms: your clock is off)`;
  const ordered = records
    .map((r) => ({ r, request: requests.get(r.callId)! }))
    .sort((a, b) => (a.request.delivered[0]?.event.timeMs ?? Infinity) - (b.request.delivered[0]?.event.timeMs ?? Infinity));
  if (stats) {
    stats.trials++;
    if (p.clockOffsetMs !== 0) stats.skewedClocks++;
  }
  for (const { r, request } of ordered) {
    const arrival = request.delivered[0]?.event.timeMs;
    if (arrival === undefined) throw new Error(`grader: call ${r.callId} never arrived`);
    const serverNow = arrival + p.clockOffsetMs;
    const right = oracle(r.body, options, serverNow);
    if (right.outcome !== r.kase.intended) throw new Error(`grader: case "${r.kase.label}" was built for ${r.kase.intended} but the oracle says ${right.outcome} (${right.why})`);
    const reply = replyTo.get(`${request.send.src}#${request.send.msgId}`);
    const replyBody = reply?.body;
    const runs = runsById.get(r.callId) ?? 0;
    if (stats) {
      stats.calls++;
      if (right.outcome === "ok") stats.accepted++;
      else if (right.outcome === 400) stats.refused400++;
      else if (right.outcome === 401) stats.refused401++;
      else stats.refused403++;
      if (r.kase.boundary) stats.boundaryCalls++;
    }
    const what = `${r.client}'s call ${JSON.stringify(r.callId)} (op ${JSON.stringify(r.body.op)}): ${r.kase.label}; ${decodeForReport(r.body.token)}; it reached ${p.server} at t=${formatMs(arrival)}, when node.clock() read ${formatMs(serverNow)}${clock}; skew ${p.skewMs} ms`;
    const evidence = [request.send.id, ...(reply ? [reply.send.id] : [])];
    const at = { timeMs: reply?.send.timeMs ?? arrival, node: p.server, evidence };
    const expectedText =
      right.outcome === "ok"
        ? `${p.server} to run the operation once and answer call_ok with its result, because ${right.why} — for ${what}`
        : `${p.server} to answer error ${right.outcome} and run nothing, because ${right.why} — for ${what}`;
    const gotRuns = runs === 0 ? "the operation did not run" : `the operation ran ${runs === 1 ? "once" : `${runs} times`}`;
    const got = `${describeReply(replyBody)}; ${gotRuns}`;
    if (right.outcome === "ok") {
      const okReply = replyBody?.type === "call_ok" && JSON.stringify(replyBody.result) === JSON.stringify(results.get(r.callId));
      if (!okReply || runs !== 1) fail(expectedText, got, at);
    } else {
      const errReply = replyBody?.type === "error" && replyBody.code === right.outcome && typeof replyBody.text === "string";
      if (!errReply || runs !== 0) fail(expectedText, got, at);
    }
  }
  // Nothing after the last answer: one reply per call.
  const extra = replies.find((m) => replyTo.get(`${m.send.dest}#${m.send.inReplyTo}`) !== m);
  if (extra) fail(`one reply from ${p.server} per call`, `a second reply to ${extra.send.dest}'s #${extra.send.inReplyTo}`, { timeMs: extra.send.timeMs, node: p.server, evidence: [extra.send.id] });
}

/**
 * Grade exercise 12.1 with one seed.
 *
 * @example
 * const result = await checkTokenServer(await loadModule("solutions/12-security/token-server"), 7);
 */
export function checkTokenServer(impl: TokenServerApi, seed: number, stats?: TokenServerStats): Promise<CheckResult> {
  const scenario: Scenario<TokenServerApi, Params & { rng: Prng }> = {
    name: (p) =>
      `your server ${p.server} (skew ${p.skewMs} ms, ${p.clockOffsetMs === 0 ? "clock right" : `clock off by ${p.clockOffsetMs} ms`}) against the grader's clients ${p.clients.join(" and ")}; latency 5–15 ms`,
    trials: TRIALS,
    params: (trial) => ({ ...drawParams(trial.rng, trial.index), rng: trial.rng }),
    simulation: { network: { latency: latency.uniform(5, 15) } },
    run: (sim, impl, p) => runTrial(sim, impl, p, p.rng, stats),
  };
  return runScenarios(impl, seed, [scenario], { functions: ["protectedServer"], exercise: "12.1 token-server" });
}
