// Room histories in the history store (a quorum store of strings): one key per room,
// `room/<name>`, whose value is the room's messages as JSON, oldest first. The materializer is the
// only writer; front-ends read. `mergeHistories` lets a restarted materializer (which replays the
// log from offset 0) never write a shorter history over a longer one.
import type { ChatMessage } from "./rooms";

/**
 * The store key of `room`'s history.
 *
 * @example
 * historyKey("r1"); // "room/r1"
 */
export function historyKey(room: string): string {
  return `room/${room}`;
}

/**
 * A room's history as the store's string value.
 *
 * @example
 * encodeHistory([{ seq: 0, id: "c1:1", user: "ada", text: "hi" }]); // '[{"seq":0,"id":"c1:1","user":"ada","text":"hi"}]'
 */
export function encodeHistory(messages: readonly ChatMessage[]): string {
  return JSON.stringify(messages.map((m) => ({ seq: m.seq, id: m.id, user: m.user, text: m.text })));
}

/**
 * The messages of a stored value (`null`, a key never written: no messages). Throws on a value
 * that is not a JSON list of messages.
 *
 * @example
 * decodeHistory(null); // []
 * decodeHistory('[{"seq":0,"id":"c1:1","user":"ada","text":"hi"}]')[0].id; // "c1:1"
 */
export function decodeHistory(value: string | null): ChatMessage[] {
  if (value === null) return [];
  const parsed: unknown = JSON.parse(value);
  if (!Array.isArray(parsed)) throw new Error(`history value must be a JSON list of messages, got ${value.slice(0, 60)}`);
  return parsed as ChatMessage[];
}

/**
 * The union of two histories of one room by `seq` (the log offset: the same seq is the same
 * record), in seq order; with `dedupById`, only the first copy of each id is kept.
 *
 * @example
 * mergeHistories([{ seq: 0, id: "a", user: "u", text: "" }], [{ seq: 2, id: "b", user: "u", text: "" }], true).map((m) => m.seq); // [0, 2]
 */
export function mergeHistories(a: readonly ChatMessage[], b: readonly ChatMessage[], dedupById: boolean): ChatMessage[] {
  const bySeq = new Map<number, ChatMessage>();
  for (const m of [...a, ...b]) if (!bySeq.has(m.seq)) bySeq.set(m.seq, m);
  const merged = [...bySeq.values()].sort((x, y) => x.seq - y.seq);
  if (!dedupById) return merged;
  const seen = new Set<string>();
  return merged.filter((m) => (seen.has(m.id) ? false : (seen.add(m.id), true)));
}
