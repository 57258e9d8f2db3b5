// Architectural styles (lecture 000, 001): one concept per file.
export {};
