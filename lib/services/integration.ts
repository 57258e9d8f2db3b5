// Integration styles and topologies (lecture 002; Hohpe & Woolf, "Enterprise Integration
// Patterns", 2003, ch. 2 "Integration Styles"). One business flow — every new order must get an
// invoice — is integrated four ways between an order service ("orders") and an invoicing service
// ("invoicing"):
//
//   file-transfer    orders writes a batch file every `exportPeriodMs` to a file server; invoicing
//                    polls it as often and imports the new files. Loosely coupled, but stale: an
//                    order waits for the next export and the next import.
//   shared-database  orders inserts a row into one database node that other applications also
//                    query; invoicing polls for uninvoiced rows. Always consistent data, but the
//                    database serves one statement at a time: every application waits for it.
//   rpc              orders calls invoicing synchronously for each order: fresh, but coupled in
//                    time — while invoicing is down, orders fail.
//   messaging        orders enqueues a message at the broker (lib/patterns' queue broker);
//                    invoicing consumes and acknowledges. Asynchronous: invoicing down only delays.
//
// Topologies (lecture 002, "Integration topologies"): hub & spoke (one central broker), bus (each
// application carries its own integration engine and talks to the others directly, publish /
// subscribe), and brokers joined by a bridge (two hubs, each with its own applications).
import type { Node } from "../node/index";
import { latency } from "../net/index";
import { Simulation } from "../simulation/index";
import { percentiles } from "../trace/index";
import { queueBroker } from "../patterns/broker";
import { queueConsumer } from "../patterns/queue-consumer";

/** The four integration styles of lecture 002, in the lecture's order. */
export type IntegrationStyle = "file-transfer" | "shared-database" | "rpc" | "messaging";

/**
 * Every integration style, in the lecture's order.
 *
 * @example
 * for (const style of INTEGRATION_STYLES) console.log(await runIntegrationStyle({ style }));
 */
export const INTEGRATION_STYLES: readonly IntegrationStyle[] = ["file-transfer", "shared-database", "rpc", "messaging"];

/** Options of {@link runIntegrationStyle}. */
export interface IntegrationOptions {
  style: IntegrationStyle;
  /** Orders created (Poisson arrivals). Default 200. */
  orders?: number;
  /** Mean gap between orders. Default 20. */
  orderGapMs?: number;
  /** File transfer: export and import period. Shared database: invoicing's polling period. Default 500. */
  exportPeriodMs?: number;
  /** Shared database: time the database takes per statement (one at a time). Default 2. */
  dbStatementMs?: number;
  /** Shared database: other applications also querying it, each a `dbReportMs` query every 100 ms. Default 2. */
  dbOtherApps?: number;
  /** Shared database: time one query of another application takes. Default 20. */
  dbReportMs?: number;
  /** RPC: how long orders waits for invoicing (one retry). Default 50. */
  rpcTimeoutMs?: number;
  /** Crash invoicing during this interval (restarted at its end). Default: never. */
  invoicingDown?: { fromMs: number; toMs: number };
  seed?: number;
}

/** What {@link runIntegrationStyle} measured. */
export interface IntegrationResult {
  style: IntegrationStyle;
  orders: number;
  /** Orders that got an invoice (once). */
  invoiced: number;
  /** Orders the order service had to reject because the integration failed (RPC only). */
  failedOrders: number;
  /** Invoices created twice for the same order. */
  duplicateInvoices: number;
  /** Staleness: time from an order's creation to its invoice. */
  stalenessMsP50: number;
  stalenessMsP99: number;
  stalenessMsMax: number;
  /** Time the order service spent on the integration per order (blocking), 99th percentile. */
  orderBlockedMsP99: number;
  /** Messages sent in the whole run. */
  messages: number;
}

const stat = (values: number[], pick: "p50" | "p99" | "max"): number => {
  const p = percentiles(values);
  return p === undefined ? NaN : p[pick];
};

/**
 * Run the order → invoice flow integrated in one style; optionally crash invoicing for a while.
 * Tracing is off; a run takes a few ms.
 *
 * @example
 * const rpc = await runIntegrationStyle({ style: "rpc", invoicingDown: { fromMs: 1000, toMs: 2000 } });
 * const mq = await runIntegrationStyle({ style: "messaging", invoicingDown: { fromMs: 1000, toMs: 2000 } });
 * console.log(rpc.failedOrders, mq.failedOrders, mq.stalenessMsMax); // RPC loses orders, messaging only delays them
 */
export async function runIntegrationStyle(options: IntegrationOptions): Promise<IntegrationResult> {
  const { style, orders = 200, orderGapMs = 20, exportPeriodMs = 500, dbStatementMs = 2, dbOtherApps = 2, dbReportMs = 20, rpcTimeoutMs = 50, invoicingDown, seed = 1 } = options;
  if (!INTEGRATION_STYLES.includes(style)) throw new Error(`runIntegrationStyle: unknown style ${JSON.stringify(style)}; expected one of ${INTEGRATION_STYLES.join(", ")}`);
  if (invoicingDown && !(invoicingDown.toMs > invoicingDown.fromMs && invoicingDown.fromMs >= 0)) throw new Error(`runIntegrationStyle: invoicingDown needs 0 ≤ fromMs < toMs, got ${JSON.stringify(invoicingDown)}`);
  const sim = new Simulation({ seed, trace: false, network: { latency: latency.uniform(1, 3) } });
  const createdMs = new Map<number, number>();
  const invoicedMs = new Map<number, number>();
  const blockedMs: number[] = [];
  let failedOrders = 0;
  let duplicateInvoices = 0;
  const invoice = (node: Node, orderId: number): void => {
    if (invoicedMs.has(orderId)) duplicateInvoices++;
    else invoicedMs.set(orderId, node.now());
  };
  /** Send until the reply comes (infrastructure that is up: file server, database, broker). */
  const reliably = async (node: Node, dest: string, body: { type: string; [k: string]: unknown }) => node.rpc(dest, body, { timeoutMs: 200, retries: 50 });

  // The order side: one integration step per order, by style.
  let integrate: (node: Node, orderId: number) => Promise<void>;
  let invoicingBehaviour: (node: Node) => void;
  let ordersSetup: (node: Node) => void = () => {};
  if (style === "rpc") {
    integrate = async (node, orderId) => {
      try {
        await node.rpc("invoicing", { type: "invoice_create", orderId }, { timeoutMs: rpcTimeoutMs, retries: 1 });
      } catch {
        failedOrders++; // the customer sees an error: the order is not taken
      }
    };
    invoicingBehaviour = (node) => {
      node.on("invoice_create", (m) => {
        invoice(node, m.body.orderId as number);
        node.reply(m, { type: "invoice_create_ok" });
      });
    };
  } else if (style === "messaging") {
    sim.spawn("broker", (node) => void queueBroker(node, { ackTimeoutMs: 200 }), { role: "broker" });
    integrate = async (node, orderId) => {
      await reliably(node, "broker", { type: "enqueue", queue: "invoices", payload: orderId });
    };
    invoicingBehaviour = (node) => void queueConsumer(node, { broker: "broker", queues: ["invoices"], dedup: true, process: (d) => invoice(node, d.payload as number) });
  } else if (style === "file-transfer") {
    sim.spawn("files", (node) => {
      node.on("file_put", (m) => {
        const files = node.storage.get<number[][]>("files") ?? [];
        files.push(m.body.rows as number[]);
        node.storage.set("files", files);
        node.reply(m, { type: "file_put_ok" });
      });
      node.on("file_list", (m) => {
        const files = node.storage.get<number[][]>("files") ?? [];
        node.reply(m, { type: "file_list_ok", files: files.slice(m.body.after as number), next: files.length });
      });
    }, { role: "file-server" });
    const buffer: number[] = [];
    integrate = async (_node, orderId) => void buffer.push(orderId);
    ordersSetup = (node) => {
      node.setPeriodic(exportPeriodMs, async () => {
        if (buffer.length === 0) return;
        const rows = buffer.splice(0); // the batch file
        await reliably(node, "files", { type: "file_put", rows });
      }, "export");
    };
    invoicingBehaviour = (node) => {
      node.setPeriodic(exportPeriodMs, async () => {
        const after = node.storage.get<number>("imported") ?? 0;
        const reply = await node.rpc("files", { type: "file_list", after }, { timeoutMs: 200 }).catch(() => undefined);
        if (reply === undefined) return;
        for (const rows of reply.body.files as number[][]) for (const id of rows) invoice(node, id);
        node.storage.set("imported", reply.body.next as number);
      }, "import");
    };
  } else {
    sim.spawn("db", (node) => {
      const uninvoiced = new Set<number>();
      node.on("db_insert", (m) => {
        uninvoiced.add(m.body.orderId as number);
        node.reply(m, { type: "db_ok" });
      });
      node.on("db_select_uninvoiced", (m) => node.reply(m, { type: "db_rows", ids: [...uninvoiced] }));
      node.on("db_mark_invoiced", (m) => {
        for (const id of m.body.ids as number[]) uninvoiced.delete(id);
        node.reply(m, { type: "db_ok" });
      });
      node.on("db_report", (m) => node.reply(m, { type: "db_rows", ids: [] }));
    }, { role: "database", service: { timeMs: (m) => (m.body.type === "db_report" ? dbReportMs : dbStatementMs), concurrency: 1 } });
    for (let i = 1; i <= dbOtherApps; i++) {
      sim.spawn(`reports${i}`, (node) => {
        node.setPeriodic(100, () => void node.rpc("db", { type: "db_report" }, { timeoutMs: 10_000 }).catch(() => undefined), "report");
      }, { role: "other-app" });
    }
    integrate = async (node, orderId) => {
      await reliably(node, "db", { type: "db_insert", orderId });
    };
    invoicingBehaviour = (node) => {
      let busy = false;
      node.setPeriodic(exportPeriodMs, async () => {
        if (busy) return;
        busy = true;
        try {
          const rows = await node.rpc("db", { type: "db_select_uninvoiced" }, { timeoutMs: 10_000 });
          const ids = rows.body.ids as number[];
          if (ids.length === 0) return;
          for (const id of ids) invoice(node, id);
          await node.rpc("db", { type: "db_mark_invoiced", ids }, { timeoutMs: 10_000 });
        } catch {
          // the next poll tries again
        } finally {
          busy = false;
        }
      }, "poll");
    };
  }

  sim.spawn("invoicing", invoicingBehaviour, { role: "invoicing" });
  sim.spawn("orders", (node) => {
    ordersSetup(node);
    const arrivals = sim.random("orders");
    let next = 0;
    const create = async (): Promise<void> => {
      const id = next++;
      createdMs.set(id, node.now());
      if (next < orders) node.setTimer(arrivals.exponential(orderGapMs), () => void create(), "order");
      const startMs = node.now();
      await integrate(node, id);
      blockedMs.push(node.now() - startMs);
    };
    node.setTimer(arrivals.exponential(orderGapMs), () => void create(), "order");
  }, { role: "orders" });
  if (invoicingDown) {
    sim.at(invoicingDown.fromMs, () => sim.crash("invoicing"), "invoicing down");
    sim.at(invoicingDown.toMs, () => void sim.restart("invoicing"), "invoicing up");
  }
  const horizonMs = orders * orderGapMs * 3 + 4 * exportPeriodMs + (invoicingDown?.toMs ?? 0) + 2000;
  await sim.runUntil(() => createdMs.size === orders && invoicedMs.size + failedOrders >= orders, { withinMs: horizonMs }).catch(() => undefined);
  await sim.runFor(2 * exportPeriodMs); // late duplicates
  const staleness = [...invoicedMs].map(([id, ms]) => ms - createdMs.get(id)!);
  return {
    style,
    orders: createdMs.size,
    invoiced: invoicedMs.size,
    failedOrders,
    duplicateInvoices,
    stalenessMsP50: stat(staleness, "p50"),
    stalenessMsP99: stat(staleness, "p99"),
    stalenessMsMax: stat(staleness, "max"),
    orderBlockedMsP99: stat(blockedMs, "p99"),
    messages: sim.counters.sent,
  };
}

/**
 * Every style on the same orders (same seed), as rows for a table.
 *
 * @example
 * console.table(await compareIntegrationStyles({ invoicingDown: { fromMs: 1000, toMs: 2000 } }));
 */
export async function compareIntegrationStyles(options: Omit<IntegrationOptions, "style"> = {}): Promise<IntegrationResult[]> {
  const rows: IntegrationResult[] = [];
  for (const style of INTEGRATION_STYLES) rows.push(await runIntegrationStyle({ ...options, style }));
  return rows;
}

/** An integration topology (lecture 002). */
export type Topology = "hub-and-spoke" | "bus" | "broker-bridge";

/**
 * Every topology: one hub, a bus, two brokers joined by a bridge.
 *
 * @example
 * for (const topology of TOPOLOGIES) console.log(await runTopology({ topology }));
 */
export const TOPOLOGIES: readonly Topology[] = ["hub-and-spoke", "bus", "broker-bridge"];

/** Options of {@link runTopology}. */
export interface TopologyOptions {
  topology: Topology;
  /** Applications ("app1"…), each interested in every other's events. Default 6. */
  apps?: number;
  /** Events published, by the live applications in turn. Default 60. */
  events?: number;
  /** A node crashed from the start: "hub", "broker-a", "broker-b" or an application. Default none. */
  crash?: string;
  seed?: number;
}

/** What {@link runTopology} measured. */
export interface TopologyResult {
  topology: Topology;
  crashed: string;
  /** Messages sent per event published. */
  messagesPerEvent: number;
  /** Deliveries over the deliveries expected (each event to every other live application). */
  deliveredFraction: number;
}

/**
 * Publish events among applications through a topology and count messages and deliveries,
 * optionally with one node crashed: the hub is a single point of failure, a bus has none, and a
 * crashed broker of a bridged pair cuts off only its own applications.
 *
 * @example
 * const hub = await runTopology({ topology: "hub-and-spoke", crash: "hub" });    // deliveredFraction 0
 * const bus = await runTopology({ topology: "bus", crash: "app1" });             // deliveredFraction 1
 */
export async function runTopology(options: TopologyOptions): Promise<TopologyResult> {
  const { topology, apps = 6, events = 60, crash, seed = 1 } = options;
  if (!TOPOLOGIES.includes(topology)) throw new Error(`runTopology: unknown topology ${JSON.stringify(topology)}; expected one of ${TOPOLOGIES.join(", ")}`);
  if (!(Number.isInteger(apps) && apps >= 2)) throw new Error(`runTopology: apps must be a whole number ≥ 2, got ${String(apps)}`);
  const sim = new Simulation({ seed, trace: false, network: { latency: latency.uniform(1, 3) } });
  const ids = Array.from({ length: apps }, (_, i) => `app${i + 1}`);
  const half = Math.ceil(apps / 2);
  const brokerOf = (app: string): string => (ids.indexOf(app) < half ? "broker-a" : "broker-b");
  const appsOf = (broker: string): string[] => ids.filter((a) => brokerOf(a) === broker);
  let delivered = 0;
  const firstHop = (app: string): string[] =>
    topology === "hub-and-spoke" ? ["hub"] : topology === "bus" ? ids.filter((a) => a !== app) : [brokerOf(app)];
  for (const id of ids) {
    sim.spawn(id, (node) => {
      node.on("event", () => void delivered++);
      node.on("publish_now", () => {
        for (const dest of firstHop(id)) node.send(dest, { type: "event", from: id });
      });
    }, { role: "app" });
  }
  if (topology === "hub-and-spoke") {
    sim.spawn("hub", (node) => {
      node.on("event", (m) => {
        for (const a of ids) if (a !== m.body.from) node.send(a, { type: "event", from: m.body.from });
      });
    }, { role: "hub" });
  } else if (topology === "broker-bridge") {
    for (const broker of ["broker-a", "broker-b"]) {
      const other = broker === "broker-a" ? "broker-b" : "broker-a";
      sim.spawn(broker, (node) => {
        node.on("event", (m) => {
          for (const a of appsOf(broker)) if (a !== m.body.from) node.send(a, { type: "event", from: m.body.from });
          if (m.src !== other) node.send(other, { type: "event", from: m.body.from }); // the bridge
        });
      }, { role: "broker" });
    }
  }
  if (crash !== undefined) {
    if (!sim.nodeIds().includes(crash)) throw new Error(`runTopology: cannot crash "${crash}": no such node in ${topology} (nodes: ${sim.nodeIds().join(", ")})`);
    sim.crash(crash);
  }
  const live = ids.filter((a) => a !== crash);
  // events go out from the live applications in turn, one every 5 ms (the trigger is not counted)
  const trigger = sim.spawn("driver", () => {}, { role: "driver" });
  for (let k = 0; k < events; k++) sim.at(5 * k, () => void trigger.send(live[k % live.length], { type: "publish_now" }), "publish");
  await sim.runFor(5 * events + 100);
  const sent = sim.counters.sent - events; // minus the driver's triggers
  return { topology, crashed: crash ?? "none", messagesPerEvent: sent / events, deliveredFraction: delivered / (events * (live.length - 1)) };
}

/**
 * Each topology with no crash, with its central node crashed (the hub, broker-a; app1 for the
 * bus), and with one application crashed.
 *
 * @example
 * console.table(await compareTopologies());
 */
export async function compareTopologies(options: Omit<TopologyOptions, "topology" | "crash"> = {}): Promise<TopologyResult[]> {
  const rows: TopologyResult[] = [];
  const central: Record<Topology, string> = { "hub-and-spoke": "hub", bus: "app1", "broker-bridge": "broker-a" };
  const apps = options.apps ?? 6;
  for (const topology of TOPOLOGIES) {
    for (const crash of [undefined, central[topology], `app${apps}`]) {
      if (topology === "bus" && crash === `app${apps}`) continue; // the same as app1 on a bus
      rows.push(await runTopology({ ...options, topology, crash }));
    }
  }
  return rows;
}
