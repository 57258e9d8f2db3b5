/**
 * Exercise 08.1 — a primary–backup key–value store (15 points): the reference solution. The stub,
 * exercises/08-redundancy-and-recovery/primary-backup.ts, states the task, the wire and how it is
 * graded.
 *
 * The protocol is the one of DSLabs' lab 2 (and MIT 6.824's 2014 lab 2): a view service names a
 * primary and a backup per numbered view; the primary runs every operation, forwards it to the
 * backup and answers the client only after the backup acknowledged; a new backup first receives
 * the whole state. The decisions that make it safe are marked in the code:
 *
 * - one operation at a time at the primary (a serial queue), so the backup applies the operations
 *   in the primary's order;
 * - gets are forwarded too: a backup that has been promoted refuses the forward, so an old primary
 *   cut off from the view service can never answer, not even a read;
 * - a backup accepts a forward or a state transfer only from the primary of its own view, with
 *   that view's number;
 * - the primary acknowledges a view with a new backup (pings its number) only after the state
 *   transfer, so the view service never promotes a backup that has no state;
 * - the dedup table (client → last seq and its reply) is part of the state: it is forwarded and
 *   transferred, so a retry after a failover still gets the original answer;
 * - a backup installs one state transfer per view: a late or duplicated copy would roll back the
 *   operations forwarded since.
 */
import type { Node } from "../../lib/node";
import type { Body, Message } from "../../lib/node/message";

/** A view of the view service. */
interface View {
  viewNum: number;
  primary: string | null;
  backup: string | null;
}

/** The last operation of a client: its seq and the reply it got. */
interface Done {
  seq: number;
  reply: Body;
}

/** A client operation (the fields of get, put and append). */
interface Op {
  type: string;
  key: string;
  value?: string;
  client: string;
  seq: number;
}

/** Work of the primary's serial queue: a client's request, or bringing a new backup up to date. */
type Task = { kind: "op"; request: Message } | { kind: "sync" };

const CLIENT_OPS = ["get", "put", "append"];

/**
 * One server of the primary–backup store: it pings the view service every `pingIntervalMs`,
 * serves clients as primary, follows the primary as backup, and waits when idle.
 *
 * @example
 * sim.spawn("vs", (node) => viewService(node, { pingIntervalMs: 50 }));
 * for (const id of ["s1", "s2", "s3"]) sim.spawn(id, (node) => primaryBackupServer(node, { viewServer: "vs", pingIntervalMs: 50 }));
 */
export function primaryBackupServer(node: Node, options: { viewServer: string; pingIntervalMs: number }): void {
  const { viewServer, pingIntervalMs } = options;
  const forwardTimeoutMs = Math.max(60, pingIntervalMs);
  let view: View = { viewNum: 0, primary: null, backup: null };
  const store = new Map<string, string>();
  const done = new Map<string, Done>();
  /** The view number and backup whose state transfer the backup acknowledged. */
  let synced = { viewNum: 0, backup: null as string | null };
  /** The view number this server pings with: the last view it has fully taken up. */
  let acked = 0;

  const isSynced = (): boolean => view.backup === null || (synced.viewNum === view.viewNum && synced.backup === view.backup);

  /** The view number to ping with: a primary acknowledges a view only when its backup has the state. */
  function ackNum(): number {
    if (view.primary === node.id && !isSynced()) return acked;
    acked = view.viewNum;
    return acked;
  }

  node.setPeriodic(pingIntervalMs, () => node.send(viewServer, { type: "ping", viewNum: ackNum() }), "ping");
  node.send(viewServer, { type: "ping", viewNum: 0 });

  node.on("view", (msg) => {
    const next = msg.body.view as View;
    if (next.viewNum <= view.viewNum) return; // an old reply, reordered
    view = { viewNum: next.viewNum, primary: next.primary, backup: next.backup };
    node.setState(view.primary === node.id ? "primary" : view.backup === node.id ? "backup" : "idle", `view ${view.viewNum}`);
    if (view.primary === node.id && !isSynced()) enqueue({ kind: "sync" });
  });

  // ---- the primary: one task at a time ----
  const queue: Task[] = [];
  let busy = false;

  function enqueue(task: Task): void {
    queue.push(task);
    if (!busy) void pump();
  }

  async function pump(): Promise<void> {
    busy = true;
    while (queue.length > 0) {
      const task = queue.shift()!;
      if (task.kind === "sync") await syncBackup();
      else await serve(task.request);
    }
    busy = false;
  }

  for (const type of CLIENT_OPS) node.on(type, (request) => enqueue({ kind: "op", request }));

  /** Apply an operation once (dedup by client and seq) and return its reply. */
  function apply(op: Op): Body {
    const last = done.get(op.client);
    if (last !== undefined && op.seq <= last.seq) return last.reply; // a retry, or a late copy of an older one
    let reply: Body;
    const now = store.get(op.key) ?? "";
    if (op.type === "get") reply = { type: "get_ok", value: now };
    else if (op.type === "put") {
      store.set(op.key, String(op.value));
      reply = { type: "put_ok" };
    } else {
      store.set(op.key, now + String(op.value));
      reply = { type: "append_ok" };
    }
    done.set(op.client, { seq: op.seq, reply });
    return reply;
  }

  /** Send the whole state to the backup until it acknowledges (or the view moves on). */
  async function syncBackup(): Promise<void> {
    while (view.primary === node.id && !isSynced()) {
      const target = { viewNum: view.viewNum, backup: view.backup };
      try {
        const reply = await node.rpc(
          target.backup!,
          { type: "transfer", viewNum: target.viewNum, store: Array.from(store), done: Array.from(done) },
          { timeoutMs: forwardTimeoutMs },
        );
        if (reply.body.type === "transfer_ok" && view.viewNum === target.viewNum) synced = target;
      } catch {
        // lost, or the backup is gone: look at the view again
      }
      if (!isSynced()) await node.sleep(pingIntervalMs / 2);
    }
  }

  async function serve(request: Message): Promise<void> {
    const op: Op = { type: request.body.type, key: String(request.body.key), value: request.body.value, client: String(request.body.client), seq: Number(request.body.seq) };
    for (;;) {
      if (view.primary !== node.id) return void node.reply(request, { type: "error", code: "not_primary" });
      const last = done.get(op.client);
      if (last !== undefined && op.seq < last.seq) return; // the client has moved on: an old copy
      if (last !== undefined && op.seq === last.seq) return void node.reply(request, last.reply);
      if (view.backup === null) break;
      if (!isSynced()) {
        await syncBackup();
        continue;
      }
      const viewNum = view.viewNum;
      try {
        const ack = await node.rpc(view.backup, { type: "forward", viewNum, op }, { timeoutMs: forwardTimeoutMs });
        if (ack.body.type === "forward_ok" && view.viewNum === viewNum) break;
      } catch {
        // no answer: the backup may be dead; wait for the view service to say so
      }
      await node.sleep(pingIntervalMs / 2);
    }
    node.reply(request, apply(op));
  }

  // ---- the backup ----
  const fromMyPrimary = (msg: Message): boolean => view.backup === node.id && msg.src === view.primary && msg.body.viewNum === view.viewNum;

  /** The view whose state transfer this backup installed: a late copy of it must not roll the state back. */
  let installed = 0;
  node.on("transfer", (msg) => {
    if (!fromMyPrimary(msg)) return void node.reply(msg, { type: "refused", viewNum: view.viewNum });
    if (installed === view.viewNum) return void node.reply(msg, { type: "transfer_ok", viewNum: view.viewNum });
    installed = view.viewNum;
    store.clear();
    for (const [k, v] of msg.body.store as Array<[string, string]>) store.set(k, v);
    done.clear();
    for (const [c, d] of msg.body.done as Array<[string, Done]>) done.set(c, d);
    node.reply(msg, { type: "transfer_ok", viewNum: view.viewNum });
  });

  node.on("forward", (msg) => {
    if (!fromMyPrimary(msg)) return void node.reply(msg, { type: "refused", viewNum: view.viewNum });
    apply(msg.body.op as Op);
    node.reply(msg, { type: "forward_ok", viewNum: view.viewNum });
  });
}
