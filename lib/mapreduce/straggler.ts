// Stragglers and backup tasks (MapReduce, OSDI 2004, §3.6 and §5.3). A straggler is a machine that
// takes unusually long to finish one of the last tasks (a bad disk, other jobs competing for it).
// Near the end of a phase the master hands a backup attempt of each remaining in-progress task to
// another worker, and the task completes when either attempt does. The paper reports that its sort
// benchmark took 44% longer with backup tasks disabled (§5.3, Figure 3: 1283 s against 891 s). That
// figure is the paper's, for its cluster and job; this experiment measures the same comparison on
// the simulator, with one worker `slowdown` times slower than the rest, and the notebook sets the
// two side by side. The task timeout is kept long by default, so the slow worker is never declared
// dead: only the backups can help.
import { generateCorpus } from "./corpus";
import { wordCount } from "./app";
import { ConfigError } from "../sim/errors";
import { runMapReduceJob, type MapReduceJobOptions } from "./job";

/** Options of {@link stragglerExperiment}: a job's options (defaults below) plus the straggler. */
export interface StragglerExperimentOptions extends Partial<MapReduceJobOptions> {
  /** How many times slower the straggler is. Default 10. */
  slowdown?: number;
  /** The slow worker's id. Default the last worker. */
  straggler?: string;
}

/** The experiment's outcome. */
export interface StragglerResult {
  withoutBackupMs: number;
  withBackupMs: number;
  /** How much longer the job takes without backup tasks, in percent of the time with them. */
  slowdownPercent: number;
  /** The MapReduce paper's figure for its sort benchmark (§5.3): 44. */
  paperSlowdownPercent: number;
  /** Backup attempts handed out in the run with backups. */
  backupAttempts: number;
  /** Extra attempts the backups cost, in percent of the tasks (the paper: "a few percent"). */
  extraAttemptsPercent: number;
  bothMatchSequential: boolean;
}

/** The MapReduce paper's reported slow-down of its sort with backup tasks disabled (§5.3). */
export const PAPER_NO_BACKUP_SLOWDOWN_PERCENT = 44;

/**
 * Job time with and without backup tasks when one worker is `slowdown` times slower. Defaults:
 * word count on a 16-file generated corpus, 4 workers, 4 reduce tasks, taskTimeoutMs 1 000 000.
 * The paper's 44% (sort, §5.3) is returned alongside for comparison.
 *
 * @example
 * const r = await stragglerExperiment({ seed: 1, slowdown: 10 });
 * r.withoutBackupMs > r.withBackupMs;  // true
 * r.slowdownPercent;                   // this run's figure, to set beside r.paperSlowdownPercent (44)
 */
export async function stragglerExperiment(options: StragglerExperimentOptions = {}): Promise<StragglerResult> {
  const { slowdown = 10, straggler, ...rest } = options;
  if (typeof slowdown !== "number" || !(slowdown > 0) || !Number.isFinite(slowdown)) throw new ConfigError("stragglerExperiment: slowdown", slowdown, "a finite factor > 0");
  const seed = rest.seed ?? 1;
  const workersOpt = rest.workers ?? 4;
  const workers = typeof workersOpt === "number" ? Array.from({ length: workersOpt }, (_, i) => `w${i + 1}`) : workersOpt;
  const slow = straggler ?? workers[workers.length - 1];
  const base: MapReduceJobOptions = {
    ...rest,
    seed,
    app: rest.app ?? wordCount,
    inputs: rest.inputs ?? generateCorpus({ seed, files: 16, wordsPerFile: 400 }),
    workers,
    nReduce: rest.nReduce ?? 4,
    taskTimeoutMs: rest.taskTimeoutMs ?? 1_000_000,
    trace: rest.trace ?? false,
    stragglers: { ...(rest.stragglers ?? {}), [slow]: slowdown },
  };
  const without = await runMapReduceJob({ ...base, backupTasks: false });
  const withB = await runMapReduceJob({ ...base, backupTasks: true });
  const tasks = withB.tasks.length;
  return {
    withoutBackupMs: without.jobTimeMs,
    withBackupMs: withB.jobTimeMs,
    slowdownPercent: Math.round((without.jobTimeMs / withB.jobTimeMs - 1) * 1000) / 10,
    paperSlowdownPercent: PAPER_NO_BACKUP_SLOWDOWN_PERCENT,
    backupAttempts: withB.counters.backupAttempts,
    extraAttemptsPercent: Math.round(((withB.counters.attempts - tasks) / tasks) * 1000) / 10,
    bothMatchSequential: without.matchesSequential && withB.matchesSequential,
  };
}
