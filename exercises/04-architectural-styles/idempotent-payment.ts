/**
 * Exercise 04.3 — idempotent payment handler (15 points). Graded by `npm test`
 * (test/04-architectural-styles.test.ts), or alone with `npm run grade -- 04.3`.
 *
 * A client that gets no answer to "charge 40 to account acme" cannot tell whether the charge was
 * lost or only its reply: it must retry, and the server must not charge twice. Payment APIs
 * (Stripe's `Idempotency-Key`) solve it with a key the client draws once per payment and sends
 * with every retry. Your node is the payment server:
 *
 * - request `{ type: "pay", key, account, amount }` (key and account strings, amount a positive
 *   whole number; every account starts at balance 0);
 * - the first time a key arrives: add `amount` to the account's balance and reply
 *   `{ type: "pay_ok", key, balance }` with the balance right after this payment;
 * - the same key again with the same account and amount (a retry — a new `msg_id` — or a
 *   network duplicate): change nothing and reply **the same answer** as the first time, the
 *   balance stored with the key, not today's balance;
 * - the same key with another account or amount: change nothing, reply
 *   `{ type: "error", code: "key_reused" }` (every time).
 *
 * The server crashes once and restarts; only `node.storage` survives, and the disk is
 * **buffered**: `node.storage.set` writes wait until `node.storage.sync()`, and a crash loses
 * writes not yet synced. So store the balance and the key's record, `sync()`, and only then
 * reply: an answer must never promise what a crash can take back. Reply with
 * `node.reply(request, …)`.
 *
 * How it is graded. The grader plays two or three clients (names drawn per trial; other nodes are
 * spawned first, so `node.peers()[0]` is never a client) that make 10–15 payments to two
 * accounts in the first 500 ms. Keys and `msg_id`s are random (two clients reuse each other's
 * msg_ids); each payment is resent every 60 ms with a new msg_id until an answer arrives. The
 * network loses 10% and duplicates 10% of messages, unordered, latency 5–15 ms. Your server
 * crashes once between 150 and 350 ms, after its last 40 ms of replies were lost, and restarts
 * 60–150 ms later. One payment's key is then reused with another amount or account. When every
 * payment has its answer, the grader pays once more into each account with a fresh key: its
 * balance must be the sum of all the account's payments, each counted once. For every account,
 * the balances you replied, in increasing order, must each add exactly the payment they answer
 * to the one before. 27 trials for each of 5 seeds; the run goes on 1 s after the last answer.
 *
 * Tools: `node.on("pay", handler)`, `node.storage.get(key)`, `node.storage.set(key, value)`,
 * `node.storage.sync()`, `node.reply(request, body)`.
 */
import type { Node } from "../../lib/node";
import { NotImplementedError } from "../not-implemented";

/**
 * A payment server that applies each idempotency key once, across retries, duplicates and restarts.
 *
 * @example
 * sim.spawn("payments", (node) => paymentServer(node), { disk: "buffered" });
 */
export function paymentServer(node: Node): void {
  // Your code here (04.3)
  throw new NotImplementedError("04.3 idempotent-payment", "exercises/04-architectural-styles/idempotent-payment.ts");
}
