// The chat front-end's post path: parse the request, check the token, append the message to the
// room's log partition (key = room, so one room has one order), answer with the offset as `seq`.
// Stateless: any front-end can serve any request, so the gateway may send a retry elsewhere.
import type { Node } from "../node/index";
import { logProducer, type LogProducer } from "../log/index";
import { verifyToken, type VerificationKey } from "../security/index";
import type { HistoryMaterializer } from "./materializer";
import { CHAT_ERRORS, parsePost } from "./wire";

/** Options of {@link chatFrontEnd}. Times are virtual ms. */
export interface ChatFrontEndOptions {
  /** The log brokers, leader first. */
  brokers: string[];
  /** The log topic holding every room's messages. Default "rooms". */
  topic?: string;
  /** Token verification keys by kid (e.g. `keySet([hs256Key("k1", secret)])`). */
  keys: Record<string, VerificationKey>;
  /** The audience a token must name. Default "chat". */
  audience?: string;
  /** Use the log's idempotent producer. Default true. */
  idempotent?: boolean;
  /** Producer attempt timeout. Default 100. */
  timeoutMs?: number;
  /**
   * Answer with the seq the room's history holds for the message id (the first copy in the log),
   * read from this materializer once it has caught up with the record just produced. Without it
   * the reply carries the new record's offset, which for a retried post is the offset of a
   * duplicate the history drops (the client is told a seq that never appears).
   */
  answerFrom?: HistoryMaterializer;
  /** With `answerFrom`: how long to wait for it to catch up before replying error 11. Default 500. */
  catchUpMs?: number;
}

/** What a front-end counts. */
export interface ChatFrontEnd {
  readonly producer: LogProducer;
  readonly counters: { posted: number; rejected: number; unavailable: number };
}

/**
 * Serve `post` requests on `node`. Replies `post_ok { room, seq }` once the log has the message,
 * `error` 12 for a malformed body, 14 for a bad token, 11 when the log does not answer (the client
 * may retry with the same id; the history materializer drops the duplicate by id).
 *
 * @example
 * const key = hs256Key("k1", secretFromLabel("chat"));
 * sim.spawn("b1", (node) => void logBroker(node, { topics: [{ name: "rooms", partitions: 4 }] }));
 * sim.spawn("f1", (node) => void chatFrontEnd(node, { brokers: ["b1"], keys: keySet([key]) }));
 * // a client: node.rpc("f1", { type: "post", token: signToken({ sub: "ada", aud: "chat" }, key), room: "r1", id: "c1:1", text: "hi" })
 */
export function chatFrontEnd(node: Node, options: ChatFrontEndOptions): ChatFrontEnd {
  if (!Array.isArray(options.brokers) || options.brokers.length === 0) throw new Error(`chatFrontEnd on ${node.id}: options.brokers must list at least one broker`);
  const audience = options.audience ?? "chat";
  const producer = logProducer(node, {
    broker: options.brokers,
    topic: options.topic ?? "rooms",
    idempotent: options.idempotent ?? true,
    timeoutMs: options.timeoutMs ?? 100,
  });
  const counters = { posted: 0, rejected: 0, unavailable: 0 };

  node.on("post", async (msg) => {
    const parsed = parsePost(msg.body);
    if ("code" in parsed) {
      counters.rejected++;
      node.reply(msg, { type: "error", code: parsed.code, text: parsed.text });
      return;
    }
    const { token, room, id, text } = parsed.request;
    const verdict = verifyToken(token, { keys: options.keys, now: node.now(), audience });
    if (verdict.kind !== "valid") {
      counters.rejected++;
      node.reply(msg, { type: "error", code: CHAT_ERRORS.unauthorized, text: `unauthorized: ${verdict.reason}` });
      return;
    }
    try {
      const record = await producer.send(room, { id, user: verdict.claims.sub, text });
      let seq: number | undefined = record.offset;
      const history = options.answerFrom;
      if (history !== undefined) {
        const deadlineMs = node.now() + (options.catchUpMs ?? 500);
        while (!history.caughtUp(record.partition, record.offset) && node.now() < deadlineMs) await node.sleep(5);
        seq = history.seqOf(room, id);
      }
      if (seq === undefined) {
        counters.unavailable++;
        node.reply(msg, { type: "error", code: CHAT_ERRORS.unavailable, text: `history of ${room} has not caught up; retry with the same id` });
        return;
      }
      counters.posted++;
      node.reply(msg, { type: "post_ok", room, seq });
    } catch (e) {
      counters.unavailable++;
      node.reply(msg, { type: "error", code: CHAT_ERRORS.unavailable, text: `log unavailable: ${(e as Error).message}` });
    }
  });
  return { producer, counters };
}
