/**
 * Exercise 06.3 — Cristian's clock synchronisation (15 points). Graded by `npm test`
 * (test/06-time-and-concurrency.test.ts), or alone with `npm run grade -- 06.3`.
 *
 * A client keeps the time of a time server (the reference, "the true time" here) with Cristian's
 * algorithm (Cristian 1989): read the local clock (t0), ask the server, get its reading T, read the
 * local clock again (t1). With rtt = t1 − t0, the server's clock at t1 lay between T and T + rtt:
 * estimate T + rtt/2, within ± rtt/2. Between syncs, count on the local clock; it drifts by at most
 * ρ = driftPpmMax / 1e6, so both the rtt and the time since the sync may be off by that factor.
 *
 * Write `cristianClient(node, server, { periodMs, driftPpmMax })` → `{ now() }`:
 * - at once and then every periodMs, send `{ type: "clock_request" }` to `server`; it answers
 *   `{ type: "clock_reply", timeMs }` (its clock reading) with `in_reply_to` = your request's
 *   msg_id. Replies may be lost, duplicated, and come late: after your next request was sent;
 * - `now()` returns `{ timeMs, errorMs }`: your estimate of the server's time at this moment and a
 *   bound such that the server's time lies in [timeMs − errorMs, timeMs + errorMs]. Before any
 *   reply arrived: `{ timeMs: node.clock(), errorMs: Infinity }`.
 * Measure only with `node.clock()` (your local clock: offset and drifting). `node.now()` is the
 * simulator's true time, which no real node can read, and it is not the server's time either.
 *
 * A bound that always holds: with ρ as above, rtt/2 + ρ·rtt/(1−ρ) at t1, plus ρ·elapsed/(1−ρ)
 * for the elapsed local time since t1. A reply that came after a long round trip gives a worse
 * bound: keep the estimate whose errorMs is smaller now.
 *
 * How it is graded: 27 trials for each of 5 seeds; the server's clock is offset from the
 * simulator's time by up to ±100 s, yours by up to ±5 s and drifts by up to ±2% (driftPpmMax =
 * 20000); periodMs drawn 50–150 ms; the server answers after 0–2 ms; 5% loss, 5% duplication,
 * unordered links, latency 1–3 ms, and per trial the requests, the replies or both 5–60 ms slower
 * (so the two legs of a round trip differ); names drawn per trial, other nodes spawned first. The grader
 * calls now() every 20–80 ms from t=1000ms to t=3000ms and requires, at every call: the server's
 * time within [timeMs − errorMs, timeMs + errorMs], and errorMs ≤ 100 ms. You send only
 * clock_requests to the server.
 */
import type { Node } from "../../lib/node";
import { NotImplementedError } from "../not-implemented";

/** An estimate of the server's time with its error bound. */
export interface TimeEstimate {
  timeMs: number;
  errorMs: number;
}

/**
 * A Cristian client of `server`.
 *
 * @example
 * sim.spawn("c", (node) => {
 *   const clock = cristianClient(node, "server", { periodMs: 100, driftPpmMax: 20_000 });
 *   node.setTimer(1000, () => node.log(JSON.stringify(clock.now())));
 * });
 */
export function cristianClient(node: Node, server: string, options: { periodMs: number; driftPpmMax: number }): { now(): TimeEstimate } {
  // Your code here (06.3)
  throw new NotImplementedError("06.3 cristian", "exercises/06-time-and-concurrency/cristian.ts");
}
