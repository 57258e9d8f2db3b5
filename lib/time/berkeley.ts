// The Berkeley algorithm: R. Gusella & S. Zatti, "The Accuracy of the Clock Synchronization
// Achieved by TEMPO in Berkeley UNIX 4.3BSD", IEEE TSE 15(7), 1989. A master polls every member's
// clock, estimates each one's difference from its own with the round trip (as Cristian does),
// averages the differences — leaving out clocks too far from the others (the "fault-tolerant
// average") — and sends each member the correction that brings it to the average. No clock is
// assumed right: the group agrees with itself, not with true time.
import type { Node } from "../node/index";
import { SimulationError } from "../sim/index";

/** Options of {@link berkeleyRound}. */
export interface BerkeleyOptions {
  /** How long to wait for each member's reading. Default 1000 ms. */
  timeoutMs?: number;
  /** A member whose difference from the median is larger than this is left out of the average (it is still corrected). Default Infinity. */
  outlierMsMax?: number;
}

/** What one round did (differences are member clock − master clock, estimated). */
export interface BerkeleyRound {
  /** Each answering member's estimated difference from the master (the master is 0). */
  differencesMs: Record<string, number>;
  /** Members left out of the average. */
  outliers: string[];
  /** Members that did not answer in time (not corrected). */
  unanswered: string[];
  /** The fault-tolerant average of the differences. */
  averageMs: number;
  /** The correction sent to each member (the master's own included). */
  adjustmentsMs: Record<string, number>;
}

/**
 * Make `node` a Berkeley member: it answers the master's `berkeley_time` poll with its clock and
 * applies the correction of `berkeley_adjust` (a step, or a slew over `slewMs`).
 *
 * @example
 * sim.spawnMany(["m1", "m2", "m3"], (node) => berkeleyMember(node));
 */
export function berkeleyMember(node: Node, options: { slewMs?: number } = {}): void {
  node.on("berkeley_time", (m) => node.reply(m, { type: "berkeley_time_ok", clockMs: node.clock() }));
  node.on("berkeley_adjust", (m) => {
    const deltaMs = (m.body as { deltaMs?: unknown }).deltaMs;
    if (typeof deltaMs !== "number" || !Number.isFinite(deltaMs)) throw new SimulationError(`berkeleyMember: berkeley_adjust from ${m.src} has no finite deltaMs (got ${JSON.stringify(deltaMs)})`, { node: node.id, timeMs: node.now() });
    node.adjustClock(deltaMs, options.slewMs === undefined ? {} : { slewMs: options.slewMs });
  });
}

/**
 * One round of the Berkeley algorithm, run by the master `node` over `members`: poll them all at
 * once; for member i with reading C_i and round trip RTT_i on the master's clock, the difference
 * is d_i = C_i + RTT_i/2 − (master clock on receipt); leave out those farther than `outlierMsMax`
 * from the median; average the rest with the master's 0; send member i the correction
 * average − d_i (a relative correction, so its transit time does not matter) and apply the
 * master's own.
 *
 * @example
 * sim.spawn("master", (node) => node.setPeriodic(1000, () => berkeleyRound(node, ["m1", "m2", "m3"], { outlierMsMax: 50 })));
 */
export async function berkeleyRound(node: Node, members: readonly string[], options: BerkeleyOptions = {}): Promise<BerkeleyRound> {
  const outlierMsMax = options.outlierMsMax ?? Infinity;
  if (!Array.isArray(members) || members.some((m) => typeof m !== "string" || m === node.id)) {
    throw new SimulationError(`berkeleyRound: members must be the other nodes' ids, got ${JSON.stringify(members)}`, { node: node.id, timeMs: node.now() });
  }
  if (!(outlierMsMax > 0)) throw new SimulationError(`berkeleyRound: outlierMsMax must be > 0, got ${outlierMsMax}`, { node: node.id, timeMs: node.now() });
  const polls = members.map(async (member) => {
    const t0 = node.clock();
    try {
      const reply = await node.rpc<{ type: string; clockMs: number }>(member, { type: "berkeley_time" }, { timeoutMs: options.timeoutMs ?? 1000 });
      const t1 = node.clock();
      return { member, differenceMs: reply.body.clockMs + (t1 - t0) / 2 - t1 };
    } catch {
      return { member, differenceMs: undefined };
    }
  });
  const answers = await Promise.all(polls);
  const differencesMs: Record<string, number> = { [node.id]: 0 };
  const unanswered: string[] = [];
  for (const a of answers) {
    if (a.differenceMs === undefined) unanswered.push(a.member);
    else differencesMs[a.member] = a.differenceMs;
  }
  const sorted = Object.values(differencesMs).sort((x, y) => x - y);
  const median = sorted.length % 2 === 1 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  const outliers = Object.keys(differencesMs).filter((id) => Math.abs(differencesMs[id] - median) > outlierMsMax);
  const kept = Object.keys(differencesMs).filter((id) => !outliers.includes(id));
  const averageMs = kept.reduce((sum, id) => sum + differencesMs[id], 0) / kept.length;
  const adjustmentsMs: Record<string, number> = {};
  for (const id of Object.keys(differencesMs)) {
    adjustmentsMs[id] = averageMs - differencesMs[id];
    if (id !== node.id) node.send(id, { type: "berkeley_adjust", deltaMs: adjustmentsMs[id] });
  }
  node.adjustClock(adjustmentsMs[node.id]);
  return { differencesMs, outliers, unanswered, averageMs, adjustmentsMs };
}
