// Time and order (lecture 000, 003): physical clock synchronisation, logical and vector clocks,
// causal broadcast, mutual exclusion. One concept per file.
export {};
