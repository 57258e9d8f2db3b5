// A chat client (a member): logs in at the token authority, then posts to rooms through the
// gateway, each post under a client-chosen id (`<client>:<n>`) that it reuses on every retry —
// after a timeout or an error 11 the post may or may not be in the log, and only the same id lets
// the service recognise the retry. Every post and read is one operation of a lib/history
// `HistoryRecorder` (invoked before the first attempt, completed by the last), so `measureBudgets`
// reads latency and messages per operation from the run.
import type { Node } from "../node/index";
import type { HistoryRecorder } from "../history/index";
import { login } from "../security/index";
import { backoffDelayMs, backoffPolicy } from "../failure/index";
import type { AckedPost, ChatMessage } from "./rooms";
import { CHAT_ERRORS } from "./wire";

/** Options of {@link chatClient}. Times are virtual ms. */
export interface ChatClientOptions {
  /** Where requests go (the gateway). */
  gateway: string;
  /** The token authority to log in at (unless `token` is given). */
  authority: string;
  user: string;
  password: string;
  /** Use this token instead of logging in (e.g. a forged one, for the security scenario). */
  token?: string;
  /** The rooms it posts to (one picked at random per post). */
  rooms: readonly string[];
  /** How many posts. */
  posts: number;
  /** Read a room after every this-many posts (0: never). Default 0. */
  readEvery?: number;
  /** Pause between operations: a uniform whole number of ms in [min, max]. Default [5, 40]. */
  thinkMs?: readonly [number, number];
  /** One attempt's timeout (a bit more than the gateway's request timeout). Default 400. */
  requestTimeoutMs?: number;
  /** Pause before retrying a post (doubled per attempt up to 8×). Default 20. */
  retryMs?: number;
  /** Attempts of one post before giving up (the post ends `info`: it may be in the log). Default 40. */
  attemptsMax?: number;
  /** Where operations are recorded. */
  recorder: HistoryRecorder;
  /** Where acknowledged posts are collected (for `checkRoomHistories`). */
  acked: AckedPost[];
  /** Called once when the client has finished all its operations. */
  onDone?: () => void;
}

/** A running client (its counters and whether it has finished). */
export interface ChatClient {
  readonly state: { done: boolean; acked: number; retries: number; failed: number; gaveUp: number; reads: number; readsFailed: number };
}

/**
 * Run a chat client on `node` (from its behaviour). It does not survive a crash: clients are not
 * crashed in the acceptance scenarios. Failures it meets are counted, never thrown.
 *
 * @example
 * const recorder = new HistoryRecorder();
 * const acked: AckedPost[] = [];
 * sim.spawn("c1", (node) => void chatClient(node, { gateway: "gw", authority: "auth", user: "ada", password: "pw-ada", rooms: ["r1"], posts: 5, recorder, acked }));
 */
export function chatClient(node: Node, options: ChatClientOptions): ChatClient {
  const state = { done: false, acked: 0, retries: 0, failed: 0, gaveUp: 0, reads: 0, readsFailed: 0 };
  const timeoutMs = options.requestTimeoutMs ?? 400;
  /** Before retry k (0-based): retryMs · 2^k, at most 8 · retryMs. */
  const retryBackoff = backoffPolicy.exponential(options.retryMs ?? 20, 8 * (options.retryMs ?? 20));
  const attemptsMax = options.attemptsMax ?? 40;
  const [thinkMin, thinkMax] = options.thinkMs ?? [5, 40];
  let incarnation = 1;
  const process = (): string => (incarnation === 1 ? node.id : `${node.id}#${incarnation}`);

  async function rpc(body: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
    try {
      return (await node.rpc(options.gateway, body as { type: string }, { timeoutMs })).body as Record<string, unknown>;
    } catch {
      return undefined; // no reply in time
    }
  }

  async function getToken(): Promise<string> {
    if (options.token !== undefined) return options.token;
    for (let attempt = 0; ; attempt++) {
      const result = await login(node, { authority: options.authority, user: options.user, password: options.password, timeoutMs });
      if (result.kind === "ok") return result.token;
      await node.sleep(backoffDelayMs(retryBackoff, attempt, node.rng));
    }
  }

  async function post(token: string, n: number): Promise<void> {
    const room = options.rooms[node.rng.int(0, options.rooms.length)];
    const id = `${node.id}:${n}`;
    const input = { room, id };
    const op = options.recorder.invoke(process(), "post", input, node.now());
    let last = "";
    for (let attempt = 1; attempt <= attemptsMax; attempt++) {
      const reply = await rpc({ type: "post", token, room, id, text: `message ${n} from ${options.user}` });
      if (reply?.type === "post_ok") {
        state.acked++;
        options.acked.push({ room, id, seq: reply.seq as number });
        options.recorder.complete(op, "ok", { seq: reply.seq }, node.now());
        return;
      }
      if (reply?.type === "error" && reply.code !== CHAT_ERRORS.unavailable) {
        // refused (malformed, unauthorized): certainly not in the log, and a retry would not help
        state.failed++;
        options.recorder.complete(op, "fail", undefined, node.now(), { code: reply.code as number, text: String(reply.text) });
        return;
      }
      last = reply === undefined ? `no reply within ${timeoutMs} ms` : String(reply.text);
      state.retries++;
      await node.sleep(backoffDelayMs(retryBackoff, attempt - 1, node.rng));
    }
    state.gaveUp++;
    options.recorder.complete(op, "info", undefined, node.now(), { text: `gave up after ${attemptsMax} attempts: ${last}` });
    incarnation++;
  }

  async function read(token: string): Promise<void> {
    const room = options.rooms[node.rng.int(0, options.rooms.length)];
    const op = options.recorder.invoke(process(), "read", { room }, node.now());
    const reply = await rpc({ type: "read", token, room, after: -1 });
    if (reply?.type === "read_ok") {
      state.reads++;
      const messages = reply.messages as ChatMessage[];
      options.recorder.complete(op, "ok", { room, seqs: messages.map((m) => m.seq), ids: messages.map((m) => m.id) }, node.now());
    } else {
      state.readsFailed++;
      // a read changes nothing, so a failed or unanswered one certainly did not happen
      options.recorder.complete(op, "fail", undefined, node.now(), reply === undefined ? { text: `no reply within ${timeoutMs} ms` } : { code: reply.code as number, text: String(reply.text) });
    }
  }

  void (async () => {
    const token = await getToken();
    const readEvery = options.readEvery ?? 0;
    for (let n = 1; n <= options.posts; n++) {
      await post(token, n);
      if (readEvery > 0 && n % readEvery === 0) await read(token);
      await node.sleep(node.rng.int(thinkMin, thinkMax + 1));
    }
    state.done = true;
    options.onDone?.();
  })();
  return { state };
}
