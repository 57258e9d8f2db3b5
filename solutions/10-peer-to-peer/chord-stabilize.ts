/**
 * Reference solution of exercise 10.4 — Chord stabilisation under churn (Stoica et al.,
 * SIGCOMM 2001, §4.4 Fig. 7 join / stabilize / notify / fix_fingers, §5 check_predecessor,
 * §5.2 successor lists). The wire is the exercise's (see exercises/10-peer-to-peer/chord-stabilize.ts).
 */
import type { Node } from "../../lib/node";

/** A node on the ring: its Chord id and its simulator name. */
export interface ChordRef {
  id: number;
  node: string;
}

/** Options of {@link chordNode}. */
export interface ChordNodeOptions {
  id: number;
  m: number;
  bootstrap: string | null;
  successorsMax: number;
  stabilizeMs: number;
}

/** What the grader calls and reads. */
export interface ChordNodeHandle {
  join(): Promise<void>;
  lookup(key: number): Promise<ChordRef>;
  successor(): ChordRef;
  predecessor(): ChordRef | null;
  successors(): ChordRef[];
}

/** Timeout of every request (a round trip takes at most 30 ms in the graded network). */
export const RPC_TIMEOUT_MS = 40;

/** x ∈ (a, b) on the circle; (a, a) is all of it but a. */
function inOpen(x: number, a: number, b: number): boolean {
  if (a === b) return x !== a;
  return a < b ? a < x && x < b : a < x || x < b;
}

/** x ∈ (a, b] on the circle; (a, a] is all of it. */
function inHalfOpen(x: number, a: number, b: number): boolean {
  if (a === b) return true;
  return a < b ? a < x && x <= b : a < x || x <= b;
}

/**
 * A Chord node that joins through `bootstrap`, keeps a successor list of `successorsMax`, and runs
 * stabilize, check_predecessor and fix_fingers (one finger) every `stabilizeMs`.
 *
 * @example
 * sim.spawn("a", (node) => (handles.a = chordNode(node, { id: 100, m: 16, bootstrap: null, successorsMax: 3, stabilizeMs: 100 })));
 * await handles.a.join();
 */
export function chordNode(node: Node, options: ChordNodeOptions): ChordNodeHandle {
  const { m, successorsMax, stabilizeMs } = options;
  const self: ChordRef = { id: options.id, node: node.id };
  const size = 2 ** m;
  let successors: ChordRef[] = [self];
  let predecessor: ChordRef | null = null;
  const fingers: Array<ChordRef | null> = new Array(m).fill(null);
  let nextFinger = 0;
  const rpc = { timeoutMs: RPC_TIMEOUT_MS, retries: 0 };

  const forget = (name: string): void => {
    for (let i = 0; i < m; i++) if (fingers[i]?.node === name) fingers[i] = null;
    successors = successors.filter((s) => s.node !== name);
    if (successors.length === 0) successors = [self];
  };

  /** One step of the lookup of key at this node, skipping the nodes in avoid. */
  const step = (key: number, avoid: readonly string[]): { found: boolean; node: ChordRef } => {
    const successor = successors.find((s) => !avoid.includes(s.node)) ?? self;
    if (inHalfOpen(key, self.id, successor.id)) return { found: true, node: successor };
    let best = successor;
    for (const f of [...fingers, ...successors]) {
      if (f === null || avoid.includes(f.node) || !inOpen(f.id, self.id, key)) continue;
      if ((key - f.id + size) % size < (key - best.id + size) % size) best = f;
    }
    return { found: false, node: best };
  };

  /** Iterative lookup from `start` (this node by default). */
  const lookup = async (key: number, start: ChordRef = self): Promise<ChordRef> => {
    const avoid: string[] = [];
    let path: ChordRef[] = [start];
    for (let hops = 0; hops < 4 * m; hops++) {
      const here = path[path.length - 1];
      let answer: { found: boolean; node: ChordRef };
      if (here.node === self.node) answer = step(key, avoid);
      else {
        try {
          answer = (await node.rpc<{ type: string; found: boolean; node: ChordRef }>(here.node, { type: "cs_step", key, avoid }, rpc)).body;
        } catch {
          avoid.push(here.node);
          forget(here.node);
          path = path.length > 1 ? path.slice(0, -1) : [self];
          continue;
        }
      }
      if (answer.found) return answer.node;
      path.push(answer.node);
    }
    throw new Error(`${self.node} at t=${node.now()}ms: lookup(${key}) took more than ${4 * m} steps`);
  };

  const stabilize = async (): Promise<void> => {
    const successor = successors[0];
    let x: ChordRef | null;
    let theirs: ChordRef[] = [];
    if (successor.node === self.node) x = predecessor;
    else {
      try {
        const reply = await node.rpc<{ type: string; predecessor: ChordRef | null; successors: ChordRef[] }>(successor.node, { type: "cs_get_predecessor" }, rpc);
        x = reply.body.predecessor;
        theirs = reply.body.successors;
      } catch {
        forget(successor.node);
        return;
      }
    }
    const list = [successor, ...theirs];
    if (x !== null && x.node !== self.node && inOpen(x.id, self.id, successor.id)) list.unshift(x);
    const fresh: ChordRef[] = [];
    for (const s of list) if (s.node !== self.node && !fresh.some((f) => f.node === s.node)) fresh.push(s);
    successors = fresh.length > 0 ? fresh.slice(0, successorsMax) : [self];
    if (successors[0].node !== self.node) node.send(successors[0].node, { type: "cs_notify", node: self });
  };

  const notify = (n: ChordRef): void => {
    if (n.node === self.node) return;
    if (predecessor === null || inOpen(n.id, predecessor.id, self.id)) predecessor = n;
  };

  const checkPredecessor = async (): Promise<void> => {
    const p = predecessor;
    if (p === null) return;
    try {
      await node.rpc(p.node, { type: "cs_ping" }, rpc);
    } catch {
      if (predecessor?.node === p.node) predecessor = null;
    }
  };

  const fixFingers = async (): Promise<void> => {
    nextFinger = (nextFinger + 1) % m;
    const i = nextFinger;
    try {
      fingers[i] = await lookup((self.id + 2 ** i) % size);
    } catch {
      // tried again on its next turn
    }
  };

  node.on("cs_step", (msg) => {
    const body = msg.body as unknown as { key: number; avoid?: string[] };
    node.reply(msg, { type: "cs_step_ok", ...step(body.key, body.avoid ?? []) });
  });
  node.on("cs_get_predecessor", (msg) => node.reply(msg, { type: "cs_get_predecessor_ok", predecessor, successors }));
  node.on("cs_notify", (msg) => notify((msg.body as unknown as { node: ChordRef }).node));
  node.on("cs_ping", (msg) => node.reply(msg, { type: "cs_ping_ok" }));

  const every = (name: string, task: () => Promise<void>): void => {
    let busy = false;
    node.setPeriodic(
      stabilizeMs,
      () => {
        if (busy) return;
        busy = true;
        void task().finally(() => (busy = false));
      },
      name,
    );
  };

  return {
    async join() {
      if (options.bootstrap !== null) {
        let found: ChordRef | undefined;
        for (let attempt = 0; found === undefined && attempt < 5; attempt++) {
          try {
            found = await lookup(self.id, { id: -1, node: options.bootstrap });
          } catch {
            // try again
          }
        }
        if (found === undefined) throw new Error(`${self.node} at t=${node.now()}ms: could not join through ${options.bootstrap}`);
        successors = [found];
      }
      every("stabilize", stabilize);
      every("check_predecessor", checkPredecessor);
      every("fix_fingers", fixFingers);
    },
    lookup: (key) => lookup(key),
    successor: () => successors[0],
    predecessor: () => predecessor,
    successors: () => [...successors],
  };
}
