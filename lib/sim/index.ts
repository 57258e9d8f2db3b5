// The deterministic kernel: virtual time, the event queue, seeded randomness, errors.
export { Kernel } from "./kernel";
export { EventQueue } from "./queue";
export { Prng } from "./prng";
export { SimulationError, ConfigError, formatMs, toMicros } from "./errors";
export type { KernelEvent, KernelOptions, RunResult } from "./kernel";
export type { Scheduled } from "./queue";
export type { ErrorContext } from "./errors";
