// One partition of a Kafka-like log (Kreps, Narkhede & Rao 2011, "Kafka: a distributed messaging
// system for log processing", §3.1): an append-only sequence of records, each named by its offset,
// kept in segments; retention deletes whole old segments, compaction keeps the latest record per
// key (offsets stay as they were, so a compacted log has gaps). Pure: no node, no clock — the
// caller passes the virtual time in.

/** One record of a partition. `offset` is its position, fixed for ever once appended. */
export interface LogRecord<V = unknown> {
  offset: number;
  key: string;
  value: V;
  /** Virtual time of the append (what age-based retention compares). */
  timestampMs: number;
  /** The idempotent producer that wrote it, if any (lets a follower rebuild the duplicate filter). */
  producerId?: string;
  /** That producer's sequence number for this partition. */
  seq?: number;
}

/** What a segment holds: records with offsets ≥ `baseOffset`, in order (after compaction, with gaps). */
export interface LogSegment<V = unknown> {
  baseOffset: number;
  records: LogRecord<V>[];
}

/** Options of a {@link PartitionLog}. */
export interface PartitionLogOptions {
  /** Records per segment before a new one is rolled. Default 100. */
  segmentRecords?: number;
  /** Retention by size: keep at least this many records' worth of segments, delete older whole segments. */
  retentionRecords?: number;
  /** Retention by age: delete a whole segment once its newest record is older than this (virtual ms). */
  retentionMs?: number;
  /** Offset of the first record (a log restored from disk may start later). Default 0. */
  startOffset?: number;
  /**
   * Who moves the high watermark: `"append"` (default) — every appended record is at once
   * readable, as on a single broker; `"manual"` — the owner calls {@link PartitionLog.advanceHighWatermark}
   * (a replicated leader does, once the in-sync replicas have the records).
   */
  highWatermark?: "append" | "manual";
  /** Told of every append and every record removed (by retention, compaction or truncation): how a broker keeps a copy on disk. */
  observer?: PartitionLogObserver;
  /** Used in error texts, e.g. `"orders-0 on b1"`. */
  name?: string;
}

/** Callbacks of a {@link PartitionLog}'s owner. */
export interface PartitionLogObserver {
  appended?(record: LogRecord<any>): void;
  removed?(offsets: number[]): void;
}

/**
 * Thrown by {@link PartitionLog.read} for an offset the log cannot serve: below the log start
 * offset (deleted by retention) or past the log end. Kafka's OFFSET_OUT_OF_RANGE.
 *
 * @example
 * try { log.read(0, 10); } catch (e) { if (e instanceof OffsetOutOfRangeError) from = e.logStartOffset; }
 */
export class OffsetOutOfRangeError extends Error {
  constructor(
    readonly offset: number,
    readonly logStartOffset: number,
    readonly logEndOffset: number,
    name: string,
  ) {
    super(
      `offset out of range: ${name} holds offsets ${logStartOffset}..${logEndOffset - 1} ` +
        `(log start offset ${logStartOffset}, log end offset ${logEndOffset}), asked for ${offset}` +
        (offset < logStartOffset ? " — deleted by retention; start again from the log start offset" : ""),
    );
    this.name = "OffsetOutOfRangeError";
  }
}

/**
 * One partition of an append-only log. Offsets grow by one per append and never change;
 * retention removes whole old segments (the log start offset moves up), compaction removes
 * records shadowed by a later record with the same key (offsets keep their gaps).
 *
 * @example
 * const log = new PartitionLog({ segmentRecords: 2, retentionRecords: 2 });
 * log.append("a", 1, 0);                 // 0
 * log.append("b", 2, 5);                 // 1
 * log.append("a", 3, 9);                 // 2
 * log.read(1, 10).map((r) => r.value);   // [2, 3]
 * log.applyRetention(10);                // deletes segment [0, 1]: start offset 2
 * log.read(0, 1);                        // throws OffsetOutOfRangeError
 */
export class PartitionLog<V = unknown> {
  private readonly segmentRecords: number;
  private readonly segments: LogSegment<V>[] = [];
  private nextOffset: number;
  private hw: number;
  private startOffset: number;
  private readonly options: PartitionLogOptions;
  private readonly label: string;

  constructor(options: PartitionLogOptions = {}) {
    this.options = options;
    this.label = options.name ?? "partition";
    this.segmentRecords = options.segmentRecords ?? 100;
    if (!(Number.isInteger(this.segmentRecords) && this.segmentRecords >= 1)) {
      throw new RangeError(`PartitionLog ${this.label}: segmentRecords must be a whole number ≥ 1, got ${options.segmentRecords}`);
    }
    if (options.retentionRecords !== undefined && !(options.retentionRecords >= 0)) {
      throw new RangeError(`PartitionLog ${this.label}: retentionRecords must be ≥ 0, got ${options.retentionRecords}`);
    }
    if (options.retentionMs !== undefined && !(options.retentionMs >= 0)) {
      throw new RangeError(`PartitionLog ${this.label}: retentionMs must be ≥ 0, got ${options.retentionMs}`);
    }
    this.startOffset = options.startOffset ?? 0;
    this.nextOffset = this.startOffset;
    this.hw = this.startOffset;
  }

  /** The first offset still held (moves up when retention deletes segments). @example log.logStartOffset */
  get logStartOffset(): number {
    return this.startOffset;
  }

  /** The offset the next append will get (one past the last record). @example log.logEndOffset */
  get logEndOffset(): number {
    return this.nextOffset;
  }

  /** Records below this offset are committed: consumers may read them. @example log.highWatermark */
  get highWatermark(): number {
    return this.hw;
  }

  /** Number of records held (after retention and compaction). @example log.size */
  get size(): number {
    let n = 0;
    for (const s of this.segments) n += s.records.length;
    return n;
  }

  /** The segments, oldest first (read-only view for tables and tests). @example log.segmentList().length */
  segmentList(): readonly LogSegment<V>[] {
    return this.segments;
  }

  /**
   * Append one record; returns its offset.
   *
   * @example
   * const offset = log.append("user-7", { page: "/" }, node.now());
   */
  append(key: string, value: V, timestampMs = 0, producer?: { producerId: string; seq: number }): number {
    return this.appendRecord({ offset: this.nextOffset, key, value, timestampMs, ...(producer ?? {}) });
  }

  /**
   * Append a record with its offset already chosen (a follower copying its leader). The offset must
   * be ≥ the log end offset (a compacted leader may skip offsets).
   *
   * @example
   * follower.appendRecord({ offset: 7, key: "k", value: 1, timestampMs: 30 });
   */
  appendRecord(record: LogRecord<V>): number {
    if (typeof record.key !== "string") throw new TypeError(`PartitionLog ${this.label}: key must be a string, got ${typeof record.key}`);
    if (!(Number.isInteger(record.offset) && record.offset >= this.nextOffset)) {
      throw new RangeError(`PartitionLog ${this.label}: appended offset ${record.offset} is below the log end offset ${this.nextOffset}`);
    }
    let last = this.segments[this.segments.length - 1];
    if (last === undefined || last.records.length >= this.segmentRecords) {
      last = { baseOffset: record.offset, records: [] };
      this.segments.push(last);
    }
    const copy = { ...record };
    last.records.push(copy);
    this.nextOffset = record.offset + 1;
    if ((this.options.highWatermark ?? "append") === "append") this.hw = this.nextOffset;
    this.options.observer?.appended?.(copy);
    return record.offset;
  }

  /**
   * Up to `maxRecords` records from `fromOffset` on, below `upTo` (default: the high watermark).
   * Reading at the end returns `[]`; below the log start offset or past the end throws
   * {@link OffsetOutOfRangeError}. A compacted log skips the missing offsets.
   *
   * @example
   * const batch = log.read(committed, 100);
   * const next = batch.length ? batch[batch.length - 1].offset + 1 : committed;
   */
  read(fromOffset: number, maxRecords: number, upTo: number = this.hw): LogRecord<V>[] {
    if (!Number.isInteger(fromOffset) || fromOffset < this.startOffset || fromOffset > this.nextOffset) {
      throw new OffsetOutOfRangeError(fromOffset, this.startOffset, this.nextOffset, this.label);
    }
    const out: LogRecord<V>[] = [];
    // binary search for the first segment that may hold fromOffset
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.segments[mid].baseOffset <= fromOffset) lo = mid;
      else hi = mid - 1;
    }
    for (let s = lo; s < this.segments.length && out.length < maxRecords; s++) {
      const recs = this.segments[s].records;
      let i = 0;
      if (s === lo) {
        let a = 0;
        let b = recs.length;
        while (a < b) {
          const m = (a + b) >> 1;
          if (recs[m].offset < fromOffset) a = m + 1;
          else b = m;
        }
        i = a;
      }
      for (; i < recs.length && out.length < maxRecords; i++) {
        if (recs[i].offset >= upTo) return out;
        out.push(recs[i]);
      }
    }
    return out;
  }

  /**
   * Move the high watermark up to `offset` (never down, never past the log end). Only for a log
   * made with `highWatermark: "manual"`.
   *
   * @example
   * leaderLog.advanceHighWatermark(Math.min(...isrLogEndOffsets));
   */
  advanceHighWatermark(offset: number): void {
    this.hw = Math.max(this.hw, Math.min(offset, this.nextOffset));
  }

  /**
   * Delete old whole segments (never the active, newest one): while the records left would still
   * be ≥ `retentionRecords`, and every segment whose newest record is older than `retentionMs` at
   * `nowMs`. Returns the offsets deleted. The log start offset moves to the first offset kept.
   *
   * @example
   * log.applyRetention(node.now()); // [0, 1, …, 99] once the first segment has aged out
   */
  applyRetention(nowMs: number): number[] {
    const removed: number[] = [];
    let total = this.size;
    while (this.segments.length > 1) {
      const oldest = this.segments[0];
      const n = oldest.records.length;
      const newest = oldest.records[n - 1];
      const bySize = this.options.retentionRecords !== undefined && total - n >= this.options.retentionRecords;
      const byAge = this.options.retentionMs !== undefined && (newest === undefined || nowMs - newest.timestampMs > this.options.retentionMs);
      if (!bySize && !byAge) break;
      this.segments.shift();
      for (const r of oldest.records) removed.push(r.offset);
      total -= n;
    }
    if (removed.length > 0) {
      this.startOffset = this.segments[0].records[0]?.offset ?? this.segments[0].baseOffset;
      this.options.observer?.removed?.(removed);
    }
    return removed;
  }

  /**
   * Log compaction: in every segment but the active one, drop each record whose key has a later
   * record anywhere in the log. Offsets are preserved (the log has gaps); the newest value of every
   * key survives. Returns the offsets removed.
   *
   * @example
   * // a:1 b:2 a:3 → after compaction b:2 (offset 1) and a:3 (offset 2) remain
   * log.compact();
   */
  compact(): number[] {
    if (this.segments.length < 2) return [];
    const latest = new Map<string, number>();
    for (const s of this.segments) for (const r of s.records) latest.set(r.key, r.offset);
    const removed: number[] = [];
    for (let i = 0; i < this.segments.length - 1; i++) {
      const seg = this.segments[i];
      const kept = seg.records.filter((r) => {
        if (latest.get(r.key) === r.offset) return true;
        removed.push(r.offset);
        return false;
      });
      seg.records = kept;
    }
    // drop emptied segments (but keep the start offset where it was: offsets below stay "compacted away", not out of range)
    for (let i = this.segments.length - 2; i >= 0; i--) if (this.segments[i].records.length === 0) this.segments.splice(i, 1);
    if (removed.length > 0) this.options.observer?.removed?.(removed);
    return removed;
  }

  /**
   * Remove every record at `offset` or above (a follower discarding records its new leader does not
   * have). The high watermark is lowered with it if needed.
   *
   * @example
   * follower.truncateTo(follower.highWatermark);
   */
  truncateTo(offset: number): number[] {
    const removed: number[] = [];
    if (offset >= this.nextOffset) return removed;
    const cut = Math.max(offset, this.startOffset);
    while (this.segments.length > 0) {
      const last = this.segments[this.segments.length - 1];
      while (last.records.length > 0 && last.records[last.records.length - 1].offset >= cut) removed.push(last.records.pop()!.offset);
      if (last.records.length === 0 && last.baseOffset >= cut) this.segments.pop();
      else break;
    }
    this.nextOffset = cut;
    this.hw = Math.min(this.hw, cut);
    if (removed.length > 0) this.options.observer?.removed?.(removed);
    return removed;
  }
}
