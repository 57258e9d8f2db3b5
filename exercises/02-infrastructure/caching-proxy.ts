/**
 * Exercise 02.2 — caching proxy with a TTL (15 points). Graded by `npm test`
 * (test/02-infrastructure.test.ts), or alone with `npm run grade -- 02.2`.
 *
 * A caching proxy answers reads for an origin server and keeps recent answers, so that a popular
 * key does not cost a trip to the origin every time. Clients send the proxy
 * `{ type: "get", key: "user:17", msg_id: 4 }` and expect a reply
 * `{ type: "get_ok", key: "user:17", value: …, in_reply_to: 4 }` (`node.reply(get, …)`). The proxy
 * reads the origin with `{ type: "read", key }`; the origin replies
 * `{ type: "read_ok", key, value }` (`await node.rpc(origin, { type: "read", key })` gives you
 * that reply). Values change at the origin over time.
 *
 * The freshness rule, exactly as the grader checks it: a `get_ok` sent at time t may carry value
 * v for key k only if a `read_ok` from the origin with key k and value v reached the proxy at a
 * time f with t − ttlMs ≤ f ≤ t. So remember, per key, the value and the time its read_ok
 * arrived (`node.now()` right after the rpc returns) or, stricter and also fine, the time you
 * sent the read; serve from the cache only while `node.now() − fetchedAtMs ≤ ttlMs`, and read the
 * origin again otherwise. A hit does not make an entry younger.
 *
 * The cache is also graded on how well it caches: hit ratio = 1 − (reads you sent to the origin)
 * / (gets that reached you). The grader computes the ratio of an ideal cache on the same gets —
 * walking each key's gets in arrival order, a get costs one read when it comes more than ttlMs
 * after the key's last counted read — and your ratio must be at least that ideal minus 0.17. On
 * the grader's workload the ideal reaches 0.51–0.78; the reference (one entry per key, no
 * coalescing of concurrent misses) falls at most 0.11 short of it, a cache per client 0.24–0.45
 * short, and no cache at all scores 0. Keep one cache per key, shared by all clients.
 *
 * How it is graded: the grader plays the origin (eight keys whose values change every 100–500 ms)
 * and four or five clients that send 20–30 gets each over two seconds, mostly for a few hot keys
 * (Zipf weights 1/rank: the hottest key gets about a third of the gets), with msg_ids you cannot
 * guess; ttlMs is drawn per trial between 150 and 400 ms. Other nodes are spawned first (so
 * `node.peers()[0]` is not the origin) and names change from run to run. The network loses
 * nothing; latency 5–15 ms, unordered. Each get must get exactly one get_ok, to the client that
 * asked, with its key and `in_reply_to` = its msg_id, and a fresh value; after the last get_ok the
 * run goes on for 1 s, and the proxy must send nothing more. 27 trials for each of 5 seeds. Use
 * `node.now()`, never `Date.now()` (the grader fails it).
 *
 * Tools: `node.on("get", handler)`, `await node.rpc(origin, body)`, `node.reply(get, body)`,
 * `node.now()`, a `Map`.
 */
import type { Node } from "../../lib/node";
import { NotImplementedError } from "../not-implemented";

/**
 * A caching proxy in front of `origin` that serves a cached value for at most `ttlMs` after
 * fetching it.
 *
 * @example
 * sim.spawn("proxy", (node) => cachingProxy(node, "origin", 200));
 */
export function cachingProxy(node: Node, origin: string, ttlMs: number): void {
  // Your code here (02.2)
  throw new NotImplementedError("02.2 caching-proxy", "exercises/02-infrastructure/caching-proxy.ts");
}
