// The rpc engine of one node incarnation, kept apart from the node as 6.5840 keeps labrpc apart:
// a request goes out with a msg_id, the reply is the message whose in_reply_to is that msg_id,
// attempts time out and are retried (same msg_id) after a backoff, and the outcome is traced.
import { SimulationError } from "../sim/errors";
import type { Prng } from "../sim/prng";
import type { TraceEvent } from "../trace/events";
import type { Body, Message } from "./message";
import type { TimerEntry } from "./host";

/** How an RPC waits and retries. All times are virtual milliseconds. */
export interface RpcOptions {
  /** How long one attempt waits for the reply. Default 1000. */
  timeoutMs?: number;
  /** Extra attempts after the first one times out. Default 0. */
  retries?: number;
  /** Wait before the first retry. Default 0 (retry at once). */
  backoffMsInitial?: number;
  /** Each later wait is multiplied by this. Default 2. */
  backoffMultiplier?: number;
  /** Waits never exceed this. Default Infinity. */
  backoffMsMax?: number;
  /** `"full"`: wait a random time in [0, backoff) (AWS's "full jitter"); `"none"` (default): exactly the backoff. */
  jitter?: "none" | "full";
}

/** The reason an RPC's promise rejects: no reply after every attempt. */
export class RpcTimeoutError extends SimulationError {
  constructor(
    node: string,
    readonly dest: string,
    readonly type: string,
    readonly attempts: number,
    timeMs: number,
    seed: number,
  ) {
    super(`rpc ${type} to "${dest}" got no reply after ${attempts} attempt(s)`, { node, timeMs, seed });
    this.name = "RpcTimeoutError";
  }
}

/**
 * The promise an rpc returns. It notes whether anyone will see its rejection: a rejection handler
 * on it (`await`, `.catch`, `.then(ok, fail)`, `Promise.all`) or on a promise derived from it. An
 * rpc that times out with nobody to see it is reported as the node's error instead of escaping
 * the run as an unhandled rejection.
 */
class RpcPromise<T> extends Promise<T> {
  /** Promises made from this one by `then` without a rejection handler (the rejection flows on). */
  private children: Array<RpcPromise<unknown>> | undefined;
  private handled = false;

  // Derived promises are RpcPromises too, so a chain `.then(f).catch(g)` counts as handled.
  override then<A = T, B = never>(
    onFulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: any) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    const derived = super.then(onFulfilled, onRejected) as RpcPromise<A | B>;
    if (typeof onRejected === "function") this.handled = true;
    else if (derived instanceof RpcPromise) (this.children ??= []).push(derived);
    return derived;
  }

  /** True if a rejection now would reach a handler. */
  willBeSeen(): boolean {
    return this.handled || (this.children !== undefined && this.children.some((c) => c.willBeSeen()));
  }

  /** Swallow the rejection here and in every derived promise (it was reported otherwise). */
  silence(): void {
    super.then(undefined, () => {});
    for (const c of this.children ?? []) c.silence();
  }
}

interface PendingRpc {
  dest: string;
  type: string;
  startMs: number;
  attempts: number;
  timer?: TimerEntry;
  promise?: RpcPromise<Message>;
  resolve: (m: Message) => void;
  reject: (e: Error) => void;
}

/** What the engine needs from its node. */
export interface RpcPort {
  readonly node: string;
  readonly seed: number;
  /** The rpc layer's own random stream (retry jitter), so retries never reshuffle the protocol's draws. */
  readonly prng: Prng;
  now(): number;
  send(dest: string, body: Body): void;
  startTimer(delayMs: number, name: string, callback: () => void): TimerEntry;
  newMsgId(): number;
  /** Remember that `msgId` was an rpc of this node (a late reply to it is not an error). */
  noteRpcMsgId(msgId: number): void;
  record(event: TraceEvent): void;
  /** Report an error of this node under the simulation's error policy. */
  reportError(during: string, error: unknown): void;
  error(text: string): SimulationError;
}

/**
 * The rpc engine of one incarnation: `call` sends a request and returns a promise of the reply;
 * `takeReply` hands an arriving message to the rpc waiting for it. A crash (`abandon`) drops every
 * pending rpc: their promises never settle.
 *
 * @example
 * const engine = new RpcEngine(port);
 * const reply = await engine.call("server", { type: "read" }, { timeoutMs: 100, retries: 3 });
 */
export class RpcEngine {
  private readonly pending = new Map<number, PendingRpc>();

  constructor(private readonly port: RpcPort) {}

  /**
   * Send `body` to `dest` and wait for the reply; see `Node.rpc`.
   *
   * @example
   * engine.call("server", { type: "read", key: "x" }, { timeoutMs: 100 });
   */
  call<R extends Body = Body>(dest: string, body: Body, options: RpcOptions = {}): Promise<Message<R>> {
    const port = this.port;
    const timeoutMs = options.timeoutMs ?? 1000;
    const retries = options.retries ?? 0;
    if (!(timeoutMs > 0)) throw port.error(`rpc ${body?.type}: timeoutMs must be > 0, got ${timeoutMs}`);
    if (!(retries >= 0) || !Number.isInteger(retries)) throw port.error(`rpc ${body?.type}: retries must be a whole number ≥ 0, got ${retries}`);
    const msgId = body.msg_id ?? port.newMsgId();
    const request = Object.assign({}, body, { msg_id: msgId });
    port.noteRpcMsgId(msgId);
    let resolve!: PendingRpc["resolve"];
    let reject!: PendingRpc["reject"];
    const promise = new RpcPromise<Message>((ok, fail) => {
      resolve = ok;
      reject = fail;
    });
    const p: PendingRpc = { dest, type: request.type, startMs: port.now(), attempts: 0, timer: undefined, promise, resolve, reject };
    this.pending.set(msgId, p);
    let backoffMs = options.backoffMsInitial ?? 0;
    const attempt = (): void => {
      p.attempts++;
      port.send(dest, request);
      p.timer = port.startTimer(timeoutMs, "rpc-timeout", () => {
        if (p.attempts <= retries) {
          let waitMs = Math.min(backoffMs, options.backoffMsMax ?? Infinity);
          if (options.jitter === "full") waitMs = port.prng.uniform(0, waitMs);
          backoffMs *= options.backoffMultiplier ?? 2;
          if (waitMs > 0) p.timer = port.startTimer(waitMs, "rpc-backoff", attempt);
          else attempt();
          return;
        }
        this.pending.delete(msgId);
        this.trace(msgId, p, "timeout");
        const error = new RpcTimeoutError(port.node, dest, request.type, p.attempts, port.now(), port.seed);
        if (!promise.willBeSeen()) {
          promise.silence();
          port.reportError(`rpc ${request.type} to ${dest}`, `${error.detail}, and nothing handles the rejection (await it in a try/catch, or add .catch)`);
        }
        p.reject(error);
      });
    };
    try {
      attempt();
    } catch (err) {
      this.pending.delete(msgId); // e.g. an unknown destination: nothing is pending
      throw err;
    }
    return promise as unknown as Promise<Message<R>>;
  }

  /**
   * Give an arriving message to the rpc waiting for it (the one whose msg_id is the message's
   * `in_reply_to`, sent to the message's sender). Returns `"taken"`, `"wrong-sender"` when an rpc
   * with that msg_id waits for another node, or `"none"`.
   *
   * @example
   * if (engine.takeReply(message) === "taken") return;
   */
  takeReply(message: Message): "taken" | "wrong-sender" | "none" {
    const inReplyTo = message.body.in_reply_to;
    if (inReplyTo === undefined) return "none";
    const p = this.pending.get(inReplyTo);
    if (p === undefined) return "none";
    if (p.dest !== message.src) return "wrong-sender";
    this.pending.delete(inReplyTo);
    if (p.timer) p.timer.cancelled = true;
    this.trace(inReplyTo, p, "ok");
    p.resolve(message);
    return "taken";
  }

  /** The incarnation crashed: every pending rpc is dropped; its promise never settles. @example engine.abandon() */
  abandon(): void {
    for (const p of this.pending.values()) if (p.timer) p.timer.cancelled = true;
    this.pending.clear();
  }

  private trace(msgId: number, p: PendingRpc, outcome: "ok" | "timeout"): void {
    const now = this.port.now();
    this.port.record({ kind: "rpc", timeMs: now, node: this.port.node, dest: p.dest, type: p.type, msgId, outcome, latencyMs: now - p.startMs, attempts: p.attempts });
  }
}
