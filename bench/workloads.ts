/**
 * Benchmark workloads. Each returns what it measured; wall-clock time is read here (bench/ is not
 * lib/, so real time is allowed). Run through `bench/part.ts`, one measurement per process.
 */
import { performance } from "node:perf_hooks";
import { Simulation } from "../lib/simulation";
import { EventQueue } from "../lib/sim";

export interface Measurement {
  name: string;
  /** What was counted (messages delivered, events, push/pop pairs). */
  count: number;
  /** Wall-clock seconds. */
  seconds: number;
  /** count / seconds */
  perSecond: number;
  /** CPU seconds (user + system) of this process over the same span: steadier on a shared machine. */
  cpuSeconds: number;
  /** count / cpuSeconds */
  perCpuSecond: number;
  /**
   * Memory used after the run (after a full GC when --expose-gc is on), in bytes: the JavaScript
   * heap plus ArrayBuffer memory (typed arrays and Buffers live outside the heap; the trace keeps
   * its columns there).
   */
  heapUsedBytes: number;
  /** Growth of that memory over the measurement (after GC), in bytes. */
  heapGrowthBytes: number;
  /** Anything else worth printing. */
  extra?: Record<string, number | string>;
}

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    g();
    g();
  }
}

/** Start a stopwatch; `stop()` gives wall and CPU seconds. */
function stopwatch(): () => { seconds: number; cpuSeconds: number } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  return () => {
    const seconds = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    return { seconds, cpuSeconds: (c.user + c.system) / 1e6 };
  };
}

/**
 * A measurement of `count` things done in `time`, with the heap used now and its growth since
 * `heapBefore` (NaN where growth means nothing, e.g. for the bare heap loop).
 */
function measured(
  name: string,
  count: number,
  time: { seconds: number; cpuSeconds: number },
  heapBefore: number,
  extra?: Record<string, number | string>,
): Measurement {
  const heapUsedBytes = heapUsed();
  return {
    name,
    count,
    seconds: time.seconds,
    perSecond: count / time.seconds,
    cpuSeconds: time.cpuSeconds,
    perCpuSecond: count / time.cpuSeconds,
    heapUsedBytes,
    heapGrowthBytes: heapUsedBytes - heapBefore,
    extra,
  };
}

function heapUsed(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const ids = (n: number, prefix = "n"): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/**
 * (a) 100 nodes pass tokens: each node starts one token; whoever receives a token forwards it to a
 * peer drawn from its own `node.rng`, until `total` messages have been sent. Every message is
 * copied (JSON) as always. Counts delivered messages.
 */
export async function forwarding(total: number, trace: boolean, nodes = 100, eventsMax?: number, invariants = 0): Promise<Measurement> {
  const before = heapUsed();
  const sim = new Simulation({ seed: 1, trace: eventsMax === undefined ? trace : { enabled: trace, eventsMax }, maxEvents: total * 2 + 10 });
  // `invariants` cheap checks, run after every event (the price of sim.invariant itself).
  for (let i = 0; i < invariants; i++) sim.invariant(`hops stay below the total ${i}`, () => sent <= total);
  const all = ids(nodes);
  let sent = 0;
  for (const id of all) {
    sim.spawn(id, (node) => {
      const peers = all.filter((p) => p !== id);
      const rng = node.rng;
      node.on("token", (msg) => {
        if (sent < total) {
          sent++;
          node.send(peers[rng.int(0, peers.length)], { type: "token", hops: msg.body.hops + 1 });
        }
      });
    });
  }
  // seed the tokens (counted in `total`)
  for (const id of all) {
    if (sent >= total) break;
    sent++;
    sim.node(id).send(all[(all.indexOf(id) + 1) % nodes], { type: "token", hops: 0 });
  }
  const stop = stopwatch();
  await sim.run();
  const time = stop();
  const delivered = sim.counters.delivered;
  const result = measured(`forwarding, ${nodes} nodes, trace ${trace ? "on" : "off"}${eventsMax === undefined ? "" : `, last ${eventsMax} kept`}${invariants ? `, ${invariants} invariant(s)` : ""}`, delivered, time, before, {
    traceEvents: sim.trace.length, // not sim.trace.events: that would build every event object
    traceRecorded: sim.trace.recorded,
    virtualMs: sim.now(),
  });
  if (delivered !== total) throw new Error(`expected ${total} deliveries, got ${delivered}`);
  return result;
}

/**
 * (b) Kernel events including timers: 100 nodes each with a periodic timer every 1 virtual ms that
 * sends a message to a random peer (which handles it); run until `events` events have happened.
 */
export async function timersAndMessages(events: number, trace: boolean, nodes = 100): Promise<Measurement> {
  const before = heapUsed();
  const sim = new Simulation({ seed: 1, trace, maxEvents: events + 10 });
  const all = ids(nodes);
  for (const id of all) {
    sim.spawn(id, (node) => {
      const peers = all.filter((p) => p !== id);
      const rng = node.rng;
      node.on("tick", () => {});
      node.setPeriodic(1, () => node.send(peers[rng.int(0, peers.length)], { type: "tick" }), "tick");
    });
  }
  const stop = stopwatch();
  const result = await sim.runEvents(events);
  return measured(`timers + messages, ${nodes} nodes, trace ${trace ? "on" : "off"}`, result.events, stop(), before, {
    delivered: sim.counters.delivered,
    virtualMs: sim.now(),
  });
}

/**
 * (e) Async node code: 100 clients each run a loop of `await node.rpc(...)` to a random server of
 * 10, tracing off. Each RPC is two deliveries whose events settle promises, so the kernel drains
 * promise continuations after them: this prices the async style against (a).
 */
export async function asyncRpc(rpcs: number, trace: boolean, clients = 100, servers = 10): Promise<Measurement> {
  const before = heapUsed();
  const sim = new Simulation({ seed: 1, trace, maxEvents: 4 * rpcs + 10_000 });
  const serverIds = ids(servers).map((id) => `s${id}`);
  for (const id of serverIds) sim.spawn(id, (node) => node.on("get", (m) => node.reply(m, { type: "get_ok", n: m.body.n })));
  let done = 0;
  for (const id of ids(clients)) {
    sim.spawn(`c${id}`, async (node) => {
      const rng = node.rng;
      for (let n = 0; done < rpcs; n++) {
        await node.rpc(serverIds[rng.int(0, servers)], { type: "get", n }, { timeoutMs: 100 });
        done++;
      }
    });
  }
  const stop = stopwatch();
  await sim.runUntil(() => done >= rpcs);
  return measured(`async rpc loops, ${clients} clients, trace ${trace ? "on" : "off"}`, done, stop(), before, {
    delivered: sim.counters.delivered,
    virtualMs: sim.now(),
  });
}

/** (c) Memory of `count` idle nodes (each registers one handler), trace on as by default. */
export async function idleNodes(count: number): Promise<Measurement> {
  const before = heapUsed();
  const stop = stopwatch();
  const sim = new Simulation({ seed: 1 });
  for (const id of ids(count)) sim.spawn(id, (node) => node.on("ping", (m) => node.reply(m, { type: "pong" })));
  await sim.runFor(10);
  const m = measured(`${count} idle nodes`, count, stop(), before);
  m.extra = { bytesPerNode: Math.round(m.heapGrowthBytes / sim.nodeIds().length), rssBytes: process.memoryUsage().rss }; // uses `sim`, so it was alive when measured
  return m;
}

/**
 * A bare binary min-heap on (time, seq), written out by hand: the floor of a discrete-event loop,
 * shared by the two baselines.
 */
function bareBinaryHeap<E extends { timeMs: number; seq: number }>(): { push(e: E): void; pop(): E } {
  const heap: E[] = [];
  const less = (a: E, b: E): boolean => a.timeMs < b.timeMs || (a.timeMs === b.timeMs && a.seq < b.seq);
  const push = (e: E): void => {
    let i = heap.length;
    heap.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(e, heap[p])) break;
      heap[i] = heap[p];
      i = p;
    }
    heap[i] = e;
  };
  const pop = (): E => {
    const top = heap[0];
    const last = heap.pop()!;
    const n = heap.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && less(heap[r], heap[l]) ? r : l;
        if (!less(heap[c], last)) break;
        heap[i] = heap[c];
        i = c;
      }
      heap[i] = last;
    }
    return top;
  };
  return { push, pop };
}

/**
 * (d) Baseline: a bare binary min-heap on (time, seq) doing `pairs` pop/push pairs with `inFlight`
 * entries waiting, like the forwarding workload (pop the earliest, push one 1 ms later). No
 * simulator, no copying: the floor of a discrete-event loop.
 */
export function bareHeap(pairs: number, inFlight = 100): Measurement {
  interface E {
    timeMs: number;
    seq: number;
    value: number;
  }
  const { push, pop } = bareBinaryHeap<E>();
  let seq = 0;
  for (let i = 0; i < inFlight; i++) push({ timeMs: 1, seq: seq++, value: i });
  let checksum = 0;
  const stop = stopwatch();
  for (let i = 0; i < pairs; i++) {
    const e = pop();
    checksum += e.value;
    push({ timeMs: e.timeMs + 1, seq: seq++, value: e.value });
  }
  return measured(`bare binary heap, ${inFlight} waiting`, pairs, stop(), NaN, { checksum });
}

/**
 * (d′) A fairer baseline: the irreducible work of one message, `count` times — a heap push and pop
 * (the event queue), a JSON round trip of the same body the forwarding workload sends (stringify
 * on send, parse on delivery: the copy every message gets), and one handler lookup in a Map. No
 * nodes, network, fault model or trace: what any simulator of this design must do per message.
 */
export function messageBaseline(count: number, inFlight = 100): Measurement {
  interface E {
    timeMs: number;
    seq: number;
    json: string;
  }
  const { push, pop } = bareBinaryHeap<E>();
  let seq = 0;
  let checksum = 0;
  let msgId = 0;
  const handlers = new Map<string, (body: { type: string; hops: number }) => void>();
  const send = (timeMs: number, hops: number): void => push({ timeMs, seq: seq++, json: JSON.stringify({ type: "token", hops, msg_id: ++msgId }) });
  handlers.set("token", (body) => {
    checksum += body.hops;
  });
  handlers.set("other", () => {});
  for (let i = 0; i < inFlight; i++) send(1, 0);
  const stop = stopwatch();
  for (let i = 0; i < count; i++) {
    const e = pop();
    const body = JSON.parse(e.json) as { type: string; hops: number };
    handlers.get(body.type)!(body);
    send(e.timeMs + 1, body.hops + 1);
  }
  return measured(`per-message baseline (heap, JSON round trip, handler lookup), ${inFlight} waiting`, count, stop(), NaN, { checksum });
}

/** The simulator's own EventQueue doing the same pop/push pairs (what the kernel adds on top is the rest). */
export function eventQueue(pairs: number, inFlight = 100): Measurement {
  const q = new EventQueue<{ timeMs: number; seq: number; value: number }>();
  for (let i = 0; i < inFlight; i++) q.push({ timeMs: 1, seq: 0, value: i });
  let checksum = 0;
  const stop = stopwatch();
  for (let i = 0; i < pairs; i++) {
    const e = q.pop()!;
    checksum += e.value;
    q.push({ timeMs: e.timeMs + 1, seq: 0, value: e.value });
  }
  return measured(`lib EventQueue, ${inFlight} waiting`, pairs, stop(), NaN, { checksum });
}
