// The simulation: nodes + network + kernel + trace, the object notebooks and tests start from.
export { Simulation } from "./simulation";
export { InvariantViolation } from "./invariants";
export { runPhases } from "./phases";
export type { Behaviour, ErrorPolicy, SimulationOptions, SpawnOptions, RunUntilOptions, PendingEvent, Counters } from "./simulation";
export type { InvariantCheck } from "./invariants";
export type { ServiceOptions, ServiceTime } from "./service";
export type { NemesisOptions, PhasesOptions, PhasesResult } from "./phases";
