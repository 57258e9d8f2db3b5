// determinism allow-list: rendering only, never affects a simulation run
/**
 * Rich output in the tslab Jupyter kernel. A diagram goes out as ONE display_data message with
 * several representations (HTML showing the SVG, PNG, plain text); each front end picks the best
 * one it can show. Outside a kernel (tests, scripts) nothing is displayed.
 */

import * as path from "node:path";
import { createRequire } from "node:module";

type WriteDisplayData = (
  message: { data: Record<string, string>; metadata: Record<string, unknown>; transient: Record<string, unknown> },
  update: boolean,
) => void;

interface TslabDisplay {
  html(s: string): void;
  png(b: Uint8Array): void;
  text(s: string): void;
}

function moduleCache(): Record<string, { exports?: unknown } | undefined> {
  // The CommonJS module cache is shared by every require function in the process.
  return createRequire(path.join(process.cwd(), "noop.js")).cache as Record<string, { exports?: unknown } | undefined>;
}

function loadedTslabModule(file: string): unknown {
  const suffix = path.join("tslab", "dist", file);
  const cache = moduleCache();
  for (const key of Object.keys(cache)) {
    if (key.endsWith(path.sep + suffix)) return cache[key]?.exports;
  }
  return undefined;
}

function displayWriter(): WriteDisplayData | undefined {
  const jupyter = loadedTslabModule("jupyter.js") as { lastWriteDisplayData?: unknown } | undefined;
  const writer = jupyter?.lastWriteDisplayData;
  return typeof writer === "function" ? (writer as WriteDisplayData) : undefined;
}

function tslabDisplay(): TslabDisplay | undefined {
  const pub = loadedTslabModule("public.js") as { display?: TslabDisplay } | undefined;
  return pub?.display;
}

/**
 * Whether this code runs inside the tslab Jupyter kernel (and can display rich output).
 *
 * @example
 * if (isTslabKernel()) console.log("in a notebook");
 */
export function isTslabKernel(): boolean {
  return displayWriter() !== undefined || tslabDisplay() !== undefined;
}

/** One output with several representations, keyed by MIME type (binary ones in base64). */
export interface DisplayBundle {
  "text/plain": string;
  "text/html"?: string;
  /** base64 PNG */
  "image/png"?: string;
}

/**
 * Displays a bundle as the output of the running notebook cell. Returns false outside a kernel.
 *
 * @example
 * displayBundle({ "text/plain": "hello", "text/html": "<b>hello</b>" });
 */
export function displayBundle(bundle: DisplayBundle, metadata: Record<string, unknown> = {}): boolean {
  const data: Record<string, string> = {};
  for (const [mime, value] of Object.entries(bundle)) {
    if (typeof value === "string") data[mime] = value;
  }
  const writer = displayWriter();
  if (writer) {
    writer({ data, metadata, transient: {} }, false);
    return true;
  }
  // Another tslab install than the one in node_modules: one output per representation.
  const display = tslabDisplay();
  if (!display) return false;
  if (data["text/html"] !== undefined) display.html(data["text/html"]);
  else if (data["image/png"] !== undefined) display.png(Buffer.from(data["image/png"], "base64"));
  else display.text(data["text/plain"]);
  return true;
}

/**
 * Escapes text for HTML element content and attribute values.
 *
 * @example
 * escapeHtml("a < b & c"); // "a &lt; b &amp; c"
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}
