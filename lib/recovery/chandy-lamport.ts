// Chandy–Lamport snapshots of a bank: branches move money to each other while one of them starts a
// snapshot, and the recorded balances plus the money recorded in flight add up to exactly the money
// in the system — although no two branches recorded at the same instant. Chandy & Lamport,
// "Distributed snapshots: determining global states of distributed systems" (ACM TOCS 1985), §3
// (the marker rules) and §4 (the recorded state is one the system could have passed through).
// The algorithm needs FIFO channels; the simulated network may reorder, so every message carries
// the sequence number of its directed channel and the receiver handles them in that order.
//
// Wire between branches (different from exercise 08.2's):
//   { type: "cl_transfer", amount, seq }   money moving on the channel src→dest
//   { type: "cl_marker", snapshotId, seq } the marker of snapshot `snapshotId`
// `seq` numbers the messages of one directed channel from 1.
import type { Node } from "../node/index";
import { Simulation } from "../simulation/index";
import { latency as latencies } from "../net/index";
import { toSequenceDiagram } from "../trace/index";
import { checkInteger, checkPositive, contextOf, failureError } from "../failure/errors";

/** One branch's part of a snapshot. */
export interface ClLocalSnapshot {
  snapshotId: string;
  branch: string;
  /** The balance when the branch recorded its state. */
  balance: number;
  /** `channels[from]`: amounts that were in flight on from→branch (received after recording, sent before from's marker). */
  channels: Record<string, number[]>;
  /** Virtual time of the recording. */
  recordedMs: number;
}

/** Options of {@link clBranch}. */
export interface ClBranchOptions {
  /** Starting balance. */
  balance: number;
  /** Every branch of the bank (this one may be in the list; it is skipped). */
  branches: readonly string[];
  /** Called once per snapshot, when the markers of every incoming channel have arrived. */
  onSnapshot?: (snapshot: ClLocalSnapshot) => void;
}

/** A branch of the bank, taking part in Chandy–Lamport snapshots. */
export interface ClBranch {
  /** Move `amount` to `to` now (`false`, and nothing sent, if the balance is too small). */
  transfer(to: string, amount: number): boolean;
  /** Record this branch's state and send a marker on every outgoing channel. */
  startSnapshot(snapshotId: string): void;
  readonly balance: number;
  /** Local snapshots finished so far, by id. */
  readonly snapshots: ReadonlyMap<string, ClLocalSnapshot>;
}

type Wire = { type: "cl_transfer"; amount: number; seq: number } | { type: "cl_marker"; snapshotId: string; seq: number };

/** A snapshot this branch has recorded but not finished: which incoming channels still record. */
interface Recording {
  snapshot: ClLocalSnapshot;
  open: Set<string>;
}

/**
 * Run a bank branch on `node`. Transfers and markers of each incoming channel are handled in the
 * order of their `seq` (early arrivals wait), which makes the channels FIFO. Marker rules (§3):
 * a branch that starts a snapshot, or sees its first marker for it, records its balance and sends a
 * marker on every outgoing channel before anything else; the channel the first marker came on is
 * recorded empty; every other incoming channel records the transfers that arrive until its marker
 * does. Several snapshots (different ids) may run at once.
 *
 * @example
 * const sim = new Simulation({ seed: 1, network: { ordering: "unordered" } });
 * const banks = new Map<string, ClBranch>();
 * for (const id of ["a", "b", "c"]) sim.spawn(id, (node) => { banks.set(id, clBranch(node, { balance: 100, branches: ["a", "b", "c"] })); });
 * banks.get("a")!.transfer("b", 30);
 * banks.get("b")!.startSnapshot("s1");
 * await sim.runFor(100);
 * banks.get("a")!.snapshots.get("s1"); // { balance: 70, channels: { b: [], c: [] }, … }
 * banks.get("b")!.snapshots.get("s1"); // { balance: 100, channels: { a: [30], c: [] }, … }: the 30 was in flight
 */
export function clBranch(node: Node, options: ClBranchOptions): ClBranch {
  const where = `clBranch(${node.id})`;
  if (typeof options?.balance !== "number" || !Number.isFinite(options.balance) || options.balance < 0) {
    throw failureError(`${where}: balance must be a finite number ≥ 0, got ${JSON.stringify(options?.balance)}`, contextOf(node));
  }
  if (!Array.isArray(options.branches)) throw failureError(`${where}: branches must be an array of node ids`, contextOf(node));
  const peers = options.branches.filter((b) => b !== node.id);
  let balance = options.balance;
  const nextSeqTo = new Map<string, number>(peers.map((p) => [p, 1]));
  const nextSeqFrom = new Map<string, number>(peers.map((p) => [p, 1]));
  const early = new Map<string, Map<number, Wire>>(peers.map((p) => [p, new Map()]));
  const recording = new Map<string, Recording>();
  const done = new Map<string, ClLocalSnapshot>();

  const sendOn = (to: string, body: { type: "cl_transfer"; amount: number } | { type: "cl_marker"; snapshotId: string }): void => {
    const seq = nextSeqTo.get(to) as number;
    nextSeqTo.set(to, seq + 1);
    node.send(to, { ...body, seq });
  };

  const finishIfComplete = (r: Recording): void => {
    if (r.open.size > 0) return;
    recording.delete(r.snapshot.snapshotId);
    done.set(r.snapshot.snapshotId, r.snapshot);
    const inFlight = Object.values(r.snapshot.channels).reduce((n, amounts) => n + amounts.length, 0);
    node.log(`${r.snapshot.snapshotId} done: ${inFlight} in flight recorded`);
    options.onSnapshot?.(r.snapshot);
  };

  /** Record the local state for `snapshotId`; `from` is the channel the first marker came on. */
  const record = (snapshotId: string, from: string | undefined): Recording => {
    const snapshot: ClLocalSnapshot = { snapshotId, branch: node.id, balance, channels: {}, recordedMs: node.now() };
    for (const p of peers) snapshot.channels[p] = [];
    const r: Recording = { snapshot, open: new Set(peers.filter((p) => p !== from)) };
    recording.set(snapshotId, r);
    node.log(`${snapshotId}: recorded balance ${balance}`);
    for (const p of peers) sendOn(p, { type: "cl_marker", snapshotId });
    return r;
  };

  const handle = (from: string, body: Wire): void => {
    if (body.type === "cl_transfer") {
      balance += body.amount;
      for (const r of recording.values()) if (r.open.has(from)) r.snapshot.channels[from].push(body.amount);
      return;
    }
    const r = recording.get(body.snapshotId);
    if (done.has(body.snapshotId)) throw failureError(`${where}: a second marker of ${body.snapshotId} on the channel from ${from}`, contextOf(node));
    if (r === undefined) finishIfComplete(record(body.snapshotId, from));
    else {
      r.open.delete(from);
      finishIfComplete(r);
    }
  };

  const receive = (from: string, body: Wire): void => {
    const held = early.get(from);
    if (held === undefined) throw failureError(`${where}: ${body.type} from ${from}, which is not a branch (branches: ${options.branches.join(", ")})`, contextOf(node));
    held.set(body.seq, body);
    let next = nextSeqFrom.get(from) as number;
    while (held.has(next)) {
      const m = held.get(next) as Wire;
      held.delete(next);
      next++;
      nextSeqFrom.set(from, next);
      handle(from, m);
    }
  };
  node.on("cl_transfer", (m) => receive(m.src, m.body as unknown as Wire));
  node.on("cl_marker", (m) => receive(m.src, m.body as unknown as Wire));

  return {
    transfer(to: string, amount: number): boolean {
      if (!peers.includes(to)) throw failureError(`${where}: transfer to ${JSON.stringify(to)}, which is not another branch`, contextOf(node));
      if (typeof amount !== "number" || !(amount > 0) || !Number.isFinite(amount)) throw failureError(`${where}: transfer amount must be a number > 0, got ${amount}`, contextOf(node));
      if (amount > balance) return false;
      balance -= amount;
      sendOn(to, { type: "cl_transfer", amount });
      return true;
    },
    startSnapshot(snapshotId: string): void {
      if (recording.has(snapshotId) || done.has(snapshotId)) throw failureError(`${where}: snapshot ${JSON.stringify(snapshotId)} was already recorded here`, contextOf(node));
      finishIfComplete(record(snapshotId, undefined));
    },
    get balance() {
      return balance;
    },
    snapshots: done,
  };
}

/** Options of {@link runBankSnapshot}. */
export interface BankSnapshotOptions {
  seed?: number;
  /** Number of branches, b1…bN. Default 4. */
  branches?: number;
  /** Each branch's starting balance. Default 1,000. */
  balance?: number;
  /** Mean time between one branch's transfers (exponential gaps). Default 5 ms. */
  transferIntervalMs?: number;
  /** When the snapshot starts. Default 100 ms. */
  snapshotAtMs?: number;
  /** The branch that starts it. Default `"b1"`. */
  initiator?: string;
  /**
   * `"chandy-lamport"` (default); `"forget-channels"`: the same markers, but the total counts only the
   * recorded balances; `"no-markers"`: each branch records its balance when its own clock says
   * `snapshotAtMs` — clocks off by up to `clockSkewMs` — and nothing else.
   */
  variant?: "chandy-lamport" | "forget-channels" | "no-markers";
  /** Spread of the branches' clocks in the `"no-markers"` variant. Default 20 ms. */
  clockSkewMs?: number;
  /** Network latency bounds; the network reorders. Default 2–20 ms. */
  latencyMsMin?: number;
  latencyMsMax?: number;
}

/** What {@link runBankSnapshot} returns. */
export interface BankSnapshotResult {
  seed: number;
  variant: NonNullable<BankSnapshotOptions["variant"]>;
  /** Recorded balance of each branch. */
  balances: Record<string, number>;
  /** Recorded channel states, keyed `"from→to"` (empty for `"no-markers"`). */
  channels: Record<string, number[]>;
  /** Sum of recorded balances, plus recorded channel amounts for `"chandy-lamport"`. */
  snapshotTotal: number;
  /** The money in the system: branches × starting balance (transfers only move it). */
  moneyTotal: number;
  /** `snapshotTotal − moneyTotal`: 0 for Chandy–Lamport. */
  error: number;
  /** Amounts recorded in flight, over all channels. */
  inFlightCaptured: number;
  /** Transfers made during the run. */
  transfers: number;
  /** From the first recording to the last branch finishing, ms. */
  snapshotMs: number;
  /** The simulation, for diagrams (`bankSnapshotDiagram`). */
  simulation: Simulation;
}

/**
 * A bank of branches moving money continuously over a reordering network while one branch starts a
 * snapshot; returns the recorded state and checks its total against the money in the system.
 * Transfers go on during the whole snapshot and for a while after.
 *
 * @example
 * const cl = await runBankSnapshot({ seed: 1, branches: 4 });
 * cl.snapshotTotal === cl.moneyTotal; // true, with cl.inFlightCaptured amounts recorded in flight
 * const naive = await runBankSnapshot({ seed: 1, branches: 4, variant: "no-markers" });
 * naive.error; // ≠ 0: money in flight is missed (or counted twice)
 */
export async function runBankSnapshot(options: BankSnapshotOptions = {}): Promise<BankSnapshotResult> {
  const where = "runBankSnapshot";
  const seed = checkInteger(where, "seed", options.seed ?? 1, 0, {});
  const n = checkInteger(where, "branches", options.branches ?? 4, 2, {});
  const startBalance = checkPositive(where, "balance", options.balance ?? 1000, {});
  const transferIntervalMs = checkPositive(where, "transferIntervalMs", options.transferIntervalMs ?? 5, {});
  const snapshotAtMs = checkPositive(where, "snapshotAtMs", options.snapshotAtMs ?? 100, {});
  const clockSkewMs = checkPositive(where, "clockSkewMs", options.clockSkewMs ?? 20, {}, true);
  const latencyMsMin = checkPositive(where, "latencyMsMin", options.latencyMsMin ?? 2, {});
  const latencyMsMax = checkPositive(where, "latencyMsMax", options.latencyMsMax ?? 20, {});
  const variant = options.variant ?? "chandy-lamport";
  if (!["chandy-lamport", "forget-channels", "no-markers"].includes(variant)) {
    throw failureError(`${where}: variant must be "chandy-lamport", "forget-channels" or "no-markers", got ${JSON.stringify(variant)}`, {});
  }
  const ids = Array.from({ length: n }, (_, i) => `b${i + 1}`);
  const initiator = options.initiator ?? "b1";
  if (!ids.includes(initiator)) throw failureError(`${where}: initiator must be one of ${ids.join(", ")}, got ${JSON.stringify(initiator)}`, {});

  const sim = new Simulation({ seed, network: { latency: latencies.uniform(latencyMsMin, latencyMsMax), ordering: "unordered" } });
  const banks = new Map<string, ClBranch>();
  const local = new Map<string, ClLocalSnapshot>();
  const naive = new Map<string, number>();
  let transfers = 0;
  const snapshotId = "s1";
  for (const id of ids) {
    sim.spawn(id, (node) => {
      const bank = clBranch(node, { balance: startBalance, branches: ids, onSnapshot: (s) => local.set(id, s) });
      banks.set(id, bank);
      const peers = ids.filter((p) => p !== id);
      const next = (): void => {
        node.setTimer(node.rng.exponential(transferIntervalMs), () => {
          if (bank.transfer(node.rng.pick(peers), node.rng.int(1, 51))) transfers++;
          next();
        }, "transfer");
      };
      next();
      if (variant === "no-markers") {
        // This branch's idea of "snapshotAtMs" is off by its clock error.
        const skewMs = node.rng.uniform(0, clockSkewMs);
        node.setTimer(snapshotAtMs + skewMs, () => {
          naive.set(id, bank.balance);
          node.log(`recorded balance ${bank.balance} (its clock says t=${snapshotAtMs}ms)`);
        }, "record");
      }
    });
  }
  if (variant !== "no-markers") sim.at(snapshotAtMs, () => banks.get(initiator)?.startSnapshot(snapshotId), `${initiator} starts ${snapshotId}`);
  await sim.runUntil(() => (variant === "no-markers" ? naive.size === n : local.size === n), { withinMs: snapshotAtMs + 100 * latencyMsMax + clockSkewMs });

  const balances: Record<string, number> = {};
  const channels: Record<string, number[]> = {};
  let inFlightCaptured = 0;
  let channelSum = 0;
  for (const id of ids) {
    if (variant === "no-markers") {
      balances[id] = naive.get(id) as number;
      continue;
    }
    const s = local.get(id) as ClLocalSnapshot;
    balances[id] = s.balance;
    for (const [from, amounts] of Object.entries(s.channels)) {
      channels[`${from}→${id}`] = amounts;
      inFlightCaptured += amounts.length;
      channelSum += amounts.reduce((a, b) => a + b, 0);
    }
  }
  const balanceSum = Object.values(balances).reduce((a, b) => a + b, 0);
  const snapshotTotal = variant === "chandy-lamport" ? balanceSum + channelSum : balanceSum;
  const moneyTotal = n * startBalance;
  const recorded = [...local.values()].map((s) => s.recordedMs);
  const snapshotMs = variant === "no-markers" ? 0 : sim.now() - Math.min(...recorded);
  return { seed, variant, balances, channels, snapshotTotal, moneyTotal, error: snapshotTotal - moneyTotal, inFlightCaptured, transfers, snapshotMs, simulation: sim };
}

/** Options of {@link bankSnapshotDiagram}. */
export interface BankSnapshotDiagramOptions {
  title?: string;
  /** Draw transfers too, not only markers (default false: a busy bank makes too many arrows). */
  transfers?: boolean;
  /** At most this many arrows (default 80). */
  maxMessages?: number;
}

/**
 * A sequence diagram of a bank snapshot: the markers as arrows, and each branch's recording (its
 * balance) and completion as notes.
 *
 * @example
 * const run = await runBankSnapshot({ seed: 2, branches: 3 });
 * showMermaid(bankSnapshotDiagram(run), { file: "diagrams/08-redundancy-and-recovery/chandy-lamport.mmd" });
 */
export function bankSnapshotDiagram(run: BankSnapshotResult, options: BankSnapshotDiagramOptions = {}): string {
  return toSequenceDiagram(run.simulation.trace, {
    types: options.transfers ? ["cl_marker", "cl_transfer"] : ["cl_marker"],
    showLogs: true,
    showTime: true,
    title: options.title,
    maxMessages: options.maxMessages ?? 80,
    label: (m, base) => {
      const body = m.body as Wire | undefined;
      if (body?.type === "cl_marker") return `marker ${body.snapshotId} seq=${body.seq}`;
      if (body?.type === "cl_transfer") return `transfer ${body.amount} seq=${body.seq}`;
      return base;
    },
  });
}
