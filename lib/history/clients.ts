// Clients that run a workload against a system and record the history as they go (Jepsen's
// clients and generator, Maelstrom's workload runner). Each client is a node of the simulation
// with one operation open at a time; everything it does is in the trace like any other node.
import { ConfigError, SimulationError, toMicros } from "../sim/index";
import { RpcTimeoutError } from "../node/index";
import type { Prng } from "../sim/prng";
import type { Node } from "../node/node";
import type { Body, Message } from "../node/message";
import type { Simulation } from "../simulation/simulation";
import { HistoryRecorder, type Completion, type History, type OpenOperation, type OperationError } from "./history";
import { MAELSTROM_ERRORS, completionOfError } from "./maelstrom";
import { workloadOf, type ClientWorkload, type OpSpec } from "./workloads";

/** Options of `runClients`. */
export interface RunClientsOptions<I = any, O = any> {
  /** How many clients: nodes `c1` … `cN` (see `clientIdPrefix`), role `"client"`. */
  clients: number;
  /**
   * The operations: `kvOps(…)`, `registerOps(…)`, `counterOps(…)`, any `ClientWorkload`, or a
   * function `(rng, client) => ({ f, input })` (see `workloadOf`). Each client draws from its own
   * random stream, `sim.random("clients:<id>:ops")`.
   */
  ops: ClientWorkload<I, O> | ((rng: Prng, client: string) => OpSpec<I> | undefined);
  /** The node every request goes to, or a function choosing it per operation. */
  target: string | ((client: string, op: OpSpec<I>) => string);
  /** Clients start operations during this many virtual ms from now (≥ 0). */
  durationMs: number;
  /**
   * How long a client waits for a reply; then the operation is `info` (one attempt, no retry: a
   * retry would be a second request the history cannot see). Default 1000.
   */
  timeoutMs?: number;
  /**
   * Closed loop: after each operation a client thinks a time drawn uniformly from [thinkMsMin,
   * thinkMsMax]. Default 0. (On a network with zero latency and a server that answers at once,
   * a closed loop without think time never lets virtual time pass: the event budget stops it.)
   */
  thinkMsMin?: number;
  /** See `thinkMsMin`. Default `thinkMsMin`. */
  thinkMsMax?: number;
  /**
   * Open loop: each client aims at this many operations per second, at times set by `arrivals`.
   * A client still has one operation open at a time: when an operation outlasts the gap, the next
   * one starts as soon as it completes (counted in `lateInvocations`), and the schedule goes on
   * from there — missed slots are skipped, never made up in a burst. So when the rate outruns the
   * server, the offered load is not met: the clients fall back to a closed loop, and the achieved
   * rate (`measureBudgets(…).throughputPerSecond`) is lower than asked.
   */
  ratePerSecond?: number;
  /** With `ratePerSecond`: `"poisson"` (default; exponential gaps) or `"constant"` (equal gaps, random first phase). */
  arrivals?: "poisson" | "constant";
  /** Client node ids are this prefix and 1 … clients. Default `"c"`. */
  clientIdPrefix?: string;
}

/**
 * What `runClients` returns: the history and what is needed to measure it (`measureBudgets`).
 *
 * @example
 * const run = await runClients(sim, { clients: 2, ops: kvOps(), target: "server", durationMs: 100 });
 * run.history.operations.length; run.clientNodes; // ["c1", "c2"]
 */
export interface ClientRun<I = any, O = any> {
  /** Every operation, in invocation order; any still open at the end is `info`. */
  history: History<I, O>;
  /** The workload's model (`"kv"`, `"register"`, `"counter"`, …), for choosing a checker. */
  model: string;
  /** The client node ids, `["c1", …]` (the processes are these, then `c1#2`, … after an info). */
  clientNodes: string[];
  /** When the clients started (virtual ms). */
  startMs: number;
  /** How long clients started operations: the `durationMs` asked for. */
  durationMs: number;
  /** When the run stopped: all operations completed, or `timeoutMs` after `startMs + durationMs`. */
  endMs: number;
  /** Open loop only: operations that started after their slot because the previous one was still open. */
  lateInvocations: number;
}

const OPTION_NAMES = ["clients", "ops", "target", "durationMs", "timeoutMs", "thinkMsMin", "thinkMsMax", "ratePerSecond", "arrivals", "clientIdPrefix"];

/**
 * Spawn `clients` client nodes that run operations against `target` for `durationMs` and record
 * the history; then run on until every open operation has completed or timed out (at most
 * `timeoutMs` more), and return the history with the run's window (`ClientRun`).
 *
 * Each client loops: draw the next operation, send it as an rpc (`{ type: f, …input }`), wait
 * for `<f>_ok` (→ `ok`, with the output read from the reply), an error reply `{ type: "error",
 * code, text }` (a definite Maelstrom code such as 20, 22, 11 or 14 → `fail`; an indefinite or
 * unknown one such as 13 → `info`), or `timeoutMs` (→ `info`). Any other reply stops the run
 * with an error naming the client. Closed loop by default (with optional think time), or an open
 * loop at `ratePerSecond`.
 *
 * Processes (Jepsen's rule): an `info` operation may still take effect at any later time, so it
 * stays open for ever and its process is finished; the client goes on as a new process `c1#2`,
 * then `c1#3`, …. The same happens when a client node crashes with an operation open and restarts.
 *
 * Everything is drawn from `sim.random("clients:<id>:ops")` (operations) and
 * `sim.random("clients:<id>:timing")` (think times, arrivals): the same seed gives the same
 * history, and changing the timing never changes which operations are drawn.
 *
 * @example
 * const sim = new Simulation({ seed: 7, network: { latency: latency.uniform(1, 5), lossProbability: 0.05 } });
 * sim.spawn("server", kvServer());
 * const run = await runClients(sim, { clients: 5, ops: kvOps({ keys: ["x", "y"] }), target: "server", durationMs: 2000, timeoutMs: 100 });
 * console.log(formatHistory(run.history, { limit: 10 }));
 * console.log(formatBudgets(measureBudgets(run, sim.trace)));
 */
export async function runClients<I = any, O = any>(sim: Simulation, options: RunClientsOptions<I, O>): Promise<ClientRun<I, O>> {
  const o = checkOptions(sim, options);
  const recorder = new HistoryRecorder<I, O>();
  const startMs = sim.now();
  const endMs = toMicros(startMs + o.durationMs);
  const clientNodes = Array.from({ length: o.clients }, (_, i) => `${o.prefix}${i + 1}`);
  const existing = clientNodes.find((id) => sim.nodeIds().includes(id));
  if (existing !== undefined) {
    throw new ConfigError("runClients.clientIdPrefix", o.prefix, `a prefix whose client ids are free (a node "${existing}" already exists)`, { timeMs: startMs, seed: sim.seed });
  }
  const counts = { late: 0 };

  for (const id of clientNodes) {
    const next = o.workload.generator(id, sim.random(`clients:${id}:ops`));
    const timing = sim.random(`clients:${id}:timing`);
    let generation = 1;
    let process = id;
    let open: OpenOperation | undefined;
    const retire = (): void => {
      generation++;
      process = `${id}#${generation}`;
    };
    const gapMs = (): number => (o.arrivals === "constant" ? 1000 / o.ratePerSecond! : timing.exponential(1000 / o.ratePerSecond!));

    const loop = async (node: Node): Promise<void> => {
      if (open !== undefined) {
        open = undefined; // a crash left it open: it stays open (info), and this process is finished
        retire();
      }
      let slotMs = o.ratePerSecond === undefined ? 0 : node.now() + (o.arrivals === "constant" ? timing.uniform(0, gapMs()) : gapMs());
      for (;;) {
        if (o.ratePerSecond !== undefined) {
          if (slotMs >= endMs || node.now() >= endMs) return; // a slot missed past the window is not made up
          if (slotMs > node.now()) await node.sleep(slotMs - node.now());
          else if (slotMs < node.now()) counts.late++;
        } else if (node.now() >= endMs) return;
        if (!node.isAlive()) return;

        const op = next();
        if (op === undefined) return;
        const dest = o.target(id, op);
        if (typeof dest !== "string" || !sim.nodeIds().includes(dest)) {
          throw new SimulationError(`runClients: option target chose ${JSON.stringify(dest)} for ${id}'s ${op.f}, which is not a node (known: ${sim.nodeIds().join(", ")})`, { node: id, timeMs: node.now(), seed: sim.seed });
        }
        const body = o.workload.request(op);
        const invokeMs = node.now();
        open = recorder.invoke(process, op.f, op.input, invokeMs);
        const ending = await call(node, dest, op, body, o.timeoutMs, o.workload);
        if (!node.isAlive()) return;
        recorder.complete(open, ending.completion, ending.output, node.now(), ending.error);
        open = undefined;
        if (ending.completion === "info") retire();

        if (o.ratePerSecond !== undefined) slotMs = Math.max(slotMs, invokeMs) + gapMs();
        else {
          const thinkMs = o.thinkMsMax > 0 ? timing.uniform(o.thinkMsMin, o.thinkMsMax) : 0;
          if (thinkMs > 0) {
            if (node.now() + thinkMs >= endMs) return;
            await node.sleep(thinkMs);
          }
        }
      }
    };
    sim.spawn(id, loop, { role: "client" });
  }

  await sim.runFor(o.durationMs);
  await sim.runUntil(() => recorder.openCount() === 0, { withinMs: o.timeoutMs, throwOnTimeout: false });
  return {
    history: recorder.history(),
    model: o.workload.model,
    clientNodes,
    startMs,
    durationMs: o.durationMs,
    endMs: sim.now(),
    lateInvocations: counts.late,
  };
}

/** How one operation ended. */
interface Ending<O> {
  completion: Completion;
  output?: O;
  error?: OperationError;
}

/** Send one operation as an rpc and read its ending from the reply (or the timeout). */
async function call<I, O>(node: Node, dest: string, op: OpSpec<I>, body: Body, timeoutMs: number, workload: ClientWorkload<I, O>): Promise<Ending<O>> {
  let reply: Message;
  try {
    reply = await node.rpc(dest, body, { timeoutMs });
  } catch (err) {
    if (err instanceof RpcTimeoutError) return { completion: "info", error: { text: `timeout: no reply within ${timeoutMs}ms` } };
    throw err;
  }
  const type = reply.body.type;
  if (type === `${op.f}_ok`) return { completion: "ok", output: workload.output(op, reply.body) };
  if (type === "error") {
    const code = reply.body.code;
    const text = typeof reply.body.text === "string" ? reply.body.text : (MAELSTROM_ERRORS[code]?.name ?? "error");
    return { completion: completionOfError(code), error: typeof code === "number" ? { code, text } : { text } };
  }
  throw new SimulationError(`client ${node.id}: ${dest} replied ${JSON.stringify(type)} to ${op.f}; expected "${op.f}_ok" or "error" (Maelstrom's reply types)`, {
    node: node.id,
    timeMs: node.now(),
  });
}

/** The options with defaults filled in, each checked with an error that names it. */
function checkOptions<I, O>(sim: Simulation, options: RunClientsOptions<I, O>) {
  if (!sim || typeof sim.spawn !== "function" || typeof sim.runFor !== "function") {
    throw new ConfigError("runClients(sim, …)", sim, "a Simulation");
  }
  const context = { timeMs: sim.now(), seed: sim.seed };
  const bad = (option: string, value: unknown, expected: string): ConfigError => new ConfigError(`runClients.${option}`, value, expected, context);
  if (!options || typeof options !== "object") throw bad("options", options, "an object { clients, ops, target, durationMs, … }");
  for (const key of Object.keys(options)) if (!OPTION_NAMES.includes(key)) throw bad(key, (options as any)[key], `one of the options ${OPTION_NAMES.join(", ")} (unknown option "${key}")`);
  const finiteAtLeast0 = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0;

  const { clients, durationMs } = options;
  if (typeof clients !== "number" || !Number.isInteger(clients) || clients < 1) throw bad("clients", clients, "a whole number ≥ 1");
  if (!finiteAtLeast0(durationMs)) throw bad("durationMs", durationMs, "a finite number of ms ≥ 0");
  const timeoutMs = options.timeoutMs ?? 1000;
  if (!finiteAtLeast0(timeoutMs) || timeoutMs === 0) throw bad("timeoutMs", timeoutMs, "a finite number of ms > 0");
  const thinkMsMin = options.thinkMsMin ?? 0;
  if (!finiteAtLeast0(thinkMsMin)) throw bad("thinkMsMin", thinkMsMin, "a finite number of ms ≥ 0");
  const thinkMsMax = options.thinkMsMax ?? thinkMsMin;
  if (!finiteAtLeast0(thinkMsMax) || thinkMsMax < thinkMsMin) throw bad("thinkMsMax", thinkMsMax, `a finite number of ms ≥ thinkMsMin (${thinkMsMin})`);
  const ratePerSecond = options.ratePerSecond;
  if (ratePerSecond !== undefined) {
    if (!finiteAtLeast0(ratePerSecond) || ratePerSecond === 0) throw bad("ratePerSecond", ratePerSecond, "a finite number of operations per second > 0");
    if (options.thinkMsMin !== undefined || options.thinkMsMax !== undefined) {
      throw bad("ratePerSecond", ratePerSecond, "either ratePerSecond (open loop) or thinkMsMin/thinkMsMax (closed loop), not both");
    }
  }
  const arrivals = options.arrivals ?? "poisson";
  if (arrivals !== "poisson" && arrivals !== "constant") throw bad("arrivals", arrivals, '"poisson" or "constant"');
  const prefix = options.clientIdPrefix ?? "c";
  if (typeof prefix !== "string" || prefix === "") throw bad("clientIdPrefix", prefix, "a non-empty string");

  const ops = options.ops;
  let workload: ClientWorkload<I, O>;
  if (typeof ops === "function") workload = workloadOf(ops) as ClientWorkload<I, O>;
  else if (ops && typeof ops === "object" && typeof ops.generator === "function" && typeof ops.request === "function" && typeof ops.output === "function") workload = ops;
  else throw bad("ops", ops, "a workload (kvOps(…), registerOps(…), counterOps(…)) or a function (rng, client) => ({ f, input })");

  const target = options.target;
  let chooseTarget: (client: string, op: OpSpec<I>) => string;
  if (typeof target === "function") chooseTarget = target;
  else if (typeof target === "string" && sim.nodeIds().includes(target)) chooseTarget = () => target;
  else throw bad("target", target, `the id of a node (known: ${sim.nodeIds().join(", ") || "none — spawn the server first"}) or a function (client, op) => node id`);

  return { clients, durationMs, timeoutMs, thinkMsMin, thinkMsMax, ratePerSecond, arrivals, prefix, workload, target: chooseTarget };
}
