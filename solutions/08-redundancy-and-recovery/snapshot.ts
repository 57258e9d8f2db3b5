/**
 * Exercise 08.2 — Chandy–Lamport snapshot (15 points). Graded by `npm test`
 * (test/08-redundancy-and-recovery.test.ts), or alone with `npm run grade -- 08.2`.
 *
 * Chandy and Lamport (ACM TOCS 1985, §3): a snapshot of a running system, taken without stopping
 * it, is a consistent cut — every branch's recorded balance plus the money recorded in flight on
 * the channels adds up to the money there is. Write `bankBranch(node, { balance, branches }, report)`,
 * one branch of a bank that moves money to the other branches and takes part in snapshots.
 *
 * Wire (every message between branches carries `seq`):
 * - `{ type: "transfer", amount, seq }` — `amount` units of money, a positive integer;
 * - `{ type: "marker", snapshotId, seq }` — the Chandy–Lamport marker of snapshot `snapshotId`.
 * `seq` numbers the messages (transfers and markers together) of one directed channel — this
 * branch → one other branch — 1, 2, 3, … in the order they are sent. The network **reorders**
 * messages, and the algorithm needs FIFO channels: process the messages of each incoming channel in
 * `seq` order, holding back one that arrives early until those before it have been processed — and
 * process each message as soon as it can be (the grader takes a branch's state at the moment it
 * sends its markers to be what arrived in order by then).
 *
 * The branch:
 * - `branches` lists every branch's id, this one's included; there is one channel from every
 *   branch to every other. Talk only to those ids (not to `node.peers()`: the grader spawns others).
 * - `transfer(to, amount)` (called by the grader, only with `amount` ≤ the current balance): take
 *   the amount off the balance and send one transfer at once. A transfer received adds its amount.
 *   `balance` returns the current balance.
 * - `startSnapshot(snapshotId)`: this branch initiates the snapshot — it records its balance and
 *   sends a marker on every outgoing channel (before anything else is sent), and records every
 *   incoming channel.
 * - A marker of a snapshot the branch has not recorded yet: record the balance (the marker's
 *   channel is recorded as empty), send markers on every outgoing channel, record every other
 *   incoming channel. A marker of a snapshot already recorded: stop recording that channel.
 * - Recording a channel means noting the amount of every transfer processed on it from the moment
 *   the branch recorded its balance until the marker on that channel is processed.
 * - When markers of a snapshot have arrived on all incoming channels, call `report` once with
 *   `{ snapshotId, node: node.id, balance, channels }`: `channels[from]` is the list of amounts
 *   recorded on the channel from → this branch, in seq order (`[]` when nothing was in flight); give
 *   one entry for each other branch.
 * - Several snapshots (different ids, started by different branches) may run at the same time:
 *   keep each one's recording apart.
 *
 * Graded: 27 trials for each of 5 seeds. 3–5 branches with 50–500 units each, some yours and some
 * the grader's (which speak this wire); bystanders spawned first; unordered links with latency
 * drawn per trial (uniform 1–60 ms or exponential); every branch moves random amounts to random
 * others every 4–15 ms for 550 ms; two snapshots start at once at different branches, a third one
 * later; the run goes on 250 ms after the last transfer. Checked: each branch's messages carry seq
 * 1, 2, 3, … per channel and a transfer per `transfer` call; every branch reports exactly once per
 * snapshot, after the markers on all its incoming channels arrived; each recorded channel holds
 * exactly the transfers sent before the sender's marker that the branch had not received when it
 * recorded; each branch's recorded balance plus what it recorded in flight equals its money
 * (so the snapshot adds up to the total); no balance ever goes negative or drifts from the
 * transfers it sent and received.
 */
import type { Message, Node } from "../../lib/node";

/** What a branch recorded for one snapshot. */
export interface LocalSnapshot {
  snapshotId: string;
  /** The reporting branch (node.id). */
  node: string;
  /** The balance recorded. */
  balance: number;
  /** `channels[from]`: amounts recorded in flight on the channel from → node, in seq order. */
  channels: Record<string, number[]>;
}

/** A bank branch, as the grader drives it. */
export interface Branch {
  /** Move `amount` (≤ balance) to branch `to`. */
  transfer(to: string, amount: number): void;
  /** Initiate the snapshot `snapshotId`. */
  startSnapshot(snapshotId: string): void;
  /** The current balance. */
  readonly balance: number;
}

/** Options of {@link bankBranch}. */
export interface BankBranchOptions {
  /** The starting balance (a positive integer). */
  balance: number;
  /** Every branch's id, this one's included. */
  branches: string[];
}

/** A message between branches. */
type BranchMessage = { type: "transfer"; amount: number; seq: number } | { type: "marker"; snapshotId: string; seq: number };

/** One snapshot as this branch takes part in it. */
interface Recording {
  balance: number;
  /** Amounts recorded per incoming channel. */
  channels: Record<string, number[]>;
  /** Incoming channels whose marker has not been processed yet. */
  open: Set<string>;
}

/**
 * Run one bank branch on `node` that takes part in Chandy–Lamport snapshots.
 *
 * @example
 * sim.spawn("A", (node) => {
 *   const branch = bankBranch(node, { balance: 100, branches: ["A", "B", "C"] }, (s) => node.log(JSON.stringify(s)));
 *   node.setTimer(10, () => branch.transfer("B", 30));
 *   node.setTimer(12, () => branch.startSnapshot("s1"));
 * });
 */
export function bankBranch(node: Node, options: BankBranchOptions, report: (snapshot: LocalSnapshot) => void): Branch {
  const others = options.branches.filter((id) => id !== node.id);
  let balance = options.balance;
  const sentSeq = new Map<string, number>(others.map((id) => [id, 0]));
  // FIFO channels over a reordering network: the next seq expected per sender, and early arrivals.
  const nextSeq = new Map<string, number>(others.map((id) => [id, 1]));
  const heldBack = new Map<string, Map<number, BranchMessage>>(others.map((id) => [id, new Map()]));
  const recordings = new Map<string, Recording>();

  const sendOn = (to: string, body: { type: "transfer"; amount: number } | { type: "marker"; snapshotId: string }): void => {
    const seq = sentSeq.get(to)! + 1;
    sentSeq.set(to, seq);
    node.send(to, { ...body, seq });
  };

  /** Record the local state and send markers on every outgoing channel, in one step (CL rule 1). */
  const recordState = (snapshotId: string, markerFrom?: string): Recording => {
    const recording: Recording = { balance, channels: {}, open: new Set(others) };
    for (const id of others) recording.channels[id] = [];
    if (markerFrom !== undefined) recording.open.delete(markerFrom);
    recordings.set(snapshotId, recording);
    for (const id of others) sendOn(id, { type: "marker", snapshotId });
    return recording;
  };

  const maybeReport = (snapshotId: string, recording: Recording): void => {
    if (recording.open.size > 0) return;
    report({ snapshotId, node: node.id, balance: recording.balance, channels: recording.channels });
  };

  /** One message of channel from → node, in seq order. */
  const process = (from: string, body: BranchMessage): void => {
    if (body.type === "transfer") {
      balance += body.amount;
      for (const recording of recordings.values()) if (recording.open.has(from)) recording.channels[from].push(body.amount);
      return;
    }
    const known = recordings.get(body.snapshotId);
    if (known === undefined) {
      maybeReport(body.snapshotId, recordState(body.snapshotId, from)); // CL rule 2, first marker
    } else {
      known.open.delete(from); // CL rule 2, a later marker closes its channel
      maybeReport(body.snapshotId, known);
    }
  };

  const onMessage = (message: Message): void => {
    const from = message.src;
    const body = message.body as BranchMessage;
    const early = heldBack.get(from);
    if (early === undefined) return; // not a branch
    early.set(body.seq, body);
    for (let seq = nextSeq.get(from)!; early.has(seq); seq++) {
      const next = early.get(seq)!;
      early.delete(seq);
      nextSeq.set(from, seq + 1);
      process(from, next);
    }
  };
  node.on("transfer", onMessage);
  node.on("marker", onMessage);

  return {
    transfer(to: string, amount: number): void {
      if (!sentSeq.has(to)) throw new Error(`${node.id} at t=${node.now()}ms: transfer to ${to}, which is not another branch (${others.join(", ")})`);
      if (!(Number.isInteger(amount) && amount > 0 && amount <= balance)) {
        throw new Error(`${node.id} at t=${node.now()}ms: transfer of ${amount} with a balance of ${balance} (amounts are positive integers ≤ the balance)`);
      }
      balance -= amount;
      sendOn(to, { type: "transfer", amount });
    },
    startSnapshot(snapshotId: string): void {
      if (recordings.has(snapshotId)) throw new Error(`${node.id} at t=${node.now()}ms: snapshot ${snapshotId} was already recorded here`);
      maybeReport(snapshotId, recordState(snapshotId));
    },
    get balance(): number {
      return balance;
    },
  };
}
