// Primary–backup replication on a view service (lecture 000 "about failover"; Alsberg & Day 1976;
// the design of 6.824's 2014 lab 2 and DSLabs' lab 2): a key–value store whose primary orders
// every operation, sends it to the backup, and answers the client only once the backup has it.
// If the primary dies, the view service promotes the backup, which therefore holds every
// answered write. The "reply-before-forward" variant answers first and is wrong on purpose.
import type { Message, Node } from "../node/index";
import { ConfigError } from "../sim/index";
import type { View } from "./view-service";

/** Options of {@link pbServer}. */
export interface PbServerOptions {
  /** Node id of the view service ({@link viewService}). */
  viewServer: string;
  /** How often to ping the view service. */
  pingIntervalMs: number;
  /**
   * `"correct"` (default): answer after the backup has the operation. `"reply-before-forward"`
   * (wrong on purpose): answer at once and ship answered operations to the backup in a batch every
   * half ping interval — a primary crash then loses acknowledged writes, and a primary cut off
   * from the others goes on answering alone.
   */
  variant?: "correct" | "reply-before-forward";
  /** Resend unacknowledged forwards and state transfers after this long. Default 2 × pingIntervalMs. */
  resendMs?: number;
}

/** What a running server exposes to tests and notebooks (read-only). */
export interface PbServerHandle {
  /** `"primary"`, `"backup"` or `"idle"`, from the latest view this server knows. */
  role(): "primary" | "backup" | "idle";
  /** The latest view this server knows (a copy). */
  view(): View;
  /** The store (a copy). */
  store(): Record<string, string>;
}

/** A client operation as forwarded and as kept for at-most-once answers. */
type PbOp = { f: "get" | "put" | "append"; key: string; value?: string; client: string; seq: number };
type PbAnswer = { type: string; value?: string };
/** The latest operation of a client: its seq, its answer, and its number n in this primary's order (0 once answerable). */
type Dedup = { seq: number; answer: PbAnswer; n: number };

const PB_OPS = ["get", "put", "append"] as const;

/**
 * Run a primary–backup key–value server on `node`. It pings `viewServer` every `pingIntervalMs`
 * and acts by the latest view it hears of, declaring node state `primary`, `backup` or `idle`
 * (the view number goes in the cause).
 *
 * Wire. Clients: `{ type: "pb_get", key, client, seq }`, `pb_put` and `pb_append` (with `value`)
 * → `{ type: "pb_get_ok", value }` (`""` for a missing key), `pb_put_ok`, `pb_append_ok`, or
 * `{ type: "pb_error", code: "not_primary" | "not_ready" }`. Each (client, seq) takes effect at
 * most once; a retry gets the first answer. Between servers: `{ type: "pb_forward", viewNum, n, op }`
 * (the primary's n-th operation of the view, reads too) → `{ type: "pb_forward_ok", viewNum, n }`
 * (cumulative: the backup has 1 … n); `{ type: "pb_transfer", viewNum, n, store, dedup }` → `{ type:
 * "pb_transfer_ok", viewNum, n }`; either refused with `{ type: "pb_refused", viewNum, reason }`.
 *
 * The rules that make it linearizable:
 * - The primary orders operations and applies them at once, but answers operation n only when
 *   the backup has acknowledged n (forwards are pipelined; the backup applies them in order).
 *   Reads go through the backup too: a primary that has been replaced can no longer get them
 *   acknowledged, so it cannot answer stale reads.
 * - A backup accepts forwards and transfers only from the primary of the view it knows, with
 *   that view's number, and forwards only after the transfer of that view.
 * - A new backup first receives the whole store and the at-most-once table; the primary refuses
 *   operations (`not_ready`) until then — and acknowledges the view to the view service (pings
 *   with its number) only then, so the service cannot promote a backup that lacks the state.
 *   The price is liveness: if that new backup dies before the transfer ends, the view is never
 *   acknowledged and the view service, by its rules, can never move on.
 * No durable storage: a restarted server starts empty and pings with viewNum 0.
 *
 * @example
 * sim.spawn("vs", (node) => viewService(node, { pingIntervalMs: 50 }));
 * for (const id of ["s1", "s2", "s3"]) sim.spawn(id, (node) => pbServer(node, { viewServer: "vs", pingIntervalMs: 50 }));
 */
export function pbServer(node: Node, options: PbServerOptions): PbServerHandle {
  const context = () => ({ node: node.id, timeMs: node.now() });
  if (options === null || typeof options !== "object" || typeof options.viewServer !== "string" || options.viewServer === "") {
    throw new ConfigError("pbServer: viewServer", options?.viewServer, "the node id of the view service", context());
  }
  const { viewServer, pingIntervalMs } = options;
  if (typeof pingIntervalMs !== "number" || !(pingIntervalMs > 0) || !Number.isFinite(pingIntervalMs)) {
    throw new ConfigError("pbServer: pingIntervalMs", pingIntervalMs, "a finite number > 0", context());
  }
  const variant = options.variant ?? "correct";
  if (variant !== "correct" && variant !== "reply-before-forward") {
    throw new ConfigError("pbServer: variant", variant, '"correct" or "reply-before-forward"', context());
  }
  const resendMs = options.resendMs ?? 2 * pingIntervalMs;
  const me = node.id;

  let view: View = { viewNum: 0, primary: null, backup: null };
  /** The view number this server pings with (a primary acknowledges a view only once settled). */
  let settled = 0;
  let store = new Map<string, string>();
  let dedup = new Map<string, Dedup>();
  // As primary: operations numbered 1, 2, … in this view; the backup has 1 … acked.
  let lastN = 0;
  let acked = 0;
  let transferred = -1; // view whose backup has the state
  let transferSentMs = -Infinity;
  const unacked = new Map<number, { op: PbOp; answer: PbAnswer; sentMs: number }>();
  const waiting = new Map<number, Message[]>();
  // As backup: the view whose state arrived, operations applied 1 … applied, and early ones.
  let ready = -1;
  let applied = 0;
  const early = new Map<number, PbOp>();

  const role = (): "primary" | "backup" | "idle" => (view.primary === me ? "primary" : view.backup === me ? "backup" : "idle");

  /** Apply an operation to the store and remember its answer (both replicas run this). */
  const apply = (op: PbOp, n: number): PbAnswer => {
    let answer: PbAnswer;
    if (op.f === "get") answer = { type: "pb_get_ok", value: store.get(op.key) ?? "" };
    else {
      store.set(op.key, op.f === "put" ? String(op.value) : (store.get(op.key) ?? "") + String(op.value));
      answer = { type: `pb_${op.f}_ok` };
    }
    dedup.set(op.client, { seq: op.seq, answer, n });
    return answer;
  };

  const ping = (): void => void node.send(viewServer, { type: "ping", viewNum: settled });

  const answerThrough = (n: number): void => {
    for (let k = acked + 1; k <= n; k++) {
      const entry = unacked.get(k);
      unacked.delete(k);
      if (entry !== undefined) for (const msg of waiting.get(k) ?? []) node.reply(msg, entry.answer);
      waiting.delete(k);
    }
    acked = Math.max(acked, n);
  };

  const sendTransfer = (): void => {
    transferSentMs = node.now();
    const table = Array.from(dedup, ([client, d]) => ({ client, seq: d.seq, answer: d.answer }));
    node.send(view.backup!, { type: "pb_transfer", viewNum: view.viewNum, n: lastN, store: Object.fromEntries(store), dedup: table });
  };

  /** A newer view arrived from the view service. */
  const onView = (next: View): void => {
    if (next.viewNum <= view.viewNum) return;
    const was = role();
    view = { ...next };
    const now = role();
    if (now !== "primary") {
      waiting.clear(); // clients retry at the new primary
      unacked.clear();
    }
    if (now === "primary") {
      if (was !== "primary") {
        // a promoted backup (or the first primary): its state is complete, numbering starts afresh
        lastN = 0;
        acked = 0;
        for (const d of dedup.values()) d.n = 0;
      }
      early.clear();
      transferred = -1;
      if (view.backup === null) {
        answerThrough(lastN);
        settled = view.viewNum;
      } else {
        sendTransfer(); // covers the operations still waiting for the old backup: answered on its ack
      }
    } else settled = view.viewNum;
    if (now === "backup" && was !== "backup") {
      ready = -1;
      early.clear();
    }
    node.setState(now, `view ${view.viewNum}: primary ${view.primary ?? "none"}, backup ${view.backup ?? "none"}`);
  };

  node.on("view", (msg) => onView(msg.body.view as View));

  // ---- clients ------------------------------------------------------------------------------
  for (const f of PB_OPS) {
    node.on(`pb_${f}`, (msg) => {
      const { key, value, client, seq } = msg.body;
      if (role() !== "primary") return void node.reply(msg, { type: "pb_error", code: "not_primary" });
      if (view.backup !== null && transferred !== view.viewNum) return void node.reply(msg, { type: "pb_error", code: "not_ready" });
      const seen = dedup.get(client);
      if (seen !== undefined && seq < seen.seq) return; // an old duplicate: the client has moved on
      if (seen !== undefined && seq === seen.seq) {
        if (variant === "reply-before-forward" || seen.n <= acked || view.backup === null) return void node.reply(msg, seen.answer);
        const others = waiting.get(seen.n);
        if (others !== undefined) others.push(msg);
        else waiting.set(seen.n, [msg]);
        return;
      }
      const op: PbOp = f === "get" ? { f, key, client, seq } : { f, key, value, client, seq };
      const n = ++lastN;
      const answer = apply(op, n);
      if (view.backup === null) {
        acked = n;
        return void node.reply(msg, answer);
      }
      if (variant === "reply-before-forward") {
        unacked.set(n, { op, answer, sentMs: -Infinity }); // shipped with the next batch
        return void node.reply(msg, answer);
      }
      unacked.set(n, { op, answer, sentMs: node.now() });
      node.send(view.backup, { type: "pb_forward", viewNum: view.viewNum, n, op });
      waiting.set(n, [msg]);
    });
  }

  // ---- primary ← backup ---------------------------------------------------------------------
  const fromMyBackupOf = (msg: Message): boolean => role() === "primary" && msg.src === view.backup;
  const fromMyBackup = (msg: Message): boolean => role() === "primary" && msg.src === view.backup && msg.body.viewNum === view.viewNum;
  node.on("pb_forward_ok", (msg) => {
    if (fromMyBackup(msg) && transferred === view.viewNum) answerThrough(msg.body.n);
  });
  node.on("pb_transfer_ok", (msg) => {
    if (!fromMyBackup(msg) || transferred === view.viewNum) return;
    transferred = view.viewNum;
    answerThrough(msg.body.n);
    settled = view.viewNum;
    ping(); // acknowledge the view now
  });
  node.on("pb_refused", (msg) => {
    if (msg.body.viewNum >= view.viewNum) ping(); // the other side may know a newer view
    else if (fromMyBackupOf(msg) && transferred !== view.viewNum) {
      // the new backup has not heard of this view yet (it asked the view service): try again soon
      const viewNum = view.viewNum;
      node.setTimer(pingIntervalMs / 2, () => void (view.viewNum === viewNum && role() === "primary" && transferred !== viewNum && sendTransfer()), "transfer-again");
    }
  });

  // ---- backup ← primary ---------------------------------------------------------------------
  const refuse = (msg: Message, reason: string): void => {
    if (msg.body.viewNum > view.viewNum) ping(); // a newer view exists: learn it
    node.reply(msg, { type: "pb_refused", viewNum: view.viewNum, reason });
  };
  const fromMyPrimary = (msg: Message): string | null => {
    if (msg.body.viewNum !== view.viewNum) return `view ${msg.body.viewNum} is not view ${view.viewNum}`;
    if (role() !== "backup") return `not backup of view ${view.viewNum}`;
    if (msg.src !== view.primary) return `${msg.src} is not primary of view ${view.viewNum}`;
    return null;
  };
  node.on("pb_transfer", (msg) => {
    const wrong = fromMyPrimary(msg);
    if (wrong !== null) return refuse(msg, wrong);
    if (ready !== view.viewNum) {
      store = new Map(Object.entries(msg.body.store as Record<string, string>));
      dedup = new Map();
      for (const d of msg.body.dedup as Array<{ client: string; seq: number; answer: PbAnswer }>) dedup.set(d.client, { seq: d.seq, answer: d.answer, n: 0 });
      applied = msg.body.n;
      ready = view.viewNum;
      early.clear();
    }
    node.reply(msg, { type: "pb_transfer_ok", viewNum: view.viewNum, n: msg.body.n });
  });
  node.on("pb_forward", (msg) => {
    const wrong = fromMyPrimary(msg) ?? (ready === view.viewNum ? null : `no state transfer yet in view ${view.viewNum}`);
    if (wrong !== null) return refuse(msg, wrong);
    if (msg.body.n > applied) early.set(msg.body.n, msg.body.op as PbOp);
    while (early.has(applied + 1)) {
      const op = early.get(applied + 1)!;
      early.delete(applied + 1);
      applied++;
      const seen = dedup.get(op.client);
      if (seen === undefined || op.seq > seen.seq) apply(op, applied);
    }
    node.reply(msg, { type: "pb_forward_ok", viewNum: view.viewNum, n: applied });
  });

  // ---- timers -------------------------------------------------------------------------------
  node.setState("idle", "started: no view yet");
  ping();
  node.setPeriodic(pingIntervalMs, ping, "ping");
  const resend = (due: number): void => {
    if (role() !== "primary" || view.backup === null) return;
    if (transferred !== view.viewNum) {
      if (transferSentMs <= due) sendTransfer();
      return;
    }
    for (const [n, entry] of unacked) {
      if (n > acked && entry.sentMs <= due) {
        entry.sentMs = node.now();
        node.send(view.backup, { type: "pb_forward", viewNum: view.viewNum, n, op: entry.op });
      }
    }
  };
  node.setPeriodic(resendMs, () => resend(node.now() - resendMs), "resend");
  // The broken variant replicates asynchronously: what it already answered goes to the backup in
  // a batch every half ping interval (as asynchronous log shipping does).
  if (variant === "reply-before-forward") node.setPeriodic(pingIntervalMs / 2, () => resend(-Infinity), "ship");

  return {
    role,
    view: () => ({ ...view }),
    store: () => Object.fromEntries(store),
  };
}
