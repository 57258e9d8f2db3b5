// Which partition a record goes to: by a hash of its key (Kafka's default partitioner), so every
// record of one key lands in one partition and keeps its order there.

/**
 * FNV-1a over the key's UTF-16 code units, as a non-negative 32-bit number.
 *
 * @example
 * keyHash("user-7") % 4; // the partition of user-7's records among 4
 */
export function keyHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

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
  return (key) => keyHash(key) % partitions;
}
