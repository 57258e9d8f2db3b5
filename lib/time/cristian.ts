// Cristian's algorithm: F. Cristian, "Probabilistic Clock Synchronization", Distributed Computing
// 3(3), 1989, §3. The client reads its clock (t0), asks the server, gets the server's reading T,
// reads its clock again (t1). With RTT = t1 − t0 and a minimum one-way delay min, the server's clock
// at t1 lies in [T + min, T + RTT − min]: the estimate is T + RTT/2, within ±(RTT/2 − min).
// The RTT is measured on the client's own clock; a clock that may run slow by up to ρ measures it
// short, so the bound adds ρ·RTT (Cristian §3, the (1 + ρ) factor).
import type { Node } from "../node/index";
import { SimulationError } from "../sim/index";
import type { TimeReply } from "./time-server";

/** Options of {@link cristianSync}. */
export interface CristianOptions {
  /** How long to wait for the server. Default 1000 ms. */
  timeoutMs?: number;
  /** The least one-way delay, if known: tightens the bound to RTT/2 − min. Default 0. */
  delayMsMin?: number;
  /** The most this node's clock may drift (ppm), widening the bound by ρ·RTT. Default 0. */
  driftPpmMax?: number;
  /** `"step"`: set the clock to the estimate; `"slew"`: absorb it over `slewMs`; `"none"` (default): only estimate. */
  adjust?: "none" | "step" | "slew";
  /** For `adjust: "slew"`: over how many true ms. Default 1000. */
  slewMs?: number;
}

/** One round of Cristian's algorithm, as the client sees it (all times on clocks, not true time). */
export interface CristianEstimate {
  server: string;
  /** T: the server's clock reading in its reply. */
  serverClockMs: number;
  /** The round trip on this node's clock, t1 − t0. */
  rttMs: number;
  /** T + RTT/2: the estimate of the server's clock at t1. */
  estimateMs: number;
  /** This node's clock at t1. */
  localMs: number;
  /** What to add to this node's clock to read the server's: estimateMs − localMs. */
  offsetMs: number;
  /** The error bound: the true offset is within offsetMs ± errorMs. RTT/2 − min + ρ·RTT. */
  errorMs: number;
}

/**
 * Run one round of Cristian's algorithm from `node` against a time server (see `serveTime`).
 * Resolves with the estimate and its error bound; rejects with the rpc's timeout error if the
 * server does not answer.
 *
 * @example
 * sim.spawn("server", (node) => serveTime(node));
 * sim.spawn("client", (node) => node.setPeriodic(500, async () => {
 *   const est = await cristianSync(node, "server", { adjust: "step" });
 *   node.log(`offset ${est.offsetMs.toFixed(3)} ± ${est.errorMs.toFixed(3)} ms`);
 * }), { clock: { offsetMs: -80, driftPpm: 10_000 } });
 */
export async function cristianSync(node: Node, server: string, options: CristianOptions = {}): Promise<CristianEstimate> {
  const fail = (text: string): SimulationError => new SimulationError(`cristianSync: ${text}`, { node: node.id, timeMs: node.now() });
  const delayMsMin = options.delayMsMin ?? 0;
  const driftPpmMax = options.driftPpmMax ?? 0;
  const adjust = options.adjust ?? "none";
  if (typeof server !== "string" || server === node.id) throw fail(`server must be another node's id, got ${JSON.stringify(server)}`);
  if (!(delayMsMin >= 0)) throw fail(`delayMsMin must be ≥ 0, got ${delayMsMin}`);
  if (!(driftPpmMax >= 0 && driftPpmMax < 1e6)) throw fail(`driftPpmMax must be in [0, 1000000), got ${driftPpmMax}`);
  if (adjust !== "none" && adjust !== "step" && adjust !== "slew") throw fail(`adjust must be "none", "step" or "slew", got ${JSON.stringify(adjust)}`);
  const t0 = node.clock();
  const reply = await node.rpc<TimeReply>(server, { type: "time" }, { timeoutMs: options.timeoutMs ?? 1000 });
  const t1 = node.clock();
  const serverClockMs = reply.body.clockMs;
  if (typeof serverClockMs !== "number") throw fail(`the reply of ${server} has no numeric clockMs`);
  const rttMs = t1 - t0;
  const estimateMs = serverClockMs + rttMs / 2;
  const errorMs = Math.max(0, rttMs / 2 - delayMsMin) + (rttMs * driftPpmMax) / 1e6;
  const est: CristianEstimate = { server, serverClockMs, rttMs, estimateMs, localMs: t1, offsetMs: estimateMs - t1, errorMs };
  if (adjust === "step") node.adjustClock(est.offsetMs);
  else if (adjust === "slew") node.adjustClock(est.offsetMs, { slewMs: options.slewMs ?? 1000 });
  return est;
}

/** Whether an estimate's bound contained the truth. */
export interface BoundCheck {
  /** |estimated − true offset|. */
  errorMs: number;
  /** The bound the algorithm reported. */
  boundMs: number;
  holds: boolean;
}

/**
 * Check an estimate against the true offset only the simulator knows: `trueOffsetMs` =
 * `sim.clockOffset(server) − sim.clockOffset(client)` taken when the estimate was made (what the
 * client should have added). Readings are on a microsecond grid, so a 0.002 ms tolerance applies.
 *
 * @example
 * const est = await cristianSync(client, "server");
 * checkOffsetBound(est, sim.clockOffset("server") - sim.clockOffset("client")).holds; // true
 */
export function checkOffsetBound(estimate: { offsetMs: number; errorMs: number }, trueOffsetMs: number): BoundCheck {
  const errorMs = Math.abs(estimate.offsetMs - trueOffsetMs);
  return { errorMs, boundMs: estimate.errorMs, holds: errorMs <= estimate.errorMs + 0.002 };
}
