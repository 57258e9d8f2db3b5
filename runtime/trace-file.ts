// Real-process code (outside lib/): appends a node process's trace events to a file, one JSON
// object per line, each stamped with the machine's wall clock so a launcher can merge the files
// of several processes.
import { closeSync, openSync, writeSync } from "node:fs";
import type { TraceEvent } from "../lib/trace/events";

/** One line of a trace file: a lib `TraceEvent` plus `wallMs`, epoch milliseconds when it was recorded. */
export type TraceLine = TraceEvent & { wallMs: number };

/**
 * An append-only JSON-lines trace file (opened once; each event is one `write`, so a crash loses
 * at most the event being written).
 *
 * @example
 * const trace = new TraceFile("/tmp/n1.trace.jsonl");
 * trace.append({ kind: "log", timeMs: 12.5, node: "n1", text: "hello" }, Date.now());
 * trace.close();
 */
export class TraceFile {
  private fd: number | undefined;

  constructor(readonly path: string) {
    this.fd = openSync(path, "a");
  }

  /** Append one event (no effect once closed). @example trace.append(event, Date.now()) */
  append(event: TraceEvent, wallMs: number): void {
    if (this.fd === undefined) return;
    writeSync(this.fd, `${JSON.stringify({ ...event, wallMs })}\n`);
  }

  /** Close the file. @example trace.close() */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
