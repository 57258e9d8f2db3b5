/**
 * How a node's disk takes writes.
 * - `"durable"` (default): every `set` and `delete` is on the disk at once, as if each were
 *   followed by an fsync. A crash loses nothing that was written.
 * - `"buffered"`: writes wait in the incarnation's buffer until `storage.sync()`, like a write to a
 *   file before fsync. Reads see them; a crash loses them.
 */
export type DiskMode = "durable" | "buffered";

/** The disk modes, for option checks. */
export const DISK_MODES: readonly DiskMode[] = ["durable", "buffered"];

/** UTF-8 bytes of one stored entry: its key and its JSON text. */
function entryBytes(key: string, json: string): number {
  return Buffer.byteLength(key) + Buffer.byteLength(json);
}

/**
 * What a node's disk holds: JSON texts by key, and how many writes and syncs reached it. It
 * outlives every incarnation of the node; each incarnation reaches it through its own
 * `DurableStorage`.
 *
 * @example
 * const disk = new Disk();
 * new DurableStorage(disk).set("term", 3);
 * disk.writes;    // 1
 * disk.sizeBytes; // 5 ("term" and "3")
 */
export class Disk {
  /** @internal */
  readonly data = new Map<string, string>();
  /** Number of writes (`set`/`delete`) that reached the disk. */
  writes = 0;
  /** Number of `sync()` calls by live incarnations. */
  syncs = 0;
  /** UTF-8 bytes of every key and JSON value on the disk. */
  sizeBytes = 0;

  /** @param mode see {@link DiskMode}; default `"durable"` */
  constructor(readonly mode: DiskMode = "durable") {}

  /** @internal Store `json` under `key` (one write). @example disk.put("term", "3") */
  put(key: string, json: string): void {
    const old = this.data.get(key);
    if (old !== undefined) this.sizeBytes -= entryBytes(key, old);
    this.data.set(key, json);
    this.sizeBytes += entryBytes(key, json);
    this.writes++;
  }

  /** @internal Remove `key` (one write, even if it was not there). @example disk.remove("term") */
  remove(key: string): void {
    const old = this.data.get(key);
    if (old !== undefined) {
      this.sizeBytes -= entryBytes(key, old);
      this.data.delete(key);
    }
    this.writes++;
  }
}

/** A buffered write: the JSON stored, or `undefined` for a delete. */
type Write = [key: string, json: string | undefined];

/**
 * A node's durable storage: the only state that survives a crash. Values are stored as JSON
 * copies, so later changes to an object you stored do not change what is on "disk"
 * (exactly like writing it to a file).
 *
 * Each incarnation of a node has its own handle on the node's disk. Once that incarnation has
 * crashed, writes and syncs through its handle have no effect: code left over from a dead process
 * (a background task, a handle kept in a notebook) can never change what the next incarnation reads.
 *
 * On a buffered disk (`sim.spawn(id, behaviour, { disk: "buffered" })`) writes wait in this
 * handle's buffer until `sync()`; reads see them, and a crash loses them.
 *
 * @example
 * sim.spawn("a", (node) => {
 *   const term = node.storage.get<number>("term") ?? 0;   // survives restart
 *   node.storage.set("term", term + 1);
 *   node.storage.sync();                                  // needed on a buffered disk
 * });
 */
export class DurableStorage {
  /** Buffered writes in order (buffered disks only). */
  private buffer: Write[] = [];
  /** The latest buffered write per key, for reads. */
  private latest = new Map<string, string | undefined>();

  /**
   * @param disk the node's disk (a fresh one by default)
   * @param writable false once the incarnation that owns this handle has crashed
   */
  constructor(
    private readonly disk: Disk = new Disk(),
    private readonly writable: () => boolean = () => true,
  ) {}

  /** How the disk takes writes: `"durable"` or `"buffered"` (see `DiskMode`). @example node.storage.mode */
  get mode(): DiskMode {
    return this.disk.mode;
  }

  /** Number of writes (`set`/`delete`) that reached the disk, in every incarnation. @example node.storage.writes */
  get writes(): number {
    return this.disk.writes;
  }

  /** Number of `sync()` calls, in every incarnation (each counts, on either kind of disk). @example node.storage.syncs */
  get syncs(): number {
    return this.disk.syncs;
  }

  /** Writes waiting in the buffer for `sync()` (always 0 on a durable disk, and once crashed). @example node.storage.unsyncedWrites */
  get unsyncedWrites(): number {
    return this.pending() === undefined ? 0 : this.buffer.length;
  }

  /**
   * Size in bytes of what this handle reads: the UTF-8 bytes of every key and of its JSON value
   * (unsynced writes included). For snapshot lessons: "keep the log under 8 KB".
   *
   * @example
   * if (node.storage.sizeBytes > 8192) takeSnapshot();
   */
  get sizeBytes(): number {
    const latest = this.pending();
    let bytes = this.disk.sizeBytes;
    if (latest === undefined) return bytes;
    for (const [key, json] of latest) {
      const old = this.disk.data.get(key);
      if (old !== undefined) bytes -= entryBytes(key, old);
      if (json !== undefined) bytes += entryBytes(key, json);
    }
    return bytes;
  }

  /** The stored value, or undefined. @example node.storage.get<string[]>("log") ?? [] */
  get<T = unknown>(key: string): T | undefined {
    const latest = this.pending();
    const json = latest !== undefined && latest.has(key) ? latest.get(key) : this.disk.data.get(key);
    return json === undefined ? undefined : (JSON.parse(json) as T);
  }

  /** Store a JSON copy of `value` (it must be JSON-serialisable). @example node.storage.set("votedFor", "b") */
  set(key: string, value: unknown): void {
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError(`storage.set("${key}"): value is not JSON-serialisable (${typeof value})`);
    this.write(key, json);
  }

  /** True if `key` is stored. @example node.storage.has("term") */
  has(key: string): boolean {
    const latest = this.pending();
    return latest !== undefined && latest.has(key) ? latest.get(key) !== undefined : this.disk.data.has(key);
  }

  /** Remove a key. @example node.storage.delete("snapshot") */
  delete(key: string): void {
    this.write(key, undefined);
  }

  /**
   * Make every buffered write durable, in the order they were made (fsync). On a durable disk
   * there is nothing to flush; the call is still counted in `syncs`. A crashed incarnation's sync
   * has no effect.
   *
   * @example
   * node.storage.set("log", log);
   * node.storage.sync();               // now a crash cannot lose it
   * node.reply(req, { type: "append_ok" });
   */
  sync(): void {
    if (!this.writable()) return;
    this.disk.syncs++;
    for (const [key, json] of this.buffer) {
      if (json === undefined) this.disk.remove(key);
      else this.disk.put(key, json);
    }
    this.buffer = [];
    this.latest = new Map();
  }

  /** Stored keys in insertion order (as they will be on disk after a sync). @example node.storage.keys() */
  keys(): string[] {
    const latest = this.pending();
    if (latest === undefined) return Array.from(this.disk.data.keys());
    const keys = new Set(this.disk.data.keys());
    for (const [key, json] of this.buffer) {
      if (json === undefined) keys.delete(key);
      else keys.add(key); // a new key (or one deleted before) goes to the end, as on the disk
    }
    return Array.from(keys);
  }

  /** All stored values as a plain object (copies). @example node.storage.snapshot() */
  snapshot(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of this.keys()) out[key] = this.get(key);
    return out;
  }

  private write(key: string, json: string | undefined): void {
    if (!this.writable()) return; // a crashed incarnation's write never reaches the disk
    if (this.disk.mode === "durable") {
      if (json === undefined) this.disk.remove(key);
      else this.disk.put(key, json);
      return;
    }
    this.buffer.push([key, json]);
    this.latest.set(key, json);
  }

  /** The buffered writes reads must see: none on a durable disk, and none once this incarnation has crashed. */
  private pending(): Map<string, string | undefined> | undefined {
    if (this.buffer.length === 0) return undefined;
    if (!this.writable()) {
      this.buffer = []; // the crash lost them
      this.latest = new Map();
      return undefined;
    }
    return this.latest;
  }
}
