// A tiny world for pure machines, with no simulator: nodes, a queue of messages in flight that
// *you* deliver or drop, disks that survive crashes. It is what transcripts run on (like etcd raft's
// rafttest.InteractionEnv), and a notebook can drive it cell by cell.
//
// Every call to the machine is checked for purity: its inputs are deep-frozen and it is called
// twice (see purity.ts). Each command returns the text a transcript shows for it.
import type { Machine, MachineBody, Outbound, Ready } from "./machine";
import { checkedMachine } from "./purity";

/** A message in flight in an `InteractionEnv`. */
export interface InFlight<M extends MachineBody> extends Outbound<M> {
  src: string;
}

/** Options for `InteractionEnv`. */
export interface InteractionEnvOptions {
  /** Deep-freeze inputs and call every machine function twice (default true). */
  checkPurity?: boolean;
}

interface EnvNode<S, C> {
  config: C;
  incarnation: number;
  /** Undefined while crashed. */
  state: S | undefined;
  /** What persist wrote: one JSON copy per field. Survives crashes. */
  disk: Record<string, unknown>;
}

/** A mistake in a command (unknown node, bad syntax): not the machine's fault. */
export class InteractionError extends Error {
  override name = "InteractionError";
}

/**
 * Nodes running a pure machine, and a network you drive by hand. Messages the machines send wait in
 * `pending()` until you `deliver` or `drop` them; a crash loses the state and the messages in flight
 * to the node (as in the simulator) and keeps the disk; `restart` restores from the disk.
 *
 * Every method returns the lines a transcript prints for it (see `run` for the command syntax).
 *
 * @example
 * const env = new InteractionEnv(twoPhaseCommit);
 * env.init("c", { role: "coordinator", participants: ["p1"] });
 * env.init("p1", { role: "participant", coordinator: "c" });
 * env.inject("client", "c", { type: "begin", txn: "t1" });  // "client->c begin {"txn":"t1"}\n  send c->p1 prepare ..."
 * console.log(env.deliver());                                // p1 persists "prepared", then votes yes
 * env.state("p1");                                           // { role: "participant", txns: { t1: "prepared" }, ... }
 */
export class InteractionEnv<S, M extends MachineBody, P extends object = Record<string, never>, C = unknown> {
  private readonly machine: Machine<S, M, P, C>;
  private readonly nodes = new Map<string, EnvNode<S, C>>();
  private queue: Array<InFlight<M>> = [];

  constructor(machine: Machine<S, M, P, C>, options: InteractionEnvOptions = {}) {
    this.machine = (options.checkPurity ?? true) ? checkedMachine(machine) : machine;
  }

  // ---- commands ---------------------------------------------------------------------------------

  /**
   * Start a node with `machine.init` (seed default 1). Prints its state.
   *
   * @example env.init("p1", { role: "participant", coordinator: "c" }, 7) // "state idle"
   */
  init(id: string, config: C, seed = 1): string {
    if (this.nodes.has(id)) throw new InteractionError(`init: node "${id}" already exists`);
    const state = this.machine.init({ id, config, seed });
    this.nodes.set(id, { config, incarnation: 1, state, disk: {} });
    return `state ${this.describe(state)}`;
  }

  /**
   * Call `tick` on a node `count` times. Prints each tick that did something.
   *
   * @example env.tick("c", 5) // "tick c (5 of 5)\n  send c->p1 prepare {"txn":"t1"}"
   */
  tick(id: string, count = 1): string {
    if (!(Number.isInteger(count) && count >= 1)) throw new InteractionError(`tick: count must be a whole number ≥ 1, got ${count}`);
    const node = this.upNode(id, "tick");
    const lines: string[] = [];
    for (let i = 1; i <= count; i++) {
      const effects = this.apply(id, node, this.machine.tick(node.state!));
      if (effects.length > 0) lines.push(count === 1 ? `tick ${id}` : `tick ${id} (${i} of ${count})`, ...effects);
    }
    return orOk(lines);
  }

  /**
   * Deliver the messages in flight that match `selector` (all; `"p1"`: to p1; `"c->p1"`: from c to
   * p1), in the order they were sent. Messages sent meanwhile wait for the next `deliver`.
   *
   * @example env.deliver("p1") // "c->p1 prepare {"txn":"t1"}\n  persist ...\n  send p1->c prepare_resp ..."
   */
  deliver(selector?: string): string {
    const match = this.selector(selector);
    const now = this.queue.filter(match);
    this.queue = this.queue.filter((m) => !match(m));
    const lines: string[] = [];
    for (const m of now) lines.push(...this.receive(m));
    return orOk(lines);
  }

  /**
   * Deliver a message now, from anyone (a client, or a node's message made up by hand), without
   * going through the queue.
   *
   * @example env.inject("client", "c", { type: "begin", txn: "t1" })
   */
  inject(src: string, dest: string, body: M): string {
    this.node(dest, "deliver");
    return this.receive({ src, dest, body: jsonCopy(body) }).join("\n");
  }

  /**
   * Lose the messages in flight that match `selector` (as for `deliver`).
   *
   * @example env.drop("c->p2") // "dropped c->p2 prepare {"txn":"t1"}"
   */
  drop(selector?: string): string {
    const match = this.selector(selector);
    const lost = this.queue.filter(match);
    this.queue = this.queue.filter((m) => !match(m));
    return orOk(lost.map((m) => `dropped ${formatMessage(m)}`));
  }

  /**
   * Crash a node: its state and the messages in flight to it are lost; its disk is kept (printed).
   *
   * @example env.crash("c") // "dropped p1->c prepare_resp {...}\ndisk {}"
   */
  crash(id: string): string {
    const node = this.upNode(id, "crash");
    node.state = undefined;
    const lost = this.queue.filter((m) => m.dest === id);
    this.queue = this.queue.filter((m) => m.dest !== id);
    return [...lost.map((m) => `dropped ${formatMessage(m)}`), `disk ${JSON.stringify(node.disk)}`].join("\n");
  }

  /**
   * Restart a crashed node from its disk with `machine.restore` (or `init` if it has none). The seed
   * defaults to the new incarnation's number (2, 3, ...). Prints its state.
   *
   * @example env.restart("c") // "state aborting"
   */
  restart(id: string, seed?: number): string {
    const node = this.node(id, "restart");
    if (node.state !== undefined) throw new InteractionError(`restart: node "${id}" is running; crash it first`);
    node.incarnation++;
    const ctx = { id, config: node.config, seed: seed ?? node.incarnation };
    const restore = this.machine.restore;
    node.state = restore ? restore.call(this.machine, ctx, jsonCopy(node.disk) as Partial<P>) : this.machine.init(ctx);
    return `state ${this.describe(node.state)}`;
  }

  // ---- reading ----------------------------------------------------------------------------------

  /** A node's state (undefined while crashed). @example env.state("p1").txns */
  state(id: string): S | undefined {
    return this.node(id, "state").state;
  }

  /** The states of every running node, by id in init order. @example atomicCommitViolations(env.states()) */
  states(): Record<string, S> {
    const out: Record<string, S> = {};
    for (const [id, node] of this.nodes) if (node.state !== undefined) out[id] = node.state;
    return out;
  }

  /** What a node has persisted (a copy). @example env.disk("p1") // { txns: { t1: "prepared" } } */
  disk(id: string): Partial<P> {
    return jsonCopy(this.node(id, "disk").disk) as Partial<P>;
  }

  /** Messages in flight, in the order they were sent. @example env.pending().length */
  pending(): Array<InFlight<M>> {
    return this.queue.slice();
  }

  /**
   * Run one transcript command and return its output. Commands:
   *
   *     init <id> [seed=<n>] <config as JSON>
   *     tick <id> [<count>]
   *     deliver [<id> | <src>-><dest>]                    from the queue
   *     deliver <src>-><dest> <type> [<fields as JSON>]   a message made up here, delivered at once
   *     drop [<id> | <src>-><dest>]
   *     crash <id>
   *     restart <id> [seed=<n>]
   *     state <id>         the whole state as JSON
   *     disk <id>          what the node has persisted, as JSON
   *     pending            the messages in flight
   *
   * @example env.run('deliver client->c begin {"txn":"t1"}')
   */
  run(command: string): string {
    const { words, named, json } = parseCommand(command);
    const [verb, ...args] = words;
    const arity = (min: number, max: number, usage: string): void => {
      if (args.length < min || args.length > max) throw new InteractionError(`usage: ${usage}`);
    };
    const noJson = (usage: string): void => {
      if (json !== undefined) throw new InteractionError(`usage: ${usage} (no JSON)`);
    };
    const seed = (): number | undefined => {
      if (named.seed === undefined) return undefined;
      const n = Number(named.seed);
      if (!Number.isInteger(n) || n < 0) throw new InteractionError(`seed must be a whole number ≥ 0, got ${named.seed}`);
      return n;
    };
    const unknown = Object.keys(named).filter((k) => k !== "seed" || (verb !== "init" && verb !== "restart"));
    if (unknown.length > 0) throw new InteractionError(`${verb}: unknown option ${unknown[0]}=`);
    switch (verb) {
      case "init":
        arity(1, 1, "init <id> [seed=<n>] <config as JSON>");
        return this.init(args[0], (json === undefined ? null : parseJson(json)) as C, seed());
      case "tick": {
        arity(1, 2, "tick <id> [<count>]");
        noJson("tick <id> [<count>]");
        return this.tick(args[0], args[1] === undefined ? 1 : Number(args[1]));
      }
      case "deliver":
        if (args.length === 2) {
          const [src, dest] = link(args[0]);
          const fields = json === undefined ? {} : parseJson(json);
          if (typeof fields !== "object" || fields === null || Array.isArray(fields)) throw new InteractionError("deliver: the fields must be a JSON object");
          return this.inject(src, dest, { ...(fields as object), type: args[1] } as unknown as M);
        }
        arity(0, 1, "deliver [<id> | <src>-><dest>] or deliver <src>-><dest> <type> [<fields as JSON>]");
        noJson("deliver [<id> | <src>-><dest>]");
        return this.deliver(args[0]);
      case "drop":
        arity(0, 1, "drop [<id> | <src>-><dest>]");
        noJson("drop [<id> | <src>-><dest>]");
        return this.drop(args[0]);
      case "crash":
        arity(1, 1, "crash <id>");
        noJson("crash <id>");
        return this.crash(args[0]);
      case "restart":
        arity(1, 1, "restart <id> [seed=<n>]");
        noJson("restart <id> [seed=<n>]");
        return this.restart(args[0], seed());
      case "state": {
        arity(1, 1, "state <id>");
        const s = this.state(args[0]);
        return s === undefined ? "crashed" : JSON.stringify(s);
      }
      case "disk":
        arity(1, 1, "disk <id>");
        return JSON.stringify(this.disk(args[0]));
      case "pending":
        arity(0, 0, "pending");
        return this.queue.length === 0 ? "(none)" : this.queue.map(formatMessage).join("\n");
      default:
        throw new InteractionError(`unknown command "${verb ?? ""}" (init, tick, deliver, drop, crash, restart, state, disk, pending)`);
    }
  }

  // ---- internals ----------------------------------------------------------------------------------

  private node(id: string, what: string): EnvNode<S, C> {
    const node = this.nodes.get(id);
    if (!node) throw new InteractionError(`${what}: unknown node "${id}" (known: ${Array.from(this.nodes.keys()).join(", ") || "none"})`);
    return node;
  }

  private upNode(id: string, what: string): EnvNode<S, C> {
    const node = this.node(id, what);
    if (node.state === undefined) throw new InteractionError(`${what}: node "${id}" is crashed`);
    return node;
  }

  private describe(state: S): string {
    return this.machine.describe ? this.machine.describe(state) : JSON.stringify(state);
  }

  private receive(m: InFlight<M>): string[] {
    const header = formatMessage(m);
    const node = this.node(m.dest, "deliver");
    if (node.state === undefined) return [header, `  dropped: ${m.dest} is crashed`];
    return [header, ...this.apply(m.dest, node, this.machine.step(node.state, { src: m.src, body: m.body }))];
  }

  /** Handle a Ready as a host does — persist, then send — and say what happened, indented. */
  private apply(id: string, node: EnvNode<S, C>, ready: Ready<S, M, P>): string[] {
    const lines: string[] = [];
    const before = this.describe(node.state!);
    node.state = ready.state;
    if (ready.persist && Object.keys(ready.persist).length > 0) {
      const copy = jsonCopy(ready.persist) as Record<string, unknown>;
      Object.assign(node.disk, copy);
      lines.push(`  persist ${JSON.stringify(copy)}`);
    }
    for (const out of ready.messages ?? []) {
      const m: InFlight<M> = { src: id, dest: out.dest, body: jsonCopy(out.body) };
      if (this.nodes.has(m.dest)) this.queue.push(m); // anyone else (a client) is outside this world
      lines.push(`  send ${formatMessage(m)}`);
    }
    const after = this.describe(ready.state);
    if (after !== before) lines.push(`  state ${before} → ${after}`);
    return lines;
  }

  private selector(selector: string | undefined): (m: InFlight<M>) => boolean {
    if (selector === undefined) return () => true;
    if (selector.includes("->")) {
      const [src, dest] = link(selector);
      return (m) => m.src === src && m.dest === dest;
    }
    this.node(selector, "select");
    return (m) => m.dest === selector;
  }
}

/**
 * One message as transcripts print it: `src->dest type {other fields as JSON}`.
 *
 * @example formatMessage({ src: "c", dest: "p1", body: { type: "prepare", txn: "t1" } }) // 'c->p1 prepare {"txn":"t1"}'
 */
export function formatMessage(m: { src: string; dest: string; body: MachineBody }): string {
  const { type, ...fields } = m.body as MachineBody & Record<string, unknown>;
  const rest = Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : "";
  return `${m.src}->${m.dest} ${type}${rest}`;
}

function orOk(lines: string[]): string {
  return lines.length === 0 ? "ok" : lines.join("\n");
}

function jsonCopy<T>(value: T): T {
  const text = JSON.stringify(value);
  if (text === undefined) throw new InteractionError(`not JSON-serialisable: ${String(value)}`);
  return JSON.parse(text) as T;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InteractionError(`bad JSON ${text}: ${err instanceof Error ? err.message : err}`);
  }
}

function link(text: string): [string, string] {
  const parts = text.split("->");
  if (parts.length !== 2 || parts[0] === "" || parts[1] === "") throw new InteractionError(`expected <src>-><dest>, got "${text}"`);
  return [parts[0], parts[1]];
}

/** Words up to the first one that starts JSON (`{`, `[` or `"`); `key=value` words are options. */
function parseCommand(command: string): { words: string[]; named: Record<string, string>; json?: string } {
  const words: string[] = [];
  const named: Record<string, string> = {};
  let rest = command.trim();
  while (rest !== "" && !/^[{["]/.test(rest)) {
    const word = /^\S+/.exec(rest)![0];
    rest = rest.slice(word.length).trimStart();
    const eq = word.indexOf("=");
    if (eq > 0 && words.length > 0) named[word.slice(0, eq)] = word.slice(eq + 1);
    else words.push(word);
  }
  return { words, named, json: rest === "" ? undefined : rest };
}
