// Partitioning (sharding): by hash, by range, by region; what moves when the partition count changes.
export { fnv1a32, mix32, spreadHash } from "./hash";
export { modNPartitioner, rangePartitioner, splitRange, regionPartitioner } from "./partitioner";
export { keyNames, evenRangePartitioner } from "./keys";
export { keysMoved, modNMovement } from "./keys-moved";
export { partitionServer, partitionClient } from "./kv-service";
export { runPartitionLoad } from "./partition-load";
export { runRegionLatency } from "./region-latency";
export { runRebalance } from "./rebalance";
export { compareReplicationAndPartitioning } from "./compare";
export type { Partitioner, ModNOptions, RangeOptions, RangePartitioner, RegionOptions } from "./partitioner";
export type { MovementRow } from "./keys-moved";
export type { PartitionServerOptions, PartitionServer, HandoffStats, PartitionClientOptions, PartitionClient } from "./kv-service";
export type { LoadWorkload, PartitionLoadOptions, PartitionLoadRow, PartitionLoadResult } from "./partition-load";
export type { RegionLatencyOptions, RegionLatencyRow } from "./region-latency";
export type { RebalanceOptions, RebalanceResult } from "./rebalance";
export type { ReplicationPartitioningOptions, ReplicationPartitioningRow } from "./compare";
