/**
 * The grader's clients of exercise 08.1 and what the check reads from their runs. A client is a
 * node of the simulation that runs its planned operations one at a time against the server it
 * believes is primary (asking the view service when it has no answer), retries with the same seq
 * after a timeout or `not_primary`, and records each operation in a {@link HistoryRecorder} from
 * its first send to the reply that ended it. Its client id (the `client` field) is drawn per trial
 * and differs from its node id; its `msg_id`s are drawn too.
 */
import type { KvInput } from "../../../lib/check";
import { HistoryRecorder, type History } from "../../../lib/history";
import type { Node } from "../../../lib/node";
import type { Body } from "../../../lib/node/message";
import { formatMs, type Prng } from "../../../lib/sim";
import type { TraceEvent } from "../../../lib/trace";
import { describeMessage, sentMessages, type SentMessage } from "../messages";

/** How long a client waits for an answer before it retries (same seq). */
export const CLIENT_TIMEOUT_MS = 120;
/** How long a client waits for the view service's answer. */
export const VIEW_TIMEOUT_MS = 60;

/** One planned operation. */
export interface PlannedOp {
  f: "get" | "put" | "append";
  key: string;
  value?: string;
}

/** What a client does in one trial (drawn from the grader's random numbers). */
export interface ClientPlan {
  /** Node id. */
  node: string;
  /** The `client` field: unguessable, not the node id. */
  token: string;
  /** The first seq; later ones grow by 1–3. */
  seqStart: number;
  ops: PlannedOp[];
  startMs: number;
  thinkMsMin: number;
  thinkMsMax: number;
  /** Send every request twice (the second copy a little later, with another msg_id). */
  doubleSend: boolean;
  timeoutMs: number;
}

/** Options of {@link planClient}. */
export interface PlanOptions {
  keys: readonly string[];
  opsMin: number;
  opsMax: number;
  /** Share of gets (the rest: appends, and 10% puts). */
  getShare: number;
  thinkMsMin: number;
  thinkMsMax: number;
  startMsMax: number;
  doubleSend?: boolean;
  timeoutMs?: number;
  /** Only gets, then one append and a get of the same key at the end (the client cut off with an old primary). */
  readerThenWriter?: boolean;
}

/**
 * Draw one client's plan: appends and puts of values unique in the trial (`b3;`: the client's
 * letter, the operation's number), so a value seen twice in a get was applied twice.
 *
 * @example
 * const plan = planClient(trial.rng, "c1", "a", { keys: ["x", "y"], opsMin: 6, opsMax: 10, getShare: 0.4, thinkMsMin: 10, thinkMsMax: 60, startMsMax: 50 });
 */
export function planClient(rng: Prng, node: string, letter: string, o: PlanOptions): ClientPlan {
  const count = rng.int(o.opsMin, o.opsMax + 1);
  const ops: PlannedOp[] = [];
  for (let i = 1; i <= count; i++) {
    const key = rng.pick(o.keys);
    const u = rng.float();
    if (u < o.getShare) ops.push({ f: "get", key });
    else if (u < o.getShare + (1 - o.getShare) * 0.1) ops.push({ f: "put", key, value: `${letter}${i};` });
    else ops.push({ f: "append", key, value: `${letter}${i};` });
  }
  if (o.readerThenWriter) {
    for (const op of ops) {
      op.f = "get";
      delete op.value;
    }
    const last = ops[ops.length - 1];
    ops[ops.length - 2] = { f: "append", key: last.key, value: `${letter}${ops.length - 1};` };
  }
  return {
    node,
    token: `${letter}-${rng.int(100_000, 1_000_000).toString(36)}`,
    seqStart: rng.int(1, 1000),
    ops,
    startMs: rng.uniform(0, o.startMsMax),
    thinkMsMin: o.thinkMsMin,
    thinkMsMax: o.thinkMsMax,
    doubleSend: o.doubleSend ?? false,
    timeoutMs: o.timeoutMs ?? CLIENT_TIMEOUT_MS,
  };
}

/** One request a client sent for an operation (its node id and msg_id find it in the trace). */
export interface Attempt {
  dest: string;
  msgId: number;
}

/** What a client did, for the check. */
export interface ClientLog {
  plan: ClientPlan;
  /** Per history operation id: the attempts (the last one got the answer, if any). */
  attempts: Map<number, Attempt[]>;
  /** When the last operation completed, if all did. */
  finishedMs?: number;
  /** Operations completed. */
  completed: number;
  /** A reply that is not an answer the wire allows. */
  wrongReply?: { attempt: Attempt; atMs: number; op: PlannedOp };
}

const OK_TYPE: Record<PlannedOp["f"], string> = { get: "get_ok", put: "put_ok", append: "append_ok" };

/**
 * The grader's client: runs `plan.ops` one at a time, each until it is answered.
 *
 * @example
 * sim.spawn(plan.node, graderClient(plan, "vs", 50, recorder, log), { role: graderRole("client") });
 */
export function graderClient(plan: ClientPlan, viewServer: string, pingIntervalMs: number, recorder: HistoryRecorder<KvInput, string>, log: ClientLog): (node: Node) => void {
  return (node) => {
    // Answers to the second copies and late answers to timed-out requests: nothing to do.
    for (const type of ["get_ok", "put_ok", "append_ok", "error", "view"]) node.on(type, () => {});
    let msgId = node.rng.int(1, 10_000);
    const nextMsgId = (): number => (msgId += node.rng.int(1, 50));
    let primary: string | null = null;

    /** Ask the view service; keep the old primary when it does not answer (cut off from it). */
    async function refreshView(): Promise<void> {
      try {
        const reply = await node.rpc(viewServer, { type: "get_view", msg_id: nextMsgId() }, { timeoutMs: VIEW_TIMEOUT_MS });
        const view = reply.body.view as { primary: string | null } | undefined;
        if (view && (typeof view.primary === "string" || view.primary === null)) primary = view.primary;
      } catch {
        // no answer: go on with what we knew
      }
    }

    async function main(): Promise<void> {
      await node.sleep(plan.startMs);
      let seq = plan.seqStart;
      for (const op of plan.ops) {
        seq += node.rng.int(1, 4);
        const input: KvInput = op.value === undefined ? { key: op.key } : { key: op.key, value: op.value };
        const body: Body = { type: op.f, key: op.key, ...(op.value === undefined ? {} : { value: op.value }), client: plan.token, seq };
        const open = recorder.invoke(node.id, op.f, input, node.now());
        const attempts: Attempt[] = [];
        log.attempts.set(open.id, attempts);
        for (;;) {
          if (primary === null) await refreshView();
          if (primary === null) {
            await node.sleep(pingIntervalMs);
            continue;
          }
          const dest = primary;
          const attempt = { dest, msgId: nextMsgId() };
          attempts.push(attempt);
          const call = node.rpc(dest, { ...body, msg_id: attempt.msgId }, { timeoutMs: plan.timeoutMs });
          if (plan.doubleSend) {
            const again = { ...body, msg_id: nextMsgId() };
            node.setTimer(node.rng.uniform(0, 20), () => node.send(dest, again), "send again");
          }
          let reply;
          try {
            reply = await call;
          } catch {
            await refreshView();
            continue;
          }
          const type = reply.body.type;
          if (type === "error" && reply.body.code === "not_primary") {
            await refreshView();
            if (primary === dest) await node.sleep(pingIntervalMs / 2);
            continue;
          }
          if (type !== OK_TYPE[op.f] || (op.f === "get" && typeof reply.body.value !== "string")) {
            log.wrongReply ??= { attempt, atMs: node.now(), op };
            return; // the operation stays open (unknown): the check reports the reply
          }
          recorder.complete(open, "ok", op.f === "get" ? String(reply.body.value) : undefined, node.now());
          log.completed++;
          break;
        }
        await node.sleep(node.rng.uniform(plan.thinkMsMin, plan.thinkMsMax));
      }
      log.finishedMs = node.now();
    }
    void main();
  };
}

// ---- reading the run ----

/**
 * The request of an attempt and the reply it got, from the trace.
 *
 * @example
 * const { request, reply } = attemptMessages(sim.trace.events, "c1", { dest: "s2", msgId: 4711 });
 */
export function attemptMessages(events: readonly TraceEvent[], client: string, attempt: Attempt): { request?: SentMessage; reply?: SentMessage } {
  const request = sentMessages(events, (s) => s.src === client && s.dest === attempt.dest && s.msgId === attempt.msgId)[0];
  const reply = sentMessages(events, (s) => s.src === attempt.dest && s.dest === client && s.inReplyTo === attempt.msgId).find((m) => m.delivered.length > 0);
  return { request, reply };
}

/** The view service's view at each moment, read from the `view` answers it sent. */
export interface ViewAt {
  viewNum: number;
  primary: string | null;
  backup: string | null;
}

/**
 * The view the view service was answering with at time `t` (the newest `view` it sent at or before t).
 *
 * @example
 * viewAt(sim.trace.events, "vs", 500); // { viewNum: 3, primary: "s2", backup: "s3" }
 */
export function viewAt(events: readonly TraceEvent[], viewServer: string, t: number): ViewAt | undefined {
  let found: ViewAt | undefined;
  for (const e of events) {
    if (e.timeMs > t) break;
    if (e.kind === "send" && e.src === viewServer && e.type === "view") {
      const view = (JSON.parse(e.json) as { view?: ViewAt }).view;
      if (view && (found === undefined || view.viewNum >= found.viewNum)) found = view;
    }
  }
  return found;
}

/**
 * A server's role at time `t`, in words.
 *
 * @example
 * roleAt(sim.trace.events, "vs", "s1", 500); // 's1 (not the primary of the view service's view 4 at t=500ms: primary s2, backup s3)'
 */
export function roleAt(events: readonly TraceEvent[], viewServer: string, server: string, t: number): string {
  const v = viewAt(events, viewServer, t);
  if (v === undefined) return `${server} (the view service had sent no view yet)`;
  if (v.primary === server) return `${server} (primary of view ${v.viewNum})`;
  return `${server} (not the primary of the view service's view ${v.viewNum} at t=${formatMs(t)}: primary ${v.primary ?? "none"}, backup ${v.backup ?? "none"})`;
}

/**
 * How a server came to answer a request, read from the messages it exchanged with the other
 * servers between the request's arrival and its answer: with no message to another server (or
 * only after answering), before any answer of the server it asked, or after an acknowledgement
 * (and from whom, in which role).
 *
 * @example
 * howAnswered(events, "vs", new Set(["s1", "s2"]), request, reply).text; // "s1 answered it without a message to any other server in between …"
 */
export function howAnswered(events: readonly TraceEvent[], viewServer: string, servers: ReadonlySet<string>, request: SentMessage, reply: SentMessage): { text: string; evidence: number[] } {
  const server = reply.send.src;
  const fromIndex = request.delivered[0]?.index ?? request.index;
  const toIndex = reply.index;
  const asked = sentMessages(events, (s) => s.src === server && servers.has(s.dest) && s.dest !== server).filter((m) => m.index > fromIndex && m.index < toIndex);
  if (asked.length === 0) {
    const after = sentMessages(events, (s) => s.src === server && servers.has(s.dest) && s.dest !== server && s.timeMs === reply.send.timeMs).find((m) => m.index > toIndex);
    if (after) return { text: `${server} answered it first and only then sent ${describeMessage(after)} (answer the client only after the backup's acknowledgement)`, evidence: [after.send.id] };
    return { text: `${server} answered it without a message to any other server in between (the backup must see every operation, gets too, before the answer)`, evidence: [] };
  }
  const ids = new Set(asked.map((m) => `${m.send.dest}#${m.send.msgId}`));
  const acks = sentMessages(events, (s) => s.dest === server && s.inReplyTo !== undefined && ids.has(`${s.src}#${s.inReplyTo}`)).filter((m) => m.delivered.some((d) => d.index < toIndex));
  const last = asked[asked.length - 1];
  if (acks.length === 0) {
    return { text: `${server} answered it before any answer to ${describeMessage(last)} came back (answer the client only after the backup's acknowledgement)`, evidence: [last.send.id] };
  }
  const ack = acks[acks.length - 1];
  const at = ack.send.timeMs;
  return {
    text: `${server} answered it after ${describeMessage(ack)}; but ${roleAt(events, viewServer, ack.send.src, at)} — a backup must refuse a forward unless it comes from the primary of its own view`,
    evidence: [ack.send.id],
  };
}

/** A get whose answer shows a mistake by itself: a value applied twice, or an acknowledged write missing. */
export interface Diagnosis {
  timeMs: number;
  text: string;
  evidence: number[];
}

const tokens = (value: string): string[] => value.split(";").filter((t) => t !== "").map((t) => `${t};`);

/**
 * The earliest get (by completion) whose answer is wrong on its face: it holds one appended value
 * twice (at-most-once broken), or it lacks a put or append acknowledged before the get was sent
 * and does not start with the value of a put that could have come after it (a lost write, or a
 * stale read when the server that answered was not the primary). Who answered, their role in the
 * view service's view then, and how they came to answer ({@link howAnswered}) are in the text.
 *
 * @example
 * const found = diagnose(recorder.history(), logs, sim.trace.events, "vs", ["s1", "s2", "s3"]);
 * if (found) fail("a linearizable history", found.text, { timeMs: found.timeMs, evidence: found.evidence });
 */
export function diagnose(history: History<KvInput, string>, logs: readonly ClientLog[], events: readonly TraceEvent[], viewServer: string, servers: readonly string[]): Diagnosis | undefined {
  const serverSet = new Set(servers);
  const ops = history.operations;
  const logOf = (id: number): { client: string; attempts: Attempt[] } | undefined => {
    for (const l of logs) {
      const attempts = l.attempts.get(id);
      if (attempts) return { client: l.plan.node, attempts };
    }
    return undefined;
  };
  const answer = (id: number): { who: string; reply?: SentMessage; request?: SentMessage } => {
    const l = logOf(id);
    const last = l?.attempts[l.attempts.length - 1];
    if (l === undefined || last === undefined) return { who: "?" };
    const { request, reply } = attemptMessages(events, l.client, last);
    const at = reply?.send.timeMs ?? 0;
    return { who: roleAt(events, viewServer, last.dest, at), reply, request };
  };
  const ids = (...ms: Array<SentMessage | undefined>): number[] => ms.flatMap((m) => (m ? [m.send.id] : []));
  const gets = ops.filter((op) => op.f === "get" && op.completion === "ok").sort((a, b) => (a.completeMs as number) - (b.completeMs as number));
  for (const g of gets) {
    const key = g.input.key;
    const value = g.output ?? "";
    const seen = tokens(value);
    const twice = seen.find((t, i) => seen.indexOf(t) !== i);
    if (twice !== undefined) {
      const a = answer(g.id);
      const writer = ops.find((op) => op.f !== "get" && op.input.key === key && op.input.value === twice);
      return {
        timeMs: g.completeMs as number,
        text:
          `an append that took effect twice: get(${JSON.stringify(key)}) by ${g.process} returned ${JSON.stringify(value)}, with ${JSON.stringify(twice)} in it twice — ` +
          `${writer ? `${writer.process}'s ${writer.f}(${JSON.stringify(key)}, ${JSON.stringify(twice)}), retried with the same seq,` : "one append"} was applied again ` +
          `(each (client, seq) must take effect at most once: keep a dedup table, and forward and transfer it to the backup); answered by ${a.who}`,
        evidence: ids(a.request, a.reply),
      };
    }
    for (const w of ops) {
      if (w.f === "get" || w.input.key !== key || w.completion !== "ok" || (w.completeMs as number) >= g.invokeMs) continue;
      if (seen.includes(w.input.value as string)) continue;
      // A put that may come after w and that the get shows (its value first) explains w's absence.
      const overwritten = ops.some(
        (p) => p !== w && p.f === "put" && p.input.key === key && p.input.value === seen[0] && p.invokeMs < (g.completeMs as number) && (p.completion !== "ok" || (p.completeMs as number) > w.invokeMs),
      );
      if (overwritten) continue;
      const a = answer(g.id);
      const wa = answer(w.id);
      const stale = a.who.includes("(not the primary");
      let how = "";
      let more: number[] = [];
      if (stale && a.request && a.reply) {
        const h = howAnswered(events, viewServer, serverSet, a.request, a.reply);
        how = `; ${h.text}`;
        more = h.evidence;
      } else if (a.reply && wa.reply) {
        const then = viewAt(events, viewServer, wa.reply.send.timeMs);
        const server = a.reply.send.src;
        if (then && then.primary !== server && then.backup !== server) {
          how = `; ${server} was neither primary nor backup of view ${then.viewNum} (primary ${then.primary ?? "none"}, backup ${then.backup ?? "none"}) when the ${w.f} was acknowledged, so it could have it only from a state transfer (a new backup must get the whole store first)`;
        }
      }
      return {
        timeMs: g.completeMs as number,
        text:
          `${stale ? "a stale read" : "a lost write"}: ${w.process}'s ${w.f}(${JSON.stringify(key)}, ${JSON.stringify(w.input.value)}) was acknowledged at t=${formatMs(w.completeMs as number)} by ${wa.who}, ` +
          `but get(${JSON.stringify(key)}) by ${g.process}, sent at t=${formatMs(g.invokeMs)}, returned ${JSON.stringify(value)} without it; the get was answered by ${a.who}${how}`,
        evidence: [...ids(wa.reply, a.request, a.reply), ...more],
      };
    }
  }
  return undefined;
}

/**
 * The wire's words for a reply that is neither the operation's answer nor not_primary.
 *
 * @example
 * const wrong = wrongReplyText(sim.trace.events, log); // { expected: "an answer to c1 → s2 get …", got: "s2 → c1 put_ok …", evidence }
 */
export function wrongReplyText(events: readonly TraceEvent[], log: ClientLog): { expected: string; got: string; evidence: number[] } | undefined {
  const w = log.wrongReply;
  if (w === undefined) return undefined;
  const { request, reply } = attemptMessages(events, log.plan.node, w.attempt);
  return {
    expected:
      `an answer to ${request ? describeMessage(request, ["key", "value", "client", "seq"]) : `${w.op.f} of ${log.plan.node}`}: ` +
      `${OK_TYPE[w.op.f]}${w.op.f === "get" ? " with value (a string, \"\" for a missing key)" : ""}, or error code "not_primary"`,
    got: reply ? describeMessage(reply) : "another reply",
    evidence: [...(request ? [request.send.id] : []), ...(reply ? [reply.send.id] : [])],
  };
}
