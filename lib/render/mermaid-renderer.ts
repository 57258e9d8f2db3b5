// determinism allow-list: rendering only, never affects a simulation run
/**
 * Renders Mermaid text to SVG and PNG with ONE headless Chromium and ONE page that has Mermaid's
 * browser bundle loaded from node_modules (nothing is fetched from the network). Launching takes
 * about a second; each further diagram takes tens of milliseconds. Calls are queued: one diagram
 * at a time.
 *
 * The parts: chromium.ts (launch and kill the browser), mermaid-page.ts (the page that renders),
 * mermaid-errors.ts (Mermaid's errors and stand-in diagrams), png.ts (screenshots).
 */

import type { Page } from "puppeteer";
import { launchChromium, type Chromium } from "./chromium";
import { defaultMermaidConfig, mergeMermaidConfig, type MermaidConfig } from "./mermaid-config";
import { MERMAID_MAX_TEXT_SIZE, MermaidRenderError, standInError } from "./mermaid-errors";
import { openMermaidPage, readBundleVersion, renderInPage } from "./mermaid-page";
import { findChromium, findMermaidBundle } from "./paths";
import { PngCamera } from "./png";

/** Options of {@link MermaidRenderer.launch}. */
export interface MermaidRendererOptions {
  /** The Chromium binary; default {@link findChromium} (/usr/bin/chromium). */
  executablePath?: string;
  /** Path of mermaid.min.js; default {@link findMermaidBundle} (node_modules/mermaid/dist). */
  mermaidBundle?: string;
  /** Mermaid configuration merged over {@link defaultMermaidConfig}. */
  config?: MermaidConfig;
  /** Extra Chromium flags, after CHROMIUM_ARGS. */
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

/** How long close() waits for Chromium to quit before killing it, in ms. */
const CLOSE_WAIT_MS = 5_000;

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
  private readonly camera: PngCamera;

  private constructor(
    private readonly chromium: Chromium,
    private readonly page: Page,
    private readonly holdEventLoop: boolean,
    /** The version of the Mermaid bundle in the page. */
    readonly mermaidVersion: string,
    private readonly maxTextSize: number,
  ) {
    this.camera = new PngCamera(page);
  }

  /**
   * Starts Chromium and loads Mermaid into a page.
   *
   * @example
   * const renderer = await MermaidRenderer.launch({ config: { theme: "neutral" } });
   */
  static async launch(options: MermaidRendererOptions = {}): Promise<MermaidRenderer> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const executablePath = options.executablePath ?? findChromium();
    const bundle = options.mermaidBundle ?? findMermaidBundle();
    const config = mergeMermaidConfig(defaultMermaidConfig(), options.config);
    const keepProcessAlive = options.keepProcessAlive === true;
    const chromium = await launchChromium({ executablePath, extraArgs: options.extraArgs, timeoutMs });
    let page: Page;
    try {
      page = await openMermaidPage(chromium.browser, { bundle, config, timeoutMs });
    } catch (e) {
      await chromium.browser.close().catch(() => undefined);
      chromium.kill();
      throw e;
    }
    if (!keepProcessAlive) chromium.unref();
    const maxTextSize = typeof config.maxTextSize === "number" ? config.maxTextSize : MERMAID_MAX_TEXT_SIZE;
    return new MermaidRenderer(chromium, page, keepProcessAlive, readBundleVersion(bundle), maxTextSize);
  }

  /**
   * Whether the browser is still running and usable.
   *
   * @example
   * if (!renderer.connected) renderer = await MermaidRenderer.launch();
   */
  get connected(): boolean {
    return !this.closed && this.chromium.browser.connected;
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
      const result = await renderInPage(this.page, text);
      if (result.ok === false) throw new MermaidRenderError(result.error, text);
      const standIn = standInError(text, result.svg, result.diagramType, this.maxTextSize);
      if (standIn !== undefined) throw new MermaidRenderError(standIn, text);
      const rendered: RenderedDiagram = { svg: result.svg, width: result.width, height: result.height };
      if (options.png) rendered.png = await this.camera.capture(options.scale ?? 2);
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
   * Closes the browser (killing it if it does not quit within 5 s) and removes its profile
   * folder. Safe to call twice.
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
        this.chromium.browser.close(),
        new Promise((resolve) => setTimeout(resolve, CLOSE_WAIT_MS).unref()),
      ]).catch(() => undefined);
    } finally {
      this.chromium.kill();
      this.release();
    }
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
