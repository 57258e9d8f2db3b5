// The key–value server (6.5840's kvraft): every request — reads included — goes through the Raft
// log; committed commands are applied in index order to a map, once per (clientId, seq); the
// request that proposed an index is answered when that index is applied with the term it was
// proposed in, and told "not_leader" otherwise (§8 of the Raft paper: client interaction).
import type { Message, Node } from "../node/index";
import { raftNode } from "../raft/index";
import type { RaftApplyMsg, RaftHandle, RaftNodeOptions } from "../raft/index";
import { isKvCommand } from "./wire";
import type { KvCommand, KvReply, KvRequest, KvSession, KvSnapshotData, KvVariant } from "./wire";

/** Options of `kvRaftServer`: the Raft node's (peers, tickMs, timing, snapshotEntriesMax, implementation) and the variant. */
export interface KvServerOptions extends Omit<RaftNodeOptions, "onApply" | "snapshotData"> {
  /** `"reference"` (default) or `"stale-leader-reads"`: a leader answers gets from its own map, without the log (wrong). */
  variant?: KvVariant;
  /** Also called with every apply message (after the service applied it). */
  onApply?: (msg: RaftApplyMsg, node: Node) => void;
}

/** A running key–value server, seen from outside (tests read its state). */
export interface KvServerHandle {
  readonly node: Node;
  readonly raft: RaftHandle;
  /** The applied store now (a copy). @example server.store() // { x: "1" } */
  store(): Record<string, string>;
  /** The duplicate table now (a copy): clientId → last applied seq and its reply. */
  sessions(): Record<string, KvSession>;
  /** Highest log index applied to the store. */
  appliedIndex(): number;
}

interface Waiting {
  term: number;
  clientId: string;
  seq: number;
  request: Message;
}

const VARIANTS: readonly KvVariant[] = ["reference", "stale-leader-reads"];

/**
 * Run a key–value server on `node` (call it from the node's behaviour: after a restart it rebuilds
 * the store from the Raft snapshot and log). Handles `kv_request` (see `KvRequest`): proposes the
 * command to Raft and replies `kv_reply` `ok` once it is applied at the index it got in the term it
 * got, or `not_leader` (with a hint) if this server is not the leader, or loses leadership while the
 * request waits. Duplicates (same clientId and seq, or an older seq) are not applied again; the
 * stored reply is returned. With `snapshotEntriesMax`, the store and the duplicate table go into
 * the snapshot.
 *
 * @example
 * sim.spawn("n1", (node) => kvRaftServer(node, { peers: ["n2", "n3"], tickMs: 10, snapshotEntriesMax: 50 }), { role: "raft" });
 */
export function kvRaftServer(node: Node, options: KvServerOptions): KvServerHandle {
  const { variant = "reference", onApply, ...raftOptions } = options;
  if (!VARIANTS.includes(variant)) {
    throw new RangeError(`kv ${node.id} at t=${node.now()}ms: variant must be one of ${VARIANTS.join(", ")}, got ${JSON.stringify(variant)}`);
  }
  let store = new Map<string, string>();
  let sessions = new Map<string, KvSession>();
  let applied = 0;
  const waiting = new Map<number, Waiting>();
  let checkArmed = false;

  const notLeader = (request: Message, hint: string | null): void => {
    const body: KvReply = { type: "kv_reply", status: "not_leader", leaderHint: hint };
    node.reply(request, body as never);
  };
  const ok = (request: Message, value: string | undefined): void => {
    const body: KvReply = value === undefined ? { type: "kv_reply", status: "ok" } : { type: "kv_reply", status: "ok", value };
    node.reply(request, body as never);
  };

  /** Apply one command once per (clientId, seq); the reply to give for it. */
  const execute = (c: KvCommand): KvSession => {
    const last = sessions.get(c.clientId);
    if (last !== undefined && c.seq <= last.seq) return last; // a retry (or an older one): applied already
    const before = store.get(c.key) ?? "";
    let session: KvSession;
    if (c.op === "get") session = { seq: c.seq, value: before };
    else {
      store.set(c.key, c.op === "put" ? String(c.value ?? "") : before + String(c.value ?? ""));
      session = { seq: c.seq };
    }
    sessions.set(c.clientId, session);
    return session;
  };

  const apply = (msg: RaftApplyMsg): void => {
    if (msg.kind === "snapshot") {
      const data = msg.data as KvSnapshotData | null;
      store = new Map(Object.entries(data?.store ?? {}));
      sessions = new Map(Object.entries(data?.sessions ?? {}).map(([id, s]) => [id, { ...s }]));
      applied = msg.index;
      // Whatever waited at an index the snapshot covers can no longer be matched to its entry.
      for (const [index, w] of waiting) {
        if (index <= msg.index) {
          waiting.delete(index);
          notLeader(w.request, raft?.state().leaderId ?? null);
        }
      }
      return;
    }
    applied = msg.index;
    const c = msg.command;
    const result = isKvCommand(c) ? execute(c) : undefined;
    const w = waiting.get(msg.index);
    if (w === undefined) return;
    waiting.delete(msg.index);
    // The entry at the index is ours only if it has the term we proposed it in (another leader may
    // have overwritten it); and it is the same request (clientId, seq) — a reply from another's entry is wrong.
    if (result !== undefined && msg.term === w.term && isKvCommand(c) && c.clientId === w.clientId && c.seq === w.seq && result.seq === w.seq) {
      ok(w.request, result.value);
    } else notLeader(w.request, raft?.state().leaderId ?? null);
  };

  let raft: RaftHandle | undefined;
  raft = raftNode(node, {
    ...raftOptions,
    onApply: (msg, n) => {
      apply(msg);
      onApply?.(msg, n);
    },
    snapshotData: (): KvSnapshotData => ({
      store: Object.fromEntries(store),
      sessions: Object.fromEntries(Array.from(sessions, ([id, s]) => [id, { ...s }])),
    }),
  });
  const handle = raft;

  node.on("kv_request", (request: Message) => {
    const b = request.body as unknown as KvRequest;
    if (!(b.op === "get" || b.op === "put" || b.op === "append") || typeof b.key !== "string" || typeof b.clientId !== "string" || typeof b.seq !== "number") {
      throw new Error(`kv ${node.id} at t=${node.now()}ms: a kv_request needs op get|put|append, key, clientId and seq; got ${JSON.stringify(b)}`);
    }
    const state = handle.state();
    if (variant === "stale-leader-reads" && b.op === "get" && state.role === "leader") {
      // WRONG on purpose: a leader cut off from the majority still thinks it leads, and answers from an old map.
      return ok(request, store.get(b.key) ?? "");
    }
    const command: KvCommand = { kind: "kv", op: b.op, key: b.key, clientId: b.clientId, seq: b.seq };
    if (b.op !== "get") command.value = String(b.value ?? "");
    const result = handle.propose(command);
    if (result.kind !== "accepted") return notLeader(request, result.leaderHint);
    if (applied >= result.index) {
      // Committed within propose (a one-server cluster): answer from the duplicate table.
      const s = sessions.get(b.clientId);
      return s !== undefined && s.seq === b.seq ? ok(request, s.value) : notLeader(request, null);
    }
    const before = waiting.get(result.index);
    if (before !== undefined) notLeader(before.request, node.id);
    waiting.set(result.index, { term: result.term, clientId: b.clientId, seq: b.seq, request });
    armLeadershipCheck();
  });

  // A request waiting on a server that is no longer leader of the term it proposed in may never be
  // applied here with that term: tell the clerk soon to try elsewhere (it retries with the same seq).
  // The check runs every tick while something waits (a one-shot timer, re-armed).
  function armLeadershipCheck(): void {
    if (checkArmed) return;
    checkArmed = true;
    node.setTimer(
      options.tickMs,
      () => {
        checkArmed = false;
        const s = handle.state();
        for (const [index, w] of waiting) {
          if (s.role !== "leader" || s.currentTerm !== w.term) {
            waiting.delete(index);
            notLeader(w.request, s.leaderId);
          }
        }
        if (waiting.size > 0) armLeadershipCheck();
      },
      "kv leadership check",
    );
  }

  return {
    node,
    raft: handle,
    store: () => Object.fromEntries(store),
    sessions: () => Object.fromEntries(Array.from(sessions, ([id, s]) => [id, { ...s }])),
    appliedIndex: () => applied,
  };
}
