// A Kafka-like broker (Kreps, Narkhede & Rao 2011; replication as in Kafka's design docs): it hosts
// the partitions of some topics as PartitionLogs kept on the node's disk, answers the broker wire
// (lib/log/wire.ts), stores the consumer groups' committed offsets, coordinates groups, and
// replicates: followers fetch from the leader, the leader advances the high watermark to the
// smallest log end offset of its in-sync replicas and answers `acks: "all"` produces only then.
//
// Simplified against Kafka: one leader for every partition of the cluster (not one per partition);
// no controller or ZooKeeper — a follower that hears nothing from the leader for leaderTimeoutMs
// moves on to the next broker of `replicas` in order, and that broker promotes itself with a higher
// leader epoch and tells the others; a broker that restarts asks its peers who leads before it
// serves. A follower that adopts a new leader truncates its log to its high watermark (Kafka before
// KIP-101). Unclean situations (a network partition that leaves two brokers thinking they lead for
// a while) are possible, as with `unclean.leader.election`.
import type { Message, Node } from "../node/index";
import { GroupCoordinator } from "./coordinator";
import type { AssignmentStrategy } from "./assignment";
import { fnv1a32 } from "../partitioning/hash";
import { OffsetOutOfRangeError, PartitionLog, type LogRecord } from "./partition-log";
import {
  LOG_ERRORS,
  type CommitOffsetRequest,
  type FetchCommittedRequest,
  type FetchRequest,
  type HeartbeatRequest,
  type JoinGroupRequest,
  type LeaderChange,
  type LeaveGroupRequest,
  type LogErrorBody,
  type MetadataOk,
  type MetadataRequest,
  type ProduceRequest,
  type ReplicaFetchOk,
  type ReplicaFetchRequest,
} from "./wire";

/** A topic and its number of partitions. */
export interface TopicSpec {
  name: string;
  partitions: number;
}

/** Options of {@link logBroker}. Times are virtual ms. */
export interface LogBrokerOptions {
  topics: TopicSpec[];
  /** Every broker of the cluster (this one included); the first leads at start. Default: this node alone. */
  replicas?: string[];
  /** Records per segment. Default 100. */
  segmentRecords?: number;
  /** Retention by size (records per partition); default: none. */
  retentionRecords?: number;
  /** Retention by age; default: none. */
  retentionMs?: number;
  /** How often retention (and compaction) runs. Default 100. */
  retentionCheckMs?: number;
  /** Topics whose partitions are compacted (keep the newest record per key). Default none. */
  compactedTopics?: string[];
  /** How often a follower fetches from the leader. Default 5. */
  replicaFetchMs?: number;
  /** A follower that has not fetched for this long leaves the in-sync replicas. Default 100. */
  replicaLagMs?: number;
  /** A follower that has heard nothing from the leader for this long fails over. Default 60. */
  leaderTimeoutMs?: number;
  /** The group coordinator drops a member silent for this long. Default 300. */
  sessionTimeoutMs?: number;
  /** How the coordinator assigns partitions. Default "range". */
  assignment?: AssignmentStrategy;
  /** Most records one fetch returns, whatever it asks. Default 500. */
  fetchRecordsMax?: number;
}

/** What the test or notebook sees of a running broker (this incarnation). */
export interface LogBrokerHandle {
  /** The partition's log on this broker. */
  log(topic: string, partition: number): PartitionLog<any>;
  /** The leader this broker believes in (undefined while it does not know). */
  leader(): string | undefined;
  isLeader(): boolean;
  leaderEpoch(): number;
  /** The leader's in-sync replicas of a partition (this broker and the followers fetching in time). */
  inSyncReplicas(topic: string, partition: number): string[];
  /** A group's committed offset (next to read) on this broker, 0 if none. */
  committed(group: string, topic: string, partition: number): number;
  /** A consumer group as the coordinator sees it. */
  group(group: string): LogGroupView | undefined;
}

/** A consumer group at the coordinator. */
export interface LogGroupView {
  topic: string;
  generation: number;
  state: "stable" | "rebalancing";
  members: string[];
  assignment: Record<string, number[]>;
}

interface ProducerState {
  lastSeq: number;
  /** Offsets of the last few sequence numbers (Kafka keeps five batches). */
  offsets: Map<number, number>;
}

interface PartitionState {
  topic: string;
  partition: number;
  log: PartitionLog<any>;
  producers: Map<string, ProducerState>;
  /** At the leader: what each follower has (its fetch offset) and when it last fetched. */
  followers: Map<string, { logEndOffset: number; lastFetchMs: number }>;
  /** `acks: "all"` produces waiting for the high watermark to pass their offset. */
  waiting: Array<{ offset: number; request: Message; duplicate: boolean }>;
  commits: Map<string, number>;
  fetching: boolean;
}

const PRODUCER_SEQS_KEPT = 5;

/**
 * A broker of the log. Spawn one per broker node; with `replicas` several form a replicated
 * cluster whose first member leads. Everything a broker must keep (records, committed offsets, its
 * leader epoch, group generations) is on `node.storage`, so a restart keeps the log.
 *
 * @example
 * const topics = [{ name: "orders", partitions: 2 }];
 * sim.spawnMany(["b1", "b2", "b3"], (node) => logBroker(node, { topics, replicas: ["b1", "b2", "b3"] }));
 * // a client: await node.rpc("b1", { type: "produce", topic: "orders", key: "u7", value: 5 })
 * //           → { type: "produce_ok", partition: 1, offset: 0 }
 */
export function logBroker(node: Node, options: LogBrokerOptions): LogBrokerHandle {
  const replicas = options.replicas ?? [node.id];
  const where = () => `(broker ${node.id}, t=${node.now()}ms)`;
  if (!Array.isArray(options.topics) || options.topics.length === 0) throw new Error(`logBroker ${where()}: options.topics must list at least one { name, partitions }`);
  if (!replicas.includes(node.id)) throw new Error(`logBroker ${where()}: replicas ${JSON.stringify(replicas)} must include this broker`);
  const replicated = replicas.length > 1;
  const replicaFetchMs = options.replicaFetchMs ?? 5;
  const replicaLagMs = options.replicaLagMs ?? 100;
  const leaderTimeoutMs = options.leaderTimeoutMs ?? 60;
  const fetchRecordsMax = options.fetchRecordsMax ?? 500;
  const compacted = new Set(options.compactedTopics ?? []);
  const topics = new Map<string, number>();
  for (const t of options.topics) {
    if (typeof t.name !== "string" || !(Number.isInteger(t.partitions) && t.partitions >= 1)) {
      throw new Error(`logBroker ${where()}: bad topic ${JSON.stringify(t)} (want { name: string, partitions: whole number ≥ 1 })`);
    }
    topics.set(t.name, t.partitions);
  }
  const storage = node.storage;

  // ---- partitions, restored from disk -------------------------------------------------------
  const parts = new Map<string, PartitionState>();
  const pkey = (topic: string, partition: number) => `${topic}/${partition}`;
  let restoring = false;
  const allKeys = storage.keys();
  for (const [topic, n] of topics) {
    for (let partition = 0; partition < n; partition++) {
      const id = pkey(topic, partition);
      const recPrefix = `log/rec/${id}/`;
      const state = { topic, partition, producers: new Map(), followers: new Map(), waiting: [], commits: new Map(), fetching: false } as unknown as PartitionState;
      state.log = makeLog(state, storage.get<number>(`log/start/${id}`) ?? 0);
      const log = state.log;
      restoring = true;
      const offsets = allKeys.filter((k) => k.startsWith(recPrefix)).map((k) => Number(k.slice(recPrefix.length))).sort((a, b) => a - b);
      for (const offset of offsets) {
        const [key, value, timestampMs, producerId, seq] = storage.get<[string, any, number, string | null, number | null]>(recPrefix + offset)!;
        log.appendRecord({ offset, key, value, timestampMs, ...(producerId !== null ? { producerId, seq: seq! } : {}) });
      }
      restoring = false;
      if (replicated) log.advanceHighWatermark(storage.get<number>(`log/hw/${id}`) ?? 0);
      const commitPrefix = `log/commit/${id}/`;
      for (const k of allKeys) if (k.startsWith(commitPrefix)) state.commits.set(k.slice(commitPrefix.length), storage.get<number>(k)!);
      rebuildProducers(state);
      parts.set(id, state);
    }
  }

  /** A partition's log, each append and removal mirrored on the disk. */
  function makeLog(state: PartitionState, startOffset: number): PartitionLog<any> {
    const id = pkey(state.topic, state.partition);
    const recPrefix = `log/rec/${id}/`;
    return new PartitionLog<any>({
      name: `${state.topic}-${state.partition} on ${node.id}`,
      segmentRecords: options.segmentRecords,
      retentionRecords: options.retentionRecords,
      retentionMs: options.retentionMs,
      startOffset,
      highWatermark: replicated ? "manual" : "append",
      observer: {
        appended: (r) => {
          if (!restoring) storage.set(recPrefix + r.offset, [r.key, r.value, r.timestampMs, r.producerId ?? null, r.seq ?? null]);
        },
        removed: (offsets) => {
          for (const o of offsets) storage.delete(recPrefix + o);
          storage.set(`log/start/${id}`, state.log.logStartOffset);
        },
      },
    });
  }

  function rebuildProducers(state: PartitionState): void {
    state.producers.clear();
    for (const seg of state.log.segmentList()) for (const r of seg.records) noteProducer(state, r);
  }

  function noteProducer(state: PartitionState, r: LogRecord<any>): void {
    if (r.producerId === undefined || r.seq === undefined) return;
    let p = state.producers.get(r.producerId);
    if (p === undefined) state.producers.set(r.producerId, (p = { lastSeq: r.seq, offsets: new Map() }));
    p.lastSeq = Math.max(p.lastSeq, r.seq);
    p.offsets.set(r.seq, r.offset);
    if (p.offsets.size > PRODUCER_SEQS_KEPT) p.offsets.delete(p.offsets.keys().next().value as number);
  }

  // ---- leadership ---------------------------------------------------------------------------
  const stored = storage.get<{ leader: string | null; epoch: number }>("log/leader");
  let epoch = stored?.epoch ?? 0;
  let leader: string | undefined = replicated && stored !== undefined ? undefined : replicas[0];
  let lastHeardMs = node.now();
  let discovering = false;

  const isLeader = () => leader === node.id;
  const saveLeader = () => storage.set("log/leader", { leader: leader ?? null, epoch });

  function becomeLeader(newEpoch: number): void {
    leader = node.id;
    epoch = newEpoch;
    saveLeader();
    node.setState("leader", `leader epoch ${epoch}`);
    for (const state of parts.values()) {
      state.followers.clear();
      for (const r of replicas) if (r !== node.id) state.followers.set(r, { logEndOffset: state.log.highWatermark, lastFetchMs: node.now() });
      updateHighWatermark(state);
    }
    for (const r of replicas) if (r !== node.id) node.send(r, { type: "leader_change", leader: node.id, leaderEpoch: epoch } satisfies LeaderChange);
  }

  function becomeFollower(newLeader: string | undefined, newEpoch: number): void {
    const wasLeader = isLeader();
    leader = newLeader;
    epoch = newEpoch;
    lastHeardMs = node.now();
    saveLeader();
    node.setState("follower", newLeader === undefined ? "leader unknown" : `follows ${newLeader} (epoch ${epoch})`);
    for (const state of parts.values()) {
      for (const w of state.waiting) node.reply(w.request, notLeaderError());
      state.waiting = [];
      state.followers.clear();
      if (wasLeader || state.log.logEndOffset > state.log.highWatermark) {
        state.log.truncateTo(state.log.highWatermark);
        rebuildProducers(state);
      }
    }
  }

  if (!replicated) node.setState("leader", "single broker");
  else if (leader === node.id) node.setState("leader", `leader epoch ${epoch}`);
  else if (leader !== undefined) node.setState("follower", `follows ${leader}`);
  else node.setState("recovering", "asking peers who leads");

  function updateHighWatermark(state: PartitionState): void {
    if (!isLeader()) return;
    if (replicated) {
      let hw = state.log.logEndOffset;
      for (const [, f] of state.followers) if (node.now() - f.lastFetchMs <= replicaLagMs) hw = Math.min(hw, f.logEndOffset);
      if (hw > state.log.highWatermark) {
        state.log.advanceHighWatermark(hw);
        storage.set(`log/hw/${pkey(state.topic, state.partition)}`, state.log.highWatermark);
      }
    }
    if (state.waiting.length === 0) return;
    const hw = state.log.highWatermark;
    const still: PartitionState["waiting"] = [];
    for (const w of state.waiting) {
      if (w.offset < hw) node.reply(w.request, { type: "produce_ok", partition: state.partition, offset: w.offset, ...(w.duplicate ? { duplicate: true } : {}) });
      else still.push(w);
    }
    state.waiting = still;
  }

  // ---- errors -------------------------------------------------------------------------------
  const error = (code: number, name: string, text: string): LogErrorBody => ({ type: "error", code, text: `${name}: ${text} ${where()}` });
  function notLeaderError(): LogErrorBody {
    const body = error(
      leader === undefined ? LOG_ERRORS.temporarilyUnavailable : LOG_ERRORS.notLeader,
      leader === undefined ? "temporarily_unavailable" : "not_leader",
      leader === undefined ? `${node.id} does not know the leader yet; try again` : `${node.id} does not lead; the leader is ${leader} (epoch ${epoch})`,
    );
    return leader === undefined ? body : { ...body, leader };
  }
  function partitionOf(body: { topic?: unknown; partition?: unknown }, what: string): PartitionState | LogErrorBody {
    const n = typeof body.topic === "string" ? topics.get(body.topic) : undefined;
    if (n === undefined) {
      return error(LOG_ERRORS.unknownTopicOrPartition, "unknown_topic_or_partition", `${what}: unknown topic ${JSON.stringify(body.topic)}; ${node.id} hosts ${[...topics.keys()].map((t) => JSON.stringify(t)).join(", ")}`);
    }
    if (!(Number.isInteger(body.partition) && (body.partition as number) >= 0 && (body.partition as number) < n)) {
      return error(LOG_ERRORS.unknownTopicOrPartition, "unknown_topic_or_partition", `${what}: topic "${body.topic}" has partitions 0..${n - 1}, got ${JSON.stringify(body.partition)}`);
    }
    return parts.get(pkey(body.topic as string, body.partition as number))!;
  }
  const isError = (x: PartitionState | LogErrorBody): x is LogErrorBody => (x as LogErrorBody).type === "error";

  // ---- the wire -----------------------------------------------------------------------------
  node.on("produce", (msg: Message<any>) => {
    const b = msg.body as ProduceRequest;
    if (!isLeader()) return void node.reply(msg, notLeaderError());
    if (typeof b.key !== "string") return void node.reply(msg, error(LOG_ERRORS.malformedRequest, "malformed_request", `produce: key must be a string, got ${typeof b.key}`));
    const n = topics.get(b.topic);
    const partition = b.partition ?? (n === undefined ? 0 : fnv1a32(b.key) % n);
    const state = partitionOf({ topic: b.topic, partition }, "produce");
    if (isError(state)) return void node.reply(msg, state);
    const acksAll = (b.acks ?? "all") === "all";
    const answer = (offset: number, duplicate: boolean) => {
      if (!acksAll || offset < state.log.highWatermark) node.reply(msg, { type: "produce_ok", partition, offset, ...(duplicate ? { duplicate: true } : {}) });
      else state.waiting.push({ offset, request: msg, duplicate });
    };
    let producer: { producerId: string; seq: number } | undefined;
    if (b.producerId !== undefined || b.seq !== undefined) {
      if (typeof b.producerId !== "string" || !Number.isInteger(b.seq)) {
        return void node.reply(msg, error(LOG_ERRORS.malformedRequest, "malformed_request", `produce: producerId (string) and seq (whole number) go together, got ${JSON.stringify(b.producerId)} and ${JSON.stringify(b.seq)}`));
      }
      producer = { producerId: b.producerId, seq: b.seq! };
      const known = state.producers.get(b.producerId);
      if (known !== undefined && b.seq! <= known.lastSeq) {
        const offset = known.offsets.get(b.seq!);
        if (offset !== undefined) return answer(offset, true);
        return void node.reply(msg, error(LOG_ERRORS.outOfOrderSequence, "out_of_order_sequence", `produce: seq ${b.seq} of ${b.producerId} is older than the last ${PRODUCER_SEQS_KEPT} kept (last ${known.lastSeq})`));
      }
      if (known !== undefined && b.seq! > known.lastSeq + 1) {
        return void node.reply(msg, error(LOG_ERRORS.outOfOrderSequence, "out_of_order_sequence", `produce: ${b.producerId} skipped from seq ${known.lastSeq} to ${b.seq}`));
      }
    }
    const offset = state.log.append(b.key, b.value, node.now(), producer);
    const record = state.log.read(offset, 1, Infinity)[0];
    if (record !== undefined) noteProducer(state, record);
    updateHighWatermark(state);
    answer(offset, false);
  });

  node.on("fetch", (msg: Message<any>) => {
    const b = msg.body as FetchRequest;
    if (!isLeader()) return void node.reply(msg, notLeaderError());
    const state = partitionOf(b, "fetch");
    if (isError(state)) return void node.reply(msg, state);
    if (!(Number.isInteger(b.maxRecords) && b.maxRecords >= 1)) {
      return void node.reply(msg, error(LOG_ERRORS.malformedRequest, "malformed_request", `fetch: maxRecords must be a whole number ≥ 1, got ${JSON.stringify(b.maxRecords)}`));
    }
    try {
      const records = state.log.read(b.offset, Math.min(b.maxRecords, fetchRecordsMax)).map((r) => ({ offset: r.offset, key: r.key, value: r.value }));
      node.reply(msg, { type: "fetch_ok", records, highWatermark: state.log.highWatermark, logStartOffset: state.log.logStartOffset });
    } catch (e) {
      if (!(e instanceof OffsetOutOfRangeError)) throw e;
      const body = error(LOG_ERRORS.offsetOutOfRange, "offset_out_of_range", `fetch ${b.topic}-${b.partition}: ${e.message.replace(/^offset out of range: /, "")}`);
      node.reply(msg, { ...body, logStartOffset: e.logStartOffset, logEndOffset: e.logEndOffset });
    }
  });

  node.on("commit_offset", (msg: Message<any>) => {
    const b = msg.body as CommitOffsetRequest;
    if (!isLeader()) return void node.reply(msg, notLeaderError());
    const state = partitionOf(b, "commit_offset");
    if (isError(state)) return void node.reply(msg, state);
    if (typeof b.group !== "string" || !(Number.isInteger(b.offset) && b.offset >= 0)) {
      return void node.reply(msg, error(LOG_ERRORS.malformedRequest, "malformed_request", `commit_offset: want a group name and a whole offset ≥ 0, got ${JSON.stringify(b.group)} and ${JSON.stringify(b.offset)}`));
    }
    const check = coordinator.checkCommit(b.group, b.member, b.generation);
    if (check.kind === "unknown-member") return void node.reply(msg, error(LOG_ERRORS.unknownMember, "unknown_member_id", `commit_offset: ${b.member} is not a member of group ${b.group}; join again`));
    if (check.kind === "illegal-generation") {
      return void node.reply(msg, error(LOG_ERRORS.illegalGeneration, "illegal_generation", `commit_offset: ${b.member} commits for generation ${b.generation} of group ${b.group}, which is now at ${check.generation}`));
    }
    state.commits.set(b.group, b.offset);
    storage.set(`log/commit/${pkey(state.topic, state.partition)}/${b.group}`, b.offset);
    node.reply(msg, { type: "commit_offset_ok" });
  });

  node.on("fetch_committed", (msg: Message<any>) => {
    const b = msg.body as FetchCommittedRequest;
    if (!isLeader()) return void node.reply(msg, notLeaderError());
    const state = partitionOf(b, "fetch_committed");
    if (isError(state)) return void node.reply(msg, state);
    node.reply(msg, { type: "fetch_committed_ok", offset: state.commits.get(b.group) ?? 0 });
  });

  node.on("metadata", (msg: Message<any>) => {
    const b = msg.body as MetadataRequest;
    const list = [...topics].filter(([name]) => b.topic === undefined || b.topic === name).map(([name, partitions]) => ({ name, partitions }));
    if (b.topic !== undefined && list.length === 0) {
      return void node.reply(msg, error(LOG_ERRORS.unknownTopicOrPartition, "unknown_topic_or_partition", `metadata: unknown topic ${JSON.stringify(b.topic)}`));
    }
    node.reply(msg, { type: "metadata_ok", topics: list, ...(leader !== undefined ? { leader } : {}), leaderEpoch: epoch } satisfies MetadataOk);
  });

  // ---- group coordinator --------------------------------------------------------------------
  const coordinator = new GroupCoordinator({
    sessionTimeoutMs: options.sessionTimeoutMs ?? 300,
    assignment: options.assignment ?? "range",
    partitionsOf: (topic) => topics.get(topic) ?? 0,
    generationBase: (group) => storage.get<number>(`log/generation/${group}`) ?? 0,
    onGeneration: (group, generation) => storage.set(`log/generation/${group}`, generation),
  });

  node.on("join_group", (msg: Message<any>) => {
    const b = msg.body as JoinGroupRequest;
    if (!isLeader()) return void node.reply(msg, notLeaderError());
    if (!topics.has(b.topic)) return void node.reply(msg, partitionOf(b as { topic: string }, "join_group") as LogErrorBody);
    if (typeof b.group !== "string" || typeof b.member !== "string") {
      return void node.reply(msg, error(LOG_ERRORS.malformedRequest, "malformed_request", `join_group: want group and member names, got ${JSON.stringify(b.group)} and ${JSON.stringify(b.member)}`));
    }
    const view = coordinator.view(b.group);
    if (view !== undefined && view.topic !== b.topic) {
      return void node.reply(msg, error(LOG_ERRORS.malformedRequest, "malformed_request", `join_group: group ${b.group} consumes topic "${view.topic}", not "${b.topic}" (one topic per group here)`));
    }
    const r = coordinator.join(b.group, b.topic, b.member, b.generation ?? -1, node.now());
    if (r.kind === "joined") node.reply(msg, { type: "join_group_ok", state: r.state, generation: r.generation, partitions: r.partitions, members: r.members });
  });

  node.on("heartbeat", (msg: Message<any>) => {
    const b = msg.body as HeartbeatRequest;
    if (!isLeader()) return void node.reply(msg, notLeaderError());
    const r = coordinator.heartbeat(b.group, b.member, b.generation, node.now());
    if (r.kind === "heartbeat") node.reply(msg, { type: "heartbeat_ok", generation: r.generation, rebalance: r.rebalance });
    else node.reply(msg, error(LOG_ERRORS.unknownMember, "unknown_member_id", `heartbeat: ${b.member} is not a member of group ${b.group} (expired or never joined); join again`));
  });

  node.on("leave_group", (msg: Message<any>) => {
    const b = msg.body as LeaveGroupRequest;
    if (!isLeader()) return void node.reply(msg, notLeaderError());
    coordinator.leave(b.group, b.member, node.now());
    node.reply(msg, { type: "leave_group_ok" });
  });

  // ---- replication --------------------------------------------------------------------------
  node.on("replica_fetch", (msg: Message<any>) => {
    const b = msg.body as ReplicaFetchRequest;
    if (!isLeader()) return void node.reply(msg, notLeaderError());
    const state = partitionOf(b, "replica_fetch");
    if (isError(state)) return void node.reply(msg, state);
    const log = state.log;
    state.followers.set(b.replica, { logEndOffset: Math.min(b.offset, log.logEndOffset), lastFetchMs: node.now() });
    updateHighWatermark(state);
    const from = Math.max(b.offset, log.logStartOffset);
    const records = from > log.logEndOffset ? [] : log.read(from, Math.min(b.maxRecords, fetchRecordsMax), Infinity);
    node.reply(msg, {
      type: "replica_fetch_ok",
      records: records.map((r) => ({ offset: r.offset, key: r.key, value: r.value, timestampMs: r.timestampMs, ...(r.producerId !== undefined ? { producerId: r.producerId, seq: r.seq } : {}) })),
      highWatermark: log.highWatermark,
      logStartOffset: log.logStartOffset,
      logEndOffset: log.logEndOffset,
      leaderEpoch: epoch,
      commits: Object.fromEntries(state.commits),
    } satisfies ReplicaFetchOk);
  });

  node.on("leader_change", (msg: Message<any>) => {
    const b = msg.body as LeaderChange;
    if (b.leaderEpoch > epoch || (b.leaderEpoch === epoch && leader === undefined)) becomeFollower(b.leader, b.leaderEpoch);
  });

  async function fetchFromLeader(state: PartitionState): Promise<void> {
    const from = leader!;
    state.fetching = true;
    let more = false;
    try {
      const { body: reply } = await node.rpc(from, { type: "replica_fetch", topic: state.topic, partition: state.partition, offset: state.log.logEndOffset, maxRecords: fetchRecordsMax, replica: node.id, leaderEpoch: epoch } satisfies ReplicaFetchRequest, { timeoutMs: leaderTimeoutMs });
      if (leader !== from || isLeader()) return;
      if (reply.type === "error") return; // not (yet) the leader: wait for its leader_change, or fail over further
      const r = reply as unknown as ReplicaFetchOk;
      lastHeardMs = node.now();
      if (r.leaderEpoch > epoch) {
        epoch = r.leaderEpoch;
        saveLeader();
      }
      const log = state.log;
      if (r.logEndOffset < log.logEndOffset) {
        log.truncateTo(Math.max(r.logEndOffset, log.logStartOffset));
        rebuildProducers(state);
      }
      if (log.logEndOffset < r.logStartOffset) {
        // everything this follower has was deleted at the leader: start over at the leader's start
        log.truncateTo(log.logStartOffset);
        state.log = makeLog(state, r.logStartOffset);
        storage.set(`log/start/${pkey(state.topic, state.partition)}`, r.logStartOffset);
      }
      more = r.records.length > 0; // fetch again at once: the next fetch tells the leader we have them
      for (const rec of r.records) {
        if (rec.offset < state.log.logEndOffset) continue;
        state.log.appendRecord(rec);
        noteProducer(state, rec);
      }
      const hw = Math.min(r.highWatermark, state.log.logEndOffset);
      if (hw > state.log.highWatermark) {
        state.log.advanceHighWatermark(hw);
        storage.set(`log/hw/${pkey(state.topic, state.partition)}`, state.log.highWatermark);
      }
      for (const [group, offset] of Object.entries(r.commits)) {
        if (state.commits.get(group) !== offset) {
          state.commits.set(group, offset);
          storage.set(`log/commit/${pkey(state.topic, state.partition)}/${group}`, offset);
        }
      }
    } catch {
      // no reply: the leader may be down; followerTick decides
    } finally {
      state.fetching = false;
    }
    if (more && leader === from) void fetchFromLeader(state);
  }

  async function discoverLeader(): Promise<void> {
    discovering = true;
    try {
      const peers = replicas.filter((r) => r !== node.id);
      const answers = await Promise.all(
        peers.map((p) => node.rpc(p, { type: "metadata" } satisfies MetadataRequest, { timeoutMs: leaderTimeoutMs }).then((r) => r.body as unknown as MetadataOk, () => undefined)),
      );
      if (leader !== undefined) return; // a leader_change arrived meanwhile
      const known = answers.filter((a): a is MetadataOk => a !== undefined && a.type === "metadata_ok");
      const best = known.filter((a) => a.leader !== undefined).sort((a, b) => b.leaderEpoch - a.leaderEpoch)[0];
      const maxEpoch = Math.max(epoch, ...known.map((a) => a.leaderEpoch));
      if (best !== undefined && best.leader !== node.id) becomeFollower(best.leader, best.leaderEpoch);
      else if (best !== undefined) becomeLeader(maxEpoch + 1);
      else if (known.length > 0 && replicas.find((r) => r === node.id || peers.includes(r)) === node.id) becomeLeader(maxEpoch + 1);
    } finally {
      discovering = false;
    }
  }

  function followerTick(): void {
    if (leader === undefined) {
      if (!discovering) void discoverLeader();
      return;
    }
    if (isLeader()) {
      for (const state of parts.values()) updateHighWatermark(state); // the ISR may have shrunk
      return;
    }
    if (node.now() - lastHeardMs > leaderTimeoutMs) {
      // fail over: the next broker after the silent leader, in the order of `replicas`
      const next = replicas[(replicas.indexOf(leader) + 1) % replicas.length];
      node.log(`no word from leader ${leader} for ${leaderTimeoutMs} ms; failing over to ${next}`);
      if (next === node.id) return becomeLeader(epoch + 1);
      leader = next;
      lastHeardMs = node.now();
    }
    for (const state of parts.values()) if (!state.fetching) void fetchFromLeader(state);
  }
  if (replicated) node.setPeriodic(replicaFetchMs, followerTick, "replica fetch");
  if (replicated && stored === undefined) saveLeader(); // so that a restart knows to ask who leads

  // ---- housekeeping: retention, compaction, expired group members ----------------------------
  const housekeepingMs = options.retentionCheckMs ?? 100;
  const retention = options.retentionMs !== undefined || options.retentionRecords !== undefined;
  if (retention || compacted.size > 0) {
    node.setPeriodic(housekeepingMs, () => {
      for (const state of parts.values()) {
        if (retention) state.log.applyRetention(node.now());
        if (compacted.has(state.topic)) state.log.compact();
      }
    }, "retention");
  }
  node.setPeriodic(Math.max(1, Math.floor((options.sessionTimeoutMs ?? 300) / 4)), () => {
    for (const dropped of coordinator.expire(node.now())) node.log(`group member ${dropped} expired`);
  }, "group sessions");

  return {
    log: (topic, partition) => {
      const s = parts.get(pkey(topic, partition));
      if (s === undefined) throw new Error(`logBroker ${where()}: no partition ${partition} of topic ${JSON.stringify(topic)}`);
      return s.log;
    },
    leader: () => leader,
    isLeader,
    leaderEpoch: () => epoch,
    inSyncReplicas: (topic, partition) => {
      const s = parts.get(pkey(topic, partition));
      if (s === undefined || !isLeader()) return [];
      const isr = [node.id];
      for (const [r, f] of s.followers) if (node.now() - f.lastFetchMs <= replicaLagMs) isr.push(r);
      return isr.sort();
    },
    committed: (group, topic, partition) => parts.get(pkey(topic, partition))?.commits.get(group) ?? 0,
    group: (group) => coordinator.view(group),
  };
}
