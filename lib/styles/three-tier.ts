/**
 * The three-tier architecture (lecture 000, "Three-Tier Architecture"; lecture 001, "Application
 * Layering: the PAD model" and "3-Tiered Architecture"): a layered style with each layer on its
 * own machine — the **presentation** tier renders for the user, the **logic** (application) tier
 * processes the request, the **data** tier stores and retrieves. The example is the lecture's web
 * search engine: the user's keywords → a query to the database → ranking → an HTML page.
 *
 * Wire protocol: `{ type: "ui_search", query }` → `{ type: "ui_page", html }` (presentation);
 * `{ type: "app_search", query }` → `{ type: "app_results", results }` (logic);
 * `{ type: "db_query", terms }` → `{ type: "db_rows", rows }` (data).
 *
 * Each tier has a processing time (`processingMs`, slept in its handler) and reports the time it
 * spent itself (`ownMs`: handling minus waiting for the tier below), so the latency a user sees
 * splits into the tiers' shares and the network's.
 */
import type { Node } from "../node/node";
import type { Message } from "../node/message";
import { Simulation } from "../simulation/simulation";
import { latency } from "../net/latency";

/** What every tier reports. */
export interface TierStats {
  /** Requests answered. */
  readonly requests: number;
  /** Time spent in this tier itself, summed over requests (excludes waiting for the tier below). */
  readonly ownMs: number;
}

/** Options of {@link dataTier}. */
export interface DataTierOptions {
  /** Documents by id. Default: a handful about distributed systems. */
  documents?: Record<string, { title: string; text: string }>;
  /** Time per query. Default 0. */
  processingMs?: number;
}

/** Options of {@link logicTier}. */
export interface LogicTierOptions {
  /** The data tier's node id. */
  data: string;
  processingMs?: number;
  timeoutMs?: number;
}

/** Options of {@link presentationTier}. */
export interface PresentationTierOptions {
  /** The logic tier's node id. */
  logic: string;
  processingMs?: number;
  timeoutMs?: number;
}

const DOCUMENTS: Record<string, { title: string; text: string }> = {
  d1: { title: "Layered architectures", text: "each layer is a server for the layer above and a client of the layer below" },
  d2: { title: "Three tiers", text: "presentation tier logic tier data tier each on its own server" },
  d3: { title: "Event buses", text: "publishers and subscribers meet at the event bus and never know each other" },
  d4: { title: "Tuple spaces", text: "processes put tuples into a shared data space and take them by pattern" },
  d5: { title: "REST", text: "resources have identifiers and every server offers the same uniform interface" },
};

function tierStats(): { stats: TierStats; add: (ms: number) => void } {
  let requests = 0;
  let ownMs = 0;
  return {
    stats: { get requests() { return requests; }, get ownMs() { return ownMs; } },
    add: (ms) => { requests++; ownMs += ms; },
  };
}

/**
 * The data tier: answers `db_query { terms }` with the documents containing any of the terms.
 *
 * @example
 * sim.spawn("db", (node) => { dataTier(node, { processingMs: 4 }); });
 */
export function dataTier(node: Node, options: DataTierOptions = {}): TierStats {
  const documents = options.documents ?? DOCUMENTS;
  const { stats, add } = tierStats();
  node.on("db_query", async (message: Message) => {
    const t0 = node.now();
    if ((options.processingMs ?? 0) > 0) await node.sleep(options.processingMs!);
    const terms: string[] = Array.isArray(message.body.terms) ? message.body.terms : [];
    const rows = Object.entries(documents)
      .filter(([, d]) => terms.some((t) => d.text.includes(t) || d.title.toLowerCase().includes(t)))
      .map(([id, d]) => ({ id, title: d.title, text: d.text }));
    add(node.now() - t0);
    node.reply(message, { type: "db_rows", rows });
  });
  return stats;
}

/**
 * The logic tier: answers `app_search { query }` by turning the keywords into a `db_query`,
 * ranking the rows by how many keywords each contains, and replying `app_results`.
 *
 * @example
 * sim.spawn("app", (node) => { logicTier(node, { data: "db", processingMs: 2 }); });
 */
export function logicTier(node: Node, options: LogicTierOptions): TierStats {
  const { stats, add } = tierStats();
  node.on("app_search", async (message: Message) => {
    const t0 = node.now();
    const terms = String(message.body.query ?? "").toLowerCase().split(/\s+/).filter((t) => t !== "");
    const asked = node.now();
    const reply = await node.rpc(options.data, { type: "db_query", terms }, { timeoutMs: options.timeoutMs ?? 1000 });
    const waitedMs = node.now() - asked;
    if ((options.processingMs ?? 0) > 0) await node.sleep(options.processingMs!);
    const results = (reply.body.rows as { id: string; title: string; text: string }[])
      .map((row) => ({ id: row.id, title: row.title, score: terms.filter((t) => row.text.includes(t) || row.title.toLowerCase().includes(t)).length }))
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
    add(node.now() - t0 - waitedMs);
    node.reply(message, { type: "app_results", results });
  });
  return stats;
}

/**
 * The presentation tier: answers `ui_search { query }` by asking the logic tier and rendering
 * its results as a small HTML list (`ui_page { html }`).
 *
 * @example
 * sim.spawn("web", (node) => { presentationTier(node, { logic: "app", processingMs: 1 }); });
 */
export function presentationTier(node: Node, options: PresentationTierOptions): TierStats {
  const { stats, add } = tierStats();
  node.on("ui_search", async (message: Message) => {
    const t0 = node.now();
    const asked = node.now();
    const reply = await node.rpc(options.logic, { type: "app_search", query: String(message.body.query ?? "") }, { timeoutMs: options.timeoutMs ?? 1000 });
    const waitedMs = node.now() - asked;
    if ((options.processingMs ?? 0) > 0) await node.sleep(options.processingMs!);
    const items = (reply.body.results as { title: string; score: number }[]).map((r) => `<li>${r.title} (${r.score})</li>`).join("");
    add(node.now() - t0 - waitedMs);
    node.reply(message, { type: "ui_page", html: `<ul>${items}</ul>` });
  });
  return stats;
}

/** Options of {@link measureThreeTier}. */
export interface ThreeTierOptions {
  query?: string;
  /** One-way latency of every link. Default 5 ms (constant). */
  linkLatencyMs?: number;
  /** Processing time per tier. Defaults: presentation 1, logic 2, data 4 ms. */
  processingMs?: { presentation?: number; logic?: number; data?: number };
  seed?: number;
}

/** What {@link measureThreeTier} returns: one request's latency split by where it was spent. */
export interface ThreeTierResult {
  html: string;
  /** From the browser's request to the page. */
  totalMs: number;
  /** Time spent in each tier itself. */
  tiersMs: { presentation: number; logic: number; data: number };
  /** The rest: six one-way hops (browser → web → app → db and back). */
  networkMs: number;
}

/**
 * Send one search from a browser node through the three tiers (each on its own node) and split
 * its latency into each tier's own time and the network's.
 *
 * @example
 * const r = await measureThreeTier({ query: "tier server" });
 * r.totalMs;   // 37 with the defaults: 6 hops × 5 ms + 1 + 2 + 4
 * r.tiersMs;   // { presentation: 1, logic: 2, data: 4 }
 */
export async function measureThreeTier(options: ThreeTierOptions = {}): Promise<ThreeTierResult> {
  const p = { presentation: 1, logic: 2, data: 4, ...options.processingMs };
  const sim = new Simulation({ seed: options.seed ?? 1, network: { latency: latency.constant(options.linkLatencyMs ?? 5) } });
  let web!: TierStats;
  let app!: TierStats;
  let db!: TierStats;
  sim.spawn("web", (node) => { web = presentationTier(node, { logic: "app", processingMs: p.presentation }); }, { role: "presentation" });
  sim.spawn("app", (node) => { app = logicTier(node, { data: "db", processingMs: p.logic }); }, { role: "logic" });
  sim.spawn("db", (node) => { db = dataTier(node, { processingMs: p.data }); }, { role: "data" });
  const browser = sim.spawn("browser", () => {}, { role: "client" });
  const t0 = sim.now();
  const reply = await sim.runUntilSettled(browser.rpc("web", { type: "ui_search", query: options.query ?? "tier server" }, { timeoutMs: 10_000 }));
  const totalMs = sim.now() - t0;
  const tiersMs = { presentation: web.ownMs, logic: app.ownMs, data: db.ownMs };
  return { html: String(reply.body.html), totalMs, tiersMs, networkMs: totalMs - tiersMs.presentation - tiersMs.logic - tiersMs.data };
}
