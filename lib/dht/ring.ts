// Consistent hashing with virtual nodes (Karger et al., STOC 1997; Chord, SIGCOMM 2001, §6.1).
//
// Nodes and keys are hashed onto the same circle of 2³² points. A key belongs to the first node
// point at or after the key's point, going clockwise (wrapping past 2³² − 1 to 0) — the key's
// *successor*, in Chord's words. Each physical node places `virtualNodes` points on the circle
// (point i of node "a" is the hash of "a#i"), so it owns many small arcs instead of one large one,
// which evens out the load (see ring-load.ts). Adding a node only takes keys from the others;
// removing one only hands its keys to the others (see ring-moves.ts).
import { spreadHash } from "../partitioning/hash";

/** The size of the identifier circle: points are integers in [0, 2³²). */
export const RING_SIZE = 2 ** 32;

/**
 * The circle position of virtual node `index` of node `node`: the hash of `"<node>#<index>"`.
 *
 * @example
 * virtualNodePoint("a", 0) === virtualNodePoint("a", 0); // true — deterministic
 * virtualNodePoint("a", 0) !== virtualNodePoint("a", 1); // true (almost surely)
 */
export function virtualNodePoint(node: string, index: number): number {
  return spreadHash(`${node}#${index}`);
}

/**
 * The circle position of a key: its {@link spreadHash}.
 *
 * @example
 * keyPoint("user:42"); // an integer in [0, 2³²)
 */
export function keyPoint(key: string): number {
  return spreadHash(key);
}

/** Options of {@link HashRing}. */
export interface HashRingOptions {
  /** Points each node places on the circle (≥ 1). Chord's experiment varies this from 1 to 20. */
  virtualNodes: number;
  /** The initial nodes (distinct ids). Default none. */
  nodes?: readonly string[];
}

/**
 * A consistent-hash ring with virtual nodes: `ownerOf(key)` is the node of the first point at or
 * clockwise after the key's point. Ties between equal points (vanishingly rare) go to the smaller
 * node id, so the owner never depends on insertion order.
 *
 * @example
 * const ring = new HashRing({ nodes: ["a", "b", "c"], virtualNodes: 8 });
 * ring.ownerOf("user:42");    // "a", "b" or "c" — the same every run
 * ring.addNode("d");          // d takes about a quarter of the keys, all from a, b and c
 * ring.removeNode("a");       // a's keys go to the nodes after a's points
 * ring.successors("user:42", 2); // the owner and the next distinct node clockwise (replica set)
 */
export class HashRing {
  readonly virtualNodes: number;
  private readonly members = new Set<string>();
  private points: number[] = [];
  private owners: string[] = [];
  private dirty = false;

  constructor(options: HashRingOptions) {
    const { virtualNodes, nodes = [] } = options ?? ({} as HashRingOptions);
    if (!Number.isInteger(virtualNodes) || virtualNodes < 1) {
      throw new RangeError(`HashRing: virtualNodes must be an integer ≥ 1, got ${virtualNodes}`);
    }
    this.virtualNodes = virtualNodes;
    for (const node of nodes) this.addNode(node);
  }

  /** The member nodes, sorted by id. */
  nodes(): string[] {
    return [...this.members].sort();
  }

  /** Whether `node` is a member. */
  has(node: string): boolean {
    return this.members.has(node);
  }

  /** Adds a node (its `virtualNodes` points). Throws if it is already a member. */
  addNode(node: string): void {
    if (typeof node !== "string" || node === "") throw new TypeError(`HashRing.addNode: node id must be a non-empty string, got ${String(node)}`);
    if (this.members.has(node)) throw new Error(`HashRing.addNode: node "${node}" is already on the ring`);
    this.members.add(node);
    this.dirty = true;
  }

  /** Removes a node and all its points. Throws if it is not a member. */
  removeNode(node: string): void {
    if (!this.members.has(node)) throw new Error(`HashRing.removeNode: node "${node}" is not on the ring (members: ${this.nodes().join(", ") || "none"})`);
    this.members.delete(node);
    this.dirty = true;
  }

  /** All (point, node) pairs in clockwise order. */
  virtualPoints(): Array<{ point: number; node: string }> {
    this.rebuild();
    return this.points.map((point, i) => ({ point, node: this.owners[i] }));
  }

  /** The owner of `key`: the node of the first point at or after `keyPoint(key)`. */
  ownerOf(key: string): string {
    return this.ownerOfPoint(keyPoint(key));
  }

  /** The owner of a circle position in [0, 2³²). */
  ownerOfPoint(point: number): string {
    this.rebuild();
    if (this.points.length === 0) throw new Error(`HashRing.ownerOf: the ring has no nodes`);
    return this.owners[this.indexAtOrAfter(point)];
  }

  /**
   * The first `count` distinct nodes clockwise from the key's point: the owner first, then the
   * nodes a replicated DHT would also store the key on (Chord §5: successor list; Dynamo's
   * preference list). Fewer if the ring has fewer nodes.
   */
  successors(key: string, count: number): string[] {
    this.rebuild();
    if (this.points.length === 0) throw new Error(`HashRing.successors: the ring has no nodes`);
    const result: string[] = [];
    const start = this.indexAtOrAfter(keyPoint(key));
    for (let step = 0; step < this.points.length && result.length < count; step++) {
      const node = this.owners[(start + step) % this.points.length];
      if (!result.includes(node)) result.push(node);
    }
    return result;
  }

  private indexAtOrAfter(point: number): number {
    let lo = 0;
    let hi = this.points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.points[mid] < point) lo = mid + 1;
      else hi = mid;
    }
    return lo === this.points.length ? 0 : lo;
  }

  private rebuild(): void {
    if (!this.dirty) return;
    const pairs: Array<{ point: number; node: string }> = [];
    for (const node of this.members) {
      for (let i = 0; i < this.virtualNodes; i++) pairs.push({ point: virtualNodePoint(node, i), node });
    }
    pairs.sort((x, y) => x.point - y.point || (x.node < y.node ? -1 : x.node > y.node ? 1 : 0));
    this.points = pairs.map((p) => p.point);
    this.owners = pairs.map((p) => p.node);
    this.dirty = false;
  }
}

let cachedKey = "";
let cachedRing: HashRing | null = null;

/**
 * The owner of `key` on the ring made of `ring`'s nodes with `virtualNodes` points each — the same
 * answer as `new HashRing({ nodes: ring, virtualNodes }).ownerOf(key)`. This is the ownership rule
 * of exercise 10.1 (`{ virtualNodes, ring }` as the node receives it). The last ring built is
 * cached, so calling it for many keys of one ring is cheap. The order of `ring` does not matter.
 *
 * @example
 * ringOwnerOf("user:42", ["n1", "n2", "n3"], 16); // "n1", "n2" or "n3"
 * ringOwnerOf("user:42", ["n3", "n1", "n2"], 16); // the same node
 */
export function ringOwnerOf(key: string, ring: readonly string[], virtualNodes: number): string {
  if (!Array.isArray(ring) || ring.length === 0) throw new Error(`ringOwnerOf: ring must be a non-empty array of node ids, got ${JSON.stringify(ring)}`);
  const cacheKey = `${virtualNodes}\u0000${[...ring].sort().join("\u0000")}`;
  if (cachedRing === null || cacheKey !== cachedKey) {
    cachedRing = new HashRing({ nodes: ring, virtualNodes });
    cachedKey = cacheKey;
  }
  return cachedRing.ownerOf(key);
}
