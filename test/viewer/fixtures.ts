// A small hand-built run for the viewer's tests: three nodes a, b, c (role "raft").
//
//   t=1   a → b ping #1 (id 1), delivered at 5
//   t=2   a → c ping #2 (id 2), lost at once (loss)
//   t=3   b → c ping #3 (id 3), duplicated: delivered at 7, the copy at 9
//   t=10  c crashes
//   t=11  a → c ping #4 (id 4), dropped at 15 (c crashed)
//   t=12  a's election timer fires; a becomes leader
//   t=20  partition {a} | {b, c}
//   t=21  a → b ping #5 (id 5), dropped at 24 (partition)
//   t=30  healed; c restarts; c is follower again at 31
//   t=40  b → a ping #6 (id 6), still on the wire when the trace ends at 40
//
// Flights of delivered copies: 4, 4, 6 ms → the median, 4 ms, is how long marks stay.
import type { TraceEvent } from "../../lib/trace";

const ping = (id: number, src: string, dest: string) => ({ id, src, dest, type: "ping", msgId: id });
const send = (timeMs: number, m: ReturnType<typeof ping>): TraceEvent => ({
  kind: "send",
  timeMs,
  ...m,
  bytes: 0,
  json: JSON.stringify({ type: "ping", n: m.id, msg_id: m.id }),
});
const deliver = (timeMs: number, m: ReturnType<typeof ping>, sentMs: number, duplicate = false): TraceEvent => ({ kind: "deliver", timeMs, ...m, sentMs, duplicate });
const drop = (timeMs: number, m: ReturnType<typeof ping>, sentMs: number, reason: "loss" | "crashed" | "partition"): TraceEvent => ({
  kind: "drop",
  timeMs,
  ...m,
  sentMs,
  reason,
  duplicate: false,
});

const P1 = ping(1, "a", "b");
const P2 = ping(2, "a", "c");
const P3 = ping(3, "b", "c");
const P4 = ping(4, "a", "c");
const P5 = ping(5, "a", "b");
const P6 = ping(6, "b", "a");

/** The run's events, in the order a simulator would record them (bytes are filled in below). */
export const VIEWER_EVENTS: TraceEvent[] = [
  { kind: "spawn", timeMs: 0, node: "a", role: "raft" },
  { kind: "spawn", timeMs: 0, node: "b", role: "raft" },
  { kind: "spawn", timeMs: 0, node: "c", role: "raft" },
  { kind: "state", timeMs: 0, node: "a", role: "raft", to: "follower" },
  { kind: "state", timeMs: 0, node: "b", role: "raft", to: "follower" },
  { kind: "state", timeMs: 0, node: "c", role: "raft", to: "follower" },
  send(1, P1),
  send(2, P2),
  drop(2, P2, 2, "loss"),
  send(3, P3),
  { kind: "duplicate", timeMs: 3, ...P3 },
  deliver(5, P1, 1),
  deliver(7, P3, 3),
  deliver(9, P3, 3, true),
  { kind: "crash", timeMs: 10, node: "c" },
  send(11, P4),
  { kind: "timer", timeMs: 12, node: "a", name: "election", periodic: false },
  { kind: "state", timeMs: 12, node: "a", role: "raft", from: "follower", to: "leader", cause: "election timeout" },
  drop(15, P4, 11, "crashed"),
  { kind: "partition", timeMs: 20, groups: [["a"], ["b", "c"]] },
  send(21, P5),
  drop(24, P5, 21, "partition"),
  { kind: "heal", timeMs: 30 },
  { kind: "restart", timeMs: 30, node: "c", incarnation: 2 },
  { kind: "state", timeMs: 31, node: "c", role: "raft", to: "follower" },
  send(40, P6),
];
for (const e of VIEWER_EVENTS) if (e.kind === "send") e.bytes = Buffer.byteLength(e.json);
