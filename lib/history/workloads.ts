// Client workloads: seeded streams of operations written for the checker's models (register,
// key–value store, counter), and how each operation travels as a Maelstrom request and comes back
// as a reply. Each client draws from its own stream, so adding a client reshuffles nobody else.
import { ConfigError } from "../sim/index";
import type { Prng } from "../sim/prng";
import type { Body } from "../node/message";

/**
 * One operation to run, as plain data: its name and its input, exactly as the history and the
 * checker's models read them (`{ f: "cas", input: [1, 2] }`, `{ f: "get", input: { key: "x" } }`).
 *
 * @example
 * const op: OpSpec = { f: "put", input: { key: "x", value: "c1:1 " } };
 */
export interface OpSpec<I = unknown> {
  f: string;
  input: I;
}

/**
 * What `runClients` runs: a stream of operations per client, and how an operation becomes a
 * request body and an `ok` reply becomes its output. `kvOps`, `registerOps` and `counterOps`
 * make one; a plain function `(rng, client) => OpSpec | undefined` works too (see `runClients`).
 *
 * @example
 * const w = registerOps({ valueCount: 3 });
 * const next = w.generator("c1", sim.random("ops"));
 * const op = next();          // { f: "write", input: 2 }
 * w.request(op);              // { type: "write", value: 2 }
 */
export interface ClientWorkload<I = unknown, O = unknown> {
  /** The model the operations are written for: `"kv"`, `"register"`, `"counter"`, or your own. */
  readonly model: string;
  /**
   * A fresh stream of operations for one client, drawing only from `rng`. It returns `undefined`
   * when this client has nothing more to do (the client then stops).
   */
  generator(client: string, rng: Prng): () => OpSpec<I> | undefined;
  /** The request body for an operation; its `type` is the operation's name. */
  request(op: OpSpec<I>): Body;
  /** The output of an operation from its `<f>_ok` reply. */
  output(op: OpSpec<I>, reply: Body): O;
}

/** Relative weights of operations, e.g. `{ get: 2, put: 1, append: 1 }` (need not sum to 1). */
export type OpMix<F extends string> = Partial<Record<F, number>>;

/** Inputs of the key–value model: `get {key}`, `put {key, value}`, `append {key, value}`. */
export type KvOpInput = { key: string; value?: string };

/** Options of `kvOps`. */
export interface KvOpsOptions {
  /** The keys operations pick from (uniformly). Default `["x"]`. */
  keys?: readonly string[];
  /** Weights of get / put / append. Default `{ get: 2, put: 1, append: 1 }`. */
  mix?: OpMix<"get" | "put" | "append">;
}

/**
 * Key–value operations over `keys`, for the key–value model (every key starts as `""`; `put`
 * sets it, `append` appends to it, `get` returns it). Inputs are `{ key }` for `get` and
 * `{ key, value }` otherwise; each value written is unique in the run (`"c1:7 "`: client, then
 * its count), so a `get` shows which writes it saw. The request is `{ type: f, ...input }`;
 * a `get_ok` reply's `value` is the output.
 *
 * @example
 * const run = await runClients(sim, { clients: 3, ops: kvOps({ keys: ["x", "y"], mix: { get: 1, append: 1 } }), target: "server", durationMs: 500 });
 * // run.history.operations[0]: { process: "c1", f: "append", input: { key: "y", value: "c1:1 " }, … }
 */
export function kvOps(options: KvOpsOptions = {}): ClientWorkload<KvOpInput, string | undefined> {
  const keys = options.keys ?? ["x"];
  if (!Array.isArray(keys) || keys.length === 0 || keys.some((k) => typeof k !== "string" || k === "")) {
    throw new ConfigError("kvOps.keys", keys, "a non-empty array of non-empty strings");
  }
  const pickF = mixPicker("kvOps", ["get", "put", "append"], options.mix ?? { get: 2, put: 1, append: 1 });
  return {
    model: "kv",
    generator(client, rng) {
      let count = 0;
      return () => {
        const f = pickF(rng);
        const key = rng.pick(keys);
        if (f === "get") return { f, input: { key } };
        count++;
        return { f, input: { key, value: `${client}:${count} ` } };
      };
    },
    request: (op) => ({ ...op.input, type: op.f }),
    output: (op, reply) => (op.f === "get" ? reply.value : undefined),
  };
}

/** Inputs of the register model: `read` null, `write v`, `cas [from, to]`. */
export type RegisterOpInput = null | number | [number, number];

/** Options of `registerOps`. */
export interface RegisterOpsOptions {
  /** Values written and compared are whole numbers in [0, valueCount). Default 5 (as Maelstrom's lin-kv). */
  valueCount?: number;
  /** Weights of read / write / cas. Default `{ read: 2, write: 1, cas: 1 }`. */
  mix?: OpMix<"read" | "write" | "cas">;
}

/**
 * Operations on one compare-and-set register, for the register model (initially absent, `null`):
 * `read` (input `null`, output the value or `null`), `write v`, `cas [from, to]` (ok iff the value
 * was `from`; otherwise the server's error 22 or 20 makes it `fail`). Requests:
 * `{ type: "read" }`, `{ type: "write", value }`, `{ type: "cas", from, to }`. Values are small
 * so that some compare-and-sets succeed.
 *
 * @example
 * sim.spawn("server", registerServer());
 * const run = await runClients(sim, { clients: 4, ops: registerOps({ valueCount: 3 }), target: "server", durationMs: 1000 });
 */
export function registerOps(options: RegisterOpsOptions = {}): ClientWorkload<RegisterOpInput, number | null | undefined> {
  const valueCount = options.valueCount ?? 5;
  if (!Number.isInteger(valueCount) || valueCount < 1) throw new ConfigError("registerOps.valueCount", valueCount, "a whole number ≥ 1");
  const pickF = mixPicker("registerOps", ["read", "write", "cas"], options.mix ?? { read: 2, write: 1, cas: 1 });
  return {
    model: "register",
    generator(_client, rng) {
      return () => {
        const f = pickF(rng);
        if (f === "read") return { f, input: null };
        if (f === "write") return { f, input: rng.int(0, valueCount) };
        return { f, input: [rng.int(0, valueCount), rng.int(0, valueCount)] };
      };
    },
    request(op) {
      if (op.f === "write") return { type: "write", value: op.input };
      if (op.f === "cas") {
        const [from, to] = op.input as [number, number];
        return { type: "cas", from, to };
      }
      return { type: op.f };
    },
    output: (op, reply) => (op.f === "read" ? (reply.value ?? null) : undefined),
  };
}

/** Inputs of the counter model: `add n`, `read` null. */
export type CounterOpInput = null | number;

/** Options of `counterOps`. */
export interface CounterOpsOptions {
  /** `add n` draws n in [1, deltaMax]. Default 5. */
  deltaMax?: number;
  /** Weights of add / read. Default `{ add: 1, read: 1 }`. */
  mix?: OpMix<"add" | "read">;
}

/**
 * Counter operations, for the counter model (starts at 0): `add n` (request `{ type: "add",
 * delta: n }`, as Maelstrom's counters) and `read` (input `null`, output the `read_ok` value).
 *
 * @example
 * sim.spawn("server", counterServer());
 * const run = await runClients(sim, { clients: 2, ops: counterOps({ mix: { add: 3, read: 1 } }), target: "server", durationMs: 300 });
 */
export function counterOps(options: CounterOpsOptions = {}): ClientWorkload<CounterOpInput, number | undefined> {
  const deltaMax = options.deltaMax ?? 5;
  if (!Number.isInteger(deltaMax) || deltaMax < 1) throw new ConfigError("counterOps.deltaMax", deltaMax, "a whole number ≥ 1");
  const pickF = mixPicker("counterOps", ["add", "read"], options.mix ?? { add: 1, read: 1 });
  return {
    model: "counter",
    generator(_client, rng) {
      return () => {
        const f = pickF(rng);
        return f === "add" ? { f, input: rng.int(1, deltaMax + 1) } : { f, input: null };
      };
    },
    request: (op) => (op.f === "add" ? { type: "add", delta: op.input } : { type: op.f }),
    output: (op, reply) => (op.f === "read" ? reply.value : undefined),
  };
}

/**
 * A workload from a plain function that draws an operation (or `undefined`: this client is
 * done). The request is `{ type: f, ...input }` when the input is an object, `{ type: f, value:
 * input }` otherwise (nothing for `null`/`undefined`); the output is the reply's `value`.
 *
 * @example
 * const pings = workloadOf((rng) => ({ f: "echo", input: { echo: rng.int(0, 100) } }));
 */
export function workloadOf<I = unknown>(
  next: (rng: Prng, client: string) => OpSpec<I> | undefined,
  model = "custom",
): ClientWorkload<I, unknown> {
  if (typeof next !== "function") throw new ConfigError("ops", next, "a workload (kvOps, registerOps, counterOps) or a function (rng, client) => ({ f, input })");
  return {
    model,
    generator: (client, rng) => () => next(rng, client),
    request(op) {
      const input = op.input as unknown;
      if (input === null || input === undefined) return { type: op.f };
      if (typeof input === "object" && !Array.isArray(input)) return { ...(input as object), type: op.f };
      return { type: op.f, value: input };
    },
    output: (_op, reply) => reply.value,
  };
}

/** A function that draws one operation name by weight, in the model's own order of names. */
function mixPicker<F extends string>(fn: string, names: readonly F[], mix: OpMix<F>): (rng: Prng) => F {
  if (mix === null || typeof mix !== "object") throw new ConfigError(`${fn}.mix`, mix, `an object of weights for ${names.join(" / ")}`);
  for (const [name, weight] of Object.entries(mix)) {
    if (!names.includes(name as F)) throw new ConfigError(`${fn}.mix.${name}`, weight, `one of the operations ${names.join(", ")} (unknown operation "${name}")`);
    if (typeof weight !== "number" || !Number.isFinite(weight) || weight < 0) throw new ConfigError(`${fn}.mix.${name}`, weight, "a weight ≥ 0");
  }
  const weights = names.map((n) => (mix[n] as number | undefined) ?? 0);
  const total = weights.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new ConfigError(`${fn}.mix`, mix, "at least one weight > 0");
  return (rng) => {
    let x = rng.float() * total;
    for (let i = 0; i < names.length; i++) {
      x -= weights[i];
      if (x < 0 && weights[i] > 0) return names[i];
    }
    return names[weights.map((w) => w > 0).lastIndexOf(true)];
  };
}
