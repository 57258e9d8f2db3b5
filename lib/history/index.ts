// Operation histories (Jepsen's shape), client workloads that record them, and budgets read from them.
import type { Completion, History, OpenOperation, Operation, OperationError } from "./history";
import type { ClientRun, RunClientsOptions } from "./clients";
import type { ClientWorkload, CounterOpInput, CounterOpsOptions, KvOpInput, KvOpsOptions, OpMix, OpSpec, RegisterOpInput, RegisterOpsOptions } from "./workloads";
import type { ReferenceServerOptions } from "./servers";
import type { MaelstromError } from "./maelstrom";
import type { BudgetLimits, BudgetRun, Budgets } from "./budgets";

export { HistoryRecorder, historyProblems, formatHistory } from "./history";
export { runClients } from "./clients";
export { kvOps, registerOps, counterOps, workloadOf } from "./workloads";
export { kvServer, registerServer, counterServer } from "./servers";
export { MAELSTROM_ERRORS, completionOfError, errorBody } from "./maelstrom";
export { measureBudgets, checkBudget, formatBudgets } from "./budgets";
export type {
  BudgetLimits,
  BudgetRun,
  Budgets,
  ClientRun,
  ClientWorkload,
  Completion,
  CounterOpInput,
  CounterOpsOptions,
  History,
  KvOpInput,
  KvOpsOptions,
  MaelstromError,
  OpenOperation,
  OpMix,
  OpSpec,
  Operation,
  OperationError,
  ReferenceServerOptions,
  RegisterOpInput,
  RegisterOpsOptions,
  RunClientsOptions,
};
