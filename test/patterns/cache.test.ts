// The TTL + LRU cache on its own: what it evicts, what it refuses to serve, what it counts.
// Virtual time is passed in by the caller, so every scenario names its instants.
import { describe, expect, it } from "vitest";
import { Prng, TtlLruCache } from "../../lib";

describe("TtlLruCache", () => {
  it("LRU: a full cache evicts the key used least recently, not the one stored first", () => {
    const cache = new TtlLruCache<string>({ capacity: 3 });
    cache.set("a", "A", 1, 0);
    cache.set("b", "B", 1, 1);
    cache.set("c", "C", 1, 2);
    expect(cache.get("a", 3)?.value).toBe("A"); // a is now the most recently used
    cache.set("d", "D", 1, 4); // full: b (used at t=1) goes
    expect(cache.keys()).toEqual(["c", "a", "d"]);
    expect(cache.get("b", 5)).toBeUndefined();
    expect(cache.stats).toMatchObject({ hits: 1, misses: 1, evictions: 1, expirations: 0 });
    cache.set("c", "C2", 2, 6); // rewriting a present key evicts nothing and makes it recent
    expect(cache.keys()).toEqual(["a", "d", "c"]);
    expect(cache.stats.evictions).toBe(1);
  });

  it("TTL: an entry is served while younger than the TTL and never at or after it (RFC 9111 §4.2)", () => {
    const cache = new TtlLruCache<string>({ capacity: 10, ttlMs: 100 });
    cache.set("k", "v1", 1, 1000);
    expect(cache.get("k", 1099.5)).toMatchObject({ value: "v1", ageMs: 99.5 });
    expect(cache.get("k", 1100)).toBeUndefined(); // exactly the TTL old: expired
    expect(cache.size).toBe(0); // and dropped
    expect(cache.stats).toEqual({ hits: 1, misses: 1, expirations: 1, evictions: 0, staleHits: 0 });
    // reading does not extend the lifetime: the TTL counts from the store
    cache.set("k", "v2", 2, 2000);
    cache.get("k", 2090);
    expect(cache.get("k", 2100)).toBeUndefined();
  });

  it("TTL under a random workload: no hit is ever older than the TTL, and the counters add up", () => {
    const rng = new Prng(7);
    const ttlMs = 25;
    const cache = new TtlLruCache<number>({ capacity: 8, ttlMs });
    const storedAt = new Map<string, number>();
    let nowMs = 0;
    let gets = 0;
    let hitAgeMsMax = 0;
    let sizeMax = 0;
    let ageMismatches = 0;
    for (let i = 0; i < 5000; i++) {
      nowMs += rng.exponential(2);
      const key = `k${rng.int(0, 20)}`;
      gets++;
      const hit = cache.get(key, nowMs);
      if (hit === undefined) {
        cache.set(key, i, i, nowMs);
        storedAt.set(key, nowMs);
      } else {
        if (hit.ageMs !== nowMs - storedAt.get(key)!) ageMismatches++;
        hitAgeMsMax = Math.max(hitAgeMsMax, hit.ageMs);
      }
      sizeMax = Math.max(sizeMax, cache.size);
    }
    expect(ageMismatches).toBe(0);
    expect(hitAgeMsMax).toBeLessThan(ttlMs);
    expect(hitAgeMsMax).toBeGreaterThan(0.8 * ttlMs); // the bound is actually approached
    expect(sizeMax).toBe(8);
    const s = cache.stats;
    expect(s.hits + s.misses).toBe(gets);
    expect(s.expirations).toBeGreaterThan(0);
    expect(s.evictions).toBeGreaterThan(0);
    expect(cache.hitRatio).toBeCloseTo(s.hits / gets, 10);
  });

  it("staleness: a hit counts as stale when the caller says the origin has a newer version", () => {
    const cache = new TtlLruCache<string>({ capacity: 2, ttlMs: 1000 });
    cache.set("x", "x@3", 3, 0);
    expect(cache.get("x", 10, 3)?.stale).toBe(false);
    expect(cache.get("x", 20, 4)?.stale).toBe(true); // the origin moved on; the cache cannot know
    expect(cache.get("x", 30)?.stale).toBe(false); // no version given: not judged
    expect(cache.stats.staleHits).toBe(1);
  });

  it("a TTL of 0 caches nothing; Infinity never expires", () => {
    const none = new TtlLruCache<string>({ capacity: 4, ttlMs: 0 });
    none.set("a", "A", 1, 0);
    expect(none.get("a", 0)).toBeUndefined();
    const forever = new TtlLruCache<string>({ capacity: 4 });
    forever.set("a", "A", 1, 0);
    expect(forever.get("a", 1e12)?.value).toBe("A");
  });

  it("rejects a capacity or TTL that makes no sense, saying which", () => {
    expect(() => new TtlLruCache({ capacity: 0 })).toThrow(/capacity must be a whole number ≥ 1/);
    expect(() => new TtlLruCache({ capacity: 2.5 })).toThrow(/capacity/);
    expect(() => new TtlLruCache({ capacity: 2, ttlMs: -1 })).toThrow(/ttlMs must be/);
  });
});
