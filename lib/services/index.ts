// Integration and services (lecture 002): registry, resilience patterns, serverless.
export {};
