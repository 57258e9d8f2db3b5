/**
 * The shared data-space style (lecture 001, "Example of a Coordination Model: Shared Data
 * Space"; Gelernter, "Generative Communication in Linda", TOPLAS 1985): processes never talk to
 * each other; they put tuples into a space and take or read the tuples they need by pattern.
 * They are decoupled in space (no names) and in time (a tuple waits for its reader).
 *
 * Linda's operations: `out(t)` adds a tuple; `rd(p)` returns a tuple matching pattern `p`
 * (blocking until one exists); `in(p)` does the same and removes it — each tuple is taken by
 * exactly one `in`; `rdp` / `inp` are the non-blocking variants (they return `null`). A pattern is
 * an array of the tuple's length whose `null` entries are wildcards (Linda's formals).
 *
 * Wire protocol: `{ type: "ts_out", tuple }` → `ts_out_ok`; `{ type: "ts_rd" | "ts_in", pattern }`
 * → `{ type: "ts_rd_ok" | "ts_in_ok", tuple }` once a match exists; `{ type: "ts_rdp" | "ts_inp",
 * pattern }` → `{ type: "ts_rdp_ok" | "ts_inp_ok", tuple: tuple | null }` at once. A resent request
 * (same sender and `msg_id`) gets the first answer again and is never applied twice.
 *
 * A blocked request stays at the space until a tuple matches it, even if its client has given up
 * (its rpc timed out): that tuple then goes to nobody. Clients of a real space cancel or renew.
 *
 * One space on one node is what the style costs: every operation queues at it (a bottleneck)
 * and its crash stops every process and loses every tuple (a single point of failure).
 */
import type { Node } from "../node/node";
import type { Message } from "../node/message";
import { SimulationError } from "../sim/errors";
import { Simulation } from "../simulation/simulation";
import { latency } from "../net/latency";

/** A tuple: a JSON array of values. */
export type Tuple = unknown[];
/** A pattern: an array of the same length; `null` matches any value. */
export type TuplePattern = unknown[];

/**
 * Does `tuple` match `pattern`? Same length, and every non-null field equal (compared as JSON).
 *
 * @example
 * tupleMatches(["job", null], ["job", 7]); // true
 * tupleMatches(["job", null], ["job", 7, "x"]); // false: different length
 */
export function tupleMatches(pattern: TuplePattern, tuple: Tuple): boolean {
  if (pattern.length !== tuple.length) return false;
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p === null) continue;
    if (p !== tuple[i] && JSON.stringify(p) !== JSON.stringify(tuple[i])) return false;
  }
  return true;
}

/** What {@link tupleSpaceNode} returns. */
export interface TupleSpace {
  /** Tuples in the space now, oldest first (copies). */
  tuples(): Tuple[];
  /** Blocked `rd` / `in` requests waiting for a match. */
  readonly blocked: number;
  /** Operations applied (duplicates not counted). */
  readonly operations: number;
}

interface Waiter {
  message: Message;
  op: "rd" | "in";
}

/**
 * A Linda tuple space served by `node`. Tuples live in memory: a crash loses them all.
 *
 * @example
 * sim.spawn("space", (node) => { tupleSpaceNode(node); }, { service: { timeMs: latency.constant(1) } });
 */
export function tupleSpaceNode(node: Node): TupleSpace {
  const space: Tuple[] = [];
  const waiting: Waiter[] = [];
  /** Answers given (or "blocked") per request, so that a resent request is not applied twice. */
  const answered = new Map<string, Record<string, unknown> | "blocked">();
  let operations = 0;
  const fail = (message: Message, what: string) => new SimulationError(`${message.body.type} from "${message.src}": ${what}, got ${JSON.stringify(message.body.tuple ?? message.body.pattern)}`, { node: node.id, timeMs: node.now() });
  const keyOf = (message: Message) => `${message.src}#${message.body.msg_id}`;
  const answer = (message: Message, body: Record<string, unknown> & { type: string }) => {
    answered.set(keyOf(message), body);
    node.reply(message, body as { type: string });
  };
  /** First sight of a request: true. A resend: answer it again (or keep it blocked) and false. */
  const firstSight = (message: Message): boolean => {
    const before = answered.get(keyOf(message));
    if (before === undefined) return true;
    if (before !== "blocked") node.reply(message, before as { type: string });
    return false;
  };
  const take = (pattern: TuplePattern, remove: boolean): Tuple | null => {
    const i = space.findIndex((t) => tupleMatches(pattern, t));
    if (i < 0) return null;
    const tuple = space[i];
    if (remove) space.splice(i, 1);
    return tuple;
  };
  const patternOf = (message: Message): TuplePattern => {
    const pattern = message.body.pattern;
    if (!Array.isArray(pattern)) throw fail(message, "pattern must be an array (null = wildcard)");
    return pattern;
  };
  node.on("ts_out", (message: Message) => {
    if (!firstSight(message)) return;
    const tuple = message.body.tuple;
    if (!Array.isArray(tuple)) throw fail(message, "tuple must be an array");
    operations++;
    answer(message, { type: "ts_out_ok" });
    // wake blocked readers in arrival order: every matching rd, and the first matching in (which takes it)
    for (let i = 0; i < waiting.length; i++) {
      const w = waiting[i];
      if (!tupleMatches(w.message.body.pattern, tuple)) continue;
      waiting.splice(i--, 1);
      answer(w.message, { type: `ts_${w.op}_ok`, tuple });
      if (w.op === "in") return;
    }
    space.push(tuple);
  });
  for (const op of ["rd", "in"] as const) {
    node.on(`ts_${op}`, (message: Message) => {
      if (!firstSight(message)) return;
      const pattern = patternOf(message);
      operations++;
      const tuple = take(pattern, op === "in");
      if (tuple !== null) return answer(message, { type: `ts_${op}_ok`, tuple });
      answered.set(keyOf(message), "blocked");
      waiting.push({ message, op });
    });
    node.on(`ts_${op}p`, (message: Message) => {
      if (!firstSight(message)) return;
      operations++;
      answer(message, { type: `ts_${op}p_ok`, tuple: take(patternOf(message), op === "in") });
    });
  }
  return {
    tuples: () => space.map((t) => JSON.parse(JSON.stringify(t)) as Tuple),
    get blocked() { return waiting.length; },
    get operations() { return operations; },
  };
}

/** Options of {@link tupleSpaceClient}. */
export interface TupleSpaceClientOptions {
  /** Wait for `out`, `rdp`, `inp` per attempt. Default 100 ms. */
  timeoutMs?: number;
  /** Retries (the space answers a resend without applying it twice). Default 3. */
  retries?: number;
  /** How long a blocking `rd` / `in` waits per attempt. Default 10 000 ms. */
  blockingTimeoutMs?: number;
}

/** What {@link tupleSpaceClient} returns: Linda's operations as Promises. */
export interface TupleSpaceClient {
  out(tuple: Tuple): Promise<void>;
  rd(pattern: TuplePattern): Promise<Tuple>;
  in(pattern: TuplePattern): Promise<Tuple>;
  rdp(pattern: TuplePattern): Promise<Tuple | null>;
  inp(pattern: TuplePattern): Promise<Tuple | null>;
}

/**
 * Linda's operations for a process on `node`, against the space on node `space`. A space that
 * does not answer (crashed) rejects them with `RpcTimeoutError`.
 *
 * @example
 * sim.spawn("worker", async (node) => {
 *   const ts = tupleSpaceClient(node, "space");
 *   const [, job] = await ts.in(["job", null]); // blocks until some process does out(["job", …])
 *   await ts.out(["done", job]);
 * });
 */
export function tupleSpaceClient(node: Node, space: string, options: TupleSpaceClientOptions = {}): TupleSpaceClient {
  const quick = { timeoutMs: options.timeoutMs ?? 100, retries: options.retries ?? 3 };
  const blocking = { timeoutMs: options.blockingTimeoutMs ?? 10_000, retries: options.retries ?? 3 };
  const call = async (type: string, field: "tuple" | "pattern", value: unknown[], rpc: { timeoutMs: number; retries: number }) => {
    if (!Array.isArray(value)) throw new SimulationError(`${type}: ${field} must be an array, got ${JSON.stringify(value)}`, { node: node.id, timeMs: node.now() });
    return (await node.rpc(space, { type, [field]: value }, rpc)).body;
  };
  return {
    async out(tuple) { await call("ts_out", "tuple", tuple, quick); },
    async rd(pattern) { return (await call("ts_rd", "pattern", pattern, blocking)).tuple; },
    async in(pattern) { return (await call("ts_in", "pattern", pattern, blocking)).tuple; },
    async rdp(pattern) { return (await call("ts_rdp", "pattern", pattern, quick)).tuple; },
    async inp(pattern) { return (await call("ts_inp", "pattern", pattern, quick)).tuple; },
  };
}

/** Options of {@link measureTupleSpaceLoad}. */
export interface TupleSpaceLoadOptions {
  /** Processes using the space at once. */
  clients: number;
  /** Time the space takes per operation (one at a time). Default 1 ms. */
  serviceMs?: number;
  /** `out` + `in` pairs per process. Default 10. */
  roundsPerClient?: number;
  seed?: number;
}

/** What {@link measureTupleSpaceLoad} returns. */
export interface TupleSpaceLoadResult {
  clients: number;
  /** Operations completed (out and in). */
  operations: number;
  /** Mean time from sending an operation to its answer. */
  responseMsMean: number;
  /** Operations per second of virtual time. */
  throughputPerSec: number;
  /** Virtual time until the last process finished. */
  elapsedMs: number;
}

/**
 * The single space as a bottleneck: `clients` processes each do `out` then `in` of their own tuple
 * `roundsPerClient` times against one space that serves one operation per `serviceMs`. Response
 * time grows with the number of processes while throughput stays near `1000 / serviceMs`.
 *
 * @example
 * (await measureTupleSpaceLoad({ clients: 1 })).responseMsMean;  // about the round trip
 * (await measureTupleSpaceLoad({ clients: 16 })).responseMsMean; // much more: waiting at the space
 */
export async function measureTupleSpaceLoad(options: TupleSpaceLoadOptions): Promise<TupleSpaceLoadResult> {
  const serviceMs = options.serviceMs ?? 1;
  const rounds = options.roundsPerClient ?? 10;
  if (!Number.isInteger(options.clients) || options.clients < 1) throw new SimulationError(`measureTupleSpaceLoad: clients must be a whole number ≥ 1, got ${options.clients}`);
  const sim = new Simulation({ seed: options.seed ?? 1, network: { latency: latency.uniform(2, 4) }, trace: false });
  sim.spawn("space", (node) => { tupleSpaceNode(node); }, { service: { timeMs: latency.constant(serviceMs) } });
  let operations = 0;
  let responseMsTotal = 0;
  let elapsedMs = 0;
  const ids = Array.from({ length: options.clients }, (_, i) => `p${i + 1}`);
  const done: Promise<void>[] = [];
  for (const id of ids) {
    const node = sim.spawn(id);
    const ts = tupleSpaceClient(node, "space", { timeoutMs: 100_000, retries: 0 });
    const timed = async (op: () => Promise<unknown>) => {
      const t0 = node.now();
      await op();
      operations++;
      responseMsTotal += node.now() - t0;
    };
    done.push((async () => {
      for (let r = 0; r < rounds; r++) {
        await timed(() => ts.out([id, r]));
        await timed(() => ts.in([id, null]));
      }
      elapsedMs = Math.max(elapsedMs, node.now());
    })());
  }
  await sim.runUntilSettled(Promise.all(done));
  return {
    clients: options.clients,
    operations,
    responseMsMean: operations === 0 ? 0 : responseMsTotal / operations,
    throughputPerSec: elapsedMs === 0 ? 0 : (operations * 1000) / elapsedMs,
    elapsedMs,
  };
}
