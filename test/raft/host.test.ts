// raftNode's contract with the node (etcd's Ready order): persist and sync, then send, then declare
// the role, then hand committed entries to the service — checked on a stand-in node that records
// every call (the three-state diagram on a real cluster is in election.test.ts).
import { describe, expect, it } from "vitest";
import type { Body, Message, Node } from "../../lib/node/index";
import { raftNode } from "../../lib/raft/index";

function stubNode(incarnation = 1, disk: Record<string, unknown> = {}) {
  const calls: string[] = [];
  const handlers = new Map<string, (m: Message) => void>();
  const timers: Array<() => void> = [];
  let current: string | undefined;
  const node = {
    id: "n1",
    incarnation,
    rng: { nextUint32: () => 7 },
    now: () => 0,
    isAlive: () => true,
    storage: {
      set: (k: string, v: unknown) => void calls.push(`set ${k}=${JSON.stringify(v)}`),
      sync: () => void calls.push("sync"),
      snapshot: () => ({ ...disk }),
    },
    on: (type: string, h: (m: Message) => void) => void handlers.set(type, h),
    send: (dest: string, body: Body) => (calls.push(`send ${dest} ${body.type}`), 1),
    setPeriodic: (_ms: number, fn: () => void) => (timers.push(fn), 1),
    setState: (state: string, cause?: string) => {
      if (state !== current) calls.push(`state ${state} (${cause})`); // a node records changes only
      current = state;
    },
  };
  return { node: node as unknown as Node, calls, handlers, tick: () => timers.forEach((f) => f()) };
}

describe("raftNode", () => {
  it("persists and syncs the new term and vote before asking for votes, then declares the role", () => {
    const { node, calls, tick } = stubNode();
    raftNode(node, { peers: ["n2", "n3"], tickMs: 10, electionTicksMin: 2, electionTicksMax: 2 });
    calls.length = 0;
    tick();
    tick();
    expect(calls).toEqual(["set currentTerm=1", 'set votedFor="n1"', "sync", "send n2 request_vote", "send n3 request_vote", "state candidate (election timeout, term 1)"]);
  });

  it("persists a granted vote before the answer, and applies a committed entry after everything else", () => {
    const { node, calls, handlers } = stubNode();
    const applied: unknown[] = [];
    raftNode(node, { peers: ["n2", "n3"], tickMs: 10, onApply: (m) => void applied.push(m) });
    calls.length = 0;
    handlers.get("request_vote")!({ src: "n2", dest: "n1", body: { type: "request_vote", term: 1, candidateId: "n2", lastLogIndex: 0, lastLogTerm: 0, msg_id: 1 } } as unknown as Message);
    expect(calls).toEqual(["set currentTerm=1", 'set votedFor="n2"', "sync", "send n2 request_vote_resp"]);
    calls.length = 0;
    const entry = { index: 1, term: 1, command: "x" };
    handlers.get("append_entries")!({ src: "n2", dest: "n1", body: { type: "append_entries", term: 1, leaderId: "n2", prevLogIndex: 0, prevLogTerm: 0, entries: [entry], leaderCommit: 1, msg_id: 2 } } as unknown as Message);
    expect(calls).toEqual([`set log=${JSON.stringify([entry])}`, "sync", "send n2 append_entries_resp"]);
    expect(applied).toEqual([{ kind: "command", index: 1, term: 1, command: "x" }]);
  });

  it("restarts from what storage kept, and hands the snapshot to the service first", () => {
    const snapshot = { lastIncludedIndex: 5, lastIncludedTerm: 2, data: { sum: 15 } };
    const { node } = stubNode(2, { currentTerm: 3, votedFor: "n2", snapshot, log: [{ index: 6, term: 3, command: "y" }] });
    const applied: unknown[] = [];
    const h = raftNode(node, { peers: ["n2", "n3"], tickMs: 10, onApply: (m) => void applied.push(m) });
    expect(applied).toEqual([{ kind: "snapshot", index: 5, term: 2, data: { sum: 15 } }]);
    const s = h.state();
    expect([s.currentTerm, s.votedFor, s.snapshotIndex, s.commitIndex, s.lastApplied, s.log.length]).toEqual([3, "n2", 5, 5, 5, 1]);
  });
});
