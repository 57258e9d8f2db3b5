// The shared file system of a MapReduce job, GFS-like in its names (Ghemawat, Gobioff & Leung,
// "The Google File System", SOSP 2003) but kept to what the job needs: whole-file writes, an
// atomic rename, reads, and listing by prefix. It is a plain object shared by every node of one
// simulation, like the shared directory of MIT 6.5840's lab 1 — not a node, so it costs no
// virtual time by itself; the network costs of reading input blocks and shuffling intermediate
// data are paid by the worker with messages (see `worker.ts`).
//
// Why rename: a task attempt writes under a temporary name and renames it to the final name only
// when complete (MapReduce §3.3, "Semantics in the Presence of Failures"). A reader never sees a
// half-written file, and a late duplicate attempt replaces a file with the same bytes.
import { SimulationError } from "../sim/errors";
import { sortOutputLines } from "./app";

/** Counters of a {@link MapReduceFs}. */
export interface FsCounters {
  writes: number;
  bytesWritten: number;
  reads: number;
  bytesRead: number;
  renames: number;
  appends: number;
}

/** A file's bytes and who wrote it last (the node whose disk holds it, for the shuffle). */
interface FileEntry {
  text: string;
  /** UTF-8 bytes, computed once. */
  size: number;
  host?: string;
}

/**
 * An in-memory file system shared by the nodes of one job; counts bytes written and read.
 *
 * @example
 * const fs = new MapReduceFs();
 * fs.write("mr-tmp-0-1", "a 1\n", "w1");
 * fs.rename("mr-tmp-0-1", "mr-0-1");
 * fs.read("mr-0-1");        // "a 1\n"
 * fs.list("mr-0-");         // ["mr-0-1"]
 * fs.hostOf("mr-0-1");      // "w1"
 */
export class MapReduceFs {
  private readonly files = new Map<string, FileEntry>();
  readonly counters: FsCounters = { writes: 0, bytesWritten: 0, reads: 0, bytesRead: 0, renames: 0, appends: 0 };

  /** Create or replace a file (`host`: the node that wrote it). @example fs.write("in-0", "some text") */
  write(name: string, text: string, host?: string): void {
    checkName(name, "write");
    const size = byteLength(text);
    this.files.set(name, host === undefined ? { text, size } : { text, size, host });
    this.counters.writes++;
    this.counters.bytesWritten += size;
  }

  /**
   * Append to a file, creating it if needed — the broken commit the notebook contrasts with
   * rename: two attempts of one task both land. @example fs.append("mr-out-0", "a 1\n")
   */
  append(name: string, text: string, host?: string): void {
    checkName(name, "append");
    const old = this.files.get(name);
    const size = byteLength(text);
    this.files.set(name, { text: (old?.text ?? "") + text, size: (old?.size ?? 0) + size, host: host ?? old?.host });
    this.counters.appends++;
    this.counters.bytesWritten += size;
  }

  /** Atomically rename `from` to `to`, replacing `to` if it exists. @example fs.rename("tmp", "mr-out-0") */
  rename(from: string, to: string): void {
    checkName(to, "rename");
    const entry = this.files.get(from);
    if (entry === undefined) throw new SimulationError(`MapReduceFs.rename: no file "${from}" (to "${to}")`);
    this.files.delete(from);
    this.files.set(to, entry);
    this.counters.renames++;
  }

  /** The text of a file; throws naming the file if it does not exist. @example fs.read("mr-out-0") */
  read(name: string): string {
    const entry = this.files.get(name);
    if (entry === undefined) throw new SimulationError(`MapReduceFs.read: no file "${name}"`);
    this.counters.reads++;
    this.counters.bytesRead += entry.size;
    return entry.text;
  }

  /** Whether a file exists. @example fs.exists("mr-out-0") // false before the reduce commits */
  exists(name: string): boolean {
    return this.files.has(name);
  }

  /** Names starting with `prefix`, in byte order. @example fs.list("mr-out-") // ["mr-out-0", "mr-out-1"] */
  list(prefix = ""): string[] {
    const out: string[] = [];
    for (const name of this.files.keys()) if (name.startsWith(prefix)) out.push(name);
    return out.sort();
  }

  /** Remove a file (no error if absent). @example fs.remove("mr-tmp-3") */
  remove(name: string): void {
    this.files.delete(name);
  }

  /** The node that wrote a file, if it said. @example fs.hostOf("mr-0-1") // "w1" */
  hostOf(name: string): string | undefined {
    return this.files.get(name)?.host;
  }

  /** A file's size in UTF-8 bytes (0 if absent), without counting a read. @example fs.size("in-0") */
  size(name: string): number {
    const entry = this.files.get(name);
    return entry === undefined ? 0 : entry.size;
  }

  /** Sorted lines of all files with the prefix, concatenated: the job's output. @example fs.output() */
  output(prefix = "mr-out-"): string {
    let all = "";
    for (const name of this.list(prefix)) all += this.files.get(name)!.text;
    return sortOutputLines(all);
  }
}

function checkName(name: string, op: string): void {
  if (typeof name !== "string" || name.length === 0) throw new SimulationError(`MapReduceFs.${op}: a file name must be a non-empty string, got ${JSON.stringify(name)}`);
}

/** UTF-8 length of a text. @example byteLength("é") // 2 */
export function byteLength(text: string): number {
  const first = text.search(NON_ASCII);
  if (first < 0) return text.length;
  let n = text.length;
  for (let i = first; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 2; i++; } // 4 bytes for 2 units
    else n += 2;
  }
  return n;
}

// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;
