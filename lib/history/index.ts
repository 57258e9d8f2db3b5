// Operation histories (Jepsen's shape), client workloads that record them, and budgets read from them.
export { HistoryRecorder } from "./history";
export type { Completion, History, OpenOperation, Operation } from "./history";
