// A consumer of the log, alone or in a consumer group (Kafka's consumer, simplified): it joins the
// group at the broker's coordinator, polls its partitions, hands each record to `process`, and
// commits its position — before processing (at most once), after (at least once), or together with
// the effect in its own store (exactly once, when offsets live beside the effects). With
// `idempotentBy` it remembers processed event ids in node.storage and skips a redelivered event
// (the idempotent consumer): exactly-once effects over an at-least-once log.
import type { Node } from "../node/index";
import { brokerClient } from "./client";
import { LOG_ERRORS, type FetchCommittedOk, type FetchOk, type FetchedRecord, type HeartbeatOk, type JoinGroupOk, type LogErrorBody } from "./wire";

/** A record handed to the processing function, with its partition. */
export interface ConsumedRecord<V = any> extends FetchedRecord<V> {
  partition: number;
  topic: string;
}

/**
 * When the consumer commits its position, i.e. the delivery guarantee:
 * - `"before-processing"`: commit, then process the batch — at most once (a crash loses the rest of the batch);
 * - `"after-processing"`: process, then commit — at least once (a crash repeats the batch);
 * - `"with-effects"`: the processing function stores `record.offset + 1` with its effect, atomically
 *   (offsets kept outside the broker); on assignment the consumer starts from `loadOffset`.
 */
export type OffsetCommitMode = "before-processing" | "after-processing" | "with-effects";

/** Options of {@link logConsumer}. Times are virtual ms. */
export interface LogConsumerOptions<V = any> {
  /** The broker(s) to try, in order. */
  broker: string | string[];
  topic: string;
  group: string;
  /** Applies one record's effect. Synchronous effects are atomic with a crash (nothing runs in between). */
  process: (record: ConsumedRecord<V>, node: Node) => unknown;
  /** Default "after-processing". */
  commit?: OffsetCommitMode;
  /** For `commit: "with-effects"`: where the processing function stored the next offset of a partition. */
  loadOffset?: (partition: number) => number | undefined;
  /** Idempotent processing: the id of a record's event; a record whose id was processed is skipped (ids kept in node.storage). */
  idempotentBy?: (record: ConsumedRecord<V>) => string;
  /** Manual assignment: these partitions, no group coordinator. Default: join the group. */
  partitions?: number[];
  /** This member's id. Default: the node id. */
  member?: string;
  /** Default 10. */
  pollMaxRecords?: number;
  /** Wait between polls that found nothing. Default 10. */
  pollIntervalMs?: number;
  /** Processing time per record (virtual ms; a crash can land in it). Default 1. */
  processMs?: number;
  /** Default 30. */
  heartbeatIntervalMs?: number;
  /** One rpc attempt. Default 50. */
  timeoutMs?: number;
}

/** A running consumer (this incarnation). */
export interface LogConsumer {
  /** Partitions owned now (empty while rebalancing). */
  assigned(): number[];
  /** The group generation of the current assignment (-1 before the first). */
  generation(): number;
  /** Records this incarnation handed to `process` (skipped duplicates not counted). */
  processed(): number;
  /** Next offset to fetch, per owned partition. */
  positions(): Record<number, number>;
  /** Leave the group and stop polling. */
  stop(): Promise<void>;
}

/**
 * A consumer on `node`. The loop runs until `stop()` or a crash; after a restart, run it again
 * (the behaviour does): it joins the group anew and starts from the committed offsets.
 *
 * @example
 * sim.spawn("c1", (node) => {
 *   logConsumer(node, {
 *     broker: "b1", topic: "orders", group: "billing", commit: "after-processing",
 *     process: (r) => node.storage.set(`seen/${r.value.id}`, true),
 *   });
 * });
 */
export function logConsumer<V = any>(node: Node, options: LogConsumerOptions<V>): LogConsumer {
  const brokers = Array.isArray(options.broker) ? [...options.broker] : [options.broker];
  const where = () => `(consumer ${node.id}, t=${node.now()}ms)`;
  if (brokers.length === 0) throw new Error(`logConsumer ${where()}: broker must be a node id or a list of them`);
  if (typeof options.topic !== "string" || typeof options.group !== "string") {
    throw new Error(`logConsumer ${where()}: topic and group must be strings, got ${JSON.stringify(options.topic)} and ${JSON.stringify(options.group)}`);
  }
  if (typeof options.process !== "function") throw new Error(`logConsumer ${where()}: process must be a function (record, node) => …`);
  const mode = options.commit ?? "after-processing";
  if (!["before-processing", "after-processing", "with-effects"].includes(mode)) {
    throw new Error(`logConsumer ${where()}: commit must be "before-processing", "after-processing" or "with-effects", got ${JSON.stringify(mode)}`);
  }
  if (mode === "with-effects" && typeof options.loadOffset !== "function") {
    throw new Error(`logConsumer ${where()}: commit "with-effects" needs loadOffset(partition) (where process stored the next offset)`);
  }
  const member = options.member ?? node.id;
  const manual = options.partitions !== undefined;
  const pollMaxRecords = options.pollMaxRecords ?? 10;
  const pollIntervalMs = options.pollIntervalMs ?? 10;
  const processMs = options.processMs ?? 1;
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 30;
  const timeoutMs = options.timeoutMs ?? 50;
  const client = brokerClient(node, brokers, { timeoutMs });
  const seenKey = (id: string) => `logConsumer/seen/${options.group}/${id}`;

  let generation = -1;
  let assigned: number[] = manual ? [...options.partitions!] : [];
  let rebalance = !manual;
  let stopped = false;
  let processed = 0;
  const positions = new Map<number, number>();

  const fail = (reply: { text: string }): never => {
    throw new Error(`logConsumer ${where()}: ${reply.text}`);
  };

  async function join(): Promise<void> {
    assigned = [];
    positions.clear();
    node.setState("joining", `group ${options.group}`);
    while (!stopped) {
      const reply = await client.call({ type: "join_group", group: options.group, topic: options.topic, member, generation });
      if (reply?.type === "error") fail(reply);
      if (reply?.type === "join_group_ok" && (reply as JoinGroupOk).state === "stable") {
        const ok = reply as JoinGroupOk;
        generation = ok.generation;
        assigned = [...ok.partitions];
        rebalance = false;
        node.setState("consuming", `generation ${generation}: partitions ${assigned.join(", ") || "none"}`);
        return;
      }
      await node.sleep(heartbeatIntervalMs);
    }
  }

  async function startingOffset(partition: number): Promise<number | undefined> {
    if (mode === "with-effects") {
      const stored = options.loadOffset!(partition);
      if (stored !== undefined) return stored;
    }
    const reply = await client.call({ type: "fetch_committed", group: options.group, topic: options.topic, partition });
    if (reply?.type === "error") fail(reply);
    return reply?.type === "fetch_committed_ok" ? (reply as FetchCommittedOk).offset : undefined;
  }

  async function commit(partition: number, offset: number): Promise<boolean> {
    const reply = await client.call({
      type: "commit_offset", group: options.group, topic: options.topic, partition, offset,
      ...(manual ? {} : { member, generation }),
    });
    if (reply?.type === "commit_offset_ok") return true;
    if (reply?.type === "error") {
      const code = (reply as LogErrorBody).code;
      if (code === LOG_ERRORS.illegalGeneration || code === LOG_ERRORS.unknownMember) rebalance = true;
      else fail(reply as LogErrorBody);
    }
    return false;
  }

  /** One poll of one partition; true if it found records. */
  async function pollOnce(partition: number): Promise<boolean> {
    let position = positions.get(partition);
    if (position === undefined) {
      position = await startingOffset(partition);
      if (position === undefined || rebalance || !assigned.includes(partition)) return false;
      positions.set(partition, position);
    }
    const reply = await client.call({ type: "fetch", topic: options.topic, partition, offset: position, maxRecords: pollMaxRecords });
    if (reply === undefined || rebalance || stopped || !assigned.includes(partition)) return false;
    if (reply.type === "error") {
      const err = reply as LogErrorBody;
      if (err.code === LOG_ERRORS.offsetOutOfRange && err.logStartOffset !== undefined) {
        node.log(`offset ${position} of ${options.topic}-${partition} is gone (retention); starting again at ${err.logStartOffset}`);
        positions.set(partition, position < err.logStartOffset ? err.logStartOffset : (err.logEndOffset ?? err.logStartOffset));
        return false;
      }
      fail(err);
    }
    const records = (reply as FetchOk).records;
    if (records.length === 0) return false;
    const next = records[records.length - 1].offset + 1;
    if (mode === "before-processing" && !(await commit(partition, next))) return false;
    for (const r of records) {
      if (stopped || rebalance) break;
      const record = { ...r, partition, topic: options.topic } as ConsumedRecord<V>;
      const id = options.idempotentBy?.(record);
      if (id === undefined || !node.storage.has(seenKey(id))) {
        // the effect and the note that it was applied happen in one step: no crash can fall between
        options.process(record, node);
        if (id !== undefined) node.storage.set(seenKey(id), r.offset);
        processed++;
      }
      positions.set(partition, r.offset + 1);
      if (processMs > 0) await node.sleep(processMs);
    }
    if (mode === "after-processing") await commit(partition, positions.get(partition)!);
    return true;
  }

  async function loop(): Promise<void> {
    while (!stopped) {
      if (rebalance) {
        await join();
        continue;
      }
      let found = false;
      for (const partition of [...assigned]) {
        if (stopped || rebalance) break;
        if (await pollOnce(partition)) found = true;
      }
      if (!found && !stopped && !rebalance) await node.sleep(pollIntervalMs);
    }
  }

  if (!manual) {
    node.setPeriodic(heartbeatIntervalMs, async () => {
      if (stopped || rebalance || generation < 0) return;
      const reply = await client.call({ type: "heartbeat", group: options.group, member, generation });
      if (reply?.type === "heartbeat_ok" && (reply as HeartbeatOk).rebalance) rebalance = true;
      else if (reply?.type === "error") rebalance = true; // expired: join again
    }, "heartbeat");
  }
  const running = loop();
  void running.catch(() => undefined);
  // errors in the loop are the node's errors (clear texts above): rethrow where the simulator sees them
  void running.then(undefined, (e) => node.setTimer(0, () => { throw e; }, "consumer error"));

  return {
    assigned: () => (rebalance ? [] : [...assigned]),
    generation: () => generation,
    processed: () => processed,
    positions: () => Object.fromEntries(positions),
    async stop() {
      stopped = true;
      if (!manual) await client.call({ type: "leave_group", group: options.group, member });
      node.setState("stopped");
    },
  };
}
