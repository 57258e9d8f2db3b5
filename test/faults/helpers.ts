// Small scenarios the fault tests share: a pinger that asks every peer on a period, and helpers
// that read the trace.
import { Simulation, type SimulationOptions } from "../../lib/simulation";
import type { DeliverEvent, DropEvent, TraceEvent } from "../../lib/trace";

/** The error thrown by `fn`, or undefined if it did not throw. */
export function thrown(fn: () => unknown): Error | undefined {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  return undefined;
}

/** A node that answers every `ping` with a `pong` carrying the ping's `n`. */
export const ponger = (node: import("../../lib/node").Node): void => {
  node.on("ping", (m) => node.reply(m, { type: "pong", n: m.body.n }));
};

/**
 * n1 pings n2 and n3 every 10 ms (`n` counts the rounds); n2 and n3 answer. Pongs are counted by
 * sender in `got`.
 */
export function pingScenario(options: SimulationOptions = {}): { sim: Simulation; got: Map<string, number[]> } {
  const sim = new Simulation({ seed: 7, ...options });
  const got = new Map<string, number[]>([["n2", []], ["n3", []]]);
  sim.spawn("n1", (node) => {
    let n = 0;
    node.on("pong", (m) => got.get(m.src)!.push(m.body.n));
    node.setPeriodic(10, () => {
      n++;
      for (const peer of ["n2", "n3"]) node.send(peer, { type: "ping", n });
    }, "round");
  });
  sim.spawnMany(["n2", "n3"], ponger);
  return { sim, got };
}

export const drops = (events: readonly TraceEvent[]): DropEvent[] => events.filter((e): e is DropEvent => e.kind === "drop");
export const deliveries = (events: readonly TraceEvent[]): DeliverEvent[] => events.filter((e): e is DeliverEvent => e.kind === "deliver");

/** The send time of each wire id. */
export function sendTimes(events: readonly TraceEvent[]): Map<number, number> {
  const times = new Map<number, number>();
  for (const e of events) if (e.kind === "send") times.set(e.id, e.timeMs);
  return times;
}
