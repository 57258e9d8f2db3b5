// A time server for the clock-synchronisation protocols: it answers `time` requests with its own
// clock readings — when the request arrived and when the reply left — as an NTP server does
// (RFC 5905 §8: the receive timestamp t2 and the transmit timestamp t3).
import type { Node } from "../node/index";
import { SimulationError } from "../sim/index";

/** The request a time server answers. */
export interface TimeRequest {
  type: "time";
}

/** Its answer: `clockMs` is the server's clock when the reply left (t3), `receiveMs` when the request arrived (t2). */
export interface TimeReply {
  type: "time_ok";
  clockMs: number;
  receiveMs: number;
}

/** Options of {@link serveTime}. */
export interface TimeServerOptions {
  /** Time the server takes between receiving a request and answering (true ms). Default 0. */
  processingMs?: number;
}

/**
 * Make `node` a time server: every `{ type: "time" }` request gets `{ type: "time_ok", receiveMs,
 * clockMs }` read from the server's own clock (which may itself be wrong: the protocols
 * synchronise to the server, not to true time).
 *
 * @example
 * sim.spawn("server", (node) => serveTime(node, { processingMs: 2 }));
 */
export function serveTime(node: Node, options: TimeServerOptions = {}): void {
  const processingMs = options.processingMs ?? 0;
  if (typeof processingMs !== "number" || !Number.isFinite(processingMs) || processingMs < 0) {
    throw new SimulationError(`serveTime: processingMs must be a finite number ≥ 0, got ${JSON.stringify(processingMs)}`, { node: node.id, timeMs: node.now() });
  }
  node.on("time", async (m) => {
    const receiveMs = node.clock();
    if (processingMs > 0) await node.sleep(processingMs, { clock: "true" });
    const reply: TimeReply = { type: "time_ok", clockMs: node.clock(), receiveMs };
    node.reply(m, reply);
  });
}
