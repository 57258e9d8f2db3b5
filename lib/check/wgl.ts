/**
 * The Wing & Gong linearizability search with Lowe's memoisation, in the form Horn & Kroening
 * describe ("Faster linearizability checking via P-compositionality", 2015, §3, Algorithm 1) and
 * Porcupine implements.
 *
 * The history becomes a list of *entries*, a *call entry* and a *return entry* per operation, in
 * real-time order (a return before a call at the same instant: an operation that completes at t
 * precedes one invoked at t). The search
 * walks the list: at a call entry it tries to *linearize* that operation next (the model must
 * accept it in the current state); if it fits, it *lifts* the operation's two entries out of the
 * list, pushes (operation, state before) on the *calls* stack and starts again from the head.
 * Reaching a return entry means that operation's deadline has come and it was not linearized:
 * the search *backtracks* (pops the last linearized operation, *unlifts* it, tries the next
 * call entry after it). An empty list means every operation is linearized: a linearization.
 * Backtracking past an empty stack means there is none.
 *
 * Lowe's memoisation: a set of (linearized operations as a bitset, model state) pairs already
 * reached; reaching one again cannot lead anywhere new, so it is skipped.
 *
 * Operations of unknown outcome have their return entry at +∞: they may take effect at any point
 * after their invocation, or never — when the cursor meets a return entry at +∞, every operation
 * that did complete is linearized, and the unknown ones left over are taken never to have happened.
 */
import type { Model, ModelOperation } from "./model";

/** One operation prepared for the search. */
export interface SearchOperation<I, O> {
  /** The model's view (output unknown for `info`). */
  readonly call: ModelOperation<I, O>;
  readonly invokeMs: number;
  /** +∞ for an operation of unknown outcome. */
  readonly returnMs: number;
}

/** What one search found. Operations are named by their index in the input array. */
export interface SearchOutcome {
  verdict: "linearizable" | "not-linearizable" | "unknown";
  /** Search steps taken: each one tries an operation next, or backtracks. */
  steps: number;
  /**
   * Linearizable: a linearization (operations of unknown outcome that never took effect are left
   * out). Otherwise: the longest linearizable prefix the search reached.
   */
  order: number[];
  /** Not linearizable: the operation whose return entry the longest prefix could not get past. */
  blocked?: number;
  /** Not linearizable: the operations that could have been linearized after the longest prefix. */
  candidates?: number[];
}

const NIL = -1;

/** Murmur3's 32-bit finaliser: the per-operation Zobrist value of the bitset hash. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * Search for a linearization of `ops` under `model`, taking at most `maxSteps` steps.
 *
 * @example
 * const ops = [
 *   { call: { f: "write", input: 1, output: undefined, unknown: false }, invokeMs: 0, returnMs: 10 },
 *   { call: { f: "read", input: null, output: 1, unknown: false }, invokeMs: 5, returnMs: 20 },
 * ];
 * wingGongSearch(ops, registerModel(), 1000).verdict; // "linearizable", order [0, 1]
 */
export function wingGongSearch<S, I, O>(ops: ReadonlyArray<SearchOperation<I, O>>, model: Model<S, I, O>, maxSteps: number): SearchOutcome {
  const n = ops.length;
  // Entry e < n is the call entry of operation e; entry e >= n the return entry of operation e - n.
  const HEAD = 2 * n;
  const next = new Int32Array(2 * n + 1);
  const prev = new Int32Array(2 * n + 1);
  const time = (e: number): number => (e < n ? ops[e].invokeMs : ops[e - n].returnMs);
  // At the same instant, returns come before calls: an operation that completes at t precedes one
  // invoked at t (a client's next operation starts as its last one ends). Only an operation that
  // takes no time at all has its return after the calls at its instant, so its own call is first.
  const rank = (e: number): number => (e < n ? 1 : ops[e - n].invokeMs < ops[e - n].returnMs ? 0 : 2);
  const sorted = Array.from({ length: 2 * n }, (_, e) => e).sort((a, b) => {
    const ta = time(a);
    const tb = time(b);
    if (ta !== tb) return ta < tb ? -1 : 1;
    const ra = rank(a);
    const rb = rank(b);
    return ra !== rb ? ra - rb : a - b;
  });
  let last = HEAD;
  prev[HEAD] = NIL;
  for (const e of sorted) {
    next[last] = e;
    prev[e] = last;
    last = e;
  }
  next[last] = NIL;

  /** Take operation i's call and return entries out of the list. */
  const lift = (i: number): void => {
    next[prev[i]] = next[i];
    if (next[i] !== NIL) prev[next[i]] = prev[i];
    const r = i + n;
    next[prev[r]] = next[r];
    if (next[r] !== NIL) prev[next[r]] = prev[r];
  };
  /** Put them back (in the reverse order of lift, so the neighbours' links are still right). */
  const unlift = (i: number): void => {
    const r = i + n;
    next[prev[r]] = r;
    if (next[r] !== NIL) prev[next[r]] = r;
    next[prev[i]] = i;
    if (next[i] !== NIL) prev[next[i]] = i;
  };

  const words = Math.max(1, Math.ceil(n / 32));
  const linearized = new Uint32Array(words);
  let linearizedHash = 0;
  const toggle = (i: number): void => {
    linearized[i >>> 5] ^= 1 << (i & 31);
    linearizedHash ^= mix32(i + 1);
  };
  // Lowe's cache: state key → bitset hash → where the bitsets reached with that state are kept
  // in `arena` (one flat array of words, so a cache entry costs its words and one number; a hash
  // with one bitset maps to its offset, with more to a list of offsets).
  const cache = new Map<string | number, Map<number, number | number[]>>();
  let arena = new Uint32Array(words * 1024);
  let arenaUsed = 0;
  const inArena = (at: number): boolean => {
    for (let w = 0; w < words; w++) if (arena[at + w] !== linearized[w]) return false;
    return true;
  };
  const store = (): number => {
    if (arenaUsed + words > arena.length) {
      const grown = new Uint32Array(arena.length * 2);
      grown.set(arena);
      arena = grown;
    }
    arena.set(linearized, arenaUsed);
    arenaUsed += words;
    return arenaUsed - words;
  };
  /** Adds (linearized, state key) to the cache; false when it was already there. */
  const cacheAdd = (stateKey: string | number): boolean => {
    let byHash = cache.get(stateKey);
    if (byHash === undefined) cache.set(stateKey, (byHash = new Map()));
    const found = byHash.get(linearizedHash);
    if (found === undefined) {
      byHash.set(linearizedHash, store());
    } else if (typeof found === "number") {
      if (inArena(found)) return false;
      byHash.set(linearizedHash, [found, store()]);
    } else {
      for (const at of found) if (inArena(at)) return false;
      found.push(store());
    }
    return true;
  };

  const calls: Array<{ op: number; state: S }> = [];
  let state = model.init();
  let steps = 0;
  let best: number[] = [];
  let bestLength = -1;
  let blocked: number | undefined;
  let candidates: number[] | undefined;
  const linearization = (): number[] => calls.map((c) => c.op);

  let entry = next[HEAD];
  while (next[HEAD] !== NIL) {
    if (steps >= maxSteps) return { verdict: "unknown", steps, order: calls.length > best.length ? linearization() : best };
    steps++;
    if (entry < n) {
      // A call entry: try to linearize this operation next.
      const result = model.step(state, ops[entry].call);
      if (result.ok) {
        toggle(entry);
        if (cacheAdd(model.stateKey(result.state))) {
          calls.push({ op: entry, state });
          state = result.state;
          lift(entry);
          entry = next[HEAD];
        } else {
          toggle(entry);
          entry = next[entry];
        }
      } else {
        entry = next[entry];
      }
    } else {
      // A return entry: this operation should have been linearized by now.
      const op = entry - n;
      if (ops[op].returnMs === Infinity) break; // only operations of unknown outcome are left
      if (calls.length > bestLength) {
        bestLength = calls.length;
        best = linearization();
        blocked = op;
        candidates = [];
        for (let e = next[HEAD]; e !== entry; e = next[e]) if (e < n) candidates.push(e);
      }
      const top = calls.pop();
      if (top === undefined) return { verdict: "not-linearizable", steps, order: best, blocked, candidates };
      state = top.state;
      toggle(top.op);
      unlift(top.op);
      entry = next[top.op];
    }
  }
  return { verdict: "linearizable", steps, order: linearization() };
}
