// The node registry: who exists, in which order, in which groups, and which incarnation of each
// is alive. Crash and restart fence incarnations: an incarnation's resources (random streams,
// storage handle, timers) belong to it alone, and a crash count tells deliveries sent before a
// crash from those sent after.
import { Node } from "../node/node";
import { Disk, type DiskMode } from "../node/storage";
import type { NodeHost } from "../node/host";
import type { Prng } from "../sim/prng";
import { LocalClock } from "../node/index";
import type { ServiceQueue } from "./service";

/**
 * The code a node runs when it starts (and again after each restart). It may be `async`; any other
 * return value is ignored, so `(node) => node.on("ping", …)` is a fine behaviour.
 */
export type Behaviour = (node: Node) => unknown;

/** Everything the simulation keeps about one node, across its incarnations. */
export interface Runtime {
  id: string;
  /** Index of the node in the network (see `Network.addNode`). */
  link: number;
  role: string;
  behaviour: Behaviour;
  /** The current incarnation. */
  node: Node;
  up: boolean;
  disk: Disk;
  rpcMsgIds: Set<number>;
  /** How many times the node has crashed: a message sent before a crash is lost. */
  crashes: number;
  nextMsgId: number;
  /** Messages sent, for the budget diagnosis. */
  sent: number;
  /** True once the node has left for good (`sim.leave`): it is down and never restarts. */
  left: boolean;
  /** The node's local clock (kept across crashes, like the machine's hardware clock). */
  clock: LocalClock;
  /** Service time and queue, if the node has them (kept across crashes; a crash empties the queue). */
  service: ServiceQueue | undefined;
}

/**
 * The nodes of a simulation, their groups and their incarnations.
 *
 * @example
 * const registry = new NodeRegistry(host, prng);
 * const rt = registry.add("a", (node) => {}, "node");
 * registry.newIncarnation(rt); // after a crash: a fresh Node with fresh random streams
 */
export class NodeRegistry {
  private readonly byId = new Map<string, Runtime>();
  /** Runtimes in spawn order. */
  readonly order: Runtime[] = [];
  private readonly groups = new Map<string, string[]>();

  constructor(
    private readonly host: NodeHost,
    private readonly prng: Prng,
  ) {}

  /** The runtime of `id`, or undefined. @example registry.get("a")?.up */
  get(id: string): Runtime | undefined {
    return this.byId.get(id);
  }

  /** True if a node `id` exists. @example registry.has("a") */
  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Node ids in spawn order. @example registry.ids() // ["a", "b"] */
  ids(): string[] {
    return this.order.map((r) => r.id);
  }

  /** Ids of the members: every node that has not left (crashed ones too), in spawn order. @example registry.memberIds() */
  memberIds(): string[] {
    const ids: string[] = [];
    for (const r of this.order) if (!r.left) ids.push(r.id);
    return ids;
  }

  /** Take a node that left out of every multicast group. @example registry.removeFromGroups("n3") */
  removeFromGroups(id: string): void {
    for (const [group, members] of this.groups) if (members.includes(id)) this.groups.set(group, members.filter((m) => m !== id));
  }

  /**
   * Register a node and make its first incarnation (the caller starts it).
   *
   * @example
   * registry.add("a", behaviour, "raft");
   * registry.add("b", behaviour, "raft", "buffered"); // writes need storage.sync()
   */
  add(id: string, behaviour: Behaviour, role: string, diskMode: DiskMode = "durable"): Runtime {
    const rt = {
      id,
      link: -1,
      role,
      behaviour,
      up: true,
      disk: new Disk(diskMode),
      rpcMsgIds: new Set<number>(),
      crashes: 0,
      nextMsgId: 1,
      sent: 0,
      left: false,
      clock: new LocalClock(),
      service: undefined,
    } as Omit<Runtime, "node"> as Runtime;
    rt.node = this.incarnation(rt, 1);
    this.byId.set(id, rt);
    this.order.push(rt);
    return rt;
  }

  /**
   * After a crash: make the next incarnation, with random streams of its own.
   *
   * @example
   * const node = registry.newIncarnation(rt);
   */
  newIncarnation(rt: Runtime): Node {
    rt.node = this.incarnation(rt, rt.node.incarnation + 1);
    return rt.node;
  }

  private incarnation(rt: Runtime, n: number): Node {
    const label = `node:${rt.id}:incarnation:${n}`;
    return new Node(rt.id, rt.role, n, this.host, {
      prng: this.prng.split(label),
      rpcPrng: () => this.prng.split(`${label}:rpc`),
      disk: rt.disk,
      rpcMsgIds: rt.rpcMsgIds,
      clock: rt.clock,
    });
  }

  /** Add a member to a multicast group. @example registry.addToGroup("replicas", "r1") */
  addToGroup(group: string, id: string): void {
    const members = this.groups.get(group) ?? [];
    if (!members.includes(id)) members.push(id);
    this.groups.set(group, members);
  }

  /** Replace a group's members. @example registry.defineGroup("replicas", ["r1", "r2"]) */
  defineGroup(group: string, members: readonly string[]): void {
    this.groups.set(group, members.slice());
  }

  /** A group's members, or undefined. @example registry.members("replicas") */
  members(group: string): string[] | undefined {
    return this.groups.get(group);
  }

  /** Known group names. @example registry.groupNames() */
  groupNames(): string[] {
    return Array.from(this.groups.keys());
  }
}
