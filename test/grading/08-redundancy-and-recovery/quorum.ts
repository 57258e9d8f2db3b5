/**
 * Check of exercise 08.4 quorum reads and writes (ABD). The replicas are the grader's (the
 * `q_read` / `q_write` wire, durable across a crash); several `quorumClient`s of the student, each
 * on its own node, run gets and puts on 1–3 keys. Bystanders first, names drawn per trial, the
 * replica list shuffled, latency 5–15 ms, unordered. Three scenarios, {@link TRIALS} trials each
 * per seed:
 *
 * 1. **partial write**: n = 3 or 5 with majority quorums; one client's put reaches one replica
 *    at once and the others 150 ms later (a delay rule on its q_write), while two readers take
 *    turns reading the key: a get that saw the new value from the one replica and did not write
 *    it back lets the next get read the old one (a new–old inversion, not linearizable). In half
 *    the trials a second client puts at the same moment: both read the same counter, and the
 *    late put is the one with the higher writer id, so gets meet a tie that only the writer breaks.
 * 2. **crashes**: n = 3 or 5, (r, w) drawn with r + w > n and w > n/2; n − max(r, w) replicas
 *    crash at a drawn moment (as many as the quorums allow), one live replica answers slowly
 *    (20–60 ms), 3% loss, 10% duplication. Every operation must succeed.
 * 3. **partition**: one client is cut off with a minority of replicas for 300–500 ms (its
 *    operations must end — reject — within 2 × timeoutMs, the others' must succeed), then healed;
 *    then all but one replica crash for a while (a safety-only phase: operations may only reject),
 *    restart, and every operation after that must succeed again. 2% loss, 5% duplication.
 *
 * Every trial: each operation's messages are read from the trace (requests sent between its
 * invocation and its end, and the answers to exactly those requests): a put reads r different
 * replicas before its first q_write, writes a version whose counter is above every counter it read
 * with writer = its node id, and ends only after q_write_ok from w different replicas; a get
 * reads r different replicas and returns the value of the highest version among their answers
 * (counter, then writer); every operation ends within 2 × timeoutMs + {@link END_SLACK_MS}; and the
 * history is linearizable (lib/check, key–value model, get of a missing key = "").
 */
import { checkLinearizability, kvModel, type KvInput, type LinearizabilityResult } from "../../../lib/check";
import { HistoryRecorder, type OpenOperation } from "../../../lib/history";
import { latency } from "../../../lib/net";
import type { Message, Node } from "../../../lib/node";
import { formatMs, type Prng } from "../../../lib/sim";
import type { Simulation } from "../../../lib/simulation";
import type { TraceEvent } from "../../../lib/trace";
import { ensure, fail, graderRole, runScenarios, spawnBystanders, throwEarliest, trialsPerSeed, type CheckResult, type Scenario, type Trial } from "../check";
import { exercise } from "../exercises";
import { describeMessage, sentMessages, shortValue, type SentMessage } from "../messages";

/** A client of the student's, as `quorumClient` returns it. */
export interface QuorumClientApi {
  get(key: string): Promise<string | null>;
  put(key: string, value: string): Promise<void>;
}

/** What exercises/08-redundancy-and-recovery/quorum.ts exports. */
export interface QuorumApi {
  quorumClient(node: Node, replicas: string[], options: { r: number; w: number; timeoutMs: number }): QuorumClientApi;
}

// tsc checks that the stub and the reference both have this API.
type Implements<T extends QuorumApi> = T;
export type StubImplementsQuorum = Implements<typeof import("../../../exercises/08-redundancy-and-recovery/quorum")>;
export type SolutionImplementsQuorum = Implements<typeof import("../../../solutions/08-redundancy-and-recovery/quorum")>;

/** Trials per seed of each scenario: with the registry's seeds, ≥ 135 in all (see check.ts). */
export const TRIALS = trialsPerSeed(exercise("08.4").seeds.length);

/** An operation ends (resolves or rejects) within 2 × timeoutMs + this. */
export const END_SLACK_MS = 10;
export const TIMEOUT_MS_MIN = 300;
export const TIMEOUT_MS_MAX = 500;
/** The slow replica's think time before each answer. */
export const SLOW_MS_MIN = 20;
export const SLOW_MS_MAX = 60;
/** Scenario 1: clients invoke operations until this virtual time. */
export const CRASHES_RUN_MS = 600;
/** Scenario 3: the late copies of the put's q_write arrive this much later. */
export const PARTIAL_DELAY_MS = 150;
/** Quorums drawn per n: r + w > n and w > n/2. */
export const QUORUMS: Readonly<Record<number, ReadonlyArray<[r: number, w: number]>>> = {
  3: [[2, 2], [2, 2], [1, 3], [3, 2]],
  5: [[3, 3], [3, 3], [2, 4], [4, 3]],
};

const NAMES = ["client", "c1", "c2", "c3", "r1", "r2", "r3", "r4", "r5", "n1", "n2", "n3", "a", "b", "replica", "store"];
const KEYS = ["x", "y", "z"];

/** A key's version on the wire. */
interface Version {
  counter: number;
  writer: string;
}

/** What the trials met (the meta tests read it). */
export interface QuorumStats {
  trials: number;
  operations: number;
  rejected: number;
  /** Gets whose read answers held two versions with one counter (ties between writers). */
  tiedReads: number;
  /** Operations whose answers included a second copy from one replica. */
  duplicateAnswers: number;
  /** Read answers where the first answer was not the highest. */
  firstNotHighest: number;
  /** Search steps of the linearizability checker, the most in one trial. */
  stepsMax: number;
}

// ---- the grader's replica -------------------------------------------------------------------

function parseVersion(v: unknown): Version | null | undefined {
  if (v === null) return null;
  if (v && typeof v === "object" && Number.isInteger((v as Version).counter) && (v as Version).counter >= 1 && typeof (v as Version).writer === "string") {
    return { counter: (v as Version).counter, writer: (v as Version).writer };
  }
  return undefined;
}

/** −1, 0, 1 as `a` is lower, equal, higher than `b` (null lowest; counter, then writer). */
function compare(a: Version | null, b: Version | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (a.counter !== b.counter) return a.counter < b.counter ? -1 : 1;
  return a.writer < b.writer ? -1 : a.writer > b.writer ? 1 : 0;
}

const versionText = (v: Version | null): string => (v === null ? "null" : `{counter ${v.counter}, writer "${v.writer}"}`);

/** A replica of the grader: per key the value of the highest version, in durable storage. */
function graderReplica(slow: { minMs: number; maxMs: number } | undefined): (node: Node) => void {
  return (node) => {
    const answer = (request: Message, body: Record<string, unknown> & { type: string }): void => {
      if (slow === undefined) return void node.reply(request, body);
      node.setTimer(node.rng.uniform(slow.minMs, slow.maxMs), () => node.reply(request, body), "think");
    };
    node.on("q_read", (request) => {
      const key = String(request.body.key);
      const held = node.storage.get<{ version: Version; value: unknown }>(`kv:${key}`);
      answer(request, { type: "q_read_ok", key, version: held?.version ?? null, value: held?.value ?? null });
    });
    node.on("q_write", (request) => {
      const key = String(request.body.key);
      const version = parseVersion(request.body.version);
      const held = node.storage.get<{ version: Version; value: unknown }>(`kv:${key}`);
      if (version && compare(version, held?.version ?? null) > 0) node.storage.set(`kv:${key}`, { version, value: request.body.value ?? null });
      answer(request, { type: "q_write_ok" });
    });
  };
}

// ---- the workload ---------------------------------------------------------------------------

/** One operation as the grader ran it. */
interface OpRecord {
  client: string;
  f: "get" | "put";
  key: string;
  value?: string;
  invokeMs: number;
  invokeIndex: number;
  history: OpenOperation;
  /** When it resolved or rejected. */
  end?: { ok: boolean; atMs: number; index: number; output?: string | null; error?: string };
  /** False while the client cannot reach a quorum (cut off, too many replicas down). */
  mustSucceed: boolean;
  timeoutMs: number;
}

/** Windows of virtual time in which a client cannot reach its quorums. */
type Blocked = (client: string, fromMs: number, toMs: number) => boolean;

class Workload {
  readonly recorder = new HistoryRecorder<KvInput, string>();
  readonly ops: OpRecord[] = [];
  private readonly processes = new Map<string, string>();
  private readonly infoCount = new Map<string, number>();

  constructor(
    private readonly sim: Simulation,
    private readonly timeoutMs: number,
    private readonly blocked: Blocked,
  ) {}

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => this.sim.after(ms, resolve, "think"));
  }

  /** Run one operation of `client` and wait for its end (never longer than the run). */
  run(id: string, client: QuorumClientApi, f: "get" | "put", key: string, value?: string): Promise<void> {
    const process = this.processes.get(id) ?? id;
    const input: KvInput = f === "put" ? { key, value } : { key };
    const now = this.sim.now();
    const op: OpRecord = {
      client: id,
      f,
      key,
      value,
      invokeMs: now,
      invokeIndex: this.sim.trace.events.length,
      history: this.recorder.invoke(process, f, input, now),
      mustSucceed: !this.blocked(id, now, now + 2 * this.timeoutMs + END_SLACK_MS),
      timeoutMs: this.timeoutMs,
    };
    this.ops.push(op);
    let call: Promise<string | null | void>;
    try {
      call = f === "put" ? client.put(key, value as string) : client.get(key);
    } catch (error) {
      call = Promise.reject(error);
    }
    return Promise.resolve(call).then(
      (output) => {
        op.end = { ok: true, atMs: this.sim.now(), index: this.sim.trace.events.length, output: f === "get" ? ((output ?? null) as string | null) : undefined };
        this.recorder.complete(op.history, "ok", f === "get" ? String(output ?? "") : undefined, this.sim.now());
      },
      (error: unknown) => {
        const text = error instanceof Error ? error.message : String(error);
        op.end = { ok: false, atMs: this.sim.now(), index: this.sim.trace.events.length, error: text };
        this.recorder.complete(op.history, "info", undefined, this.sim.now(), { text });
        // Jepsen's rule: after an unknown outcome the client goes on as a new process.
        const n = (this.infoCount.get(id) ?? 1) + 1;
        this.infoCount.set(id, n);
        this.processes.set(id, `${id}#${n}`);
      },
    );
  }

  /** A client's loop: random gets and puts on `keys` until `untilMs`. */
  async loop(id: string, client: QuorumClientApi, rng: Prng, keys: readonly string[], untilMs: number, thinkMsMax = 30): Promise<void> {
    let n = 0;
    while (this.sim.now() < untilMs) {
      await this.wait(rng.uniform(0, thinkMsMax));
      if (this.sim.now() >= untilMs) break;
      const key = rng.pick(keys);
      n++;
      if (rng.chance(0.5)) await this.run(id, client, "put", key, `${id}-${n}${rng.pick(["a", "b", "c", "d"])}`);
      else await this.run(id, client, "get", key);
    }
  }
}

// ---- the rules, over the trace --------------------------------------------------------------

interface OpMessages {
  reads: SentMessage[];
  writes: SentMessage[];
  /** Answers to this operation's own requests, with the index each copy arrived at (all copies). */
  readAnswers: Array<{ m: SentMessage; index: number; atMs: number }>;
  writeAnswers: Array<{ m: SentMessage; index: number; atMs: number }>;
}

/**
 * The messages of every operation: its requests (sent by its client between its invocation and its
 * end) and the copies of the answers to exactly those requests that arrived before its end.
 */
function opMessages(ops: readonly OpRecord[], events: readonly TraceEvent[]): Map<number, OpMessages> {
  const clients = new Set(ops.map((op) => op.client));
  const byOp = new Map<number, OpMessages>();
  const running = new Map<string, OpRecord[]>(); // per client, its ops in order
  for (const op of ops) {
    byOp.set(op.history.id, { reads: [], writes: [], readAnswers: [], writeAnswers: [] });
    running.set(op.client, [...(running.get(op.client) ?? []), op]);
  }
  const endOf = (op: OpRecord): number => op.end?.index ?? events.length;
  const owner = new Map<string, OpRecord>(); // "client>replica#msg_id" of a request → its operation
  const sent = sentMessages(events, (s) => clients.has(s.src) || clients.has(s.dest));
  for (const m of sent) {
    if (!clients.has(m.send.src) || (m.send.type !== "q_read" && m.send.type !== "q_write")) continue;
    // A resend (the same msg_id again) belongs to the operation that sent it first, also when
    // it goes out during a later operation (an rpc of an earlier one still retrying).
    const request = `${m.send.src}>${m.send.dest}#${String(m.body.msg_id)}`;
    const op = owner.get(request) ?? running.get(m.send.src)?.find((o) => m.index >= o.invokeIndex && m.index < endOf(o));
    if (op === undefined) continue;
    const mine = byOp.get(op.history.id)!;
    (m.send.type === "q_read" ? mine.reads : mine.writes).push(m);
    owner.set(request, op);
  }
  for (const m of sent) {
    if (!clients.has(m.send.dest) || (m.send.type !== "q_read_ok" && m.send.type !== "q_write_ok")) continue;
    const op = owner.get(`${m.send.dest}>${m.send.src}#${String(m.body.in_reply_to)}`);
    if (op === undefined) continue;
    const list = m.send.type === "q_read_ok" ? byOp.get(op.history.id)!.readAnswers : byOp.get(op.history.id)!.writeAnswers;
    for (const d of m.delivered) if (d.index < endOf(op)) list.push({ m, index: d.index, atMs: d.event.timeMs });
  }
  for (const mine of byOp.values()) {
    mine.readAnswers.sort((x, y) => x.index - y.index);
    mine.writeAnswers.sort((x, y) => x.index - y.index);
  }
  return byOp;
}

const distinct = (answers: OpMessages["readAnswers"]): string[] => Array.from(new Set(answers.map((a) => a.m.send.src)));

function opName(op: OpRecord): string {
  const args = op.f === "put" ? `${JSON.stringify(op.key)}, ${JSON.stringify(op.value)}` : JSON.stringify(op.key);
  return `${op.client}'s ${op.f}(${args}) (invoked at t=${formatMs(op.invokeMs)})`;
}

function answersText(answers: OpMessages["readAnswers"], max = 3): string {
  const messages = Array.from(new Set(answers.map((a) => a.m))); // a duplicate is one message that arrived twice
  if (messages.length === 0) return "no answer";
  const shown = messages.slice(0, max).map((m) => describeMessage(m, ["version", "value"]));
  return shown.join("; ") + (messages.length > max ? `; … ${messages.length - max} more` : "");
}

/** The rules of one operation; `quorum` is { r, w }. */
function checkOp(op: OpRecord, msgs: OpMessages, quorum: { r: number; w: number }, traceEndMs: number, stats?: QuorumStats): void {
  const deadlineMs = op.invokeMs + 2 * op.timeoutMs + END_SLACK_MS;
  const endMs = op.end?.atMs;
  // Ends in time; must succeed when a quorum was reachable.
  ensure(
    endMs !== undefined ? endMs <= deadlineMs : traceEndMs <= deadlineMs,
    () => `${opName(op)} to end (resolve, or reject when no quorum answers) by t=${formatMs(deadlineMs)}: each phase waits at most timeoutMs=${op.timeoutMs} ms`,
    () => (endMs !== undefined ? `it ended at t=${formatMs(endMs)}, ${formatMs(endMs - op.invokeMs)} after its invocation` : `it had not ended at t=${formatMs(traceEndMs)} (it hangs)`),
    { timeMs: Math.min(endMs ?? Infinity, deadlineMs), node: op.client, evidence: [...msgs.reads, ...msgs.writes].slice(0, 4).map((m) => m.send.id) },
  );
  if (op.mustSucceed) {
    ensure(
      op.end !== undefined && op.end.ok,
      () =>
        `${opName(op)} to succeed: enough replicas were up and reachable for r=${quorum.r} and w=${quorum.w} (with n − max(r, w) replicas down, or one replica slow, a quorum still answers; resend to the replicas that have not answered — 2–3% of messages are lost)`,
      () => `it rejected at t=${formatMs(op.end?.atMs ?? traceEndMs)} with ${shortValue(op.end?.error ?? "?", 120)}; it had answers from ${distinct(msgs.readAnswers).length} replica(s) to q_read and ${distinct(msgs.writeAnswers).length} to q_write`,
      { timeMs: op.end?.atMs, node: op.client, evidence: [...msgs.readAnswers, ...msgs.writeAnswers].slice(0, 4).map((a) => a.m.send.id) },
    );
  }
  if (op.end === undefined) return;
  const firstWrite = msgs.writes[0];
  const readUntil = firstWrite ? firstWrite.index : op.end.index;
  const readSeen = msgs.readAnswers.filter((a) => a.index < readUntil);
  const readers = distinct(readSeen);
  if (stats) {
    const copies = new Set<number>();
    if ([...msgs.readAnswers, ...msgs.writeAnswers].some((a) => copies.size === copies.add(a.m.send.id).size)) stats.duplicateAnswers++;
  }
  const versions = readSeen.map((a) => ({ a, version: parseVersion(a.m.body.version) ?? null }));
  // One replica may answer twice (a resend) with two versions: the client may use either, so the
  // bound is the highest over replicas of each one's lowest answer.
  const lowest = new Map<string, (typeof versions)[number]>();
  for (const v of versions) {
    const had = lowest.get(v.a.m.send.src);
    if (had === undefined || compare(v.version, had.version) < 0) lowest.set(v.a.m.send.src, v);
  }
  const highest = Array.from(lowest.values()).reduce<(typeof versions)[number] | undefined>((best, v) => (best === undefined || compare(v.version, best.version) > 0 ? v : best), undefined);
  if (stats && op.f === "get" && readSeen.length > 0) {
    const counters = versions.filter((v) => v.version !== null).map((v) => `${v.version!.counter}`);
    const writers = new Set(versions.filter((v) => v.version !== null).map((v) => `${v.version!.counter}/${v.version!.writer}`));
    if (writers.size > new Set(counters).size) stats.tiedReads++;
    if (highest && compare(versions[0].version, highest.version) < 0) stats.firstNotHighest++;
  }
  // The read phase: r different replicas before writing (a put) or returning (a get, or a read-only get).
  const phaseEnd = firstWrite ? `its first q_write (${describeMessage(firstWrite, ["version", "value"])})` : `it ${op.end.ok ? "returned" : "rejected"} at t=${formatMs(op.end.atMs)}`;
  if (op.end.ok || firstWrite) {
    ensure(
      readers.length >= quorum.r,
      () =>
        `${opName(op)} to have q_read_ok answers from r=${quorum.r} different replicas before ${firstWrite ? "writing" : "returning"} (a duplicated answer, or two answers of one replica to a resend, count once)`,
      () => `${readers.length} replica(s) (${readers.join(", ") || "none"}) had answered before ${phaseEnd}: ${answersText(readSeen, 4)}`,
      { timeMs: firstWrite ? firstWrite.send.timeMs : op.end.atMs, node: op.client, evidence: [...readSeen.map((a) => a.m.send.id), ...(firstWrite ? [firstWrite.send.id] : [])].slice(0, 6) },
    );
  }
  if (op.f === "put") {
    const counterMax = highest?.version?.counter ?? 0;
    for (const wm of msgs.writes) {
      const version = parseVersion(wm.body.version);
      const ok = version !== undefined && version !== null && version.counter > counterMax && version.writer === op.client && wm.body.value === op.value && wm.body.key === op.key;
      ensure(
        ok,
        () =>
          `${opName(op)} to write q_write { key: ${JSON.stringify(op.key)}, version: { counter > ${counterMax}, writer: "${op.client}" }, value: ${JSON.stringify(op.value)} }: ` +
          `the counter must be above every counter it read (the highest was ${highest ? versionText(highest.version) : "none"}${highest && highest.version ? `, in ${describeMessage(highest.a.m, ["version"])}` : ""}), and the writer its own node id`,
        () => describeMessage(wm, ["key", "version", "value"]),
        { timeMs: wm.send.timeMs, node: op.client, evidence: [wm.send.id, ...(highest && highest.version ? [highest.a.m.send.id] : [])] },
      );
    }
    if (op.end.ok) {
      const acks = distinct(msgs.writeAnswers);
      ensure(
        acks.length >= quorum.w,
        () => `${opName(op)} to return only after q_write_ok from w=${quorum.w} different replicas (a duplicated answer counts once)`,
        () => `it returned at t=${formatMs(op.end!.atMs)} after q_write_ok from ${acks.length} (${acks.join(", ") || "none"}): ${answersText(msgs.writeAnswers, 4)}`,
        { timeMs: op.end.atMs, node: op.client, evidence: msgs.writeAnswers.slice(0, 5).map((a) => a.m.send.id) },
      );
    }
    return;
  }
  // A get: the value of the highest version it read; a write-back carries that version and value.
  if (!op.end.ok || highest === undefined) return;
  const returned = versions.find((v) => compare(v.version, highest.version) >= 0 && (v.version === null ? null : (v.a.m.body.value ?? null)) === op.end!.output);
  const want = highest.version === null ? null : ((highest.a.m.body.value ?? null) as string | null);
  ensure(
    returned !== undefined,
    () =>
      `${opName(op)} to return the value of the highest version among the answers of the r replicas it read, ${JSON.stringify(want)} with ${versionText(highest.version)}` +
      `${highest.version ? ` in ${describeMessage(highest.a.m, ["version", "value"])}` : ""} (versions compare by counter, then by writer)`,
    () => `it returned ${JSON.stringify(op.end!.output)}; its answers: ${answersText(readSeen, 4)}`,
    { timeMs: op.end.atMs, node: op.client, evidence: readSeen.slice(0, 5).map((a) => a.m.send.id) },
  );
  for (const wm of msgs.writes) {
    const version = parseVersion(wm.body.version);
    ensure(
      version !== undefined && version !== null && compare(version, returned.version) === 0 && wm.body.value === op.end.output && wm.body.key === op.key,
      () => `the write-back of ${opName(op)} to carry the version it read and the value it returns: version ${versionText(returned.version)}, value ${JSON.stringify(op.end!.output)}`,
      () => describeMessage(wm, ["key", "version", "value"]),
      { timeMs: wm.send.timeMs, node: op.client, evidence: [wm.send.id, returned.a.m.send.id] },
    );
  }
}

/** The linearizability verdict as a failure: the operation that cannot be placed, and what it read. */
function checkHistory(w: Workload, result: LinearizabilityResult, byOp: Map<number, OpMessages>): void {
  if (result.verdict === "linearizable") return;
  if (result.verdict === "unknown") {
    fail("a history the linearizability checker can decide", `it ran out of its budget of ${result.maxSteps} steps (a grader bug: please report it)`);
  }
  const v = result.violation!;
  const blocked = w.ops[v.blocked.id];
  const msgs = byOp.get(v.blocked.id);
  const before = v.prefix.slice(-3).map((op) => `${op.process}: ${op.text} (t=${formatMs(op.invokeMs)}–${op.completeMs === undefined ? "?" : formatMs(op.completeMs)})`);
  const why = v.candidates[0]?.why ?? "no operation fits";
  fail(
    `a linearizable history: one order of the operations, each taking effect between its invocation and its end, in which every get returns the last put before it`,
    `not linearizable on key ${JSON.stringify(v.key)}: ${v.blocked.process}: ${v.blocked.text} (t=${formatMs(v.blocked.invokeMs)}–${formatMs(v.blocked.completeMs ?? 0)}) cannot be placed — ${why}` +
      (before.length ? `; the longest order the checker found before it ends with ${before.join(", ")}` : "") +
      (msgs ? `; its answers: ${answersText(msgs.readAnswers, 3)}` : ""),
    { timeMs: v.blocked.completeMs, node: blocked?.client, evidence: msgs ? msgs.readAnswers.slice(0, 4).map((a) => a.m.send.id) : [] },
  );
}

/** All rules of a finished trial. */
function checkTrial(sim: Simulation, w: Workload, quorum: { r: number; w: number }, stats?: QuorumStats): void {
  const byOp = opMessages(w.ops, sim.trace.events);
  if (stats) {
    stats.trials++;
    stats.operations += w.ops.length;
    stats.rejected += w.ops.filter((op) => op.end && !op.end.ok).length;
  }
  throwEarliest(w.ops.map((op) => () => checkOp(op, byOp.get(op.history.id)!, quorum, sim.now(), stats)));
  const result = checkLinearizability(w.recorder.history(), kvModel(), { maxSteps: 1_000_000 });
  if (stats) stats.stepsMax = Math.max(stats.stepsMax, result.steps);
  checkHistory(w, result, byOp);
}

// ---- scenarios ------------------------------------------------------------------------------

interface Params {
  bystanders: string[];
  replicas: string[];
  clients: string[];
  keys: string[];
  n: number;
  r: number;
  w: number;
  timeoutMs: number;
}

function drawParams(trial: Trial, options: { n?: number; quorums?: ReadonlyArray<[number, number]>; clients?: number } = {}): Params {
  const rng = trial.rng;
  const n = options.n ?? rng.pick([3, 5]);
  const [r, w] = rng.pick(options.quorums ?? QUORUMS[n]);
  const names = rng.shuffle(NAMES);
  const count = rng.int(1, 3);
  const replicas = names.slice(count, count + n);
  return {
    bystanders: names.slice(0, count),
    replicas,
    clients: names.slice(count + n, count + n + (options.clients ?? 3)),
    keys: rng.shuffle(KEYS).slice(0, rng.int(2, 4)),
    n,
    r,
    w,
    timeoutMs: rng.int(TIMEOUT_MS_MIN / 10, TIMEOUT_MS_MAX / 10 + 1) * 10,
  };
}

function spawnClients(sim: Simulation, impl: QuorumApi, p: Params, rng: Prng): Map<string, QuorumClientApi> {
  const made = new Map<string, QuorumClientApi>();
  for (const id of p.clients) {
    const order = rng.shuffle(p.replicas); // each client gets the replicas in its own order
    sim.spawn(id, (node) => void made.set(id, impl.quorumClient(node, order, { r: p.r, w: p.w, timeoutMs: p.timeoutMs })), { role: "client" });
  }
  return made;
}

const quorumWords = (p: Params): string => `n=${p.n}, r=${p.r}, w=${p.w}, timeoutMs=${p.timeoutMs}; replicas ${p.replicas.join(", ")}; your clients ${p.clients.join(", ")}; keys ${p.keys.join(", ")}`;

/**
 * Grade `quorumClient` with one seed (`only`: some of the scenarios, for measurements).
 *
 * @example
 * const result = await checkQuorum(await loadTarget<QuorumApi>("08-redundancy-and-recovery/quorum"), 7);
 */
export function checkQuorum(impl: QuorumApi, seed: number, stats?: QuorumStats, only?: ReadonlyArray<"crashes" | "partition" | "partial write">): Promise<CheckResult> {
  const crashes: Scenario<QuorumApi, Params & { down: string[]; slow: string; crashMs: number }> = {
    name: (p) =>
      `crashes: ${quorumWords(p)}; ${p.down.length ? `${p.down.join(", ")} crash at t=${p.crashMs}ms` : "no crash (n − max(r, w) = 0)"}; ${p.slow} answers after 20–60 ms; 3% loss, 10% duplication, unordered, latency 5–15 ms`,
    trials: TRIALS,
    params: (trial) => {
      const p = drawParams(trial);
      const order = trial.rng.shuffle(p.replicas);
      const down = order.slice(0, p.n - Math.max(p.r, p.w));
      return { ...p, down, slow: order[down.length], crashMs: trial.rng.int(0, 300) };
    },
    simulation: { network: { latency: latency.uniform(5, 15), lossProbability: 0.03, duplicationProbability: 0.1, ordering: "unordered" } },
    run: async (sim, impl, p, trial) => {
      spawnBystanders(sim, p.bystanders);
      for (const id of p.replicas) sim.spawn(id, graderReplica(id === p.slow ? { minMs: SLOW_MS_MIN, maxMs: SLOW_MS_MAX } : undefined), { role: graderRole("replica") });
      const clients = spawnClients(sim, impl, p, trial.rng);
      sim.at(p.crashMs, () => p.down.forEach((id) => sim.crash(id)), "crash");
      const w = new Workload(sim, p.timeoutMs, () => false);
      const untilMs = CRASHES_RUN_MS;
      p.clients.forEach((id) => clients.has(id) && void w.loop(id, clients.get(id)!, trial.rng.split(`workload ${id}`), p.keys, untilMs));
      await sim.runUntil(() => w.ops.every((op) => op.end) && sim.now() >= untilMs, { withinMs: untilMs + 3 * p.timeoutMs, throwOnTimeout: false });
      await sim.runFor(200);
      checkTrial(sim, w, p, stats);
    },
  };

  const partition: Scenario<QuorumApi, Params & { cut: string; minority: string[]; partMs: number; healMs: number; crashMs: number; restartMs: number; survivor: string }> = {
    name: (p) =>
      `partition: ${quorumWords(p)}; t=${p.partMs}–${p.healMs}ms ${p.cut} is cut off${p.minority.length ? ` with ${p.minority.join(", ")}` : " alone"}; ` +
      `t=${p.crashMs}–${p.restartMs}ms every replica but ${p.survivor} is down; 2% loss, 5% duplication, unordered, latency 5–15 ms`,
    trials: TRIALS,
    params: (trial) => {
      const p = drawParams(trial);
      const rng = trial.rng;
      const order = rng.shuffle(p.replicas);
      const partMs = rng.int(100, 250);
      const healMs = partMs + rng.int(300, 501);
      const crashMs = healMs + rng.int(150, 300);
      return { ...p, cut: rng.pick(p.clients), minority: order.slice(0, rng.int(0, p.n - Math.max(p.r, p.w) + 1)), partMs, healMs, crashMs, restartMs: crashMs + rng.int(200, 300), survivor: rng.pick(p.replicas) };
    },
    simulation: { network: { latency: latency.uniform(5, 15), lossProbability: 0.02, duplicationProbability: 0.05, ordering: "unordered" } },
    run: async (sim, impl, p, trial) => {
      spawnBystanders(sim, p.bystanders);
      for (const id of p.replicas) sim.spawn(id, graderReplica(undefined), { role: graderRole("replica") });
      const clients = spawnClients(sim, impl, p, trial.rng);
      const majority = [...p.bystanders, ...p.replicas.filter((id) => !p.minority.includes(id)), ...p.clients.filter((id) => id !== p.cut)];
      sim.at(p.partMs, () => sim.partition([[p.cut, ...p.minority], majority]), "partition");
      sim.at(p.healMs, () => sim.heal(), "heal");
      const down = p.replicas.filter((id) => id !== p.survivor);
      sim.at(p.crashMs, () => down.forEach((id) => sim.crash(id)), "crash all but one");
      sim.at(p.restartMs, () => down.forEach((id) => sim.restart(id)), "restart");
      const overlaps = (from: number, to: number, a: number, b: number): boolean => from < b && a < to;
      const blocked: Blocked = (client, from, to) => (client === p.cut && overlaps(from, to, p.partMs, p.healMs)) || overlaps(from, to, p.crashMs, p.restartMs);
      const w = new Workload(sim, p.timeoutMs, blocked);
      const untilMs = p.restartMs + 300;
      p.clients.forEach((id) => clients.has(id) && void w.loop(id, clients.get(id)!, trial.rng.split(`workload ${id}`), p.keys, untilMs, 80));
      await sim.runUntil(() => w.ops.every((op) => op.end) && sim.now() >= untilMs, { withinMs: untilMs + 3 * p.timeoutMs, throwOnTimeout: false });
      await sim.runFor(200);
      checkTrial(sim, w, p, stats);
    },
  };

  const partialWrite: Scenario<QuorumApi, Params & { writer: string; rival: string | undefined; late: string; readers: string[]; fast: string }> = {
    name: (p) =>
      `partial write: ${quorumWords(p)}; ${p.rival ? `${p.writer} and ${p.rival} put at once (a tie of counters), and ${p.late}'s` : `${p.writer} puts, its`} ` +
      `q_write reaches ${p.fast} at once and the other replicas ${PARTIAL_DELAY_MS} ms later, while ${p.readers.join(" and ")} take turns reading; latency 5–15 ms, unordered`,
    trials: TRIALS,
    params: (trial) => {
      const n = trial.rng.pick([3, 5]);
      const p = drawParams(trial, { n, quorums: [[Math.ceil((n + 1) / 2), Math.ceil((n + 1) / 2)]], clients: 4 });
      const [writer, r1, r2, other] = p.clients;
      const rival = trial.rng.chance(0.5) ? other : undefined;
      // With a rival, the put with the higher version (the higher writer id) is the late one.
      const late = rival !== undefined && rival > writer ? rival : writer;
      return { ...p, keys: p.keys.slice(0, 1), writer, rival, late, readers: [r1, r2], fast: trial.rng.pick(p.replicas) };
    },
    simulation: { network: { latency: latency.uniform(5, 15), ordering: "unordered" } },
    run: async (sim, impl, p, trial) => {
      spawnBystanders(sim, p.bystanders);
      for (const id of p.replicas) sim.spawn(id, graderReplica(undefined), { role: graderRole("replica") });
      const clients = spawnClients(sim, impl, p, trial.rng);
      const w = new Workload(sim, p.timeoutMs, () => false);
      const key = p.keys[0];
      const script = async (): Promise<void> => {
        if (p.clients.some((id) => !clients.has(id))) return;
        await w.run(p.writer, clients.get(p.writer)!, "put", key, `${p.writer}-old`);
        await w.wait(trial.rng.uniform(0, 20));
        sim.addRule({ name: "late q_write", match: { type: "q_write", src: p.late, dest: p.replicas.filter((id) => id !== p.fast) }, action: "delay", delayMs: PARTIAL_DELAY_MS });
        const puts = [p.writer, ...(p.rival ? [p.rival] : [])].map((id) => w.run(id, clients.get(id)!, "put", key, `${id}-new`));
        await w.wait(trial.rng.uniform(0, 15) + (p.rival ? 20 : 0));
        for (let i = 0; i < 6; i++) await w.run(p.readers[i % 2], clients.get(p.readers[i % 2])!, "get", key);
        await Promise.all(puts);
      };
      let finished = false;
      void script().then(() => (finished = true));
      await sim.runUntil(() => finished, { withinMs: 20 * p.timeoutMs, throwOnTimeout: false });
      await sim.runFor(200);
      checkTrial(sim, w, p, stats);
    },
  };

  // The partial write first: its failures (a missing write-back, a tie) are the easiest to read.
  const all = [partialWrite, crashes, partition];
  const names = ["partial write", "crashes", "partition"] as const;
  return runScenarios(impl, seed, only ? all.filter((_, i) => only.includes(names[i])) : all, { functions: ["quorumClient"], exercise: "08.4 quorum" });
}
