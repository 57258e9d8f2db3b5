// The history materializer: reads every partition of the rooms log and folds the records into
// room histories with `applyMessage`, which drops a message id it already holds — the end of the
// end-to-end deduplication (a client retry that reached two front-ends is two log records).
// Its state is soft: kept in memory with the next offset of each partition, so after a crash it
// replays the log from offset 0 and rebuilds the same histories. With a history store it is the
// store's single writer: each room whose history changed is written (the whole history, W of N);
// the first write of a room after a restart merges what the store holds, so a replay that has not
// caught up yet never writes a shorter history over a longer one (rewriting is idempotent).
import type { Node } from "../node/index";
import { logConsumer, type LogConsumer } from "../log/index";
import { quorumStoreClient, type QuorumStoreClient } from "../replication/index";
import { applyMessage, type ApplyOutcome, type RoomHistories } from "./rooms";
import { decodeHistory, encodeHistory, historyKey, mergeHistories } from "./store";
import type { HistoryStoreOptions } from "./frontend";

/** Options of {@link historyMaterializer}. */
export interface HistoryMaterializerOptions {
  /** The log brokers, leader first. */
  brokers: string[];
  /** Default "rooms". */
  topic?: string;
  /** The topic's partitions: all of them are read (manual assignment, no group). */
  partitions: number;
  /** Drop a record whose message id the room already holds. Default true (false: the first design). */
  dedupById?: boolean;
  /** Write every changed room's history to this quorum store. Default: keep them in memory only. */
  store?: HistoryStoreOptions;
  /** Wait before writing a room again after a failed write. Default 20. */
  retryMs?: number;
  /** Consumer poll interval when the log had nothing new. Default 5. */
  pollIntervalMs?: number;
}

/** A running materializer. */
export interface HistoryMaterializer {
  /** The room histories built so far by this incarnation. */
  rooms(): RoomHistories;
  /** How many records ended each way. */
  readonly outcomes: Record<ApplyOutcome, number>;
  readonly consumer: LogConsumer;
  /** True once the record at `offset` of `partition` has been folded in. */
  caughtUp(partition: number, offset: number): boolean;
  /** The history store's client (with `store`). */
  readonly store: QuorumStoreClient | undefined;
  /** Store writes: done and failed (retried). */
  readonly writes: { ok: number; failed: number };
  /** Rooms whose newest history is not yet in the store (waiting or being written). */
  pending(): string[];
}

/**
 * Fold the rooms log into room histories on `node`. Each record is `key = room`,
 * `value = { id, user, text }`, and its offset becomes the message's `seq`.
 *
 * @example
 * let history!: HistoryMaterializer;
 * sim.spawn("m1", (node) => void (history = historyMaterializer(node, { brokers: ["b1"], partitions: 4 })));
 * await sim.runFor(1000);
 * checkRoomHistories(history.rooms(), acked); // [] when every acked post is there once, in order
 */
export function historyMaterializer(node: Node, options: HistoryMaterializerOptions): HistoryMaterializer {
  if (!Number.isInteger(options.partitions) || options.partitions < 1) throw new Error(`historyMaterializer on ${node.id}: options.partitions must be an integer ≥ 1, got ${String(options.partitions)}`);
  const dedup = options.dedupById ?? true;
  let rooms: RoomHistories = {};
  const nextOffset = new Map<number, number>();
  const outcomes: Record<ApplyOutcome, number> = { appended: 0, duplicate: 0, stale: 0 };
  const s = options.store;
  const store =
    s === undefined
      ? undefined
      : quorumStoreClient(node, { replicas: s.replicas, n: s.n ?? Math.min(3, s.replicas.length), r: s.r ?? 2, w: s.w ?? 2, timeoutMs: s.timeoutMs ?? 60, readRepair: false, mode: "consistent" });
  const writes = { ok: 0, failed: 0 };
  const dirty = new Set<string>();
  const writing = new Set<string>();
  const merged = new Set<string>(); // rooms whose stored history this incarnation has merged in
  let flushing = false;

  async function writeRoom(room: string): Promise<void> {
    try {
      if (!merged.has(room)) {
        const stored = decodeHistory(await store!.get(historyKey(room)));
        rooms = { ...rooms, [room]: mergeHistories(stored, rooms[room] ?? [], dedup) };
        merged.add(room);
      }
      await store!.put(historyKey(room), encodeHistory(rooms[room] ?? []));
      writes.ok++;
    } catch {
      writes.failed++;
      dirty.add(room);
    }
  }

  async function flush(): Promise<void> {
    if (flushing) return;
    flushing = true;
    while (dirty.size > 0) {
      const batch = [...dirty].sort();
      dirty.clear();
      for (const room of batch) writing.add(room);
      const before = writes.failed;
      await Promise.all(batch.map(writeRoom));
      writing.clear();
      if (writes.failed > before) await node.sleep(options.retryMs ?? 20);
    }
    flushing = false;
  }
  const consumer = logConsumer<{ id: string; user: string; text: string }>(node, {
    broker: options.brokers,
    topic: options.topic ?? "rooms",
    group: `history-${node.id}`,
    partitions: Array.from({ length: options.partitions }, (_, p) => p),
    commit: "with-effects",
    processMs: 0,
    pollMaxRecords: 100,
    pollIntervalMs: options.pollIntervalMs ?? 5,
    loadOffset: (partition) => nextOffset.get(partition) ?? 0,
    process: (record) => {
      const message = { seq: record.offset, id: record.value.id, user: record.value.user, text: record.value.text };
      const result = dedup ? applyMessage(rooms, record.key, message) : appendAlways(rooms, record.key, message);
      rooms = result.rooms;
      outcomes[result.outcome]++;
      nextOffset.set(record.partition, record.offset + 1);
      if (store !== undefined && result.outcome === "appended") {
        dirty.add(record.key);
        void flush();
      }
    },
  });
  return {
    rooms: () => rooms,
    outcomes,
    consumer,
    caughtUp: (partition, offset) => (nextOffset.get(partition) ?? 0) > offset,
    store,
    writes,
    pending: () => [...new Set([...dirty, ...writing])].sort(),
  };
}

/** The first design's fold: every record is a new message (a retried post shows twice). */
function appendAlways(rooms: RoomHistories, room: string, message: { seq: number; id: string; user: string; text: string }): { rooms: RoomHistories; outcome: ApplyOutcome } {
  const history = rooms[room] ?? [];
  if (history.length > 0 && history[history.length - 1].seq >= message.seq) return { rooms, outcome: "stale" };
  return { rooms: { ...rooms, [room]: [...history, message] }, outcome: "appended" };
}
