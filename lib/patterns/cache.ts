// A cache: a bounded table of recently fetched values, kept close to the clients so that
// repeated reads do not travel to the origin. Lecture 000 ("Proxy": "a proxy performing caching is
// called a cache server") and lecture 003 ("Caching vs. replication": temporary copies of
// frequently accessed data, kept close to where it is needed).
//
// Two rules decide what the cache holds:
// - TTL (time to live): an entry is fresh while its age is below `ttlMs`, as in HTTP caching
//   (RFC 9111 §4.2: a response is fresh while its freshness lifetime exceeds its current age).
//   An expired entry is never served; the read counts as a miss and an expiration.
// - LRU (least recently used): when the table is full, storing a new key evicts the key whose last
//   use (read or write) is the oldest.
//
// The cache reads no clock: every call takes the virtual time `nowMs` from its caller (a node
// passes `node.now()`). It also counts **staleness**: a hit that serves a version older than the
// origin's current one. The cache cannot know the origin's version, so a caller that does (an
// experiment's oracle) passes it to `get`.

/** Options of a {@link TtlLruCache}. */
export interface CacheOptions {
  /** The most entries held at once (a whole number ≥ 1). */
  capacity: number;
  /** How long an entry stays fresh after it was stored, in virtual ms (≥ 0; 0 caches nothing). Default Infinity. */
  ttlMs?: number;
}

/** What the cache has counted since it was made. `hits + misses` is the number of `get` calls. */
export interface CacheStats {
  /** Reads answered from the cache. */
  hits: number;
  /** Reads the cache could not answer (absent or expired). */
  misses: number;
  /** Misses because the entry was older than the TTL (it is removed). */
  expirations: number;
  /** Entries removed to make room for a new key (LRU). */
  evictions: number;
  /** Hits that served a version older than the one the caller said is current. */
  staleHits: number;
}

/** A hit: the value, the version it was stored with, and its age. */
export interface CacheLookup<V> {
  value: V;
  version: number;
  /** `nowMs` minus the time it was stored. */
  ageMs: number;
  /** True when the caller passed the current version and this one is older. */
  stale: boolean;
}

interface Entry<V> {
  value: V;
  version: number;
  storedMs: number;
}

/**
 * A key–value cache with a time to live and least-recently-used eviction, counting hits, misses,
 * expirations, evictions and stale hits. A `Map` keeps keys in the order they were last used, so
 * every operation is O(1).
 *
 * @example
 * const cache = new TtlLruCache<string>({ capacity: 2, ttlMs: 100 });
 * cache.set("a", "A1", 1, 0);
 * cache.get("a", 50);          // { value: "A1", version: 1, ageMs: 50, stale: false }
 * cache.get("a", 150);         // undefined: 150 ms old, older than the TTL (an expiration)
 * cache.set("a", "A2", 2, 150);
 * cache.get("a", 160, 3);      // a hit, but stale: the origin is at version 3
 * cache.stats;                 // { hits: 2, misses: 1, expirations: 1, evictions: 0, staleHits: 1 }
 */
export class TtlLruCache<V = unknown> {
  readonly capacity: number;
  readonly ttlMs: number;
  private readonly entries = new Map<string, Entry<V>>();
  private readonly counts: CacheStats = { hits: 0, misses: 0, expirations: 0, evictions: 0, staleHits: 0 };

  constructor(options: CacheOptions) {
    const { capacity, ttlMs = Infinity } = options ?? ({} as CacheOptions);
    if (typeof capacity !== "number" || !Number.isInteger(capacity) || capacity < 1) {
      throw new Error(`cache: capacity must be a whole number ≥ 1 (entries), got ${String(capacity)}`);
    }
    if (typeof ttlMs !== "number" || Number.isNaN(ttlMs) || ttlMs < 0) {
      throw new Error(`cache: ttlMs must be a number of virtual ms ≥ 0 (or Infinity), got ${String(ttlMs)}`);
    }
    this.capacity = capacity;
    this.ttlMs = ttlMs;
  }

  /** Entries held now (expired ones count until a read finds them). @example cache.size */
  get size(): number {
    return this.entries.size;
  }

  /** A copy of the counters. @example cache.stats.hits */
  get stats(): CacheStats {
    return { ...this.counts };
  }

  /** `hits / (hits + misses)`, or 0 before the first read. @example cache.hitRatio */
  get hitRatio(): number {
    const reads = this.counts.hits + this.counts.misses;
    return reads === 0 ? 0 : this.counts.hits / reads;
  }

  /**
   * Read `key` at virtual time `nowMs`. A fresh entry is a hit and becomes the most recently used;
   * an expired one is removed (a miss and an expiration); an absent one is a miss. When
   * `currentVersion` is given (the origin's version now, known to an experiment), a hit with an
   * older version counts as stale.
   *
   * @example
   * const hit = cache.get("user:7", node.now());
   * if (hit === undefined) { ... read the origin, then cache.set(...) ... }
   */
  get(key: string, nowMs: number, currentVersion?: number): CacheLookup<V> | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) {
      this.counts.misses++;
      return undefined;
    }
    const ageMs = nowMs - entry.storedMs;
    if (!(ageMs < this.ttlMs)) {
      this.entries.delete(key);
      this.counts.misses++;
      this.counts.expirations++;
      return undefined;
    }
    this.entries.delete(key); // re-insert: now the most recently used
    this.entries.set(key, entry);
    this.counts.hits++;
    const stale = currentVersion !== undefined && entry.version < currentVersion;
    if (stale) this.counts.staleHits++;
    return { value: entry.value, version: entry.version, ageMs, stale };
  }

  /**
   * Store `value` (with the origin's `version`) for `key` at virtual time `nowMs`; its TTL starts
   * now. Storing a new key into a full cache evicts the least recently used key first.
   *
   * @example
   * cache.set("user:7", reply.body.value, reply.body.version, node.now());
   */
  set(key: string, value: V, version: number, nowMs: number): void {
    if (this.ttlMs === 0) return; // nothing would ever be fresh
    if (this.entries.has(key)) {
      this.entries.delete(key);
    } else if (this.entries.size >= this.capacity) {
      const lru = this.entries.keys().next().value as string;
      this.entries.delete(lru);
      this.counts.evictions++;
    }
    this.entries.set(key, { value, version, storedMs: nowMs });
  }

  /** Look without counting or touching the LRU order. @example cache.peek("a")?.version */
  peek(key: string): { value: V; version: number; storedMs: number } | undefined {
    const entry = this.entries.get(key);
    return entry === undefined ? undefined : { ...entry };
  }

  /** Keys from least to most recently used. @example cache.keys()[0] // the next to be evicted */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** Drop `key` (an invalidation); true if it was there. @example cache.invalidate("user:7") */
  invalidate(key: string): boolean {
    return this.entries.delete(key);
  }
}
