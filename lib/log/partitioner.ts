// Which partition a record goes to: by a hash of its key (Kafka's default partitioner), so every
// record of one key lands in one partition and keeps its order there. The hash is FNV-1a over the
// key's UTF-16 code units: lib/partitioning's fnv1a32.
import { fnv1a32 } from "../partitioning/hash";

/** Picks a partition for a record: `"key-hash"` (default), `"round-robin"`, or your own function. */
export type LogPartitioner = "key-hash" | "round-robin" | ((key: string, partitions: number) => number);

/**
 * A function from key to partition for `partitions` partitions.
 *
 * @example
 * const pick = makePartitioner("key-hash", 4);
 * pick("user-7") === pick("user-7"); // true: one key, one partition
 */
export function makePartitioner(partitioner: LogPartitioner, partitions: number): (key: string) => number {
  if (typeof partitioner === "function") return (key) => partitioner(key, partitions);
  if (partitioner === "round-robin") {
    let next = 0;
    return () => next++ % partitions;
  }
  if (partitioner !== "key-hash") throw new Error(`unknown partitioner ${JSON.stringify(partitioner)} (use "key-hash", "round-robin" or a function)`);
  return (key) => fnv1a32(key) % partitions;
}
