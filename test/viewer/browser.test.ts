// The run viewer in a real browser: the page `viewerHtml` exports for a run with loss, a crash and
// a partition, opened from disk in headless Chromium (launched as lib/render launches it). The test
// steps to chosen moments through `window.distlabViewer` and the page's own controls, and checks
// what is on screen against the trace itself: the messages in flight, the greyed node, the cut,
// the state labels. At each moment it compares a screenshot with a stored reference image
// (test/viewer/reference/*.png) within a tolerance; `UPDATE_SCREENSHOTS=1` rewrites the references
// instead (look at them before committing). Every request the page makes must be the page itself
// or a data: URL: the exported page needs no network.
//
// Without Chromium, `npm test` skips this file and says so at the end (browserTestsSkipped).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "puppeteer";
import { Simulation, latency, type TraceEvent } from "../../lib";
import { browserTestsSkipped, findChromium, repoPath } from "../../lib/render";
import { launchChromium, type Chromium } from "../../lib/render/chromium";
import { viewerHtml } from "../../lib/viewer/index";

const TIMEOUT_MS = 60_000;
const REFERENCE_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "reference");
/** Where a failed comparison leaves the screenshot it took and a picture of the differing pixels. */
const FAILED_DIR = repoPath("build/test-results/viewer");
const UPDATE = process.env.UPDATE_SCREENSHOTS === "1";
/** The page's size in CSS pixels (one device pixel each): the references are this size. */
const VIEWPORT = { width: 920, height: 640, deviceScaleFactor: 1 };
/** A point of the page inside the drawing where nothing is ever drawn (its bottom-left corner). */
const EMPTY_SPOT = { x: 14, y: 610 };
/** A pixel differs when one of its channels differs by more than this (0–255): antialiasing noise is less. */
const CHANNEL_DELTA_MAX = 48;
/** A screenshot matches its reference when at most this share of its pixels differ. */
const DIFFERING_SHARE_MAX = 0.002;

/**
 * The run: n1 sends a heartbeat to n2, n3 and n4 every 20 ms and each answers with an ack; a
 * follower that hears nothing for 50 ms declares itself "suspecting". The network loses 20% of the
 * messages; n3 crashes at 70 ms; at 110 ms a partition cuts {n1, n2} from {n3, n4}; it heals at 190 ms.
 */
function heartbeatRun() {
  const sim = new Simulation({ seed: 17, network: { lossProbability: 0.2, latency: latency.uniform(5, 15), ordering: "unordered" } });
  sim.spawn(
    "n1",
    (node) => {
      node.setState("leader", "start");
      node.on("ack", () => {});
      node.setPeriodic(20, () => ["n2", "n3", "n4"].forEach((p) => node.send(p, { type: "heartbeat" })), "heartbeat");
    },
    { role: "monitor" },
  );
  for (const id of ["n2", "n3", "n4"]) {
    sim.spawn(
      id,
      (node) => {
        node.setState("waiting", "start");
        let silence = -1;
        const arm = () => {
          if (silence >= 0) node.cancelTimer(silence);
          silence = node.setTimer(50, () => node.setState("suspecting", "no heartbeat for 50 ms"), "silence");
        };
        arm();
        node.on("heartbeat", (m) => {
          if (node.state !== "following") node.setState("following", "heartbeat");
          arm();
          node.reply(m, { type: "ack" });
        });
      },
      { role: "monitor" },
    );
  }
  sim.at(70, () => sim.crash("n3"), "crash n3");
  sim.at(110, () => sim.partition([["n1", "n2"], ["n3", "n4"]]), "partition");
  sim.at(190, () => sim.heal(), "heal");
  return sim;
}

// ---------------------------------------------------------------------------------------------
// What the trace says should be on screen (computed here from the raw events, not by lib/viewer).

/** Wire ids of the copies on the wire at `t` (sent at or before `t`, delivered or dropped after it), one per copy, ascending. */
function expectedInFlight(events: readonly TraceEvent[], t: number): number[] {
  const open = new Map<number, number>(); // id → copies on the wire
  for (const e of events) {
    if (e.timeMs > t) break;
    if (e.kind === "send" || e.kind === "duplicate") open.set(e.id, (open.get(e.id) ?? 0) + 1);
    else if (e.kind === "deliver" || e.kind === "drop") open.set(e.id, (open.get(e.id) ?? 1) - 1);
  }
  return [...open].flatMap(([id, n]) => Array.from({ length: Math.max(0, n) }, () => id)).sort((a, b) => a - b);
}

/** Wire ids of the copies dropped in the `markMs` before `t` (or at `t`), with the reason. */
function expectedDrops(events: readonly TraceEvent[], t: number, markMs: number): string[] {
  return events
    .filter((e): e is TraceEvent & { kind: "drop" } => e.kind === "drop" && e.timeMs <= t && t < e.timeMs + markMs)
    .map((e) => `${e.id} ${e.reason}`)
    .sort();
}

/** Each live node's last declared state at `t` (a crashed node has none until it declares one again). */
function expectedStates(events: readonly TraceEvent[], t: number): Record<string, string | undefined> {
  const states: Record<string, string | undefined> = {};
  for (const e of events) {
    if (e.timeMs > t) break;
    if (e.kind === "state") states[e.node] = e.to;
    else if (e.kind === "crash") states[e.node] = undefined;
  }
  return states;
}

// ---------------------------------------------------------------------------------------------
// Screenshots compared in the browser: both PNGs drawn on a canvas, pixels counted.

/** Runs in a blank page: decodes two PNGs (base64), counts the pixels that differ, draws them red. */
const COMPARE_PNGS = `async (a, b, deltaMax) => {
  const load = (b64) => new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error("not a PNG"));
    img.src = "data:image/png;base64," + b64;
  });
  const [ia, ib] = await Promise.all([load(a), load(b)]);
  if (ia.width !== ib.width || ia.height !== ib.height) {
    return { width: ia.width, height: ia.height, otherWidth: ib.width, otherHeight: ib.height, differing: -1, diff: "" };
  }
  const pixels = (img) => {
    const c = document.createElement("canvas");
    c.width = img.width; c.height = img.height;
    const ctx = c.getContext("2d");
    ctx.drawImage(img, 0, 0);
    return ctx.getImageData(0, 0, img.width, img.height);
  };
  const pa = pixels(ia), pb = pixels(ib);
  const out = new ImageData(ia.width, ia.height);
  let differing = 0;
  for (let i = 0; i < pa.data.length; i += 4) {
    let d = 0;
    for (let k = 0; k < 4; k++) d = Math.max(d, Math.abs(pa.data[i + k] - pb.data[i + k]));
    const grey = (pa.data[i] + pa.data[i + 1] + pa.data[i + 2]) / 12 + 170;
    if (d > deltaMax) { differing++; out.data.set([255, 0, 0, 255], i); }
    else out.data.set([grey, grey, grey, 255], i);
  }
  const c = document.createElement("canvas");
  c.width = ia.width; c.height = ia.height;
  c.getContext("2d").putImageData(out, 0, 0);
  return { width: ia.width, height: ia.height, otherWidth: ib.width, otherHeight: ib.height, differing, diff: c.toDataURL("image/png").split(",")[1] };
}`;

interface Comparison {
  width: number;
  height: number;
  otherWidth: number;
  otherHeight: number;
  /** -1 when the sizes differ. */
  differing: number;
  /** base64 PNG: differing pixels red on a faded copy of the screenshot. */
  diff: string;
}

let chromium: Chromium | undefined;
let page: Page;
let comparePage: Page;
let tmpDir: string;
let pageUrl: string;
let events: TraceEvent[];
let html: string;
/** How long a drop mark stays on screen: the median flight time of the delivered messages (as lib/viewer says). */
let markMs: number;
/** Every request the page made. */
const requests: string[] = [];
/** Requests the page made that were not the page itself or a data: URL (aborted). */
const offPage: string[] = [];
const pageErrors: string[] = [];

/** Screenshot of the page now, compared with (or, with UPDATE_SCREENSHOTS=1, stored as) reference `name`.png. */
async function expectScreenshot(name: string): Promise<void> {
  const shot = Buffer.from(await page.screenshot({ type: "png" }));
  const reference = path.join(REFERENCE_DIR, `${name}.png`);
  if (UPDATE || !fs.existsSync(reference)) {
    if (!UPDATE) throw new Error(`no reference screenshot ${path.relative(repoPath("."), reference)}: run with UPDATE_SCREENSHOTS=1 and look at it`);
    fs.mkdirSync(REFERENCE_DIR, { recursive: true });
    fs.writeFileSync(reference, shot);
    return;
  }
  const result = (await comparePage.evaluate(
    `(${COMPARE_PNGS})(${JSON.stringify(shot.toString("base64"))}, ${JSON.stringify(fs.readFileSync(reference).toString("base64"))}, ${CHANNEL_DELTA_MAX})`,
  )) as Comparison;
  const share = result.differing < 0 ? 1 : result.differing / (result.width * result.height);
  if (share > DIFFERING_SHARE_MAX) {
    fs.mkdirSync(FAILED_DIR, { recursive: true });
    const actual = path.join(FAILED_DIR, `${name}.actual.png`);
    fs.writeFileSync(actual, shot);
    if (result.diff) fs.writeFileSync(path.join(FAILED_DIR, `${name}.diff.png`), Buffer.from(result.diff, "base64"));
    const what =
      result.differing < 0
        ? `is ${result.width}×${result.height}, the reference ${result.otherWidth}×${result.otherHeight}`
        : `differs from the reference in ${result.differing} pixels (${(share * 100).toFixed(2)}%, at most ${DIFFERING_SHARE_MAX * 100}% allowed)`;
    throw new Error(
      `screenshot "${name}" ${what}. This run's screenshot: ${actual}` +
        (result.diff ? ` (the differing pixels in red: ${name}.diff.png beside it)` : "") +
        `. If the change is intended, rerun with UPDATE_SCREENSHOTS=1 and look at test/viewer/reference/${name}.png.`,
    );
  }
}

/** Evaluates an expression in the page. */
async function inPage<T>(expression: string): Promise<T> {
  return (await page.evaluate(expression)) as T;
}

/** Waits until the browser has drawn what the last call changed (two animation frames). */
async function settled(): Promise<void> {
  await page.evaluate("new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(undefined))))");
}

describe.skipIf(browserTestsSkipped())("the exported viewer page in Chromium", () => {
  beforeAll(async () => {
    const sim = heartbeatRun();
    await sim.runFor(240);
    events = sim.trace.events;
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "distlab-viewer-"));
    const file = path.join(tmpDir, "heartbeats.html");
    html = viewerHtml(sim.trace, { title: "heartbeats under loss, a crash and a partition" });
    fs.writeFileSync(file, html);
    const flights = events.filter((e) => e.kind === "deliver").map((e) => e.timeMs - (e as { sentMs: number }).sentMs).filter((f) => f > 0).sort((a, b) => a - b);
    markMs = flights[Math.floor(flights.length / 2)];
    pageUrl = `file://${file}`;
    chromium = await launchChromium({ executablePath: findChromium(), timeoutMs: TIMEOUT_MS });
    comparePage = await chromium.browser.newPage();
    page = await chromium.browser.newPage();
    await page.setViewport(VIEWPORT);
    await page.setRequestInterception(true);
    page.on("request", (request) => {
      const url = request.url();
      requests.push(url);
      if (url === pageUrl || url.startsWith("data:")) void request.continue();
      else {
        offPage.push(url);
        void request.abort();
      }
    });
    page.on("pageerror", (error) => pageErrors.push(String(error)));
    page.on("console", (message) => {
      if (message.type() === "error") pageErrors.push(message.text());
    });
    await page.goto(pageUrl, { waitUntil: "load", timeout: TIMEOUT_MS });
    // No transitions or animations: a screenshot shows the state the test asked for, not a fade.
    await page.addStyleTag({ content: "*, *::before, *::after { transition: none !important; animation: none !important; caret-color: transparent !important; }" });
  }, TIMEOUT_MS);

  afterAll(() => {
    chromium?.kill();
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  });

  /** What the page shows now: the API's time, and the DOM's messages, drop marks, nodes and cut lines. */
  async function onScreen() {
    return inPage<{
      timeMs: number;
      playing: boolean;
      inFlight: number[];
      drops: string[];
      nodes: Record<string, { classes: string[]; state: string; label: string; partition: string | null }>;
      partitionLines: number;
      clock: string;
      log: string;
      info: string;
    }>(`(() => {
      const root = document.querySelector(".distlab-viewer");
      const state = window.distlabViewer.state();
      const nodes = {};
      for (const el of root.querySelectorAll(".dv-node[data-node]")) {
        nodes[el.getAttribute("data-node")] = {
          classes: el.getAttribute("class").split(/\\s+/).filter((c) => c !== "dv-node").sort(),
          state: el.getAttribute("data-state"),
          label: el.querySelector(".dv-state").textContent,
          partition: el.getAttribute("data-partition"),
        };
      }
      return {
        timeMs: state.timeMs,
        playing: state.playing,
        inFlight: [...root.querySelectorAll(".dv-msg[data-message-id]")].map((e) => Number(e.getAttribute("data-message-id"))).sort((a, b) => a - b),
        drops: [...root.querySelectorAll(".dv-drop[data-message-id]")].map((e) => e.getAttribute("data-message-id") + " " + e.getAttribute("data-reason")).sort(),
        nodes,
        partitionLines: root.querySelectorAll(".dv-partition").length,
        clock: root.querySelector(".dv-time").textContent,
        log: root.querySelector(".dv-log").textContent,
        info: root.querySelector(".dv-info").textContent,
      };
    })()`);
  }

  /**
   * The page at virtual time `t`, through the API, with nothing selected or hovered: a click on an
   * empty corner of the drawing clears the details, and the pointer stays there.
   */
  async function seek(t: number): Promise<void> {
    await page.mouse.click(EMPTY_SPOT.x, EMPTY_SPOT.y);
    await inPage(`window.distlabViewer.seek(${t})`);
    await settled();
  }

  async function click(selector: string): Promise<void> {
    await page.click(selector);
    await settled();
  }

  /** What the trace says about time `t`, in the terms of onScreen(). */
  function expected(t: number) {
    const states = expectedStates(events, t);
    const crashed = new Set(events.filter((e) => e.kind === "crash" && e.timeMs <= t).map((e) => (e as { node: string }).node));
    return {
      inFlight: expectedInFlight(events, t),
      drops: expectedDrops(events, t, markMs),
      labels: Object.fromEntries(Object.entries(states).map(([n, s]) => [n, crashed.has(n) ? "crashed" : (s ?? "")])),
      crashed: [...crashed].sort(),
    };
  }

  function nodesWith(screen: Awaited<ReturnType<typeof onScreen>>, cls: string): string[] {
    return Object.entries(screen.nodes).filter(([, n]) => n.classes.includes(cls)).map(([id]) => id).sort();
  }

  function labels(screen: Awaited<ReturnType<typeof onScreen>>): Record<string, string> {
    return Object.fromEntries(Object.entries(screen.nodes).map(([id, n]) => [id, n.label]));
  }

  it("steps event by event with its buttons: the first heartbeats on their way, n2 already following", async () => {
    await seek(0);
    const firstDeliver = events.find((e) => e.kind === "deliver")!;
    await click(".dv-next"); // t = 20: n1 sends its first three heartbeats
    expect((await onScreen()).timeMs).toBe(20);
    await click(".dv-next"); // the first heartbeat reaches n2, which answers
    const screen = await onScreen();
    expect(screen.timeMs).toBe(firstDeliver.timeMs);
    const want = expected(screen.timeMs);
    expect(screen.inFlight).toEqual(want.inFlight);
    expect(screen.inFlight).toEqual([2, 3, 4]); // heartbeats to n3 and n4, n2's ack
    expect(labels(screen)).toEqual({ n1: "leader", n2: "following", n3: "waiting", n4: "waiting" });
    expect(screen.clock).toBe(`t=${firstDeliver.timeMs}ms / t=240ms`);
    expect(screen.log).toContain("delivered n1 → n2 heartbeat #1");
    expect(screen.log).toContain("n2 is following");
    await expectScreenshot("1-first-heartbeats");

    await click(".dv-prev");
    expect((await onScreen()).timeMs).toBe(20);
    await click(".dv-next");
    expect((await onScreen()).timeMs).toBe(firstDeliver.timeMs);
  }, TIMEOUT_MS);

  it("filters by message type: without acks, n2's ack is not drawn", async () => {
    const firstDeliver = events.find((e) => e.kind === "deliver")!;
    await seek(firstDeliver.timeMs);
    await click(".dv-filters summary");
    await click('.dv-filter-types input[value="ack"]');
    expect((await onScreen()).inFlight).toEqual([2, 3]);
    await click('.dv-filter-types input[value="ack"]');
    expect((await onScreen()).inFlight).toEqual([2, 3, 4]);
    await click(".dv-filters summary");
  }, TIMEOUT_MS);

  it("greys the crashed n3, marks a lost ack, and keeps drawing the heartbeat that will never arrive", async () => {
    const crash = events.find((e) => e.kind === "crash")!;
    const t = crash.timeMs + 2; // n3 crashed at 70 ms; the heartbeat sent to it at 60 ms is still on the wire
    await seek(t);
    const screen = await onScreen();
    const want = expected(t);
    expect(screen.inFlight).toEqual(want.inFlight);
    expect(screen.inFlight).toContain(14); // n1 → n3, dropped on arrival at 73.7 ms (reason "crashed")
    expect(screen.drops).toEqual(want.drops);
    expect(screen.drops).toContain("16 loss"); // n2's ack, lost at 68.5 ms
    expect(nodesWith(screen, "crashed")).toEqual(["n3"]);
    expect(labels(screen)).toEqual(want.labels);
    expect(labels(screen)).toEqual({ n1: "leader", n2: "following", n3: "crashed", n4: "following" });
    await expectScreenshot("2-n3-crashed");

    // 73.7 ms: the heartbeat reaches the crashed n3 and is dropped there
    await click(".dv-next");
    const after = await onScreen();
    expect(after.timeMs).toBe(events.find((e) => e.kind === "drop" && e.reason === "crashed")!.timeMs);
    expect(after.inFlight).not.toContain(14);
    expect(after.drops).toContain("14 crashed");
  }, TIMEOUT_MS);

  it("draws the partition {n1, n2} | {n3, n4} as a cut; n4, cut off, is suspecting", async () => {
    const partition = events.find((e) => e.kind === "partition")!;
    const t = partition.timeMs + 15;
    await seek(t);
    const screen = await onScreen();
    const want = expected(t);
    expect(screen.partitionLines).toBeGreaterThan(0);
    expect(screen.nodes.n1.partition).toBe(screen.nodes.n2.partition);
    expect(screen.nodes.n3.partition).toBe(screen.nodes.n4.partition);
    expect(screen.nodes.n1.partition).not.toBe(screen.nodes.n3.partition);
    expect(screen.inFlight).toEqual(want.inFlight);
    expect(screen.drops).toEqual(want.drops);
    expect(screen.drops).toEqual(expect.arrayContaining(["26 partition", "27 partition"])); // heartbeats to n3 and n4 at 120 ms
    expect(nodesWith(screen, "crashed")).toEqual(["n3"]);
    expect(labels(screen)).toEqual({ n1: "leader", n2: "following", n3: "crashed", n4: "suspecting" });
    await expectScreenshot("3-partition");

    // a click on the heartbeat in flight shows its body
    const inFlight = screen.inFlight[0];
    await click(`.dv-msg[data-message-id="${inFlight}"]`);
    const clicked = await onScreen();
    const send = events.find((e) => e.kind === "send" && e.id === inFlight) as TraceEvent & { kind: "send" };
    expect(clicked.info).toContain(`${send.src} → ${send.dest}`);
    expect(clicked.info.replace(/\s+/g, "")).toContain(send.json.replace(/\s+/g, "").replace(/[{}]/g, ""));
    await click(`[data-node="n4"] .dv-body`);
    expect((await onScreen()).info).toContain("suspecting");
  }, TIMEOUT_MS);

  it("after the heal the cut is gone and n4 follows again", async () => {
    const back = events.find((e) => e.kind === "state" && e.node === "n4" && e.to === "following" && e.timeMs > 190)!;
    await seek(back.timeMs);
    const screen = await onScreen();
    const want = expected(back.timeMs);
    expect(screen.partitionLines).toBe(0);
    expect(screen.nodes.n1.partition).toBeNull();
    expect(screen.inFlight).toEqual(want.inFlight);
    expect(screen.drops).toEqual(want.drops);
    expect(labels(screen)).toEqual({ n1: "leader", n2: "following", n3: "crashed", n4: "following" });
    await expectScreenshot("4-healed");
  }, TIMEOUT_MS);

  it("plays: after ▶ its virtual time advances, and ▶ again pauses it", async () => {
    await seek(0);
    await click(".dv-play");
    const moved = await page.waitForFunction("window.distlabViewer.state().timeMs > 0", { timeout: 10_000, polling: 50 });
    expect(moved).toBeTruthy();
    await click(".dv-play");
    const screen = await onScreen();
    expect(screen.playing).toBe(false);
    expect(screen.timeMs).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 200));
    expect((await onScreen()).timeMs).toBe(screen.timeMs);
  }, TIMEOUT_MS);

  it("fetches nothing: every request was the page itself, and no script or page error occurred", () => {
    expect(requests).toContain(pageUrl);
    expect(offPage).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i);
  });
});
