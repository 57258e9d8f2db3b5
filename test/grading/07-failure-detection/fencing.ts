/**
 * Check of exercise 07.4 failover with fencing. Three scenarios, {@link TRIALS} trials each per seed,
 * bystanders first and names drawn per trial (latency 5–15 ms):
 *
 * 1. the student's `fencedStorage` against 2–3 writers of the grader, epochs rising, repeating and
 *    going back over 3 keys, unordered network, with reads: every reply follows the rule (one
 *    highest epoch for the store; epoch ≥ highest → write_ok, else write_refused; read_ok gives the
 *    last accepted value) for the writes in the order they arrived;
 * 2. the student's `backup` against the grader's primary and the grader's storage: heartbeats stop
 *    at a drawn moment while the primary keeps writing (a false suspicion). No claim before
 *    timeoutMs after the last heartbeat, a claim `write { epoch > primary's, key: "primary",
 *    value: backup's id }` within timeoutMs + {@link CLAIM_SLACK_MS} ms of it;
 * 3. the student's backup and storage with the grader's primary: the storage rule again, and
 *    split-brain writes (old primary's writes accepted after the claim was) = 0.
 */
import { latency } from "../../../lib/net";
import type { Node } from "../../../lib/node";
import { formatMs } from "../../../lib/sim";
import type { TraceEvent } from "../../../lib/trace";
import { ensure, fail, graderRole, runScenarios, spawnBystanders, throwEarliest, trialsPerSeed, type CheckResult, type Scenario, type Trial } from "../check";
import { exercise } from "../exercises";
import { describeMessage, sentMessages, type SentMessage } from "../messages";

/** What exercises/07-failure-detection/fencing.ts exports. */
export interface FencingApi {
  fencedStorage(node: Node): void;
  backup(node: Node, primary: string, storage: string, options: { timeoutMs: number }): void;
}

// tsc checks that the stub and the reference both have this API.
type Implements<T extends FencingApi> = T;
export type StubImplementsFencing = Implements<typeof import("../../../exercises/07-failure-detection/fencing")>;
export type SolutionImplementsFencing = Implements<typeof import("../../../solutions/07-failure-detection/fencing")>;

/** Trials per seed of each scenario: with the registry's seeds, ≥ 135 in all (see check.ts). */
export const TRIALS = trialsPerSeed(exercise("07.4").seeds.length);

export const HEARTBEAT_MS = 50;
export const TIMEOUT_MS_MIN = 150;
export const TIMEOUT_MS_MAX = 400;
export const EPOCH_MIN = 1;
export const EPOCH_MAX = 9;
/** Heartbeats stop at a moment drawn from this range. */
export const STOP_MS_MIN = 300;
export const STOP_MS_MAX = 800;
/** The claim must be sent within timeoutMs + this after the last heartbeat arrived. */
export const CLAIM_SLACK_MS = 50;
/** The primary keeps writing this long after the claim was due. */
export const PAST_CLAIM_MS = 1000;

const NAMES = ["primary", "backup", "storage", "db", "n1", "n2", "n3", "n4", "n5"];
const KEYS = ["x", "y", "z", "primary"];

/** What the trials met (the meta tests read it). */
export interface FencingStats {
  trials: number;
  writes: number;
  refused: number;
  claims: number;
  refusedAfterClaim: number;
}

const epochOf = (m: SentMessage): number => Number(m.body.epoch);

/** The storage's replies, by the request they answer (dest + in_reply_to). */
function repliesOf(events: readonly TraceEvent[], storage: string): Map<string, SentMessage> {
  const replies = new Map<string, SentMessage>();
  for (const m of sentMessages(events, (s) => s.src === storage)) {
    const key = `${m.send.dest}#${String(m.body.in_reply_to)}`;
    if (!replies.has(key)) replies.set(key, m);
  }
  return replies;
}

/**
 * The fencing rule over the requests that reached `storage`, in arrival order; returns, for each
 * accepted write, its arrival time (for the split-brain count).
 */
function checkStorageRule(events: readonly TraceEvent[], storage: string, stats?: FencingStats): Array<{ m: SentMessage; atMs: number }> {
  const requests = sentMessages(events, (s) => s.dest === storage && (s.type === "write" || s.type === "read"));
  const arrivals = requests
    .flatMap((m) => m.delivered.slice(0, 1).map((a) => ({ m, index: a.index, atMs: a.event.timeMs })))
    .sort((a, b) => a.index - b.index);
  const replies = repliesOf(events, storage);
  let highest = 0;
  let highestBy: SentMessage | undefined;
  const values = new Map<string, unknown>();
  const lastWrite = new Map<string, SentMessage>();
  const accepted: Array<{ m: SentMessage; atMs: number }> = [];
  for (const { m, atMs } of arrivals) {
    const reply = replies.get(`${m.send.src}#${String(m.body.msg_id)}`);
    const evidence = reply ? [m.send.id, reply.send.id] : [m.send.id];
    if (m.send.type === "read") {
      const key = String(m.body.key);
      const want = values.has(key) ? values.get(key) : null;
      ensure(
        reply !== undefined && reply.send.type === "read_ok" && JSON.stringify(reply.body.value ?? null) === JSON.stringify(want),
        () => `read_ok value=${JSON.stringify(want)} for ${describeMessage(m, ["key"])}: ${lastWrite.has(key) ? `the last accepted write of "${key}" was ${describeMessage(lastWrite.get(key)!, ["epoch", "key", "value"])}` : `no write of "${key}" was accepted`}`,
        () => (reply ? describeMessage(reply, ["key", "value"]) : "no reply"),
        { timeMs: atMs, node: storage, evidence },
      );
      continue;
    }
    const epoch = epochOf(m);
    const ok = epoch >= highest;
    if (stats) {
      stats.writes++;
      if (!ok) stats.refused++;
    }
    ensure(
      reply !== undefined && reply.send.type === (ok ? "write_ok" : "write_refused"),
      () =>
        `${ok ? "write_ok" : "write_refused"} for ${describeMessage(m, ["epoch", "key", "value"])}: the highest epoch the storage had seen (over all keys) was ${highest}` +
        (highestBy ? ` (${describeMessage(highestBy, ["epoch", "key"])})` : " (no write yet)") +
        (ok ? `, and epoch ${epoch} ≥ ${highest} is accepted (equal epochs too: the same primary writes many times)` : `, and epoch ${epoch} < ${highest} is fenced off`),
      () => (reply ? describeMessage(reply, ["epoch"]) : "no reply"),
      { timeMs: atMs, node: storage, evidence },
    );
    if (ok) {
      if (epoch > highest) highestBy = m;
      highest = epoch;
      values.set(String(m.body.key), m.body.value);
      lastWrite.set(String(m.body.key), m);
      accepted.push({ m, atMs });
    }
  }
  return accepted;
}

// ---- scenario 1: the student's storage against the grader's writers ----

interface StorageParams {
  storage: string;
  writers: string[];
  bystanders: string[];
}

function storageParams(trial: Trial): StorageParams {
  const names = trial.rng.shuffle(NAMES);
  const count = trial.rng.int(1, 3);
  const writers = trial.rng.int(2, 4);
  return { bystanders: names.slice(0, count), storage: names[count], writers: names.slice(count + 1, count + 1 + writers) };
}

/** A writer of the grader: 12–20 requests, 10–60 ms apart, epochs around a rising level. */
function graderWriter(storage: string, level: { epoch: number }): (node: Node) => void {
  return (node) => {
    let msgId = node.rng.int(1, 500);
    const requests = node.rng.int(12, 21);
    let sent = 0;
    const next = (): void => {
      if (sent++ >= requests) return;
      msgId += node.rng.int(1, 4);
      if (node.rng.chance(0.2)) {
        node.send(storage, { type: "read", key: node.rng.pick(KEYS), msg_id: msgId });
      } else {
        if (node.rng.chance(0.25)) level.epoch += node.rng.int(1, 3);
        const epoch = Math.max(1, level.epoch + node.rng.pick([0, 0, 0, -1, -2, 1]));
        node.send(storage, { type: "write", epoch, key: node.rng.pick(KEYS), value: `${node.id}-${msgId}`, msg_id: msgId });
      }
      node.setTimer(node.rng.uniform(10, 60), next, "next");
    };
    node.setTimer(node.rng.uniform(0, 20), next, "next");
  };
}

// ---- scenarios 2 and 3: the backup against the grader's primary ----

interface FailoverParams {
  primary: string;
  backup: string;
  storage: string;
  bystanders: string[];
  timeoutMs: number;
  epoch: number;
  stopMs: number;
}

function failoverParams(trial: Trial): FailoverParams {
  const rng = trial.rng;
  const names = rng.shuffle(NAMES);
  const count = rng.int(1, 3);
  return {
    bystanders: names.slice(0, count),
    primary: names[count],
    backup: names[count + 1],
    storage: names[count + 2],
    timeoutMs: rng.int(TIMEOUT_MS_MIN / 10, TIMEOUT_MS_MAX / 10 + 1) * 10,
    epoch: rng.int(EPOCH_MIN, EPOCH_MAX + 1),
    stopMs: rng.int(STOP_MS_MIN, STOP_MS_MAX + 1),
  };
}

/** The grader's primary: heartbeats until stopMs, writes (with its epoch) all along — it never learns it was replaced. */
function graderPrimary(p: FailoverParams): (node: Node) => void {
  return (node) => {
    let msgId = node.rng.int(1, 500);
    node.setPeriodic(HEARTBEAT_MS, () => {
      if (node.now() < p.stopMs) node.send(p.backup, { type: "heartbeat", epoch: p.epoch });
    }, "heartbeat");
    const write = (): void => {
      msgId += node.rng.int(1, 4);
      node.send(p.storage, { type: "write", epoch: p.epoch, key: node.rng.pick(KEYS.slice(0, 3)), value: `${node.id}-${msgId}`, msg_id: msgId });
      node.setTimer(node.rng.uniform(20, 40), write, "write");
    };
    node.setTimer(node.rng.uniform(0, 20), write, "write");
  };
}

/** The grader's storage (the rule of the exercise); it answers but the check reads the trace. */
function graderStorage(node: Node): void {
  let highest = 0;
  node.on("write", (request) => {
    const epoch = Number(request.body.epoch);
    if (epoch < highest) return void node.reply(request, { type: "write_refused", epoch: highest });
    highest = epoch;
    node.reply(request, { type: "write_ok", epoch });
  });
  node.on("read", (request) => node.reply(request, { type: "read_ok", key: request.body.key, value: null }));
}

/** The backup's takeover rules; returns its first claim (if any). */
function checkBackup(events: readonly TraceEvent[], p: FailoverParams): SentMessage | undefined {
  const heartbeats = sentMessages(events, (s) => s.src === p.primary && s.dest === p.backup && s.type === "heartbeat").filter((m) => m.delivered.length > 0);
  const lastHb = heartbeats[heartbeats.length - 1];
  const lastHbMs = lastHb ? lastHb.delivered[0].event.timeMs : 0;
  const claims = sentMessages(events, (s) => s.src === p.backup && s.type === "write");
  const first = claims[0];
  const dueMs = lastHbMs + p.timeoutMs + CLAIM_SLACK_MS;
  const hbWords = lastHb ? `the last heartbeat (${describeMessage(lastHb, ["epoch"])})` : "the start";
  throwEarliest(
    () => {
      if (first === undefined) return;
      const sentMs = first.send.timeMs;
      const before = heartbeats.filter((m) => m.delivered[0].event.timeMs <= sentMs);
      const prev = before[before.length - 1];
      const prevMs = prev ? prev.delivered[0].event.timeMs : 0;
      ensure(
        sentMs >= prevMs + p.timeoutMs - 0.001,
        () => `no takeover while heartbeats arrive: a claim only timeoutMs=${p.timeoutMs} ms after the last heartbeat, i.e. not before t=${formatMs(prevMs + p.timeoutMs)}`,
        () => `${describeMessage(first, ["epoch", "key", "value"])}, ${formatMs(sentMs - prevMs)} after ${prev ? `the heartbeat ${describeMessage(prev, ["epoch"])}` : "the start"}`,
        { timeMs: sentMs, node: p.backup, evidence: prev ? [prev.send.id, first.send.id] : [first.send.id] },
      );
    },
    () => {
      if (first !== undefined && first.send.timeMs <= dueMs) return;
      fail(
        `a claim write { epoch > ${p.epoch}, key: "primary", value: "${p.backup}" } to ${p.storage} by t=${formatMs(dueMs)}: timeoutMs=${p.timeoutMs} ms (+${CLAIM_SLACK_MS} ms) after ${hbWords}; the primary is alive and still writing, so without the claim the storage never fences it`,
        first ? `the first write came at t=${formatMs(first.send.timeMs)}: ${describeMessage(first, ["epoch", "key", "value"])}` : `${p.backup} wrote nothing to ${p.storage} until t=${formatMs(events[events.length - 1]?.timeMs ?? 0)}`,
        { timeMs: dueMs, node: p.backup, evidence: [...(lastHb ? [lastHb.send.id] : []), ...(first ? [first.send.id] : [])] },
      );
    },
    claims.map((c) => () => {
      ensure(
        epochOf(c) > p.epoch && c.send.dest === p.storage && c.body.key === "primary" && c.body.value === p.backup,
        () =>
          `the claim write { epoch > ${p.epoch}, key: "primary", value: "${p.backup}" } to ${p.storage}: the primary's heartbeats carry epoch ${p.epoch}, ` +
          `and the storage accepts epochs ≥ its highest, so an epoch of ${p.epoch} or less lets the old primary's writes through (split brain)`,
        () => describeMessage(c, ["epoch", "key", "value"]),
        { timeMs: c.send.timeMs, node: p.backup, evidence: [...(lastHb ? [lastHb.send.id] : []), c.send.id] },
      );
    }),
  );
  return first;
}

/** Split-brain writes: the old primary's writes accepted after the storage accepted a higher epoch. */
function checkNoSplitBrain(events: readonly TraceEvent[], p: FailoverParams, accepted: Array<{ m: SentMessage; atMs: number }>, stats?: FencingStats): void {
  const claimAt = accepted.find((a) => a.m.send.src === p.backup);
  if (claimAt === undefined) return;
  const after = accepted.filter((a) => a.m.send.src === p.primary && a.atMs > claimAt.atMs);
  const refused = sentMessages(events, (s) => s.src === p.primary && s.type === "write").filter((m) => m.delivered.some((d) => d.event.timeMs > claimAt.atMs)).length;
  if (stats) stats.refusedAfterClaim += refused;
  ensure(
    after.length === 0,
    () => `split-brain writes = 0: after ${p.storage} accepted the claim ${describeMessage(claimAt.m, ["epoch", "key", "value"])}, every write of the old primary ${p.primary} (epoch ${p.epoch}) refused`,
    () => `${after.length} of its writes accepted, the first ${describeMessage(after[0].m, ["epoch", "key", "value"])}`,
    { timeMs: after[0]?.atMs, node: p.storage, evidence: [claimAt.m.send.id, ...(after[0] ? [after[0].m.send.id] : [])] },
  );
}

/**
 * Grade `fencedStorage` and `backup` with one seed.
 *
 * @example
 * const result = await checkFencing(await loadTarget<FencingApi>("07-failure-detection/fencing"), 7);
 */
export function checkFencing(impl: FencingApi, seed: number, stats?: FencingStats): Promise<CheckResult> {
  const storageScenario: Scenario<FencingApi, StorageParams> = {
    name: (p) => `your fencedStorage on ${p.storage} against the grader's writers ${p.writers.join(", ")} (epochs rise, repeat and go back; 3 keys; reads); unordered, latency 5–15 ms`,
    trials: TRIALS,
    params: storageParams,
    simulation: { network: { latency: latency.uniform(5, 15), ordering: "unordered" } },
    run: async (sim, impl, p) => {
      spawnBystanders(sim, p.bystanders);
      sim.spawn(p.storage, (node) => impl.fencedStorage(node), { role: "storage" });
      const level = { epoch: 1 };
      for (const w of p.writers) sim.spawn(w, graderWriter(p.storage, level), { role: graderRole("writer") });
      await sim.runFor(2000);
      if (stats) stats.trials++;
      checkStorageRule(sim.trace.events, p.storage, stats);
    },
  };
  const backupScenario: Scenario<FencingApi, FailoverParams> = {
    name: (p) =>
      `your backup on ${p.backup} (timeoutMs=${p.timeoutMs}) against the grader's primary ${p.primary} (epoch ${p.epoch}; heartbeats stop at t=${p.stopMs}ms, writes go on) ` +
      `and the grader's storage ${p.storage}; latency 5–15 ms`,
    trials: TRIALS,
    params: failoverParams,
    simulation: { network: { latency: latency.uniform(5, 15) } },
    run: async (sim, impl, p) => {
      spawnBystanders(sim, p.bystanders);
      sim.spawn(p.storage, graderStorage, { role: graderRole("storage") });
      sim.spawn(p.primary, graderPrimary(p), { role: graderRole("primary") });
      sim.spawn(p.backup, (node) => impl.backup(node, p.primary, p.storage, { timeoutMs: p.timeoutMs }), { role: "backup" });
      await sim.runFor(p.stopMs + p.timeoutMs + CLAIM_SLACK_MS + PAST_CLAIM_MS);
      if (stats) stats.trials++;
      const claim = checkBackup(sim.trace.events, p);
      if (stats && claim) stats.claims++;
    },
  };
  const pairScenario: Scenario<FencingApi, FailoverParams> = {
    name: (p) =>
      `your backup on ${p.backup} (timeoutMs=${p.timeoutMs}) and your fencedStorage on ${p.storage} with the grader's primary ${p.primary} ` +
      `(epoch ${p.epoch}; heartbeats stop at t=${p.stopMs}ms, writes go on); latency 5–15 ms`,
    trials: TRIALS,
    params: failoverParams,
    simulation: { network: { latency: latency.uniform(5, 15) } },
    run: async (sim, impl, p) => {
      spawnBystanders(sim, p.bystanders);
      sim.spawn(p.storage, (node) => impl.fencedStorage(node), { role: "storage" });
      sim.spawn(p.primary, graderPrimary(p), { role: graderRole("primary") });
      sim.spawn(p.backup, (node) => impl.backup(node, p.primary, p.storage, { timeoutMs: p.timeoutMs }), { role: "backup" });
      await sim.runFor(p.stopMs + p.timeoutMs + CLAIM_SLACK_MS + PAST_CLAIM_MS);
      if (stats) stats.trials++;
      const events = sim.trace.events;
      let accepted: Array<{ m: SentMessage; atMs: number }> = [];
      throwEarliest(
        () => void (accepted = checkStorageRule(events, p.storage)),
        () => void checkBackup(events, p),
      );
      checkNoSplitBrain(events, p, accepted, stats);
    },
  };
  return runScenarios(impl, seed, [storageScenario, backupScenario, pairScenario], { functions: ["fencedStorage", "backup"], exercise: "07.4 fencing" });
}
