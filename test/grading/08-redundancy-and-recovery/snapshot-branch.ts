/**
 * The grader's bank branch for exercise 08.2: a correct Chandy–Lamport participant that speaks the
 * exercise's wire (`transfer` / `marker`, each with a per-channel `seq`), so that a student's
 * branch is also graded against messages it did not make. Written as a class with one method per
 * rule of the paper (Chandy & Lamport 1985, §3.2: the marker sending and receiving rules).
 */
import type { Message, Node } from "../../../lib/node";

/** What a branch recorded for one snapshot (the exercise's `LocalSnapshot`). */
export interface LocalSnapshotReport {
  snapshotId: string;
  node: string;
  balance: number;
  channels: Record<string, number[]>;
}

/** A branch as the grader drives it (the exercise's `Branch`). */
export interface BranchHandle {
  transfer(to: string, amount: number): void;
  startSnapshot(snapshotId: string): void;
  readonly balance: number;
}

interface Wire {
  type: string;
  seq?: unknown;
  amount?: unknown;
  snapshotId?: unknown;
}

/** One snapshot in progress at this branch. */
interface Cut {
  balance: number;
  /** Channels still recording → the amounts seen on them so far. */
  recording: Map<string, number[]>;
  /** Channels already closed by their marker → what they held. */
  closed: Map<string, number[]>;
  reported: boolean;
}

class GraderBranch implements BranchHandle {
  private money: number;
  private readonly others: string[];
  private readonly outSeq = new Map<string, number>();
  private readonly inSeq = new Map<string, number>();
  private readonly early = new Map<string, Map<number, Wire>>();
  private readonly cuts = new Map<string, Cut>();

  constructor(
    private readonly node: Node,
    options: { balance: number; branches: string[] },
    private readonly report: (snapshot: LocalSnapshotReport) => void,
  ) {
    this.money = options.balance;
    this.others = options.branches.filter((id) => id !== node.id);
    for (const id of this.others) {
      this.outSeq.set(id, 0);
      this.inSeq.set(id, 0);
      this.early.set(id, new Map());
    }
    node.on("transfer", (m) => this.arrive(m));
    node.on("marker", (m) => this.arrive(m));
  }

  get balance(): number {
    return this.money;
  }

  transfer(to: string, amount: number): void {
    this.money -= amount;
    this.emit(to, { type: "transfer", amount });
  }

  startSnapshot(snapshotId: string): void {
    this.recordAndSendMarkers(snapshotId, undefined);
  }

  private emit(to: string, body: { type: string; [field: string]: unknown }): void {
    const seq = (this.outSeq.get(to) ?? 0) + 1;
    this.outSeq.set(to, seq);
    this.node.send(to, { ...body, seq });
  }

  /** Hold back what arrives early; deliver each channel's messages in seq order (FIFO). */
  private arrive(message: Message): void {
    const buffer = this.early.get(message.src);
    const body = message.body as Wire;
    if (buffer === undefined || typeof body.seq !== "number") return; // the grader's checks report bad messages
    buffer.set(body.seq, body);
    let next = this.inSeq.get(message.src)! + 1;
    while (buffer.has(next)) {
      const wire = buffer.get(next)!;
      buffer.delete(next);
      this.inSeq.set(message.src, next);
      if (wire.type === "marker") this.receiveMarker(message.src, String(wire.snapshotId));
      else this.receiveTransfer(message.src, Number(wire.amount));
      next++;
    }
  }

  private receiveTransfer(from: string, amount: number): void {
    this.money += amount;
    for (const cut of this.cuts.values()) cut.recording.get(from)?.push(amount);
  }

  /** Marker-receiving rule: record first if this snapshot is new here; close the marker's channel. */
  private receiveMarker(from: string, snapshotId: string): void {
    const cut = this.cuts.get(snapshotId) ?? this.recordAndSendMarkers(snapshotId, from);
    const held = cut.recording.get(from);
    if (held !== undefined) {
      cut.recording.delete(from);
      cut.closed.set(from, held);
    }
    if (cut.recording.size === 0 && !cut.reported) this.finish(snapshotId, cut);
  }

  /** Marker-sending rule: record the state, then a marker on every outgoing channel before anything else. */
  private recordAndSendMarkers(snapshotId: string, markerFrom: string | undefined): Cut {
    const cut: Cut = { balance: this.money, recording: new Map(), closed: new Map(), reported: false };
    for (const id of this.others) {
      if (id === markerFrom) cut.closed.set(id, []);
      else cut.recording.set(id, []);
    }
    this.cuts.set(snapshotId, cut);
    for (const id of this.others) this.emit(id, { type: "marker", snapshotId });
    return cut;
  }

  private finish(snapshotId: string, cut: Cut): void {
    cut.reported = true;
    const channels: Record<string, number[]> = {};
    for (const id of this.others) channels[id] = [...(cut.closed.get(id) ?? [])];
    this.report({ snapshotId, node: this.node.id, balance: cut.balance, channels });
  }
}

/**
 * The grader's branch: same signature as the exercise's `bankBranch`.
 *
 * @example
 * sim.spawn("g1", (node) => graderBranch(node, { balance: 200, branches: ["a", "g1"] }, (s) => reports.push(s)), { role: graderRole("branch") });
 */
export function graderBranch(node: Node, options: { balance: number; branches: string[] }, report: (snapshot: LocalSnapshotReport) => void): BranchHandle {
  return new GraderBranch(node, options, report);
}
