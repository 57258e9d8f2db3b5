/**
 * Page views: the workload and the analytics that the Lambda and Kappa runs both compute.
 *
 * A site logs one event per page view, `{ eventId, page, user, tsMs }`, where `tsMs` is the
 * **event time** (when the user saw the page). Events reach the pipeline a little later and a
 * little out of order (a jitter of a few seconds), and a few of them very late (a phone that was
 * offline for a minute or two). Page popularity is Zipf-like: a few pages get most of the views.
 *
 * The analytics is **page views per minute per page**: tumbling one-minute windows by event time
 * (each event counts once, in the window that holds its `tsMs`, however late it arrives). A view
 * is a map from `"hh:mm <page>"` (the window's start in virtual time, then the page) to a count,
 * kept sorted by key so that two views print and compare the same way. The same counting is also
 * written as a MapReduce app, {@link pageViewsPerMinuteApp}, for the Lambda architecture's batch
 * layer (Marz & Warren, "Big Data", 2015, ch. 1 and 6: batch views are functions of all the data).
 */
import type { MapReduceApp, KeyValue } from "../mapreduce/index";
import { Prng } from "../sim/prng";
import { ConfigError } from "../sim/errors";
import { ZipfSampler } from "../patterns/zipf";

/** One page-view event. `tsMs` is the event time, in virtual milliseconds. */
export interface PageView {
  eventId: string;
  page: string;
  user: string;
  tsMs: number;
}

/** An event and when it reaches the pipeline (`arrivalMs` ≥ `event.tsMs`). */
export interface PageViewArrival {
  event: PageView;
  arrivalMs: number;
  /** True when the event was held back by a long delay (see `lateProbability`). */
  late: boolean;
}

/** Options of {@link generatePageViews}. All have defaults. */
export interface PageViewOptions {
  /** Seed of the workload (default 1). */
  seed?: number;
  /** Event times fall in [0, durationMs) (default 300 000: five minutes). */
  durationMs?: number;
  /** Mean page views per second, Poisson (default 5). */
  ratePerSecond?: number;
  /** Distinct pages (default 8). */
  pages?: number;
  /** Distinct human users (default 40). */
  users?: number;
  /** Zipf exponent of page popularity (default 1). */
  zipfExponent?: number;
  /** Share of views made by crawlers, users `bot-1` … `bot-3` (default 0.1). */
  botShare?: number;
  /** Every event arrives 0 … jitterMsMax after its event time (default 3000). */
  jitterMsMax?: number;
  /** Chance that an event is late: it arrives lateDelayMsMin … lateDelayMsMax after its event time (default 0.05). */
  lateProbability?: number;
  /** Default 60 000. */
  lateDelayMsMin?: number;
  /** Default 150 000. */
  lateDelayMsMax?: number;
}

/** How a view counts events: window length and whether crawler views count. */
export interface ViewsDefinition {
  /** Tumbling window length (default 60 000 ms: one minute). */
  windowMs?: number;
  /** Leave out views by users whose name starts with `bot-` (default false). */
  excludeBots?: boolean;
}

/** A view: `"hh:mm <page>"` → number of page views, sorted by key. */
export type ViewCounts = Map<string, number>;

/** One row of {@link viewRows}. */
export interface ViewRow {
  minute: string;
  page: string;
  views: number;
}

/** One row of {@link compareViewCounts}: a cell whose two counts differ. */
export interface ViewDiffRow {
  minute: string;
  page: string;
  expected: number;
  actual: number;
  diff: number;
}

/** What {@link compareViewCounts} found. */
export interface ViewComparison {
  /** The cells (window, page) whose counts differ, in key order. */
  rows: ViewDiffRow[];
  /** How many cells differ. */
  wrongCells: number;
  /** Σ |expected − actual| over all cells. */
  wrongViews: number;
  /** True when the two views are identical. */
  equal: boolean;
}

const PAGE_NAMES = ["/home", "/news", "/sport", "/weather", "/video", "/shop", "/search", "/help", "/jobs", "/blog", "/about", "/login"];

function positiveNumber(where: string, value: unknown, expected = "a finite number > 0"): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) throw new ConfigError(where, value, expected);
  return value;
}

function share(where: string, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new ConfigError(where, value, "a number in [0, 1]");
  return value;
}

/**
 * A deterministic page-view workload: Poisson event times over `durationMs`, Zipf pages, a few
 * crawler users, and arrival times with jitter and a few late events; returned **in arrival order**
 * (ties by event id), which is the order a pipeline sees them.
 *
 * @example
 * const arrivals = generatePageViews({ seed: 3, durationMs: 120_000, ratePerSecond: 2 });
 * arrivals.length;                       // 219
 * arrivals[0];  // { event: { eventId: "e00000", page: "/weather", user: "u013", tsMs: 105 }, arrivalMs: 735, late: false }
 * arrivals.filter((a) => a.late).length; // 6: about 5% arrive a minute or more late
 */
export function generatePageViews(options: PageViewOptions = {}): PageViewArrival[] {
  const seed = options.seed ?? 1;
  const durationMs = positiveNumber("generatePageViews: durationMs", options.durationMs ?? 300_000);
  const ratePerSecond = positiveNumber("generatePageViews: ratePerSecond", options.ratePerSecond ?? 5);
  const pages = options.pages ?? 8;
  const users = options.users ?? 40;
  if (!Number.isInteger(pages) || pages < 1) throw new ConfigError("generatePageViews: pages", pages, "a whole number ≥ 1");
  if (!Number.isInteger(users) || users < 1) throw new ConfigError("generatePageViews: users", users, "a whole number ≥ 1");
  const botShare = share("generatePageViews: botShare", options.botShare ?? 0.1);
  const lateProbability = share("generatePageViews: lateProbability", options.lateProbability ?? 0.05);
  const jitterMsMax = options.jitterMsMax ?? 3000;
  const lateMin = options.lateDelayMsMin ?? 60_000;
  const lateMax = options.lateDelayMsMax ?? 150_000;
  if (!(jitterMsMax >= 0) || !Number.isFinite(jitterMsMax)) throw new ConfigError("generatePageViews: jitterMsMax", jitterMsMax, "a finite number ≥ 0");
  if (!(lateMin >= 0) || !(lateMax >= lateMin) || !Number.isFinite(lateMax)) throw new ConfigError("generatePageViews: lateDelayMsMin/Max", [lateMin, lateMax], "0 ≤ min ≤ max, finite");
  const root = new Prng(seed);
  const times = root.split("pageviews:times");
  const who = root.split("pageviews:users");
  const delay = root.split("pageviews:delay");
  const zipf = new ZipfSampler({ keyCount: pages, exponent: options.zipfExponent ?? 1 }, root.split("pageviews:pages"));
  const names = Array.from({ length: pages }, (_, i) => (i < PAGE_NAMES.length ? PAGE_NAMES[i] : `/page-${i}`));
  const out: PageViewArrival[] = [];
  const meanGapMs = 1000 / ratePerSecond;
  for (let t = Math.floor(times.exponential(meanGapMs)); t < durationMs; t += Math.floor(times.exponential(meanGapMs))) {
    const eventId = `e${String(out.length).padStart(5, "0")}`;
    const user = who.chance(botShare) ? `bot-${who.int(1, 4)}` : `u${String(who.int(0, users)).padStart(3, "0")}`;
    const page = names[zipf.next()];
    const late = delay.chance(lateProbability);
    const arrivalMs = t + delay.int(0, Math.floor(jitterMsMax) + 1) + (late ? delay.int(Math.floor(lateMin), Math.floor(lateMax) + 1) : 0);
    out.push({ event: { eventId, page, user, tsMs: t }, arrivalMs, late });
  }
  out.sort((a, b) => a.arrivalMs - b.arrivalMs || (a.event.eventId < b.event.eventId ? -1 : 1));
  return out;
}

/**
 * The label of the window that holds `tsMs`: its start as `hh:mm` of virtual time (`hh:mm:ss`
 * when the window is not a whole number of minutes). Labels sort in time order.
 *
 * @example
 * windowLabel(185_000);          // "00:03"
 * windowLabel(185_000, 30_000);  // "00:03:00"
 */
export function windowLabel(tsMs: number, windowMs = 60_000): string {
  const start = Math.floor(tsMs / windowMs) * windowMs;
  const totalSeconds = Math.floor(start / 1000);
  const hh = String(Math.floor(totalSeconds / 3600)).padStart(2, "0");
  const mm = String(Math.floor(totalSeconds / 60) % 60).padStart(2, "0");
  if (windowMs % 60_000 === 0) return `${hh}:${mm}`;
  return `${hh}:${mm}:${String(totalSeconds % 60).padStart(2, "0")}`;
}

/**
 * True for a crawler's user name (`bot-…`).
 *
 * @example
 * isBot("bot-2"); // true
 * isBot("u007");  // false
 */
export function isBot(user: string): boolean {
  return user.startsWith("bot-");
}

/**
 * The view key an event counts under, `"hh:mm <page>"`, or undefined when the definition leaves
 * it out (a crawler's view with `excludeBots`).
 *
 * @example
 * viewKey({ eventId: "e1", page: "/news", user: "u001", tsMs: 61_000 }); // "00:01 /news"
 */
export function viewKey(event: PageView, definition: ViewsDefinition = {}): string | undefined {
  if (definition.excludeBots && isBot(event.user)) return undefined;
  return `${windowLabel(event.tsMs, definition.windowMs ?? 60_000)} ${event.page}`;
}

/**
 * Adds `delta` views to `key` in `counts` (removing the key when it drops to 0).
 *
 * @example
 * const counts: ViewCounts = new Map();
 * addViews(counts, "00:01 /news", 2); // counts.get("00:01 /news") === 2
 */
export function addViews(counts: ViewCounts, key: string, delta = 1): void {
  const next = (counts.get(key) ?? 0) + delta;
  if (next === 0) counts.delete(key);
  else counts.set(key, next);
}

/**
 * The same counts, keys in byte order (the order `runSequential` prints).
 *
 * @example
 * [...sortViewCounts(new Map([["00:02 /a", 1], ["00:01 /a", 3]])).keys()]; // ["00:01 /a", "00:02 /a"]
 */
export function sortViewCounts(counts: ViewCounts): ViewCounts {
  return new Map([...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Page views per window per page of `events`, by event time: the true answer, computed directly.
 *
 * @example
 * const arrivals = generatePageViews({ seed: 1, durationMs: 120_000 });
 * const truth = viewsPerMinute(arrivals.map((a) => a.event));
 * truth.get("00:00 /home"); // 121: the views of /home in the first minute
 */
export function viewsPerMinute(events: Iterable<PageView>, definition: ViewsDefinition = {}): ViewCounts {
  const counts: ViewCounts = new Map();
  for (const e of events) {
    const key = viewKey(e, definition);
    if (key !== undefined) addViews(counts, key);
  }
  return sortViewCounts(counts);
}

/**
 * The sum of two views, cell by cell (what a Lambda serving layer does with the batch view and the
 * real-time view), sorted.
 *
 * @example
 * mergeViewCounts(new Map([["00:00 /a", 2]]), new Map([["00:00 /a", 1], ["00:01 /a", 1]]));
 * // Map { "00:00 /a" => 3, "00:01 /a" => 1 }
 */
export function mergeViewCounts(a: ViewCounts, b: ViewCounts): ViewCounts {
  const out: ViewCounts = new Map(a);
  for (const [k, v] of b) addViews(out, k, v);
  return sortViewCounts(out);
}

function splitKey(key: string): { minute: string; page: string } {
  const space = key.indexOf(" ");
  return { minute: key.slice(0, space), page: key.slice(space + 1) };
}

/**
 * Rows `{ minute, page, views }` for `formatTable`, in key order; `pages` keeps only those pages,
 * `minutes` only those windows.
 *
 * @example
 * console.log(formatTable(viewRows(truth, { pages: ["/home", "/news"] })));
 */
export function viewRows(counts: ViewCounts, options: { pages?: string[]; minutes?: string[] } = {}): ViewRow[] {
  const rows: ViewRow[] = [];
  for (const [key, views] of sortViewCounts(counts)) {
    const { minute, page } = splitKey(key);
    if (options.pages && !options.pages.includes(page)) continue;
    if (options.minutes && !options.minutes.includes(minute)) continue;
    rows.push({ minute, page, views });
  }
  return rows;
}

/**
 * Compares an answer with the expected one, cell by cell: the cells that differ (for a table
 * of "wrong merged answer next to the true one"), how many, and by how many views in all.
 *
 * @example
 * const c = compareViewCounts(truth, merged);
 * c.equal;      // false when the speed layer drifted
 * console.log(formatTable(c.rows));
 */
export function compareViewCounts(expected: ViewCounts, actual: ViewCounts): ViewComparison {
  const keys = [...new Set([...expected.keys(), ...actual.keys()])].sort();
  const rows: ViewDiffRow[] = [];
  let wrongViews = 0;
  for (const key of keys) {
    const e = expected.get(key) ?? 0;
    const a = actual.get(key) ?? 0;
    if (e === a) continue;
    rows.push({ ...splitKey(key), expected: e, actual: a, diff: a - e });
    wrongViews += Math.abs(a - e);
  }
  return { rows, wrongCells: rows.length, wrongViews, equal: rows.length === 0 };
}

/**
 * Events as the text of a MapReduce input file: one line per event, `eventId page user tsMs`.
 *
 * @example
 * pageViewLines([{ eventId: "e1", page: "/news", user: "u001", tsMs: 61000 }]); // "e1 /news u001 61000\n"
 */
export function pageViewLines(events: Iterable<PageView>): string {
  let text = "";
  for (const e of events) text += `${e.eventId} ${e.page} ${e.user} ${e.tsMs}\n`;
  return text;
}

function parseLine(line: string, file: string): PageView {
  const parts = line.split(" ");
  const tsMs = Number(parts[3]);
  if (parts.length !== 4 || !Number.isFinite(tsMs)) throw new Error(`pageViewsPerMinuteApp: bad line in ${file}: ${JSON.stringify(line)}`);
  return { eventId: parts[0], page: parts[1], user: parts[2], tsMs };
}

/**
 * The MapReduce app of views per window (6.5840's app shape): map emits `("hh:mm <page>", "1")` per
 * line of {@link pageViewLines}; reduce sums its values as integers (so it also works as a
 * combiner). `definition` picks the window and whether crawlers count.
 *
 * @example
 * const events = generatePageViews({ seed: 1, durationMs: 120_000 }).map((a) => a.event);
 * const app = viewsPerMinuteApp({ excludeBots: true });
 * runSequential(app, [{ file: "part-0", contents: pageViewLines(events) }]); // "00:00 /help 8\n00:00 /home 114\n…" (crawlers left out)
 */
export function viewsPerMinuteApp(definition: ViewsDefinition = {}): MapReduceApp {
  return {
    name: definition.excludeBots ? "views-per-minute-humans" : "views-per-minute",
    map(file: string, contents: string): KeyValue[] {
      const out: KeyValue[] = [];
      for (const line of contents.split("\n")) {
        if (line === "") continue;
        const key = viewKey(parseLine(line, file), definition);
        if (key !== undefined) out.push({ key, value: "1" });
      }
      return out;
    },
    reduce(_key: string, values: string[]): string {
      let sum = 0;
      for (const v of values) sum += parseInt(v, 10);
      return String(sum);
    },
  };
}

/**
 * The MapReduce app of page views per minute per page, every view counted.
 *
 * @example
 * const events = generatePageViews({ seed: 1, durationMs: 120_000 }).map((a) => a.event);
 * runSequential(pageViewsPerMinuteApp, [{ file: "part-0", contents: pageViewLines(events) }]);
 * // "00:00 /help 10\n00:00 /home 121\n00:00 /news 49\n…"
 */
export const pageViewsPerMinuteApp: MapReduceApp = viewsPerMinuteApp();

/**
 * Reads a MapReduce output (`"<key> <value>\n"` lines, as `runSequential` prints) back into a view.
 *
 * @example
 * parseViewCounts("00:00 /home 41\n00:01 /home 38\n").get("00:01 /home"); // 38
 */
export function parseViewCounts(output: string): ViewCounts {
  const counts: ViewCounts = new Map();
  for (const line of output.split("\n")) {
    if (line === "") continue;
    const space = line.lastIndexOf(" ");
    const n = Number(line.slice(space + 1));
    if (space < 0 || !Number.isInteger(n)) throw new Error(`parseViewCounts: bad output line ${JSON.stringify(line)}`);
    counts.set(line.slice(0, space), n);
  }
  return sortViewCounts(counts);
}
