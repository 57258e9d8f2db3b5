// distlab's library: everything a notebook, an exercise or a test needs, by name.
// Notebooks import it as `import { Simulation, latency, showMermaid } from "./lib"`.
export * from "./sim";
export * from "./net";
export * from "./node";
export * from "./simulation";
export * from "./trace";
export * from "./render";
