// The vocabulary of the explorer: what a system is, what one step (a choice) is, the bounds of a
// search, the properties it checks, and what it reports. Everything here is plain data.
import type { Machine, MachineBody } from "../machine/index";
import type { Trace } from "../trace/index";

/** One node of a system: its id, its configuration and the seed `init` gets (default 1). */
export interface ExploreNode<C> {
  id: string;
  config: C;
  seed?: number;
}

/** A message in flight: from `src` to `dest`, with the body exactly as the sender's machine made it. */
export interface ExploreMessage<M extends MachineBody> {
  src: string;
  dest: string;
  body: M;
}

/**
 * A closed system of pure machines to search: every node runs `machine` (a protocol with several
 * roles picks its role from the config, as `twoPhaseCommit` does). Messages to ids that are not
 * nodes (a client) leave the system and are not searched.
 *
 * @example
 * const system: ExploreSystem<TwoPhaseState, TwoPhaseMessage, TwoPhasePersist, TwoPhaseConfig> = {
 *   machine: twoPhaseCommit,
 *   nodes: [
 *     { id: "c", config: { role: "coordinator", participants: ["p1", "p2"], voteTimeoutTicks: 2, resendTicks: 1 } },
 *     { id: "p1", config: { role: "participant", coordinator: "c", resendTicks: 1 } },
 *     { id: "p2", config: { role: "participant", coordinator: "c", resendTicks: 1 } },
 *   ],
 *   messages: [{ src: "client", dest: "c", body: { type: "begin", txn: "t1" } }],
 * };
 */
export interface ExploreSystem<S, M extends MachineBody, P extends object = Record<string, never>, C = unknown> {
  machine: Machine<S, M, P, C>;
  nodes: ReadonlyArray<ExploreNode<C>>;
  /** Messages in flight in the initial state (a client's requests), delivered like any other. */
  messages?: ReadonlyArray<ExploreMessage<M>>;
  /**
   * What of a node's state identifies it, for deduplication (default: the whole state). Leave out
   * what cannot change behaviour (a seed never drawn from, configuration copies, a boot id) so that
   * states differing only there are explored once. For symmetry reduction also leave out ordered
   * lists of node ids (peer lists), which renaming would reorder.
   */
  view?: (state: S, id: string) => unknown;
}

/**
 * One step of a search. Messages are numbered by their place in the state's sorted multiset of
 * messages in flight (`ExploreView.messages` lists them in that order); nodes by id.
 * - `deliver`: hand message `message` to its destination's `step`;
 * - `tick`: one tick of `node`'s protocol time (`machine.tick`);
 * - `drop`: lose message `message`; `duplicate`: add a second copy of it;
 * - `crash`: `node` loses its state and the messages in flight to it (its disk is kept);
 * - `restart`: a crashed `node` comes back with `machine.restore(disk)` (or `init`).
 */
export type Choice =
  | { kind: "deliver"; message: number }
  | { kind: "tick"; node: string }
  | { kind: "drop"; message: number }
  | { kind: "duplicate"; message: number }
  | { kind: "crash"; node: string }
  | { kind: "restart"; node: string };

/** The kinds of choice. */
export type ChoiceKind = Choice["kind"];

/** One node in a search state. */
export interface NodeSnapshot<S> {
  id: string;
  /** The machine state, or undefined while crashed. */
  state: S | undefined;
  /** What `persist` has written (one field per storage key); survives crashes. */
  disk: Readonly<Record<string, unknown>>;
  /** 1 for the first start, +1 at each restart (the restart's seed). */
  incarnation: number;
}

/** What the faults and ticks spent so far on the path to a state (part of the state: it bounds the future). */
export interface Spent {
  drops: number;
  duplicates: number;
  crashes: number;
  restarts: number;
  ticks: number;
}

/**
 * What invariants and "eventually" properties read: the live states by id (crashed nodes absent,
 * like `host.states()`, so the simulator's checkers apply unchanged), plus the rest of the world.
 */
export interface ExploreView<S, M extends MachineBody> {
  /** Live nodes' states by id, in system order (crashed nodes are absent). */
  states: Readonly<Record<string, S>>;
  /** Every node, crashed or not, with its disk. */
  nodes: ReadonlyArray<NodeSnapshot<S>>;
  /** Messages in flight, in the state's canonical order. */
  messages: ReadonlyArray<ExploreMessage<M>>;
  /** Ids of crashed nodes. */
  crashed: readonly string[];
  /** Steps from the initial state on the path that reached this state. */
  depth: number;
  spent: Readonly<Spent>;
}

/**
 * What a property check returns: `true`, `undefined`, `[]` or `""` when it holds; `false`, a
 * message, or a list of messages (the simulator's checkers' shape, e.g. `atomicCommitViolations`)
 * when it does not.
 */
export type PropertyResult = boolean | string | readonly string[] | undefined;

/**
 * A property with a name, checked on views. As an invariant it must hold in every state; as an
 * "eventually" property it must hold in every terminal state (and, if asked, at the depth bound).
 *
 * @example
 * const agreement: ExploreProperty<TwoPhaseState, TwoPhaseMessage> = { name: "AC1", check: (v) => atomicCommitViolations(v.states) };
 */
export interface ExploreProperty<S, M extends MachineBody> {
  name: string;
  check: (view: ExploreView<S, M>) => PropertyResult;
}

/** Bounds on each path of the search. Faults default to 0 (none); ticks and depth to no bound. */
export interface ExploreBounds {
  /** Longest path explored (steps). Default: none for BFS; 50 for DFS. */
  depthMax?: number;
  dropsMax?: number;
  duplicatesMax?: number;
  crashesMax?: number;
  restartsMax?: number;
  /** Ticks in all on a path (default: no bound). */
  ticksMax?: number;
  /** States with more messages in flight are not expanded (counted as cut by the boundary). */
  inFlightMax?: number;
}

/** Progress of a running search, handed to `onProgress`. */
export interface ExploreProgress {
  /** Distinct states found so far. */
  states: number;
  transitions: number;
  /** States waiting to be expanded (BFS queue, or DFS stack). */
  frontier: number;
  /** Deepest state found so far. */
  depth: number;
  /** Elapsed milliseconds by the caller's `clock` (0 without one). */
  elapsedMs: number;
  /** States per second by the caller's `clock` (0 without one). */
  statesPerSecond: number;
}

/** Options for `explore`. */
export interface ExploreOptions<S, M extends MachineBody> extends ExploreBounds {
  /** Breadth-first (shortest counterexample; default) or depth-first (memory bounded by depth). */
  strategy?: "bfs" | "dfs";
  /** Must hold in every state. */
  invariants?: ReadonlyArray<ExploreProperty<S, M>>;
  /** Must hold in every terminal state (no choice left), and at the depth bound with `eventuallyAtBound`. */
  eventually?: ReadonlyArray<ExploreProperty<S, M>>;
  /** Also check `eventually` properties in states at `depthMax` or cut by the boundary (default false). */
  eventuallyAtBound?: boolean;
  /** States the search does not expand (TLC's CONSTRAINT, Stateright's `within_boundary`): still checked. */
  boundary?: (view: ExploreView<S, M>) => boolean;
  /** Nodes that may crash (default: every node, when `crashesMax` > 0). */
  crashable?: readonly string[];
  /** Nodes whose timer may fire (default: every live node), or a test of a node's state (e.g. not leaders). */
  tickable?: readonly string[] | ((state: S, id: string) => boolean);
  /**
   * Groups of interchangeable node ids (opt-in symmetry reduction): states equal up to a renaming of
   * ids within each group are explored once. Sound only if the protocol treats them alike.
   */
  symmetry?: ReadonlyArray<readonly string[]>;
  /** Stop with "bound reached" after this many distinct states / transitions. */
  statesMax?: number;
  transitionsMax?: number;
  /** Called every `progressEvery` states (default 10,000) and at the end. */
  onProgress?: (progress: ExploreProgress) => void;
  progressEvery?: number;
  /** The caller's clock in milliseconds (a notebook or bench passes one), for states/s: lib/ never reads a clock itself. */
  clock?: () => number;
}

/** One step of a counterexample: the choice and what it did. */
export interface CounterexampleStep {
  choice: Choice;
  /** One line: who, what, state changes (`formatCounterexample` prints these). */
  text: string;
}

/** A path from the initial state to a state that violates a property. */
export interface Counterexample<S, M extends MachineBody> {
  choices: Choice[];
  /** The compact replay string of `choices` (see `formatReplay`). */
  replay: string;
  steps: CounterexampleStep[];
  /** The violating state. */
  final: ExploreView<S, M>;
}

/**
 * How a search ended:
 * - `violated`: a property failed — an invariant (`where: "state"`), an eventually property in a
 *   terminal state (`"terminal"`) or at the bound (`"bound"`: the protocol may just not have
 *   finished within it);
 * - `exhausted`: every state within the bounds was explored and no property failed;
 * - `bound-reached`: `statesMax` or `transitionsMax` stopped the search first: nothing found, but
 *   not everything was explored.
 */
export type ExploreVerdict<S, M extends MachineBody> =
  | { kind: "violated"; property: string; where: "state" | "terminal" | "bound"; problems: string[]; counterexample: Counterexample<S, M> }
  | { kind: "exhausted" }
  | { kind: "bound-reached"; limit: "states" | "transitions" };

/** The final report of a search. */
export interface ExploreReport<S, M extends MachineBody> {
  strategy: "bfs" | "dfs";
  /** Distinct states (after symmetry reduction) found. */
  states: number;
  /** Choices taken (each a transition, new state or not). */
  transitions: number;
  /** Deepest state found. */
  depth: number;
  /** Largest the BFS queue / DFS stack got. */
  frontierPeak: number;
  /** Terminal states (no choice left). */
  terminal: number;
  /** States not expanded because of `depthMax`, and because of `boundary` / `inFlightMax`. */
  cutByDepth: number;
  cutByBoundary: number;
  /** True when no budget (`statesMax`, `transitionsMax`) stopped the search and no violation ended it early. */
  exhausted: boolean;
  verdict: ExploreVerdict<S, M>;
  /** One paragraph for a notebook: the verdict and the counts, said honestly. */
  summary: string;
}

/** A counterexample replayed as an ordinary run: its trace draws with `toSequenceDiagram` / `toStateDiagram`. */
export interface ReplayRun<S, M extends MachineBody> {
  /** The run's trace (one virtual millisecond per step). */
  trace: Trace;
  /** The state after the last choice. */
  final: ExploreView<S, M>;
  steps: CounterexampleStep[];
}
