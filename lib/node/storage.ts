/**
 * A node's durable storage: the only state that survives a crash. Values are stored as JSON
 * copies, so later changes to an object you stored do not change what is on "disk"
 * (exactly like writing it to a file).
 *
 * @example
 * sim.spawn("a", (node) => {
 *   const term = node.storage.get<number>("term") ?? 0;   // survives restart
 *   node.storage.set("term", term + 1);
 * });
 */
export class DurableStorage {
  private readonly data = new Map<string, string>();
  /** Number of `set`/`delete` calls so far (e.g. to count disk writes). */
  writes = 0;

  /** The stored value, or undefined. @example node.storage.get<string[]>("log") ?? [] */
  get<T = unknown>(key: string): T | undefined {
    const json = this.data.get(key);
    return json === undefined ? undefined : (JSON.parse(json) as T);
  }

  /** Store a JSON copy of `value` (it must be JSON-serialisable). @example node.storage.set("votedFor", "b") */
  set(key: string, value: unknown): void {
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError(`storage.set("${key}"): value is not JSON-serialisable (${typeof value})`);
    this.data.set(key, json);
    this.writes++;
  }

  /** True if `key` is stored. @example node.storage.has("term") */
  has(key: string): boolean {
    return this.data.has(key);
  }

  /** Remove a key. @example node.storage.delete("snapshot") */
  delete(key: string): void {
    this.data.delete(key);
    this.writes++;
  }

  /** Stored keys in insertion order. @example node.storage.keys() */
  keys(): string[] {
    return Array.from(this.data.keys());
  }

  /** All stored values as a plain object (copies). @example node.storage.snapshot() */
  snapshot(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of this.data) out[k] = JSON.parse(v);
    return out;
  }
}
