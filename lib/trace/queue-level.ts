/**
 * Queue lengths over time, from the `queue` events that nodes with service time record whenever
 * the number of messages waiting changes. Unlike the counting metrics, a level carries over from
 * one bucket to the next: a bucket with no `queue` event has the length the last one left.
 */
import type { TraceEvent } from "./events";

/**
 * A fresh `queue` metric for one series: for each bucket (fed in time order), the most messages
 * waiting at once, summed over the nodes whose `queue` events it sees. `chartMetric(trace, "queue")`
 * makes one per chart; with the `nodes` option it sees only those nodes' events.
 *
 * @example
 * const level = queueLevels();
 * level([{ kind: "queue", timeMs: 1, node: "s", length: 2 }, { kind: "queue", timeMs: 3, node: "s", length: 1 }]); // 2
 * level([]); // 1: still waiting
 */
export function queueLevels(): (bucket: readonly TraceEvent[]) => number {
  const lengths = new Map<string, number>();
  let total = 0;
  return (bucket) => {
    let most = total;
    for (const e of bucket) {
      if (e.kind !== "queue") continue;
      total += e.length - (lengths.get(e.node) ?? 0);
      lengths.set(e.node, e.length);
      if (total > most) most = total;
    }
    return most;
  };
}
