// Key–value service on Raft: sessions (exactly-once), leader redirection, linearizable reads.
//
// The wire (also exercise 09D's, so a reference clerk can face a student's server and back):
//   clerk → server  { type: "kv_request", op: "get" | "put" | "append", key, value?, clientId, seq }
//   server → clerk  { type: "kv_reply", status: "ok", value? }            (value: what a get read, "" if unset)
//                   { type: "kv_reply", status: "not_leader", leaderHint } (not applied here; try the hint or another)
// A clerk numbers its operations seq = 1, 2, 3, … and sends every retry of one with the same clientId
// and seq. A server proposes { kind: "kv", op, key, value?, clientId, seq } to Raft — reads too, so
// reads are linearizable through the log (no ReadIndex) — applies each (clientId, seq) once (a
// duplicate table, clientId → last seq and its reply, kept in snapshots with the store), and answers
// a request when its index is applied with the term it was proposed in; "not_leader" when the entry
// there has another term or request, or when it stops leading that term while the request waits.
//
//   server.ts   kvRaftServer (and the broken variant "stale-leader-reads")
//   clerk.ts    kvRaftClerk
//   nemesis.ts  runKvNemesis: clients under partitions / crashes / loss, history checked for linearizability;
//               runKvOnePartition (6.5840 TestOnePartition)
//   scripts.ts  runKvLostReply (a retry across a restart of every server), runKvPartitionedLeader
export { kvRaftServer } from "./server";
export { kvRaftClerk } from "./clerk";
export { runKvNemesis, runKvOnePartition, KV_TIMING, KV_STALE_READ_SEED } from "./nemesis";
export { runKvLostReply, runKvPartitionedLeader } from "./scripts";
export { isKvCommand, KV_MESSAGE_TYPES } from "./wire";
export type { KvServerHandle, KvServerOptions } from "./server";
export type { KvClerk, KvClerkOptions } from "./clerk";
export type { KvClerkFactory, KvNemesisOptions, KvNemesisResult, KvOnePartitionOptions, KvOnePartitionResult, KvServerFactory } from "./nemesis";
export type { KvScriptOptions, KvScriptResult } from "./scripts";
export type { KvCommand, KvOp, KvReply, KvRequest, KvSession, KvSnapshotData, KvVariant } from "./wire";
