/**
 * Check of exercise 00.1 ping-pong: a pinger and a ponger play `rounds` rounds over a network with
 * random latency. From the trace: exactly `rounds` pings and pongs, strictly alternating (each ping
 * sent when the previous pong arrives: after its delivery, at the same virtual time, so the pong is
 * what triggers it and not a timer), each pong a reply (`in_reply_to`) with its ping's `n`, and the
 * pinger in state "done" once the last pong arrived.
 */
import { latency } from "../../../lib/net";
import { formatMs } from "../../../lib/sim/errors";
import type { Node } from "../../../lib/node";
import type { Simulation } from "../../../lib/simulation";
import type { DeliverEvent, SendEvent, TraceEvent } from "../../../lib/trace";
import { ensure, fail, runScenarios, type CheckResult, type Scenario } from "../check";

/** What exercises/00-getting-started/ping-pong.ts exports. */
export interface PingPongApi {
  ponger(node: Node): void | Promise<void>;
  pinger(node: Node, peer: string, rounds: number): void | Promise<void>;
}

// tsc checks that the stub and the reference both have this API.
type Implements<T extends PingPongApi> = T;
export type StubImplementsPingPong = Implements<typeof import("../../../exercises/00-getting-started/ping-pong")>;
export type SolutionImplementsPingPong = Implements<typeof import("../../../solutions/00-getting-started/ping-pong")>;

/** A sent message with its parsed body and where it sits in the trace. */
interface Sent {
  send: SendEvent;
  body: Record<string, unknown>;
  /** Index of the send event. */
  sentAt: number;
  /** The first delivery, if any. */
  delivery?: DeliverEvent;
  /** Index of the first delivery. */
  deliveredAt?: number;
}

function sentMessages(events: readonly TraceEvent[]): Sent[] {
  const byId = new Map<number, Sent>();
  const sent: Sent[] = [];
  events.forEach((e, index) => {
    if (e.kind === "send") {
      const s: Sent = { send: e, body: JSON.parse(e.json), sentAt: index };
      byId.set(e.id, s);
      sent.push(s);
    } else if (e.kind === "deliver") {
      const s = byId.get(e.id);
      if (s && s.delivery === undefined) {
        s.delivery = e;
        s.deliveredAt = index;
      }
    }
  });
  return sent;
}

function show(m: Sent): string {
  const n = m.body.n === undefined ? "without n" : `n=${JSON.stringify(m.body.n)}`;
  return `${m.send.src} → ${m.send.dest} ${m.send.type} ${n} (t=${m.send.timeMs}ms)`;
}

/** When a message is "seen": its delivery, or its send if it was never delivered. */
function seenMs(m: Sent): number {
  return m.delivery?.timeMs ?? m.send.timeMs;
}

/**
 * The rules of the game, checked on a trace: pinger `p`, ponger `q`, `rounds` rounds.
 * Throws an Expectation at the first message that breaks them.
 */
export function checkRounds(events: readonly TraceEvent[], p: string, q: string, rounds: number): void {
  const sent = sentMessages(events);
  const fromP = sent.filter((m) => m.send.src === p);
  const fromQ = sent.filter((m) => m.send.src === q);
  const endMs = events.length ? events[events.length - 1].timeMs : 0;
  for (let k = 1; k <= rounds; k++) {
    const ping = fromP[k - 1];
    const prevPong = fromQ[k - 2];
    if (ping === undefined) {
      if (k === 1) fail(`${p} to send ping n=1 to ${q} when it starts`, `${p} sent nothing`, { timeMs: endMs, node: p });
      fail(
        `${p} to send ping n=${k} after pong n=${k - 1} arrived (${rounds} rounds in all)`,
        `${p} sent nothing more after pong n=${k - 1}`,
        { timeMs: endMs, node: p },
      );
    }
    ensure(
      ping.send.type === "ping" && ping.send.dest === q && ping.body.n === k,
      `${p} → ${q} ping n=${k}`,
      () => show(ping),
      { timeMs: seenMs(ping), node: p },
    );
    if (prevPong !== undefined) {
      ensure(
        prevPong.deliveredAt !== undefined && prevPong.deliveredAt < ping.sentAt,
        `${p} to wait for pong n=${k - 1} before it sends ping n=${k}`,
        () =>
          prevPong.delivery
            ? `${p} sent ping n=${k} at t=${ping.send.timeMs}ms, but pong n=${k - 1} only arrived at t=${prevPong.delivery.timeMs}ms`
            : `${p} sent ping n=${k} before pong n=${k - 1} arrived`,
        { timeMs: seenMs(ping), node: p },
      );
      // The causal link: the pong's handler sends the next ping, so both happen at the same
      // virtual time. A pinger pacing itself with a timer sends later, whatever the pongs do.
      const pongMs = (prevPong.delivery as DeliverEvent).timeMs;
      ensure(
        ping.send.timeMs === pongMs,
        `${p} to send ping n=${k} when pong n=${k - 1} arrives, at the same virtual time t=${formatMs(pongMs)} (the pong causes the next ping)`,
        () =>
          `${p} sent ping n=${k} at t=${formatMs(ping.send.timeMs)}, ${formatMs(ping.send.timeMs - pongMs)} after pong n=${k - 1} arrived: ` +
          "it was not sent because of the pong",
        { timeMs: ping.send.timeMs, node: p },
      );
    }
    const pong = fromQ[k - 1];
    if (pong === undefined) {
      fail(`${q} to answer ping n=${k} with pong n=${k}`, `${q} sent nothing back`, { timeMs: endMs, node: q });
    }
    ensure(
      pong.send.type === "pong" && pong.send.dest === p && pong.body.n === k,
      `${q} → ${p} pong n=${k} (the same n as the ping)`,
      () => show(pong),
      { timeMs: seenMs(pong), node: q },
    );
    ensure(
      pong.send.inReplyTo === ping.send.msgId,
      `pong n=${k} to be a reply to ping n=${k}: in_reply_to ${ping.send.msgId} (the ping's msg_id)`,
      () => (pong.send.inReplyTo === undefined ? "a pong without in_reply_to (node.reply sets it)" : `in_reply_to ${pong.send.inReplyTo}`),
      { timeMs: seenMs(pong), node: q },
    );
  }
  const extraPing = fromP[rounds];
  if (extraPing) fail(`exactly ${rounds} pings from ${p}`, `one more: ${show(extraPing)}`, { timeMs: seenMs(extraPing), node: p });
  const extraPong = fromQ[rounds];
  if (extraPong) fail(`exactly ${rounds} pongs from ${q}`, `one more: ${show(extraPong)}`, { timeMs: seenMs(extraPong), node: q });

  const lastPong = fromQ[rounds - 1];
  const doneAt = events.findIndex((e) => e.kind === "state" && e.node === p && e.to === "done");
  if (doneAt < 0) {
    const states = events.filter((e) => e.kind === "state" && e.node === p).map((e) => (e.kind === "state" ? e.to : ""));
    fail(
      `${p} to call node.setState("done") when pong n=${rounds} arrives`,
      states.length ? `${p} went through states ${states.join(" → ")} but never "done"` : `${p} never declared a state`,
      { timeMs: endMs, node: p },
    );
  }
  ensure(
    lastPong.deliveredAt !== undefined && lastPong.deliveredAt < doneAt,
    `${p} to be "done" only after pong n=${rounds} arrived`,
    () => `${p} declared "done" at t=${events[doneAt].timeMs}ms, before the last pong arrived`,
    { timeMs: events[doneAt].timeMs, node: p },
  );
}

async function play(sim: Simulation, impl: PingPongApi, p: string, q: string, rounds: number): Promise<void> {
  sim.spawn(q, (node) => impl.ponger(node), { role: "ponger" });
  const pinger = sim.spawn(p, (node) => impl.pinger(node, q, rounds), { role: "pinger" });
  try {
    await sim.runUntil(() => pinger.state === "done", { withinMs: 200 * rounds + 1000, throwOnTimeout: false });
    await sim.runFor(500); // anything sent after "done" shows up too
  } catch (error) {
    checkRounds(sim.trace.events, p, q, rounds); // a broken rule explains a message storm better
    throw error;
  }
  checkRounds(sim.trace.events, p, q, rounds);
}

/**
 * Grade a ping-pong implementation with one seed (two scenarios: FIFO links with uniform latency,
 * and unordered links with long-tailed latency; node ids and round counts vary).
 *
 * @example
 * await checkPingPong(await import("../../../solutions/00-getting-started/ping-pong"), 7); // { status: "pass", … }
 */
export function checkPingPong(impl: PingPongApi, seed: number): Promise<CheckResult> {
  const rounds = 3 + (seed % 4);
  const scenarios: Array<Scenario<PingPongApi>> = [
    {
      name: `pinger "a", ponger "b", ${rounds} rounds; FIFO links, one-way latency uniform 5–15 ms`,
      simulation: { network: { latency: latency.uniform(5, 15) } },
      lanes: ["a", "b"],
      run: (sim, impl) => play(sim, impl, "a", "b", rounds),
    },
    {
      name: `pinger "n1", ponger "n2", 6 rounds; unordered links, latency 1 ms + exponential (mean 10 ms)`,
      simulation: { network: { latency: latency.exponential(10, 1), ordering: "unordered" } },
      lanes: ["n1", "n2"],
      run: (sim, impl) => play(sim, impl, "n1", "n2", 6),
    },
  ];
  return runScenarios(impl, seed, scenarios, ["ponger", "pinger"]);
}
