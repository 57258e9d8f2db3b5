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
import type { Node } from "../../lib/node";
import { NotImplementedError } from "../not-implemented";

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
  // Your code here (08.2)
  throw new NotImplementedError("08.2 snapshot", "exercises/08-redundancy-and-recovery/snapshot.ts");
}
