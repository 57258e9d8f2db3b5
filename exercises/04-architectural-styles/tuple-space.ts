/**
 * Exercise 04.1 — tuple space (15 points). Graded by `npm test`
 * (test/04-architectural-styles.test.ts), or alone with `npm run grade -- 04.1`.
 *
 * In a data-space architecture (Linda, JavaSpaces) processes never address each other: they put
 * tuples into a shared space and take them out by pattern. Your node is the space. Clients send:
 *
 * - `{ type: "out", tuple }` — add the tuple; reply `{ type: "out_ok" }`.
 * - `{ type: "rd", pattern }` — reply `{ type: "rd_ok", tuple }` with a matching tuple, which stays.
 * - `{ type: "in", pattern }` — reply `{ type: "in_ok", tuple }` with a matching tuple, and remove
 *   it: a tuple is taken by exactly one `in`, and never returned again after that.
 *
 * A tuple is a JSON array of strings, numbers and booleans, e.g. `["job", 7, "resize"]`. A pattern
 * is an array of the same length whose `null` entries are wildcards: `["job", null, null]` matches
 * `["job", 7, "resize"]` but not `["job", 7]` (another length) nor `["done", 7, "resize"]`.
 * When several tuples match, return any of them.
 *
 * When nothing matches, the request **blocks**: do not reply yet. When a matching tuple arrives
 * later (an `out`), answer the waiting requests in the order they arrived: every waiting `rd`
 * that matches gets the tuple, and the first waiting `in` that matches takes it (the waiting
 * requests after that `in` stay blocked, and the tuple does not enter the space). A request that
 * can be answered must be answered at once — at the virtual time its message (or the matching
 * `out`) arrives. Reply with `node.reply(request, …)`: to the request's `src`, `in_reply_to` = its
 * `msg_id`; two clients may use the same `msg_id`.
 *
 * How it is graded. The grader plays three or four clients (names drawn per trial; other nodes are
 * spawned first, so `node.peers()[0]` is never a client). They send 26–35 requests in the first
 * 600 ms with tags and numbers you cannot guess, tuples of different lengths under one tag,
 * patterns that never match (they must stay blocked), and several `in`s racing for one tuple. The
 * network is reliable: no loss, no duplication, unordered, one-way latency 5–15 ms. From the trace
 * the grader replays the space in the order your node handled its messages and checks that every
 * reply answers a request it had received and not yet answered, that each tuple returned matches
 * the request's pattern and was in the space at that moment, that rd leaves it and in removes it,
 * the FIFO rule above, and that no request stays waiting while a matching tuple is in the space.
 * The run goes on 1 s after the last request. 27 trials for each of 5 seeds.
 *
 * Tools: `node.on(type, handler)`, `node.reply(request, body)`; keep the waiting requests (the
 * messages themselves) in an array.
 */
import type { Node } from "../../lib/node";
import { NotImplementedError } from "../not-implemented";

/**
 * A tuple-space server: out, rd and in, with blocked rd/in served when a matching tuple arrives.
 *
 * @example
 * sim.spawn("space", (node) => tupleSpace(node));
 */
export function tupleSpace(node: Node): void {
  // Your code here (04.1)
  throw new NotImplementedError("04.1 tuple-space", "exercises/04-architectural-styles/tuple-space.ts");
}
