// The master ↔ worker wire of MIT 6.5840's lab 1, as the exercises fix it. A worker asks for work
// and reports what it finished; the master answers each ask with a map task, a reduce task,
// "wait" (nothing to hand out now, ask again soon) or "exit" (the job is done).
//
//   worker → master  { type: "get_task", worker? }                      ⇒ { type: "task", task }
//   worker → master  { type: "task_done", kind, taskId, attempt }       ⇒ { type: "task_done_ok" }
//
// Map task i reads its input file and writes mr-i-r for every r in 0..nReduce−1; reduce task r
// reads mr-i-r for every i in 0..nMap−1 and writes mr-out-r. Both commit by temp name + rename.
//
// Two more messages are worker ↔ worker, for the data the library moves over the network:
//   { type: "read_block", file }        ⇒ { type: "read_block_ok", file, contents }   (input block)
//   { type: "read_partition", file }    ⇒ { type: "read_partition_ok", file, contents } (shuffle)

/** A map task: read `file`, partition its pairs into `nReduce` intermediate files. */
export interface MapTask {
  kind: "map";
  taskId: number;
  attempt: number;
  file: string;
  nReduce: number;
}

/** A reduce task: read partition `taskId` of all `nMap` map outputs, write mr-out-`taskId`. */
export interface ReduceTask {
  kind: "reduce";
  taskId: number;
  attempt: number;
  nMap: number;
}

/** Nothing to do now: ask again after a short sleep. */
export interface WaitTask {
  kind: "wait";
}

/** The job is done: stop. */
export interface ExitTask {
  kind: "exit";
}

/** What the master hands out. */
export type MapReduceTask = MapTask | ReduceTask | WaitTask | ExitTask;

/** worker → master: ask for work. */
export interface GetTaskBody {
  type: "get_task";
  /** The asking worker's id (the reference master uses it for locality). */
  worker?: string;
}

/** master → worker: the answer to `get_task`. */
export interface TaskBody {
  type: "task";
  task: MapReduceTask;
}

/** worker → master: an attempt finished and committed its output. */
export interface TaskDoneBody {
  type: "task_done";
  kind: "map" | "reduce";
  taskId: number;
  attempt: number;
}

/** master → worker: the report was received (whether it counted or was a late duplicate). */
export interface TaskDoneOkBody {
  type: "task_done_ok";
}

/** Name of map task `mapTask`'s intermediate file for reduce partition `reduceTask`. @example intermediateName(3, 1) // "mr-3-1" */
export function intermediateName(mapTask: number, reduceTask: number): string {
  return `mr-${mapTask}-${reduceTask}`;
}

/** Name of reduce task `reduceTask`'s output file. @example outputName(2) // "mr-out-2" */
export function outputName(reduceTask: number): string {
  return `mr-out-${reduceTask}`;
}
