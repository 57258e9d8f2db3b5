// Raft on simulator nodes: the part of an etcd raft application that ticks the machine, steps it on
// every message and handles each Ready in order — persist (and sync), send, declare the role, hand
// committed entries to the service — plus a cluster helper so a test spawns five servers in a line.
import type { Inbound, Machine } from "../machine/index";
import type { Message, Node } from "../node/index";
import type { Simulation, SpawnOptions } from "../simulation/index";
import { raftMachine, raftPropose, raftSnapshot } from "./raft";
import type { ProposeResult, RaftApplyMsg, RaftConfig, RaftMessage, RaftPersist, RaftReady, RaftState } from "./types";

/**
 * A Raft implementation the host can run: a pure machine whose `step` and `tick` return a
 * `RaftReady`, and the two calls from outside (a client's proposal, the service's snapshot).
 * `raftReference` is the library's; a student's, or a deliberately broken variant, has the same shape.
 */
export interface RaftImplementation {
  machine: Machine<RaftState, RaftMessage, RaftPersist, RaftConfig> & {
    step(state: RaftState, message: Inbound<RaftMessage>): RaftReady;
    tick(state: RaftState): RaftReady;
  };
  propose(state: RaftState, command: unknown): { ready: RaftReady; result: ProposeResult };
  snapshot(state: RaftState, index: number, data: unknown): RaftReady;
}

/**
 * The library's Raft, as a `RaftImplementation`.
 *
 * @example raftCluster(sim, ids, { tickMs: 10, implementation: { ...raftReference, machine: brokenMachine } })
 */
export const raftReference: RaftImplementation = { machine: raftMachine, propose: raftPropose, snapshot: raftSnapshot };

/** Options of `raftNode`: the machine's configuration (ticks), the tick length, and the service. */
export interface RaftNodeOptions extends RaftConfig {
  /** The implementation to run. Default `raftReference`. */
  implementation?: RaftImplementation;
  /** Virtual ms per tick. */
  tickMs: number;
  /** Called with every committed command (and every snapshot to install), in index order, after persist and send. */
  onApply?: (msg: RaftApplyMsg, node: Node) => void;
  /**
   * Log compaction (§7): when more than this many entries follow the snapshot, snapshot at
   * lastApplied with `snapshotData(lastApplied)`. Default: never.
   */
  snapshotEntriesMax?: number;
  /** The service's state up to and including `index`, for a snapshot. Required with snapshotEntriesMax. */
  snapshotData?: (index: number, node: Node) => unknown;
}

/** One incarnation of a Raft server on a node, seen from outside. */
export interface RaftHandle {
  readonly node: Node;
  /** The machine's state now. @example handle.state().currentTerm */
  state(): RaftState;
  /** Propose a command here (Start() in 6.5840). @example handle.propose("x=1") // { kind: "accepted", index: 1, term: 1 } */
  propose(command: unknown): ProposeResult;
  /** The service snapshotted its state up to the applied `index` (§7). @example handle.snapshot(10, { x: 1 }) */
  snapshot(index: number, data: unknown): void;
  /** Start an election now, as if the election timer had run out (etcd's `campaign`). @example handle.campaign() */
  campaign(): void;
}

/**
 * Run a Raft server on `node` (call it from the node's behaviour; it runs again after every
 * restart, from what storage kept). Ticks every `tickMs`; each Ready is handled as etcd says:
 * every `persist` field is written to `node.storage` and synced, *then* messages are sent, then the
 * role is declared (`follower` / `candidate` / `leader`, with the cause `<message type>, term <t>`
 * or `election timeout, term <t>`), then committed entries go to `onApply`.
 *
 * @example
 * sim.spawn("n1", (node) => raftNode(node, { peers: ["n2", "n3"], tickMs: 10, onApply: (m) => node.log(JSON.stringify(m)) }), { role: "raft" });
 */
export function raftNode(node: Node, options: RaftNodeOptions): RaftHandle {
  if (!(typeof options.tickMs === "number" && options.tickMs > 0 && Number.isFinite(options.tickMs))) {
    throw new RangeError(`raft ${node.id} at t=${node.now()}ms: tickMs must be a finite number > 0, got ${options.tickMs}`);
  }
  if (options.snapshotEntriesMax !== undefined && typeof options.snapshotData !== "function") {
    throw new RangeError(`raft ${node.id} at t=${node.now()}ms: snapshotEntriesMax needs snapshotData(index), the service's state to keep`);
  }
  const impl = options.implementation ?? raftReference;
  const machine = impl.machine;
  const { implementation: _impl, tickMs: _tickMs, onApply: _onApply, snapshotEntriesMax: _max, snapshotData: _data, ...config } = options;
  const ctx = { id: node.id, config, seed: node.rng.nextUint32() };
  const restarting = node.incarnation > 1 && machine.restore !== undefined;
  let state = restarting ? machine.restore!(ctx, node.storage.snapshot() as Partial<RaftPersist>) : machine.init(ctx);
  node.setState(state.role, restarting ? "restore" : "init");
  if (state.snapshotIndex > 0) options.onApply?.({ kind: "snapshot", index: state.snapshotIndex, term: state.snapshotTerm, data: state.snapshotData }, node);

  const handle = (ready: RaftReady, cause: string): void => {
    state = ready.state;
    const persist = ready.persist as Record<string, unknown> | undefined;
    if (persist !== undefined) {
      for (const key of Object.keys(persist)) node.storage.set(key, persist[key]);
      node.storage.sync(); // on a buffered disk the writes must be durable before anything is sent
    }
    for (const m of ready.messages ?? []) node.send(m.dest, m.body as never);
    node.setState(state.role, `${cause === "tick" && state.role === "candidate" ? "election timeout" : cause}, term ${state.currentTerm}`);
    for (const a of ready.applied ?? []) options.onApply?.(a, node);
    const max = options.snapshotEntriesMax;
    if (max !== undefined && state.log.length > max && state.lastApplied > state.snapshotIndex && node.isAlive()) {
      const next = impl.snapshot(state, state.lastApplied, options.snapshotData!(state.lastApplied, node));
      if (next.state.snapshotIndex < state.lastApplied) { // else this would snapshot again, for ever
        throw new RangeError(`raft ${node.id} at t=${node.now()}ms: snapshot(state, ${state.lastApplied}, data) left snapshotIndex at ${next.state.snapshotIndex}: it must become ${state.lastApplied}, with the entries up to it dropped from the log (§7)`);
      }
      handle(next, "snapshot");
    }
  };

  for (const type of machine.messageTypes) {
    node.on(type, (message: Message) => {
      const { msg_id: _wireId, ...body } = message.body;
      handle(machine.step(state, { src: message.src, body: body as unknown as RaftMessage }), type);
    });
  }
  node.setPeriodic(options.tickMs, () => handle(machine.tick(state), "tick"), "tick");

  return {
    node,
    state: () => state,
    propose(command) {
      if (!node.isAlive()) return { kind: "not_leader", leaderHint: null };
      const { ready, result } = impl.propose(state, command);
      handle(ready, "propose");
      return result;
    },
    snapshot(index, data) {
      if (node.isAlive()) handle(impl.snapshot(state, index, data), "snapshot");
    },
    campaign() {
      if (node.isAlive() && state.role !== "leader") handle(machine.tick({ ...state, electionElapsed: state.electionTimeout }), "campaign");
    },
  };
}

/** Options of `raftCluster`: those of `raftNode` without `peers` (each server's peers are the others). */
export type RaftClusterOptions = Omit<RaftNodeOptions, "peers"> & { spawn?: SpawnOptions };

/** A cluster of Raft servers in a simulation, for tests and notebooks. */
export interface RaftCluster {
  readonly ids: string[];
  /** The live incarnation's handle, or undefined while crashed. @example cluster.handle("n1")?.propose("x") */
  handle(id: string): RaftHandle | undefined;
  /** States of the live servers, by id (what the invariant checkers observe). @example checker.observe(cluster.states()) */
  states(): Record<string, RaftState>;
  /** The live leader of the highest term, if any. @example cluster.leader() // "n3" */
  leader(): string | undefined;
  /** Propose at the current leader; undefined when there is none. @example cluster.propose("x=1") */
  propose(command: unknown): (ProposeResult & { at: string }) | undefined;
  /** What each server's service has applied (kept across restarts, as 6.5840's tester keeps it): index → command. */
  applied(id: string): Map<number, unknown>;
}

/**
 * Spawn one Raft server per id (role `raft`), each with the others as peers.
 *
 * @example
 * const sim = new Simulation({ seed: 3 });
 * const cluster = raftCluster(sim, ["n1", "n2", "n3"], { tickMs: 10 });
 * await sim.runUntil(() => cluster.leader() !== undefined, { withinMs: 1000 });
 * cluster.propose("x=1"); // { kind: "accepted", index: 1, term: 1, at: "n2" }
 */
export function raftCluster(sim: Simulation, ids: readonly string[], options: RaftClusterOptions): RaftCluster {
  const handles = new Map<string, RaftHandle>();
  const applied = new Map<string, Map<number, unknown>>();
  const { spawn, onApply, ...rest } = options;
  for (const id of ids) {
    applied.set(id, new Map());
    sim.spawn(
      id,
      (node: Node) => {
        const record = applied.get(id)!;
        const h = raftNode(node, {
          ...rest,
          peers: ids.filter((p) => p !== id),
          onApply: (m, n) => {
            if (m.kind === "command") record.set(m.index, m.command);
            onApply?.(m, n);
          },
        });
        handles.set(id, h);
      },
      { role: "raft", ...spawn },
    );
  }
  const live = (id: string): RaftHandle | undefined => {
    const h = handles.get(id);
    return h !== undefined && h.node.isAlive() ? h : undefined;
  };
  const cluster: RaftCluster = {
    ids: ids.slice(),
    handle: live,
    states() {
      const out: Record<string, RaftState> = {};
      for (const id of ids) {
        const h = live(id);
        if (h) out[id] = h.state();
      }
      return out;
    },
    leader() {
      let best: RaftState | undefined;
      for (const s of Object.values(cluster.states())) if (s.role === "leader" && (best === undefined || s.currentTerm > best.currentTerm)) best = s;
      return best?.id;
    },
    propose(command) {
      const at = cluster.leader();
      if (at === undefined) return undefined;
      return { ...live(at)!.propose(command), at };
    },
    applied: (id) => applied.get(id) ?? new Map(),
  };
  return cluster;
}
