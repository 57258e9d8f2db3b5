// The wire of the key–value service on Raft (and of exercise 09D): one request type, one reply
// type, the command a server puts in the Raft log, and what a snapshot keeps. Plain JSON, so a
// reference clerk can talk to a student's server and a reference server to a student's clerk.

/** The three operations of 6.5840's key–value service. */
export type KvOp = "get" | "put" | "append";

/** The variants of the library's server: the correct one, and one that serves reads from a stale leader. */
export type KvVariant = "reference" | "stale-leader-reads";

/**
 * Clerk → server. `clientId` names one clerk for ever (a restarted clerk takes a new one);
 * `seq` numbers its operations 1, 2, 3, … and stays the same on every retry of one operation.
 */
export interface KvRequest {
  type: "kv_request";
  op: KvOp;
  key: string;
  /** put / append only. */
  value?: string;
  clientId: string;
  seq: number;
}

/**
 * Server → clerk (a reply: `in_reply_to` is the request's `msg_id`). `status` is `"ok"` (the
 * operation took effect exactly once; `value` is what a get read, `""` for a missing key) or
 * `"not_leader"` (not applied here: try `leaderHint` if set, else another server).
 */
export interface KvReply {
  type: "kv_reply";
  status: "ok" | "not_leader";
  value?: string;
  leaderHint?: string | null;
}

/** What a server proposes to Raft for one request (the log's command). */
export interface KvCommand {
  kind: "kv";
  op: KvOp;
  key: string;
  value?: string;
  clientId: string;
  seq: number;
}

/** The last operation a clerk had applied, and its reply (a get's value), for duplicate detection. */
export interface KvSession {
  seq: number;
  value?: string;
}

/** The service's state in a snapshot: the store and the duplicate table, both needed after a restart. */
export interface KvSnapshotData {
  store: Record<string, string>;
  sessions: Record<string, KvSession>;
}

/** Message types of the service (for tests and diagrams). */
export const KV_MESSAGE_TYPES: readonly string[] = ["kv_request", "kv_reply"];

/** Whether a log command is one of the service's. @example isKvCommand(msg.command) */
export function isKvCommand(command: unknown): command is KvCommand {
  const c = command as KvCommand;
  return c !== null && typeof c === "object" && c.kind === "kv" && typeof c.key === "string" && typeof c.clientId === "string" && typeof c.seq === "number";
}
