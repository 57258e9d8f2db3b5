// A node for Maelstrom's lin-kv workload (`read`, `write`, `cas` on keys of any JSON type) on the
// course's Raft (lib/raft's `raftNode`, the same code as chapter 09's). Not a thin adapter over
// `kvRaftServer`: that service has 6.5840's get/put/append on string values and no compare-and-set,
// so this node runs its own small state machine on the Raft log. Every operation, reads included,
// goes through the log (linearizable). A non-leader forwards a request once to the leader it
// believes in; with no leader known it answers error 11 (temporarily unavailable, definite).
import type { Body, Message, Node } from "../../lib/node";
import { raftNode, type RaftApplyMsg, type RaftHandle } from "../../lib/raft/index";
import { KV_TIMING } from "../../lib/kv/nemesis";

/** Options of `linKvNode`: Raft timing (defaults: chapter 09's, 10 ms ticks, 150–300 ms elections). */
export interface LinKvOptions {
  tickMs?: number;
  electionTicksMin?: number;
  electionTicksMax?: number;
  heartbeatTicks?: number;
  /** How long a forwarded request may wait for the leader's answer. Default 1000 ms. */
  forwardTimeoutMs?: number;
}

/** One client operation as it sits in the Raft log. */
interface LinKvCommand {
  kind: "lin-kv";
  op: "read" | "write" | "cas";
  key: unknown;
  value?: unknown;
  from?: unknown;
  to?: unknown;
  /** Who asked, and their msg_id: identifies the request when its entry is applied. */
  client: string;
  requestId: number;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * A linearizable key–value node on Raft. Peers are every other node of the cluster (`node.peers()`,
 * from Maelstrom's init); Raft's state is in `node.storage` (give `--storage DIR` to survive restarts).
 *
 * @example
 * // distlab-node runtime/examples/lin-kv.ts linKvNode --storage /tmp/lin-kv
 * sim.spawnMany(["n1", "n2", "n3"], linKvNode);
 */
export function linKvNode(node: Node, options: LinKvOptions = {}): RaftHandle {
  const tickMs = options.tickMs ?? KV_TIMING.tickMs;
  const store = new Map<string, unknown>(); // JSON text of the key → value
  const waiting = new Map<number, { term: number; request: Message }>();
  let proposing: Message | undefined; // the request being proposed (a one-node cluster applies it within propose)

  /** The reply an operation gives when applied (and its effect on the store). */
  const execute = (c: LinKvCommand): Body => {
    const key = JSON.stringify(c.key);
    if (c.op === "write") {
      store.set(key, c.value);
      return { type: "write_ok" };
    }
    if (!store.has(key)) return { type: "error", code: 20, text: `key ${key} does not exist` };
    const current = store.get(key);
    if (c.op === "read") return { type: "read_ok", value: current };
    if (!same(current, c.from)) return { type: "error", code: 22, text: `cas on key ${key}: expected ${JSON.stringify(c.from)}, found ${JSON.stringify(current)}` };
    store.set(key, c.to);
    return { type: "cas_ok" };
  };

  const apply = (msg: RaftApplyMsg): void => {
    if (msg.kind !== "command") return; // no snapshots are configured
    const c = msg.command as LinKvCommand;
    if (c?.kind !== "lin-kv") return; // e.g. a leader's no-op
    const result = execute(c);
    const w = waiting.get(msg.index);
    if (w !== undefined) {
      waiting.delete(msg.index);
      // our entry only if it kept the term we proposed it in; otherwise it was overwritten: never applied
      if (msg.term === w.term) node.reply(w.request, result);
      else node.reply(w.request, { type: "error", code: 0, text: "the leader changed before this operation committed" });
    } else if (proposing !== undefined && c.client === proposing.src && c.requestId === proposing.body.msg_id) {
      node.reply(proposing, result);
      proposing = undefined;
    }
  };

  const raft = raftNode(node, {
    peers: node.peers(),
    tickMs,
    electionTicksMin: options.electionTicksMin ?? KV_TIMING.electionTicksMin,
    electionTicksMax: options.electionTicksMax ?? KV_TIMING.electionTicksMax,
    heartbeatTicks: options.heartbeatTicks ?? KV_TIMING.heartbeatTicks,
    leaderNoop: true,
    onApply: apply,
  });

  const handle = (request: Message): void => {
    const b = request.body;
    const command: LinKvCommand = { kind: "lin-kv", op: b.type as LinKvCommand["op"], key: b.key, value: b.value, from: b.from, to: b.to, client: request.src, requestId: b.msg_id! };
    proposing = request;
    const result = raft.propose(command);
    const answered = proposing === undefined;
    proposing = undefined;
    if (answered) return;
    if (result.kind === "accepted") {
      waiting.set(result.index, { term: result.term, request });
      return;
    }
    const leader = result.leaderHint;
    if (leader === null || leader === node.id || b.forwarded === true) {
      node.reply(request, { type: "error", code: 11, text: `node ${node.id} is not the leader${leader ? ` (it believes ${leader} is)` : " and knows no leader yet"}` });
      return;
    }
    const { msg_id: _id, ...forward } = b;
    node
      .rpc(leader, { ...forward, forwarded: true }, { timeoutMs: options.forwardTimeoutMs ?? 1000 })
      .then(
        (reply) => {
          const { msg_id: _m, in_reply_to: _r, ...answer } = reply.body;
          node.reply(request, answer as never);
        },
        () => node.reply(request, { type: "error", code: 0, text: `forwarded to ${leader}, no answer in time` }),
      );
  };
  for (const type of ["read", "write", "cas"]) node.on(type, handle);

  // A request waiting on a node that lost the leadership of its term may never be applied: say so
  // (indefinite: it may still commit through the new leader).
  node.setPeriodic(tickMs, () => {
    if (waiting.size === 0) return;
    const state = raft.state();
    for (const [index, w] of waiting) {
      if (state.role === "leader" && state.currentTerm === w.term) continue;
      waiting.delete(index);
      node.reply(w.request, { type: "error", code: 0, text: `node ${node.id} lost the leadership while the operation waited; it may or may not take effect` });
    }
  }, "leadership-check");
  return raft;
}
