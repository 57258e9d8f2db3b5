// NTP's on-wire offset and delay: D. Mills, "Internet Time Synchronization: the Network Time
// Protocol", IEEE Trans. Communications 39(10), 1991, §3; RFC 5905 §8. With t1 (client sends),
// t2 (server receives), t3 (server replies), t4 (client receives), each on its own node's clock:
//
//   θ = ((t2 − t1) + (t3 − t4)) / 2     the server's clock minus the client's
//   δ = (t4 − t1) − (t3 − t2)           the round trip, less the server's processing time
//
// The true θ lies in θ ± δ/2 (exactly when the two one-way delays are equal). NTP's clock filter
// keeps, of the last few samples, the one with the least δ (RFC 5905 §10).
import type { Node } from "../node/index";
import { SimulationError } from "../sim/index";
import type { TimeReply } from "./time-server";

/** Offset and delay from the four timestamps. */
export interface NtpSample {
  t1: number;
  t2: number;
  t3: number;
  t4: number;
  /** θ: what to add to the client's clock to read the server's. */
  offsetMs: number;
  /** δ: the round-trip delay, without the server's time. */
  delayMs: number;
  /** δ/2: the true offset is within offsetMs ± errorMs. */
  errorMs: number;
}

/**
 * θ and δ from the four timestamps (Mills 1991 §3). Throws on non-finite input, or when
 * t4 − t1 < t3 − t2 (a negative delay: timestamps mixed up).
 *
 * @example
 * ntpOffsetDelay(100, 160, 161, 121); // { offsetMs: 50, delayMs: 20, errorMs: 10, … }
 */
export function ntpOffsetDelay(t1: number, t2: number, t3: number, t4: number): NtpSample {
  for (const [name, v] of [["t1", t1], ["t2", t2], ["t3", t3], ["t4", t4]] as const) {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new SimulationError(`ntpOffsetDelay: ${name} must be a finite number of ms, got ${JSON.stringify(v)}`);
  }
  const delayMs = t4 - t1 - (t3 - t2);
  if (delayMs < -1e-9) throw new SimulationError(`ntpOffsetDelay: the delay (t4 − t1) − (t3 − t2) = ${delayMs} ms is negative: are t1..t4 in the order client send, server receive, server send, client receive?`);
  const offsetMs = (t2 - t1 + (t3 - t4)) / 2;
  return { t1, t2, t3, t4, offsetMs, delayMs: Math.max(0, delayMs), errorMs: Math.max(0, delayMs) / 2 };
}

/**
 * One NTP exchange from `node` with a time server (see `serveTime`): t1 and t4 on this node's
 * clock, t2 and t3 on the server's.
 *
 * @example
 * const s = await ntpSample(node, "server");
 * node.adjustClock(s.offsetMs, { slewMs: 1000 });
 */
export async function ntpSample(node: Node, server: string, options: { timeoutMs?: number } = {}): Promise<NtpSample> {
  if (typeof server !== "string" || server === node.id) throw new SimulationError(`ntpSample: server must be another node's id, got ${JSON.stringify(server)}`, { node: node.id, timeMs: node.now() });
  const t1 = node.clock();
  const reply = await node.rpc<TimeReply>(server, { type: "time" }, { timeoutMs: options.timeoutMs ?? 1000 });
  const t4 = node.clock();
  return ntpOffsetDelay(t1, reply.body.receiveMs, reply.body.clockMs, t4);
}

/**
 * NTP's clock filter, reduced to its core: of several samples, the one with the least delay (its
 * bound δ/2 is the tightest, and queueing delay, which is asymmetric, is least).
 *
 * @example
 * bestSample([a, b, c]).delayMs; // the smallest δ
 */
export function bestSample(samples: readonly NtpSample[]): NtpSample {
  if (samples.length === 0) throw new SimulationError("bestSample: no samples");
  return samples.reduce((best, s) => (s.delayMs < best.delayMs ? s : best));
}
