// Failure detection and recovery (lecture 000): heartbeats, phi accrual, SWIM, retry policies,
// failover with fencing. One concept per file.
export {};
