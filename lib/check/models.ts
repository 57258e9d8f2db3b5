/**
 * The sequential objects the course checks histories against: a register, a compare-and-set
 * register (etcd's), a key–value store with get / put / append (6.5840's), and a counter.
 * Each is a {@link Model}: pure, with a state key for the checker's cache and short descriptions
 * for its explanations. Values are compared by their JSON text, so `4` and `"4"` differ.
 */
import type { Operation } from "../history/index";
import type { Model, ModelOperation, StepResult } from "./model";

/**
 * A value in a few words: `nil` for null or undefined, strings quoted, the rest as JSON.
 *
 * @example
 * describeValue(null);  // "nil"
 * describeValue("ab");  // '"ab"'
 * describeValue(4);     // "4"
 */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "nil";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value) ?? String(value);
}

/**
 * A state key for a value: a number is its own key (numbers and strings never collide as keys),
 * anything else its JSON text (null and undefined are both "absent").
 */
function valueKey(value: unknown): string | number {
  if (typeof value === "number") return value;
  return value === undefined ? "null" : (JSON.stringify(value) ?? String(value));
}

/** Values are the same when their JSON texts are (null and undefined are both "absent"). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b || (a == null && b == null)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  return valueKey(a) === valueKey(b);
}

function unknownOperation(model: string, f: string, known: string): never {
  throw new Error(`${model} model: unknown operation "${f}" (it knows ${known})`);
}

const OK_SAME = <S>(state: S): StepResult<S> => ({ ok: true, state });

/** Options of {@link registerModel} and {@link casRegisterModel}. */
export interface RegisterModelOptions {
  /** The value before any write (default `null`, shown as `nil`: absent). */
  initial?: unknown;
}

/**
 * A read/write register: `write` (input: the value) sets it, `read` (output: the value) returns it.
 *
 * @example
 * const h: History = { operations: [
 *   { id: 0, process: "c1", f: "write", input: 1, invokeMs: 0, completion: "ok", completeMs: 10 },
 *   { id: 1, process: "c2", f: "read", input: null, invokeMs: 20, completion: "ok", completeMs: 30, output: 1 },
 * ] };
 * checkLinearizability(h, registerModel()).verdict; // "linearizable"
 */
export function registerModel(options: RegisterModelOptions = {}): Model<unknown, unknown, unknown> {
  const initial = options.initial ?? null;
  return {
    name: "register",
    init: () => initial,
    step(state, op) {
      if (op.f === "write") return { ok: true, state: op.input };
      if (op.f === "read") return readStep("register", state, op);
      return unknownOperation("register", op.f, "read, write");
    },
    stateKey: valueKey,
    readOnly: (op) => op.f === "read",
    describeOperation: (op) => (op.f === "write" ? `write(${describeValue(op.input)})` : op.f === "read" ? `read → ${op.unknown ? "?" : describeValue(op.output)}` : op.f),
    describeState: describeValue,
  };
}

function readStep<S>(what: string, state: S, op: ModelOperation): StepResult<S> {
  if (op.unknown || sameValue(op.output, state)) return OK_SAME(state);
  return { ok: false, why: `read ${describeValue(op.output)}, but the ${what} holds ${describeValue(state)}` };
}

/** The input of a compare-and-set: set the register to `to` if it holds `from`. */
export interface CasInput {
  from: unknown;
  to: unknown;
}

function casArgs(input: unknown): CasInput {
  if (Array.isArray(input) && input.length === 2) return { from: input[0], to: input[1] };
  if (input !== null && typeof input === "object" && "from" in input && "to" in input) return input as CasInput;
  throw new Error(`compare-and-set register model: cas needs an input { from, to } or [from, to], got ${describeValue(input)}`);
}

/**
 * etcd's register (the Jepsen etcd test): `read` (output: the value, `null` when absent),
 * `write` (input: the value), `cas` (input: `{ from, to }` or `[from, to]`), which sets the
 * value to `to` iff it is `from` and completes `ok` iff it did. Initially absent (`nil`).
 * A `cas` that completed `fail` did not happen, and the checker leaves it out.
 *
 * @example
 * const h = parseJepsenEtcdLog(fs.readFileSync("etcd_000.log", "utf8"));
 * checkLinearizability(h, casRegisterModel()).verdict; // "not-linearizable"
 */
export function casRegisterModel(options: RegisterModelOptions = {}): Model<unknown, unknown, unknown> {
  const initial = options.initial ?? null;
  return {
    name: "compare-and-set register",
    init: () => initial,
    step(state, op) {
      switch (op.f) {
        case "write":
          return { ok: true, state: op.input };
        case "read":
          return readStep("register", state, op);
        case "cas": {
          const { from, to } = casArgs(op.input);
          if (sameValue(state, from)) return { ok: true, state: to };
          // With an unknown outcome, a cas whose `from` does not match simply failed: no effect.
          if (op.unknown) return OK_SAME(state);
          return { ok: false, why: `cas(${describeValue(from)}→${describeValue(to)}) succeeded, but the register holds ${describeValue(state)}` };
        }
        default:
          return unknownOperation("compare-and-set register", op.f, "read, write, cas");
      }
    },
    stateKey: valueKey,
    readOnly: (op) => op.f === "read",
    describeOperation(op) {
      if (op.f === "write") return `write(${describeValue(op.input)})`;
      if (op.f === "read") return `read → ${op.unknown ? "?" : describeValue(op.output)}`;
      if (op.f === "cas") {
        const { from, to } = casArgs(op.input);
        return `cas(${describeValue(from)}→${describeValue(to)})`;
      }
      return op.f;
    },
    describeState: describeValue,
  };
}

/** The input of a key–value operation: `get` has a key, `put` and `append` a key and a value. */
export interface KvInput {
  key: string;
  value?: string;
}

/** The state of the key–value model: the keys written so far (every other key holds ""). */
export type KvState = Readonly<Record<string, string>>;

function kvInput(input: unknown): KvInput {
  if (input !== null && typeof input === "object" && typeof (input as KvInput).key === "string") return input as KvInput;
  throw new Error(`key–value model: an operation needs an input { key, value? }, got ${describeValue(input)}`);
}

/**
 * The key–value store of 6.5840's labs: `get` (input `{ key }`, output the value), `put` and
 * `append` (input `{ key, value }`). Every key starts as `""` (a `get` that returns null or
 * undefined reads `""`). Keys are independent, so the model partitions the history by key
 * (P-compositionality) and each key is checked on its own.
 *
 * @example
 * const h = parseKvHistory(fs.readFileSync("c10-ok.txt", "utf8"));
 * checkLinearizability(h, kvModel()).verdict; // "linearizable"
 */
export function kvModel(): Model<KvState, KvInput, string> {
  const read = (state: KvState, key: string): string => state[key] ?? "";
  return {
    name: "key–value store",
    init: () => ({}),
    step(state, op) {
      const { key, value } = kvInput(op.input);
      switch (op.f) {
        case "get": {
          const now = read(state, key);
          if (op.unknown || (op.output ?? "") === now) return OK_SAME(state);
          return { ok: false, why: `get(${describeValue(key)}) returned ${describeValue(op.output ?? "")}, but the key holds ${describeValue(now)}` };
        }
        case "put":
          return { ok: true, state: { ...state, [key]: String(value ?? "") } };
        case "append":
          return { ok: true, state: { ...state, [key]: read(state, key) + String(value ?? "") } };
        default:
          return unknownOperation("key–value", op.f, "get, put, append");
      }
    },
    stateKey(state) {
      const keys = Object.keys(state);
      if (keys.length === 1) return JSON.stringify([keys[0], state[keys[0]]]);
      return JSON.stringify(keys.sort().map((k) => [k, state[k]]));
    },
    partition: (op: Operation<KvInput, string>) => kvInput(op.input).key,
    readOnly: (op) => op.f === "get",
    describeOperation(op) {
      const { key, value } = kvInput(op.input);
      if (op.f === "get") return `get(${describeValue(key)}) → ${op.unknown ? "?" : describeValue(op.output ?? "")}`;
      return `${op.f}(${describeValue(key)}, ${describeValue(value ?? "")})`;
    },
    describeState(state) {
      const keys = Object.keys(state).sort();
      return keys.length === 0 ? "every key empty" : `{${keys.map((k) => `${describeValue(k)}: ${describeValue(state[k])}`).join(", ")}}`;
    },
  };
}

/**
 * A counter: `add` (input: the amount) and `read` (output: the total). Starts at 0.
 *
 * @example
 * const h: History = { operations: [
 *   { id: 0, process: "c1", f: "add", input: 1, invokeMs: 0, completion: "ok", completeMs: 10 },
 *   { id: 1, process: "c2", f: "add", input: 2, invokeMs: 0, completion: "info" },
 *   { id: 2, process: "c3", f: "read", input: null, invokeMs: 20, completion: "ok", completeMs: 30, output: 3 },
 * ] };
 * checkLinearizability(h, counterModel()).verdict; // "linearizable": the timed-out add(2) took effect
 */
export function counterModel(): Model<number, number | null, number> {
  return {
    name: "counter",
    init: () => 0,
    step(state, op) {
      if (op.f === "add") {
        if (typeof op.input !== "number") throw new Error(`counter model: add needs a number input, got ${describeValue(op.input)}`);
        return { ok: true, state: state + op.input };
      }
      if (op.f === "read") {
        if (op.unknown || op.output === state) return OK_SAME(state);
        return { ok: false, why: `read ${describeValue(op.output)}, but the counter is ${state}` };
      }
      return unknownOperation("counter", op.f, "add, read");
    },
    stateKey: (n) => n,
    readOnly: (op) => op.f === "read",
    describeOperation: (op) => (op.f === "add" ? `add(${describeValue(op.input)})` : op.f === "read" ? `read → ${op.unknown ? "?" : describeValue(op.output)}` : op.f),
    describeState: (n) => String(n),
  };
}
