/**
 * Reference solution of exercise 06.3 — Cristian's algorithm (see exercises/06-time-and-concurrency/cristian.ts).
 *
 * t0 is kept per request (msg_id → local clock), so a late reply is measured from its own send.
 * Each reply gives an estimate at t1 with error rtt/2 + ρ·rtt/(1−ρ); an estimate ages by
 * ρ·elapsed/(1−ρ); the client keeps whichever estimate is tighter now.
 */
import type { Message, Node } from "../../lib/node";

/** An estimate of the server's time with its error bound. */
export interface TimeEstimate {
  timeMs: number;
  errorMs: number;
}

/** An estimate made at local clock reading `localMs`. */
interface Sync {
  localMs: number;
  timeMs: number;
  errorMs: number;
}

/**
 * A Cristian client of `server`.
 *
 * @example
 * sim.spawn("c", (node) => {
 *   const clock = cristianClient(node, "server", { periodMs: 100, driftPpmMax: 20_000 });
 *   node.setTimer(1000, () => node.log(JSON.stringify(clock.now())));
 * });
 */
export function cristianClient(node: Node, server: string, options: { periodMs: number; driftPpmMax: number }): { now(): TimeEstimate } {
  const rho = options.driftPpmMax / 1e6;
  const sentAt = new Map<number, number>(); // msg_id → t0 on the local clock
  let best: Sync | undefined;
  const at = (sync: Sync, localMs: number): TimeEstimate => {
    const elapsed = localMs - sync.localMs;
    return { timeMs: sync.timeMs + elapsed, errorMs: sync.errorMs + (rho * Math.abs(elapsed)) / (1 - rho) };
  };
  node.on("clock_reply", (reply: Message) => {
    const t0 = sentAt.get(reply.body.in_reply_to as number);
    if (t0 === undefined) return; // a duplicate of a reply already used
    sentAt.delete(reply.body.in_reply_to as number);
    const t1 = node.clock();
    const rtt = t1 - t0;
    const sync: Sync = { localMs: t1, timeMs: (reply.body.timeMs as number) + rtt / 2, errorMs: rtt / 2 + (rho * rtt) / (1 - rho) };
    if (best === undefined || sync.errorMs <= at(best, t1).errorMs) best = sync;
  });
  const request = (): void => {
    const t0 = node.clock();
    sentAt.set(node.send(server, { type: "clock_request" }), t0);
  };
  request();
  node.setPeriodic(options.periodMs, request, "sync");
  return {
    now() {
      const local = node.clock();
      return best === undefined ? { timeMs: local, errorMs: Infinity } : at(best, local);
    },
  };
}
