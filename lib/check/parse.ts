/**
 * Reading recorded histories: Jepsen's etcd logs and Jepsen-style key–value histories (the
 * formats of `../shared/fixtures/histories/`, described in its README). Each event is one line; an
 * operation's invocation and completion are paired by process. Jepsen records no times here, so
 * an event's time is its position in the file (0, 1, 2, …): real-time order is all that matters.
 * An operation still open at the end is `info` (unknown outcome).
 */
import type { Completion, History, Operation } from "../history/index";

/** One event of a recorded history: a process invokes an operation, or sees it complete. */
interface RecordedEvent {
  process: string;
  type: "invoke" | Completion;
  f: string;
  input: unknown;
  output: unknown;
  line: number;
}

/** Pairs each invocation with its process's next completion; times are event positions. */
function historyFromEvents(events: RecordedEvent[], source: string): History {
  const operations: Operation[] = [];
  const open = new Map<string, Operation>();
  events.forEach((e, t) => {
    const pending = open.get(e.process);
    if (e.type === "invoke") {
      if (pending) throw new SyntaxError(`${source} line ${e.line}: process ${e.process} invokes ${e.f} while its ${pending.f} is still open`);
      const op: Operation = { id: operations.length, process: e.process, f: e.f, input: e.input, invokeMs: t, completion: "info" };
      operations.push(op);
      open.set(e.process, op);
      return;
    }
    if (!pending) throw new SyntaxError(`${source} line ${e.line}: process ${e.process} completes ${e.f} without invoking it`);
    if (pending.f !== e.f) throw new SyntaxError(`${source} line ${e.line}: process ${e.process} completes ${e.f}, but its open operation is ${pending.f}`);
    open.delete(e.process);
    pending.completion = e.type;
    if (e.type !== "info") pending.completeMs = t;
    if (e.type === "ok") pending.output = e.output;
  });
  return { operations };
}

/** `nil` → null, an integer → a number, anything else as it is. */
function jepsenValue(text: string): unknown {
  if (text === "nil") return null;
  if (/^-?\d+$/.test(text)) return Number(text);
  return text;
}

const ETCD_LINE = /^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:(invoke|ok|fail|info)\s+:(\w+)\s+(.*?)\s*$/;

/**
 * Parse a Jepsen etcd log (`INFO  jepsen.util - 3	:invoke	:cas	[1 4]`) into a history for
 * {@link casRegisterModel}: `read` (output the value or null), `write` (input the value) and
 * `cas` (input `{ from, to }`). Process `3` becomes process `"3"`.
 *
 * @example
 * const h = parseJepsenEtcdLog(fs.readFileSync("../shared/fixtures/histories/etcd/etcd_000.log", "utf8"));
 * checkLinearizability(h, casRegisterModel()).verdict; // "not-linearizable"
 */
export function parseJepsenEtcdLog(text: string, source = "etcd log"): History {
  const events: RecordedEvent[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    if (raw.trim() === "") return;
    const m = ETCD_LINE.exec(raw);
    if (!m) throw new SyntaxError(`${source} line ${index + 1}: not a Jepsen event: ${raw}`);
    const [, process, type, f, value] = m;
    let input: unknown = null;
    let output: unknown = undefined;
    if (type === "invoke" && f === "write") input = jepsenValue(value);
    if (type === "invoke" && f === "cas") {
      const pair = /^\[\s*(\S+)\s+(\S+)\s*\]$/.exec(value);
      if (!pair) throw new SyntaxError(`${source} line ${index + 1}: a cas needs [from to], got ${value}`);
      input = { from: jepsenValue(pair[1]), to: jepsenValue(pair[2]) };
    }
    if (type === "ok" && f === "read") output = jepsenValue(value);
    events.push({ process, type: type as RecordedEvent["type"], f, input, output, line: index + 1 });
  });
  return historyFromEvents(events, source);
}

/** Reads one Clojure/EDN map of keywords, strings, numbers and nil: `{:process 9, :f :get, :value nil}`. */
function parseEdnMap(line: string, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${where}: ${what} at column ${i + 1}: ${line}`);
  };
  const skip = (): void => {
    while (i < line.length && /[\s,]/.test(line[i])) i++;
  };
  const atom = (): unknown => {
    skip();
    if (line[i] === '"') {
      let s = "";
      for (i++; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === "\\") {
          i++;
          s += line[i] === "n" ? "\n" : line[i] === "t" ? "\t" : line[i];
        } else s += line[i];
      }
      if (line[i] !== '"') fail("unterminated string");
      i++;
      return s;
    }
    const m = /^[^\s,{}]+/.exec(line.slice(i));
    if (!m) return fail("expected a value");
    i += m[0].length;
    const word = m[0];
    if (word === "nil") return null;
    if (word === "true" || word === "false") return word === "true";
    if (/^-?\d+(\.\d+)?$/.test(word)) return Number(word);
    return word.startsWith(":") ? word.slice(1) : word;
  };
  skip();
  if (line[i] !== "{") fail("expected {");
  i++;
  for (;;) {
    skip();
    if (line[i] === "}") break;
    if (i >= line.length) fail("expected }");
    const key = atom();
    if (typeof key !== "string") fail("expected a keyword");
    out[key as string] = atom();
  }
  return out;
}

/**
 * Parse a key–value history, one EDN map per line
 * (`{:process 9, :type :invoke, :f :append, :key "0", :value "x 9 0 y"}`), into a history for
 * {@link kvModel}: `get` (input `{ key }`, output the value), `put` and `append` (input
 * `{ key, value }`).
 *
 * @example
 * const h = parseKvHistory(fs.readFileSync("../shared/fixtures/histories/kv/c10-ok.txt", "utf8"));
 * checkLinearizability(h, kvModel()).verdict; // "linearizable"
 */
export function parseKvHistory(text: string, source = "kv history"): History {
  const events: RecordedEvent[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    if (raw.trim() === "") return;
    const where = `${source} line ${index + 1}`;
    const m = parseEdnMap(raw, where);
    const type = m.type;
    if (type !== "invoke" && type !== "ok" && type !== "fail" && type !== "info") throw new SyntaxError(`${where}: :type must be :invoke, :ok, :fail or :info, got ${String(type)}`);
    if (typeof m.f !== "string" || m.process === undefined || typeof m.key !== "string") throw new SyntaxError(`${where}: needs :process, :f and a string :key`);
    const input = m.f === "get" ? { key: m.key } : { key: m.key, value: m.value === null ? "" : String(m.value) };
    const output = type === "ok" && m.f === "get" ? (m.value === null ? "" : String(m.value)) : undefined;
    events.push({ process: String(m.process), type, f: m.f, input, output, line: index + 1 });
  });
  return historyFromEvents(events, source);
}
