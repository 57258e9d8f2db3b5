// A protocol as a pure state machine, in the shape of etcd-io/raft: the core does no I/O, reads no
// clock and starts no timers. It is driven from outside by two calls,
//
//   step(state, message) → Ready      a message arrived
//   tick(state)          → Ready      one unit of protocol time passed (etcd's Tick)
//
// and hands back a `Ready`: the next state, the messages to send and what must be written to durable
// storage first. Whoever hosts the machine — `hostMachine` on a simulator node, `InteractionEnv` in a
// transcript test, later an explorer — persists, then sends, exactly as etcd's Ready contract says
// ("write HardState and Entries to stable storage, then send Messages").
//
// Time is counted in ticks: the machine never sees milliseconds, so "suspect after 3 silent
// ticks" means the same thing in a transcript and on a node ticking every 10 ms.
//
// Randomness: a machine that needs random numbers keeps a 32-bit seed in its state and draws with
// `nextRandom(seed)`, which returns the number and the next seed. `init` and `restore` receive a
// seed from the host (the adapter draws it from `node.rng`, so each incarnation gets its own; a
// transcript gives it with `seed=`). A step is then a function of (state, message) alone: the
// same inputs give the same Ready, which transcripts and exhaustive exploration rely on.

/**
 * The least a message body must have: a `type` (the simulator dispatches on it). Everything else
 * is the protocol's own JSON fields.
 */
export interface MachineBody {
  type: string;
}

/**
 * A message handed to `step`: who sent it and its body (exactly as the sender's machine emitted it;
 * the simulator's `msg_id` is removed by the host).
 */
export interface Inbound<M extends MachineBody> {
  src: string;
  body: M;
}

/** A message a machine wants sent: to `dest`, with `body` (plain JSON; the network sends a copy). */
export interface Outbound<M extends MachineBody> {
  dest: string;
  body: M;
}

/**
 * What `step` and `tick` return (etcd's `Ready`, plus the next state):
 * - `state`: the next state, a new object (the input state is never changed);
 * - `persist`: fields to write to durable storage *before* any message is sent (each field is one
 *   storage key, overwritten whole; omitted fields are left as they are);
 * - `messages`: what to send, in order, once `persist` is on disk.
 *
 * `persist` and `messages` may be omitted when there is nothing to write or send.
 */
export interface Ready<S, M extends MachineBody, P extends object = Record<string, never>> {
  state: S;
  persist?: Partial<P>;
  messages?: ReadonlyArray<Outbound<M>>;
}

/** What `init` and `restore` are given: the node's id, its configuration and a random seed. */
export interface InitContext<C> {
  /** The node this machine runs on, e.g. `"p1"`. */
  id: string;
  /** The configuration (peers, timeouts in ticks, ...): the same value for every incarnation. */
  config: C;
  /** A 32-bit seed for `nextRandom`, new for every incarnation. */
  seed: number;
}

/**
 * A protocol written as a pure state machine. Type parameters: `S` state, `M` message bodies
 * (a union discriminated by `type`), `P` the durable part (an object whose fields are storage keys),
 * `C` configuration.
 *
 * Rules (checked by `InteractionEnv`, which deep-freezes every input and calls each function twice):
 * never change the state or message you are given; depend on nothing but the arguments; keep state,
 * messages and `persist` plain JSON data.
 *
 * @example
 * // A counter that persists every increment before acknowledging it.
 * const counter: Machine<{ n: number }, { type: "inc" } | { type: "inc_resp"; n: number }, { n: number }, null> = {
 *   name: "counter",
 *   messageTypes: ["inc", "inc_resp"],
 *   init: () => ({ n: 0 }),
 *   restore: (_ctx, disk) => ({ n: disk.n ?? 0 }),
 *   step: (s, m) => m.body.type !== "inc" ? { state: s } : {
 *     state: { n: s.n + 1 },
 *     persist: { n: s.n + 1 },
 *     messages: [{ dest: m.src, body: { type: "inc_resp", n: s.n + 1 } }],
 *   },
 *   tick: (s) => ({ state: s }),
 *   describe: (s) => (s.n === 0 ? "zero" : "counting"),
 * };
 */
export interface Machine<S, M extends MachineBody, P extends object = Record<string, never>, C = unknown> {
  /** The protocol's name: the role of its nodes in state diagrams, e.g. `"two-phase-commit"`. */
  readonly name: string;
  /** Every message type `step` accepts (the host registers one handler per type). */
  readonly messageTypes: ReadonlyArray<M["type"]>;
  /** The state of a node that starts for the first time. @example machine.init({ id: "n1", config, seed: 1 }) */
  init(ctx: InitContext<C>): S;
  /**
   * The state of a node restarting after a crash, from what it persisted (the fields written so far;
   * `{}` if none). Without `restore`, a restart starts from `init` (the node kept nothing).
   *
   * @example machine.restore?.({ id: "n1", config, seed: 2 }, { term: 3 })
   */
  restore?(ctx: InitContext<C>, persisted: Partial<P>): S;
  /** A message arrived. @example machine.step(state, { src: "n2", body: { type: "ping" } }) */
  step(state: S, message: Inbound<M>): Ready<S, M, P>;
  /** One tick of protocol time passed. @example machine.tick(state) */
  tick(state: S): Ready<S, M, P>;
  /**
   * A short name for the state, for state diagrams and transcripts (`"follower"`, `"prepared"`).
   * Keep the set small: one name per box in the diagram.
   *
   * @example machine.describe?.(state) // "prepared"
   */
  describe?(state: S): string;
}

/**
 * Draw a uniform number in [0, 1) from a 32-bit seed and return it with the next seed (mulberry32,
 * Tommy Ettinger's 32-bit generator). Pure: the same seed always gives the same pair, so a machine
 * that keeps its seed in its state stays a function of its inputs.
 *
 * @example
 * const { value, seed } = nextRandom(state.seed);
 * const voteNo = value < config.abortProbability;
 * return { state: { ...state, seed }, ... };
 */
export function nextRandom(seed: number): { value: number; seed: number } {
  const next = (seed + 0x6d2b79f5) | 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return { value: ((t ^ (t >>> 14)) >>> 0) / 4294967296, seed: next >>> 0 };
}
