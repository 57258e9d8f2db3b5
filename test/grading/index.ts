// The grading harness: the exercise registry, the target switch, the check kit (scenarios, trials,
// bystanders, settle, determinism traps), the trace's messages in the diagram's words, failure
// diagrams, and `gradeExercise`, which turns a check into seeded vitest tests. See README.md.
export { EXERCISES, NOTEBOOKS, DEFAULT_SEEDS, exercise, exerciseFile, graderFile, suiteName } from "./exercises";
export { REPO_ROOT, currentTarget, loadModule, loadTarget } from "./target";
export {
  BYSTANDER_ROLE,
  Expectation,
  GRADER_ROLE_PREFIX,
  TRIALS_PER_GRADER_MIN,
  ensure,
  fail,
  graderRole,
  guardImplementation,
  isNotImplemented,
  runScenarios,
  settle,
  spawnBystanders,
  throwEarliest,
  trialSeed,
  trialsPerSeed,
} from "./check";
export { bodyFields, describeMessage, fate, seenMs, sentMessages, shortValue } from "./messages";
export { DeterminismError, installDeterminismTraps, trapMessage } from "./traps";
export {
  EVENT_NOTE_LINES_MAX,
  EVIDENCE_MARK,
  FAILURES_DIR,
  FAILURE_MESSAGES_MAX,
  FAILURE_NOTES_MAX,
  FINDING_LABEL,
  LEGEND,
  NOTE_LINE_CHARS,
  NOTE_LINES_MAX,
  failureDiagram,
  failureDiagramPath,
  failureTracePath,
  removeFailureDiagram,
  viewerCommand,
  wrapText,
  writeFailureDiagram,
  writeFailureTrace,
} from "./diagram";
export { GradeError, formatFailure, gradeExercise, replayCommand } from "./grade";

export type { Exercise } from "./exercises";
export type { Target } from "./target";
export type { CheckResult, CheckStatus, FailurePoint, RunOptions, Scenario, ScenarioSimulation, Settled, Trial, TrialRef } from "./check";
export type { Arrival, Drop, SentMessage } from "./messages";
export type { DeterminismTraps, TrapContext, TrapViolation } from "./traps";
export type { GradeMeta } from "./grade";
