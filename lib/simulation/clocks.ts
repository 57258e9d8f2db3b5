// Setting a node's local clock from outside (spawn's `clock` option, `sim.setClock`): the change
// is traced as a `clock` event, and the node's pending local-clock timers are re-armed. The clock
// model itself is in lib/node/clock.ts.
import { checkClockOptions, type ClockOptions } from "../node/index";
import type { Trace } from "../trace/index";
import type { Runtime } from "./registry";

/**
 * Set `rt`'s clock at true time `nowMs` (see `LocalClock.set`), trace it, and re-arm the node's
 * local timers. Throws a `ConfigError` naming `option`, the node, the time and the seed.
 *
 * @example
 * setNodeClock(rt, { offsetMs: -20, driftPpm: 200 }, "setClock", sim.trace, sim.now(), sim.seed);
 */
export function setNodeClock(rt: Runtime, options: ClockOptions, option: string, trace: Trace, nowMs: number, seed: number): void {
  checkClockOptions(options, option, { node: rt.id, timeMs: nowMs, seed });
  const change = rt.clock.set(nowMs, options);
  trace.record({ kind: "clock", timeMs: nowMs, node: rt.id, ...change });
  if (rt.up) rt.node._clockChanged();
}
