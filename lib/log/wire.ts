// The broker's wire (issue 14's fixed contract; exercise 11.3's consumer speaks it). Requests and
// replies are Maelstrom-shaped bodies; an error is `{ type: "error", code, text }` with a Maelstrom
// code (11 temporarily unavailable, 12 malformed request, 20 does not exist) or 1000 + Kafka's own
// error code (Maelstrom leaves codes ≥ 1000 to the service), and a text that starts with the name.

/** A record as consumers see it. */
export interface FetchedRecord<V = any> {
  offset: number;
  key: string;
  value: V;
}

/** Append one record; with `producerId` + `seq` a duplicate seq is answered with the first offset. */
export interface ProduceRequest {
  type: "produce";
  topic: string;
  partition?: number;
  key: string;
  value: any;
  producerId?: string;
  seq?: number;
  /** `"all"` (default): reply once every in-sync replica has the record; `1`: reply at once. */
  acks?: "all" | 1;
}
export interface ProduceOk {
  type: "produce_ok";
  partition: number;
  offset: number;
  /** True if the broker had this producerId + seq already (a retry): `offset` is the first one's. */
  duplicate?: boolean;
}

/** Up to `maxRecords` committed records (below the high watermark) from `offset` on. */
export interface FetchRequest {
  type: "fetch";
  topic: string;
  partition: number;
  offset: number;
  maxRecords: number;
}
export interface FetchOk {
  type: "fetch_ok";
  records: FetchedRecord[];
  highWatermark: number;
  /** The first offset still held (retention moves it up). */
  logStartOffset?: number;
}

/** Store a group's position: `offset` is the NEXT offset to read (as Kafka). */
export interface CommitOffsetRequest {
  type: "commit_offset";
  group: string;
  topic: string;
  partition: number;
  offset: number;
  /** A group member's commit may carry its generation; a stale one is refused (ILLEGAL_GENERATION). */
  member?: string;
  generation?: number;
}
export interface CommitOffsetOk {
  type: "commit_offset_ok";
}

export interface FetchCommittedRequest {
  type: "fetch_committed";
  group: string;
  topic: string;
  partition: number;
}
export interface FetchCommittedOk {
  type: "fetch_committed_ok";
  /** 0 if the group never committed for this partition. */
  offset: number;
}

/** Which topics exist, their partition counts, and who leads (beyond the fixed contract). */
export interface MetadataRequest {
  type: "metadata";
  topic?: string;
}
export interface MetadataOk {
  type: "metadata_ok";
  topics: { name: string; partitions: number }[];
  /** Undefined while this broker does not know (just restarted). */
  leader?: string;
  leaderEpoch: number;
}

/**
 * Group membership (the group coordinator on the broker; Kafka's JoinGroup/SyncGroup folded into
 * one request). A member sends `join_group` until the reply's `state` is `"stable"`; then it owns
 * `partitions` for `generation` and heartbeats. A heartbeat answered with `rebalance: true` means:
 * stop, commit, and join again.
 */
export interface JoinGroupRequest {
  type: "join_group";
  group: string;
  topic: string;
  member: string;
  /** The member's generation so far (-1 when new). */
  generation: number;
}
export interface JoinGroupOk {
  type: "join_group_ok";
  state: "stable" | "rebalancing";
  generation: number;
  partitions: number[];
  members: string[];
}
export interface HeartbeatRequest {
  type: "heartbeat";
  group: string;
  member: string;
  generation: number;
}
export interface HeartbeatOk {
  type: "heartbeat_ok";
  generation: number;
  rebalance: boolean;
}
export interface LeaveGroupRequest {
  type: "leave_group";
  group: string;
  member: string;
}
export interface LeaveGroupOk {
  type: "leave_group_ok";
}

/** A follower's fetch from the leader (replication; carries producer ids and timestamps). */
export interface ReplicaFetchRequest {
  type: "replica_fetch";
  topic: string;
  partition: number;
  offset: number;
  maxRecords: number;
  replica: string;
  leaderEpoch: number;
}
export interface ReplicaFetchOk {
  type: "replica_fetch_ok";
  records: { offset: number; key: string; value: any; timestampMs: number; producerId?: string; seq?: number }[];
  highWatermark: number;
  logStartOffset: number;
  logEndOffset: number;
  leaderEpoch: number;
  /** The committed offsets of this partition, per group (replicated with the log). */
  commits: Record<string, number>;
}

/** A broker that became leader tells its peers (a follower adopts a higher epoch). */
export interface LeaderChange {
  type: "leader_change";
  leader: string;
  leaderEpoch: number;
}

/** A Maelstrom-style error reply. */
export interface LogErrorBody {
  type: "error";
  code: number;
  text: string;
  /** With `notLeader`: the leader this broker knows, if any. */
  leader?: string;
  /** With `offsetOutOfRange`: the first offset the partition still holds (where to start again). */
  logStartOffset?: number;
  /** With `offsetOutOfRange`: one past the last offset it holds. */
  logEndOffset?: number;
}

/** Every body a broker answers. */
export type BrokerReply =
  | ProduceOk
  | FetchOk
  | CommitOffsetOk
  | FetchCommittedOk
  | MetadataOk
  | JoinGroupOk
  | HeartbeatOk
  | LeaveGroupOk
  | ReplicaFetchOk
  | LogErrorBody;

/**
 * The error codes a broker sends. Maelstrom's where one fits, else 1000 + Kafka's code.
 *
 * @example
 * if (reply.type === "error" && reply.code === LOG_ERRORS.offsetOutOfRange) offset = 0;
 */
export const LOG_ERRORS = {
  /** Maelstrom 11: try again (no leader known yet, not enough in-sync replicas, rebalance pending). */
  temporarilyUnavailable: 11,
  /** Maelstrom 12: a field is missing or of the wrong kind. */
  malformedRequest: 12,
  /** Maelstrom 20 ("does not exist"): no such topic or partition. */
  unknownTopicOrPartition: 20,
  /** Kafka 1: the offset is below the log start offset or past the log end. */
  offsetOutOfRange: 1001,
  /** Kafka 6: this broker does not lead; the text names the leader it knows. */
  notLeader: 1006,
  /** Kafka 22: a commit or heartbeat from an old generation of the group. */
  illegalGeneration: 1022,
  /** Kafka 25: the coordinator does not know this member (expired); join again. */
  unknownMember: 1025,
  /** Kafka 45: an idempotent producer skipped a sequence number. */
  outOfOrderSequence: 1045,
} as const;
