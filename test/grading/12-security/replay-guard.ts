/**
 * Grader of exercise 12.2 (replay protection). Each trial: the student's server, bystanders first,
 * two grader clients and a grader attacker, names, keys (from the trial's seed), window (300–1000
 * ms) and clock offsets (≤ 10 ms each way) drawn per trial; latency 5–15 ms, no loss except the
 * replies the grader drops on purpose. A script in four phases:
 *
 * A. fresh requests (two clients with one nonce), a retry after a dropped reply, a resend after a
 *    reply; the attacker replays a captured request at once and after half a window, moves a
 *    timestamp without re-signing, swaps a payload, forges an unknown client; a client reuses a
 *    nonce for another request; malformed bodies.
 * B. after the window: the attacker replays an old request as it was, and with a fresh timestamp.
 * C. a fresh request, a crash and a restart (50–100 ms), then the attacker's replay and the
 *    client's retry of that request; after a window, a fresh request.
 * D. a steady stream of fresh requests for 5 windows; then `rememberedNonces()` is compared with
 *    the requests of the last 2 windows and `node.storage`'s size with its size half-way.
 *
 * The grader's `execute` counts runs per request (by the payload's `ref`): every fresh request
 * must run exactly once, its reply carrying that run's result; a retry or an identical replay
 * never runs and gets the same reply (after a restart, or as a replay, an error is accepted too);
 * a forged, stale or nonce-reusing request gets an error and runs nothing.
 */
import { latency } from "../../../lib/net";
import type { Node } from "../../../lib/node";
import { formatMs, type Prng } from "../../../lib/sim";
import { randomBytesFrom } from "../../../lib/security/hmac";
import { macEnvelope } from "../../../lib/security/replay";
import type { Simulation } from "../../../lib/simulation";
import { fail, graderRole, runScenarios, sentMessages, spawnBystanders, throwEarliest, type CheckResult, type Scenario, type SentMessage } from "../index";
import type { ReplayGuardedServer, ReplayGuardOptions } from "../../../exercises/12-security/replay-guard";

/** The module under test. */
export interface ReplayGuardApi {
  replayGuardedServer(node: Node, options: ReplayGuardOptions): ReplayGuardedServer;
}

/** Trials per seed (× 5 seeds = 135). */
export const TRIALS = 27;
/** Phase D: windows of steady traffic, and requests per window. */
export const STREAM_WINDOWS = 5;
export const STREAM_PER_WINDOW = 6;

/** What the trials met, for the meta tests. */
export interface ReplayGuardStats {
  trials: number;
  fresh: number;
  retries: number;
  replays: number;
  forged: number;
  stale: number;
  restarts: number;
  /** Largest rememberedNonces() seen at the end of phase D, over the bound. */
  rememberedMaxShare: number;
}

/** What a request must get. */
type Expect =
  | { kind: "fresh"; replyLost?: boolean }
  | { kind: "same"; of: Shot; orError: boolean }
  | { kind: "refused"; codes: number[]; why: string };

/** One request the grader sent. */
interface Shot {
  from: string;
  label: string;
  body: Record<string, unknown>;
  expect: Expect;
  send?: SentMessage;
  reply?: Record<string, unknown>;
  ref?: string;
}

interface Params {
  server: string;
  clients: [string, string];
  attacker: string;
  bystanders: string[];
  windowMs: number;
  offsets: Record<string, number>;
  keys: Record<string, Uint8Array>;
}

const SERVER_NAMES = ["server", "bank", "api", "payments", "s1"];
const CLIENT_NAMES = ["alice", "bob", "carol", "dave", "c1", "c2", "shop"];
const ATTACKER_NAMES = ["mallory", "eve", "trudy", "attacker"];

function drawParams(rng: Prng): Params {
  const names = rng.shuffle(CLIENT_NAMES);
  const server = rng.pick(SERVER_NAMES);
  const clients: [string, string] = [names[0], names[1]];
  const attacker = rng.pick(ATTACKER_NAMES);
  const offsets: Record<string, number> = {};
  for (const id of [server, ...clients]) offsets[id] = rng.int(-10, 11);
  const keys: Record<string, Uint8Array> = {};
  for (const c of clients) keys[c] = randomBytesFrom(rng, 32);
  keys[names[3]] = randomBytesFrom(rng, 32); // a client that never shows up
  return { server, clients, attacker, bystanders: [`${server}-x`, names[2]], windowMs: rng.int(300, 1001), offsets, keys };
}

interface Execution {
  ref: string;
  client: string;
  atMs: number;
  result: unknown;
}

/** The trial's state: who sent what, and what the server ran. */
class Script {
  readonly shots: Shot[] = [];
  readonly executions: Execution[] = [];
  /** refs that must never run (payloads only an attacker or a nonce reuse carried). */
  readonly forbidden = new Map<string, Shot>();
  private refs = 0;
  private nonces = 0;
  api: ReplayGuardedServer | undefined;

  constructor(
    readonly sim: Simulation,
    readonly p: Params,
    readonly rng: Prng,
  ) {}

  nonce(): string {
    return `${this.rng.int(0, 36 ** 6).toString(36)}-${++this.nonces}`;
  }

  payload(): { op: string; ref: string; to: string; amount: number } {
    return { op: "transfer", ref: `ref-${++this.refs}-${this.rng.int(0, 1000)}`, to: this.rng.pick(["acct-7", "acct-19", "acct-3"]), amount: this.rng.int(1, 500) };
  }

  /** A correctly signed body from `client`, timestamped by its clock now. */
  signed(client: Node, nonce = this.nonce(), payload: unknown = this.payload(), timestampMs = client.clock()): Record<string, unknown> {
    return { type: "signed_request", ...macEnvelope({ client: client.id, nonce, timestampMs, payload }, this.p.keys[client.id]) };
  }

  /** Send `body` from `from` by rpc; the send is found in the trace at once. */
  async shoot(from: Node, label: string, body: Record<string, unknown>, expect: Expect, timeoutMs = 150): Promise<Shot> {
    const shot: Shot = { from: from.id, label, body, expect };
    const payload = body.payload as { ref?: unknown } | undefined;
    if (payload && typeof payload.ref === "string") shot.ref = payload.ref;
    this.shots.push(shot);
    const before = this.sim.trace.events.length;
    const pending = from.rpc(this.p.server, body as { type: string }, { timeoutMs });
    const sendEvent = this.sim.trace.events.slice(before).find((e) => e.kind === "send" && e.src === from.id);
    if (sendEvent?.kind !== "send") throw new Error("grader: the rpc's send is not in the trace");
    (shot as { sendId?: number }).sendId = sendEvent.id;
    try {
      shot.reply = (await pending).body as Record<string, unknown>;
    } catch {
      shot.reply = undefined;
    }
    return shot;
  }
}

const describeReply = (reply: Record<string, unknown> | undefined): string => {
  if (reply === undefined) return "no reply";
  if (reply.type === "signed_request_ok") return `signed_request_ok result=${JSON.stringify(reply.result)}`;
  if (reply.type === "error") return `error ${JSON.stringify(reply.code)} (${JSON.stringify(reply.text)})`;
  return `a ${JSON.stringify(reply.type)} reply`;
};

function describeShot(s: Shot): string {
  const b = s.body;
  const fields = `client=${JSON.stringify(b.client)} nonce=${JSON.stringify(b.nonce)} timestampMs=${JSON.stringify(b.timestampMs)} payload=${JSON.stringify(b.payload)}`;
  const at = s.send ? `, sent at t=${formatMs(s.send.send.timeMs)}${s.send.delivered[0] ? `, arrived at t=${formatMs(s.send.delivered[0].event.timeMs)}` : ""}` : "";
  return `${s.from}'s signed_request ${fields} (${s.label}${at})`;
}

async function runTrial(sim: Simulation, impl: ReplayGuardApi, p: Params, rng: Prng, stats?: ReplayGuardStats): Promise<void> {
  const script = new Script(sim, p, rng);
  let runs = 0;
  const options: ReplayGuardOptions = {
    keys: p.keys,
    windowMs: p.windowMs,
    execute: (client, payload) => {
      runs++;
      const ref = String((payload as { ref?: unknown } | null)?.ref);
      const result = { receipt: `${ref}/run-${runs}`, by: client };
      script.executions.push({ ref, client, atMs: sim.now(), result });
      return result;
    },
  };
  spawnBystanders(sim, p.bystanders);
  sim.spawn(p.server, (node) => void (script.api = impl.replayGuardedServer(node, options)), { role: "server", clock: { offsetMs: p.offsets[p.server] } });
  const [c1, c2] = p.clients.map((id) => sim.spawn(id, () => {}, { role: graderRole("client"), clock: { offsetMs: p.offsets[id] } }));
  const eve = sim.spawn(p.attacker, () => {}, { role: graderRole("attacker") });
  const W = p.windowMs;
  const fresh: Expect = { kind: "fresh" };
  const same = (of: Shot, orError = false): Expect => ({ kind: "same", of, orError });
  const refused = (why: string, codes = [400, 401, 409]): Expect => ({ kind: "refused", codes, why });
  const copy = (s: Shot, change: Record<string, unknown> = {}): Record<string, unknown> => ({ ...s.body, ...change });

  const phaseA = async (): Promise<void> => {
    await c1.sleep(30);
    // Two clients, one nonce; the attacker captures the first request and sends a copy at once.
    const shared = script.nonce();
    const r1 = script.shoot(c1, "a fresh request", script.signed(c1, shared), fresh);
    const first = script.shots[script.shots.length - 1];
    await eve.sleep(rng.int(0, 4));
    const eveNow = script.shoot(eve, "the attacker's copy of it, sent at once", copy(first), same(first, true));
    const r4 = script.shoot(c2, `a fresh request of another client with the same nonce ${JSON.stringify(shared)}`, script.signed(c2, shared), fresh);
    await Promise.all([r1, eveNow, r4]);
    // A reply lost: the client retries the same body.
    const r2body = script.signed(c1);
    let dropped = false;
    const rule = sim.addRule({ name: "lose the first reply", match: { type: "signed_request_ok", dest: c1.id, where: (m) => !dropped && m.body.nonce === r2body.nonce && (dropped = true) }, action: "drop" });
    const r2 = await script.shoot(c1, "a fresh request whose reply the network drops", r2body, { kind: "fresh", replyLost: true }, 80);
    rule.remove();
    await script.shoot(c1, "the same request again: a retry after the lost reply", { ...r2body }, same(r2));
    // A resend after a reply arrived (a client that was not sure).
    const r3 = await script.shoot(c2, "a fresh request", script.signed(c2), fresh);
    await c2.sleep(rng.int(5, 40));
    await script.shoot(c2, "the same request sent again after its reply", { ...r3.body }, same(r3));
    // Forgeries.
    const swapped = script.payload();
    const swap = await script.shoot(eve, "a copy of a captured request with its payload swapped, MAC kept", copy(r3, { payload: swapped }), refused("its MAC covers the payload, and the payload was changed", [401]));
    script.forbidden.set(swapped.ref, swap);
    const moved = (first.body.timestampMs as number) + rng.int(20, Math.max(21, Math.floor(W / 2)));
    await script.shoot(eve, "a copy of a captured request with its timestamp moved, MAC kept", copy(first, { timestampMs: moved }), refused("its MAC covers the timestamp, which was changed", [401]));
    const reused = script.payload();
    const reuse = await script.shoot(c1, `another request reusing the nonce ${JSON.stringify(r2body.nonce)} (correctly signed)`, script.signed(c1, r2body.nonce as string, reused), refused("that nonce was already used for another request", [409, 401]));
    script.forbidden.set(reused.ref, reuse);
    const ghost = Object.keys(p.keys).find((k) => !p.clients.includes(k))!;
    const forged = script.payload();
    const forgery = await script.shoot(eve, `a request in the name of ${ghost}, signed with a guessed key`, { type: "signed_request", ...macEnvelope({ client: ghost, nonce: script.nonce(), timestampMs: eve.clock(), payload: forged }, randomBytesFrom(rng, 32)) }, refused("its MAC was not made with the client's key", [401]));
    script.forbidden.set(forged.ref, forgery);
    // Malformed bodies.
    const bad = rng.shuffle<[string, Record<string, unknown>]>([
      ["a body without a mac", { type: "signed_request", client: c1.id, nonce: script.nonce(), timestampMs: c1.clock(), payload: {} }],
      ["a body whose timestampMs is a string", { ...script.signed(c1), timestampMs: "now" }],
      ["a body whose nonce is a number", { ...script.signed(c1), nonce: 42 }],
      ["a body whose client is unknown", { ...script.signed(c1), client: "nobody" }],
      ["a body whose mac is not base64url", { ...script.signed(c1), mac: "%%%" }],
    ]).slice(0, 2);
    for (const [label, body] of bad) {
      const shot = await script.shoot(eve, label, body, refused("the body is malformed or its client unknown", [400, 401]));
      const ref = (body.payload as { ref?: string } | undefined)?.ref;
      if (ref) script.forbidden.set(ref, shot);
    }
    // Half a window after the first request: an identical replay.
    await eve.sleep(Math.max(0, (first.body.timestampMs as number) + Math.floor(W / 2) - eve.clock()));
    await script.shoot(eve, "the attacker's copy of a request, replayed half a window later", copy(first), same(first, true));
  };

  const phaseB = async (): Promise<void> => {
    const first = script.shots[0];
    await eve.sleep(Math.max(0, (first.body.timestampMs as number) + W + 60 - eve.clock()));
    await script.shoot(eve, "the attacker's copy of a request, replayed after the window", copy(first), refused(`its timestamp is more than windowMs = ${W} ms old`, [401]));
    const stale = copy(first, { timestampMs: eve.clock() });
    await script.shoot(eve, "the attacker's copy of an old request with a fresh timestamp, MAC kept", stale, refused("its MAC covers the timestamp, which was changed", [401]));
  };

  const phaseC = async (): Promise<void> => {
    const r5 = await script.shoot(c1, "a fresh request (the server crashes after answering it)", script.signed(c1), fresh);
    await c1.sleep(rng.int(2, 30));
    sim.crash(p.server);
    await c1.sleep(rng.int(50, 101));
    sim.restart(p.server);
    if (stats) stats.restarts++;
    await eve.sleep(rng.int(1, 20));
    await script.shoot(eve, "the attacker's copy of a request from before the restart, replayed after it", copy(r5), same(r5, true));
    await script.shoot(c1, "a retry, after the restart, of a request from before it", { ...r5.body }, same(r5, true));
    await c2.sleep(W + 40);
    await script.shoot(c2, "a fresh request a window after the restart", script.signed(c2), fresh);
  };

  const phaseD = async (): Promise<{ earlyStorage: number; endStorage: number; remembered: number; bound: number; endMs: number }> => {
    const step = W / STREAM_PER_WINDOW;
    let earlyStorage = 0;
    const streamStart = sim.now();
    const shots: Shot[] = [];
    for (let i = 0; i < STREAM_WINDOWS * STREAM_PER_WINDOW; i++) {
      const client = i % 2 === 0 ? c1 : c2;
      shots.push(await script.shoot(client, "a fresh request of the steady stream", script.signed(client), fresh));
      if (i === 2 * STREAM_PER_WINDOW) earlyStorage = sim.node(p.server).storage.sizeBytes;
      await client.sleep(Math.max(0, streamStart + (i + 1) * step - sim.now()));
    }
    const endMs = sim.now();
    const endStorage = sim.node(p.server).storage.sizeBytes;
    const remembered = script.api?.rememberedNonces() ?? NaN;
    const recent = script.shots.filter((s) => typeof s.body.timestampMs === "number" && (s.body.timestampMs as number) >= endMs - 2 * W - 30).length;
    return { earlyStorage, endStorage, remembered, bound: recent + 2, endMs };
  };

  let memory: Awaited<ReturnType<typeof phaseD>> | undefined;
  const all = (async () => {
    await phaseA();
    await phaseB();
    await phaseC();
    memory = await phaseD();
  })();
  await sim.runUntilSettled(all, { withinMs: 120_000 });
  await sim.runFor(300);
  judge(sim, script, memory!, stats);
}

function judge(sim: Simulation, script: Script, memory: { earlyStorage: number; endStorage: number; remembered: number; bound: number; endMs: number }, stats?: ReplayGuardStats): void {
  const p = script.p;
  const sent = sentMessages(sim.trace.events);
  const bySendId = new Map(sent.map((m) => [m.send.id, m]));
  const replies = new Map<string, SentMessage>();
  for (const m of sent) if (m.send.src === p.server && m.send.inReplyTo !== undefined) replies.set(`${m.send.dest}#${m.send.inReplyTo}`, m);
  for (const s of script.shots) s.send = bySendId.get((s as { sendId?: number }).sendId ?? -1);
  const runsOf = new Map<string, Execution[]>();
  for (const e of script.executions) runsOf.set(e.ref, [...(runsOf.get(e.ref) ?? []), e]);
  const arrival = (s: Shot): number => s.send?.delivered[0]?.event.timeMs ?? s.send?.send.timeMs ?? 0;
  /** The shot whose request the server was handling at `atMs` for `ref`. */
  const shotAt = (ref: string, atMs: number): Shot | undefined => script.shots.find((s) => s.ref === ref && s.send?.delivered.some((d) => d.event.timeMs === atMs));
  const evidenceOf = (...shots: Array<Shot | undefined>): number[] => {
    const ids: number[] = [];
    for (const s of shots) {
      if (!s?.send) continue;
      ids.push(s.send.send.id);
      const r = replies.get(`${s.send.send.src}#${s.send.send.msgId}`);
      if (r) ids.push(r.send.id);
    }
    return ids;
  };
  /** The reply to `s` was sent and dropped by the grader's rule. */
  const dropped = (s: Shot): boolean => {
    const r = s.send && replies.get(`${s.send.send.src}#${s.send.send.msgId}`);
    return r !== undefined && r.delivered.length === 0 && r.dropped.length > 0;
  };
  const W = p.windowMs;
  const window = `windowMs = ${W} ms`;

  const checks: Array<() => void> = [];
  // Runs: each request's ref at most once, and never a forbidden one.
  for (const [ref, runs] of runsOf) {
    checks.push(() => {
      const bad = script.forbidden.get(ref);
      if (bad) {
        const at = shotAt(ref, runs[0].atMs) ?? bad;
        fail(`${p.server} to refuse ${describeShot(bad)} and run nothing, because ${(bad.expect as { why: string }).why}`, `execute ran its payload at t=${formatMs(runs[0].atMs)}; the reply was ${describeReply(at.reply)}`, { timeMs: runs[0].atMs, node: p.server, evidence: evidenceOf(at) });
      }
      if (runs.length > 1) {
        const firstShot = script.shots.find((s) => s.ref === ref && s.expect.kind === "fresh");
        const again = shotAt(ref, runs[1].atMs);
        fail(
          `${p.server} to run ${firstShot ? describeShot(firstShot) : ref} once (it ran at t=${formatMs(runs[0].atMs)}), and never again for a copy with the same client and nonce`,
          `execute ran it again at t=${formatMs(runs[1].atMs)} for ${again ? describeShot(again) : "another copy"} — ${runs.length} runs in all; ${again ? `that copy got ${describeReply(again.reply)}` : ""}`,
          { timeMs: runs[1].atMs, node: p.server, evidence: evidenceOf(firstShot, again) },
        );
      }
    });
  }
  // Replies.
  for (const s of script.shots) {
    checks.push(() => {
      const reply = s.reply;
      const at = { timeMs: arrival(s), node: p.server, evidence: evidenceOf(s) };
      const e = s.expect;
      if (e.kind === "fresh") {
        const runs = runsOf.get(s.ref!) ?? [];
        if (runs.length === 0) fail(`${p.server} to run ${describeShot(s)} once and answer signed_request_ok with its result: it is authentic, fresh (${window}) and its nonce is new for ${s.from}`, `${describeReply(reply)}; execute never ran it`, at);
        if (!(e.replyLost && dropped(s)) && (reply?.type !== "signed_request_ok" || JSON.stringify(reply.result) !== JSON.stringify(runs[0].result))) {
          fail(`${p.server} to answer ${describeShot(s)} with signed_request_ok and the result of its run, ${JSON.stringify(runs[0].result)}`, describeReply(reply), at);
        }
        if (stats) stats.fresh++;
      } else if (e.kind === "same") {
        const original = (runsOf.get(e.of.ref!) ?? [])[0];
        const okSame = reply?.type === "signed_request_ok" && original !== undefined && JSON.stringify(reply.result) === JSON.stringify(original.result);
        const okError = e.orError && reply?.type === "error" && typeof reply.code === "number";
        if (!okSame && !okError) {
          fail(
            `${p.server} to answer ${describeShot(s)} with the reply the first copy got, signed_request_ok result=${JSON.stringify(original?.result)} (nothing run again${e.orError ? "; an error is accepted too" : ", and not refused: a retry after a lost reply must work"})`,
            describeReply(reply),
            { ...at, evidence: evidenceOf(s, e.of) },
          );
        }
        if (stats) s.from === p.attacker ? stats.replays++ : stats.retries++;
      } else {
        const ok = reply?.type === "error" && e.codes.includes(reply.code as number);
        if (!ok) fail(`${p.server} to refuse ${describeShot(s)} with error ${e.codes.join(" or ")} and run nothing, because ${e.why}`, describeReply(reply), at);
        if (stats) (s.label.includes("after the window") ? stats.stale++ : stats.forged++);
      }
    });
  }
  // Memory after the steady stream.
  checks.push(() => {
    const at = { timeMs: memory.endMs, node: p.server };
    if (!(memory.remembered <= memory.bound)) {
      fail(
        `rememberedNonces() at t=${formatMs(memory.endMs)}, after ${STREAM_WINDOWS} windows of steady traffic, to be at most ${memory.bound} (the requests timestamped in the last 2 × ${W} ms, + 2): nonces older than the window can be forgotten`,
        `rememberedNonces() is ${memory.remembered} (${script.shots.length} requests were sent in the whole trial)`,
        at,
      );
    }
    if (!(memory.endStorage <= memory.earlyStorage * 1.25 + 512)) {
      fail(
        `${p.server}'s node.storage to stop growing under steady traffic: at most 1.25 × ${memory.earlyStorage} + 512 bytes at t=${formatMs(memory.endMs)} (its size 2 windows into the stream, + slack), since only the last window's nonces are needed`,
        `node.storage.sizeBytes is ${memory.endStorage}: old nonces are never deleted from storage`,
        at,
      );
    }
  });
  if (stats) {
    stats.trials++;
    stats.rememberedMaxShare = Math.max(stats.rememberedMaxShare, memory.remembered / memory.bound);
  }
  throwEarliest(checks);
}

/**
 * Grade exercise 12.2 with one seed.
 *
 * @example
 * const result = await checkReplayGuard(await loadModule("solutions/12-security/replay-guard"), 7);
 */
export function checkReplayGuard(impl: ReplayGuardApi, seed: number, stats?: ReplayGuardStats): Promise<CheckResult> {
  const scenario: Scenario<ReplayGuardApi, Params & { rng: Prng }> = {
    name: (p) => `your server ${p.server} (windowMs ${p.windowMs}) against the grader's clients ${p.clients.join(" and ")} and attacker ${p.attacker}; latency 5–15 ms`,
    trials: TRIALS,
    params: (trial) => ({ ...drawParams(trial.rng), rng: trial.rng }),
    simulation: { network: { latency: latency.uniform(5, 15) } },
    run: (sim, impl, p) => runTrial(sim, impl, p, p.rng, stats),
  };
  return runScenarios(impl, seed, [scenario], { functions: ["replayGuardedServer"], exercise: "12.2 replay-guard" });
}
