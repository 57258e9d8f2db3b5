// determinism allow-list: rendering only, never affects a simulation run
/**
 * Renders Mermaid text to SVG and PNG with ONE headless Chromium and ONE page that has Mermaid's
 * browser bundle loaded from node_modules (nothing is fetched from the network). Launching takes
 * about a second; each further diagram takes tens of milliseconds.
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createHash } from "node:crypto";
import type { Browser, Page } from "puppeteer";
import { defaultMermaidConfig, mergeMermaidConfig, type MermaidConfig } from "./mermaid-config";
import { findChromium, findMermaidBundle } from "./paths";

/** Chromium's command-line flags: no sandbox (root in CI), no GPU, no background network traffic. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** Options of {@link MermaidRenderer.launch}. */
export interface MermaidRendererOptions {
  /** The Chromium binary; default {@link findChromium} (/usr/bin/chromium). */
  executablePath?: string;
  /** Path of mermaid.min.js; default {@link findMermaidBundle} (node_modules/mermaid/dist). */
  mermaidBundle?: string;
  /** Mermaid configuration merged over {@link defaultMermaidConfig}. */
  config?: MermaidConfig;
  /** Extra Chromium flags, after {@link CHROMIUM_ARGS}. */
  extraArgs?: string[];
  /** Time limit for launching and for each browser call, in ms (default 60000). */
  timeoutMs?: number;
  /**
   * When false (the default) an idle browser does not keep Node's event loop alive, so a script
   * or a test may end without calling close(); the browser is killed when the process exits.
   */
  keepProcessAlive?: boolean;
}

/** Options of {@link MermaidRenderer.renderPng}. */
export interface PngOptions {
  /** Device pixels per CSS pixel (default 2: sharp on high-density screens). */
  scale?: number;
}

/** One rendered diagram. */
export interface RenderedDiagram {
  /** Standalone SVG (XML-serialized, white background). */
  svg: string;
  /** PNG bytes, when asked for. */
  png?: Buffer;
  /** Natural size of the diagram in CSS pixels. */
  width: number;
  height: number;
}

/**
 * A diagram that Mermaid could not render. `message` is Mermaid's own text, such as
 * "Parse error on line 2: ...", or says which stand-in Mermaid drew instead of the diagram
 * ("Maximum text size in diagram exceeded", "Syntax error in text").
 */
export class MermaidRenderError extends Error {
  /** The diagram text that failed. */
  readonly diagram: string;
  constructor(message: string, diagram: string) {
    super(message);
    this.name = "MermaidRenderError";
    this.diagram = diagram;
  }
}

const PAGE_HTML =
  "<!doctype html><html><head><meta charset='utf-8'><style>" +
  "html,body{margin:0;padding:0;background:#fff}" +
  "#distlab-container{position:absolute;left:0;top:0;background:#fff}" +
  "#distlab-container svg{display:block}" +
  "</style></head><body><div id='distlab-container'></div></body></html>";

// Plain JavaScript run inside the page (a string, so that no bundler helper leaks into it).
// Mermaid keeps some counters across renders (sequence actors, class ids) and draws some shapes
// with Math.random, so each render reseeds Math.random from the diagram id and the SVG's
// element ids are renumbered in document order, and a Gantt chart's "today" line is removed:
// the same text always gives the same SVG.
const PAGE_SCRIPT = `(() => {
  const container = document.getElementById("distlab-container");
  let state = 1;
  Math.random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const seedFrom = (text) => {
    let h = 2166136261;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
    return h | 0;
  };
  const removeLeftovers = (id) => {
    for (const x of [id, "d" + id, "i" + id]) {
      const el = document.getElementById(x);
      if (el && !container.contains(el)) el.remove();
    }
  };
  const escapeRe = (s) => s.replace(/[.*+?^\${}()|[\\]\\\\]/g, "\\\\$&");
  const canonicalizeIds = (svg) => {
    const counts = new Map();
    const renamed = new Map();
    for (const node of svg.querySelectorAll("[id]")) {
      const old = node.getAttribute("id");
      if (!/\\d$/.test(old)) continue;
      let next = renamed.get(old);
      if (next === undefined) {
        const base = old.replace(/\\d+$/, "");
        const n = counts.get(base) || 0;
        counts.set(base, n + 1);
        next = base + n;
        renamed.set(old, next);
      }
      node.setAttribute("id", next);
    }
    const changed = [...renamed].filter(([a, b]) => a !== b);
    if (changed.length === 0) return;
    const lookup = new Map(changed);
    const pattern = new RegExp("#(" + changed.map(([a]) => escapeRe(a)).sort((x, y) => y.length - x.length).join("|") + ")(?![\\\\w-])", "g");
    const fix = (value) => value.replace(pattern, (m, id) => "#" + lookup.get(id));
    for (const node of [svg, ...svg.querySelectorAll("*")]) {
      for (const attr of [...node.attributes]) {
        if (attr.name === "id") continue;
        if (attr.name === "aria-labelledby" || attr.name === "aria-describedby") {
          node.setAttribute(attr.name, attr.value.split(/\\s+/).map((x) => lookup.get(x) || x).join(" "));
        } else if (attr.value.indexOf("#") >= 0) {
          node.setAttribute(attr.name, fix(attr.value));
        }
      }
      if (node.tagName.toLowerCase() === "style") node.textContent = fix(node.textContent);
    }
  };
  window.__distlab = {
    init(config) {
      mermaid.initialize(config);
    },
    async render(id, text) {
      container.innerHTML = "";
      state = seedFrom(id);
      try {
        const result = await mermaid.render(id, text);
        container.innerHTML = result.svg;
        removeLeftovers(id);
        const el = container.querySelector("svg");
        if (!el) return { ok: false, error: "Mermaid returned no <svg>" };
        canonicalizeIds(el);
        // Gantt charts draw a "today" line from the wall clock: drop it.
        for (const today of el.querySelectorAll("g.today")) today.remove();
        el.style.backgroundColor = "white";
        const vb = el.viewBox && el.viewBox.baseVal;
        const box = el.getBoundingClientRect();
        const width = vb && vb.width > 0 ? vb.width : box.width;
        const height = vb && vb.height > 0 ? vb.height : box.height;
        return { ok: true, svg: new XMLSerializer().serializeToString(el), width, height, diagramType: String(result.diagramType) };
      } catch (e) {
        removeLeftovers(id);
        container.innerHTML = "";
        const message = e && typeof e === "object" && "message" in e ? String(e.message) : String(e);
        return { ok: false, error: message };
      }
    },
    fitForScreenshot() {
      const el = container.querySelector("svg");
      const vb = el.viewBox && el.viewBox.baseVal;
      const width = Math.ceil(vb && vb.width > 0 ? vb.width : el.getBoundingClientRect().width);
      const height = Math.ceil(vb && vb.height > 0 ? vb.height : el.getBoundingClientRect().height);
      el.setAttribute("width", String(width));
      el.setAttribute("height", String(height));
      el.style.maxWidth = "none";
      return { width, height };
    },
  };
})();`;

type PageResult =
  | { ok: true; svg: string; width: number; height: number; diagramType: string }
  | { ok: false; error: string };

type PuppeteerModule = typeof import("puppeteer");

async function loadPuppeteer(): Promise<PuppeteerModule["launch"]> {
  const mod = (await import("puppeteer")) as PuppeteerModule & { default?: PuppeteerModule };
  const launch = mod.launch ?? mod.default?.launch;
  if (typeof launch !== "function") throw new Error("puppeteer has no launch(): run `npm ci`.");
  return launch;
}

/** Mermaid's default `maxTextSize`. */
const MERMAID_MAX_TEXT_SIZE = 50_000;

/** What Mermaid 11 writes into the flowchart it draws instead of a text over `maxTextSize`. */
const TEXT_SIZE_FALLBACK = "Maximum text size in diagram exceeded";

/**
 * Why an SVG is one of the stand-ins Mermaid 11 draws instead of throwing, or undefined for a real
 * diagram: the "Maximum text size in diagram exceeded" flowchart (mermaidAPI.render swaps a text
 * over `maxTextSize` for it) and the "Syntax error in text" bomb of the `error` diagram type.
 */
function fallbackError(text: string, svg: string, diagramType: string, maxTextSize: number): string | undefined {
  if (svg.includes(TEXT_SIZE_FALLBACK) && (text.length > maxTextSize || !text.includes(TEXT_SIZE_FALLBACK))) {
    return (
      `${TEXT_SIZE_FALLBACK}: Mermaid drew a placeholder instead of this diagram of ${text.length} characters ` +
      `(its maxTextSize is ${maxTextSize}); draw less (maxMessages, fromMs/toMs, nodes, types)`
    );
  }
  if (diagramType === "error" || /class="error-text"[^>]*>Syntax error in text</.test(svg)) {
    return "Syntax error in text: Mermaid drew its error diagram instead of this one";
  }
  return undefined;
}

/** A stable, CSS-safe element id for a diagram text: same text, same SVG. */
function diagramId(text: string): string {
  return "mmd-" + createHash("sha256").update(text).digest("hex").slice(0, 12);
}

/**
 * One headless Chromium with one page holding Mermaid; renders diagrams one at a time.
 *
 * @example
 * const renderer = await MermaidRenderer.launch();
 * try {
 *   const svg = await renderer.renderSvg("sequenceDiagram\n  A->>B: ping");
 *   const png = await renderer.renderPng("graph LR\n  a --> b", { scale: 2 });
 * } finally {
 *   await renderer.close();
 * }
 */
export class MermaidRenderer {
  private queue: Promise<unknown> = Promise.resolve();
  private busy = 0;
  private keepAlive: ReturnType<typeof setInterval> | undefined;
  private closed = false;
  private viewport = { width: 1024, height: 768, scale: 1 };
  private readonly onProcessExit: () => void;

  private constructor(
    private readonly browser: Browser,
    private readonly page: Page,
    private readonly userDataDir: string,
    private readonly holdEventLoop: boolean,
    /** The version of the Mermaid bundle in the page. */
    readonly mermaidVersion: string,
    private readonly maxTextSize: number,
  ) {
    const proc = browser.process();
    this.onProcessExit = () => {
      try {
        if (proc && proc.exitCode === null) proc.kill("SIGKILL");
      } catch {
        // already gone
      }
      removeDir(userDataDir);
    };
    process.on("exit", this.onProcessExit);
    if (!holdEventLoop) unrefProcess(proc);
  }

  /**
   * Starts Chromium and loads Mermaid into a page.
   *
   * @example
   * const renderer = await MermaidRenderer.launch({ config: { theme: "neutral" } });
   */
  static async launch(options: MermaidRendererOptions = {}): Promise<MermaidRenderer> {
    const timeout = options.timeoutMs ?? 60_000;
    const executablePath = options.executablePath ?? findChromium();
    const bundle = options.mermaidBundle ?? findMermaidBundle();
    const config = mergeMermaidConfig(defaultMermaidConfig(), options.config);
    const launch = await loadPuppeteer();
    removeStaleProfiles();
    const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), `${PROFILE_PREFIX}${process.pid}-`));
    let browser: Browser;
    try {
      browser = await launch({
        executablePath,
        headless: true,
        pipe: true,
        userDataDir,
        args: [...CHROMIUM_ARGS, ...(options.extraArgs ?? [])],
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
        timeout,
        protocolTimeout: timeout,
        defaultViewport: { width: 1024, height: 768, deviceScaleFactor: 1 },
      });
    } catch (e) {
      removeDir(userDataDir);
      throw e;
    }
    let page: Page;
    let version: string;
    try {
      const pages = await browser.pages();
      page = pages.length > 0 ? pages[0] : await browser.newPage();
      page.setDefaultTimeout(timeout);
      await page.setRequestInterception(true);
      page.on("request", (request) => {
        const url = request.url();
        const local = url.startsWith("about:") || url.startsWith("data:") || url.startsWith("file:");
        void (local ? request.continue() : request.abort()).catch(() => undefined);
      });
      await page.setContent(PAGE_HTML);
      await page.addScriptTag({ path: bundle });
      await page.evaluate(PAGE_SCRIPT);
      await page.evaluate(`window.__distlab.init(${JSON.stringify(config)})`);
      version = readBundleVersion(bundle);
    } catch (e) {
      await browser.close().catch(() => undefined);
      removeDir(userDataDir);
      throw e;
    }
    const maxTextSize = typeof config.maxTextSize === "number" ? config.maxTextSize : MERMAID_MAX_TEXT_SIZE;
    return new MermaidRenderer(browser, page, userDataDir, options.keepProcessAlive === true, version, maxTextSize);
  }

  /**
   * Whether the browser is still running and usable.
   *
   * @example
   * if (!renderer.connected) renderer = await MermaidRenderer.launch();
   */
  get connected(): boolean {
    return !this.closed && this.browser.connected;
  }

  /**
   * Renders a diagram to SVG and, when `png` is set, to PNG as well (one Mermaid run for both).
   * Rejects with a {@link MermaidRenderError} carrying Mermaid's message if the text is invalid,
   * and also when Mermaid drew one of its stand-ins instead of the diagram (a text over
   * `maxTextSize`: "Maximum text size in diagram exceeded"; "Syntax error in text").
   *
   * @example
   * const { svg, png, width } = await renderer.render("graph TD\n  a --> b", { png: true });
   */
  render(text: string, options: { png?: boolean; scale?: number } = {}): Promise<RenderedDiagram> {
    if (typeof text !== "string") return Promise.reject(new TypeError("diagram text must be a string"));
    return this.enqueue(async () => {
      const result = (await this.page.evaluate(
        `window.__distlab.render(${JSON.stringify(diagramId(text))}, ${JSON.stringify(text)})`,
      )) as PageResult;
      if (result.ok === false) throw new MermaidRenderError(result.error, text);
      const fallback = fallbackError(text, result.svg, result.diagramType, this.maxTextSize);
      if (fallback !== undefined) throw new MermaidRenderError(fallback, text);
      const rendered: RenderedDiagram = { svg: result.svg, width: result.width, height: result.height };
      if (options.png) rendered.png = await this.screenshot(options.scale ?? 2);
      return rendered;
    });
  }

  /**
   * Renders a diagram to a standalone SVG string. Rejects with Mermaid's own error text
   * (a {@link MermaidRenderError}) when the diagram is invalid or Mermaid drew a stand-in instead
   * (see {@link MermaidRenderer.render}), so tests use it as a validator.
   *
   * @example
   * const svg = await renderer.renderSvg("sequenceDiagram\n  participant A\n  A->>A: tick");
   * svg.startsWith("<svg"); // true
   */
  async renderSvg(text: string): Promise<string> {
    return (await this.render(text)).svg;
  }

  /**
   * Renders a diagram to PNG bytes on a white background, `scale` device pixels per CSS pixel.
   *
   * @example
   * fs.writeFileSync("ping.png", await renderer.renderPng("graph LR\n  a --> b", { scale: 2 }));
   */
  async renderPng(text: string, options: PngOptions = {}): Promise<Buffer> {
    const { png } = await this.render(text, { png: true, scale: options.scale });
    if (!png) throw new Error("no PNG produced");
    return png;
  }

  /**
   * Closes the browser and removes its profile folder. Safe to call twice.
   *
   * @example
   * await renderer.close();
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.hold();
    try {
      await Promise.race([
        this.browser.close(),
        new Promise((resolve) => setTimeout(resolve, 5_000).unref()),
      ]).catch(() => undefined);
      const proc = this.browser.process();
      if (proc && proc.exitCode === null) proc.kill("SIGKILL");
    } finally {
      removeDir(this.userDataDir);
      process.removeListener("exit", this.onProcessExit);
      this.release();
    }
  }

  private async screenshot(scale: number): Promise<Buffer> {
    if (!(scale > 0 && scale <= 8)) throw new RangeError(`PNG scale must be in (0, 8], got ${scale}`);
    const size = (await this.page.evaluate("window.__distlab.fitForScreenshot()")) as {
      width: number;
      height: number;
    };
    const width = Math.max(1, size.width);
    const height = Math.max(1, size.height);
    // Resizing the viewport costs a relayout: only grow it, or change it for a new scale.
    const view = this.viewport;
    if (view.scale !== scale || view.width < width || view.height < height) {
      this.viewport = {
        width: Math.min(Math.max(view.width, width), 8192),
        height: Math.min(Math.max(view.height, height), 8192),
        scale,
      };
      await this.page.setViewport({
        width: this.viewport.width,
        height: this.viewport.height,
        deviceScaleFactor: scale,
      });
    }
    const data = await this.page.screenshot({
      type: "png",
      clip: { x: 0, y: 0, width, height },
      captureBeyondViewport: true,
    });
    return Buffer.from(data);
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error("MermaidRenderer is closed"));
    this.hold();
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run.finally(() => this.release());
  }

  // While a call is in flight a timer holds the event loop, since the browser pipes do not.
  private hold(): void {
    if (this.busy++ === 0 && !this.holdEventLoop) this.keepAlive = setInterval(() => undefined, 1 << 30);
  }

  private release(): void {
    if (--this.busy === 0 && this.keepAlive !== undefined) {
      clearInterval(this.keepAlive);
      this.keepAlive = undefined;
    }
  }
}

function unrefProcess(proc: ReturnType<Browser["process"]>): void {
  if (!proc) return;
  proc.unref();
  for (const stream of proc.stdio) {
    const s = stream as { unref?: () => void } | null;
    if (s && typeof s.unref === "function") s.unref();
  }
}

const PROFILE_PREFIX = "distlab-chromium-";

// A process killed by a signal leaves its profile folder behind (its Chromium exits by itself
// when the debugging pipe closes); remove the folders of processes that are gone.
function removeStaleProfiles(): void {
  let names: string[];
  try {
    names = fs.readdirSync(os.tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    const m = new RegExp(`^${PROFILE_PREFIX}(\\d+)-`).exec(name);
    if (!m || Number(m[1]) === process.pid || processAlive(Number(m[1]))) continue;
    removeDir(path.join(os.tmpdir(), name));
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === "EPERM";
  }
}

function readBundleVersion(bundle: string): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(bundle), "..", "package.json"), "utf8")) as {
      version?: unknown;
    };
    return typeof pkg.version === "string" ? pkg.version : "";
  } catch {
    return "";
  }
}

function removeDir(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
  } catch {
    // best effort: a leftover profile folder in the temp dir does no harm
  }
}
