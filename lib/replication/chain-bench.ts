// Throughput of chain replication against primary–backup with the same replicas and clients, as
// the update percentage grows (the experiment of van Renesse & Schneider, OSDI 2004, §5). Every
// server takes time to handle each message (lib/simulation/service.ts), so where the work lands
// decides the throughput: primary–backup's primary handles every query, every update and every
// backup's acknowledgement; a chain's head handles the updates and its tail the queries.
import { Simulation } from "../simulation/index";
import { latency as latencies } from "../net/index";
import { ConfigError } from "../sim/index";
import type { Message, Node } from "../node/index";
import { chainClient, chainNode } from "./chain";

/** What each kind of message costs the server that handles it, in ms of service time. */
export interface ReplicationCosts {
  /** A query, at the tail or the primary. Default 1. */
  queryMs?: number;
  /** A client's update at the head or the primary (it computes the new value). Default 1. */
  updateMs?: number;
  /** Applying an update passed on by the head or the primary. Default 0.5. */
  forwardMs?: number;
  /** A backup's acknowledgement, at the primary. Default 0.1. */
  ackMs?: number;
}

/** Options of {@link compareChainAndPrimaryBackup}. */
export interface ChainComparisonOptions {
  seed: number;
  /** Servers in the chain and in the primary–backup group (≥ 2). */
  replicas: number;
  /** Fractions of updates to measure, each in [0, 1] (the x axis). */
  updateFractions: readonly number[];
  /** Closed-loop clients (each sends its next operation when the last is answered). Default 20. */
  clients?: number;
  /** Measured window, after `warmupMs`. Default 1000. */
  durationMs?: number;
  /** Not measured: the queues fill. Default 100. */
  warmupMs?: number;
  /** Service time per message kind. */
  costs?: ReplicationCosts;
}

/** One point of the comparison. */
export interface ChainComparisonRow {
  updateFraction: number;
  /** Operations answered per second of virtual time in the window. */
  chainOpsPerSecond: number;
  pbOpsPerSecond: number;
  /** Busy fraction of each server in the window, by node id (`h`, `m1`, …, `t`; `p`, `b1`, …). */
  chainBusy: Record<string, number>;
  pbBusy: Record<string, number>;
}

const COST_DEFAULTS: Required<ReplicationCosts> = { queryMs: 1, updateMs: 1, forwardMs: 0.5, ackMs: 0.1 };

/**
 * Measure, for each update fraction, the throughput (ops/s of virtual time) of a static chain of
 * `replicas` servers ({@link chainNode}) and of a primary with `replicas − 1` backups that sends
 * each update to all backups at once and answers after every acknowledgement (the chain paper's
 * primary/backup), under the same closed-loop clients and per-message service times. Neither
 * system fails here; network latency 0.5–1.5 ms; 10 keys.
 *
 * @example
 * const rows = await compareChainAndPrimaryBackup({ seed: 1, replicas: 3, updateFractions: [0, 0.25, 0.5, 1] });
 * formatTable(rows.map((r) => ({ "updates %": r.updateFraction * 100, chain: r.chainOpsPerSecond, "primary–backup": r.pbOpsPerSecond })));
 */
export async function compareChainAndPrimaryBackup(options: ChainComparisonOptions): Promise<ChainComparisonRow[]> {
  const o = { clients: 20, durationMs: 1_000, warmupMs: 100, ...options };
  const costs = { ...COST_DEFAULTS, ...(options.costs ?? {}) };
  if (!Number.isInteger(o.replicas) || o.replicas < 2) throw new ConfigError("compareChainAndPrimaryBackup: replicas", o.replicas, "a whole number ≥ 2", { seed: o.seed });
  if (!Array.isArray(o.updateFractions) || o.updateFractions.some((u) => typeof u !== "number" || !(u >= 0 && u <= 1))) {
    throw new ConfigError("compareChainAndPrimaryBackup: updateFractions", o.updateFractions, "an array of numbers in [0, 1]", { seed: o.seed });
  }
  for (const [name, v] of Object.entries(costs)) {
    if (typeof v !== "number" || !(v >= 0) || !Number.isFinite(v)) throw new ConfigError(`compareChainAndPrimaryBackup: costs.${name}`, v, "a finite number of ms ≥ 0", { seed: o.seed });
  }
  const rows: ChainComparisonRow[] = [];
  for (const u of o.updateFractions) {
    const chain = await measure(o, u, costs, "chain");
    const pb = await measure(o, u, costs, "pb");
    rows.push({ updateFraction: u, chainOpsPerSecond: chain.opsPerSecond, pbOpsPerSecond: pb.opsPerSecond, chainBusy: chain.busy, pbBusy: pb.busy });
  }
  return rows;
}

type Resolved = Required<Omit<ChainComparisonOptions, "costs">>;

async function measure(o: Resolved, u: number, costs: Required<ReplicationCosts>, system: "chain" | "pb"): Promise<{ opsPerSecond: number; busy: Record<string, number> }> {
  const sim = new Simulation({ seed: o.seed, network: { latency: latencies.uniform(0.5, 1.5) }, trace: false, maxEvents: 5_000_000 });
  const n = o.replicas;
  const servers = system === "chain" ? ["h", ...Array.from({ length: n - 2 }, (_, i) => `m${i + 1}`), "t"] : ["p", ...Array.from({ length: n - 1 }, (_, i) => `b${i + 1}`)];
  const fromMs = o.warmupMs;
  const toMs = o.warmupMs + o.durationMs;
  const busyMs: Record<string, number> = Object.fromEntries(servers.map((id) => [id, 0]));
  const cost = (m: Message): number => {
    const t = m.body.type as string;
    if (t === "chain_get" || t === "pb_get") return costs.queryMs;
    if (t === "chain_update" || t === "pbg_forward") return costs.forwardMs;
    if (t === "pbg_ack") return costs.ackMs;
    return costs.updateMs;
  };
  for (const id of servers) {
    const service = {
      timeMs: (m: Message) => {
        const c = cost(m);
        const now = sim.now();
        if (now >= fromMs && now < toMs) busyMs[id] += Math.min(c, toMs - now);
        return c;
      },
    };
    if (system === "chain") sim.spawn(id, (node) => void chainNode(node, { chain: servers }), { service, role: "server" });
    else sim.spawn(id, (node) => primaryWithBackups(node, servers), { service, role: "server" });
  }
  let answered = 0;
  for (let i = 1; i <= o.clients; i++) {
    const rng = sim.random(`bench:c${i}`);
    sim.spawn(
      `c${i}`,
      async (node) => {
        const kv = system === "chain" ? chainClient(node, { chain: servers, rpcTimeoutMs: 60_000 }) : null;
        for (let k = 1; node.now() < toMs; k++) {
          const key = `k${rng.int(0, 10)}`;
          const update = rng.chance(u);
          if (kv !== null) await (update ? kv.append(key, `c${i}:${k} `) : kv.get(key));
          else await node.rpc("p", update ? { type: "pb_append", key, value: `c${i}:${k} ` } : { type: "pb_get", key }, { timeoutMs: 60_000 });
          if (node.now() >= fromMs && node.now() < toMs) answered++;
        }
      },
      { role: "client" },
    );
  }
  await sim.runUntil(() => sim.now() >= toMs, { withinMs: toMs + 1 });
  const busy = Object.fromEntries(servers.map((id) => [id, Math.round((busyMs[id] / o.durationMs) * 100) / 100]));
  return { opsPerSecond: Math.round(answered / (o.durationMs / 1000)), busy };
}

/**
 * The chain paper's primary/backup for the comparison: a fixed primary sends each update to all
 * backups at once, applies and answers once all acknowledged; it answers queries from what is
 * acknowledged. No view service, no failures, no retries (the comparison has none).
 */
function primaryWithBackups(node: Node, servers: string[]): void {
  const [primary, ...backups] = servers;
  const store = new Map<string, string>();
  const apply = (op: { key: string; value: string }): void => void store.set(op.key, (store.get(op.key) ?? "") + op.value);
  if (node.id === primary) {
    let ordered = 0;
    let committed = 0;
    const pending = new Map<number, { msg: Message; acks: number }>();
    node.on("pb_append", (msg) => {
      const n = ++ordered;
      pending.set(n, { msg, acks: 0 });
      for (const b of backups) node.send(b, { type: "pbg_forward", n, op: { key: msg.body.key, value: msg.body.value } });
    });
    node.on("pbg_ack", (msg) => {
      const entry = pending.get(msg.body.n);
      if (entry !== undefined) entry.acks++;
      for (let next = pending.get(committed + 1); next !== undefined && next.acks === backups.length; next = pending.get(committed + 1)) {
        pending.delete(++committed);
        apply({ key: next.msg.body.key, value: next.msg.body.value });
        node.reply(next.msg, { type: "pb_append_ok" });
      }
    });
    node.on("pb_get", (msg) => node.reply(msg, { type: "pb_get_ok", value: store.get(msg.body.key) ?? "" }));
  } else {
    let applied = 0;
    const early = new Map<number, { key: string; value: string }>();
    node.on("pbg_forward", (msg) => {
      early.set(msg.body.n, msg.body.op);
      while (early.has(applied + 1)) {
        apply(early.get(applied + 1)!);
        early.delete(++applied);
        node.send(primary, { type: "pbg_ack", n: applied });
      }
    });
  }
}
