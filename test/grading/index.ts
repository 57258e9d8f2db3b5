// The grading harness: the exercise registry, the target switch, the check kit, failure diagrams,
// and `gradeExercise`, which turns a check into seeded vitest tests.
export { EXERCISES, NOTEBOOKS, DEFAULT_SEEDS, exercise, exerciseFile, graderFile, suiteName } from "./exercises";
export { REPO_ROOT, currentTarget, loadModule, loadTarget } from "./target";
export { Expectation, ensure, fail, guardImplementation, isNotImplemented, runScenarios } from "./check";
export { FAILURES_DIR, FAILURE_MESSAGES_MAX, FAILURE_NOTES_MAX, failureDiagram, failureDiagramPath, writeFailureDiagram, removeFailureDiagram } from "./diagram";
export { GradeError, formatFailure, gradeExercise, replayCommand } from "./grade";

export type { Exercise } from "./exercises";
export type { Target } from "./target";
export type { CheckResult, CheckStatus, FailurePoint, Scenario } from "./check";
export type { GradeMeta } from "./grade";
