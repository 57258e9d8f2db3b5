// The adapter that runs a pure machine on a simulator node: the part of an etcd raft application
// that calls Tick on a ticker, Step on every received message, and handles each Ready by writing
// to stable storage and then sending.
import type { Body, Message, Node } from "../node/index";
import type { Behaviour } from "../simulation/index";
import type { InitContext, Machine, MachineBody, Ready } from "./machine";

/** Options for `hostMachine`. */
export interface HostMachineOptions<C> {
  /** Virtual milliseconds per tick: `tick` runs every `tickMs` (first after one interval). */
  tickMs: number;
  /** The configuration, or a function of the node id that gives each node its own. */
  config: C | ((id: string) => C);
  /**
   * Declare `machine.describe(state)` with `node.setState` after every change, for state diagrams
   * (the cause is the message type or `tick`). Default true when the machine has `describe`.
   */
  states?: boolean;
}

/**
 * A node behaviour that hosts a machine, with a view of the machines it hosts (one per node id).
 *
 * @example
 * const host = hostMachine(twoPhaseCommit, { tickMs: 10, config: (id) => configs[id] });
 * sim.spawnMany(["c", "p1", "p2"], host, { role: "2pc" });
 * host.state("p1"); // the live machine state of p1, or undefined while p1 is crashed
 */
export interface MachineHost<S> extends Behaviour {
  (node: Node): void;
  /** The state of the live incarnation on node `id`, or undefined (not hosted here, or crashed). @example host.state("p1") */
  state(id: string): S | undefined;
  /** The states of every live hosted node, by id, in spawn order. @example Object.keys(host.states()) */
  states(): Record<string, S>;
}

/**
 * Host a pure machine on simulator nodes. For each node that runs the returned behaviour:
 * 1. the state starts as `machine.init(...)` in the first incarnation, and as
 *    `machine.restore(..., node.storage.snapshot())` after a restart (or `init` if the machine has no
 *    `restore`); the seed comes from `node.rng`, so every incarnation draws its own;
 * 2. every delivered message of a type in `machine.messageTypes` is handed to `step` (without the
 *    simulator's `msg_id`), and `tick` runs every `tickMs` (`setPeriodic`, timer name `"tick"`);
 * 3. each Ready is handled in etcd's order: every `persist` field is written to `node.storage`
 *    (one key per field) and synced (where the storage has `sync`), *then* the messages are sent,
 *    then the state is declared for diagrams.
 *
 * A step or tick that throws is reported like any handler error (node, virtual time, seed). Use one
 * `hostMachine(...)` per simulation: its `state(id)` view is keyed by node id.
 *
 * @example
 * const sim = new Simulation({ seed: 7, network: { lossProbability: 0.1 } });
 * const host = hostMachine(twoPhaseCommit, { tickMs: 10, config: (id) => id === "c"
 *   ? { role: "coordinator", participants: ["p1", "p2"] }
 *   : { role: "participant", coordinator: "c" } });
 * sim.spawnMany(["c", "p1", "p2"], host, { role: twoPhaseCommit.name });
 * sim.spawn("client", (node) => node.on("begin_resp", (m) => node.log(m.body.outcome)));
 * sim.node("client").send("c", { type: "begin", txn: "t1" });
 * await sim.runFor(500);
 * host.state("p1"); // { role: "participant", txns: { t1: "committed" }, ... }
 */
export function hostMachine<S, M extends MachineBody, P extends object, C>(machine: Machine<S, M, P, C>, options: HostMachineOptions<C>): MachineHost<S> {
  if (!(typeof options.tickMs === "number" && options.tickMs > 0 && Number.isFinite(options.tickMs))) {
    throw new RangeError(`hostMachine(${machine.name}): tickMs must be a finite number > 0, got ${options.tickMs}`);
  }
  const describe = (options.states ?? true) ? machine.describe : undefined;
  const live = new Map<string, { node: Node; state: S }>();

  const behaviour = (node: Node): void => {
    const config = typeof options.config === "function" ? (options.config as (id: string) => C)(node.id) : options.config;
    const ctx: InitContext<C> = { id: node.id, config, seed: node.rng.nextUint32() };
    const restarting = node.incarnation > 1 && machine.restore !== undefined;
    const entry = { node, state: restarting ? machine.restore!(ctx, node.storage.snapshot() as Partial<P>) : machine.init(ctx) };
    live.set(node.id, entry);
    if (describe) node.setState(describe.call(machine, entry.state), restarting ? "restore" : "init");

    const handle = (ready: Ready<S, M, P>, cause: string): void => {
      entry.state = ready.state;
      const persist = ready.persist;
      const keys = persist ? Object.keys(persist) : [];
      if (keys.length > 0) {
        for (const key of keys) node.storage.set(key, (persist as Record<string, unknown>)[key]);
        syncOf(node)?.(); // on a disk that buffers writes, they must be on it before anything is sent
      }
      for (const m of ready.messages ?? []) node.send(m.dest, m.body as unknown as Body);
      if (describe) node.setState(describe.call(machine, entry.state), cause);
    };

    for (const type of machine.messageTypes) {
      node.on(type, (message: Message) => {
        const { msg_id: _wireId, ...body } = message.body;
        handle(machine.step(entry.state, { src: message.src, body: body as unknown as M }), type);
      });
    }
    node.setPeriodic(options.tickMs, () => handle(machine.tick(entry.state), "tick"), "tick");
  };

  const host = behaviour as MachineHost<S>;
  host.state = (id) => {
    const entry = live.get(id);
    return entry && entry.node.isAlive() ? entry.state : undefined;
  };
  host.states = () => {
    const out: Record<string, S> = {};
    for (const [id, entry] of live) if (entry.node.isAlive()) out[id] = entry.state;
    return out;
  };
  return host;
}

/** The storage's `sync`, where storage has one (a disk that buffers writes until synced). */
function syncOf(node: Node): (() => void) | undefined {
  const storage = node.storage as unknown as { sync?: () => void };
  return typeof storage.sync === "function" ? () => storage.sync!() : undefined;
}
