// A Chord node in the simulator (Stoica et al., SIGCOMM 2001 §4–5; ToN 2003 §IV): join through a
// bootstrap node, periodic `stabilize` / `notify`, `fix_fingers`, `check_predecessor`, successor
// lists (ToN §IV-E), ITERATIVE lookups (the querying node contacts each hop itself, so it can route
// around a hop that does not answer), and keys stored at their successor and copied to the next
// `replicas` successors.
//
// Wire (every message name starts with `chord_`):
//   chord_step { key, avoid: string[] }          → chord_step_ok { kind: "done" | "next", node: ChordRef }
//   chord_stabilize {}                            → chord_stabilize_ok { predecessor: ChordRef | null, successors: ChordRef[] }
//   chord_notify { node: ChordRef }               (one-way: "I might be your predecessor")
//   chord_ping {}                                 → chord_pong {}
//   chord_put { key, value }                      → chord_put_ok {}
//   chord_get { key }                             → chord_get_ok { kind: "found" | "missing", value: string | null }
//   chord_replicate { entries: [key, value][] }   (one-way copies to successors and hand-over to a new predecessor)
// States (for a state diagram of a join): joining → joined (has a successor) → stable (its successor
// names it as predecessor).
import type { Message, Node } from "../node/index";
import { ConfigError } from "../sim/index";
import { inHalfOpenArc, inOpenArc } from "./chord-math";

/** A node as Chord names it: identifier on the circle and simulator id. */
export interface ChordRef {
  id: number;
  name: string;
}

/** The states a Chord node goes through when it joins. */
export const CHORD_STATES = ["joining", "joined", "stable"] as const;
export type ChordState = (typeof CHORD_STATES)[number];

/** Options of `chordNode`. */
export interface ChordNodeOptions {
  /** This node's identifier in [0, 2^m). */
  id: number;
  /** Identifier bits. */
  m: number;
  /** A node already in the ring, or null to create a new ring. */
  bootstrap: string | null;
  /** Length r of the successor list (1 = the plain protocol of SIGCOMM §4). */
  successorsMax: number;
  /** Period of `stabilize` (0 = never on its own). */
  stabilizeMs: number;
  /** Period of `fix_fingers` (one finger per run); default `stabilizeMs`; 0 = never. */
  fixFingersMs?: number;
  /** Period of `check_predecessor`; default 2 × `stabilizeMs`; 0 = never. */
  checkPredecessorMs?: number;
  /** How many successors hold a copy of each key; default successorsMax − 1. */
  replicas?: number;
  /** How long one hop may take before it counts as failed; default 60. */
  rpcTimeoutMs?: number;
  /** Start already in a stable ring with these pointers (experiments that skip the joins). */
  initial?: { predecessor: ChordRef | null; successors: ChordRef[]; fingers: ChordRef[] };
}

/** What a lookup found. */
export interface ChordLookupResult {
  kind: "found" | "failed";
  /** The key's successor as the lookup found it (null when it failed). */
  owner: ChordRef | null;
  /** Simulator ids contacted in order, starting at the querying node. */
  path: string[];
  /** Messages sent for this lookup (requests and replies, timed-out requests included). */
  messages: number;
  why?: string;
}

/** The handle `chordNode` returns. */
export interface ChordNodeHandle {
  readonly self: ChordRef;
  state(): ChordState;
  predecessor(): ChordRef | null;
  successors(): ChordRef[];
  fingers(): Array<ChordRef | null>;
  /** Keys this node holds (its own and copies). */
  keys(): Map<number, string>;
  lookup(key: number): Promise<ChordLookupResult>;
  put(key: number, value: string): Promise<ChordLookupResult>;
  get(key: number): Promise<{ kind: "found" | "missing" | "failed"; value: string | null; owner: ChordRef | null }>;
  join(): Promise<void>;
  stabilize(): Promise<void>;
  fixFingers(): Promise<void>;
  checkPredecessor(): Promise<void>;
}

const NOBODY: string[] = [];
const NO_SET: ReadonlySet<string> = new Set<string>();

type StepAnswer = { kind: "done" | "next"; node: ChordRef };

/**
 * Run Chord on `node`. With `bootstrap` it joins through that node (state `joining` until it knows
 * its successor, `joined`, then `stable` once the successor names it as predecessor).
 * @example
 * sim.spawn("a", (node) => chordNode(node, { id: 10, m: 8, bootstrap: null, successorsMax: 3, stabilizeMs: 50 }));
 * sim.spawn("b", (node) => chordNode(node, { id: 90, m: 8, bootstrap: "a", successorsMax: 3, stabilizeMs: 50 }));
 */
export function chordNode(node: Node<any>, options: ChordNodeOptions): ChordNodeHandle {
  const { m, successorsMax } = options;
  const size = 2 ** m;
  const fail = (what: string, value: unknown, expected: string) =>
    new ConfigError(what, value, `${expected} (chordNode on ${node.id} at ${node.now()} ms)`);
  if (!Number.isInteger(m) || m < 1 || m > 48) throw fail("m", m, "an integer in 1..48");
  if (!Number.isInteger(options.id) || options.id < 0 || options.id >= size) throw fail("id", options.id, `an integer in [0, 2^${m})`);
  if (!Number.isInteger(successorsMax) || successorsMax < 1) throw fail("successorsMax", successorsMax, "an integer ≥ 1");
  if (!(options.stabilizeMs >= 0)) throw fail("stabilizeMs", options.stabilizeMs, "a number ≥ 0");
  const fixFingersMs = options.fixFingersMs ?? options.stabilizeMs;
  const checkPredecessorMs = options.checkPredecessorMs ?? 2 * options.stabilizeMs;
  const replicas = Math.min(options.replicas ?? successorsMax - 1, successorsMax);
  const timeoutMs = options.rpcTimeoutMs ?? 60;

  const self: ChordRef = { id: options.id, name: node.id };
  let state: ChordState = "joining";
  let predecessor: ChordRef | null = null;
  let successors: ChordRef[] = [];
  let fingers: Array<ChordRef | null> = new Array(m).fill(null);
  let nextFinger = 0;
  let stabilizing = false;
  const store = new Map<number, string>();

  const enter = (next: ChordState, why: string) => {
    if (state === next) return;
    state = next;
    node.setState(next, why);
  };

  /** Forget a node that did not answer. */
  const forget = (name: string) => {
    successors = successors.filter((s) => s.name !== name);
    fingers = fingers.map((f) => (f && f.name === name ? null : f));
    if (predecessor && predecessor.name === name) predecessor = null;
  };

  /** One step of the lookup at this node (paper Fig. 5, with successor lists and a list to avoid). */
  const step = (key: number, avoid: ReadonlySet<string>): StepAnswer | null => {
    const successor = successors.find((s) => !avoid.has(s.name));
    if (!successor) return null;
    if (inHalfOpenArc(key, self.id, successor.id)) return { kind: "done", node: successor };
    let best: ChordRef | null = null;
    const consider = (c: ChordRef | null) => {
      if (!c || avoid.has(c.name) || c.name === self.name || !inOpenArc(c.id, self.id, key)) return;
      if (!best || inOpenArc(best.id, self.id, c.id)) best = c;
    };
    for (const f of fingers) consider(f);
    for (const s of successors) consider(s);
    return { kind: "next", node: best ?? successor };
  };

  /** Iterative lookup starting at `start` (this node or the bootstrap). */
  const lookupFrom = async (start: ChordRef, key: number): Promise<ChordLookupResult> => {
    const path = [node.id];
    let messages = 0;
    const avoid = new Set<string>();
    const visited: ChordRef[] = [];
    let current = start;
    if (start.name !== node.id) path.push(start.name);
    for (let guard = 0; guard < 4 * m + 16; guard++) {
      let answer: StepAnswer | null;
      if (current.name === node.id) answer = step(key, avoid);
      else {
        try {
          const reply = await node.rpc<{ type: string } & StepAnswer>(
            current.name,
            { type: "chord_step", key, avoid: avoid.size === 0 ? NOBODY : [...avoid] },
            { timeoutMs },
          );
          messages += 2;
          answer = { kind: reply.body.kind, node: reply.body.node };
        } catch {
          messages += 1;
          avoid.add(current.name);
          forget(current.name);
          const back = visited.pop();
          if (!back) return { kind: "failed", owner: null, path, messages, why: `${current.name} did not answer` };
          current = back;
          path.push(back.name);
          continue;
        }
      }
      if (!answer) return { kind: "failed", owner: null, path, messages, why: `${current.name} knows no live successor` };
      if (answer.kind === "done") {
        if (path[path.length - 1] !== answer.node.name) path.push(answer.node.name);
        return { kind: "found", owner: answer.node, path, messages };
      }
      visited.push(current);
      current = answer.node;
      path.push(current.name);
    }
    return { kind: "failed", owner: null, path, messages, why: "too many hops" };
  };

  const ownsKey = (key: number) => (predecessor ? inHalfOpenArc(key, predecessor.id, self.id) : true);

  const replicate = (entries: Array<[number, string]>) => {
    if (entries.length === 0) return;
    for (const s of successors.slice(0, replicas)) if (s.name !== node.id) node.send(s.name, { type: "chord_replicate", entries });
  };

  const stabilize = async () => {
    if (stabilizing || state === "joining") return;
    stabilizing = true;
    try {
      const before = successors.map((s) => s.name).join(",");
      for (;;) {
        if (successors.length === 0) successors = [self];
        const s = successors[0];
        let info: { predecessor: ChordRef | null; successors: ChordRef[] };
        if (s.name === node.id) info = { predecessor, successors };
        else {
          try {
            const reply = await node.rpc<any>(s.name, { type: "chord_stabilize" }, { timeoutMs, retries: 1 });
            info = { predecessor: reply.body.predecessor, successors: reply.body.successors };
          } catch {
            if (successors.length > 1) {
              forget(s.name);
              continue;
            }
            // The only successor known is silent: try a finger beyond it, or keep it and retry later.
            forget(s.name);
            const next = fingers.find((f): f is ChordRef => f !== null && f.name !== node.id);
            successors = [next ?? s];
            break;
          }
        }
        const x = info.predecessor;
        const list = x && x.name !== node.id && inOpenArc(x.id, self.id, s.id) ? [x, s, ...info.successors] : [s, ...info.successors];
        const seen = new Set<string>();
        successors = list.filter((r) => r.name !== node.id && !seen.has(r.name) && seen.add(r.name)).slice(0, successorsMax);
        if (successors.length === 0) successors = [self];
        fingers[0] = successors[0];
        if (successors[0].name !== node.id) node.send(successors[0].name, { type: "chord_notify", node: self });
        else if (x && x.name !== node.id) successors = [x];
        if (x && x.name === node.id) enter("stable", "its successor names it predecessor");
        break;
      }
      if (successors.map((r) => r.name).join(",") !== before) replicate([...store].filter(([k]) => ownsKey(k)));
    } finally {
      stabilizing = false;
    }
  };

  const fixFingers = async () => {
    if (state === "joining") return;
    nextFinger = (nextFinger + 1) % m;
    const i = nextFinger;
    const result = await lookupFrom(self, (self.id + 2 ** i) % size);
    if (result.kind === "found") fingers[i] = result.owner;
  };

  const checkPredecessor = async () => {
    const p = predecessor;
    if (!p || p.name === node.id) return;
    try {
      await node.rpc(p.name, { type: "chord_ping" }, { timeoutMs, retries: 1 });
    } catch {
      if (predecessor && predecessor.name === p.name) predecessor = null;
    }
  };

  const join = async () => {
    if (options.bootstrap === null) {
      successors = [self];
      enter("joined", "created a new ring");
      enter("stable", "alone in its ring");
      return;
    }
    while (state === "joining") {
      const result = await lookupFrom({ id: -1, name: options.bootstrap }, self.id);
      if (result.kind === "found" && result.owner && result.owner.name !== node.id) {
        successors = [result.owner];
        fingers[0] = result.owner;
        enter("joined", "found its successor");
        await stabilize();
        return;
      }
      await node.sleep(Math.max(options.stabilizeMs, timeoutMs));
    }
  };

  node.on("chord_step", (msg: Message<any>) => {
    const avoid: string[] = msg.body.avoid;
    const answer = state === "joining" ? null : step(msg.body.key, avoid.length === 0 ? NO_SET : new Set<string>(avoid));
    if (answer) node.reply(msg, { type: "chord_step_ok", kind: answer.kind, node: answer.node });
  });
  node.on("chord_stabilize", (msg: Message<any>) => {
    node.reply(msg, { type: "chord_stabilize_ok", predecessor, successors });
  });
  node.on("chord_notify", (msg: Message<any>) => {
    const n: ChordRef = msg.body.node;
    if (n.name === node.id) return;
    if (!predecessor || inOpenArc(n.id, predecessor.id, self.id)) {
      predecessor = n;
      // Hand over the keys the new predecessor now owns (it is their successor from now on).
      const moved = [...store].filter(([k]) => !inHalfOpenArc(k, n.id, self.id));
      if (moved.length > 0) node.send(n.name, { type: "chord_replicate", entries: moved });
    }
    if (successors.length === 1 && successors[0].name === node.id) successors = [n];
  });
  node.on("chord_ping", (msg: Message<any>) => node.reply(msg, { type: "chord_pong" }));
  node.on("chord_put", (msg: Message<any>) => {
    store.set(msg.body.key, msg.body.value);
    replicate([[msg.body.key, msg.body.value]]);
    node.reply(msg, { type: "chord_put_ok" });
  });
  node.on("chord_get", (msg: Message<any>) => {
    const value = store.get(msg.body.key);
    node.reply(msg, { type: "chord_get_ok", kind: value === undefined ? "missing" : "found", value: value ?? null });
  });
  node.on("chord_replicate", (msg: Message<any>) => {
    for (const [k, v] of msg.body.entries as Array<[number, string]>) store.set(k, v);
  });

  const periodic = (everyMs: number, run: () => Promise<void>, name: string) => {
    if (!(everyMs > 0)) return;
    node.setTimer(node.rng.int(0, Math.max(1, Math.floor(everyMs))), () => {
      void run();
      node.setPeriodic(everyMs, () => void run(), name);
    }, `${name}-start`);
  };

  if (options.initial) {
    predecessor = options.initial.predecessor;
    successors = options.initial.successors.slice(0, successorsMax);
    fingers = options.initial.fingers.slice(0, m);
    state = "stable";
    node.setState("stable", "started in a stable ring");
  } else {
    node.setState("joining", options.bootstrap ? "asks a bootstrap node for its successor" : "creating a ring");
    void join();
  }
  periodic(options.stabilizeMs, stabilize, "stabilize");
  periodic(fixFingersMs, fixFingers, "fix_fingers");
  periodic(checkPredecessorMs, checkPredecessor, "check_predecessor");

  const owner = async (key: number) => lookupFrom(self, ((key % size) + size) % size);
  return {
    self,
    state: () => state,
    predecessor: () => predecessor,
    successors: () => successors.slice(),
    fingers: () => fingers.slice(),
    keys: () => new Map(store),
    lookup: owner,
    put: async (key, value) => {
      const found = await owner(key);
      if (found.kind !== "found" || !found.owner) return found;
      if (found.owner.name === node.id) {
        store.set(key, value);
        replicate([[key, value]]);
        return found;
      }
      try {
        await node.rpc(found.owner.name, { type: "chord_put", key, value }, { timeoutMs });
        return { ...found, messages: found.messages + 2 };
      } catch {
        return { ...found, kind: "failed", why: `${found.owner.name} did not store the key` };
      }
    },
    get: async (key) => {
      const found = await owner(key);
      if (found.kind !== "found" || !found.owner) return { kind: "failed", value: null, owner: null };
      if (found.owner.name === node.id) {
        const v = store.get(key);
        return { kind: v === undefined ? "missing" : "found", value: v ?? null, owner: found.owner };
      }
      try {
        const reply = await node.rpc<any>(found.owner.name, { type: "chord_get", key }, { timeoutMs });
        return { kind: reply.body.kind, value: reply.body.value, owner: found.owner };
      } catch {
        return { kind: "failed", value: null, owner: found.owner };
      }
    },
    join,
    stabilize,
    fixFingers,
    checkPredecessor,
  };
}
