// Leases: C. Gray & D. Cheriton, "Leases: An Efficient Fault-Tolerant Mechanism for Distributed
// File Cache Consistency", SOSP 1989, §2 and §4 (clock drift). A lease is a lock that expires: the
// grantor gives it for leaseMs and may give it to another once leaseMs have passed on its clock;
// the holder may act while leaseMs have not passed on *its* clock. Both measure the same span on
// different clocks — a holder whose clock runs slow (or a grantor whose clock runs fast) keeps
// acting after the grantor has moved on: two holders at once in true time. Gray & Cheriton's
// remedy: the holder counts from when it *asked*, and shortens the term by the drift bound ε.
import type { Node } from "../node/index";
import { SimulationError } from "../sim/index";
import { Simulation } from "../simulation/index";
import { latency } from "../net/index";
import { toSequenceDiagram } from "../trace/index";

/** The grantor's side: who holds the lease, until when on the grantor's clock. */
export interface LeaseGrantor {
  readonly holder: string | undefined;
  /** The holder's expiry on the grantor's clock. */
  readonly expiresMs: number;
  /** Grants so far, in order: who, and when on the grantor's clock. */
  readonly grants: Array<{ holder: string; clockMs: number }>;
}

/**
 * Make `node` a lease grantor: a `lease_request` is answered with `lease_grant` (with `leaseMs`)
 * when nobody holds the lease or the holder's term has run out on this node's clock (or the
 * requester is the holder: a renewal), and with `lease_busy` otherwise.
 *
 * @example
 * sim.spawn("lock", (node) => openLeaseGrantor(node, { leaseMs: 100 }));
 */
export function openLeaseGrantor(node: Node, options: { leaseMs: number }): LeaseGrantor {
  const leaseMs = options?.leaseMs;
  if (typeof leaseMs !== "number" || !(leaseMs > 0) || !Number.isFinite(leaseMs)) throw new SimulationError(`openLeaseGrantor: leaseMs must be a finite number > 0, got ${JSON.stringify(leaseMs)}`, { node: node.id, timeMs: node.now() });
  const state = { holder: undefined as string | undefined, expiresMs: -Infinity, grants: [] as Array<{ holder: string; clockMs: number }> };
  node.on("lease_request", (m) => {
    const now = node.clock();
    if (state.holder !== undefined && state.holder !== m.src && now < state.expiresMs) return node.reply(m, { type: "lease_busy", holder: state.holder });
    state.holder = m.src;
    state.expiresMs = now + leaseMs;
    state.grants.push({ holder: m.src, clockMs: now });
    node.reply(m, { type: "lease_grant", leaseMs });
  });
  return state;
}

/** Options of {@link openLeaseHolder}. */
export interface LeaseHolderOptions {
  grantor: string;
  /**
   * `"naive"` (default): trust the local clock — hold for leaseMs from when the grant arrived.
   * `"safe"` (Gray & Cheriton §4): count from when the request was sent, and shorten the term to
   * leaseMs·(1 − ε)/(1 + ε) with ε = driftPpmMax/1e6, so that no clocks within the drift bound
   * can make the holder outlive the grantor's term.
   */
  mode?: "naive" | "safe";
  /** The drift bound ε assumed for every clock, in ppm (mode "safe"). Default 0. */
  driftPpmMax?: number;
  /** Called when this node starts or stops believing it holds the lease (for measurement). */
  onChange?: (holding: boolean) => void;
}

/** The holder's side. */
export interface LeaseHolder {
  /** Ask for the lease; true when granted. */
  acquire(): Promise<boolean>;
  /** Whether this node believes it holds the lease, by its own clock. */
  holds(): boolean;
  /** When the lease ends on this node's clock (−Infinity before any grant). */
  readonly expiresMs: number;
}

/**
 * Make `node` a lease holder that decides from its own clock whether it still holds the lease.
 *
 * @example
 * const lease = openLeaseHolder(node, { grantor: "lock" });
 * if (await lease.acquire()) while (lease.holds()) await doWork();
 */
export function openLeaseHolder(node: Node, options: LeaseHolderOptions): LeaseHolder {
  const fail = (text: string): SimulationError => new SimulationError(`openLeaseHolder: ${text}`, { node: node.id, timeMs: node.now() });
  const mode = options?.mode ?? "naive";
  const epsilon = (options?.driftPpmMax ?? 0) / 1e6;
  if (typeof options?.grantor !== "string" || options.grantor === node.id) throw fail(`grantor must be another node's id, got ${JSON.stringify(options?.grantor)}`);
  if (mode !== "naive" && mode !== "safe") throw fail(`mode must be "naive" or "safe", got ${JSON.stringify(mode)}`);
  if (!(epsilon >= 0 && epsilon < 1)) throw fail(`driftPpmMax must be in [0, 1000000), got ${options.driftPpmMax}`);
  let expiresMs = -Infinity;
  let timer: number | undefined;
  const holds = (): boolean => node.clock() < expiresMs;
  return {
    get expiresMs(): number {
      return expiresMs;
    },
    holds,
    async acquire(): Promise<boolean> {
      const askedMs = node.clock();
      const reply = await node.rpc<{ type: string; leaseMs: number }>(options.grantor, { type: "lease_request" }, { timeoutMs: 1000 });
      if (reply.body.type !== "lease_grant") return false;
      const leaseMs = reply.body.leaseMs;
      const was = holds();
      expiresMs = mode === "naive" ? node.clock() + leaseMs : askedMs + (leaseMs * (1 - epsilon)) / (1 + epsilon);
      if (!holds()) return false;
      node.log(`holds the lease until ${expiresMs.toFixed(1)} on its clock`);
      if (timer !== undefined) node.cancelTimer(timer);
      timer = node.setTimer(expiresMs - node.clock(), () => {
        node.log("lease over (by its own clock)");
        options.onChange?.(false);
      }, "lease", { clock: "local" });
      if (!was) options.onChange?.(true);
      return true;
    },
  };
}

/** Options of {@link leaseOnDriftingClock}. */
export interface LeaseScenarioOptions {
  seed: number;
  /** The first holder's clock drift, ppm (−200000: 20% slow). */
  holderDriftPpm: number;
  /** The grantor's clock drift, ppm. Default 0. */
  grantorDriftPpm?: number;
  leaseMs?: number;
  mode?: "naive" | "safe";
  driftPpmMax?: number;
  /** When b first asks for the lease (true ms). Default leaseMs + 5. */
  bAsksAtMs?: number;
}

/** What {@link leaseOnDriftingClock} measured, in true time. */
export interface LeaseScenarioResult {
  /** Each node's belief intervals, true ms. */
  intervals: Record<string, Array<{ fromMs: number; toMs: number }>>;
  /** True ms during which both a and b believed they held the lease. */
  overlapMs: number;
  /** When b was granted the lease (true ms). */
  grantedToBMs: number | undefined;
  /** A sequence diagram of the run. */
  diagram: string;
  sim: Simulation;
}

/**
 * The lease anomaly as a run: "lock" grants a lease (leaseMs, default 100) to "a", whose clock
 * drifts by `holderDriftPpm`; "b" asks from true time `bAsksAtMs` (default leaseMs + 5) on, every 5 ms, until granted.
 * Measures, in true time, how long a and b both believed they held the lease.
 *
 * @example
 * (await leaseOnDriftingClock({ seed: 1, holderDriftPpm: -200_000 })).overlapMs;                                      // ≈ 19.6: two holders
 * (await leaseOnDriftingClock({ seed: 1, holderDriftPpm: -200_000, mode: "safe", driftPpmMax: 200_000 })).overlapMs;   // 0
 */
export async function leaseOnDriftingClock(options: LeaseScenarioOptions): Promise<LeaseScenarioResult> {
  const leaseMs = options.leaseMs ?? 100;
  const sim = new Simulation({ seed: options.seed, network: { latency: latency.uniform(1, 3) } });
  const intervals: LeaseScenarioResult["intervals"] = { a: [], b: [] };
  const holders = new Map<string, LeaseHolder>();
  sim.spawn("lock", (node) => openLeaseGrantor(node, { leaseMs }), { clock: { driftPpm: options.grantorDriftPpm ?? 0 } });
  const holder = (node: Node): void => {
    holders.set(node.id, openLeaseHolder(node, {
      grantor: "lock",
      mode: options.mode,
      driftPpmMax: options.driftPpmMax,
      onChange: (holding) => {
        const list = intervals[node.id];
        if (holding) list.push({ fromMs: node.now(), toMs: Infinity });
        else list[list.length - 1].toMs = node.now();
      },
    }));
  };
  sim.spawn("a", holder, { clock: { driftPpm: options.holderDriftPpm } });
  sim.spawn("b", holder);
  let grantedToBMs: number | undefined;
  sim.at(0, () => void holders.get("a")!.acquire(), "a asks for the lease");
  const tryB = async (): Promise<void> => {
    if (await holders.get("b")!.acquire()) grantedToBMs = sim.now();
    else sim.at(sim.now() + 5, () => void tryB(), "b asks again");
  };
  sim.at(options.bAsksAtMs ?? leaseMs + 5, () => void tryB(), "b asks for the lease");
  await sim.runFor(leaseMs * 4);
  let overlapMs = 0;
  for (const x of intervals.a) for (const y of intervals.b) overlapMs += Math.max(0, Math.min(x.toMs, y.toMs) - Math.max(x.fromMs, y.fromMs));
  return { intervals, overlapMs, grantedToBMs, diagram: toSequenceDiagram(sim.trace, { showLogs: true, showTime: true }), sim };
}
