// determinism allow-list: rendering only (the in-page script seeds Mermaid's Math.random), never affects a simulation run
/**
 * The page that renders: one Chromium page holding Mermaid's browser bundle (loaded from
 * node_modules; every other request is refused, so nothing is fetched from the network) and a
 * small script, `window.__distlab`, that renders one diagram at a time and makes the SVG
 * reproducible. Every call into the page goes through this module.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { createHash } from "node:crypto";
import type { Browser, Page } from "puppeteer";
import type { MermaidConfig } from "./mermaid-config";

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

/** What the page answers for one diagram. */
export type PageResult =
  | { ok: true; svg: string; width: number; height: number; diagramType: string }
  | { ok: false; error: string };

/**
 * Opens the page in `browser` (its first tab), refuses every request that is not local, loads
 * Mermaid's bundle and the page script, and initializes Mermaid with `config`.
 *
 * @example
 * const page = await openMermaidPage(chromium.browser, { bundle: findMermaidBundle(), config: defaultMermaidConfig(), timeoutMs: 60_000 });
 */
export async function openMermaidPage(
  browser: Browser,
  options: { bundle: string; config: MermaidConfig; timeoutMs: number },
): Promise<Page> {
  const pages = await browser.pages();
  const page = pages.length > 0 ? pages[0] : await browser.newPage();
  page.setDefaultTimeout(options.timeoutMs);
  await page.setRequestInterception(true);
  page.on("request", (request) => {
    const url = request.url();
    const local = url.startsWith("about:") || url.startsWith("data:") || url.startsWith("file:");
    void (local ? request.continue() : request.abort()).catch(() => undefined);
  });
  await page.setContent(PAGE_HTML);
  await page.addScriptTag({ path: options.bundle });
  await page.evaluate(PAGE_SCRIPT);
  await page.evaluate(`window.__distlab.init(${JSON.stringify(options.config)})`);
  return page;
}

/**
 * Renders one diagram in the page and leaves it there (for {@link fitForScreenshot}). The
 * answer carries Mermaid's error instead of throwing; a stand-in diagram counts as ok here (see
 * mermaid-errors.ts).
 *
 * @example
 * const result = await renderInPage(page, "graph LR\n  a --> b");
 * if (result.ok) console.log(result.width, result.diagramType); // e.g. 120 "flowchart-v2"
 */
export async function renderInPage(page: Page, text: string): Promise<PageResult> {
  return (await page.evaluate(`window.__distlab.render(${JSON.stringify(diagramId(text))}, ${JSON.stringify(text)})`)) as PageResult;
}

/**
 * Gives the diagram last rendered its natural size in CSS pixels, so that a screenshot of the
 * page's top-left corner shows all of it; returns that size.
 *
 * @example
 * const { width, height } = await fitForScreenshot(page);
 */
export async function fitForScreenshot(page: Page): Promise<{ width: number; height: number }> {
  return (await page.evaluate("window.__distlab.fitForScreenshot()")) as { width: number; height: number };
}

/**
 * The version of the Mermaid bundle at `bundle` (from its package.json), or "" if unknown.
 *
 * @example
 * readBundleVersion(findMermaidBundle()); // e.g. "11.17.2"
 */
export function readBundleVersion(bundle: string): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(bundle), "..", "package.json"), "utf8")) as {
      version?: unknown;
    };
    return typeof pkg.version === "string" ? pkg.version : "";
  } catch {
    return "";
  }
}

/** A stable, CSS-safe element id for a diagram text: same text, same SVG. */
function diagramId(text: string): string {
  return "mmd-" + createHash("sha256").update(text).digest("hex").slice(0, 12);
}
