// The chat service's room histories as pure data: applying log records to them (with
// deduplication by message id) and checking them against what clients were told. No I/O, no time:
// the front-end, the history materializer and the acceptance tests all call these functions.

/** One message as stored in a room's history; `seq` is the log offset that ordered it. */
export interface ChatMessage {
  seq: number;
  /** The client-chosen id, e.g. `"c3:7"` (client c3's seventh post): the same on every retry. */
  id: string;
  user: string;
  text: string;
}

/** Every room's history, oldest first. Treated as immutable: the functions return new values. */
export type RoomHistories = Readonly<Record<string, readonly ChatMessage[]>>;

/** What `applyMessage` did with a record. */
export type ApplyOutcome = "appended" | "duplicate" | "stale";

/**
 * Append `message` to `room`'s history unless it is already there: a message whose id the room
 * already holds is a `"duplicate"` (a producer retry that reached the log twice); a message whose
 * `seq` is not above the room's last is `"stale"` (a consumer redelivery after a crash).
 *
 * @example
 * let rooms: RoomHistories = {};
 * ({ rooms } = applyMessage(rooms, "r1", { seq: 0, id: "c1:1", user: "ada", text: "hi" }));
 * applyMessage(rooms, "r1", { seq: 1, id: "c1:1", user: "ada", text: "hi" }).outcome; // "duplicate"
 */
export function applyMessage(rooms: RoomHistories, room: string, message: ChatMessage): { rooms: RoomHistories; outcome: ApplyOutcome } {
  checkMessage(message, "applyMessage");
  const history = rooms[room] ?? [];
  if (history.some((m) => m.id === message.id)) return { rooms, outcome: "duplicate" };
  const last = history.length > 0 ? history[history.length - 1].seq : -1;
  if (message.seq <= last) return { rooms, outcome: "stale" };
  return { rooms: { ...rooms, [room]: [...history, { ...message }] }, outcome: "appended" };
}

/**
 * The messages of `room` with `seq` above `afterSeq` (all of them with the default −1): what a
 * `read` request returns.
 *
 * @example
 * messagesAfter({ r1: [{ seq: 0, id: "c1:1", user: "ada", text: "hi" }] }, "r1", 0); // []
 */
export function messagesAfter(rooms: RoomHistories, room: string, afterSeq = -1): ChatMessage[] {
  return (rooms[room] ?? []).filter((m) => m.seq > afterSeq).map((m) => ({ ...m }));
}

/** A post a client saw acknowledged: `post_ok` told it the message got `seq` in `room`. */
export interface AckedPost {
  room: string;
  id: string;
  seq: number;
}

/**
 * The acceptance suite's safety check of histories against acknowledgements. Returns one sentence
 * per problem (empty when all is well):
 * - in each room, `seq` strictly increases and no id appears twice ("exactly once, in order");
 * - every acked post is in its room, at the seq its client was told ("no acked post lost").
 *
 * @example
 * const rooms = { r1: [{ seq: 0, id: "c1:1", user: "ada", text: "hi" }, { seq: 1, id: "c1:1", user: "ada", text: "hi" }] };
 * checkRoomHistories(rooms, [{ room: "r1", id: "c2:1", seq: 2 }]);
 * // ["room r1: message c1:1 appears twice (seq 0 and seq 1)", "room r1: acked message c2:1 (seq 2) is missing"]
 */
export function checkRoomHistories(rooms: RoomHistories, acked: readonly AckedPost[]): string[] {
  const problems: string[] = [];
  for (const room of Object.keys(rooms).sort()) {
    const firstSeqOf = new Map<string, number>();
    let last: number | undefined;
    for (const m of rooms[room]) {
      if (last !== undefined && m.seq <= last) problems.push(`room ${room}: seq ${m.seq} follows seq ${last} (order per room broken)`);
      last = m.seq;
      const earlier = firstSeqOf.get(m.id);
      if (earlier !== undefined) problems.push(`room ${room}: message ${m.id} appears twice (seq ${earlier} and seq ${m.seq})`);
      else firstSeqOf.set(m.id, m.seq);
    }
  }
  for (const post of acked) {
    const found = (rooms[post.room] ?? []).find((m) => m.id === post.id);
    if (found === undefined) problems.push(`room ${post.room}: acked message ${post.id} (seq ${post.seq}) is missing`);
    else if (found.seq !== post.seq) problems.push(`room ${post.room}: message ${post.id} was acked with seq ${post.seq} but is stored at seq ${found.seq}`);
  }
  return problems;
}

function checkMessage(message: ChatMessage, where: string): void {
  if (!message || typeof message !== "object") throw new Error(`${where}: message must be { seq, id, user, text }, got ${String(message)}`);
  if (!Number.isInteger(message.seq) || message.seq < 0) throw new Error(`${where}: message seq must be an integer ≥ 0, got ${String(message.seq)}`);
  if (typeof message.id !== "string" || message.id === "") throw new Error(`${where}: message id must be a non-empty string, got ${String(message.id)}`);
}
