/**
 * Grader of exercise 13.1, layer (a): the student's `handlePost` against a PostContext the grader
 * controls. Each trial: the student's handler serves `post` on a front-end node (its clock off by
 * 0.5–3 s in half of the trials), `ctx.append` is an rpc to the grader's log node, `ctx.lookup`
 * an rpc to the grader's history store, and three grader clients send ~22 posts (latency 1–5 ms,
 * no loss). Names, rooms, users, keys, audience, partitions, offsets and catchUpMs (150–600 ms)
 * are drawn per trial.
 *
 * The log acknowledges an append after 2–25 ms (or refuses it, for one post), with the next
 * offset of the key's partition; the history holds a message under the append's KEY (the
 * materializer's room) at the seq of its FIRST copy, from the ack on plus a lag the grader chose:
 * 0, a few ms, half of catchUpMs, never. Retried posts have a first copy at a seq below every
 * offset of the trial (already in the history, or reaching it after a lag). The oracle is lib's
 * own `parsePost` and `verifyToken` at the front-end's clock when the request arrived.
 *
 * Each post must get the right answer — post_ok with the history's seq, 12, 14 or 11 — after
 * the right append (keyed by the room, the token's sub as user) or none; a post_ok only after the
 * log acknowledged; an 11 for "the history never held it" neither before catchUpMs nor much after.
 */
import { latency } from "../../../lib/net";
import type { Node } from "../../../lib/node";
import { formatMs, type Prng } from "../../../lib/sim";
import type { Simulation } from "../../../lib/simulation";
import { base64urlEncode } from "../../../lib/security/base64url";
import { ed25519KeyPair } from "../../../lib/security/ed25519";
import { randomBytesFrom } from "../../../lib/security/hmac";
import { eddsaKey, hs256Key, keySet, signToken, verifyToken, type SigningKey, type TokenClaims } from "../../../lib/security/jws";
import { CHAT_ERRORS, parsePost } from "../../../lib/casestudy/wire";
import type { ChatRecord, PostContext, PostHandler } from "../../../lib/casestudy/post";
import { fail, graderRole, runScenarios, sentMessages, throwEarliest, trialsPerSeed, type CheckResult, type Scenario, type SentMessage } from "../index";
import { exercise } from "../exercises";

/** The module under test. */
export interface PostApi {
  handlePost: PostHandler;
}
type Implements<T extends PostApi> = T;
export type StubImplementsPost = Implements<typeof import("../../../exercises/13-case-study/post")>;
export type SolutionImplementsPost = Implements<typeof import("../../../solutions/13-case-study/post")>;

/** Trials per seed (× 5 seeds = 135). */
export const TRIALS = trialsPerSeed(exercise("13.1").seeds.length);

/** How much later than catchUpMs (after the append's ack) an "it never showed" 11 may come. */
export const LATE_SLACK_MS = 100;

/** What the trials met, for the meta tests. */
export interface PostStats {
  trials: number;
  posts: number;
  /** post_ok expected, by where the seq comes from. */
  fresh: number;
  retries: number;
  /** Expected 12 / 14 / 11. */
  malformed: number;
  unauthorized: number;
  unavailable: number;
  /** Trials whose front-end clock was off, and posts whose answer depended on it. */
  skewedClocks: number;
  boundaryPosts: number;
  /** Lookups the grader's history store answered (or failed). */
  lookups: number;
}

/** What a post must get. */
type Kind =
  | "fresh" //        post_ok with the offset of its (first) append, once the history shows it
  | "held" //         a retry: the history already holds the first copy at `firstSeq`
  | "in-log" //       a retry: the first copy is in the log and reaches the history after the lag
  | "refused" //      12 or 14, no append
  | "log-down" //     the log refuses the append: 11
  | "never" //        the history never shows it: 11, not before catchUpMs
  | "flaky"; //       the history store fails the first lookups: post_ok (or 11)

interface PostCase {
  label: string;
  kind: Kind;
  /** For "refused": the code the oracle must agree with. */
  code?: number;
  room: string;
  id: string;
  sub: string;
  text: string;
  /** The body, built at send time for the front-end's clock reading at arrival. */
  body(clockMs: number): Record<string, unknown>;
  appendDelayMs: number;
  /** After the ack, how long until the history holds it (Infinity: never). */
  lagMs: number;
  firstSeq?: number;
  failLookups?: number;
  boundary?: boolean;
}

interface Params {
  fe: string;
  log: string;
  history: string;
  clients: string[];
  rooms: string[];
  users: string[];
  audience: string;
  catchUpMs: number;
  clockOffsetMs: number;
  partitions: number;
  /** First offset of every partition: retried posts' first copies lie below it. */
  offsetBase: number;
  hs: SigningKey[];
  ed: SigningKey;
  /** Keys the front-end does not have. */
  strangerSameKid: SigningKey;
  strangerOtherKid: SigningKey;
  strangerEd: SigningKey;
}

const FE_NAMES = ["fe1", "f1", "front-1", "frontend", "chat-fe", "fe-b"];
const LOG_NAMES = ["log", "rooms-log", "b1", "broker"];
const HISTORY_NAMES = ["history", "h1", "store", "rooms-store"];
const CLIENT_NAMES = ["c1", "c2", "c3", "app", "web", "mobile", "cli"];
const ROOMS = ["general", "random", "r1", "r2", "ops", "lobby", "dev", "room-7"];
const USERS = ["ada", "bob", "cy", "dee", "eve", "u-17"];
const AUDIENCES = ["chat", "chat", "chat-eu", "rooms-api"];
const TEXT_MAX = 1000;

/** Ed25519 pairs drawn per trial: made once per process (making them is most of the cost). */
let edPool: ReturnType<typeof ed25519KeyPair>[] | undefined;
function edPair(rng: Prng): ReturnType<typeof ed25519KeyPair> {
  edPool ??= Array.from({ length: 6 }, (_, i) => ed25519KeyPair(`grader-13.1/${i}`));
  return rng.pick(edPool);
}

function drawParams(rng: Prng, index: number): Params {
  const names = rng.shuffle(CLIENT_NAMES);
  const tag = rng.int(1, 1000);
  const hsCount = rng.int(1, 3);
  const hs = Array.from({ length: hsCount }, (_, i) => hs256Key(`hs-${tag}-${i}`, randomBytesFrom(rng, 32)));
  const ed = eddsaKey(`ed-${tag}`, edPair(rng));
  let strangerEd = eddsaKey(ed.kid, edPair(rng));
  if (strangerEd.alg === "EdDSA" && ed.alg === "EdDSA" && strangerEd.keyPair === ed.keyPair) strangerEd = eddsaKey(ed.kid, ed25519KeyPair(`grader-13.1/stranger-${tag}`));
  const offset = rng.int(500, 3001) * (rng.chance(0.5) ? 1 : -1);
  return {
    fe: rng.pick(FE_NAMES),
    log: rng.pick(LOG_NAMES),
    history: rng.pick(HISTORY_NAMES),
    clients: names.slice(0, 3),
    rooms: rng.shuffle(ROOMS).slice(0, rng.int(2, 5)),
    users: rng.shuffle(USERS).slice(0, 3),
    audience: rng.pick(AUDIENCES),
    catchUpMs: rng.int(150, 601),
    clockOffsetMs: index % 2 === 1 ? offset : 0,
    partitions: rng.int(3, 9),
    offsetBase: rng.int(60, 900),
    hs,
    ed,
    strangerSameKid: hs256Key(hs[0].kid, randomBytesFrom(rng, 32)),
    strangerOtherKid: hs256Key(`hs-${tag}-x`, randomBytesFrom(rng, 32)),
    strangerEd,
  };
}

/** The log's partitioner: FNV-1a of the key, modulo the partitions. */
function partitionOf(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % partitions;
}

const b64json = (value: unknown): string => base64urlEncode(JSON.stringify(value));

function buildCases(rng: Prng, p: Params): PostCase[] {
  let n = 0;
  const C = p.catchUpMs;
  const nextId = (client: string): string => `${client}:${rng.int(1, 9999)}-${++n}`;
  const claims = (clock: number, sub: string, extra: Partial<TokenClaims> = {}): TokenClaims => ({
    sub,
    aud: p.audience,
    iat: Math.round(clock - rng.int(0, 20_000)),
    exp: Math.round(clock + rng.int(20_000, 120_000)),
    ...extra,
  });
  const cases: PostCase[] = [];
  const add = (
    label: string,
    kind: Kind,
    token: (clock: number, sub: string) => unknown,
    opts: { code?: number; lagMs?: number; firstSeq?: number; failLookups?: number; boundary?: boolean; shape?: (body: Record<string, unknown>) => Record<string, unknown> } = {},
  ): void => {
    const sub = rng.pick(p.users);
    const room = rng.pick(p.rooms);
    const id = nextId(rng.pick(p.clients));
    const text = rng.pick(["hi", "hello all", "lunch?", "deploy done", "brb", ""]) + (rng.chance(0.5) ? ` #${rng.int(1, 99)}` : "");
    cases.push({
      label,
      kind,
      code: opts.code,
      room,
      id,
      sub,
      text,
      body: (clock) => {
        const body: Record<string, unknown> = { type: "post", token: token(clock, sub), room, id, text };
        return opts.shape ? opts.shape(body) : body;
      },
      appendDelayMs: rng.int(2, 26),
      lagMs: opts.lagMs ?? 0,
      firstSeq: opts.firstSeq,
      failLookups: opts.failLookups,
      boundary: opts.boundary,
    });
  };
  const hs = (): SigningKey => rng.pick(p.hs);
  const valid = (clock: number, sub: string): string => signToken(claims(clock, sub), hs());
  const earlier = (): number => p.offsetBase - rng.int(1, 50);

  // Posts that must be accepted.
  add("a fresh post; the history shows it as soon as the log acknowledged it", "fresh", valid, { lagMs: 0 });
  add("a fresh post; the history shows it a few ms after the log acknowledged it", "fresh", valid, { lagMs: rng.int(8, 41) });
  add("a fresh post; the history shows it only after half of catchUpMs", "fresh", valid, { lagMs: Math.round(C * rng.uniform(0.3, 0.55)) });
  add("a fresh post with an EdDSA token", "fresh", (clock, sub) => signToken(claims(clock, sub), p.ed), { lagMs: rng.int(0, 20) });
  add("a fresh post whose token's aud is an array naming the service", "fresh", (clock, sub) => signToken(claims(clock, sub, { aud: ["billing", p.audience] }), hs()), { lagMs: rng.int(0, 20) });
  add("a fresh post whose body also names a user (who posts is the token's sub)", "fresh", valid, {
    lagMs: rng.int(0, 20),
    shape: (b) => ({ ...b, user: rng.pick(["mallory", "admin", "root"]) }),
  });
  add("a retry of a post whose first copy the history already holds (it went through another front-end)", "held", valid, { firstSeq: earlier() });
  add("a retry of a post whose first copy is in the log and reaches the history a little later", "in-log", valid, {
    firstSeq: earlier(),
    lagMs: rng.int(10, Math.round(C * 0.4)),
  });
  add("a post; the history store fails its first lookups (no quorum), then shows it", "flaky", valid, { failLookups: rng.int(1, 4), lagMs: rng.int(0, 15) });
  add("a post the log refuses (not enough in-sync replicas)", "log-down", valid);
  add("a post the history never shows (its materializer is stuck)", "never", valid, { lagMs: Infinity });
  if (p.clockOffsetMs > 0) {
    add("a token that expired by the front-end's clock (its clock is ahead), not yet by the true time", "refused", (clock, sub) => signToken(claims(clock, sub, { exp: Math.round(clock - p.clockOffsetMs / 2) }), hs()), { code: 14, boundary: true });
  } else if (p.clockOffsetMs < 0) {
    add("a token still valid by the front-end's clock (its clock is behind), expired by the true time", "fresh", (clock, sub) => signToken(claims(clock, sub, { exp: Math.round(clock - p.clockOffsetMs / 2) }), hs()), { lagMs: rng.int(0, 20), boundary: true });
  }

  // Tokens that must be refused (14), never appended.
  const refuse = (label: string, token: (clock: number, sub: string) => unknown): void => add(label, "refused", token, { code: CHAT_ERRORS.unauthorized });
  refuse("a token that expired long ago", (clock, sub) => signToken(claims(clock, sub, { iat: clock - 200_000, exp: Math.round(clock - rng.int(5_000, 60_000)) }), hs()));
  refuse("a token not valid yet (nbf ahead)", (clock, sub) => signToken(claims(clock, sub, { nbf: Math.round(clock + rng.int(5_000, 60_000)) }), hs()));
  refuse("a token for another audience", (clock, sub) => signToken(claims(clock, sub, { aud: rng.pick(p.audience === "chat" ? ["chat-admin", "billing", "rooms-api"] : ["chat", "billing", `${p.audience}-staging`]) }), hs()));
  refuse('an unsigned token (alg "none")', (clock, sub) => `${b64json({ alg: "none", typ: "JWT", kid: hs().kid })}.${b64json(claims(clock, sub))}.`);
  refuse("a token signed with the wrong secret under a known kid", (clock, sub) => signToken(claims(clock, sub), p.strangerSameKid));
  refuse("a token from a key the front-end does not know", (clock, sub) => signToken(claims(clock, sub), p.strangerOtherKid));
  refuse("an EdDSA token signed by another key under the known kid", (clock, sub) => signToken(claims(clock, sub), p.strangerEd));
  refuse("a token whose claims were changed (sub replaced), signature kept", (clock, sub) => {
    const [h, , s] = signToken(claims(clock, sub), hs()).split(".");
    return `${h}.${b64json(claims(clock, rng.pick(["admin", "root", "mallory"])))}.${s}`;
  });
  refuse("a token that is not a JWS at all", () => rng.pick(["not-a-token", "a.b", "Bearer x.y.z"]));

  // Malformed bodies (12), never appended.
  const malformed: Array<[string, (b: Record<string, unknown>) => Record<string, unknown>]> = [
    ["a body without a token", ({ token: _t, ...b }) => b],
    ["a body whose room is empty", (b) => ({ ...b, room: "" })],
    ["a body whose room is a number", (b) => ({ ...b, room: rng.int(1, 99) })],
    ["a body whose id is a number", (b) => ({ ...b, id: rng.int(1, 99) })],
    ["a body without a text", ({ text: _t, ...b }) => b],
    [`a body whose text is longer than ${TEXT_MAX} characters`, (b) => ({ ...b, text: "x".repeat(TEXT_MAX + rng.int(1, 50)) })],
  ];
  for (const [label, shape] of rng.shuffle(malformed).slice(0, 2)) add(label, "refused", valid, { code: CHAT_ERRORS.malformed, shape });
  return rng.shuffle(cases);
}

// ---- the run -----------------------------------------------------------------------------

interface HistoryEntry {
  seq: number;
  fromMs: number;
}

interface LogState {
  next: number[];
  history: Map<string, HistoryEntry>;
  lookups: Map<string, number>;
}

const histKey = (room: unknown, id: unknown): string => `${JSON.stringify(room)}\u0000${JSON.stringify(id)}`;

/** A promise whose rejection counts as seen (a handler that does not await it must not crash the run). */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

function frontEndContext(node: Node, p: Params, keys: PostContext["keys"]): PostContext {
  return {
    node,
    keys,
    audience: p.audience,
    catchUpMs: p.catchUpMs,
    append: (key: string, value: ChatRecord) =>
      handled(
        (async () => {
          const reply = await node.rpc(p.log, { type: "append", key, value } as { type: string }, { timeoutMs: 5000 });
          const b = reply.body as Record<string, unknown>;
          if (b.type !== "append_ok") throw new Error(`the log refused the append: ${String(b.text)}`);
          return { partition: b.partition as number, offset: b.offset as number };
        })(),
      ),
    lookup: (room: string, id: string) =>
      handled(
        (async () => {
          const reply = await node.rpc(p.history, { type: "lookup", room, id } as { type: string }, { timeoutMs: 5000 });
          const b = reply.body as Record<string, unknown>;
          if (b.type !== "lookup_ok") throw new Error(`the history store did not answer: ${String(b.text)}`);
          return typeof b.seq === "number" ? b.seq : undefined;
        })(),
      ),
  };
}

/** What the handler returned, as a reply body the node can send. */
function asReply(value: unknown): Record<string, unknown> & { type: string } {
  if (typeof value === "object" && value !== null && !Array.isArray(value) && typeof (value as { type?: unknown }).type === "string") {
    const { msg_id: _m, in_reply_to: _r, ...rest } = value as Record<string, unknown> & { type: string };
    return rest as Record<string, unknown> & { type: string };
  }
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return { type: "not_a_reply", returned: text.slice(0, 60) };
}

async function runTrial(sim: Simulation, impl: PostApi, p: Params, rng: Prng, stats?: PostStats): Promise<void> {
  const cases = buildCases(rng, p);
  const caseById = new Map(cases.map((c) => [c.id, c]));
  const keys = keySet([...p.hs, p.ed]);
  const state: LogState = { next: Array.from({ length: p.partitions }, () => p.offsetBase + rng.int(0, 40)), history: new Map(), lookups: new Map() };
  for (const c of cases) if (c.kind === "held") state.history.set(histKey(c.room, c.id), { seq: c.firstSeq!, fromMs: 0 });

  sim.spawn(
    p.log,
    (node) => {
      node.on("append", async (msg) => {
        const body = msg.body as Record<string, unknown>;
        const value = body.value as Record<string, unknown> | undefined;
        const id = typeof value === "object" && value !== null ? value.id : undefined;
        const kase = typeof id === "string" ? caseById.get(id) : undefined;
        await node.sleep(kase?.appendDelayMs ?? 5);
        if (kase?.kind === "log-down") {
          node.reply(msg, { type: "error", code: CHAT_ERRORS.unavailable, text: "not enough in-sync replicas" });
          return;
        }
        const partition = partitionOf(String(body.key), p.partitions);
        const offset = state.next[partition]++;
        const hk = histKey(body.key, id);
        if (!state.history.has(hk)) state.history.set(hk, { seq: kase?.firstSeq ?? offset, fromMs: node.now() + (kase?.lagMs ?? 0) });
        node.reply(msg, { type: "append_ok", partition, offset });
      });
    },
    { role: graderRole("log") },
  );
  sim.spawn(
    p.history,
    (node) => {
      node.on("lookup", (msg) => {
        const { room, id } = msg.body as Record<string, unknown>;
        const kase = typeof id === "string" ? caseById.get(id) : undefined;
        const count = (state.lookups.get(String(id)) ?? 0) + 1;
        state.lookups.set(String(id), count);
        if (stats) stats.lookups++;
        if (kase?.failLookups !== undefined && count <= kase.failLookups) {
          node.reply(msg, { type: "error", code: CHAT_ERRORS.unavailable, text: "no read quorum" });
          return;
        }
        const entry = state.history.get(histKey(room, id));
        node.reply(msg, { type: "lookup_ok", seq: entry !== undefined && node.now() >= entry.fromMs ? entry.seq : null });
      });
    },
    { role: graderRole("history-store") },
  );
  sim.spawn(
    p.fe,
    (node) => {
      const ctx = frontEndContext(node, p, keys);
      node.on("post", async (msg) => {
        const reply = await impl.handlePost(ctx, msg.body);
        node.reply(msg, asReply(reply));
      });
    },
    p.clockOffsetMs !== 0 ? { role: "front-end", clock: { offsetMs: p.clockOffsetMs } } : { role: "front-end" },
  );

  const perClient = p.clients.map((_, i) => cases.filter((_, k) => k % p.clients.length === i));
  const bodies = new Map<PostCase, Record<string, unknown>>();
  const clients = p.clients.map((id) => sim.spawn(id, () => {}, { role: graderRole("client") }));
  const drive = async (client: Node, mine: PostCase[]): Promise<void> => {
    for (const kase of mine) {
      await client.sleep(rng.int(1, 15));
      const body = kase.body(sim.now() + 3 + p.clockOffsetMs);
      bodies.set(kase, body);
      try {
        await client.rpc(p.fe, body as { type: string }, { timeoutMs: p.catchUpMs + 2000 });
      } catch {
        // judged from the trace
      }
    }
  };
  const done = Promise.all(clients.map((c, i) => drive(c, perClient[i])));
  await sim.runUntilSettled(done, { withinMs: 60_000 });
  await sim.runFor(300); // run past settle: nothing more may happen
  judge(sim, p, keys, perClient, bodies, state, stats);
}

// ---- the judge ---------------------------------------------------------------------------

function describeReplyBody(b: Record<string, unknown> | undefined): string {
  if (b === undefined) return "no reply";
  if (b.type === "post_ok") return `post_ok room=${JSON.stringify(b.room)} seq=${JSON.stringify(b.seq)}`;
  if (b.type === "error") return `error ${JSON.stringify(b.code)} (${JSON.stringify(typeof b.text === "string" && b.text.length > 60 ? b.text.slice(0, 59) + "…" : b.text)})`;
  if (b.type === "append_ok") return `append_ok partition=${JSON.stringify(b.partition)} offset=${JSON.stringify(b.offset)}`;
  if (b.type === "not_a_reply") return `a handler result that is not a reply body: ${String(b.returned)}`;
  return `a ${JSON.stringify(b.type)} reply`;
}

function tokenForReport(token: unknown): string {
  if (typeof token !== "string") return `token ${JSON.stringify(token) ?? "missing"}`;
  const parts = token.split(".");
  if (parts.length !== 3) return `token ${JSON.stringify(token)}`;
  try {
    return `token header ${Buffer.from(parts[0], "base64url").toString("utf8")}, claims ${Buffer.from(parts[1], "base64url").toString("utf8")}`;
  } catch {
    return `token ${JSON.stringify(token.slice(0, 40))}`;
  }
}

function judge(
  sim: Simulation,
  p: Params,
  keys: PostContext["keys"],
  perClient: PostCase[][],
  bodies: Map<PostCase, Record<string, unknown>>,
  state: LogState,
  stats?: PostStats,
): void {
  const events = sim.trace.events;
  const sent = sentMessages(events);
  const fe = p.fe;
  const byReplyKey = new Map<string, SentMessage>();
  const extraReplies: SentMessage[] = [];
  for (const m of sent) {
    if (m.send.inReplyTo === undefined) continue;
    const k = `${m.send.src}>${m.send.dest}#${m.send.inReplyTo}`;
    if (byReplyKey.has(k)) extraReplies.push(m);
    else byReplyKey.set(k, m);
  }
  const replyTo = (m: SentMessage): SentMessage | undefined => byReplyKey.get(`${m.send.dest}>${m.send.src}#${m.send.msgId}`);
  const appends = sent.filter((m) => m.send.src === fe && m.send.dest === p.log && m.send.type === "append");
  const lookups = sent.filter((m) => m.send.src === fe && m.send.dest === p.history && m.send.type === "lookup");
  const appendId = (m: SentMessage): unknown => {
    const v = m.body.value;
    return typeof v === "object" && v !== null ? (v as Record<string, unknown>).id : undefined;
  };
  const clock = p.clockOffsetMs === 0 ? "" : ` (true time ${p.clockOffsetMs > 0 ? "+" : "−"} ${Math.abs(p.clockOffsetMs)} ms: this front-end's clock is off)`;
  if (stats) {
    stats.trials++;
    if (p.clockOffsetMs !== 0) stats.skewedClocks++;
  }

  const checks: Array<() => void> = [];
  for (let ci = 0; ci < p.clients.length; ci++) {
    const requests = sent.filter((m) => m.send.src === p.clients[ci] && m.send.dest === fe && m.send.type === "post");
    perClient[ci].forEach((kase, k) => {
      const request = requests[k];
      const body = bodies.get(kase);
      if (request === undefined || body === undefined) return; // not sent: the run stopped early (judged by "no reply" of an earlier one)
      const arrival = request.delivered[0]?.event.timeMs;
      if (arrival === undefined) throw new Error(`grader: ${p.clients[ci]}'s post ${kase.id} never arrived`);
      const nowClock = arrival + p.clockOffsetMs;
      // The oracle: lib's own parser and verifier at the front-end's clock on arrival.
      const parsed = parsePost(body);
      let right: { code?: number; why: string; sub?: string };
      if ("code" in parsed) right = { code: parsed.code, why: `it is malformed (${parsed.text})` };
      else {
        const v = verifyToken(parsed.request.token, { keys, now: nowClock, audience: p.audience });
        right = v.kind === "valid" ? { why: "its token is valid", sub: v.claims.sub } : { code: CHAT_ERRORS.unauthorized, why: `its token is refused: ${v.reason} (${v.detail})` };
      }
      const intendedCode = kase.kind === "refused" ? kase.code : undefined;
      if (right.code !== intendedCode) throw new Error(`grader: case "${kase.label}" was built for ${intendedCode ?? "acceptance"} but the oracle says ${right.code ?? "valid"} (${right.why})`);
      if (stats) {
        stats.posts++;
        if (kase.kind === "fresh" || kase.kind === "flaky") stats.fresh++;
        else if (kase.kind === "held" || kase.kind === "in-log") stats.retries++;
        else if (kase.kind === "refused" && right.code === 12) stats.malformed++;
        else if (kase.kind === "refused") stats.unauthorized++;
        else stats.unavailable++;
        if (kase.boundary) stats.boundaryPosts++;
      }
      checks.push(() => checkPost(kase, request, arrival, nowClock, right));
    });
  }

  function checkPost(kase: PostCase, request: SentMessage, arrival: number, nowClock: number, right: { code?: number; why: string; sub?: string }): void {
    const reply = replyTo(request);
    const rb = reply?.body;
    const body = request.body;
    const what =
      `${request.send.src}'s post id=${JSON.stringify(body.id)} to room ${JSON.stringify(body.room)} (${kase.label}; ${tokenForReport(body.token)}); ` +
      `it reached ${fe} at t=${formatMs(arrival)}, when node.clock() read ${formatMs(nowClock)}${clock}`;
    const mine = body.id === undefined ? [] : appends.filter((m) => appendId(m) === body.id);
    const acks = mine.map((a) => ({ append: a, ack: replyTo(a) })).filter((x) => x.ack?.body.type === "append_ok" && x.ack.delivered.length > 0);
    const firstAckAt = acks.length > 0 ? Math.min(...acks.map((x) => x.ack!.delivered[0].event.timeMs)) : undefined;
    const firstAckIndex = acks.length > 0 ? Math.min(...acks.map((x) => x.ack!.delivered[0].index)) : undefined;
    const myLookups = lookups.filter((m) => m.body.id === body.id && m.send.timeMs <= (reply?.send.timeMs ?? Infinity));
    const evidence = [request.send.id, ...(reply ? [reply.send.id] : [])];
    const at = { timeMs: reply?.send.timeMs ?? sim.now(), node: fe, evidence };
    const got = (): string => `${describeReplyBody(rb)}${reply ? ` at t=${formatMs(reply.send.timeMs)}` : ""}`;

    // Refused: the right error, and nothing appended.
    if (kase.kind === "refused") {
      const code = right.code!;
      const expected = `${fe} to answer error ${code} and append nothing, because ${right.why} — for ${what}`;
      if (mine.length > 0) {
        const a = mine[0];
        fail(expected, `${describeReplyBody(rb)}, and it appended the post: append key=${JSON.stringify(a.body.key)} sent at t=${formatMs(a.send.timeMs)}`, { timeMs: a.send.timeMs, node: fe, evidence: [request.send.id, a.send.id] });
      }
      if (rb?.type !== "error" || rb.code !== code || typeof rb.text !== "string") fail(expected, got(), at);
      return;
    }

    // Every append of this post: keyed by the room, the token's sub as user, the post's text.
    for (const a of mine) {
      const v = a.body.value as Record<string, unknown>;
      const ev = { timeMs: a.send.timeMs, node: fe, evidence: [request.send.id, a.send.id] };
      if (a.body.key !== body.room) {
        fail(
          `${fe} to append the post keyed by its room ${JSON.stringify(body.room)} (the log hashes the key to a partition, and only one partition has one order: one room = one key) — for ${what}`,
          `append key=${JSON.stringify(a.body.key)} sent at t=${formatMs(a.send.timeMs)}`,
          ev,
        );
      }
      if (v.user !== right.sub || v.text !== body.text) {
        fail(
          `${fe} to append { id: ${JSON.stringify(body.id)}, user: ${JSON.stringify(right.sub)} (the token's sub), text: ${JSON.stringify(body.text)} } — for ${what}`,
          `append value=${JSON.stringify(v)} sent at t=${formatMs(a.send.timeMs)}`,
          ev,
        );
      }
    }

    if (kase.kind === "log-down") {
      const expected = `${fe} to answer error 11 (the log refused the append; the client retries with the same id) — for ${what}`;
      if (rb?.type !== "error" || rb.code !== CHAT_ERRORS.unavailable || typeof rb.text !== "string") fail(expected, got(), at);
      return;
    }

    const entry = state.history.get(histKey(body.room, body.id));
    const seq = entry?.seq;
    const shownAt = entry && Number.isFinite(entry.fromMs) ? ` from t=${formatMs(entry.fromMs)}` : "";
    const ackNote = firstAckAt === undefined ? "" : `; the log acknowledged the append at t=${formatMs(firstAckAt)}`;
    const lookupNote = `${myLookups.length} lookup${myLookups.length === 1 ? "" : "s"} before replying`;

    if (kase.kind === "never") {
      const earliest = arrival + p.catchUpMs;
      const latest = (firstAckAt ?? arrival) + p.catchUpMs + LATE_SLACK_MS;
      const expected =
        `${fe} to answer error 11 once catchUpMs = ${p.catchUpMs} ms had passed without the history holding the post — not before t=${formatMs(earliest)} ` +
        `(asking lookup again meanwhile), not after t=${formatMs(latest)} — for ${what}${ackNote}`;
      if (rb?.type !== "error" || rb.code !== CHAT_ERRORS.unavailable || reply === undefined) fail(expected, `${got()}; ${lookupNote}`, at);
      if (reply.send.timeMs < earliest) fail(expected, `${got()}, only ${formatMs(reply.send.timeMs - (firstAckAt ?? arrival))} after the ack; ${lookupNote}`, at);
      if (reply.send.timeMs > latest) fail(expected, `${got()}, ${formatMs(reply.send.timeMs - (firstAckAt ?? arrival))} after the ack; ${lookupNote}`, at);
      return;
    }

    if (seq === undefined) throw new Error(`grader: post ${kase.id} should be in the history`);
    const source =
      kase.kind === "held"
        ? `the seq the history holds for id ${JSON.stringify(body.id)}: its first copy's, ${seq}, not the offset of this retry's append`
        : kase.kind === "in-log"
          ? `the seq the history holds for id ${JSON.stringify(body.id)}${shownAt}: its first copy's, ${seq}, not the offset of this retry's append`
          : `the seq the history holds for id ${JSON.stringify(body.id)}${shownAt}`;
    const expected = `${fe} to answer post_ok room=${JSON.stringify(body.room)} seq=${seq} (${source}), after the log acknowledged the append — for ${what}${ackNote}`;
    if (kase.kind === "flaky" && rb?.type === "error" && rb.code === CHAT_ERRORS.unavailable) return; // 11 is safe too
    if (mine.length === 0) fail(expected, `${got()}, and no append of id ${JSON.stringify(body.id)} to ${p.log}`, at);
    if (reply !== undefined && (firstAckIndex === undefined || reply.index < firstAckIndex)) {
      const pending = mine[0];
      const ack = replyTo(pending);
      fail(
        expected,
        `${got()}, before the log acknowledged the append (append sent at t=${formatMs(pending.send.timeMs)}, ${ack ? `${describeReplyBody(ack.body)} arrived at t=${formatMs(ack.delivered[0]?.event.timeMs ?? ack.send.timeMs)}` : "never answered"})`,
        { ...at, evidence: [...evidence, pending.send.id, ...(ack ? [ack.send.id] : [])] },
      );
    }
    const ok = rb?.type === "post_ok" && rb.room === body.room && rb.seq === seq;
    if (!ok) {
      const last = myLookups[myLookups.length - 1];
      at.evidence = [...evidence, ...acks.slice(0, 1).flatMap((x) => [x.append.send.id, x.ack!.send.id]), ...(last ? [last.send.id] : [])];
      const offsets = acks.map((x) => x.ack!.body.offset);
      const hint =
        rb?.type === "post_ok" && offsets.includes(rb.seq as number)
          ? " — the offset the append returned"
          : rb?.type === "error" && rb.code === CHAT_ERRORS.unavailable && reply !== undefined && firstAckAt !== undefined
            ? `, ${formatMs(reply.send.timeMs - firstAckAt)} after the ack (catchUpMs is ${p.catchUpMs} ms); ${lookupNote}`
            : "";
      fail(expected, `${got()}${hint}`, at);
    }
  }

  // Appends of posts that must not be appended at all (unknown ids: a malformed one, or a made-up id).
  checks.push(() => {
    const sentIds = sentCaseIds(perClient, bodies);
    const stray = appends.find((m) => !sentIds.has(appendId(m)));
    if (stray) fail(`${fe} to append only the posts it accepts, with their own id`, `append key=${JSON.stringify(stray.body.key)} value=${JSON.stringify(stray.body.value)} sent at t=${formatMs(stray.send.timeMs)}`, { timeMs: stray.send.timeMs, node: fe, evidence: [stray.send.id] });
  });
  checks.push(() => {
    const extra = extraReplies.find((m) => m.send.src === fe && p.clients.includes(m.send.dest));
    if (extra) fail(`one reply from ${fe} per post`, `a second reply to ${extra.send.dest}'s #${extra.send.inReplyTo}: ${describeReplyBody(extra.body)} at t=${formatMs(extra.send.timeMs)}`, { timeMs: extra.send.timeMs, node: fe, evidence: [extra.send.id] });
  });
  throwEarliest(checks);
}

/** The ids of every post sent, as the bodies carried them (refused ones included: their appends are judged by their own check). */
function sentCaseIds(perClient: PostCase[][], bodies: Map<PostCase, Record<string, unknown>>): Set<unknown> {
  const ids = new Set<unknown>();
  for (const list of perClient) for (const c of list) if (bodies.has(c)) ids.add(bodies.get(c)!.id);
  return ids;
}

/**
 * Grade exercise 13.1's handler against the grader's context, with one seed.
 *
 * @example
 * const result = await checkPostAgainstContext(await loadModule("solutions/13-case-study/post"), 7);
 */
export function checkPostAgainstContext(impl: PostApi, seed: number, stats?: PostStats): Promise<CheckResult> {
  const scenario: Scenario<PostApi, Params & { rng: Prng }> = {
    name: (p) =>
      `your handlePost on front-end ${p.fe} (${p.clockOffsetMs === 0 ? "clock right" : `clock off by ${p.clockOffsetMs} ms`}, audience ${JSON.stringify(p.audience)}, ` +
      `catchUpMs ${p.catchUpMs}) with the grader's log ${p.log} and history store ${p.history}, posts from ${p.clients.join(", ")}; latency 1–5 ms`,
    trials: TRIALS,
    params: (trial) => ({ ...drawParams(trial.rng, trial.index), rng: trial.rng }),
    simulation: { network: { latency: latency.uniform(1, 5) } },
    lanes: (p) => [...p.clients, p.fe, p.log, p.history],
    run: (sim, impl, p) => runTrial(sim, impl, p, p.rng, stats),
  };
  return runScenarios(impl, seed, [scenario], { functions: ["handlePost"], exercise: "13.1 idempotent-post" });
}
