// A small node for trying out (and testing) the process runtime: it reports its incarnation and
// what it kept on disk, keeps values, and answers after timers — one of them cancelled, which must
// never fire. Plain course node code: it runs in the simulator too.
import type { Node } from "../../lib/node";

/**
 * Handles `status` → `status_ok { incarnation, starts, kept, peers }`, `keep { value }` →
 * `keep_ok` (stored in `node.storage`), `later { delayMs }` → `later_ok { elapsedMs }` after a
 * timer (a second timer, cancelled at once, would send `cancelled_fired`), and `ticks { count,
 * everyMs }` → `count` × `tick_ok { n }` from a periodic timer that then cancels itself.
 * Counts its starts in storage.
 *
 * @example
 * // distlab-node runtime/examples/probe.ts probeNode --storage /tmp/probe
 * sim.spawn("n1", probeNode);
 */
export function probeNode(node: Node): void {
  const starts = (node.storage.get<number>("starts") ?? 0) + 1;
  node.storage.set("starts", starts);

  node.on("status", (req) =>
    node.reply(req, { type: "status_ok", incarnation: node.incarnation, starts, kept: node.storage.get("kept") ?? null, peers: node.peers() }),
  );

  node.on("keep", (req) => {
    node.storage.set("kept", req.body.value);
    node.reply(req, { type: "keep_ok" });
  });

  node.on("later", (req) => {
    const sentMs = node.now();
    const cancelled = node.setTimer(req.body.delayMs / 2, () => node.reply(req, { type: "cancelled_fired" }), "cancelled");
    node.cancelTimer(cancelled);
    node.setTimer(req.body.delayMs, () => node.reply(req, { type: "later_ok", elapsedMs: node.now() - sentMs }), "later");
  });

  node.on("ticks", (req) => {
    let n = 0;
    const timer = node.setPeriodic(req.body.everyMs, () => {
      n++;
      node.reply(req, { type: "tick_ok", n });
      if (n >= req.body.count) node.cancelTimer(timer);
    }, "tick");
  });

  node.on("boom", () => {
    throw new Error("boom handler failed on purpose");
  });
}
