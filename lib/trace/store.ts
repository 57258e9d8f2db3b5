/**
 * How a trace keeps its events: compactly, and optionally only the last N of them.
 *
 * Message events, most of any run, are kept in columns of typed arrays instead of one object
 * each: a `send` writes one row to a message table (interned node ids and type, ids, send time)
 * and keeps its JSON body once; its `deliver`, `drop` and `duplicate` events are a code, a time
 * and the message's row. Bodies are stored 256 at a time: an all-ASCII batch goes into a byte
 * arena, without what the row already tells (`{"type":"ping"` at the start, the simulator's
 * `,"msg_id":7}` at the end); any other batch is kept as one string. Any other event (a timer, a
 * state, a log, events of kinds added later, a delivery after service time, a message with odd
 * ids) is kept as the object it was recorded as. Event objects are built only when read, so the
 * simulator allocates next to nothing per event and the garbage collector never walks the trace.
 *
 * Memory is the cost that matters: writing fresh memory costs a few nanoseconds a byte (its pages
 * have to be mapped in), so every column is as narrow as it can be — times as whole µs after a
 * chunk's first, 16-bit string ids, no wire id (they come in runs) and no size (the body's UTF-8
 * length) — about 29 bytes an event in the benchmark, against about 140 for event objects.
 *
 * A bounded store (`eventsMax`) keeps the last `eventsMax` events in a ring: older ones are handed
 * to `onEvict` (the trace folds them into its running hash), counted, and their memory reused.
 *
 * This module is private to `lib/trace`: `Trace` is its API.
 */
import type { DropReason, TraceEvent } from "./events";
import type { EventHash } from "./hash";

/**
 * Rows per chunk of the columns (a power of two, a multiple of BATCH): few, large allocations. A
 * bounded store uses smaller chunks, about a quarter of what it keeps. The first chunk starts
 * small and doubles.
 */
const CHUNK_ROWS_MAX = 1 << 16;
const CHUNK_ROWS_MIN = 1 << 10;
/** Rows of the first chunk when it is made. */
const FIRST_ROWS = 64;
/** Message bodies joined at a time. */
const BATCH = 256;
/** Address space of one arena chunk; a batch larger than that gets a chunk of its own. */
const ARENA_BYTES = 1 << 20;
/** Interned strings a message row can name (its ids are 16 bits wide); a message naming another is kept as an object. */
const STRINGS_MAX = 1 << 16;

// Row codes: bits 0–2 the kind, bit 3 `duplicate`, bits 4–7 a drop reason's index + 1.
const OBJECT = 0;
const SEND = 1;
const DELIVER = 2;
const DROP = 3;
const DUPLICATE = 4;
const KIND_MASK = 7;
const DUPLICATE_FLAG = 8;
const REASON_SHIFT = 4;
const REASONS_MAX = 15;
const KIND_NAMES = ["", "send", "deliver", "drop", "duplicate"] as const;
/** How each message kind's JSON text starts (the fields are in the order the simulator records them). */
const JSON_STARTS = ["", '{"kind":"send","timeMs":', '{"kind":"deliver","timeMs":', '{"kind":"drop","timeMs":', '{"kind":"duplicate","timeMs":'];

/** A number as JSON writes it. */
function numberText(n: number): string {
  return Number.isFinite(n) ? `${n}` : "null";
}

// Message flags.
const HAS_MSG_ID = 1;
const HAS_IN_REPLY_TO = 2;
/** The body starts `{"type":<the type>` and only the rest is kept. */
const TYPE_FIRST = 4;
/** The body ends `,"msg_id":<the msg_id>}` (the simulator adds it last) and that is not kept. */
const MSG_ID_LAST = 8;
/** What a body's kept part is cut from: `,"msg_id":` before the id at its end. */
const MSG_ID_KEY = ',"msg_id":';

/** The fields a message event takes from the copy that arrives (a simulator's deliver event has them all). */
export interface WireCopy {
  id: number;
  src: string;
  dest: string;
  type: string;
  msgId: number | undefined;
  inReplyTo: number | undefined;
  sentMs: number;
  /** True for the extra copy made by the duplication fault. */
  duplicate: boolean;
}

/** Buffer methods Node.js has but does not declare: the native copies behind `write` and `toString`. */
interface RawBuffer extends Buffer {
  latin1Write(text: string, offset: number): number;
  latin1Slice(start: number, end: number): string;
}

/** One chunk of the event rows (views on one ArrayBuffer): 9 bytes a row. */
interface RowChunk {
  /** The time, in whole µs after `baseUs` (see `timeOffset`). */
  time: Uint32Array;
  baseUs: number;
  /** A message row (message kinds) or an object's number (OBJECT), modulo 2^32 (see `unwrap`). */
  ref: Uint32Array;
  code: Uint8Array;
}

/**
 * One chunk of the message table (views on one ArrayBuffer): 23 bytes a row, 24 in a bounded
 * store. The wire id and the size are not kept: wire ids come in runs (see `wireRuns`), and the
 * size is the body's UTF-8 length.
 */
interface MessageChunk {
  /** The send time, in whole µs after `baseUs` (see `timeOffset`). */
  sentMs: Uint32Array;
  baseUs: number;
  msgId: Int32Array;
  inReplyTo: Int32Array;
  /** Where the body ends in its batch (it starts where the previous row's ends). */
  jsonEnd: Uint32Array;
  src: Uint16Array;
  dest: Uint16Array;
  type: Uint16Array;
  flags: Uint8Array;
  /** Kept events that refer to the row (bounded stores only; empty otherwise). */
  refs: Uint8Array;
}

function rowChunk(rows: number): RowChunk {
  const b = new ArrayBuffer(9 * rows);
  return { time: new Uint32Array(b, 0, rows), baseUs: NaN, ref: new Uint32Array(b, 4 * rows, rows), code: new Uint8Array(b, 8 * rows, rows) };
}

function growRows(c: RowChunk, rows: number): RowChunk {
  const g = rowChunk(rows);
  g.baseUs = c.baseUs;
  g.time.set(c.time);
  g.ref.set(c.ref);
  g.code.set(c.code);
  return g;
}

function messageChunk(rows: number, bounded: boolean): MessageChunk {
  const b = new ArrayBuffer((bounded ? 24 : 23) * rows);
  return {
    sentMs: new Uint32Array(b, 0, rows),
    baseUs: NaN,
    msgId: new Int32Array(b, 4 * rows, rows),
    inReplyTo: new Int32Array(b, 8 * rows, rows),
    jsonEnd: new Uint32Array(b, 12 * rows, rows),
    src: new Uint16Array(b, 16 * rows, rows),
    dest: new Uint16Array(b, 18 * rows, rows),
    type: new Uint16Array(b, 20 * rows, rows),
    flags: new Uint8Array(b, 22 * rows, rows),
    refs: new Uint8Array(b, 23 * rows, bounded ? rows : 0),
  };
}

function growMessages(c: MessageChunk, rows: number, bounded: boolean): MessageChunk {
  const g = messageChunk(rows, bounded);
  g.baseUs = c.baseUs;
  for (const key of COLUMNS) (g[key] as Uint32Array).set(c[key] as Uint32Array);
  return g;
}

const COLUMNS = ["sentMs", "msgId", "inReplyTo", "jsonEnd", "src", "dest", "type", "flags", "refs"] as const;

/** The stored time of a time that is not whole µs after its chunk's first (kept in a map instead). */
const TIME_ESCAPE = 0xffffffff;

/**
 * A time as a column keeps it: whole µs after the chunk's first time (virtual times are rounded
 * to the µs), or TIME_ESCAPE for any other. Exact: `(baseUs + offset) / 1000` is `timeMs` again.
 */
function timeOffset(timeMs: number, chunk: { baseUs: number }): number {
  const us = Math.round(timeMs * 1000);
  if (us / 1000 !== timeMs || (us === 0 && 1 / timeMs < 0)) return TIME_ESCAPE; // -0 would come back as 0
  if (chunk.baseUs !== chunk.baseUs) chunk.baseUs = us; // NaN: the chunk's first time
  const offset = us - chunk.baseUs;
  return offset >= 0 && offset < TIME_ESCAPE ? offset : TIME_ESCAPE;
}

/** True when `bytes[start..end)` starts with the ASCII text `prefix`. */
function startsWithAt(bytes: Uint8Array, start: number, end: number, prefix: string): boolean {
  if (end - start < prefix.length) return false;
  for (let k = 0; k < prefix.length; k++) if (bytes[start + k] !== prefix.charCodeAt(k)) return false;
  return true;
}

/**
 * Where `,"msg_id":<msgId>}` starts if `bytes[start..end)` ends with it, else -1 (for a whole
 * number `msgId` ≥ 0).
 */
function msgIdAtEnd(bytes: Uint8Array, start: number, end: number, msgId: number): number {
  let at = end - 1;
  if (at < start || bytes[at] !== 125) return -1; // "}"
  let n = msgId;
  do {
    const digit = n % 10;
    if (--at < start || bytes[at] !== 48 + digit) return -1;
    n = (n - digit) / 10;
  } while (n > 0);
  at -= MSG_ID_KEY.length;
  if (at < start) return -1;
  for (let k = 0; k < MSG_ID_KEY.length; k++) if (bytes[at + k] !== MSG_ID_KEY.charCodeAt(k)) return -1;
  return at;
}

/** Digits of a whole number ≥ 0. */
function digitCount(n: number): number {
  let count = 1;
  while (n >= 10) {
    n = (n - (n % 10)) / 10;
    count++;
  }
  return count;
}

/** True for `undefined` and for numbers an Int32Array holds exactly (not -0). */
function smallInt(value: unknown): boolean {
  return value === undefined || ((value as number) | 0) === value && (value !== 0 || 1 / value > 0);
}

/** The number `n ≥ low` that is `stored` modulo 2^32, for stores whose live range is under 2^32 wide. */
function unwrap(stored: number, low: number): number {
  return low + ((stored - low) >>> 0); // `>>> 0` is "modulo 2^32" for any whole number
}

/**
 * The rows of a trace. Global row numbers never change and are never reused: row `r` of the
 * events is the `r`-th event ever recorded; row `m` of the message table is the `m`-th send.
 *
 * @example
 * const store = new TraceStore(Infinity);
 * store.send(0, 1, "a", "b", "ping", 1, undefined, 26, '{"type":"ping","msg_id":1}');
 * store.arrive(DELIVER_KIND, { id: 1, src: "a", dest: "b", type: "ping", msgId: 1, inReplyTo: undefined, sentMs: 0, duplicate: false }, 5, undefined);
 * store.event(1); // { kind: "deliver", timeMs: 5, id: 1, src: "a", dest: "b", type: "ping", msgId: 1, ... }
 */
export class TraceStore {
  /** Events ever recorded. */
  total = 0;
  /** Events dropped from the front of a bounded store (`total - evicted` are kept). */
  evicted = 0;
  /** Called with each row about to be evicted, while it can still be read (the running hash folds it in). */
  onEvict: ((row: number) => void) | undefined;
  private readonly bounded: boolean;
  /** Rows per chunk (a power of two). */
  private readonly chunkRows: number;

  // ---- event rows: a deque of chunks --------------------------------------------------------
  private rowChunks: RowChunk[] = [];
  /** Global chunk number of rowChunks[0]. */
  private rowChunkBase = 0;
  /** The chunk being written and the next free place in it. */
  private rows: RowChunk | undefined;
  private rowAt = 0;
  private rowSpare: RowChunk | undefined;

  // ---- message table ------------------------------------------------------------------------
  private msgChunks: MessageChunk[] = [];
  private msgChunkBase = 0;
  private msgs: MessageChunk | undefined;
  private msgAt = 0;
  private msgSpare: MessageChunk | undefined;
  /** Message rows ever made; rows below `msgFront` have been released (bounded stores only). */
  private msgTotal = 0;
  private msgFront = 0;
  /**
   * Wire ids by message row, as runs: pairs (first row, wire id − row) from that row on. Wire ids
   * go up by one per send, so there is one run unless some sends were not traced.
   */
  private wireRuns: number[] = [];
  private sends = 0;
  private delivers = 0;
  private drops = 0;
  private duplicates = 0;

  // ---- message bodies: BATCH message rows at a time -----------------------------------------
  /**
   * Bodies of batches [batchBase, batchBase + batches.length): where an all-ASCII batch starts in
   * the arena, or the joined string of a batch with other characters.
   */
  private batches: Array<number | string> = [];
  private batchBase = 0;
  /** Bodies of the batch being filled, its length so far, and whether they are all ASCII. */
  private pending: string[] = [];
  private pendingChars = 0;
  private pendingAscii = true;
  /** Byte chunks holding ASCII batches: chunk k covers arena positions [k·ARENA_BYTES, (k+1)·ARENA_BYTES). */
  private arena: RawBuffer[] = [];
  private arenaBase = 0;
  private arenaAt = 0;
  private arenaSpare: RawBuffer[] = [];
  /** Where a batch is copied before its bodies are cut down (reused: its memory is warm). */
  private scratch = Buffer.allocUnsafeSlow(0) as RawBuffer;

  // ---- strings and objects ------------------------------------------------------------------
  private readonly stringIds = new Map<string, number>();
  private readonly strings: string[] = [];
  /** `JSON.stringify` of each string, made when first needed. */
  private readonly quotedStrings: string[] = [];
  /** `{"type":<quoted>` for each string used as a type, made when first needed. */
  private readonly typePrefixes: string[] = [];
  /** The last time `fold` wrote, as text (consecutive events often share one). */
  private foldedTime = NaN;
  private foldedTimeText = "";
  private readonly reasons: string[] = ["loss", "partition", "crashed"];
  private objects: Array<TraceEvent | undefined> = [];
  /** Global number of objects[0]. */
  private objectBase = 0;
  private objectTotal = 0;
  private readonly objectCounts = new Map<string, number>();
  /** Times the columns cannot hold (see `timeOffset`): by row, and by -1 − message row for send times. */
  private readonly timeEscapes = new Map<number, number>();

  constructor(
    /** Keep at most this many events (Infinity: all). */
    readonly eventsMax: number,
  ) {
    this.bounded = eventsMax !== Infinity;
    let rows = CHUNK_ROWS_MIN;
    while (rows < CHUNK_ROWS_MAX && 4 * rows < eventsMax) rows *= 2;
    this.chunkRows = rows;
  }

  /** Events kept (the last `eventsMax`). */
  get length(): number {
    return this.total - this.evicted;
  }

  /** Recorded events per kind, all of them. */
  countsByKind(): Record<string, number> {
    const out: Record<string, number> = {};
    const messages: Array<[string, number]> = [["send", this.sends], ["deliver", this.delivers], ["drop", this.drops], ["duplicate", this.duplicates]];
    for (const [kind, n] of messages) if (n > 0) out[kind] = n;
    for (const [kind, n] of this.objectCounts) out[kind] = (out[kind] ?? 0) + n;
    return out;
  }

  // ---- writing ------------------------------------------------------------------------------

  /** Keep an event object as it is. */
  object(event: TraceEvent): void {
    const n = this.objectTotal++;
    this.objects.push(event);
    this.objectCounts.set(event.kind, (this.objectCounts.get(event.kind) ?? 0) + 1);
    this.row(OBJECT, 0, n);
  }

  /**
   * A message put on the wire: a message row and a `send` event. It is kept as an object instead
   * when a `msg_id` or `in_reply_to` is not a 32-bit integer, when it names a 65,537th string, or
   * when `bytes` is not the UTF-8 length of `json` (the row does not keep it).
   */
  send(timeMs: number, id: number, src: string, dest: string, type: string, msgId: number | undefined, inReplyTo: number | undefined, bytes: number, json: string): void {
    const runs = this.wireRuns;
    const m = this.msgTotal;
    const srcId = this.intern(src);
    const destId = this.intern(dest);
    const typeId = this.intern(type);
    const ascii = bytes === json.length; // else some character takes more than one UTF-8 byte
    if (
      !smallInt(msgId) ||
      !smallInt(inReplyTo) ||
      (srcId | destId | typeId) >= STRINGS_MAX ||
      (runs.length > 0 && id <= m - 1 + runs[runs.length - 1]) || // wire ids must go up
      (!ascii && Buffer.byteLength(json) !== bytes)
    ) {
      this.object({ kind: "send", timeMs, id, src, dest, type, msgId, inReplyTo, bytes, json });
      return;
    }
    if (this.msgs === undefined || this.msgAt === this.msgs.src.length) this.nextMessageChunk();
    const c = this.msgs!;
    const i = this.msgAt++;
    this.msgTotal++;
    const sentAt = timeOffset(timeMs, c);
    c.sentMs[i] = sentAt;
    if (sentAt === TIME_ESCAPE) this.timeEscapes.set(-1 - m, timeMs); // messages' keys are negative
    c.src[i] = srcId;
    c.dest[i] = destId;
    c.type[i] = typeId;
    let flags = 0;
    if (msgId !== undefined) {
      flags = HAS_MSG_ID;
      c.msgId[i] = msgId;
    }
    if (inReplyTo !== undefined) {
      flags |= HAS_IN_REPLY_TO;
      c.inReplyTo[i] = inReplyTo;
    }
    if (runs.length === 0 || id - m !== runs[runs.length - 1]) runs.push(m, id - m);
    c.flags[i] = flags;
    // the body joins the batch being filled; a full batch is stored at once (see closeBatch)
    this.pending.push(json);
    this.pendingChars += json.length;
    if (!ascii) this.pendingAscii = false;
    c.jsonEnd[i] = this.pendingChars;
    if (this.pending.length === BATCH) this.closeBatch();
    if (this.bounded) c.refs[i] = 1;
    this.sends++;
    this.row(SEND, timeMs, m);
  }

  /**
   * A copy's deliver, drop or duplicate event, joined to its message's row by wire id; kept as an
   * object made from `copy` when that row is gone (the send was not traced, or a bounded store
   * released it) or its drop reason is one too many.
   */
  arrive(kind: 2 | 3 | 4, copy: WireCopy, timeMs: number, reason: DropReason | undefined): void {
    const duplicate = kind !== DUPLICATE && copy.duplicate;
    let code = duplicate ? kind | DUPLICATE_FLAG : kind;
    if (reason !== undefined) {
      let r = this.reasons.indexOf(reason);
      if (r < 0 && this.reasons.length < REASONS_MAX) r = this.reasons.push(reason) - 1;
      code = r < 0 ? -1 : code | ((r + 1) << REASON_SHIFT);
    }
    const m = code < 0 ? -1 : this.rowOfWire(copy.id);
    if (m < 0) {
      const { id, src, dest, type, msgId, inReplyTo, sentMs } = copy;
      if (kind === DELIVER) this.object({ kind: "deliver", timeMs, id, src, dest, type, msgId, inReplyTo, sentMs, duplicate });
      else if (kind === DROP) this.object({ kind: "drop", timeMs, id, src, dest, type, msgId, inReplyTo, sentMs, reason: reason!, duplicate });
      else this.object({ kind: "duplicate", timeMs, id, src, dest, type, msgId, inReplyTo });
      return;
    }
    if (this.bounded) this.messageChunk(m).refs[m % this.chunkRows]++;
    if (kind === DELIVER) this.delivers++;
    else if (kind === DROP) this.drops++;
    else this.duplicates++;
    this.row(code, timeMs, m);
  }

  /** The message row of a wire id, or -1 (its send was not traced, or was released). */
  private rowOfWire(id: number): number {
    const runs = this.wireRuns;
    // the runs' wire ids are disjoint and increasing: the last run that starts at or before `id` holds it, if any
    for (let k = runs.length - 2; k >= 0; k -= 2) {
      const m = id - runs[k + 1];
      if (m < runs[k]) continue;
      const end = k + 2 < runs.length ? runs[k + 2] : this.msgTotal;
      return m < end && m >= this.msgFront ? m : -1;
    }
    return -1;
  }

  /** The wire id of message row `m`. */
  private wireIdOf(m: number): number {
    const runs = this.wireRuns;
    let k = runs.length - 2;
    while (k > 0 && runs[k] > m) k -= 2;
    return m + runs[k + 1];
  }

  private row(code: number, timeMs: number, ref: number): void {
    if (this.rows === undefined || this.rowAt === this.rows.code.length) this.nextRowChunk();
    const c = this.rows!;
    const i = this.rowAt++;
    c.code[i] = code;
    if (code !== OBJECT) {
      const at = timeOffset(timeMs, c); // an object keeps its own time
      c.time[i] = at;
      if (at === TIME_ESCAPE) this.timeEscapes.set(this.total, timeMs);
    }
    c.ref[i] = ref; // modulo 2^32
    this.total++;
    if (this.total - this.evicted > this.eventsMax) this.evictOne();
  }

  /** Make room for the next row: grow the first chunk, or start a new one. */
  private nextRowChunk(): void {
    const c = this.rows;
    if (c === undefined) {
      this.rows = rowChunk(Math.min(FIRST_ROWS, this.chunkRows));
      this.rowChunks.push(this.rows);
    } else if (c.code.length < this.chunkRows) {
      this.rows = growRows(c, Math.min(2 * c.code.length, this.chunkRows));
      this.rowChunks[this.rowChunks.length - 1] = this.rows;
    } else {
      this.rows = this.rowSpare ?? rowChunk(this.chunkRows);
      this.rows.baseUs = NaN;
      this.rowSpare = undefined;
      this.rowChunks.push(this.rows);
      this.rowAt = 0;
    }
  }

  private nextMessageChunk(): void {
    const c = this.msgs;
    if (c === undefined) {
      this.msgs = messageChunk(Math.min(FIRST_ROWS, this.chunkRows), this.bounded);
      this.msgChunks.push(this.msgs);
    } else if (c.src.length < this.chunkRows) {
      this.msgs = growMessages(c, Math.min(2 * c.src.length, this.chunkRows), this.bounded);
      this.msgChunks[this.msgChunks.length - 1] = this.msgs;
    } else {
      this.msgs = this.msgSpare ?? messageChunk(this.chunkRows, this.bounded);
      this.msgs.baseUs = NaN;
      this.msgSpare = undefined;
      this.msgChunks.push(this.msgs);
      this.msgAt = 0;
    }
  }

  /**
   * Store the bodies of the batch just filled. A batch with non-ASCII text is kept as one joined
   * string. An all-ASCII batch is joined, copied at once into a scratch buffer, and from there only
   * what its rows cannot tell goes into the arena: a body that starts `{"type":<its type>` loses
   * that (flag TYPE_FIRST), one that ends `,"msg_id":<its msg_id>}` (the simulator adds it last)
   * loses that (MSG_ID_LAST). Fresh memory costs more than the copying, so this is worth it: a
   * typical body keeps a third of its bytes. The arena has no string for the collector to move.
   */
  private closeBatch(): void {
    const text = this.pending.join("");
    const first = (this.batchBase + this.batches.length) * BATCH; // the batch's first message row
    const count = this.pending.length;
    this.pending = [];
    this.pendingChars = 0;
    if (!this.pendingAscii) {
      this.pendingAscii = true;
      this.batches.push(text);
      return;
    }
    const total = text.length;
    if (this.scratch.length < total) this.scratch = Buffer.allocUnsafeSlow(Math.max(total, 2 * this.scratch.length)) as RawBuffer;
    const from = this.scratch;
    from.latin1Write(text, 0);
    let buf = this.arena.length === 0 ? undefined : this.arena[this.arena.length - 1];
    if (buf === undefined || this.arenaAt + total > buf.length) {
      // a batch larger than a chunk gets a chunk of its own; nothing else goes in it
      const spare = total <= ARENA_BYTES ? this.arenaSpare.pop() : undefined; // a bounded store reuses chunks
      buf = spare ?? (Buffer.allocUnsafeSlow(Math.max(total, ARENA_BYTES)) as RawBuffer);
      this.arena.push(buf);
      this.arenaAt = 0;
    }
    const base = this.arenaAt;
    this.batches.push((this.arenaBase + this.arena.length - 1) * ARENA_BYTES + base);
    const mc = this.messageChunk(first); // a batch's rows share a chunk (BATCH divides the chunk size)
    let j = first % this.chunkRows;
    let start = 0;
    let kept = 0;
    for (let k = 0; k < count; k++, j++) {
      const end = mc.jsonEnd[j];
      let a = start;
      let b = end;
      let flags = mc.flags[j];
      const prefix = this.typePrefix(mc.type[j]);
      if (startsWithAt(from, a, b, prefix)) {
        a += prefix.length;
        flags |= TYPE_FIRST;
      }
      if (flags & HAS_MSG_ID && mc.msgId[j] >= 0) {
        const cut = msgIdAtEnd(from, a, b, mc.msgId[j]);
        if (cut >= 0) {
          b = cut;
          flags |= MSG_ID_LAST;
        }
      }
      for (let x = a; x < b; x++) buf[base + kept++] = from[x];
      mc.flags[j] = flags;
      mc.jsonEnd[j] = kept;
      start = end;
    }
    // a chunk of its own (a batch larger than a chunk) takes nothing else: positions in a chunk stay below ARENA_BYTES
    this.arenaAt = buf.length > ARENA_BYTES ? buf.length : base + kept;
  }

  private intern(s: string): number {
    let id = this.stringIds.get(s);
    if (id === undefined) {
      id = this.strings.push(s) - 1;
      this.stringIds.set(s, id);
    }
    return id;
  }

  // ---- a bounded store: eviction ------------------------------------------------------------

  private evictOne(): void {
    const r = this.evicted;
    if (this.onEvict !== undefined) this.onEvict(r);
    const c = this.rowChunkOf(r);
    const i = r % this.chunkRows;
    const kind = c.code[i] & KIND_MASK;
    if (c.time[i] === TIME_ESCAPE) this.timeEscapes.delete(r);
    this.evicted++;
    if (kind === OBJECT) {
      const at = unwrap(c.ref[i], this.objectBase) - this.objectBase;
      this.objects[at] = undefined;
      if (at >= 1024 && 2 * at >= this.objects.length) {
        this.objects = this.objects.slice(at + 1);
        this.objectBase += at + 1;
      }
    } else {
      const m = unwrap(c.ref[i], this.msgFront);
      this.messageChunk(m).refs[m % this.chunkRows]--;
      this.releaseMessages();
    }
    if (this.evicted % this.chunkRows === 0 && this.rowChunks.length > 1) {
      this.rowSpare = this.rowChunks.shift();
      this.rowChunkBase++;
    }
  }

  /** Release message rows from the front that no kept event refers to, with their chunks and bodies. */
  private releaseMessages(): void {
    while (this.msgFront < this.msgTotal && this.messageChunk(this.msgFront).refs[this.msgFront % this.chunkRows] === 0) {
      if (this.messageChunk(this.msgFront).sentMs[this.msgFront % this.chunkRows] === TIME_ESCAPE) this.timeEscapes.delete(-1 - this.msgFront);
      this.msgFront++;
      if (this.msgFront % this.chunkRows === 0 && this.msgChunks.length > 1) {
        this.msgSpare = this.msgChunks.shift();
        this.msgChunkBase++;
      }
      if (this.msgFront % BATCH === 0 && this.batches.length > 0 && this.batchBase < this.msgFront / BATCH) {
        this.batches.shift();
        this.batchBase++;
        // arena chunks before the one holding the first kept batch are no longer needed
        const first = this.batches.find((b): b is number => typeof b === "number");
        const keepFrom = first === undefined ? this.arenaBase + this.arena.length - 1 : Math.floor(first / ARENA_BYTES);
        while (this.arenaBase < keepFrom && this.arena.length > 1) {
          const spare = this.arena.shift()!;
          if (spare.length === ARENA_BYTES && this.arenaSpare.length < 2) this.arenaSpare.push(spare);
          this.arenaBase++;
        }
      }
    }
    const runs = this.wireRuns;
    if (runs.length > 2 && runs[2] <= this.msgFront) {
      let k = 2;
      while (k + 2 < runs.length && runs[k + 2] <= this.msgFront) k += 2;
      runs.splice(0, k); // runs that end before the first kept row
    }
  }

  // ---- reading ------------------------------------------------------------------------------

  private rowChunkOf(r: number): RowChunk {
    return this.rowChunks[Math.floor(r / this.chunkRows) - this.rowChunkBase];
  }

  private messageChunk(m: number): MessageChunk {
    return this.msgChunks[Math.floor(m / this.chunkRows) - this.msgChunkBase];
  }

  /** The kind of row `r` (a global row number, kept). */
  kindOf(r: number): string {
    const c = this.rowChunkOf(r);
    const i = r % this.chunkRows;
    const kind = c.code[i] & KIND_MASK;
    return kind === OBJECT ? this.objectAt(c.ref[i]).kind : KIND_NAMES[kind];
  }

  /** The virtual time of row `r`. */
  timeOf(r: number): number {
    const c = this.rowChunkOf(r);
    const i = r % this.chunkRows;
    if ((c.code[i] & KIND_MASK) === OBJECT) return this.objectAt(c.ref[i]).timeMs;
    const at = c.time[i];
    return at === TIME_ESCAPE ? this.timeEscapes.get(r)! : (c.baseUs + at) / 1000;
  }

  /** The send time of message row `m`. */
  private sentMsOf(m: number, mc: MessageChunk, j: number): number {
    const at = mc.sentMs[j];
    return at === TIME_ESCAPE ? this.timeEscapes.get(-1 - m)! : (mc.baseUs + at) / 1000;
  }

  private objectAt(stored: number): TraceEvent {
    return this.objects[unwrap(stored, this.objectBase) - this.objectBase]!;
  }

  /**
   * The event of row `r` (a global row number, kept), as an object with the same fields, in the
   * same order, as the simulator used to record (so its JSON, and the trace hash, are unchanged).
   */
  event(r: number): TraceEvent {
    const c = this.rowChunkOf(r);
    const i = r % this.chunkRows;
    const code = c.code[i];
    const kind = code & KIND_MASK;
    if (kind === OBJECT) return this.objectAt(c.ref[i]);
    const timeMs = this.timeOf(r);
    const m = unwrap(c.ref[i], this.msgFront);
    const mc = this.messageChunk(m);
    const j = m % this.chunkRows;
    const flags = mc.flags[j];
    const id = this.wireIdOf(m);
    const src = this.strings[mc.src[j]];
    const dest = this.strings[mc.dest[j]];
    const type = this.strings[mc.type[j]];
    const msgId = flags & HAS_MSG_ID ? mc.msgId[j] : undefined;
    const inReplyTo = flags & HAS_IN_REPLY_TO ? mc.inReplyTo[j] : undefined;
    const duplicate = (code & DUPLICATE_FLAG) !== 0;
    switch (kind) {
      case SEND: {
        const json = this.json(m, mc, j);
        return { kind: "send", timeMs, id, src, dest, type, msgId, inReplyTo, bytes: Buffer.byteLength(json), json };
      }
      case DELIVER:
        return { kind: "deliver", timeMs, id, src, dest, type, msgId, inReplyTo, sentMs: this.sentMsOf(m, mc, j), duplicate };
      case DROP: {
        const reason = this.reasons[(code >> REASON_SHIFT) - 1] as DropReason;
        return { kind: "drop", timeMs, id, src, dest, type, msgId, inReplyTo, sentMs: this.sentMsOf(m, mc, j), reason, duplicate };
      }
      default:
        return { kind: "duplicate", timeMs, id, src, dest, type, msgId, inReplyTo };
    }
  }

  /**
   * Fold the JSON text of row `r`'s event into a hash, as `hash.add(this.event(r))` would, without
   * building the event (the bounded trace's running hash does this for every event it lets go).
   */
  fold(r: number, hash: EventHash): void {
    const c = this.rowChunkOf(r);
    const i = r % this.chunkRows;
    const code = c.code[i];
    const kind = code & KIND_MASK;
    if (kind === OBJECT) return hash.add(this.objectAt(c.ref[i]));
    const m = unwrap(c.ref[i], this.msgFront);
    const mc = this.messageChunk(m);
    const j = m % this.chunkRows;
    const flags = mc.flags[j];
    hash.text(JSON_STARTS[kind]);
    const timeMs = this.timeOf(r);
    if (timeMs !== this.foldedTime) {
      this.foldedTime = timeMs;
      this.foldedTimeText = numberText(timeMs);
    }
    hash.text(this.foldedTimeText);
    hash.text(',"id":');
    hash.number(this.wireIdOf(m));
    hash.text(',"src":');
    hash.text(this.quoted(mc.src[j]));
    hash.text(',"dest":');
    hash.text(this.quoted(mc.dest[j]));
    hash.text(',"type":');
    hash.text(this.quoted(mc.type[j]));
    if (flags & HAS_MSG_ID) {
      hash.text(',"msgId":');
      hash.number(mc.msgId[j]);
    }
    if (flags & HAS_IN_REPLY_TO) {
      hash.text(',"inReplyTo":');
      hash.number(mc.inReplyTo[j]);
    }
    const duplicate = (code & DUPLICATE_FLAG) !== 0 ? 'true}' : 'false}';
    switch (kind) {
      case SEND: {
        const [batch, start, end] = this.jsonAt(m, mc, j);
        if (typeof batch === "string") {
          const json = this.json(m, mc, j);
          hash.text(',"bytes":');
          hash.number(Buffer.byteLength(json));
          hash.text(',"json":');
          hash.escaped(json);
        } else {
          // an ASCII body in the arena (JSON text: no control characters), folded where it lies
          const prefix = flags & TYPE_FIRST ? this.typePrefix(mc.type[j]) : "";
          const msgId = mc.msgId[j];
          const suffixChars = flags & MSG_ID_LAST ? MSG_ID_KEY.length + digitCount(msgId) + 1 : 0;
          hash.text(',"bytes":');
          hash.number(prefix.length + end - start + suffixChars);
          hash.text(',"json":"');
          hash.escapedPart(prefix);
          hash.escapedBytes(batch, start, end);
          if (flags & MSG_ID_LAST) {
            hash.escapedPart(MSG_ID_KEY);
            hash.number(msgId);
            hash.text("}");
          }
          hash.text('"');
        }
        hash.text("}");
        break;
      }
      case DELIVER:
        hash.text(',"sentMs":');
        hash.text(numberText(this.sentMsOf(m, mc, j)));
        hash.text(',"duplicate":');
        hash.text(duplicate);
        break;
      case DROP:
        hash.text(',"sentMs":');
        hash.text(numberText(this.sentMsOf(m, mc, j)));
        hash.text(',"reason":');
        hash.text(JSON.stringify(this.reasons[(code >> REASON_SHIFT) - 1]));
        hash.text(',"duplicate":');
        hash.text(duplicate);
        break;
      default:
        hash.text("}");
    }
    hash.end();
  }

  private quoted(id: number): string {
    return (this.quotedStrings[id] ??= JSON.stringify(this.strings[id]));
  }

  /** `{"type":"ping"`: how a body of this type starts when its type is its first field. */
  private typePrefix(typeId: number): string {
    return (this.typePrefixes[typeId] ??= `{"type":${this.quoted(typeId)}`);
  }

  /** The JSON body of message row `m`. */
  private json(m: number, mc: MessageChunk, j: number): string {
    const [batch, start, end] = this.jsonAt(m, mc, j);
    const part = typeof batch === "string" ? batch.slice(start, end) : (batch as RawBuffer).latin1Slice(start, end);
    const flags = mc.flags[j];
    const prefix = flags & TYPE_FIRST ? this.typePrefix(mc.type[j]) : "";
    return flags & MSG_ID_LAST ? `${prefix}${part}${MSG_ID_KEY}${mc.msgId[j]}}` : prefix + part;
  }

  /** Where the kept part of message row `m`'s body is: in a string, or as ASCII bytes in an arena chunk. */
  private jsonAt(m: number, mc: MessageChunk, j: number): [string | Uint8Array, number, number] {
    const batch = Math.floor(m / BATCH);
    const start = m % BATCH === 0 ? 0 : j > 0 ? mc.jsonEnd[j - 1] : this.messageChunk(m - 1).jsonEnd[this.chunkRows - 1];
    const end = mc.jsonEnd[j];
    if (batch - this.batchBase >= this.batches.length) return [this.pending[m % BATCH], 0, end - start];
    const at = this.batches[batch - this.batchBase];
    if (typeof at === "string") return [at, start, end];
    const offset = at % ARENA_BYTES;
    return [this.arena[Math.floor(at / ARENA_BYTES) - this.arenaBase], offset + start, offset + end];
  }
}

/** Row kinds `TraceStore.arrive` takes. */
export const DELIVER_KIND = DELIVER;
export const DROP_KIND = DROP;
export const DUPLICATE_KIND = DUPLICATE;
