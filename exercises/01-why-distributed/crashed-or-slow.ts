/**
 * Exercise 01.2 — crashed or slow? (15 points). Graded by `npm test` (test/01-why-distributed.test.ts);
 * `npm run grade -- 01.2` runs only this grader.
 *
 * A client watches a server and must say whether it has crashed. It only ever sees messages, so a
 * lost pong, a slow server and a dead one look alike for a while: the only tool is a timeout.
 * Write `crashDetector(node, server)`, which runs on the client node:
 *
 * - call `node.setState("alive")` at once when it starts;
 * - ping the server, `node.send(server, { type: "ping" })` (or `node.rpc`); the server answers
 *   every ping it receives with a reply `{ type: "pong" }` (`in_reply_to` = the ping's `msg_id`);
 * - call `node.setState("crashed")` when you conclude that the server has crashed, and
 *   `node.setState("alive")` again when a pong arrives after that.
 *
 * The grader's server (another node, named differently in every run) goes through bad periods:
 *
 * - two **slow periods** per run, 1–2.5 s each: it thinks 150–450 ms before each pong, so a round
 *   trip takes up to 500 ms (one-way latency is 5–15 ms, so 10–30 ms otherwise);
 * - two **lossy periods** per run, 1–2 s each: 30% of the pings and 30% of the pongs are lost,
 *   so a single ping goes unanswered about half the time (1 − 0.7 × 0.7 = 0.51);
 * - in 60% of the runs it really crashes, at a random time between 1.5 s and 3 s (in half of
 *   those it restarts 2.1–2.6 s later); in the others it never crashes (a run without a crash
 *   lasts 4 s; a run with one goes on for 2.5 s after the crash, or 1.5 s after the restart).
 *
 * Graded over 5 seeds × 50 runs (250 runs), with other nodes spawned first (`node.peers()[0]` is
 * not the server: talk to the `server` you were given):
 *
 * - **detection**: after a crash your client is "crashed" within 2000 ms, and stays "crashed"
 *   until a pong arrives; after a restart it is "alive" again within 1000 ms (keep pinging);
 * - **false reports**: "crashed" while the server is up counts as a false report; at most 1 of
 *   the 50 runs of a seed (2%) may have one. The reference has none in all 250 runs and detects
 *   every crash within about 1.6 s;
 * - "alive" at t=0, back to "alive" only after a pong has arrived, only pings to the server, and
 *   at most 40 pings in any second.
 *
 * A timeout shorter than 500 ms mistakes a slow server for a dead one; a single lost ping is no
 * proof either; a timeout of 3 s is too slow to detect. Use `node.setPeriodic` / `node.setTimer`
 * / `node.now()`, never `setTimeout`, `setInterval` or `Date.now` (the grader fails those: they
 * break replay by seed).
 *
 * Tools: `node.on(type, handler)`, `node.send(dest, body)`, `node.setPeriodic(ms, fn)`,
 * `node.now()`, `node.setState(state)`.
 */
import type { Node } from "../../lib/node";
import { NotImplementedError } from "../not-implemented";

/**
 * Watch `server` from `node`: state "alive" while the server answers, "crashed" once you conclude
 * that it has crashed.
 *
 * @example
 * sim.spawn("server", (node) => node.on("ping", (m) => node.reply(m, { type: "pong" })));
 * sim.spawn("client", (node) => crashDetector(node, "server"));
 */
export function crashDetector(node: Node, server: string): void {
  // Your code here (01.2)
  throw new NotImplementedError("01.2 crashed-or-slow", "exercises/01-why-distributed/crashed-or-slow.ts");
}
