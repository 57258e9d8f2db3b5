// Real-process code (outside lib/): a node's disk kept in a real file, so `node.storage` survives
// a process restart. Same semantics as lib's in-memory `Disk` (durable / buffered modes); every
// write that reaches the disk rewrites the file durably: write a temporary file, fsync, rename.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import { Disk, type DiskMode } from "../lib/node/storage";

/** What the disk file holds (JSON). */
interface DiskFile {
  version: 1;
  node: string;
  /** Incarnations started on this disk so far (this one included). */
  incarnation: number;
  writes: number;
  syncs: number;
  /** Keys and their JSON texts, in insertion order. */
  entries: [string, string][];
}

/**
 * A `Disk` backed by `<dir>/<nodeId>.disk.json`. Opening it starts a new incarnation (counted in
 * the file: 1 on a fresh disk, 2 after one restart, …). A disk made in one mode is reopened in
 * the mode asked for (the mode is how writes are taken, not what is stored).
 *
 * @example
 * const disk = FileDisk.open("/tmp/store", "n1");      // reads /tmp/store/n1.disk.json if there
 * new DurableStorage(disk).set("term", 3);               // on disk (file rewritten) before set returns
 * disk.incarnation;                                      // 1, then 2 after a restart
 */
export class FileDisk extends Disk {
  /** This process's incarnation of the node (1 on a fresh disk). */
  incarnation = 1;
  private loading = false;

  private constructor(
    /** The file this disk lives in. */
    readonly path: string,
    private readonly nodeId: string,
    mode: DiskMode,
  ) {
    super(mode);
  }

  /**
   * Open (or create) the disk of `nodeId` under `dir` and count a new incarnation on it.
   *
   * @example
   * const disk = FileDisk.open(".distlab/storage", "n1", "buffered");
   */
  static open(dir: string, nodeId: string, mode: DiskMode = "durable"): FileDisk {
    if (!/^[A-Za-z0-9_.-]+$/.test(nodeId) || nodeId.startsWith(".")) {
      throw new Error(`storage: node id "${nodeId}" cannot name a file under ${dir} (use letters, digits, _ . -)`);
    }
    mkdirSync(dir, { recursive: true });
    const disk = new FileDisk(join(dir, `${nodeId}.disk.json`), nodeId, mode);
    if (existsSync(disk.path)) disk.load();
    else disk.incarnation = 0;
    disk.incarnation++;
    disk.persist();
    return disk;
  }

  /** @internal */
  override put(key: string, json: string): void {
    super.put(key, json);
    if (!this.loading) this.persist();
  }

  /** @internal */
  override remove(key: string): void {
    super.remove(key);
    this.persist();
  }

  private load(): void {
    let file: DiskFile;
    try {
      file = JSON.parse(readFileSync(this.path, "utf8")) as DiskFile;
    } catch (err) {
      throw new Error(`storage: cannot read node ${this.nodeId}'s disk ${this.path}: ${err instanceof Error ? err.message : err}`);
    }
    if (file?.version !== 1 || !Array.isArray(file.entries)) throw new Error(`storage: ${this.path} is not a distlab disk file (version 1)`);
    if (file.node !== this.nodeId) throw new Error(`storage: ${this.path} belongs to node "${file.node}", not "${this.nodeId}"`);
    this.loading = true;
    try {
      for (const [key, json] of file.entries) this.put(key, json);
    } finally {
      this.loading = false;
    }
    this.writes = file.writes;
    this.syncs = file.syncs;
    this.incarnation = file.incarnation;
  }

  /** Rewrite the whole file durably: temp file, fsync, rename over the old one. */
  private persist(): void {
    const file: DiskFile = {
      version: 1,
      node: this.nodeId,
      incarnation: this.incarnation,
      writes: this.writes,
      syncs: this.syncs,
      entries: Array.from(this.data.entries()),
    };
    const temp = `${this.path}.${process.pid}.tmp`;
    const fd = openSync(temp, "w");
    try {
      writeSync(fd, JSON.stringify(file));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.path);
  }
}
