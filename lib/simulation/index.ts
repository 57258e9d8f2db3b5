// The simulation: nodes + network + kernel + trace, the object notebooks and tests start from.
export { Simulation } from "./simulation";
export type { Behaviour, ErrorPolicy, SimulationOptions, SpawnOptions, RunUntilOptions, PendingEvent, Counters } from "./simulation";
