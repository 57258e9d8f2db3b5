// A small hand-built run shared by the trace tests: a client c1 and two Raft-like nodes n1, n2.
// c1 writes (replicated to n2, reply duplicated by the network), then reads during a partition
// (n1's heartbeat append is cut, the read_ok is lost); n2 times out, crashes and restarts; n1
// logs, throws once; c1 sends a message n2 has no handler for.
//
// Latencies of delivered originals: 2, 3, 1, 2, 4, 1 ms → nearest-rank p50 = 2, p90 = p99 = max = 4.
import type { TraceEvent } from "../../lib/trace";
import { Trace } from "../../lib/trace";

const msg = (id: number, src: string, dest: string, type: string, msgId?: number, inReplyTo?: number) => {
  const ref: { id: number; src: string; dest: string; type: string; msgId?: number; inReplyTo?: number } = { id, src, dest, type };
  if (msgId !== undefined) ref.msgId = msgId;
  if (inReplyTo !== undefined) ref.inReplyTo = inReplyTo;
  return ref;
};
const send = (timeMs: number, m: ReturnType<typeof msg>, bytes: number, body: object = {}): TraceEvent => ({
  kind: "send",
  timeMs,
  ...m,
  bytes,
  json: JSON.stringify({ type: m.type, ...(m.msgId === undefined ? {} : { msg_id: m.msgId }), ...(m.inReplyTo === undefined ? {} : { in_reply_to: m.inReplyTo }), ...body }),
});
const deliver = (timeMs: number, m: ReturnType<typeof msg>, sentMs: number, duplicate = false): TraceEvent => ({ kind: "deliver", timeMs, ...m, sentMs, duplicate });

const WRITE = msg(1, "c1", "n1", "write", 1);
const APPEND = msg(2, "n1", "n2", "append", 1);
const APPEND_OK = msg(3, "n2", "n1", "append_ok", 1, 1);
const WRITE_OK = msg(4, "n1", "c1", "write_ok", 2, 1);
const READ = msg(5, "c1", "n1", "read", 2);
const HEARTBEAT = msg(6, "n1", "n2", "append", 3);
const READ_OK = msg(7, "n1", "c1", "read_ok", 4, 2);
const BOGUS = msg(8, "c1", "n2", "bogus", 3);

export const EVENTS: TraceEvent[] = [
  { kind: "spawn", timeMs: 0, node: "n1", role: "raft" },
  { kind: "spawn", timeMs: 0, node: "n2", role: "raft" },
  { kind: "spawn", timeMs: 0, node: "c1", role: "client" },
  { kind: "state", timeMs: 0, node: "n1", role: "raft", to: "follower" },
  { kind: "state", timeMs: 0, node: "n2", role: "raft", to: "follower" },
  send(1, WRITE, 30, { key: "x", value: 3 }),
  deliver(3, WRITE, 1),
  send(3, APPEND, 50, { key: "x", value: 3 }),
  deliver(6, APPEND, 3),
  send(6, APPEND_OK, 20),
  { kind: "duplicate", timeMs: 6, ...APPEND_OK },
  deliver(7, APPEND_OK, 6),
  deliver(8, APPEND_OK, 6, true),
  send(8, WRITE_OK, 25),
  { kind: "partition", timeMs: 10, groups: [["n1", "c1"], ["n2"]] },
  deliver(10, WRITE_OK, 8),
  { kind: "rpc", timeMs: 10, node: "c1", dest: "n1", type: "write", msgId: 1, outcome: "ok", latencyMs: 9, attempts: 1 },
  send(11, READ, 20, { key: "x" }),
  { kind: "timer", timeMs: 12, node: "n1", name: "heartbeat", periodic: true },
  send(12, HEARTBEAT, 50),
  deliver(15, READ, 11),
  send(15, READ_OK, 30, { value: 3 }),
  { kind: "drop", timeMs: 16, ...HEARTBEAT, sentMs: 12, reason: "partition", duplicate: false },
  { kind: "timer", timeMs: 17, node: "n2", name: "election", periodic: false },
  { kind: "state", timeMs: 17, node: "n2", role: "raft", from: "follower", to: "candidate", cause: "election timeout" },
  { kind: "drop", timeMs: 18, ...READ_OK, sentMs: 15, reason: "loss", duplicate: false },
  { kind: "heal", timeMs: 20 },
  { kind: "rpc", timeMs: 21, node: "c1", dest: "n1", type: "read", msgId: 2, outcome: "timeout", latencyMs: 10, attempts: 1 },
  { kind: "crash", timeMs: 22, node: "n2" },
  { kind: "restart", timeMs: 25, node: "n2", incarnation: 2 },
  { kind: "state", timeMs: 25, node: "n2", role: "raft", to: "follower" },
  { kind: "log", timeMs: 26, node: "n1", text: "hello; world" },
  { kind: "error", timeMs: 27, node: "n1", during: "read", message: "boom" },
  send(28, BOGUS, 10),
  deliver(29, BOGUS, 28),
  { kind: "unhandled", timeMs: 29, ...BOGUS, reason: "no-handler" },
];

/** The same events in a Trace (spawn order n1, n2, c1). */
export function fixtureTrace(): Trace {
  const trace = new Trace({ seed: 1 });
  for (const e of EVENTS) {
    trace.record(e);
    if (e.kind === "spawn") trace.nodeOrder.push(e.node);
  }
  return trace;
}

/**
 * Names that break naive Mermaid output: syntax characters, keywords of every diagram we write,
 * HTML, Markdown and KaTeX markers, entity codes, Mermaid's own placeholder characters, controls,
 * non-ASCII text and emoji, and names that look like our generated ids.
 */
export const NASTY_NAMES: readonly string[] = [
  "a", "node 1", "end", "End", "END", "note", "Note", "participant", "actor", "a-b", "a->>b", "x:y", "semi;colon",
  "hash#1", 'quote"d', "it's", "<b>bold</b>", "{curly}", "[sq]", "-->", "é", "中文", "🚀", "👨‍👩‍👧", "🏳️‍🌈", "日本語 テスト",
  "%%comment", "%%{init: {}}%%", "#quot;", "#60;", "&lt;", "&amp;", "a&b", "¶ß", "ﬂ°", "ß", "back`tick", "pipe|x", "a,b",
  "as", "left of", "p0", "s0", "t0", "P1", "o", "x", "ops", "xfer", "default", "class", "style", "graph", "state", "[*]",
  "\\n", "new\nline", "tab\tx", "", " ", "()", "(x)", "wrap:x", "nowrap:y", "off", "box", "rect", "loop", "alt", "else",
  "opt", "par", "and", "critical", "break", "title", "autonumber", "activate", "create", "destroy", "links", "over",
  "right", "of", "direction", "classDef", "click", "call", "href", "subgraph", "flowchart", "linkStyle", "TB", "LR",
  "fork", "join", "choice", "hide", "--", "==>", "a;b;c", "1abc", "_x_", "a_b_c", "__y__", "*z*", "**bold**", "$x$",
  "$$x$$", "a\\b", "x\u0000y", "\r", "\u200b", "\u202e", "\ufeffbom", "a\u2028b", "\u0085nel", "@", "a@{ shape: x }",
  "endpoint", "end_x", "stateDiagram", "sequenceDiagram", "#", ";", ":", '"', "<", ">", "<br>",
  "<script>alert(1)</script>", "javascript:alert(1)", "---", "--- \ntitle: x\n---", "accTitle: x", "a -x b", "a--)b", "+a",
];

/**
 * A run that uses `names` as node ids, message types, state names, causes, timer names, log
 * lines and error messages, with deliveries, drops, a partition, a cut, a crash and a heal.
 */
export function nastyEvents(names: readonly string[]): TraceEvent[] {
  const events: TraceEvent[] = names.map((node) => ({ kind: "spawn", timeMs: 0, node, role: "nasty" }));
  const at = (i: number) => names[i % names.length];
  let id = 0;
  names.forEach((src, i) => {
    const dest = at(i + 1);
    const t = 1 + 4 * i;
    const ask = msg(++id, src, dest, at(i + 2), i);
    const answer = msg(++id, dest, src, at(i + 3), 1000 + i, i);
    events.push(
      send(t, ask, 10),
      deliver(t + 1, ask, t),
      send(t + 1, answer, 10),
      { kind: "drop", timeMs: t + 2, ...answer, sentMs: t + 1, reason: "partition", duplicate: false },
      i === 0 ? { kind: "state", timeMs: t + 2, node: src, role: "nasty", to: at(i) } : { kind: "state", timeMs: t + 2, node: src, role: "nasty", from: at(i - 1), to: at(i), cause: at(i + 5) },
      { kind: "log", timeMs: t + 2, node: src, text: at(i + 6) },
      { kind: "error", timeMs: t + 2, node: src, during: at(i + 7), message: at(i + 8) },
      { kind: "timer", timeMs: t + 3, node: src, name: at(i + 9), periodic: false },
    );
    const tick = msg(++id, src, dest, at(i + 4));
    events.push(send(t + 3, tick, 1));
  });
  const t = 4 * names.length + 1;
  events.push(
    { kind: "partition", timeMs: t, groups: [names.slice(0, 3), names.slice(3)] },
    { kind: "cut", timeMs: t, from: at(1), to: at(2) },
    { kind: "crash", timeMs: t, node: at(0) },
    { kind: "heal", timeMs: t + 1 },
  );
  return events;
}
