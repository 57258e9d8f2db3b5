// Partitioning by region: keep each user's data in the user's home region, so that most reads
// cross only a metro network, against one central site that every region must reach over a
// long-haul link. The one-way delays are per link (the network's `links` option), a few ms inside
// a region and tens of ms between continents.
import { latency, type LinkOptions } from "../net/index";
import { Simulation } from "../simulation/index";
import { percentiles } from "../trace/index";
import { regionPartitioner, type Partitioner } from "./partitioner";
import { partitionClient, partitionServer } from "./kv-service";

/** Options of {@link runRegionLatency}. */
export interface RegionLatencyOptions {
  seed?: number;
  /** Region names. Default ["eu", "us", "asia"]. */
  regions?: readonly string[];
  /** Where the single site of the "central" set-up stands. Default "us" (or the first region). */
  centralRegion?: string;
  /**
   * Mean one-way delay between two regions, keyed "a-b" in either order. Default
   * { "eu-us": 40, "us-asia": 70, "eu-asia": 110 }. Each message draws ±10% around it.
   */
  oneWayMsBetween?: Readonly<Record<string, number>>;
  /** Mean one-way delay inside a region. Default 1 (drawn from 0.5× to 1.5×). */
  localMs?: number;
  /** Clients in each region. Default 2. */
  clientsPerRegion?: number;
  /** Reads each client makes, one after the other. Default 40. */
  readsPerClient?: number;
  /** Share of reads for users homed in another region (a friend abroad). Default 0.1. */
  remoteReadShare?: number;
  /** Users homed in each region. Default 20. */
  usersPerRegion?: number;
  /** Server time per request. Default 0.2. */
  serviceTimeMs?: number;
}

/** One row: a region's reads under one set-up. */
export interface RegionLatencyRow {
  /** "by region" (each region's users on a server there) or "central" (one site for all). */
  setup: string;
  /** Where the clients are. */
  region: string;
  reads: number;
  latencyMsMean: number;
  latencyMsP50: number;
  latencyMsP99: number;
}

const DEFAULT_BETWEEN: Record<string, number> = { "eu-us": 40, "us-asia": 70, "eu-asia": 110 };

/**
 * Clients in every region read user records, first from servers partitioned by the users' home
 * region, then from one central site; mean and p99 read latency per region for both. Tracing is
 * off; the defaults take a few ms.
 *
 * @example
 * const rows = await runRegionLatency({ seed: 1 });
 * console.log(formatTable(rows));  // "by region": a few ms, except the share of remote reads;
 *                                  // "central": eu and asia pay a long-haul round trip on every read
 */
export async function runRegionLatency(options: RegionLatencyOptions = {}): Promise<RegionLatencyRow[]> {
  const {
    seed = 1,
    regions = ["eu", "us", "asia"],
    oneWayMsBetween = DEFAULT_BETWEEN,
    localMs = 1,
    clientsPerRegion = 2,
    readsPerClient = 40,
    remoteReadShare = 0.1,
    usersPerRegion = 20,
    serviceTimeMs = 0.2,
  } = options;
  const where = "runRegionLatency";
  if (regions.length === 0) throw new RangeError(`${where}: regions must list at least one region`);
  const centralRegion = options.centralRegion ?? (regions.includes("us") ? "us" : regions[0]);
  if (!regions.includes(centralRegion)) throw new RangeError(`${where}: centralRegion ${JSON.stringify(centralRegion)} is not one of ${regions.join(", ")}`);
  if (!(remoteReadShare >= 0 && remoteReadShare <= 1)) throw new RangeError(`${where}: remoteReadShare must be in [0, 1], got ${String(remoteReadShare)}`);
  const between = (a: string, b: string): number => {
    const ms = oneWayMsBetween[`${a}-${b}`] ?? oneWayMsBetween[`${b}-${a}`];
    if (typeof ms !== "number" || !(ms >= 0)) throw new RangeError(`${where}: oneWayMsBetween has no delay for ${a}-${b} (give "${a}-${b}": ms)`);
    return ms;
  };
  const rows: RegionLatencyRow[] = [];
  for (const setup of ["by region", "central"]) {
    const serverOf: Record<string, string> = {};
    for (const r of regions) serverOf[r] = setup === "central" ? `db-${centralRegion}` : `db-${r}`;
    const layout: Partitioner = regionPartitioner({ regions: serverOf });
    const servers = layout.partitions();
    const regionOfNode = new Map<string, string>();
    for (const s of servers) regionOfNode.set(s, s.slice(3));
    const clients: string[] = [];
    for (const r of regions) for (let i = 1; i <= clientsPerRegion; i++) {
      clients.push(`${r}-c${i}`);
      regionOfNode.set(`${r}-c${i}`, r);
    }
    const links: LinkOptions[] = [];
    for (const [a, ra] of regionOfNode) for (const [b, rb] of regionOfNode) {
      if (ra === rb) continue;
      const ms = between(ra, rb);
      links.push({ from: a, to: b, latency: latency.uniform(0.9 * ms, 1.1 * ms) });
    }
    const sim = new Simulation({ seed, trace: false, network: { latency: latency.uniform(0.5 * localMs, 1.5 * localMs), links } });
    for (const s of servers) sim.spawn(s, (node) => void partitionServer(node, { partitioner: layout }), { role: "server", service: { timeMs: latency.constant(serviceTimeMs) } });
    const latencies = new Map<string, number[]>(regions.map((r) => [r, []]));
    const workload = sim.random("users");
    for (const c of clients) {
      const home = regionOfNode.get(c)!;
      sim.spawn(c, async (node) => {
        const kv = partitionClient(node, { partitioner: layout, timeoutMs: 10_000 });
        for (let i = 0; i < readsPerClient; i++) {
          const others = regions.filter((r) => r !== home);
          const userRegion = others.length > 0 && workload.chance(remoteReadShare) ? workload.pick(others) : home;
          const key = `${userRegion}:u${workload.int(0, usersPerRegion)}`;
          const startMs = node.now();
          await kv.get(key);
          latencies.get(home)!.push(node.now() - startMs);
        }
      }, { role: "client" });
    }
    await sim.run();
    for (const region of regions) {
      const ms = latencies.get(region)!;
      const p = percentiles(ms);
      rows.push({ setup, region, reads: ms.length, latencyMsMean: ms.reduce((a, b) => a + b, 0) / Math.max(1, ms.length), latencyMsP50: p?.p50 ?? 0, latencyMsP99: p?.p99 ?? 0 });
    }
  }
  return rows;
}
