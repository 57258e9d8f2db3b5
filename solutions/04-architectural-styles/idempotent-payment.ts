/**
 * Reference solution of exercise 04.3 — idempotent payment handler (see
 * exercises/04-architectural-styles/idempotent-payment.ts).
 *
 * The idempotency key is the unit of work: the first request with a key applies the payment and
 * stores, in one synced write, the new balance and the answer under the key; every later request
 * with that key gets the stored answer, or `key_reused` if its body differs (the scheme of Stripe's
 * `Idempotency-Key` header; Leach et al., "The Idempotency-Key HTTP Header Field", IETF draft).
 * Nothing is in memory, so a restart forgets nothing that was acknowledged.
 */
import type { Node } from "../../lib/node";

/** What is stored per key: the request's body and the answer it got. */
interface KeyRecord {
  account: string;
  amount: number;
  balance: number;
}

/**
 * A payment server that applies each idempotency key once, across retries, duplicates and restarts.
 *
 * @example
 * sim.spawn("payments", (node) => paymentServer(node), { disk: "buffered" });
 */
export function paymentServer(node: Node): void {
  node.on("pay", (request) => {
    const key: string = request.body.key;
    const account: string = request.body.account;
    const amount: number = request.body.amount;
    const record = node.storage.get<KeyRecord>(`key:${key}`);
    if (record !== undefined) {
      if (record.account !== account || record.amount !== amount) node.reply(request, { type: "error", code: "key_reused", key });
      else node.reply(request, { type: "pay_ok", key, balance: record.balance });
      return;
    }
    const balance = (node.storage.get<number>(`balance:${account}`) ?? 0) + amount;
    node.storage.set(`balance:${account}`, balance);
    node.storage.set(`key:${key}`, { account, amount, balance });
    node.storage.sync(); // durable before anyone hears of it
    node.reply(request, { type: "pay_ok", key, balance });
  });
}
