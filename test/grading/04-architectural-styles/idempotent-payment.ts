/**
 * Check of exercise 04.3 idempotent payment handler. The student writes the server; the grader
 * plays two or three clients (names drawn per trial, bystanders spawned first), {@link TRIALS}
 * trials per seed:
 *
 * - 10–15 payments to two accounts, started in the first 500 ms, each with a random key and
 *   resent every {@link RETRY_MS} ms with a new random `msg_id` (drawn from a small range per
 *   client, so two clients share msg_ids) until an answer arrives;
 * - 10% loss, 10% duplication, unordered, latency 5–15 ms;
 * - the server (on a buffered disk) crashes once between 150 and 350 ms and restarts 60–150 ms
 *   later; its pay_ok replies of the 40 ms before the crash are lost, so the clients whose
 *   payments it had just applied resend them to the restarted server;
 * - once one payment is answered, its key is sent again with another amount or account;
 * - when everything is answered, one probe payment per account with a fresh key.
 *
 * Rules, on the trace: every message of the server answers a pay of the client it goes to that
 * had reached it (in_reply_to = its msg_id); a pay whose body equals the key's first body gets
 * `pay_ok` with its key, any other gets `error` code `key_reused`; all pay_oks of one key carry
 * the same balance; per account, the answered balances in increasing order each add exactly
 * their payment's amount to the one before (so the probe's balance counts every payment once);
 * every payment, the reused key and the probes get an answer.
 */
import { latency } from "../../../lib/net";
import type { Message, Node } from "../../../lib/node";
import { formatMs } from "../../../lib/sim";
import type { Simulation } from "../../../lib/simulation";
import type { TraceEvent } from "../../../lib/trace";
import { ensure, fail, graderRole, runScenarios, spawnBystanders, trialsPerSeed, type CheckResult, type Scenario, type Trial } from "../check";
import { exercise } from "../exercises";
import { describeMessage, sentMessages, type SentMessage } from "../messages";

/** What exercises/04-architectural-styles/idempotent-payment.ts exports. */
export interface IdempotentPaymentApi {
  paymentServer(node: Node): void | Promise<void>;
}

// tsc checks that the stub and the reference both have this API.
type Implements<T extends IdempotentPaymentApi> = T;
export type StubImplementsIdempotentPayment = Implements<typeof import("../../../exercises/04-architectural-styles/idempotent-payment")>;
export type SolutionImplementsIdempotentPayment = Implements<typeof import("../../../solutions/04-architectural-styles/idempotent-payment")>;

/** Trials per seed: with the registry's seeds, ≥ 135 in all (see check.ts). */
export const TRIALS = trialsPerSeed(exercise("04.3").seeds.length);

/** A client resends a payment (new msg_id, same key) this often until it has an answer. */
export const RETRY_MS = 60;

/** The pay_ok replies of this window before the crash are lost. */
const LOST_REPLIES_BEFORE_CRASH_MS = 40;

/** How long the grader waits for every answer. */
const ANSWERED_WITHIN_MS = 10_000;

/** How long the run goes on after the last answer. */
const PAST_LAST_ANSWER_MS = 1000;

const NAMES = ["payments", "server", "psp", "client", "shop", "c1", "c2", "c3", "n1", "n2", "n3", "x", "y", "z"];
const ACCOUNTS = ["acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne"];

/** One payment request a client makes (resent until answered). */
interface Payment {
  client: string;
  key: string;
  account: string;
  amount: number;
  atMs: number;
  /** "payment": a new key; "reuse": a key already used, another body; "probe": the final one. */
  kind: "payment" | "reuse" | "probe";
}

interface PaymentParams {
  server: string;
  clients: string[];
  bystanders: string[];
  accounts: string[];
  payments: Payment[];
  /** Index in `payments` of the payment whose key is reused. */
  reused: number;
  crashMs: number;
  downMs: number;
}

const hex = (rng: Trial["rng"], digits: number): string => Array.from({ length: digits }, () => "0123456789abcdef"[rng.int(0, 16)]).join("");

function paymentParams(trial: Trial): PaymentParams {
  const rng = trial.rng;
  const names = rng.shuffle(NAMES);
  const bystanderCount = rng.int(1, 3);
  const clientCount = rng.int(2, 4);
  const bystanders = names.slice(0, bystanderCount);
  const server = names[bystanderCount];
  const clients = names.slice(bystanderCount + 1, bystanderCount + 1 + clientCount);
  const accounts = rng.shuffle(ACCOUNTS).slice(0, 2);
  const payments: Payment[] = [];
  for (let i = rng.int(10, 16); i > 0; i--) {
    payments.push({ client: rng.pick(clients), key: `k-${hex(rng, 8)}`, account: rng.pick(accounts), amount: rng.int(1, 500), atMs: Math.round(rng.uniform(0, 500) * 1000) / 1000, kind: "payment" });
  }
  return { server, clients, bystanders, accounts, payments, reused: rng.int(0, payments.length), crashMs: Math.round(rng.uniform(150, 350)), downMs: Math.round(rng.uniform(60, 150)) };
}

const say = (m: SentMessage): string => describeMessage(m);
const endMs = (events: readonly TraceEvent[]): number => (events.length ? events[events.length - 1].timeMs : 0);
const bodyKey = (b: Record<string, unknown>): string => JSON.stringify([b.account, b.amount]);

/**
 * The server's rules, checked on a finished trace (see the header).
 *
 * @example
 * checkPayments(sim.trace.events, "payments", ["c1", "c2"], p.payments);
 */
export function checkPayments(events: readonly TraceEvent[], server: string, clients: readonly string[], payments: readonly Payment[]): void {
  const sent = sentMessages(events);
  const pays = new Map<string, SentMessage>();
  for (const m of sent) if (clients.includes(m.send.src) && m.send.dest === server && m.send.type === "pay") pays.set(`${m.send.src}#${m.send.msgId}`, m);
  /** The first body of each key that reached the server. */
  const first = new Map<string, SentMessage>();
  for (const m of [...pays.values()].filter((x) => x.delivered.length > 0).sort((a, b) => a.delivered[0].index - b.delivered[0].index)) {
    if (!first.has(String(m.body.key))) first.set(String(m.body.key), m);
  }
  const answered = new Map<string, SentMessage>(); // key → its first pay_ok
  const crash = events.find((e) => e.kind === "crash" && e.node === server);
  const restart = events.find((e) => e.kind === "restart" && e.node === server);
  const crashText = crash && restart ? `; ${server} crashed at t=${formatMs(crash.timeMs)} and restarted at t=${formatMs(restart.timeMs)}` : "";

  for (const m of sent) {
    if (m.send.src !== server) continue;
    const at = { timeMs: m.send.timeMs, node: server, evidence: [m.send.id] };
    const pay = pays.get(`${m.send.dest}#${m.send.inReplyTo}`);
    if (pay === undefined || !pay.delivered.some((a) => a.index < m.index)) {
      fail(
        `every message ${server} sends to be a reply to a pay that had reached it from that client (to its src, in_reply_to = its msg_id)`,
        `${say(m)}${m.send.inReplyTo === undefined ? ": it has no in_reply_to" : pay ? ", before that pay arrived" : `, but ${m.send.dest} sent no pay with msg_id #${m.send.inReplyTo}`}`,
        at,
      );
    }
    const key = String(pay.body.key);
    const original = first.get(key)!;
    const evidence = [pay.send.id, m.send.id];
    if (bodyKey(pay.body) !== bodyKey(original.body)) {
      ensure(
        m.send.type === "error" && m.body.code === "key_reused",
        () => `the answer to a pay with key ${key} but account="${pay.body.account}" amount=${pay.body.amount} — the key was first used for account="${original.body.account}" amount=${original.body.amount} — to be error code="key_reused"`,
        () => say(m),
        { ...at, evidence: [original.send.id, ...evidence] },
      );
      continue;
    }
    ensure(
      m.send.type === "pay_ok" && m.body.key === key && typeof m.body.balance === "number",
      () => `the answer to ${say(pay).split(",")[0]} to be pay_ok key="${key}" with a balance`,
      () => say(m),
      { ...at, evidence },
    );
    const earlier = answered.get(key);
    if (earlier === undefined) {
      answered.set(key, m);
      continue;
    }
    ensure(
      earlier.body.balance === m.body.balance,
      () => `every answer for key ${key} to be the same: balance=${earlier.body.balance}, as in the first answer (a retry must not learn today's balance, nor pay again)`,
      () => `${say(m)}; the first answer was ${say(earlier)}${crashText}`,
      { ...at, evidence: [earlier.send.id, pay.send.id, m.send.id] },
    );
  }

  // The ledger: per account, the answered balances in increasing order add one payment each.
  const accounts = [...new Set(payments.map((p) => p.account))];
  for (const account of accounts) {
    const rows = payments
      .filter((p) => p.account === account && p.kind !== "reuse" && answered.has(p.key))
      .map((p) => ({ p, answer: answered.get(p.key)!, balance: Number(answered.get(p.key)!.body.balance) }))
      .sort((a, b) => a.balance - b.balance || a.answer.index - b.answer.index);
    let total = 0;
    let previous: (typeof rows)[number] | undefined;
    for (const row of rows) {
      total += row.p.amount;
      if (row.balance === total) {
        previous = row;
        continue;
      }
      const diff = row.balance - total;
      const twice = rows.find((r) => r.p.amount === diff);
      const why =
        diff > 0
          ? `${diff} too much: some payment was counted twice${twice ? ` (key ${twice.p.key} has amount ${diff})` : ""}`
          : `${-diff} too little: payments answered earlier are missing from it (a balance kept only in memory, or writes not synced before the answer, are lost in a crash)`;
      fail(
        `the balances of account "${account}", in increasing order, to add one payment each: ${previous ? `after balance=${previous.balance} (key ${previous.p.key})` : "from 0"}, ` +
          `key ${row.p.key} (amount ${row.p.amount}) must answer balance=${total}`,
        `${say(row.answer)}: ${why}${crashText}`,
        { timeMs: row.answer.send.timeMs, node: server, evidence: [...(previous ? [previous.answer.send.id] : []), row.answer.send.id] },
      );
    }
  }

  // Every request got an answer.
  for (const p of payments) {
    const mine = [...pays.values()].filter((m) => m.send.src === p.client && m.body.key === p.key && bodyKey(m.body) === JSON.stringify([p.account, p.amount]));
    const ids = new Set(mine.map((m) => m.send.msgId));
    const got = sent.some((m) => m.send.src === server && m.send.dest === p.client && ids.has(m.send.inReplyTo) && m.delivered.length > 0);
    if (got) continue;
    const arrived = mine.filter((m) => m.delivered.length > 0);
    fail(
      `an answer to ${p.client}'s ${p.kind === "reuse" ? "reuse of" : p.kind === "probe" ? "probe payment with" : "payment with"} key ${p.key} (account "${p.account}", amount ${p.amount}) within ${ANSWERED_WITHIN_MS} ms`,
      `none reached ${p.client}: ${mine.length} pay(s) sent, ${arrived.length} arrived${crashText}`,
      { timeMs: endMs(events), node: server, evidence: arrived.slice(-3).map((m) => m.send.id) },
    );
  }
}

async function runPayments(sim: Simulation, impl: IdempotentPaymentApi, p: PaymentParams, trial: Trial): Promise<void> {
  spawnBystanders(sim, p.bystanders);
  sim.spawn(p.server, (node) => impl.paymentServer(node), { role: "payments", disk: "buffered" });
  const all = p.payments.slice();
  const done = new Set<Payment>();
  const byMsgId = new Map<string, Payment>();
  const msgIds = new Map(p.clients.map((c) => [c, trial.rng.shuffle(Array.from({ length: 400 }, (_, i) => i + 1))]));
  const onAnswer = (node: Node, m: Message): void => {
    const payment = byMsgId.get(`${node.id}#${m.body.in_reply_to}`);
    if (payment === undefined || done.has(payment)) return;
    done.add(payment);
    if (payment === p.payments[p.reused]) {
      // The same key again, with another amount or account.
      const other = trial.rng.chance(0.5) ? { account: payment.account, amount: payment.amount + trial.rng.int(1, 50) } : { account: p.accounts.find((a) => a !== payment.account)!, amount: payment.amount };
      start({ ...payment, ...other, atMs: sim.now() + 20, kind: "reuse" });
    }
    if (all.length === p.payments.length + 1 && all.every((x) => done.has(x))) {
      for (const account of p.accounts) {
        start({ client: trial.rng.pick(p.clients), key: `k-${hex(trial.rng, 8)}`, account, amount: trial.rng.int(1, 500), atMs: sim.now() + 20, kind: "probe" });
      }
    }
  };
  for (const c of p.clients) {
    sim.spawn(c, (node) => {
      node.on("pay_ok", (m) => onAnswer(node, m));
      node.on("error", (m) => onAnswer(node, m));
    }, { role: graderRole("client") });
  }
  const attempt = (payment: Payment): void => {
    if (done.has(payment)) return;
    const msgId = msgIds.get(payment.client)!.pop()!;
    byMsgId.set(`${payment.client}#${msgId}`, payment);
    const client = sim.node(payment.client);
    client.send(p.server, { type: "pay", key: payment.key, account: payment.account, amount: payment.amount, msg_id: msgId });
    client.setTimer(RETRY_MS, () => attempt(payment), "retry");
  };
  function start(payment: Payment): void {
    all.push(payment);
    sim.at(payment.atMs, () => attempt(payment), `${payment.client} pays`);
  }
  for (const payment of p.payments) sim.at(payment.atMs, () => attempt(payment), `${payment.client} pays`);
  sim.addRule({ name: "replies lost before the crash", match: { src: p.server, type: "pay_ok" }, action: "drop", fromMs: p.crashMs - LOST_REPLIES_BEFORE_CRASH_MS, toMs: p.crashMs });
  sim.at(p.crashMs, () => sim.crash(p.server), "crash");
  sim.at(p.crashMs + p.downMs, () => void sim.restart(p.server), "restart");
  const check = (): void => checkPayments(sim.trace.events, p.server, p.clients, all);
  try {
    await sim.runUntil(() => all.length === p.payments.length + 1 + p.accounts.length && all.every((x) => done.has(x)), { withinMs: ANSWERED_WITHIN_MS, throwOnTimeout: false });
    await sim.runFor(PAST_LAST_ANSWER_MS);
  } catch (error) {
    check();
    throw error;
  }
  check();
}

/**
 * Grade an idempotent payment server with one seed: {@link TRIALS} trials.
 *
 * @example
 * await checkIdempotentPayment(await import("../../../solutions/04-architectural-styles/idempotent-payment"), 7); // { status: "pass", … }
 */
export function checkIdempotentPayment(impl: IdempotentPaymentApi, seed: number): Promise<CheckResult> {
  const scenario: Scenario<IdempotentPaymentApi, PaymentParams> = {
    name: (p) =>
      `your payment server "${p.server}" (buffered disk; crash at t=${p.crashMs}ms, restart at t=${p.crashMs + p.downMs}ms) with the grader's clients ` +
      `${p.clients.map((c) => `"${c}"`).join(", ")} (${p.payments.length} payments to "${p.accounts.join('" and "')}", resent every ${RETRY_MS} ms), ` +
      `bystanders ${p.bystanders.map((b) => `"${b}"`).join(", ")} spawned first; 10% loss, 10% duplication, unordered links, latency 5–15 ms`,
    trials: TRIALS,
    params: paymentParams,
    simulation: { network: { latency: latency.uniform(5, 15), lossProbability: 0.1, duplicationProbability: 0.1, ordering: "unordered" } },
    lanes: (p) => [...p.clients, p.server],
    run: runPayments,
  };
  return runScenarios(impl, seed, [scenario], { functions: ["paymentServer"], exercise: "04.3 idempotent-payment" });
}
