/**
 * The object-based style (lecture 001, "2. Object based style"; lecture 000, "Object-Based
 * Architecture"): a client calls methods on a local **proxy** (client-side stub) that marshals
 * each invocation into a message; the server's **skeleton** unmarshals it, calls the real object
 * and marshals the result (or the exception) back. Objects are named by **remote references**
 * (`{ node, objectId }`) that the skeleton resolves; a method may return a reference to another
 * exported object, which the client turns into a new proxy.
 *
 * Wire protocol (JSON marshalling): `{ type: "rmi_call", objectId, method, args }` → reply
 * `{ type: "rmi_return", value }` or `{ type: "rmi_exception", name, message }`. A returned
 * exported object travels as `{ $remote: { node, objectId } }`.
 *
 * The lecture's warning — fine-grained object interactions over a network are slow — is
 * measurable: {@link measureRmiGranularity} reads N fields with N getter calls (chatty) and with one
 * coarse call.
 */
import type { Node } from "../node/node";
import type { Message } from "../node/message";
import type { RpcOptions } from "../node/rpc";
import { SimulationError } from "../sim/errors";
import { Simulation } from "../simulation/simulation";
import { latency } from "../net/latency";

/** A remote reference: which node holds the object, and its id there. */
export interface RemoteRef {
  node: string;
  objectId: string;
}

/**
 * The client's view of a remote object of type `T`: every method returns a Promise. A method that
 * returns a bound object (which arrives as a reference) is typed as returning `RemoteObject<U>`.
 *
 * @example
 * type Branch = { account(name: string): RemoteObject<Account>; total(): number };
 * const alice = await rmi.lookup<Branch>({ node: "bank", objectId: "branch" }).account("alice");
 */
export type RemoteObject<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

/**
 * A remote method threw (or the object or method does not exist): the error surfaces at the
 * caller with the remote exception's name and message.
 *
 * @example
 * try { await account.withdraw(1000); }
 * catch (e) { if (e instanceof RemoteException) e.remoteName; } // "RangeError"
 */
export class RemoteException extends Error {
  constructor(
    /** The exception's name on the server, e.g. `"RangeError"`, `"NoSuchObject"`. */
    readonly remoteName: string,
    readonly remoteMessage: string,
    readonly ref: RemoteRef,
    readonly method: string,
  ) {
    super(`${remoteName}: ${remoteMessage} (in ${ref.objectId}.${method} on "${ref.node}")`);
    this.name = "RemoteException";
  }
}

/** What {@link rmiSkeleton} returns. */
export interface RmiSkeleton {
  /** Export `target` under `objectId` and return its reference. */
  bind(objectId: string, target: object): RemoteRef;
  /** `rmi_call` messages served. */
  readonly calls: number;
}

/** JSON size in UTF-8 bytes. */
function bytesOf(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value ?? null));
}

function isRemoteMarker(value: unknown): value is { $remote: RemoteRef } {
  return value !== null && typeof value === "object" && "$remote" in value;
}

/**
 * The server side: answers `rmi_call` by resolving the object id, calling the method (awaiting a
 * Promise) and replying `rmi_return`; a throw, an unknown object or an unknown method becomes
 * `rmi_exception`. A returned object that is itself bound is sent as a remote reference.
 *
 * @example
 * sim.spawn("bank", (node) => {
 *   const skeleton = rmiSkeleton(node);
 *   skeleton.bind("acct-1", { balance: () => 100, withdraw: (n: number) => { throw new RangeError("insufficient funds"); } });
 * });
 */
export function rmiSkeleton(node: Node): RmiSkeleton {
  const objects = new Map<string, object>();
  const idOf = new Map<object, string>();
  let calls = 0;
  const refTo = (objectId: string): RemoteRef => ({ node: node.id, objectId });
  node.on("rmi_call", async (request: Message) => {
    calls++;
    const { objectId, method, args } = request.body;
    const target = objects.get(objectId) as Record<string, unknown> | undefined;
    if (target === undefined) return node.reply(request, { type: "rmi_exception", name: "NoSuchObject", message: `no object "${objectId}" is bound here` });
    const fn = typeof method === "string" ? target[method] : undefined;
    if (typeof fn !== "function" || method === "constructor") return node.reply(request, { type: "rmi_exception", name: "NoSuchMethod", message: `"${objectId}" has no method ${JSON.stringify(method)}` });
    let value: unknown;
    try {
      value = await fn.apply(target, Array.isArray(args) ? args : []);
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      return node.reply(request, { type: "rmi_exception", name: e.name, message: e.message });
    }
    const boundId = value !== null && typeof value === "object" ? idOf.get(value) : undefined;
    node.reply(request, { type: "rmi_return", value: boundId !== undefined ? { $remote: refTo(boundId) } : (value ?? null) });
  });
  return {
    bind(objectId, target) {
      if (typeof objectId !== "string" || objectId === "") throw new SimulationError(`rmiSkeleton.bind: objectId must be a non-empty string, got ${JSON.stringify(objectId)}`, { node: node.id, timeMs: node.now() });
      if (objects.has(objectId)) throw new SimulationError(`rmiSkeleton.bind: "${objectId}" is already bound`, { node: node.id, timeMs: node.now() });
      objects.set(objectId, target);
      idOf.set(target, objectId);
      return refTo(objectId);
    },
    get calls() {
      return calls;
    },
  };
}

/** Per-client counters: what the object-based style costs on the wire. */
export interface RmiStats {
  /** Remote method calls made. */
  calls: number;
  /** Bytes of the marshalled invocations (request bodies, one per call, without retries). */
  requestBytes: number;
  /** Bytes of the marshalled results and exceptions received. */
  replyBytes: number;
}

/** Options of {@link rmiClient}: the rpc options of every call. */
export interface RmiClientOptions {
  timeoutMs: number;
  retries?: number;
}

/** What {@link rmiClient} returns. */
export interface RmiClient {
  /** A proxy for the remote object `ref`. */
  lookup<T>(ref: RemoteRef): RemoteObject<T>;
  readonly stats: RmiStats;
}

/**
 * The client side: `lookup(ref)` gives a proxy whose every method marshals its arguments into an
 * `rmi_call`, awaits the reply and unmarshals it. A remote exception rejects with
 * {@link RemoteException}; no reply rejects with `RpcTimeoutError`; a returned remote reference
 * becomes another proxy.
 *
 * @example
 * sim.spawn("client", async (node) => {
 *   const rmi = rmiClient(node, { timeoutMs: 100 });
 *   const account = rmi.lookup<{ balance(): number }>({ node: "bank", objectId: "acct-1" });
 *   node.log(`balance ${await account.balance()}`);
 *   rmi.stats.requestBytes; // bytes marshalled so far
 * });
 */
export function rmiClient(node: Node, options: RmiClientOptions): RmiClient {
  const stats: RmiStats = { calls: 0, requestBytes: 0, replyBytes: 0 };
  const rpcOptions: RpcOptions = { timeoutMs: options.timeoutMs, retries: options.retries ?? 0 };
  const unmarshal = (value: unknown): unknown => (isRemoteMarker(value) ? lookup(value.$remote) : value);
  function lookup<T>(ref: RemoteRef): RemoteObject<T> {
    if (ref === null || typeof ref !== "object" || typeof ref.node !== "string" || typeof ref.objectId !== "string") {
      throw new SimulationError(`rmiClient.lookup: a remote reference is { node, objectId }, got ${JSON.stringify(ref)}`, { node: node.id, timeMs: node.now() });
    }
    const invoke = async (method: string, args: unknown[]): Promise<unknown> => {
      const body = { type: "rmi_call", objectId: ref.objectId, method, args };
      stats.calls++;
      stats.requestBytes += bytesOf(body);
      const reply = await node.rpc(ref.node, body, rpcOptions);
      const { msg_id: _m, in_reply_to: _r, ...replyBody } = reply.body;
      stats.replyBytes += bytesOf(replyBody);
      if (reply.body.type === "rmi_exception") throw new RemoteException(String(reply.body.name), String(reply.body.message), ref, method);
      return unmarshal(reply.body.value);
    };
    return new Proxy({} as RemoteObject<T>, {
      get(_target, property) {
        // not a thenable (so `await proxy` is the proxy), and no symbol methods
        if (typeof property !== "string" || property === "then") return undefined;
        return (...args: unknown[]) => invoke(property, args);
      },
    });
  }
  return { lookup, stats };
}

/** Options of {@link measureRmiGranularity}. */
export interface RmiGranularityOptions {
  /** Fields of the remote record to read. */
  fields: number;
  /** One-way network latency. Default 5 ms (constant). */
  latencyMs?: number;
  seed?: number;
}

/** One way of reading the record: its cost. */
export interface RmiGranularityCost {
  calls: number;
  /** Messages on the network (requests and replies). */
  messages: number;
  /** Bytes on the network as the simulator counts them (bodies with their ids). */
  bytes: number;
  /** Virtual time from the first call to the last result. */
  elapsedMs: number;
}

/** What {@link measureRmiGranularity} returns. */
export interface RmiGranularityResult {
  /** One getter call per field. */
  chatty: RmiGranularityCost;
  /** One call returning every field. */
  coarse: RmiGranularityCost;
}

/**
 * Read a remote record of `fields` fields twice — with one `get(field)` call per field, then with
 * one `snapshot()` call — and count calls, messages, bytes and elapsed time of each. The lecture's
 * "fine-grained interactions over a network" cost, in numbers.
 *
 * @example
 * const { chatty, coarse } = await measureRmiGranularity({ fields: 10 });
 * chatty.elapsedMs / coarse.elapsedMs; // about 10: one round trip per field
 */
export async function measureRmiGranularity(options: RmiGranularityOptions): Promise<RmiGranularityResult> {
  if (!Number.isInteger(options.fields) || options.fields < 1) throw new SimulationError(`measureRmiGranularity: fields must be a whole number ≥ 1, got ${options.fields}`);
  const sim = new Simulation({ seed: options.seed ?? 1, network: { latency: latency.constant(options.latencyMs ?? 5) }, trace: false });
  const record: Record<string, string> = {};
  for (let i = 0; i < options.fields; i++) record[`field${i}`] = `value-${i}`;
  sim.spawn("server", (node) => {
    rmiSkeleton(node).bind("record", { get: (name: string) => record[name], snapshot: () => record });
  });
  const client = sim.spawn("client");
  const rmi = rmiClient(client, { timeoutMs: 1000 });
  const remote = rmi.lookup<{ get(name: string): string; snapshot(): Record<string, string> }>({ node: "server", objectId: "record" });
  const measure = async (read: () => Promise<unknown>): Promise<RmiGranularityCost> => {
    const [calls0, sent0, bytes0, t0] = [rmi.stats.calls, sim.counters.sent, sim.counters.bytesSent, sim.now()];
    await sim.runUntilSettled(read());
    return { calls: rmi.stats.calls - calls0, messages: sim.counters.sent - sent0, bytes: sim.counters.bytesSent - bytes0, elapsedMs: sim.now() - t0 };
  };
  const chatty = await measure(async () => {
    for (const name of Object.keys(record)) await remote.get(name);
  });
  const coarse = await measure(() => remote.snapshot());
  return { chatty, coarse };
}
