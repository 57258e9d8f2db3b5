/**
 * What a node's disk holds: JSON texts by key, and how many writes reached it. It outlives every
 * incarnation of the node; each incarnation reaches it through its own `DurableStorage`.
 *
 * @example
 * const disk = new Disk();
 * new DurableStorage(disk).set("term", 3);
 * disk.writes; // 1
 */
export class Disk {
  /** @internal */
  readonly data = new Map<string, string>();
  /** Number of writes (`set`/`delete`) that reached the disk. */
  writes = 0;
}

/**
 * A node's durable storage: the only state that survives a crash. Values are stored as JSON
 * copies, so later changes to an object you stored do not change what is on "disk"
 * (exactly like writing it to a file).
 *
 * Each incarnation of a node has its own handle on the node's disk. Once that incarnation has
 * crashed, writes through its handle have no effect: code left over from a dead process (a
 * background task, a handle kept in a notebook) can never change what the next incarnation reads.
 *
 * @example
 * sim.spawn("a", (node) => {
 *   const term = node.storage.get<number>("term") ?? 0;   // survives restart
 *   node.storage.set("term", term + 1);
 * });
 */
export class DurableStorage {
  /**
   * @param disk the node's disk (a fresh one by default)
   * @param writable false once the incarnation that owns this handle has crashed
   */
  constructor(
    private readonly disk: Disk = new Disk(),
    private readonly writable: () => boolean = () => true,
  ) {}

  /** Number of writes (`set`/`delete`) that reached the disk, in every incarnation. @example node.storage.writes */
  get writes(): number {
    return this.disk.writes;
  }

  /** The stored value, or undefined. @example node.storage.get<string[]>("log") ?? [] */
  get<T = unknown>(key: string): T | undefined {
    const json = this.disk.data.get(key);
    return json === undefined ? undefined : (JSON.parse(json) as T);
  }

  /** Store a JSON copy of `value` (it must be JSON-serialisable). @example node.storage.set("votedFor", "b") */
  set(key: string, value: unknown): void {
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError(`storage.set("${key}"): value is not JSON-serialisable (${typeof value})`);
    if (!this.writable()) return; // a crashed incarnation's write never reaches the disk
    this.disk.data.set(key, json);
    this.disk.writes++;
  }

  /** True if `key` is stored. @example node.storage.has("term") */
  has(key: string): boolean {
    return this.disk.data.has(key);
  }

  /** Remove a key. @example node.storage.delete("snapshot") */
  delete(key: string): void {
    if (!this.writable()) return;
    this.disk.data.delete(key);
    this.disk.writes++;
  }

  /** Stored keys in insertion order. @example node.storage.keys() */
  keys(): string[] {
    return Array.from(this.disk.data.keys());
  }

  /** All stored values as a plain object (copies). @example node.storage.snapshot() */
  snapshot(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of this.disk.data) out[k] = JSON.parse(v);
    return out;
  }
}
