// How a group coordinator shares a topic's partitions among the group's members (Kafka's
// partition.assignment.strategy): each partition to exactly one member, none left over.

/** `"range"`: consecutive blocks, the first members one more each; `"round-robin"`: dealt like cards. */
export type AssignmentStrategy = "range" | "round-robin";

/**
 * Every member (sorted by id) with the partitions it owns. Each of `0..partitions-1` appears
 * exactly once; a member may get none when members outnumber partitions.
 *
 * @example
 * assignPartitions("range", ["c1", "c2"], 5);       // { c1: [0, 1, 2], c2: [3, 4] }
 * assignPartitions("round-robin", ["c1", "c2"], 5); // { c1: [0, 2, 4], c2: [1, 3] }
 */
export function assignPartitions(strategy: AssignmentStrategy, members: readonly string[], partitions: number): Record<string, number[]> {
  const sorted = [...new Set(members)].sort();
  const out: Record<string, number[]> = {};
  for (const m of sorted) out[m] = [];
  if (sorted.length === 0) return out;
  if (strategy === "round-robin") {
    for (let p = 0; p < partitions; p++) out[sorted[p % sorted.length]].push(p);
    return out;
  }
  if (strategy !== "range") throw new Error(`unknown assignment strategy ${JSON.stringify(strategy)} (use "range" or "round-robin")`);
  const per = Math.floor(partitions / sorted.length);
  const extra = partitions % sorted.length;
  let p = 0;
  sorted.forEach((m, i) => {
    const n = per + (i < extra ? 1 : 0);
    for (let k = 0; k < n; k++) out[m].push(p++);
  });
  return out;
}
