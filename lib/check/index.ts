// Linearizability checking: Wing & Gong's search with Lowe's memoisation and P-compositionality,
// as Horn & Kroening describe it and Porcupine implements it.
//
//   model.ts     what a sequential specification is (Model: init, step, stateKey, partition, …)
//   models.ts    register, compare-and-set register, key–value store (get/put/append), counter
//   wgl.ts       the search over one part of a history, with a budget in steps
//   check.ts     checkLinearizability: fail/info handling, the per-part split, the result
//   explain.ts   the result in words; linearizabilityFailure / assertLinearizable for graders
//   diagram.ts   the violation as a Mermaid gantt chart, saved under build/failures/
//   parse.ts     recorded Jepsen histories (etcd logs, key–value EDN)
//
// const result = checkLinearizability(recorder.history(), kvModel(), { maxSteps: 100_000 });
// console.log(explainLinearizability(result));
// if (result.violation) await showMermaid(linearizabilityDiagram(result));
export { checkLinearizability, DEFAULT_MAX_STEPS } from "./check";
export { wingGongSearch } from "./wgl";
export { modelOperation } from "./model";
export { registerModel, casRegisterModel, kvModel, counterModel } from "./models";
export {
  explainLinearizability,
  linearizabilityFailure,
  assertLinearizable,
  LinearizabilityError,
  EXPLAIN_PREFIX_MAX,
  EXPLAIN_CANDIDATES_MAX,
} from "./explain";
export {
  linearizabilityDiagram,
  linearizabilityDiagramPath,
  writeLinearizabilityDiagram,
  DIAGRAM_OPERATIONS_MAX,
  BLOCKED_MARK,
  LINEARIZABILITY_FAILURES_DIR,
} from "./diagram";
export { parseJepsenEtcdLog, parseKvHistory } from "./parse";

export type { CheckOptions, CheckedOperation, LinearizabilityResult, PartResult, Verdict, Violation } from "./check";
export type { SearchOperation, SearchOutcome } from "./wgl";
export type { Model, ModelOperation, StepResult } from "./model";
export type { CasInput, KvInput, KvState, RegisterModelOptions } from "./models";
export type { AssertLinearizableOptions } from "./explain";
