// The group coordinator (Kafka's "eager" rebalance protocol, simplified): members join and
// heartbeat; a join, a leave or a member silent past the session timeout starts a rebalance; every
// member must stop and join again (or be dropped) before the coordinator hands out the new
// assignment, so no partition is ever owned by two members of one generation, and none is orphaned.
import { assignPartitions, type AssignmentStrategy } from "./assignment";

interface Member {
  lastSeenMs: number;
  /** Joined the rebalance in progress. */
  rejoined: boolean;
}

interface Group {
  topic: string;
  generation: number;
  state: "stable" | "rebalancing";
  rebalanceSinceMs: number;
  members: Map<string, Member>;
  assignment: Record<string, number[]>;
}

/** Answers of the coordinator. */
export type CoordinatorReply =
  | { kind: "joined"; state: "stable" | "rebalancing"; generation: number; partitions: number[]; members: string[] }
  | { kind: "heartbeat"; generation: number; rebalance: boolean }
  | { kind: "unknown-member" }
  | { kind: "illegal-generation"; generation: number }
  | { kind: "ok" };

/**
 * Consumer groups of one broker. Pure: the caller passes the virtual time.
 *
 * @example
 * const c = new GroupCoordinator({ sessionTimeoutMs: 300, assignment: "range", partitionsOf: () => 4, generationBase: () => 0 });
 * c.join("billing", "orders", "c1", -1, 0);   // { kind: "joined", state: "stable", generation: 1, partitions: [0, 1, 2, 3] }
 * c.join("billing", "orders", "c2", -1, 5);   // rebalancing: c1 must join again
 */
export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();

  constructor(
    private readonly options: {
      sessionTimeoutMs: number;
      assignment: AssignmentStrategy;
      partitionsOf: (topic: string) => number;
      /** The last generation a group had before this coordinator started (kept on disk). */
      generationBase: (group: string) => number;
      /** Told of every new generation (to keep it on disk). */
      onGeneration?: (group: string, generation: number) => void;
    },
  ) {}

  /** A group's view, or undefined. @example c.view("billing")?.assignment */
  view(group: string): { topic: string; generation: number; state: "stable" | "rebalancing"; members: string[]; assignment: Record<string, number[]> } | undefined {
    const g = this.groups.get(group);
    if (g === undefined) return undefined;
    return { topic: g.topic, generation: g.generation, state: g.state, members: [...g.members.keys()].sort(), assignment: Object.fromEntries(Object.entries(g.assignment).map(([m, ps]) => [m, [...ps]])) };
  }

  /** A member joins (or rejoins during a rebalance). @example c.join("billing", "orders", "c1", -1, node.now()) */
  join(group: string, topic: string, member: string, generation: number, nowMs: number): CoordinatorReply {
    let g = this.groups.get(group);
    if (g === undefined) {
      g = { topic, generation: this.options.generationBase(group), state: "stable", rebalanceSinceMs: nowMs, members: new Map(), assignment: {} };
      this.groups.set(group, g);
    }
    const m = g.members.get(member);
    if (m === undefined) {
      g.members.set(member, { lastSeenMs: nowMs, rejoined: true });
      this.startRebalance(g, nowMs, member);
    } else {
      m.lastSeenMs = nowMs;
      if (g.state === "rebalancing") m.rejoined = true;
    }
    this.maybeComplete(group, g);
    void generation;
    return this.joined(g, member);
  }

  /** A member's heartbeat. @example c.heartbeat("billing", "c1", 3, node.now()) */
  heartbeat(group: string, member: string, generation: number, nowMs: number): CoordinatorReply {
    const g = this.groups.get(group);
    const m = g?.members.get(member);
    if (g === undefined || m === undefined) return { kind: "unknown-member" };
    m.lastSeenMs = nowMs;
    return { kind: "heartbeat", generation: g.generation, rebalance: g.state === "rebalancing" || generation !== g.generation };
  }

  /** A member leaves at once (no session timeout to wait). @example c.leave("billing", "c1", node.now()) */
  leave(group: string, member: string, nowMs: number): CoordinatorReply {
    const g = this.groups.get(group);
    if (g === undefined || !g.members.delete(member)) return { kind: "unknown-member" };
    this.startRebalance(g, nowMs);
    this.maybeComplete(group, g);
    return { kind: "ok" };
  }

  /**
   * May this commit be stored? A commit that names a member must come from a live member of the
   * current generation (a zombie of an old one is refused).
   *
   * @example
   * c.checkCommit("billing", "c1", 3); // { kind: "ok" }
   */
  checkCommit(group: string, member: string | undefined, generation: number | undefined): CoordinatorReply {
    if (member === undefined || generation === undefined) return { kind: "ok" };
    const g = this.groups.get(group);
    if (g === undefined || !g.members.has(member)) return { kind: "unknown-member" };
    if (generation !== g.generation) return { kind: "illegal-generation", generation: g.generation };
    return { kind: "ok" };
  }

  /**
   * Drop members silent for longer than the session timeout, and members that have not rejoined a
   * rebalance within it. Returns the members dropped, as `group/member`.
   *
   * @example
   * node.setPeriodic(50, () => coordinator.expire(node.now()));
   */
  expire(nowMs: number): string[] {
    const dropped: string[] = [];
    for (const [name, g] of this.groups) {
      let changed = false;
      for (const [id, m] of g.members) {
        const silent = nowMs - m.lastSeenMs > this.options.sessionTimeoutMs;
        const late = g.state === "rebalancing" && !m.rejoined && nowMs - g.rebalanceSinceMs > this.options.sessionTimeoutMs;
        if (silent || late) {
          g.members.delete(id);
          dropped.push(`${name}/${id}`);
          changed = true;
        }
      }
      if (changed) {
        if (g.state === "stable") this.startRebalance(g, nowMs);
        this.maybeComplete(name, g);
      }
    }
    return dropped;
  }

  private startRebalance(g: Group, nowMs: number, joiner?: string): void {
    g.state = "rebalancing";
    g.rebalanceSinceMs = nowMs;
    g.assignment = {};
    for (const [id, m] of g.members) m.rejoined = id === joiner;
  }

  private maybeComplete(name: string, g: Group): void {
    if (g.state !== "rebalancing") return;
    for (const m of g.members.values()) if (!m.rejoined) return;
    g.generation++;
    g.state = "stable";
    g.assignment = assignPartitions(this.options.assignment, [...g.members.keys()], this.options.partitionsOf(g.topic));
    this.options.onGeneration?.(name, g.generation);
  }

  private joined(g: Group, member: string): CoordinatorReply {
    return {
      kind: "joined",
      state: g.state,
      generation: g.generation,
      partitions: g.state === "stable" ? [...(g.assignment[member] ?? [])] : [],
      members: [...g.members.keys()].sort(),
    };
  }
}
