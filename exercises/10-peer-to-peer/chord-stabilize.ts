/**
 * Exercise 10.4 — Chord stabilisation under churn (15 points). Graded by `npm test`
 * (test/10-peer-to-peer.test.ts), or alone with `npm run grade -- 10.4`.
 *
 * Chord (Stoica et al., SIGCOMM 2001, §4.4 and §5) keeps its ring right while nodes join and fail
 * with a few periodic repairs. Write `chordNode(node, options)`: a node with Chord id `options.id`
 * on a circle of 2^m ids. Every `stabilizeMs` it runs
 * - stabilize: ask the successor s for its predecessor x and its successor list; if x ∈ (self, s)
 *   (open, wrapping), x becomes the successor; the successor list becomes [successor, …s's list],
 *   cut to `successorsMax` (without self); then notify the successor. If s does not answer, drop
 *   it and use the next entry of the successor list. A node alone (successor = self) takes its
 *   own predecessor, if it has one, as successor;
 * - notify (on `cs_notify` from n): if predecessor is null or n ∈ (predecessor, self), predecessor = n;
 * - check_predecessor: ping the predecessor; no answer ⇒ predecessor = null;
 * - fix_fingers: refresh one finger i (round robin): finger[i] = lookup(self + 2^i mod 2^m).
 * `join()` with `bootstrap` null creates the ring (successor = self); otherwise the successor is
 * lookup(self.id) done through the bootstrap node. Then it starts the three periodic tasks.
 * `lookup(key)` is iterative (a `cs_step` per node visited) and resolves to the key's successor.
 *
 * The wire (the grader's own Chord nodes speak it, mixed with yours; use rpc with a timeout of
 * about 40 ms — a round trip takes at most 30 ms — and treat a timeout as a failed node):
 * - `{ type: "cs_step", key, avoid: string[] }` → `{ type: "cs_step_ok", found: boolean, node: { id, node } }`:
 *   with s the first successor-list entry not in `avoid`: if key ∈ (self, s], `found: true, node: s`;
 *   otherwise `found: false` and the finger or successor-list entry in (self, key), not in `avoid`,
 *   closest to the key (s if none). The asker adds a node that timed out to `avoid` and asks the
 *   node before it again.
 * - `{ type: "cs_get_predecessor" }` → `{ type: "cs_get_predecessor_ok", predecessor: { id, node } | null, successors: { id, node }[] }`
 * - `{ type: "cs_notify", node: { id, node } }` (no answer)
 * - `{ type: "cs_ping" }` → `{ type: "cs_ping_ok" }`
 * A `{ id, node }` is a node's Chord id and its simulator name (`node.id`).
 *
 * Graded: 27 trials for each of 5 seeds: 7–10 nodes (m = 16, stabilizeMs = 100, successorsMax = 3),
 * about half yours, join 60 ms apart through random members; 1 s after the last join 2–3
 * of them crash at once (always 2 ring neighbours, never 3). 600 ms later, and for 3 more rounds, every live
 * node's successor() must be the next live node; then lookup at every live node of 3 keys (one a
 * crashed node's id, one past the highest id) must return the key's live successor within 1 s.
 */
import type { Node } from "../../lib/node";
import { NotImplementedError } from "../not-implemented";

/** A node on the ring: its Chord id and its simulator name. */
export interface ChordRef {
  id: number;
  node: string;
}

/** Options of {@link chordNode}. */
export interface ChordNodeOptions {
  /** This node's Chord id, 0 ≤ id < 2^m. */
  id: number;
  /** Bits of the identifier circle. */
  m: number;
  /** A node already on the ring, or null to create the ring. */
  bootstrap: string | null;
  /** Length of the successor list (r in the paper). */
  successorsMax: number;
  /** Period of stabilize, check_predecessor and fix_fingers. */
  stabilizeMs: number;
}

/** What the grader calls and reads. */
export interface ChordNodeHandle {
  /** Create or join the ring, then start the periodic tasks. */
  join(): Promise<void>;
  /** The key's successor, by an iterative lookup from this node. */
  lookup(key: number): Promise<ChordRef>;
  successor(): ChordRef;
  predecessor(): ChordRef | null;
  successors(): ChordRef[];
}

/**
 * A Chord node with stabilisation and successor lists.
 *
 * @example
 * sim.spawn("a", (node) => (a = chordNode(node, { id: 100, m: 16, bootstrap: null, successorsMax: 3, stabilizeMs: 100 })));
 * await a.join();
 */
export function chordNode(node: Node, options: ChordNodeOptions): ChordNodeHandle {
  // Your code here (10.4)
  throw new NotImplementedError("10.4 chord-stabilize", "exercises/10-peer-to-peer/chord-stabilize.ts");
}
