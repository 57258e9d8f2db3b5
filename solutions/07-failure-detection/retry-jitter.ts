/**
 * Exercise 07.3 — retry with full jitter (15 points). Graded by `npm test` (test/07-failure-detection.test.ts),
 * or alone with `npm run grade -- 07.3`.
 *
 * Clients that retry a failed call after the same delay retry together, and collide again (Brooker,
 * "Exponential Backoff and Jitter", AWS Architecture Blog, 2015; lecture 000: timeouts and
 * retries). Exponential backoff spreads the retries out in time; full jitter also spreads them
 * out among clients by drawing each delay at random from the whole window. Write
 * `retryWithFullJitter(node, op, { baseMs, capMs, retriesMax })`:
 *
 * - call `op()` at once; if it resolves, resolve with its value;
 * - if it rejects, and fewer than `retriesMax` retries were made, sleep a delay drawn uniformly
 *   from [0, min(capMs, baseMs·2ⁿ)] with `node.rng` (n = 0 before the first retry, 1 before the
 *   second, …), with `node.sleep`, and call `op()` again;
 * - after `retriesMax` retries (`retriesMax + 1` calls of op in all) give up: reject with the error
 *   the last call rejected with (that very error, not a new one), and call op no more.
 *
 * How it is graded: the grader's op writes to its own server node (`write`), which answers
 * `conflict` (op then rejects with a ConflictError) a drawn number of times before `write_ok`;
 * sometimes more often than retriesMax + 1, so your function must give up. baseMs 5–40,
 * capMs 2–20 × baseMs, retriesMax 2–8, drawn per run; latency 5–15 ms. It checks the number of
 * calls, the value or the very error returned, each delay (from op's rejection to the next call)
 * against its window [0, min(capMs, baseMs·2ⁿ)] (1 µs slack), that nothing is called in the 1 s
 * after you return, and — over all the delays of a seed (about 90), each divided by its window —
 * that they are spread uniformly over [0, 1]: Kolmogorov–Smirnov distance below 2.23/√count
 * (α ≈ 0.0001; equal jitter, whose delays all lie in the window's upper half, is at 0.5). 27 runs
 * for each of 5 seeds.
 * Use node.rng and node.sleep, never Math.random or setTimeout (the grader fails them).
 */
import type { Node } from "../../lib/node";

/** The options of {@link retryWithFullJitter}. */
export interface RetryOptions {
  /** Window before the first retry: [0, baseMs]. */
  baseMs: number;
  /** The window never grows beyond [0, capMs]. */
  capMs: number;
  /** Retries after the first call; op is called at most retriesMax + 1 times. */
  retriesMax: number;
}

/**
 * Call `op` until it resolves, retrying after full-jitter delays; reject with op's last error after
 * `retriesMax` retries.
 *
 * @example
 * const reply = await retryWithFullJitter(node, () => node.rpc("db", { type: "write", key: "k", value: 1 }), {
 *   baseMs: 10, capMs: 200, retriesMax: 5,
 * });
 */
export async function retryWithFullJitter<T>(node: Node, op: () => Promise<T>, options: RetryOptions): Promise<T> {
  const { baseMs, capMs, retriesMax } = options;
  for (let n = 0; ; n++) {
    try {
      return await op();
    } catch (error) {
      if (n >= retriesMax) throw error; // gave up: the last error itself
      // Full jitter (Brooker): sleep = random_between(0, min(cap, base * 2 ** attempt)).
      await node.sleep(node.rng.uniform(0, Math.min(capMs, baseMs * 2 ** n)));
    }
  }
}
