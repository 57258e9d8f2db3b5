// The chat front-end: serves `post` (through a replaceable PostHandler, see post.ts) and `read`.
// Stateless: any front-end can serve any request, so the gateway may send a retry elsewhere. A post
// goes to the rooms log (key = room, so one room has one order); both a read and a post's lookup
// of the seq its message got read the room's history from the history store (quorum, R of N), or
// — in small tests — from a materializer running on the same node.
import type { Node } from "../node/index";
import { logProducer, type LogProducer } from "../log/index";
import { quorumStoreClient, type QuorumStoreClient } from "../replication/index";
import { verifyToken, type VerificationKey } from "../security/index";
import type { HistoryMaterializer } from "./materializer";
import { handlePost as referenceHandlePost, type PostContext, type PostHandler } from "./post";
import { messagesAfter, type ChatMessage } from "./rooms";
import { decodeHistory, historyKey } from "./store";
import { CHAT_ERRORS, parseRead } from "./wire";

/** Where a front-end reads room histories: the quorum store's replicas. */
export interface HistoryStoreOptions {
  /** The store's replicas (N = their number unless `n` says otherwise). */
  replicas: string[];
  /** Default 3 (or the number of replicas if fewer). */
  n?: number;
  /** Default 2. */
  r?: number;
  /** Default 2. */
  w?: number;
  /** Per phase. Default 60. */
  timeoutMs?: number;
}

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
  /** Producer retries (to the next broker) before a post fails with 11. Default 3. */
  retries?: number;
  /** Read histories from this quorum store (the cluster's design). */
  store?: HistoryStoreOptions;
  /** Or read them from this materializer on the same node (small tests). One of the two is needed for `read` and `lookup`. */
  answerFrom?: HistoryMaterializer;
  /** How long a post may wait for the history to hold it (PostContext.catchUpMs). Default 500. */
  catchUpMs?: number;
  /** The post path. Default {@link handlePost} (answers the seq the history holds). */
  handlePost?: PostHandler;
  /** Told (besides the trace's `log` event) when the post handler throws or returns no reply body: a sentence naming the node and time. */
  onProblem?: (text: string) => void;
}

/** What a front-end counts. */
export interface ChatFrontEnd {
  readonly producer: LogProducer;
  /** The history store's client (with `store`). */
  readonly store: QuorumStoreClient | undefined;
  readonly counters: { posted: number; rejected: number; unavailable: number; reads: number; failed: number };
}

/**
 * Serve `post` and `read` on `node`. A post is handed to `handlePost` with a {@link PostContext}
 * (append = the log producer's send, acks=all; lookup = a read of the room's history); a read
 * checks the token (14), reads the history (11 when the store has no quorum) and answers
 * `read_ok { room, messages }` with the messages after `after`. A handler that throws is answered
 * with error 11 and reported as a failure naming the node and time (`counters.failed`, a `log`
 * trace event), never taking the node down.
 *
 * @example
 * const key = hs256Key("k1", secretFromLabel("chat"));
 * sim.spawn("f1", (node) => void chatFrontEnd(node, { brokers: ["b1", "b2", "b3"], keys: keySet([key]), store: { replicas: ["h1", "h2", "h3"] } }));
 * // a client: node.rpc("f1", { type: "post", token: signToken({ sub: "ada", aud: "chat" }, key), room: "r1", id: "c1:1", text: "hi" })
 */
export function chatFrontEnd(node: Node, options: ChatFrontEndOptions): ChatFrontEnd {
  if (!Array.isArray(options.brokers) || options.brokers.length === 0) throw new Error(`chatFrontEnd on ${node.id} at t=${node.now()}ms: options.brokers must list at least one broker`);
  const audience = options.audience ?? "chat";
  const handler = options.handlePost ?? referenceHandlePost;
  if (typeof handler !== "function") throw new Error(`chatFrontEnd on ${node.id} at t=${node.now()}ms: options.handlePost must be a function`);
  const producer = logProducer(node, {
    broker: options.brokers,
    topic: options.topic ?? "rooms",
    idempotent: options.idempotent ?? true,
    timeoutMs: options.timeoutMs ?? 100,
    retries: options.retries ?? 3,
  });
  const s = options.store;
  const store =
    s === undefined
      ? undefined
      : quorumStoreClient(node, { replicas: s.replicas, n: s.n ?? Math.min(3, s.replicas.length), r: s.r ?? 2, w: s.w ?? 2, timeoutMs: s.timeoutMs ?? 60, readRepair: false, mode: "consistent" });
  const counters = { posted: 0, rejected: 0, unavailable: 0, reads: 0, failed: 0 };

  async function historyOf(room: string): Promise<readonly ChatMessage[]> {
    if (store !== undefined) return decodeHistory(await store.get(historyKey(room)));
    if (options.answerFrom !== undefined) return options.answerFrom.rooms()[room] ?? [];
    throw new Error(`front-end ${node.id} has no history to read (give options.store or options.answerFrom)`);
  }

  const ctx: PostContext = {
    node,
    keys: options.keys,
    audience,
    catchUpMs: options.catchUpMs ?? 500,
    append: async (key, value) => {
      const { partition, offset } = await producer.send(key, value);
      return { partition, offset };
    },
    lookup: async (room, id) => (await historyOf(room)).find((m) => m.id === id)?.seq,
  };

  node.on("post", async (msg) => {
    let reply: Record<string, unknown>;
    try {
      reply = await handler(ctx, msg.body);
    } catch (e) {
      counters.failed++;
      const text = `post handler threw on ${node.id} at t=${node.now()}ms: ${(e as Error)?.message ?? String(e)}`;
      node.log(text);
      options.onProblem?.(text);
      reply = { type: "error", code: CHAT_ERRORS.unavailable, text };
    }
    if (reply === null || typeof reply !== "object" || typeof reply.type !== "string") {
      counters.failed++;
      const text = `post handler on ${node.id} at t=${node.now()}ms returned ${JSON.stringify(reply)}, not a reply body`;
      node.log(text);
      options.onProblem?.(text);
      reply = { type: "error", code: CHAT_ERRORS.unavailable, text };
    }
    if (reply.type === "post_ok") counters.posted++;
    else if (reply.code === CHAT_ERRORS.unavailable) counters.unavailable++;
    else counters.rejected++;
    const { msg_id: _m, in_reply_to: _r, ...body } = reply;
    node.reply(msg, body as { type: string });
  });

  node.on("read", async (msg) => {
    const parsed = parseRead(msg.body);
    if ("code" in parsed) {
      counters.rejected++;
      node.reply(msg, { type: "error", code: parsed.code, text: parsed.text });
      return;
    }
    const { token, room, after } = parsed.request;
    const verdict = verifyToken(token, { keys: options.keys, now: node.clock(), audience });
    if (verdict.kind !== "valid") {
      counters.rejected++;
      node.reply(msg, { type: "error", code: CHAT_ERRORS.unauthorized, text: `unauthorized: ${verdict.reason}` });
      return;
    }
    try {
      const messages = messagesAfter({ [room]: await historyOf(room) }, room, after);
      counters.reads++;
      node.reply(msg, { type: "read_ok", room, messages });
    } catch (e) {
      counters.unavailable++;
      node.reply(msg, { type: "error", code: CHAT_ERRORS.unavailable, text: `history store unavailable: ${(e as Error).message}` });
    }
  });
  return { producer, store, counters };
}
