// distlab's library: everything a notebook, an exercise or a test needs, by name.
// Notebooks import it as `import { Simulation, latency, showMermaid } from "./lib"`.
export * from "./sim/index";
export * from "./net/index";
export * from "./node/index";
export * from "./simulation/index";
export * from "./trace/index";
export * from "./render/index";
export * from "./history/index";
export * from "./machine/index";
export * from "./check/index";
export * from "./channels/index";
export * from "./patterns/index";
export * from "./styles/index";
export * from "./services/index";
export * from "./time/index";
export * from "./failure/index";
export * from "./replication/index";
export * from "./partitioning/index";
export * from "./recovery/index";
export * from "./raft/index";
export * from "./kv/index";
export * from "./dht/index";
export * from "./p2p/index";
export * from "./mapreduce/index";
export * from "./log/index";
export * from "./security/index";
export * from "./explore/index";
