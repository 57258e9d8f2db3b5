// MapReduce (Dean & Ghemawat, OSDI 2004) in the simulator: the programming model and a sequential
// reference, a shared file system with atomic rename, a replicated block store for input, the
// master and worker of MIT 6.5840's lab 1 (wire in wire.ts), a job runner, a gantt chart of a
// job, a generated corpus, and the straggler experiment.
export { ihash, runSequential, reduceAll, reduceGroups, combinePairs, sortOutputLines, wordCount, invertedIndex } from "./app";
export type { KeyValue, MapReduceApp, InputFile } from "./app";
export { MapReduceFs } from "./fs";
export type { FsCounters } from "./fs";
export { BlockStore } from "./blocks";
export type { BlockStoreOptions, BlockCounters } from "./blocks";
export { intermediateName, outputName } from "./wire";
export type { MapTask, ReduceTask, WaitTask, ExitTask, MapReduceTask, GetTaskBody, TaskBody, TaskDoneBody, TaskDoneOkBody } from "./wire";
export { mapReduceMaster } from "./master";
export type { MapReduceMaster, MapReduceMasterOptions, TaskRow, TaskState, MasterAttempt, AttemptOutcome, MasterCounters } from "./master";
export { mapReduceWorker } from "./worker";
export type { MapReduceWorker, MapReduceWorkerOptions, WorkerFault, MapReduceCommit, WorkerAttempt, WorkerAttemptEnd, WorkerCounters } from "./worker";
export { runMapReduceJob } from "./job";
export type { MapReduceJobOptions, MapReduceJobResult, JobAttempt, JobCounters, FaultRates, ScriptedFault } from "./job";
export { mapReduceGantt } from "./gantt";
export type { MapReduceGanttOptions } from "./gantt";
export { generateCorpus, corpusVocabulary } from "./corpus";
export type { CorpusOptions } from "./corpus";
export { stragglerExperiment, PAPER_NO_BACKUP_SLOWDOWN_PERCENT } from "./straggler";
export type { StragglerExperimentOptions, StragglerResult } from "./straggler";
