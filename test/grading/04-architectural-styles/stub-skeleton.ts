/**
 * Check of exercise 04.2 stub and skeleton. Three scenarios, {@link TRIALS} trials per seed each,
 * node names drawn per trial, bystanders spawned first:
 *
 * 1. **skeleton**: the student's skeleton over the grader's object ({@link GraderLedger}: sync,
 *    async, variadic and throwing methods that read `this`, one that never returns), invoked by
 *    two grader clients, 16 invokes in all with drawn args and `msg_id`s shared between the
 *    clients; no loss, 10% duplication, unordered, latency 5–15 ms. Every reply answers an invoke
 *    of the client it goes to, at most once per copy that arrived, with the object's value or
 *    error (`NoSuchMethodError` for a method it lacks); every answerable invoke gets a reply;
 *    the never-returning one gets none.
 * 2. **stub**: the student's stub against the grader's skeleton, which waits up to
 *    1.5 × timeoutMs before answering each copy; seven calls (add, join, summary, slow, a
 *    throwing method, a missing method, hang); timeoutMs 80–150, retries 9–12; 10% loss, 5%
 *    duplication. Each call's invokes carry its method and args; at most 1 + retries of them,
 *    none after the promise settled. A value or an error must equal that of a reply that reached
 *    the client, before the promise settled, and that answers one of the call's invokes; hang
 *    must reject with RpcTimeoutError between timeoutMs and (1 + retries) × timeoutMs after its
 *    first invoke.
 * 3. **pair**: the student's stub against the student's skeleton, the same calls and rules,
 *    {@link PAIR_TRIALS} trials per seed.
 */
import { latency } from "../../../lib/net";
import type { Message, Node } from "../../../lib/node";
import { formatMs } from "../../../lib/sim";
import type { Simulation } from "../../../lib/simulation";
import type { TraceEvent } from "../../../lib/trace";
import { ensure, fail, graderRole, runScenarios, spawnBystanders, trialsPerSeed, type CheckResult, type Scenario, type Trial } from "../check";
import { exercise } from "../exercises";
import { describeMessage, sentMessages, type SentMessage } from "../messages";

/** What exercises/04-architectural-styles/stub-skeleton.ts exports. */
export interface StubSkeletonApi {
  skeleton(node: Node, target: object): void | Promise<void>;
  stub<T>(node: Node, server: string, options: { timeoutMs: number; retries?: number }): unknown;
}

// tsc checks that the stub and the reference both have this API.
type Implements<T extends StubSkeletonApi> = T;
export type StubImplementsStubSkeleton = Implements<typeof import("../../../exercises/04-architectural-styles/stub-skeleton")>;
export type SolutionImplementsStubSkeleton = Implements<typeof import("../../../solutions/04-architectural-styles/stub-skeleton")>;

/** Trials per seed of scenarios 1 and 2: with the registry's seeds, ≥ 135 in all (see check.ts). */
export const TRIALS = trialsPerSeed(exercise("04.2").seeds.length);

/** Trials per seed of scenario 3 (the student's own pair): its mistakes already show in 1 and 2. */
export const PAIR_TRIALS = Math.ceil(TRIALS / 3);

/** How long the grader waits for every call to settle. */
const SETTLED_WITHIN_MS = 5000;

/** How long the run goes on after the last call settled (or the last invoke was sent). */
const PAST_SETTLE_MS = 1000;

const NAMES = ["server", "client", "stub", "skeleton", "remote", "objects", "c1", "c2", "s1", "n1", "n2", "n3", "x", "y"];
const ERROR_NAMES = ["InsufficientFunds", "AccountLocked", "QuotaExceeded", "PermissionDenied", "LimitReached"];
const MISSING = ["transfer", "withdraw", "close", "rename", "audit", "refund"];
const WORDS = ["alpha", "beta", "gamma", "delta", "omega", "kappa", "sigma"];

/**
 * The grader's remote object. Its methods read `this` (a skeleton that calls them unbound fails),
 * `join` is variadic (a skeleton that passes the args as one array fails), `slow` and
 * `refuseLater` are async, `hang` never returns.
 */
export class GraderLedger {
  constructor(
    private readonly node: Node,
    readonly owner: string,
    readonly salt: number,
    readonly errorName: string,
  ) {}
  add(a: number, b: number): number {
    return a + b + this.salt;
  }
  join(separator: string, ...parts: string[]): string {
    return parts.join(separator);
  }
  summary(record: { id: string; tags: string[] }): { id: string; tags: number; owner: string } {
    return { id: record.id, tags: record.tags.length, owner: this.owner };
  }
  async slow(x: number): Promise<number> {
    await this.node.sleep((x % 7) * 10);
    return x * 2 + this.salt;
  }
  refuse(code: string): number {
    throw this.refusal(code);
  }
  refuseLater(code: string): Promise<number> {
    const later = this.node.sleep(15).then((): number => {
      throw this.refusal(code);
    });
    later.catch(() => {}); // a skeleton that forgets to await it must not crash the grader's process
    return later;
  }
  hang(): Promise<number> {
    return new Promise<number>(() => {});
  }
  private refusal(code: string): Error {
    const error = new Error(`refused ${code} for ${this.owner}`);
    error.name = this.errorName;
    return error;
  }
}

/** What a call must come to. */
type Outcome =
  | { kind: "value"; value: unknown }
  | { kind: "error"; name: string; message: string }
  | { kind: "missing" }
  | { kind: "hang" };

/** One call: a method and its args. */
interface Call {
  method: string;
  args: unknown[];
}

interface ObjectParams {
  owner: string;
  salt: number;
  errorName: string;
}

/** What the grader's object does for `call` (computed, not run). */
function outcomeOf(call: Call, o: ObjectParams): Outcome {
  const a = call.args as any[];
  switch (call.method) {
    case "add":
      return { kind: "value", value: a[0] + a[1] + o.salt };
    case "join":
      return { kind: "value", value: a.slice(1).join(a[0]) };
    case "summary":
      return { kind: "value", value: { id: a[0].id, tags: a[0].tags.length, owner: o.owner } };
    case "slow":
      return { kind: "value", value: a[0] * 2 + o.salt };
    case "refuse":
    case "refuseLater":
      return { kind: "error", name: o.errorName, message: `refused ${a[0]} for ${o.owner}` };
    case "hang":
      return { kind: "hang" };
    default:
      return { kind: "missing" };
  }
}

function drawCall(rng: Trial["rng"], method: string): Call {
  const word = (): string => `${rng.pick(WORDS)}${rng.int(10, 100)}`;
  switch (method) {
    case "add":
      return { method, args: [rng.int(-500, 500), rng.int(-500, 500)] };
    case "join":
      return { method, args: [rng.pick(["-", "/", ":", " | "]), ...Array.from({ length: rng.int(2, 5) }, word)] };
    case "summary":
      return { method, args: [{ id: `r${rng.int(100, 1000)}`, tags: Array.from({ length: rng.int(0, 4) }, word) }] };
    case "slow":
      return { method, args: [rng.int(1, 1000)] };
    case "refuse":
    case "refuseLater":
      return { method, args: [`E${rng.int(100, 1000)}`] };
    case "hang":
      return { method, args: [] };
    default:
      return { method, args: [rng.int(1, 100)] };
  }
}

function objectParams(rng: Trial["rng"], owner: string): ObjectParams {
  return { owner, salt: rng.int(1, 1000), errorName: rng.pick(ERROR_NAMES) };
}

const json = (v: unknown): string => (v === undefined ? "undefined" : JSON.stringify(v));
const callText = (c: Call): string => `${c.method}(${c.args.map(json).join(", ")})`;
const outcomeText = (o: Outcome): string =>
  o.kind === "value"
    ? `result value=${json(o.value)}`
    : o.kind === "error"
      ? `error name="${o.name}" message="${o.message}"`
      : o.kind === "missing"
        ? `error name="NoSuchMethodError" (the object has no method of that name)`
        : "no reply (the method never returns)";
const say = (m: SentMessage): string => describeMessage(m);
const endMs = (events: readonly TraceEvent[]): number => (events.length ? events[events.length - 1].timeMs : 0);

// ---- scenario 1: the student's skeleton, the grader's clients ----------------------------------

interface SkeletonParams {
  server: string;
  clients: string[];
  bystanders: string[];
  object: ObjectParams;
  invokes: Array<{ client: string; atMs: number; msgId: number; call: Call }>;
}

const SKELETON_METHODS = ["add", "join", "summary", "slow", "refuse", "refuseLater", "missing"];

function skeletonParams(trial: Trial): SkeletonParams {
  const rng = trial.rng;
  const names = rng.shuffle(NAMES);
  const bystanderCount = rng.int(1, 3);
  const bystanders = names.slice(0, bystanderCount);
  const server = names[bystanderCount];
  const clients = names.slice(bystanderCount + 1, bystanderCount + 3);
  const object = objectParams(rng, rng.pick(["ann", "bob", "cyd", "dee", "eve"]));
  const invokes: SkeletonParams["invokes"] = [];
  for (const client of clients) {
    const msgIds = rng.shuffle(Array.from({ length: 24 }, (_, i) => i + 1));
    for (let i = 0; i < 8; i++) {
      // Every method once in a while; hang at most once per client.
      const kind = i === 0 && rng.chance(0.5) ? "hang" : SKELETON_METHODS[(i + rng.int(0, SKELETON_METHODS.length)) % SKELETON_METHODS.length];
      const call = drawCall(rng, kind === "missing" ? rng.pick(MISSING) : kind);
      invokes.push({ client, atMs: Math.round(rng.uniform(0, 300) * 1000) / 1000, msgId: msgIds[i], call });
    }
  }
  invokes.sort((a, b) => a.atMs - b.atMs);
  return { server, clients, bystanders, object, invokes };
}

/**
 * The skeleton's rules, checked on a finished trace (see the header).
 *
 * @example
 * checkSkeleton(sim.trace.events, "server", ["c1", "c2"], object);
 */
export function checkSkeleton(events: readonly TraceEvent[], server: string, clients: readonly string[], object: ObjectParams): void {
  const sent = sentMessages(events);
  interface Invoke {
    message: SentMessage;
    call: Call;
    expected: Outcome;
    replies: SentMessage[];
  }
  const invokes = new Map<string, Invoke>();
  for (const m of sent) {
    if (!clients.includes(m.send.src) || m.send.dest !== server || m.send.type !== "invoke") continue;
    const call = { method: String(m.body.method), args: m.body.args as unknown[] };
    invokes.set(`${m.send.src}#${m.send.msgId}`, { message: m, call, expected: outcomeOf(call, object), replies: [] });
  }
  const name = (i: Invoke): string => `${i.message.send.src}'s invoke ${callText(i.call)} (msg_id #${i.message.send.msgId})`;
  for (const m of sent) {
    if (m.send.src !== server) continue;
    const at = { timeMs: m.send.timeMs, node: server, evidence: [m.send.id] };
    const inv = invokes.get(`${m.send.dest}#${m.send.inReplyTo}`);
    if (!clients.includes(m.send.dest) || inv === undefined || !inv.message.delivered.some((a) => a.index < m.index)) {
      fail(
        `every message ${server} sends to be a reply to an invoke that had reached it from that node (to the invoke's src, in_reply_to = its msg_id)`,
        `${say(m)}${m.send.inReplyTo === undefined ? ": it has no in_reply_to" : inv ? ", before that invoke arrived" : `, but ${m.send.dest} sent no invoke with msg_id #${m.send.inReplyTo}`}`,
        at,
      );
    }
    const evidence = [inv.message.send.id, m.send.id];
    const arrived = inv.message.delivered.filter((a) => a.index < m.index).length;
    if (inv.replies.length >= arrived) {
      fail(
        `at most one reply per copy of ${name(inv)} that reached ${server} (${arrived})`,
        `another one: ${say(m)}`,
        { ...at, evidence: [inv.message.send.id, ...inv.replies.map((r) => r.send.id), m.send.id] },
      );
    }
    inv.replies.push(m);
    const e = inv.expected;
    const ok =
      e.kind === "value"
        ? m.send.type === "result" && json(m.body.value) === json(e.value)
        : e.kind === "error"
          ? m.send.type === "error" && m.body.name === e.name && m.body.message === e.message
          : e.kind === "missing"
            ? m.send.type === "error" && m.body.name === "NoSuchMethodError"
            : false;
    ensure(
      ok,
      () => `the reply to ${name(inv)} to be ${outcomeText(e)}: what the object ${e.kind === "value" ? "returns" : e.kind === "hang" ? "does" : "throws"} for these args`,
      () => say(m),
      { ...at, evidence },
    );
  }
  for (const inv of invokes.values()) {
    if (inv.expected.kind === "hang" || inv.replies.length > 0 || inv.message.delivered.length === 0) continue;
    fail(
      `a reply to ${name(inv)}: ${outcomeText(inv.expected)}`,
      `none: it reached ${server} (${say(inv.message)}), and ${server} never answered it`,
      { timeMs: endMs(events), node: server, evidence: [inv.message.send.id] },
    );
  }
}

async function runSkeleton(sim: Simulation, impl: StubSkeletonApi, p: SkeletonParams): Promise<void> {
  spawnBystanders(sim, p.bystanders);
  sim.spawn(p.server, (node) => impl.skeleton(node, new GraderLedger(node, p.object.owner, p.object.salt, p.object.errorName)), { role: "skeleton" });
  for (const c of p.clients) sim.spawn(c, (node) => void node.on("result", () => {}).on("error", () => {}), { role: graderRole("client") });
  for (const i of p.invokes) {
    sim.at(i.atMs, () => void sim.node(i.client).send(p.server, { type: "invoke", method: i.call.method, args: i.call.args, msg_id: i.msgId }), `${i.client} invokes`);
  }
  const check = (): void => checkSkeleton(sim.trace.events, p.server, p.clients, p.object);
  try {
    await sim.runFor(300 + 200 + PAST_SETTLE_MS);
  } catch (error) {
    check();
    throw error;
  }
  check();
}

// ---- scenarios 2 and 3: the student's stub -----------------------------------------------------

interface StubParams {
  server: string;
  client: string;
  bystanders: string[];
  object: ObjectParams;
  timeoutMs: number;
  retries: number;
  calls: Array<Call & { atMs: number }>;
}

const STUB_METHODS = ["add", "join", "summary", "slow", "refusal", "missing", "hang"];

function stubParams(trial: Trial): StubParams {
  const rng = trial.rng;
  const names = rng.shuffle(NAMES);
  const bystanderCount = rng.int(1, 3);
  const object = objectParams(rng, rng.pick(["ann", "bob", "cyd", "dee", "eve"]));
  const calls = rng.shuffle(STUB_METHODS).map((kind) => ({
    ...drawCall(rng, kind === "refusal" ? rng.pick(["refuse", "refuseLater"]) : kind === "missing" ? rng.pick(MISSING) : kind),
    atMs: Math.round(rng.uniform(0, 200) * 1000) / 1000,
  }));
  return {
    bystanders: names.slice(0, bystanderCount),
    server: names[bystanderCount],
    client: names[bystanderCount + 1],
    object,
    timeoutMs: rng.int(80, 151),
    retries: rng.int(9, 13),
    calls,
  };
}

/** The grader's skeleton: each copy of an invoke is answered after up to 1.5 × timeoutMs. */
function graderSkeleton(p: StubParams): (node: Node) => void {
  return (node) => {
    const ledger = new GraderLedger(node, p.object.owner, p.object.salt, p.object.errorName);
    node.on("invoke", (request: Message) => {
      // Mostly well within timeoutMs; one copy in seven so slow that its attempt times out first.
      const delayMs = node.rng.chance(6 / 7) ? node.rng.uniform(0, 0.4 * p.timeoutMs) : node.rng.uniform(p.timeoutMs, 1.5 * p.timeoutMs);
      node.setTimer(delayMs, async () => {
        const fn = (ledger as unknown as Record<string, unknown>)[request.body.method];
        if (typeof fn !== "function") return void node.reply(request, { type: "error", name: "NoSuchMethodError", message: `no method ${request.body.method}` });
        try {
          node.reply(request, { type: "result", value: await fn.apply(ledger, request.body.args) });
        } catch (error) {
          node.reply(request, { type: "error", name: (error as Error).name, message: (error as Error).message });
        }
      });
    });
  };
}

/** How a call's promise ended, and when. */
type Ended =
  | { status: "fulfilled"; value: unknown; atMs: number; eventIndex: number }
  | { status: "rejected"; reason: unknown; atMs: number; eventIndex: number }
  | { status: "threw"; reason: unknown; atMs: number }
  | { status: "pending" };

/**
 * The stub's rules, checked on a finished trace and the calls' outcomes (see the header).
 *
 * @example
 * checkStub(sim.trace.events, p, ended);
 */
export function checkStub(events: readonly TraceEvent[], p: StubParams, ended: readonly Ended[]): void {
  const sent = sentMessages(events);
  const fromClient = sent.filter((m) => m.send.src === p.client);
  const replies = sent.filter((m) => m.send.src === p.server && m.send.dest === p.client);
  const invokesOf = p.calls.map(() => [] as SentMessage[]);
  for (const m of fromClient) {
    const at = { timeMs: m.send.timeMs, node: p.client, evidence: [m.send.id] };
    if (m.send.dest !== p.server || m.send.type !== "invoke") {
      fail(`${p.client} to send only { type: "invoke", method, args } to the server it was given, "${p.server}"`, say(m), at);
    }
    const i = p.calls.findIndex((c) => c.method === m.body.method);
    if (i < 0) fail(`every invoke to name the method called (${p.calls.map((c) => c.method).join(", ")})`, say(m), at);
    const call = p.calls[i];
    ensure(
      json(m.body.args) === json(call.args),
      () => `the invoke of remote.${callText(call)} to carry args=${json(call.args)} (every argument, in order, as one array)`,
      () => say(m),
      at,
    );
    invokesOf[i].push(m);
  }
  const reasonText = (r: unknown): string => (r instanceof Error ? `${r.name}: ${r.message}` : json(r));
  p.calls.forEach((call, i) => {
    const inv = invokesOf[i];
    const ids = new Set(inv.map((m) => m.send.msgId));
    const e = outcomeOf(call, p.object);
    const end = ended[i];
    const first = inv[0];
    const head = `remote.${callText(call)}, called at t=${formatMs(call.atMs)},`;
    const evidenceOf = (extra: SentMessage[] = []): number[] => [...inv.slice(0, 3), ...extra].map((m) => m.send.id);
    const at = (timeMs: number, extra: SentMessage[] = []) => ({ timeMs, node: p.client, evidence: evidenceOf(extra) });
    if (end.status === "threw") {
      fail(`${head} to return a Promise`, `it threw at once: ${reasonText(end.reason)}`, at(end.atMs));
    }
    if (inv.length > 1 + p.retries) {
      fail(
        `at most 1 + retries = ${1 + p.retries} invokes for ${head.slice(0, -1)} (timeoutMs=${p.timeoutMs}, retries=${p.retries})`,
        `${inv.length}; the last: ${say(inv[inv.length - 1])}`,
        at(inv[1 + p.retries].send.timeMs, [inv[inv.length - 1]]),
      );
    }
    if (end.status === "pending") {
      const got = replies.filter((r) => ids.has(r.send.inReplyTo) && r.delivered.length > 0);
      fail(
        `${head} to settle within ${SETTLED_WITHIN_MS} ms: ${e.kind === "hang" ? `reject with RpcTimeoutError after 1 + retries = ${1 + p.retries} attempts of timeoutMs=${p.timeoutMs}` : `${outcomeText(e)} came back`}`,
        `its promise never settled; ${inv.length} invoke(s) sent${got.length ? `, and a reply reached ${p.client}: ${say(got[0])}` : first ? `, the first ${say(first)}` : ""}`,
        at(first ? first.send.timeMs : call.atMs, got.slice(0, 1)),
      );
    }
    const late = inv.find((m) => m.send.timeMs > end.atMs);
    if (late) {
      fail(`no invoke for ${head.slice(0, -1)} after its promise settled at t=${formatMs(end.atMs)}`, say(late), at(late.send.timeMs, [late]));
    }
    const before = replies.filter((r) => ids.has(r.send.inReplyTo) && r.delivered.some((a) => a.index < end.eventIndex));
    if (e.kind === "hang") {
      const firstMs = first ? first.send.timeMs : call.atMs;
      const isTimeout = end.status === "rejected" && end.reason instanceof Error && end.reason.name === "RpcTimeoutError";
      ensure(
        isTimeout,
        () => `${head} which the server never answers, to reject with RpcTimeoutError`,
        () => (end.status === "fulfilled" ? `it resolved to ${json(end.value)} at t=${formatMs(end.atMs)}` : `it rejected with ${reasonText(end.reason)} at t=${formatMs(end.atMs)}`),
        at(end.atMs),
      );
      const lowMs = firstMs + p.timeoutMs;
      const highMs = firstMs + (1 + p.retries) * p.timeoutMs + 1;
      ensure(
        end.atMs >= lowMs - 1e-6 && end.atMs <= highMs,
        () => `${head} to time out between t=${formatMs(lowMs)} (one timeoutMs=${p.timeoutMs} after its first invoke) and t=${formatMs(highMs)} (1 + retries = ${1 + p.retries} attempts)`,
        () => `it rejected at t=${formatMs(end.atMs)} after ${inv.length} invoke(s)`,
        at(end.atMs),
      );
      return;
    }
    const settledText = end.status === "fulfilled" ? `it resolved to ${json(end.value)}` : `it rejected with ${reasonText(end.reason)}`;
    if (before.length === 0 && end.status === "rejected" && end.reason instanceof Error && end.reason.name === "RpcTimeoutError") {
      fail(
        `${head} to come back with ${outcomeText(e)}: the server answers every copy that reaches it, so resend up to retries=${p.retries} times`,
        `it rejected at t=${formatMs(end.atMs)} with ${reasonText(end.reason)}, after ${inv.length} invoke(s)`,
        at(end.atMs),
      );
    }
    if (before.length === 0) {
      fail(
        `${head} to settle only after a reply to one of its invokes reached ${p.client}`,
        `${settledText} at t=${formatMs(end.atMs)}, before any reply had arrived`,
        at(end.atMs),
      );
    }
    const matching = before.find((r) =>
      end.status === "fulfilled"
        ? r.send.type === "result" && json(r.body.value) === json(end.value)
        : r.send.type === "error" && end.reason instanceof Error && end.reason.name === r.body.name && end.reason.message === r.body.message,
    );
    const reply = before[0];
    if (matching === undefined) {
      const wanted =
        reply.send.type === "result"
          ? `resolve to value=${json(reply.body.value)}, the value of the result reply`
          : `reject with an Error whose name is "${reply.body.name}" and message "${reply.body.message}", those of the error reply`;
      fail(`${head} to ${wanted}`, `${settledText} at t=${formatMs(end.atMs)}; the reply: ${say(reply)}`, at(end.atMs, [reply]));
    }
  });
}

function stubRun(own: "grader" | "student"): (sim: Simulation, impl: StubSkeletonApi, p: StubParams) => Promise<void> {
  return async (sim, impl, p) => {
    spawnBystanders(sim, p.bystanders);
    if (own === "grader") sim.spawn(p.server, graderSkeleton(p), { role: graderRole("skeleton") });
    else sim.spawn(p.server, (node) => impl.skeleton(node, new GraderLedger(node, p.object.owner, p.object.salt, p.object.errorName)), { role: "skeleton" });
    let remote: Record<string, (...args: unknown[]) => Promise<unknown>> | undefined;
    sim.spawn(p.client, (node) => void (remote = impl.stub(node, p.server, { timeoutMs: p.timeoutMs, retries: p.retries }) as typeof remote), { role: "stub" });
    const ended: Ended[] = p.calls.map(() => ({ status: "pending" }));
    p.calls.forEach((call, i) => {
      sim.at(call.atMs, () => {
        try {
          const promise = remote![call.method](...call.args);
          Promise.resolve(promise).then(
            (value) => void (ended[i] = { status: "fulfilled", value, atMs: sim.now(), eventIndex: sim.trace.events.length }),
            (reason) => void (ended[i] = { status: "rejected", reason, atMs: sim.now(), eventIndex: sim.trace.events.length }),
          );
        } catch (reason) {
          ended[i] = { status: "threw", reason, atMs: sim.now() };
        }
      }, `${p.client} calls remote.${call.method}`);
    });
    const check = (): void => checkStub(sim.trace.events, p, ended);
    try {
      await sim.runFor(250);
      await sim.runUntil(() => ended.every((e) => e.status !== "pending"), { withinMs: SETTLED_WITHIN_MS, throwOnTimeout: false });
      await sim.runFor(PAST_SETTLE_MS);
    } catch (error) {
      check();
      throw error;
    }
    check();
  };
}

/**
 * Grade a stub and a skeleton with one seed: three scenarios of {@link TRIALS} trials.
 *
 * @example
 * await checkStubSkeleton(await import("../../../solutions/04-architectural-styles/stub-skeleton"), 7); // { status: "pass", … }
 */
export function checkStubSkeleton(impl: StubSkeletonApi, seed: number): Promise<CheckResult> {
  const stubName = (against: string) => (p: StubParams) =>
    `your stub on "${p.client}" against ${against} "${p.server}" (timeoutMs=${p.timeoutMs}, retries=${p.retries}; calls ${p.calls.map((c) => c.method).join(", ")}), ` +
    `bystanders ${p.bystanders.map((b) => `"${b}"`).join(", ")} spawned first; 10% loss, 5% duplication, unordered links, latency 5–15 ms`;
  const stubNetwork = { network: { latency: latency.uniform(5, 15), lossProbability: 0.1, duplicationProbability: 0.05, ordering: "unordered" as const } };
  const scenarios: Array<Scenario<StubSkeletonApi, any>> = [
    {
      name: (p: SkeletonParams) =>
        `your skeleton on "${p.server}" over the grader's object, invoked by the grader's clients ${p.clients.map((c) => `"${c}"`).join(", ")} (${p.invokes.length} invokes), ` +
        `bystanders ${p.bystanders.map((b) => `"${b}"`).join(", ")} spawned first; no loss, 10% duplication, unordered links, latency 5–15 ms`,
      trials: TRIALS,
      params: skeletonParams,
      simulation: { network: { latency: latency.uniform(5, 15), duplicationProbability: 0.1, ordering: "unordered" } },
      lanes: (p: SkeletonParams) => [...p.clients, p.server],
      run: runSkeleton,
    },
    { name: stubName("the grader's skeleton"), trials: TRIALS, params: stubParams, simulation: stubNetwork, lanes: (p: StubParams) => [p.client, p.server], run: stubRun("grader") },
    { name: stubName("your skeleton"), trials: PAIR_TRIALS, params: stubParams, simulation: stubNetwork, lanes: (p: StubParams) => [p.client, p.server], run: stubRun("student") },
  ];
  return runScenarios(impl, seed, scenarios, { functions: ["skeleton", "stub"], exercise: "04.2 stub-skeleton" });
}
